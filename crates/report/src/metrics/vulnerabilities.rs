//! Vulnerabilities from scanner evidence (`trivy-json`, the vulnerabilities
//! of a `cyclonedx` document): counts by severity and age at each bucket's
//! end, from each source's newest scan by then.
//!
//! SARIF is not read: its results are any analyser's findings (linters,
//! code scanning), not vulnerabilities of the running software.

use serde::Serialize;
use serde_json::Value;

use evident_model::evidence::Timestamp;
use evident_model::status::Observations;

use super::Series;
use super::documents::{Documents, newest_collections};
use super::freshness::days_between;
use super::period::Clock;

/// The Trivy report format id.
pub(crate) const TRIVY: &str = "trivy-json";
/// The CycloneDX format id.
pub(crate) const CYCLONEDX: &str = "cyclonedx";
const SCANNERS: &[&str] = &[TRIVY, CYCLONEDX];

/// The severities, most serious first; any other spelling (CycloneDX
/// `info`, `none`, a missing rating) counts as `unknown`.
pub const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "unknown"];

/// Age bands in days (upper bounds, inclusive); older ones fall in the last.
const AGE_BANDS: [(u32, &str); 4] = [
    (30, "0-30 days"),
    (90, "31-90 days"),
    (180, "91-180 days"),
    (u32::MAX, "over 180 days"),
];

/// Vulnerabilities one source's newest scan reported at the period's end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanSummary {
    /// The source's name.
    pub source: String,
    /// When the scan was collected.
    pub collected_at: Timestamp,
    /// How many artefacts (reports, SBOMs) it had.
    pub documents: u64,
    /// Counts in the order of [`SEVERITIES`].
    pub by_severity: Vec<u64>,
}

/// Open vulnerabilities of known age at the period's end, in one age band.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgeBand {
    /// The band, e.g. `31-90 days`.
    pub band: &'static str,
    /// Counts in the order of [`SEVERITIES`].
    pub by_severity: Vec<u64>,
}

/// Vulnerabilities over the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VulnerabilityFigures {
    /// One series per severity: the open vulnerabilities at each bucket's
    /// end (unknown where no scan existed yet).
    pub by_severity: Vec<Series>,
    /// The mean age in days (since published) of those whose publication
    /// date the scanner reported.
    pub mean_age_days: Series,
    /// How many had no publication date (age unknown).
    pub unknown_age: Series,
    /// Each scanning source's newest scan at the period's end.
    pub sources: Vec<ScanSummary>,
    /// Ages at the period's end, by band.
    pub age_bands: Vec<AgeBand>,
}

/// One vulnerability as the report needs it.
struct Vulnerability {
    severity: usize,
    published: Option<Timestamp>,
}

/// The vulnerabilities at one instant, from the newest scans by then.
struct Snapshot {
    by_source: Vec<(String, Timestamp, u64, Vec<Vulnerability>)>,
}

/// Computes the figures.
pub(crate) fn figures(
    observations: &Observations,
    clock: &Clock,
    documents: &mut Documents,
) -> VulnerabilityFigures {
    // No scan by then: the counts are unknown, not zero.
    let mut snapshot_at = |at: Timestamp| {
        Some(snapshot(observations, at, documents)).filter(|s| !s.by_source.is_empty())
    };
    let buckets: Vec<Option<(Timestamp, Snapshot)>> = clock
        .buckets
        .iter()
        .map(|span| span.and_then(|s| Some((s.as_of, snapshot_at(s.as_of)?))))
        .collect();
    let end = clock
        .period
        .and_then(|p| Some((p.as_of, snapshot_at(p.as_of)?)));

    let count = |s: &Snapshot, severity: usize| {
        s.by_source
            .iter()
            .flat_map(|(_, _, _, v)| v)
            .filter(|v| v.severity == severity)
            .count() as f64
    };
    let by_severity = SEVERITIES
        .iter()
        .enumerate()
        .map(|(i, name)| Series {
            name: (*name).into(),
            buckets: buckets
                .iter()
                .map(|b| b.as_ref().map(|(_, s)| count(s, i)))
                .collect(),
            period: end.as_ref().map(|(_, s)| count(s, i)),
        })
        .collect();
    let ages = |(at, s): &(Timestamp, Snapshot)| -> Vec<f64> {
        all(s)
            .filter_map(|v| v.published.map(|p| days_between(p, *at).max(0.0)))
            .collect()
    };
    let mean_age = |b: &(Timestamp, Snapshot)| super::mean(ages(b).into_iter().map(Some));
    let unknown =
        |(_, s): &(Timestamp, Snapshot)| all(s).filter(|v| v.published.is_none()).count() as f64;
    VulnerabilityFigures {
        by_severity,
        mean_age_days: Series {
            name: "mean age (days)".into(),
            buckets: buckets
                .iter()
                .map(|b| b.as_ref().and_then(mean_age))
                .collect(),
            period: end.as_ref().and_then(mean_age),
        },
        unknown_age: Series {
            name: "age unknown".into(),
            buckets: buckets.iter().map(|b| b.as_ref().map(unknown)).collect(),
            period: end.as_ref().map(unknown),
        },
        sources: end.as_ref().map(|(_, s)| summaries(s)).unwrap_or_default(),
        age_bands: end.as_ref().map(age_bands).unwrap_or_default(),
    }
}

fn all(s: &Snapshot) -> impl Iterator<Item = &Vulnerability> {
    s.by_source.iter().flat_map(|(_, _, _, v)| v)
}

fn summaries(s: &Snapshot) -> Vec<ScanSummary> {
    s.by_source
        .iter()
        .map(|(source, collected_at, documents, vulns)| ScanSummary {
            source: source.clone(),
            collected_at: *collected_at,
            documents: *documents,
            by_severity: (0..SEVERITIES.len())
                .map(|i| vulns.iter().filter(|v| v.severity == i).count() as u64)
                .collect(),
        })
        .collect()
}

fn age_bands((at, s): &(Timestamp, Snapshot)) -> Vec<AgeBand> {
    let mut bands: Vec<AgeBand> = AGE_BANDS
        .iter()
        .map(|(_, band)| AgeBand {
            band,
            by_severity: vec![0; SEVERITIES.len()],
        })
        .collect();
    for v in all(s) {
        let Some(published) = v.published else {
            continue;
        };
        let age = days_between(published, *at).max(0.0);
        let band = AGE_BANDS
            .iter()
            .position(|(max, _)| age <= f64::from(*max))
            .unwrap_or(AGE_BANDS.len() - 1);
        if let Some(n) = bands
            .get_mut(band)
            .and_then(|b| b.by_severity.get_mut(v.severity))
        {
            *n += 1;
        }
    }
    bands
}

/// The vulnerabilities in each source's newest scan as of `at`.
fn snapshot(observations: &Observations, at: Timestamp, documents: &mut Documents) -> Snapshot {
    let mut by_source = Vec::new();
    for (source, items) in newest_collections(observations, SCANNERS, at) {
        let mut vulns = Vec::new();
        let mut read = 0u64;
        let collected_at = items.first().map(|r| r.item.collected_at);
        for record in items {
            let Some(doc) = documents.get(record) else {
                continue;
            };
            read += 1;
            match record.item.format.as_deref() {
                Some(TRIVY) => vulns.extend(trivy(&doc)),
                Some(CYCLONEDX) => vulns.extend(cyclonedx(&doc)),
                _ => {}
            }
        }
        if let (Some(collected_at), true) = (collected_at, read > 0) {
            by_source.push((source.to_string(), collected_at, read, vulns));
        }
    }
    Snapshot { by_source }
}

fn entries(doc: &Value) -> impl Iterator<Item = &Value> {
    doc.get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Trivy's vulnerabilities, except those the vendor says do not affect the
/// package (`status: not_affected`).
fn trivy(doc: &Value) -> impl Iterator<Item = Vulnerability> + '_ {
    entries(doc)
        .filter(|v| v.get("status").and_then(Value::as_str) != Some("not_affected"))
        .map(|v| Vulnerability {
            severity: severity(v.get("severity")),
            published: timestamp(v.get("published_date")),
        })
}

/// CycloneDX vulnerabilities, except those whose analysis says they do not
/// apply or are resolved.
fn cyclonedx(doc: &Value) -> impl Iterator<Item = Vulnerability> + '_ {
    const CLOSED: [&str; 4] = [
        "not_affected",
        "false_positive",
        "resolved",
        "resolved_with_pedigree",
    ];
    entries(doc)
        .filter(|v| {
            let state = v
                .get("analysis")
                .and_then(|a| a.get("state"))
                .and_then(Value::as_str);
            !state.is_some_and(|s| CLOSED.contains(&s))
        })
        .map(|v| Vulnerability {
            severity: severity(v.get("severity")),
            published: timestamp(v.get("published")),
        })
}

fn severity(value: Option<&Value>) -> usize {
    let unknown = SEVERITIES.len() - 1;
    value
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .and_then(|s| SEVERITIES.iter().position(|known| *known == s))
        .unwrap_or(unknown)
}

/// An RFC 3339 instant, or a bare date (its first instant, UTC).
fn timestamp(value: Option<&Value>) -> Option<Timestamp> {
    let text = value?.as_str()?;
    text.parse::<Timestamp>().ok().or_else(|| {
        text.parse::<jiff::civil::Date>()
            .ok()
            .map(evident_model::time::start_of_day)
    })
}
