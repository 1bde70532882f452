//! The store's errors. Tampering found by [`Store::verify`](crate::Store::verify)
//! is not an error: it is a [`Problem`](crate::Problem) in the report.

use std::io;
use std::path::PathBuf;

/// A store operation that could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot open the store database {target}: {source}")]
    Open {
        /// The database file or the (password-free) server address.
        target: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// The schema migrations could not be applied.
    #[error("cannot migrate the store database {target}: {source}")]
    Migrate {
        /// The database file or the server address.
        target: String,
        /// Why.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// A query failed.
    #[error("database error while {action}: {source}")]
    Database {
        /// What the store was doing.
        action: &'static str,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The signing key file is unusable.
    #[error("signing key {}: {reason}", path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration is wrong.
    #[error("invalid store configuration: {0}")]
    Config(String),
    /// A record could not be encoded as canonical JSON.
    #[error("cannot encode {what} as canonical JSON: {source}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A stored entry or checkpoint is inconsistent, so the store refuses
    /// to build on it (run `verify` for the full picture).
    #[error("the ledger is inconsistent at entry {index}: {reason}")]
    Corrupt {
        /// The first entry found wrong.
        index: u64,
        /// What is wrong.
        reason: String,
    },
    /// An entry kind is malformed.
    #[error(
        "`{0}` is not a valid entry kind (1 to 64 lowercase letters, digits or `-`, starting with a letter)"
    )]
    InvalidKind(String),
    /// An entry kind is reserved for a dedicated method.
    #[error("entry kind `{0}` is written by its own method, not by `append`")]
    ReservedKind(String),
    /// An index or tree size is beyond the ledger.
    #[error("{what} {value} is out of range: the ledger has {size} entries")]
    OutOfRange {
        /// What was asked for (`entry`, `tree size`).
        what: &'static str,
        /// The value asked for.
        value: u64,
        /// The ledger's size.
        size: u64,
    },
    /// The entry (or the whole batch) was recorded, but the periodic
    /// checkpoint after it failed.
    #[error("entries up to {index} were recorded, but the checkpoint after them failed: {source}")]
    CheckpointAfterAppend {
        /// The last entry recorded (of a batch: its last item's).
        index: u64,
        /// Why the checkpoint failed.
        #[source]
        source: Box<StoreError>,
    },
    /// A blocking task (hashing, file I/O) panicked or was cancelled.
    #[error("a background task failed: {0}")]
    Task(String),
}

impl StoreError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// A query error while doing `action`.
    pub(crate) fn db(action: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Database { action, source }
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
