//! Decisions and governance records: approvals bound to what they approve,
//! management reviews (9.3) and internal audits (9.2).

use serde::{Deserialize, Serialize};

use crate::hash::ContentHash;
use crate::time::Date;
use crate::{Location, Reference};

/// What kind of thing a decision approves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionKind {
    /// Acceptance of a risk's treatment (usually `accept`).
    RiskAcceptance,
    /// Approval of a risk treatment plan.
    TreatmentPlan,
    /// Approval of the Statement of Applicability.
    SoaApproval,
    /// Approval of a policy document.
    PolicyApproval,
}

impl DecisionKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RiskAcceptance => "risk-acceptance",
            Self::TreatmentPlan => "treatment-plan",
            Self::SoaApproval => "soa-approval",
            Self::PolicyApproval => "policy-approval",
        }
    }
}

/// An approval or sign-off by an identity with a role, at a time, bound to
/// the content hash of what it approves: change the thing and the decision no
/// longer covers it.
#[derive(Clone, Debug)]
pub struct Decision {
    /// Identifier (`D-2026-014`).
    pub id: String,
    /// What is approved.
    pub kind: DecisionKind,
    /// The approved object's id (`R-004`, `POL-ACCESS`, `soa`).
    pub subject: Reference,
    /// The content hash of the subject as approved.
    pub subject_hash: ContentHash,
    /// Who approved.
    pub approved_by: Reference,
    /// In which role they approved.
    pub role: String,
    /// When.
    pub date: Date,
    /// Free text.
    pub comment: Option<String>,
    /// Where it is recorded.
    pub location: Location,
}

/// A management review meeting (ISO 27001 9.3).
#[derive(Clone, Debug)]
pub struct ManagementReview {
    /// Identifier.
    pub id: String,
    /// Meeting date.
    pub date: Date,
    /// Who chaired.
    pub chair: Option<Reference>,
    /// Who attended.
    pub attendees: Vec<Reference>,
    /// The inputs of 9.3.2 that were considered.
    pub inputs: Vec<String>,
    /// Decisions and actions (9.3.3).
    pub outputs: Vec<String>,
    /// Where it is recorded.
    pub location: Location,
}

/// An internal audit (ISO 27001 9.2).
#[derive(Clone, Debug)]
pub struct InternalAudit {
    /// Identifier.
    pub id: String,
    /// Date the audit was completed.
    pub date: Date,
    /// Who audited (must not audit their own work).
    pub auditor: Option<Reference>,
    /// What was in scope.
    pub scope: String,
    /// Summary of the conclusions.
    pub conclusion: Option<String>,
    /// Where it is recorded.
    pub location: Location,
}
