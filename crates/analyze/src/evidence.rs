//! The evidence failure patterns: controls that are described but not shown
//! to run (`missing-evidence`, `stale-evidence`, `failing-control`, and
//! `policy-without-implementation` when every implementing control fails),
//! evidence gathered in a rush before the audit (`last-minute-evidence`),
//! evidence that contradicts itself (`inconsistent-evidence`,
//! `irreproducible-evidence`) and evidence provided by hand where a system
//! could provide it (`manual-evidence-excess`).
//!
//! Statuses come from [`evident_model::status`]: derived, failing closed.

use std::collections::{BTreeMap, HashMap};

use evident_model::check::{CheckResult, Outcome};
use evident_model::control::{Control, EvidenceRequirement, Lifecycle};
use evident_model::evidence::Timestamp;
use evident_model::finding::{FindingCode, ObjectKind, Severity};
use evident_model::status::{self, ControlAssessment, ControlStatus, EvidenceRecord, Observations};

use crate::Context;

/// How many check messages a `failing-control` finding quotes.
const QUOTED_MESSAGES: usize = 3;

/// The share of the audit period, at its end, in which a burst of
/// collections counts as last-minute.
const BURST_WINDOW: f64 = 0.1;

/// The share of a period's collections that, falling in the burst window,
/// makes a burst.
const BURST_SHARE: f64 = 0.5;

pub(crate) fn check(cx: &mut Context, observations: &Observations, now: Timestamp) {
    let isms = cx.isms;
    let assessments = status::assess(isms, observations, now);
    let by_id: HashMap<&str, &ControlAssessment> = assessments
        .iter()
        .map(|a| (a.control.id.as_str(), a))
        .collect();

    for a in &assessments {
        if a.status != ControlStatus::NotApplicable {
            control_findings(cx, a);
        }
    }
    policies(cx, &by_id);
    soa_claims(cx, &by_id);
    for a in &assessments {
        if a.status != ControlStatus::NotApplicable {
            disagreeing_sources(cx, a.control, observations, now);
            last_minute(cx, a.control, observations, now);
        }
    }
    irreproducible(cx, observations, now);
}

fn control_findings(cx: &mut Context, a: &ControlAssessment) {
    let c = a.control;
    let object = (ObjectKind::Control, c.id.as_str());
    // Two requirements over the same source share its results: one finding
    // per failing result, at the first requirement it judges.
    let mut reported = std::collections::BTreeSet::new();
    for r in &a.requirements {
        let req = r.requirement;
        match r.status {
            ControlStatus::Missing => {
                let message = match &req.source {
                    None => format!(
                        "control {} expects `{}` ({}) by hand, and none is recorded",
                        c.id, req.id, req.description
                    ),
                    Some(s) => format!(
                        "control {} expects `{}` from source {}, and none was ever collected",
                        c.id, req.id, s.id
                    ),
                };
                cx.report(
                    FindingCode::MissingEvidence,
                    Severity::Error,
                    object,
                    Some(&req.location),
                    message,
                );
            }
            ControlStatus::Stale => {
                let newest = r.newest.map(|n| second(n.item.observed.to));
                let until = r.fresh_until.map(second);
                cx.report(
                    FindingCode::StaleEvidence,
                    Severity::Error,
                    object,
                    Some(&req.location),
                    format!(
                        "control {}: the newest `{}` evidence is from {} and was fresh until {} (freshness {})",
                        c.id,
                        req.id,
                        newest.as_deref().unwrap_or("?"),
                        until.as_deref().unwrap_or("?"),
                        req.freshness
                    ),
                );
            }
            ControlStatus::Failing => {
                for result in r.results.iter().filter(|x| x.outcome != Outcome::Pass) {
                    if !reported.insert((result.check.as_str(), result.source.as_str())) {
                        continue;
                    }
                    cx.report(
                        FindingCode::FailingControl,
                        Severity::Error,
                        object,
                        Some(&req.location),
                        failing_message(c, req, result),
                    );
                }
            }
            ControlStatus::Effective | ControlStatus::NotApplicable => {}
        }
    }
}

fn failing_message(c: &Control, req: &EvidenceRequirement, result: &CheckResult) -> String {
    let when = second(result.evaluated_at);
    if result.outcome == Outcome::Error {
        return format!(
            "control {}: check {} could not be evaluated over `{}` ({when}): {}",
            c.id,
            result.check,
            req.id,
            result.error.as_deref().unwrap_or("unknown error")
        );
    }
    let mut quoted: Vec<&str> = result
        .messages
        .iter()
        .take(QUOTED_MESSAGES)
        .map(String::as_str)
        .collect();
    let more = result.messages.len().saturating_sub(QUOTED_MESSAGES);
    let more = if more > 0 {
        format!(" (and {more} more)")
    } else {
        String::new()
    };
    if quoted.is_empty() {
        quoted.push("failed");
    }
    format!(
        "control {}: check {} fails over `{}` ({when}): {}{more}",
        c.id,
        result.check,
        req.id,
        quoted.join("; ")
    )
}

/// A policy whose implementing controls all fail is not reflected in
/// implementation, however well it is written.
fn policies(cx: &mut Context, by_id: &HashMap<&str, &ControlAssessment>) {
    for p in &cx.isms.policies {
        let implementing: Vec<&&ControlAssessment> = p
            .implemented_by
            .iter()
            .filter_map(|r| by_id.get(r.id.as_str()))
            .collect();
        if !implementing.is_empty()
            && implementing
                .iter()
                .all(|a| a.status == ControlStatus::Failing)
        {
            let ids: Vec<&str> = implementing.iter().map(|a| a.control.id.as_str()).collect();
            cx.report(
                FindingCode::PolicyWithoutImplementation,
                Severity::Error,
                (ObjectKind::Policy, p.id.as_str()),
                Some(&p.location),
                format!(
                    "policy {} ({}) is implemented by {}, and the checks of every one of them fail",
                    p.id,
                    p.title,
                    ids.join(", ")
                ),
            );
        }
    }
}

/// The SoA declares an Annex A control applicable and the controls that
/// implement it are declared implemented, while the evidence says none of
/// them runs.
fn soa_claims(cx: &mut Context, by_id: &HashMap<&str, &ControlAssessment>) {
    let isms = cx.isms;
    let mut implementers: BTreeMap<&str, Vec<&ControlAssessment>> = BTreeMap::new();
    for c in &isms.controls {
        if c.lifecycle != Lifecycle::Implemented {
            continue;
        }
        for (r, _) in &c.satisfies {
            if r.framework == evident_model::framework::ISO27001_2022
                && let Some(a) = by_id.get(c.id.as_str())
            {
                implementers.entry(r.id.as_str()).or_default().push(a);
            }
        }
    }
    // One finding per set of implementing controls, listing the Annex A
    // controls it leaves unproven, at the first of their SoA rows.
    let mut unproven: BTreeMap<Vec<&str>, Vec<&evident_model::soa::Applicability>> =
        BTreeMap::new();
    let broken = |s: ControlStatus| matches!(s, ControlStatus::Failing | ControlStatus::Missing);
    for row in isms.soa.entries.iter().filter(|e| e.applicable) {
        let Some(list) = implementers.get(row.requirement.as_str()) else {
            continue;
        };
        if list.iter().all(|a| broken(a.status)) {
            let ids = list.iter().map(|a| a.control.id.as_str()).collect();
            unproven.entry(ids).or_default().push(row);
        }
    }
    let mut groups: Vec<(Vec<&str>, Vec<&evident_model::soa::Applicability>)> =
        unproven.into_iter().collect();
    groups.sort_by(|a, b| a.1[0].location.cmp(&b.1[0].location));
    for (controls, rows) in groups {
        let detail: Vec<String> = controls
            .iter()
            .filter_map(|id| by_id.get(id))
            .map(|a| format!("{} is {}", a.control.id, a.status.as_str()))
            .collect();
        let requirements: Vec<&str> = rows.iter().map(|r| r.requirement.as_str()).collect();
        cx.report(
            FindingCode::InconsistentEvidence,
            Severity::Warning,
            (ObjectKind::Requirement, rows[0].requirement.as_str()),
            Some(&rows[0].location),
            format!(
                "the Statement of Applicability applies {} through implemented controls, but the evidence says otherwise: {}",
                requirements.join(", "),
                detail.join(", ")
            ),
        );
    }
}

/// Two sources evidencing the same control disagree: the same check
/// passes over one and fails over the other, within the control's shortest
/// freshness of each other (two exports of the same kind of system, say a
/// scheduled file export and an API source, that should tell one story).
fn disagreeing_sources(cx: &mut Context, c: &Control, observations: &Observations, now: Timestamp) {
    // Cadences of different units compare by their length from a fixed
    // instant (a month is not a fixed number of days).
    let Some(window) = c
        .evidence
        .iter()
        .map(|r| r.freshness)
        .min_by_key(|f| f.after_instant(Timestamp::UNIX_EPOCH))
    else {
        return;
    };
    // The latest result per (check, source) known now.
    let mut latest: BTreeMap<(&str, &str), &CheckResult> = BTreeMap::new();
    for r in observations.results_for(&c.id) {
        if r.evaluated_at <= now && r.outcome != Outcome::Error {
            latest.insert((r.check.as_str(), r.source.as_str()), r);
        }
    }
    let results: Vec<&CheckResult> = latest.into_values().collect();
    for pass in results.iter().filter(|r| r.outcome == Outcome::Pass) {
        for fail in results.iter().filter(|r| r.outcome == Outcome::Fail) {
            if pass.check != fail.check || pass.source == fail.source {
                continue;
            }
            let (early, late) = if pass.evaluated_at <= fail.evaluated_at {
                (pass.evaluated_at, fail.evaluated_at)
            } else {
                (fail.evaluated_at, pass.evaluated_at)
            };
            if window.after_instant(early) <= late {
                continue;
            }
            cx.report(
                FindingCode::InconsistentEvidence,
                Severity::Warning,
                (ObjectKind::Control, c.id.as_str()),
                Some(&c.location),
                format!(
                    "control {}: check {} passes over source {} but fails over source {} ({})",
                    c.id,
                    pass.check,
                    pass.source,
                    fail.source,
                    fail.messages.first().map_or("failed", String::as_str)
                ),
            );
        }
    }
}

/// Over the audit period ending now, the share of time during which fresh
/// evidence existed in the store (from its collection until it went stale),
/// and whether collections bunch up at the end of the period.
fn last_minute(cx: &mut Context, c: &Control, observations: &Observations, now: Timestamp) {
    let settings = &cx.isms.organisation.evidence;
    let start = settings.audit_period.before_instant(now);
    // With a ledger younger than the period there is no history to judge
    // continuity by yet.
    if observations
        .first_collected()
        .is_none_or(|first| first > start)
    {
        return;
    }
    for req in &c.evidence {
        let Some(source) = &req.source else { continue };
        let records: Vec<&EvidenceRecord> = observations
            .evidence_of(&source.id)
            .iter()
            .filter(|r| r.item.collected_at <= now)
            .collect();
        let in_period: Vec<&&EvidenceRecord> = records
            .iter()
            .filter(|r| r.item.collected_at >= start)
            .collect();
        if in_period.is_empty() {
            continue; // stale or missing: reported as such
        }
        let coverage = coverage(&records, req, start, now);
        let burst_start = instant_at(start, now, 1.0 - BURST_WINDOW);
        let late = in_period
            .iter()
            .filter(|r| r.item.collected_at >= burst_start)
            .count();
        let burst = late as f64 / in_period.len() as f64 >= BURST_SHARE;
        if coverage < settings.min_coverage && burst {
            cx.report(
                FindingCode::LastMinuteEvidence,
                Severity::Warning,
                (ObjectKind::Control, c.id.as_str()),
                Some(&req.location),
                format!(
                    "control {}: fresh `{}` evidence existed for {:.0}% of the audit period {}..{} (at least {:.0}% expected), and {late} of its {} collections came in the last {:.0}% of it",
                    c.id,
                    req.id,
                    coverage * 100.0,
                    second(start),
                    second(now),
                    settings.min_coverage * 100.0,
                    in_period.len(),
                    BURST_WINDOW * 100.0
                ),
            );
        }
    }
}

/// The share of `[start, end]` covered by the union of each record's fresh
/// interval: from its collection until one freshness after what it observed.
fn coverage(
    records: &[&EvidenceRecord],
    req: &EvidenceRequirement,
    start: Timestamp,
    end: Timestamp,
) -> f64 {
    let mut intervals: Vec<(i128, i128)> = records
        .iter()
        .map(|r| {
            let from = r.item.collected_at.max(start).as_nanosecond();
            let to = req
                .freshness
                .after_instant(r.item.observed.to)
                .min(end)
                .as_nanosecond();
            (from, to)
        })
        .filter(|(from, to)| from < to)
        .collect();
    intervals.sort();
    let mut covered = 0i128;
    let mut reach = i128::MIN;
    for (from, to) in intervals {
        let from = from.max(reach);
        if to > from {
            covered += to - from;
        }
        reach = reach.max(to);
    }
    let total = end.as_nanosecond() - start.as_nanosecond();
    if total <= 0 {
        return 1.0;
    }
    covered as f64 / total as f64
}

/// An instant to the second, as people read it in a message.
fn second(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn instant_at(start: Timestamp, end: Timestamp, share: f64) -> Timestamp {
    let span = (end.as_nanosecond() - start.as_nanosecond()) as f64;
    let at = start.as_nanosecond() + (span * share) as i128;
    Timestamp::from_nanosecond(at).unwrap_or(end)
}

/// Re-collecting a closed period (a history whose end was already past when
/// it was collected) must give the same bytes; different digests for the
/// same source, origin and period mean the evidence cannot be reproduced.
fn irreproducible(cx: &mut Context, observations: &Observations, now: Timestamp) {
    let isms = cx.isms;
    let mut sources: Vec<(&str, &[EvidenceRecord])> = observations.sources().collect();
    sources.sort_by_key(|(s, _)| *s);
    for (source, records) in sources {
        let mut periods: BTreeMap<(&str, Timestamp, Timestamp), Vec<&EvidenceRecord>> =
            BTreeMap::new();
        for r in records.iter().filter(|r| r.item.collected_at <= now) {
            let o = r.item.observed;
            if o.from < o.to && o.to < r.item.collected_at {
                periods
                    .entry((r.item.provenance.origin.as_str(), o.from, o.to))
                    .or_default()
                    .push(r);
            }
        }
        for ((origin, from, to), list) in periods {
            let (from, to) = (second(from), second(to));
            let first = list[0];
            let Some(other) = list.iter().find(|r| r.item.digest != first.item.digest) else {
                continue;
            };
            let location = isms
                .sources
                .iter()
                .find(|s| s.name == source)
                .map(|s| &s.location);
            cx.report(
                FindingCode::IrreproducibleEvidence,
                Severity::Error,
                (ObjectKind::Organisation, source),
                location,
                format!(
                    "source {source}: {origin} for the closed period {from}..{to} was collected as {} (entry {}) and as {} (entry {})",
                    first.item.digest, first.index, other.item.digest, other.index
                ),
            );
        }
    }
}

/// The share of the implemented controls' evidence requirements that rely
/// on a person (no source, or a `manual` one) rather than a system. It
/// depends on the definitions only, so it runs with or without a store.
pub(crate) fn manual_share(cx: &mut Context) {
    let isms = cx.isms;
    let manual_sources: Vec<&str> = isms
        .sources
        .iter()
        .filter(|s| s.collector == "manual")
        .map(|s| s.name.as_str())
        .collect();
    let mut total = 0usize;
    let mut manual = 0usize;
    for c in isms
        .controls
        .iter()
        .filter(|c| c.lifecycle == Lifecycle::Implemented)
    {
        for r in &c.evidence {
            total += 1;
            if r.source
                .as_ref()
                .is_none_or(|s| manual_sources.contains(&s.id.as_str()))
            {
                manual += 1;
            }
        }
    }
    if total == 0 {
        return;
    }
    let share = manual as f64 / total as f64;
    let max = isms.organisation.evidence.max_manual_share;
    if share > max {
        cx.report(
            FindingCode::ManualEvidenceExcess,
            Severity::Warning,
            (ObjectKind::Organisation, isms.organisation.name.as_str()),
            Some(&isms.organisation.location),
            format!(
                "{manual} of {total} evidence requirements ({:.0}%) are provided by hand, above the {:.0}% allowed (evidence.max_manual_share)",
                share * 100.0,
                max * 100.0
            ),
        );
    }
}
