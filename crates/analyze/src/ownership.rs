//! Undefined control ownership: `unowned-control`, `unowned-risk`,
//! `unknown-owner`, `inactive-owner`.

use evident_model::Reference;
use evident_model::finding::{FindingCode, ObjectKind, Severity};

use crate::Context;

pub(crate) fn check(cx: &mut Context) {
    let isms = cx.isms;
    for c in isms.controls.iter().filter(|c| c.is_live()) {
        let object = (ObjectKind::Control, c.id.as_str());
        match &c.owner {
            None => cx.report(
                FindingCode::UnownedControl,
                Severity::Error,
                object,
                Some(&c.location),
                format!("control {} has no owner", c.id),
            ),
            Some(owner) => accountable(cx, object, owner),
        }
    }
    for r in &isms.risks {
        let object = (ObjectKind::Risk, r.id.as_str());
        match &r.owner {
            None => cx.report(
                FindingCode::UnownedRisk,
                Severity::Error,
                object,
                Some(&r.location),
                format!("risk {} has no owner", r.id),
            ),
            Some(owner) => accountable(cx, object, owner),
        }
        if let Some(p) = r.treatment.as_ref().and_then(|t| t.proposed_by.as_ref()) {
            known(cx, object, p);
        }
    }
    for p in &isms.policies {
        if let Some(owner) = &p.owner {
            accountable(cx, (ObjectKind::Policy, &p.id), owner);
        }
    }
    for v in &isms.vendors {
        if let Some(owner) = &v.owner {
            accountable(cx, (ObjectKind::Vendor, &v.id), owner);
        }
        for a in &v.assurance {
            if let Some(r) = &a.reviewed_by {
                known(cx, (ObjectKind::Vendor, &v.id), r);
            }
        }
    }
    for o in &isms.owners {
        if let Some(lead) = &o.lead {
            accountable(cx, (ObjectKind::Owner, &o.id), lead);
        }
    }
    // Records of the past name people who may have left since: only their
    // existence is checked.
    for d in &isms.decisions {
        known(cx, (ObjectKind::Decision, &d.id), &d.approved_by);
    }
    for m in &isms.management_reviews {
        for p in m.chair.iter().chain(&m.attendees) {
            known(cx, (ObjectKind::Decision, &m.id), p);
        }
    }
    for a in &isms.internal_audits {
        if let Some(p) = &a.auditor {
            known(cx, (ObjectKind::Decision, &a.id), p);
        }
    }
}

/// An owner who must exist and still be active.
fn accountable(cx: &mut Context, object: (ObjectKind, &str), owner: &Reference) {
    match cx.index.owners.get(owner.id.as_str()) {
        None => unknown(cx, object, owner),
        Some(o) if !o.active => cx.report(
            FindingCode::InactiveOwner,
            Severity::Error,
            object,
            Some(&owner.at),
            format!(
                "{} {} is owned by `{}`, who is marked inactive",
                object.0.as_str(),
                object.1,
                o.id
            ),
        ),
        Some(_) => {}
    }
}

/// A person named in a record, who must at least exist.
fn known(cx: &mut Context, object: (ObjectKind, &str), person: &Reference) {
    if !cx.index.owners.contains_key(person.id.as_str()) {
        unknown(cx, object, person);
    }
}

fn unknown(cx: &mut Context, object: (ObjectKind, &str), person: &Reference) {
    cx.report(
        FindingCode::UnknownOwner,
        Severity::Error,
        object,
        Some(&person.at),
        format!(
            "{} {} names `{}`, who is not in owners.yaml",
            object.0.as_str(),
            object.1,
            person.id
        ),
    );
}
