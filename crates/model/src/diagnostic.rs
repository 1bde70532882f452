//! Problems reading the user's definition files: every one names the file,
//! line and column, a stable code and what was expected.

use std::fmt;
use std::sync::Arc;

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

/// The bytes of `file` as UTF-8 text, or a `not-utf8` diagnostic at the line
/// and column (in characters) of the first invalid byte.
pub fn utf8_text(file: &Arc<str>, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..valid];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        // Columns count characters, and everything before `valid` is UTF-8.
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        let coordinate = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Diagnostic::new(
            "not-utf8",
            Location::new(file.clone(), coordinate(line), coordinate(column)),
            format!(
                "expected UTF-8 text, found the byte 0x{:02x}",
                e.as_bytes()[valid]
            ),
        )
        .with_hint("save the file as UTF-8")
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_points_at_the_byte_by_characters() {
        let file: Arc<str> = "owners.yaml".into();
        let d = utf8_text(&file, b"owners:\n  - id: \xc3\xa9t\xff\n".to_vec()).unwrap_err();
        assert_eq!(
            (d.code, d.location.line, d.location.column),
            ("not-utf8", 2, 11)
        );
        assert!(d.message.contains("0xff"));
        assert_eq!(utf8_text(&file, b"ok".to_vec()).unwrap(), "ok");
    }
}
