//! Collectors: turn a system's state into evidence artefacts with their
//! provenance. A collector never writes the store: it hands artefacts to its
//! caller, which records them (crate `evident-store`).
//!
//! [`collect`] dispatches on a source's collector: `file` (files in the
//! ISMS repository), `command` (a program's output), `http` (a paginated
//! JSON API), `git` (a branch's commit history), `postgres` (roles,
//! privileges and settings of a database); `manual` sources are uploaded,
//! not collected. Each collector is one module with its parameters
//! documented at its top; `COLLECTORS.md` beside this crate is the user
//! documentation of all of them, held in step with the code by a test.
//!
//! - Architecture invariant: secrets taken from the environment never
//!   appear in an artefact's origin, in the recorded parameters or in an
//!   error message.
//! - Architecture invariant: parameters are validated strictly; an unknown
//!   name is an error that lists the expected ones.
//! - Architecture invariant: files are read only inside the ISMS root
//!   (after resolving `..` and symbolic links), and streamed, never loaded
//!   whole.
//! - Architecture invariant: every process and request is bounded in time
//!   and size; a program that overruns is killed with its process group.
//! - Collectors read the clock only to pace retries and deadlines; "now"
//!   for observed periods is [`Context::now`].

#![deny(missing_docs)]

mod command;
mod file;
mod git;
mod http;
mod params;
mod paths;
mod postgres;
mod process;
pub mod run;
#[cfg(test)]
mod testing;

use std::path::PathBuf;

use evident_model::evidence::{ObservedPeriod, Timestamp};
use evident_model::source::Source;

/// The bytes of an artefact: a file to stream (never read whole), or bytes
/// already in memory (command output, an HTTP response).
#[derive(Clone, Debug)]
pub enum Content {
    /// A file on disk, streamed by the store.
    File(PathBuf),
    /// Bytes in memory.
    Bytes(Vec<u8>),
}

/// One artefact taken from a system.
#[derive(Clone, Debug)]
pub struct Artefact {
    /// A name for people and for format detection (a relative path, an
    /// endpoint, `git-log main`).
    pub name: String,
    /// The bytes.
    pub content: Content,
    /// IANA media type.
    pub media_type: String,
    /// What was read: the path, the command line, the URL (redacted).
    pub origin: String,
    /// Version of the tool that produced it, when known.
    pub tool_version: Option<String>,
    /// When the observed state was true.
    pub observed: ObservedPeriod,
}

/// The result of running one source.
#[derive(Clone, Debug)]
pub struct Collected {
    /// The artefacts, in a stable order.
    pub artefacts: Vec<Artefact>,
    /// The source's parameters as they may be recorded (secrets redacted).
    pub parameters: serde_json::Value,
}

/// What collectors may use from their surroundings.
pub struct Context {
    /// The ISMS repository root; relative paths resolve against it.
    pub root: PathBuf,
    /// The time of the collection run.
    pub now: Timestamp,
    /// Environment lookup (tests pass their own).
    pub env: EnvLookup,
}

/// Looks up an environment variable by name.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Why a source failed. Recorded as a failed collection, never as evidence.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The source's parameters are wrong.
    #[error("invalid parameters: {0}")]
    Parameters(String),
    /// The collector kind does not exist.
    #[error(
        "unknown collector `{0}`; expected `file`, `command`, `http`, `git`, `postgres` or `manual`"
    )]
    UnknownCollector(String),
    /// The source is `manual`: its evidence is uploaded by a person, not
    /// collected.
    #[error(
        "source `{0}` is manual: its evidence is uploaded by a person with a dedicated command, \
         not collected"
    )]
    Manual(String),
    /// The system could not be read (I/O, exit status, HTTP status, timeout).
    #[error("{0}")]
    Failed(String),
}

/// The collectors that run (`manual` evidence is uploaded, not collected).
pub const COLLECTORS: &[&str] = &["file", "command", "http", "git", "postgres"];

/// Runs the collector a source names.
pub fn collect(source: &Source, cx: &Context) -> Result<Collected, CollectError> {
    match source.collector.as_str() {
        "file" => file::collect(source, cx),
        "command" => command::collect(source, cx),
        "http" => http::collect(source, cx),
        "git" => git::collect(source, cx),
        "postgres" => postgres::collect(source, cx),
        "manual" => Err(CollectError::Manual(source.name.clone())),
        other => Err(CollectError::UnknownCollector(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{context, source};
    use serde_json::json;

    #[test]
    fn dispatch() {
        let dir = tempfile::tempdir().unwrap();
        let cx = context(dir.path());
        let check = |collector: &str, expected: &str| {
            let err = collect(&source("s", collector, json!({})), &cx)
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(expected), "{collector}: {err}");
        };
        check(
            "manual",
            "source `s` is manual: its evidence is uploaded by a person with a dedicated command, not collected",
        );
        check(
            "ftp",
            "unknown collector `ftp`; expected `file`, `command`, `http`, `git`, `postgres` or `manual`",
        );
        check("file", "missing parameter `paths`");
        check("command", "missing parameter `argv`");
        check("http", "missing parameter `url`");
        check("postgres", "missing parameter `url_env`");
        check("git", "not a git repository");
    }

    /// The parameter names in a Markdown table (`| `name` | …`).
    fn table(text: &str, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .map(str::to_string)
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_parameter_is_documented() {
        let guide = include_str!("../COLLECTORS.md");
        for (collector, parameters, module) in [
            ("file", file::PARAMETERS, include_str!("file.rs")),
            ("command", command::PARAMETERS, include_str!("command.rs")),
            ("http", http::PARAMETERS, include_str!("http.rs")),
            ("git", git::PARAMETERS, include_str!("git.rs")),
            (
                "postgres",
                postgres::PARAMETERS,
                include_str!("postgres.rs"),
            ),
        ] {
            let mut expected: Vec<String> = parameters.iter().map(|p| p.to_string()).collect();
            expected.sort();
            let section = guide
                .split(&format!("\n## `{collector}`\n"))
                .nth(1)
                .unwrap_or_else(|| panic!("COLLECTORS.md has no section for `{collector}`"));
            let section = section.split("\n## ").next().unwrap_or(section);
            assert_eq!(table(section, ""), expected, "COLLECTORS.md, `{collector}`");
            assert_eq!(
                table(module, "//! "),
                expected,
                "module docs of `{collector}`"
            );
        }
        for collector in COLLECTORS.iter().chain(&["manual"]) {
            assert!(
                guide.contains(&format!("\n## `{collector}`\n")),
                "{collector}"
            );
        }
    }
}
