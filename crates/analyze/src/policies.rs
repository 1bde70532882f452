//! Policies not reflected in implementation: `policy-without-implementation`,
//! `unimplemented-control`.

use evident_model::control::Lifecycle;
use evident_model::finding::{FindingCode, ObjectKind, Severity};

use crate::Context;

pub(crate) fn check(cx: &mut Context) {
    let isms = cx.isms;
    for p in &isms.policies {
        let object = (ObjectKind::Policy, p.id.as_str());
        if p.implemented_by.is_empty() {
            cx.report(
                FindingCode::PolicyWithoutImplementation,
                Severity::Error,
                object,
                Some(&p.location),
                format!(
                    "policy {} ({}) names no control that implements it",
                    p.id, p.title
                ),
            );
            continue;
        }
        let running = p
            .implemented_by
            .iter()
            .filter_map(|r| cx.index.controls.get(r.id.as_str()))
            .any(|c| c.lifecycle == Lifecycle::Implemented);
        if !running {
            cx.report(
                FindingCode::PolicyWithoutImplementation,
                Severity::Error,
                object,
                Some(&p.location),
                format!(
                    "policy {} ({}) is implemented only by controls that are planned or retired",
                    p.id, p.title
                ),
            );
        }
    }

    for c in &isms.controls {
        let object = (ObjectKind::Control, c.id.as_str());
        match c.lifecycle {
            Lifecycle::Retired => {}
            Lifecycle::Planned => match c.due {
                Some(due) if due < cx.at => cx.report(
                    FindingCode::UnimplementedControl,
                    Severity::Error,
                    object,
                    Some(&c.location),
                    format!(
                        "control {} was due to run by {due} and is still planned",
                        c.id
                    ),
                ),
                due => cx.report(
                    FindingCode::UnimplementedControl,
                    Severity::Warning,
                    object,
                    Some(&c.location),
                    match due {
                        Some(due) => format!("control {} is planned, due {due}", c.id),
                        None => format!("control {} is planned with no due date", c.id),
                    },
                ),
            },
            Lifecycle::Implemented if c.evidence.is_empty() => cx.report(
                FindingCode::UnimplementedControl,
                Severity::Warning,
                object,
                Some(&c.location),
                format!(
                    "control {} is described but declares no evidence that it runs",
                    c.id
                ),
            ),
            Lifecycle::Implemented => {}
        }
    }
}
