//! `controls/*.yaml`: the implemented controls and their five-part mapping.

use evident_model::control::{Control, EvidenceRequirement, Lifecycle, Responsibility};
use evident_model::framework::RequirementRef;
use evident_model::time::Cadence;

use crate::context::FileContext;
use crate::raw;

pub(crate) fn convert(
    ctx: &mut FileContext,
    raw: raw::ControlsFile,
    primary_framework: &str,
    default_freshness: Cadence,
) -> Vec<Control> {
    raw.controls
        .into_iter()
        .map(|c| {
            let provider = c.provider.as_ref().map(|p| ctx.reference(p));
            let responsibility = match c.responsibility.as_ref().map(|r| r.value) {
                None | Some(raw::Responsibility::Owned) => {
                    if let Some(p) = &c.provider {
                        ctx.report(
                            "invalid-value",
                            ctx.at(p),
                            "a provider is only meaningful for `shared` or `inherited` responsibility",
                        );
                    }
                    Responsibility::Owned
                }
                Some(raw::Responsibility::Shared) => Responsibility::Shared { provider },
                Some(raw::Responsibility::Inherited) => Responsibility::Inherited { provider },
            };
            let evidence = c
                .evidence
                .iter()
                .map(|e| EvidenceRequirement {
                    id: ctx.id(&e.value.id),
                    description: e.value.description.clone(),
                    source: e.value.source.as_ref().map(|s| ctx.reference(s)),
                    freshness: ctx.cadence(&e.value.freshness, default_freshness),
                    location: ctx.at(e),
                })
                .collect();
            Control {
                id: ctx.id(&c.id),
                location: ctx.at(&c.id),
                title: c.title,
                description: c.description.unwrap_or_default(),
                kind: c.kind,
                responsibility,
                boundary: c.boundary.filter(|b| !b.trim().is_empty()),
                owner: c.owner.as_ref().map(|o| ctx.reference(o)),
                lifecycle: c.lifecycle.unwrap_or(Lifecycle::Implemented),
                due: ctx.opt_date(&c.due),
                satisfies: c
                    .satisfies
                    .iter()
                    .map(|s| (RequirementRef::parse(&s.value, primary_framework), ctx.at(s)))
                    .collect(),
                risks: ctx.references(&c.risks),
                evidence,
                documents: c.documents,
            }
        })
        .collect()
}
