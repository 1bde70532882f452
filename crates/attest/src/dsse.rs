//! DSSE v1 envelopes (<https://github.com/secure-systems-lab/dsse>): the
//! pre-authentication encoding, sealing a payload, and opening an envelope
//! with a public key. Written on ed25519-dalek directly: the signature is
//! over PAE(type, body), never over the base64 text.

use base64::Engine as _;
use base64::engine::general_purpose::{
    STANDARD, STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT,
};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::error::AttestError;
use crate::signer::{Signer, keyid};

/// At most this many signatures are tried, as trestle does: an envelope
/// with more is refused rather than costing one verification each.
pub const MAX_SIGNATURES: usize = 16;

/// A DSSE v1 envelope, as JSON: `{payload, payloadType, signatures}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The payload, base64 (written standard with padding, as trestle does).
    pub payload: String,
    /// What the payload is (`application/vnd.in-toto+json`).
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// One entry per signer.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// Which key signed (a hint; DSSE makes it optional).
    #[serde(default)]
    pub keyid: String,
    /// The signature over PAE(payloadType, payload), base64.
    pub sig: String,
}

impl Envelope {
    /// The envelope as pretty JSON with a final newline, keys in the order
    /// trestle writes them (which is also sorted order).
    pub fn to_json(&self) -> Result<Vec<u8>, AttestError> {
        let mut out =
            serde_json::to_vec_pretty(self).map_err(|e| AttestError::Encode(e.to_string()))?;
        out.push(b'\n');
        Ok(out)
    }
}

/// The DSSE pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN being the byte
/// length in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Signs `payload` of `payload_type` into a one-signature envelope.
pub(crate) fn seal(
    payload_type: &str,
    payload: &[u8],
    signer: &(impl Signer + ?Sized),
) -> Envelope {
    let sig = signer.sign_bytes(&pae(payload_type, payload));
    Envelope {
        payload: STANDARD.encode(payload),
        payload_type: payload_type.to_string(),
        signatures: vec![EnvelopeSignature {
            keyid: keyid(&signer.public_key()),
            sig: STANDARD.encode(sig),
        }],
    }
}

/// A payload whose signature checked out, and the key id of that signature.
pub(crate) struct Opened {
    pub payload: Vec<u8>,
    pub keyid: String,
}

/// Reads an envelope from any bytes and checks that one of its signatures
/// verifies (strict ed25519) with `public_key` over PAE of `expected_type`.
pub(crate) fn open(
    envelope: &[u8],
    expected_type: &str,
    public_key: &[u8; 32],
) -> Result<Opened, AttestError> {
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| AttestError::PublicKey)?;
    let envelope: Envelope =
        serde_json::from_slice(envelope).map_err(|e| AttestError::Envelope(e.to_string()))?;
    if envelope.payload_type != expected_type {
        return Err(AttestError::PayloadType(envelope.payload_type));
    }
    if envelope.signatures.is_empty() {
        return Err(AttestError::NoSignatures);
    }
    if envelope.signatures.len() > MAX_SIGNATURES {
        return Err(AttestError::TooManySignatures(envelope.signatures.len()));
    }
    let payload = decode(&envelope.payload).ok_or(AttestError::Base64)?;
    let message = pae(&envelope.payload_type, &payload);
    // Like trestle, a malformed entry only fails itself: another signer's
    // entry may be in a form we do not read.
    for entry in &envelope.signatures {
        let Some(sig) = decode(&entry.sig).and_then(|s| <[u8; 64]>::try_from(s).ok()) else {
            continue;
        };
        if key
            .verify_strict(&message, &Signature::from_bytes(&sig))
            .is_ok()
        {
            return Ok(Opened {
                payload,
                keyid: entry.keyid.clone(),
            });
        }
    }
    Err(AttestError::BadSignature {
        keyids: envelope.signatures.into_iter().map(|s| s.keyid).collect(),
    })
}

/// Base64 as DSSE allows it: the standard or the URL-safe alphabet, padded
/// or not (trestle writes standard with padding and reads both).
fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD_PAD_INDIFFERENT
        .decode(text)
        .or_else(|_| URL_SAFE_PAD_INDIFFERENT.decode(text))
        .ok()
}
