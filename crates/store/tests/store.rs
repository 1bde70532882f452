//! The store's behaviour, run once on SQLite and once on PostgreSQL by the
//! `suite!` macro: every test is an `async fn(Harness)`.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::sync::Arc;

use common::{Harness, Kind, at, meta};
use evident_model::check::{CheckResult, JudgedItem, Outcome};
use evident_model::evidence::CollectionFailure;
use evident_model::hash::ContentHash;
use evident_store::merkle::{self, leaf_hash};
use evident_store::{
    Added, BlobSource, EvidenceFilter, KIND_COLLECTION_FAILURE, KIND_RESULT, NewItem, Problem,
    Store, StoreError, entry_hash, verify_inclusion,
};

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::run(crate::Kind::Sqlite, crate::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::run(crate::Kind::Postgres, crate::$name).await;
                }
            )*
        }
    };
}

suite!(
    round_trip,
    streams_files_larger_than_a_chunk,
    identical_content_is_stored_once,
    unchanged_is_per_source_and_origin,
    failures_are_entries_not_evidence,
    results_are_entries_of_their_own_kind,
    generic_entries,
    checkpoints_sign_the_merkle_root,
    automatic_checkpoints,
    inclusion_proofs_for_every_entry,
    reopening_keeps_everything,
    concurrent_writers_do_not_fork_the_chain,
    concurrent_first_opens,
    a_clean_store_verifies,
    tamper_blob_byte,
    tamper_missing_blob,
    tamper_edited_row,
    tamper_edited_and_rehashed_row,
    tamper_deleted_row,
    tamper_deleted_tail,
    tamper_swapped_rows,
    tamper_inserted_row,
    tamper_forged_checkpoint_root,
    tamper_forged_checkpoint_signature,
    tamper_checkpoint_by_another_key,
    tamper_evidence_index,
    checkpoint_refuses_a_tampered_ledger,
    batch_round_trip,
    batch_stores_identical_content_once,
    batch_unchanged_within_and_across_batches,
    batch_failing_midway_records_nothing,
    batch_checkpoints_at_every_multiple,
    concurrent_batches_do_not_interleave,
);

/// Adds `n` small evidence items from sources `s0`, `s1`, `s2`.
async fn fill(store: &Store, n: usize) {
    for i in 0..n {
        let body = format!("{{\"item\":{i},\"text\":\"alpha\"}}").into_bytes();
        store
            .add_evidence(
                BlobSource::Bytes(body),
                None,
                meta(&format!("s{}", i % 3), &format!("/data/{i}.json")),
            )
            .await
            .expect("add evidence");
    }
}

fn codes(problems: &[Problem]) -> Vec<&'static str> {
    problems.iter().map(Problem::code).collect()
}

async fn round_trip(h: Harness) {
    let store = h.open().await;
    assert!(store.is_empty().await.unwrap());
    let raw = br#"{"users": [{"name": "alice", "mfa": true}]}"#.to_vec();
    let normalized = br#"{"users":[{"mfa":true,"name":"alice"}]}"#;
    let added = store
        .add_evidence(
            BlobSource::Bytes(raw.clone()),
            Some(normalized),
            meta("iam", "/data/users.json"),
        )
        .await
        .unwrap();
    assert_eq!(added.index, 0);
    assert!(added.new_blob);
    assert!(!added.unchanged);
    assert_eq!(added.item.digest, ContentHash::of_bytes(&raw));
    assert_eq!(added.item.size, raw.len() as u64);
    assert_eq!(
        added.item.normalized,
        Some(ContentHash::of_bytes(normalized))
    );
    assert_eq!(
        added.item.provenance,
        meta("iam", "/data/users.json").provenance
    );

    // Read back by position and by listing.
    let at0 = store.evidence_at(0).await.unwrap().unwrap();
    assert_eq!(at0.item, added.item);
    assert!(store.evidence_at(1).await.unwrap().is_none());
    let all = store.evidence(EvidenceFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].item, added.item);

    // Both blobs are there, content-addressed.
    let mut bytes = Vec::new();
    store
        .open_blob(&added.item.digest)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(bytes, raw);
    let norm = std::fs::read(store.blob_path(added.item.normalized.as_ref().unwrap())).unwrap();
    assert_eq!(norm, normalized);
    let hex = added.item.digest.hex();
    assert!(
        store
            .blob_path(&added.item.digest)
            .ends_with(format!("{}/{}", &hex[..2], &hex[2..]))
    );

    // The ledger entry: canonical JSON of the item, chained from zeros.
    let entry = store.entry(0).await.unwrap().unwrap();
    assert_eq!(entry.kind, "evidence");
    assert_eq!(entry.body, serde_jcs::to_vec(&added.item).unwrap());
    assert_eq!(entry.prev_hash, [0u8; 32]);
    assert_eq!(
        entry.entry_hash,
        entry_hash(0, "evidence", &entry.body, &[0; 32])
    );
    assert_eq!(store.len().await.unwrap(), 1);
    assert_eq!(store.public_key_hex().len(), 64);
}

async fn streams_files_larger_than_a_chunk(h: Harness) {
    let store = h.open().await;
    let path = h.dir.path().join("artefact.bin");
    let data: Vec<u8> = (0..(3 << 20) + 5)
        .map(|i: u32| (i * 31 % 256) as u8)
        .collect();
    std::fs::write(&path, &data).unwrap();
    let added = store
        .add_evidence(
            BlobSource::File(path.clone()),
            None,
            meta("f", "/artefact.bin"),
        )
        .await
        .unwrap();
    assert_eq!(added.item.digest, ContentHash::of_bytes(&data));
    assert_eq!(added.item.size, data.len() as u64);
    assert_eq!(
        std::fs::read(store.blob_path(&added.item.digest)).unwrap(),
        data
    );

    let missing = store
        .add_evidence(
            BlobSource::File(h.dir.path().join("gone.bin")),
            None,
            meta("f", "/gone.bin"),
        )
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::Io { .. }), "{missing}");
    assert!(missing.to_string().contains("gone.bin"));
    assert_eq!(
        store.len().await.unwrap(),
        1,
        "a failed add records nothing"
    );
}

async fn identical_content_is_stored_once(h: Harness) {
    let store = h.open().await;
    let body = b"same bytes".to_vec();
    let a = store
        .add_evidence(BlobSource::Bytes(body.clone()), None, meta("a", "/x"))
        .await
        .unwrap();
    let b = store
        .add_evidence(BlobSource::Bytes(body.clone()), None, meta("b", "/y"))
        .await
        .unwrap();
    assert!(a.new_blob);
    assert!(!b.new_blob);
    assert_eq!(a.item.digest, b.item.digest);
    assert_eq!((a.index, b.index), (0, 1));
    let files: Vec<_> = walk(&h.blob_dir());
    assert_eq!(files.len(), 1, "{files:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

async fn unchanged_is_per_source_and_origin(h: Harness) {
    let store = h.open().await;
    let add = |body: &'static str, source: &'static str, origin: &'static str| {
        let store = &store;
        async move {
            store
                .add_evidence(
                    BlobSource::Bytes(body.as_bytes().to_vec()),
                    None,
                    meta(source, origin),
                )
                .await
                .unwrap()
        }
    };
    assert!(!add("v1", "iam", "/a").await.unchanged);
    assert!(!add("v1", "iam", "/b").await.unchanged, "another origin");
    assert!(add("v1", "iam", "/a").await.unchanged);
    assert!(!add("v1", "net", "/a").await.unchanged, "another source");
    assert!(!add("v2", "iam", "/a").await.unchanged);
    assert!(add("v2", "iam", "/a").await.unchanged);
    let iam = store
        .evidence(EvidenceFilter {
            source: Some("iam"),
        })
        .await
        .unwrap();
    assert_eq!(
        iam.iter().map(|e| e.index).collect::<Vec<_>>(),
        [0, 1, 2, 4, 5]
    );
}

async fn failures_are_entries_not_evidence(h: Harness) {
    let store = h.open().await;
    fill(&store, 1).await;
    let failure = CollectionFailure {
        source: "github".into(),
        collector: "http".into(),
        error: "HTTP 503 from https://api.example/orgs".into(),
        attempted_at: at("2026-03-01T10:05:00Z"),
    };
    let index = store.add_failure(&failure).await.unwrap();
    assert_eq!(index, 1);
    let failures = store.failures().await.unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].index, 1);
    assert_eq!(failures[0].failure, failure);
    assert_eq!(
        store
            .evidence(EvidenceFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store.evidence_at(1).await.unwrap().is_none());
    assert_eq!(
        store.entry(1).await.unwrap().unwrap().kind,
        KIND_COLLECTION_FAILURE
    );
}

async fn results_are_entries_of_their_own_kind(h: Harness) {
    let store = h.open().await;
    fill(&store, 1).await;
    let evidence = store.evidence(EvidenceFilter::default()).await.unwrap();
    let judged = JudgedItem {
        index: evidence[0].index,
        digest: evidence[0].item.digest.clone(),
        observed: evidence[0].item.observed,
    };
    let result = |check: &str, outcome: Outcome| CheckResult {
        check: check.into(),
        source: "s0".into(),
        controls: vec!["CTL-1".into()],
        requirements: vec!["A.8.5".into()],
        outcome,
        messages: if outcome == Outcome::Fail {
            vec!["user bob has no MFA".into()]
        } else {
            vec![]
        },
        warnings: vec![],
        error: None,
        evidence: vec![judged.clone()],
        evaluated_at: at("2026-03-01T10:05:00Z"),
    };
    let results = vec![result("a", Outcome::Pass), result("b", Outcome::Fail)];
    assert_eq!(store.add_results(&results).await.unwrap(), vec![1, 2]);
    assert_eq!(store.add_results(&[]).await.unwrap(), Vec::<u64>::new());
    let stored = store.results().await.unwrap();
    assert_eq!(stored.iter().map(|r| r.index).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(
        stored.into_iter().map(|r| r.result).collect::<Vec<_>>(),
        results
    );
    assert_eq!(store.entry(2).await.unwrap().unwrap().kind, KIND_RESULT);
    // Only `add_results` writes that kind, so every result entry decodes.
    assert!(matches!(
        store.append(KIND_RESULT, &serde_json::json!({})).await,
        Err(StoreError::ReservedKind(_))
    ));
    assert!(store.verify().await.unwrap().is_intact());
}

async fn generic_entries(h: Harness) {
    let store = h.open().await;
    let body = serde_json::json!({"z": 1, "check": "mfa", "result": "pass"});
    let index = store.append("check-result", &body).await.unwrap();
    let entry = store.entry(index).await.unwrap().unwrap();
    assert_eq!(entry.kind, "check-result");
    assert_eq!(entry.body, br#"{"check":"mfa","result":"pass","z":1}"#);
    for reserved in ["evidence", "collection-failure"] {
        let err = store.append(reserved, &body).await.unwrap_err();
        assert!(matches!(err, StoreError::ReservedKind(_)), "{err}");
    }
    let err = store.append("Bad Kind", &body).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidKind(_)), "{err}");
    assert_eq!(store.len().await.unwrap(), 1);
    let all = store.entries(0..10).await.unwrap();
    assert_eq!(all.len(), 1);
}

async fn checkpoints_sign_the_merkle_root(h: Harness) {
    let store = h.open().await;
    let empty = store.checkpoint().await.unwrap();
    assert_eq!(empty.size, 0);
    assert_eq!(empty.root, merkle::EMPTY_ROOT);
    assert!(empty.signature_is_valid());

    fill(&store, 5).await;
    let cp = store.checkpoint().await.unwrap();
    assert_eq!(cp.size, 5);
    let leaves: Vec<_> = store
        .entries(0..5)
        .await
        .unwrap()
        .iter()
        .map(|e| leaf_hash(&e.entry_hash))
        .collect();
    assert_eq!(cp.root, merkle::root(&leaves));
    assert!(cp.signature_is_valid());
    assert_eq!(cp.public_key_hex(), store.public_key_hex());
    assert_eq!(
        cp.message(),
        format!(
            "evident-checkpoint-v1\n5\n{}\n{}\n",
            cp.root_hex(),
            cp.signed_at
        )
    );

    // No growth: the same checkpoint.
    assert_eq!(store.checkpoint().await.unwrap(), cp);
    assert_eq!(store.latest_checkpoint().await.unwrap(), Some(cp.clone()));
    fill(&store, 2).await;
    let next = store.checkpoint().await.unwrap();
    assert_eq!(next.size, 7);
    let sizes: Vec<u64> = store
        .checkpoints()
        .await
        .unwrap()
        .iter()
        .map(|c| c.size)
        .collect();
    assert_eq!(sizes, [0, 5, 7]);
}

async fn automatic_checkpoints(h: Harness) {
    let store = h.open_with(|c| c.checkpoint_every = 3).await;
    fill(&store, 7).await;
    let sizes: Vec<u64> = store
        .checkpoints()
        .await
        .unwrap()
        .iter()
        .map(|c| c.size)
        .collect();
    assert_eq!(sizes, [3, 6]);
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.signed_size, 6);
}

async fn inclusion_proofs_for_every_entry(h: Harness) {
    let store = h.open().await;
    let mut checkpoints = Vec::new();
    for n in 1..=13 {
        fill(&store, 1).await;
        if n % 4 == 1 || n == 13 {
            checkpoints.push(store.checkpoint().await.unwrap());
        }
    }
    let entries = store.entries(0..13).await.unwrap();
    for cp in &checkpoints {
        let all: Vec<u64> = (0..cp.size).collect();
        let batch = store.inclusion_proofs(&all, cp.size).await.unwrap();
        assert_eq!(batch.len(), all.len());
        for i in 0..cp.size {
            let proof = store.inclusion_proof(i, cp.size).await.unwrap();
            assert_eq!(proof, batch[i as usize]);
            let leaf = leaf_hash(&entries[i as usize].entry_hash);
            assert!(
                verify_inclusion(&leaf, i, cp.size, &proof, &cp.root),
                "{i} in {}",
                cp.size
            );
            let other = leaf_hash(&entries[(i as usize + 1) % 13].entry_hash);
            assert!(!verify_inclusion(&other, i, cp.size, &proof, &cp.root));
        }
    }
    for (index, size) in [(0, 14), (5, 5), (13, 13)] {
        let err = store.inclusion_proof(index, size).await.unwrap_err();
        assert!(matches!(err, StoreError::OutOfRange { .. }), "{err}");
    }
}

async fn reopening_keeps_everything(h: Harness) {
    let store = h.open_with(|c| c.checkpoint_every = 4).await;
    fill(&store, 5).await;
    let key = store.public_key_hex();
    store.close().await;

    let store = h.open_with(|c| c.checkpoint_every = 4).await;
    assert_eq!(store.public_key_hex(), key);
    assert_eq!(store.len().await.unwrap(), 5);
    // The new process starts from the signed checkpoint (size 4).
    fill(&store, 4).await;
    let cp = store.checkpoint().await.unwrap();
    assert_eq!(cp.size, 9);
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.checkpoints, 3);
}

async fn concurrent_writers_do_not_fork_the_chain(h: Harness) {
    // Two stores (two pools, as two processes would have), four tasks
    // each, appending and checkpointing at once.
    let a = Arc::new(h.open_with(|c| c.checkpoint_every = 16).await);
    let b = Arc::new(h.open_with(|c| c.checkpoint_every = 16).await);
    let mut tasks = Vec::new();
    for t in 0..8usize {
        let store = if t % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for i in 0..20usize {
                let idx = if i % 5 == 4 {
                    store
                        .append("note", &serde_json::json!({"task": t, "i": i}))
                        .await
                        .unwrap()
                } else {
                    store
                        .add_evidence(
                            BlobSource::Bytes(format!("task {t} item {i}").into_bytes()),
                            None,
                            meta(&format!("task{t}"), "/x"),
                        )
                        .await
                        .unwrap()
                        .index
                };
                mine.push(idx);
                if i % 7 == 0 {
                    store.checkpoint().await.unwrap();
                }
            }
            mine
        }));
    }
    let mut all = BTreeSet::new();
    for task in tasks {
        for idx in task.await.unwrap() {
            assert!(all.insert(idx), "index {idx} handed out twice");
        }
    }
    assert_eq!(all, (0..160).collect::<BTreeSet<u64>>());
    assert_eq!(a.len().await.unwrap(), 160);
    let report = a.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.entries, 160);
    // Each chain link points at its predecessor.
    let entries = b.entries(0..160).await.unwrap();
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].entry_hash);
    }
}

async fn concurrent_first_opens(h: Harness) {
    // Several writers meeting a fresh store at once all get the same
    // schema and the same key.
    let h = Arc::new(h);
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move {
                let store = h.open().await;
                let key = store.public_key_hex();
                fill(&store, 2).await;
                store.close().await;
                key
            })
        })
        .collect();
    let mut keys = BTreeSet::new();
    for open in opens {
        keys.insert(open.await.unwrap());
    }
    assert_eq!(keys.len(), 1);
    let store = h.open().await;
    assert_eq!(store.len().await.unwrap(), 8);
    assert!(store.verify().await.unwrap().is_intact());
}

async fn a_clean_store_verifies(h: Harness) {
    let store = h.open().await;
    fill(&store, 6).await;
    store
        .add_evidence(
            BlobSource::Bytes(b"raw".to_vec()),
            Some(b"{\"n\":1}"),
            meta("n", "/n"),
        )
        .await
        .unwrap();
    store
        .add_failure(&CollectionFailure {
            source: "x".into(),
            collector: "command".into(),
            error: "exit status 2".into(),
            attempted_at: at("2026-03-01T11:00:00Z"),
        })
        .await
        .unwrap();
    store
        .append("decision", &serde_json::json!({"ok": true}))
        .await
        .unwrap();
    store.checkpoint().await.unwrap();
    fill(&store, 2).await;
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.entries, 11);
    assert_eq!(report.blobs, 8);
    assert_eq!(report.checkpoints, 1);
    assert_eq!(report.signed_size, 9);
}

/// A store of 6 evidence items, checkpointed.
async fn six(h: &Harness) -> Store {
    let store = h.open().await;
    fill(&store, 6).await;
    store.checkpoint().await.unwrap();
    store
}

fn make_writable(path: &std::path::Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

async fn tamper_blob_byte(h: Harness) {
    let store = six(&h).await;
    let item = store.evidence_at(2).await.unwrap().unwrap().item;
    let path = store.blob_path(&item.digest);
    make_writable(&path);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[3] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();

    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [Problem::BlobAltered {
            index: 2,
            digest: item.digest.clone(),
            actual: ContentHash::of_bytes(&bytes),
        }]
    );
    let text = report.problems[0].to_string();
    assert!(
        text.contains("entry 2") && text.contains("altered"),
        "{text}"
    );
}

async fn tamper_missing_blob(h: Harness) {
    let store = six(&h).await;
    let item = store.evidence_at(4).await.unwrap().unwrap().item;
    std::fs::remove_file(store.blob_path(&item.digest)).unwrap();
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [Problem::BlobMissing {
            index: 4,
            digest: item.digest,
        }]
    );
}

async fn tamper_edited_row(h: Harness) {
    let store = six(&h).await;
    fill(&store, 2).await; // entries 6 and 7 are not yet signed
    for index in [1, 7] {
        let entry = store.entry(index).await.unwrap().unwrap();
        let edited = String::from_utf8(entry.body)
            .unwrap()
            .replace("tester@host", "mallory@host");
        h.tamper(&[format!(
            "UPDATE ledger SET body = {} WHERE idx = {index}",
            h.bytes_literal(edited.as_bytes())
        )])
        .await;
    }
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [
            Problem::EntryAltered { index: 1 },
            Problem::EntryAltered { index: 7 },
            Problem::CheckpointRootMismatch { size: 6 },
        ]
    );
    assert!(report.problems[0].to_string().contains("edited"));
}

async fn tamper_edited_and_rehashed_row(h: Harness) {
    // The attacker also recomputes the edited entry's hash; the next
    // entry's link and the signed root still give it away.
    let store = six(&h).await;
    let entry = store.entry(2).await.unwrap().unwrap();
    let edited = String::from_utf8(entry.body)
        .unwrap()
        .replace("tester@host", "mallory@host")
        .into_bytes();
    let hash = entry_hash(2, &entry.kind, &edited, &entry.prev_hash);
    h.tamper(&[format!(
        "UPDATE ledger SET body = {}, entry_hash = {} WHERE idx = 2",
        h.bytes_literal(&edited),
        h.bytes_literal(&hash)
    )])
    .await;
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [
            Problem::ChainBroken { index: 3 },
            Problem::CheckpointRootMismatch { size: 6 },
        ]
    );
}

async fn tamper_deleted_row(h: Harness) {
    let store = six(&h).await;
    h.tamper(&[
        "DELETE FROM evidence WHERE idx = 3".into(),
        "DELETE FROM ledger WHERE idx = 3".into(),
    ])
    .await;
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [
            Problem::EntriesMissing { from: 3, to: 3 },
            Problem::CheckpointBeyondLedger {
                size: 6,
                entries: 5
            },
        ]
    );
    assert!(report.problems[0].to_string().contains("deleted"));
}

async fn tamper_deleted_tail(h: Harness) {
    let store = six(&h).await;
    h.tamper(&[
        "DELETE FROM evidence WHERE idx >= 4".into(),
        "DELETE FROM ledger WHERE idx >= 4".into(),
    ])
    .await;
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [Problem::CheckpointBeyondLedger {
            size: 6,
            entries: 4
        }]
    );
}

async fn tamper_swapped_rows(h: Harness) {
    let store = six(&h).await;
    h.tamper(&[
        "CREATE TEMP TABLE swap AS SELECT * FROM ledger WHERE idx IN (2, 3)".into(),
        "UPDATE ledger SET \
            kind = (SELECT s.kind FROM swap s WHERE s.idx = 5 - ledger.idx), \
            body = (SELECT s.body FROM swap s WHERE s.idx = 5 - ledger.idx), \
            prev_hash = (SELECT s.prev_hash FROM swap s WHERE s.idx = 5 - ledger.idx), \
            entry_hash = (SELECT s.entry_hash FROM swap s WHERE s.idx = 5 - ledger.idx) \
         WHERE idx IN (2, 3)"
            .into(),
    ])
    .await;
    let report = store.verify().await.unwrap();
    let moved: Vec<_> = report
        .problems
        .iter()
        .filter(|p| matches!(p, Problem::EntryMoved { .. }))
        .cloned()
        .collect();
    assert_eq!(
        moved,
        [
            Problem::EntryMoved {
                index: 2,
                written_at: 3
            },
            Problem::EntryMoved {
                index: 3,
                written_at: 2
            },
        ]
    );
    assert!(
        report
            .problems
            .contains(&Problem::CheckpointRootMismatch { size: 6 })
    );
    // The evidence index still points 2 and 3 at their old items.
    assert!(codes(&report.problems).contains(&"index-mismatch"));
    assert!(!codes(&report.problems).contains(&"entry-altered"));
}

async fn tamper_inserted_row(h: Harness) {
    // A well-formed, correctly chained entry slipped in at 3, the rows
    // after it renumbered: only the signatures and hashes can tell.
    let store = six(&h).await;
    let before = store.entry(2).await.unwrap().unwrap();
    let forged = serde_jcs::to_vec(&CollectionFailure {
        source: "s0".into(),
        collector: "file".into(),
        error: "nothing to see".into(),
        attempted_at: at("2026-03-01T10:00:00Z"),
    })
    .unwrap();
    let hash = entry_hash(3, KIND_COLLECTION_FAILURE, &forged, &before.entry_hash);
    h.tamper(&[
        "UPDATE evidence SET idx = idx + 1000000 WHERE idx >= 3".into(),
        "UPDATE ledger SET idx = idx + 1000000 WHERE idx >= 3".into(),
        "UPDATE ledger SET idx = idx - 999999 WHERE idx >= 1000000".into(),
        "UPDATE evidence SET idx = idx - 999999 WHERE idx >= 1000000".into(),
        format!(
            "INSERT INTO ledger (idx, kind, body, prev_hash, entry_hash) VALUES (3, '{}', {}, {}, {})",
            KIND_COLLECTION_FAILURE,
            h.bytes_literal(&forged),
            h.bytes_literal(&before.entry_hash),
            h.bytes_literal(&hash)
        ),
    ])
    .await;
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [
            Problem::EntryInserted { index: 3 },
            Problem::EntryMoved {
                index: 4,
                written_at: 3
            },
            Problem::EntryMoved {
                index: 5,
                written_at: 4
            },
            Problem::EntryMoved {
                index: 6,
                written_at: 5
            },
            Problem::CheckpointRootMismatch { size: 6 },
        ]
    );
    assert!(report.problems[0].to_string().contains("inserted"));
}

async fn tamper_forged_checkpoint_root(h: Harness) {
    let store = six(&h).await;
    h.tamper(&[format!(
        "UPDATE checkpoints SET root = {} WHERE size = 6",
        h.bytes_literal(&[0x42; 32])
    )])
    .await;
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [
            Problem::CheckpointRootMismatch { size: 6 },
            Problem::CheckpointBadSignature { size: 6 },
        ]
    );
}

async fn tamper_forged_checkpoint_signature(h: Harness) {
    let store = six(&h).await;
    h.tamper(&[format!(
        "UPDATE checkpoints SET signature = {} WHERE size = 6",
        h.bytes_literal(&[0x17; 64])
    )])
    .await;
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [Problem::CheckpointBadSignature { size: 6 }]
    );
    assert!(report.problems[0].to_string().contains("forged"));
}

async fn tamper_checkpoint_by_another_key(h: Harness) {
    // A checkpoint, validly signed by a key the store does not trust, over
    // a root that is not the ledger's.
    let store = six(&h).await;
    let mallory = tempfile::tempdir().unwrap();
    let other = Store::open(evident_store::StoreConfig::sqlite(mallory.path()))
        .await
        .unwrap();
    for i in 0..3 {
        let body = serde_json::json!({ "forged": i });
        other.append("note", &body).await.unwrap();
    }
    let forged = other.checkpoint().await.unwrap();
    other.close().await;
    h.tamper(&[format!(
        "INSERT INTO checkpoints (size, root, signed_at, public_key, signature) \
         VALUES (3, {}, '{}', {}, {})",
        h.bytes_literal(&forged.root),
        forged.signed_at,
        h.bytes_literal(&forged.public_key),
        h.bytes_literal(&forged.signature)
    )])
    .await;
    let report = store.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [
            Problem::CheckpointRootMismatch { size: 3 },
            Problem::CheckpointUnknownKey {
                size: 3,
                public_key: forged.public_key_hex()
            },
        ]
    );
    // Trusting that key silences only the key problem.
    let trusting = h
        .open_with(|c| c.trusted_keys = vec![forged.public_key_hex()])
        .await;
    let report = trusting.verify().await.unwrap();
    assert_eq!(
        report.problems,
        [Problem::CheckpointRootMismatch { size: 3 }]
    );
}

async fn tamper_evidence_index(h: Harness) {
    let store = six(&h).await;
    let other = ContentHash::of_bytes(b"something else");
    h.tamper(&[
        format!("UPDATE evidence SET digest = '{other}' WHERE idx = 1"),
        "UPDATE evidence SET source = 'elsewhere' WHERE idx = 2".into(),
    ])
    .await;
    let report = store.verify().await.unwrap();
    assert_eq!(
        codes(&report.problems),
        ["index-mismatch", "index-mismatch"]
    );
    assert_eq!(
        report
            .problems
            .iter()
            .map(|p| p.index())
            .collect::<Vec<_>>(),
        [Some(1), Some(2)]
    );
}

async fn checkpoint_refuses_a_tampered_ledger(h: Harness) {
    let store = six(&h).await;
    fill(&store, 1).await;
    let entry = store.entry(6).await.unwrap().unwrap();
    let mut edited = entry.body.clone();
    let pos = edited.iter().position(|&b| b == b'/').unwrap();
    edited[pos + 1] = b'Z';
    h.tamper(&[format!(
        "UPDATE ledger SET body = {} WHERE idx = 6",
        h.bytes_literal(&edited)
    )])
    .await;
    // A fresh process must not sign over it either.
    for store in [store, h.open().await] {
        let err = store.checkpoint().await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { index: 6, .. }), "{err}");
    }
}

/// A batch item of `body` bytes from `source` at `origin`.
fn item(body: &[u8], source: &str, origin: &str) -> NewItem {
    NewItem {
        content: BlobSource::Bytes(body.to_vec()),
        normalized: None,
        meta: meta(source, origin),
    }
}

fn unchanged(added: &[Added]) -> Vec<bool> {
    added.iter().map(|a| a.unchanged).collect()
}

async fn batch_round_trip(h: Harness) {
    let store = h.open().await;
    fill(&store, 2).await;
    let raw = br#"{"users": [{"name": "alice", "mfa": true}]}"#.to_vec();
    let normalized = br#"{"users":[{"mfa":true,"name":"alice"}]}"#.to_vec();
    let big_path = h.dir.path().join("big.bin");
    let big: Vec<u8> = (0..(2 << 20) + 3)
        .map(|i: u32| (i * 7 % 256) as u8)
        .collect();
    std::fs::write(&big_path, &big).unwrap();
    let small_path = h.dir.path().join("small.json");
    std::fs::write(&small_path, b"[1, 2]").unwrap();
    let items = vec![
        NewItem {
            content: BlobSource::Bytes(raw.clone()),
            normalized: Some(normalized.clone()),
            meta: meta("iam", "/data/users.json"),
        },
        NewItem {
            content: BlobSource::File(big_path),
            normalized: None,
            meta: meta("files", "/big.bin"),
        },
        NewItem {
            content: BlobSource::File(small_path),
            normalized: Some(b"[1,2]".to_vec()),
            meta: meta("files", "/small.json"),
        },
        item(b"", "files", "/empty"),
    ];
    let added = store.add_evidence_batch(items).await.unwrap();
    assert_eq!(
        added.iter().map(|a| a.index).collect::<Vec<_>>(),
        [2, 3, 4, 5]
    );
    assert!(added.iter().all(|a| a.new_blob && !a.unchanged));
    let digests = [&raw[..], &big, b"[1, 2]", b""].map(ContentHash::of_bytes);
    for (a, digest) in added.iter().zip(&digests) {
        assert_eq!(&a.item.digest, digest);
    }
    assert_eq!(added[1].item.size, big.len() as u64);
    assert_eq!(
        added[0].item.normalized,
        Some(ContentHash::of_bytes(&normalized))
    );
    assert_eq!(added[1].item.normalized, None);
    assert_eq!(
        added[2].item.provenance,
        meta("files", "/small.json").provenance
    );

    // The entries are what single adds write: the canonical item, chained.
    let entries = store.entries(0..6).await.unwrap();
    for a in &added {
        let i = a.index as usize;
        let entry = &entries[i];
        assert_eq!(entry.kind, "evidence");
        assert_eq!(entry.body, serde_jcs::to_vec(&a.item).unwrap());
        assert_eq!(entry.prev_hash, entries[i - 1].entry_hash);
        assert_eq!(entry.entry_hash, entry.computed_hash());
        assert_eq!(
            store.evidence_at(a.index).await.unwrap().unwrap().item,
            a.item
        );
    }
    assert_eq!(std::fs::read(store.blob_path(&digests[1])).unwrap(), big);
    assert_eq!(
        std::fs::read(store.blob_path(added[0].item.normalized.as_ref().unwrap())).unwrap(),
        normalized
    );
    assert_eq!(
        std::fs::read_dir(h.blob_dir().join("incoming"))
            .unwrap()
            .count(),
        0
    );

    // An empty batch records nothing.
    assert!(
        store
            .add_evidence_batch(Vec::new())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.len().await.unwrap(), 6);
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.blobs, 2 + 6);
}

async fn batch_stores_identical_content_once(h: Harness) {
    let store = h.open().await;
    store
        .add_evidence(BlobSource::Bytes(b"old".to_vec()), None, meta("a", "/old"))
        .await
        .unwrap();
    let file = h.dir.path().join("same.txt");
    std::fs::write(&file, b"same bytes").unwrap();
    let items = vec![
        item(b"same bytes", "a", "/x"),
        item(b"same bytes", "b", "/y"),
        NewItem {
            content: BlobSource::File(file),
            normalized: Some(b"\"normalised\"".to_vec()),
            meta: meta("c", "/z"),
        },
        item(b"old", "a", "/again"),
        // Another item's normalised document, as an artefact.
        item(b"\"normalised\"", "d", "/n"),
    ];
    let added = store.add_evidence_batch(items).await.unwrap();
    assert_eq!(
        added.iter().map(|a| a.new_blob).collect::<Vec<_>>(),
        [true, false, false, false, false]
    );
    assert_eq!(added[0].item.digest, added[1].item.digest);
    assert_eq!(added[0].item.digest, added[2].item.digest);
    assert_eq!(
        added[2].item.normalized.as_ref(),
        Some(&added[4].item.digest)
    );
    // "old", "same bytes", "\"normalised\"".
    let files = walk(&h.blob_dir());
    assert_eq!(files.len(), 3, "{files:?}");
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
}

async fn batch_unchanged_within_and_across_batches(h: Harness) {
    let store = h.open().await;
    let first = store
        .add_evidence_batch(vec![
            item(b"v1", "iam", "/a"),
            item(b"v1", "iam", "/a"),
            item(b"v1", "iam", "/b"),
            item(b"v2", "iam", "/a"),
            item(b"v2", "iam", "/a"),
            item(b"v1", "net", "/a"),
        ])
        .await
        .unwrap();
    assert_eq!(unchanged(&first), [false, true, false, false, true, false]);
    let second = store
        .add_evidence_batch(vec![
            item(b"v2", "iam", "/a"),
            item(b"v1", "iam", "/b"),
            item(b"v1", "net", "/a"),
            item(b"v3", "iam", "/b"),
            item(b"v3", "iam", "/b"),
        ])
        .await
        .unwrap();
    assert_eq!(unchanged(&second), [true, true, true, false, true]);
    // A single add sees the batch's items too.
    let one = store
        .add_evidence(BlobSource::Bytes(b"v3".to_vec()), None, meta("iam", "/b"))
        .await
        .unwrap();
    assert!(one.unchanged);

    // Batches wider than one lookup statement: 150 origins, then again
    // with every third one changed.
    let wide = |changed: bool| -> Vec<NewItem> {
        (0..150)
            .map(|i| {
                let v = if changed && i % 3 == 0 { "new" } else { "same" };
                item(format!("{v} {i}").as_bytes(), "wide", &format!("/w/{i}"))
            })
            .collect()
    };
    let a = store.add_evidence_batch(wide(false)).await.unwrap();
    assert!(a.iter().all(|a| !a.unchanged));
    let b = store.add_evidence_batch(wide(true)).await.unwrap();
    assert_eq!(
        unchanged(&b),
        (0..150).map(|i| i % 3 != 0).collect::<Vec<_>>()
    );
    assert_eq!(b.last().unwrap().index, 6 + 5 + 1 + 300 - 1);
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
}

async fn batch_failing_midway_records_nothing(h: Harness) {
    let store = h.open().await;
    fill(&store, 3).await;
    store.checkpoint().await.unwrap();
    let before = walk(&h.blob_dir());
    let big = h.dir.path().join("big.bin");
    std::fs::write(&big, vec![5u8; (1 << 20) + 9]).unwrap();
    let batch = |with_missing: bool| {
        let mut items: Vec<NewItem> = (0..20)
            .map(|i| NewItem {
                content: BlobSource::Bytes(format!("fresh {i}").into_bytes()),
                normalized: Some(format!("{{\"fresh\":{i}}}").into_bytes()),
                meta: meta("fresh", &format!("/fresh/{i}")),
            })
            .collect();
        items.push(NewItem {
            content: BlobSource::File(big.clone()),
            normalized: None,
            meta: meta("fresh", "/big"),
        });
        if with_missing {
            items.insert(
                10,
                NewItem {
                    content: BlobSource::File(h.dir.path().join("vanished.json")),
                    normalized: None,
                    meta: meta("fresh", "/vanished.json"),
                },
            );
        }
        items
    };
    let err = store.add_evidence_batch(batch(true)).await.unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err}");
    assert!(err.to_string().contains("vanished.json"), "{err}");
    assert_eq!(store.len().await.unwrap(), 3, "nothing of the batch");
    assert!(
        store
            .evidence(EvidenceFilter {
                source: Some("fresh")
            })
            .await
            .unwrap()
            .is_empty()
    );
    // Not a blob of it is left: they are all renamed after all are read.
    assert_eq!(walk(&h.blob_dir()), before);
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);

    // The same batch without the missing file goes in whole.
    let added = store.add_evidence_batch(batch(false)).await.unwrap();
    assert_eq!(added.first().unwrap().index, 3);
    assert_eq!(added.last().unwrap().index, 23);
    assert!(added.iter().all(|a| a.new_blob));
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
}

async fn batch_checkpoints_at_every_multiple(h: Harness) {
    let store = h.open_with(|c| c.checkpoint_every = 3).await;
    let batch = |n: usize, tag: &str| -> Vec<NewItem> {
        (0..n)
            .map(|i| item(format!("{tag} {i}").as_bytes(), "s", &format!("/{tag}/{i}")))
            .collect()
    };
    store.add_evidence_batch(batch(7, "a")).await.unwrap(); // 7: signs 3, 6
    store.add_evidence_batch(batch(1, "b")).await.unwrap(); // 8
    store.add_evidence_batch(batch(4, "c")).await.unwrap(); // 12: signs 9, 12
    fill(&store, 1).await; // 13
    store
        .append("note", &serde_json::json!({"n": 1}))
        .await
        .unwrap(); // 14
    store.add_evidence_batch(batch(1, "d")).await.unwrap(); // 15: signs 15
    let checkpoints = store.checkpoints().await.unwrap();
    assert_eq!(
        checkpoints.iter().map(|c| c.size).collect::<Vec<_>>(),
        [3, 6, 9, 12, 15]
    );
    let leaves: Vec<_> = store
        .entries(0..15)
        .await
        .unwrap()
        .iter()
        .map(|e| leaf_hash(&e.entry_hash))
        .collect();
    for cp in &checkpoints {
        assert_eq!(cp.root, merkle::root(&leaves[..cp.size as usize]));
        assert!(cp.signature_is_valid());
    }
    let report = store.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.signed_size, 15);

    // A fresh process continues from the signed checkpoints.
    store.close().await;
    let store = h.open_with(|c| c.checkpoint_every = 3).await;
    store.add_evidence_batch(batch(5, "e")).await.unwrap(); // 20: signs 18
    let last = store.latest_checkpoint().await.unwrap().unwrap();
    assert_eq!(last.size, 18);
}

async fn concurrent_batches_do_not_interleave(h: Harness) {
    // Two stores (two pools, as two processes would have), three tasks
    // each, adding batches, single items and checkpoints at once.
    let a = Arc::new(h.open_with(|c| c.checkpoint_every = 7).await);
    let b = Arc::new(h.open_with(|c| c.checkpoint_every = 7).await);
    let mut tasks = Vec::new();
    for t in 0..6usize {
        let store = if t % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let mut batches = Vec::new();
            for round in 0..4usize {
                let items = (0..9)
                    .map(|k| {
                        item(
                            format!("task {t} round {round} item {k}").as_bytes(),
                            &format!("task{t}"),
                            &format!("/{}", k % 4),
                        )
                    })
                    .collect();
                let added = store.add_evidence_batch(items).await.unwrap();
                batches.push(added.iter().map(|a| a.index).collect::<Vec<_>>());
                store
                    .add_evidence(
                        BlobSource::Bytes(format!("task {t} single {round}").into_bytes()),
                        None,
                        meta(&format!("task{t}"), "/single"),
                    )
                    .await
                    .unwrap();
                if round % 2 == 1 {
                    store.checkpoint().await.unwrap();
                }
            }
            batches
        }));
    }
    let mut all = BTreeSet::new();
    for task in tasks {
        for batch in task.await.unwrap() {
            for pair in batch.windows(2) {
                assert_eq!(pair[1], pair[0] + 1, "a batch was interleaved: {batch:?}");
            }
            for idx in batch {
                assert!(all.insert(idx), "index {idx} handed out twice");
            }
        }
    }
    assert_eq!(all.len(), 6 * 4 * 9);
    let total = 6 * 4 * 10;
    assert_eq!(a.len().await.unwrap(), total);
    let report = a.verify().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.entries, total);
    let entries = b.entries(0..total).await.unwrap();
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].entry_hash);
    }
}
