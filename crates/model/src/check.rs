//! Checks and their results (DESIGN.md §1, "Check" and "Result"): what a
//! Rego policy said about evidence at a time. The time series of results is
//! a control's effectiveness.

use serde::{Deserialize, Serialize};

use crate::evidence::{ObservedPeriod, Timestamp};
use crate::hash::ContentHash;

/// What a check concluded about the evidence it judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No `deny` rule produced a message.
    Pass,
    /// At least one `deny` message.
    Fail,
    /// The check could not be evaluated (it does not compile, a builtin
    /// failed, the evidence could not be read): never a pass.
    Error,
}

impl Outcome {
    /// The stable spelling (`pass`, `fail`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
        }
    }

    /// The worse of two outcomes (error > fail > pass): a result over several
    /// evidence items is as bad as its worst item.
    pub fn worst(self, other: Outcome) -> Outcome {
        self.max(other)
    }
}

/// One evidence item a result judged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgedItem {
    /// The item's ledger position.
    pub index: u64,
    /// sha256 of the artefact.
    pub digest: ContentHash,
    /// When the state it records was true.
    pub observed: ObservedPeriod,
}

/// A check's outcome for one source at one time, as recorded in the ledger
/// (entry kind `result`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's id.
    pub check: String,
    /// The source (`sources.yaml` name) whose evidence was judged.
    pub source: String,
    /// The controls this result judges: those that take evidence from the
    /// source and share a requirement with the check (or that the check
    /// names).
    pub controls: Vec<String>,
    /// The requirements the check evidences (`A.8.5`, `nist-csf-2.0:PR.AA-01`).
    pub requirements: Vec<String>,
    /// pass, fail or error.
    pub outcome: Outcome,
    /// The `deny` messages (failures), over all items judged.
    pub messages: Vec<String>,
    /// The `warn` messages.
    pub warnings: Vec<String>,
    /// Why the check could not be evaluated, for `error`.
    pub error: Option<String>,
    /// The evidence items judged (the latest of each origin, of a format the
    /// check reads).
    pub evidence: Vec<JudgedItem>,
    /// The time the check was evaluated as of (the `now` it saw).
    pub evaluated_at: Timestamp,
}
