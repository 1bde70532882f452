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
        let message = plain_message(&e.without_snippet().to_string());
        Diagnostic::new(
            "invalid-yaml",
            Location::new(file.clone(), line, column),
            message,
        )
    })
}

/// serde-saphyr's message in the words of someone editing the file: without
/// the trailing position (carried separately), and without advice meant for
/// the programmer calling the parser.
fn plain_message(text: &str) -> String {
    let text = strip_position(text);
    if let Some(rest) = text.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!("duplicate key `{key}`: a key may appear only once in a mapping");
    }
    if text.starts_with("budget breached") {
        return "the document is too large or too deeply nested for a definition file \
                (too many nodes, aliases or nesting levels)"
            .to_string();
    }
    match text {
        "invalid boolean" => "expected `true` or `false`".to_string(),
        "unexpected end of input" => {
            "the document ends before its content is complete (is the file empty?)".to_string()
        }
        t => t
            .replace("invalid u32", "expected a whole number")
            .replace("invalid u8", "expected a whole number"),
    }
}

/// Drops a final " at line L, column C" (only that exact shape: earlier
/// "at line" texts, such as an alias's "(used at line …)", stay).
fn strip_position(text: &str) -> &str {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.rsplit_once(" at line ") {
        Some((head, tail))
            if tail
                .split_once(", column ")
                .is_some_and(|(line, column)| digits(line) && digits(column)) =>
        {
            head
        }
        _ => text,
    }
}

/// A 1-based coordinate from serde-saphyr's, never 0.
pub fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str, expected: &str) {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Doc {
            name: String,
            flag: Option<bool>,
            list: Option<Vec<String>>,
            docs: Option<Vec<String>>,
        }
        let file: Arc<str> = "x.yaml".into();
        let d = parse::<Doc>(&file, yaml).unwrap_err();
        assert_eq!(
            format!("{}:{} {}", d.location.line, d.location.column, d.message),
            expected
        );
    }

    #[test]
    fn messages_speak_to_the_person_editing_the_file() {
        check(
            "name: a\nname: b\n",
            "2:1 duplicate key `name`: a key may appear only once in a mapping",
        );
        check("name: x\nflag: maybe\n", "2:7 expected `true` or `false`");
        check(
            "",
            "1:1 the document ends before its content is complete (is the file empty?)",
        );
        check(
            "name: x\ndocs: &d [a, b]\nlist: [*d]\n",
            "3:8 expected string scalar (defined at line 2, column 10) (used at line 3, column 8)",
        );
    }
}
