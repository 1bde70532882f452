//! Every finding code with a case that raises it and one that does not.
//!
//! Each test starts from a small clean repository, changes one file, and
//! checks which (code, object) pairs the analysis reports as of a date.

use std::collections::BTreeMap;

use evident_catalog::Catalog;
use evident_model::finding::{Finding, Severity};
use evident_model::time::parse_date;

pub(crate) const BASE: &[(&str, &str)] = &[
    (
        "evident.yaml",
        "organisation: Test Ltd\nscope: Everything\nframeworks: [iso27001-2022]\nevidence: { max_manual_share: 0.5 }\n",
    ),
    (
        "sources.yaml",
        "sources:
  - { name: iam, collector: file, parameters: { paths: [iam.csv] } }
  - { name: okta, collector: file, parameters: { paths: [okta.json] } }
  - { name: vendor-reports, collector: manual }
",
    ),
    (
        "owners.yaml",
        "owners:
  - { id: alice, name: Alice, roles: [ciso, risk-owner] }
  - { id: bob, name: Bob, roles: [risk-owner] }
  - { id: carol, name: Carol, roles: [ceo] }
  - { id: dave, name: Dave, roles: [risk-owner], active: false }
",
    ),
    (
        "vendors.yaml",
        "vendors:
  - id: aws
    name: AWS
    boundary: AWS runs the data centres; we run everything above the hypervisor.
    assurance:
      - { kind: soc2-type2, scope: all regions, issued: 2026-05-01, expires: 2027-04-30, reviewed_by: alice, reviewed_on: 2026-06-01 }
",
    ),
    (
        "controls/base.yaml",
        "controls:
  - id: C-1
    title: MFA
    kind: technical
    owner: alice
    satisfies: [A.8.5]
    risks: [R-1]
    evidence:
      - { id: mfa, description: MFA report, source: iam, freshness: 7d }
  - id: C-DC
    title: Data centre security
    kind: physical
    responsibility: inherited
    provider: aws
    owner: alice
    satisfies: [A.7.1]
    evidence:
      - { id: soc2, description: SOC 2 report, source: vendor-reports, freshness: 1y }
",
    ),
    (
        "risks/base.yaml",
        "risks:
  - id: R-1
    title: Account takeover
    asset: accounts
    threat: phishing
    vulnerability: passwords
    owner: bob
    inherent: { likelihood: 4, impact: 4 }
    residual: { likelihood: 1, impact: 4 }
    treatment: { strategy: mitigate, proposed_by: bob }
    review: { cadence: 1y, last_reviewed: 2026-06-01 }
",
    ),
    (
        "soa.yaml",
        "applicability:
  - { requirement: A.8.5, applicable: true, reasons: [risk], justification: needed }
  - { requirement: A.7.1, applicable: true, reasons: [risk], justification: needed }
",
    ),
    (
        "policies/access.md",
        "---\nid: POL-A\ntitle: Access\nowner: alice\nimplemented_by: [C-1]\n---\nText.\n",
    ),
    (
        "decisions/mr.yaml",
        "kind: management-review\nid: MR-1\ndate: 2026-03-01\nchair: carol\n",
    ),
    (
        "decisions/ia.yaml",
        "kind: internal-audit\nid: IA-1\ndate: 2026-04-01\nauditor: alice\nscope: the ISMS\n",
    ),
];

/// The findings of the base repository with `changes` applied (a `None`
/// content deletes the file), as of `at`.
fn findings(changes: &[(&str, Option<&str>)], at: &str) -> Vec<Finding> {
    let mut files: BTreeMap<&str, &str> = BASE.iter().copied().collect();
    for (name, content) in changes {
        match content {
            Some(c) => files.insert(name, c),
            None => files.remove(name),
        };
    }
    let files: Vec<(&str, &str)> = files.into_iter().collect();
    let dir = write_repository(&files);
    let loaded = evident_spec::load(dir.path());
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let catalog = Catalog::with_user_frameworks(&loaded.isms.frameworks);
    crate::analyze(&loaded.isms, &catalog, parse_date(at).unwrap())
}

/// Writes `files` into a new temporary folder.
pub(crate) fn write_repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// The (code, object) pairs found, for the codes under test.
pub(crate) fn pairs(found: &[Finding], code: &str) -> Vec<String> {
    found
        .iter()
        .filter(|f| f.code.as_str() == code)
        .map(|f| format!("{} {}", f.object_id, f.severity.as_str()))
        .collect()
}

fn check(changes: &[(&str, Option<&str>)], at: &str, code: &str, expected: &[&str]) {
    let found = findings(changes, at);
    assert_eq!(pairs(&found, code), expected, "{code}: {found:#?}");
}

const AT: &str = "2026-11-28";

#[test]
fn the_base_repository_is_clean_but_for_coverage() {
    let found = findings(&[], AT);
    let other: Vec<_> = found
        .iter()
        .filter(|f| f.code.as_str() != "uncovered-requirement")
        .collect();
    assert!(other.is_empty(), "{other:#?}");
}

#[test]
fn unowned_control() {
    let controls = "controls:\n  - { id: C-2, title: X, kind: technical, satisfies: [A.8.1], evidence: [{id: e, description: d}] }\n  - { id: C-3, title: Y, kind: technical, lifecycle: retired }\n";
    check(
        &[("controls/more.yaml", Some(controls))],
        AT,
        "unowned-control",
        &["C-2 error"],
    );
    check(&[], AT, "unowned-control", &[]);
}

#[test]
fn unowned_risk() {
    let risks = "risks:\n  - { id: R-2, title: X, asset: a, threat: t, vulnerability: v, inherent: {likelihood: 1, impact: 1}, review: {last_reviewed: 2026-06-01} }\n";
    check(
        &[("risks/more.yaml", Some(risks))],
        AT,
        "unowned-risk",
        &["R-2 error"],
    );
    check(&[], AT, "unowned-risk", &[]);
}

#[test]
fn unknown_owner() {
    let risks = "risks:\n  - { id: R-2, title: X, asset: a, threat: t, vulnerability: v, owner: zoe, inherent: {likelihood: 1, impact: 1}, review: {last_reviewed: 2026-06-01} }\n";
    check(
        &[("risks/more.yaml", Some(risks))],
        AT,
        "unknown-owner",
        &["R-2 error"],
    );
    let decision = "kind: management-review\nid: MR-1\ndate: 2026-03-01\nchair: nobody\n";
    check(
        &[("decisions/mr.yaml", Some(decision))],
        AT,
        "unknown-owner",
        &["MR-1 error"],
    );
    check(&[], AT, "unknown-owner", &[]);
}

#[test]
fn inactive_owner() {
    let policy = "---\nid: POL-A\ntitle: Access\nowner: dave\nimplemented_by: [C-1]\n---\n";
    check(
        &[("policies/access.md", Some(policy))],
        AT,
        "inactive-owner",
        &["POL-A error"],
    );
    // A past record by someone who has since left is history, not a problem.
    let audit =
        "kind: internal-audit\nid: IA-1\ndate: 2026-04-01\nauditor: dave\nscope: the ISMS\n";
    check(
        &[("decisions/ia.yaml", Some(audit))],
        AT,
        "inactive-owner",
        &[],
    );
}

#[test]
fn policy_without_implementation() {
    let none = "---\nid: POL-A\ntitle: Access\nowner: alice\nimplemented_by: []\n---\n";
    check(
        &[("policies/access.md", Some(none))],
        AT,
        "policy-without-implementation",
        &["POL-A error"],
    );
    let planned = "controls:\n  - { id: C-9, title: P, kind: technical, owner: alice, lifecycle: planned, due: 2027-01-01 }\n";
    let only_planned = "---\nid: POL-A\ntitle: Access\nowner: alice\nimplemented_by: [C-9]\n---\n";
    check(
        &[
            ("controls/p.yaml", Some(planned)),
            ("policies/access.md", Some(only_planned)),
        ],
        AT,
        "policy-without-implementation",
        &["POL-A error"],
    );
    check(&[], AT, "policy-without-implementation", &[]);
}

#[test]
fn unimplemented_control() {
    let controls = "controls:
  - { id: C-8, title: Late, kind: technical, owner: alice, lifecycle: planned, due: 2026-10-01 }
  - { id: C-9, title: Soon, kind: technical, owner: alice, lifecycle: planned, due: 2027-01-01 }
  - { id: C-10, title: Paper, kind: organisational, owner: alice }
";
    check(
        &[("controls/p.yaml", Some(controls))],
        AT,
        "unimplemented-control",
        &["C-8 error", "C-9 warning", "C-10 warning"],
    );
    // As of before the due date, the late one is merely planned.
    check(
        &[("controls/p.yaml", Some(controls))],
        "2026-09-30",
        "unimplemented-control",
        &["C-8 warning", "C-9 warning", "C-10 warning"],
    );
    check(&[], AT, "unimplemented-control", &[]);
}

fn risk_with(extra: &str) -> String {
    format!(
        "risks:\n  - id: R-2\n    title: X\n    asset: a\n    threat: t\n    vulnerability: v\n    owner: bob\n{extra}"
    )
}

#[test]
fn stale_risk_review() {
    let due = risk_with(
        "    inherent: {likelihood: 1, impact: 1}\n    review: {cadence: 1y, last_reviewed: 2025-11-28}\n",
    );
    check(
        &[("risks/more.yaml", Some(&due))],
        "2026-11-28",
        "stale-risk-review",
        &[],
    );
    check(
        &[("risks/more.yaml", Some(&due))],
        "2026-11-29",
        "stale-risk-review",
        &["R-2 error"],
    );
    let never = risk_with("    inherent: {likelihood: 1, impact: 1}\n");
    check(
        &[("risks/more.yaml", Some(&never))],
        AT,
        "stale-risk-review",
        &["R-2 error"],
    );
}

#[test]
fn untreated_risk() {
    let review = "    review: {last_reviewed: 2026-06-01}\n";
    let none = risk_with(&format!(
        "    inherent: {{likelihood: 3, impact: 3}}\n{review}"
    ));
    check(
        &[("risks/more.yaml", Some(&none))],
        AT,
        "untreated-risk",
        &["R-2 error"],
    );
    let no_controls = risk_with(&format!(
        "    inherent: {{likelihood: 3, impact: 3}}\n    treatment: {{strategy: mitigate}}\n{review}"
    ));
    check(
        &[("risks/more.yaml", Some(&no_controls))],
        AT,
        "untreated-risk",
        &["R-2 error"],
    );
    let residual_high = risk_with(&format!(
        "    inherent: {{likelihood: 5, impact: 5}}\n    residual: {{likelihood: possible, impact: moderate}}\n    treatment: {{strategy: mitigate}}\n    controls: [C-1]\n{review}"
    ));
    check(
        &[("risks/more.yaml", Some(&residual_high))],
        AT,
        "untreated-risk",
        &["R-2 warning"],
    );
    let within_appetite = risk_with(&format!(
        "    inherent: {{likelihood: 2, impact: 3}}\n{review}"
    ));
    check(
        &[("risks/more.yaml", Some(&within_appetite))],
        AT,
        "untreated-risk",
        &[],
    );
    check(&[], AT, "untreated-risk", &[]);
}

/// A medium risk (score 8) accepted, proposed by bob.
fn accepted(expires: &str) -> String {
    risk_with(&format!(
        "    inherent: {{likelihood: 2, impact: 4}}\n    treatment: {{strategy: accept, proposed_by: bob{expires}}}\n    review: {{last_reviewed: 2026-06-01}}\n"
    ))
}

fn approval(by: &str, role: &str, date: &str, hash: &str) -> String {
    format!(
        "kind: risk-acceptance\nid: D-1\nsubject: R-2\nsubject_hash: {hash}\napproved_by: {by}\nrole: {role}\ndate: {date}\n"
    )
}

/// The content hash of R-2 as defined by `risks`.
fn hash_of(risks: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in BASE.iter().copied().chain([("risks/more.yaml", risks)]) {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let loaded = evident_spec::load(dir.path());
    let risk = loaded.isms.risks.iter().find(|r| r.id == "R-2").unwrap();
    evident_model::hash::risk(risk).to_string()
}

#[test]
fn unapproved_risk_acceptance() {
    let risk = accepted("");
    let hash = hash_of(&risk);
    let code = "unapproved-risk-acceptance";
    // No approval at all.
    check(
        &[("risks/more.yaml", Some(&risk))],
        AT,
        code,
        &["R-2 error"],
    );
    // Approved by the CISO, who may accept medium risks: fine.
    let good = approval("alice", "ciso", "2026-06-01", &hash);
    check(
        &[
            ("risks/more.yaml", Some(&risk)),
            ("decisions/d.yaml", Some(&good)),
        ],
        AT,
        code,
        &[],
    );
    // ...but not before the approval was given.
    check(
        &[
            ("risks/more.yaml", Some(&risk)),
            ("decisions/d.yaml", Some(&good)),
        ],
        "2026-05-31",
        code,
        &["R-2 error"],
    );
    // A risk-owner may not accept a medium risk.
    let weak = approval("bob", "risk-owner", "2026-06-01", &hash);
    let found = findings(
        &[
            ("risks/more.yaml", Some(&risk)),
            ("decisions/d.yaml", Some(&weak)),
        ],
        AT,
    );
    let messages: Vec<_> = found
        .iter()
        .filter(|f| f.code.as_str() == code)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("may only be accepted by ciso"),
        "{messages:?}"
    );
    // bob proposed it: segregation of duties.
    assert!(
        messages[1].contains("segregation of duties"),
        "{messages:?}"
    );
    // Claiming a role one does not hold gives no authority.
    let claimed = approval("bob", "ciso", "2026-06-01", &hash);
    check(
        &[
            ("risks/more.yaml", Some(&risk)),
            ("decisions/d.yaml", Some(&claimed)),
        ],
        AT,
        code,
        &["R-2 error", "R-2 error"],
    );
    // Editing the risk after approval voids it...
    let edited = risk.replace("impact: 4", "impact: 3");
    let found = findings(
        &[
            ("risks/more.yaml", Some(&edited)),
            ("decisions/d.yaml", Some(&good)),
        ],
        AT,
    );
    assert!(
        found
            .iter()
            .any(|f| f.code.as_str() == code && f.message.contains("changed after")),
        "{found:#?}"
    );
    // ...but reviewing it does not.
    let reviewed = risk.replace("last_reviewed: 2026-06-01", "last_reviewed: 2026-11-01");
    check(
        &[
            ("risks/more.yaml", Some(&reviewed)),
            ("decisions/d.yaml", Some(&good)),
        ],
        AT,
        code,
        &[],
    );
    // Critical risks cannot be accepted by anyone.
    let critical = accepted("").replace("likelihood: 2, impact: 4", "likelihood: 5, impact: 5");
    let by_ceo = approval("carol", "ceo", "2026-06-01", &hash_of(&critical));
    check(
        &[
            ("risks/more.yaml", Some(&critical)),
            ("decisions/d.yaml", Some(&by_ceo)),
        ],
        AT,
        code,
        &["R-2 error"],
    );
}

#[test]
fn expired_risk_acceptance() {
    let code = "expired-risk-acceptance";
    let risk = accepted(", expires: 2026-08-31");
    let good = approval("alice", "ciso", "2026-06-01", &hash_of(&risk));
    let files = [
        ("risks/more.yaml", Some(risk.as_str())),
        ("decisions/d.yaml", Some(good.as_str())),
    ];
    check(&files, "2026-08-31", code, &[]);
    check(&files, "2026-09-01", code, &["R-2 error"]);
    // Without an expiry, the scale's one-year maximum from the approval applies.
    let open = accepted("");
    let old = approval("alice", "ciso", "2025-06-01", &hash_of(&open));
    let files = [
        ("risks/more.yaml", Some(open.as_str())),
        ("decisions/d.yaml", Some(old.as_str())),
    ];
    check(&files, "2026-06-01", code, &[]);
    check(&files, "2026-06-02", code, &["R-2 error"]);
}

#[test]
fn uncovered_requirement() {
    let found = findings(&[], AT);
    let uncovered = pairs(&found, "uncovered-requirement");
    assert!(
        uncovered.contains(&"A.5.1 error".to_string()),
        "no SoA entry"
    );
    assert!(
        uncovered.contains(&"4.1 warning".to_string()),
        "clauses are warned"
    );
    assert!(
        !uncovered.iter().any(|p| p.starts_with("A.8.5 ")),
        "covered"
    );
    // Applicable but no control satisfies it.
    let soa = "applicability:\n  - { requirement: A.8.5, applicable: true, reasons: [risk] }\n  - { requirement: A.7.1, applicable: true, reasons: [risk] }\n  - { requirement: A.8.9, applicable: true, reasons: [risk] }\n";
    let found = findings(&[("soa.yaml", Some(soa))], AT);
    assert!(pairs(&found, "uncovered-requirement").contains(&"A.8.9 error".to_string()));
}

#[test]
fn unjustified_exclusion() {
    let code = "unjustified-exclusion";
    let soa = |j: &str| {
        format!(
            "applicability:\n  - {{ requirement: A.8.5, applicable: true }}\n  - {{ requirement: A.7.1, applicable: true }}\n  - {{ requirement: A.7.4, applicable: false{j} }}\n"
        )
    };
    check(&[("soa.yaml", Some(&soa("")))], AT, code, &["A.7.4 error"]);
    check(
        &[("soa.yaml", Some(&soa(", justification: '  '")))],
        AT,
        code,
        &["A.7.4 error"],
    );
    check(
        &[(
            "soa.yaml",
            Some(&soa(", justification: No premises to monitor")),
        )],
        AT,
        code,
        &[],
    );
}

#[test]
fn unknown_requirement() {
    let code = "unknown-requirement";
    let controls = "controls:\n  - { id: C-2, title: X, kind: technical, owner: alice, satisfies: [A.8.35, 'nist-csf-2.0:PR.AA-01', 'nist-csf-9:X', 'nist-sp-800-53-r5:AC-2'], evidence: [{id: e, description: d}] }\n";
    check(
        &[("controls/more.yaml", Some(controls))],
        AT,
        code,
        &["C-2 error", "C-2 error"],
    );
    let soa = "applicability:\n  - { requirement: A.8.5, applicable: true }\n  - { requirement: A.7.1, applicable: true }\n  - { requirement: 6.1.2, applicable: true }\n";
    check(&[("soa.yaml", Some(soa))], AT, code, &["6.1.2 error"]);
    check(&[], AT, code, &[]);
}

#[test]
fn unvalidated_inherited_control() {
    let code = "unvalidated-inherited-control";
    let vendors = |assurance: &str| {
        format!(
            "vendors:\n  - id: aws\n    name: AWS\n    boundary: b\n    assurance: {assurance}\n"
        )
    };
    check(
        &[("vendors.yaml", Some(&vendors("[]")))],
        AT,
        code,
        &["C-DC error"],
    );
    let unreviewed = "[{ kind: soc2-type2, scope: s, issued: 2026-05-01, expires: 2027-04-30 }]";
    check(
        &[("vendors.yaml", Some(&vendors(unreviewed)))],
        AT,
        code,
        &["C-DC warning"],
    );
    let no_provider = "controls:\n  - { id: C-2, title: X, kind: technical, owner: alice, responsibility: shared, boundary: b, evidence: [{id: e, description: d}] }\n";
    check(
        &[("controls/more.yaml", Some(no_provider))],
        AT,
        code,
        &["C-2 error"],
    );
    check(&[], AT, code, &[]);
}

#[test]
fn expired_vendor_assurance() {
    let code = "expired-vendor-assurance";
    check(&[], "2027-04-30", code, &["aws warning"]);
    check(&[], "2027-05-01", code, &["aws error"]);
    check(&[], "2027-03-30", code, &[]);
    check(&[], "2027-03-31", code, &["aws warning"]);
    // A vendor nobody relies on is not reported.
    let unused = "controls:\n  - { id: C-1, title: MFA, kind: technical, owner: alice, satisfies: [A.8.5], risks: [R-1], evidence: [{id: e, description: d}] }\n";
    check(
        &[("controls/base.yaml", Some(unused))],
        "2027-05-01",
        code,
        &[],
    );
}

#[test]
fn undocumented_boundary() {
    let code = "undocumented-boundary";
    let shared = "controls:\n  - { id: C-2, title: X, kind: technical, owner: alice, responsibility: shared, provider: aws, evidence: [{id: e, description: d}] }\n";
    check(
        &[("controls/more.yaml", Some(shared))],
        AT,
        code,
        &["C-2 error"],
    );
    // An inherited control may rely on the vendor's stated boundary...
    check(&[], AT, code, &[]);
    // ...unless the vendor states none either.
    let vendors = "vendors:\n  - id: aws\n    name: AWS\n    assurance: [{ kind: soc2-type2, scope: s, issued: 2026-05-01, expires: 2027-04-30, reviewed_by: alice }]\n";
    check(
        &[("vendors.yaml", Some(vendors))],
        AT,
        code,
        &["C-DC error"],
    );
}

#[test]
fn missing_management_review_and_internal_audit() {
    check(&[], "2027-03-01", "missing-management-review", &[]);
    check(
        &[],
        "2027-03-02",
        "missing-management-review",
        &["Test Ltd error"],
    );
    check(
        &[("decisions/mr.yaml", None)],
        AT,
        "missing-management-review",
        &["Test Ltd error"],
    );
    check(&[], "2027-04-01", "missing-internal-audit", &[]);
    check(
        &[],
        "2027-04-02",
        "missing-internal-audit",
        &["Test Ltd error"],
    );
    // A record dated after `at` does not count yet.
    check(
        &[],
        "2026-03-31",
        "missing-internal-audit",
        &["Test Ltd error"],
    );
}

#[test]
fn analysis_is_deterministic() {
    let a = findings(&[], AT);
    let b = findings(&[], AT);
    assert_eq!(a, b);
    assert!(a.iter().all(|f| f.severity >= Severity::Info));
}
