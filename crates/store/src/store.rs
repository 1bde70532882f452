//! The [`Store`]: one API over both backends.

use std::fmt;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use evident_model::evidence::{CollectionFailure, EvidenceItem, Timestamp};
use evident_model::hash::ContentHash;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::blob::{BlobSource, BlobStore};
use crate::checkpoint::Checkpoint;
use crate::config::StoreConfig;
use crate::db::{CheckpointRow, Db, EntryRow, EvidenceRow};
use crate::entry::{
    self, KIND_COLLECTION_FAILURE, KIND_EVIDENCE, LedgerEntry, canonical_json, is_valid_kind,
};
use crate::error::{Result, StoreError};
use crate::merkle::{self, CompactTree, Hash};
use crate::records::{Added, EvidenceFilter, NewEvidence, StoredEvidence, StoredFailure};
use crate::verify::{self, VerifyReport};
use crate::{hex, key};

/// Rows read per query when scanning the ledger.
pub(crate) const PAGE: i64 = 2048;

/// The evidence store: blobs plus a signed, hash-chained ledger.
///
/// Cheap to share behind an `Arc`; every method takes `&self`. Several
/// processes may write the same store at once: appends are serialised by
/// the database.
pub struct Store {
    pub(crate) db: Db,
    pub(crate) blobs: BlobStore,
    key: SigningKey,
    key_path: PathBuf,
    pub(crate) trusted: Vec<[u8; 32]>,
    checkpoint_every: u64,
    /// The prefix of the ledger this process has checked (recomputed entry
    /// hashes and links, or matched against a signed checkpoint): what
    /// `checkpoint` may sign without reading it again.
    checked: Mutex<Option<CheckedPrefix>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        };
        f.debug_struct("Store")
            .field("backend", &backend)
            .field("blobs", &self.blobs)
            .field("public_key", &self.public_key_hex())
            .field("checkpoint_every", &self.checkpoint_every)
            .finish_non_exhaustive()
    }
}

/// A checked ledger prefix, as the roots of its perfect subtrees.
#[derive(Clone, Debug, Default)]
struct CheckedPrefix {
    tree: CompactTree,
    last: Hash,
}

impl Store {
    /// Opens the store (creating folders, database and signing key as
    /// needed) and applies pending migrations.
    pub async fn open(config: StoreConfig) -> Result<Self> {
        let mut trusted = Vec::with_capacity(config.trusted_keys.len() + 1);
        for text in &config.trusted_keys {
            let k = hex::decode::<32>(text.trim()).ok_or_else(|| {
                StoreError::Config(format!(
                    "trusted key `{text}` is not 64 hex digits (an ed25519 public key)"
                ))
            })?;
            trusted.push(k);
        }
        let key_path = config.key_path.clone();
        let key = tokio::task::spawn_blocking(move || key::load_or_create(&key_path))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
        trusted.push(key.verifying_key().to_bytes());
        let (db, blob_dir) = Db::open(&config.backend).await?;
        let blobs = BlobStore::open(&blob_dir)?;
        Ok(Self {
            db,
            blobs,
            key,
            key_path: config.key_path,
            trusted,
            checkpoint_every: config.checkpoint_every,
            checked: Mutex::new(None),
        })
    }

    /// Closes the database connections.
    pub async fn close(self) {
        self.db.close().await;
    }

    /// This store's ed25519 public key, 64 hex digits.
    pub fn public_key_hex(&self) -> String {
        hex::encode(&self.key.verifying_key().to_bytes())
    }

    /// Records an evidence item: the artefact (and its normalised JSON
    /// document, when given) into the blob store first, then the ledger
    /// entry and its index row in one transaction. A crash leaves the item
    /// fully recorded or absent (at worst an unreferenced blob).
    pub async fn add_evidence(
        &self,
        content: BlobSource,
        normalized: Option<&[u8]>,
        meta: NewEvidence,
    ) -> Result<Added> {
        let blobs = self.blobs.clone();
        let normalized = normalized.map(<[u8]>::to_vec);
        let (raw, norm) = tokio::task::spawn_blocking(move || -> Result<_> {
            let raw = blobs.put(&content)?;
            let norm = match normalized {
                Some(bytes) => Some(blobs.put(&BlobSource::Bytes(bytes))?),
                None => None,
            };
            Ok((raw, norm))
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??;

        let item = EvidenceItem {
            digest: raw.digest,
            size: raw.size,
            media_type: meta.media_type,
            format: meta.format,
            normalized: norm.map(|n| n.digest),
            provenance: meta.provenance,
            observed: meta.observed,
            collected_at: meta.collected_at,
        };
        let body = canonical_json(&item).map_err(|source| StoreError::Encode {
            what: "an evidence item",
            source,
        })?;
        let row = EvidenceRow {
            source: item.provenance.source.clone(),
            origin: item.provenance.origin.clone(),
            digest: item.digest.to_string(),
            normalized: item.normalized.as_ref().map(ToString::to_string),
        };
        let appended = self.db.append(KIND_EVIDENCE, &body, Some(&row)).await?;
        let unchanged = appended.previous_digest.as_deref() == Some(item.digest.as_str());
        self.after_append(appended.index).await?;
        Ok(Added {
            index: appended.index,
            item,
            new_blob: raw.new,
            unchanged,
        })
    }

    /// Records a failed collection (an entry of its own kind, never
    /// evidence); returns its ledger position.
    pub async fn add_failure(&self, failure: &CollectionFailure) -> Result<u64> {
        let body = canonical_json(failure).map_err(|source| StoreError::Encode {
            what: "a collection failure",
            source,
        })?;
        let index = self
            .db
            .append(KIND_COLLECTION_FAILURE, &body, None)
            .await?
            .index;
        self.after_append(index).await?;
        Ok(index)
    }

    /// Appends an entry of another kind (check results, decisions…) whose
    /// body is `body` in canonical JSON; returns its ledger position.
    pub async fn append(&self, kind: &str, body: &serde_json::Value) -> Result<u64> {
        if !is_valid_kind(kind) {
            return Err(StoreError::InvalidKind(kind.to_string()));
        }
        if kind == KIND_EVIDENCE || kind == KIND_COLLECTION_FAILURE {
            return Err(StoreError::ReservedKind(kind.to_string()));
        }
        let body = canonical_json(body).map_err(|source| StoreError::Encode {
            what: "an entry body",
            source,
        })?;
        let index = self.db.append(kind, &body, None).await?.index;
        self.after_append(index).await?;
        Ok(index)
    }

    /// Signs a checkpoint every `checkpoint_every` entries.
    async fn after_append(&self, index: u64) -> Result<()> {
        let every = self.checkpoint_every;
        if every > 0 && (index + 1).is_multiple_of(every) {
            self.checkpoint()
                .await
                .map_err(|e| StoreError::CheckpointAfterAppend {
                    index,
                    source: Box::new(e),
                })?;
        }
        Ok(())
    }

    /// The number of entries in the ledger.
    pub async fn len(&self) -> Result<u64> {
        self.db.size().await
    }

    /// Whether the ledger has no entries.
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(self.len().await? == 0)
    }

    /// Signs a checkpoint of the whole ledger as it is now (or returns the
    /// existing one when the ledger has not grown since). Entries added
    /// since the last checkpoint are checked first (hash and chain link):
    /// the store refuses to sign a ledger that does not hold together.
    pub async fn checkpoint(&self) -> Result<Checkpoint> {
        let mut checked = self.checked.lock().await;
        let prefix = match checked.as_mut() {
            Some(prefix) => prefix,
            None => checked.insert(self.signed_prefix().await?),
        };
        // Read after the latest checkpoint: another process may sign (and
        // append) at any time, so the size must not predate it.
        let size = self.db.size().await?;
        if prefix.tree.size() > size {
            return Err(StoreError::Corrupt {
                index: size,
                reason: format!(
                    "the ledger has {size} entries, fewer than the {} already checked",
                    prefix.tree.size()
                ),
            });
        }
        self.extend_checked(prefix, size).await?;
        let root = prefix.tree.root();

        if let Some(row) = self.db.checkpoint_of_size(to_i64(size)).await? {
            return existing_checkpoint(row, &root, &self.trusted);
        }
        let cp = Checkpoint::sign(&self.key, size, root, Timestamp::now()).map_err(|e| {
            StoreError::Key {
                path: self.key_path.clone(),
                reason: format!("cannot sign: {e}"),
            }
        })?;
        let row = CheckpointRow {
            size: to_i64(cp.size),
            root: cp.root.to_vec(),
            signed_at: cp.signed_at.to_string(),
            public_key: cp.public_key.to_vec(),
            signature: cp.signature.to_vec(),
        };
        if self.db.insert_checkpoint(&row).await? {
            return Ok(cp);
        }
        // Another writer signed the same size first.
        match self.db.checkpoint_of_size(row.size).await? {
            Some(row) => existing_checkpoint(row, &root, &self.trusted),
            None => Err(StoreError::Corrupt {
                index: size,
                reason: "a checkpoint of this size vanished while it was being written".into(),
            }),
        }
    }

    /// The prefix covered by the latest checkpoint, after checking its
    /// signature and that the stored entry hashes still give its root.
    async fn signed_prefix(&self) -> Result<CheckedPrefix> {
        let Some(row) = self.db.latest_checkpoint().await? else {
            return Ok(CheckedPrefix::default());
        };
        // Entries are committed before any checkpoint covering them, so a
        // size read now is at least the checkpoint's unless rows were deleted.
        let size = self.db.size().await?;
        let cp = decode_checkpoint(&row).map_err(|reason| StoreError::Corrupt {
            index: u64::try_from(row.size).unwrap_or(0),
            reason: format!("the latest checkpoint is malformed: {reason}"),
        })?;
        let refuse = |reason: String| StoreError::Corrupt {
            index: cp.size,
            reason,
        };
        if !cp.signature_is_valid() || !self.trusted.contains(&cp.public_key) {
            return Err(refuse(format!(
                "the checkpoint of size {} is not signed by a trusted key",
                cp.size
            )));
        }
        if cp.size > size {
            return Err(refuse(format!(
                "the checkpoint of size {} covers more entries than the ledger's {size}",
                cp.size
            )));
        }
        let mut prefix = CheckedPrefix::default();
        self.for_each_entry_hash(cp.size, |_, hash| {
            prefix.tree.push(merkle::leaf_hash(&hash));
            prefix.last = hash;
        })
        .await?;
        if prefix.tree.root() != cp.root {
            return Err(refuse(format!(
                "the first {} entries no longer match their signed checkpoint",
                cp.size
            )));
        }
        Ok(prefix)
    }

    /// Checks entries from the end of `prefix` up to `size` (hash and
    /// link) and adds them to it.
    async fn extend_checked(&self, prefix: &mut CheckedPrefix, size: u64) -> Result<()> {
        while prefix.tree.size() < size {
            let from = prefix.tree.size();
            let limit = (size - from).min(PAGE as u64);
            let rows = self.db.entries(to_i64(from), to_i64(limit)).await?;
            if rows.is_empty() {
                return Err(missing(from));
            }
            for row in rows {
                let expected = prefix.tree.size();
                if expected >= size {
                    break;
                }
                let entry = decode_entry(row)?;
                if entry.index != expected {
                    return Err(missing(expected));
                }
                let corrupt = |reason: &str| StoreError::Corrupt {
                    index: expected,
                    reason: reason.into(),
                };
                if entry.computed_hash() != entry.entry_hash {
                    return Err(corrupt("its contents do not match its entry hash"));
                }
                let link = if expected == 0 {
                    entry::GENESIS_PREV
                } else {
                    prefix.last
                };
                if entry.prev_hash != link {
                    return Err(corrupt("it does not link to the entry before it"));
                }
                prefix.tree.push(entry.leaf_hash());
                prefix.last = entry.entry_hash;
            }
        }
        Ok(())
    }

    /// Calls `f(index, entry_hash)` for entries `0..size` in order, failing
    /// if one is missing or malformed.
    async fn for_each_entry_hash(&self, size: u64, mut f: impl FnMut(u64, Hash)) -> Result<()> {
        let mut next = 0u64;
        while next < size {
            let rows = self
                .db
                .entry_hashes(to_i64(next), to_i64(size), PAGE)
                .await?;
            if rows.is_empty() {
                return Err(missing(next));
            }
            for (idx, hash) in rows {
                if idx != to_i64(next) {
                    return Err(missing(next));
                }
                let hash: Hash = hash
                    .as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt {
                        index: next,
                        reason: format!("its entry hash has {} bytes, not 32", hash.len()),
                    })?;
                f(next, hash);
                next += 1;
            }
        }
        Ok(())
    }

    /// The checkpoint of the largest size, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<Checkpoint>> {
        match self.db.latest_checkpoint().await? {
            Some(row) => decode_checkpoint(&row)
                .map(Some)
                .map_err(|reason| StoreError::Corrupt {
                    index: u64::try_from(row.size).unwrap_or(0),
                    reason: format!("checkpoint is malformed: {reason}"),
                }),
            None => Ok(None),
        }
    }

    /// All checkpoints, by size.
    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        self.db
            .checkpoints()
            .await?
            .iter()
            .map(|row| {
                decode_checkpoint(row).map_err(|reason| StoreError::Corrupt {
                    index: u64::try_from(row.size).unwrap_or(0),
                    reason: format!("checkpoint is malformed: {reason}"),
                })
            })
            .collect()
    }

    /// The audit path proving that entry `index` is in the tree of the
    /// first `tree_size` entries (for a checkpoint of that size); check it
    /// with [`verify_inclusion`](crate::verify_inclusion) and the leaf
    /// `merkle::leaf_hash(entry_hash)`.
    pub async fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>> {
        let mut proofs = self.inclusion_proofs(&[index], tree_size).await?;
        proofs.pop().ok_or(StoreError::OutOfRange {
            what: "entry",
            value: index,
            size: tree_size,
        })
    }

    /// The audit paths of several entries in the same tree: the leaves are
    /// read and hashed once, then each path costs O(log² n).
    pub async fn inclusion_proofs(
        &self,
        indexes: &[u64],
        tree_size: u64,
    ) -> Result<Vec<Vec<Hash>>> {
        let size = self.db.size().await?;
        if tree_size > size {
            return Err(StoreError::OutOfRange {
                what: "tree size",
                value: tree_size,
                size,
            });
        }
        let out_of_range = |index: u64| StoreError::OutOfRange {
            what: "entry",
            value: index,
            size: tree_size,
        };
        if let Some(&bad) = indexes.iter().find(|&&i| i >= tree_size) {
            return Err(out_of_range(bad));
        }
        let mut leaves = Vec::with_capacity(usize::try_from(tree_size).unwrap_or(0));
        self.for_each_entry_hash(tree_size, |_, hash| {
            leaves.push(merkle::leaf_hash(&hash));
        })
        .await?;
        let tree = merkle::Tree::new(leaves);
        indexes
            .iter()
            .map(|&index| {
                usize::try_from(index)
                    .ok()
                    .and_then(|i| tree.inclusion_proof(i))
                    .ok_or_else(|| out_of_range(index))
            })
            .collect()
    }

    /// The entry at `index`, if there is one.
    pub async fn entry(&self, index: u64) -> Result<Option<LedgerEntry>> {
        match self.db.entry(to_i64(index)).await? {
            Some(row) => decode_entry(row).map(Some),
            None => Ok(None),
        }
    }

    /// The entries with indexes in `range`, in order.
    pub async fn entries(&self, range: Range<u64>) -> Result<Vec<LedgerEntry>> {
        let mut out = Vec::new();
        let mut from = range.start;
        while from < range.end {
            let limit = (range.end - from).min(PAGE as u64);
            let rows = self.db.entries(to_i64(from), to_i64(limit)).await?;
            let Some(last) = rows.last().map(|r| r.idx) else {
                break;
            };
            for row in rows {
                if u64::try_from(row.idx).is_ok_and(|i| i < range.end) {
                    out.push(decode_entry(row)?);
                }
            }
            from = u64::try_from(last).unwrap_or(u64::MAX).saturating_add(1);
        }
        Ok(out)
    }

    /// The evidence items, of one source or all, in ledger order.
    pub async fn evidence(&self, filter: EvidenceFilter<'_>) -> Result<Vec<StoredEvidence>> {
        self.db
            .evidence_entries(filter.source)
            .await?
            .into_iter()
            .map(|row| {
                let (index, item) = decode_body::<EvidenceItem>(row)?;
                Ok(StoredEvidence { index, item })
            })
            .collect()
    }

    /// The evidence item at `index`; `None` when there is no entry there or
    /// it is not an evidence item.
    pub async fn evidence_at(&self, index: u64) -> Result<Option<StoredEvidence>> {
        match self.db.entry(to_i64(index)).await? {
            Some(row) if row.kind == KIND_EVIDENCE => {
                let (index, item) = decode_body::<EvidenceItem>(row)?;
                Ok(Some(StoredEvidence { index, item }))
            }
            _ => Ok(None),
        }
    }

    /// The failed collections, in ledger order.
    pub async fn failures(&self) -> Result<Vec<StoredFailure>> {
        self.db
            .entries_of_kind(KIND_COLLECTION_FAILURE)
            .await?
            .into_iter()
            .map(|row| {
                let (index, failure) = decode_body::<CollectionFailure>(row)?;
                Ok(StoredFailure { index, failure })
            })
            .collect()
    }

    /// Opens the blob with `digest` (an artefact or a normalised document).
    pub fn open_blob(&self, digest: &ContentHash) -> io::Result<File> {
        self.blobs.open_blob(digest)
    }

    /// Where the blob with `digest` is (or would be) stored.
    pub fn blob_path(&self, digest: &ContentHash) -> PathBuf {
        self.blobs.path(digest)
    }

    /// Recomputes every blob digest, entry hash, chain link, checkpoint
    /// root and signature, and reports each problem found.
    pub async fn verify(&self) -> Result<VerifyReport> {
        verify::run(self).await
    }
}

fn missing(index: u64) -> StoreError {
    StoreError::Corrupt {
        index,
        reason: "the entry is missing".into(),
    }
}

/// An index as the databases store it. Ledger positions never reach
/// `i64::MAX`; larger values clamp (and then match nothing).
pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A stored row as an entry, checking the lengths of its hashes.
pub(crate) fn decode_entry(row: EntryRow) -> Result<LedgerEntry> {
    let index = u64::try_from(row.idx).map_err(|_| StoreError::Corrupt {
        index: 0,
        reason: format!("a row has the negative index {}", row.idx),
    })?;
    let hash = |bytes: &[u8], what: &str| -> Result<Hash> {
        bytes.try_into().map_err(|_| StoreError::Corrupt {
            index,
            reason: format!("its {what} has {} bytes, not 32", bytes.len()),
        })
    };
    Ok(LedgerEntry {
        index,
        prev_hash: hash(&row.prev_hash, "previous hash")?,
        entry_hash: hash(&row.entry_hash, "entry hash")?,
        kind: row.kind,
        body: row.body,
    })
}

/// A stored row's body as a `T`.
fn decode_body<T: DeserializeOwned>(row: EntryRow) -> Result<(u64, T)> {
    let index = u64::try_from(row.idx).map_err(|_| StoreError::Corrupt {
        index: 0,
        reason: format!("a row has the negative index {}", row.idx),
    })?;
    let value = serde_json::from_slice(&row.body).map_err(|e| StoreError::Corrupt {
        index,
        reason: format!("its `{}` body cannot be read: {e}", row.kind),
    })?;
    Ok((index, value))
}

/// A stored checkpoint, or what is malformed in it.
pub(crate) fn decode_checkpoint(row: &CheckpointRow) -> Result<Checkpoint, String> {
    let size = u64::try_from(row.size).map_err(|_| format!("negative size {}", row.size))?;
    let root = row
        .root
        .as_slice()
        .try_into()
        .map_err(|_| format!("its root has {} bytes, not 32", row.root.len()))?;
    let public_key = row
        .public_key
        .as_slice()
        .try_into()
        .map_err(|_| format!("its public key has {} bytes, not 32", row.public_key.len()))?;
    let signature = row
        .signature
        .as_slice()
        .try_into()
        .map_err(|_| format!("its signature has {} bytes, not 64", row.signature.len()))?;
    let signed_at = row
        .signed_at
        .parse::<Timestamp>()
        .map_err(|e| format!("its time `{}` cannot be read: {e}", row.signed_at))?;
    Ok(Checkpoint {
        size,
        root,
        signed_at,
        public_key,
        signature,
    })
}

/// A checkpoint of the size about to be signed that is already stored: it
/// must agree with the checked root.
fn existing_checkpoint(
    row: CheckpointRow,
    root: &Hash,
    trusted: &[[u8; 32]],
) -> Result<Checkpoint> {
    let index = u64::try_from(row.size).unwrap_or(0);
    let cp = decode_checkpoint(&row).map_err(|reason| StoreError::Corrupt {
        index,
        reason: format!("its checkpoint is malformed: {reason}"),
    })?;
    if cp.root != *root || !cp.signature_is_valid() || !trusted.contains(&cp.public_key) {
        return Err(StoreError::Corrupt {
            index,
            reason: "the stored checkpoint of this size does not match the ledger".into(),
        });
    }
    Ok(cp)
}
