//! The output of `evident check`: findings (and, when the definitions could
//! not be read, diagnostics) in text, JSON, SARIF and JUnit XML.

mod json;
mod junit;
mod sarif;
mod text;

pub use json::json;
pub use junit::junit;
pub use sarif::sarif;
pub use text::{SourceLookup, diagnostics_text, text};

use evident_model::Diagnostic;
use evident_model::finding::Finding;
use evident_model::time::Date;

/// The size of what was checked, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Controls defined.
    pub controls: usize,
    /// Risks in the register.
    pub risks: usize,
    /// Owners.
    pub owners: usize,
    /// Vendors.
    pub vendors: usize,
    /// Policies.
    pub policies: usize,
    /// Annex A controls the SoA marks applicable.
    pub applicable: usize,
    /// Annex A controls the SoA excludes.
    pub excluded: usize,
}

/// Everything a `check` report shows.
#[derive(Clone, Copy, Debug)]
pub struct CheckReport<'a> {
    /// The organisation's name.
    pub organisation: &'a str,
    /// The date the analysis was made as of.
    pub at: Date,
    /// Readiness findings, in order.
    pub findings: &'a [Finding],
    /// Read errors; when not empty, the findings are empty and the exit
    /// status is 2.
    pub diagnostics: &'a [Diagnostic],
    /// What was checked.
    pub counts: Counts,
}

impl CheckReport<'_> {
    /// Findings of each severity: (errors, warnings, infos).
    pub fn tally(&self) -> (usize, usize, usize) {
        use evident_model::finding::Severity;
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        )
    }
}

impl Counts {
    /// Counts what an ISMS defines.
    pub fn of(isms: &evident_model::Isms) -> Self {
        Counts {
            controls: isms.controls.len(),
            risks: isms.risks.len(),
            owners: isms.owners.len(),
            vendors: isms.vendors.len(),
            policies: isms.policies.len(),
            applicable: isms.soa.entries.iter().filter(|e| e.applicable).count(),
            excluded: isms.soa.entries.iter().filter(|e| !e.applicable).count(),
        }
    }
}
