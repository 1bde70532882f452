//! The `command` collector: the standard output of a program, typically a
//! vendor CLI (`aws`, `gcloud`, `kubectl`, `trivy`).
//!
//! | parameter | type | default | meaning |
//! |---|---|---|---|
//! | `argv` | array of strings | required | the program and its arguments, run directly (no shell); items may reference environment variables as `${NAME}` |
//! | `env` | map of strings | none | variables set for the program, on top of evident's environment; values may reference `${NAME}` |
//! | `timeout` | number (seconds) | `60` | the program's whole process group is killed at this deadline and the run reported as a timeout |
//! | `cwd` | string | the ISMS root | working directory, relative to the root (must stay inside it) |
//! | `version_argv` | array of strings | none | a command that prints the tool's version (`["aws", "--version"]`); its first line is recorded as the tool version |
//! | `media_type` | string | detected | the output's media type; by default `application/json` when the output is JSON, `text/plain` when it is UTF-8 text, else `application/octet-stream` |
//! | `max_bytes` | whole number | `268435456` (256 MiB) | the largest accepted output; a larger one fails the run |
//!
//! `${NAME}` is replaced by the variable's value (an unset variable is an
//! error); `$${` stands for a literal `${`. The program gets no standard
//! input. A non-zero exit status fails the run, with the end of standard
//! error in the message. The artefact is standard output; its origin and
//! name are the command line with secrets redacted (`${NAME}` references
//! shown as written, the value after a flag such as `--password` or
//! `--token` and passwords in URLs replaced by `<redacted>`); its observed
//! period is the collection time. In the recorded parameters every value
//! that references `${NAME}` is `"<redacted>"`.

use std::time::Duration;

use evident_model::evidence::ObservedPeriod;
use evident_model::source::Source;

use crate::params::{self, Params, REDACTED, Template};
use crate::paths::Root;
use crate::process::{self, Run, RunError};
use crate::{Artefact, CollectError, Collected, Content, Context};

pub(crate) const PARAMETERS: &[&str] = &[
    "argv",
    "env",
    "timeout",
    "cwd",
    "version_argv",
    "media_type",
    "max_bytes",
];

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

pub(crate) fn collect(source: &Source, cx: &Context) -> Result<Collected, CollectError> {
    let p = Params::new("command", &source.parameters, PARAMETERS)?;
    let argv = Argv::read(&p, "argv", cx)?.ok_or_else(|| {
        CollectError::Parameters("missing parameter `argv` (an array of strings)".to_string())
    })?;
    let mut env = Vec::new();
    for (name, value) in p.opt_string_map("env")? {
        if !params::is_env_name(name) {
            return Err(CollectError::Parameters(format!(
                "`env`: `{name}` is not an environment variable name (letters, digits, `_`)"
            )));
        }
        let what = format!("env.{name}");
        let value = Template::parse(&what, value)?.expand(&what, &*cx.env)?;
        env.push((name.to_string(), value));
    }
    let timeout = p.opt_seconds("timeout", 86_400)?.unwrap_or(DEFAULT_TIMEOUT);
    let root = Root::new(&cx.root)?;
    let cwd = match p.opt_nonempty("cwd")? {
        Some(cwd) => root.resolve("cwd", cwd)?,
        None => root.path().to_path_buf(),
    };
    if !cwd.is_dir() {
        return Err(CollectError::Parameters(format!(
            "`cwd`: `{}` is not a directory",
            root.relative(&cwd)
        )));
    }
    let version = Argv::read(&p, "version_argv", cx)?;
    let media_type = p.opt_nonempty("media_type")?;
    let max_bytes = p
        .opt_u64("max_bytes", 1, 4 * 1024 * 1024 * 1024)?
        .unwrap_or(DEFAULT_MAX_BYTES);

    let tool_version = match &version {
        Some(version) => Some(tool_version(version, &env, &cwd, timeout)?),
        None => None,
    };
    let shown = argv.display();
    let output = process::run(&Run {
        argv: &argv.values,
        env: &env,
        cwd: &cwd,
        timeout,
        max_stdout: max_bytes,
    })
    .map_err(|e| run_error(&shown, &argv.values[0], timeout, max_bytes, e))?;
    if !output.status.success() {
        return Err(CollectError::Failed(format!(
            "`{shown}` {}; standard error ends with:\n{}",
            process::describe_status(output.status),
            process::tail_text(&output.stderr_tail)
        )));
    }
    let media_type = media_type
        .map(str::to_string)
        .unwrap_or_else(|| sniff(&output.stdout).to_string());
    Ok(Collected {
        artefacts: vec![Artefact {
            name: shown.clone(),
            content: Content::Bytes(output.stdout),
            media_type,
            origin: shown,
            tool_version,
            observed: ObservedPeriod {
                from: cx.now,
                to: cx.now,
            },
        }],
        parameters: params::redact(&source.parameters),
    })
}

/// An argv parameter: the templates as written and their expansions.
struct Argv {
    templates: Vec<Template>,
    values: Vec<String>,
}

impl Argv {
    fn read(p: &Params<'_>, name: &str, cx: &Context) -> Result<Option<Self>, CollectError> {
        let Some(items) = p.opt_strings(name)? else {
            return Ok(None);
        };
        if items.is_empty() || items[0].trim().is_empty() {
            return Err(CollectError::Parameters(format!(
                "`{name}`: expected the program and its arguments, found {}",
                if items.is_empty() {
                    "an empty array"
                } else {
                    "an empty program name"
                }
            )));
        }
        let mut templates = Vec::with_capacity(items.len());
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let what = format!("{name}[{i}]");
            let template = Template::parse(&what, item)?;
            values.push(template.expand(&what, &*cx.env)?);
            templates.push(template);
        }
        Ok(Some(Self { templates, values }))
    }

    /// The command line for people: shell-quoted, secrets redacted.
    fn display(&self) -> String {
        let mut shown: Vec<String> = Vec::with_capacity(self.templates.len());
        let mut redact_next = false;
        for template in &self.templates {
            let text = template.display();
            let arg = if redact_next && !template.has_variables() {
                REDACTED.to_string()
            } else {
                redact_arg(&text)
            };
            redact_next = is_secret_flag(&text);
            shown.push(quote(&arg));
        }
        shown.join(" ")
    }
}

/// `--password`, `--token`, `-p`… whose next argument is a secret.
fn is_secret_flag(arg: &str) -> bool {
    arg.starts_with('-')
        && !arg.contains('=')
        && params::is_secret_name(arg.trim_start_matches('-'))
}

/// `--token=…` and URLs with a password, redacted.
fn redact_arg(arg: &str) -> String {
    if arg.starts_with('-')
        && let Some((flag, value)) = arg.split_once('=')
        && params::is_secret_name(flag.trim_start_matches('-'))
        && !value.starts_with("${")
    {
        return format!("{flag}={REDACTED}");
    }
    redact_url_password(arg)
}

/// `scheme://user:password@host…` with the password redacted, anywhere in
/// the text.
pub(crate) fn redact_url_password(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_string();
    };
    let authority_start = scheme_end + 3;
    let rest = &text[authority_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return text.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return text.to_string();
    };
    format!(
        "{}{}:{REDACTED}{}",
        &text[..authority_start],
        &userinfo[..colon],
        &text[authority_start + at..]
    )
}

/// Quotes an argument for a POSIX shell when it needs it.
fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%^<>${}".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Runs `version_argv` and keeps the first line it prints.
fn tool_version(
    version: &Argv,
    env: &[(String, String)],
    cwd: &std::path::Path,
    timeout: Duration,
) -> Result<String, CollectError> {
    let shown = version.display();
    let timeout = timeout.min(Duration::from_secs(30));
    let output = process::run(&Run {
        argv: &version.values,
        env,
        cwd,
        timeout,
        max_stdout: 64 * 1024,
    })
    .map_err(|e| run_error(&shown, &version.values[0], timeout, 64 * 1024, e))?;
    if !output.status.success() {
        return Err(CollectError::Failed(format!(
            "the version command `{shown}` {}; standard error ends with:\n{}",
            process::describe_status(output.status),
            process::tail_text(&output.stderr_tail)
        )));
    }
    // Some tools (java, older ssh) print their version on standard error.
    let first_line = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    };
    first_line(&output.stdout)
        .or_else(|| first_line(&output.stderr_tail))
        .ok_or_else(|| {
            CollectError::Failed(format!("the version command `{shown}` printed nothing"))
        })
}

fn run_error(
    shown: &str,
    program: &str,
    timeout: Duration,
    max: u64,
    error: RunError,
) -> CollectError {
    CollectError::Failed(match error {
        RunError::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => {
            format!(
                "cannot run `{shown}`: `{program}` was not found (is it installed and on PATH?)"
            )
        }
        RunError::Spawn(e) => format!("cannot run `{shown}`: {e}"),
        RunError::Timeout => format!(
            "`{shown}` timed out after {} s; its process group was killed",
            seconds(timeout)
        ),
        RunError::TooLarge => format!(
            "`{shown}` wrote more than {max} bytes to standard output (`max_bytes`); it was stopped"
        ),
        RunError::Io(e) => format!("`{shown}`: {e}"),
    })
}

/// Seconds for messages: `60`, `0.5`.
pub(crate) fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{}", d.as_secs())
    } else {
        format!("{s}")
    }
}

/// The media type of a program's output, by its content.
fn sniff(bytes: &[u8]) -> &'static str {
    let text = bytes.trim_ascii();
    if !text.is_empty() && serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok() {
        "application/json"
    } else if std::str::from_utf8(bytes).is_ok() {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{context_with_env, source};
    use serde_json::json;

    fn run(parameters: serde_json::Value) -> Result<Collected, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/data.json"), r#"{"DBInstances": []}"#).unwrap();
        let cx = context_with_env(
            dir.path(),
            &[("TOKEN", "tok-s3cr3t"), ("REGION", "eu-west-1")],
        );
        collect(&source("cmd", "command", parameters), &cx).map_err(|e| e.to_string())
    }

    fn bytes(c: &Collected) -> &[u8] {
        match &c.artefacts[0].content {
            Content::Bytes(b) => b,
            Content::File(_) => panic!("command output is in memory"),
        }
    }

    #[test]
    fn captures_standard_output() {
        let got = run(json!({
            "argv": ["cat", "data.json"],
            "cwd": "sub",
            "version_argv": ["cat", "--version"],
        }))
        .unwrap();
        let [a] = got.artefacts.as_slice() else {
            panic!()
        };
        assert_eq!(bytes(&got), br#"{"DBInstances": []}"#);
        assert_eq!(a.media_type, "application/json");
        assert_eq!(a.origin, "cat data.json");
        assert!(
            a.tool_version
                .as_deref()
                .unwrap()
                .starts_with("cat (GNU coreutils)"),
            "{:?}",
            a.tool_version
        );
        assert_eq!(a.observed.from.to_string(), "2026-03-31T12:00:00Z");
        assert_eq!(a.observed.from, a.observed.to);
    }

    #[test]
    fn media_types() {
        let media = |argv: serde_json::Value, extra: serde_json::Value| {
            let mut parameters = json!({ "argv": argv });
            parameters
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            run(parameters).unwrap().artefacts[0].media_type.clone()
        };
        assert_eq!(
            media(json!(["printf", "[1, 2]"]), json!({})),
            "application/json"
        );
        assert_eq!(
            media(json!(["printf", "a,b\\n1,2\\n"]), json!({})),
            "text/plain"
        );
        assert_eq!(
            media(json!(["printf", "\\377\\376"]), json!({})),
            "application/octet-stream"
        );
        assert_eq!(
            media(json!(["printf", "a,b"]), json!({"media_type": "text/csv"})),
            "text/csv"
        );
    }

    #[test]
    fn environment_and_redaction() {
        let got = run(json!({
            "argv": ["sh", "-c", "printf '%s|%s|%s' \"$AWS_REGION\" \"$API_TOKEN\" \"$1\"", "sh", "${REGION}",
                     "--token", "literal-secret", "--password=hunter2", "https://u:pw@db.example/x"],
            "env": {"AWS_REGION": "${REGION}", "API_TOKEN": "Bearer ${TOKEN}", "LANG": "C"},
        }))
        .unwrap();
        assert_eq!(bytes(&got), b"eu-west-1|Bearer tok-s3cr3t|eu-west-1");
        let a = &got.artefacts[0];
        assert_eq!(
            a.origin,
            "sh -c 'printf '\\''%s|%s|%s'\\'' \"$AWS_REGION\" \"$API_TOKEN\" \"$1\"' sh ${REGION} \
             --token <redacted> --password=<redacted> https://u:<redacted>@db.example/x"
        );
        assert_eq!(
            got.parameters,
            json!({
                "argv": ["sh", "-c", "printf '%s|%s|%s' \"$AWS_REGION\" \"$API_TOKEN\" \"$1\"", "sh", "<redacted>",
                         "--token", "literal-secret", "--password=hunter2", "https://u:pw@db.example/x"],
                "env": {"AWS_REGION": "<redacted>", "API_TOKEN": "<redacted>", "LANG": "C"},
            })
        );
        let everything = format!("{} {} {:?}", a.origin, got.parameters, a.name);
        assert!(!everything.contains("tok-s3cr3t"));
    }

    #[test]
    fn failures() {
        let check = |parameters: serde_json::Value, expected: &[&str]| {
            let err = run(parameters.clone())
                .err()
                .unwrap_or_else(|| panic!("{parameters} should fail"));
            for want in expected {
                assert!(err.contains(want), "{parameters}: `{err}` lacks `{want}`");
            }
        };
        check(
            json!({"argv": ["sh", "-c", "echo starting; echo 'AccessDenied: not authorised' >&2; exit 254"]}),
            &["exited with status 254", "AccessDenied: not authorised"],
        );
        check(
            json!({"argv": ["sh", "-c", "kill -9 $$"]}),
            &["was killed by signal 9"],
        );
        check(
            json!({"argv": ["sleep", "30"], "timeout": 0.3}),
            &[
                "`sleep 30` timed out after 0.3 s",
                "process group was killed",
            ],
        );
        check(
            json!({"argv": ["yes"], "max_bytes": 1000}),
            &["more than 1000 bytes", "`max_bytes`"],
        );
        check(
            json!({"argv": ["evident-no-such-tool", "x"]}),
            &["`evident-no-such-tool` was not found"],
        );
        check(
            json!({"argv": ["true"], "version_argv": ["false"]}),
            &["the version command `false` exited with status 1"],
        );
        check(
            json!({"argv": ["echo", "${NOPE}"]}),
            &["`argv[1]`: the environment variable `NOPE` is not set"],
        );
        check(
            json!({"argv": ["true"], "env": {"X": "${NOPE}"}}),
            &["`env.X`: the environment variable `NOPE`"],
        );
        check(
            json!({"argv": ["true"], "env": {"BAD NAME": "x"}}),
            &["not an environment variable name"],
        );
        check(
            json!({"argv": []}),
            &["`argv`: expected the program and its arguments, found an empty array"],
        );
        check(
            json!({"argv": "aws s3 ls"}),
            &["`argv`: expected an array of strings"],
        );
        check(
            json!({"argv": ["true"], "timeout": 0}),
            &["`timeout`: expected a number of seconds"],
        );
        check(
            json!({"argv": ["true"], "timeout": "60"}),
            &["`timeout`: expected a number of seconds, found a string"],
        );
        check(
            json!({"argv": ["true"], "cwd": "../"}),
            &["leaves the ISMS root"],
        );
        check(
            json!({"argv": ["true"], "cwd": "sub/data.json"}),
            &["`cwd`: `sub/data.json` is not a directory"],
        );
        check(
            json!({"argv": ["true"], "shell": true}),
            &["unknown parameter `shell`", "expected `argv`, `env`"],
        );
        check(json!({}), &["missing parameter `argv`"]);
    }

    #[test]
    fn url_passwords() {
        for (text, expected) in [
            (
                "postgres://app:pw@db:5432/x",
                "postgres://app:<redacted>@db:5432/x",
            ),
            ("https://user@host/x", "https://user@host/x"),
            ("https://host/a:b@c", "https://host/a:b@c"),
            ("plain", "plain"),
        ] {
            assert_eq!(redact_url_password(text), expected);
        }
    }
}
