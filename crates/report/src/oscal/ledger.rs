//! What the ledger recorded, as OSCAL observations: one per evidence item
//! and one per check result the derived status rests on, and a back-matter
//! resource per artefact carrying its sha256, which observations link to.

use std::collections::{BTreeMap, HashMap, HashSet};

use evident_model::check::{CheckResult, Outcome};
use evident_model::evidence::Timestamp;
use evident_model::hash::ContentHash;
use evident_model::status::EvidenceRecord;
use evident_model::time::Cadence;
use serde_json::{Value, json};

use super::common::{
    Obj, datetime, evident_origin, line, line_or, prop, prose_or, source_component,
};
use super::ids::Uuids;
use super::posture::Posture;
use crate::Inputs;

/// Where an artefact lies inside the audit pack, relative to the OSCAL
/// documents (which the pack holds in `documents/`): its content-addressed
/// blob, `blobs/<2 hex digits>/<62 hex digits>` at the pack's root.
pub(super) fn evidence_href(digest: &ContentHash) -> String {
    let hex = digest.hex();
    format!("../blobs/{}/{}", &hex[..2], &hex[2..])
}

/// The evidence and results an assessment at `at` reports.
pub(super) struct Ledger<'a> {
    /// Every evidence item collected by `at`, by ledger position.
    pub evidence: Vec<&'a EvidenceRecord>,
    /// The results the derived status rests on: the latest of each check
    /// for each control and source as known at `at` (superseded results
    /// stay in the ledger), ordered by check, source and time.
    pub results: Vec<&'a CheckResult>,
}

impl<'a> Ledger<'a> {
    pub(super) fn new(inputs: &Inputs<'a>, posture: &Posture<'a>) -> Self {
        let mut evidence: Vec<&EvidenceRecord> = inputs
            .observations
            .sources()
            .flat_map(|(_, records)| records)
            .filter(|r| r.item.collected_at <= inputs.at)
            .collect();
        evidence.sort_by_key(|r| r.index);

        let mut results: BTreeMap<(String, String, Timestamp), &CheckResult> = BTreeMap::new();
        for assessment in &posture.assessments {
            for requirement in &assessment.requirements {
                for r in &requirement.results {
                    results
                        .entry((r.check.clone(), r.source.clone(), r.evaluated_at))
                        .or_insert(r);
                }
            }
        }
        Self {
            evidence,
            results: results.into_values().collect(),
        }
    }
}

/// Builds observations and evidence resources with the UUIDs every document
/// of the ISMS shares.
pub(super) struct Observer<'a> {
    uuids: Uuids,
    /// The sources `sources.yaml` declares (those with a component).
    declared: HashSet<&'a str>,
    /// The freshness each control requires of a source's evidence.
    freshness: HashMap<&'a str, Vec<Cadence>>,
}

impl<'a> Observer<'a> {
    pub(super) fn new(inputs: &Inputs<'a>, uuids: Uuids) -> Self {
        let mut freshness: HashMap<&str, Vec<Cadence>> = HashMap::new();
        for requirement in inputs.isms.controls.iter().flat_map(|c| &c.evidence) {
            if let Some(source) = &requirement.source {
                let list = freshness.entry(source.id.as_str()).or_default();
                if !list.contains(&requirement.freshness) {
                    list.push(requirement.freshness);
                }
            }
        }
        Self {
            freshness,
            uuids,
            declared: inputs
                .isms
                .sources
                .iter()
                .map(|s| s.name.as_str())
                .collect(),
        }
    }

    /// The UUID of an evidence item's observation.
    pub(super) fn evidence_uuid(&self, index: u64, digest: &ContentHash) -> String {
        self.uuids.of(&[
            "observation",
            "evidence",
            &index.to_string(),
            digest.as_str(),
        ])
    }

    /// The UUID of a check result's observation.
    pub(super) fn result_uuid(&self, result: &CheckResult) -> String {
        self.uuids.of(&[
            "observation",
            "result",
            &result.check,
            &result.source,
            &datetime(result.evaluated_at),
        ])
    }

    /// The UUID of the back-matter resource of the artefact at `index`.
    pub(super) fn resource_uuid(&self, index: u64) -> String {
        self.uuids.of(&["resource", "evidence", &index.to_string()])
    }

    /// The source's component as the observation's subject, when
    /// `sources.yaml` declares the source (evidence of a source removed
    /// since has no component to point at).
    fn subjects(&self, source: &str) -> Vec<Value> {
        if self.declared.contains(source) {
            vec![json!({
                "subject-uuid": source_component(&self.uuids, source),
                "type": "component",
                "title": line_or(source, "source"),
            })]
        } else {
            Vec::new()
        }
    }

    /// When an item of `source` observed at `observed_to` stops being fresh
    /// for the strictest control that takes evidence from the source.
    fn expires(&self, source: &str, observed_to: Timestamp) -> Option<Timestamp> {
        self.freshness
            .get(source)?
            .iter()
            .map(|f| f.after_instant(observed_to))
            .min()
    }

    /// The relevant-evidence entry of the artefact at `index`: its path in
    /// the audit pack, and a link to the resource that carries its hash.
    fn relevant_evidence(&self, index: u64, digest: &ContentHash, description: &str) -> Value {
        json!({
            "href": evidence_href(digest),
            "description": description,
            "links": [{
                "href": format!("#{}", self.resource_uuid(index)),
                "rel": "reference",
            }],
        })
    }

    /// The observation of one evidence item: the artefact examined, with
    /// its provenance.
    pub(super) fn evidence(&self, record: &EvidenceRecord) -> Value {
        let item = &record.item;
        let p = &item.provenance;
        Obj::new()
            .set("uuid", self.evidence_uuid(record.index, &item.digest))
            .set(
                "title",
                line_or(
                    &format!("Evidence {} from {}", record.index, p.source),
                    "Evidence",
                ),
            )
            .set(
                "description",
                prose_or(
                    &format!(
                        "Collected by the `{}` collector from `{}`.",
                        p.collector, p.origin
                    ),
                    "Collected evidence.",
                ),
            )
            .set("methods", json!(["EXAMINE"]))
            .props([
                prop("ledger-index", &record.index.to_string()),
                prop("source", &p.source),
                prop("collector", &p.collector),
                prop("collector-version", &p.collector_version),
                prop("origin", &p.origin),
                p.tool_version
                    .as_deref()
                    .and_then(|v| prop("tool-version", v)),
                prop("collected-by", &p.collected_by),
                prop("media-type", &item.media_type),
                item.format.as_deref().and_then(|f| prop("format", f)),
                prop("observed-from", &datetime(item.observed.from)),
                prop("observed-to", &datetime(item.observed.to)),
                prop("sha256", item.digest.hex()),
                item.normalized
                    .as_ref()
                    .and_then(|n| prop("normalized-sha256", n.hex())),
            ])
            .list("origins", vec![evident_origin(&self.uuids)])
            .list("subjects", self.subjects(&p.source))
            .set(
                "relevant-evidence",
                json!([self.relevant_evidence(
                    record.index,
                    &record.item.digest,
                    "The artefact as collected."
                )]),
            )
            .set("collected", datetime(item.collected_at))
            .opt(
                "expires",
                self.expires(&p.source, item.observed.to).map(datetime),
            )
            .build()
    }

    /// The observation of one check result: the evidence tested by a Rego
    /// check, with what it said.
    pub(super) fn result(&self, result: &CheckResult) -> Value {
        let mut description = format!(
            "Check `{}` over the evidence of `{}`: {}.",
            result.check,
            result.source,
            result.outcome.as_str()
        );
        for message in &result.messages {
            description.push_str("\n\n- ");
            description.push_str(&line_or(message, "(no message)"));
        }
        let mut remarks = Vec::new();
        if let Some(error) = result.error.as_deref().and_then(line) {
            remarks.push(format!("Could not be evaluated: {error}"));
        }
        remarks.extend(
            result
                .warnings
                .iter()
                .filter_map(|w| line(w))
                .map(|w| format!("Warning: {w}")),
        );
        let mut props = vec![
            prop("check", &result.check),
            prop("source", &result.source),
            prop("outcome", result.outcome.as_str()),
        ];
        props.extend(result.controls.iter().map(|c| prop("control", c)));
        props.extend(result.requirements.iter().map(|r| prop("requirement", r)));
        Obj::new()
            .set("uuid", self.result_uuid(result))
            .set(
                "title",
                line_or(
                    &format!(
                        "Check {} on {}: {}",
                        result.check,
                        result.source,
                        result.outcome.as_str()
                    ),
                    "Check result",
                ),
            )
            .set("description", description)
            .set("methods", json!(["TEST"]))
            .list(
                "types",
                if result.outcome == Outcome::Pass {
                    Vec::new()
                } else {
                    vec![json!("finding")]
                },
            )
            .props(props)
            .list("origins", vec![evident_origin(&self.uuids)])
            .list("subjects", self.subjects(&result.source))
            .list(
                "relevant-evidence",
                result
                    .evidence
                    .iter()
                    .map(|e| {
                        self.relevant_evidence(e.index, &e.digest, "An artefact the check judged.")
                    })
                    .collect(),
            )
            .set("collected", datetime(result.evaluated_at))
            .opt(
                "remarks",
                (!remarks.is_empty()).then(|| remarks.join("\n\n")),
            )
            .build()
    }

    /// One back-matter resource per artefact the observations point at,
    /// carrying its sha256 on the rlink to its place in the audit pack.
    pub(super) fn resources(
        &self,
        evidence: &[&EvidenceRecord],
        results: &[&CheckResult],
    ) -> Vec<Value> {
        let mut artefacts: BTreeMap<u64, (&ContentHash, Option<&str>)> = BTreeMap::new();
        for r in evidence {
            artefacts.insert(r.index, (&r.item.digest, Some(r.item.media_type.as_str())));
        }
        for result in results {
            for judged in &result.evidence {
                artefacts
                    .entry(judged.index)
                    .or_insert((&judged.digest, None));
            }
        }
        artefacts
            .into_iter()
            .map(|(index, (digest, media_type))| {
                let rlink = Obj::new()
                    .set("href", evidence_href(digest))
                    .opt("media-type", media_type.and_then(line))
                    .set(
                        "hashes",
                        json!([{ "algorithm": "SHA-256", "value": digest.hex() }]),
                    )
                    .build();
                json!({
                    "uuid": self.resource_uuid(index),
                    "title": format!("Evidence item {index}"),
                    "rlinks": [rlink],
                })
            })
            .collect()
    }
}
