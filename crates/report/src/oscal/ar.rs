//! The derived control status as OSCAL assessment results: one result for
//! the assessment at `at`, with an observation per evidence item and per
//! check result, and a finding per applicable Annex A control.

use std::collections::HashSet;

use evident_model::framework::ISO27001_2022;
use evident_model::status::ControlStatus;
use serde_json::{Value, json};

use super::SSP_FILE;
use super::common::{self, Obj, datetime, line_or, oscal_prop, prop};
use super::ids::{self, Uuids};
use super::ledger::{Ledger, Observer};
use super::posture::{AnnexControl, Posture, implementation_state};
use crate::Inputs;

/// The assessment at `inputs.at` as an OSCAL `assessment-results` document.
///
/// `import-ap` is required, but evident writes no assessment plan: the plan
/// is the ISMS repository itself (each control's evidence requirements and
/// the checks that judge them). So `import-ap` points, by fragment, at a
/// back-matter resource that says so and links the system security plan
/// the assessment applies to; OSCAL allows an import to name a back-matter
/// resource this way.
pub fn assessment_results(inputs: &Inputs) -> Value {
    let isms = inputs.isms;
    let uuids = common::uuids(isms);
    let posture = Posture::new(inputs);
    let ledger = Ledger::new(inputs, &posture);
    let observer = Observer::new(inputs, uuids);
    let at = datetime(inputs.at);
    let name = line_or(&isms.organisation.name, "The organisation");

    let mut observations: Vec<Value> = ledger
        .evidence
        .iter()
        .map(|r| observer.evidence(r))
        .collect();
    observations.extend(ledger.results.iter().map(|r| observer.result(r)));
    let findings: Vec<Value> = posture
        .applicable
        .iter()
        .map(|annex| finding(&uuids, &observer, &posture, annex, &at))
        .collect();

    let result = Obj::new()
        .set("uuid", uuids.of(&["result", &at]))
        .set("title", format!("Assessment as of {at}"))
        .set(
            "description",
            format!(
                "The status of each applicable Annex A control, derived by evident from the \
                 evidence collected and the checks evaluated by {at}: effective with fresh \
                 evidence that every check passes, else failing, stale or missing."
            ),
        )
        .set("start", at.clone())
        .set("end", at.clone())
        .set(
            "local-definitions",
            json!({ "assessment-assets": common::assessment_assets(&uuids) }),
        )
        .set("reviewed-controls", reviewed_controls(inputs, &posture))
        .list("observations", observations)
        .list("findings", findings)
        .build();

    let plan = uuids.of(&["resource", "assessment-plan"]);
    let mut resources = vec![json!({
        "uuid": plan,
        "title": "Assessment plan: the ISMS repository",
        "description": "evident writes no separate assessment plan. The plan is the ISMS \
                        repository: each control's evidence requirements (source and \
                        freshness) and the Rego checks that judge them, applied to the \
                        system its security plan describes.",
        "rlinks": [{ "href": SSP_FILE, "media-type": "application/json" }],
    })];
    resources.extend(observer.resources(&ledger.evidence, &ledger.results));

    let document = Obj::new()
        .set("uuid", uuids.of(&["assessment-results", &at]))
        .set(
            "metadata",
            common::metadata(
                inputs,
                &uuids,
                &format!("{name}: assessment results as of {at}"),
            ),
        )
        .set(
            "import-ap",
            json!({
                "href": format!("#{plan}"),
                "remarks": "The plan is the ISMS repository; see the back-matter resource.",
            }),
        )
        .set("results", json!([result]))
        .set("back-matter", json!({ "resources": resources }))
        .build();
    json!({ "assessment-results": document })
}

/// The applicable Annex A controls. With none (an SoA not written yet) the
/// schema still wants a selection: every Annex A control, all excluded.
fn reviewed_controls(inputs: &Inputs, posture: &Posture) -> Value {
    let selected: Vec<Value> = posture
        .applicable
        .iter()
        .map(|a| json!({ "control-id": ids::control_id(a.id) }))
        .collect();
    if !selected.is_empty() {
        return json!({
            "description": "The Annex A controls the Statement of Applicability includes.",
            "control-selections": [{ "include-controls": selected }],
        });
    }
    let all: Vec<Value> = inputs
        .catalog
        .framework(ISO27001_2022)
        .map(|f| {
            f.requirements
                .iter()
                .filter(|r| r.is_annex_a())
                .map(|r| json!({ "control-id": ids::control_id(&r.id) }))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "description": "The Statement of Applicability includes no Annex A control yet.",
        "control-selections": [
            Obj::new().set("include-all", json!({})).list("exclude-controls", all).build()
        ],
    })
}

/// The finding for one applicable Annex A control: satisfied when its
/// derived status is effective, with the observations it rests on.
fn finding(
    uuids: &Uuids,
    observer: &Observer,
    posture: &Posture,
    annex: &AnnexControl,
    at: &str,
) -> Value {
    let satisfied = annex.status == ControlStatus::Effective;
    let reason = match annex.status {
        ControlStatus::Effective => "pass",
        ControlStatus::Failing => "fail",
        _ => "other",
    };
    let mut related = Vec::new();
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for control in &annex.controls {
        let Some(assessment) = posture.assessment(&control.id) else {
            lines.push(format!(
                "- {} ({}): planned, not yet assessed.",
                control.id,
                line_or(&control.title, &control.id)
            ));
            continue;
        };
        lines.push(format!(
            "- {} ({}): {}.",
            control.id,
            line_or(&control.title, &control.id),
            assessment.status.as_str()
        ));
        for requirement in &assessment.requirements {
            let newest = requirement
                .newest
                .map(|r| observer.evidence_uuid(r.index, &r.item.digest));
            let results = requirement.results.iter().map(|r| observer.result_uuid(r));
            for uuid in newest.into_iter().chain(results) {
                if seen.insert(uuid.clone()) {
                    related.push(json!({ "observation-uuid": uuid }));
                }
            }
        }
    }
    if lines.is_empty() {
        lines.push("No control of the organisation satisfies it.".to_string());
    }
    let title = annex.title.map_or_else(
        || annex.id.to_string(),
        |t| format!("{} {}", annex.id, line_or(t, "")),
    );
    let mut props = vec![
        oscal_prop("label", annex.id),
        prop("status", annex.status.as_str()),
    ];
    props.extend(annex.controls.iter().map(|c| prop("control", &c.id)));
    Obj::new()
        .set("uuid", uuids.of(&["finding", at, annex.id]))
        .set(
            "title",
            line_or(&format!("{title}: {}", annex.status.as_str()), annex.id),
        )
        .set(
            "description",
            format!(
                "Status derived from the controls that satisfy it:\n\n{}",
                lines.join("\n")
            ),
        )
        .props(props)
        .list("origins", vec![common::evident_origin(uuids)])
        .set(
            "target",
            json!({
                "type": "statement-id",
                "target-id": ids::statement_id(annex.id),
                "status": {
                    "state": if satisfied { "satisfied" } else { "not-satisfied" },
                    "reason": reason,
                },
                "implementation-status": { "state": implementation_state(annex.status) },
            }),
        )
        .list("related-observations", related)
        .build()
}
