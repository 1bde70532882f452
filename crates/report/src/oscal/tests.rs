//! The OSCAL documents of the example organisation, with synthetic evidence
//! and results, against NIST's OSCAL 1.2.2 schema and for their content.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use evident_catalog::Catalog;
use evident_model::Isms;
use evident_model::check::Outcome;
use evident_model::finding::{Finding, FindingCode, ObjectKind, Severity};
use evident_model::hash::ContentHash;
use evident_model::status::Observations;
use jsonschema::{Draft, PatternOptions, Validator};
use serde_json::{Value, json};

use super::*;
use crate::Inputs;
use crate::testing::{acme, at, record, result};

const SCHEMA: &str = include_str!("../../schemas/oscal/oscal_complete_schema-1-2-2.json");

/// The instant the fixture is assessed at.
const AT: &str = "2026-07-01T12:00:00Z";

/// The schema's validator, compiled once. A backtrack limit makes
/// jsonschema compile every `pattern` when the validator is built (without
/// limits, some are compiled lazily on first use), so a pattern its regex
/// engine cannot read fails here rather than passing unnoticed.
fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
        options()
            .build(&schema)
            .unwrap_or_else(|e| panic!("the OSCAL schema compiles: {e}"))
    })
}

fn options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true)
        .with_pattern_options(PatternOptions::fancy_regex().backtrack_limit(1_000_000))
}

/// Every schema violation of a document, as `path: message` lines.
fn violations(document: &Value) -> Vec<String> {
    validator()
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn assert_valid(kind: &str, document: &Value) {
    let errors = violations(document);
    assert!(
        errors.is_empty(),
        "{kind} violates the OSCAL 1.2.2 schema:\n{}",
        errors[..errors.len().min(20)].join("\n")
    );
}

/// Evidence for CTL-IAM-01 (okta-users, aws-iam), whose aws-iam check
/// fails, and for CTL-ENG-04 (terraform-plan), whose check passes; plus an
/// item collected after `AT`, which the assessment must not see.
fn observations() -> (Observations, usize) {
    let okta = record(0, "okta-users", "2026-07-01T10:00:00Z");
    let iam = record(1, "aws-iam", "2026-07-01T10:00:00Z");
    let terraform = record(2, "terraform-plan", "2026-07-01T11:00:00Z");
    let later = record(3, "aws-iam", "2026-07-02T10:00:00Z");
    let results = vec![
        result(
            "okta-mfa",
            &okta,
            "CTL-IAM-01",
            Outcome::Pass,
            "2026-07-01T10:30:00Z",
        ),
        result(
            "aws-iam-console-mfa",
            &iam,
            "CTL-IAM-01",
            Outcome::Fail,
            "2026-07-01T10:30:00Z",
        ),
        result(
            "terraform-tagging",
            &terraform,
            "CTL-ENG-04",
            Outcome::Pass,
            "2026-07-01T11:30:00Z",
        ),
    ];
    let before_at = 3;
    (
        Observations::new(vec![okta, iam, terraform, later], results),
        before_at,
    )
}

fn findings() -> Vec<Finding> {
    let finding = |code, severity, kind, id: &str| Finding {
        code,
        severity,
        object_kind: kind,
        object_id: id.into(),
        location: None,
        message: format!("{id} needs attention"),
    };
    vec![
        finding(
            FindingCode::FailingControl,
            Severity::Error,
            ObjectKind::Control,
            "CTL-IAM-01",
        ),
        finding(
            FindingCode::StaleRiskReview,
            Severity::Warning,
            ObjectKind::Risk,
            "R-001",
        ),
        finding(
            FindingCode::ManualEvidenceExcess,
            Severity::Info,
            ObjectKind::Organisation,
            "acme",
        ),
    ]
}

/// The four documents of a fixture.
struct Documents {
    catalog: Value,
    ssp: Value,
    ar: Value,
    poam: Value,
}

fn render(
    isms: &Isms,
    catalog: &Catalog,
    observations: &Observations,
    findings: &[Finding],
) -> Documents {
    let inputs = Inputs {
        isms,
        catalog,
        observations,
        findings,
        at: at(AT),
    };
    Documents {
        catalog: super::catalog(catalog),
        ssp: ssp(&inputs),
        ar: assessment_results(&inputs),
        poam: poam(&inputs),
    }
}

fn fixture() -> (Documents, Isms, usize) {
    let (isms, catalog) = acme();
    let (observations, evidence_count) = observations();
    let documents = render(&isms, &catalog, &observations, &findings());
    (documents, isms, evidence_count)
}

/// Every value of a key anywhere in a document.
fn values_of<'v>(value: &'v Value, key: &str, out: &mut Vec<&'v Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == key {
                    out.push(v);
                }
                values_of(v, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| values_of(v, key, out)),
        _ => {}
    }
}

fn strings_of(value: &Value, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    values_of(value, key, &mut out);
    out.iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

fn label(value: &Value) -> Option<&str> {
    value["props"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == "label")?
        .get("value")?
        .as_str()
}

fn applicable(isms: &Isms) -> BTreeSet<String> {
    isms.soa
        .entries
        .iter()
        .filter(|e| e.applicable)
        .map(|e| e.requirement.clone())
        .collect()
}

#[test]
fn every_pattern_of_the_schema_compiles_and_means_what_it_says() {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let patterns: BTreeSet<String> = strings_of(&schema, "pattern").into_iter().collect();
    assert!(patterns.len() >= 5, "{patterns:?}");
    let broken: Vec<String> = patterns
        .iter()
        .filter(|p| {
            options()
                .build(&json!({ "type": "string", "pattern": p }))
                .is_err()
        })
        .cloned()
        .collect();
    assert!(
        broken.is_empty(),
        "patterns that do not compile: {broken:?}"
    );

    // `\p{L}` is a Unicode class, not a literal: a token may start with any
    // letter but not with a digit.
    let token = options()
        .build(&schema["definitions"]["TokenDatatype"])
        .expect("the token pattern compiles");
    assert!(token.is_valid(&json!("a.5.1")));
    assert!(token.is_valid(&json!("é-1")));
    assert!(!token.is_valid(&json!("4.1")));
    assert!(!token.is_valid(&json!("a 1")));
}

#[test]
fn the_four_documents_validate_against_the_oscal_schema() {
    let (documents, _, _) = fixture();
    assert_valid("catalog", &documents.catalog);
    assert_valid("system-security-plan", &documents.ssp);
    assert_valid("assessment-results", &documents.ar);
    assert_valid("plan-of-action-and-milestones", &documents.poam);
}

#[test]
fn the_validator_rejects_a_broken_document() {
    // The check above must be able to fail: a control id that is not a
    // token, and an observation without its required `collected`.
    let (mut documents, _, _) = fixture();
    documents.catalog["catalog"]["groups"][0]["controls"][0]["id"] = json!("4.1");
    assert!(!violations(&documents.catalog).is_empty());
    let observation = &mut documents.ar["assessment-results"]["results"][0]["observations"][0];
    observation
        .as_object_mut()
        .expect("an observation")
        .remove("collected");
    assert!(!violations(&documents.ar).is_empty());
}

#[test]
fn an_empty_isms_still_gives_valid_documents() {
    let (mut isms, catalog) = acme();
    isms.owners.clear();
    isms.vendors.clear();
    isms.controls.clear();
    isms.sources.clear();
    isms.risks.clear();
    isms.soa.entries.clear();
    isms.soa.version = None;
    let documents = render(&isms, &catalog, &Observations::default(), &[]);
    assert_valid("system-security-plan", &documents.ssp);
    assert_valid("assessment-results", &documents.ar);
    assert_valid("plan-of-action-and-milestones", &documents.poam);
    let items = &documents.poam["plan-of-action-and-milestones"]["poam-items"];
    assert_eq!(items.as_array().map(Vec::len), Some(1));
    assert_eq!(items[0]["title"], "No open item");
}

#[test]
fn the_catalog_is_the_iso_outline_with_identifiers_and_titles_only() {
    let (documents, _, _) = fixture();
    let catalog = &documents.catalog["catalog"];
    assert_eq!(catalog["metadata"]["oscal-version"], OSCAL_VERSION);
    let groups = catalog["groups"].as_array().expect("groups");
    let group_ids: Vec<&str> = groups.iter().filter_map(|g| g["id"].as_str()).collect();
    assert_eq!(
        group_ids,
        [
            "clause-4",
            "clause-5",
            "clause-6",
            "clause-7",
            "clause-8",
            "clause-9",
            "clause-10",
            "a.5",
            "a.6",
            "a.7",
            "a.8"
        ]
    );
    let mut controls = Vec::new();
    values_of(catalog, "controls", &mut controls);
    let controls: Vec<&Value> = controls
        .iter()
        .filter_map(|c| c.as_array())
        .flatten()
        .collect();
    let annex: Vec<&&Value> = controls
        .iter()
        .filter(|c| c["class"] == "annex-a-control")
        .collect();
    assert_eq!(annex.len(), 93);
    // 41 clause nodes less the 7 top-level groups.
    assert_eq!(
        controls.iter().filter(|c| c["class"] == "clause").count(),
        34
    );
    for control in &controls {
        let id = control["id"].as_str().expect("an id");
        let original = label(control).expect("every control keeps its id as label");
        assert_eq!(ids::control_id(original), id);
    }
    let a85 = annex
        .iter()
        .find(|c| c["id"] == "a.8.5")
        .expect("A.8.5 is in the catalog");
    assert_eq!(a85["title"], "Secure authentication");
    assert_eq!(a85["parts"][0]["id"], "a.8.5_smt");
    // No requirement text: no prose anywhere.
    assert!(strings_of(catalog, "prose").is_empty());
    let six_one = controls
        .iter()
        .find(|c| c["id"] == "clause-6.1")
        .expect("6.1 is a control");
    assert_eq!(six_one["controls"].as_array().map(Vec::len), Some(3));
    assert!(six_one.get("parts").is_none(), "a heading has no statement");
}

#[test]
fn the_ssp_has_one_implemented_requirement_per_applicable_annex_a_control() {
    let (documents, isms, _) = fixture();
    let ssp = &documents.ssp["system-security-plan"];
    let requirements = ssp["control-implementation"]["implemented-requirements"]
        .as_array()
        .expect("implemented requirements");
    let listed: Vec<&str> = requirements.iter().filter_map(label).collect();
    let unique: BTreeSet<String> = listed.iter().map(|s| s.to_string()).collect();
    assert_eq!(listed.len(), unique.len(), "each once");
    assert_eq!(unique, applicable(&isms));
    // A.7.6 is excluded by the SoA.
    assert!(isms.soa.entry("A.7.6").is_some_and(|e| !e.applicable));
    assert!(!listed.contains(&"A.7.6"));
    assert!(
        requirements
            .iter()
            .all(|r| r["control-id"] == json!(ids::control_id(label(r).unwrap_or_default())))
    );
}

#[test]
fn the_ssp_states_responsibility_status_and_owner_of_each_control() {
    let (documents, isms, _) = fixture();
    let ssp = &documents.ssp["system-security-plan"];
    let uuids = super::common::uuids(&isms);
    let components = ssp["system-implementation"]["components"]
        .as_array()
        .expect("components");
    // The organisation, one per evidence source, one per vendor.
    assert_eq!(
        components.len(),
        1 + isms.sources.len() + isms.vendors.len()
    );
    assert_eq!(components[0]["type"], "this-system");
    let users = ssp["system-implementation"]["users"]
        .as_array()
        .expect("users");
    assert_eq!(users.len(), isms.owners.len());

    let a85 = ssp["control-implementation"]["implemented-requirements"]
        .as_array()
        .and_then(|r| r.iter().find(|r| label(r) == Some("A.8.5")))
        .expect("A.8.5");
    let by = a85["by-components"].as_array().expect("by-components");
    // CTL-IAM-01 is shared with Okta and failing: the organisation's part
    // and Okta's part, both partial.
    let iam: Vec<&Value> = by
        .iter()
        .filter(|b| {
            b["props"].as_array().is_some_and(|p| {
                p.iter()
                    .any(|p| p["name"] == "control" && p["value"] == "CTL-IAM-01")
            })
        })
        .collect();
    assert_eq!(iam.len(), 2, "{iam:?}");
    assert_eq!(
        iam[0]["component-uuid"],
        json!(super::common::this_system(&uuids))
    );
    assert!(iam[0]["satisfied"].is_array());
    assert_eq!(
        iam[1]["component-uuid"],
        json!(super::common::vendor_component(&uuids, "okta"))
    );
    assert!(iam[1]["inherited"].is_array());
    for b in &iam {
        assert_eq!(b["implementation-status"]["state"], "partial");
        assert_eq!(b["responsible-roles"][0]["role-id"], "control-owner");
        assert_eq!(
            b["responsible-roles"][0]["party-uuids"][0],
            json!(super::common::owner_party(&uuids, "tom"))
        );
    }
    let status: Vec<&str> = a85["props"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == "status")
        .filter_map(|p| p["value"].as_str())
        .collect();
    assert_eq!(status, ["failing"]);
    assert_eq!(ssp["import-profile"]["href"], CATALOG_FILE);
}

#[test]
fn the_assessment_has_one_observation_per_evidence_item_and_check_result() {
    let (documents, _, evidence_count) = fixture();
    let ar = &documents.ar["assessment-results"];
    let result = &ar["results"][0];
    let observations = result["observations"].as_array().expect("observations");
    let examined: Vec<&Value> = observations
        .iter()
        .filter(|o| o["methods"] == json!(["EXAMINE"]))
        .collect();
    assert_eq!(
        examined.len(),
        evidence_count,
        "the item collected after `at` is left out"
    );
    assert_eq!(
        observations
            .iter()
            .filter(|o| o["methods"] == json!(["TEST"]))
            .count(),
        3
    );
    // Each item's artefact is in the pack at its content-addressed blob
    // path, and a back-matter resource carries its sha256.
    let resources = ar["back-matter"]["resources"]
        .as_array()
        .expect("resources");
    for (index, observation) in examined.iter().enumerate() {
        let evidence = &observation["relevant-evidence"][0];
        let source = ["okta-users", "aws-iam", "terraform-plan"][index];
        let digest = ContentHash::of_bytes(format!("{source}-{index}").as_bytes());
        let blob = format!("../blobs/{}/{}", &digest.hex()[..2], &digest.hex()[2..]);
        assert_eq!(evidence["href"], blob);
        let link = evidence["links"][0]["href"].as_str().expect("a link");
        let resource = resources
            .iter()
            .find(|r| format!("#{}", r["uuid"].as_str().unwrap_or_default()) == link)
            .expect("the linked resource exists");
        assert_eq!(resource["rlinks"][0]["hashes"][0]["value"], digest.hex());
        assert_eq!(resource["rlinks"][0]["href"], blob);
        assert_eq!(
            observation["collected"],
            json!(match index {
                2 => "2026-07-01T11:00:00Z",
                _ => "2026-07-01T10:00:00Z",
            })
        );
        assert!(
            observation["expires"].is_string(),
            "freshness gives an expiry"
        );
    }
    // The plan is a back-matter resource linking the SSP.
    let plan = ar["import-ap"]["href"].as_str().expect("import-ap");
    let plan = resources
        .iter()
        .find(|r| format!("#{}", r["uuid"].as_str().unwrap_or_default()) == plan)
        .expect("import-ap names a resource");
    assert_eq!(plan["rlinks"][0]["href"], SSP_FILE);
}

#[test]
fn findings_follow_the_derived_status_of_each_applicable_control() {
    let (documents, isms, _) = fixture();
    let result = &documents.ar["assessment-results"]["results"][0];
    let findings = result["findings"].as_array().expect("findings");
    let by_label: HashMap<&str, &Value> = findings
        .iter()
        .filter_map(|f| Some((label(f)?, f)))
        .collect();
    let labels: BTreeSet<String> = by_label.keys().map(|k| k.to_string()).collect();
    assert_eq!(labels, applicable(&isms));
    assert!(!by_label.contains_key("A.7.6"));

    let a85 = by_label["A.8.5"];
    assert_eq!(a85["target"]["type"], "statement-id");
    assert_eq!(a85["target"]["target-id"], "a.8.5_smt");
    assert_eq!(a85["target"]["status"]["state"], "not-satisfied");
    assert_eq!(a85["target"]["status"]["reason"], "fail");
    // It rests on the failing result and the evidence it judged.
    let observation_uuids: HashSet<&str> = result["observations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["uuid"].as_str())
        .collect();
    let related: Vec<&str> = a85["related-observations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["observation-uuid"].as_str())
        .collect();
    assert!(related.len() >= 3, "{related:?}");
    assert!(related.iter().all(|r| observation_uuids.contains(r)));

    // A.8.9 is satisfied by CTL-ENG-04 alone, with fresh passing evidence.
    let a89 = by_label["A.8.9"];
    assert_eq!(a89["target"]["status"]["state"], "satisfied");
    assert_eq!(
        a89["target"]["implementation-status"]["state"],
        "implemented"
    );

    let reviewed: BTreeSet<String> = strings_of(&result["reviewed-controls"], "control-id")
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = applicable(&isms)
        .iter()
        .map(|r| ids::control_id(r))
        .collect();
    assert_eq!(reviewed, expected);
}

#[test]
fn the_poam_lists_failing_controls_and_open_findings() {
    let (documents, _, _) = fixture();
    let poam = &documents.poam["plan-of-action-and-milestones"];
    let items = poam["poam-items"].as_array().expect("items");
    let titles: Vec<&str> = items.iter().filter_map(|i| i["title"].as_str()).collect();
    let iam = items
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("CTL-IAM-01 "))
        })
        .expect("the failing control has an item");
    assert!(
        iam["title"]
            .as_str()
            .is_some_and(|t| t.ends_with("is failing"))
    );
    assert!(
        iam["description"]
            .as_str()
            .is_some_and(|d| d.contains("user bob has no MFA"))
    );
    // Its failing result is among the POA&M's observations; the passing
    // one is not.
    let observations = poam["observations"].as_array().expect("observations");
    let related: HashSet<&str> = iam["related-observations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["observation-uuid"].as_str())
        .collect();
    let failing = observations
        .iter()
        .find(|o| o["title"] == "Check aws-iam-console-mfa on aws-iam: fail")
        .expect("the failing result is observed");
    assert!(related.contains(failing["uuid"].as_str().unwrap_or_default()));
    assert!(
        !observations
            .iter()
            .any(|o| o["title"] == "Check okta-mfa on okta-users: pass")
    );
    // The risks CTL-IAM-01 treats are related.
    assert!(
        iam["related-risks"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    // CTL-ENG-04 is effective: no item.
    assert!(!titles.iter().any(|t| t.starts_with("CTL-ENG-04 ")));
    // Error and warning findings are items; info is not.
    assert!(titles.contains(&"failing-control: control CTL-IAM-01"));
    assert!(titles.contains(&"stale-risk-review: risk R-001"));
    assert!(
        !titles
            .iter()
            .any(|t| t.starts_with("manual-evidence-excess"))
    );
    assert_eq!(poam["import-ssp"]["href"], SSP_FILE);
}

#[test]
fn uuids_are_unique_and_references_resolve() {
    let (documents, _, _) = fixture();
    for (kind, document) in [
        ("ssp", &documents.ssp),
        ("ar", &documents.ar),
        ("poam", &documents.poam),
        ("catalog", &documents.catalog),
    ] {
        let defined = strings_of(document, "uuid");
        let unique: HashSet<&String> = defined.iter().collect();
        assert_eq!(defined.len(), unique.len(), "{kind}: duplicate uuids");
    }
    let mut ids = strings_of(&documents.catalog, "id");
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "catalog ids are unique");

    // Controls the SSP and AR name exist in the catalog.
    let catalog_ids: HashSet<String> = ids.into_iter().collect();
    for id in strings_of(&documents.ssp, "control-id")
        .into_iter()
        .chain(strings_of(&documents.ar, "control-id"))
        .chain(strings_of(&documents.ar, "target-id"))
    {
        assert!(catalog_ids.contains(&id), "{id} is not in the catalog");
    }
    // Components, parties and roles referred to are defined in the SSP.
    let ssp = &documents.ssp["system-security-plan"];
    let components: HashSet<String> =
        strings_of(&ssp["system-implementation"]["components"], "uuid")
            .into_iter()
            .collect();
    let parties: HashSet<String> = strings_of(&ssp["metadata"]["parties"], "uuid")
        .into_iter()
        .collect();
    let roles: HashSet<String> = strings_of(&ssp["metadata"]["roles"], "id")
        .into_iter()
        .collect();
    for uuid in strings_of(ssp, "component-uuid")
        .into_iter()
        .chain(strings_of(&documents.ar, "subject-uuid"))
    {
        assert!(components.contains(&uuid), "component {uuid}");
    }
    for uuid in strings_of(ssp, "party-uuids")
        .into_iter()
        .chain(strings_of(ssp, "party-uuid"))
    {
        assert!(parties.contains(&uuid), "party {uuid}");
    }
    let mut party_lists = Vec::new();
    values_of(ssp, "party-uuids", &mut party_lists);
    for uuid in party_lists.iter().filter_map(|v| v.as_array()).flatten() {
        assert!(
            parties.contains(uuid.as_str().unwrap_or_default()),
            "party {uuid}"
        );
    }
    for role in strings_of(ssp, "role-id") {
        assert!(roles.contains(&role), "role {role}");
    }
    let mut role_lists = Vec::new();
    values_of(ssp, "role-ids", &mut role_lists);
    for role in role_lists.iter().filter_map(|v| v.as_array()).flatten() {
        assert!(
            roles.contains(role.as_str().unwrap_or_default()),
            "role {role}"
        );
    }
    // Observations and risks the POA&M relates are in it.
    let poam = &documents.poam["plan-of-action-and-milestones"];
    let observed: HashSet<String> = strings_of(&poam["observations"], "uuid")
        .into_iter()
        .collect();
    for uuid in strings_of(&poam["poam-items"], "observation-uuid") {
        assert!(observed.contains(&uuid), "observation {uuid}");
    }
    let risks: HashSet<String> = strings_of(&poam["risks"], "uuid").into_iter().collect();
    for uuid in strings_of(&poam["poam-items"], "risk-uuid") {
        assert!(risks.contains(&uuid), "risk {uuid}");
    }
}

#[test]
fn the_same_inputs_give_byte_identical_documents() {
    let (first, isms, _) = fixture();
    let (second, _, _) = fixture();
    for (a, b) in [
        (&first.catalog, &second.catalog),
        (&first.ssp, &second.ssp),
        (&first.ar, &second.ar),
        (&first.poam, &second.poam),
    ] {
        assert_eq!(a.to_string(), b.to_string());
    }
    // A later assessment is a new result, but the system's objects keep
    // their identity.
    let (_, catalog) = acme();
    let (observations, _) = observations();
    let later = Inputs {
        isms: &isms,
        catalog: &catalog,
        observations: &observations,
        findings: &[],
        at: at("2026-07-03T00:00:00Z"),
    };
    let ar = assessment_results(&later);
    assert_ne!(
        ar["assessment-results"]["results"][0]["uuid"],
        first.ar["assessment-results"]["results"][0]["uuid"]
    );
    assert_eq!(
        ssp(&later)["system-security-plan"]["system-implementation"],
        first.ssp["system-security-plan"]["system-implementation"]
    );
}
