//! Why a pack could not be built or read at all. Problems found in a pack
//! that could be read (tampering, hostile content) are not errors: they are
//! the [`PackReport`](crate::PackReport).

use std::io;
use std::path::PathBuf;

/// A pack could not be built, or a pack file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// Reading or writing a file failed.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said (in the message, not as a source, so that
        /// a chain of errors does not say it twice).
        error: io::Error,
    },
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] evident_store::StoreError),
    /// The store holds something that does not hold together (a blob that
    /// does not match its digest, an entry that does not match its hash):
    /// `evident verify` names the damage; no pack is written.
    #[error("the store is damaged at {what}: {reason} (run `evident verify`)")]
    DamagedStore {
        /// The entry or blob.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// The build options are not usable.
    #[error("cannot build the pack: {0}")]
    Options(String),
    /// A worker thread failed.
    #[error("the pack writer stopped: {0}")]
    Task(String),
}

impl PackError {
    /// An I/O error about `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            error: source,
        }
    }
}
