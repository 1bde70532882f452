//! The organisation's settings from `evident.yaml`.

use crate::risk::RiskScale;
use crate::time::Cadence;
use crate::{Location, Reference};

/// Cadences the ISMS commits to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cadences {
    /// How often management reviews the ISMS (9.3).
    pub management_review: Cadence,
    /// How often an internal audit runs (9.2).
    pub internal_audit: Cadence,
    /// Default risk review cadence when a risk names none.
    pub risk_review: Cadence,
    /// Default evidence freshness when an evidence requirement names none.
    pub evidence_freshness: Cadence,
}

impl Default for Cadences {
    fn default() -> Self {
        Self {
            management_review: Cadence::years(1),
            internal_audit: Cadence::years(1),
            risk_review: Cadence::years(1),
            evidence_freshness: Cadence::days(30),
        }
    }
}

/// How evidence is judged over time (`evidence:` in `evident.yaml`).
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceSettings {
    /// The period before the audit (`--at`) over which evidence coverage
    /// is measured for `last-minute-evidence`.
    pub audit_period: Cadence,
    /// The share of the audit period (0 to 1) during which fresh evidence
    /// must have existed.
    pub min_coverage: f64,
    /// The largest acceptable share (0 to 1) of evidence provided by hand.
    pub max_manual_share: f64,
}

impl Default for EvidenceSettings {
    fn default() -> Self {
        Self {
            audit_period: Cadence::days(90),
            min_coverage: 0.8,
            max_manual_share: 0.2,
        }
    }
}

/// The organisation's values for a check's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckParameters {
    /// The check's id.
    pub check: Reference,
    /// Parameter names and values.
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// The organisation, its ISMS scope and method.
#[derive(Clone, Debug)]
pub struct Organisation {
    /// Legal or trading name.
    pub name: String,
    /// The ISMS scope statement (4.3).
    pub scope: String,
    /// Frameworks in use; the first is the one unprefixed requirement ids
    /// refer to.
    pub frameworks: Vec<Reference>,
    /// Risk scale, levels, appetite and acceptance authority.
    pub risk: RiskScale,
    /// Review and freshness cadences.
    pub cadences: Cadences,
    /// The store's ed25519 public key (hex), once the store exists.
    pub public_key: Option<String>,
    /// The organisation's values for check parameters (`checks:`).
    pub check_parameters: Vec<CheckParameters>,
    /// How evidence is judged over time.
    pub evidence: EvidenceSettings,
    /// Where it is defined.
    pub location: Location,
}

impl Organisation {
    /// Whether the organisation uses a framework.
    pub fn uses(&self, framework: &str) -> bool {
        self.frameworks.iter().any(|f| f.id == framework)
    }

    /// The framework unprefixed requirement ids refer to.
    pub fn primary_framework(&self) -> &str {
        self.frameworks
            .first()
            .map(|f| f.id.as_str())
            .unwrap_or(crate::framework::ISO27001_2022)
    }
}
