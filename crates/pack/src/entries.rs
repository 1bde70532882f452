//! One line of `ledger/entries.jsonl`: a ledger entry exactly as the store
//! hashed it, and its inclusion proof against the pack's checkpoint.

use serde::{Deserialize, Serialize};

use crate::hex::Hex;

/// A ledger entry and its audit path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackedEntry {
    /// Its ledger position.
    pub index: u64,
    /// Its kind (`evidence`, `result`).
    pub kind: String,
    /// Its body: the canonical JSON bytes the entry hash covers, as a JSON
    /// string (canonical JSON is UTF-8, so the string's bytes are exactly
    /// the body's).
    pub body: String,
    /// The previous entry's hash.
    pub prev_hash: Hex<32>,
    /// Its hash, as recorded.
    pub entry_hash: Hex<32>,
    /// The RFC 6962 audit path of its leaf in the checkpoint's tree,
    /// nearest sibling first.
    pub proof: Vec<Hex<32>>,
}
