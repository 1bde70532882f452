//! What callers hand to the store and get back from it.

use evident_model::check::CheckResult;
use evident_model::evidence::{
    CollectionFailure, EvidenceItem, ObservedPeriod, Provenance, Timestamp,
};

use crate::blob::BlobSource;

/// An evidence item to record, less what the store computes (digests, size).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvidence {
    /// IANA media type of the artefact.
    pub media_type: String,
    /// The detected format, when a parser recognised it.
    pub format: Option<String>,
    /// How it was produced.
    pub provenance: Provenance,
    /// When the observed state was true.
    pub observed: ObservedPeriod,
    /// When it was taken.
    pub collected_at: Timestamp,
}

/// One evidence item of a batch for
/// [`Store::add_evidence_batch`](crate::Store::add_evidence_batch).
#[derive(Clone, Debug)]
pub struct NewItem {
    /// The artefact's bytes.
    pub content: BlobSource,
    /// Its normalised JSON document, when a normaliser produced one.
    pub normalized: Option<Vec<u8>>,
    /// What to record about it.
    pub meta: NewEvidence,
}

/// The outcome of [`Store::add_evidence`](crate::Store::add_evidence), or
/// of one item of [`Store::add_evidence_batch`](crate::Store::add_evidence_batch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    /// The entry's position in the ledger.
    pub index: u64,
    /// The item as recorded.
    pub item: EvidenceItem,
    /// Whether the artefact's bytes were new to the blob store (in a
    /// batch: only for the first item with those bytes).
    pub new_blob: bool,
    /// Whether the artefact has the same digest as the previous item with
    /// the same source and origin (nothing changed since the last
    /// collection), that item being earlier in the ledger or earlier in
    /// the same batch.
    pub unchanged: bool,
}

/// An evidence item and its ledger position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvidence {
    /// The entry's position in the ledger.
    pub index: u64,
    /// The item.
    pub item: EvidenceItem,
}

/// A failed collection and its ledger position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFailure {
    /// The entry's position in the ledger.
    pub index: u64,
    /// The failure.
    pub failure: CollectionFailure,
}

/// A check result and its ledger position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResult {
    /// The entry's position in the ledger.
    pub index: u64,
    /// The result.
    pub result: CheckResult,
}

/// Which evidence items to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvidenceFilter<'a> {
    /// Only items of this source (`sources.yaml` name).
    pub source: Option<&'a str>,
}
