//! The report as CSV in long format: one row per metric, series, bucket and
//! value, so a spreadsheet can pivot it any way. Unknown values are empty
//! cells; the `note` column says why where it matters.

use super::risks::Matrix;
use super::{Metrics, Series};
use crate::spreadsheet::inert;

const HEADER: [&str; 7] = ["metric", "series", "bucket", "from", "to", "value", "note"];

/// The rows, before CSV quoting.
struct Rows<'m> {
    m: &'m Metrics,
    rows: Vec<[String; 7]>,
}

impl Rows<'_> {
    fn row(
        &mut self,
        metric: &str,
        series: &str,
        bucket: (&str, String, String),
        value: Option<f64>,
        note: &str,
    ) {
        self.rows.push([
            metric.to_string(),
            series.to_string(),
            bucket.0.to_string(),
            bucket.1,
            bucket.2,
            value.map(|v| v.to_string()).unwrap_or_default(),
            note.to_string(),
        ]);
    }

    /// A row per bucket and one for the whole period.
    fn series(&mut self, metric: &str, s: &Series) {
        let m = self.m;
        for (bucket, value) in m.buckets.iter().zip(&s.buckets) {
            self.row(
                metric,
                &s.name,
                (
                    &bucket.label,
                    bucket.from.to_string(),
                    bucket.to.to_string(),
                ),
                *value,
                "",
            );
        }
        self.row(metric, &s.name, self.whole(), s.period, "");
    }

    fn whole(&self) -> (&'static str, String, String) {
        (
            "period",
            self.m.period.from.to_string(),
            self.m.period.to.to_string(),
        )
    }

    fn at_end(&mut self, metric: &str, series: &str, value: Option<f64>) {
        let whole = self.whole();
        self.row(metric, series, whole, value, "");
    }

    fn matrix(&mut self, metric: &str, matrix: &Matrix) {
        for (l, (likelihood, row)) in matrix.likelihood.iter().zip(&matrix.cells).enumerate() {
            for (i, (impact, n)) in matrix.impact.iter().zip(row).enumerate() {
                let series = format!(
                    "likelihood {} ({likelihood}) x impact {} ({impact})",
                    l + 1,
                    i + 1
                );
                self.at_end(metric, &series, Some(*n as f64));
            }
        }
        self.at_end(metric, "off scale", Some(matrix.off_scale as f64));
    }
}

/// Renders the report as long-format CSV.
pub fn csv(m: &Metrics) -> String {
    let mut rows = Rows {
        m,
        rows: Vec::new(),
    };
    let e = &m.effectiveness;
    rows.series("control-effectiveness", &e.overall);
    for theme in &e.themes {
        rows.series("control-effectiveness", theme);
    }
    for c in &e.controls {
        let series = Series {
            name: c.id.clone(),
            buckets: c.buckets.clone(),
            period: c.period,
        };
        rows.series("control-effectiveness-by-control", &series);
    }
    rows.at_end(
        "controls-effective-at-end",
        "controls",
        e.effective_at_end.map(|n| n as f64),
    );
    rows.series("evidence-fresh-share", &m.freshness.fresh_requirements);
    for s in &m.freshness.sources {
        rows.at_end("evidence-age-days", &s.source, s.age_days);
    }
    for s in &m.findings.by_severity {
        rows.series("findings", s);
    }
    for c in &m.findings.top_codes {
        rows.at_end("findings-by-code", c.code, Some(c.count as f64));
    }
    let r = &m.risks;
    for l in &r.levels {
        rows.at_end("risks-inherent-by-level", &l.level, Some(l.inherent as f64));
        rows.at_end("risks-residual-by-level", &l.level, Some(l.residual as f64));
    }
    rows.matrix("risk-matrix-inherent", &r.inherent);
    rows.matrix("risk-matrix-residual", &r.residual);
    rows.at_end(
        "risks-above-appetite",
        "risks",
        Some(r.above_appetite.len() as f64),
    );
    rows.at_end(
        "risks-past-review",
        "risks",
        Some(r.past_review.len() as f64),
    );
    let v = &m.vulnerabilities;
    for s in &v.by_severity {
        rows.series("vulnerabilities", s);
    }
    rows.series("vulnerability-age", &v.mean_age_days);
    rows.series("vulnerability-age", &v.unknown_age);
    let c = &m.changes;
    for (name, trend) in std::iter::once(("all", &c.total))
        .chain(c.sources.iter().map(|s| (s.source.as_str(), &s.trend)))
    {
        for (metric, s) in [
            ("changes", &trend.changes),
            ("changes-approved", &trend.approved),
            ("changes-approved-share", &trend.approved_share),
        ] {
            rows.series(
                metric,
                &Series {
                    name: name.to_string(),
                    ..s.clone()
                },
            );
        }
    }
    let whole = rows.whole();
    rows.row("nonconformities", "", whole, None, m.nonconformities.reason);
    write(&rows.rows)
}

fn write(rows: &[[String; 7]]) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; a failed row would only be missing.
    let _ = writer.write_record(HEADER);
    for row in rows {
        let _ = writer.write_record(row.iter().map(|c| inert(c).into_owned()));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
