//! What signs: anything holding an ed25519 key. The binary plugs the evidence
//! store in (one key for checkpoints and attestations); tests use a bare key.

use ed25519_dalek::SigningKey;
use evident_model::hex::encode as hex;
use sha2::{Digest, Sha256};

/// An ed25519 key that signs: its public half and pure Ed25519 (RFC 8032)
/// signatures over arbitrary bytes.
pub trait Signer {
    /// The 32-byte ed25519 public key.
    fn public_key(&self) -> [u8; 32];
    /// The 64-byte ed25519 signature of `message`.
    fn sign_bytes(&self, message: &[u8]) -> [u8; 64];
}

impl Signer for SigningKey {
    fn public_key(&self) -> [u8; 32] {
        self.verifying_key().to_bytes()
    }

    fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        ed25519_dalek::Signer::sign(self, message).to_bytes()
    }
}

/// The key id written into envelopes: securesystemslib's default key id,
/// sha256 (hex) over the canonical JSON
/// `{"keytype":"ed25519","keyval":{"public":"<hex>"},"scheme":"ed25519"}`.
/// It is what compliance-trestle writes for the same key, so envelopes from
/// either tool name a key the same way. It is a hint, not a check: neither
/// trestle nor [`verify`](crate::verify) trusts it.
pub fn keyid(public_key: &[u8; 32]) -> String {
    // Lowercase hex has nothing to escape, so the canonical form is this
    // fixed text (OLPC canonical JSON and RFC 8785 agree on it).
    let text = format!(
        r#"{{"keytype":"ed25519","keyval":{{"public":"{}"}},"scheme":"ed25519"}}"#,
        hex(public_key)
    );
    hex(&Sha256::digest(text.as_bytes()))
}
