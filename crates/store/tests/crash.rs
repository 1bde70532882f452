//! Crash safety: a child process (this test binary, re-run in child mode)
//! appends in a loop — blobs from bytes and files, failures, generic
//! entries, checkpoints, and batches of evidence (most of its time) — and
//! is killed with SIGKILL at a random moment. After each kill the store
//! must verify intact, keep every entry it had, hold every batch whole or
//! not at all, and accept new checkpoints. Several rounds per backend.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use std::collections::BTreeMap;

use common::{Harness, Kind, config_at, meta, random_suffix};
use evident_model::evidence::CollectionFailure;
use evident_store::{BlobSource, EvidenceFilter, NewItem, Store};

/// Set in the child: `sqlite|<dir>` or `postgres|<dir>|<url>|<schema>`.
const CHILD_ENV: &str = "EVIDENT_STORE_CRASH_CHILD";

const ROUNDS: usize = 6;

/// Items per batch in the child; the batch's origins are
/// `/batch/<batch id>/<k>`.
const BATCH_LEN: usize = 24;

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
    let batch_files: Vec<_> = (0..3)
        .map(|k| dir.join(format!("batch-{}-{k}", std::process::id())))
        .collect();
    for i in 0u64.. {
        match i % 8 {
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
            6 | 7 => {
                // New bytes, repeated bytes, files (one over a chunk) and
                // normalised documents, in one batch.
                for (k, file) in batch_files.iter().enumerate() {
                    let lines = if k == 0 { 90_000 } else { 50 };
                    let data = format!("{salt}:{i}:{k}\n").into_bytes().repeat(lines);
                    std::fs::write(file, &data).expect("write batch file");
                }
                let items = (0..BATCH_LEN)
                    .map(|k| {
                        let content = match k % 4 {
                            0 => BlobSource::File(batch_files[k / 4 % 3].clone()),
                            1 => BlobSource::Bytes(format!("{salt}-{i}-{k}").into_bytes()),
                            2 => BlobSource::Bytes(b"steady".to_vec()),
                            _ => BlobSource::Bytes(format!("{k}").repeat(1 + k * 300).into_bytes()),
                        };
                        NewItem {
                            content,
                            normalized: (k % 3 == 0)
                                .then(|| format!("{{\"i\":{i},\"k\":{k}}}").into_bytes()),
                            meta: meta("batch", &format!("/batch/{salt}-{i}/{k}")),
                        }
                    })
                    .collect();
                store.add_evidence_batch(items).await.expect("add batch");
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
        let batches = whole_batches(&store).await;
        assert!(
            round < 2 || batches > 0,
            "round {round}: no batch was ever recorded"
        );
        assert!(report.checkpoints >= last_checkpoints);
        eprintln!(
            "round {round}: killed after {delay} ms; {len} entries ({batches} whole batches), \
             {} blobs, {} checkpoints: intact",
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

/// Checks that every batch the children recorded is there whole, as
/// consecutive entries; returns how many there are.
async fn whole_batches(store: &Store) -> usize {
    let items = store
        .evidence(EvidenceFilter {
            source: Some("batch"),
        })
        .await
        .expect("list batch items");
    let mut batches: BTreeMap<String, Vec<(u64, usize)>> = BTreeMap::new();
    for stored in items {
        let origin = &stored.item.provenance.origin;
        let (id, k) = origin
            .strip_prefix("/batch/")
            .and_then(|rest| rest.rsplit_once('/'))
            .expect("a batch origin");
        batches
            .entry(id.to_string())
            .or_default()
            .push((stored.index, k.parse().expect("item number")));
    }
    for (id, items) in &batches {
        assert_eq!(items.len(), BATCH_LEN, "batch {id} is partly recorded");
        for (n, &(index, k)) in items.iter().enumerate() {
            assert_eq!(k, n, "batch {id} is out of order");
            assert_eq!(index, items[0].0 + n as u64, "batch {id} is interleaved");
        }
    }
    batches.len()
}
