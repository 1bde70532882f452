//! Files that appear under their final name complete or not at all: written
//! beside it under a temporary name, made durable, renamed into place, and
//! the rename made durable. Dropped before [`Temp::persist`], the
//! temporary file is deleted.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::PackError;

/// Distinguishes the temporary files of one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file beside a final path, deleted unless persisted.
#[derive(Debug)]
pub struct Temp {
    path: PathBuf,
    file: Option<File>,
}

impl Temp {
    /// A new, empty temporary file in `final_path`'s folder, named after it
    /// with `purpose` (`.soa-pack.tar.entries.1234.0.tmp`).
    pub fn beside(final_path: &Path, purpose: &str) -> Result<Self, PackError> {
        let dir = parent(final_path);
        let name = final_path
            .file_name()
            .map_or_else(|| "pack".into(), |n| n.to_string_lossy().into_owned());
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".{name}.{purpose}.{}.{n}.tmp", std::process::id()));
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(PackError::io(path, e)),
            }
        }
    }

    /// The temporary file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file.
    pub fn file(&self) -> Result<&File, PackError> {
        self.file
            .as_ref()
            .ok_or_else(|| PackError::Task("the temporary file was already closed".into()))
    }

    /// Makes the file durable, renames it to `final_path` (replacing what
    /// was there) and makes the rename durable.
    pub fn persist(mut self, final_path: &Path) -> Result<(), PackError> {
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(|e| PackError::io(&self.path, e))?;
        }
        fs::rename(&self.path, final_path).map_err(|e| PackError::io(final_path, e))?;
        // Renamed: nothing left to delete on drop.
        self.path = PathBuf::new();
        let dir = parent(final_path);
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| PackError::io(dir, e))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The folder holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
