//! Hostile and malformed archives are refused with a clear reason before
//! anything of them is used, and nothing is ever extracted.

mod common;

use std::io::Write;

use common::*;
use evident_pack::{RefusalReason, verify};
use flate2::Compression;
use flate2::write::GzEncoder;
use tar::EntryType;

/// The pack's members with `change` applied, written back, verified; the
/// refusal's reason and member.
async fn refusal_after(
    change: impl FnOnce(&mut Vec<RawMember>),
) -> (RefusalReason, Option<String>) {
    let (f, _) = built().await;
    let path = f.pack_path();
    let mut members = read_members(&path);
    change(&mut members);
    write_members(&path, &members);
    let report = check(&path);
    let refusal = report
        .refused
        .clone()
        .unwrap_or_else(|| panic!("not refused: {report:#?}"));
    // The message is a sentence naming the member.
    let text = refusal.to_string();
    assert!(text.starts_with("refused to read the pack"), "{text}");
    assert!(text.contains("nothing was extracted"), "{text}");
    assert!(!std::fs::exists(f.dir.path().join("evil")).unwrap());
    (refusal.reason, refusal.member)
}

#[tokio::test]
async fn a_path_with_dot_dot_is_refused() {
    let (reason, member) = refusal_after(|m| m.push(RawMember::file("../evil", b"x"))).await;
    assert_eq!(reason, RefusalReason::PathTraversal);
    assert_eq!(member.as_deref(), Some("../evil"));
    let (reason, _) =
        refusal_after(|m| m.push(RawMember::file("documents/../../evil", b"x"))).await;
    assert_eq!(reason, RefusalReason::PathTraversal);
}

#[tokio::test]
async fn an_absolute_path_is_refused() {
    let (reason, member) =
        refusal_after(|m| m.push(RawMember::file("/etc/passwd", b"root:x:0:0"))).await;
    assert_eq!(reason, RefusalReason::AbsolutePath);
    assert_eq!(member.as_deref(), Some("/etc/passwd"));
}

#[tokio::test]
async fn links_devices_and_fifos_are_refused() {
    for (kind, name) in [
        (EntryType::Symlink, "symbolic link"),
        (EntryType::Link, "hard link"),
        (EntryType::Char, "character device"),
        (EntryType::Fifo, "FIFO"),
        (EntryType::Directory, "folder"),
        (EntryType::XHeader, "PAX extension header"),
    ] {
        let (reason, member) = refusal_after(|m| {
            m.push(RawMember {
                path: b"documents/reports/passwd".to_vec(),
                kind,
                data: Vec::new(),
                declared: 0,
                link: Some(b"/etc/passwd".to_vec()),
            })
        })
        .await;
        assert_eq!(reason, RefusalReason::NotRegularFile(name), "{kind:?}");
        assert_eq!(member.as_deref(), Some("documents/reports/passwd"));
    }
}

#[tokio::test]
async fn a_duplicate_path_is_refused() {
    let (reason, member) = refusal_after(|m| {
        let copy = m
            .iter()
            .find(|x| x.name().starts_with("blobs/"))
            .unwrap()
            .clone();
        m.push(copy);
    })
    .await;
    assert_eq!(reason, RefusalReason::DuplicatePath);
    assert!(member.unwrap().starts_with("blobs/"));
}

#[tokio::test]
async fn members_outside_the_layout_or_out_of_order_are_refused() {
    let (reason, member) = refusal_after(|m| m.push(RawMember::file("notes.txt", b"hi"))).await;
    assert!(
        matches!(reason, RefusalReason::OutsideLayout(_)),
        "{reason:?}"
    );
    assert_eq!(member.as_deref(), Some("notes.txt"));
    let (reason, _) = refusal_after(|m| m.swap(0, 1)).await;
    assert_eq!(
        reason,
        RefusalReason::OutsideLayout("manifest.json must be the first member")
    );
}

#[tokio::test]
async fn a_declared_huge_member_is_refused_before_it_is_read() {
    let (reason, _) = refusal_after(|m| {
        let blob = m
            .iter_mut()
            .find(|x| x.name().starts_with("blobs/"))
            .unwrap();
        blob.declared = 1 << 40;
    })
    .await;
    assert_eq!(
        reason,
        RefusalReason::TooLarge {
            declared: 1 << 40,
            limit: evident_pack::MAX_BLOB
        }
    );
}

#[tokio::test]
async fn a_truncated_archive_is_refused() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let bytes = std::fs::read(&path).unwrap();
    // Cut inside the last blob's data.
    let members = read_members(&path);
    let last = members.last().unwrap().data.len();
    std::fs::write(
        &path,
        &bytes[..bytes.len() - 1024 - last.next_multiple_of(512) / 2 - 1],
    )
    .unwrap();
    let refusal = check(&path).refused.expect("refused");
    assert!(
        matches!(
            refusal.reason,
            RefusalReason::BeyondEnd { .. } | RefusalReason::Truncated(_)
        ),
        "{refusal}"
    );
    // Cut inside a header.
    std::fs::write(&path, &bytes[..512 * 3 + 100]).unwrap();
    let refusal = check(&path).refused.expect("refused");
    assert!(
        matches!(
            refusal.reason,
            RefusalReason::BeyondEnd { .. } | RefusalReason::Truncated(_)
        ),
        "{refusal}"
    );
}

#[test]
fn input_that_is_not_a_tar_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("text", b"just some text, not an archive\n".repeat(40)),
        ("empty", Vec::new()),
        ("zeros", vec![0; 4096]),
        ("short", b"manifest.json".to_vec()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let report = verify(&path, &[]).expect("readable");
        let refusal = report
            .refused
            .clone()
            .unwrap_or_else(|| panic!("{name} not refused"));
        assert!(
            matches!(refusal.reason, RefusalReason::NotTar(_)),
            "{name}: {refusal}"
        );
        assert!(!report.is_intact());
    }
    assert!(verify(&dir.path().join("absent"), &[]).is_err());
}

#[tokio::test]
async fn a_gzip_compressed_pack_is_accepted() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let gz = path.with_extension("tar.gz");
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(&std::fs::read(&path).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let report = check(&gz);
    assert!(report.is_intact(), "{report:#?}");
    assert_eq!(report.entries, 7);
}

#[test]
fn a_gzip_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.tar.gz");
    // A manifest member declaring 200 MiB of zeros: inflates ~1000:1.
    let size: u64 = 200 << 20;
    let head = RawMember {
        path: b"manifest.json".to_vec(),
        kind: EntryType::Regular,
        data: Vec::new(),
        declared: size,
        link: None,
    };
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(header(&head).as_bytes()).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(size >> 20) {
        enc.write_all(&zeros).unwrap();
    }
    let compressed = enc.finish().unwrap();
    std::fs::write(&path, compressed).unwrap();
    let report = verify(&path, &[]).expect("readable");
    let refusal = report
        .refused
        .clone()
        .unwrap_or_else(|| panic!("{report:#?}"));
    assert!(
        matches!(refusal.reason, RefusalReason::DecompressionBomb(_)),
        "{refusal}"
    );
}
