//! The audit pack: one archive holding a period's evidence, the ledger
//! entries that record it, a signed checkpoint covering them, an RFC 6962
//! inclusion proof for every entry, the store's public key, the reports,
//! and each control's complete population of evidence (and a reproducible
//! sample) — checkable offline, without the store.
//!
//! - [`build`] writes a pack of a [`BuildOptions`] period from a
//!   [`Store`](evident_store::Store), streaming: entries a page at a time,
//!   blobs straight from the blob store, into a temporary file renamed into
//!   place once durable.
//! - [`verify`] reads a pack member by member, never extracting it, and
//!   returns a [`PackReport`] naming every problem ([`Problem`], by
//!   [`Item`]), or the [`Refusal`] of a hostile or malformed archive.
//!   [`PackError`] is only for files that cannot be read or written.
//!
//! The format (layout, manifest, sampling, what is checked and refused) is
//! specified in `PACK.md` beside this crate's manifest; the ledger
//! encodings it relies on are the store's `FORMAT.md`, and this crate
//! reuses the store's code for them ([`evident_store::entry_hash`],
//! [`evident_store::verify_inclusion`], [`evident_store::Checkpoint`]).
//!
//! **Invariant:** `verify` holds nothing in memory proportional to blob
//! sizes, and never writes to disk.

#![deny(missing_docs)]

mod atomic;
mod build;
mod entries;
mod error;
pub mod hex;
pub mod layout;
pub mod manifest;
mod options;
pub mod period;
mod report;
pub mod sample;
mod tarball;
mod verify;

pub use build::build;
pub use entries::PackedEntry;
pub use error::PackError;
pub use options::{BuildOptions, BuildSummary, ControlSources, Document, Sample};
pub use report::{Item, PackReport, Problem, Refusal, RefusalReason};
pub use verify::{
    INFLATE_SLACK, MAX_BLOB, MAX_DOCUMENT, MAX_ENTRIES, MAX_INFLATE_RATIO, MAX_INFLATED, MAX_LINE,
    MAX_MANIFEST, MAX_SMALL, verify,
};
