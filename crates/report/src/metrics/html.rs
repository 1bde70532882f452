//! The report as one self-contained HTML page: inline CSS and SVG, no
//! script, nothing loaded from elsewhere, readable on paper. Headline KPIs
//! first; each chart is followed by the table it was drawn from.

use std::fmt::Write;

use super::svg::{self, Line, PALETTE, Scale, round};
use super::vulnerabilities::SEVERITIES;
use super::{Interval, Metrics, Series};
use crate::xml::escape;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2937;max-width:1000px;margin:0 auto;padding:24px;line-height:1.4}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.25em;border-bottom:2px solid #e5e7eb;padding-bottom:4px;margin-top:36px}
h3{font-size:1em;margin:18px 0 6px}p.meta,p.note{color:#4b5563;font-size:.9em}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:20px 0}
.kpi{flex:1 1 150px;border:1px solid #d1d5db;border-radius:8px;padding:12px}
.kpi .value{font-size:1.8em;font-weight:700}.kpi .label{font-size:.85em;color:#4b5563}
svg.chart{width:100%;height:auto;max-width:680px;display:block;margin:8px 0}
svg.heat{max-width:100%;height:auto}
.heats{display:flex;flex-wrap:wrap;gap:24px}
table{border-collapse:collapse;font-size:.85em;margin:8px 0}
th,td{border:1px solid #e5e7eb;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
caption{text-align:left;font-weight:600;padding:4px 0}
.unknown{color:#9ca3af}
.not-recorded{border:1px dashed #9ca3af;border-radius:8px;padding:12px;background:#f9fafb}
@media print{body{max-width:none;padding:0}section{break-inside:avoid-page}.kpi{border-color:#999}}
";

/// Renders the report as a self-contained HTML page.
pub fn html(m: &Metrics) -> String {
    let mut out = String::new();
    let title = format!("Information security metrics: {}", m.organisation);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = write!(
        out,
        "<header><h1>{}</h1><p class=\"meta\">ISO/IEC 27001 clause 9.1 · period {} to {} by {} · as of {} · {} {}</p></header>",
        escape(&title),
        m.period.from,
        m.period.to,
        match m.period.interval {
            Interval::Week => "week",
            Interval::Month => "month",
        },
        m.at,
        crate::TOOL_NAME,
        escape(crate::TOOL_VERSION)
    );
    headline(&mut out, m);
    effectiveness(&mut out, m);
    freshness(&mut out, m);
    findings(&mut out, m);
    risks(&mut out, m);
    vulnerabilities(&mut out, m);
    changes(&mut out, m);
    let _ = write!(
        out,
        "<section id=\"nonconformities\"><h2>Nonconformities and corrective actions</h2><div class=\"not-recorded\"><strong>Not recorded yet.</strong> {}</div></section>",
        escape(m.nonconformities.reason)
    );
    out.push_str("</body></html>\n");
    out
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "unknown".into(), |v| format!("{:.0}%", v * 100.0))
}

fn count(value: Option<f64>) -> String {
    value.map_or_else(|| "unknown".into(), round)
}

fn headline(out: &mut String, m: &Metrics) {
    let controls = m.effectiveness.controls.len();
    let critical_high = m
        .vulnerabilities
        .by_severity
        .iter()
        .take(2)
        .map(|s| s.period)
        .try_fold(0.0, |sum, v| v.map(|v| sum + v));
    let kpis = [
        (
            percent(m.effectiveness.overall.period),
            "overall control effectiveness over the period".to_string(),
        ),
        (
            m.effectiveness
                .effective_at_end
                .map_or_else(|| "unknown".into(), |n| format!("{n} of {controls}")),
            "controls effective at the period's end".into(),
        ),
        (
            count(m.findings.errors_at_end()),
            "open error findings".into(),
        ),
        (
            format!("{} of {}", m.risks.above_appetite.len(), m.risks.total),
            format!("risks above appetite (score > {})", m.risks.appetite),
        ),
        (
            percent(m.changes.total.approved_share.period),
            "changes approved independently".into(),
        ),
        (
            count(critical_high),
            "critical and high vulnerabilities open".into(),
        ),
    ];
    out.push_str("<section class=\"kpis\">");
    for (value, label) in kpis {
        let _ = write!(
            out,
            "<div class=\"kpi\"><div class=\"value\">{}</div><div class=\"label\">{}</div></div>",
            escape(&value),
            escape(&label)
        );
    }
    out.push_str("</section>");
}

fn labels(m: &Metrics) -> Vec<String> {
    m.buckets.iter().map(|b| b.label.clone()).collect()
}

fn x_title(m: &Metrics) -> &'static str {
    match m.period.interval {
        Interval::Week => "week",
        Interval::Month => "month",
    }
}

fn lines<'a>(series: &[&'a Series], colours: &[&'a str]) -> Vec<Line<'a>> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| Line {
            name: &s.name,
            values: &s.buckets,
            colour: colours
                .get(i % colours.len().max(1))
                .copied()
                .unwrap_or("#000"),
        })
        .collect()
}

/// How a table shows a value.
type Show = fn(Option<f64>) -> String;

/// A table with a row per bucket and a column per series, and a last row
/// for the period: the fallback of a chart.
fn series_table(
    out: &mut String,
    caption: &str,
    m: &Metrics,
    series: &[&Series],
    show: Show,
    period_row: &str,
) {
    let columns: Vec<(&Series, Show)> = series.iter().map(|s| (*s, show)).collect();
    table_of(out, caption, m, &columns, period_row);
}

/// [`series_table`] with a way of showing each column.
fn table_of(
    out: &mut String,
    caption: &str,
    m: &Metrics,
    columns: &[(&Series, Show)],
    period_row: &str,
) {
    let _ = write!(
        out,
        "<table><caption>{}</caption><thead><tr><th>{}</th>",
        escape(caption),
        x_title(m)
    );
    for (s, _) in columns {
        let _ = write!(out, "<th>{}</th>", escape(&s.name));
    }
    out.push_str("</tr></thead><tbody>");
    let cell = |out: &mut String, v: Option<f64>, show: Show| {
        let class = if v.is_none() {
            " class=\"unknown\""
        } else {
            ""
        };
        let _ = write!(out, "<td{class}>{}</td>", escape(&show(v)));
    };
    for (i, bucket) in m.buckets.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><td title=\"{} to {}\">{}</td>",
            bucket.from,
            bucket.to,
            escape(&bucket.label)
        );
        for (s, show) in columns {
            cell(out, s.buckets.get(i).copied().flatten(), *show);
        }
        out.push_str("</tr>");
    }
    let _ = write!(out, "<tr><th>{}</th>", escape(period_row));
    for (s, show) in columns {
        cell(out, s.period, *show);
    }
    out.push_str("</tr></tbody></table>");
}

fn effectiveness(out: &mut String, m: &Metrics) {
    let e = &m.effectiveness;
    out.push_str("<section id=\"effectiveness\"><h2>Control effectiveness</h2>");
    let _ = write!(
        out,
        "<p class=\"note\">The share of each {} during which each control had fresh evidence and passing checks. {}</p>",
        x_title(m),
        escape(e.weighting)
    );
    let mut series: Vec<&Series> = vec![&e.overall];
    series.extend(e.themes.iter());
    let mut colours = vec!["#111827"];
    colours.extend(PALETTE.iter().copied());
    out.push_str(&svg::line_chart(
        "Control effectiveness by Annex A theme",
        &labels(m),
        &lines(&series, &colours),
        Scale::Share,
        (x_title(m), "share of time effective"),
    ));
    series_table(out, "Effectiveness by theme", m, &series, percent, "period");
    out.push_str("<h3>Least effective controls</h3><table><thead><tr><th>control</th><th>themes</th><th>status at end</th><th>effective over the period</th></tr></thead><tbody>");
    for c in e.controls.iter().take(10) {
        let _ = write!(
            out,
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.id),
            escape(&c.title),
            escape(&c.themes.join(", ")),
            c.status_at_end.map_or("unknown", |s| s.as_str()),
            percent(c.period)
        );
    }
    out.push_str("</tbody></table></section>");
}

fn freshness(out: &mut String, m: &Metrics) {
    let f = &m.freshness;
    out.push_str("<section id=\"freshness\"><h2>Evidence freshness</h2>");
    let _ = write!(
        out,
        "<p class=\"note\">The share of the {} evidence requirements of implemented, applicable controls whose newest evidence was fresh at the end of each {}.</p>",
        f.requirements,
        x_title(m)
    );
    let series = [&f.fresh_requirements];
    out.push_str(&svg::line_chart(
        "Evidence requirements with fresh evidence",
        &labels(m),
        &lines(&series, &PALETTE),
        Scale::Share,
        (x_title(m), "share fresh"),
    ));
    series_table(
        out,
        "Fresh evidence requirements",
        m,
        &series,
        percent,
        "period end",
    );
    out.push_str("<h3>Newest evidence per source at the period's end</h3><table><thead><tr><th>source</th><th>collected</th><th>observed until</th><th>age (days)</th></tr></thead><tbody>");
    for s in &f.sources {
        let when = |t: Option<jiff::Timestamp>| t.map_or_else(|| "never".into(), |t| t.to_string());
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.source),
            when(s.collected_at),
            when(s.observed_to),
            s.age_days.map_or_else(|| "no evidence".into(), round)
        );
    }
    out.push_str("</tbody></table></section>");
}

const SEVERITY_COLOURS: [&str; 5] = ["#7f1d1d", "#dc2626", "#f59e0b", "#3b82f6", "#9ca3af"];

fn findings(out: &mut String, m: &Metrics) {
    let f = &m.findings;
    out.push_str("<section id=\"findings\"><h2>Findings</h2>");
    let series: Vec<&Series> = f.by_severity.iter().collect();
    // Errors at the bottom of each bar, where they are read first.
    out.push_str(&svg::stacked_bars(
        "Findings by severity",
        &labels(m),
        &lines(&series, &["#dc2626", "#f59e0b", "#3b82f6"]),
        (x_title(m), "findings"),
    ));
    series_table(
        out,
        "Findings by severity at each end",
        m,
        &series,
        count,
        "period end",
    );
    out.push_str("<h3>Most frequent codes at the period's end</h3><table><thead><tr><th>code</th><th>severity</th><th>findings</th></tr></thead><tbody>");
    for c in &f.top_codes {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(c.code),
            c.severity.as_str(),
            c.count
        );
    }
    out.push_str("</tbody></table></section>");
}

fn matrix_table(out: &mut String, caption: &str, matrix: &super::Matrix) {
    let _ = write!(
        out,
        "<table><caption>{}</caption><thead><tr><th>likelihood \\ impact</th>",
        escape(caption)
    );
    for name in &matrix.impact {
        let _ = write!(out, "<th>{}</th>", escape(name));
    }
    out.push_str("</tr></thead><tbody>");
    for (name, row) in matrix.likelihood.iter().zip(&matrix.cells).rev() {
        let _ = write!(out, "<tr><td>{}</td>", escape(name));
        for n in row {
            let _ = write!(out, "<td>{n}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if matrix.off_scale > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">{} rated off the scale.</p>",
            matrix.off_scale
        );
    }
}

fn risks(out: &mut String, m: &Metrics) {
    let r = &m.risks;
    out.push_str("<section id=\"risks\"><h2>Risks</h2>");
    let _ = write!(
        out,
        "<p class=\"note\">{} risks; {} with a residual rating (the inherent rating stands for the others). Appetite: score {}.</p>",
        r.total, r.residual_assessed, r.appetite
    );
    out.push_str("<div class=\"heats\"><div>");
    out.push_str(&svg::heat_map(
        "Inherent risk: likelihood by impact",
        &r.inherent,
    ));
    matrix_table(out, "Inherent", &r.inherent);
    out.push_str("</div><div>");
    out.push_str(&svg::heat_map(
        "Residual risk: likelihood by impact",
        &r.residual,
    ));
    matrix_table(out, "Residual", &r.residual);
    out.push_str("</div></div><table><caption>Risks by level</caption><thead><tr><th>level</th><th>inherent</th><th>residual</th></tr></thead><tbody>");
    for l in &r.levels {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&l.level),
            l.inherent,
            l.residual
        );
    }
    let _ = write!(
        out,
        "</tbody></table><p>Above appetite: {}</p>",
        if r.above_appetite.is_empty() {
            "none".to_string()
        } else {
            escape(&r.above_appetite.join(", "))
        }
    );
    let _ = write!(
        out,
        "<h3>Past review at the period's end ({})</h3><table><thead><tr><th>risk</th><th>last reviewed</th><th>due</th></tr></thead><tbody>",
        r.past_review.len()
    );
    for p in &r.past_review {
        let _ = write!(
            out,
            "<tr><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            escape(&p.id),
            escape(&p.title),
            p.last_reviewed
                .map_or_else(|| "never".into(), |d| d.to_string()),
            p.due.map_or_else(|| "now".into(), |d| d.to_string())
        );
    }
    out.push_str("</tbody></table></section>");
}

fn vulnerabilities(out: &mut String, m: &Metrics) {
    let v = &m.vulnerabilities;
    out.push_str("<section id=\"vulnerabilities\"><h2>Vulnerabilities</h2><p class=\"note\">Open vulnerabilities in each scanning source's newest scan (Trivy reports, CycloneDX SBOMs) at the end of each period; unknown before the first scan.</p>");
    let series: Vec<&Series> = v.by_severity.iter().collect();
    // Drawn with the most serious at the bottom of each bar.
    out.push_str(&svg::stacked_bars(
        "Open vulnerabilities by severity",
        &labels(m),
        &lines(&series, &SEVERITY_COLOURS),
        (x_title(m), "vulnerabilities"),
    ));
    let mut with_age = series.clone();
    with_age.push(&v.mean_age_days);
    with_age.push(&v.unknown_age);
    out.push_str(&svg::line_chart(
        "Mean age of open vulnerabilities",
        &labels(m),
        &lines(&[&v.mean_age_days], &PALETTE),
        Scale::Count,
        (x_title(m), "days since published"),
    ));
    series_table(
        out,
        "Vulnerabilities at each end",
        m,
        &with_age,
        count,
        "period end",
    );
    out.push_str("<h3>Newest scan per source at the period's end</h3><table><thead><tr><th>source</th><th>collected</th><th>documents</th>");
    for s in SEVERITIES {
        let _ = write!(out, "<th>{s}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for s in &v.sources {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            escape(&s.source),
            s.collected_at,
            s.documents
        );
        for n in &s.by_severity {
            let _ = write!(out, "<td>{n}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table><h3>Age at the period's end (known ages)</h3><table><thead><tr><th>age</th>");
    for s in SEVERITIES {
        let _ = write!(out, "<th>{s}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for band in &v.age_bands {
        let _ = write!(out, "<tr><td>{}</td>", band.band);
        for n in &band.by_severity {
            let _ = write!(out, "<td>{n}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>");
}

fn changes(out: &mut String, m: &Metrics) {
    let c = &m.changes;
    out.push_str("<section id=\"changes\"><h2>Change management</h2>");
    let _ = write!(
        out,
        "<p class=\"note\">{} Approval trailers: {}.</p>",
        escape(c.rule),
        escape(&c.approval_trailers.join(", "))
    );
    let mut share_series: Vec<&Series> = Vec::new();
    let mut named: Vec<Series> = Vec::new();
    for s in &c.sources {
        named.push(Series {
            name: format!("{} ({})", s.source, s.format),
            ..s.trend.approved_share.clone()
        });
    }
    let total = Series {
        name: "all changes".into(),
        ..c.total.approved_share.clone()
    };
    share_series.push(&total);
    share_series.extend(named.iter());
    let mut colours = vec!["#111827"];
    colours.extend(PALETTE.iter().copied());
    out.push_str(&svg::line_chart(
        "Share of changes approved independently",
        &labels(m),
        &lines(&share_series, &colours),
        Scale::Share,
        (x_title(m), "share approved"),
    ));
    let unapproved = Series {
        name: "not approved".into(),
        buckets: c
            .total
            .changes
            .buckets
            .iter()
            .zip(&c.total.approved.buckets)
            .map(|(n, a)| Some((*n)? - (*a)?))
            .collect(),
        period: c
            .total
            .changes
            .period
            .zip(c.total.approved.period)
            .map(|(n, a)| n - a),
    };
    let counts = [&c.total.approved, &unapproved];
    out.push_str(&svg::stacked_bars(
        "Changes landed",
        &labels(m),
        &lines(&counts, &["#009e73", "#d55e00"]),
        (x_title(m), "changes"),
    ));
    let mut table: Vec<(&Series, Show)> = vec![
        (&c.total.changes, count),
        (&c.total.approved, count),
        (&c.total.approved_share, percent),
    ];
    table.extend(named.iter().map(|s| (s, percent as Show)));
    table_of(
        out,
        "Changes (all sources) and the approved share per source",
        m,
        &table,
        "period",
    );
    out.push_str("</section>");
}
