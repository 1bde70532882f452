//! Whether the SoA as it stands was signed off: a decision of kind
//! `soa-approval` binds to the SoA's content hash, so it covers the SoA only
//! while that hash is unchanged.

use serde::Serialize;

use evident_model::Isms;
use evident_model::decision::{Decision, DecisionKind};
use evident_model::hash::ContentHash;
use evident_model::time::Date;

/// Who signed off the SoA, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signoff {
    /// The decision's id.
    pub decision: String,
    /// The approver's owner id.
    pub by: String,
    /// The approver's name; none when `owners.yaml` does not define them.
    pub name: Option<String>,
    /// The role they approved in.
    pub role: String,
    /// When.
    pub date: Date,
    /// The SoA content hash the decision is bound to.
    pub subject_hash: ContentHash,
}

/// The approval state of the SoA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Approval {
    /// A decision covers the SoA exactly as it is.
    Approved(Signoff),
    /// The newest decision approved a different content: the SoA changed
    /// since it was signed off.
    EarlierVersion(Signoff),
    /// No decision approves any SoA.
    NotApproved,
}

impl Approval {
    /// `approved`, `approved an earlier version` or `not approved`, for
    /// people.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Approved(_) => "approved",
            Self::EarlierVersion(_) => "approved an earlier version",
            Self::NotApproved => "not approved",
        }
    }

    /// The sign-off, unless there is none.
    pub fn signoff(&self) -> Option<&Signoff> {
        match self {
            Self::Approved(s) | Self::EarlierVersion(s) => Some(s),
            Self::NotApproved => None,
        }
    }
}

/// The approval of the SoA whose content hash is `soa_hash` as it stood on
/// `on`: the newest decision bound to it made by then, else the newest SoA
/// decision made by then. A decision dated later did not exist yet (as
/// `check --at` reads decisions).
pub fn find(isms: &Isms, soa_hash: &ContentHash, on: jiff::civil::Date) -> Approval {
    let newest = |matching: bool| {
        isms.decisions
            .iter()
            .filter(|d| d.kind == DecisionKind::SoaApproval && d.date <= on)
            .filter(|d| !matching || &d.subject_hash == soa_hash)
            // Ties on the date are broken by id so the choice does not
            // depend on file order.
            .max_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)))
    };
    if let Some(decision) = newest(true) {
        Approval::Approved(signoff(isms, decision))
    } else if let Some(decision) = newest(false) {
        Approval::EarlierVersion(signoff(isms, decision))
    } else {
        Approval::NotApproved
    }
}

fn signoff(isms: &Isms, decision: &Decision) -> Signoff {
    let by = decision.approved_by.id.clone();
    let name = isms
        .owners
        .iter()
        .find(|o| o.id == by)
        .map(|o| o.name.clone());
    Signoff {
        decision: decision.id.clone(),
        by,
        name,
        role: decision.role.clone(),
        date: decision.date,
        subject_hash: decision.subject_hash.clone(),
    }
}
