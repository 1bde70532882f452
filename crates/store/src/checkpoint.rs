//! Signed checkpoints: the ledger's size and RFC 6962 root at a moment,
//! signed with ed25519 over a fixed text message (`FORMAT.md`):
//!
//! ```text
//! evident-checkpoint-v1\n{size}\n{root, 64 lowercase hex}\n{signed_at, RFC 3339 UTC}\n
//! ```

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use evident_model::evidence::Timestamp;

use crate::hex;
use crate::merkle::Hash;

/// The first line of every checkpoint message.
pub const CHECKPOINT_DOMAIN: &str = "evident-checkpoint-v1";

/// A signed statement of the ledger's first `size` entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The number of entries covered (entries `0..size`).
    pub size: u64,
    /// The RFC 6962 Merkle tree hash over their leaves.
    pub root: Hash,
    /// When it was signed (whole seconds, UTC).
    pub signed_at: Timestamp,
    /// The ed25519 public key that signed it.
    pub public_key: [u8; 32],
    /// The ed25519 signature over [`Checkpoint::message`].
    pub signature: [u8; 64],
}

/// The exact bytes a checkpoint's signature covers.
pub fn checkpoint_message(size: u64, root: &Hash, signed_at: &Timestamp) -> String {
    format!(
        "{CHECKPOINT_DOMAIN}\n{size}\n{}\n{signed_at}\n",
        hex::encode(root)
    )
}

impl Checkpoint {
    /// Signs the root of the first `size` entries with `key`.
    pub(crate) fn sign(
        key: &SigningKey,
        size: u64,
        root: Hash,
        signed_at: Timestamp,
    ) -> Result<Self, ed25519_dalek::SignatureError> {
        let signed_at = Timestamp::from_second(signed_at.as_second()).unwrap_or(signed_at);
        let message = checkpoint_message(size, &root, &signed_at);
        let signature = key.try_sign(message.as_bytes())?;
        Ok(Self {
            size,
            root,
            signed_at,
            public_key: key.verifying_key().to_bytes(),
            signature: signature.to_bytes(),
        })
    }

    /// The message the signature covers.
    pub fn message(&self) -> String {
        checkpoint_message(self.size, &self.root, &self.signed_at)
    }

    /// Whether the signature is a valid (strict RFC 8032) ed25519 signature
    /// of the message by `public_key`. Whether that key is trusted is the
    /// caller's question.
    pub fn signature_is_valid(&self) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(&self.public_key) else {
            return false;
        };
        key.verify_strict(
            self.message().as_bytes(),
            &Signature::from_bytes(&self.signature),
        )
        .is_ok()
    }

    /// The root as 64 hex digits.
    pub fn root_hex(&self) -> String {
        hex::encode(&self.root)
    }

    /// The public key as 64 hex digits.
    pub fn public_key_hex(&self) -> String {
        hex::encode(&self.public_key)
    }

    /// The signature as 128 hex digits.
    pub fn signature_hex(&self) -> String {
        hex::encode(&self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_is_the_documented_text() {
        let at: Timestamp = "2026-01-02T03:04:05Z".parse().unwrap();
        assert_eq!(
            checkpoint_message(3, &[0xab; 32], &at),
            format!(
                "evident-checkpoint-v1\n3\n{}\n2026-01-02T03:04:05Z\n",
                "ab".repeat(32)
            )
        );
    }

    #[test]
    fn signs_and_detects_any_change() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let at: Timestamp = "2026-01-02T03:04:05.678Z".parse().unwrap();
        let cp = Checkpoint::sign(&key, 10, [1; 32], at).unwrap();
        assert_eq!(cp.signed_at.to_string(), "2026-01-02T03:04:05Z");
        assert!(cp.signature_is_valid());
        for tamper in [
            |c: &mut Checkpoint| c.size += 1,
            |c: &mut Checkpoint| c.root[0] ^= 1,
            |c: &mut Checkpoint| c.signature[5] ^= 1,
            |c: &mut Checkpoint| {
                c.signed_at = "2026-01-02T03:04:06Z".parse().unwrap();
            },
            |c: &mut Checkpoint| {
                c.public_key = SigningKey::from_bytes(&[8; 32]).verifying_key().to_bytes()
            },
        ] {
            let mut bad = cp.clone();
            tamper(&mut bad);
            assert!(!bad.signature_is_valid());
        }
    }
}
