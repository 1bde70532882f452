//! Findings by severity at each bucket's end, and the most frequent codes at
//! the period's end.

use std::collections::BTreeMap;

use serde::Serialize;

use evident_model::finding::{Finding, Severity};

use super::Series;
use super::period::Clock;

/// How many codes the "top codes" list keeps.
const TOP: usize = 10;

/// One finding code's count at the period's end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    /// The stable code.
    pub code: &'static str,
    /// Its most serious severity among the findings.
    pub severity: Severity,
    /// How many findings carry it.
    pub count: u64,
}

/// Findings over the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingFigures {
    /// One series per severity (error, warning, info): the count at each
    /// bucket's end; `period` is the count at the period's end.
    pub by_severity: Vec<Series>,
    /// The most frequent codes at the period's end, most frequent first.
    pub top_codes: Vec<CodeCount>,
}

impl FindingFigures {
    /// The number of error findings at the period's end.
    pub fn errors_at_end(&self) -> Option<f64> {
        self.by_severity
            .iter()
            .find(|s| s.name == Severity::Error.as_str())
            .and_then(|s| s.period)
    }
}

/// Computes the figures, running the analysis once per bucket that has
/// begun.
pub(crate) fn figures(
    clock: &Clock,
    findings_at: &dyn Fn(jiff::civil::Date) -> Vec<Finding>,
) -> FindingFigures {
    let per_bucket: Vec<Option<Vec<Finding>>> = clock
        .buckets
        .iter()
        .map(|span| span.map(|s| findings_at(s.date)))
        .collect();
    // The period's end is the last bucket that has begun.
    let at_end = per_bucket.iter().rev().flatten().next();
    let severities = [Severity::Error, Severity::Warning, Severity::Info];
    let count = |findings: &[Finding], severity: Severity| {
        findings.iter().filter(|f| f.severity == severity).count() as f64
    };
    let by_severity = severities
        .iter()
        .map(|&severity| Series {
            name: severity.as_str().into(),
            buckets: per_bucket
                .iter()
                .map(|f| f.as_deref().map(|f| count(f, severity)))
                .collect(),
            period: at_end.map(|f| count(f, severity)),
        })
        .collect();
    FindingFigures {
        by_severity,
        top_codes: at_end.map(|f| top_codes(f)).unwrap_or_default(),
    }
}

fn top_codes(findings: &[Finding]) -> Vec<CodeCount> {
    let mut by_code: BTreeMap<&'static str, CodeCount> = BTreeMap::new();
    for f in findings {
        let entry = by_code.entry(f.code.as_str()).or_insert(CodeCount {
            code: f.code.as_str(),
            severity: f.severity,
            count: 0,
        });
        entry.count += 1;
        entry.severity = entry.severity.max(f.severity);
    }
    let mut codes: Vec<CodeCount> = by_code.into_values().collect();
    codes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(b.code)));
    codes.truncate(TOP);
    codes
}
