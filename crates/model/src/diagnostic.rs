//! Problems reading the user's definition files: every one names the file,
//! line and column, a stable code and what was expected.

use std::fmt;

use crate::Location;

/// A problem that prevents the ISMS definitions from being read as written
/// (as opposed to a [`Finding`](crate::finding::Finding), which is a
/// readiness problem in definitions that were read fine).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable kebab-case code (`invalid-yaml`, `duplicate-id`, …).
    pub code: &'static str,
    /// Where.
    pub location: Location,
    /// What is wrong and what was expected.
    pub message: String,
    /// How to fix it, when there is more to say than the message.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic without a hint.
    pub fn new(code: &'static str, location: Location, message: impl Into<String>) -> Self {
        Self {
            code,
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: error[{}]: {}",
            self.location, self.code, self.message
        )
    }
}

/// The diagnostic codes, with what each means; the contract for users.
pub const CODES: &[(&str, &str)] = &[
    ("io-error", "a file or folder could not be read"),
    ("not-utf8", "a definition file is not valid UTF-8"),
    ("file-too-large", "a definition file exceeds the size limit"),
    ("missing-file", "a required file (evident.yaml) is absent"),
    (
        "invalid-yaml",
        "YAML syntax error, wrong type, unknown key, missing field or duplicate key",
    ),
    (
        "invalid-front-matter",
        "a policy's YAML front matter is absent or malformed",
    ),
    ("invalid-date", "a date is not YYYY-MM-DD or does not exist"),
    (
        "invalid-duration",
        "a duration is not a count and a unit (90d, 12w, 6m, 1y)",
    ),
    (
        "invalid-value",
        "a value is outside what is allowed (a rating off the scale, an empty id)",
    ),
    (
        "invalid-hash",
        "a content hash is not sha256: and 64 hex digits",
    ),
    (
        "invalid-rego",
        "a check's Rego does not compile, is in the wrong package, defines no deny rule or reads the clock",
    ),
    (
        "duplicate-id",
        "two objects of the same kind share an identifier",
    ),
    (
        "dangling-reference",
        "a reference to a control, risk, vendor, source or policy that is not defined",
    ),
    (
        "unknown-framework",
        "evident.yaml or a reference names a framework that is not loaded",
    ),
];
