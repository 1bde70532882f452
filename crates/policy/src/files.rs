//! Reading the files a check is made of: a size limit, and sorted folder
//! listings so that diagnostics and fixture order never depend on the file
//! system. (Text and YAML go through the project's one UTF-8 check,
//! `evident_model::diagnostic::utf8_text`, and its one YAML reader,
//! `evident_catalog::yaml`.)

use std::path::Path;
use std::sync::Arc;

use evident_model::{Diagnostic, Location};

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

/// A count as a coordinate, saturating.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
