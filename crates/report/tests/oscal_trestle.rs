//! The OSCAL documents as a real consumer reads them: compliance-trestle's
//! `partial-object-validate` parses each into its pydantic OSCAL models.
//!
//! trestle is found at `$EVIDENT_TRESTLE`, else in the CI virtualenv
//! (`target/ci-venv/bin/trestle`). Without it the test is skipped with a
//! notice, except under CI (`CI` set), where its absence is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use evident_catalog::Catalog;
use evident_model::check::{CheckResult, JudgedItem, Outcome};
use evident_model::evidence::{EvidenceItem, ObservedPeriod, Provenance, Timestamp};
use evident_model::finding::{Finding, FindingCode, ObjectKind, Severity};
use evident_model::hash::ContentHash;
use evident_model::status::{EvidenceRecord, Observations};
use evident_report::{Inputs, oscal};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn trestle() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("EVIDENT_TRESTLE") {
        return Some(PathBuf::from(path));
    }
    let venv = workspace_root().join("target/ci-venv/bin/trestle");
    venv.is_file().then_some(venv)
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("a test timestamp")
}

/// A fresh item of `source`, and a result of `check` over it.
fn observed(
    index: u64,
    source: &str,
    check: &str,
    control: &str,
    outcome: Outcome,
) -> (EvidenceRecord, CheckResult) {
    let observed = ObservedPeriod {
        from: at("2026-07-01T09:00:00Z"),
        to: at("2026-07-01T09:00:00Z"),
    };
    let digest = ContentHash::of_bytes(source.as_bytes());
    let record = EvidenceRecord {
        index,
        item: EvidenceItem {
            digest: digest.clone(),
            size: 1,
            media_type: "application/json".into(),
            format: None,
            normalized: None,
            provenance: Provenance {
                source: source.into(),
                collector: "file".into(),
                collector_version: "0".into(),
                parameters: serde_json::json!({}),
                origin: format!("{source}.json"),
                tool_version: Some("tool 1.0".into()),
                collected_by: "ci".into(),
            },
            observed,
            collected_at: at("2026-07-01T09:00:00Z"),
        },
    };
    let result = CheckResult {
        check: check.into(),
        source: source.into(),
        controls: vec![control.into()],
        requirements: vec![],
        outcome,
        messages: if outcome == Outcome::Pass {
            vec![]
        } else {
            vec!["a deny message".into()]
        },
        warnings: vec!["a warning".into()],
        error: None,
        evidence: vec![JudgedItem {
            index,
            digest,
            observed,
        }],
        evaluated_at: at("2026-07-01T10:00:00Z"),
    };
    (record, result)
}

#[test]
fn trestle_reads_every_oscal_document() {
    let Some(trestle) = trestle() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs compliance-trestle: set EVIDENT_TRESTLE or create target/ci-venv"
        );
        eprintln!("skipped: compliance-trestle not found (set EVIDENT_TRESTLE)");
        return;
    };

    let loaded = evident_spec::load(&workspace_root().join("examples/acme"));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let isms = loaded.isms;
    let catalog = Catalog::with_user_frameworks(&isms.frameworks);
    let (iam, failing) = observed(
        0,
        "aws-iam",
        "aws-iam-console-mfa",
        "CTL-IAM-01",
        Outcome::Fail,
    );
    let (plan, passing) = observed(
        1,
        "terraform-plan",
        "terraform-tags",
        "CTL-ENG-04",
        Outcome::Pass,
    );
    let observations = Observations::new(vec![iam, plan], vec![failing, passing]);
    let findings = [Finding {
        code: FindingCode::FailingControl,
        severity: Severity::Error,
        object_kind: ObjectKind::Control,
        object_id: "CTL-IAM-01".into(),
        location: None,
        message: "CTL-IAM-01 fails".into(),
    }];
    let inputs = Inputs {
        isms: &isms,
        catalog: &catalog,
        observations: &observations,
        findings: &findings,
        at: at("2026-07-01T12:00:00Z"),
    };

    // A folder of this process's own: tests of other processes may run at
    // the same time.
    let dir = std::env::temp_dir().join(format!("evident-oscal-trestle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let mut failures = Vec::new();
    for (file, element, document) in [
        (oscal::CATALOG_FILE, "catalog", oscal::catalog(&catalog)),
        (oscal::SSP_FILE, "system-security-plan", oscal::ssp(&inputs)),
        (
            oscal::ASSESSMENT_RESULTS_FILE,
            "assessment-results",
            oscal::assessment_results(&inputs),
        ),
        (
            oscal::POAM_FILE,
            "plan-of-action-and-milestones",
            oscal::poam(&inputs),
        ),
    ] {
        let path = dir.join(file);
        let text = serde_json::to_string_pretty(&document).expect("a JSON document");
        std::fs::write(&path, text).expect("the document is written");
        let output = Command::new(&trestle)
            .arg("partial-object-validate")
            .arg("-f")
            .arg(&path)
            .arg("-e")
            .arg(element)
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| panic!("{} runs: {e}", trestle.display()));
        if !output.status.success() {
            failures.push(format!(
                "{element} ({}): {}\n{}\n{}",
                path.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "trestle rejects:\n{}",
        failures.join("\n")
    );
}
