//! Evaluation: a compiled check judges one normalised document as of a time,
//! with the check's parameters, and says pass, fail or error.
//!
//! The document is parsed once into a regorus value ([`Input`]) and shared
//! by every check: values are reference-counted, so handing it to a check
//! copies a pointer, never the document. Each evaluation runs on a clone of
//! the compiled engine (the parsed policy is shared too), which is what lets
//! one [`CompiledCheck`] serve several threads.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use evident_model::check::Outcome;
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};
use serde::Deserialize as _;
use serde_json::Map;

use crate::files;
use crate::library::Check;

/// How long one rule of one check may run before the evaluation is stopped
/// and reported as an error. Generous: a simple rule over 100,000 IAM users
/// takes well under a second in a release build.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(30);

/// How many units of work regorus does between looks at the clock. Reading
/// the clock on every unit would cost more than most checks.
const TIMER_CHECK_INTERVAL: NonZeroU32 = NonZeroU32::new(1024).unwrap();

/// A normalised document, parsed once and shared by every check that
/// judges it.
#[derive(Clone, Debug)]
pub struct Input {
    value: Value,
}

/// A document that is not JSON.
#[derive(Debug, thiserror::Error)]
#[error("the document is not JSON: {message}")]
pub struct InputError {
    /// What the JSON parser said, with the line and column.
    pub message: String,
}

impl Input {
    /// Parses a JSON document (a normalised evidence item).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Input, InputError> {
        let text = std::str::from_utf8(bytes).map_err(|e| InputError {
            message: format!("not UTF-8 after byte {}", e.valid_up_to()),
        })?;
        // `from_json_str` shares the key strings of the objects it reads: a
        // list of 100,000 users stores each column name once.
        let value = Value::from_json_str(text).map_err(|e| InputError {
            message: e.to_string(),
        })?;
        Ok(Input { value })
    }

    /// Converts a document already in memory (what `evident-normalize`
    /// returns).
    pub fn from_value(document: &serde_json::Value) -> Input {
        // Through JSON text rather than straight from the tree: the text
        // path shares object keys and builds regorus's compact objects. For
        // a 100,000-user credential report it takes half the time (0.42 s
        // against 0.85 s, serialising included), and checks then run about
        // three times faster over the result. Serialising a
        // `serde_json::Value` cannot fail and its output always parses
        // back; should either ever fail, the input is left undefined, which
        // `evaluate` turns into an error verdict.
        let value = serde_json::to_string(document)
            .ok()
            .and_then(|text| Value::from_json_str(&text).ok())
            .unwrap_or(Value::Undefined);
        Input { value }
    }
}

/// What a check is evaluated against besides the document: the time it is
/// evaluated as of, and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    /// "Now" for the check: `data.evident.now` (RFC 3339) and
    /// `data.evident.now_ns`.
    pub now: jiff::Timestamp,
    /// `data.evident.parameters`: the check's defaults overlaid with the
    /// organisation's values ([`Check::parameters_with`]).
    pub parameters: Map<String, serde_json::Value>,
}

impl Context {
    /// The `data` document a check sees.
    fn data(&self) -> Result<Value, String> {
        // Rego numbers here are 64-bit: nanoseconds since the epoch reach
        // only from 1677 to 2262.
        let now_ns = i64::try_from(self.now.as_nanosecond()).map_err(|_| {
            format!(
                "the evaluation time {} is outside the years 1678 to 2261 that checks can compute with",
                self.now
            )
        })?;
        let data = serde_json::json!({
            "evident": {
                "now": self.now.to_string(),
                "now_ns": now_ns,
                "parameters": self.parameters,
            }
        });
        Value::deserialize(&data).map_err(|e| format!("cannot pass the context to the check: {e}"))
    }
}

/// What a check concluded about one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Pass (no deny message), fail (at least one) or error (not evaluated).
    pub outcome: Outcome,
    /// The `deny` messages: failures. Sorted, without duplicates.
    pub denials: Vec<String>,
    /// The `warn` messages: reported, not failures. Sorted, without
    /// duplicates.
    pub warnings: Vec<String>,
    /// Why the check could not be evaluated, for [`Outcome::Error`]: the
    /// `.rego` file, and its line and column where regorus gives them.
    pub error: Option<String>,
}

impl Verdict {
    /// An error verdict: the check was not evaluated, for `reason`.
    pub fn error(reason: impl Into<String>) -> Verdict {
        Verdict {
            outcome: Outcome::Error,
            denials: Vec::new(),
            warnings: Vec::new(),
            error: Some(reason.into()),
        }
    }
}

/// A check that does not compile: the file, line and column regorus names,
/// and its message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct CompileError {
    /// The check's path (`checks/x.rego`, `builtin:checks/x.rego`).
    pub path: String,
    /// 1-based line (1 when regorus names no position).
    pub line: u32,
    /// 1-based column (1 when regorus names no position).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// An organisation's parameter value that the check cannot take.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParameterError {
    /// The check declares no parameter of this name.
    #[error("check {check} has no parameter `{name}`; {}", declared_list(.declared))]
    Unknown {
        /// The check's id.
        check: String,
        /// The name given.
        name: String,
        /// The names the check declares, sorted.
        declared: Vec<String>,
    },
    /// The value is of another JSON type than the check's default.
    #[error("parameter `{name}` of check {check} takes {expected}, not {found}")]
    WrongType {
        /// The check's id.
        check: String,
        /// The parameter.
        name: String,
        /// The type of the default (`a number`, `a string`, …).
        expected: &'static str,
        /// The type given.
        found: &'static str,
    },
}

fn declared_list(names: &[String]) -> String {
    if names.is_empty() {
        "it declares none".to_string()
    } else {
        format!("it declares {}", names.join(", "))
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

impl Check {
    /// The check's parameters: its metadata defaults with `overrides` (the
    /// organisation's values) laid over them. A name the check does not
    /// declare, or a value of another type than the default, is an error:
    /// a misspelt parameter must not leave the default silently in force.
    pub fn parameters_with(
        &self,
        overrides: &Map<String, serde_json::Value>,
    ) -> Result<Map<String, serde_json::Value>, ParameterError> {
        let mut merged = self.parameters.clone();
        for (name, value) in overrides {
            let Some(default) = self.parameters.get(name) else {
                return Err(ParameterError::Unknown {
                    check: self.id.clone(),
                    name: name.clone(),
                    declared: self.parameters.keys().cloned().collect(),
                });
            };
            // A null default declares the parameter without constraining it.
            if !default.is_null() && json_type(default) != json_type(value) {
                return Err(ParameterError::WrongType {
                    check: self.id.clone(),
                    name: name.clone(),
                    expected: json_type(default),
                    found: json_type(value),
                });
            }
            merged.insert(name.clone(), value.clone());
        }
        Ok(merged)
    }

    /// Compiles the check for evaluation, with strict builtin errors and
    /// the [`DEFAULT_TIME_LIMIT`]. The library has already done this once
    /// for every check it loaded; it is repeated here because a `Check` can
    /// also be built by hand.
    pub fn compile(&self) -> Result<CompiledCheck, CompileError> {
        let compiled = compile_check(&self.path, &self.source, &self.id)?;
        let package = package_path(&self.id);
        Ok(CompiledCheck {
            deny: format!("{package}.deny"),
            warn: compiled.has_warn.then(|| format!("{package}.warn")),
            engine: compiled.engine,
            path: self.path.as_str().into(),
        })
    }
}

/// The data path of a check's package: `data.evident.checks.<id with _>`.
pub(crate) fn package_path(id: &str) -> String {
    format!("data.evident.checks.{}", id.replace('-', "_"))
}

/// A check ready to evaluate. Cloning is cheap (the parsed policy is
/// shared), and it is `Send + Sync`: one compiled check can serve every
/// thread of a parallel run.
#[derive(Clone, Debug)]
pub struct CompiledCheck {
    engine: Engine,
    path: Arc<str>,
    /// The rule paths to evaluate; `warn` is optional.
    deny: String,
    warn: Option<String>,
}

impl CompiledCheck {
    /// Replaces the per-rule time limit.
    pub fn with_time_limit(mut self, limit: Duration) -> CompiledCheck {
        self.engine
            .set_execution_timer_config(ExecutionTimerConfig {
                limit,
                check_interval: TIMER_CHECK_INTERVAL,
            });
        self
    }

    /// Judges one document as of `context`. Never panics and never passes
    /// by accident: a runtime error, a time-out, or a `deny`/`warn` that is
    /// not a set of strings is an [`Outcome::Error`] verdict.
    pub fn evaluate(&self, input: &Input, context: &Context) -> Verdict {
        // An undefined input would make every rule body undefined: a pass.
        if input.value == Value::Undefined {
            return Verdict::error(format!(
                "{}: the evidence document could not be converted for evaluation",
                self.path
            ));
        }
        let data = match context.data() {
            Ok(data) => data,
            Err(e) => return Verdict::error(format!("{}: {e}", self.path)),
        };
        // `add_data` merges and would refuse a second, different `now`:
        // every evaluation starts from the compiled engine.
        let mut engine = self.engine.clone();
        if let Err(e) = engine.add_data(data) {
            return Verdict::error(format!("{}: cannot set data.evident: {e}", self.path));
        }
        engine.set_input(input.value.clone());
        let mut verdict = Verdict {
            outcome: Outcome::Pass,
            denials: Vec::new(),
            warnings: Vec::new(),
            error: None,
        };
        let mut errors = Vec::new();
        for (rule, messages) in [
            (Some(&self.deny), &mut verdict.denials),
            (self.warn.as_ref(), &mut verdict.warnings),
        ] {
            let Some(rule) = rule else { continue };
            match engine.eval_rule(rule.clone()) {
                Ok(value) => match strings(rule_name(rule), &value) {
                    Ok(found) => *messages = found,
                    Err(e) => errors.push(format!("{}: {e}", self.path)),
                },
                Err(e) => errors.push(describe(&self.path, &e)),
            }
        }
        verdict.outcome = if !errors.is_empty() {
            verdict.error = Some(errors.join("; "));
            Outcome::Error
        } else if verdict.denials.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        verdict
    }
}

fn rule_name(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The messages of a `deny` or `warn` rule: a set (or array) of strings,
/// sorted and deduplicated so results do not depend on evaluation order.
/// Undefined (no rule body held, for a rule that is not a set) is none.
fn strings(rule: &str, value: &Value) -> Result<Vec<String>, String> {
    let items: Vec<&Value> = match value {
        Value::Undefined => return Ok(Vec::new()),
        Value::Set(set) => set.iter().collect(),
        Value::Array(array) => array.iter().collect(),
        other => {
            return Err(format!(
                "`{rule}` must be a set of strings (`{rule} contains msg if …`), but it is {}",
                regorus_type(other)
            ));
        }
    };
    let mut messages = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) => messages.push(s.to_string()),
            other => {
                return Err(format!(
                    "`{rule}` must contain only strings, but it contains {} ({})",
                    regorus_type(other),
                    clip(&other.to_string(), 80)
                ));
            }
        }
    }
    messages.sort_unstable();
    messages.dedup();
    Ok(messages)
}

fn regorus_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Set(_) => "a set",
        Value::Object(_) => "an object",
        Value::Undefined => "undefined",
    }
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// A policy that compiled and follows the check conventions.
pub(crate) struct Compiled {
    pub engine: Engine,
    pub has_warn: bool,
}

/// Compiles the check `id` from `source` (labelled `path` in errors) and
/// holds it to the conventions regorus does not know: the package is
/// `evident.checks.<id with _>`, a `deny` rule exists, and the clock is
/// never read (`time.now_ns()` would make results irreproducible and
/// ignore `--at`).
pub(crate) fn compile_check(path: &str, source: &str, id: &str) -> Result<Compiled, CompileError> {
    let error = |(line, column): (u32, u32), message: String| CompileError {
        path: path.to_string(),
        line,
        column,
        message,
    };
    let (engine, package) = compile_source(path, source)?;
    let expected = package_path(id);
    let clause = package_clause(source).unwrap_or((1, 1));
    if package != expected {
        return Err(error(
            clause,
            format!(
                "the package is `{}`; check `{id}` must be in `package {}`",
                package.trim_start_matches("data."),
                expected.trim_start_matches("data.")
            ),
        ));
    }
    let declares = |rule: &str| {
        engine
            .has_declared_rule_rooted_at(path, rule)
            .unwrap_or(false)
    };
    if !declares("deny") {
        return Err(error(
            clause,
            "the check defines no `deny` rule (`deny contains msg if { … }`): without one it could never fail".to_string(),
        ));
    }
    if let Some(at) = clock_read(source) {
        return Err(error(
            at,
            "`time.now_ns()` reads the clock: use `data.evident.now_ns` (or `data.evident.now`), so that results are reproducible and `--at` works".to_string(),
        ));
    }
    Ok(Compiled {
        has_warn: declares("warn"),
        engine,
    })
}

/// A fresh engine holding one policy, with strict builtin errors and the
/// default time limit, analysed once so that the errors regorus finds
/// before running a rule are compile errors. Also returns the package
/// (`data.a.b`).
fn compile_source(path: &str, source: &str) -> Result<(Engine, String), CompileError> {
    let mut engine = Engine::new();
    engine.set_strict_builtin_errors(true);
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: DEFAULT_TIME_LIMIT,
        check_interval: TIMER_CHECK_INTERVAL,
    });
    let package = engine
        .add_policy(path.to_string(), source.to_string())
        .map_err(|e| compile_error(path, &e))?;
    // Analysis (rule scheduling, imports) happens on the first query; a
    // constant query runs it without evaluating any rule of the check.
    engine
        .eval_bool_query("true".to_string(), false)
        .map_err(|e| compile_error(path, &e))?;
    Ok((engine, package))
}

/// The line and column of the package path in the package clause.
fn package_clause(source: &str) -> Option<(u32, u32)> {
    source.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        let rest = trimmed.strip_prefix("package")?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let path_start = line.len() - rest.trim_start().len();
        Some((
            files::to_u32(i + 1),
            files::to_u32(line[..path_start].chars().count() + 1),
        ))
    })
}

/// Where the source calls `time.now_ns`, outside comments and strings.
fn clock_read(source: &str) -> Option<(u32, u32)> {
    const CALL: &str = "time.now_ns";
    let code = code_only(source);
    for (i, line) in code.lines().enumerate() {
        let mut from = 0;
        while let Some(found) = line[from..].find(CALL) {
            let at = from + found;
            // `xtime.now_ns`, `a.time.now_ns` or `time.now_ns_x` are other
            // names.
            let before = line[..at].chars().next_back();
            let after = line[at + CALL.len()..].chars().next();
            let name_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if !name_char(before) && !name_char(after) && before != Some('.') {
                return Some((
                    files::to_u32(i + 1),
                    files::to_u32(line[..at].chars().count() + 1),
                ));
            }
            from = at + CALL.len();
        }
    }
    None
}

/// The source with comments and the contents of string literals replaced
/// by spaces, character for character, so positions stay. Raw strings
/// (backquotes) may span lines; `"` strings and comments end at the line.
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    for c in source.chars() {
        if c == '\n' {
            comment = false;
            if quote == Some('"') {
                quote = None;
            }
            out.push(c);
            continue;
        }
        if comment {
            out.push(' ');
            continue;
        }
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    out.push(c);
                    continue;
                }
                out.push(' ');
            }
            None => {
                if c == '#' {
                    comment = true;
                    out.push(' ');
                    continue;
                }
                if c == '"' || c == '`' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// A regorus error (an `anyhow::Error`, taken as `Display` so that this
/// crate does not depend on `anyhow`) as a compile error.
fn compile_error(path: &str, error: &impl fmt::Display) -> CompileError {
    let (position, message) = split_error(path, &format!("{error:#}"));
    let (line, column) = position.unwrap_or((1, 1));
    CompileError {
        path: path.to_string(),
        line,
        column,
        message,
    }
}

/// One line: `path:line:column: message` when regorus names a position,
/// `path: message` otherwise.
pub(crate) fn describe(path: &str, error: &impl fmt::Display) -> String {
    let (position, message) = split_error(path, &format!("{error:#}"));
    match position {
        Some((line, column)) => format!("{path}:{line}:{column}: {message}"),
        None => format!("{path}: {message}"),
    }
}

/// Splits a regorus error, which reads
/// `\n--> path:line:col\n  |\n3 | text\n  |   ^\nerror: message`, into the
/// position and the message. Errors without a position (failed builtins,
/// time limits) come back whole, on one line.
pub(crate) fn split_error(path: &str, text: &str) -> (Option<(u32, u32)>, String) {
    let position = text
        .find(&format!("--> {path}:"))
        .map(|start| &text[start + 4 + path.len() + 1..])
        .and_then(|rest| {
            let coordinates = rest.split(['\n', '\r']).next()?;
            let (line, column) = coordinates.split_once(':')?;
            Some((line.trim().parse().ok()?, column.trim().parse().ok()?))
        });
    let message = match (position, text.rfind("\nerror: ")) {
        (Some(_), Some(at)) => &text[at + "\nerror: ".len()..],
        _ => text,
    };
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let message = if message.starts_with("execution exceeded time limit") {
        format!(
            "the evaluation was stopped at the time limit ({message}): a loop that does not end, or evidence too large for this check"
        )
    } else {
        message
    };
    (position, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "# METADATA\n# title: T\n# custom:\n#   id: t\n#   formats: [aws-iam-credential-report]\n#   requirements: [A.8.5]\npackage evident.checks.t\n";

    /// A hand-built check `t` whose policy is `HEADER` + `body`, with
    /// `max_age_days: 90` declared.
    fn check_with(body: &str) -> Check {
        let mut parameters = Map::new();
        parameters.insert("max_age_days".into(), 90.into());
        Check {
            id: "t".into(),
            title: "T".into(),
            description: String::new(),
            formats: vec!["aws-iam-credential-report".into()],
            requirements: vec!["A.8.5".into()],
            controls: Vec::new(),
            parameters,
            builtin: false,
            path: "checks/t.rego".into(),
            source: format!("{HEADER}{body}").into(),
            fixtures: Vec::new(),
        }
    }

    fn context() -> Context {
        Context {
            now: "2026-11-28T00:00:00Z".parse().unwrap(),
            parameters: check_with("").parameters,
        }
    }

    fn users() -> Input {
        Input::from_value(&serde_json::json!({
            "format": "aws-iam-credential-report",
            "users": [
                {"user": "bob", "mfa_active": false, "created": "2026-01-01T00:00:00Z"},
                {"user": "alice", "mfa_active": true, "created": "2026-11-01T00:00:00Z"},
                {"user": "bob", "mfa_active": false, "created": "2026-01-01T00:00:00Z"},
            ]
        }))
    }

    fn evaluate(body: &str, input: &Input, context: &Context) -> Verdict {
        check_with(body)
            .compile()
            .unwrap_or_else(|e| panic!("does not compile: {e}"))
            .evaluate(input, context)
    }

    const MFA: &str = "deny contains msg if {\n  some u in input.users\n  not u.mfa_active\n  msg := sprintf(\"user %s has no MFA\", [u.user])\n}\n";

    #[test]
    fn deny_messages_are_failures_sorted_and_deduplicated() {
        let v = evaluate(
            &format!(
                "{MFA}warn contains \"z\" if true\nwarn contains \"a\" if true\ndeny contains \"another\" if true\n"
            ),
            &users(),
            &context(),
        );
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(v.denials, ["another", "user bob has no MFA"]);
        assert_eq!(v.warnings, ["a", "z"]);
        assert_eq!(v.error, None);
    }

    #[test]
    fn no_deny_message_is_a_pass() {
        let input =
            Input::from_json_bytes(br#"{"users": [{"user": "a", "mfa_active": true}]}"#).unwrap();
        let v = evaluate(MFA, &input, &context());
        assert_eq!(
            v,
            Verdict {
                outcome: Outcome::Pass,
                denials: vec![],
                warnings: vec![],
                error: None
            }
        );
    }

    #[test]
    fn now_and_parameters_come_from_the_context() {
        let body = "deny contains msg if {\n  some u in input.users\n  age := data.evident.now_ns - time.parse_rfc3339_ns(u.created)\n  age > data.evident.parameters.max_age_days * 86400000000000\n  msg := sprintf(\"user %s is older than %d days at %s\", [u.user, data.evident.parameters.max_age_days, data.evident.now])\n}\n";
        let v = evaluate(body, &users(), &context());
        assert_eq!(
            v.denials,
            ["user bob is older than 90 days at 2026-11-28T00:00:00Z"]
        );
        // Earlier, and with a longer limit, nobody is too old.
        let mut earlier = context();
        earlier.now = "2026-03-01T00:00:00Z".parse().unwrap();
        assert_eq!(evaluate(body, &users(), &earlier).outcome, Outcome::Pass);
        let longer = check_with(body)
            .parameters_with(&serde_json::from_str(r#"{"max_age_days": 400}"#).unwrap())
            .unwrap();
        let ctx = Context {
            parameters: longer,
            ..context()
        };
        assert_eq!(evaluate(body, &users(), &ctx).outcome, Outcome::Pass);
    }

    #[test]
    fn runtime_errors_are_errors_not_passes() {
        // Strict builtin errors: a failed parse is not an undefined (and
        // so silently passing) rule body.
        let v = evaluate(
            "deny contains \"x\" if {\n  time.parse_rfc3339_ns(\"yesterday\") > 0\n}\n",
            &users(),
            &context(),
        );
        assert_eq!(v.outcome, Outcome::Error);
        let error = v.error.unwrap();
        assert!(error.starts_with("checks/t.rego: "), "{error}");
        assert!(!error.contains('\n'), "{error}");

        // Errors regorus places carry the line and column.
        let v = evaluate(
            "deny contains msg if {\n  some u in input.users\n  msg := nosuchfunction(u)\n}\n",
            &users(),
            &context(),
        );
        assert_eq!(v.outcome, Outcome::Error);
        assert_eq!(
            v.error.as_deref(),
            Some("checks/t.rego:10:24: could not find function nosuchfunction")
        );
    }

    #[test]
    fn an_unreadable_input_is_an_error_not_a_pass() {
        let undefined = Input {
            value: Value::Undefined,
        };
        let v = evaluate(MFA, &undefined, &context());
        assert_eq!(v.outcome, Outcome::Error);
        assert!(v.error.unwrap().contains("could not be converted"));
    }

    #[test]
    fn rules_of_the_wrong_type_are_errors() {
        for (body, says) in [
            (
                "deny := true\n",
                "`deny` must be a set of strings (`deny contains msg if …`), but it is a boolean",
            ),
            (
                "deny contains 3 if true\n",
                "`deny` must contain only strings, but it contains a number (3)",
            ),
            (
                "deny contains \"x\" if false\nwarn := {\"a\": 1}\n",
                "`warn` must be a set of strings",
            ),
        ] {
            let v = evaluate(body, &users(), &context());
            assert_eq!(v.outcome, Outcome::Error, "{body}");
            let error = v.error.unwrap();
            assert!(error.contains(says), "{error}");
        }
        // An array of strings is accepted, and undefined is no message.
        let v = evaluate("deny := [\"b\", \"a\", \"b\"]\n", &users(), &context());
        assert_eq!(v.denials, ["a", "b"]);
        let v = evaluate("deny := [\"b\"] if false\n", &users(), &context());
        assert_eq!(v.outcome, Outcome::Pass);
    }

    #[test]
    fn a_runaway_check_stops_at_the_time_limit() {
        let compiled = check_with(
            "deny contains \"x\" if {\n  some i in numbers.range(1, 5000)\n  some j in numbers.range(1, 5000)\n  i * j < 0\n}\n",
        )
        .compile()
        .unwrap()
        .with_time_limit(Duration::from_millis(50));
        let started = std::time::Instant::now();
        let v = compiled.evaluate(&users(), &context());
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(v.outcome, Outcome::Error);
        assert!(v.error.unwrap().contains("time limit"));
    }

    #[test]
    fn a_time_checks_cannot_compute_with_is_an_error() {
        let mut ctx = context();
        ctx.now = "2300-01-01T00:00:00Z".parse().unwrap();
        let v = evaluate(MFA, &users(), &ctx);
        assert_eq!(v.outcome, Outcome::Error);
        assert!(v.error.unwrap().contains("1678 to 2261"));
    }

    /// Compiles `body` as check `t` and renders the error as
    /// `line:column message`.
    fn compile_error(source: &str) -> String {
        let mut check = check_with("");
        check.source = source.into();
        match check.compile() {
            Ok(_) => "ok".to_string(),
            Err(e) => {
                assert_eq!(e.path, "checks/t.rego");
                format!("{}:{} {}", e.line, e.column, e.message)
            }
        }
    }

    #[test]
    fn compile_errors_are_placed() {
        assert_eq!(compile_error(&format!("{HEADER}{MFA}")), "ok");
        assert_eq!(
            compile_error(&format!(
                "{HEADER}deny contains msg if {{\n  msg := sprintf(\"x\", [1]\n}}\n"
            )),
            "9:7 expecting `}` while parsing set"
        );
        assert_eq!(
            compile_error(&format!("{HEADER}deny[msg] {{\n  msg := \"x\"\n}}\n")),
            "8:11 `if` keyword is required before rule body"
        );
        assert_eq!(
            compile_error(&format!(
                "{}{MFA}",
                HEADER.replace("package evident.checks.t", "package  evident.checks.other")
            )),
            "7:10 the package is `evident.checks.other`; check `t` must be in `package evident.checks.t`"
        );
        assert_eq!(
            compile_error(&format!("{HEADER}warn contains \"x\" if true\n")),
            "7:9 the check defines no `deny` rule (`deny contains msg if { … }`): without one it could never fail"
        );
        assert!(
            compile_error(&format!(
                "{HEADER}# time.now_ns() in a comment is fine\nx := \"time.now_ns()\"\ndeny contains \"late\" if {{\n  time.now_ns() > 0\n}}\n"
            ))
            .starts_with("11:3 `time.now_ns()` reads the clock"),
        );
    }

    #[test]
    fn overrides_must_be_declared_and_of_the_default_type() {
        let check = check_with(MFA);
        let given = |json: &str| check.parameters_with(&serde_json::from_str(json).unwrap());
        assert_eq!(given("{}").unwrap()["max_age_days"], 90);
        assert_eq!(
            given(r#"{"max_age_days": 30}"#).unwrap()["max_age_days"],
            30
        );
        assert_eq!(
            given(r#"{"max_age_day": 30}"#).unwrap_err().to_string(),
            "check t has no parameter `max_age_day`; it declares max_age_days"
        );
        assert_eq!(
            given(r#"{"max_age_days": "30"}"#).unwrap_err().to_string(),
            "parameter `max_age_days` of check t takes a number, not a string"
        );
        let mut bare = check_with(MFA);
        bare.parameters.clear();
        assert_eq!(
            bare.parameters_with(&serde_json::from_str(r#"{"x": 1}"#).unwrap())
                .unwrap_err()
                .to_string(),
            "check t has no parameter `x`; it declares none"
        );
    }

    #[test]
    fn inputs_read_from_bytes_and_from_values_alike() {
        let json = serde_json::json!({"users": [{"user": "u", "mfa_active": false}]});
        let from_bytes = Input::from_json_bytes(json.to_string().as_bytes()).unwrap();
        let from_value = Input::from_value(&json);
        let compiled = check_with(MFA).compile().unwrap();
        assert_eq!(
            compiled.evaluate(&from_bytes, &context()),
            compiled.evaluate(&from_value, &context())
        );
        let e = Input::from_json_bytes(b"{\"users\": [").unwrap_err();
        assert!(
            e.to_string().starts_with("the document is not JSON: "),
            "{e}"
        );
        assert!(Input::from_json_bytes(b"\xff").is_err());
    }

    #[test]
    fn one_compiled_check_serves_many_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<CompiledCheck>();
        shareable::<Input>();
        let compiled = check_with(MFA).compile().unwrap();
        let input = users();
        let ctx = context();
        let alone = compiled.evaluate(&input, &ctx);
        std::thread::scope(|s| {
            let runs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| compiled.evaluate(&input, &ctx)))
                .collect();
            for run in runs {
                assert_eq!(run.join().unwrap(), alone);
            }
        });
    }

    #[test]
    fn regorus_errors_become_one_line() {
        let text =
            "\n--> checks/t.rego:3:5\n  |\n3 |   x := 1 / 0\n  |     ^\nerror: divide by zero";
        assert_eq!(
            split_error("checks/t.rego", text),
            (Some((3, 5)), "divide by zero".to_string())
        );
        assert_eq!(
            split_error("checks/t.rego", "Failed to parse datetime:\n premature end"),
            (None, "Failed to parse datetime: premature end".to_string())
        );
        // A path with colons (built-ins) is matched whole.
        let text = "\n--> builtin:checks/t.rego:7:1\nerror: boom";
        assert_eq!(
            split_error("builtin:checks/t.rego", text),
            (Some((7, 1)), "boom".to_string())
        );
    }
}
