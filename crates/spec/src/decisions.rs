//! `decisions/*.yaml`: one record per file: an approval bound to a content
//! hash, a management review, or an internal audit.

use evident_catalog::yaml;
use evident_model::decision::{Decision, DecisionKind, InternalAudit, ManagementReview};

use crate::context::FileContext;
use crate::raw;

/// A decision file's record.
pub(crate) enum Record {
    Approval(Decision),
    ManagementReview(ManagementReview),
    InternalAudit(InternalAudit),
}

pub(crate) const KINDS: &str = "risk-acceptance, treatment-plan, soa-approval, policy-approval, management-review, internal-audit";

pub(crate) fn convert(ctx: &mut FileContext, text: &str) -> Option<Record> {
    let probe: raw::DecisionKindProbe = match yaml::parse(&ctx.file, text) {
        Ok(p) => p,
        Err(d) => {
            ctx.diagnostics.push(d);
            return None;
        }
    };
    let approval_kind = match probe.kind.value.as_str() {
        "risk-acceptance" => Some(DecisionKind::RiskAcceptance),
        "treatment-plan" => Some(DecisionKind::TreatmentPlan),
        "soa-approval" => Some(DecisionKind::SoaApproval),
        "policy-approval" => Some(DecisionKind::PolicyApproval),
        _ => None,
    };
    let parsed = match (approval_kind, probe.kind.value.as_str()) {
        (Some(kind), _) => {
            yaml::parse::<raw::Approval>(&ctx.file, text).map(|a| approval(ctx, kind, a))
        }
        (None, "management-review") => {
            yaml::parse::<raw::ManagementReview>(&ctx.file, text).map(|m| review(ctx, m))
        }
        (None, "internal-audit") => {
            yaml::parse::<raw::InternalAudit>(&ctx.file, text).map(|a| audit(ctx, a))
        }
        (None, other) => {
            ctx.report(
                "invalid-value",
                ctx.at(&probe.kind),
                format!("expected a decision kind ({KINDS}), found `{other}`"),
            );
            return None;
        }
    };
    match parsed {
        Ok(record) => record,
        Err(d) => {
            ctx.diagnostics.push(d);
            None
        }
    }
}

fn approval(ctx: &mut FileContext, kind: DecisionKind, a: raw::Approval) -> Option<Record> {
    let date = ctx.date(&a.date)?;
    let subject_hash = match a.subject_hash.value.trim().parse() {
        Ok(h) => h,
        Err(e) => {
            ctx.report("invalid-hash", ctx.at(&a.subject_hash), format!("{e}"));
            return None;
        }
    };
    Some(Record::Approval(Decision {
        id: ctx.id(&a.id),
        location: ctx.at(&a.id),
        kind,
        subject: ctx.reference(&a.subject),
        subject_hash,
        approved_by: ctx.reference(&a.approved_by),
        role: a.role,
        date,
        comment: a.comment,
    }))
}

fn review(ctx: &mut FileContext, m: raw::ManagementReview) -> Option<Record> {
    Some(Record::ManagementReview(ManagementReview {
        id: ctx.id(&m.id),
        location: ctx.at(&m.id),
        date: ctx.date(&m.date)?,
        chair: m.chair.as_ref().map(|c| ctx.reference(c)),
        attendees: ctx.references(&m.attendees),
        inputs: m.inputs,
        outputs: m.outputs,
    }))
}

fn audit(ctx: &mut FileContext, a: raw::InternalAudit) -> Option<Record> {
    Some(Record::InternalAudit(InternalAudit {
        id: ctx.id(&a.id),
        location: ctx.at(&a.id),
        date: ctx.date(&a.date)?,
        auditor: a.auditor.as_ref().map(|c| ctx.reference(c)),
        scope: a.scope,
        conclusion: a.conclusion,
    }))
}
