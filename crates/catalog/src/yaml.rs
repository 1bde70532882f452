//! The one YAML reader of evident's definition files: a document into a
//! typed value, or a [`Diagnostic`] naming file, line and column.
//!
//! It lives here, in the lowest crate that reads YAML, so that framework
//! files and the ISMS files (crate `evident-spec`) report errors alike.

use std::sync::Arc;

use evident_model::{Diagnostic, Location};
use serde::de::DeserializeOwned;

/// Parses one YAML document into `T`, or a diagnostic at the first problem.
///
/// Unknown keys are errors (`deny_unknown_fields` on every raw type),
/// duplicate keys are errors (serde-saphyr's default), and serde-saphyr's
/// nesting and size budgets stay on, so hostile input cannot exhaust the
/// stack.
pub fn parse<T: DeserializeOwned>(file: &Arc<str>, text: &str) -> Result<T, Diagnostic> {
    serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (clamp(l.line()), clamp(l.column())))
            .unwrap_or((1, 1));
        // The plain message ends in " at line L, column C"; the location is
        // carried separately, so drop the repetition.
        let plain = e.without_snippet().to_string();
        let message = match plain.rsplit_once(" at line ") {
            Some((head, _)) => head.to_string(),
            None => plain,
        };
        Diagnostic::new(
            "invalid-yaml",
            Location::new(file.clone(), line, column),
            message,
        )
    })
}

/// A 1-based coordinate from serde-saphyr's, never 0.
pub fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX).max(1)
}
