//! git: the commit history that evident's own `git` collector writes
//! (`crates/collect/COLLECTORS.md`, §git).
//!
//! Shape (the document also has `"format"`; see `FORMATS.md`):
//!
//! `git-log`: `{ format_version, repository, branch, head, since, until,
//! commits: [{ sha, parents, merge, first_parent, author: { name, email,
//! time, offset }, committer: { name, email, time, offset }, subject,
//! signature: { status, code, signer, key }, trailers: [{ key, value }] }]
//! }`. `format_version` is the collector's `schema_version` (only `"1"` is
//! read). Commit times are UTC like every other timestamp; the author's
//! and committer's own UTC offset, which git records and the UTC time
//! would lose, is kept beside it as `offset` (`+05:30`, `+00:00`).
//!
//! `first_parent` marks the commits that reached the branch themselves:
//! those on the first-parent line from the tips of the history read (the
//! commits no other commit read names as a parent; normally just `head`).
//! A merge is on that line, the commits it brought in are not; in a
//! history without merges every commit is. Checks need it to tell a
//! change that landed from one that arrived inside a merge; Rego has no
//! recursion and evident's engine is built without `graph.reachable`, so
//! it is computed here.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::value::{Obj, Res, collector_schema_version, doc, time_value};

/// Format id of a git history.
pub const LOG: &str = "git-log";

/// Whether an object is a document of evident's `git` collector.
pub(crate) fn looks_like_log(m: &Map<String, Value>) -> bool {
    ["schema_version", "commits", "head", "branch"]
        .iter()
        .all(|k| m.contains_key(*k))
}

/// The versions of the collector's document this module reads.
const SCHEMA_VERSIONS: &[u64] = &[1];

/// The collector's document.
pub(crate) fn log(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let format_version = collector_schema_version(o, SCHEMA_VERSIONS, "git")?;
    let mut commits = o.each("commits", commit)?;
    mark_first_parent(&mut commits);
    Ok(doc([
        ("format", Value::from(LOG)),
        ("format_version", format_version),
        ("repository", o.string("repository")?),
        ("branch", o.required_str("branch")?),
        ("head", o.required_str("head")?),
        ("since", o.time("since")?),
        ("until", o.time("until")?),
        ("commits", Value::Array(commits)),
    ]))
}

fn commit(c: Obj<'_>) -> Res<Value> {
    let parents = c.strings("parents")?;
    let parent_count = parents.as_array().map_or(0, Vec::len);
    let merge = match c.bool("merge")? {
        Some(merge) => merge,
        None => parent_count > 1,
    };
    let signature = c
        .with("signature", |s| {
            Ok(doc([
                ("status", s.lower("status")?),
                ("code", s.string("code")?),
                ("signer", s.string("signer")?),
                ("key", s.string("key")?),
            ]))
        })?
        .unwrap_or_else(|| {
            doc([
                ("status", Value::Null),
                ("code", Value::Null),
                ("signer", Value::Null),
                ("key", Value::Null),
            ])
        });
    let trailers = c.each("trailers", |t| {
        Ok(doc([
            ("key", t.required_str("key")?),
            ("value", t.string("value")?),
        ]))
    })?;
    Ok(doc([
        ("sha", c.required_str("sha")?),
        ("parents", parents),
        ("merge", Value::Bool(merge)),
        // Set for every commit once all are read.
        ("first_parent", Value::Bool(false)),
        ("author", person(c, "author")?),
        ("committer", person(c, "committer")?),
        ("subject", c.string("subject")?),
        ("signature", signature),
        ("trailers", Value::Array(trailers)),
    ]))
}

fn person(c: Obj<'_>, key: &str) -> Res<Value> {
    let path = c.member(key);
    let p = Obj::new(c.required(key)?, &path)?;
    let written = p.required_str("time")?;
    let time = time_value(&written).map_err(|e| p.error("time", e))?;
    let offset = written
        .as_str()
        .and_then(offset_of)
        .map_or(Value::Null, Value::String);
    Ok(doc([
        ("name", p.string("name")?),
        ("email", p.string("email")?),
        ("time", time),
        ("offset", offset),
    ]))
}

/// The UTC offset written in an RFC 3339 time, as `±HH:MM` (`+05:30`;
/// `Z` is `+00:00`).
fn offset_of(time: &str) -> Option<String> {
    use jiff::fmt::temporal::{Pieces, PiecesOffset};
    let seconds = match Pieces::parse(time.trim()).ok()?.offset()? {
        PiecesOffset::Zulu => 0,
        PiecesOffset::Numeric(n) => n.offset().seconds(),
        _ => return None,
    };
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    Some(format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60))
}

/// Sets `first_parent` on the commits of the first-parent line from every
/// tip. Each commit is visited once, so this is linear in the history.
fn mark_first_parent(commits: &mut [Value]) {
    let by_sha: HashMap<String, usize> = commits
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c["sha"].as_str().map(|s| (s.to_string(), i)))
        .collect();
    let named_as_parent: HashSet<&str> = commits
        .iter()
        .filter_map(|c| c["parents"].as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let tips: Vec<usize> = commits
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c["sha"]
                .as_str()
                .is_some_and(|s| !named_as_parent.contains(s))
        })
        .map(|(i, _)| i)
        .collect();
    let mut on_line = vec![false; commits.len()];
    for tip in tips {
        let mut at = Some(tip);
        while let Some(i) = at {
            if on_line[i] {
                break;
            }
            on_line[i] = true;
            at = commits[i]["parents"]
                .get(0)
                .and_then(Value::as_str)
                .and_then(|p| by_sha.get(p).copied());
        }
    }
    for (commit, on) in commits.iter_mut().zip(on_line) {
        if let Some(flag) = commit.get_mut("first_parent") {
            *flag = Value::Bool(on);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::tests::{check, check_error};

    #[test]
    fn log() {
        check(
            "git/evident-collector_platform.json",
            "git-log.evident-collector-platform",
        );
    }

    fn first_parent(commits: serde_json::Value) -> Vec<bool> {
        let mut doc =
            json!({"schema_version": 1, "branch": "main", "head": "x", "commits": commits});
        let mut list = doc["commits"].take();
        let items = list.as_array_mut().unwrap();
        for c in items.iter_mut() {
            c["author"] = json!({"name": "a", "email": "a@x", "time": "2026-01-01T00:00:00Z"});
            c["committer"] = c["author"].clone();
        }
        doc["commits"] = list;
        let out = super::log(&doc).unwrap();
        out["commits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_parent"].as_bool().unwrap())
            .collect()
    }

    #[test]
    fn first_parent_line() {
        // m merges b (side branch) into a; c is older than the period's
        // start, so a's parent is not read.
        assert_eq!(
            first_parent(json!([
                {"sha": "m", "parents": ["a", "b"]},
                {"sha": "b", "parents": ["a"]},
                {"sha": "a", "parents": ["c"]},
            ])),
            [true, false, true]
        );
        // Linear: every commit landed itself.
        assert_eq!(
            first_parent(json!([
                {"sha": "z", "parents": ["y"]},
                {"sha": "y", "parents": ["x"]},
                {"sha": "x", "parents": []},
            ])),
            [true, true, true]
        );
        // A cycle (impossible in git, possible in a forged document) ends.
        assert_eq!(
            first_parent(json!([
                {"sha": "p", "parents": ["q"]},
                {"sha": "q", "parents": ["p"]},
            ])),
            [false, false]
        );
    }

    #[test]
    fn offsets_are_kept_beside_utc_times() {
        assert_eq!(
            super::offset_of("2026-03-10T14:45:30+05:30").as_deref(),
            Some("+05:30")
        );
        assert_eq!(
            super::offset_of("2026-02-10T09:00:00Z").as_deref(),
            Some("+00:00")
        );
        assert_eq!(
            super::offset_of("2026-02-10T09:00:00-05:00").as_deref(),
            Some("-05:00")
        );
    }

    #[test]
    fn errors() {
        check_error(
            br#"{"schema_version": 2, "branch": "main", "head": "x", "commits": []}"#,
            "git-log",
            "`schema_version`: version 2 is not supported (only 1, written by evident's git collector)",
        );
        check_error(
            br#"{"schema_version": 1, "branch": "main", "head": "x", "commits": [{"sha": "x", "author": {"time": "2026-01-01T00:00:00Z"}}]}"#,
            "git-log",
            "`commits[0].committer`: missing",
        );
        check_error(
            br#"{"schema_version": 1, "branch": "main", "head": "x", "commits": [{"sha": "x", "author": {"time": "yesterday"}, "committer": {}}]}"#,
            "git-log",
            "`commits[0].author.time`: expected an RFC 3339 timestamp with an offset, found \"yesterday\"",
        );
        check_error(
            br#"{"schema_version": 1, "branch": "main", "head": "x", "commits": [{"sha": 7}]}"#,
            "git-log",
            "`commits[0].sha`: expected a string, found a number",
        );
        check_error(
            b"{\"schema_version\": 1, \"repository\": \".\", \"branch\": \"main\", \"head\": \"x\", \"commits\": [",
            "git-log",
            "invalid JSON at line 1, column 84: EOF while parsing a list",
        );
    }
}
