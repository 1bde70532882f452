//! Evidence freshness: each source's newest evidence and its age at the
//! period's end, and the share of evidence requirements with fresh
//! evidence at each bucket's end.

use std::collections::BTreeSet;

use serde::Serialize;

use evident_model::control::Lifecycle;
use evident_model::evidence::Timestamp;
use evident_model::status;

use super::period::Clock;
use super::{Series, share};
use crate::Inputs;

/// One source's newest evidence at the period's end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceFreshness {
    /// The source's name.
    pub source: String,
    /// When its newest evidence was collected; `None` when none was.
    pub collected_at: Option<Timestamp>,
    /// Until when that evidence observed the system.
    pub observed_to: Option<Timestamp>,
    /// Its age in days at the period's end (from `observed_to`).
    pub age_days: Option<f64>,
}

/// Evidence freshness over the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FreshnessFigures {
    /// Every source of the ISMS (and any other with evidence), by name.
    pub sources: Vec<SourceFreshness>,
    /// The share of evidence requirements of implemented, applicable
    /// controls whose newest evidence was fresh at each bucket's end
    /// (`period`: at the period's end). A requirement without a source is
    /// never fresh.
    pub fresh_requirements: Series,
    /// How many evidence requirements are counted.
    pub requirements: u64,
}

/// Computes the figures.
pub(crate) fn figures(inputs: &Inputs, clock: &Clock) -> FreshnessFigures {
    let observations = inputs.observations;
    let names: BTreeSet<&str> = inputs
        .isms
        .sources
        .iter()
        .map(|s| s.name.as_str())
        .chain(observations.sources().map(|(s, _)| s))
        .collect();
    let sources = names
        .into_iter()
        .map(|source| {
            let newest = clock
                .period
                .and_then(|p| observations.newest(source, p.as_of).map(|r| (p, r)));
            SourceFreshness {
                source: source.to_string(),
                collected_at: newest.map(|(_, r)| r.item.collected_at),
                observed_to: newest.map(|(_, r)| r.item.observed.to),
                age_days: newest.map(|(p, r)| days_between(r.item.observed.to, p.as_of)),
            }
        })
        .collect();

    let (fresh_at, requirements) = fresh_counter(inputs);
    FreshnessFigures {
        sources,
        fresh_requirements: Series {
            name: "fresh evidence requirements".into(),
            buckets: clock
                .buckets
                .iter()
                .map(|s| s.and_then(|s| fresh_at(s.as_of)))
                .collect(),
            period: clock.period.and_then(|p| fresh_at(p.as_of)),
        },
        requirements,
    }
}

/// A function giving the share of requirements fresh at an instant, and
/// how many requirements it counts.
fn fresh_counter<'a>(inputs: &'a Inputs<'a>) -> (impl Fn(Timestamp) -> Option<f64> + 'a, u64) {
    let isms = inputs.isms;
    let counted = move || {
        isms.controls
            .iter()
            .filter(|c| c.lifecycle == Lifecycle::Implemented && !status::is_excluded(c, &isms.soa))
            .flat_map(|c| c.evidence.iter().map(move |r| (c, r)))
    };
    let total = counted().count() as u64;
    let fresh_at = move |at: Timestamp| {
        let fresh = counted()
            .filter(|(c, r)| {
                status::assess_requirement(c, r, inputs.observations, at)
                    .fresh_until
                    .is_some_and(|until| until > at)
            })
            .count() as u64;
        share(fresh, total)
    };
    (fresh_at, total)
}

/// Days from `from` to `to`, to a tenth of a day.
pub(crate) fn days_between(from: Timestamp, to: Timestamp) -> f64 {
    let seconds = (to.as_second() - from.as_second()) as f64;
    (seconds / 8_640.0).round() / 10.0
}
