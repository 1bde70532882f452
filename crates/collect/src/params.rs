//! Strict reading of a source's parameters, `${NAME}` templates, and the
//! redaction of what is recorded.
//!
//! Every collector declares the parameter names it knows; any other name is
//! an error that lists the expected ones, as everywhere in evident.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::CollectError;

/// What stands in the recorded parameters for a secret or a value taken from
/// the environment.
pub(crate) const REDACTED: &str = "<redacted>";

/// A source's parameters, checked against the names a collector knows.
pub(crate) struct Params<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Params<'a> {
    /// Checks that every name in `map` is one of `known`.
    pub(crate) fn new(
        collector: &str,
        map: &'a Map<String, Value>,
        known: &[&str],
    ) -> Result<Self, CollectError> {
        let mut unknown: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !known.contains(k))
            .collect();
        unknown.sort_unstable();
        if let Some(first) = unknown.first() {
            let names = if unknown.len() == 1 {
                format!("unknown parameter `{first}`")
            } else {
                format!(
                    "unknown parameters {}",
                    unknown
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(CollectError::Parameters(format!(
                "{names} for the `{collector}` collector; expected {}",
                list(known)
            )));
        }
        Ok(Self { map })
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name)
    }

    /// A required string.
    pub(crate) fn string(&self, name: &str) -> Result<&'a str, CollectError> {
        self.opt_string(name)?
            .ok_or_else(|| missing(name, "a string"))
    }

    /// An optional string.
    pub(crate) fn opt_string(&self, name: &str) -> Result<Option<&'a str>, CollectError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong(name, "a string", other)),
        }
    }

    /// An optional, non-empty string.
    pub(crate) fn opt_nonempty(&self, name: &str) -> Result<Option<&'a str>, CollectError> {
        match self.opt_string(name)? {
            Some(s) if s.trim().is_empty() => Err(CollectError::Parameters(format!(
                "`{name}`: expected a non-empty string"
            ))),
            other => Ok(other),
        }
    }

    /// An optional boolean.
    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>, CollectError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong(name, "`true` or `false`", other)),
        }
    }

    /// An optional whole number in `min..=max`.
    pub(crate) fn opt_u64(
        &self,
        name: &str,
        min: u64,
        max: u64,
    ) -> Result<Option<u64>, CollectError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if (min..=max).contains(&v) => Ok(Some(v)),
                _ => Err(CollectError::Parameters(format!(
                    "`{name}`: expected a whole number from {min} to {max}, found {n}"
                ))),
            },
            Some(other) => Err(wrong(name, "a whole number", other)),
        }
    }

    /// An optional duration in seconds (a positive number, fractions
    /// allowed), at most `max_secs`.
    pub(crate) fn opt_seconds(
        &self,
        name: &str,
        max_secs: u64,
    ) -> Result<Option<Duration>, CollectError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(v) if v > 0.0 && v <= max_secs as f64 => Ok(Some(Duration::from_secs_f64(v))),
                _ => Err(CollectError::Parameters(format!(
                    "`{name}`: expected a number of seconds greater than 0 and at most {max_secs}, found {n}"
                ))),
            },
            Some(other) => Err(wrong(name, "a number of seconds", other)),
        }
    }

    /// An optional array of strings.
    pub(crate) fn opt_strings(&self, name: &str) -> Result<Option<Vec<&'a str>>, CollectError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(s.as_str()),
                    other => Err(wrong(&format!("{name}[{i}]"), "a string", other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(wrong(name, "an array of strings", other)),
        }
    }

    /// A required, non-empty array of strings.
    pub(crate) fn strings(&self, name: &str) -> Result<Vec<&'a str>, CollectError> {
        let items = self
            .opt_strings(name)?
            .ok_or_else(|| missing(name, "an array of strings"))?;
        if items.is_empty() {
            return Err(CollectError::Parameters(format!(
                "`{name}`: expected at least one item"
            )));
        }
        Ok(items)
    }

    /// An optional map of strings to strings, in the order written.
    pub(crate) fn opt_string_map(
        &self,
        name: &str,
    ) -> Result<Vec<(&'a str, &'a str)>, CollectError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.as_str(), s.as_str())),
                    other => Err(wrong(&format!("{name}.{k}"), "a string", other)),
                })
                .collect(),
            Some(other) => Err(wrong(name, "a map of names to strings", other)),
        }
    }

    /// An optional name of an environment variable (`token_env`, `url_env`):
    /// the variable must be set and non-empty.
    pub(crate) fn opt_env_secret(
        &self,
        name: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<(&'a str, String)>, CollectError> {
        let Some(var) = self.opt_nonempty(name)? else {
            return Ok(None);
        };
        if !is_env_name(var) {
            return Err(CollectError::Parameters(format!(
                "`{name}`: expected the name of an environment variable (letters, digits, `_`), found `{var}`"
            )));
        }
        match env(var) {
            Some(value) if !value.is_empty() => Ok(Some((var, value))),
            Some(_) => Err(CollectError::Parameters(format!(
                "`{name}`: the environment variable `{var}` is empty"
            ))),
            None => Err(CollectError::Parameters(format!(
                "`{name}`: the environment variable `{var}` is not set"
            ))),
        }
    }
}

/// `a`, `b` and `c` in backquotes.
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => "no parameters".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

fn missing(name: &str, what: &str) -> CollectError {
    CollectError::Parameters(format!("missing parameter `{name}` ({what})"))
}

fn wrong(name: &str, expected: &str, found: &Value) -> CollectError {
    CollectError::Parameters(format!(
        "`{name}`: expected {expected}, found {}",
        kind(found)
    ))
}

/// What a JSON value is, for messages (never the value itself, which may be
/// a secret written in the wrong place).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a map",
    }
}

/// Whether `name` is a portable environment variable name.
pub(crate) fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A string that may reference environment variables as `${NAME}`; `$${`
/// stands for a literal `${`. Any other `$` is literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Variable(String),
}

impl Template {
    /// Parses `text`; `what` names the parameter for messages.
    pub(crate) fn parse(what: &str, text: &str) -> Result<Self, CollectError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            literal.push_str(&rest[..at]);
            let after = &rest[at..];
            if let Some(tail) = after.strip_prefix("$${") {
                literal.push_str("${");
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("${") {
                let Some(end) = tail.find('}') else {
                    return Err(CollectError::Parameters(format!(
                        "`{what}`: `${{` without a closing `}}` (write `$${{` for a literal `${{`)"
                    )));
                };
                let name = &tail[..end];
                if !is_env_name(name) {
                    return Err(CollectError::Parameters(format!(
                        "`{what}`: `${{{name}}}` is not an environment variable reference \
                         (letters, digits and `_`; write `$${{` for a literal `${{`)"
                    )));
                }
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Variable(name.to_string()));
                rest = &tail[end + 1..];
            } else {
                literal.push('$');
                rest = &after[1..];
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Self { parts })
    }

    /// Whether the template references any environment variable.
    pub(crate) fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Variable(_)))
    }

    /// The text with every variable replaced by its value; an unset
    /// variable is an error naming it and `what`.
    pub(crate) fn expand(
        &self,
        what: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<String, CollectError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Variable(name) => match env(name) {
                    Some(value) => out.push_str(&value),
                    None => {
                        return Err(CollectError::Parameters(format!(
                            "`{what}`: the environment variable `{name}` is not set"
                        )));
                    }
                },
            }
        }
        Ok(out)
    }

    /// The text with every variable shown as written (`${NAME}`): safe to
    /// display, since it holds names, never values.
    pub(crate) fn display(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(&text.replace("${", "$${")),
                Part::Variable(name) => {
                    out.push_str("${");
                    out.push_str(name);
                    out.push('}');
                }
            }
        }
        out
    }
}

/// The parameters as they may be recorded: every string that references an
/// environment variable (`${NAME}`) becomes `"<redacted>"`, at any depth.
/// Names of variables given in `*_env` parameters are kept: they are names,
/// not secrets.
pub(crate) fn redact(map: &Map<String, Value>) -> Value {
    fn walk(value: &Value) -> Value {
        match value {
            Value::String(s) if references_env(s) => Value::String(REDACTED.to_string()),
            Value::Array(items) => Value::Array(items.iter().map(walk).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(v))).collect())
            }
            other => other.clone(),
        }
    }
    walk(&Value::Object(map.clone()))
}

/// Whether `text` holds a `${NAME}` reference (a malformed one counts, to
/// redact on the safe side).
fn references_env(text: &str) -> bool {
    match Template::parse("", text) {
        Ok(t) => t.has_variables(),
        Err(_) => true,
    }
}

/// Whether a name (a header, a flag, a query parameter) suggests its value
/// is a credential.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "authorization",
        "auth",
        "token",
        "secret",
        "password",
        "passwd",
        "apikey",
        "api-key",
        "api_key",
        "cookie",
        "credential",
        "private",
        "signature",
        "session",
    ];
    WORDS.iter().any(|w| lower.contains(w))
        || lower == "key"
        || lower.ends_with("-key")
        || lower.ends_with("_key")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME_DIR" => Some("/home/x".to_string()),
            "TOKEN" => Some("s3cr3t".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn templates() {
        let check = |text: &str, expected: Result<&str, &str>| {
            let got = Template::parse("p", text).and_then(|t| t.expand("p", &env));
            match (got, expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{text}"),
                (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{text}: {e}"),
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        };
        check("plain", Ok("plain"));
        check("${HOME_DIR}/x", Ok("/home/x/x"));
        check("Bearer ${TOKEN}", Ok("Bearer s3cr3t"));
        check("a${EMPTY}b", Ok("ab"));
        check("cost $5 $${NOT}", Ok("cost $5 ${NOT}"));
        check("$", Ok("$"));
        check("${MISSING}", Err("`MISSING` is not set"));
        check("${unclosed", Err("without a closing"));
        check("${1BAD}", Err("not an environment variable reference"));
        check("${}", Err("not an environment variable reference"));
    }

    #[test]
    fn template_display_keeps_names_only() {
        let t = Template::parse("p", "Bearer ${TOKEN} $${lit}").unwrap();
        assert_eq!(t.display(), "Bearer ${TOKEN} $${lit}");
        assert!(!t.display().contains("s3cr3t"));
    }

    #[test]
    fn unknown_parameters_list_the_expected_ones() {
        let map = json!({"paths": [], "pathz": 1, "zz": 2});
        let err = Params::new(
            "file",
            map.as_object().unwrap(),
            &["paths", "optional", "media_type"],
        )
        .err()
        .unwrap()
        .to_string();
        assert_eq!(
            err,
            "invalid parameters: unknown parameters `pathz`, `zz` for the `file` collector; \
             expected `paths`, `optional` or `media_type`"
        );
    }

    #[test]
    fn typed_getters() {
        let map = json!({
            "s": "x", "n": 5, "f": 0.5, "neg": -1, "b": true, "l": ["a", 1], "m": {"k": "v"},
            "secret": "${TOKEN}"
        });
        let map = map.as_object().unwrap();
        let p = Params::new("t", map, &["s", "n", "f", "neg", "b", "l", "m", "secret"]).unwrap();
        assert_eq!(p.string("s").unwrap(), "x");
        assert!(
            p.string("absent")
                .unwrap_err()
                .to_string()
                .contains("missing parameter `absent`")
        );
        assert_eq!(p.opt_u64("n", 1, 10).unwrap(), Some(5));
        assert!(p.opt_u64("n", 6, 10).is_err());
        assert_eq!(
            p.opt_seconds("f", 10).unwrap(),
            Some(Duration::from_millis(500))
        );
        assert!(p.opt_seconds("neg", 10).is_err());
        assert_eq!(
            p.opt_bool("s").unwrap_err().to_string(),
            "invalid parameters: `s`: expected `true` or `false`, found a string"
        );
        assert_eq!(
            p.opt_strings("l").unwrap_err().to_string(),
            "invalid parameters: `l[1]`: expected a string, found a number"
        );
        assert_eq!(p.opt_string_map("m").unwrap(), vec![("k", "v")]);
        // A secret written in the wrong place is never echoed.
        assert!(
            !p.opt_bool("secret")
                .unwrap_err()
                .to_string()
                .contains("TOKEN")
        );
    }

    #[test]
    fn env_secret_parameters() {
        let map = json!({"a": "TOKEN", "b": "MISSING", "c": "EMPTY", "d": "not a name"});
        let map = map.as_object().unwrap();
        let p = Params::new("t", map, &["a", "b", "c", "d"]).unwrap();
        assert_eq!(
            p.opt_env_secret("a", &env).unwrap(),
            Some(("TOKEN", "s3cr3t".to_string()))
        );
        assert!(
            p.opt_env_secret("b", &env)
                .unwrap_err()
                .to_string()
                .contains("`MISSING` is not set")
        );
        assert!(
            p.opt_env_secret("c", &env)
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
        assert!(
            p.opt_env_secret("d", &env)
                .unwrap_err()
                .to_string()
                .contains("expected the name")
        );
        assert_eq!(p.opt_env_secret("absent", &env).unwrap(), None);
    }

    #[test]
    fn redaction() {
        let map = json!({
            "token_env": "GH_TOKEN",
            "env": {"AWS_PROFILE": "${PROFILE}", "LANG": "C"},
            "argv": ["tool", "--key=${KEY}", "x"],
            "odd": "${unclosed"
        });
        assert_eq!(
            redact(map.as_object().unwrap()),
            json!({
                "token_env": "GH_TOKEN",
                "env": {"AWS_PROFILE": REDACTED, "LANG": "C"},
                "argv": ["tool", REDACTED, "x"],
                "odd": REDACTED
            })
        );
    }

    #[test]
    fn secret_names() {
        for name in [
            "Authorization",
            "X-Api-Key",
            "access_token",
            "PRIVATE-TOKEN",
            "Cookie",
            "key",
            "client_secret",
            "--password",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "Accept",
            "User-Agent",
            "limit",
            "page",
            "--region",
            "--output",
            "monkey",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
