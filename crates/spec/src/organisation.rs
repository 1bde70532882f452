//! `evident.yaml`: the organisation, its frameworks, risk method and cadences.

use evident_model::organisation::{Cadences, CheckParameters, EvidenceSettings, Organisation};
use evident_model::risk::{RiskLevel, RiskScale};
use evident_model::{Location, Reference};

use crate::context::FileContext;
use crate::raw;

pub(crate) fn convert(ctx: &mut FileContext, raw: raw::OrganisationFile) -> Organisation {
    let defaults = Cadences::default();
    let cadences = match &raw.cadences {
        None => defaults,
        Some(c) => Cadences {
            management_review: ctx.cadence(&c.management_review, defaults.management_review),
            internal_audit: ctx.cadence(&c.internal_audit, defaults.internal_audit),
            risk_review: ctx.cadence(&c.risk_review, defaults.risk_review),
            evidence_freshness: ctx.cadence(&c.evidence_freshness, defaults.evidence_freshness),
        },
    };
    let risk = match raw.risk {
        None => RiskScale::default(),
        Some(scale) => risk_scale(ctx, scale),
    };
    let mut frameworks = Vec::new();
    for f in &raw.frameworks {
        ctx.id(f);
        frameworks.push(ctx.reference(f));
    }
    if frameworks.is_empty() {
        frameworks.push(Reference {
            id: evident_model::framework::ISO27001_2022.to_string(),
            at: Location::file_start(ctx.file.clone()),
        });
    }
    let check_parameters = raw
        .checks
        .iter()
        .map(|(id, values)| CheckParameters {
            check: Reference {
                id: id.clone(),
                at: ctx.at(values),
            },
            values: values.value.clone(),
        })
        .collect();
    let evidence = match &raw.evidence {
        None => EvidenceSettings::default(),
        Some(e) => evidence_settings(ctx, e),
    };
    Organisation {
        name: raw.organisation,
        scope: raw.scope,
        frameworks,
        risk,
        cadences,
        public_key: raw.public_key,
        check_parameters,
        evidence,
        location: Location::file_start(ctx.file.clone()),
    }
}

fn risk_scale(ctx: &mut FileContext, raw: raw::RiskScale) -> RiskScale {
    let default = RiskScale::default();
    for (name, steps) in [("likelihood", &raw.likelihood), ("impact", &raw.impact)] {
        if steps.is_empty() || steps.len() > 10 {
            ctx.report(
                "invalid-value",
                Location::file_start(ctx.file.clone()),
                format!(
                    "expected between 1 and 10 {name} steps, found {}",
                    steps.len()
                ),
            );
        }
    }
    let max_score = (raw.likelihood.len() * raw.impact.len()) as u32;
    let mut levels = Vec::with_capacity(raw.levels.len());
    let mut previous = 0;
    for level in raw.levels {
        let max = level.max_score.value;
        if max <= previous {
            ctx.report(
                "invalid-value",
                ctx.at(&level.max_score),
                format!("expected risk levels in ascending order of max_score; {max} does not exceed {previous}"),
            );
        }
        previous = max;
        levels.push(RiskLevel {
            name: level.name.value,
            max_score: max,
            accepted_by: level.accepted_by,
        });
    }
    match levels.last() {
        None => ctx.report(
            "invalid-value",
            Location::file_start(ctx.file.clone()),
            "expected at least one risk level",
        ),
        Some(last) if last.max_score < max_score => ctx.report(
            "invalid-value",
            Location::file_start(ctx.file.clone()),
            format!(
                "the highest risk level ends at {}, but scores reach {max_score} on this scale",
                last.max_score
            ),
        ),
        Some(_) => {}
    }
    if raw.appetite.value > max_score {
        ctx.report(
            "invalid-value",
            ctx.at(&raw.appetite),
            format!("expected an appetite between 0 and {max_score} (the highest score)"),
        );
    }
    RiskScale {
        likelihood: raw.likelihood,
        impact: raw.impact,
        levels,
        appetite: raw.appetite.value,
        max_acceptance: ctx.cadence(&raw.max_acceptance, default.max_acceptance),
    }
}

fn evidence_settings(ctx: &mut FileContext, raw: &raw::EvidenceSettings) -> EvidenceSettings {
    let defaults = EvidenceSettings::default();
    let mut share =
        |value: &Option<serde_saphyr::Spanned<f64>>, name: &str, fallback: f64| match value {
            None => fallback,
            Some(v) if (0.0..=1.0).contains(&v.value) => v.value,
            Some(v) => {
                let at = ctx.at(v);
                ctx.report(
                    "invalid-value",
                    at,
                    format!(
                        "`{name}` is a share: expected a number from 0 to 1, found {}",
                        v.value
                    ),
                );
                fallback
            }
        };
    let min_coverage = share(&raw.min_coverage, "min_coverage", defaults.min_coverage);
    let max_manual_share = share(
        &raw.max_manual_share,
        "max_manual_share",
        defaults.max_manual_share,
    );
    EvidenceSettings {
        audit_period: ctx.cadence(&raw.audit_period, defaults.audit_period),
        min_coverage,
        max_manual_share,
    }
}
