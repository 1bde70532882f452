//! Control effectiveness (the indicator of clause 9.1): the share of each
//! bucket, and of the period, during which each implemented, applicable
//! control was effective, averaged overall and per Annex A theme.

use serde::Serialize;

use evident_catalog::Catalog;
use evident_model::control::{Control, Lifecycle};
use evident_model::evidence::Timestamp;
use evident_model::framework::ISO27001_2022;
use evident_model::status::{self, ControlStatus, Effectiveness};

use super::period::{Clock, Span};
use super::{Series, mean};
use crate::Inputs;

/// How the averages weigh controls, stated in every rendering.
pub const WEIGHTING: &str = "Each implemented control the Statement of Applicability does not exclude counts once, with equal weight, overall and in every Annex A theme of the requirements it satisfies; a control with no Annex A requirement counts overall only.";

/// The Annex A themes in the standard's order; any other theme follows.
const THEME_ORDER: [&str; 4] = ["organizational", "people", "physical", "technological"];

/// One control's effectiveness.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlEffectiveness {
    /// The control's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The Annex A themes of the requirements it satisfies.
    pub themes: Vec<String>,
    /// Its status at the period's end (or the report's instant).
    pub status_at_end: Option<ControlStatus>,
    /// The share of each bucket it was effective.
    pub buckets: Vec<Option<f64>>,
    /// The share of the period it was effective.
    pub period: Option<f64>,
}

/// Control effectiveness over the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectivenessFigures {
    /// How controls are weighed in the averages.
    pub weighting: &'static str,
    /// The average over every counted control.
    pub overall: Series,
    /// The average per Annex A theme.
    pub themes: Vec<Series>,
    /// Each counted control, least effective first.
    pub controls: Vec<ControlEffectiveness>,
    /// How many counted controls were effective at the period's end.
    pub effective_at_end: Option<u64>,
}

/// Computes the figures.
pub(crate) fn figures(inputs: &Inputs, clock: &Clock) -> EffectivenessFigures {
    let isms = inputs.isms;
    let mut controls: Vec<ControlEffectiveness> = isms
        .controls
        .iter()
        .filter(|c| c.lifecycle == Lifecycle::Implemented && !status::is_excluded(c, &isms.soa))
        .map(|c| control(c, inputs, clock))
        .collect();

    let mut theme_names: Vec<String> = controls.iter().flat_map(|c| c.themes.clone()).collect();
    theme_names.sort_by_key(|t| (theme_rank(t), t.clone()));
    theme_names.dedup();

    let average = |name: String, members: &[&ControlEffectiveness]| Series {
        buckets: (0..clock.buckets.len())
            .map(|i| mean(members.iter().map(|c| c.buckets[i])))
            .collect(),
        period: mean(members.iter().map(|c| c.period)),
        name,
    };
    let all: Vec<&ControlEffectiveness> = controls.iter().collect();
    let overall = average("overall".into(), &all);
    let themes = theme_names
        .into_iter()
        .map(|theme| {
            let members: Vec<&ControlEffectiveness> = controls
                .iter()
                .filter(|c| c.themes.contains(&theme))
                .collect();
            average(theme, &members)
        })
        .collect();

    let effective_at_end = clock.period.map(|_| {
        controls
            .iter()
            .filter(|c| c.status_at_end == Some(ControlStatus::Effective))
            .count() as u64
    });
    controls.sort_by(|a, b| {
        a.period
            .unwrap_or(0.0)
            .total_cmp(&b.period.unwrap_or(0.0))
            .then_with(|| a.id.cmp(&b.id))
    });
    EffectivenessFigures {
        weighting: WEIGHTING,
        overall,
        themes,
        controls,
        effective_at_end,
    }
}

fn theme_rank(theme: &str) -> usize {
    THEME_ORDER
        .iter()
        .position(|t| *t == theme)
        .unwrap_or(THEME_ORDER.len())
}

/// The Annex A themes of the requirements a control satisfies.
fn themes_of(control: &Control, catalog: &Catalog) -> Vec<String> {
    let mut themes: Vec<String> = control
        .satisfies
        .iter()
        .filter(|(r, _)| r.framework == ISO27001_2022)
        .filter_map(|(r, _)| catalog.requirement(r))
        .filter(|r| r.is_annex_a())
        .filter_map(|r| r.theme.clone())
        .collect();
    themes.sort_by_key(|t| (theme_rank(t), t.clone()));
    themes.dedup();
    themes
}

fn control(control: &Control, inputs: &Inputs, clock: &Clock) -> ControlEffectiveness {
    let soa = &inputs.isms.soa;
    // One timeline over the whole period; each bucket's share is read off
    // it, since the status only changes at the moments it already contains.
    let timeline = clock
        .period
        .map(|p| status::effectiveness(control, soa, inputs.observations, p.start, p.end));
    let buckets = clock
        .buckets
        .iter()
        .map(|span| Some(effective_share(timeline.as_ref()?, (*span)?)))
        .collect();
    ControlEffectiveness {
        id: control.id.clone(),
        title: control.title.clone(),
        themes: themes_of(control, inputs.catalog),
        status_at_end: clock
            .period
            .map(|p| status::assess_control(control, soa, inputs.observations, p.as_of).status),
        buckets,
        period: timeline.as_ref().map(|t| t.effective),
    }
}

/// The share of `span` during which the timeline says "effective"; an
/// empty span (the report's instant at its very start) counts as not
/// effective, as `status::effectiveness` does.
fn effective_share(timeline: &Effectiveness, span: Span) -> f64 {
    let total = nanos_between(span.start, span.end);
    if total <= 0 {
        return 0.0;
    }
    let effective: i128 = timeline
        .timeline
        .iter()
        .filter(|(_, _, s)| *s == ControlStatus::Effective)
        .map(|(from, to, _)| nanos_between((*from).max(span.start), (*to).min(span.end)).max(0))
        .sum();
    effective as f64 / total as f64
}

fn nanos_between(from: Timestamp, to: Timestamp) -> i128 {
    to.as_nanosecond() - from.as_nanosecond()
}
