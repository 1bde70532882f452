//! Readiness analysis: the audit failure patterns of the seed, found in the
//! ISMS definitions before an auditor finds them. Each rule family is a
//! module; each finding carries a stable code (see
//! [`FindingCode`](evident_model::finding::FindingCode)).
//!
//! Architecture invariant: analysis is deterministic for the same inputs and
//! the same `at` date. It never reads the clock: "today" is a parameter, so
//! every time-based rule is testable with `--at`.

#![deny(missing_docs)]

mod evidence;
mod oversight;
mod ownership;
mod policies;
mod risks;
mod soa;
mod suppliers;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_evidence;

use evident_catalog::Catalog;
use evident_model::evidence::Timestamp;
use evident_model::finding::{Finding, FindingCode, ObjectKind, Severity};
use evident_model::isms::Index;
use evident_model::status::Observations;
use evident_model::time::Date;
use evident_model::{Isms, Location};

/// Everything a rule may look at.
pub(crate) struct Context<'a> {
    pub isms: &'a Isms,
    pub index: Index<'a>,
    pub catalog: &'a Catalog,
    pub at: Date,
    findings: Vec<Finding>,
}

impl Context<'_> {
    /// Records a finding.
    pub fn report(
        &mut self,
        code: FindingCode,
        severity: Severity,
        object: (ObjectKind, &str),
        location: Option<&Location>,
        message: String,
    ) {
        self.findings.push(Finding {
            code,
            severity,
            object_kind: object.0,
            object_id: object.1.to_string(),
            location: location.cloned(),
            message,
        });
    }
}

/// Runs every rule over the definitions as of `at`. Findings are ordered by
/// file, line, column and code, so output is stable.
pub fn analyze(isms: &Isms, catalog: &Catalog, at: Date) -> Vec<Finding> {
    run(isms, catalog, at, None)
}

/// Runs every rule over the definitions as of `at`, and the evidence rules
/// over what the store recorded, as of the instant `now` (the end of `at`
/// when a date is given, so a result recorded that day counts).
pub fn analyze_with_evidence(
    isms: &Isms,
    catalog: &Catalog,
    at: Date,
    observations: &Observations,
    now: Timestamp,
) -> Vec<Finding> {
    run(isms, catalog, at, Some((observations, now)))
}

fn run(
    isms: &Isms,
    catalog: &Catalog,
    at: Date,
    evidence: Option<(&Observations, Timestamp)>,
) -> Vec<Finding> {
    let mut cx = Context {
        isms,
        index: isms.index(),
        catalog,
        at,
        findings: Vec::new(),
    };
    ownership::check(&mut cx);
    soa::check(&mut cx);
    risks::check(&mut cx);
    suppliers::check(&mut cx);
    policies::check(&mut cx);
    oversight::check(&mut cx);
    evidence::manual_share(&mut cx);
    if let Some((observations, now)) = evidence {
        evidence::check(&mut cx, observations, now);
    }
    let mut findings = cx.findings;
    // Sort on borrowed keys: cloning them per comparison showed up in
    // profiles of large registers.
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            let at = f
                .location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column));
            (f.location.is_none(), at, f.code)
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.object_id.cmp(&b.object_id))
    });
    findings
}

/// Counts of findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Error-level findings.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Informational findings.
    pub infos: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}
