//! Reading definition files safely: a size limit, UTF-8 with the position of
//! the first bad byte, and deterministic directory listings.

use std::path::Path;
use std::sync::Arc;

use evident_model::{Diagnostic, Location};

/// The largest definition file evident reads. Large organisations split
/// their register across files; a file beyond this is a mistake (an export
/// dropped into the repository), not a definition.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A definition file's text, with its repository-relative name.
pub(crate) struct TextFile {
    pub name: Arc<str>,
    pub text: String,
}

/// Reads `root/relative`. `Ok(None)` when it does not exist.
pub(crate) fn read(root: &Path, relative: &str) -> Result<Option<TextFile>, Diagnostic> {
    let name: Arc<str> = relative.into();
    let path = root.join(relative);
    let io_error = |e: std::io::Error| {
        Diagnostic::new(
            "io-error",
            Location::file_start(name.clone()),
            format!("cannot read: {e}"),
        )
    };
    let metadata = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(e)),
    };
    if !metadata.is_file() {
        return Err(Diagnostic::new(
            "io-error",
            Location::file_start(name),
            "expected a regular file, found a directory or special file",
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::new(
            "file-too-large",
            Location::file_start(name),
            format!(
                "the file is {} bytes; definition files may be at most {} bytes",
                metadata.len(),
                MAX_FILE_BYTES
            ),
        )
        .with_hint("split large registers into several files (one per team or area)"));
    }
    let bytes = std::fs::read(&path).map_err(io_error)?;
    let text = evident_model::diagnostic::utf8_text(&name, bytes)?;
    Ok(Some(TextFile { name, text }))
}

/// The files of `root/dir` with one of `extensions`, as repository-relative
/// names in byte order. Hidden files are skipped; a missing folder is empty.
pub(crate) fn list(root: &Path, dir: &str, extensions: &[&str]) -> Result<Vec<String>, Diagnostic> {
    let path = root.join(dir);
    let entries = match std::fs::read_dir(&path) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Diagnostic::new(
                "io-error",
                Location::file_start(dir.into()),
                format!("cannot list the folder: {e}"),
            ));
        }
    };
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let wanted = extensions
            .iter()
            .any(|ext| file_name.len() > ext.len() + 1 && file_name.ends_with(&format!(".{ext}")));
        if !file_name.starts_with('.') && wanted {
            names.push(format!("{dir}/{file_name}"));
        }
    }
    names.sort();
    Ok(names)
}
