//! The `git` collector: the commit history of a branch over a period, as
//! evidence of change management, reviews and approvals.
//!
//! | parameter | type | default | meaning |
//! |---|---|---|---|
//! | `path` | string | `.` (the ISMS root) | the repository (or a directory in it), relative to the ISMS root |
//! | `branch` | string | the current `HEAD` | the branch, tag or commit whose history is read |
//! | `since` | string | the whole history | start of the period: a date (`2026-01-01`, from 00:00 UTC), an RFC 3339 time (`2026-01-01T09:00:00Z`) or a duration before the collection time (`90d`, `12w`, `6m`, `1y`) |
//! | `until` | string | the collection time | end of the period: a date (through 23:59:59 UTC), an RFC 3339 time, or a duration before the collection time |
//! | `timeout` | number (seconds) | `120` | deadline of each `git` command |
//!
//! The artefact (media type `application/json`, name `git-log <branch>`)
//! is one JSON document:
//!
//! ```json
//! { "schema_version": 1, "repository": ".", "branch": "main", "head": "<sha>",
//!   "since": "2026-01-01T00:00:00Z", "until": "2026-03-31T12:00:00Z",
//!   "commits": [ { "sha": "…", "parents": ["…"], "merge": false,
//!     "author": { "name": "…", "email": "…", "time": "2026-02-10T09:00:00+01:00" },
//!     "committer": { "name": "…", "email": "…", "time": "…" },
//!     "subject": "…",
//!     "signature": { "status": "good", "code": "G", "signer": "…", "key": "…" },
//!     "trailers": [ { "key": "Reviewed-by", "value": "Alice <alice@example.com>" } ] } ] }
//! ```
//!
//! Commits are those reachable from the branch whose committer time lies in
//! the period, newest first (git's order). `signature.code` is git's `%G?`:
//! `G` good, `B` bad, `U` good with unknown validity, `X` good but expired,
//! `Y` good by an expired key, `R` good by a revoked key, `E` cannot be
//! checked (missing key), `N` none; `status` spells it out (`good`, `bad`,
//! `good-unknown-validity`, `good-expired`, `good-expired-key`,
//! `good-revoked-key`, `unverifiable`, `none`). Verifying SSH signatures
//! needs `gpg.ssh.allowedSignersFile` in the repository's or the user's git
//! configuration. `trailers` holds every trailer of the message
//! (`Reviewed-by`, `Approved-by`, `Co-authored-by`, `Signed-off-by`…), in
//! order. The observed period is the period read (from the first commit's
//! time when `since` is not set). The tool version is `git --version`.
//!
//! git runs with `GIT_CONFIG_NOSYSTEM=1`, no pager, `core.quotepath=off`,
//! no mailmap (names as recorded in the commits) and no optional locks.

use std::path::Path;
use std::time::Duration;

use evident_model::evidence::{ObservedPeriod, Timestamp};
use evident_model::source::Source;
use evident_model::time::{Cadence, CadenceUnit, parse_date};
use serde::Serialize;

use crate::params::{self, Params};
use crate::paths::Root;
use crate::process::{self, Run, RunError};
use crate::{Artefact, CollectError, Collected, Content, Context};

pub(crate) const PARAMETERS: &[&str] = &["path", "branch", "since", "until", "timeout"];

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
const MAX_OUTPUT: u64 = 1024 * 1024 * 1024;

/// Separates commits in `git log`'s output.
const RECORD: char = '\u{1e}';
/// Separates trailers, and a trailer's key from its value.
const TRAILER: char = '\u{1f}';
const KEY_VALUE: char = '\u{1d}';

/// One field per `%` placeholder, NUL-separated, each commit introduced by
/// a record separator.
const FORMAT: &str = "--format=%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00\
                      %G?%x00%GS%x00%GK%x00%s%x00\
                      %(trailers:only=true,unfold=true,separator=%x1f,key_value_separator=%x1d)%x00";
const FIELDS: usize = 13;

/// The document the collector writes.
#[derive(Serialize)]
struct History {
    schema_version: u32,
    repository: String,
    branch: String,
    head: String,
    since: Option<String>,
    until: String,
    commits: Vec<Commit>,
}

#[derive(Serialize)]
struct Commit {
    sha: String,
    parents: Vec<String>,
    merge: bool,
    author: Person,
    committer: Person,
    subject: String,
    signature: Signature,
    trailers: Vec<Trailer>,
}

#[derive(Serialize)]
struct Person {
    name: String,
    email: String,
    time: String,
}

#[derive(Serialize)]
struct Signature {
    status: &'static str,
    code: String,
    signer: Option<String>,
    key: Option<String>,
}

#[derive(Serialize)]
struct Trailer {
    key: String,
    value: String,
}

pub(crate) fn collect(source: &Source, cx: &Context) -> Result<Collected, CollectError> {
    let p = Params::new("git", &source.parameters, PARAMETERS)?;
    let root = Root::new(&cx.root)?;
    let path_written = p.opt_nonempty("path")?.unwrap_or(".");
    let dir = root.resolve("path", path_written)?;
    if !dir.is_dir() {
        return Err(CollectError::Parameters(format!(
            "`path`: `{path_written}` is not a directory"
        )));
    }
    let repository = root.relative(&dir);
    let branch = p.opt_nonempty("branch")?;
    if branch.is_some_and(|b| b.starts_with('-')) {
        return Err(CollectError::Parameters(
            "`branch`: a branch name cannot start with `-`".to_string(),
        ));
    }
    let since = p
        .opt_nonempty("since")?
        .map(|s| moment("since", s, cx.now, Bound::Start))
        .transpose()?;
    let until = p
        .opt_nonempty("until")?
        .map(|s| moment("until", s, cx.now, Bound::End))
        .transpose()?
        .unwrap_or(cx.now);
    if let Some(since) = since
        && since > until
    {
        return Err(CollectError::Parameters(format!(
            "`since` ({since}) is after `until` ({until})"
        )));
    }
    let timeout = p.opt_seconds("timeout", 86_400)?.unwrap_or(DEFAULT_TIMEOUT);
    let git = Git { dir: &dir, timeout };

    let version = git.run(&["--version"], "git --version")?;
    let version = String::from_utf8_lossy(&version).trim().to_string();
    let target = branch.unwrap_or("HEAD");
    let head = git
        .run(
            &["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{target}^{{commit}}")],
            "git rev-parse",
        )
        .map_err(|e| match branch {
            Some(b) => CollectError::Failed(format!(
                "`branch`: `{b}` is not a branch, tag or commit of the repository at `{repository}` ({e})"
            )),
            None => CollectError::Failed(format!(
                "the repository at `{repository}` has no commit at HEAD ({e})"
            )),
        })?;
    let head = String::from_utf8_lossy(&head).trim().to_string();
    let branch_name = match branch {
        Some(b) => b.to_string(),
        None => git
            .run(
                &["symbolic-ref", "--quiet", "--short", "HEAD"],
                "git symbolic-ref",
            )
            .map(|out| String::from_utf8_lossy(&out).trim().to_string())
            .unwrap_or_else(|_| "HEAD".to_string()),
    };

    let mut args: Vec<String> = vec![
        "log".into(),
        "--no-mailmap".into(),
        "--no-color".into(),
        FORMAT.into(),
    ];
    if let Some(since) = since {
        args.push(format!("--since=@{}", since.as_second()));
    }
    // git compares whole seconds; round the end up so that `until` is
    // inclusive.
    let until_secs = until.as_second() + i64::from(until.subsec_nanosecond() > 0);
    args.push(format!("--until=@{until_secs}"));
    args.push(head.clone());
    args.push("--".into());
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = git.run(&arg_refs, "git log")?;
    let text = String::from_utf8_lossy(&out);
    let mut commits = parse_log(&text)?;
    // git filters with heuristics; hold the period exactly.
    commits.retain(|c| {
        c.committer
            .time
            .parse::<Timestamp>()
            .is_ok_and(|t| since.is_none_or(|s| t >= s) && t <= until)
    });

    let from = match since {
        Some(since) => since,
        None => commits
            .iter()
            .filter_map(|c| c.committer.time.parse::<Timestamp>().ok())
            .min()
            .unwrap_or(until),
    };
    let history = History {
        schema_version: 1,
        repository: repository.clone(),
        branch: branch_name.clone(),
        head,
        since: since.map(|t| t.to_string()),
        until: until.to_string(),
        commits,
    };
    let body = serde_json::to_vec(&history)
        .map_err(|e| CollectError::Failed(format!("cannot write the git history: {e}")))?;
    let mut origin = format!("git log {branch_name}");
    if let Some(since) = since {
        origin.push_str(&format!(" --since={since}"));
    }
    origin.push_str(&format!(" --until={until} in {repository}"));
    Ok(Collected {
        artefacts: vec![Artefact {
            name: format!("git-log {branch_name}"),
            content: Content::Bytes(body),
            media_type: "application/json".to_string(),
            origin,
            tool_version: Some(version),
            observed: ObservedPeriod { from, to: until },
        }],
        parameters: params::redact(&source.parameters),
    })
}

/// Runs git in a repository, with a stable, non-interactive configuration.
struct Git<'a> {
    dir: &'a Path,
    timeout: Duration,
}

impl Git<'_> {
    fn run(&self, args: &[&str], what: &str) -> Result<Vec<u8>, CollectError> {
        let mut argv: Vec<String> = [
            "git",
            "--no-pager",
            "-c",
            "core.quotepath=off",
            "-c",
            "log.showSignature=false",
            "-c",
            "i18n.logOutputEncoding=UTF-8",
            "-c",
            "color.ui=never",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        argv.extend(args.iter().map(|s| s.to_string()));
        let env: Vec<(String, String)> = [
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_PAGER", "cat"),
            ("PAGER", "cat"),
            ("GIT_TERMINAL_PROMPT", "0"),
            ("GIT_OPTIONAL_LOCKS", "0"),
            ("LC_ALL", "C"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let output = process::run(&Run {
            argv: &argv,
            env: &env,
            cwd: self.dir,
            timeout: self.timeout,
            max_stdout: MAX_OUTPUT,
        })
        .map_err(|e| {
            CollectError::Failed(match e {
                RunError::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    "cannot run `git`: it was not found (is git installed and on PATH?)".to_string()
                }
                RunError::Spawn(e) => format!("cannot run `git`: {e}"),
                RunError::Timeout => format!(
                    "`{what}` timed out after {} s (`timeout`)",
                    crate::command::seconds(self.timeout)
                ),
                RunError::TooLarge => format!("`{what}` wrote more than {MAX_OUTPUT} bytes"),
                RunError::Io(e) => format!("`{what}`: {e}"),
            })
        })?;
        if !output.status.success() {
            return Err(CollectError::Failed(format!(
                "`{what}` {}: {}",
                process::describe_status(output.status),
                process::tail_text(&output.stderr_tail)
            )));
        }
        Ok(output.stdout)
    }
}

/// Parses `git log` output in [`FORMAT`].
fn parse_log(text: &str) -> Result<Vec<Commit>, CollectError> {
    let mut commits = Vec::new();
    for record in text.split(RECORD).skip(1) {
        let fields: Vec<&str> = record.split('\0').collect();
        // The last field is the newline git puts between commits.
        if fields.len() != FIELDS + 1 {
            return Err(CollectError::Failed(format!(
                "unexpected `git log` output: {} fields in a commit record, expected {FIELDS}",
                fields.len().saturating_sub(1)
            )));
        }
        let parents: Vec<String> = fields[1].split_whitespace().map(str::to_string).collect();
        let code = fields[8].trim();
        let optional = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        };
        commits.push(Commit {
            sha: fields[0].to_string(),
            merge: parents.len() > 1,
            parents,
            author: Person {
                name: fields[2].to_string(),
                email: fields[3].to_string(),
                time: fields[4].to_string(),
            },
            committer: Person {
                name: fields[5].to_string(),
                email: fields[6].to_string(),
                time: fields[7].to_string(),
            },
            subject: fields[11].to_string(),
            signature: Signature {
                status: signature_status(code),
                code: code.to_string(),
                signer: optional(fields[9]),
                key: optional(fields[10]),
            },
            trailers: fields[12]
                .split(TRAILER)
                .filter(|t| !t.trim().is_empty())
                .map(|t| match t.split_once(KEY_VALUE) {
                    Some((key, value)) => Trailer {
                        key: key.trim().to_string(),
                        value: value.trim().to_string(),
                    },
                    None => Trailer {
                        key: t.trim().to_string(),
                        value: String::new(),
                    },
                })
                .collect(),
        });
    }
    Ok(commits)
}

fn signature_status(code: &str) -> &'static str {
    match code {
        "G" => "good",
        "B" => "bad",
        "U" => "good-unknown-validity",
        "X" => "good-expired",
        "Y" => "good-expired-key",
        "R" => "good-revoked-key",
        "E" => "unverifiable",
        "N" => "none",
        _ => "unknown",
    }
}

/// Which end of the period a moment is.
#[derive(Clone, Copy)]
enum Bound {
    Start,
    End,
}

/// A `since`/`until` value: a date, an RFC 3339 time, or a duration before
/// `now`.
fn moment(what: &str, text: &str, now: Timestamp, bound: Bound) -> Result<Timestamp, CollectError> {
    let text = text.trim();
    if let Ok(cadence) = text.parse::<Cadence>() {
        let count = i64::from(cadence.count);
        let span = match cadence.unit {
            CadenceUnit::Days => jiff::Span::new().try_days(count),
            CadenceUnit::Weeks => jiff::Span::new().try_weeks(count),
            CadenceUnit::Months => jiff::Span::new().try_months(count),
            CadenceUnit::Years => jiff::Span::new().try_years(count),
        };
        let utc = jiff::tz::Offset::UTC;
        return span
            .and_then(|span| utc.to_datetime(now).checked_sub(span))
            .and_then(|dt| utc.to_timestamp(dt))
            .map_err(|e| CollectError::Parameters(format!("`{what}`: `{text}`: {e}")));
    }
    if text.len() == 10 {
        let date =
            parse_date(text).map_err(|e| CollectError::Parameters(format!("`{what}`: {e}")))?;
        let time = match bound {
            Bound::Start => jiff::civil::Time::midnight(),
            Bound::End => jiff::civil::time(23, 59, 59, 0),
        };
        return jiff::tz::Offset::UTC
            .to_timestamp(date.to_datetime(time))
            .map_err(|e| CollectError::Parameters(format!("`{what}`: `{text}`: {e}")));
    }
    text.parse::<Timestamp>().map_err(|_| {
        CollectError::Parameters(format!(
            "`{what}`: expected a date (`2026-01-01`), an RFC 3339 time (`2026-01-01T09:00:00Z`) \
             or a duration (`90d`, `12w`, `6m`, `1y`), found `{text}`"
        ))
    })
}

#[cfg(test)]
mod tests;
