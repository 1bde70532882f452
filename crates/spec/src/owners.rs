//! `owners.yaml` and `vendors.yaml`: who is accountable, and who supplies.

use evident_model::framework::RequirementRef;
use evident_model::owner::{Owner, OwnerKind};
use evident_model::vendor::{AssuranceDocument, Vendor};

use crate::context::FileContext;
use crate::raw;

pub(crate) fn owners(ctx: &mut FileContext, raw: raw::OwnersFile) -> Vec<Owner> {
    raw.owners
        .into_iter()
        .map(|o| Owner {
            id: ctx.id(&o.id),
            location: ctx.at(&o.id),
            name: o.name,
            email: o.email,
            kind: o.kind.unwrap_or(OwnerKind::Person),
            roles: o.roles,
            active: o.active.unwrap_or(true),
            lead: o.lead.as_ref().map(|l| ctx.reference(l)),
        })
        .collect()
}

pub(crate) fn vendors(
    ctx: &mut FileContext,
    raw: raw::VendorsFile,
    primary_framework: &str,
) -> Vec<Vendor> {
    raw.vendors
        .into_iter()
        .map(|v| {
            let mut assurance = Vec::with_capacity(v.assurance.len());
            for a in &v.assurance {
                let location = ctx.at(a);
                let a = &a.value;
                let (Some(issued), Some(expires)) = (ctx.date(&a.issued), ctx.date(&a.expires))
                else {
                    continue;
                };
                if expires < issued {
                    ctx.report(
                        "invalid-date",
                        ctx.at(&a.expires),
                        format!("expected an expiry after the issue date {issued}"),
                    );
                }
                assurance.push(AssuranceDocument {
                    kind: a.kind,
                    scope: a.scope.clone(),
                    issued,
                    expires,
                    document: a.document.clone(),
                    reviewed_by: a.reviewed_by.as_ref().map(|r| ctx.reference(r)),
                    reviewed_on: ctx.opt_date(&a.reviewed_on),
                    location,
                });
            }
            Vendor {
                id: ctx.id(&v.id),
                location: ctx.at(&v.id),
                name: v.name,
                services: v.services,
                owner: v.owner.as_ref().map(|o| ctx.reference(o)),
                assurance,
                boundary: v.boundary,
                covers: v
                    .covers
                    .iter()
                    .map(|c| {
                        (
                            RequirementRef::parse(&c.value, primary_framework),
                            ctx.at(c),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}
