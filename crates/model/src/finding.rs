//! Findings: readiness problems with stable codes (DESIGN.md §5).

use std::fmt;

use serde::Serialize;

use crate::Location;

/// How serious a finding is. `check` exits 1 when any finding is an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; no action required.
    Info,
    /// Should be fixed before the audit.
    Warning,
    /// An auditor would raise a nonconformity.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

macro_rules! finding_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $pattern:literal, $hint:literal; )*) => {
        /// A stable finding code. The kebab-case text is the contract; the
        /// variant names follow it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FindingCode {
            $( $(#[$doc])* $variant, )*
        }

        impl FindingCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant),*];

            /// The stable kebab-case code.
            pub fn as_str(self) -> &'static str {
                match self { $(FindingCode::$variant => $code,)* }
            }

            /// The audit failure pattern (from the seed) this code detects.
            pub fn pattern(self) -> &'static str {
                match self { $(FindingCode::$variant => $pattern,)* }
            }

            /// A one-line hint on how to fix it.
            pub fn hint(self) -> &'static str {
                match self { $(FindingCode::$variant => $hint,)* }
            }
        }
    };
}

finding_codes! {
    /// A live control has no owner.
    UnownedControl = "unowned-control", "undefined control ownership",
        "name an accountable owner from owners.yaml in the control's `owner`";
    /// A risk has no owner.
    UnownedRisk = "unowned-risk", "undefined control ownership",
        "name an accountable owner from owners.yaml in the risk's `owner`";
    /// A reference names an owner that owners.yaml does not define.
    UnknownOwner = "unknown-owner", "undefined control ownership",
        "add the person or team to owners.yaml, or correct the identifier";
    /// A control, risk, policy or vendor is owned by someone inactive.
    InactiveOwner = "inactive-owner", "undefined control ownership",
        "hand the object over to an active owner";
    /// A policy names no implementing control, or only missing or planned ones.
    PolicyWithoutImplementation = "policy-without-implementation", "policies not reflected in implementation",
        "list in the policy's `implemented_by` the controls that put it into practice";
    /// A control is planned, past due, or declares no evidence that it runs.
    UnimplementedControl = "unimplemented-control", "policies not reflected in implementation",
        "implement the control and declare the evidence that shows it runs";
    /// A control's checks fail on its newest evidence.
    FailingControl = "failing-control", "policies not reflected in implementation",
        "fix the system the failing check names, then `evident collect` and `evident evaluate` again";
    /// Two sources disagree about a control, or the SoA contradicts its status.
    InconsistentEvidence = "inconsistent-evidence", "inconsistent evidence",
        "reconcile the sources, or correct the SoA";
    /// Re-collecting a closed period gave a different digest.
    IrreproducibleEvidence = "irreproducible-evidence", "inconsistent evidence",
        "make the collector deterministic for a closed period";
    /// A risk's review is overdue for its cadence.
    StaleRiskReview = "stale-risk-review", "one-time risk assessments",
        "review the risk and record `review.last_reviewed`";
    /// A risk above appetite has no (sufficient) treatment.
    UntreatedRisk = "untreated-risk", "one-time risk assessments",
        "choose a treatment: mitigate with controls, transfer, avoid, or accept with approval";
    /// An accepted risk lacks a valid approval bound to its current content.
    UnapprovedRiskAcceptance = "unapproved-risk-acceptance", "one-time risk assessments",
        "run `evident approve risk ID --as OWNER` by someone with the authority for its level";
    /// A risk acceptance has lapsed.
    ExpiredRiskAcceptance = "expired-risk-acceptance", "one-time risk assessments",
        "re-assess the risk and renew the acceptance, or treat it";
    /// Evidence for a control arrived in a burst just before the audit.
    LastMinuteEvidence = "last-minute-evidence", "last-minute evidence collection",
        "collect evidence continuously on a schedule";
    /// The newest evidence is older than the requirement's freshness.
    StaleEvidence = "stale-evidence", "last-minute evidence collection",
        "run `evident collect` for the source, and schedule it";
    /// A control has never produced the evidence it requires.
    MissingEvidence = "missing-evidence", "last-minute evidence collection",
        "collect it from its source (`evident collect`); for evidence a person provides, name a `manual` source and record it with `evident evidence add`";
    /// A requirement is neither decided in the SoA nor satisfied by a control.
    UncoveredRequirement = "uncovered-requirement", "Statement of Applicability",
        "add a SoA entry and a control that satisfies the requirement";
    /// An Annex A control is excluded without a justification.
    UnjustifiedExclusion = "unjustified-exclusion", "Statement of Applicability",
        "write why the control does not apply in the SoA entry's `justification`";
    /// A reference names a requirement no loaded framework defines.
    UnknownRequirement = "unknown-requirement", "Statement of Applicability",
        "use an identifier from `evident catalog list`, e.g. `A.8.5`";
    /// An inherited or shared control is not backed by reviewed, valid vendor assurance.
    UnvalidatedInheritedControl = "unvalidated-inherited-control", "shared responsibility",
        "record the provider's assurance document and who reviewed it in vendors.yaml";
    /// A vendor's assurance documents have all expired.
    ExpiredVendorAssurance = "expired-vendor-assurance", "shared responsibility",
        "obtain the vendor's current report or certificate and record it";
    /// A shared or inherited control does not say where the boundary lies.
    UndocumentedBoundary = "undocumented-boundary", "shared responsibility",
        "write in `boundary` what the provider does and what remains yours";
    /// A corrective action is past its deadline.
    OverdueCorrectiveAction = "overdue-corrective-action", "improvement and oversight",
        "complete the action or re-plan it with management's approval";
    /// A nonconformity was closed without verifying the action worked.
    UnverifiedClosure = "unverified-closure", "improvement and oversight",
        "record who verified the effectiveness of the corrective action, and how";
    /// An incident has no post-mortem.
    IncidentWithoutPostmortem = "incident-without-postmortem", "improvement and oversight",
        "hold and record the post-mortem with its root cause";
    /// No management review in the required cadence.
    MissingManagementReview = "missing-management-review", "improvement and oversight",
        "hold a management review (9.3) and record it under decisions/";
    /// No internal audit in the required cadence.
    MissingInternalAudit = "missing-internal-audit", "improvement and oversight",
        "run an internal audit (9.2) and record it under decisions/";
    /// Too large a share of evidence is uploaded by hand.
    ManualEvidenceExcess = "manual-evidence-excess", "evidence quality",
        "replace screenshots and uploads with a collector from the system";
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The kind of object a finding concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectKind {
    /// The organisation's settings.
    Organisation,
    /// An implemented control.
    Control,
    /// A register risk.
    Risk,
    /// An owner.
    Owner,
    /// A vendor.
    Vendor,
    /// A policy.
    Policy,
    /// A framework requirement.
    Requirement,
    /// A decision record.
    Decision,
}

impl ObjectKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Control => "control",
            Self::Risk => "risk",
            Self::Owner => "owner",
            Self::Vendor => "vendor",
            Self::Policy => "policy",
            Self::Requirement => "requirement",
            Self::Decision => "decision",
        }
    }
}

/// A readiness problem found by analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The stable code.
    pub code: FindingCode,
    /// How serious.
    pub severity: Severity,
    /// The kind of object concerned.
    pub object_kind: ObjectKind,
    /// The object's identifier.
    pub object_id: String,
    /// Where the problem is written (or where the object is defined).
    pub location: Option<Location>,
    /// What is wrong, specifically.
    pub message: String,
}

impl Finding {
    /// The fix hint of the finding's code.
    pub fn hint(&self) -> &'static str {
        self.code.hint()
    }
}
