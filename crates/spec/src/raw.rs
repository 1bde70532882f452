//! The files' shapes, exactly as users write them. Every struct rejects
//! unknown keys; every value that can be wrong in a way serde cannot see
//! (dates, durations, references) is kept [`Spanned`] so its diagnostic
//! points at it.

use serde::Deserialize;
use serde_saphyr::Spanned;

use evident_model::control::{ControlKind, Lifecycle};
use evident_model::owner::OwnerKind;
use evident_model::risk::Strategy;
use evident_model::soa::InclusionReason;
use evident_model::vendor::AssuranceKind;

/// A spanned string: identifiers, dates, durations, references.
pub(crate) type S = Spanned<String>;

/// `evident.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrganisationFile {
    pub organisation: String,
    pub scope: String,
    #[serde(default)]
    pub frameworks: Vec<S>,
    #[serde(default)]
    pub risk: Option<RiskScale>,
    #[serde(default)]
    pub cadences: Option<Cadences>,
    #[serde(default)]
    pub public_key: Option<String>,
    /// Parameters of checks, by check id.
    #[serde(default)]
    pub checks:
        std::collections::BTreeMap<String, Spanned<serde_json::Map<String, serde_json::Value>>>,
    #[serde(default)]
    pub evidence: Option<EvidenceSettings>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceSettings {
    pub audit_period: Option<S>,
    pub min_coverage: Option<Spanned<f64>>,
    pub max_manual_share: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RiskScale {
    pub likelihood: Vec<String>,
    pub impact: Vec<String>,
    pub levels: Vec<RiskLevel>,
    pub appetite: Spanned<u32>,
    #[serde(default)]
    pub max_acceptance: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RiskLevel {
    pub name: S,
    pub max_score: Spanned<u32>,
    #[serde(default)]
    pub accepted_by: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Cadences {
    pub management_review: Option<S>,
    pub internal_audit: Option<S>,
    pub risk_review: Option<S>,
    pub evidence_freshness: Option<S>,
}

/// `owners.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OwnersFile {
    #[serde(default)]
    pub owners: Vec<Owner>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Owner {
    pub id: S,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub kind: Option<OwnerKind>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub lead: Option<S>,
}

/// `vendors.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VendorsFile {
    #[serde(default)]
    pub vendors: Vec<Vendor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Vendor {
    pub id: S,
    pub name: String,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub owner: Option<S>,
    #[serde(default)]
    pub boundary: Option<String>,
    #[serde(default)]
    pub covers: Vec<S>,
    #[serde(default)]
    pub assurance: Vec<Spanned<Assurance>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Assurance {
    pub kind: AssuranceKind,
    pub scope: String,
    pub issued: S,
    pub expires: S,
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub reviewed_by: Option<S>,
    #[serde(default)]
    pub reviewed_on: Option<S>,
}

/// `controls/*.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ControlsFile {
    #[serde(default)]
    pub controls: Vec<Control>,
}

/// `owned`, `shared` or `inherited` as written.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Responsibility {
    Owned,
    Shared,
    Inherited,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Control {
    pub id: S,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub kind: ControlKind,
    #[serde(default)]
    pub responsibility: Option<Spanned<Responsibility>>,
    #[serde(default)]
    pub provider: Option<S>,
    #[serde(default)]
    pub boundary: Option<String>,
    #[serde(default)]
    pub owner: Option<S>,
    #[serde(default)]
    pub lifecycle: Option<Lifecycle>,
    #[serde(default)]
    pub due: Option<S>,
    #[serde(default)]
    pub satisfies: Vec<S>,
    #[serde(default)]
    pub risks: Vec<S>,
    #[serde(default)]
    pub evidence: Vec<Spanned<EvidenceRequirement>>,
    #[serde(default)]
    pub documents: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceRequirement {
    pub id: S,
    pub description: String,
    #[serde(default)]
    pub source: Option<S>,
    #[serde(default)]
    pub freshness: Option<S>,
}

/// `risks/*.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RisksFile {
    #[serde(default)]
    pub risks: Vec<Risk>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Risk {
    pub id: S,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub asset: String,
    pub threat: String,
    pub vulnerability: String,
    #[serde(default)]
    pub owner: Option<S>,
    pub inherent: Spanned<Rating>,
    #[serde(default)]
    pub residual: Option<Spanned<Rating>>,
    #[serde(default)]
    pub treatment: Option<Spanned<Treatment>>,
    #[serde(default)]
    pub controls: Vec<S>,
    #[serde(default)]
    pub review: Option<Spanned<Review>>,
}

/// Likelihood and impact, each a step number (1 = lowest) or a step name
/// from the organisation's scale.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rating {
    pub likelihood: S,
    pub impact: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Treatment {
    pub strategy: Strategy,
    #[serde(default)]
    pub proposed_by: Option<S>,
    #[serde(default)]
    pub rationale: Option<String>,
    #[serde(default)]
    pub expires: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Review {
    #[serde(default)]
    pub cadence: Option<S>,
    #[serde(default)]
    pub last_reviewed: Option<S>,
}

/// `soa.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SoaFile {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub applicability: Vec<Spanned<Applicability>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Applicability {
    pub requirement: S,
    pub applicable: bool,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub reasons: Vec<InclusionReason>,
}

/// `sources.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourcesFile {
    #[serde(default)]
    pub sources: Vec<Source>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Source {
    pub name: S,
    pub collector: S,
    #[serde(default)]
    pub parameters: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub schedule: Option<S>,
    #[serde(default)]
    pub controls: Vec<S>,
}

/// A policy's front matter.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyFrontMatter {
    pub id: S,
    pub title: String,
    #[serde(default)]
    pub owner: Option<S>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub implemented_by: Vec<S>,
}

/// The first pass over a decision file: only its `kind`, which selects the
/// shape of the second pass (an internally tagged enum would lose spans).
#[derive(Deserialize)]
pub(crate) struct DecisionKindProbe {
    pub kind: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Approval {
    #[allow(dead_code)] // read by the probe; present so it is not "unknown"
    pub kind: S,
    pub id: S,
    pub subject: S,
    pub subject_hash: S,
    pub approved_by: S,
    pub role: String,
    pub date: S,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManagementReview {
    #[allow(dead_code)]
    pub kind: S,
    pub id: S,
    pub date: S,
    #[serde(default)]
    pub chair: Option<S>,
    #[serde(default)]
    pub attendees: Vec<S>,
    #[serde(default)]
    pub inputs: Vec<String>,
    #[serde(default)]
    pub outputs: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InternalAudit {
    #[allow(dead_code)]
    pub kind: S,
    pub id: S,
    pub date: S,
    #[serde(default)]
    pub auditor: Option<S>,
    pub scope: String,
    #[serde(default)]
    pub conclusion: Option<String>,
}
