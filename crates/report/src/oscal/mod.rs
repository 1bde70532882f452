//! OSCAL (NIST's Open Security Controls Assessment Language) documents: the
//! ISO/IEC 27001:2022 outline as a catalog, the ISMS as a system security
//! plan, the derived control status as assessment results, and what remains
//! open as a plan of action and milestones.
//!
//! Each function returns one complete OSCAL JSON document (`{"catalog": …}`,
//! `{"system-security-plan": …}`, …). They are pure: "now" is
//! [`Inputs::at`](crate::Inputs::at), and identifiers are UUID v5 of stable
//! keys (see [`ids`]), so the same inputs give byte-identical documents and
//! an object keeps its UUID from one rendering to the next.
//!
//! The documents refer to each other by relative file name, as siblings:
//! the SSP imports [`CATALOG_FILE`], the POA&M and the assessment plan
//! resource of the assessment results link [`SSP_FILE`]. Evidence is
//! referred to by its content-addressed path in the audit pack
//! (`../blobs/ab/cdef…`, relative to the documents, which the pack keeps in
//! `documents/`).

mod ar;
mod catalog;
mod common;
pub mod ids;
mod ledger;
mod poam;
mod posture;
mod ssp;

#[cfg(test)]
mod tests;

pub use ar::assessment_results;
pub use catalog::catalog;
pub use poam::poam;
pub use ssp::ssp;

/// The OSCAL version the documents declare. compliance-trestle 5.2.0 is
/// built on OSCAL 1.2.1 and, with its strict version check on, accepts
/// `^1\.2\.[0-1]$` only; the 1.2.2 schema accepts any version string, and
/// 1.2.2 changed no model these documents use. So 1.2.1 is the newest
/// version both accept.
pub const OSCAL_VERSION: &str = "1.2.1";

/// The file name the catalog document is written under (named, like the
/// others, after its `evident report` kind); the SSP imports it by this
/// relative reference.
pub const CATALOG_FILE: &str = "oscal-catalog.json";

/// The file name the system security plan is written under; the POA&M
/// imports it, and the assessment results' plan resource links it.
pub const SSP_FILE: &str = "oscal-ssp.json";

/// The file name for the assessment results.
pub const ASSESSMENT_RESULTS_FILE: &str = "oscal-ar.json";

/// The file name for the plan of action and milestones.
pub const POAM_FILE: &str = "oscal-poam.json";

/// The namespace of evident's own properties (`status`, `ledger-index`, …).
/// OSCAL reserves property names without a namespace for its own
/// vocabulary, so every evident-specific property carries this one. Like
/// the attestation predicate types, it is under `evident.invalid`, a name
/// nobody can own (RFC 2606), until the project has a domain.
pub const PROPERTY_NAMESPACE: &str = "https://evident.invalid/ns/oscal";
