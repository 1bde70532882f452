//! The evidence rules: each code with a case that raises it and one that
//! does not, on the base repository of `tests.rs` with recorded evidence and
//! results, and every time rule on both sides of its boundary.

use evident_catalog::Catalog;
use evident_model::check::{CheckResult, JudgedItem, Outcome};
use evident_model::evidence::{EvidenceItem, ObservedPeriod, Provenance, Timestamp};
use evident_model::finding::Finding;
use evident_model::hash::ContentHash;
use evident_model::status::{EvidenceRecord, Observations};
use evident_model::time::parse_date;

use crate::tests::{BASE, pairs, write_repository};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// An item of `source` observed over `from..to`, collected at `collected`.
fn item(
    index: u64,
    source: &str,
    period: (&str, &str),
    collected: &str,
    content: &str,
) -> EvidenceRecord {
    EvidenceRecord {
        index,
        item: EvidenceItem {
            digest: ContentHash::of_bytes(content.as_bytes()),
            size: content.len() as u64,
            media_type: "application/json".into(),
            format: Some("aws-iam-credential-report".into()),
            normalized: None,
            provenance: Provenance {
                source: source.into(),
                collector: "file".into(),
                collector_version: "test".into(),
                parameters: serde_json::json!({}),
                origin: format!("{source}.export"),
                tool_version: None,
                collected_by: "test".into(),
            },
            observed: ObservedPeriod {
                from: ts(period.0),
                to: ts(period.1),
            },
            collected_at: ts(collected),
        },
    }
}

fn snapshot(index: u64, source: &str, when: &str) -> EvidenceRecord {
    item(index, source, (when, when), when, when)
}

fn result(check: &str, source: &str, outcome: Outcome, when: &str) -> CheckResult {
    CheckResult {
        check: check.into(),
        source: source.into(),
        controls: vec!["C-1".into()],
        requirements: vec!["A.8.5".into()],
        outcome,
        messages: match outcome {
            Outcome::Fail => vec!["user bob can sign in without MFA".into()],
            _ => vec![],
        },
        warnings: vec![],
        error: (outcome == Outcome::Error).then(|| "time.parse_rfc3339_ns: bad input".into()),
        evidence: vec![JudgedItem {
            index: 0,
            digest: ContentHash::of_bytes(b"x"),
            observed: ObservedPeriod {
                from: ts(when),
                to: ts(when),
            },
        }],
        evaluated_at: ts(when),
    }
}

fn findings(
    changes: &[(&str, &str)],
    evidence: Vec<EvidenceRecord>,
    results: Vec<CheckResult>,
    now: &str,
) -> Vec<Finding> {
    let mut files: Vec<(&str, &str)> = BASE.to_vec();
    files.retain(|(name, _)| !changes.iter().any(|(n, _)| n == name));
    files.extend_from_slice(changes);
    let dir = write_repository(&files);
    let loaded = evident_spec::load(dir.path());
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let catalog = Catalog::with_user_frameworks(&loaded.isms.frameworks);
    let now = ts(now);
    let date = parse_date(&now.strftime("%Y-%m-%d").to_string()).unwrap();
    crate::analyze_with_evidence(
        &loaded.isms,
        &catalog,
        date,
        &Observations::new(evidence, results),
        now,
    )
}

const NOW: &str = "2026-11-28T12:00:00Z";

#[test]
fn missing_evidence() {
    let found = findings(&[], vec![], vec![], NOW);
    // C-DC's SOC 2 report is expected by hand and never recorded either.
    assert_eq!(
        pairs(&found, "missing-evidence"),
        ["C-1 error", "C-DC error"]
    );
    let found = findings(
        &[],
        vec![snapshot(0, "iam", "2026-11-28T00:00:00Z")],
        vec![],
        NOW,
    );
    assert_eq!(pairs(&found, "missing-evidence"), ["C-DC error"]);
    // Evidence collected after `now` did not exist yet.
    let found = findings(
        &[],
        vec![snapshot(0, "iam", "2026-11-28T13:00:00Z")],
        vec![],
        NOW,
    );
    assert_eq!(
        pairs(&found, "missing-evidence"),
        ["C-1 error", "C-DC error"]
    );
}

#[test]
fn stale_evidence_at_the_freshness_boundary() {
    // Freshness 7d: observed 2026-11-21T12:00Z is fresh until 2026-11-28T12:00Z.
    let evidence = || vec![snapshot(0, "iam", "2026-11-21T12:00:00Z")];
    let found = findings(&[], evidence(), vec![], "2026-11-28T11:59:59Z");
    assert!(pairs(&found, "stale-evidence").is_empty(), "{found:#?}");
    let found = findings(&[], evidence(), vec![], "2026-11-28T12:00:00Z");
    assert_eq!(pairs(&found, "stale-evidence"), ["C-1 error"]);
}

#[test]
fn failing_control_and_the_policy_it_implements() {
    let evidence = || vec![snapshot(0, "iam", "2026-11-28T00:00:00Z")];
    for outcome in [Outcome::Fail, Outcome::Error] {
        let found = findings(
            &[],
            evidence(),
            vec![result(
                "aws-iam-console-mfa",
                "iam",
                outcome,
                "2026-11-28T01:00:00Z",
            )],
            NOW,
        );
        assert_eq!(pairs(&found, "failing-control"), ["C-1 error"]);
        assert_eq!(
            pairs(&found, "policy-without-implementation"),
            ["POL-A error"]
        );
        // The SoA applies A.8.5 through C-1, which the evidence says fails
        // (and A.7.1 through C-DC, whose report was never recorded).
        assert_eq!(
            pairs(&found, "inconsistent-evidence"),
            ["A.8.5 warning", "A.7.1 warning"]
        );
    }
    // Passing, or failing only after `now`: none of it.
    for when in ["2026-11-28T01:00:00Z", "2026-11-28T13:00:00Z"] {
        let outcome = if when < NOW {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        let found = findings(
            &[],
            evidence(),
            vec![result("aws-iam-console-mfa", "iam", outcome, when)],
            NOW,
        );
        assert!(pairs(&found, "failing-control").is_empty(), "{found:#?}");
        assert!(pairs(&found, "policy-without-implementation").is_empty());
        assert_eq!(pairs(&found, "inconsistent-evidence"), ["A.7.1 warning"]);
    }
}

#[test]
fn inconsistent_evidence_between_two_sources() {
    let two_sources = "controls:
  - id: C-1
    title: MFA
    kind: technical
    owner: alice
    satisfies: [A.8.5]
    risks: [R-1]
    evidence:
      - { id: mfa, description: MFA report, source: iam, freshness: 7d }
      - { id: sso, description: SSO users, source: okta, freshness: 7d }
  - id: C-DC
    title: Data centre security
    kind: physical
    responsibility: inherited
    provider: aws
    owner: alice
    satisfies: [A.7.1]
    evidence:
      - { id: soc2, description: SOC 2 report, source: vendor-reports, freshness: 1y }
";
    let evidence = || {
        vec![
            snapshot(0, "iam", "2026-11-28T00:00:00Z"),
            snapshot(1, "okta", "2026-11-28T00:00:00Z"),
        ]
    };
    let disagreeing = |okta_at: &str| {
        findings(
            &[("controls/base.yaml", two_sources)],
            evidence(),
            vec![
                result("aws-iam-console-mfa", "okta", Outcome::Pass, okta_at),
                result(
                    "aws-iam-console-mfa",
                    "iam",
                    Outcome::Fail,
                    "2026-11-28T01:00:00Z",
                ),
            ],
            NOW,
        )
    };
    let found = disagreeing("2026-11-28T02:00:00Z");
    let control: Vec<&Finding> = found
        .iter()
        .filter(|f| f.code.as_str() == "inconsistent-evidence" && f.object_id == "C-1")
        .collect();
    assert_eq!(control.len(), 1, "{found:#?}");
    assert!(
        control[0]
            .message
            .contains("passes over source okta but fails over source iam"),
        "{}",
        control[0].message
    );
    // Seven days apart (the control's freshness window): not the same window.
    let found = disagreeing("2026-11-21T01:00:00Z");
    assert!(
        !found
            .iter()
            .any(|f| f.code.as_str() == "inconsistent-evidence" && f.object_id == "C-1"),
        "{found:#?}"
    );
}

#[test]
fn irreproducible_evidence() {
    let closed = ("2026-10-01T00:00:00Z", "2026-10-31T23:59:59Z");
    let history = |second: &str| {
        vec![
            item(0, "iam", closed, "2026-11-01T00:00:00Z", "history"),
            item(1, "iam", closed, "2026-11-20T00:00:00Z", second),
        ]
    };
    let found = findings(&[], history("history rewritten"), vec![], NOW);
    assert_eq!(pairs(&found, "irreproducible-evidence"), ["iam error"]);
    let found = findings(&[], history("history"), vec![], NOW);
    assert!(pairs(&found, "irreproducible-evidence").is_empty());
    // A period still open when collected may grow: not a reproduction.
    let open = ("2026-10-01T00:00:00Z", "2026-11-20T00:00:00Z");
    let found = findings(
        &[],
        vec![
            item(0, "iam", open, "2026-11-20T00:00:00Z", "a"),
            item(1, "iam", open, "2026-11-20T00:00:00Z", "b"),
        ],
        vec![],
        NOW,
    );
    assert!(pairs(&found, "irreproducible-evidence").is_empty());
}

#[test]
fn last_minute_evidence() {
    // Audit period 90d before NOW: 2026-08-30T12:00Z .. NOW. Freshness 7d.
    let old = snapshot(0, "iam", "2026-06-01T00:00:00Z");
    let mut burst = vec![old.clone()];
    for (i, day) in ["22", "23", "24", "25", "26", "27"].iter().enumerate() {
        burst.push(snapshot(
            i as u64 + 1,
            "iam",
            &format!("2026-11-{day}T00:00:00Z"),
        ));
    }
    let found = findings(&[], burst.clone(), vec![], NOW);
    assert_eq!(pairs(&found, "last-minute-evidence"), ["C-1 warning"]);

    // Weekly all through the period: covered, no burst.
    let mut steady = vec![old];
    let mut t = ts("2026-08-25T00:00:00Z");
    let mut i = 1;
    while t < ts(NOW) {
        let when = t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        steady.push(snapshot(i, "iam", &when));
        t = t
            .checked_add(jiff::SignedDuration::from_hours(24 * 6))
            .unwrap();
        i += 1;
    }
    let found = findings(&[], steady, vec![], NOW);
    assert!(
        pairs(&found, "last-minute-evidence").is_empty(),
        "{found:#?}"
    );

    // A lower expectation of coverage accepts the burst.
    let found = findings(
        &[(
            "evident.yaml",
            "organisation: Test Ltd\nscope: Everything\nevidence: { max_manual_share: 0.5, min_coverage: 0.05 }\n",
        )],
        burst.clone(),
        vec![],
        NOW,
    );
    assert!(
        pairs(&found, "last-minute-evidence").is_empty(),
        "{found:#?}"
    );

    // A ledger younger than the audit period has no history to judge by.
    let found = findings(&[], burst[1..].to_vec(), vec![], NOW);
    assert!(
        pairs(&found, "last-minute-evidence").is_empty(),
        "{found:#?}"
    );
}

#[test]
fn manual_evidence_excess() {
    // One of two requirements is manual: 50%, at the limit of 0.5.
    let found = findings(&[], vec![], vec![], NOW);
    assert!(pairs(&found, "manual-evidence-excess").is_empty());
    let found = findings(
        &[(
            "evident.yaml",
            "organisation: Test Ltd\nscope: Everything\nevidence: { max_manual_share: 0.4 }\n",
        )],
        vec![],
        vec![],
        NOW,
    );
    assert_eq!(
        pairs(&found, "manual-evidence-excess"),
        ["Test Ltd warning"]
    );
}
