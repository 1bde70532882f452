//! An evaluation run: which check judges which evidence for which controls,
//! and the results.
//!
//! A check reads the latest evidence of a source (the newest item of each
//! origin, collected by the evaluation time) whose format it reads. The
//! result judges the controls that take evidence from that source and share
//! a requirement with the check (or that the check names): a failing MFA
//! check over the IAM report says nothing about a backup control that also
//! reads the IAM report.
//!
//! The run does no I/O of its own: the caller hands it the evidence and a
//! function that loads a normalised document by digest (from the store).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use evident_model::check::{CheckResult, JudgedItem, Outcome};
use evident_model::evidence::Timestamp;
use evident_model::framework::RequirementRef;
use evident_model::hash::ContentHash;
use evident_model::organisation::CheckParameters;
use evident_model::status::{EvidenceRecord, Observations};
use evident_model::{Diagnostic, Isms};

use crate::{Check, CompiledCheck, Context, Input, Library};

/// The most messages (and warnings) a result keeps: enough to act on, and a
/// failing check over a year of history must not write hundreds of
/// megabytes into the ledger. The rest are counted in a last message.
pub const MAX_MESSAGES: usize = 200;

/// One check to run over one source's latest evidence.
#[derive(Debug)]
pub struct Job<'a> {
    /// The check.
    pub check: &'a Check,
    /// The source's name.
    pub source: &'a str,
    /// The items judged: the newest of each origin, of a format the check
    /// reads, in ledger order.
    pub items: Vec<&'a EvidenceRecord>,
    /// The controls the result judges, sorted.
    pub controls: Vec<String>,
}

/// The jobs of an evaluation at `at`: every (check, source) pair where the
/// source's latest evidence has a format the check reads.
pub fn plan<'a>(
    isms: &'a Isms,
    library: &'a Library,
    observations: &'a Observations,
    at: Timestamp,
) -> Vec<Job<'a>> {
    let primary = isms.organisation.primary_framework();
    // Controls by source: named by the source, or naming it in an evidence
    // requirement.
    let mut controls_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for source in &isms.sources {
        let entry = controls_of.entry(source.name.as_str()).or_default();
        entry.extend(source.controls.iter().map(|c| c.id.as_str()));
    }
    for control in &isms.controls {
        for requirement in &control.evidence {
            if let Some(source) = &requirement.source {
                controls_of
                    .entry(source.id.as_str())
                    .or_default()
                    .insert(control.id.as_str());
            }
        }
    }
    let index = isms.index();

    let mut jobs = Vec::new();
    for source in &isms.sources {
        let latest = latest_by_origin(observations.evidence_of(&source.name), at);
        if latest.is_empty() {
            continue;
        }
        for check in library.checks() {
            let items: Vec<&EvidenceRecord> = latest
                .iter()
                .copied()
                // Items of the format without a normalised document (over
                // the collection's size limit) are judged too: as errors,
                // so that the control is not effective unjudged.
                .filter(|r| {
                    r.item
                        .format
                        .as_deref()
                        .is_some_and(|f| check.formats.iter().any(|c| c == f))
                })
                .collect();
            if items.is_empty() {
                continue;
            }
            let requirements: Vec<RequirementRef> = check
                .requirements
                .iter()
                .map(|r| RequirementRef::parse(r, primary))
                .collect();
            let controls = controls_of
                .get(source.name.as_str())
                .into_iter()
                .flatten()
                .filter(|id| {
                    check.controls.iter().any(|c| c == *id)
                        || index.controls.get(*id).is_some_and(|c| {
                            c.satisfies.iter().any(|(r, _)| requirements.contains(r))
                        })
                })
                .map(|id| id.to_string())
                .collect();
            jobs.push(Job {
                check,
                source: &source.name,
                items,
                controls,
            });
        }
    }
    jobs
}

/// The newest item of each origin available at `at`, in ledger order.
fn latest_by_origin(records: &[EvidenceRecord], at: Timestamp) -> Vec<&EvidenceRecord> {
    let mut newest: BTreeMap<&str, &EvidenceRecord> = BTreeMap::new();
    for r in records.iter().filter(|r| r.item.collected_at <= at) {
        let slot = newest.entry(r.item.provenance.origin.as_str()).or_insert(r);
        if (r.item.collected_at, r.index) > (slot.item.collected_at, slot.index) {
            *slot = r;
        }
    }
    let mut list: Vec<&EvidenceRecord> = newest.into_values().collect();
    list.sort_by_key(|r| r.index);
    list
}

/// Runs the jobs on `threads` threads and returns one result per job, in
/// job order. `load` returns the normalised document with a digest (RFC
/// 8785 JSON bytes); each document is parsed once, whatever the number of
/// checks reading it. `parameters` are the organisation's values by check
/// id (already validated with [`Check::parameters_with`]).
pub fn run<F>(
    jobs: &[Job<'_>],
    load: F,
    parameters: &HashMap<String, serde_json::Map<String, serde_json::Value>>,
    at: Timestamp,
    threads: usize,
) -> Vec<CheckResult>
where
    F: Fn(&ContentHash) -> Result<Vec<u8>, String> + Sync,
{
    // Parse every document once, on all threads.
    let digests: BTreeSet<&ContentHash> = jobs
        .iter()
        .flat_map(|j| j.items.iter().filter_map(|r| r.item.normalized.as_ref()))
        .collect();
    let digests: Vec<&ContentHash> = digests.into_iter().collect();
    let inputs: HashMap<&ContentHash, Result<Input, String>> = parallel(&digests, threads, |d| {
        load(d).and_then(|bytes| {
            Input::from_json_bytes(&bytes)
                .map_err(|e| format!("the normalised document {d} cannot be read: {e}"))
        })
    })
    .into_iter()
    .zip(digests.iter().copied())
    .map(|(input, d)| (d, input))
    .collect();

    // The biggest jobs first, so that the last one to finish is a small
    // one; results go back in job order.
    let size = |j: &Job| j.items.iter().map(|r| r.item.size).sum::<u64>();
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(size(&jobs[i])));
    // Each thread compiles a check the first time it meets it.
    let mut results: Vec<(usize, CheckResult)> = parallel_with(
        &order,
        threads,
        HashMap::<&str, Result<CompiledCheck, String>>::new,
        |compiled, &i| {
            let job = &jobs[i];
            let empty = serde_json::Map::new();
            let context = Context {
                now: at,
                parameters: job
                    .check
                    .parameters_with(parameters.get(&job.check.id).unwrap_or(&empty))
                    .unwrap_or_else(|_| job.check.parameters.clone()),
            };
            let check = compiled
                .entry(job.check.id.as_str())
                .or_insert_with(|| job.check.compile().map_err(|e| e.to_string()));
            (i, evaluate_job(job, check.as_ref(), &inputs, &context, at))
        },
    );
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn evaluate_job(
    job: &Job<'_>,
    compiled: Result<&CompiledCheck, &String>,
    inputs: &HashMap<&ContentHash, Result<Input, String>>,
    context: &Context,
    at: Timestamp,
) -> CheckResult {
    let mut result = CheckResult {
        check: job.check.id.clone(),
        source: job.source.to_string(),
        controls: job.controls.clone(),
        requirements: job.check.requirements.clone(),
        outcome: Outcome::Pass,
        messages: Vec::new(),
        warnings: Vec::new(),
        error: None,
        evidence: job
            .items
            .iter()
            .map(|r| JudgedItem {
                index: r.index,
                digest: r.item.digest.clone(),
                observed: r.item.observed,
            })
            .collect(),
        evaluated_at: at,
    };
    let compiled = match compiled {
        Ok(c) => c,
        Err(e) => {
            result.outcome = Outcome::Error;
            result.error = Some(e.clone());
            return result;
        }
    };
    // With several items (one file per workflow run, say), each message
    // says which item it is about.
    let several = job.items.len() > 1;
    let mut errors = Vec::new();
    for record in &job.items {
        let prefix = |m: String| {
            if several {
                format!("{}: {m}", record.item.provenance.origin)
            } else {
                m
            }
        };
        let input = record
            .item
            .normalized
            .as_ref()
            .and_then(|d| inputs.get(d))
            .ok_or_else(|| {
                "the artefact was too large to normalise when it was collected, so it was not evaluated"
                    .to_string()
            })
            .and_then(|r| r.as_ref().map_err(Clone::clone));
        let input = match input {
            Ok(input) => input,
            Err(e) => {
                result.outcome = result.outcome.worst(Outcome::Error);
                errors.push(prefix(e));
                continue;
            }
        };
        let verdict = compiled.evaluate(input, context);
        result.outcome = result.outcome.worst(verdict.outcome);
        result
            .messages
            .extend(verdict.denials.into_iter().map(prefix));
        result
            .warnings
            .extend(verdict.warnings.into_iter().map(prefix));
        if let Some(e) = verdict.error {
            errors.push(prefix(e));
        }
    }
    if !errors.is_empty() {
        result.error = Some(errors.join("; "));
    }
    cap(&mut result.messages);
    cap(&mut result.warnings);
    result
}

/// Keeps the first [`MAX_MESSAGES`] messages and says how many were left out.
fn cap(messages: &mut Vec<String>) {
    if messages.len() > MAX_MESSAGES {
        let omitted = messages.len() - (MAX_MESSAGES - 1);
        messages.truncate(MAX_MESSAGES - 1);
        messages.push(format!("… and {omitted} more, not recorded"));
    }
}

/// Maps `f` over `items` on up to `threads` threads, keeping the order.
fn parallel<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    parallel_with(items, threads, || (), |_, item| f(item))
}

/// Like [`parallel`], with a state of each thread's own (a cache).
fn parallel_with<T: Sync, R: Send, S>(
    items: &[T],
    threads: usize,
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        let mut s = state();
        return items.iter().map(|item| f(&mut s, item)).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut s = state();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(&mut s, item);
                    slots.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// The organisation's parameter values (`checks:` in `evident.yaml`) by
/// check id, each checked against what the check declares: an unknown check
/// or parameter is a diagnostic at its place in `evident.yaml`.
pub fn parameters(
    library: &Library,
    values: &[CheckParameters],
) -> (
    HashMap<String, serde_json::Map<String, serde_json::Value>>,
    Vec<Diagnostic>,
) {
    let mut map = HashMap::new();
    let mut diagnostics = Vec::new();
    for v in values {
        let Some(check) = library.checks().iter().find(|c| c.id == v.check.id) else {
            diagnostics.push(
                Diagnostic::new(
                    "invalid-value",
                    v.check.at.clone(),
                    format!("`checks.{}`: there is no check with this id", v.check.id),
                )
                .with_hint("`evident checks list` shows the checks"),
            );
            continue;
        };
        match check.parameters_with(&v.values) {
            Ok(_) => {
                map.insert(v.check.id.clone(), v.values.clone());
            }
            Err(e) => diagnostics.push(Diagnostic::new(
                "invalid-value",
                v.check.at.clone(),
                format!("`checks.{}`: {e}", v.check.id),
            )),
        }
    }
    (map, diagnostics)
}
