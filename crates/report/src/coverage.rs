//! Cross-framework coverage: which requirements of another framework (NIST
//! CSF 2.0, SP 800-53 r5, ISO/IEC 27001:2013, or a user's own) the
//! organisation's controls touch, and with what derived status, so the same
//! controls and evidence serve customer assessments and tenders.
//!
//! A requirement is reached directly (a control `satisfies` it) or through
//! the typed mappings of the catalog from a requirement a control satisfies.
//! The mapping type decides what the link is worth, never more:
//! - `equal`, or the control's requirement a `superset` of the target:
//!   **satisfied** (when the control works);
//! - the control's requirement a `subset` of the target: **partial**;
//! - `intersect`: **related** only — overlapping requirements never satisfy
//!   one another (ARCHITECTURE.md, catalog invariant).
//!
//! Only implemented controls count, and a requirement's status is the worst
//! status among the controls at its best level of coverage: one failing
//! control is enough to question a claim, so the report never overstates.

use std::collections::BTreeMap;

use evident_model::control::{Control, Lifecycle};
use evident_model::framework::{Relationship, RequirementRef};
use evident_model::status::{self, ControlStatus};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Inputs;
use crate::markdown::escape as cell;
use crate::spreadsheet::inert;

/// How well the organisation's controls cover a requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// A control satisfies it directly, or through an `equal` or
    /// `superset` mapping.
    Satisfied,
    /// Only controls whose requirement is a `subset` of it reach it.
    Partial,
    /// Only `intersect` mappings reach it: related, not satisfied.
    Related,
    /// No control reaches it.
    NotCovered,
}

impl Coverage {
    /// Every level, best first.
    pub const ALL: [Coverage; 4] = [
        Coverage::Satisfied,
        Coverage::Partial,
        Coverage::Related,
        Coverage::NotCovered,
    ];

    /// The stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Satisfied => "satisfied",
            Coverage::Partial => "partial",
            Coverage::Related => "related",
            Coverage::NotCovered => "not-covered",
        }
    }

    /// What a link of this relationship (seen from the control's
    /// requirement) is worth.
    fn of(relationship: Relationship) -> Coverage {
        match relationship {
            Relationship::Equal | Relationship::Superset => Coverage::Satisfied,
            Relationship::Subset => Coverage::Partial,
            Relationship::Intersect => Coverage::Related,
        }
    }
}

/// One control reaching a requirement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contribution {
    /// The organisation's control.
    pub control: String,
    /// The requirement the control satisfies through which the mapping
    /// reaches the target; `None` when the control names it directly.
    pub via: Option<String>,
    /// The mapping's relationship from `via`'s side; `None` when direct.
    pub relationship: Option<Relationship>,
    /// What this link is worth.
    pub coverage: Coverage,
    /// The control's derived status at the report's instant.
    pub status: ControlStatus,
}

/// A requirement of the target framework and how it is covered.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequirementCoverage {
    /// The framework's own identifier (`GV.OC-01`, `AC-2`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The best level any contribution reaches.
    pub coverage: Coverage,
    /// The worst status among the contributions at that level; `None`
    /// when not covered.
    pub status: Option<ControlStatus>,
    /// Every control reaching it, best level first, then by control id.
    pub contributions: Vec<Contribution>,
}

/// The coverage of one framework by the organisation's controls.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoverageReport {
    /// The target framework's id.
    pub framework: String,
    /// Its title.
    pub title: String,
    /// Its version.
    pub version: String,
    /// The instant the statuses are derived at.
    pub at: evident_model::evidence::Timestamp,
    /// Every assessable requirement, in framework order.
    pub requirements: Vec<RequirementCoverage>,
}

impl CoverageReport {
    /// How many requirements are at each level.
    pub fn totals(&self) -> BTreeMap<Coverage, usize> {
        let mut totals: BTreeMap<Coverage, usize> = Coverage::ALL.iter().map(|c| (*c, 0)).collect();
        for r in &self.requirements {
            *totals.entry(r.coverage).or_default() += 1;
        }
        totals
    }
}

/// The coverage of `framework` by the implemented controls at
/// `inputs.at`; `None` when the catalog has no such framework.
pub fn build(inputs: &Inputs, framework: &str) -> Option<CoverageReport> {
    let target = inputs.catalog.framework(framework)?;
    let mut reached: BTreeMap<&str, Vec<Contribution>> = BTreeMap::new();
    for control in inputs
        .isms
        .controls
        .iter()
        .filter(|c| c.lifecycle == Lifecycle::Implemented)
    {
        let status =
            status::assess_control(control, &inputs.isms.soa, inputs.observations, inputs.at)
                .status;
        for contribution in contributions(inputs, control, framework, status) {
            if let Some(req) = target.requirement(&contribution.0) {
                reached
                    .entry(req.id.as_str())
                    .or_default()
                    .push(contribution.1);
            }
        }
    }
    let requirements = target
        .assessable()
        .map(|req| {
            let mut contributions = reached.remove(req.id.as_str()).unwrap_or_default();
            contributions.sort_by(|a, b| {
                (a.coverage, &a.control, &a.via).cmp(&(b.coverage, &b.control, &b.via))
            });
            contributions.dedup();
            let coverage = contributions
                .first()
                .map_or(Coverage::NotCovered, |c| c.coverage);
            let status = contributions
                .iter()
                .filter(|c| c.coverage == coverage)
                .map(|c| c.status)
                .max_by_key(|s| s.badness());
            RequirementCoverage {
                id: req.id.clone(),
                title: req.title.clone(),
                coverage,
                status,
                contributions,
            }
        })
        .collect();
    Some(CoverageReport {
        framework: target.id.clone(),
        title: target.title.clone(),
        version: target.version.clone(),
        at: inputs.at,
        requirements,
    })
}

/// The requirements of `framework` (by id) one control reaches, directly
/// or through one mapping from a requirement it satisfies.
fn contributions(
    inputs: &Inputs,
    control: &Control,
    framework: &str,
    status: ControlStatus,
) -> Vec<(String, Contribution)> {
    let mut out = Vec::new();
    for (satisfied, _) in &control.satisfies {
        if satisfied.framework == framework {
            out.push((
                satisfied.id.clone(),
                Contribution {
                    control: control.id.clone(),
                    via: None,
                    relationship: None,
                    coverage: Coverage::Satisfied,
                    status,
                },
            ));
            continue;
        }
        for related in inputs.catalog.related(satisfied) {
            if related.other.framework != framework {
                continue;
            }
            out.push((
                related.other.id.clone(),
                Contribution {
                    control: control.id.clone(),
                    via: Some(display(satisfied)),
                    relationship: Some(related.relationship),
                    coverage: Coverage::of(related.relationship),
                    status,
                },
            ));
        }
    }
    out
}

fn display(r: &RequirementRef) -> String {
    format!("{}:{}", r.framework, r.id)
}

/// The report as JSON, with `schema_version`.
pub fn json(report: &CoverageReport) -> Value {
    let totals: serde_json::Map<String, Value> = report
        .totals()
        .into_iter()
        .map(|(c, n)| (c.as_str().to_string(), json!(n)))
        .collect();
    json!({
        "schema_version": crate::SCHEMA_VERSION,
        "framework": report.framework,
        "title": report.title,
        "version": report.version,
        "at": report.at.to_string(),
        "totals": totals,
        "requirements": report.requirements,
    })
}

/// The report as CSV: one row per requirement and contributing control
/// (a requirement no control reaches has one row with empty control
/// columns), so a spreadsheet can filter either way.
pub fn csv(report: &CoverageReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut record = |fields: [&str; 9]| {
        // Writing to a Vec cannot fail; a failure would only lose the row.
        let _ = w.write_record(fields.map(inert).iter().map(|c| c.as_ref()));
    };
    let header = [
        "requirement",
        "title",
        "coverage",
        "status",
        "control",
        "via",
        "relationship",
        "link",
        "control_status",
    ];
    record(header);
    for r in &report.requirements {
        let status = r.status.map_or("", ControlStatus::as_str);
        if r.contributions.is_empty() {
            record([
                r.id.as_str(),
                &r.title,
                r.coverage.as_str(),
                status,
                "",
                "",
                "",
                "",
                "",
            ]);
        }
        for c in &r.contributions {
            record([
                r.id.as_str(),
                &r.title,
                r.coverage.as_str(),
                status,
                &c.control,
                c.via.as_deref().unwrap_or("direct"),
                c.relationship.map_or("", Relationship::as_str),
                c.coverage.as_str(),
                c.status.as_str(),
            ]);
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The report as Markdown: totals, then one table row per requirement.
pub fn markdown(report: &CoverageReport) -> String {
    let mut out = format!(
        "# Coverage of {} ({}) by the organisation's controls\n\nAs of {}. \
         `related` means an `intersect` mapping: the requirements overlap, \
         and the control is evidence to discuss, not a claim that the \
         requirement is met.\n\n| coverage | requirements |\n|---|---|\n",
        cell(&report.title),
        cell(&report.version),
        report.at,
    );
    for (coverage, n) in report.totals() {
        out.push_str(&format!("| {} | {n} |\n", coverage.as_str()));
    }
    out.push_str(
        "\n| requirement | title | coverage | status | controls |\n|---|---|---|---|---|\n",
    );
    for r in &report.requirements {
        let controls: Vec<String> = r
            .contributions
            .iter()
            .map(|c| match &c.via {
                Some(via) => format!("{} ({}, via {via})", c.control, c.status.as_str()),
                None => format!("{} ({})", c.control, c.status.as_str()),
            })
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&r.id),
            cell(&r.title),
            r.coverage.as_str(),
            r.status.map_or("", ControlStatus::as_str),
            cell(&controls.join("; ")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use evident_catalog::Catalog;
    use evident_model::control::{ControlKind, Responsibility};
    use evident_model::framework::{Framework, Mapping, Requirement, RequirementKind};
    use evident_model::status::Observations;
    use evident_model::{Isms, Location};

    use super::*;

    fn here() -> Location {
        Location::file_start(Arc::from("controls/x.yaml"))
    }

    fn requirement(id: &str) -> Requirement {
        Requirement {
            id: id.into(),
            title: format!("title of {id}"),
            kind: RequirementKind::Clause,
            parent: None,
            assessable: true,
            theme: None,
            description: None,
        }
    }

    fn mapping(source: &str, target: &str, relationship: Relationship) -> Mapping {
        Mapping {
            source: RequirementRef::parse(source, "x"),
            target: RequirementRef::parse(target, "x"),
            relationship,
        }
    }

    /// A framework `tgt` of four requirements, reached from ISO Annex A
    /// controls by every kind of mapping, and one reached directly.
    fn target() -> Framework {
        Framework::new(
            "tgt".into(),
            "Target <framework>".into(),
            "1".into(),
            vec![
                requirement("T-1"),
                requirement("T-2"),
                requirement("T-3"),
                requirement("T-4"),
                requirement("T-5"),
            ],
            vec![
                mapping("tgt:T-1", "iso27001-2022:A.5.15", Relationship::Equal),
                mapping("tgt:T-2", "iso27001-2022:A.5.15", Relationship::Superset),
                mapping("tgt:T-3", "iso27001-2022:A.5.15", Relationship::Intersect),
                mapping("tgt:T-3", "iso27001-2022:A.8.5", Relationship::Intersect),
            ],
        )
    }

    fn control(id: &str, satisfies: &[&str]) -> Control {
        Control {
            id: id.into(),
            title: id.into(),
            description: String::new(),
            kind: ControlKind::Technical,
            responsibility: Responsibility::Owned,
            boundary: None,
            owner: None,
            lifecycle: Lifecycle::Implemented,
            due: None,
            satisfies: satisfies
                .iter()
                .map(|s| (RequirementRef::parse(s, "iso27001-2022"), here()))
                .collect(),
            risks: Vec::new(),
            evidence: Vec::new(),
            documents: Vec::new(),
            location: here(),
        }
    }

    /// The example organisation with only the given controls.
    fn isms(controls: Vec<Control>) -> Isms {
        let mut isms = crate::testing::acme().0;
        isms.controls = controls;
        isms
    }

    fn report(controls: Vec<Control>) -> CoverageReport {
        let catalog = Catalog::with_user_frameworks(&[target()]);
        let isms = isms(controls);
        let observations = Observations::default();
        let inputs = Inputs {
            isms: &isms,
            catalog: &catalog,
            observations: &observations,
            findings: &[],
            at: "2026-11-28T12:00:00Z".parse().unwrap(),
        };
        build(&inputs, "tgt").expect("the framework exists")
    }

    fn row<'a>(r: &'a CoverageReport, id: &str) -> &'a RequirementCoverage {
        r.requirements.iter().find(|x| x.id == id).unwrap()
    }

    #[test]
    fn mapping_types_decide_what_a_link_is_worth() {
        let r = report(vec![
            control("CTL-ACCESS", &["A.5.15"]),
            control("CTL-AUTH", &["A.8.5"]),
            control("CTL-DIRECT", &["tgt:T-4"]),
        ]);
        // Seen from the ISO side: equal stays equal, the target's superset
        // is the ISO requirement's subset (partial).
        assert_eq!(row(&r, "T-1").coverage, Coverage::Satisfied);
        assert_eq!(row(&r, "T-2").coverage, Coverage::Partial);
        assert_eq!(row(&r, "T-3").coverage, Coverage::Related);
        assert_eq!(row(&r, "T-3").contributions.len(), 2);
        assert_eq!(row(&r, "T-4").coverage, Coverage::Satisfied);
        assert_eq!(row(&r, "T-4").contributions[0].via, None);
        assert_eq!(row(&r, "T-5").coverage, Coverage::NotCovered);
        assert_eq!(row(&r, "T-5").status, None);
        // No evidence at all: the contributing controls are missing, and
        // coverage never claims more than the status shows.
        assert_eq!(row(&r, "T-1").status, Some(ControlStatus::Missing));
        let totals = r.totals();
        assert_eq!(totals[&Coverage::Satisfied], 2);
        assert_eq!(totals[&Coverage::Partial], 1);
        assert_eq!(totals[&Coverage::Related], 1);
        assert_eq!(totals[&Coverage::NotCovered], 1);
    }

    #[test]
    fn planned_and_retired_controls_do_not_count() {
        let mut planned = control("CTL-ACCESS", &["A.5.15"]);
        planned.lifecycle = Lifecycle::Planned;
        let mut retired = control("CTL-DIRECT", &["tgt:T-4"]);
        retired.lifecycle = Lifecycle::Retired;
        let r = report(vec![planned, retired]);
        assert!(
            r.requirements
                .iter()
                .all(|x| x.coverage == Coverage::NotCovered)
        );
    }

    #[test]
    fn intersect_is_never_satisfied_in_the_builtin_nist_mappings() {
        let catalog = Catalog::builtin();
        let isms = isms(vec![control("CTL-ACCESS", &["A.5.15", "A.8.5", "A.5.1"])]);
        let observations = Observations::default();
        let inputs = Inputs {
            isms: &isms,
            catalog: &catalog,
            observations: &observations,
            findings: &[],
            at: "2026-11-28T12:00:00Z".parse().unwrap(),
        };
        for framework in ["nist-csf-2.0", "nist-sp-800-53-r5"] {
            let r = build(&inputs, framework).unwrap();
            assert!(
                r.requirements
                    .iter()
                    .any(|x| x.coverage == Coverage::Related)
            );
            assert!(
                r.requirements
                    .iter()
                    .all(|x| x.coverage != Coverage::Satisfied && x.coverage != Coverage::Partial),
                "{framework}: only intersect mappings, so nothing may be satisfied"
            );
        }
        assert!(build(&inputs, "no-such-framework").is_none());
    }

    #[test]
    fn renderings_carry_every_requirement_and_escape_cells() {
        let r = report(vec![control("CTL-ACCESS", &["A.5.15"])]);
        let j = json(&r);
        assert_eq!(j["schema_version"], crate::SCHEMA_VERSION);
        assert_eq!(j["requirements"].as_array().unwrap().len(), 5);
        assert_eq!(j["totals"]["not-covered"], 2);

        let text = csv(&r);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        // T-1..T-3 one contribution each, T-4 and T-5 none.
        assert_eq!(rows.len(), 5);
        assert_eq!(&rows[0][0], "T-1");
        assert_eq!(&rows[0][5], "iso27001-2022:A.5.15");

        let md = markdown(&r);
        assert!(md.contains("| T-3 | title of T-3 | related | missing | CTL-ACCESS (missing, via iso27001-2022:A.5.15) |"));
        assert!(md.contains("Target &lt;framework&gt;"), "{md}");
    }
}
