//! What remains to be done as an OSCAL plan of action and milestones: one
//! item per implemented control that is failing, stale or missing, and one
//! per open error- or warning-level finding.

use std::collections::{HashMap, HashSet};

use evident_model::check::Outcome;
use evident_model::finding::{Finding, ObjectKind, Severity};
use evident_model::risk::Risk;
use evident_model::status::{ControlAssessment, ControlStatus};
use serde_json::{Value, json};

use super::SSP_FILE;
use super::common::{self, Obj, datetime, line, line_or, prop, prose_or};
use super::ids::Uuids;
use super::ledger::Observer;
use super::posture::Posture;
use crate::Inputs;

/// The open items at `inputs.at` as an OSCAL
/// `plan-of-action-and-milestones` document.
///
/// The schema wants at least one item; when nothing is open the plan holds
/// one item saying so, so that "nothing to do" is a valid, stated result.
pub fn poam(inputs: &Inputs) -> Value {
    let isms = inputs.isms;
    let uuids = common::uuids(isms);
    let posture = Posture::new(inputs);
    let observer = Observer::new(inputs, uuids);
    let at = datetime(inputs.at);
    let name = line_or(&isms.organisation.name, "The organisation");
    let mut plan = Plan {
        uuids,
        observer,
        observations: Vec::new(),
        observed: HashSet::new(),
        risks: Vec::new(),
        risk_uuids: HashMap::new(),
        items: Vec::new(),
        by_control: HashMap::new(),
        treated: treated_risks(isms),
        risk_by_id: isms.index().risks,
    };
    for assessment in &posture.assessments {
        if matches!(
            assessment.status,
            ControlStatus::Failing | ControlStatus::Stale | ControlStatus::Missing
        ) {
            plan.control_item(assessment);
        }
    }
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    for finding in inputs
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
    {
        let key = format!(
            "{}\n{}\n{}\n{}",
            finding.code,
            finding.object_kind.as_str(),
            finding.object_id,
            finding
                .location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
        let n = occurrences.entry(key.clone()).or_default();
        *n += 1;
        plan.finding_item(finding, &format!("{key}\n{n}"));
    }
    if plan.items.is_empty() {
        plan.items.push(json!({
            "uuid": uuids.of(&["poam-item", "none", &at]),
            "title": "No open item",
            "description": format!(
                "As of {at} every implemented control is effective and no error- or \
                 warning-level finding is open."
            ),
        }));
    }

    let document = Obj::new()
        .set("uuid", uuids.of(&["plan-of-action-and-milestones", &at]))
        .set(
            "metadata",
            common::metadata(
                inputs,
                &uuids,
                &format!("{name}: plan of action and milestones as of {at}"),
            ),
        )
        .set("import-ssp", json!({ "href": SSP_FILE }))
        .set("system-id", common::system_id(&uuids))
        .set(
            "local-definitions",
            json!({ "assessment-assets": common::assessment_assets(&uuids) }),
        )
        .list("observations", plan.observations)
        .list("risks", plan.risks)
        .set("poam-items", Value::Array(plan.items))
        .build();
    json!({ "plan-of-action-and-milestones": document })
}

/// The plan being assembled: items, and the observations and risks they
/// relate, each written once.
struct Plan<'a> {
    uuids: Uuids,
    observer: Observer<'a>,
    observations: Vec<Value>,
    observed: HashSet<String>,
    risks: Vec<Value>,
    risk_uuids: HashMap<&'a str, String>,
    items: Vec<Value>,
    /// The observations related to each control's item, for the findings
    /// about the same control.
    by_control: HashMap<String, Vec<Value>>,
    /// The register risks each control treats (see [`treated_risks`]).
    treated: HashMap<&'a str, Vec<&'a Risk>>,
    /// The register risks by id.
    risk_by_id: HashMap<&'a str, &'a Risk>,
}

/// The register risks each control treats, named on either side (the
/// risk lists the control, or the control lists the risk), in register
/// order: built once, so the plan stays linear in controls and findings.
fn treated_risks(isms: &evident_model::Isms) -> HashMap<&str, Vec<&Risk>> {
    let position: HashMap<&str, usize> = isms
        .risks
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut treated: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, risk) in isms.risks.iter().enumerate() {
        for control in &risk.controls {
            treated.entry(control.id.as_str()).or_default().push(i);
        }
    }
    for control in &isms.controls {
        for risk in &control.risks {
            if let Some(&i) = position.get(risk.id.as_str()) {
                treated.entry(control.id.as_str()).or_default().push(i);
            }
        }
    }
    treated
        .into_iter()
        .map(|(control, mut risks)| {
            risks.sort_unstable();
            risks.dedup();
            (control, risks.into_iter().map(|i| &isms.risks[i]).collect())
        })
        .collect()
}

impl<'a> Plan<'a> {
    /// Adds an observation (once) and returns its relation.
    fn observe(&mut self, uuid: String, build: impl FnOnce(&Observer<'a>) -> Value) -> Value {
        if self.observed.insert(uuid.clone()) {
            self.observations.push(build(&self.observer));
        }
        json!({ "observation-uuid": uuid })
    }

    /// Adds a register risk (once) and returns its relation.
    fn risk(&mut self, risk: &'a Risk) -> Value {
        if let Some(uuid) = self.risk_uuids.get(risk.id.as_str()) {
            return json!({ "risk-uuid": uuid });
        }
        let uuid = self.uuids.of(&["risk", &risk.id]);
        let rating = risk.current();
        let statement = format!(
            "Threat: {}. Vulnerability: {}. Asset: {}.",
            line_or(&risk.threat, "not stated"),
            line_or(&risk.vulnerability, "not stated"),
            line_or(&risk.asset, "not stated")
        );
        self.risks.push(
            Obj::new()
                .set("uuid", uuid.clone())
                .set(
                    "title",
                    line_or(&format!("{}: {}", risk.id, risk.title), &risk.id),
                )
                .set(
                    "description",
                    prose_or(risk.description.as_deref().unwrap_or(""), &statement),
                )
                .set("statement", statement)
                .props([
                    prop("risk", &risk.id),
                    prop("likelihood", &rating.likelihood.to_string()),
                    prop("impact", &rating.impact.to_string()),
                    prop("score", &rating.score().to_string()),
                    risk.treatment
                        .as_ref()
                        .and_then(|t| prop("treatment", t.strategy.as_str())),
                ])
                // Open while a control that treats it is not effective.
                .set("status", "open")
                .build(),
        );
        self.risk_uuids.insert(risk.id.as_str(), uuid.clone());
        json!({ "risk-uuid": uuid })
    }

    /// The register risks a control treats, named on either side.
    fn risks_of(&mut self, control: &str) -> Vec<Value> {
        let risks = self.treated.get(control).cloned().unwrap_or_default();
        risks.into_iter().map(|r| self.risk(r)).collect()
    }

    fn control_item(&mut self, assessment: &ControlAssessment<'a>) {
        let control = assessment.control;
        let mut lines = Vec::new();
        let mut related = Vec::new();
        for requirement in &assessment.requirements {
            let r = requirement.requirement;
            let source = r
                .source
                .as_ref()
                .map_or("no source (provided by hand)", |s| s.id.as_str());
            let mut text = format!(
                "- Evidence `{}` from `{source}`: {}",
                r.id,
                requirement.status.as_str()
            );
            if let Some(newest) = requirement.newest {
                text.push_str(&format!(
                    "; newest collected {}",
                    datetime(newest.item.collected_at)
                ));
                related.push(
                    self.observe(
                        self.observer
                            .evidence_uuid(newest.index, &newest.item.digest),
                        |o| o.evidence(newest),
                    ),
                );
            }
            if let Some(until) = requirement.fresh_until {
                text.push_str(&format!(", fresh until {}", datetime(until)));
            }
            text.push('.');
            for result in requirement
                .results
                .iter()
                .filter(|r| r.outcome != Outcome::Pass)
            {
                text.push_str(&format!(
                    "\n  - Check `{}`: {}",
                    result.check,
                    result.outcome.as_str()
                ));
                for message in result.messages.iter().filter_map(|m| line(m)) {
                    text.push_str(&format!("\n    - {message}"));
                }
                related.push(self.observe(self.observer.result_uuid(result), |o| o.result(result)));
            }
            lines.push(text);
        }
        if lines.is_empty() {
            lines.push("- The control declares no evidence that it runs.".to_string());
        }
        let risks = self.risks_of(&control.id);
        let mut props = vec![
            prop("control", &control.id),
            prop("status", assessment.status.as_str()),
            control.owner.as_ref().and_then(|o| prop("owner", &o.id)),
        ];
        props.extend(
            control
                .satisfies
                .iter()
                .map(|(r, _)| prop("requirement", &r.to_string())),
        );
        self.by_control.insert(control.id.clone(), related.clone());
        self.items.push(
            Obj::new()
                .set(
                    "uuid",
                    self.uuids.of(&["poam-item", "control", &control.id]),
                )
                .set(
                    "title",
                    line_or(
                        &format!(
                            "{} {} is {}",
                            control.id,
                            control.title,
                            assessment.status.as_str()
                        ),
                        &control.id,
                    ),
                )
                .set(
                    "description",
                    format!(
                        "Make the control effective: fresh evidence from each source, and \
                         every check over it passing.\n\n{}",
                        lines.join("\n")
                    ),
                )
                .props(props)
                .list("origins", vec![common::evident_origin(&self.uuids)])
                .list("related-observations", related)
                .list("related-risks", risks)
                .build(),
        );
    }

    fn finding_item(&mut self, finding: &Finding, key: &str) {
        let related = match finding.object_kind {
            ObjectKind::Control => self
                .by_control
                .get(&finding.object_id)
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let risks = match finding.object_kind {
            ObjectKind::Risk => match self.risk_by_id.get(finding.object_id.as_str()) {
                Some(&r) => vec![self.risk(r)],
                None => Vec::new(),
            },
            ObjectKind::Control => self.risks_of(&finding.object_id),
            _ => Vec::new(),
        };
        self.items.push(
            Obj::new()
                .set("uuid", self.uuids.of(&["poam-item", "finding", key]))
                .set(
                    "title",
                    line_or(
                        &format!(
                            "{}: {} {}",
                            finding.code,
                            finding.object_kind.as_str(),
                            finding.object_id
                        ),
                        finding.code.as_str(),
                    ),
                )
                .set(
                    "description",
                    format!(
                        "{}\n\nHow to fix: {}",
                        prose_or(&finding.message, finding.code.pattern()),
                        finding.hint()
                    ),
                )
                .props([
                    prop("finding-code", finding.code.as_str()),
                    prop("severity", finding.severity.as_str()),
                    prop("object-kind", finding.object_kind.as_str()),
                    prop("object-id", &finding.object_id),
                    finding
                        .location
                        .as_ref()
                        .and_then(|l| prop("location", &l.to_string())),
                    prop("pattern", finding.code.pattern()),
                ])
                .list("origins", vec![common::evident_origin(&self.uuids)])
                .list("related-observations", related)
                .list("related-risks", risks)
                .build(),
        );
    }
}
