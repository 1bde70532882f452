//! `evident checks list|test`: the built-in library, a repository's own
//! checks, and what happens when one is wrong (exit 1 for a fixture that
//! does not give what it says, 2 with file:line:column for a check that
//! cannot be read).

use crate::util::{self, Repo, Run};

/// `evident checks SUBCOMMAND REPO EXTRA…`.
fn checks(subcommand: &str, repo: &Repo, extra: &[&str]) -> Run {
    let mut cmd = util::command();
    cmd.args(["checks", subcommand])
        .arg(repo.path())
        .args(extra);
    util::run(cmd)
}

/// A repository check `id` over IAM credential reports that denies every
/// user without MFA; `body` replaces the deny rule when given.
fn mfa_check(id: &str, body: Option<&str>) -> String {
    let rule = "deny contains msg if {\n  some u in input.users\n  u.mfa_active != true\n  msg := sprintf(\"user %s has no MFA\", [u.user])\n}\n";
    format!(
        "# METADATA\n# title: Everyone has MFA\n# custom:\n#   id: {id}\n#   formats: [aws-iam-credential-report]\n#   requirements: [A.8.5]\n#   controls: [CTL-IAM-01]\n#   parameters:\n#     exempt: []\npackage evident.checks.{}\n\n{}",
        id.replace('-', "_"),
        body.unwrap_or(rule)
    )
}

/// An IAM credential report, in its real CSV format, of `(user, mfa)`.
fn credential_report(users: &[(&str, bool)]) -> String {
    let mut csv = String::from(
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n",
    );
    for (user, mfa) in users {
        csv.push_str(&format!(
            "{user},arn:aws:iam::111122223333:user/{user},2024-01-01T00:00:00+00:00,true,N/A,N/A,N/A,{mfa},false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        ));
    }
    csv
}

/// A repository with the check `my-mfa`, a pass and a fail fixture.
fn repo_with_mfa_check() -> Repo {
    Repo::with_files(&[
        ("checks/my-mfa.rego", &mfa_check("my-mfa", None)),
        (
            "checks/my-mfa/pass.csv",
            &credential_report(&[("alice", true)]),
        ),
        (
            "checks/my-mfa/fail.csv",
            &credential_report(&[("alice", true), ("bob", false)]),
        ),
        ("checks/my-mfa/fail.expected", "user bob has no MFA\n"),
    ])
}

// -------------------------------------------------------------------- list

#[test]
fn list_shows_the_built_in_checks_as_a_table() {
    let run = checks("list", &Repo::empty(), &[]);
    run.expect_code(0)
        .stdout_has("ID ")
        .stdout_has("REQUIREMENTS")
        .stdout_has("aws-iam-console-mfa ")
        .stdout_has("aws-iam-credential-report")
        .stdout_has("Console users have MFA")
        .stdout_has(" built-in, 0 from the repository\n");
    let rows = run
        .stdout
        .lines()
        .filter(|l| l.trim_end().ends_with("builtin"))
        .count();
    assert!(rows >= 30, "{rows} built-in rows:\n{run:?}");
}

#[test]
fn list_as_json_has_every_field_and_the_repository_s_checks() {
    let repo = repo_with_mfa_check();
    let run = checks("list", &repo, &["--format", "json"]);
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["schema_version"], 1);
    let all = doc["checks"].as_array().expect("checks is an array");
    assert!(all.len() > 30, "{run:?}");
    let mine = all
        .iter()
        .find(|c| c["id"] == "my-mfa")
        .unwrap_or_else(|| panic!("my-mfa is listed:\n{run:?}"));
    assert_eq!(
        *mine,
        serde_json::json!({
            "id": "my-mfa",
            "title": "Everyone has MFA",
            "description": "",
            "formats": ["aws-iam-credential-report"],
            "requirements": ["A.8.5"],
            "controls": ["CTL-IAM-01"],
            "parameters": {"exempt": []},
            "builtin": false,
            "path": "checks/my-mfa.rego",
        })
    );
    let builtin = all
        .iter()
        .find(|c| c["id"] == "aws-iam-console-mfa")
        .expect("a built-in check");
    assert_eq!(builtin["builtin"], true);
    assert_eq!(builtin["path"], "builtin:checks/aws-iam-console-mfa.rego");
    let ids: Vec<&str> = all.iter().filter_map(|c| c["id"].as_str()).collect();
    assert!(ids.is_sorted(), "{ids:?}");
}

#[test]
fn the_repository_defaults_to_the_current_folder() {
    let repo = repo_with_mfa_check();
    let mut cmd = util::command();
    cmd.args(["checks", "list"]).current_dir(repo.path());
    util::run(cmd)
        .expect_code(0)
        .stdout_has("my-mfa ")
        .stdout_has(" built-in, 1 from the repository\n");
}

// -------------------------------------------------------------------- test

#[test]
fn the_built_in_checks_pass_their_fixtures() {
    let run = checks("test", &Repo::empty(), &[]);
    run.expect_code(0)
        .stdout_has("ok      aws-iam-console-mfa/pass")
        .stdout_has("ok      aws-iam-console-mfa/fail")
        .stdout_has(", 0 failed\n");
    assert!(!run.stdout.contains("FAILED"), "{run:?}");
}

#[test]
fn one_check_can_be_tested_alone() {
    let repo = repo_with_mfa_check();
    let run = checks("test", &repo, &["--check", "my-mfa"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "ok      my-mfa/fail.csv\nok      my-mfa/pass.csv\n\n2 fixtures of 1 check: 2 ok, 0 failed\n",
        "{run:?}"
    );
    checks("test", &repo, &["--check", "no-such-check"])
        .expect_code(2)
        .stderr_has("no check `no-such-check`");
}

#[test]
fn a_fixture_that_does_not_give_what_it_says_exits_1_naming_it() {
    let repo = repo_with_mfa_check();
    // The pass fixture now holds a user without MFA; the expected message
    // names someone who is not in the fail fixture.
    repo.write(
        "checks/my-mfa/pass.csv",
        credential_report(&[("carol", false)]),
    );
    repo.write("checks/my-mfa/fail.expected", "user dave has no MFA\n");
    let run = checks("test", &repo, &[]);
    run.expect_code(1)
        .stdout_has("FAILED  my-mfa/pass.csv: expected no deny, got 1: `user carol has no MFA`\n")
        .stdout_has("FAILED  my-mfa/fail.csv: expected message `user dave has no MFA` not produced; got `user bob has no MFA`\n")
        .stdout_has(", 2 failed\n");
}

#[test]
fn a_check_that_errors_at_runtime_is_an_error_not_a_pass() {
    let body = "deny contains \"too old\" if {\n  some u in input.users\n  time.parse_rfc3339_ns(\"not a time\") < data.evident.now_ns\n}\n";
    let repo = Repo::with_files(&[
        (
            "checks/broken-time.rego",
            &mfa_check("broken-time", Some(body)),
        ),
        (
            "checks/broken-time/pass.csv",
            &credential_report(&[("alice", true)]),
        ),
        (
            "checks/broken-time/fail.csv",
            &credential_report(&[("bob", false)]),
        ),
    ]);
    let run = checks("test", &repo, &["--check", "broken-time"]);
    run.expect_code(1)
        .stdout_has("FAILED  broken-time/pass.csv: error: checks/broken-time.rego: ")
        .stdout_has("FAILED  broken-time/fail.csv: error: checks/broken-time.rego: ");
}

#[test]
fn a_repository_check_without_a_fail_fixture_gets_a_note() {
    let repo = repo_with_mfa_check();
    repo.remove("checks/my-mfa/fail.csv")
        .remove("checks/my-mfa/fail.expected");
    checks("test", &repo, &["--check", "my-mfa"])
        .expect_code(0)
        .stdout_has("note    my-mfa: no fail fixture (checks/my-mfa/fail*.<ext>)\n")
        .stdout_has("1 fixture of 1 check: 1 ok, 0 failed, 1 note\n");
}

// ------------------------------------------------------ unreadable checks

/// `checks test` and `checks list` on a repository whose only check is
/// `checks/bad.rego` = `source`: exit 2, nothing on stdout, and a
/// diagnostic `code` at `at` on stderr that says `says`.
#[track_caller]
fn unreadable(source: &str, code: &str, at: &str, says: &str) {
    let repo = Repo::with_files(&[("checks/bad.rego", source)]);
    for subcommand in ["test", "list"] {
        let run = checks(subcommand, &repo, &[]);
        run.expect_code(2)
            .stderr_has(&format!("error[{code}]: {says}"))
            .stderr_has(&format!("--> {at}\n"));
        assert!(run.stdout.is_empty(), "{run:?}");
    }
}

#[test]
fn a_syntax_error_is_placed() {
    unreadable(
        &mfa_check(
            "bad",
            Some("deny contains msg if {\n  msg := sprintf(\"x\", [1]\n}\n"),
        ),
        "invalid-rego",
        "checks/bad.rego:13:7",
        "expecting `}`",
    );
}

#[test]
fn bad_metadata_is_placed_in_the_rego_file() {
    unreadable(
        &mfa_check("bad", None).replace("#   controls:", "#   owner: alice\n#   controls:"),
        "invalid-yaml",
        "checks/bad.rego:7:5",
        "METADATA: unknown field `owner`",
    );
    unreadable(
        &mfa_check("bad", None).replace("[aws-iam-credential-report]", "[aws-iam-credentials]"),
        "invalid-value",
        "checks/bad.rego:5:15",
        "unknown format `aws-iam-credentials`",
    );
    unreadable(
        "package evident.checks.bad\n\ndeny contains \"x\" if false\n",
        "invalid-yaml",
        "checks/bad.rego:1:1",
        "no METADATA block",
    );
}

#[test]
fn a_wrong_package_is_placed() {
    unreadable(
        &mfa_check("bad", None).replace("package evident.checks.bad", "package checks.bad"),
        "invalid-rego",
        "checks/bad.rego:10:9",
        "the package is `checks.bad`; check `bad` must be in `package evident.checks.bad`",
    );
}

#[test]
fn a_repository_check_may_not_take_a_built_in_id() {
    let repo = Repo::with_files(&[(
        "checks/aws-iam-console-mfa.rego",
        &mfa_check("aws-iam-console-mfa", None),
    )]);
    checks("test", &repo, &[])
        .expect_code(2)
        .stderr_has("error[duplicate-id]: the check id `aws-iam-console-mfa` is also the id of the built-in check builtin:checks/aws-iam-console-mfa.rego")
        .stderr_has("--> checks/aws-iam-console-mfa.rego:4:9\n");
}
