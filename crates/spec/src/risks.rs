//! `risks/*.yaml`: the risk register, rated on the organisation's scale.

use evident_model::risk::{Rating, Review, Risk, RiskScale, Treatment};
use evident_model::time::Cadence;
use serde_saphyr::Spanned;

use crate::context::FileContext;
use crate::raw;

pub(crate) fn convert(
    ctx: &mut FileContext,
    raw: raw::RisksFile,
    scale: &RiskScale,
    default_review: Cadence,
) -> Vec<Risk> {
    raw.risks
        .into_iter()
        .map(|r| {
            let inherent = rating(ctx, &r.inherent, scale);
            let residual = r.residual.as_ref().map(|x| rating(ctx, x, scale));
            let treatment = r.treatment.as_ref().map(|t| Treatment {
                strategy: t.value.strategy,
                proposed_by: t.value.proposed_by.as_ref().map(|p| ctx.reference(p)),
                rationale: t.value.rationale.clone(),
                expires: ctx.opt_date(&t.value.expires),
                location: ctx.at(t),
            });
            let review = match &r.review {
                Some(review) => Review {
                    cadence: ctx.cadence(&review.value.cadence, default_review),
                    last_reviewed: ctx.opt_date(&review.value.last_reviewed),
                    location: ctx.at(review),
                },
                None => Review {
                    cadence: default_review,
                    last_reviewed: None,
                    location: ctx.at(&r.id),
                },
            };
            Risk {
                id: ctx.id(&r.id),
                location: ctx.at(&r.id),
                title: r.title,
                description: r.description,
                asset: r.asset,
                threat: r.threat,
                vulnerability: r.vulnerability,
                owner: r.owner.as_ref().map(|o| ctx.reference(o)),
                inherent,
                residual,
                treatment,
                controls: ctx.references(&r.controls),
                review,
            }
        })
        .collect()
}

/// A rating whose steps are numbers (1 = lowest) or names from the scale.
fn rating(ctx: &mut FileContext, raw: &Spanned<raw::Rating>, scale: &RiskScale) -> Rating {
    Rating {
        likelihood: step(ctx, &raw.value.likelihood, &scale.likelihood, "likelihood"),
        impact: step(ctx, &raw.value.impact, &scale.impact, "impact"),
    }
}

fn step(ctx: &mut FileContext, raw: &Spanned<String>, steps: &[String], axis: &str) -> u8 {
    let text = raw.value.trim();
    let by_number = text
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=steps.len()).contains(n));
    let by_name = || steps.iter().position(|s| s == text).map(|i| i + 1);
    match by_number.or_else(by_name) {
        Some(n) => n as u8,
        None => {
            ctx.report(
                "invalid-value",
                ctx.at(raw),
                format!(
                    "expected a {axis} from 1 to {} or one of {}, found `{text}`",
                    steps.len(),
                    steps.join(", ")
                ),
            );
            1
        }
    }
}
