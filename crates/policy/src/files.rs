//! Reading the files a check is made of: a size limit, UTF-8 with the
//! position of the first bad byte, YAML with positions, and sorted folder
//! listings so that diagnostics and fixture order never depend on the file
//! system.

use std::path::Path;
use std::sync::Arc;

use evident_model::{Diagnostic, Location};
use serde::de::DeserializeOwned;

/// The largest `.rego` file read. A check is a page or two of Rego; a
/// megabyte is a generated file or a mistake, not a check.
pub(crate) const MAX_CHECK_BYTES: u64 = 1024 * 1024;

/// The largest fixture read. Fixtures are meant to be small (about 20 KB);
/// this only keeps a stray export from being read into memory.
pub(crate) const MAX_FIXTURE_BYTES: u64 = 16 * 1024 * 1024;

/// The entries of a folder, sorted by name: `(name, is_dir)`. Hidden
/// entries (editors' lock and swap files) and names that are not UTF-8
/// (which cannot be check ids or fixture names) are skipped.
pub(crate) fn list(dir: &Path, label: &Arc<str>) -> Result<Vec<(String, bool)>, Diagnostic> {
    let io = |e: std::io::Error| {
        Diagnostic::new(
            "io-error",
            Location::file_start(label.clone()),
            format!("cannot list the folder: {e}"),
        )
    };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        // `metadata` follows symbolic links, so a linked check reads like a
        // plain one.
        let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        entries.push((name, is_dir));
    }
    entries.sort();
    Ok(entries)
}

/// The bytes of a regular file of at most `limit` bytes.
pub(crate) fn read(path: &Path, label: &Arc<str>, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    let at = || Location::file_start(label.clone());
    let metadata = std::fs::metadata(path)
        .map_err(|e| Diagnostic::new("io-error", at(), format!("cannot read: {e}")))?;
    if !metadata.is_file() {
        return Err(Diagnostic::new(
            "io-error",
            at(),
            "expected a regular file, found a folder or special file",
        ));
    }
    if metadata.len() > limit {
        return Err(Diagnostic::new(
            "file-too-large",
            at(),
            format!(
                "the file is {} bytes; at most {limit} are read here",
                metadata.len()
            ),
        ));
    }
    std::fs::read(path).map_err(|e| Diagnostic::new("io-error", at(), format!("cannot read: {e}")))
}

/// UTF-8 text, or a diagnostic at the first invalid byte.
pub(crate) fn utf8(bytes: &[u8], label: &Arc<str>) -> Result<String, Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = e.valid_up_to();
            let before = &bytes[..valid];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            // Everything before `valid` is UTF-8, so this counts characters.
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            Err(Diagnostic::new(
                "not-utf8",
                Location::new(label.clone(), to_u32(line), to_u32(column)),
                format!(
                    "expected UTF-8 text, found the byte 0x{:02x}",
                    bytes.get(valid).copied().unwrap_or(0)
                ),
            ))
        }
    }
}

/// A YAML problem at a 1-based line and column of the YAML text.
pub(crate) struct YamlError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Parses one YAML document. serde-saphyr keeps its nesting and size budgets
/// on, so a hostile document cannot exhaust the stack.
pub(crate) fn yaml<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((1, 1), |l| (clamp(l.line()), clamp(l.column())));
        YamlError {
            line,
            column,
            message: strip_position(&e.without_snippet().to_string()).to_string(),
        }
    })
}

/// Drops serde-saphyr's final " at line L, column C": the position is
/// carried separately, translated to the file the user edits.
fn strip_position(text: &str) -> &str {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.rsplit_once(" at line ") {
        Some((head, tail))
            if tail
                .split_once(", column ")
                .is_some_and(|(line, column)| digits(line) && digits(column)) =>
        {
            head
        }
        _ => text,
    }
}

/// A 1-based coordinate, never 0.
pub(crate) fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX).max(1)
}

/// A count as a coordinate, saturating.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_byte_is_placed_at_its_character() {
        let label: Arc<str> = "checks/x.rego".into();
        let d = utf8(b"package x\n\xc3\xa9t\xff\n", &label).unwrap_err();
        assert_eq!(
            (d.code, d.location.line, d.location.column),
            ("not-utf8", 2, 3)
        );
        assert!(d.message.contains("0xff"), "{}", d.message);
    }

    #[test]
    fn yaml_errors_carry_their_position_apart_from_the_message() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Doc {
            a: u32,
        }
        let e = yaml::<Doc>("a: 1\nb: 2\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("unknown field `b`"), "{}", e.message);
        assert!(!e.message.contains("at line"), "{}", e.message);
    }
}
