//! The derived status at `at` of the organisation's controls and of the
//! applicable Annex A controls they satisfy: what the SSP states, the
//! assessment results conclude and the POA&M lists as open.

use std::collections::{HashMap, HashSet};

use evident_model::control::{Control, Lifecycle};
use evident_model::framework::ISO27001_2022;
use evident_model::status::{ControlAssessment, ControlStatus, assess};

use crate::Inputs;

/// An applicable Annex A control of the Statement of Applicability.
pub(super) struct AnnexControl<'a> {
    /// The requirement id (`A.8.5`).
    pub id: &'a str,
    /// Its title from the catalog, when the catalog defines it.
    pub title: Option<&'a str>,
    /// The live (planned or implemented) controls that satisfy it, in file
    /// order.
    pub controls: Vec<&'a Control>,
    /// Its status: the worst of its implemented controls'; `missing` when
    /// none is implemented (planned controls promise, they do not run).
    pub status: ControlStatus,
}

/// The derived status of everything the OSCAL documents report on.
pub(super) struct Posture<'a> {
    /// Every implemented control's assessment, in file order.
    pub assessments: Vec<ControlAssessment<'a>>,
    /// Index into `assessments` by control id.
    by_control: HashMap<&'a str, usize>,
    /// The applicable Annex A controls, in catalog order (requirements the
    /// catalog does not know last, in SoA order), each once.
    pub applicable: Vec<AnnexControl<'a>>,
}

impl<'a> Posture<'a> {
    pub(super) fn new(inputs: &Inputs<'a>) -> Self {
        let isms = inputs.isms;
        let assessments = assess(isms, inputs.observations, inputs.at);
        let by_control = assessments
            .iter()
            .enumerate()
            .map(|(i, a)| (a.control.id.as_str(), i))
            .collect();

        let mut satisfying: HashMap<&str, Vec<&Control>> = HashMap::new();
        for control in isms.controls.iter().filter(|c| c.is_live()) {
            let mut seen = HashSet::new();
            for (r, _) in &control.satisfies {
                if is_annex_a(&r.framework, &r.id) && seen.insert(r.id.as_str()) {
                    satisfying.entry(r.id.as_str()).or_default().push(control);
                }
            }
        }

        let framework = inputs.catalog.framework(ISO27001_2022);
        let position = |id: &str| {
            framework
                .and_then(|f| f.requirements.iter().position(|r| r.id == id))
                .unwrap_or(usize::MAX)
        };
        let mut seen = HashSet::new();
        let mut rows: Vec<(usize, usize, &str)> = isms
            .soa
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.applicable && seen.insert(e.requirement.as_str()))
            .map(|(i, e)| (position(&e.requirement), i, e.requirement.as_str()))
            .collect();
        rows.sort();

        let mut posture = Self {
            assessments,
            by_control,
            applicable: Vec::new(),
        };
        let applicable = rows
            .into_iter()
            .map(|(_, _, id)| {
                let controls = satisfying.remove(id).unwrap_or_default();
                let status = posture.requirement_status(&controls);
                AnnexControl {
                    id,
                    title: framework
                        .and_then(|f| f.requirement(id))
                        .map(|r| r.title.as_str()),
                    controls,
                    status,
                }
            })
            .collect();
        posture.applicable = applicable;
        posture
    }

    /// The assessment of an implemented control.
    pub(super) fn assessment(&self, control: &str) -> Option<&ControlAssessment<'a>> {
        self.by_control
            .get(control)
            .and_then(|&i| self.assessments.get(i))
    }

    /// The status of a requirement satisfied by `controls`.
    fn requirement_status(&self, controls: &[&Control]) -> ControlStatus {
        controls
            .iter()
            .filter(|c| c.lifecycle == Lifecycle::Implemented)
            .filter_map(|c| self.assessment(&c.id))
            .map(|a| a.status)
            .filter(|s| *s != ControlStatus::NotApplicable)
            .max_by_key(|s| s.badness())
            .unwrap_or(ControlStatus::Missing)
    }
}

/// Whether a requirement reference names an ISO/IEC 27001:2022 Annex A
/// control.
pub(super) fn is_annex_a(framework: &str, id: &str) -> bool {
    framework == ISO27001_2022 && id.starts_with("A.")
}

/// OSCAL's implementation state for a derived status. Only fresh, passing
/// evidence shows a control implemented; failing and stale evidence shows
/// it runs but not as it should (partial); without any evidence nothing
/// shows it runs at all, so it counts as planned.
pub(super) fn implementation_state(status: ControlStatus) -> &'static str {
    match status {
        ControlStatus::Effective => "implemented",
        ControlStatus::Failing | ControlStatus::Stale => "partial",
        ControlStatus::Missing => "planned",
        ControlStatus::NotApplicable => "not-applicable",
    }
}
