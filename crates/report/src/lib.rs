//! Renders evident's results for people and for their tools: readable text
//! for terminals, JSON with a `schema_version`, SARIF 2.1.0 for code-scanning
//! tools, and JUnit XML for CI systems.
//!
//! Architecture invariant: renderers are pure functions from values to
//! text; they read no files and no clock.

#![deny(missing_docs)]

pub mod catalog;
pub mod check;
pub mod status;
mod xml;

/// The version of the JSON documents evident writes. Raised on any
/// incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The tool as it names itself in reports.
pub const TOOL_NAME: &str = "evident";

/// The tool's version.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
