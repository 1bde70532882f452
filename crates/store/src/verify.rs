//! `verify`: recompute everything and name each problem.
//!
//! One pass over the ledger recomputes every entry hash and chain link,
//! checks bodies (canonical JSON, readable records, agreement with the
//! evidence index) and builds the Merkle tree from the *recomputed* entry
//! hashes, taking the root at each checkpoint's size. Rows whose hash or
//! link fails are then diagnosed: an entry whose hash matches another
//! position was moved (reordered, or shifted by an inserted or deleted
//! row). Blobs are hashed last, each distinct digest once, on all cores.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};

use evident_model::evidence::{CollectionFailure, EvidenceItem};
use evident_model::hash::ContentHash;

use crate::blob::{BlobStore, hash_reader};
use crate::db::JoinedRow;
use crate::entry::{
    GENESIS_PREV, KIND_COLLECTION_FAILURE, KIND_EVIDENCE, entry_hash, is_canonical, is_valid_kind,
};
use crate::error::{Result, StoreError};
use crate::merkle::{self, CompactTree, EMPTY_ROOT, Hash};
use crate::store::{PAGE, Store, decode_checkpoint};

/// The read buffer for hashing blobs.
const VERIFY_CHUNK: usize = 4 << 20;

/// How far from its position `verify` looks for where a moved entry was
/// written (besides the position its chain link points to).
const MOVE_WINDOW: u64 = 64;

/// What `verify` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Ledger rows read.
    pub entries: u64,
    /// Distinct blobs hashed.
    pub blobs: u64,
    /// Bytes of blobs hashed.
    pub blob_bytes: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// Entries covered by the largest checkpoint that checked out (entries
    /// past it are chained but not yet signed).
    pub signed_size: u64,
    /// Every problem, by position.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// Whether nothing is wrong.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One thing wrong with the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Ledger positions with no entry (rows were deleted).
    EntriesMissing {
        /// First missing position.
        from: u64,
        /// Last missing position.
        to: u64,
    },
    /// An entry's contents do not match its recorded hash (the row was edited).
    EntryAltered {
        /// The entry.
        index: u64,
    },
    /// An entry sits at another position than the one it was written at
    /// (rows were reordered, or shifted by an insertion or deletion).
    EntryMoved {
        /// Where it is.
        index: u64,
        /// Where it was written.
        written_at: u64,
    },
    /// An entry that was not in the ledger was inserted, shifting the
    /// entries after it.
    EntryInserted {
        /// The inserted entry's position.
        index: u64,
    },
    /// An entry does not link to the one before it although both match
    /// their hashes (an earlier entry was rewritten with a recomputed hash).
    ChainBroken {
        /// The entry whose link fails.
        index: u64,
    },
    /// A row has an index that cannot be a ledger position.
    InvalidIndex {
        /// The index found.
        idx: i64,
    },
    /// An entry's body or hashes cannot be what the store writes.
    EntryMalformed {
        /// The entry.
        index: u64,
        /// What is wrong.
        reason: String,
    },
    /// The evidence index disagrees with the ledger.
    IndexMismatch {
        /// The entry (or index row).
        index: u64,
        /// How.
        reason: String,
    },
    /// A blob an entry refers to is not in the blob store.
    BlobMissing {
        /// The entry.
        index: u64,
        /// The blob.
        digest: ContentHash,
    },
    /// A blob's bytes no longer hash to its name (the file was altered).
    BlobAltered {
        /// The entry.
        index: u64,
        /// The blob.
        digest: ContentHash,
        /// What its bytes hash to now.
        actual: ContentHash,
    },
    /// A blob could not be read.
    BlobUnreadable {
        /// The entry.
        index: u64,
        /// The blob.
        digest: ContentHash,
        /// The I/O error.
        error: String,
    },
    /// An evidence item records another size than its blob has.
    SizeMismatch {
        /// The entry.
        index: u64,
        /// The size in the entry.
        recorded: u64,
        /// The blob's size.
        actual: u64,
    },
    /// A checkpoint covers more entries than the ledger holds (entries at
    /// the end were deleted).
    CheckpointBeyondLedger {
        /// The checkpoint's size.
        size: u64,
        /// The entries present.
        entries: u64,
    },
    /// A checkpoint's root is not the root of the entries it covers.
    CheckpointRootMismatch {
        /// The checkpoint's size.
        size: u64,
    },
    /// A checkpoint's signature is not valid for its contents.
    CheckpointBadSignature {
        /// The checkpoint's size.
        size: u64,
    },
    /// A checkpoint is signed by a key that is not trusted.
    CheckpointUnknownKey {
        /// The checkpoint's size.
        size: u64,
        /// The key, 64 hex digits.
        public_key: String,
    },
    /// A checkpoint row cannot be read.
    CheckpointMalformed {
        /// The checkpoint's size as stored.
        size: i64,
        /// What is wrong.
        reason: String,
    },
}

impl Problem {
    /// A stable kebab-case code for the kind of problem.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::EntriesMissing { .. } => "entries-missing",
            Problem::EntryAltered { .. } => "entry-altered",
            Problem::EntryMoved { .. } => "entry-moved",
            Problem::EntryInserted { .. } => "entry-inserted",
            Problem::ChainBroken { .. } => "chain-broken",
            Problem::InvalidIndex { .. } => "invalid-index",
            Problem::EntryMalformed { .. } => "entry-malformed",
            Problem::IndexMismatch { .. } => "index-mismatch",
            Problem::BlobMissing { .. } => "blob-missing",
            Problem::BlobAltered { .. } => "blob-altered",
            Problem::BlobUnreadable { .. } => "blob-unreadable",
            Problem::SizeMismatch { .. } => "size-mismatch",
            Problem::CheckpointBeyondLedger { .. } => "checkpoint-beyond-ledger",
            Problem::CheckpointRootMismatch { .. } => "checkpoint-root-mismatch",
            Problem::CheckpointBadSignature { .. } => "checkpoint-bad-signature",
            Problem::CheckpointUnknownKey { .. } => "checkpoint-unknown-key",
            Problem::CheckpointMalformed { .. } => "checkpoint-malformed",
        }
    }

    /// The ledger position concerned, for entry and blob problems.
    pub fn index(&self) -> Option<u64> {
        match self {
            Problem::EntriesMissing { from: index, .. }
            | Problem::EntryAltered { index }
            | Problem::EntryMoved { index, .. }
            | Problem::EntryInserted { index }
            | Problem::ChainBroken { index }
            | Problem::EntryMalformed { index, .. }
            | Problem::IndexMismatch { index, .. }
            | Problem::BlobMissing { index, .. }
            | Problem::BlobAltered { index, .. }
            | Problem::BlobUnreadable { index, .. }
            | Problem::SizeMismatch { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// The checkpoint concerned (its size), for checkpoint problems.
    pub fn checkpoint_size(&self) -> Option<u64> {
        match self {
            Problem::CheckpointBeyondLedger { size, .. }
            | Problem::CheckpointRootMismatch { size }
            | Problem::CheckpointBadSignature { size }
            | Problem::CheckpointUnknownKey { size, .. } => Some(*size),
            _ => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::EntriesMissing { from, to } if from == to => {
                write!(f, "entry {from} is missing: a ledger row was deleted")
            }
            Problem::EntriesMissing { from, to } => {
                write!(
                    f,
                    "entries {from} to {to} are missing: ledger rows were deleted"
                )
            }
            Problem::EntryAltered { index } => write!(
                f,
                "entry {index}: its contents do not match its recorded hash: the row was edited"
            ),
            Problem::EntryMoved { index, written_at } => write!(
                f,
                "entry {index}: it was written as entry {written_at}: rows were reordered, inserted or deleted"
            ),
            Problem::EntryInserted { index } => write!(
                f,
                "entry {index}: it was inserted; the entries after it were written one position earlier"
            ),
            Problem::ChainBroken { index } => write!(
                f,
                "entry {index}: it does not link to entry {}: an earlier entry was rewritten",
                index.saturating_sub(1)
            ),
            Problem::InvalidIndex { idx } => write!(
                f,
                "a ledger row has index {idx}, which is no ledger position: the row was inserted"
            ),
            Problem::EntryMalformed { index, reason } => write!(f, "entry {index}: {reason}"),
            Problem::IndexMismatch { index, reason } => {
                write!(f, "entry {index}: the evidence index disagrees: {reason}")
            }
            Problem::BlobMissing { index, digest } => {
                write!(f, "entry {index}: blob {digest} is missing")
            }
            Problem::BlobAltered {
                index,
                digest,
                actual,
            } => write!(
                f,
                "entry {index}: blob {digest} was altered: its bytes hash to {actual}"
            ),
            Problem::BlobUnreadable {
                index,
                digest,
                error,
            } => write!(f, "entry {index}: blob {digest} cannot be read: {error}"),
            Problem::SizeMismatch {
                index,
                recorded,
                actual,
            } => write!(
                f,
                "entry {index}: the item records {recorded} bytes, its blob has {actual}"
            ),
            Problem::CheckpointBeyondLedger { size, entries } => write!(
                f,
                "checkpoint {size}: it covers {size} entries but the ledger has {entries}: entries at the end were deleted"
            ),
            Problem::CheckpointRootMismatch { size } => write!(
                f,
                "checkpoint {size}: its root is not the root of the first {size} entries: the ledger or the checkpoint was altered"
            ),
            Problem::CheckpointBadSignature { size } => write!(
                f,
                "checkpoint {size}: its signature is not valid: the checkpoint was forged or altered"
            ),
            Problem::CheckpointUnknownKey { size, public_key } => write!(
                f,
                "checkpoint {size}: it is signed by the untrusted key {public_key}"
            ),
            Problem::CheckpointMalformed { size, reason } => {
                write!(f, "checkpoint {size}: {reason}")
            }
        }
    }
}

/// A row whose hash or link failed, kept for diagnosis.
struct Suspect {
    index: u64,
    kind: String,
    body: Vec<u8>,
    prev: Hash,
    hash_ok: bool,
    stored: Hash,
}

/// A blob an entry refers to.
struct BlobRef {
    index: u64,
    digest: Hash,
    size: Option<u64>,
}

/// The outcome of hashing one blob.
enum BlobStatus {
    Present { actual: Hash, size: u64 },
    Missing,
    Unreadable(String),
}

/// The state of the ledger pass.
struct Scan {
    next: u64,
    last_idx: Option<u64>,
    prev: Option<(u64, Hash, bool)>,
    tree: CompactTree,
    wanted_sizes: Vec<u64>,
    roots: HashMap<u64, Hash>,
    suspects: Vec<Suspect>,
    bad: HashSet<u64>,
    blob_refs: Vec<BlobRef>,
    problems: Vec<Problem>,
    rows: u64,
}

pub(crate) async fn run(store: &Store) -> Result<VerifyReport> {
    let checkpoint_rows = store.db.checkpoints().await?;
    let mut wanted_sizes: Vec<u64> = checkpoint_rows
        .iter()
        .filter_map(|r| u64::try_from(r.size).ok())
        .collect();
    wanted_sizes.sort_unstable();
    wanted_sizes.dedup();
    wanted_sizes.reverse(); // popped from the end, smallest first

    let mut scan = Scan {
        next: 0,
        last_idx: None,
        prev: None,
        tree: CompactTree::new(),
        wanted_sizes,
        roots: HashMap::from([(0, EMPTY_ROOT)]),
        suspects: Vec::new(),
        bad: HashSet::new(),
        blob_refs: Vec::new(),
        problems: Vec::new(),
        rows: 0,
    };

    let mut from = i64::MIN;
    loop {
        let rows = store.db.joined(from, PAGE).await?;
        let Some(last) = rows.last().map(|r| r.entry.idx) else {
            break;
        };
        for row in rows {
            scan.row(row);
        }
        match last.checked_add(1) {
            Some(next) => from = next,
            None => break,
        }
    }

    diagnose(store, &mut scan).await?;

    for idx in store.db.stray_evidence_rows().await? {
        scan.problems.push(Problem::IndexMismatch {
            index: u64::try_from(idx).unwrap_or(0),
            reason: "an evidence index row has no evidence entry".into(),
        });
    }

    let mut signed_size = 0;
    for row in &checkpoint_rows {
        let cp = match decode_checkpoint(row) {
            Ok(cp) => cp,
            Err(reason) => {
                scan.problems.push(Problem::CheckpointMalformed {
                    size: row.size,
                    reason,
                });
                continue;
            }
        };
        let before = scan.problems.len();
        match scan.roots.get(&cp.size) {
            None => scan.problems.push(Problem::CheckpointBeyondLedger {
                size: cp.size,
                entries: scan.rows,
            }),
            Some(root) if *root != cp.root => {
                scan.problems
                    .push(Problem::CheckpointRootMismatch { size: cp.size });
            }
            Some(_) => {}
        }
        if !cp.signature_is_valid() {
            scan.problems
                .push(Problem::CheckpointBadSignature { size: cp.size });
        } else if !store.trusted.contains(&cp.public_key) {
            scan.problems.push(Problem::CheckpointUnknownKey {
                size: cp.size,
                public_key: cp.public_key_hex(),
            });
        }
        if scan.problems.len() == before {
            signed_size = signed_size.max(cp.size);
        }
    }

    let (blobs, blob_bytes) =
        check_blobs(&store.blobs, &scan.blob_refs, &mut scan.problems).await?;

    let mut problems = scan.problems;
    problems.sort_by_key(|p| (p.index().unwrap_or(u64::MAX), p.checkpoint_size()));
    Ok(VerifyReport {
        entries: scan.rows,
        blobs,
        blob_bytes,
        checkpoints: checkpoint_rows.len() as u64,
        signed_size,
        problems,
    })
}

impl Scan {
    /// Checks one row.
    fn row(&mut self, row: JoinedRow) {
        let e = &row.entry;
        let Ok(index) = u64::try_from(e.idx) else {
            self.problems.push(Problem::InvalidIndex { idx: e.idx });
            return;
        };
        self.rows += 1;
        if index > self.next {
            self.problems.push(Problem::EntriesMissing {
                from: self.next,
                to: index - 1,
            });
        }
        self.next = index + 1;
        self.last_idx = Some(index);

        let prev: Option<Hash> = e.prev_hash.as_slice().try_into().ok();
        let stored: Option<Hash> = e.entry_hash.as_slice().try_into().ok();
        let computed = entry_hash(index, &e.kind, &e.body, &prev.unwrap_or(GENESIS_PREV));
        // The tree is built from recomputed hashes, so a checkpoint root
        // only matches the entries as they were signed.
        self.tree.push(merkle::leaf_hash(&computed));
        while self.wanted_sizes.last() == Some(&self.tree.size()) {
            self.roots.insert(self.tree.size(), self.tree.root());
            self.wanted_sizes.pop();
        }

        let (Some(prev), Some(stored)) = (prev, stored) else {
            self.problems.push(Problem::EntryMalformed {
                index,
                reason: format!(
                    "its hashes have {} and {} bytes, not 32",
                    e.prev_hash.len(),
                    e.entry_hash.len()
                ),
            });
            self.bad.insert(index);
            self.prev = None;
            return;
        };
        let hash_ok = computed == stored;
        let link_ok = if index == 0 {
            prev == GENESIS_PREV
        } else {
            matches!(self.prev, Some((i, h, _)) if i + 1 == index && h == prev)
        };
        if !hash_ok || !link_ok {
            self.suspects.push(Suspect {
                index,
                kind: e.kind.clone(),
                body: e.body.clone(),
                prev,
                hash_ok,
                stored,
            });
        }
        if !hash_ok {
            self.bad.insert(index);
        }
        self.prev = Some((index, stored, hash_ok));
        self.body(index, &row);
    }

    /// Checks an entry's body and its evidence index row.
    fn body(&mut self, index: u64, row: &JoinedRow) {
        let e = &row.entry;
        let malformed = |reason: String| Problem::EntryMalformed { index, reason };
        if !is_valid_kind(&e.kind) {
            let p = malformed(format!("`{}` is not a valid entry kind", e.kind));
            self.problems.push(p);
        }
        if !is_canonical(&e.body) {
            let p = malformed("its body is not RFC 8785 canonical JSON".into());
            self.problems.push(p);
        }
        match e.kind.as_str() {
            KIND_EVIDENCE => match serde_json::from_slice::<EvidenceItem>(&e.body) {
                Ok(item) => {
                    self.index_row(index, row, &item);
                    self.blob_refs.push(BlobRef {
                        index,
                        digest: item.digest.bytes(),
                        size: Some(item.size),
                    });
                    if let Some(n) = &item.normalized {
                        self.blob_refs.push(BlobRef {
                            index,
                            digest: n.bytes(),
                            size: None,
                        });
                    }
                }
                Err(err) => {
                    let p = malformed(format!("its evidence item cannot be read: {err}"));
                    self.problems.push(p);
                }
            },
            KIND_COLLECTION_FAILURE => {
                if let Err(err) = serde_json::from_slice::<CollectionFailure>(&e.body) {
                    let p = malformed(format!("its collection failure cannot be read: {err}"));
                    self.problems.push(p);
                }
            }
            _ => {}
        }
    }

    /// Compares an evidence entry with its index row.
    fn index_row(&mut self, index: u64, row: &JoinedRow, item: &EvidenceItem) {
        let Some(source) = &row.source else {
            self.problems.push(Problem::IndexMismatch {
                index,
                reason: "it has no evidence index row".into(),
            });
            return;
        };
        let normalized = item.normalized.as_ref().map(ToString::to_string);
        let fields = [
            (
                "source",
                Some(source.as_str()),
                Some(item.provenance.source.as_str()),
            ),
            (
                "origin",
                row.origin.as_deref(),
                Some(item.provenance.origin.as_str()),
            ),
            ("digest", row.digest.as_deref(), Some(item.digest.as_str())),
            (
                "normalized digest",
                row.normalized.as_deref(),
                normalized.as_deref(),
            ),
        ];
        for (field, indexed, recorded) in fields {
            if indexed != recorded {
                self.problems.push(Problem::IndexMismatch {
                    index,
                    reason: format!(
                        "the index has {field} `{}`, the entry `{}`",
                        indexed.unwrap_or("none"),
                        recorded.unwrap_or("none")
                    ),
                });
            }
        }
    }
}

/// Names what happened to each suspect row.
async fn diagnose(store: &Store, scan: &mut Scan) -> Result<()> {
    if scan.suspects.is_empty() {
        return Ok(());
    }
    // Where does each suspect's chain link point?
    let mut pointed: HashMap<Hash, u64> = scan
        .suspects
        .iter()
        .filter(|s| !s.hash_ok)
        .map(|s| (s.prev, u64::MAX))
        .collect();
    if !pointed.is_empty() {
        let mut from = 0i64;
        loop {
            let rows = store.db.entry_hashes(from, i64::MAX, PAGE).await?;
            let Some(last) = rows.last().map(|r| r.0) else {
                break;
            };
            for (idx, hash) in rows {
                if let (Ok(h), Ok(i)) = (<Hash>::try_from(hash.as_slice()), u64::try_from(idx))
                    && let Some(slot) = pointed.get_mut(&h)
                    && *slot == u64::MAX
                {
                    *slot = i;
                }
            }
            from = last.saturating_add(1);
            if last == i64::MAX {
                break;
            }
        }
    }

    // Hash failures: moved (the hash matches another position) or altered.
    let mut moved: BTreeMap<u64, u64> = BTreeMap::new();
    for s in scan.suspects.iter().filter(|s| !s.hash_ok) {
        let mut candidates = Vec::new();
        if let Some(&j) = pointed.get(&s.prev)
            && j != u64::MAX
        {
            candidates.push(j + 1);
        }
        if s.prev == GENESIS_PREV {
            candidates.push(0);
        }
        let lo = s.index.saturating_sub(MOVE_WINDOW);
        candidates.extend((lo..=s.index.saturating_add(MOVE_WINDOW)).filter(|&c| c != s.index));
        let found = candidates
            .into_iter()
            .find(|&c| c != s.index && entry_hash(c, &s.kind, &s.body, &s.prev) == s.stored);
        match found {
            Some(written_at) => {
                moved.insert(s.index, written_at);
            }
            None => scan.problems.push(Problem::EntryAltered { index: s.index }),
        }
    }
    let last = scan.last_idx.unwrap_or(0);
    let offset = |i: u64| moved.get(&i).map(|&w| w as i128 - i as i128);
    for (&index, &written_at) in &moved {
        scan.problems
            .push(Problem::EntryMoved { index, written_at });
        let d = written_at as i128 - index as i128;
        // The start of a run of entries all shifted by the same amount up
        // to the end of the ledger: an insertion or a deletion before it.
        let run_start = index == 0 || offset(index - 1).is_none();
        let run_goes_on = index == last || offset(index + 1) == Some(d);
        if run_start && run_goes_on {
            if d == -1 && index > 0 && !scan.bad.contains(&(index - 1)) {
                scan.problems
                    .push(Problem::EntryInserted { index: index - 1 });
            } else if d > 0 {
                scan.problems.push(Problem::EntriesMissing {
                    from: index,
                    to: written_at - 1,
                });
            }
        }
    }

    // Link failures of rows that match their hashes: reported unless
    // explained by a problem of the row before (missing, altered, moved).
    let explained = |i: u64| scan.bad.contains(&i) || moved.contains_key(&i);
    let mut broken = Vec::new();
    for s in scan.suspects.iter().filter(|s| s.hash_ok) {
        if moved.contains_key(&s.index) {
            continue;
        }
        let before = s.index.checked_sub(1);
        let before_ok = match before {
            None => true,
            Some(b) => scan_row_present(scan, b) && !explained(b),
        };
        if before_ok {
            broken.push(Problem::ChainBroken { index: s.index });
        }
    }
    scan.problems.extend(broken);
    Ok(())
}

/// Whether the row at `index` was read (not inside a reported gap).
fn scan_row_present(scan: &Scan, index: u64) -> bool {
    !scan.problems.iter().any(
        |p| matches!(p, Problem::EntriesMissing { from, to } if *from <= index && index <= *to),
    )
}

/// Hashes each distinct referenced blob once, in parallel, and reports
/// problems per referring entry. Returns (blobs hashed, bytes hashed).
async fn check_blobs(
    blobs: &BlobStore,
    refs: &[BlobRef],
    problems: &mut Vec<Problem>,
) -> Result<(u64, u64)> {
    let mut digests: Vec<Hash> = refs.iter().map(|r| r.digest).collect();
    digests.sort_unstable();
    digests.dedup();
    let blobs = blobs.clone();
    let (digests, statuses) = tokio::task::spawn_blocking(move || {
        let statuses = hash_blobs(&blobs, &digests);
        (digests, statuses)
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?;
    let statuses = statuses?;

    let mut bytes = 0;
    for status in &statuses {
        if let BlobStatus::Present { size, .. } = status {
            bytes += size;
        }
    }
    for r in refs {
        let Ok(pos) = digests.binary_search(&r.digest) else {
            continue;
        };
        let digest = ContentHash::from_bytes(r.digest);
        match &statuses[pos] {
            BlobStatus::Missing => problems.push(Problem::BlobMissing {
                index: r.index,
                digest,
            }),
            BlobStatus::Unreadable(error) => problems.push(Problem::BlobUnreadable {
                index: r.index,
                digest,
                error: error.clone(),
            }),
            BlobStatus::Present { actual, .. } if *actual != r.digest => {
                problems.push(Problem::BlobAltered {
                    index: r.index,
                    digest,
                    actual: ContentHash::from_bytes(*actual),
                });
            }
            BlobStatus::Present { size, .. } => {
                if let Some(recorded) = r.size
                    && recorded != *size
                {
                    problems.push(Problem::SizeMismatch {
                        index: r.index,
                        recorded,
                        actual: *size,
                    });
                }
            }
        }
    }
    Ok((digests.len() as u64, bytes))
}

/// Hashes the blobs named by `digests` on all cores.
fn hash_blobs(blobs: &BlobStore, digests: &[Hash]) -> Result<Vec<BlobStatus>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(digests.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, BlobStatus)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut buf = vec![0u8; VERIFY_CHUNK];
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(digest) = digests.get(i) else {
                            break;
                        };
                        out.push((i, hash_blob(blobs, digest, &mut buf)));
                    }
                    out
                })
            })
            .collect();
        let mut all = Vec::with_capacity(digests.len());
        for h in handles {
            match h.join() {
                Ok(part) => all.extend(part),
                Err(_) => return Err(StoreError::Task("a blob hashing thread panicked".into())),
            }
        }
        Ok(all)
    })?;
    results.sort_unstable_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, s)| s).collect())
}

fn hash_blob(blobs: &BlobStore, digest: &Hash, buf: &mut [u8]) -> BlobStatus {
    let path = blobs.path(&ContentHash::from_bytes(*digest));
    let mut file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return BlobStatus::Missing,
        Err(e) => return BlobStatus::Unreadable(e.to_string()),
    };
    match hash_reader(&mut file, buf) {
        Ok((actual, size)) => BlobStatus::Present { actual, size },
        Err(e) => BlobStatus::Unreadable(e.to_string()),
    }
}
