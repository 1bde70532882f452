//! The [`Store`]: one API over both backends.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use evident_model::check::CheckResult;
use evident_model::evidence::{CollectionFailure, EvidenceItem, Timestamp};
use evident_model::hash::ContentHash;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::blob::{BlobSource, BlobStore};
use crate::checkpoint::Checkpoint;
use crate::config::StoreConfig;
use crate::db::{CheckpointRow, Db, EntryRow, EvidenceRow, NewEntry};
use crate::entry::{
    self, KIND_COLLECTION_FAILURE, KIND_EVIDENCE, KIND_RESULT, LedgerEntry, canonical_json,
    is_valid_kind,
};
use crate::error::{Result, StoreError};
use crate::merkle::{self, CompactTree, Hash};
use crate::records::{
    Added, EvidenceFilter, NewEvidence, NewItem, StoredEvidence, StoredFailure, StoredResult,
};
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
    /// The roots at the latest multiples of `checkpoint_every` it passed
    /// (for a batch whose automatic checkpoint another task overtook).
    roots: BTreeMap<u64, Hash>,
}

/// How many roots at automatic checkpoint sizes a prefix remembers.
const REMEMBERED_ROOTS: usize = 64;

impl CheckedPrefix {
    /// Remembers the root if the prefix's size is a multiple of `every`.
    fn remember_root(&mut self, every: u64) {
        let size = self.tree.size();
        if every > 0 && size.is_multiple_of(every) {
            self.roots.insert(size, self.tree.root());
            if self.roots.len() > REMEMBERED_ROOTS {
                self.roots.pop_first();
            }
        }
    }
}

impl Store {
    /// Opens the store (creating folders, database and signing key as
    /// needed) and applies pending migrations.
    pub async fn open(config: StoreConfig) -> Result<Self> {
        let mut trusted = Vec::with_capacity(config.trusted_keys.len() + 1);
        for text in &config.trusted_keys {
            let k = hex::decode_any_case::<32>(text.trim()).ok_or_else(|| {
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

    /// This store's ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Signs `message` with the store's key (pure Ed25519, RFC 8032): what
    /// attestations about the store's contents are signed with, so one
    /// public key verifies checkpoints and attestations alike.
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.key.sign(message).to_bytes()
    }

    /// Records an evidence item: the artefact (and its normalised JSON
    /// document, when given) into the blob store first, then the ledger
    /// entry and its index row in one transaction. A crash leaves the item
    /// fully recorded or absent (at worst an unreferenced blob). A batch of
    /// one: [`add_evidence_batch`](Self::add_evidence_batch).
    pub async fn add_evidence(
        &self,
        content: BlobSource,
        normalized: Option<&[u8]>,
        meta: NewEvidence,
    ) -> Result<Added> {
        let item = NewItem {
            content,
            normalized: normalized.map(<[u8]>::to_vec),
            meta,
        };
        let mut added = self.add_evidence_batch(vec![item]).await?;
        added
            .pop()
            .ok_or_else(|| StoreError::Task("a batch of one added nothing".into()))
    }

    /// Records evidence items, in order, as consecutive ledger entries: all
    /// of them or none.
    ///
    /// First every artefact and normalised document goes into the blob
    /// store, hashed and copied to `incoming/` on all cores. Then, at the
    /// same time, the copies are made durable and renamed into place — one
    /// `syncfs(2)` before the renames and one after, where the file system
    /// honours it, rather than an fsync per file and folder — and all the
    /// entries and their index rows are written in one database
    /// transaction, which commits only once the blobs are durable. If any
    /// source cannot be read (a missing file), nothing of the batch is
    /// recorded; a crash at any moment leaves the whole batch recorded or
    /// none of it (at worst unreferenced blobs).
    ///
    /// Identical content is stored once: [`Added::new_blob`] is true only
    /// for the first item of the batch with new bytes. [`Added::unchanged`]
    /// compares with the previous item of the same source and origin,
    /// earlier in the batch or in the ledger. Checkpoints are signed at
    /// every multiple of [`StoreConfig::checkpoint_every`] the batch
    /// reaches or passes, once it is committed.
    pub async fn add_evidence_batch(&self, items: Vec<NewItem>) -> Result<Vec<Added>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        // Each item's artefact, then its normalised document if any.
        let mut sources = Vec::with_capacity(items.len() * 2);
        let mut metas = Vec::with_capacity(items.len());
        for item in items {
            sources.push(item.content);
            let has_normalized = item.normalized.is_some();
            if let Some(bytes) = item.normalized {
                sources.push(BlobSource::Bytes(bytes));
            }
            metas.push((item.meta, has_normalized));
        }
        let blobs = self.blobs.clone();
        let staged = tokio::task::spawn_blocking(move || blobs.stage(&sources))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
        let put = staged.blobs().to_vec();

        let mut put = put.into_iter();
        let mut records = Vec::with_capacity(metas.len());
        for (meta, has_normalized) in metas {
            let raw = put.next();
            let norm = if has_normalized {
                put.next().map(Some)
            } else {
                Some(None)
            };
            let (Some(raw), Some(norm)) = (raw, norm) else {
                return Err(StoreError::Task(
                    "the blob store lost a blob of the batch".into(),
                ));
            };
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
            records.push((item, body, row, raw.new));
        }
        let entries: Vec<NewEntry<'_>> = records
            .iter()
            .map(|(_, body, row, _)| NewEntry {
                kind: KIND_EVIDENCE,
                body,
                evidence: Some(row),
            })
            .collect();
        // The blobs are made durable while the rows are written; the
        // transaction commits only after.
        let durable = tokio::task::spawn_blocking(move || staged.make_durable());
        let ready = async { durable.await.map_err(|e| StoreError::Task(e.to_string()))? };
        let appended = self.db.append(&entries, ready).await?;
        drop(entries);

        let first = appended.first().map_or(0, |a| a.index);
        let count = appended.len() as u64;
        let added = records
            .into_iter()
            .zip(appended)
            .map(|((item, _, _, new_blob), appended)| Added {
                index: appended.index,
                unchanged: appended.previous_digest.as_deref() == Some(item.digest.as_str()),
                item,
                new_blob,
            })
            .collect();
        self.after_append(first, count).await?;
        Ok(added)
    }

    /// Records a failed collection (an entry of its own kind, never
    /// evidence); returns its ledger position.
    pub async fn add_failure(&self, failure: &CollectionFailure) -> Result<u64> {
        let body = canonical_json(failure).map_err(|source| StoreError::Encode {
            what: "a collection failure",
            source,
        })?;
        self.append_one(KIND_COLLECTION_FAILURE, &body).await
    }

    /// Records check results, in order, as consecutive ledger entries in one
    /// transaction: all of them or none. Returns their ledger positions.
    pub async fn add_results(&self, results: &[CheckResult]) -> Result<Vec<u64>> {
        if results.is_empty() {
            return Ok(Vec::new());
        }
        let bodies = results
            .iter()
            .map(canonical_json)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|source| StoreError::Encode {
                what: "a check result",
                source,
            })?;
        let entries: Vec<NewEntry> = bodies
            .iter()
            .map(|body| NewEntry {
                kind: KIND_RESULT,
                body,
                evidence: None,
            })
            .collect();
        let appended = self.db.append(&entries, async { Ok(()) }).await?;
        let indices: Vec<u64> = appended.iter().map(|a| a.index).collect();
        if let Some(first) = indices.first() {
            self.after_append(*first, indices.len() as u64).await?;
        }
        Ok(indices)
    }

    /// The check results, in ledger order.
    pub async fn results(&self) -> Result<Vec<StoredResult>> {
        self.db
            .entries_of_kind(KIND_RESULT)
            .await?
            .into_iter()
            .map(|row| {
                let (index, result) = decode_body::<CheckResult>(row)?;
                Ok(StoredResult { index, result })
            })
            .collect()
    }

    /// Appends an entry of another kind (check results, decisions…) whose
    /// body is `body` in canonical JSON; returns its ledger position.
    pub async fn append(&self, kind: &str, body: &serde_json::Value) -> Result<u64> {
        if !is_valid_kind(kind) {
            return Err(StoreError::InvalidKind(kind.to_string()));
        }
        if kind == KIND_EVIDENCE || kind == KIND_COLLECTION_FAILURE || kind == KIND_RESULT {
            return Err(StoreError::ReservedKind(kind.to_string()));
        }
        let body = canonical_json(body).map_err(|source| StoreError::Encode {
            what: "an entry body",
            source,
        })?;
        self.append_one(kind, &body).await
    }

    /// Appends one entry that is not evidence, then checkpoints if due.
    async fn append_one(&self, kind: &str, body: &[u8]) -> Result<u64> {
        let entry = NewEntry {
            kind,
            body,
            evidence: None,
        };
        let appended = self.db.append(&[entry], async { Ok(()) }).await?;
        let index = appended.first().map_or(0, |a| a.index);
        self.after_append(index, 1).await?;
        Ok(index)
    }

    /// Signs a checkpoint of each size that is a multiple of
    /// `checkpoint_every` in `first + 1 ..= first + count`: the sizes the
    /// ledger passed through when entries `first..first + count` were
    /// appended.
    async fn after_append(&self, first: u64, count: u64) -> Result<()> {
        let every = self.checkpoint_every;
        if every == 0 || count == 0 {
            return Ok(());
        }
        let end = first + count;
        let mut size = (first / every + 1) * every;
        while size <= end {
            self.checkpoint_at(size)
                .await
                .map_err(|e| StoreError::CheckpointAfterAppend {
                    index: end - 1,
                    source: Box::new(e),
                })?;
            size += every;
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
        self.sign(size, root).await
    }

    /// Signs a checkpoint of the first `size` entries (committed), checking
    /// them first like [`checkpoint`](Self::checkpoint). When this process
    /// has already checked past `size` and no longer knows the root there
    /// (another process signed further first), it signs the whole ledger
    /// instead.
    async fn checkpoint_at(&self, size: u64) -> Result<Checkpoint> {
        let mut checked = self.checked.lock().await;
        let prefix = match checked.as_mut() {
            Some(prefix) => prefix,
            None => checked.insert(self.signed_prefix().await?),
        };
        let root = if prefix.tree.size() <= size {
            self.extend_checked(prefix, size).await?;
            prefix.tree.root()
        } else if let Some(root) = prefix.roots.get(&size) {
            *root
        } else {
            drop(checked);
            return self.checkpoint().await;
        };
        self.sign(size, root).await
    }

    /// Records a checkpoint of the first `size` entries with the checked
    /// `root`, or returns the stored one of that size after checking that
    /// it agrees.
    async fn sign(&self, size: u64, root: Hash) -> Result<Checkpoint> {
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
                prefix.remember_root(self.checkpoint_every);
            }
        }
        Ok(())
    }

    /// Calls `f(index, entry_hash)` for entries `0..size` in order, failing
    /// if one is missing or malformed.
    async fn for_each_entry_hash(&self, size: u64, mut f: impl FnMut(u64, Hash)) -> Result<()> {
        let mut next = 0u64;
        while next < size {
            for (index, hash) in self.entry_hash_page(next..size).await? {
                f(index, hash);
                next = index + 1;
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

pub(crate) fn missing(index: u64) -> StoreError {
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
