//! A pack built from a real store verifies intact; each kind of tampering
//! is found and names the item tampered with.

mod common;

use common::*;
use ed25519_dalek::{Signer, SigningKey};
use evident_pack::hex::Hex;
use evident_pack::manifest::{self, Manifest};
use evident_pack::{Item, PackedEntry};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn an_untouched_pack_is_intact_and_holds_exactly_the_period() {
    let (f, summary) = built().await;
    let path = f.pack_path();
    let report = check(&path);
    assert!(report.is_intact(), "{report:#?}");
    assert_eq!(report.public_key, Some(f.store.public_key()));
    assert_eq!(report.key_trusted, None);
    let trusted = evident_pack::verify(&path, &[f.store.public_key()]).unwrap();
    assert!(trusted.is_intact(), "{trusted:#?}");
    assert_eq!(trusted.key_trusted, Some(true));

    // The period: observed periods overlapping [from, to], both ends
    // inclusive; results evaluated within it.
    let m = manifest_of(&path);
    let listed: Vec<u64> = m.evidence.iter().map(|r| r.index).collect();
    let want: Vec<u64> = [
        "iam-at-start",
        "okta-spanning",
        "github-mid",
        "iam-at-end",
        "okta-mid",
    ]
    .iter()
    .map(|n| f.index(n))
    .collect();
    assert_eq!(listed, want);
    let results: Vec<u64> = m.results.iter().map(|r| r.index).collect();
    assert_eq!(
        results,
        vec![f.index("result-at-start"), f.index("result-mid")]
    );
    assert_eq!(summary.evidence_items, 5);
    assert_eq!(summary.results, 2);
    assert_eq!(report.entries, 7);
    // Five artefacts and three normalised documents.
    assert_eq!(report.blobs, 8);
    assert_eq!(summary.blobs, 8);
    assert_eq!(report.documents, 2);
    assert_eq!(summary.checkpoint_size, m.checkpoint.size);
    assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());

    // Populations are complete per source; no temporary file is left.
    let a515 = &m.populations[0];
    assert_eq!(a515.control, "A.5.15");
    let mut want: Vec<u64> = ["iam-at-start", "okta-spanning", "iam-at-end", "okta-mid"]
        .iter()
        .map(|n| f.index(n))
        .collect();
    want.sort();
    assert_eq!(a515.items, want);
    assert_eq!(a515.sample.as_ref().map(Vec::len), Some(2));
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, vec!["pack.tar".to_string()]);
}

#[tokio::test]
async fn a_changed_byte_of_a_blob_names_the_blob_and_its_entry() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let m = manifest_of(&path);
    let row = m
        .evidence
        .iter()
        .find(|r| r.index == f.index("github-mid"))
        .unwrap();
    let name = blob_member(&row.digest);
    tamper(&path, |members| member(members, &name).data[5] ^= 0x01);
    let report = check(&path);
    let item = Item::Blob {
        path: name,
        index: Some(row.index),
    };
    let found = about(&report, &item);
    assert!(found[0].issue.contains("does not match"), "{found:?}");
    assert_eq!(report.problems.len(), 1, "{report:#?}");
}

#[tokio::test]
async fn deleted_blobs_are_each_named() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let m = manifest_of(&path);
    let a = m
        .evidence
        .iter()
        .find(|r| r.index == f.index("iam-at-start"))
        .unwrap();
    let b = m
        .evidence
        .iter()
        .find(|r| r.index == f.index("okta-mid"))
        .unwrap();
    let names = [
        blob_member(&a.digest),
        blob_member(a.normalized.as_ref().unwrap()),
        blob_member(&b.digest),
    ];
    tamper(&path, |members| {
        members.retain(|m| !names.contains(&m.name()))
    });
    let report = check(&path);
    for (name, index) in [
        (&names[0], a.index),
        (&names[1], a.index),
        (&names[2], b.index),
    ] {
        let item = Item::Blob {
            path: name.clone(),
            index: Some(index),
        };
        assert!(about(&report, &item)[0].issue.contains("missing"));
    }
    assert_eq!(report.problems.len(), 3, "{report:#?}");
}

/// Edits the entries file's line of ledger index `index`.
fn edit_entry(members: &mut [RawMember], index: u64, mut change: impl FnMut(&mut PackedEntry)) {
    let m = member(members, "ledger/entries.jsonl");
    let text = String::from_utf8(m.data.clone()).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let mut e: PackedEntry = serde_json::from_str(line).unwrap();
        if e.index == index {
            change(&mut e);
        }
        out.push_str(&serde_json::to_string(&e).unwrap());
        out.push('\n');
    }
    m.data = out.into_bytes();
}

#[tokio::test]
async fn an_altered_entry_body_is_named_by_its_index() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let index = f.index("result-mid");
    tamper(&path, |members| {
        edit_entry(members, index, |e| {
            e.body = e.body.replace("\"fail\"", "\"pass\"")
        });
    });
    let report = check(&path);
    let found = about(&report, &Item::Entry(index));
    assert!(
        found
            .iter()
            .any(|p| p.issue.contains("do not match its entry hash")),
        "{found:?}"
    );
    // The manifest row (outcome fail) no longer agrees with the body either.
    assert!(
        found.iter().any(|p| p.issue.contains("outcome")),
        "{found:?}"
    );
    assert!(
        report.problems.iter().all(|p| p.item == Item::Entry(index)),
        "{report:#?}"
    );
}

#[tokio::test]
async fn an_altered_body_with_a_recomputed_hash_fails_its_proof() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let index = f.index("github-mid");
    tamper(&path, |members| {
        edit_entry(members, index, |e| {
            e.body = e.body.replace("exports/github-mid", "exports/github-moved");
            e.entry_hash = Hex(evident_store::entry_hash(
                e.index,
                &e.kind,
                e.body.as_bytes(),
                &e.prev_hash.0,
            ));
        });
    });
    let report = check(&path);
    let found = about(&report, &Item::Entry(index));
    assert!(
        found.iter().any(|p| p.issue.contains("inclusion proof")),
        "{found:?}"
    );
}

#[tokio::test]
async fn an_altered_proof_hash_is_named_by_its_entry() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let index = f.index("okta-spanning");
    tamper(&path, |members| {
        edit_entry(members, index, |e| e.proof[0].0[3] ^= 0x80)
    });
    let report = check(&path);
    let found = about(&report, &Item::Entry(index));
    assert!(found[0].issue.contains("inclusion proof"), "{found:?}");
    assert_eq!(report.problems.len(), 1, "{report:#?}");
}

/// Re-signs the manifest of `members` with `key`.
fn resign_manifest(members: &mut [RawMember], key: &SigningKey) {
    let digest: [u8; 32] = Sha256::digest(&member(members, "manifest.json").data).into();
    let message = manifest::manifest_signature_message(&digest);
    let sig = key.sign(message.as_bytes()).to_bytes();
    member(members, "manifest.sig").data =
        format!("{}\n", evident_pack::hex::encode(&sig)).into_bytes();
}

#[tokio::test]
async fn an_altered_checkpoint_signature_is_found() {
    let (f, _) = built().await;
    let path = f.pack_path();
    tamper(&path, |members| {
        edit_manifest(members, |m| m.checkpoint.signature.0[10] ^= 0x01)
    });
    let report = check(&path);
    assert!(
        about(&report, &Item::Checkpoint)[0]
            .issue
            .contains("signature")
    );
    // The manifest changed, so its own signature fails as well.
    assert!(
        about(&report, &Item::Manifest)[0]
            .issue
            .contains("signature")
    );
}

#[tokio::test]
async fn a_replaced_public_key_is_found() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let other = SigningKey::from_bytes(&[9; 32]).verifying_key().to_bytes();
    tamper(&path, |members| {
        member(members, "public-key.txt").data =
            format!("{}\n", evident_pack::hex::encode(&other)).into_bytes();
    });
    let report = check(&path);
    assert!(
        about(&report, &Item::PublicKey)[0]
            .issue
            .contains("public-key.txt")
    );

    // Replacing it in the manifest and checkpoint too: the signatures fail.
    tamper(&path, |members| {
        edit_manifest(members, |m| {
            m.public_key = Hex(other);
            m.checkpoint.public_key = Hex(other);
        })
    });
    let report = check(&path);
    about(&report, &Item::Checkpoint);
    about(&report, &Item::Manifest);
}

#[tokio::test]
async fn a_pack_re_signed_with_another_key_holds_together_but_is_untrusted() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let key = SigningKey::from_bytes(&[9; 32]);
    let public = key.verifying_key().to_bytes();
    tamper(&path, |members| {
        edit_manifest(members, |m: &mut Manifest| {
            let cp = &mut m.checkpoint;
            let message = evident_store::checkpoint_message(cp.size, &cp.root.0, &cp.signed_at);
            cp.signature = Hex(key.sign(message.as_bytes()).to_bytes());
            cp.public_key = Hex(public);
            m.public_key = Hex(public);
        });
        resign_manifest(members, &key);
        member(members, "public-key.txt").data =
            format!("{}\n", evident_pack::hex::encode(&public)).into_bytes();
    });
    // Without trusted keys it holds together, and the report carries the
    // key for the auditor to compare with the published one.
    let report = check(&path);
    assert!(report.is_intact(), "{report:#?}");
    assert_eq!(report.public_key, Some(public));
    // With the store's key trusted, the other key is refused.
    let report = evident_pack::verify(&path, &[f.store.public_key()]).unwrap();
    assert_eq!(report.key_trusted, Some(false));
    assert!(
        about(&report, &Item::PublicKey)[0]
            .issue
            .contains("not one of the trusted keys")
    );
}

#[tokio::test]
async fn a_dropped_manifest_row_is_named() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let index = f.index("iam-at-end");
    tamper(&path, |members| {
        edit_manifest(members, |m| m.evidence.retain(|r| r.index != index));
    });
    let report = check(&path);
    assert!(
        about(&report, &Item::Entry(index))[0]
            .issue
            .contains("not listed in the manifest")
    );
    // Its blob is now unlisted, and the population still names it.
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(&p.item, Item::Blob { index: None, .. }))
    );
    let found = about(&report, &Item::Population("A.5.15".into()));
    assert!(
        found
            .iter()
            .any(|p| p.issue.contains(&format!("item {index} is not"))),
        "{found:?}"
    );
}

#[tokio::test]
async fn an_altered_manifest_row_is_named_with_its_field() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let index = f.index("okta-mid");
    tamper(&path, |members| {
        edit_manifest(members, |m| {
            let row = m.evidence.iter_mut().find(|r| r.index == index).unwrap();
            row.collected_at = at("2026-03-02T00:00:00Z");
        });
        // Even re-signed by the store key, a row must agree with its entry.
    });
    let report = check(&path);
    let found = about(&report, &Item::Entry(index));
    assert!(found[0].issue.contains("collected_at"), "{found:?}");
}

#[tokio::test]
async fn added_unlisted_files_are_named() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let extra = b"{\"smuggled\":true}";
    let digest: [u8; 32] = Sha256::digest(extra).into();
    let blob = evident_pack::layout::blob_path(&digest);
    tamper(&path, |members| {
        members.push(RawMember::file(&blob, extra));
        members.push(RawMember::file("documents/reports/extra.json", b"{}"));
    });
    let report = check(&path);
    about(
        &report,
        &Item::Blob {
            path: blob,
            index: None,
        },
    );
    assert!(
        about(&report, &Item::Document("reports/extra.json".into()))[0]
            .issue
            .contains("not listed")
    );
    assert_eq!(report.problems.len(), 2, "{report:#?}");
}

#[tokio::test]
async fn a_dropped_entry_is_named() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let index = f.index("okta-spanning");
    tamper(&path, |members| {
        let m = member(members, "ledger/entries.jsonl");
        let text = String::from_utf8(m.data.clone()).unwrap();
        let kept: String = text
            .lines()
            .filter(|l| serde_json::from_str::<PackedEntry>(l).unwrap().index != index)
            .map(|l| format!("{l}\n"))
            .collect();
        m.data = kept.into_bytes();
    });
    let report = check(&path);
    assert!(
        about(&report, &Item::Entry(index))[0]
            .issue
            .contains("its entry is not in the pack")
    );
}

#[tokio::test]
async fn an_altered_document_is_named() {
    let (f, _) = built().await;
    let path = f.pack_path();
    tamper(&path, |members| {
        member(members, "documents/reports/soa.json").data[3] ^= 0x20;
    });
    let report = check(&path);
    assert!(
        about(&report, &Item::Document("reports/soa.json".into()))[0]
            .issue
            .contains("not the one listed")
    );
    assert_eq!(report.problems.len(), 1, "{report:#?}");
}

#[tokio::test]
async fn an_altered_population_or_sample_is_named() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let original = std::fs::read(&path).unwrap();
    let dropped = f.index("okta-mid");
    tamper(&path, |members| {
        edit_manifest(members, |m| {
            m.populations[0].items.retain(|&i| i != dropped);
        })
    });
    let report = check(&path);
    let found = about(&report, &Item::Population("A.5.15".into()));
    assert!(
        found[0]
            .issue
            .contains(&format!("item {dropped} of source `okta` is missing")),
        "{found:?}"
    );

    std::fs::write(&path, &original).unwrap();
    tamper(&path, |members| {
        edit_manifest(members, |m| {
            let p = &mut m.populations[0];
            let outside = p
                .items
                .iter()
                .copied()
                .find(|i| !p.sample.as_ref().unwrap().contains(i))
                .unwrap();
            p.sample.as_mut().unwrap()[0] = outside;
        })
    });
    let report = check(&path);
    assert!(
        about(&report, &Item::Sample("A.5.15".into()))[0]
            .issue
            .contains("does not re-draw")
    );

    std::fs::write(&path, &original).unwrap();
    tamper(&path, |members| {
        edit_manifest(members, |m| m.sampling.as_mut().unwrap().seed = 8)
    });
    let report = check(&path);
    about(&report, &Item::Sample("A.5.15".into()));
    // A.8.32 has one item: every seed draws it, so its sample still holds.
    assert!(
        !report
            .problems
            .iter()
            .any(|p| p.item == Item::Sample("A.8.32".into()))
    );
}

#[tokio::test]
async fn a_blob_larger_than_a_hashing_batch_is_checked_too() {
    let f = fixture().await;
    // A CloudTrail-like log of 3 MiB: hashed by the reader, not the pool.
    let mut log = String::from("{\"Records\":[");
    let mut i = 0;
    while log.len() < 3 << 20 {
        if i > 0 {
            log.push(',');
        }
        log.push_str(&format!(
            "{{\"eventID\":\"{i:08}\",\"eventName\":\"ConsoleLogin\"}}"
        ));
        i += 1;
    }
    log.push_str("]}");
    let meta = evident_store::NewEvidence {
        media_type: "application/json".into(),
        format: Some("aws-cloudtrail".into()),
        provenance: evident_model::evidence::Provenance {
            source: "iam".into(),
            collector: "file".into(),
            collector_version: "0.1.0".into(),
            parameters: serde_json::json!({}),
            origin: "exports/cloudtrail.json".into(),
            tool_version: None,
            collected_by: "auditor@host".into(),
        },
        observed: evident_model::evidence::ObservedPeriod {
            from: at("2026-02-01T00:00:00Z"),
            to: at("2026-02-28T23:59:59Z"),
        },
        collected_at: at("2026-03-01T00:00:00Z"),
    };
    let added = f
        .store
        .add_evidence(
            evident_store::BlobSource::Bytes(log.into_bytes()),
            None,
            meta,
        )
        .await
        .unwrap();
    let path = f.pack_path();
    evident_pack::build(&f.store, &options(None), &path)
        .await
        .unwrap();
    assert!(check(&path).is_intact());
    let name = blob_member(&added.item.digest);
    tamper(&path, |members| {
        let data = &mut member(members, &name).data;
        let last = data.len() - 2;
        data[last] ^= 0x01;
    });
    let report = check(&path);
    about(
        &report,
        &Item::Blob {
            path: name,
            index: Some(added.index),
        },
    );
    assert_eq!(report.problems.len(), 1, "{report:#?}");
}
