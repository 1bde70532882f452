//! Control status, derived from evidence and check results, never typed in
//! (DESIGN.md §1). It fails closed: stale or missing evidence is never
//! effective, and a check that could not be evaluated counts as failing.
//!
//! For each control and each of its evidence requirements, at an instant:
//! - `not-applicable`: the Statement of Applicability excludes every Annex A
//!   control the control satisfies;
//! - `missing`: no evidence of the requirement's source was ever available
//!   (or the requirement names no source to collect from);
//! - `stale`: the newest evidence is older than the requirement's freshness;
//! - `failing`: the latest result of a check judging this control over that
//!   source failed or could not be evaluated, or newer evidence was
//!   collected after it (not evaluated yet);
//! - `effective`: fresh evidence and every such check passes.
//!
//! A control is as bad as its worst requirement (failing > missing >
//! stale > effective); a control that declares no evidence is `missing`.

use std::collections::HashMap;

use serde::Serialize;

use crate::check::{CheckResult, Outcome};
use crate::control::{Control, EvidenceRequirement};
use crate::evidence::{EvidenceItem, Timestamp};
use crate::isms::Isms;
use crate::soa::Soa;

/// The derived status of a control or of one of its evidence requirements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    /// Fresh evidence, and every check over it passes.
    Effective,
    /// Evidence exists but is older than the requirement's freshness.
    Stale,
    /// No evidence was ever available.
    Missing,
    /// A check over the evidence fails or could not be evaluated.
    Failing,
    /// Excluded by the Statement of Applicability.
    NotApplicable,
}

impl ControlStatus {
    /// Every status, in display order.
    pub const ALL: [ControlStatus; 5] = [
        ControlStatus::Effective,
        ControlStatus::Failing,
        ControlStatus::Stale,
        ControlStatus::Missing,
        ControlStatus::NotApplicable,
    ];

    /// How bad the status is, for ordering: failing (3) > missing (2) >
    /// stale (1) > effective and not-applicable (0). A control is as bad as
    /// its worst evidence requirement.
    pub fn badness(self) -> u8 {
        match self {
            ControlStatus::Effective | ControlStatus::NotApplicable => 0,
            ControlStatus::Stale => 1,
            ControlStatus::Missing => 2,
            ControlStatus::Failing => 3,
        }
    }

    /// The stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Effective => "effective",
            ControlStatus::Stale => "stale",
            ControlStatus::Missing => "missing",
            ControlStatus::Failing => "failing",
            ControlStatus::NotApplicable => "not-applicable",
        }
    }
}

/// An evidence item with its ledger position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceRecord {
    /// The ledger position.
    pub index: u64,
    /// The item.
    pub item: EvidenceItem,
}

/// Everything recorded about the systems: evidence items and check results
/// (from the ledger), indexed for the status rules.
#[derive(Debug, Default)]
pub struct Observations {
    by_source: HashMap<String, Vec<EvidenceRecord>>,
    results_by_control: HashMap<String, Vec<CheckResult>>,
    results: usize,
}

impl Observations {
    /// Indexes evidence and results (in any order).
    pub fn new(evidence: Vec<EvidenceRecord>, results: Vec<CheckResult>) -> Self {
        let mut by_source: HashMap<String, Vec<EvidenceRecord>> = HashMap::new();
        for record in evidence {
            by_source
                .entry(record.item.provenance.source.clone())
                .or_default()
                .push(record);
        }
        for records in by_source.values_mut() {
            records.sort_by_key(|r| (r.item.collected_at, r.index));
        }
        let mut observations = Self {
            by_source,
            results_by_control: HashMap::new(),
            results: 0,
        };
        observations.add_results(results);
        observations
    }

    /// Adds check results (a new evaluation).
    pub fn add_results(&mut self, results: impl IntoIterator<Item = CheckResult>) {
        for result in results {
            self.results += 1;
            for control in &result.controls {
                self.results_by_control
                    .entry(control.clone())
                    .or_default()
                    .push(result.clone());
            }
        }
        // Stable: results of the same instant stay in ledger order.
        for list in self.results_by_control.values_mut() {
            list.sort_by_key(|r| r.evaluated_at);
        }
    }

    /// Whether nothing was ever recorded.
    pub fn is_empty(&self) -> bool {
        self.by_source.is_empty() && self.results == 0
    }

    /// When the first evidence was collected, if ever.
    pub fn first_collected(&self) -> Option<Timestamp> {
        self.by_source
            .values()
            .filter_map(|r| r.first())
            .map(|r| r.item.collected_at)
            .min()
    }

    /// The evidence of a source, oldest collection first.
    pub fn evidence_of(&self, source: &str) -> &[EvidenceRecord] {
        self.by_source.get(source).map_or(&[], Vec::as_slice)
    }

    /// Every source with evidence, and its items.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &[EvidenceRecord])> {
        self.by_source
            .iter()
            .map(|(s, r)| (s.as_str(), r.as_slice()))
    }

    /// The results that judge a control, oldest first.
    pub fn results_for(&self, control: &str) -> &[CheckResult] {
        self.results_by_control
            .get(control)
            .map_or(&[], Vec::as_slice)
    }

    /// The newest evidence of a source available at `at` (collected by then).
    pub fn newest(&self, source: &str, at: Timestamp) -> Option<&EvidenceRecord> {
        let records = self.evidence_of(source);
        let available = records.partition_point(|r| r.item.collected_at <= at);
        records[..available]
            .iter()
            .max_by_key(|r| (r.item.observed.to, r.index))
    }

    /// The latest result of each check judging `control` over `source`, as
    /// known at `at`, ordered by check id.
    pub fn latest_results(&self, control: &str, source: &str, at: Timestamp) -> Vec<&CheckResult> {
        let mut latest: HashMap<&str, &CheckResult> = HashMap::new();
        for r in self.results_for(control) {
            if r.evaluated_at > at {
                break;
            }
            if r.source == source {
                latest.insert(r.check.as_str(), r);
            }
        }
        let mut list: Vec<&CheckResult> = latest.into_values().collect();
        list.sort_by(|a, b| a.check.cmp(&b.check));
        list
    }
}

/// The status of one evidence requirement of a control.
#[derive(Clone, Debug)]
pub struct RequirementAssessment<'a> {
    /// The requirement.
    pub requirement: &'a EvidenceRequirement,
    /// Its status.
    pub status: ControlStatus,
    /// The newest evidence available from its source.
    pub newest: Option<&'a EvidenceRecord>,
    /// Until when that evidence is fresh.
    pub fresh_until: Option<Timestamp>,
    /// The latest result of each check judging it.
    pub results: Vec<&'a CheckResult>,
    /// Whether newer evidence was collected after one of those results:
    /// the checks have not judged it yet, so the requirement is failing
    /// (not evaluated) until they run again.
    pub unjudged: bool,
}

impl RequirementAssessment<'_> {
    /// Whether a check judged the evidence (rather than only its presence
    /// and age being known).
    pub fn is_checked(&self) -> bool {
        !self.results.is_empty()
    }
}

/// The status of a control and of each of its evidence requirements.
#[derive(Clone, Debug)]
pub struct ControlAssessment<'a> {
    /// The control.
    pub control: &'a Control,
    /// Its status: the worst of its requirements'.
    pub status: ControlStatus,
    /// Each evidence requirement, in file order.
    pub requirements: Vec<RequirementAssessment<'a>>,
}

/// Whether the Statement of Applicability excludes the control: it
/// satisfies Annex A controls and every one of them is marked not
/// applicable.
pub fn is_excluded(control: &Control, soa: &Soa) -> bool {
    let mut annex_a = control
        .satisfies
        .iter()
        .filter(|(r, _)| r.framework == crate::framework::ISO27001_2022 && r.id.starts_with("A."))
        .peekable();
    annex_a.peek().is_some()
        && annex_a.all(|(r, _)| soa.entry(&r.id).is_some_and(|e| !e.applicable))
}

/// Assesses one evidence requirement of a control at `at`.
pub fn assess_requirement<'a>(
    control: &Control,
    requirement: &'a EvidenceRequirement,
    observations: &'a Observations,
    at: Timestamp,
) -> RequirementAssessment<'a> {
    let Some(source) = requirement.source.as_ref().map(|s| s.id.as_str()) else {
        return RequirementAssessment {
            requirement,
            status: ControlStatus::Missing,
            newest: None,
            fresh_until: None,
            results: Vec::new(),
            unjudged: false,
        };
    };
    let newest = observations.newest(source, at);
    let fresh_until = newest.map(|r| requirement.freshness.after_instant(r.item.observed.to));
    let results = observations.latest_results(&control.id, source, at);
    // A verdict on older evidence says nothing about the newest: until the
    // checks run again the requirement is not evaluated, which fails closed
    // like a check that could not be evaluated.
    let unjudged =
        newest.is_some_and(|n| results.iter().any(|r| r.evaluated_at < n.item.collected_at));
    let failing = unjudged || results.iter().any(|r| r.outcome != Outcome::Pass);
    let status = match (newest, fresh_until) {
        (None, _) | (_, None) => ControlStatus::Missing,
        _ if failing => ControlStatus::Failing,
        (_, Some(until)) if until <= at => ControlStatus::Stale,
        _ => ControlStatus::Effective,
    };
    RequirementAssessment {
        requirement,
        status,
        newest,
        fresh_until,
        results,
        unjudged,
    }
}

/// Assesses one control at `at`.
pub fn assess_control<'a>(
    control: &'a Control,
    soa: &Soa,
    observations: &'a Observations,
    at: Timestamp,
) -> ControlAssessment<'a> {
    let requirements: Vec<RequirementAssessment<'a>> = control
        .evidence
        .iter()
        .map(|r| assess_requirement(control, r, observations, at))
        .collect();
    let status = if is_excluded(control, soa) {
        ControlStatus::NotApplicable
    } else {
        worst(requirements.iter().map(|r| r.status))
    };
    ControlAssessment {
        control,
        status,
        requirements,
    }
}

/// The worst of several requirement statuses (failing > missing > stale >
/// effective); `missing` when there are none.
fn worst(statuses: impl Iterator<Item = ControlStatus>) -> ControlStatus {
    statuses
        .max_by_key(|s| s.badness())
        .unwrap_or(ControlStatus::Missing)
}

/// Assesses every implemented control of the ISMS at `at` (planned and
/// retired controls are not assessed: nothing is expected of them yet, or
/// any more; `unimplemented-control` covers the planned ones).
pub fn assess<'a>(
    isms: &'a Isms,
    observations: &'a Observations,
    at: Timestamp,
) -> Vec<ControlAssessment<'a>> {
    isms.controls
        .iter()
        .filter(|c| c.lifecycle == crate::control::Lifecycle::Implemented)
        .map(|c| assess_control(c, &isms.soa, observations, at))
        .collect()
}

/// How much of a period a control was effective: the control effectiveness
/// indicator of ISO/IEC 27001 clause 9.1.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Effectiveness {
    /// The control.
    pub control: String,
    /// Start of the period.
    pub from: Timestamp,
    /// End of the period.
    pub to: Timestamp,
    /// The fraction of the period (0 to 1) during which the control was
    /// effective.
    pub effective: f64,
    /// The intervals of the period with their status, in time order;
    /// consecutive intervals have different statuses.
    pub timeline: Vec<(Timestamp, Timestamp, ControlStatus)>,
}

/// The control's status over `[from, to]`, from the evidence and results as
/// they became known: the status only changes when evidence is collected,
/// when evidence goes stale, or when a result is recorded, so it is
/// computed once between each pair of such moments.
pub fn effectiveness(
    control: &Control,
    soa: &Soa,
    observations: &Observations,
    from: Timestamp,
    to: Timestamp,
) -> Effectiveness {
    let mut moments = vec![from];
    for requirement in &control.evidence {
        let Some(source) = requirement.source.as_ref() else {
            continue;
        };
        for r in observations.evidence_of(&source.id) {
            moments.push(r.item.collected_at);
            moments.push(requirement.freshness.after_instant(r.item.observed.to));
        }
    }
    for r in observations.results_for(&control.id) {
        moments.push(r.evaluated_at);
    }
    moments.retain(|m| *m >= from && *m < to);
    moments.sort();
    moments.dedup();

    let total = (to.as_nanosecond() - from.as_nanosecond()).max(0) as f64;
    let mut effective_ns = 0f64;
    let mut timeline: Vec<(Timestamp, Timestamp, ControlStatus)> = Vec::new();
    for (i, start) in moments.iter().enumerate() {
        let end = moments.get(i + 1).copied().unwrap_or(to);
        // Freshness ends *after* its instant, so look at the segment's
        // start: that is the state throughout it.
        let status = assess_control(control, soa, observations, *start).status;
        if status == ControlStatus::Effective {
            effective_ns += (end.as_nanosecond() - start.as_nanosecond()) as f64;
        }
        match timeline.last_mut() {
            Some(last) if last.2 == status => last.1 = end,
            _ => timeline.push((*start, end, status)),
        }
    }
    Effectiveness {
        control: control.id.clone(),
        from,
        to,
        effective: if total > 0.0 {
            effective_ns / total
        } else {
            0.0
        },
        timeline,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::check::JudgedItem;
    use crate::control::{ControlKind, Lifecycle, Responsibility};
    use crate::evidence::{ObservedPeriod, Provenance};
    use crate::framework::RequirementRef;
    use crate::hash::ContentHash;
    use crate::soa::Applicability;
    use crate::time::Cadence;
    use crate::{Location, Reference};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn here() -> Location {
        Location::file_start(Arc::from("controls/x.yaml"))
    }

    fn control(freshness: Cadence) -> Control {
        Control {
            id: "CTL-1".into(),
            title: "t".into(),
            description: String::new(),
            kind: ControlKind::Technical,
            responsibility: Responsibility::Owned,
            boundary: None,
            owner: None,
            lifecycle: Lifecycle::Implemented,
            due: None,
            satisfies: vec![(RequirementRef::parse("A.8.5", "iso27001-2022"), here())],
            risks: vec![],
            evidence: vec![EvidenceRequirement {
                id: "report".into(),
                description: String::new(),
                source: Some(Reference {
                    id: "iam".into(),
                    at: here(),
                }),
                freshness,
                location: here(),
            }],
            documents: vec![],
            location: here(),
        }
    }

    fn record(index: u64, observed: &str, collected: &str) -> EvidenceRecord {
        EvidenceRecord {
            index,
            item: EvidenceItem {
                digest: ContentHash::of_bytes(observed.as_bytes()),
                size: 1,
                media_type: "text/csv".into(),
                format: Some("aws-iam-credential-report".into()),
                normalized: None,
                provenance: Provenance {
                    source: "iam".into(),
                    collector: "file".into(),
                    collector_version: "0".into(),
                    parameters: serde_json::json!({}),
                    origin: "x.csv".into(),
                    tool_version: None,
                    collected_by: "t".into(),
                },
                observed: ObservedPeriod {
                    from: at(observed),
                    to: at(observed),
                },
                collected_at: at(collected),
            },
        }
    }

    fn result(outcome: Outcome, when: &str) -> CheckResult {
        CheckResult {
            check: "aws-iam-console-mfa".into(),
            source: "iam".into(),
            controls: vec!["CTL-1".into()],
            requirements: vec!["A.8.5".into()],
            outcome,
            messages: vec![],
            warnings: vec![],
            error: None,
            evidence: vec![JudgedItem {
                index: 0,
                digest: ContentHash::of_bytes(b"x"),
                observed: ObservedPeriod {
                    from: at(when),
                    to: at(when),
                },
            }],
            evaluated_at: at(when),
        }
    }

    fn status(c: &Control, obs: &Observations, when: &str) -> ControlStatus {
        assess_control(c, &Soa::default(), obs, at(when)).status
    }

    #[test]
    fn without_evidence_a_control_is_missing_never_effective() {
        let c = control(Cadence::days(1));
        let obs = Observations::default();
        assert_eq!(
            status(&c, &obs, "2026-01-01T00:00:00Z"),
            ControlStatus::Missing
        );
        let mut none = c.clone();
        none.evidence.clear();
        assert_eq!(
            status(&none, &obs, "2026-01-01T00:00:00Z"),
            ControlStatus::Missing
        );
        let mut manual = c.clone();
        manual.evidence[0].source = None;
        assert_eq!(
            status(&manual, &obs, "2026-01-01T00:00:00Z"),
            ControlStatus::Missing
        );
    }

    #[test]
    fn evidence_goes_stale_exactly_one_freshness_after_it_was_observed() {
        let c = control(Cadence::days(1));
        let obs = Observations::new(
            vec![record(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")],
            vec![],
        );
        assert_eq!(
            status(&c, &obs, "2026-01-01T23:59:59Z"),
            ControlStatus::Effective
        );
        assert_eq!(
            status(&c, &obs, "2026-01-02T00:00:00Z"),
            ControlStatus::Stale
        );
        // Before it was collected, it did not exist.
        assert_eq!(
            status(&c, &obs, "2025-12-31T23:00:00Z"),
            ControlStatus::Missing
        );
    }

    #[test]
    fn evidence_collected_after_the_last_evaluation_is_not_judged_yet() {
        let c = control(Cadence::days(30));
        let mut obs = Observations::new(
            vec![
                record(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
                record(1, "2026-01-05T00:00:00Z", "2026-01-05T00:00:00Z"),
            ],
            vec![result(Outcome::Pass, "2026-01-01T00:01:00Z")],
        );
        assert_eq!(
            status(&c, &obs, "2026-01-04T00:00:00Z"),
            ControlStatus::Effective
        );
        // The pass was about the first report; the second is not judged.
        let later = assess_control(&c, &Soa::default(), &obs, at("2026-01-05T00:00:30Z"));
        assert_eq!(later.status, ControlStatus::Failing);
        assert!(later.requirements[0].unjudged);
        // Once the checks run again, their verdict counts.
        obs.add_results([result(Outcome::Pass, "2026-01-05T00:01:00Z")]);
        assert_eq!(
            status(&c, &obs, "2026-01-05T00:02:00Z"),
            ControlStatus::Effective
        );
    }

    #[test]
    fn a_failing_or_erroring_check_makes_the_control_failing() {
        let c = control(Cadence::days(30));
        let evidence = vec![record(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")];
        for outcome in [Outcome::Fail, Outcome::Error] {
            let obs = Observations::new(
                evidence.clone(),
                vec![result(outcome, "2026-01-02T00:00:00Z")],
            );
            assert_eq!(
                status(&c, &obs, "2026-01-03T00:00:00Z"),
                ControlStatus::Failing
            );
            // Before the result was recorded it was effective.
            assert_eq!(
                status(&c, &obs, "2026-01-01T12:00:00Z"),
                ControlStatus::Effective
            );
        }
        // A later pass of the same check replaces the failure.
        let obs = Observations::new(
            evidence,
            vec![
                result(Outcome::Fail, "2026-01-02T00:00:00Z"),
                result(Outcome::Pass, "2026-01-03T00:00:00Z"),
            ],
        );
        assert_eq!(
            status(&c, &obs, "2026-01-04T00:00:00Z"),
            ControlStatus::Effective
        );
    }

    #[test]
    fn the_soa_excluding_every_annex_a_control_makes_it_not_applicable() {
        let c = control(Cadence::days(1));
        let mut soa = Soa::default();
        soa.entries.push(Applicability {
            requirement: "A.8.5".into(),
            applicable: false,
            justification: Some("no systems".into()),
            reasons: vec![],
            location: here(),
        });
        let obs = Observations::default();
        assert_eq!(
            assess_control(&c, &soa, &obs, at("2026-01-01T00:00:00Z")).status,
            ControlStatus::NotApplicable
        );
        soa.entries[0].applicable = true;
        assert_eq!(
            assess_control(&c, &soa, &obs, at("2026-01-01T00:00:00Z")).status,
            ControlStatus::Missing
        );
    }

    #[test]
    fn effectiveness_is_the_share_of_the_period_with_fresh_passing_evidence() {
        let c = control(Cadence::days(1));
        // Collected on days 0 and 2 of a 4-day period: fresh on days 0 and 2;
        // the check fails from day 2 12:00.
        let obs = Observations::new(
            vec![
                record(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
                record(1, "2026-01-03T00:00:00Z", "2026-01-03T00:00:00Z"),
            ],
            vec![result(Outcome::Fail, "2026-01-03T12:00:00Z")],
        );
        let e = effectiveness(
            &c,
            &Soa::default(),
            &obs,
            at("2026-01-01T00:00:00Z"),
            at("2026-01-05T00:00:00Z"),
        );
        assert!((e.effective - 1.5 / 4.0).abs() < 1e-9, "{e:?}");
        let statuses: Vec<ControlStatus> = e.timeline.iter().map(|s| s.2).collect();
        assert_eq!(
            statuses,
            [
                ControlStatus::Effective,
                ControlStatus::Stale,
                ControlStatus::Effective,
                ControlStatus::Failing,
            ]
        );
    }
}
