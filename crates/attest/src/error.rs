//! The one error type of the crate: every way an envelope, a statement, a
//! key or an artefact can fail to check out, as a value a caller can report.

/// Why an attestation could not be made, read or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestError {
    /// The bytes are not a DSSE envelope (not JSON, or a field is missing or
    /// of the wrong type).
    #[error("not a DSSE envelope: {0}")]
    Envelope(String),
    /// The envelope carries something other than an in-toto Statement.
    #[error("unsupported DSSE payload type `{0}` (expected `application/vnd.in-toto+json`)")]
    PayloadType(String),
    /// The envelope's payload is not base64 (standard or URL-safe).
    #[error("the DSSE payload is not valid base64")]
    Base64,
    /// The envelope has no signature at all.
    #[error("the DSSE envelope has no signatures")]
    NoSignatures,
    /// More signatures than anyone writes: refused rather than tried one by one.
    #[error("the DSSE envelope has {0} signatures (at most {max} are accepted)", max = crate::dsse::MAX_SIGNATURES)]
    TooManySignatures(usize),
    /// The 32 bytes given as the public key are not an ed25519 point.
    #[error("not a valid ed25519 public key")]
    PublicKey,
    /// No signature of the envelope verifies with the public key.
    #[error("no signature verifies with the public key (key ids in the envelope: {})", keyids.join(", "))]
    BadSignature {
        /// The key ids of the signatures tried, as written in the envelope.
        keyids: Vec<String>,
    },
    /// The signed payload is not an in-toto Statement.
    #[error("the payload is not an in-toto Statement: {0}")]
    Statement(String),
    /// The Statement's `_type` is not in-toto Statement v1.
    #[error("unsupported statement type `{0}` (expected `https://in-toto.io/Statement/v1`)")]
    StatementType(String),
    /// No subject of the Statement has the name asked for.
    #[error("no subject named `{name}` (subjects: {})", found.join(", "))]
    SubjectNotFound {
        /// The name asked for.
        name: String,
        /// The subject names the Statement has.
        found: Vec<String>,
    },
    /// The subject has no sha256 digest, the only one this crate checks.
    #[error("subject `{0}` has no sha256 digest")]
    NoSha256(String),
    /// The artefact is not what the subject's digest says.
    #[error("subject `{name}`: the artefact's sha256 is {actual}, the statement says {expected}")]
    DigestMismatch {
        /// The subject name.
        name: String,
        /// The digest in the Statement (hex).
        expected: String,
        /// The digest of the artefact given (hex).
        actual: String,
    },
    /// The artefact bytes handed in are not the ones the ledger recorded.
    #[error("the artefact's digest is {actual}, the ledger recorded {recorded}")]
    ArtefactMismatch {
        /// The `sha256:` digest in the evidence item.
        recorded: String,
        /// The `sha256:` digest of the bytes given.
        actual: String,
    },
    /// A JSON signature (trestle's predicate) was asked for bytes that are
    /// not a JSON document RFC 8785 can canonicalise.
    #[error("`{0}` is not a JSON document RFC 8785 can canonicalise")]
    NotJson(String),
    /// A PEM key could not be read.
    #[error("cannot read the PEM key: {0}")]
    Pem(String),
    /// A value could not be encoded (JSON, PEM).
    #[error("cannot encode: {0}")]
    Encode(String),
}
