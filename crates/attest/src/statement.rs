//! in-toto Statement v1 (<https://github.com/in-toto/attestation>): what is
//! signed. Serialised as RFC 8785 canonical JSON, so the payload of a given
//! statement is always the same bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::artefact_digest;
use crate::error::AttestError;

/// The `_type` of an in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// An in-toto Statement v1: subjects (artefacts by digest), and a typed
/// predicate saying something about them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// Always [`STATEMENT_TYPE`] once verified.
    #[serde(rename = "_type")]
    pub type_: String,
    /// The artefacts the statement is about.
    pub subject: Vec<Subject>,
    /// A URI naming the predicate's schema.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// What is said about the subjects (optional in in-toto v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<serde_json::Value>,
}

/// One subject: a name and its digests by algorithm (`sha256` → hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The artefact's name (a file name, for trestle).
    #[serde(default)]
    pub name: String,
    /// Digests by algorithm name, lowercase hex.
    pub digest: BTreeMap<String, String>,
}

impl Statement {
    /// A Statement v1 about `subject`.
    pub fn new(subject: Vec<Subject>, predicate_type: &str, predicate: serde_json::Value) -> Self {
        Statement {
            type_: STATEMENT_TYPE.to_string(),
            subject,
            predicate_type: predicate_type.to_string(),
            predicate: Some(predicate),
        }
    }

    /// The RFC 8785 canonical JSON of the statement: the DSSE payload.
    pub fn to_canonical_json(&self) -> Result<Vec<u8>, AttestError> {
        serde_jcs::to_vec(self).map_err(|e| AttestError::Encode(e.to_string()))
    }

    /// Reads a statement from a (verified) payload and checks it is v1.
    pub(crate) fn parse(payload: &[u8]) -> Result<Self, AttestError> {
        let statement: Statement =
            serde_json::from_slice(payload).map_err(|e| AttestError::Statement(e.to_string()))?;
        if statement.type_ != STATEMENT_TYPE {
            return Err(AttestError::StatementType(statement.type_));
        }
        if statement.subject.is_empty() {
            return Err(AttestError::Statement("it has no subject".into()));
        }
        if let Some(s) = statement.subject.iter().find(|s| s.digest.is_empty()) {
            return Err(AttestError::Statement(format!(
                "subject `{}` has no digest",
                s.name
            )));
        }
        Ok(statement)
    }
}

impl Subject {
    /// The subject for an artefact: its sha256 as [`artefact_digest`]
    /// computes it.
    pub fn of_artefact(name: &str, artefact: &[u8]) -> Self {
        Subject {
            name: name.to_string(),
            digest: BTreeMap::from([("sha256".to_string(), artefact_digest(artefact).sha256)]),
        }
    }
}

/// Checks that `statement` has a subject named `name` whose sha256 is the
/// digest of `artefact` (over RFC 8785 canonical JSON when it is JSON, over
/// the bytes otherwise).
pub fn verify_subject(
    statement: &Statement,
    name: &str,
    artefact: &[u8],
) -> Result<(), AttestError> {
    let named: Vec<&Subject> = statement
        .subject
        .iter()
        .filter(|s| s.name == name)
        .collect();
    if named.is_empty() {
        return Err(AttestError::SubjectNotFound {
            name: name.to_string(),
            found: statement.subject.iter().map(|s| s.name.clone()).collect(),
        });
    }
    let actual = artefact_digest(artefact).sha256;
    let mut expected = None;
    for subject in named {
        match subject.digest.get("sha256") {
            Some(digest) if *digest == actual => return Ok(()),
            Some(digest) => expected = Some(digest.clone()),
            None => {}
        }
    }
    match expected {
        Some(expected) => Err(AttestError::DigestMismatch {
            name: name.to_string(),
            expected,
            actual,
        }),
        None => Err(AttestError::NoSha256(name.to_string())),
    }
}
