//! Definitions that cannot be read as written: `check` exits 2, never panics,
//! and names the file, line and column and what was expected.
//!
//! Each scenario writes a few files over `tests/fixtures/minimal`, so the
//! offending text sits next to the location the test expects.

use crate::util::{AT, Repo, Run};

/// Runs `check` on `repo` and expects exit 2, a text diagnostic `code` whose
/// `-->` line is exactly `at`, and every one of `says` in standard error.
#[track_caller]
fn expect_in(repo: &Repo, code: &str, at: &str, says: &[&str]) -> Run {
    let run = repo.check(&[]);
    run.expect_code(2)
        .stderr_has(&format!("error[{code}]: "))
        .stderr_has(&format!("--> {at}\n"))
        .stderr_has("the ISMS definitions could not be read");
    for needle in says {
        run.stderr_has(needle);
    }
    assert!(
        run.stdout.is_empty(),
        "text diagnostics belong on stderr:\n{run:?}"
    );
    run
}

/// The minimal repository with `files` written over it; see [`expect_in`].
#[track_caller]
fn expect(files: &[(&str, &str)], code: &str, at: &str, says: &[&str]) -> Run {
    let repo = Repo::minimal();
    for (path, contents) in files {
        repo.write(path, contents);
    }
    expect_in(&repo, code, at, says)
}

/// The message of the first diagnostic of a text report.
fn first_message(run: &Run) -> &str {
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error["))
        .unwrap_or_else(|| panic!("no diagnostic:\n{run:?}"));
    line.split_once("]: ").map_or(line, |(_, m)| m)
}

/// The `file:line:column` of the first diagnostic of a text report.
fn first_location(run: &Run) -> (String, u32, u32) {
    let line = run
        .stderr
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
        .unwrap_or_else(|| panic!("no location:\n{run:?}"));
    let mut parts = line.rsplitn(3, ':');
    let column = parts.next().and_then(|c| c.parse().ok());
    let row = parts.next().and_then(|r| r.parse().ok());
    match (parts.next(), row, column) {
        (Some(file), Some(row), Some(column)) => (file.to_string(), row, column),
        _ => panic!("`{line}` is not file:line:column"),
    }
}

const RISK: &str = "risks:
  - id: R-1
    title: T
    asset: a
    threat: t
    vulnerability: v
    owner: security-lead
    inherent: { likelihood: LIKELIHOOD, impact: 2 }
    controls: [CTL-GOV-01]
    review: { cadence: CADENCE, last_reviewed: LAST }
";

/// A one-risk register with the given likelihood, review cadence and date.
fn risk(likelihood: &str, cadence: &str, last_reviewed: &str) -> String {
    RISK.replace("LIKELIHOOD", likelihood)
        .replace("CADENCE", cadence)
        .replace("LAST", last_reviewed)
}

#[test]
fn the_minimal_fixture_reads_cleanly() {
    // Every scenario below relies on its base having no problem of its own.
    let run = Repo::minimal().check(&["--format", "json"]);
    let doc = run.json();
    assert_eq!(doc["readable"], true, "{run:?}");
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "{run:?}");
    assert!(matches!(run.code(), 0 | 1), "{run:?}");
    // The risk template is valid as written.
    let repo = Repo::minimal();
    repo.write("risks/register.yaml", risk("2", "1y", "2026-03-01"));
    let doc = repo.check(&["--format", "json"]).json();
    assert_eq!(doc["readable"], true);
}

#[test]
fn yaml_syntax_error() {
    expect(
        &[(
            "controls/x.yaml",
            "controls:\n  - id: CTL-1\n    title: T: x\n    kind: technical\n",
        )],
        "invalid-yaml",
        "controls/x.yaml:3:13",
        &["mapping values are not allowed", "3 |     title: T: x"],
    );
}

#[test]
fn unclosed_quote() {
    expect(
        &[(
            "controls/x.yaml",
            "controls:\n  - id: CTL-1\n    title: \"T\n    kind: technical\n",
        )],
        "invalid-yaml",
        "controls/x.yaml:3:12",
        &["unclosed quote"],
    );
}

#[test]
fn wrong_type() {
    expect(
        &[(
            "soa.yaml",
            "version: \"1\"\napplicability:\n  - requirement: A.5.1\n    applicable: maybe\n",
        )],
        "invalid-yaml",
        "soa.yaml:4:17",
        &["expected `true` or `false`"],
    );
}

#[test]
fn unknown_key_in_a_control_lists_the_expected_keys() {
    expect(
        &[(
            "controls/x.yaml",
            "controls:\n  - id: CTL-1\n    title: T\n    kind: technical\n    colour: blue\n",
        )],
        "invalid-yaml",
        "controls/x.yaml:5:5",
        &[
            "unknown field `colour`",
            "expected one of id, title, description, kind, responsibility, provider, boundary, owner, lifecycle, due, satisfies, risks, evidence, documents",
        ],
    );
}

#[test]
fn missing_required_field() {
    let repo = Repo::minimal();
    repo.write(
        "controls/x.yaml",
        "controls:\n  - id: CTL-1\n    kind: technical\n    owner: security-lead\n  - id: CTL-2\n    title: T\n    kind: technical\n",
    );
    let run = repo.check(&[]);
    run.expect_code(2)
        .stderr_has("error[invalid-yaml]: missing field `title`");
    // The location is within the control that lacks the field (lines 2 to
    // 4); serde-saphyr reports the mapping's last key rather than its start.
    let (file, line, column) = first_location(&run);
    assert_eq!(file, "controls/x.yaml", "{run:?}");
    assert!((2..=4).contains(&line), "line {line}:\n{run:?}");
    assert_eq!(column, 5, "{run:?}");
}

#[test]
fn duplicate_ids_name_both_locations() {
    let control = "controls:\n  - id: CTL-DUP\n    title: T\n    kind: technical\n";
    let run = expect(
        &[("controls/a.yaml", control), ("controls/b.yaml", control)],
        "duplicate-id",
        "controls/b.yaml:2:9",
        &["control `CTL-DUP` is already defined at controls/a.yaml:2:9"],
    );
    assert!(run.stderr.contains("(1 problem)"), "{run:?}");
}

#[test]
fn risk_names_an_unknown_control() {
    let register = risk("2", "1y", "2026-03-01")
        .replace("controls: [CTL-GOV-01]", "controls: [CTL-GOV-01, CTL-NOPE]");
    expect(
        &[("risks/register.yaml", &register)],
        "dangling-reference",
        "risks/register.yaml:9:28",
        &["control `CTL-NOPE` is not defined"],
    );
}

#[test]
fn evidence_names_an_unknown_source() {
    expect(
        &[(
            "controls/x.yaml",
            "controls:\n  - id: CTL-1\n    title: T\n    kind: technical\n    evidence:\n      - id: e1\n        description: d\n        source: nowhere\n",
        )],
        "dangling-reference",
        "controls/x.yaml:8:17",
        &["source `nowhere` is not defined"],
    );
}

#[test]
fn provider_names_an_unknown_vendor() {
    expect(
        &[(
            "controls/x.yaml",
            "controls:\n  - id: CTL-1\n    title: T\n    kind: technical\n    responsibility: shared\n    provider: acme-hosting\n",
        )],
        "dangling-reference",
        "controls/x.yaml:6:15",
        &["vendor `acme-hosting` is not defined"],
    );
}

#[test]
fn policy_implemented_by_an_unknown_control() {
    // The front matter starts on line 2; the location is in the file's lines.
    expect(
        &[(
            "policies/x.md",
            "---\nid: POL-X\ntitle: X\nimplemented_by: [CTL-GOV-01, CTL-GHOST]\n---\n# X\n",
        )],
        "dangling-reference",
        "policies/x.md:4:30",
        &["control `CTL-GHOST` is not defined"],
    );
}

#[test]
fn date_that_does_not_exist() {
    expect(
        &[("risks/register.yaml", &risk("2", "1y", "2026-02-30"))],
        "invalid-date",
        "risks/register.yaml:10:43",
        &["`2026-02-30` is not a day of the calendar"],
    );
}

#[test]
fn date_without_leading_zeros() {
    expect(
        &[("risks/register.yaml", &risk("2", "1y", "2026-3-1"))],
        "invalid-date",
        "risks/register.yaml:10:43",
        &["YYYY-MM-DD", "`2026-3-1`"],
    );
}

#[test]
fn duration_with_an_unknown_unit() {
    expect(
        &[("risks/register.yaml", &risk("2", "90x", "2026-03-01"))],
        "invalid-duration",
        "risks/register.yaml:10:24",
        &["`90d`", "found `90x`"],
    );
}

#[test]
fn duration_of_zero() {
    expect(
        &[("risks/register.yaml", &risk("2", "0d", "2026-03-01"))],
        "invalid-duration",
        "risks/register.yaml:10:24",
        &["found `0d`"],
    );
}

#[test]
fn rating_off_the_scale() {
    expect(
        &[("risks/register.yaml", &risk("7", "1y", "2026-03-01"))],
        "invalid-value",
        "risks/register.yaml:8:29",
        &["expected a likelihood from 1 to 5", "found `7`"],
    );
}

#[test]
fn rating_by_an_unknown_name() {
    expect(
        &[("risks/register.yaml", &risk("frequent", "1y", "2026-03-01"))],
        "invalid-value",
        "risks/register.yaml:8:29",
        &[
            "one of rare, unlikely, possible, likely, almost-certain",
            "found `frequent`",
        ],
    );
}

#[test]
fn non_utf8_bytes_point_at_the_byte() {
    let repo = Repo::minimal();
    // Line 3: four spaces, `title: `, `Café ` (five characters, six bytes),
    // then 0xff: the 17th character of the line.
    repo.write(
        "controls/x.yaml",
        b"controls:\n  - id: CTL-1\n    title: Caf\xc3\xa9 \xff\n    kind: technical\n",
    );
    expect_in(
        &repo,
        "not-utf8",
        "controls/x.yaml:3:17",
        &["expected UTF-8 text, found the byte 0xff"],
    );
}

#[test]
fn fifty_megabyte_file_is_refused_quickly() {
    let repo = Repo::minimal();
    let path = repo.join("controls/big.yaml");
    // Sparse: a valid first line, then zeros up to 50 MB.
    let file = std::fs::File::create(&path).unwrap();
    std::io::Write::write_all(&mut &file, b"controls: []\n").unwrap();
    file.set_len(50 * 1024 * 1024).unwrap();
    drop(file);
    let started = std::time::Instant::now();
    expect_in(
        &repo,
        "file-too-large",
        "controls/big.yaml:1:1",
        &["52428800 bytes", "at most 16777216 bytes"],
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(5),
        "took {elapsed:?}: the size must be checked before reading"
    );
}

#[test]
fn missing_evident_yaml() {
    let repo = Repo::minimal();
    repo.remove("evident.yaml");
    expect_in(
        &repo,
        "missing-file",
        "evident.yaml:1:1",
        &["expected evident.yaml at the root", "evident init"],
    );
}

#[test]
fn repository_that_does_not_exist() {
    let repo = Repo::empty();
    let run = crate::util::evident([
        "check".as_ref(),
        repo.join("nowhere").as_os_str(),
        "--at".as_ref(),
        AT.as_ref(),
    ]);
    run.expect_code(2)
        .stderr_has("error[missing-file]")
        .stderr_has("--> evident.yaml:1:1\n");
}

#[test]
fn policy_without_front_matter() {
    expect(
        &[("policies/p.md", "# A policy\n\nNo front matter.\n")],
        "invalid-front-matter",
        "policies/p.md:1:1",
        &["expected YAML front matter between two `---` lines"],
    );
}

#[test]
fn unknown_key_in_front_matter_is_on_the_file_line() {
    expect(
        &[(
            "policies/p.md",
            "---\nid: POL-P\ntitle: P\ncolour: red\n---\n# P\n",
        )],
        "invalid-yaml",
        "policies/p.md:4:1",
        &["unknown field `colour`", "expected one of id, title"],
    );
}

#[test]
fn decision_of_an_unknown_kind() {
    expect(
        &[(
            "decisions/d.yaml",
            "kind: risk-approval\nid: D-1\nsubject: R-1\n",
        )],
        "invalid-value",
        "decisions/d.yaml:1:7",
        &[
            "expected a decision kind (risk-acceptance, treatment-plan, soa-approval, policy-approval, management-review, internal-audit)",
            "found `risk-approval`",
        ],
    );
}

#[test]
fn decision_with_a_malformed_subject_hash() {
    expect(
        &[(
            "decisions/d.yaml",
            "kind: soa-approval\nid: D-1\nsubject: soa\nsubject_hash: sha256:1234\napproved_by: security-lead\nrole: ciso\ndate: 2026-01-01\n",
        )],
        "invalid-hash",
        "decisions/d.yaml:4:15",
        &["sha256:", "64", "found `sha256:1234`"],
    );
}

#[test]
fn unknown_framework_points_at_its_name() {
    // `pci-dss-4` is on line 5, column 5. The diagnostic must point there,
    // not at the start of the file.
    expect(
        &[(
            "evident.yaml",
            "organisation: Example Ltd\nscope: Everything.\nframeworks:\n  - iso27001-2022\n  - pci-dss-4\n",
        )],
        "unknown-framework",
        "evident.yaml:5:5",
        &[
            "framework `pci-dss-4`",
            "known: iso27001-2013, iso27001-2022, nist-csf-2.0, nist-sp-800-53-r5",
        ],
    );
}

#[test]
fn duplicate_yaml_key() {
    let run = expect(
        &[(
            "owners.yaml",
            "owners:\n  - id: a\n    name: A\n    name: B\n",
        )],
        "invalid-yaml",
        "owners.yaml:4:5",
        &["duplicate key `name`"],
    );
    // The message is for the person editing owners.yaml, not for a Rust
    // programmer configuring the parser.
    let message = first_message(&run);
    assert!(
        !message.contains("DuplicateKeyPolicy") && !message.contains("Options"),
        "the message leaks parser configuration advice: `{message}`"
    );
}

#[test]
fn alias_error_message_is_not_cut_short() {
    // A sequence alias used where a string is expected: the message names
    // where the anchor was defined and where it was used. It must come
    // through whole (balanced parentheses, no dangling "(used").
    let run = expect(
        &[(
            "controls/x.yaml",
            "controls:\n  - id: CTL-1\n    title: T\n    kind: technical\n    documents: &docs [a, b]\n    risks: [*docs]\n",
        )],
        "invalid-yaml",
        "controls/x.yaml:6:13",
        &["expected string"],
    );
    let message = first_message(&run);
    assert_eq!(
        message.matches('(').count(),
        message.matches(')').count(),
        "the message is cut short: `{message}`"
    );
    assert!(
        !message.trim_end().ends_with("(used"),
        "the message is cut short: `{message}`"
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let repo = Repo::minimal();
    repo.write(
        "controls/x.yaml",
        "controls:\n  - id: CTL-1\n    title: T\n    kind: technical\n    colour: blue\n",
    );
    repo.write("risks/register.yaml", risk("7", "90x", "2026-3-1"));
    let run = expect_in(&repo, "invalid-yaml", "controls/x.yaml:5:5", &[]);
    run.stderr_has("--> risks/register.yaml:8:29\n")
        .stderr_has("--> risks/register.yaml:10:24\n")
        .stderr_has("--> risks/register.yaml:10:44\n")
        .stderr_has("(4 problems)");
}

#[test]
fn json_report_of_unreadable_definitions() {
    let repo = Repo::minimal();
    repo.write(
        "controls/x.yaml",
        "controls:\n  - id: CTL-1\n    title: T\n    kind: technical\n    colour: blue\n",
    );
    let run = repo.check(&["--format", "json"]);
    run.expect_code(2);
    let doc = run.json();
    assert_eq!(doc["readable"], false, "{run:?}");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["findings"], serde_json::json!([]));
    let diagnostics = doc["diagnostics"].as_array().expect("diagnostics array");
    assert_eq!(diagnostics.len(), 1, "{run:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "invalid-yaml");
    assert_eq!(d["location"]["file"], "controls/x.yaml");
    assert_eq!(d["location"]["line"], 5);
    assert_eq!(d["location"]["column"], 5);
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("unknown field `colour`")),
        "{run:?}"
    );
}
