//! The evidence store of evident: content-addressed blobs and a
//! tamper-evident, signed ledger, on embedded SQLite or PostgreSQL.
//!
//! - **Blobs** ([`BlobSource`]): every artefact (and its normalised JSON
//!   document) is stored once, named by the sha256 of its bytes
//!   (`blobs/ab/cdef…`), written atomically and streamed in chunks, a
//!   batch at a time: hashed and copied on all cores, then made durable
//!   with one `syncfs(2)` before the renames into place and one after
//!   (where the file system honours it; otherwise an fsync per file and
//!   folder).
//! - **Evidence** ([`Store::add_evidence_batch`], [`NewItem`]): a batch of
//!   items is recorded as consecutive ledger entries in one transaction,
//!   committed once all its blobs are durable; [`Store::add_evidence`] is
//!   a batch of one.
//! - **Ledger** ([`LedgerEntry`]): an append-only list of entries — evidence
//!   items, failed collections, and later kinds (check results, decisions)
//!   through [`Store::append`]. Each entry's body is RFC 8785 canonical JSON;
//!   each entry hash covers its index, kind, body and the previous entry's
//!   hash ([`entry_hash`]), so the entries form a chain.
//! - **Checkpoints** ([`Checkpoint`]): the RFC 6962 Merkle root of the first
//!   `size` entries, signed with the store's ed25519 key, at every multiple
//!   of [`StoreConfig::checkpoint_every`] entries (each one a batch
//!   passes) and whenever the caller asks (at the end of each `collect`). [`Store::inclusion_proof`] and
//!   [`verify_inclusion`] prove that an entry is covered.
//! - **Verification** ([`Store::verify`]): recomputes every blob digest,
//!   entry hash, chain link, Merkle root and signature, and names each
//!   [`Problem`].
//!
//! The exact encodings are specified in `FORMAT.md` beside this crate's
//! manifest, so that any other tool can recompute them:
//!
//! ```text
//! entry_hash = SHA-256("evident-ledger-entry-v1\n" || u64_be(index)
//!                      || u32_be(len(kind)) || kind || u64_be(len(body)) || body
//!                      || prev_hash)                 (prev_hash of entry 0: 32 zero bytes)
//! leaf       = SHA-256(0x00 || entry_hash)           (RFC 6962 leaf)
//! node       = SHA-256(0x01 || left || right)        (RFC 6962 node)
//! checkpoint = ed25519 over "evident-checkpoint-v1\n{size}\n{root hex}\n{signed_at RFC 3339}\n"
//! ```
//!
//! **Architecture invariant:** only this crate writes the ledger, and only
//! by appending; no code path updates or deletes an entry, an index row or
//! a checkpoint (the schema's triggers refuse it too).
//!
//! **Architecture invariant:** every append — one entry, or a whole batch
//! of evidence items — is one database transaction, committed only after
//! all its blobs are durable and serialised across processes by the
//! database's write lock, so a crash leaves an entry (a batch: every entry
//! of it) fully recorded or absent, a batch's entries are consecutive, and
//! concurrent writers never fork the chain.
//!
//! What the ledger cannot show: entries appended after the last checkpoint
//! are chained but not signed, so someone able to write the database could
//! rewrite or remove that tail (recomputing its hashes) without a trace.
//! Checkpoint often; [`VerifyReport::signed_size`] says how far the
//! signatures reach.

#![deny(missing_docs)]

mod blob;
mod checkpoint;
mod config;
mod db;
mod entry;
mod error;
mod export;
use evident_model::hex;
mod key;
pub mod merkle;
mod records;
mod store;
mod verify;

#[cfg(test)]
mod vectors;

pub use blob::BlobSource;
pub use checkpoint::{CHECKPOINT_DOMAIN, Checkpoint, checkpoint_message};
pub use config::{
    BLOB_DIR, Backend, DEFAULT_CHECKPOINT_EVERY, DEFAULT_DIR, KEY_FILE, LOCK_FILE, SQLITE_FILE,
    StoreConfig,
};
pub use entry::{
    ENTRY_DOMAIN, GENESIS_PREV, KIND_COLLECTION_FAILURE, KIND_EVIDENCE, KIND_RESULT, LedgerEntry,
    entry_hash,
};
pub use error::{Result, StoreError};
pub use merkle::{Hash, verify_inclusion};
pub use records::{
    Added, EvidenceFilter, NewEvidence, NewItem, StoredEvidence, StoredFailure, StoredResult,
};
pub use store::Store;
pub use verify::{Problem, VerifyReport};
