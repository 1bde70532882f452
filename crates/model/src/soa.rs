//! The Statement of Applicability: one decision per Annex A control.

use serde::Serialize;

use crate::Location;

/// Why an Annex A control is included (ISO 27001 6.1.3 d).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum InclusionReason {
    /// A risk in the register calls for it.
    Risk,
    /// A law or regulation requires it.
    Legal,
    /// A contract requires it.
    Contractual,
    /// The business wants it.
    Business,
}

impl InclusionReason {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Risk => "risk",
            Self::Legal => "legal",
            Self::Contractual => "contractual",
            Self::Business => "business",
        }
    }
}

/// One row of the Statement of Applicability. The implementation status is
/// derived from controls and evidence, never written here.
#[derive(Clone, Debug, Serialize)]
pub struct Applicability {
    /// The Annex A control (`A.7.4`).
    pub requirement: String,
    /// Whether it applies.
    pub applicable: bool,
    /// Why it is included or excluded.
    pub justification: Option<String>,
    /// For applicable controls, the reasons for inclusion.
    pub reasons: Vec<InclusionReason>,
    /// Where it is defined.
    #[serde(skip)]
    pub location: Location,
}

/// The Statement of Applicability document.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Soa {
    /// The organisation's version label of the SoA.
    pub version: Option<String>,
    /// The rows, in file order.
    pub entries: Vec<Applicability>,
    /// Where it is defined (`soa.yaml`), if present.
    #[serde(skip)]
    pub location: Option<Location>,
}

impl Soa {
    /// The row for an Annex A control.
    pub fn entry(&self, requirement: &str) -> Option<&Applicability> {
        self.entries.iter().find(|e| e.requirement == requirement)
    }
}
