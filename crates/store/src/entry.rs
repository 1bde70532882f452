//! Ledger entries and the exact encoding of their hashes (`FORMAT.md`).
//!
//! ```text
//! entry_hash = SHA-256( "evident-ledger-entry-v1\n"
//!                       || u64_be(index)
//!                       || u32_be(len(kind)) || kind
//!                       || u64_be(len(body)) || body
//!                       || prev_hash )
//! ```
//!
//! `prev_hash` is the previous entry's `entry_hash`, or 32 zero bytes for
//! entry 0; `body` is the RFC 8785 (JCS) canonical JSON of the record.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::merkle::{self, Hash};

/// The domain-separation prefix of every entry hash.
pub const ENTRY_DOMAIN: &[u8] = b"evident-ledger-entry-v1\n";

/// The `prev_hash` of entry 0.
pub const GENESIS_PREV: Hash = [0; 32];

/// The kind of an evidence item's entry (body: an `EvidenceItem`).
pub const KIND_EVIDENCE: &str = "evidence";

/// The kind of a failed collection's entry (body: a `CollectionFailure`).
pub const KIND_COLLECTION_FAILURE: &str = "collection-failure";

/// The kind of check result entries (body: a `CheckResult`).
pub const KIND_RESULT: &str = "result";

/// The longest entry kind accepted.
pub const MAX_KIND_LEN: usize = 64;

/// The hash of the entry at `index` with `kind`, canonical `body` and the
/// previous entry's hash.
pub fn entry_hash(index: u64, kind: &str, body: &[u8], prev_hash: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(ENTRY_DOMAIN);
    h.update(index.to_be_bytes());
    // Kinds are at most MAX_KIND_LEN bytes when written; a longer one read
    // back from a tampered row still hashes deterministically.
    h.update(u32::try_from(kind.len()).unwrap_or(u32::MAX).to_be_bytes());
    h.update(kind.as_bytes());
    h.update((body.len() as u64).to_be_bytes());
    h.update(body);
    h.update(prev_hash);
    h.finalize().into()
}

/// Whether `kind` is a well-formed entry kind: 1 to 64 bytes of lowercase
/// ASCII letters, digits and `-`, starting with a letter.
pub fn is_valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= MAX_KIND_LEN
        && kind.as_bytes()[0].is_ascii_lowercase()
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The RFC 8785 canonical JSON bytes of a value.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_jcs::to_vec(value)
}

/// Whether `body` is exactly the canonical JSON form of the value it encodes.
pub fn is_canonical(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| canonical_json(&v).ok())
        .is_some_and(|c| c == body)
}

/// One ledger entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    /// Position in the ledger, from 0, contiguous.
    pub index: u64,
    /// What the body records (`evidence`, `collection-failure`, …).
    pub kind: String,
    /// The record as RFC 8785 canonical JSON.
    pub body: Vec<u8>,
    /// The previous entry's hash (zeros for entry 0).
    pub prev_hash: Hash,
    /// This entry's hash, as recorded.
    pub entry_hash: Hash,
}

impl LedgerEntry {
    /// The entry hash recomputed from the entry's contents.
    pub fn computed_hash(&self) -> Hash {
        entry_hash(self.index, &self.kind, &self.body, &self.prev_hash)
    }

    /// The Merkle leaf hash of this entry: `SHA-256(0x00 || entry_hash)`.
    pub fn leaf_hash(&self) -> Hash {
        merkle::leaf_hash(&self.entry_hash)
    }

    /// The body parsed as JSON.
    pub fn body_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn entry_hash_is_the_documented_encoding() {
        // Recomputed by hand from FORMAT.md.
        let body = br#"{"a":1}"#;
        let mut input = Vec::new();
        input.extend_from_slice(b"evident-ledger-entry-v1\n");
        input.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 7]);
        input.extend_from_slice(&[0, 0, 0, 8]);
        input.extend_from_slice(b"evidence");
        input.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 7]);
        input.extend_from_slice(body);
        input.extend_from_slice(&[0xab; 32]);
        let want: Hash = Sha256::digest(&input).into();
        assert_eq!(entry_hash(7, "evidence", body, &[0xab; 32]), want);
        // A fixed vector, so the encoding cannot drift silently.
        assert_eq!(
            hex::encode(&entry_hash(0, "evidence", b"{}", &GENESIS_PREV)),
            hex::encode(&<[u8; 32]>::from(Sha256::digest(
                [
                    &b"evident-ledger-entry-v1\n"[..],
                    &[0; 8],
                    &[0, 0, 0, 8],
                    b"evidence",
                    &[0, 0, 0, 0, 0, 0, 0, 2],
                    b"{}",
                    &[0; 32],
                ]
                .concat()
            )))
        );
    }

    #[test]
    fn every_field_is_bound() {
        let base = entry_hash(1, "evidence", b"{}", &GENESIS_PREV);
        assert_ne!(base, entry_hash(2, "evidence", b"{}", &GENESIS_PREV));
        assert_ne!(base, entry_hash(1, "evidencf", b"{}", &GENESIS_PREV));
        assert_ne!(base, entry_hash(1, "evidence", b"[]", &GENESIS_PREV));
        assert_ne!(base, entry_hash(1, "evidence", b"{}", &[1; 32]));
        // Length prefixes: moving a byte between kind and body changes the hash.
        assert_ne!(
            entry_hash(1, "ab", b"c", &GENESIS_PREV),
            entry_hash(1, "a", b"bc", &GENESIS_PREV)
        );
    }

    #[test]
    fn kinds() {
        for ok in ["evidence", "collection-failure", "check-result", "a1"] {
            assert!(is_valid_kind(ok), "{ok}");
        }
        for bad in ["", "Evidence", "1a", "-a", "a b", "a_b", &"a".repeat(65)] {
            assert!(!is_valid_kind(bad), "{bad}");
        }
    }

    #[test]
    fn canonical_bodies() {
        assert!(is_canonical(br#"{"a":[1,2],"b":"x"}"#));
        assert!(!is_canonical(br#"{"b":"x","a":[1,2]}"#));
        assert!(!is_canonical(br#"{"a": 1}"#));
        assert!(!is_canonical(b"not json"));
    }
}
