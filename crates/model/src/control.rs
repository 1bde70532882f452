//! Controls: what the organisation actually runs.

use serde::Serialize;

use crate::framework::RequirementRef;
use crate::time::{Cadence, Date};
use crate::{Location, Reference};

/// The nature of a control (ISO 27002's control types, as practitioners
/// group them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlKind {
    /// Enforced by a system (IAM, encryption, pipelines).
    Technical,
    /// A process or rule people follow.
    Organisational,
    /// Premises, equipment, media.
    Physical,
    /// Screening, awareness, discipline.
    People,
}

/// Who runs a control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Responsibility {
    /// The organisation runs it entirely.
    Owned,
    /// Split between the organisation and a provider along a boundary.
    Shared {
        /// The vendor that runs its part.
        provider: Option<Reference>,
    },
    /// Run entirely by a provider; the organisation must still validate it.
    Inherited {
        /// The vendor that runs it.
        provider: Option<Reference>,
    },
}

impl Responsibility {
    /// `owned`, `shared` or `inherited`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Owned => "owned",
            Self::Shared { .. } => "shared",
            Self::Inherited { .. } => "inherited",
        }
    }

    /// The provider of a shared or inherited control.
    pub fn provider(&self) -> Option<&Reference> {
        match self {
            Self::Owned => None,
            Self::Shared { provider } | Self::Inherited { provider } => provider.as_ref(),
        }
    }
}

/// Where a control is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lifecycle {
    /// Decided but not yet running.
    Planned,
    /// Running in the organisation's systems.
    Implemented,
    /// No longer run; kept for history.
    Retired,
}

/// What evidence a control must produce, and how fresh it must be.
#[derive(Clone, Debug)]
pub struct EvidenceRequirement {
    /// Identifier, unique within the control.
    pub id: String,
    /// What the evidence shows.
    pub description: String,
    /// The source (from `sources.yaml`) that collects it; none means it is
    /// provided by hand.
    pub source: Option<Reference>,
    /// The newest evidence must be younger than this.
    pub freshness: Cadence,
    /// Where it is defined.
    pub location: Location,
}

/// An implemented (or planned) control: the five-part mapping.
#[derive(Clone, Debug)]
pub struct Control {
    /// Stable identifier (`CTL-IAM-01`).
    pub id: String,
    /// Short title.
    pub title: String,
    /// What the control does, in the organisation's words.
    pub description: String,
    /// Technical, organisational, physical or people.
    pub kind: ControlKind,
    /// Owned, shared or inherited, with the provider.
    pub responsibility: Responsibility,
    /// For shared and inherited controls: what the provider does and what
    /// remains the organisation's.
    pub boundary: Option<String>,
    /// Who is accountable.
    pub owner: Option<Reference>,
    /// Planned, implemented or retired.
    pub lifecycle: Lifecycle,
    /// For planned controls, when they are due to run.
    pub due: Option<Date>,
    /// The requirements this control satisfies.
    pub satisfies: Vec<(RequirementRef, Location)>,
    /// The risks it treats.
    pub risks: Vec<Reference>,
    /// The evidence it must produce.
    pub evidence: Vec<EvidenceRequirement>,
    /// Policy documents and runbooks (paths in the repository).
    pub documents: Vec<String>,
    /// Where it is defined.
    pub location: Location,
}

impl Control {
    /// Whether the control is running (or meant to be) rather than retired.
    pub fn is_live(&self) -> bool {
        self.lifecycle != Lifecycle::Retired
    }
}
