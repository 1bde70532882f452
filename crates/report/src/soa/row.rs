//! One row of the Statement of Applicability and the values in it.

use serde::Serialize;

use evident_model::control::Lifecycle;
use evident_model::evidence::Timestamp;
use evident_model::hash::ContentHash;
use evident_model::soa::InclusionReason;
use evident_model::status::ControlStatus;
use evident_model::time::Date;
use evident_model::vendor::AssuranceKind;

/// What the SoA decided about an Annex A control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decided {
    /// The SoA marks it applicable.
    Applicable,
    /// The SoA excludes it.
    Excluded,
    /// The SoA does not mention it: shown as such, never assumed applicable.
    NotDecided,
}

impl Decided {
    /// The stable spelling (`applicable`, `excluded`, `not-decided`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicable => "applicable",
            Self::Excluded => "excluded",
            Self::NotDecided => "not-decided",
        }
    }

    /// The answer in the "Applicable" column of a table.
    pub fn label(self) -> &'static str {
        match self {
            Self::Applicable => "yes",
            Self::Excluded => "no",
            Self::NotDecided => "not decided",
        }
    }
}

/// The derived implementation status of an Annex A control: the worst
/// status of the controls implementing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowStatus {
    /// Every implementing control has fresh evidence and passing checks.
    Effective,
    /// A check over an implementing control's evidence fails.
    Failing,
    /// An implementing control's newest evidence is too old.
    Stale,
    /// An implementing control has no evidence.
    Missing,
    /// No implemented control satisfies it.
    NotImplemented,
    /// The SoA excludes it.
    NotApplicable,
}

impl RowStatus {
    /// Every status, in display order.
    pub const ALL: [RowStatus; 6] = [
        RowStatus::Effective,
        RowStatus::Failing,
        RowStatus::Stale,
        RowStatus::Missing,
        RowStatus::NotImplemented,
        RowStatus::NotApplicable,
    ];

    /// The stable spelling (`effective`, …, `not-implemented`,
    /// `not-applicable`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Effective => "effective",
            Self::Failing => "failing",
            Self::Stale => "stale",
            Self::Missing => "missing",
            Self::NotImplemented => "not-implemented",
            Self::NotApplicable => "not-applicable",
        }
    }

    /// The position in [`RowStatus::ALL`], for counting.
    pub(crate) fn position(self) -> usize {
        match self {
            Self::Effective => 0,
            Self::Failing => 1,
            Self::Stale => 2,
            Self::Missing => 3,
            Self::NotImplemented => 4,
            Self::NotApplicable => 5,
        }
    }
}

impl From<ControlStatus> for RowStatus {
    fn from(status: ControlStatus) -> Self {
        match status {
            ControlStatus::Effective => Self::Effective,
            ControlStatus::Stale => Self::Stale,
            ControlStatus::Missing => Self::Missing,
            ControlStatus::Failing => Self::Failing,
            ControlStatus::NotApplicable => Self::NotApplicable,
        }
    }
}

/// An organisation control that satisfies the Annex A control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Implementation {
    /// The control's id (`CTL-IAM-01`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Planned or implemented (retired controls implement nothing).
    pub lifecycle: Lifecycle,
    /// Its derived status at the report's instant; none for a planned
    /// control, which is not running yet and so not assessed.
    pub status: Option<ControlStatus>,
}

/// Who runs the Annex A control, over all its implementing controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Responsibility {
    /// The organisation runs every implementing control.
    Owned,
    /// A provider runs part of it (or some controls are owned, some
    /// inherited).
    Shared,
    /// Providers run every implementing control.
    Inherited,
}

impl Responsibility {
    /// `owned`, `shared` or `inherited`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owned => "owned",
            Self::Shared => "shared",
            Self::Inherited => "inherited",
        }
    }
}

/// A vendor that runs part of the control, with its current assurance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// The vendor's id (`aws`).
    pub id: String,
    /// Its name; none when `vendors.yaml` does not define it.
    pub name: Option<String>,
    /// The assurance document that stands at the report's instant; none
    /// when the vendor has none.
    pub assurance: Option<Assurance>,
}

/// A vendor's assurance document as it stands at the report's instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assurance {
    /// The kind of document (`soc2-type2`, …).
    pub kind: AssuranceKind,
    /// The date after which it no longer gives assurance.
    pub expires: Date,
    /// Whether it is valid at the report's instant.
    pub state: AssuranceState,
}

/// Whether an assurance document gives assurance on the report's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssuranceState {
    /// Issued, not expired, and reviewed by the organisation.
    Valid,
    /// Issued and not expired, but nobody in the organisation has reviewed
    /// it: it gives no assurance yet.
    Unreviewed,
    /// Past its expiry date.
    Expired,
    /// Issued after the report's date.
    NotYetValid,
}

impl AssuranceState {
    /// `valid`, `unreviewed`, `expired` or `not-yet-valid`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Unreviewed => "unreviewed",
            Self::Expired => "expired",
            Self::NotYetValid => "not-yet-valid",
        }
    }
}

/// An owner of an implementing control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OwnerName {
    /// The owner's id (`priya`).
    pub id: String,
    /// Their name; none when `owners.yaml` does not define them.
    pub name: Option<String>,
}

/// The newest evidence behind the implementing controls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceRef {
    /// The source it was collected from.
    pub source: String,
    /// Its ledger position.
    pub index: u64,
    /// The end of the period it observed: when the state it shows was
    /// last true.
    pub observed: Timestamp,
    /// When it was collected.
    pub collected_at: Timestamp,
    /// sha256 of the artefact.
    pub digest: ContentHash,
}

/// One row of the Statement of Applicability: an Annex A control of
/// ISO/IEC 27001:2022.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SoaRow {
    /// The Annex A control (`A.8.5`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its theme (`organizational`, `people`, `physical`, `technological`).
    pub theme: String,
    /// Applicable, excluded or not decided.
    pub applicability: Decided,
    /// Why it is included or excluded, as the SoA says.
    pub justification: Option<String>,
    /// The reasons for inclusion.
    pub reasons: Vec<InclusionReason>,
    /// The organisation's controls that satisfy it (retired ones left out).
    pub implemented_by: Vec<Implementation>,
    /// Owned, shared or inherited; none without implementing controls.
    pub responsibility: Option<Responsibility>,
    /// The vendors of shared and inherited implementing controls.
    pub providers: Vec<Provider>,
    /// The owners of the implementing controls.
    pub owners: Vec<OwnerName>,
    /// The derived implementation status.
    pub status: RowStatus,
    /// The newest evidence behind the implemented controls.
    pub newest_evidence: Option<EvidenceRef>,
    /// The risks treated: those the implementing controls name and those
    /// naming them, by id.
    pub risks: Vec<String>,
}
