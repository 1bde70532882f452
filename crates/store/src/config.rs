//! Where the store lives and how it signs.

use std::path::{Path, PathBuf};

/// The store's folder beside the ISMS repository's root.
pub const DEFAULT_DIR: &str = ".evident";

/// The database file inside an embedded store's folder.
pub const SQLITE_FILE: &str = "store.db";

/// The blob folder inside an embedded store's folder.
pub const BLOB_DIR: &str = "blobs";

/// The lock file that serialises schema migrations of an embedded store.
pub const LOCK_FILE: &str = "store.lock";

/// The signing key file inside an embedded store's folder.
pub const KEY_FILE: &str = "signing.key";

/// The default distance, in entries, between automatic checkpoints.
pub const DEFAULT_CHECKPOINT_EVERY: u64 = 1000;

/// Which database holds the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite: `dir/store.db` (WAL, `synchronous=FULL`) and blobs
    /// in `dir/blobs/`.
    Sqlite {
        /// The store's folder, created if missing.
        dir: PathBuf,
    },
    /// A PostgreSQL server, with blobs in a local folder.
    Postgres {
        /// `postgres://user@host:port/database`.
        url: String,
        /// The blob folder, created if missing.
        blob_dir: PathBuf,
        /// The schema holding the store's tables (created if missing);
        /// `None` uses the connection's default `search_path`.
        schema: Option<String>,
    },
}

/// Everything [`Store::open`](crate::Store::open) needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreConfig {
    /// The database.
    pub backend: Backend,
    /// The ed25519 signing key file, created (mode 0600) on first use.
    pub key_path: PathBuf,
    /// Public keys (64 hex digits) whose checkpoints `verify` accepts
    /// besides this store's own (keys of other writers, or earlier keys).
    pub trusted_keys: Vec<String>,
    /// A checkpoint is signed automatically each time this store's
    /// appends make the ledger reach or pass a multiple of this: one of
    /// exactly that size for each multiple a batch passes (0: never
    /// automatically).
    pub checkpoint_every: u64,
}

impl StoreConfig {
    /// An embedded store in `dir` (its key in `dir/signing.key`).
    pub fn sqlite(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self {
            key_path: dir.join(KEY_FILE),
            backend: Backend::Sqlite { dir },
            trusted_keys: Vec::new(),
            checkpoint_every: DEFAULT_CHECKPOINT_EVERY,
        }
    }

    /// The default embedded store of the ISMS repository at `root`:
    /// `root/.evident/`.
    pub fn beside_isms(root: &Path) -> Self {
        Self::sqlite(root.join(DEFAULT_DIR))
    }

    /// A PostgreSQL store at `url` with blobs in `blob_dir`.
    pub fn postgres(
        url: impl Into<String>,
        blob_dir: impl Into<PathBuf>,
        key_path: impl Into<PathBuf>,
    ) -> Self {
        Self {
            backend: Backend::Postgres {
                url: url.into(),
                blob_dir: blob_dir.into(),
                schema: None,
            },
            key_path: key_path.into(),
            trusted_keys: Vec::new(),
            checkpoint_every: DEFAULT_CHECKPOINT_EVERY,
        }
    }
}

/// Whether `name` is a plain PostgreSQL identifier we may splice into SQL:
/// 1 to 63 of `[a-z0-9_]`, not starting with a digit.
pub(crate) fn is_plain_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && !name.as_bytes()[0].is_ascii_digit()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_layout() {
        let c = StoreConfig::beside_isms(Path::new("/isms"));
        assert_eq!(
            c.backend,
            Backend::Sqlite {
                dir: "/isms/.evident".into()
            }
        );
        assert_eq!(c.key_path, Path::new("/isms/.evident/signing.key"));
        assert_eq!(c.checkpoint_every, 1000);
    }

    #[test]
    fn identifiers() {
        assert!(is_plain_identifier("evident_test_1a"));
        for bad in ["", "1a", "a-b", "A", "a;drop", &"a".repeat(64)] {
            assert!(!is_plain_identifier(bad), "{bad}");
        }
    }
}
