//! Building the rows: one per Annex A control of the catalog, in catalog
//! order, joined with the SoA decision, the controls implementing it, their
//! owners, providers, evidence and risks, and the status derived from the
//! evidence.

use std::collections::{BTreeSet, HashMap};

use evident_model::Isms;
use evident_model::control::{Control, Lifecycle, Responsibility as ControlResponsibility};
use evident_model::evidence::Timestamp;
use evident_model::framework::{ISO27001_2022, Requirement};
use evident_model::isms::Index;
use evident_model::status::{ControlAssessment, Observations, assess_control};
use evident_model::time::date_of;
use evident_model::vendor::{AssuranceDocument, Vendor};

use super::row::{
    Assurance, AssuranceState, Decided, EvidenceRef, Implementation, OwnerName, Provider,
    Responsibility, RowStatus, SoaRow,
};
use crate::Inputs;

/// The rows of the SoA, one per Annex A control of ISO/IEC 27001:2022 in
/// catalog order (none when the catalog lacks the framework).
pub(super) fn rows(inputs: &Inputs) -> Vec<SoaRow> {
    let Some(framework) = inputs.catalog.framework(ISO27001_2022) else {
        return Vec::new();
    };
    let context = Context::new(inputs);
    framework
        .requirements
        .iter()
        .filter(|r| r.is_annex_a())
        .map(|r| context.row(r))
        .collect()
}

/// Lookups built once, so each row is found without scanning the ISMS.
struct Context<'a> {
    isms: &'a Isms,
    index: Index<'a>,
    observations: &'a Observations,
    at: Timestamp,
    /// Live controls by the Annex A control they satisfy, in file order.
    implementing: HashMap<&'a str, Vec<&'a Control>>,
    /// Risks by the controls they list.
    risks_naming: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Context<'a> {
    fn new(inputs: &Inputs<'a>) -> Self {
        let isms = inputs.isms;
        let mut implementing: HashMap<&str, Vec<&Control>> = HashMap::new();
        for control in isms.controls.iter().filter(|c| c.is_live()) {
            let mut named = BTreeSet::new();
            for (requirement, _) in &control.satisfies {
                // A control naming the same requirement twice implements it
                // once.
                if requirement.framework == ISO27001_2022 && named.insert(requirement.id.as_str()) {
                    implementing
                        .entry(requirement.id.as_str())
                        .or_default()
                        .push(control);
                }
            }
        }
        let mut risks_naming: HashMap<&str, Vec<&str>> = HashMap::new();
        for risk in &isms.risks {
            for control in &risk.controls {
                risks_naming
                    .entry(control.id.as_str())
                    .or_default()
                    .push(risk.id.as_str());
            }
        }
        Self {
            isms,
            index: isms.index(),
            observations: inputs.observations,
            at: inputs.at,
            implementing,
            risks_naming,
        }
    }

    fn row(&self, requirement: &Requirement) -> SoaRow {
        let entry = self.isms.soa.entry(&requirement.id);
        let applicability = match entry {
            Some(e) if e.applicable => Decided::Applicable,
            Some(_) => Decided::Excluded,
            None => Decided::NotDecided,
        };
        let controls = self
            .implementing
            .get(requirement.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        // Planned controls are listed but not assessed: nothing is expected
        // of them until they run, so they cannot make a row implemented.
        let assessments: Vec<ControlAssessment> = controls
            .iter()
            .filter(|c| c.lifecycle == Lifecycle::Implemented)
            .map(|c| assess_control(c, &self.isms.soa, self.observations, self.at))
            .collect();
        SoaRow {
            id: requirement.id.clone(),
            title: requirement.title.clone(),
            theme: requirement.theme.clone().unwrap_or_default(),
            applicability,
            justification: entry.and_then(|e| e.justification.clone()),
            reasons: entry.map(|e| e.reasons.clone()).unwrap_or_default(),
            implemented_by: implementations(controls, &assessments),
            responsibility: responsibility(controls),
            providers: self.providers(controls),
            owners: self.owners(controls),
            status: status(applicability, &assessments),
            newest_evidence: self.newest_evidence(&assessments),
            risks: self.risks(controls),
        }
    }

    fn providers(&self, controls: &[&Control]) -> Vec<Provider> {
        let mut seen = BTreeSet::new();
        controls
            .iter()
            .filter_map(|c| c.responsibility.provider())
            .filter(|p| seen.insert(p.id.as_str()))
            .map(|p| {
                let vendor = self.index.vendors.get(p.id.as_str()).copied();
                Provider {
                    id: p.id.clone(),
                    name: vendor.map(|v| v.name.clone()),
                    assurance: vendor.and_then(|v| current_assurance(v, self.at)),
                }
            })
            .collect()
    }

    fn owners(&self, controls: &[&Control]) -> Vec<OwnerName> {
        let mut seen = BTreeSet::new();
        controls
            .iter()
            .filter_map(|c| c.owner.as_ref())
            .filter(|o| seen.insert(o.id.as_str()))
            .map(|o| OwnerName {
                id: o.id.clone(),
                name: self
                    .index
                    .owners
                    .get(o.id.as_str())
                    .map(|owner| owner.name.clone()),
            })
            .collect()
    }

    /// The newest evidence of any evidence requirement of the assessed
    /// controls, by when the state it shows was last true (as
    /// `Observations::newest` orders a source's items).
    fn newest_evidence(&self, assessments: &[ControlAssessment]) -> Option<EvidenceRef> {
        assessments
            .iter()
            .flat_map(|a| a.requirements.iter())
            .filter_map(|r| r.newest)
            .max_by_key(|r| (r.item.observed.to, r.index))
            .map(|r| EvidenceRef {
                source: r.item.provenance.source.clone(),
                index: r.index,
                observed: r.item.observed.to,
                collected_at: r.item.collected_at,
                digest: r.item.digest.clone(),
            })
    }

    fn risks(&self, controls: &[&Control]) -> Vec<String> {
        let mut risks = BTreeSet::new();
        for control in controls {
            risks.extend(control.risks.iter().map(|r| r.id.as_str()));
            if let Some(naming) = self.risks_naming.get(control.id.as_str()) {
                risks.extend(naming.iter().copied());
            }
        }
        risks.into_iter().map(str::to_string).collect()
    }
}

fn implementations(
    controls: &[&Control],
    assessments: &[ControlAssessment],
) -> Vec<Implementation> {
    controls
        .iter()
        .map(|c| Implementation {
            id: c.id.clone(),
            title: c.title.clone(),
            lifecycle: c.lifecycle,
            status: assessments
                .iter()
                .find(|a| a.control.id == c.id)
                .map(|a| a.status),
        })
        .collect()
}

/// Owned when the organisation runs every implementing control, inherited
/// when providers run them all, shared otherwise.
fn responsibility(controls: &[&Control]) -> Option<Responsibility> {
    let owned = |c: &&Control| c.responsibility == ControlResponsibility::Owned;
    let inherited =
        |c: &&Control| matches!(c.responsibility, ControlResponsibility::Inherited { .. });
    if controls.is_empty() {
        None
    } else if controls.iter().all(owned) {
        Some(Responsibility::Owned)
    } else if controls.iter().all(inherited) {
        Some(Responsibility::Inherited)
    } else {
        Some(Responsibility::Shared)
    }
}

/// The row's status: not applicable when excluded, not implemented without
/// an implemented control, else the worst of the controls' statuses.
fn status(applicability: Decided, assessments: &[ControlAssessment]) -> RowStatus {
    if applicability == Decided::Excluded {
        return RowStatus::NotApplicable;
    }
    assessments
        .iter()
        .map(|a| a.status)
        .max_by_key(|s| s.badness())
        .map_or(RowStatus::NotImplemented, RowStatus::from)
}

/// The vendor's assurance document that stands at `at`: the valid one that
/// lasts longest, else (all expired or not yet issued) the one that expires
/// last, so the row shows what the organisation relies on and whether it
/// still holds. Ties go to the later issue, then to the one listed last
/// (`vendors.yaml` lists documents newest last).
fn current_assurance(vendor: &Vendor, at: Timestamp) -> Option<Assurance> {
    let today = date_of(at);
    let newest = |d: &&AssuranceDocument| (d.expires, d.issued);
    // The document relied on, as the SSP and the analysis choose it; else
    // the one that explains why there is none (valid but unreviewed, then
    // the latest expiring).
    vendor
        .relied_assurance(today)
        .or_else(|| {
            vendor
                .assurance
                .iter()
                .filter(|d| d.valid_on(today))
                .max_by_key(newest)
        })
        .or_else(|| vendor.assurance.iter().max_by_key(newest))
        .map(|d| Assurance {
            kind: d.kind,
            expires: d.expires,
            state: if d.relied_on(today) {
                AssuranceState::Valid
            } else if d.valid_on(today) {
                AssuranceState::Unreviewed
            } else if d.expires < today {
                AssuranceState::Expired
            } else {
                AssuranceState::NotYetValid
            },
        })
}
