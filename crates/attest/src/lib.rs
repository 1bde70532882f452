//! Signed attestations: in-toto Statement v1 in DSSE envelopes, signed with
//! ed25519, interoperable with compliance-trestle's `sign` and `verify`.
//!
//! An attestation says something about an artefact, bound to it by digest,
//! and is signed so anyone holding the public key can check it without
//! evident: an evidence item's provenance ([`evidence_statement`]), a check
//! result ([`result_statement`]), or a plain JSON file the way `trestle
//! sign` does ([`file_statement`]). [`sign`] seals a statement into an
//! [`Envelope`]; [`verify`] opens one from any bytes; [`verify_subject`]
//! checks that an artefact is the one a statement is about. The formats and
//! predicates are described in `ATTESTATIONS.md`.
//!
//! The key is anything implementing [`Signer`]: the evidence store (one key
//! for ledger checkpoints and attestations) or an `ed25519_dalek::SigningKey`.

#![deny(missing_docs)]

mod digest;
mod dsse;
mod error;
mod pem;
mod predicate;
mod signer;
mod statement;

pub use digest::{ArtefactDigest, DigestSource, artefact_digest, canonical_json};
pub use dsse::{Envelope, EnvelopeSignature, MAX_SIGNATURES, pae};
pub use ed25519_dalek::SigningKey;
pub use error::AttestError;
pub use pem::{public_key_from_pem, public_key_to_pem, signing_key_from_pkcs8_pem};
pub use predicate::{
    EVIDENCE_PREDICATE_TYPE, RESULT_PREDICATE_TYPE, TRESTLE_PREDICATE_TYPE, evidence_statement,
    file_statement, result_statement,
};
pub use signer::{Signer, keyid};
pub use statement::{STATEMENT_TYPE, Statement, Subject, verify_subject};

/// The DSSE payload type of an in-toto Statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Signs `statement` (its RFC 8785 canonical JSON) into a DSSE envelope
/// with one signature, whose key id is [`keyid`] of the signer's key.
pub fn sign(
    statement: &Statement,
    signer: &(impl Signer + ?Sized),
) -> Result<Envelope, AttestError> {
    let payload = statement.to_canonical_json()?;
    Ok(dsse::seal(PAYLOAD_TYPE, &payload, signer))
}

/// A statement whose envelope verified.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// The signed statement (in-toto Statement v1).
    pub statement: Statement,
    /// The key id the verifying signature carried, as written in the
    /// envelope: reported, never trusted (the public key decides).
    pub keyid: String,
}

/// Reads a DSSE envelope from any bytes and verifies it with `public_key`:
/// the payload type must be in-toto, one signature must verify (strict
/// ed25519, whatever its key id), and the payload must be an in-toto
/// Statement v1. Whether an artefact is its subject is
/// [`verify_subject`]'s question.
pub fn verify(envelope: &[u8], public_key: &[u8; 32]) -> Result<Verified, AttestError> {
    let opened = dsse::open(envelope, PAYLOAD_TYPE, public_key)?;
    Ok(Verified {
        statement: Statement::parse(&opened.payload)?,
        keyid: opened.keyid,
    })
}

#[cfg(test)]
mod tests;
