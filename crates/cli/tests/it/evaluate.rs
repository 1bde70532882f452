//! `evaluate`, `status`, and `check` with a store: real evidence files
//! collected into a real store, judged by the built-in checks, and the
//! derived control statuses with their findings — effective, failing,
//! stale and missing — on SQLite and on PostgreSQL.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::util::{Repo, Run, command, crate_dir, findings, run};

/// A credential report in which users can sign in without MFA.
fn failing_credential_report() -> Vec<u8> {
    std::fs::read(
        crate_dir()
            .join("../normalize/testdata/samples/aws/evident_iam-credential-report_failing.csv"),
    )
    .unwrap()
}

/// `aws cloudtrail describe-trails` output with one good trail.
const GOOD_TRAILS: &str = r#"{
  "trailList": [
    {
      "Name": "org-trail",
      "S3BucketName": "acme-cloudtrail-logs",
      "IncludeGlobalServiceEvents": true,
      "IsMultiRegionTrail": true,
      "HomeRegion": "eu-west-1",
      "TrailARN": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail",
      "LogFileValidationEnabled": true,
      "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "HasCustomEventSelectors": false,
      "HasInsightSelectors": false,
      "IsOrganizationTrail": true
    }
  ]
}
"#;

const CONTROLS: &str = "controls:
  - id: CTL-MFA
    title: MFA for console users
    kind: technical
    owner: security-lead
    satisfies: [A.8.5]
    evidence:
      - { id: credential-report, description: IAM credential report, source: aws-iam, freshness: 7d }
  - id: CTL-LOG
    title: Audit logging
    kind: technical
    owner: security-lead
    satisfies: [A.8.15]
    evidence:
      - { id: trails, description: CloudTrail trails, source: trails, freshness: 30d }
  - id: CTL-K8S
    title: Privileged access in Kubernetes
    kind: technical
    owner: security-lead
    satisfies: [A.8.2]
    evidence:
      - { id: bindings, description: Cluster role bindings, source: rbac, freshness: 30d }
  - id: CTL-MDM
    title: Managed devices
    kind: technical
    owner: security-lead
    satisfies: [A.8.1]
    evidence:
      - { id: devices, description: MDM device list, source: mdm, freshness: 7d }
";

const SOURCES: &str = "sources:
  - { name: aws-iam, collector: file, parameters: { paths: [evidence/iam.csv] } }
  - { name: trails, collector: file, parameters: { paths: [evidence/trails.json] } }
  - { name: rbac, collector: file, parameters: { paths: [evidence/bindings.yaml] } }
  - { name: mdm, collector: file, parameters: { paths: [evidence/devices.json] } }
";

const SOA: &str = "version: \"1\"
applicability:
  - { requirement: A.5.1, applicable: true, reasons: [business], justification: needed }
  - { requirement: A.8.5, applicable: true, reasons: [risk], justification: needed }
  - { requirement: A.8.15, applicable: true, reasons: [risk], justification: needed }
  - { requirement: A.8.2, applicable: true, reasons: [risk], justification: needed }
  - { requirement: A.8.1, applicable: true, reasons: [risk], justification: needed }
";

const BINDINGS: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ops-admins
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: Group
    name: ops
    apiGroup: rbac.authorization.k8s.io
";

/// The scenario: a failing IAM report, good trails, RBAC bindings exported
/// 45 days ago (stale), and an MDM export that never arrived (missing).
fn scenario() -> Repo {
    let repo = Repo::minimal();
    repo.write("controls/scenario.yaml", CONTROLS)
        .write("sources.yaml", SOURCES)
        .write("soa.yaml", SOA)
        .write("evidence/iam.csv", failing_credential_report())
        .write("evidence/trails.json", GOOD_TRAILS)
        .write("evidence/bindings.yaml", BINDINGS);
    let aged = SystemTime::now() - Duration::from_secs(45 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(repo.join("evidence/bindings.yaml"))
        .unwrap()
        .set_modified(aged)
        .unwrap();
    repo
}

/// Today's date in UTC, which the commands read as "now".
fn today() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

fn evident_in(repo: &Path, database_url: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = command();
    cmd.current_dir(repo)
        .env_remove("EVIDENT_DATABASE_URL")
        .args(args);
    if let Some(url) = database_url {
        cmd.env("EVIDENT_DATABASE_URL", url);
    }
    run(cmd)
}

/// The findings of `evident check --format json --at AT` on the embedded store.
fn check_findings(repo: &Repo, at: &str) -> Vec<crate::util::Finding> {
    findings(
        &evident_in(
            repo.path(),
            None,
            &["check", "--format", "json", "--at", at],
        )
        .json(),
    )
}

fn statuses_and_findings(repo: &Repo, database_url: Option<&str>) {
    let today = today();
    // The MDM file is absent: that source fails, the others are collected.
    evident_in(repo.path(), database_url, &["collect"]).expect_code(1);

    let evaluated = evident_in(repo.path(), database_url, &["evaluate", "--at", &today]);
    evaluated
        .expect_code(1)
        .stdout_has("fail ")
        .stdout_has("aws-iam-console-mfa")
        .stdout_has("CTL-MFA")
        .stdout_has("aws-cloudtrail-multi-region");
    // CTL-GOV-01 of the minimal repository expects its evidence by hand.
    evaluated.stdout_has("1 effective, 1 failing, 1 stale, 2 missing");

    evident_in(repo.path(), database_url, &["status", "--at", &today])
        .expect_code(1)
        .stdout_has("Controls by status")
        .stdout_has("technological")
        .stdout_has("Worst offenders")
        .stdout_has("of the 1 effective controls, 1 passed checks over their evidence")
        .stdout_has("CTL-MFA")
        .stdout_has("never collected");

    let report = evident_in(
        repo.path(),
        database_url,
        &["check", "--format", "json", "--at", &today],
    );
    report.expect_code(1);
    let found = findings(&report.json());
    let has = |code: &str, object: &str| found.iter().any(|f| f.code == code && f.object == object);
    assert!(has("failing-control", "CTL-MFA"), "{found:#?}");
    assert!(has("stale-evidence", "CTL-K8S"), "{found:#?}");
    assert!(has("missing-evidence", "CTL-MDM"), "{found:#?}");
    assert!(
        !found.iter().any(|f| f.object == "CTL-LOG"),
        "CTL-LOG is effective: {found:#?}"
    );

    // Results are ledger entries: the store still verifies.
    evident_in(repo.path(), database_url, &["verify"]).expect_code(0);
}

#[test]
fn evaluate_derives_effective_failing_stale_and_missing_controls() {
    let repo = scenario();
    statuses_and_findings(&repo, None);

    // Forty days on, the good trails are stale too (`--at` moves every
    // time rule); the day before anything was collected, all is missing.
    let later = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(40 * 24))
        .strftime("%Y-%m-%d")
        .to_string();
    let found = check_findings(&repo, &later);
    assert!(
        found
            .iter()
            .any(|f| f.code == "stale-evidence" && f.object == "CTL-LOG"),
        "{found:#?}"
    );
    let before = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(48))
        .strftime("%Y-%m-%d")
        .to_string();
    let found = check_findings(&repo, &before);
    let missing: Vec<&str> = found
        .iter()
        .filter(|f| f.code == "missing-evidence")
        .map(|f| f.object.as_str())
        .collect();
    for control in ["CTL-MFA", "CTL-LOG", "CTL-K8S", "CTL-MDM"] {
        assert!(missing.contains(&control), "{control}: {found:#?}");
    }
}

#[test]
fn a_check_that_errors_is_never_a_pass() {
    let repo = scenario();
    repo.write(
        "checks/broken-time.rego",
        "# METADATA
# title: A check whose time parsing fails
# custom:
#   id: broken-time
#   formats: [aws-cloudtrail-trails]
#   requirements: [A.8.15]
package evident.checks.broken_time

deny contains msg if {
  time.parse_rfc3339_ns(\"not a time\") > 0
  msg := \"unreachable\"
}
",
    );
    evident_in(repo.path(), None, &["collect"]).expect_code(1);
    let evaluated = evident_in(repo.path(), None, &["evaluate", "--at", &today()]);
    evaluated.expect_code(1).stdout_has("error  broken-time");
    let found = check_findings(&repo, &today());
    assert!(
        found.iter().any(|f| f.code == "failing-control"
            && f.object == "CTL-LOG"
            && f.message.contains("could not be evaluated")),
        "{found:#?}"
    );
}

#[test]
fn a_check_that_does_not_compile_is_an_error_result_naming_its_line() {
    let repo = scenario();
    repo.write(
        "checks/broken-syntax.rego",
        "# METADATA
# title: A check with a syntax error
# custom:
#   id: broken-syntax
#   formats: [aws-cloudtrail-trails]
#   requirements: [A.8.15]
package evident.checks.broken_syntax

deny contains msg if {
  some t in input.trails
  msg := sprintf(\"trail %s\", [t.name]
}
",
    );
    evident_in(repo.path(), None, &["collect"]).expect_code(1);
    let evaluated = evident_in(repo.path(), None, &["evaluate", "--at", &today()]);
    evaluated
        .expect_code(1)
        .stderr_has("checks/broken-syntax.rego:")
        .stdout_has("error  broken-syntax");
    let found = check_findings(&repo, &today());
    assert!(
        found.iter().any(|f| f.code == "failing-control"
            && f.object == "CTL-LOG"
            && f.message.contains("broken-syntax")
            && f.message.contains("checks/broken-syntax.rego:")),
        "{found:#?}"
    );
    // `checks test` still refuses the library.
    evident_in(repo.path(), None, &["checks", "test"]).expect_code(2);
}

#[test]
fn check_parameters_are_validated_against_the_checks() {
    let repo = scenario();
    repo.replace(
        "evident.yaml",
        "cadences:",
        "checks:\n  aws-iam-access-key-rotation:\n    no_such_parameter: 3\n  no-such-check: {}\ncadences:",
    );
    evident_in(repo.path(), None, &["collect"]).expect_code(1);
    evident_in(repo.path(), None, &["evaluate", "--at", &today()])
        .expect_code(2)
        .stderr_has("evident.yaml:")
        .stderr_has("no_such_parameter")
        .stderr_has("no-such-check");
}

#[test]
fn status_without_a_store_says_how_to_get_one() {
    let repo = scenario();
    evident_in(repo.path(), None, &["evaluate", "--at", &today()])
        .expect_code(2)
        .stderr_has("no evidence store");
    evident_in(repo.path(), None, &["status", "--at", &today()])
        .stdout_has("No evidence store yet");
    assert!(
        !repo.join(".evident").exists(),
        "status must not create a store"
    );
}

#[test]
fn evaluate_on_postgresql() {
    let Some(server) = crate::evidence::postgres_server() else {
        return;
    };
    let database = format!("evident_it_eval_{}", std::process::id());
    crate::evidence::psql(&server, &format!("DROP DATABASE IF EXISTS {database}"));
    crate::evidence::psql(&server, &format!("CREATE DATABASE {database}"));
    let url = format!("{}/{database}", server.rsplit_once('/').unwrap().0);
    let repo = scenario();
    statuses_and_findings(&repo, Some(&url));
    crate::evidence::psql(&server, &format!("DROP DATABASE {database} WITH (FORCE)"));
}

#[test]
fn evidence_provided_by_hand_is_uploaded_to_a_manual_source() {
    let repo = scenario();
    repo.write(
        "sources.yaml",
        format!("{SOURCES}  - {{ name: training, collector: manual }}\n"),
    )
    .write(
        "controls/training.yaml",
        "controls:
  - id: CTL-TRAIN
    title: Security awareness training
    kind: people
    owner: security-lead
    satisfies: [A.6.3]
    evidence:
      - { id: completion, description: Training completion export, source: training, freshness: 1y }
",
    )
    .write("training-2026.csv", "name,completed\nalice,2026-10-01\n");
    let today = today();
    let missing = |repo: &Repo| {
        check_findings(repo, &today)
            .into_iter()
            .any(|f| f.code == "missing-evidence" && f.object == "CTL-TRAIN")
    };
    evident_in(repo.path(), None, &["collect"]).expect_code(1);
    assert!(missing(&repo));

    // Not to a collected source, not in the future, not a folder.
    evident_in(
        repo.path(),
        None,
        &["evidence", "add", "aws-iam", "training-2026.csv"],
    )
    .expect_code(2)
    .stderr_has("only `manual` sources");
    evident_in(
        repo.path(),
        None,
        &[
            "evidence",
            "add",
            "training",
            "training-2026.csv",
            "--observed",
            "2999-01-01",
        ],
    )
    .expect_code(2)
    .stderr_has("in the future");
    evident_in(
        repo.path(),
        None,
        &["evidence", "add", "nope", "training-2026.csv"],
    )
    .expect_code(2)
    .stderr_has("no source `nope`");

    evident_in(
        repo.path(),
        None,
        &["evidence", "add", "training", "training-2026.csv"],
    )
    .expect_code(0)
    .stdout_has("as evidence of training");
    assert!(!missing(&repo));
    evident_in(
        repo.path(),
        None,
        &["evidence", "list", "--source", "training"],
    )
    .expect_code(0)
    .stdout_has("upload training-2026.csv");
    evident_in(repo.path(), None, &["verify"]).expect_code(0);
}
