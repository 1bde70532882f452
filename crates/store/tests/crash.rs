//! Crash safety: a child process (this test binary, re-run in child mode)
//! appends in a loop — blobs from bytes and files, failures, generic
//! entries, checkpoints — and is killed with SIGKILL at a random moment.
//! After each kill the store must verify intact, keep every entry it had,
//! and accept new checkpoints. Several rounds per backend.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Harness, Kind, config_at, meta, random_suffix};
use evident_model::evidence::CollectionFailure;
use evident_store::{BlobSource, Store};

/// Set in the child: `sqlite|<dir>` or `postgres|<dir>|<url>|<schema>`.
const CHILD_ENV: &str = "EVIDENT_STORE_CRASH_CHILD";

const ROUNDS: usize = 6;

/// The child's work loop; a no-op test in a normal run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let dir = std::path::PathBuf::from(parts[1]);
    let config = match parts[0] {
        "postgres" => config_at(
            Kind::Postgres,
            &dir,
            Some(&(parts[2].to_string(), parts[3].to_string())),
        ),
        _ => config_at(Kind::Sqlite, &dir, None),
    };
    let config = evident_store::StoreConfig {
        checkpoint_every: 7,
        ..config
    };
    let store = Store::open(config).await.expect("child opens the store");
    let scratch = dir.join(format!("scratch-{}", std::process::id()));
    std::fs::write(&scratch, vec![0u8; 0]).expect("scratch file");
    let salt = random_suffix();
    for i in 0u64.. {
        match i % 6 {
            0 => {
                let size = 1 + (i as usize * 7919) % (256 << 10);
                let bytes = format!("{salt}-{i}-").into_bytes().repeat(size / 16 + 1);
                store
                    .add_evidence(
                        BlobSource::Bytes(bytes),
                        Some(format!("{{\"i\":{i}}}").as_bytes()),
                        meta("bytes", &format!("/b/{}", i % 4)),
                    )
                    .await
                    .expect("add bytes");
            }
            1 => {
                store
                    .add_failure(&CollectionFailure {
                        source: "flaky".into(),
                        collector: "http".into(),
                        error: format!("attempt {i} failed"),
                        attempted_at: common::at("2026-03-01T10:00:00Z"),
                    })
                    .await
                    .expect("add failure");
            }
            2 => {
                let body = serde_json::json!({ "i": i, "salt": salt });
                store.append("note", &body).await.expect("append");
            }
            3 => {
                let data = format!("{salt}:{i}\n").into_bytes().repeat(40_000);
                std::fs::write(&scratch, &data).expect("write scratch");
                store
                    .add_evidence(BlobSource::File(scratch.clone()), None, meta("files", "/f"))
                    .await
                    .expect("add file");
            }
            4 => {
                store.checkpoint().await.expect("checkpoint");
            }
            _ => {
                // The same bytes each time: exercises deduplication.
                store
                    .add_evidence(
                        BlobSource::Bytes(b"steady".to_vec()),
                        None,
                        meta("steady", "/s"),
                    )
                    .await
                    .expect("add steady");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_kill_9() {
    common::run(Kind::Sqlite, crash_rounds).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_kill_9() {
    common::run(Kind::Postgres, crash_rounds).await;
}

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("randomness");
    u64::from_le_bytes(b) % n
}

async fn crash_rounds(h: Harness) {
    let dir = h.dir.path().to_path_buf();
    let spec = match h.pg() {
        Some((url, schema)) => format!("postgres|{}|{url}|{schema}", dir.display()),
        None => format!("sqlite|{}", dir.display()),
    };
    let exe = std::env::current_exe().expect("test binary");
    let mut last_len = 0;
    let mut last_checkpoints = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &spec)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn child");
        let delay = 300 + random_below(900);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        if let Some(status) = child.try_wait().expect("child status") {
            let out = child.wait_with_output().expect("child output");
            panic!(
                "round {round}: the child stopped by itself ({status}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap child");

        let store = h.open().await;
        let report = store.verify().await.expect("verify runs");
        assert!(
            report.is_intact(),
            "round {round} (killed after {delay} ms): {:#?}",
            report.problems
        );
        let len = store.len().await.expect("len");
        assert!(len >= last_len, "round {round}: entries were lost");
        assert!(report.checkpoints >= last_checkpoints);
        eprintln!(
            "round {round}: killed after {delay} ms; {len} entries, {} blobs, {} checkpoints: intact",
            report.blobs, report.checkpoints
        );
        let cp = store.checkpoint().await.expect("checkpoint after a crash");
        assert_eq!(cp.size, len);
        last_len = len;
        last_checkpoints = report.checkpoints + 1;
        store.close().await;
    }
    assert!(last_len > 10, "the child appended only {last_len} entries");
}
