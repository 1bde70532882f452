//! Renders evident's results for people and for their tools: readable text
//! for terminals, JSON with a `schema_version`, SARIF 2.1.0 for code-scanning
//! tools, JUnit XML for CI systems, and the audit outputs: the Statement of
//! Applicability, KPI reports, cross-framework coverage and OSCAL.
//!
//! Architecture invariant: renderers are pure functions from values to
//! bytes; they read no files and no clock.

#![deny(missing_docs)]

pub mod catalog;
pub mod check;
pub mod coverage;
mod markdown;
pub mod metrics;
pub mod oscal;
pub mod soa;
mod spreadsheet;
pub mod status;
#[cfg(test)]
mod testing;
mod xml;

use evident_catalog::Catalog;
use evident_model::Isms;
use evident_model::evidence::Timestamp;
use evident_model::finding::Finding;
use evident_model::status::Observations;

/// The version of the JSON documents evident writes. Raised on any
/// incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The tool as it names itself in reports.
pub const TOOL_NAME: &str = "evident";

/// The tool's version.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the audit outputs (SoA, metrics, coverage, OSCAL) are rendered
/// from, assembled by the caller: the ISMS, the frameworks, what the store
/// recorded, the findings at `at`, and the instant the report stands for.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// The ISMS as read from its repository.
    pub isms: &'a Isms,
    /// The frameworks (built-in and the repository's own).
    pub catalog: &'a Catalog,
    /// Evidence and check results from the store (empty without one).
    pub observations: &'a Observations,
    /// The readiness and evidence findings at `at`.
    pub findings: &'a [Finding],
    /// The instant the report describes (`--at`, or now).
    pub at: Timestamp,
}
