//! `collect`, `verify` and `evidence`: evidence from real files, commands
//! and git history into the store, re-collection as observations, secrets
//! kept out, tampering detected, and `kill -9` survived — on SQLite, and
//! on PostgreSQL.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{Repo, Run, command, run};

/// `evident ARGS…` in `repo`, with no store URL inherited from the caller.
fn evident_in(repo: &Path, args: &[&str]) -> Run {
    let mut cmd = command();
    cmd.current_dir(repo)
        .env_remove("EVIDENT_DATABASE_URL")
        .args(args);
    run(cmd)
}

/// A repository with two file sources over generated files and a command
/// source whose environment holds a secret.
fn repo_with_sources(files: usize) -> Repo {
    let repo = Repo::minimal();
    for i in 0..files {
        repo.write(
            &format!("evidence/exports/{i:04}.json"),
            format!("{{\"item\": {i}}}\n"),
        );
    }
    repo.write(
        "evidence/okta/users.json",
        std::fs::read(crate::util::acme_dir().join("evidence/okta/users.json")).unwrap(),
    );
    repo.write(
        "sources.yaml",
        r#"sources:
  - name: exports
    collector: file
    parameters: { paths: ["evidence/exports/*.json"] }
  - name: okta-users
    collector: file
    parameters: { paths: [evidence/okta/users.json] }
  - name: inventory
    collector: command
    parameters:
      argv: [sh, -c, 'printf "{\"token_seen\": %s}" "$(test -n "$API_TOKEN" && echo true || echo false)"']
      env: { API_TOKEN: "${EVIDENT_IT_SECRET}" }
"#,
    );
    repo
}

fn collect(repo: &Repo) -> Run {
    let mut cmd = command();
    cmd.current_dir(repo.path())
        .env_remove("EVIDENT_DATABASE_URL")
        .env("EVIDENT_IT_SECRET", "s3cr3t-t0ken-value")
        .args(["collect"]);
    run(cmd)
}

#[test]
fn collect_records_evidence_and_recollection_records_observations() {
    let repo = repo_with_sources(5);
    let first = collect(&repo);
    first
        .expect_code(0)
        .stdout_has("7 new items, 0 unchanged, 0 failed");
    let key = repo.read("evident.yaml");
    assert!(key.contains("public_key: \""), "{key}");

    let list = evident_in(repo.path(), &["evidence", "list"]);
    list.expect_code(0)
        .stdout_has("7 items")
        .stdout_has("okta-users");
    assert!(list.stdout.contains("okta-users"), "{list:?}");

    // Nothing changed: no new blob, but each state is observed again.
    let blobs_before = count_files(&repo.join(".evident/blobs"));
    collect(&repo)
        .expect_code(0)
        .stdout_has("0 new items, 7 unchanged, 0 failed");
    assert_eq!(count_files(&repo.join(".evident/blobs")), blobs_before);
    evident_in(repo.path(), &["evidence", "list"]).stdout_has("14 items");

    // One file changes: one new item.
    repo.write("evidence/exports/0000.json", "{\"item\": \"changed\"}\n");
    collect(&repo)
        .expect_code(0)
        .stdout_has("1 new items, 6 unchanged, 0 failed");
    evident_in(repo.path(), &["verify"])
        .expect_code(0)
        .stdout_has("intact");

    // The public key written on first use is not written twice.
    assert_eq!(repo.read("evident.yaml").matches("public_key:").count(), 1);
}

#[test]
fn evidence_show_prints_provenance_blob_and_normalised_document() {
    let repo = repo_with_sources(1);
    collect(&repo).expect_code(0);
    let list = evident_in(repo.path(), &["evidence", "list", "--source", "okta-users"]);
    let index = list.stdout.split_whitespace().next().unwrap().to_string();
    let shown = evident_in(repo.path(), &["evidence", "show", &index]);
    shown.expect_code(0);
    let item: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(item["format"], "okta-users");
    assert_eq!(item["provenance"]["source"], "okta-users");
    assert_eq!(item["provenance"]["collector"], "file");
    assert!(item["digest"].as_str().unwrap().starts_with("sha256:"));
    let blob = evident_in(repo.path(), &["evidence", "show", &index, "--blob"]);
    assert_eq!(
        blob.stdout.as_bytes(),
        &std::fs::read(repo.join("evidence/okta/users.json")).unwrap()[..]
    );
    let normalized = evident_in(repo.path(), &["evidence", "show", &index, "--normalized"]);
    let doc: serde_json::Value = serde_json::from_str(&normalized.stdout).unwrap();
    assert_eq!(doc["format"], "okta-users");
    evident_in(repo.path(), &["evidence", "show", "999"])
        .expect_code(2)
        .stderr_has("no evidence item at ledger index 999");
}

#[test]
fn secrets_from_the_environment_never_reach_the_store() {
    let repo = repo_with_sources(1);
    collect(&repo).expect_code(0);
    // The command saw the token...
    let all = evident_in(repo.path(), &["evidence", "list", "--source", "inventory"]);
    let index = all.stdout.split_whitespace().next().unwrap().to_string();
    let blob = evident_in(repo.path(), &["evidence", "show", &index, "--blob"]);
    assert_eq!(blob.stdout, "{\"token_seen\": true}");
    // ...but no byte of the store holds it.
    for path in walk(&repo.join(".evident")) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(18).any(|w| w == b"s3cr3t-t0ken-value"),
            "{} contains the secret",
            path.display()
        );
    }
    let shown = evident_in(repo.path(), &["evidence", "show", &index]);
    assert!(shown.stdout.contains("<redacted>"), "{shown:?}");
}

#[test]
fn a_failing_source_is_recorded_and_does_not_stop_the_others() {
    let repo = repo_with_sources(2);
    repo.write(
        "sources.yaml",
        "sources:
  - name: broken
    collector: command
    parameters: { argv: [sh, -c, 'echo boom >&2; exit 3'] }
  - name: hangs
    collector: command
    parameters: { argv: [sleep, '30'], timeout: 1 }
  - name: exports
    collector: file
    parameters: { paths: [\"evidence/exports/*.json\"] }
",
    );
    let started = std::time::Instant::now();
    let run = collect(&repo);
    run.expect_code(1)
        .stdout_has("2 new items, 0 unchanged, 2 failed");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the hanging command was not killed"
    );
    assert!(run.stderr.contains("boom"), "{run:?}");
    evident_in(repo.path(), &["evidence", "list"]).stdout_has("2 items");
    evident_in(repo.path(), &["verify"]).expect_code(0);
}

#[test]
fn verify_names_a_tampered_and_a_missing_blob() {
    let repo = repo_with_sources(3);
    collect(&repo).expect_code(0);
    let blobs = walk(&repo.join(".evident/blobs"));
    let victim = &blobs[0];
    let mut bytes = std::fs::read(victim).unwrap();
    bytes[0] ^= 0x01;
    make_writable(victim);
    std::fs::write(victim, &bytes).unwrap();
    let run = evident_in(repo.path(), &["verify"]);
    run.expect_code(1).stdout_has("NOT INTACT");
    let name = victim.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        run.stdout.contains(&name),
        "the altered blob is not named: {run:?}"
    );

    std::fs::remove_file(victim).unwrap();
    let run = evident_in(repo.path(), &["verify"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains(&name),
        "the missing blob is not named: {run:?}"
    );
}

#[test]
fn verify_without_a_store_says_so() {
    let repo = Repo::minimal();
    evident_in(repo.path(), &["verify"])
        .expect_code(2)
        .stderr_has("no evidence store");
    evident_in(repo.path(), &["verify", "pack.tar"])
        .expect_code(2)
        .stderr_has("cannot read the audit pack pack.tar: pack.tar: No such file");
}

/// `evident collect` in `repo`, running in the background.
fn spawn_collect(repo: &Repo) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_evident"))
        .current_dir(repo.path())
        .env_remove("EVIDENT_DATABASE_URL")
        .env("EVIDENT_IT_SECRET", "x")
        .arg("collect")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn kill_9_at_any_moment_leaves_a_store_that_verifies() {
    let repo = repo_with_sources(400);
    // Deterministic "random" delays spread over the run.
    for (round, delay_ms) in [15u64, 40, 70, 110, 160, 230].into_iter().enumerate() {
        let mut child = spawn_collect(&repo);
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SIGKILL: no destructor, no flush, no rollback runs.
        let _ = child.kill();
        let _ = child.wait();
        let verify = evident_in(repo.path(), &["verify"]);
        if !repo.join(".evident/store.db").exists() {
            // Killed before it created the store (a slow start): nothing
            // was written, and verify says so.
            verify.expect_code(2).stderr_has("no evidence store");
            continue;
        }
        assert_eq!(
            verify.code(),
            0,
            "round {round}, killed after {delay_ms} ms: {verify:?}"
        );
    }
    // And the store goes on working after the crashes.
    collect(&repo).expect_code(0);
    evident_in(repo.path(), &["verify"]).expect_code(0);
}

#[test]
fn concurrent_collections_neither_corrupt_nor_lose_entries() {
    let repo = repo_with_sources(60);
    // Create the store first, so both runs share it.
    collect(&repo).expect_code(0);
    let (mut a, mut b) = (spawn_collect(&repo), spawn_collect(&repo));
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    evident_in(repo.path(), &["verify"]).expect_code(0);
    // 62 items per run (60 exports, okta, inventory), three runs.
    evident_in(repo.path(), &["evidence", "list"]).stdout_has(&format!("{} items", 62 * 3));
}

#[test]
fn collect_and_verify_on_postgresql() {
    let Some(server) = postgres_server() else {
        return;
    };
    let database = format!("evident_it_{}", std::process::id());
    psql(&server, &format!("DROP DATABASE IF EXISTS {database}"));
    psql(&server, &format!("CREATE DATABASE {database}"));
    let url = format!("{}/{database}", server.rsplit_once('/').unwrap().0);
    let repo = repo_with_sources(3);
    let pg = |args: &[&str]| {
        let mut cmd = command();
        cmd.current_dir(repo.path())
            .env("EVIDENT_DATABASE_URL", &url)
            .env("EVIDENT_IT_SECRET", "x")
            .args(args);
        run(cmd)
    };
    pg(&["collect"]).expect_code(0).stdout_has("5 new items");
    pg(&["collect"])
        .expect_code(0)
        .stdout_has("0 new items, 5 unchanged");
    pg(&["verify"])
        .expect_code(0)
        .stdout_has("intact: 10 entries");
    pg(&["evidence", "list"])
        .expect_code(0)
        .stdout_has("10 items");
    // The embedded store was not touched.
    assert!(!repo.join(".evident/store.db").exists());
    psql(&server, &format!("DROP DATABASE {database} WITH (FORCE)"));
}

/// The PostgreSQL server for tests: `EVIDENT_TEST_DATABASE_URL`, which must
/// work when set (CI sets it); otherwise the local default if it answers.
pub(crate) fn postgres_server() -> Option<String> {
    let configured = std::env::var("EVIDENT_TEST_DATABASE_URL").ok();
    let url = configured
        .clone()
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    let ok = Command::new("psql")
        .arg(&url)
        .args(["-qtAc", "SELECT 1"])
        .output()
        .is_ok_and(|o| o.status.success());
    match (ok, configured) {
        (true, _) => Some(url),
        (false, Some(url)) => panic!("EVIDENT_TEST_DATABASE_URL={url} is set but unreachable"),
        (false, None) => {
            eprintln!("note: no PostgreSQL at the default URL; the PostgreSQL test did not run");
            None
        }
    }
}

pub(crate) fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .arg(url)
        .args(["-qtAc", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn count_files(dir: &Path) -> usize {
    walk(dir).len()
}

fn make_writable(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}
