//! One-time risk assessments: `stale-risk-review`, `untreated-risk`,
//! `unapproved-risk-acceptance`, `expired-risk-acceptance`.

use std::collections::HashMap;

use evident_model::decision::{Decision, DecisionKind};
use evident_model::finding::{FindingCode, ObjectKind, Severity};
use evident_model::hash;
use evident_model::risk::{Risk, Strategy};

use crate::Context;

pub(crate) fn check(cx: &mut Context) {
    let isms = cx.isms;
    // Treating controls are listed on the risk, on the control, or both.
    let mut treated_by: HashMap<&str, usize> = HashMap::new();
    for c in isms.controls.iter().filter(|c| c.is_live()) {
        for r in &c.risks {
            *treated_by.entry(r.id.as_str()).or_default() += 1;
        }
    }
    let mut acceptances: HashMap<&str, Vec<&Decision>> = HashMap::new();
    for d in isms
        .decisions
        .iter()
        .filter(|d| d.kind == DecisionKind::RiskAcceptance && d.date <= cx.at)
    {
        acceptances
            .entry(d.subject.id.as_str())
            .or_default()
            .push(d);
    }

    for risk in &isms.risks {
        review(cx, risk);
        let controls = risk.controls.len() + treated_by.get(risk.id.as_str()).copied().unwrap_or(0);
        treatment(cx, risk, controls);
        if risk
            .treatment
            .as_ref()
            .is_some_and(|t| t.strategy == Strategy::Accept)
        {
            acceptance(
                cx,
                risk,
                acceptances
                    .get(risk.id.as_str())
                    .map_or(&[][..], Vec::as_slice),
            );
        }
    }
}

fn review(cx: &mut Context, risk: &Risk) {
    let object = (ObjectKind::Risk, risk.id.as_str());
    match risk.review.last_reviewed {
        None => cx.report(
            FindingCode::StaleRiskReview,
            Severity::Error,
            object,
            Some(&risk.review.location),
            format!(
                "risk {} has never been reviewed (cadence {})",
                risk.id, risk.review.cadence
            ),
        ),
        Some(last) => {
            let due = risk.review.cadence.after(last);
            if due < cx.at {
                cx.report(
                    FindingCode::StaleRiskReview,
                    Severity::Error,
                    object,
                    Some(&risk.review.location),
                    format!(
                        "risk {} was last reviewed {last}; with a cadence of {} the review was due {due}",
                        risk.id, risk.review.cadence
                    ),
                );
            }
        }
    }
}

fn treatment(cx: &mut Context, risk: &Risk, controls: usize) {
    let scale = &cx.isms.organisation.risk;
    let score = risk.current().score();
    if score <= scale.appetite {
        return;
    }
    let object = (ObjectKind::Risk, risk.id.as_str());
    let level = scale.level(score).map_or("", |l| l.name.as_str());
    let strategy = risk.treatment.as_ref().map(|t| t.strategy);
    match strategy {
        None => cx.report(
            FindingCode::UntreatedRisk,
            Severity::Error,
            object,
            Some(&risk.location),
            format!(
                "risk {} scores {score} ({level}), above the appetite of {}, and has no treatment",
                risk.id, scale.appetite
            ),
        ),
        Some(Strategy::Mitigate) if controls == 0 => cx.report(
            FindingCode::UntreatedRisk,
            Severity::Error,
            object,
            risk.treatment.as_ref().map(|t| &t.location),
            format!("risk {} scores {score} ({level}) and is to be mitigated, but no control treats it", risk.id),
        ),
        Some(Strategy::Mitigate) if risk.residual.is_some() => cx.report(
            FindingCode::UntreatedRisk,
            Severity::Warning,
            object,
            risk.treatment.as_ref().map(|t| &t.location),
            format!(
                "risk {}'s residual score {score} ({level}) stays above the appetite of {} after its controls; strengthen them or accept the residual risk formally",
                risk.id, scale.appetite
            ),
        ),
        _ => {}
    }
}

fn acceptance(cx: &mut Context, risk: &Risk, decisions: &[&Decision]) {
    let object = (ObjectKind::Risk, risk.id.as_str());
    let Some(treatment) = &risk.treatment else {
        return;
    };
    let scale = &cx.isms.organisation.risk;
    let score = risk.current().score();
    let Some(level) = scale.level(score) else {
        return;
    };
    let problem = |cx: &mut Context, message: String| {
        cx.report(
            FindingCode::UnapprovedRiskAcceptance,
            Severity::Error,
            object,
            Some(&treatment.location),
            message,
        )
    };

    if let Some(expires) = treatment.expires.filter(|e| *e < cx.at) {
        cx.report(
            FindingCode::ExpiredRiskAcceptance,
            Severity::Error,
            object,
            Some(&treatment.location),
            format!("the acceptance of risk {} expired on {expires}", risk.id),
        );
    }
    if level.accepted_by.is_empty() {
        problem(
            cx,
            format!(
                "risk {} scores {score} ({}); risks of this level cannot be accepted and must be treated",
                risk.id, level.name
            ),
        );
        return;
    }
    // Hashing costs more than the rest of the rule: only when there is an
    // approval to compare with.
    let current = (!decisions.is_empty()).then(|| hash::risk(risk));
    let Some(decision) = decisions
        .iter()
        .filter(|d| Some(&d.subject_hash) == current.as_ref())
        .max_by_key(|d| d.date)
    else {
        match decisions.iter().max_by_key(|d| d.date) {
            Some(old) => problem(
                cx,
                format!(
                    "risk {} changed after {} approved its acceptance on {} ({}); the approval no longer covers it",
                    risk.id, old.approved_by.id, old.date, old.id
                ),
            ),
            None => problem(
                cx,
                format!(
                    "risk {} is accepted, but no approval of the acceptance is recorded",
                    risk.id
                ),
            ),
        }
        return;
    };
    let approver = cx
        .index
        .owners
        .get(decision.approved_by.id.as_str())
        .copied();
    let holds_role = approver.is_some_and(|o| o.has_role(&decision.role));
    if !level.accepted_by.iter().any(|r| r == &decision.role) || !holds_role {
        problem(
            cx,
            format!(
                "{} approved risk {} as `{}`, but a {} risk (score {score}) may only be accepted by {}",
                decision.approved_by.id,
                risk.id,
                decision.role,
                level.name,
                level.accepted_by.join(" or ")
            ),
        );
    }
    if treatment
        .proposed_by
        .as_ref()
        .is_some_and(|p| p.id == decision.approved_by.id)
    {
        problem(
            cx,
            format!(
                "{} both proposed and approved the acceptance of risk {}; segregation of duties (A.5.3) requires another approver",
                decision.approved_by.id, risk.id
            ),
        );
    }

    // An approval also lapses after the scale's longest acceptance, even when
    // the risk names no expiry (or a later one).
    let lapse = scale.max_acceptance.after(decision.date);
    if lapse < cx.at && treatment.expires.is_none_or(|e| e >= cx.at) {
        cx.report(
            FindingCode::ExpiredRiskAcceptance,
            Severity::Error,
            object,
            Some(&treatment.location),
            format!(
                "the acceptance of risk {} lapsed on {lapse} (approved {} by {})",
                risk.id, decision.date, decision.approved_by.id
            ),
        );
    }
}
