//! Change management: the changes that landed in each bucket and the share
//! approved by someone other than who made them, from `git-log` and
//! `github-pull-request-reviews` evidence.
//!
//! The git rule is the built-in check `git-merge-approval`, computed the same
//! way so the figure and the check cannot disagree:
//! - a change is a commit on the branch's first-parent line
//!   (`first_parent: true`): merges, and commits pushed or rebased onto it;
//!   it landed when it was committed (`committer.time`);
//! - its approvers are the emails named by its approval trailers (keys
//!   compared without case; `Approved-by`, `Reviewed-by` unless the
//!   organisation sets the check's `trailers` parameter), written
//!   `Name <email>` or as a bare address;
//! - its makers are its author's email, or for a merge the authors of the
//!   merged branches' last commits when the history read contains them;
//! - it is approved when it has an approver and a maker, and some approver
//!   is not a maker (emails compared without case).
//!
//! A pull request counts as a change when it merged (`merged_at`), approved
//! when a review in state `approved` comes from someone other than its
//! author. Both kinds are shown per source; the total adds them up.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;

use evident_model::evidence::Timestamp;

use super::documents::{Documents, newest_collections};
use super::period::Clock;
use super::{Series, share};
use crate::Inputs;

/// The git history format id.
pub(crate) const GIT_LOG: &str = "git-log";
/// The GitHub pull request reviews format id.
pub(crate) const PULL_REQUEST_REVIEWS: &str = "github-pull-request-reviews";
const CHANGE_FORMATS: &[&str] = &[GIT_LOG, PULL_REQUEST_REVIEWS];

/// The check whose rule and parameters the git figures follow.
const CHECK: &str = "git-merge-approval";
/// Its default approval trailers.
const DEFAULT_TRAILERS: [&str; 2] = ["Approved-by", "Reviewed-by"];

/// What "approved" means, stated in every rendering.
pub const RULE: &str = "A change is a commit that landed on the branch's first-parent line (git-log) or a merged pull request. It is approved when someone other than the people who made it approved it: an approval trailer naming another person's email (the rule of the check git-merge-approval), or an approving review by someone other than the pull request's author.";

/// Changes, approved changes and their share, per bucket and over the
/// period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeTrend {
    /// Changes that landed.
    pub changes: Series,
    /// Of those, approved independently.
    pub approved: Series,
    /// `approved / changes`.
    pub approved_share: Series,
}

/// One source's changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeSource {
    /// The source's name.
    pub source: String,
    /// The evidence format the changes come from.
    pub format: &'static str,
    /// Its figures; unknown in buckets its evidence does not cover.
    pub trend: ChangeTrend,
}

/// Change management over the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeFigures {
    /// What counts as a change and as approved.
    pub rule: &'static str,
    /// The approval trailers read from git history.
    pub approval_trailers: Vec<String>,
    /// Each source with change evidence.
    pub sources: Vec<ChangeSource>,
    /// All sources added up.
    pub total: ChangeTrend,
}

/// A change as the figures need it.
#[derive(Clone, Copy)]
struct Change {
    landed: Timestamp,
    approved: bool,
}

/// A merged pull request, gathered across documents (reviews may arrive
/// in several).
#[derive(Default)]
struct PullRequest {
    merged_at: Option<Timestamp>,
    author: Option<String>,
    approvers: BTreeSet<String>,
}

/// The changes one source's evidence shows, and which buckets it covers.
struct Gathered {
    format: &'static str,
    commits: HashMap<String, Change>,
    pull_requests: HashMap<String, PullRequest>,
    covered: Vec<bool>,
}

/// Computes the figures.
pub(crate) fn figures(inputs: &Inputs, clock: &Clock, documents: &mut Documents) -> ChangeFigures {
    let trailers = approval_trailers(inputs);
    let keys: BTreeSet<String> = trailers.iter().map(|t| t.to_lowercase()).collect();
    let mut gathered: Vec<((String, &'static str), Gathered)> = Vec::new();
    let buckets = clock.buckets.len();
    for (_, span) in clock.begun() {
        for (source, items) in newest_collections(inputs.observations, CHANGE_FORMATS, span.as_of) {
            for record in items {
                let format = match record.item.format.as_deref() {
                    Some(GIT_LOG) => GIT_LOG,
                    Some(PULL_REQUEST_REVIEWS) => PULL_REQUEST_REVIEWS,
                    _ => continue,
                };
                let Some(doc) = documents.get(record) else {
                    continue;
                };
                let key = (source.to_string(), format);
                let position = match gathered.iter().position(|(k, _)| *k == key) {
                    Some(p) => p,
                    None => {
                        gathered.push((
                            key,
                            Gathered {
                                format,
                                commits: HashMap::new(),
                                pull_requests: HashMap::new(),
                                covered: vec![false; buckets],
                            },
                        ));
                        gathered.len() - 1
                    }
                };
                let Some((_, g)) = gathered.get_mut(position) else {
                    continue;
                };
                if format == GIT_LOG {
                    read_git_log(&doc, &keys, clock, g);
                } else {
                    read_pull_requests(&doc, clock, g);
                }
            }
        }
    }
    gathered.sort_by(|a, b| a.0.cmp(&b.0));

    let sources: Vec<ChangeSource> = gathered
        .into_iter()
        .map(|((source, _), g)| ChangeSource {
            source,
            format: g.format,
            trend: trend(&g.changes(), &g.covered, clock),
        })
        .collect();
    let total = total(&sources, buckets);
    ChangeFigures {
        rule: RULE,
        approval_trailers: trailers,
        sources,
        total,
    }
}

impl Gathered {
    fn changes(&self) -> Vec<Change> {
        let pull_requests = self.pull_requests.values().filter_map(|pr| {
            Some(Change {
                landed: pr.merged_at?,
                approved: pr
                    .author
                    .as_ref()
                    .is_some_and(|author| pr.approvers.iter().any(|a| a != author)),
            })
        });
        self.commits
            .values()
            .copied()
            .chain(pull_requests)
            .collect()
    }
}

fn trend(changes: &[Change], covered: &[bool], clock: &Clock) -> ChangeTrend {
    let mut landed = vec![0u64; covered.len()];
    let mut approved = vec![0u64; covered.len()];
    for change in changes {
        if let Some(i) = clock.bucket_of(change.landed)
            && let (Some(n), Some(a)) = (landed.get_mut(i), approved.get_mut(i))
        {
            *n += 1;
            *a += u64::from(change.approved);
        }
    }
    let known = |values: &[u64]| -> Vec<Option<u64>> {
        values
            .iter()
            .zip(covered)
            .map(|(v, c)| c.then_some(*v))
            .collect()
    };
    from_counts(known(&landed), known(&approved))
}

/// The series from counts per bucket (`None`: not covered).
fn from_counts(changes: Vec<Option<u64>>, approved: Vec<Option<u64>>) -> ChangeTrend {
    let sum = |v: &[Option<u64>]| -> Option<u64> {
        v.iter()
            .any(Option::is_some)
            .then(|| v.iter().flatten().sum())
    };
    let (total_changes, total_approved) = (sum(&changes), sum(&approved));
    let as_series = |name: &str, v: &[Option<u64>], period: Option<u64>| Series {
        name: name.into(),
        buckets: v.iter().map(|n| n.map(|n| n as f64)).collect(),
        period: period.map(|n| n as f64),
    };
    ChangeTrend {
        approved_share: Series {
            name: "approved share".into(),
            buckets: changes
                .iter()
                .zip(&approved)
                .map(|(c, a)| share((*a)?, (*c)?))
                .collect(),
            period: total_changes
                .zip(total_approved)
                .and_then(|(c, a)| share(a, c)),
        },
        changes: as_series("changes", &changes, total_changes),
        approved: as_series("approved", &approved, total_approved),
    }
}

/// The sum of the sources' known counts per bucket.
fn total(sources: &[ChangeSource], buckets: usize) -> ChangeTrend {
    let add = |pick: fn(&ChangeTrend) -> &Series| -> Vec<Option<u64>> {
        (0..buckets)
            .map(|i| {
                let known: Vec<u64> = sources
                    .iter()
                    .filter_map(|s| pick(&s.trend).buckets.get(i).copied().flatten())
                    .map(|v| v as u64)
                    .collect();
                (!known.is_empty()).then(|| known.iter().sum())
            })
            .collect()
    };
    from_counts(add(|t| &t.changes), add(|t| &t.approved))
}

/// The organisation's approval trailers for `git-merge-approval`, or the
/// check's defaults.
fn approval_trailers(inputs: &Inputs) -> Vec<String> {
    inputs
        .isms
        .organisation
        .check_parameters
        .iter()
        .find(|p| p.check.id == CHECK)
        .and_then(|p| p.values.get("trailers"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|list| !list.is_empty())
        .unwrap_or_else(|| DEFAULT_TRAILERS.iter().map(|t| t.to_string()).collect())
}

fn timestamp(value: Option<&Value>) -> Option<Timestamp> {
    value?.as_str()?.parse().ok()
}

fn lower_str(value: Option<&Value>) -> Option<String> {
    value?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
}

/// Reads a git history: marks the buckets it covers (those it reaches back
/// to the start of, so a partly read week is not shown as quiet) and records
/// each change it shows. Documents are read oldest first, so the newest
/// reading of a commit wins: a later history may reach a merge's merged
/// commits that an earlier one had not.
fn read_git_log(doc: &Value, keys: &BTreeSet<String>, clock: &Clock, into: &mut Gathered) {
    let since = timestamp(doc.get("since"));
    let until = timestamp(doc.get("until"));
    for (i, span) in clock.begun() {
        let starts_before = since.is_none_or(|s| s <= span.start);
        let ends_after = until.is_some_and(|u| u >= span.start);
        if starts_before
            && ends_after
            && let Some(c) = into.covered.get_mut(i)
        {
            *c = true;
        }
    }
    let commits: Vec<&Value> = doc
        .get("commits")
        .and_then(Value::as_array)
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    let by_sha: HashMap<&str, &Value> = commits
        .iter()
        .filter_map(|c| Some((c.get("sha")?.as_str()?, *c)))
        .collect();
    for commit in &commits {
        if commit.get("first_parent") != Some(&Value::Bool(true)) {
            continue;
        }
        let Some(sha) = commit.get("sha").and_then(Value::as_str) else {
            continue;
        };
        let landed = timestamp(commit.get("committer").and_then(|c| c.get("time")))
            .or_else(|| timestamp(commit.get("author").and_then(|a| a.get("time"))));
        let Some(landed) = landed else {
            continue;
        };
        into.commits.insert(
            sha.to_string(),
            Change {
                landed,
                approved: independently_approved(commit, &by_sha, keys),
            },
        );
    }
}

/// The rule of `git-merge-approval` for one landed commit.
fn independently_approved(
    commit: &Value,
    by_sha: &HashMap<&str, &Value>,
    keys: &BTreeSet<String>,
) -> bool {
    let approvers: BTreeSet<String> = commit
        .get("trailers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| {
            t.get("key")
                .and_then(Value::as_str)
                .is_some_and(|k| keys.contains(&k.to_lowercase()))
        })
        .filter_map(|t| trailer_email(t.get("value")?.as_str()?))
        .collect();
    let email_of = |c: &Value| lower_str(c.get("author").and_then(|a| a.get("email")));
    // The merged branches' last commits: every parent but the first.
    let tips: Vec<&Value> = commit
        .get("parents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .skip(1)
        .filter_map(|p| by_sha.get(p.as_str()?).copied())
        .collect();
    let makers: BTreeSet<String> = if tips.is_empty() {
        email_of(commit).into_iter().collect()
    } else {
        tips.into_iter().filter_map(email_of).collect()
    };
    !approvers.is_empty() && !makers.is_empty() && approvers.difference(&makers).next().is_some()
}

/// The email a trailer value names: `Name <email>`, or a bare address
/// (exactly the check's `trailer_email`).
pub(super) fn trailer_email(value: &str) -> Option<String> {
    if let Some(start) = value.find('<') {
        let end = value.find('>')?;
        let address = value.get(start + 1..end)?;
        return address.contains('@').then(|| address.trim().to_lowercase());
    }
    let address = value.trim();
    (address.contains('@') && !address.contains(' ')).then(|| address.to_lowercase())
}

/// Reads pull request reviews: every bucket begun is covered once a
/// source has any (a pull request records when it merged, so a later
/// export tells about earlier weeks too).
fn read_pull_requests(doc: &Value, clock: &Clock, into: &mut Gathered) {
    for (i, _) in clock.begun() {
        if let Some(c) = into.covered.get_mut(i) {
            *c = true;
        }
    }
    let pr = doc.get("pull_request").filter(|p| p.is_object());
    let reviews = doc.get("reviews").and_then(Value::as_array);
    let key_of = |repository: Option<&Value>, number: Option<&Value>| -> Option<String> {
        Some(format!("{}#{}", repository?.as_str()?, number?.as_u64()?))
    };
    if let Some(pr) = pr
        && let Some(key) = key_of(pr.get("repository"), pr.get("number"))
    {
        let entry = into.pull_requests.entry(key).or_default();
        if pr.get("merged") == Some(&Value::Bool(true)) {
            entry.merged_at = entry.merged_at.or(timestamp(pr.get("merged_at")));
        }
        entry.author = entry.author.take().or(lower_str(pr.get("author")));
    }
    let repository = pr.and_then(|p| p.get("repository"));
    for review in reviews.into_iter().flatten() {
        if review.get("state").and_then(Value::as_str) != Some("approved") {
            continue;
        }
        let number = review
            .get("pull_request_number")
            .or_else(|| pr.and_then(|p| p.get("number")));
        let (Some(key), Some(user)) = (key_of(repository, number), lower_str(review.get("user")))
        else {
            continue;
        };
        into.pull_requests
            .entry(key)
            .or_default()
            .approvers
            .insert(user);
    }
}
