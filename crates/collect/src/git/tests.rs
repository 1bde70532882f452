//! The git collector on real repositories made with the real `git`.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::*;
use crate::testing::{context, source};

/// Runs git in `dir` with a fixed identity and time, isolated from the
/// machine's configuration.
fn git(dir: &Path, who: (&str, &str), date: &str, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", who.0)
        .env("GIT_AUTHOR_EMAIL", who.1)
        .env("GIT_COMMITTER_NAME", who.0)
        .env("GIT_COMMITTER_EMAIL", who.1)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const ALICE: (&str, &str) = ("Alice Martin", "alice@example.com");
const BOB: (&str, &str) = ("Bob Ñúñez", "bob@example.com");

/// An ISMS repository with two authors, a reviewed feature branch merged
/// with an approval, and (when ssh-keygen is here) an SSH-signed commit.
/// Returns the directory and whether the signed commit was made.
fn repository() -> (tempfile::TempDir, bool) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("isms");
    std::fs::create_dir_all(&repo).unwrap();
    let r = repo.as_path();
    git(
        r,
        ALICE,
        "2026-01-05T10:00:00+01:00",
        &["init", "-q", "-b", "main"],
    );
    std::fs::write(r.join("policy.md"), "# Access control\n").unwrap();
    git(r, ALICE, "2026-01-05T10:00:00+01:00", &["add", "."]);
    git(
        r,
        ALICE,
        "2026-01-05T10:00:00+01:00",
        &[
            "commit",
            "-q",
            "-m",
            "Add the access control policy",
            "-m",
            "Signed-off-by: Alice Martin <alice@example.com>",
        ],
    );
    git(
        r,
        BOB,
        "2026-02-10T09:00:00Z",
        &["checkout", "-q", "-b", "feature/mfa"],
    );
    std::fs::write(r.join("mfa.md"), "MFA everywhere\n").unwrap();
    git(r, BOB, "2026-02-10T09:00:00Z", &["add", "."]);
    git(
        r,
        BOB,
        "2026-02-10T09:00:00Z",
        &[
            "commit",
            "-q",
            "-m",
            "Require MFA for administrators",
            "-m",
            "Why: the risk register says so.",
            "-m",
            "Reviewed-by: Alice Martin <alice@example.com>\nCo-authored-by: Carol <carol@example.com>",
        ],
    );
    git(
        r,
        ALICE,
        "2026-02-11T08:00:00Z",
        &["checkout", "-q", "main"],
    );
    std::fs::write(r.join("risks.md"), "R-001\n").unwrap();
    git(r, ALICE, "2026-02-11T08:00:00Z", &["add", "."]);
    git(
        r,
        ALICE,
        "2026-02-11T08:00:00Z",
        &["commit", "-q", "-m", "Update the risk register"],
    );
    git(
        r,
        ALICE,
        "2026-02-12T16:30:00Z",
        &[
            "merge",
            "-q",
            "--no-ff",
            "feature/mfa",
            "-m",
            "Merge branch 'feature/mfa'",
            "-m",
            "Approved-by: Dana Lee <dana@example.com>",
        ],
    );

    // An SSH-signed commit, verified through an allowed-signers file in the
    // repository's own configuration.
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f"])
        .arg(dir.path().join("key"))
        .output();
    let signed = matches!(keygen, Ok(ref out) if out.status.success());
    std::fs::write(r.join("soa.md"), "A.5.15 applicable\n").unwrap();
    git(r, ALICE, "2026-03-15T12:00:00Z", &["add", "."]);
    if signed {
        let public = std::fs::read_to_string(dir.path().join("key.pub")).unwrap();
        let allowed = dir.path().join("allowed_signers");
        std::fs::write(
            &allowed,
            format!("alice@example.com namespaces=\"git\" {public}"),
        )
        .unwrap();
        git(
            r,
            ALICE,
            "2026-03-15T12:00:00Z",
            &[
                "config",
                "gpg.ssh.allowedSignersFile",
                allowed.to_str().unwrap(),
            ],
        );
        let key = dir.path().join("key");
        git(
            r,
            ALICE,
            "2026-03-15T12:00:00Z",
            &[
                "-c",
                "gpg.format=ssh",
                "-c",
                &format!("user.signingkey={}", key.display()),
                "commit",
                "-q",
                "-S",
                "-m",
                "Approve the SoA",
            ],
        );
    } else {
        git(
            r,
            ALICE,
            "2026-03-15T12:00:00Z",
            &["commit", "-q", "-m", "Approve the SoA"],
        );
    }
    (dir, signed)
}

fn run(root: &Path, parameters: Value) -> Result<(Collected, Value), String> {
    let collected = collect(&source("history", "git", parameters), &context(root))
        .map_err(|e| e.to_string())?;
    let Content::Bytes(bytes) = &collected.artefacts[0].content else {
        panic!("the history is a document in memory")
    };
    let doc: Value = serde_json::from_slice(bytes).unwrap();
    Ok((collected, doc))
}

fn subjects(doc: &Value) -> Vec<&str> {
    doc["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap())
        .collect()
}

#[test]
fn whole_history_of_the_current_branch() {
    let (dir, signed) = repository();
    let (collected, doc) = run(dir.path(), json!({"path": "isms"})).unwrap();
    assert_eq!(
        subjects(&doc),
        [
            "Approve the SoA",
            "Merge branch 'feature/mfa'",
            "Update the risk register",
            "Require MFA for administrators",
            "Add the access control policy",
        ]
    );
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["repository"], "isms");
    assert_eq!(doc["branch"], "main");
    assert_eq!(doc["since"], Value::Null);
    assert_eq!(doc["until"], "2026-03-31T12:00:00Z");
    let commits = doc["commits"].as_array().unwrap();
    assert_eq!(doc["head"], commits[0]["sha"]);

    let merge = &commits[1];
    assert_eq!(merge["merge"], true);
    assert_eq!(merge["parents"].as_array().unwrap().len(), 2);
    assert_eq!(merge["parents"][0], commits[2]["sha"]);
    assert_eq!(merge["parents"][1], commits[3]["sha"]);
    assert_eq!(
        merge["trailers"],
        json!([{"key": "Approved-by", "value": "Dana Lee <dana@example.com>"}])
    );

    let feature = &commits[3];
    assert_eq!(feature["merge"], false);
    assert_eq!(
        feature["author"],
        json!({"name": "Bob Ñúñez", "email": "bob@example.com", "time": "2026-02-10T09:00:00Z"})
    );
    assert_eq!(
        feature["trailers"],
        json!([
            {"key": "Reviewed-by", "value": "Alice Martin <alice@example.com>"},
            {"key": "Co-authored-by", "value": "Carol <carol@example.com>"},
        ])
    );
    let first = &commits[4];
    assert_eq!(first["parents"], json!([]));
    assert_eq!(first["author"]["time"], "2026-01-05T10:00:00+01:00");
    assert_eq!(first["committer"]["name"], "Alice Martin");
    assert_eq!(
        first["trailers"],
        json!([{"key": "Signed-off-by", "value": "Alice Martin <alice@example.com>"}])
    );
    assert_eq!(
        first["signature"],
        json!({"status": "none", "code": "N", "signer": null, "key": null})
    );

    if signed {
        let sig = &commits[0]["signature"];
        assert_eq!(sig["status"], "good", "{sig}");
        assert_eq!(sig["code"], "G");
        assert_eq!(sig["signer"], "alice@example.com");
        assert!(sig["key"].as_str().unwrap().starts_with("SHA256:"), "{sig}");
    } else {
        eprintln!("note: ssh-keygen is not available; the signed-commit case was not exercised");
    }

    let a = &collected.artefacts[0];
    assert_eq!(a.name, "git-log main");
    assert_eq!(a.media_type, "application/json");
    assert_eq!(
        a.origin,
        "git log main --until=2026-03-31T12:00:00Z in isms"
    );
    assert!(
        a.tool_version
            .as_deref()
            .unwrap()
            .starts_with("git version "),
        "{:?}",
        a.tool_version
    );
    // Without `since`, the period starts at the first commit.
    assert_eq!(a.observed.from.to_string(), "2026-01-05T09:00:00Z");
    assert_eq!(a.observed.to.to_string(), "2026-03-31T12:00:00Z");
    assert_eq!(collected.parameters, json!({"path": "isms"}));
}

#[test]
fn periods_and_branches() {
    let (dir, _) = repository();
    let check = |parameters: Value, expected: &[&str], period: (&str, &str)| {
        let (collected, doc) = run(dir.path(), parameters.clone()).unwrap();
        assert_eq!(subjects(&doc), expected, "{parameters}");
        let observed = collected.artefacts[0].observed;
        assert_eq!(
            (
                observed.from.to_string().as_str(),
                observed.to.to_string().as_str()
            ),
            period,
            "{parameters}"
        );
    };
    // Dates: `since` from midnight, `until` through the end of the day.
    check(
        json!({"path": "isms", "since": "2026-02-01", "until": "2026-02-11"}),
        &["Update the risk register", "Require MFA for administrators"],
        ("2026-02-01T00:00:00Z", "2026-02-11T23:59:59Z"),
    );
    // Exact times are inclusive at both ends.
    check(
        json!({"path": "isms", "since": "2026-02-10T09:00:00Z", "until": "2026-02-12T16:30:00Z"}),
        &[
            "Merge branch 'feature/mfa'",
            "Update the risk register",
            "Require MFA for administrators",
        ],
        ("2026-02-10T09:00:00Z", "2026-02-12T16:30:00Z"),
    );
    // Durations count back from the collection time (2026-03-31T12:00Z).
    check(
        json!({"path": "isms", "since": "30d"}),
        &["Approve the SoA"],
        ("2026-03-01T12:00:00Z", "2026-03-31T12:00:00Z"),
    );
    check(
        json!({"path": "isms", "since": "3m", "until": "6w"}),
        &[
            "Merge branch 'feature/mfa'",
            "Update the risk register",
            "Require MFA for administrators",
            "Add the access control policy",
        ],
        ("2025-12-31T12:00:00Z", "2026-02-17T12:00:00Z"),
    );
    check(
        json!({"path": "isms", "since": "1y", "until": "2026-01-01"}),
        &[],
        ("2025-03-31T12:00:00Z", "2026-01-01T23:59:59Z"),
    );
    // Another branch; a subdirectory of the repository reads the whole
    // repository.
    check(
        json!({"path": "isms", "branch": "feature/mfa"}),
        &[
            "Require MFA for administrators",
            "Add the access control policy",
        ],
        ("2026-01-05T09:00:00Z", "2026-03-31T12:00:00Z"),
    );
    std::fs::create_dir_all(dir.path().join("isms/sub")).unwrap();
    let (_, doc) = run(
        dir.path(),
        json!({"path": "isms/sub", "branch": "main", "since": "2026-03-01"}),
    )
    .unwrap();
    assert_eq!(subjects(&doc), ["Approve the SoA"]);
    assert_eq!(doc["repository"], "isms/sub");
}

#[test]
fn errors() {
    let (dir, _) = repository();
    std::fs::create_dir_all(dir.path().join("plain")).unwrap();
    let check = |parameters: Value, expected: &str| {
        let err = run(dir.path(), parameters.clone())
            .err()
            .unwrap_or_else(|| panic!("{parameters} should fail"));
        assert!(err.contains(expected), "{parameters}: {err}");
    };
    check(
        json!({"path": "isms", "branch": "release"}),
        "`branch`: `release` is not a branch, tag or commit",
    );
    check(
        json!({"path": "isms", "branch": "--all"}),
        "cannot start with `-`",
    );
    check(json!({"path": "plain"}), "not a git repository");
    check(json!({"path": "../"}), "leaves the ISMS root");
    check(json!({"path": "missing"}), "cannot open `missing`");
    check(
        json!({"path": "isms", "since": "last week"}),
        "`since`: expected a date",
    );
    check(
        json!({"path": "isms", "until": "2026-02-30"}),
        "not a day of the calendar",
    );
    check(
        json!({"path": "isms", "since": "2026-03-01", "until": "2026-02-01"}),
        "is after `until`",
    );
    check(
        json!({"path": "isms", "since": "0d"}),
        "`since`: expected a date",
    );
    check(
        json!({"path": "isms", "ref": "main"}),
        "unknown parameter `ref` for the `git` collector; expected `path`, `branch`",
    );
    // An empty repository has no history to show.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    git(&empty, ALICE, "2026-01-01T00:00:00Z", &["init", "-q"]);
    check(json!({"path": "empty"}), "has no commit at HEAD");
}

#[test]
fn the_workspace_repository() {
    // This very repository, whatever its history: every record parses and
    // the head is what git says it is.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        head.status.success(),
        "the workspace is not a git repository"
    );
    let head = String::from_utf8(head.stdout).unwrap().trim().to_string();
    let mut cx = context(&root);
    cx.now = Timestamp::now();
    let collected = collect(&source("evident", "git", json!({})), &cx).unwrap();
    let Content::Bytes(bytes) = &collected.artefacts[0].content else {
        panic!()
    };
    let doc: Value = serde_json::from_slice(bytes).unwrap();
    assert_eq!(doc["head"], head);
    assert_eq!(doc["repository"], ".");
    let commits = doc["commits"].as_array().unwrap();
    assert!(!commits.is_empty());
    for c in commits {
        let sha = c["sha"].as_str().unwrap();
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{sha}"
        );
        assert_eq!(c["merge"], c["parents"].as_array().unwrap().len() > 1);
        assert!(
            c["committer"]["time"]
                .as_str()
                .unwrap()
                .parse::<Timestamp>()
                .is_ok(),
            "{c}"
        );
        assert!(
            c["signature"]["code"]
                .as_str()
                .is_some_and(|s| s.len() == 1),
            "{c}"
        );
    }
}

#[test]
fn log_records_parse() {
    let record = "\u{1e}abc\x00p1 p2\x00A\x00a@x\x002026-01-01T00:00:00Z\x00C\x00c@x\x002026-01-01T00:00:00Z\x00\
                  U\x00signer\x00KEY\x00Subject: with colon\x00Reviewed-by\u{1d}X <x@y>\u{1f}Note\u{1d}\x00\n";
    let commits = parse_log(record).unwrap();
    let doc = serde_json::to_value(&commits).unwrap();
    assert_eq!(doc[0]["merge"], true);
    assert_eq!(doc[0]["signature"]["status"], "good-unknown-validity");
    assert_eq!(doc[0]["subject"], "Subject: with colon");
    assert_eq!(
        doc[0]["trailers"],
        json!([{"key": "Reviewed-by", "value": "X <x@y>"}, {"key": "Note", "value": ""}])
    );
    assert!(
        parse_log("\u{1e}too\x00few\x00")
            .err()
            .unwrap()
            .to_string()
            .contains("fields")
    );
    assert!(parse_log("").unwrap().is_empty());
}
