//! The Statement of Applicability and coverage: `uncovered-requirement`,
//! `unjustified-exclusion`, `unknown-requirement`.

use std::collections::HashSet;

use evident_model::finding::{FindingCode, ObjectKind, Severity};
use evident_model::framework::{ISO27001_2022, RequirementKind};

use crate::Context;

pub(crate) fn check(cx: &mut Context) {
    let isms = cx.isms;
    let catalog = cx.catalog;

    // Every requirement reference must name a requirement of a loaded framework.
    let mut satisfied: HashSet<(&str, &str)> = HashSet::new();
    for c in &isms.controls {
        for (r, at) in &c.satisfies {
            if catalog.requirement(r).is_none() {
                let reason = if catalog.framework(&r.framework).is_none() {
                    format!("framework `{}` is not loaded", r.framework)
                } else {
                    format!("`{}` has no requirement `{}`", r.framework, r.id)
                };
                cx.report(
                    FindingCode::UnknownRequirement,
                    Severity::Error,
                    (ObjectKind::Control, &c.id),
                    Some(at),
                    format!("control {} satisfies {r}, but {reason}", c.id),
                );
            } else if c.is_live() {
                satisfied.insert((r.framework.as_str(), r.id.as_str()));
            }
        }
    }
    for v in &isms.vendors {
        for (r, at) in &v.covers {
            if catalog.requirement(r).is_none() {
                cx.report(
                    FindingCode::UnknownRequirement,
                    Severity::Error,
                    (ObjectKind::Vendor, &v.id),
                    Some(at),
                    format!(
                        "vendor {} covers {r}, which no loaded framework defines",
                        v.id
                    ),
                );
            }
        }
    }

    let Some(iso) = catalog.framework(ISO27001_2022) else {
        return;
    };
    if !isms.organisation.uses(ISO27001_2022) {
        return;
    }
    let soa_file = isms
        .soa
        .location
        .as_ref()
        .unwrap_or(&isms.organisation.location);
    for e in &isms.soa.entries {
        let known = iso
            .requirement(&e.requirement)
            .is_some_and(|r| r.is_annex_a());
        if !known {
            cx.report(
                FindingCode::UnknownRequirement,
                Severity::Error,
                (ObjectKind::Requirement, &e.requirement),
                Some(&e.location),
                format!(
                    "the SoA decides on `{}`, which is not an ISO/IEC 27001:2022 Annex A control",
                    e.requirement
                ),
            );
        }
    }
    for r in &iso.requirements {
        let is_satisfied = satisfied.contains(&(ISO27001_2022, r.id.as_str()));
        if r.is_annex_a() {
            match isms.soa.entry(&r.id) {
                None => cx.report(
                    FindingCode::UncoveredRequirement,
                    Severity::Error,
                    (ObjectKind::Requirement, &r.id),
                    Some(soa_file),
                    format!(
                        "Annex A {} ({}) has no entry in the Statement of Applicability",
                        r.id, r.title
                    ),
                ),
                Some(e) if e.applicable && !is_satisfied => cx.report(
                    FindingCode::UncoveredRequirement,
                    Severity::Error,
                    (ObjectKind::Requirement, &r.id),
                    Some(&e.location),
                    format!(
                        "Annex A {} ({}) is applicable, but no control satisfies it",
                        r.id, r.title
                    ),
                ),
                Some(e) if !e.applicable && e.justification.is_none() => cx.report(
                    FindingCode::UnjustifiedExclusion,
                    Severity::Error,
                    (ObjectKind::Requirement, &r.id),
                    Some(&e.location),
                    format!(
                        "Annex A {} ({}) is excluded without a justification",
                        r.id, r.title
                    ),
                ),
                Some(_) => {}
            }
        } else if r.kind == RequirementKind::Clause && r.assessable && !is_satisfied {
            // Clauses 4–10 cannot be excluded; a control (often a process or
            // a document) should carry each.
            cx.report(
                FindingCode::UncoveredRequirement,
                Severity::Warning,
                (ObjectKind::Requirement, &r.id),
                Some(&isms.organisation.location),
                format!(
                    "clause {} ({}) is not satisfied by any control",
                    r.id, r.title
                ),
            );
        }
    }
}
