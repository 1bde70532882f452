//! Test support shared by the modules' tests (`check`, `check_error`), and
//! the crate-wide properties: no input panics, every sample is recognised,
//! every format is documented.
//!
//! Expected documents live in `testdata/expected/<format>.<case>.json`; they
//! are the contract, reviewed by hand. `EVIDENT_BLESS=1 cargo test -p
//! evident-normalize` rewrites them from the current output (then review
//! the diff).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

use crate::normalize;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// The bytes of `testdata/samples/<path>`.
pub(crate) fn sample(path: &str) -> Vec<u8> {
    let file = testdata().join("samples").join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Normalises the sample at `testdata/samples/<path>` and compares the
/// document with `testdata/expected/<expected>.json`, whose name starts with
/// the format id the sample must be recognised as.
pub(crate) fn check(path: &str, expected: &str) {
    let format = expected.split('.').next().unwrap_or_default();
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path);
    let got = match normalize(name, "", &sample(path)) {
        None => panic!("{path}: not recognised (expected {format})"),
        Some(Err(e)) => panic!("{path}: {e}"),
        Some(Ok(n)) => n,
    };
    assert_eq!(got.format, format, "{path}: recognised as {}", got.format);
    assert_eq!(
        got.document["format"],
        Value::from(format),
        "{path}: the document's format"
    );
    let file = testdata().join("expected").join(format!("{expected}.json"));
    if std::env::var_os("EVIDENT_BLESS").is_some() {
        let mut text = serde_json::to_string_pretty(&got.document).unwrap_or_default();
        text.push('\n');
        std::fs::write(&file, text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        return;
    }
    let want: Value = match std::fs::read(&file) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        }
        Err(e) => panic!(
            "{}: {e} (run with EVIDENT_BLESS=1 to write it, then review it)",
            file.display()
        ),
    };
    if got.document != want {
        let got_text = serde_json::to_string_pretty(&got.document).unwrap_or_default();
        let want_text = serde_json::to_string_pretty(&want).unwrap_or_default();
        let line = got_text
            .lines()
            .zip(want_text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{path}: the document differs from {} from line {}:\n got: {}\nwant: {}",
            file.display(),
            line + 1,
            got_text.lines().nth(line).unwrap_or("<end>"),
            want_text.lines().nth(line).unwrap_or("<end>")
        );
    }
}

/// Normalises `input` and requires an error of `format` with exactly
/// `message`.
pub(crate) fn check_error(input: &[u8], format: &str, message: &str) {
    match normalize("input", "", input) {
        None => panic!("not recognised (expected an error of {format})"),
        Some(Ok(n)) => panic!(
            "normalised as {} (expected an error): {}",
            n.format, n.document
        ),
        Some(Err(e)) => {
            assert_eq!(e.format, format);
            assert_eq!(e.message, message);
        }
    }
}

/// Every sample file, as (path relative to `testdata/samples`, bytes).
fn all_samples() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.file_name().is_some_and(|n| n != "SOURCE.md") {
                let rel = path
                    .strip_prefix(root)
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.push((rel, std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    let root = testdata().join("samples");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out
}

#[test]
fn every_sample_is_recognised_and_every_format_has_one() {
    let mut seen = std::collections::BTreeSet::new();
    for (path, bytes) in all_samples() {
        match normalize(&path, "", &bytes) {
            Some(Ok(n)) => {
                seen.insert(n.format);
            }
            Some(Err(e)) => panic!("{path}: {e}"),
            None => panic!("{path}: not recognised"),
        }
    }
    for format in crate::formats() {
        assert!(seen.contains(format.id), "no sample of {}", format.id);
    }
}

#[test]
fn every_format_is_documented() {
    let formats_md =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("FORMATS.md"))
            .unwrap_or_default();
    let lib = include_str!("lib.rs");
    for format in crate::formats() {
        let id = format!("`{}`", format.id);
        assert!(
            formats_md.contains(&format!("| {id} |")),
            "FORMATS.md has no table row for {id}"
        );
        assert!(
            formats_md.contains(&format!("## {id}")),
            "FORMATS.md has no section for {id}"
        );
        assert!(
            lib.contains(&format!("//! | {id} |")),
            "the crate docs have no row for {id}"
        );
    }
}

#[test]
fn the_name_is_only_a_hint() {
    for (path, bytes) in all_samples() {
        let with_name = normalize(&path, "", &bytes)
            .and_then(Result::ok)
            .map(|n| n.format);
        let without = normalize("", "application/octet-stream", &bytes)
            .and_then(Result::ok)
            .map(|n| n.format);
        assert_eq!(with_name, without, "{path}");
    }
}

#[test]
fn truncated_samples_are_errors_of_their_format() {
    for (path, bytes) in all_samples() {
        let Some(Ok(whole)) = normalize(&path, "", &bytes) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let first = text.find(['{', '[']).unwrap_or(0);
        if !matches!(text.as_bytes().get(first), Some(b'{' | b'['))
            || first != text.len() - text.trim_start().len()
        {
            continue; // CSV and YAML samples stay valid when cut at a line
        }
        let cut = &bytes[..bytes.len() * 2 / 3];
        match normalize(&path, "", cut) {
            Some(Err(e)) => {
                assert_eq!(e.format, whole.format, "{path}");
                assert!(
                    e.message.starts_with("invalid JSON at line "),
                    "{path}: {}",
                    e.message
                );
            }
            other => panic!("{path}: cut at 2/3 gave {other:?}"),
        }
    }
}

/// A sample with one byte replaced, one inserted, or a part removed.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let samples = all_samples()
        .into_iter()
        .map(|(_, b)| b)
        .collect::<Vec<_>>();
    (
        0..samples.len(),
        any::<usize>(),
        any::<usize>(),
        any::<u8>(),
        0..4u8,
    )
        .prop_map(move |(s, at, len, byte, how)| {
            let mut bytes = samples[s].clone();
            if bytes.is_empty() {
                return bytes;
            }
            let at = at % bytes.len();
            match how {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                2 => {
                    let end = (at + len % 64).min(bytes.len());
                    bytes.drain(at..end);
                }
                _ => {
                    // Swap a structural character for another one.
                    let swaps = [b'{', b'}', b'[', b']', b'"', b',', b':', b'\n', b'-', b' '];
                    bytes[at] = swaps[usize::from(byte) % swaps.len()];
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), name in "[a-z./-]{0,20}") {
        let _ = normalize(&name, "", &bytes);
    }

    #[test]
    fn arbitrary_json_shapes_never_panic(text in r#"[\[\]{}",:0-9a-zA-Z ]{0,200}"#) {
        for prefix in ["", "{\"Records\":", "{\"SchemaVersion\":2,\"Results\":", "{\"version\":\"2.1.0\",\"runs\":", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":"] {
            let _ = normalize("x", "", format!("{prefix}{text}").as_bytes());
        }
    }

    #[test]
    fn mutated_samples_never_panic(bytes in mutated()) {
        let _ = normalize("sample", "", &bytes);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep =
        |prefix: &str, open: &str, n: usize| format!("{prefix}{}", open.repeat(n)).into_bytes();
    for input in [
        deep("{\"Records\":", "[", 100_000),
        deep(
            "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":",
            "[{\"components\":",
            50_000,
        ),
        deep(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: ",
            "[",
            100_000,
        ),
        (1..3_000).fold(
            b"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
                .to_vec(),
            |mut yaml, level| {
                yaml.extend(" ".repeat(level).bytes());
                yaml.extend(b"a:\n");
                yaml
            },
        ),
    ] {
        match normalize("deep", "", &input) {
            Some(Err(_)) | None => {}
            Some(Ok(n)) => panic!(
                "normalised {} bytes of nesting as {}",
                input.len(),
                n.format
            ),
        }
    }
}

#[test]
fn many_records_normalise() {
    // Linear work: 20 000 CloudTrail records.
    let record = r#"{"eventVersion":"1.09","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"eventTime":"2024-05-30T08:12:44Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"}}"#;
    let text = format!("{{\"Records\":[{}]}}", vec![record; 20_000].join(","));
    let n = normalize("log.json", "", text.as_bytes())
        .and_then(Result::ok)
        .expect("normalised");
    assert_eq!(n.document["records"].as_array().map(Vec::len), Some(20_000));
}
