//! Shared responsibility: `unvalidated-inherited-control`,
//! `expired-vendor-assurance`, `undocumented-boundary`.

use std::collections::HashSet;

use evident_model::control::Responsibility;
use evident_model::finding::{FindingCode, ObjectKind, Severity};
use evident_model::time::Cadence;

use crate::Context;

/// How far ahead an expiring report is worth a warning: time to request
/// the next one.
const EXPIRY_NOTICE: Cadence = Cadence::days(30);

pub(crate) fn check(cx: &mut Context) {
    let isms = cx.isms;
    let at = cx.at;
    let mut relied_on: HashSet<&str> = HashSet::new();
    for c in isms.controls.iter().filter(|c| c.is_live()) {
        let inherited = matches!(c.responsibility, Responsibility::Inherited { .. });
        if matches!(c.responsibility, Responsibility::Owned) {
            continue;
        }
        let object = (ObjectKind::Control, c.id.as_str());
        let kind = c.responsibility.as_str();
        let Some(provider) = c.responsibility.provider() else {
            cx.report(
                FindingCode::UnvalidatedInheritedControl,
                Severity::Error,
                object,
                Some(&c.location),
                format!("control {} is {kind} but names no provider", c.id),
            );
            continue;
        };
        relied_on.insert(provider.id.as_str());
        let Some(vendor) = cx.index.vendors.get(provider.id.as_str()).copied() else {
            continue;
        };

        let vendor_boundary = vendor
            .boundary
            .as_deref()
            .is_some_and(|b| !b.trim().is_empty());
        if c.boundary.is_none() && !(inherited && vendor_boundary) {
            cx.report(
                FindingCode::UndocumentedBoundary,
                Severity::Error,
                object,
                Some(&c.location),
                format!("control {} is {kind} with {} but does not say what {} does and what remains yours", c.id, vendor.id, vendor.name),
            );
        }

        if vendor.assurance.is_empty() {
            cx.report(
                FindingCode::UnvalidatedInheritedControl,
                Severity::Error,
                object,
                Some(&provider.at),
                format!(
                    "control {} relies on {}, which has no assurance document on record",
                    c.id, vendor.id
                ),
            );
        } else if vendor.relied_assurance(at).is_none() {
            // Expired documents are reported on the vendor; this is about
            // valid ones nobody has read.
            if vendor.assurance.iter().any(|a| a.valid_on(at)) {
                cx.report(
                    FindingCode::UnvalidatedInheritedControl,
                    Severity::Warning,
                    object,
                    Some(&provider.at),
                    format!("control {} relies on {}, whose current assurance nobody has reviewed (record `reviewed_by`)", c.id, vendor.id),
                );
            }
        }
    }

    for v in &isms.vendors {
        if !relied_on.contains(v.id.as_str()) && v.covers.is_empty() {
            continue;
        }
        let Some(newest) = v.assurance.iter().max_by_key(|a| a.expires) else {
            continue;
        };
        let object = (ObjectKind::Vendor, v.id.as_str());
        if newest.expires < at {
            cx.report(
                FindingCode::ExpiredVendorAssurance,
                Severity::Error,
                object,
                Some(&newest.location),
                format!(
                    "every assurance document of {} has expired; the newest ended {}",
                    v.id, newest.expires
                ),
            );
        } else if EXPIRY_NOTICE.before(newest.expires) <= at {
            cx.report(
                FindingCode::ExpiredVendorAssurance,
                Severity::Warning,
                object,
                Some(&newest.location),
                format!(
                    "the assurance of {} expires on {}; request the next report now",
                    v.id, newest.expires
                ),
            );
        }
    }
}
