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

/// The refusal of the pack at `path`, panicking with the report when it
/// is not refused.
fn refusal_of(path: &std::path::Path) -> evident_pack::Refusal {
    let report = check(path);
    report
        .refused
        .clone()
        .unwrap_or_else(|| panic!("not refused: {report:#?}"))
}

/// `bytes` gzip-compressed as one gzip member.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A tar archive holding a rewritten document of the fixtures' packs.
fn second_archive() -> Vec<u8> {
    archive_bytes(&[RawMember::file(
        "documents/reports/soa.json",
        br#"{"schema_version":1,"rows":[]}"#,
    )])
}

#[tokio::test]
async fn an_archive_appended_after_the_end_is_refused() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(&second_archive());
    std::fs::write(&path, &bytes).unwrap();
    let refusal = refusal_of(&path);
    assert!(
        matches!(refusal.reason, RefusalReason::TrailingData(_)),
        "{refusal}"
    );
}

#[tokio::test]
async fn zero_padding_after_the_end_is_accepted_but_a_missing_end_is_not() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let genuine = std::fs::read(&path).unwrap();
    // GNU tar pads to 10 KiB records with zeros.
    let mut padded = genuine.clone();
    padded.resize(padded.len().next_multiple_of(10240) + 10240, 0);
    std::fs::write(&path, &padded).unwrap();
    let report = check(&path);
    assert!(report.is_intact(), "{report:#?}");
    // Without its two end-of-archive blocks the archive is cut short.
    std::fs::write(&path, &genuine[..genuine.len() - 1024]).unwrap();
    let refusal = refusal_of(&path);
    assert!(
        matches!(refusal.reason, RefusalReason::Truncated(_)),
        "{refusal}"
    );
}

#[tokio::test]
async fn a_second_gzip_member_is_read_and_refused() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let gz = path.with_extension("tar.gz");
    let mut bytes = gzip(&std::fs::read(&path).unwrap());
    // Alone, the first member is a genuine compressed pack.
    std::fs::write(&gz, &bytes).unwrap();
    let report = check(&gz);
    assert!(report.is_intact(), "{report:#?}");
    // GNU tar and Python read the second member's tar too.
    bytes.extend_from_slice(&gzip(&second_archive()));
    std::fs::write(&gz, &bytes).unwrap();
    let refusal = refusal_of(&gz);
    assert!(
        matches!(refusal.reason, RefusalReason::TrailingData(_)),
        "{refusal}"
    );
}

#[tokio::test]
async fn junk_after_the_gzip_stream_is_refused() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let gz = path.with_extension("tar.gz");
    let mut bytes = gzip(&std::fs::read(&path).unwrap());
    bytes.extend_from_slice(b"HIDDEN: not part of the pack");
    std::fs::write(&gz, &bytes).unwrap();
    let refusal = refusal_of(&gz);
    assert!(
        matches!(refusal.reason, RefusalReason::TrailingData(_)),
        "{refusal}"
    );
}

/// Edits the first member's header (`manifest.json`) of the pack at
/// `path` in place and recomputes its checksum.
fn edit_first_header(path: &std::path::Path, change: impl FnOnce(&mut [u8])) {
    let mut bytes = std::fs::read(path).unwrap();
    let header = &mut bytes[..512];
    change(header);
    header[148..156].fill(b' ');
    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    std::fs::write(path, &bytes).unwrap();
}

/// The refusal of a built pack after `change` to its first header.
async fn header_refusal(change: impl FnOnce(&mut [u8])) -> (RefusalReason, Option<String>) {
    let (f, _) = built().await;
    let path = f.pack_path();
    // The untouched pack verifies: its headers are the plain ones.
    let report = check(&path);
    assert!(report.is_intact(), "{report:#?}");
    edit_first_header(&path, change);
    let refusal = refusal_of(&path);
    (refusal.reason, refusal.member)
}

#[tokio::test]
async fn a_header_that_is_not_ustar_00_is_refused() {
    // tar-rs ignores the prefix unless the version is `00`; GNU tar reads
    // this member as documents/manifest.json.
    let (reason, member) = header_refusal(|h| {
        h[345..354].copy_from_slice(b"documents");
        h[263..265].copy_from_slice(b"xx");
    })
    .await;
    assert!(
        matches!(reason, RefusalReason::NotPlainHeader(_)),
        "{reason}"
    );
    assert_eq!(member.as_deref(), Some("manifest.json"));
}

#[tokio::test]
async fn a_size_field_with_a_sign_is_refused() {
    let (reason, _) = header_refusal(|h| {
        let field = std::str::from_utf8(&h[124..135]).unwrap();
        let size = u64::from_str_radix(field, 8).unwrap();
        h[124..136].copy_from_slice(format!("+{size:010o}\0").as_bytes());
    })
    .await;
    assert!(
        matches!(reason, RefusalReason::NotPlainHeader(_)),
        "{reason}"
    );
}

#[tokio::test]
async fn a_setuid_mode_or_another_owner_is_refused() {
    let (reason, _) = header_refusal(|h| h[100..108].copy_from_slice(b"0006777\0")).await;
    assert_eq!(
        reason,
        RefusalReason::NotPlainHeader("its mode is not 0444")
    );
    let (reason, _) = header_refusal(|h| h[108..116].copy_from_slice(b"0010222\0")).await;
    assert!(
        matches!(reason, RefusalReason::NotPlainHeader(_)),
        "{reason}"
    );
}
