//! The manifest (`manifest.json`): what the pack holds and why, row by
//! row, in a form an auditor can read and a program can check against the
//! ledger entries (`PACK.md`, "Manifest").
//!
//! Every evidence and result row repeats what its ledger entry says; the
//! entry is authoritative (it is covered by the signed checkpoint), the
//! row is for reading, and `verify` holds the two to each other. What no
//! entry says (the period, the documents, the populations, the sample) is
//! covered by the store key's signature over the manifest's digest
//! (`manifest.sig`).

use evident_model::check::Outcome;
use evident_model::evidence::{ObservedPeriod, Timestamp};
use evident_model::hash::ContentHash;
use serde::{Deserialize, Serialize};

use crate::hex::{self, Hex};

/// The value of [`Manifest::format`].
pub const FORMAT: &str = "evident-audit-pack";

/// The value of [`Manifest::format_version`] this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The first line of the message `manifest.sig` signs.
pub const MANIFEST_SIGNATURE_DOMAIN: &str = "evident-pack-manifest-v1";

/// The exact bytes the manifest signature covers: the domain line and the
/// manifest's sha256 in hex, each ending in a newline. The digest, not the
/// manifest itself, is signed so that signing and checking stream.
pub fn manifest_signature_message(manifest_sha256: &[u8; 32]) -> String {
    format!(
        "{MANIFEST_SIGNATURE_DOMAIN}\n{}\n",
        hex::encode(manifest_sha256)
    )
}

/// The manifest of a pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The audit period.
    pub period: Period,
    /// When the pack was built (the caller's clock).
    pub generated_at: Timestamp,
    /// The store's ed25519 public key.
    pub public_key: Hex<32>,
    /// The signed checkpoint every included entry is proven against.
    pub checkpoint: CheckpointRecord,
    /// Every evidence item of the period, in ledger order.
    pub evidence: Vec<EvidenceRow>,
    /// Every check result of the period, in ledger order.
    pub results: Vec<ResultRow>,
    /// The documents passed in (reports), in the order given.
    pub documents: Vec<DocumentRow>,
    /// How samples were drawn, when they were.
    pub sampling: Option<Sampling>,
    /// For each control, the complete population of its evidence in the
    /// period (and its sample).
    pub populations: Vec<Population>,
}

/// The audit period: both ends inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// The first instant of the period.
    pub from: Timestamp,
    /// The last instant of the period.
    pub to: Timestamp,
}

/// A signed checkpoint, as `FORMAT.md` of the store defines it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRecord {
    /// The number of entries covered (entries `0..size`).
    pub size: u64,
    /// The RFC 6962 root of their leaves.
    pub root: Hex<32>,
    /// When it was signed (whole seconds, UTC).
    pub signed_at: Timestamp,
    /// The key that signed it.
    pub public_key: Hex<32>,
    /// The ed25519 signature over the checkpoint message.
    pub signature: Hex<64>,
}

impl CheckpointRecord {
    /// The store's checkpoint this record states.
    pub fn to_checkpoint(&self) -> evident_store::Checkpoint {
        evident_store::Checkpoint {
            size: self.size,
            root: self.root.0,
            signed_at: self.signed_at,
            public_key: self.public_key.0,
            signature: self.signature.0,
        }
    }

    /// The record of a store checkpoint.
    pub fn of(cp: &evident_store::Checkpoint) -> Self {
        Self {
            size: cp.size,
            root: Hex(cp.root),
            signed_at: cp.signed_at,
            public_key: Hex(cp.public_key),
            signature: Hex(cp.signature),
        }
    }
}

/// One evidence item of the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRow {
    /// The entry's ledger position.
    pub index: u64,
    /// The entry's hash.
    pub entry_hash: Hex<32>,
    /// sha256 of the artefact (its blob).
    pub digest: ContentHash,
    /// sha256 of the normalised document (its blob), if any.
    pub normalized: Option<ContentHash>,
    /// The artefact's length in bytes.
    pub size: u64,
    /// IANA media type of the artefact.
    pub media_type: String,
    /// The detected format, if any.
    pub format: Option<String>,
    /// The source (`sources.yaml` name).
    pub source: String,
    /// What was read.
    pub origin: String,
    /// When the observed state was true.
    pub observed: ObservedPeriod,
    /// When it was taken.
    pub collected_at: Timestamp,
}

/// One check result of the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultRow {
    /// The entry's ledger position.
    pub index: u64,
    /// The entry's hash.
    pub entry_hash: Hex<32>,
    /// The check's id.
    pub check: String,
    /// The source whose evidence was judged.
    pub source: String,
    /// pass, fail or error.
    pub outcome: Outcome,
    /// The time the check was evaluated as of.
    pub evaluated_at: Timestamp,
}

/// One document passed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRow {
    /// Its path, relative to `documents/` in the pack.
    pub path: String,
    /// IANA media type.
    pub media_type: String,
    /// Its length in bytes.
    pub size: u64,
    /// sha256 of its bytes.
    pub sha256: ContentHash,
}

/// How the samples were drawn (`PACK.md`, "Sampling").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sampling {
    /// The method's name: [`crate::sample::METHOD`].
    pub method: String,
    /// The seed.
    pub seed: u64,
    /// The sample size asked for, per control.
    pub size: usize,
}

/// A control's population of evidence in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// The control's id.
    pub control: String,
    /// The sources it takes evidence from.
    pub sources: Vec<String>,
    /// The ledger indexes of every evidence item of those sources in the
    /// period, ascending.
    pub items: Vec<u64>,
    /// The sample drawn from `items`, in draw order, when sampling.
    pub sample: Option<Vec<u64>>,
}
