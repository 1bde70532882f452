//! The KPI and metrics report of ISO/IEC 27001 clause 9.1 ("monitoring,
//! measurement, analysis and evaluation"): how effective the controls were,
//! how fresh the evidence is, how the findings, risks, vulnerabilities and
//! changes developed, over a period cut into weeks or months.
//!
//! Every figure is derived from what the store recorded and what the ISMS
//! defines, as it was known at each bucket's end: nothing is typed in, and
//! what evident does not record (nonconformities) is said to be unknown,
//! never shown as zero. A bucket that lies after the report's instant
//! (`Inputs::at`) has no figures: the future is not measured.
//!
//! [`build`] computes the figures (pure: the caller runs the analysis and
//! reads the store through the two closures); [`html`], [`json`] and [`csv`]
//! render them.

mod changes;
mod csv;
mod documents;
mod effectiveness;
mod findings;
mod freshness;
mod html;
mod json;
mod period;
mod risks;
mod svg;
mod vulnerabilities;

#[cfg(test)]
mod tests;

use serde::Serialize;

use evident_model::evidence::Timestamp;
use evident_model::finding::Finding;
use evident_model::status::EvidenceRecord;

use crate::Inputs;

pub use changes::{ChangeFigures, ChangeSource, ChangeTrend};
pub use csv::csv;
pub use effectiveness::{ControlEffectiveness, EffectivenessFigures};
pub use findings::{CodeCount, FindingFigures};
pub use freshness::{FreshnessFigures, SourceFreshness};
pub use html::html;
pub use json::json;
pub use period::{Bucket, Interval, Period};
pub use risks::{LevelCount, Matrix, RiskFigures, RiskReview};
pub use vulnerabilities::{AgeBand, ScanSummary, VulnerabilityFigures};

/// The evidence formats whose normalised documents the report reads. The
/// `document` closure of [`build`] is never called for any other format.
pub const FORMATS: &[&str] = &[
    vulnerabilities::TRIVY,
    vulnerabilities::CYCLONEDX,
    changes::GIT_LOG,
    changes::PULL_REQUEST_REVIEWS,
];

/// Why the nonconformity section has no figures.
pub const NONCONFORMITIES_NOT_RECORDED: &str = "evident does not record nonconformities and corrective actions yet, so their number and age are unknown (not zero)";

/// One figure per bucket (in bucket order) and one for the whole period;
/// `None` where the figure is unknown (no data, or a bucket in the future).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// What the series measures (a theme, a severity, a source).
    pub name: String,
    /// The value in each bucket.
    pub buckets: Vec<Option<f64>>,
    /// The value over the whole period (or at its end, for a state).
    pub period: Option<f64>,
}

/// A section evident cannot fill because it records no such data yet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotRecorded {
    /// Always `None`: the figures are unknown.
    pub value: Option<u64>,
    /// Why, for a person.
    pub reason: &'static str,
}

/// The KPI report: every figure over the period and per bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// The organisation's name.
    pub organisation: String,
    /// The instant the report stands for.
    pub at: Timestamp,
    /// The period reported on.
    pub period: Period,
    /// The period cut into weeks or months (first and last clipped).
    pub buckets: Vec<Bucket>,
    /// Control effectiveness, overall and by Annex A theme.
    pub effectiveness: EffectivenessFigures,
    /// Evidence freshness per source and over time.
    pub freshness: FreshnessFigures,
    /// Findings by severity and the most frequent codes.
    pub findings: FindingFigures,
    /// The risk register by level and rating.
    pub risks: RiskFigures,
    /// Vulnerabilities from scanner evidence.
    pub vulnerabilities: VulnerabilityFigures,
    /// Changes and their independent approval.
    pub changes: ChangeFigures,
    /// Nonconformities and corrective actions: not recorded yet.
    pub nonconformities: NotRecorded,
}

/// Computes the report over `period`.
///
/// `findings_at` runs the readiness analysis as of a date (it is called once
/// per bucket that has begun by `inputs.at`, with the bucket's last day, or
/// the report's date when that is earlier). `document` returns the
/// normalised document of an evidence item; it is only called for items of
/// the [`FORMATS`], only for the newest collection of a source as of a
/// bucket's end, and at most once per ledger index.
pub fn build(
    inputs: &Inputs,
    period: &Period,
    findings_at: &dyn Fn(jiff::civil::Date) -> Vec<Finding>,
    document: &dyn Fn(&EvidenceRecord) -> Option<serde_json::Value>,
) -> Metrics {
    let buckets = period::buckets(period);
    let clock = period::Clock::new(period, &buckets, inputs.at);
    let mut documents = documents::Documents::new(document);
    Metrics {
        organisation: inputs.isms.organisation.name.clone(),
        at: inputs.at,
        period: period.clone(),
        effectiveness: effectiveness::figures(inputs, &clock),
        freshness: freshness::figures(inputs, &clock),
        findings: findings::figures(&clock, findings_at),
        risks: risks::figures(inputs.isms, period.to),
        vulnerabilities: vulnerabilities::figures(inputs.observations, &clock, &mut documents),
        changes: changes::figures(inputs, &clock, &mut documents),
        nonconformities: NotRecorded {
            value: None,
            reason: NONCONFORMITIES_NOT_RECORDED,
        },
        buckets,
    }
}

/// The mean of the known values, `None` when none is known.
fn mean(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let (sum, n) = values
        .flatten()
        .fold((0.0, 0u32), |(sum, n), v| (sum + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// `part / whole`, `None` when `whole` is zero.
fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
