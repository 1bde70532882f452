//! The whole ISMS as read from a repository.

use std::collections::HashMap;

use crate::control::Control;
use crate::decision::{Decision, InternalAudit, ManagementReview};
use crate::framework::Framework;
use crate::organisation::Organisation;
use crate::owner::Owner;
use crate::policy::Policy;
use crate::risk::Risk;
use crate::soa::Soa;
use crate::source::Source;
use crate::vendor::Vendor;

/// Everything the ISMS repository defines, validated and cross-referenced
/// (ids unique; references between the repository's own objects resolve).
/// References to owners and requirements may still dangle: those are
/// readiness findings, not read errors.
#[derive(Clone, Debug)]
pub struct Isms {
    /// `evident.yaml`.
    pub organisation: Organisation,
    /// `owners.yaml`.
    pub owners: Vec<Owner>,
    /// `vendors.yaml`.
    pub vendors: Vec<Vendor>,
    /// `controls/*.yaml`.
    pub controls: Vec<Control>,
    /// `risks/*.yaml`.
    pub risks: Vec<Risk>,
    /// `soa.yaml`.
    pub soa: Soa,
    /// `sources.yaml`.
    pub sources: Vec<Source>,
    /// `policies/*.md`.
    pub policies: Vec<Policy>,
    /// `decisions/*.yaml` approvals.
    pub decisions: Vec<Decision>,
    /// `decisions/*.yaml` management reviews.
    pub management_reviews: Vec<ManagementReview>,
    /// `decisions/*.yaml` internal audits.
    pub internal_audits: Vec<InternalAudit>,
    /// `frameworks/*.yaml`: the organisation's own frameworks.
    pub frameworks: Vec<Framework>,
}

impl Isms {
    /// Lookup tables by identifier, built once; use them wherever ids are
    /// resolved in bulk.
    pub fn index(&self) -> Index<'_> {
        fn by_id<'a, T>(items: &'a [T], id: impl Fn(&'a T) -> &'a str) -> HashMap<&'a str, &'a T> {
            let mut map = HashMap::with_capacity(items.len());
            for item in items {
                map.entry(id(item)).or_insert(item);
            }
            map
        }
        Index {
            owners: by_id(&self.owners, |o| &o.id),
            vendors: by_id(&self.vendors, |v| &v.id),
            controls: by_id(&self.controls, |c| &c.id),
            risks: by_id(&self.risks, |r| &r.id),
            policies: by_id(&self.policies, |p| &p.id),
        }
    }
}

/// Objects of an [`Isms`] by identifier.
#[derive(Debug)]
pub struct Index<'a> {
    /// Owners by id.
    pub owners: HashMap<&'a str, &'a Owner>,
    /// Vendors by id.
    pub vendors: HashMap<&'a str, &'a Vendor>,
    /// Controls by id.
    pub controls: HashMap<&'a str, &'a Control>,
    /// Risks by id.
    pub risks: HashMap<&'a str, &'a Risk>,
    /// Policies by id.
    pub policies: HashMap<&'a str, &'a Policy>,
}
