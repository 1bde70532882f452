//! Risks, the risk scale, and the rules that say who may accept what.

use serde::Serialize;

use crate::time::{Cadence, Date};
use crate::{Location, Reference};

/// A likelihood × impact rating on the organisation's scale (each 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rating {
    /// Likelihood, 1 = the lowest step of the scale.
    pub likelihood: u8,
    /// Impact, 1 = the lowest step of the scale.
    pub impact: u8,
}

impl Rating {
    /// The score: likelihood × impact.
    pub fn score(self) -> u32 {
        u32::from(self.likelihood) * u32::from(self.impact)
    }
}

/// One band of risk scores and who may accept a risk in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskLevel {
    /// Name (`low`, `medium`, `high`, `critical`).
    pub name: String,
    /// Highest score in this band (inclusive); bands are ordered.
    pub max_score: u32,
    /// Roles that may accept a risk of this level; empty means such a risk
    /// cannot be accepted and must be treated.
    pub accepted_by: Vec<String>,
}

/// The organisation's risk method: scales, levels and appetite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskScale {
    /// Names of the likelihood steps, lowest first.
    pub likelihood: Vec<String>,
    /// Names of the impact steps, lowest first.
    pub impact: Vec<String>,
    /// Score bands, ascending by `max_score`.
    pub levels: Vec<RiskLevel>,
    /// The highest residual score the organisation tolerates without a
    /// recorded acceptance.
    pub appetite: u32,
    /// The longest a risk acceptance is valid without renewal.
    pub max_acceptance: Cadence,
}

impl RiskScale {
    /// The level a score falls in (the last level when above all bands).
    pub fn level(&self, score: u32) -> Option<&RiskLevel> {
        self.levels
            .iter()
            .find(|l| score <= l.max_score)
            .or(self.levels.last())
    }

    /// Whether a rating lies on the scale.
    pub fn contains(&self, rating: Rating) -> bool {
        rating.likelihood >= 1
            && usize::from(rating.likelihood) <= self.likelihood.len()
            && rating.impact >= 1
            && usize::from(rating.impact) <= self.impact.len()
    }
}

impl Default for RiskScale {
    /// A 5 × 5 scale with four levels, the common choice.
    fn default() -> Self {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect();
        Self {
            likelihood: names(&["rare", "unlikely", "possible", "likely", "almost-certain"]),
            impact: names(&["negligible", "minor", "moderate", "major", "severe"]),
            levels: vec![
                RiskLevel {
                    name: "low".into(),
                    max_score: 4,
                    accepted_by: vec!["risk-owner".into()],
                },
                RiskLevel {
                    name: "medium".into(),
                    max_score: 9,
                    accepted_by: vec!["ciso".into()],
                },
                RiskLevel {
                    name: "high".into(),
                    max_score: 16,
                    accepted_by: vec!["ceo".into()],
                },
                RiskLevel {
                    name: "critical".into(),
                    max_score: 25,
                    accepted_by: vec![],
                },
            ],
            appetite: 6,
            max_acceptance: Cadence::years(1),
        }
    }
}

/// The four ISO 27005 treatment options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Reduce it with controls.
    Mitigate,
    /// Retain it, formally approved by someone with the authority.
    Accept,
    /// Share it (insurance, a provider).
    Transfer,
    /// Stop the activity that causes it.
    Avoid,
}

impl Strategy {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mitigate => "mitigate",
            Self::Accept => "accept",
            Self::Transfer => "transfer",
            Self::Avoid => "avoid",
        }
    }
}

/// The treatment decided for a risk.
#[derive(Clone, Debug, Serialize)]
pub struct Treatment {
    /// Which option.
    pub strategy: Strategy,
    /// Who proposed it; segregation of duties (A.5.3) forbids them approving it.
    #[serde(serialize_with = "ser_ref")]
    pub proposed_by: Option<Reference>,
    /// Why this option.
    pub rationale: Option<String>,
    /// For an acceptance, the date it lapses (capped by the scale's
    /// `max_acceptance` from the approval).
    pub expires: Option<Date>,
    /// Where it is defined.
    #[serde(skip)]
    pub location: Location,
}

/// When a risk was last reviewed and how often it must be.
#[derive(Clone, Debug)]
pub struct Review {
    /// The review cadence.
    pub cadence: Cadence,
    /// Date of the last review; none means never reviewed.
    pub last_reviewed: Option<Date>,
    /// Where it is defined.
    pub location: Location,
}

/// An entry of the risk register.
///
/// Its content hash (see [`crate::hash`]) covers everything that was decided:
/// all fields but `review` (reviewing a risk without changing it must not void
/// its acceptance) and the locations.
#[derive(Clone, Debug, Serialize)]
pub struct Risk {
    /// Stable identifier (`R-004`).
    pub id: String,
    /// Short title.
    pub title: String,
    /// Fuller statement of the risk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The asset at risk.
    pub asset: String,
    /// The threat.
    pub threat: String,
    /// The vulnerability the threat exploits.
    pub vulnerability: String,
    /// Accountable owner.
    #[serde(serialize_with = "ser_ref")]
    pub owner: Option<Reference>,
    /// Rating before controls.
    pub inherent: Rating,
    /// Rating with the treating controls in place; none means not yet
    /// assessed (the inherent rating then stands).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residual: Option<Rating>,
    /// The decided treatment; none means untreated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treatment: Option<Treatment>,
    /// Controls that treat it, as listed on the risk (controls also list the
    /// risks they treat; both directions count).
    #[serde(serialize_with = "ser_refs")]
    pub controls: Vec<Reference>,
    /// Review cadence and last review.
    #[serde(skip)]
    pub review: Review,
    /// Where it is defined.
    #[serde(skip)]
    pub location: Location,
}

impl Risk {
    /// The rating that stands now: residual if assessed, else inherent.
    pub fn current(&self) -> Rating {
        self.residual.unwrap_or(self.inherent)
    }
}

fn ser_ref<S: serde::Serializer>(r: &Option<Reference>, s: S) -> Result<S::Ok, S::Error> {
    match r {
        Some(r) => s.serialize_some(&r.id),
        None => s.serialize_none(),
    }
}

fn ser_refs<S: serde::Serializer>(r: &[Reference], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(r.iter().map(|r| &r.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_bands() {
        let scale = RiskScale::default();
        let name = |s| scale.level(s).map(|l| l.name.as_str());
        assert_eq!(name(1), Some("low"));
        assert_eq!(name(4), Some("low"));
        assert_eq!(name(5), Some("medium"));
        assert_eq!(name(25), Some("critical"));
        assert_eq!(name(99), Some("critical"));
        assert!(scale.contains(Rating {
            likelihood: 5,
            impact: 1
        }));
        assert!(!scale.contains(Rating {
            likelihood: 6,
            impact: 1
        }));
        assert!(!scale.contains(Rating {
            likelihood: 0,
            impact: 1
        }));
    }
}
