//! The commands other than `check`'s formats: `init`, `demo`, `catalog`,
//! `approve`, dates given with `--at`, help, and closed pipes.

use std::process::Stdio;

use crate::util::{self, AT, Finding, Repo, evident};

/// The findings with `code` about `object`.
fn about<'a>(findings: &'a [Finding], code: &str, object: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.code == code && f.object == object)
        .collect()
}

fn has_code(findings: &[Finding], code: &str) -> bool {
    findings.iter().any(|f| f.code == code)
}

// ---------------------------------------------------------------- init, demo

#[test]
fn init_writes_a_repository_that_reads_cleanly() {
    let parent = Repo::empty();
    let dir = parent.join("isms");
    let run = evident(["init".as_ref(), dir.as_os_str()]);
    run.expect_code(0).stdout_has("created ");
    assert!(dir.join("evident.yaml").is_file());
    // The evidence store beside the ISMS is not versioned with it.
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == ".evident/"), "{ignore}");

    let mut cmd = util::command();
    cmd.arg("check")
        .arg(&dir)
        .args(["--at", AT, "--format", "json"]);
    let check = util::run(cmd);
    assert!(matches!(check.code(), 0 | 1), "{check:?}");
    let doc = check.json();
    assert_eq!(doc["readable"], true, "{check:?}");
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "{check:?}");
}

#[test]
fn init_refuses_to_overwrite_an_existing_repository() {
    let repo = Repo::with_files(&[("evident.yaml", "organisation: Mine\nscope: Mine.\n")]);
    let run = evident(["init".as_ref(), repo.path().as_os_str()]);
    run.expect_code(2)
        .stderr_has("already contains evident.yaml; refusing to overwrite it");
    assert_eq!(
        repo.read("evident.yaml"),
        "organisation: Mine\nscope: Mine.\n"
    );
    assert_eq!(repo.list("."), ["evident.yaml"], "nothing else is written");

    // Also over a repository `init` wrote itself.
    let parent = Repo::empty();
    let dir = parent.join("isms");
    evident(["init".as_ref(), dir.as_os_str()]).expect_code(0);
    evident(["init".as_ref(), "--example".as_ref(), dir.as_os_str()]).expect_code(2);
}

#[test]
fn init_example_gives_the_findings_of_examples_acme() {
    let parent = Repo::empty();
    let dir = parent.join("acme");
    evident(["init".as_ref(), "--example".as_ref(), dir.as_os_str()]).expect_code(0);
    let mut cmd = util::command();
    cmd.arg("check")
        .arg(&dir)
        .args(["--at", AT, "--format", "json"]);
    let run = util::run(cmd);
    run.expect_code(1);
    let scaffolded = util::findings(&run.json());
    let bundled = Repo::acme().findings_at(AT);
    assert_eq!(scaffolded.len(), 20);
    assert_eq!(scaffolded, bundled);
}

#[test]
fn demo_prints_the_readiness_report() {
    // The demo collects at the real time, so it is run as of today.
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let run = evident(["demo", "--at", &today]);
    run.expect_code(0)
        .stdout_has(&format!(
            "Acme Cloud Ltd — ISO/IEC 27001 readiness as of {today}"
        ))
        .stdout_has("undefined control ownership")
        .stderr_has("evident demo: the example organisation is in ")
        .stderr_has("evident demo: evaluating the checks");
    // Evaluation, the status screen and the evidence findings: every
    // status shows.
    run.stdout_has("fail   aws-iam-console-mfa")
        .stdout_has("Controls by status")
        .stdout_has("Worst offenders");
    let summary = run
        .stdout
        .lines()
        .find(|l| l.starts_with("controls: "))
        .expect("the evaluation's control summary");
    for status in ["effective", "failing", "stale", "missing"] {
        assert!(summary.contains(status), "{summary}");
    }
    for code in [
        "failing-control",
        "stale-evidence",
        "missing-evidence",
        "inconsistent-evidence",
    ] {
        run.stdout_has(code);
    }
    // Without --keep the example lives in a temporary folder, removed after.
    let dir = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("evident demo: the example organisation is in "))
        .unwrap();
    assert!(
        !std::path::Path::new(dir.trim()).exists(),
        "{dir} was left behind"
    );
}

#[test]
fn demo_keep_leaves_the_example_in_place() {
    let parent = Repo::empty();
    let dir = parent.join("kept");
    let mut cmd = util::command();
    cmd.args(["demo", "--at", AT, "--keep"]).arg(&dir);
    util::run(cmd).expect_code(0);
    assert!(dir.join("evident.yaml").is_file());
    assert!(dir.join("controls/identity.yaml").is_file());
}

// ------------------------------------------------------------------- catalog

#[test]
fn catalog_lists_the_four_builtin_frameworks() {
    let run = evident(["catalog", "list"]);
    run.expect_code(0);
    let ids: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        ids,
        [
            "iso27001-2022",
            "iso27001-2013",
            "nist-csf-2.0",
            "nist-sp-800-53-r5"
        ],
        "{run:?}"
    );
}

#[test]
fn catalog_lists_the_requirements_of_a_framework() {
    let run = evident(["catalog", "list", "--framework", "iso27001-2022"]);
    run.expect_code(0);
    let has = |id: &str, title: &str| {
        run.stdout.lines().any(|l| {
            let mut words = l.split_whitespace();
            words.next() == Some(id) && l.contains(title)
        })
    };
    assert!(has("A.8.5", "Secure authentication"), "{run:?}");
    assert!(
        has("6.1.3", "Information security risk treatment"),
        "{run:?}"
    );

    let unknown = evident(["catalog", "list", "--framework", "pci-dss-4"]);
    unknown
        .expect_code(2)
        .stderr_has("no framework `pci-dss-4`; known: iso27001-2022, iso27001-2013");
}

#[test]
fn catalog_shows_a_requirement_and_its_mappings() {
    let run = evident(["catalog", "show", "A.8.5"]);
    run.expect_code(0)
        .stdout_has("A.8.5  Secure authentication")
        .stdout_has("framework:  ISO/IEC 27001:2022 (iso27001-2022)");
    let field = |name: &str| {
        run.stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no `{name}` in\n{run:?}"))
    };
    assert_eq!(field("theme:"), "technological");
    assert!(field("parents:").starts_with("A.8 "), "{run:?}");
    let mapping = |relationship: &str, target: &str| {
        run.stdout.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.len() >= 2 && words[0] == relationship && words[1] == target
        })
    };
    assert!(mapping("intersect", "nist-csf-2.0:PR.AA-01"), "{run:?}");
    assert!(mapping("intersect", "nist-sp-800-53-r5:IA-6"), "{run:?}");
    // The 2013 catalogue maps A.9.4.2 as a subset of A.8.5: seen from A.8.5
    // it is the superset.
    assert!(mapping("superset", "iso27001-2013:A.9.4.2"), "{run:?}");
}

#[test]
fn catalog_shows_a_prefixed_requirement() {
    evident(["catalog", "show", "nist-csf-2.0:PR.AA-01"])
        .expect_code(0)
        .stdout_has("PR.AA-01  Identities and credentials")
        .stdout_has("framework:  NIST Cybersecurity Framework (nist-csf-2.0)")
        .stdout_has("intersect iso27001-2022:A.8.5");
}

#[test]
fn catalog_show_of_an_unknown_requirement_exits_2() {
    evident(["catalog", "show", "A.9.99"])
        .expect_code(2)
        .stderr_has("no requirement `A.9.99`");
    evident(["catalog", "show", "nist-csf-2.0:XX-99"]).expect_code(2);
}

#[test]
fn catalog_includes_a_repository_framework() {
    let repo = Repo::fixtures(&["minimal", "user-framework"]);
    let dir = repo.path().as_os_str();

    let list = evident(["catalog".as_ref(), "list".as_ref(), "--dir".as_ref(), dir]);
    list.expect_code(0);
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with("acme-secure-sdlc ")
                && l.contains("Acme secure development standard")),
        "{list:?}"
    );
    let show = evident([
        "catalog".as_ref(),
        "show".as_ref(),
        "SDLC-1".as_ref(),
        "--dir".as_ref(),
        dir,
    ]);
    show.expect_code(0)
        .stdout_has("SDLC-1  Peer review of every change")
        .stdout_has("(acme-secure-sdlc)")
        .stdout_has("subset    iso27001-2022:A.8.32");
    // The mapping is seen from the other side too.
    evident([
        "catalog".as_ref(),
        "show".as_ref(),
        "A.8.32".as_ref(),
        "--dir".as_ref(),
        dir,
    ])
    .expect_code(0)
    .stdout_has("superset  acme-secure-sdlc:SDLC-1");
    // Without the repository it is unknown.
    evident(["catalog", "show", "SDLC-1"]).expect_code(2);
    // And the repository still reads.
    assert_eq!(repo.check(&["--format", "json"]).json()["readable"], true);
}

// ------------------------------------------------------------------- approve

#[test]
fn approval_by_the_right_authority_clears_the_finding() {
    let repo = Repo::acme();
    let before = repo.findings_at(AT);
    assert_eq!(
        about(&before, "unapproved-risk-acceptance", "R-021").len(),
        1
    );

    let run = repo.approve("risk", "R-021", "hannah", "2026-11-27");
    run.expect_code(0).stdout_has(
        "recorded risk-acceptance by hannah as ceo in decisions/2026-11-27-risk-acceptance-R-021.yaml",
    );
    let decision = repo.read("decisions/2026-11-27-risk-acceptance-R-021.yaml");
    for line in [
        "kind: risk-acceptance\n",
        "subject: \"R-021\"\n",
        "approved_by: \"hannah\"\n",
        "role: \"ceo\"\n",
        "date: 2026-11-27\n",
        "subject_hash: sha256:",
    ] {
        assert!(decision.contains(line), "no `{line}` in\n{decision}");
    }

    let after = repo.findings_at(AT);
    let mut expected = before.clone();
    expected.retain(|f| !(f.code == "unapproved-risk-acceptance" && f.object == "R-021"));
    assert_eq!(after, expected);
}

#[test]
fn approval_by_the_proposer_breaks_segregation_of_duties() {
    // R-020 is low; tom proposed its acceptance and, as a risk-owner, has
    // the authority, but may not approve his own proposal.
    let repo = Repo::acme();
    assert!(about(&repo.findings_at(AT), "unapproved-risk-acceptance", "R-020").is_empty());
    repo.approve("risk", "R-020", "tom", "2026-11-27")
        .expect_code(0)
        .stdout_has("as risk-owner");
    let findings = repo.findings_at(AT);
    let problems = about(&findings, "unapproved-risk-acceptance", "R-020");
    assert_eq!(problems.len(), 1, "{findings:#?}");
    assert!(
        problems[0].message.contains(
            "tom both proposed and approved the acceptance of risk R-020; segregation of duties"
        ),
        "{problems:#?}"
    );
}

#[test]
fn editing_a_risk_after_approval_voids_it() {
    let repo = Repo::acme();
    repo.approve("risk", "R-021", "hannah", "2026-11-27")
        .expect_code(0);
    assert!(about(&repo.findings_at(AT), "unapproved-risk-acceptance", "R-021").is_empty());

    // Its review block is not part of what is approved.
    repo.replace(
        "risks/technology.yaml",
        "review: {cadence: 6m, last_reviewed: \"2026-10-15\"}",
        "review: {cadence: 6m, last_reviewed: \"2026-11-01\"}",
    );
    assert!(about(&repo.findings_at(AT), "unapproved-risk-acceptance", "R-021").is_empty());

    // Its rationale is.
    repo.replace(
        "risks/technology.yaml",
        "Rebuilding v1 for the remaining months",
        "Rebuilding v1 for the last few months",
    );
    let findings = repo.findings_at(AT);
    let problems = about(&findings, "unapproved-risk-acceptance", "R-021");
    assert_eq!(problems.len(), 1, "{findings:#?}");
    assert!(
        problems[0]
            .message
            .contains("risk R-021 changed after hannah approved its acceptance on 2026-11-27"),
        "{problems:#?}"
    );
}

#[test]
fn approve_refuses_unknown_or_inactive_approvers_and_unknown_subjects() {
    let repo = Repo::acme();
    let decisions = repo.list("decisions");
    repo.approve("risk", "R-021", "nobody", "2026-11-27")
        .expect_code(2)
        .stderr_has("`nobody` is not defined in owners.yaml");
    repo.approve("risk", "R-021", "oliver", "2026-11-27")
        .expect_code(2)
        .stderr_has("`oliver` is marked inactive");
    repo.approve("risk", "R-999", "hannah", "2026-11-27")
        .expect_code(2)
        .stderr_has("risk `R-999` is not defined");
    repo.approve("policy", "POL-NOPE", "hannah", "2026-11-27")
        .expect_code(2)
        .stderr_has("policy `POL-NOPE` is not defined");
    repo.approve("risk", "R-021", "hannah", "2026-02-30")
        .expect_code(2)
        .stderr_has("invalid date");
    assert_eq!(repo.list("decisions"), decisions, "nothing was recorded");
}

#[test]
fn approve_in_an_unreadable_repository_exits_2_with_the_diagnostics() {
    let repo = Repo::acme();
    repo.write(
        "controls/x.yaml",
        "controls:\n  - id: CTL-X\n    colour: red\n",
    );
    repo.approve("risk", "R-021", "hannah", "2026-11-27")
        .expect_code(2)
        .stderr_has("--> controls/x.yaml:3:5");
}

#[test]
fn approving_the_same_subject_twice_on_one_day_keeps_both() {
    let repo = Repo::acme();
    repo.approve("soa", "soa", "hannah", "2026-11-27")
        .expect_code(0)
        .stdout_has("decisions/2026-11-27-soa-approval-soa.yaml");
    repo.approve("soa", "soa", "marcus", "2026-11-27")
        .expect_code(0)
        .stdout_has("decisions/2026-11-27-soa-approval-soa-2.yaml");
    // Both decisions read back (their ids differ).
    assert_eq!(repo.check(&["--format", "json"]).json()["readable"], true);
}

// ---------------------------------------------------------------------- --at

#[test]
fn at_moves_time_based_findings() {
    let repo = Repo::acme();
    // The last internal audit was on 2025-09-18, with a yearly cadence.
    assert!(!has_code(
        &repo.findings_at("2026-01-01"),
        "missing-internal-audit"
    ));
    assert!(!has_code(
        &repo.findings_at("2026-09-18"),
        "missing-internal-audit"
    ));
    assert!(has_code(
        &repo.findings_at("2026-09-19"),
        "missing-internal-audit"
    ));
    assert!(has_code(&repo.findings_at(AT), "missing-internal-audit"));
}

#[test]
fn risk_review_is_due_on_its_anniversary_and_stale_the_day_after() {
    let repo = Repo::fixtures(&["minimal", "risk-review"]);
    let stale =
        |at: &str| !about(&repo.findings_at(at), "stale-risk-review", "R-REVIEW").is_empty();
    assert!(!stale("2026-11-27"));
    assert!(!stale("2026-11-28"));
    assert!(stale("2026-11-29"));
}

#[test]
fn check_without_a_folder_reads_the_current_one() {
    let repo = Repo::acme();
    let mut cmd = util::command();
    cmd.current_dir(repo.path()).args(["check", "--at", AT]);
    util::run(cmd)
        .expect_code(1)
        .stdout_has("not ready: 17 errors, 3 warnings, 0 info");
}

#[test]
fn invalid_at_date_exits_2() {
    let repo = Repo::acme();
    for bad in ["2026-02-30", "2026-3-1", "yesterday"] {
        repo.check_at(bad, &[])
            .expect_code(2)
            .stderr_has("invalid date");
    }
}

// ------------------------------------------------------------ help and pipes

#[test]
fn help_mentions_the_exit_status() {
    for args in [&["--help"][..], &["check", "--help"]] {
        let run = evident(args);
        run.expect_code(0)
            .stdout_has("Exit status: 0")
            .stdout_has("1 error-level findings")
            .stdout_has("2 the input could");
    }
}

/// Runs `evident ARGS…` with its standard output a pipe whose reading end
/// is already closed; returns the exit code and standard error.
fn with_closed_stdout(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut cmd = util::command();
    cmd.args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn evident");
    drop(cmd); // our copy of the writing end
    let output = child.wait_with_output().expect("wait for evident");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}\n{stderr}", output.status));
    (code, stderr)
}

#[test]
fn check_on_a_closed_stdout_does_not_crash() {
    let repo = Repo::acme();
    for format in ["text", "json", "sarif", "junit"] {
        let (code, stderr) = with_closed_stdout(&[
            "check".as_ref(),
            repo.path().as_os_str(),
            "--at".as_ref(),
            AT.as_ref(),
            "--format".as_ref(),
            format.as_ref(),
        ]);
        assert_ne!(code, util::PANIC_STATUS, "{format}: panicked\n{stderr}");
        assert!(!stderr.contains("panicked"), "{format}:\n{stderr}");
        // A closed pipe is success, like ripgrep.
        assert_eq!(code, 0, "{format}:\n{stderr}");
    }
    let (code, stderr) = with_closed_stdout(&[
        "catalog".as_ref(),
        "list".as_ref(),
        "--framework".as_ref(),
        "nist-sp-800-53-r5".as_ref(),
    ]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn init_on_a_closed_stdout_does_not_crash() {
    let parent = Repo::empty();
    let dir = parent.join("isms");
    let (code, stderr) = with_closed_stdout(&["init".as_ref(), dir.as_os_str()]);
    assert!(dir.join("evident.yaml").is_file());
    assert_ne!(code, util::PANIC_STATUS, "init panicked:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn approve_on_a_closed_stdout_does_not_crash() {
    let repo = Repo::acme();
    let (code, stderr) = with_closed_stdout(&[
        "approve".as_ref(),
        "risk".as_ref(),
        "R-021".as_ref(),
        "--as".as_ref(),
        "hannah".as_ref(),
        "--date".as_ref(),
        "2026-11-27".as_ref(),
        "--dir".as_ref(),
        repo.path().as_os_str(),
    ]);
    assert!(
        repo.join("decisions/2026-11-27-risk-acceptance-R-021.yaml")
            .is_file()
    );
    assert_ne!(code, util::PANIC_STATUS, "approve panicked:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}
