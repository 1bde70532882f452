//! `soa.yaml` and `sources.yaml`.

use evident_model::Location;
use evident_model::soa::{Applicability, Soa};
use evident_model::source::Source;

use crate::context::FileContext;
use crate::raw;

pub(crate) fn soa(ctx: &mut FileContext, raw: raw::SoaFile) -> Soa {
    Soa {
        version: raw.version,
        entries: raw
            .applicability
            .into_iter()
            .map(|a| Applicability {
                location: ctx.at(&a),
                requirement: a.value.requirement.value.trim().to_string(),
                applicable: a.value.applicable,
                justification: a.value.justification.filter(|j| !j.trim().is_empty()),
                reasons: a.value.reasons,
            })
            .collect(),
        location: Some(Location::file_start(ctx.file.clone())),
    }
}

pub(crate) fn sources(ctx: &mut FileContext, raw: raw::SourcesFile) -> Vec<Source> {
    raw.sources
        .into_iter()
        .map(|s| {
            let schedule = s
                .schedule
                .as_ref()
                .map(|_| ctx.cadence(&s.schedule, evident_model::time::Cadence::days(1)));
            Source {
                name: ctx.id(&s.name),
                location: ctx.at(&s.name),
                collector: ctx.id(&s.collector),
                parameters: s.parameters,
                schedule,
                controls: ctx.references(&s.controls),
            }
        })
        .collect()
}
