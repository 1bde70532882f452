//! Inline SVG charts: line charts for trends, stacked bars for counts by
//! severity, and a heat-map grid for risk ratings. Every chart names its
//! axes and carries a `<title>` for screen readers; unknown values leave a
//! gap (a broken line, no bar), never a zero.

use std::fmt::Write;

use super::risks::Matrix;
use crate::xml::escape;

const WIDTH: f64 = 680.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 52.0;
/// At most this many x labels are written; the others are skipped.
const MAX_X_LABELS: usize = 12;

/// Colours for series without a meaning of their own (colour-blind safe).
pub(crate) const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
];

/// What the y axis shows.
#[derive(Clone, Copy)]
pub(crate) enum Scale {
    /// Shares from 0 to 1, labelled in percent.
    Share,
    /// Counts (or days) from 0 to a round maximum.
    Count,
}

/// One named series of a chart.
pub(crate) struct Line<'a> {
    /// The legend's text.
    pub name: &'a str,
    /// One value per x position.
    pub values: &'a [Option<f64>],
    /// The stroke or fill colour.
    pub colour: &'a str,
}

/// The frame common to both chart kinds: axes, grid, labels, legend.
struct Frame {
    slots: usize,
    y_max: f64,
    scale: Scale,
}

impl Frame {
    fn plot_width(&self) -> f64 {
        WIDTH - LEFT - RIGHT
    }

    fn plot_height(&self) -> f64 {
        HEIGHT - TOP - BOTTOM
    }

    fn slot_width(&self) -> f64 {
        self.plot_width() / self.slots.max(1) as f64
    }

    /// The x of the middle of slot `i`.
    fn x(&self, i: usize) -> f64 {
        LEFT + self.slot_width() * (i as f64 + 0.5)
    }

    fn y(&self, value: f64) -> f64 {
        let ratio = if self.y_max > 0.0 {
            (value / self.y_max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        TOP + self.plot_height() * (1.0 - ratio)
    }

    /// How many grid steps the y axis has: four quarters for shares; for
    /// counts, as many as keep every tick a whole number.
    fn steps(&self) -> u32 {
        match self.scale {
            Scale::Share => 4,
            Scale::Count => [4u32, 5, 2]
                .into_iter()
                .find(|n| {
                    let step = self.y_max / f64::from(*n);
                    (step - step.round()).abs() < 1e-9
                })
                .unwrap_or(1),
        }
    }

    fn tick_label(&self, value: f64) -> String {
        match self.scale {
            Scale::Share => format!("{:.0}%", value * 100.0),
            Scale::Count => round(value),
        }
    }

    fn open(&self, out: &mut String, title: &str) {
        let _ = write!(
            out,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"><title>{}</title>"#,
            escape(title)
        );
    }

    fn axes(&self, out: &mut String, x_labels: &[String], x_title: &str, y_title: &str) {
        let steps = self.steps();
        for step in 0..=steps {
            let value = self.y_max * f64::from(step) / f64::from(steps);
            let y = self.y(value);
            let _ = write!(
                out,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="10">{}</text>"##,
                LEFT + self.plot_width(),
                LEFT - 4.0,
                y + 3.0,
                escape(&self.tick_label(value))
            );
        }
        let every = x_labels.len().div_ceil(MAX_X_LABELS).max(1);
        for (i, label) in x_labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10">{}</text>"#,
                self.x(i),
                TOP + self.plot_height() + 14.0,
                escape(label)
            );
        }
        let bottom = TOP + self.plot_height();
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#333"/><line x1="{LEFT}" y1="{bottom}" x2="{:.1}" y2="{bottom}" stroke="#333"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text><text transform="translate(12 {:.1}) rotate(-90)" text-anchor="middle" font-size="11">{}</text>"##,
            LEFT + self.plot_width(),
            LEFT + self.plot_width() / 2.0,
            HEIGHT - 8.0,
            escape(x_title),
            TOP + self.plot_height() / 2.0,
            escape(y_title)
        );
    }

    fn legend<'l>(&self, out: &mut String, lines: impl Iterator<Item = &'l Line<'l>>) {
        let x = WIDTH - RIGHT + 12.0;
        for (i, line) in lines.enumerate() {
            let y = TOP + 6.0 + 16.0 * i as f64;
            let _ = write!(
                out,
                r#"<rect x="{x}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                y - 8.0,
                escape(line.colour),
                x + 14.0,
                y + 1.0,
                escape(line.name)
            );
        }
    }
}

/// A line chart: one line per series over the x labels.
pub(crate) fn line_chart(
    title: &str,
    x_labels: &[String],
    lines: &[Line],
    scale: Scale,
    axes: (&str, &str),
) -> String {
    let y_max = match scale {
        Scale::Share => 1.0,
        Scale::Count => nice_max(
            lines
                .iter()
                .flat_map(|l| l.values.iter().flatten().copied()),
        ),
    };
    let frame = Frame {
        slots: x_labels.len(),
        y_max,
        scale,
    };
    let mut out = String::new();
    frame.open(&mut out, title);
    frame.axes(&mut out, x_labels, axes.0, axes.1);
    for line in lines {
        // A gap in the data breaks the line: each run of known values is
        // its own polyline, a lone value a dot.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, value) in line.values.iter().enumerate().take(x_labels.len()) {
            match value {
                Some(v) => {
                    if let Some(run) = runs.last_mut() {
                        run.push((frame.x(i), frame.y(*v)));
                    }
                }
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|r| !r.is_empty()) {
            let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(
                out,
                r#"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>"#,
                escape(line.colour),
                points.join(" ")
            );
            for (x, y) in run {
                let _ = write!(
                    out,
                    r#"<circle cx="{x:.1}" cy="{y:.1}" r="2.5" fill="{}"/>"#,
                    escape(line.colour)
                );
            }
        }
    }
    frame.legend(&mut out, lines.iter());
    out.push_str("</svg>");
    out
}

/// Stacked bars: one bar per x label, one segment per series (bottom
/// first).
pub(crate) fn stacked_bars(
    title: &str,
    x_labels: &[String],
    stacks: &[Line],
    axes: (&str, &str),
) -> String {
    let totals: Vec<f64> = (0..x_labels.len())
        .map(|i| {
            stacks
                .iter()
                .filter_map(|s| s.values.get(i).copied().flatten())
                .sum()
        })
        .collect();
    let frame = Frame {
        slots: x_labels.len(),
        y_max: nice_max(totals.iter().copied()),
        scale: Scale::Count,
    };
    let mut out = String::new();
    frame.open(&mut out, title);
    frame.axes(&mut out, x_labels, axes.0, axes.1);
    let bar = (frame.slot_width() * 0.7).max(1.0);
    for i in 0..x_labels.len() {
        let mut base = 0.0;
        for stack in stacks {
            let Some(value) = stack.values.get(i).copied().flatten() else {
                continue;
            };
            if value <= 0.0 {
                continue;
            }
            let (top, bottom) = (frame.y(base + value), frame.y(base));
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{top:.1}" width="{bar:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                frame.x(i) - bar / 2.0,
                (bottom - top).max(0.0),
                escape(stack.colour),
                escape(stack.name),
                round(value)
            );
            base += value;
        }
    }
    // Listed top to bottom as the segments are stacked.
    frame.legend(&mut out, stacks.iter().rev());
    out.push_str("</svg>");
    out
}

/// A likelihood × impact grid with the number of risks in each cell,
/// coloured by the cell's score (likelihood × impact).
pub(crate) fn heat_map(title: &str, matrix: &Matrix) -> String {
    const CELL: f64 = 52.0;
    const MARGIN_LEFT: f64 = 120.0;
    const MARGIN_BOTTOM: f64 = 96.0;
    let rows = matrix.likelihood.len();
    let columns = matrix.impact.len();
    let width = MARGIN_LEFT + CELL * columns as f64 + 12.0;
    let height = TOP + CELL * rows as f64 + MARGIN_BOTTOM;
    let max_score = (rows * columns).max(1) as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="heat" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" role="img"><title>{}</title>"#,
        escape(title)
    );
    for (l, row) in matrix.cells.iter().enumerate() {
        // Highest likelihood at the top, as risk matrices are drawn.
        let y = TOP + CELL * (rows - 1 - l) as f64;
        for (i, count) in row.iter().enumerate() {
            let x = MARGIN_LEFT + CELL * i as f64;
            let score = ((l + 1) * (i + 1)) as f64 / max_score;
            let fill = match score {
                s if s <= 0.2 => "#dcfce7",
                s if s <= 0.4 => "#fef9c3",
                s if s <= 0.64 => "#fed7aa",
                _ => "#fecaca",
            };
            let weight = if *count > 0 { "bold" } else { "normal" };
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{CELL}" height="{CELL}" fill="{fill}" stroke="#fff"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="14" font-weight="{weight}">{count}</text>"##,
                x + CELL / 2.0,
                y + CELL / 2.0 + 5.0
            );
        }
    }
    for (l, name) in matrix.likelihood.iter().enumerate() {
        let y = TOP + CELL * (rows - 1 - l) as f64 + CELL / 2.0 + 4.0;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{y:.1}" text-anchor="end" font-size="10">{}</text>"#,
            MARGIN_LEFT - 6.0,
            escape(name)
        );
    }
    let grid_bottom = TOP + CELL * rows as f64;
    for (i, name) in matrix.impact.iter().enumerate() {
        let x = MARGIN_LEFT + CELL * i as f64 + CELL / 2.0;
        let _ = write!(
            out,
            r#"<text transform="translate({x:.1} {:.1}) rotate(-40)" text-anchor="end" font-size="10">{}</text>"#,
            grid_bottom + 12.0,
            escape(name)
        );
    }
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">impact</text><text transform="translate(12 {:.1}) rotate(-90)" text-anchor="middle" font-size="11">likelihood</text></svg>"#,
        MARGIN_LEFT + CELL * columns as f64 / 2.0,
        height - 6.0,
        TOP + CELL * rows as f64 / 2.0
    );
    out
}

/// A round upper bound for counts: 1, 2 or 5 times a power of ten, at least
/// 1.
fn nice_max(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    if max <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= max)
        .unwrap_or(max)
}

/// A number as people read it: whole numbers without decimals, others to
/// one decimal.
pub(crate) fn round(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{:.0}", value)
    } else {
        format!("{value:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_axes_end_on_a_round_number() {
        assert_eq!(nice_max([0.0].into_iter()), 1.0);
        assert_eq!(nice_max([3.0].into_iter()), 5.0);
        assert_eq!(nice_max([17.0, 2.0].into_iter()), 20.0);
        assert_eq!(nice_max([100.0].into_iter()), 100.0);
        assert_eq!(nice_max([f64::NAN, 101.0].into_iter()), 200.0);
    }

    #[test]
    fn count_ticks_are_whole_numbers() {
        for (y_max, steps) in [
            (1.0, 1),
            (2.0, 2),
            (5.0, 5),
            (10.0, 5),
            (20.0, 4),
            (50.0, 5),
            (100.0, 4),
        ] {
            let frame = Frame {
                slots: 1,
                y_max,
                scale: Scale::Count,
            };
            assert_eq!(frame.steps(), steps, "{y_max}");
        }
    }

    #[test]
    fn a_gap_breaks_the_line_into_runs() {
        let labels: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let values = [Some(0.5), None, Some(0.2), Some(0.3)];
        let svg = line_chart(
            "t",
            &labels,
            &[Line {
                name: "x",
                values: &values,
                colour: PALETTE[0],
            }],
            Scale::Share,
            ("week", "share"),
        );
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
    }
}
