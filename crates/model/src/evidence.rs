//! Evidence: immutable records of what a system's state was, when, and how
//! it was taken (DESIGN.md §1, "Evidence item").

use serde::{Deserialize, Serialize};

use crate::hash::ContentHash;

/// A point in time (UTC), as recorded in the ledger.
pub use jiff::Timestamp;

/// How an artefact was produced, recorded with it. Secrets never appear
/// here: collectors redact tokens taken from the environment before
/// building it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The source name from `sources.yaml`.
    pub source: String,
    /// The collector kind (`file`, `command`, `http`, `git`, `postgres`, `manual`).
    pub collector: String,
    /// The collector's version (evident's version for built-in collectors).
    pub collector_version: String,
    /// The source's parameters as configured (redacted).
    pub parameters: serde_json::Value,
    /// What was read: a path, a command line, a URL, a connection target.
    pub origin: String,
    /// The version of the tool that produced the artefact, when known
    /// (`aws-cli/2.15.0`, `git version 2.47.3`, `PostgreSQL 15.19`).
    pub tool_version: Option<String>,
    /// Who collected it (user@host, or a CI identity).
    pub collected_by: String,
}

/// The period during which the observed state was true. For a snapshot,
/// `from == to` (the moment it was taken); for a log or history, the span
/// it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedPeriod {
    /// Start (inclusive).
    pub from: Timestamp,
    /// End (inclusive).
    pub to: Timestamp,
}

/// One evidence item as stored: the artefact's digest and everything needed
/// to trace and reproduce it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// sha256 of the raw artefact bytes.
    pub digest: ContentHash,
    /// Size of the artefact in bytes.
    pub size: u64,
    /// IANA media type (`application/json`, `text/csv`, …).
    pub media_type: String,
    /// The detected format of the artefact (`aws-iam-credential-report`,
    /// `trivy-json`, …), when a parser recognised it.
    pub format: Option<String>,
    /// sha256 of the normalised JSON document (RFC 8785), when one was made.
    pub normalized: Option<ContentHash>,
    /// How it was produced.
    pub provenance: Provenance,
    /// When the state was true.
    pub observed: ObservedPeriod,
    /// When it was taken.
    pub collected_at: Timestamp,
}

/// A collection that failed: recorded, never as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionFailure {
    /// The source name.
    pub source: String,
    /// The collector kind.
    pub collector: String,
    /// What went wrong, for a person.
    pub error: String,
    /// When it was attempted.
    pub attempted_at: Timestamp,
}
