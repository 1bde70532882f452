//! Improvement and oversight: `missing-management-review`,
//! `missing-internal-audit`.

use evident_model::finding::{FindingCode, ObjectKind, Severity};
use evident_model::time::{Cadence, Date};

use crate::Context;

pub(crate) fn check(cx: &mut Context) {
    let isms = cx.isms;
    let cadences = &isms.organisation.cadences;
    let reviews: Vec<Date> = isms.management_reviews.iter().map(|m| m.date).collect();
    let audits: Vec<Date> = isms.internal_audits.iter().map(|a| a.date).collect();
    recurring(
        cx,
        FindingCode::MissingManagementReview,
        "management review (9.3)",
        &reviews,
        cadences.management_review,
    );
    recurring(
        cx,
        FindingCode::MissingInternalAudit,
        "internal audit (9.2)",
        &audits,
        cadences.internal_audit,
    );
}

fn recurring(cx: &mut Context, code: FindingCode, what: &str, dates: &[Date], cadence: Cadence) {
    let since = cadence.before(cx.at);
    let latest = dates.iter().filter(|d| **d <= cx.at).max();
    let message = match latest {
        Some(d) if *d >= since => return,
        Some(d) => {
            format!("the last {what} was on {d}; one is required every {cadence} (since {since})")
        }
        None => format!("no {what} is recorded; one is required every {cadence}"),
    };
    let location = cx.isms.organisation.location.clone();
    let name = cx.isms.organisation.name.clone();
    cx.report(
        code,
        Severity::Error,
        (ObjectKind::Organisation, &name),
        Some(&location),
        message,
    );
}
