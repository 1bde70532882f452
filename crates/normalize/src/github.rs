//! GitHub: workflow runs, pull-request reviews, branch protection rules.
//! REST responses and webhook payloads of the same thing normalise to the
//! same document, so one check covers both.
//!
//! Shapes (every document also has `"format"`; see `FORMATS.md`):
//!
//! - `github-workflow-runs`: `{ action, total_count, workflow_runs: [{ id,
//!   name, workflow_id, workflow_name, path, display_title, run_number,
//!   run_attempt, event, status, conclusion, head_branch, head_sha,
//!   repository, head_repository, actor, triggering_actor, created_at,
//!   updated_at, run_started_at, html_url, pull_requests: [{ number,
//!   head_ref, head_sha, base_ref, base_sha }] }] }`. `action` is the
//!   webhook's (`completed`), `null` for REST; `repository` is
//!   `owner/name`; `actor` and `triggering_actor` are logins;
//!   `workflow_name` is the webhook's `workflow.name`, else the run's name.
//! - `github-pull-request-reviews`: `{ action, pull_request: { number, url,
//!   repository, title, state, draft, author, merged, merged_at, merged_by,
//!   merge_commit_sha, head_ref, head_sha, base_ref, created_at,
//!   updated_at, closed_at }, reviews: [{ id, pull_request_number,
//!   pull_request_url, user, user_type, state, submitted_at, commit_id,
//!   author_association, html_url }] }`. `state` is lowercase (`approved`,
//!   `changes_requested`, `commented`, `dismissed`, `pending`) whatever the
//!   source's case. For REST lists, which carry no pull request,
//!   `pull_request` has only `number`, `url` and `repository` (from the
//!   reviews' `pull_request_url`); the other members are `null`.
//! - `github-branch-protection-rule`: `{ action, repository, sender, rule:
//!   { id, repository_id, name, created_at, updated_at,
//!   pull_request_reviews_enforcement_level,
//!   required_approving_review_count, … every member of the rule as GitHub
//!   sends it }, changes: { member: { from } } }`.

use serde_json::{Map, Value};

use crate::value::{Obj, Res, doc, each_item, time_value};

/// Format id of workflow runs.
pub const WORKFLOW_RUNS: &str = "github-workflow-runs";
/// Format id of pull-request reviews.
pub const PULL_REQUEST_REVIEWS: &str = "github-pull-request-reviews";
/// Format id of a branch protection rule.
pub const BRANCH_PROTECTION_RULE: &str = "github-branch-protection-rule";

/// Whether an object is a REST pull-request review.
pub(crate) fn looks_like_review(m: &Map<String, Value>) -> bool {
    m.contains_key("state")
        && m.contains_key("user")
        && (m.contains_key("pull_request_url")
            || (m.contains_key("submitted_at") && m.contains_key("commit_id")))
}

fn login(o: Obj<'_>, key: &str) -> Res<Value> {
    Ok(o.with(key, |u| u.string("login"))?.unwrap_or(Value::Null))
}

fn full_name(o: Obj<'_>, key: &str) -> Res<Value> {
    Ok(o.with(key, |r| r.string("full_name"))?
        .unwrap_or(Value::Null))
}

/// The REST list, a single run, or the `workflow_run` webhook.
pub(crate) fn workflow_runs(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let (action, total_count, runs) = if o.has("workflow_runs") {
        (
            Value::Null,
            o.number("total_count")?,
            o.each("workflow_runs", |r| run(r, Value::Null))?,
        )
    } else if o.has("workflow_run") {
        let workflow_name = o
            .with("workflow", |w| w.string("name"))?
            .unwrap_or(Value::Null);
        let runs: Vec<Value> = o
            .with("workflow_run", |r| run(r, workflow_name))?
            .into_iter()
            .collect();
        (o.string("action")?, Value::Null, runs)
    } else {
        (Value::Null, Value::Null, vec![run(o, Value::Null)?])
    };
    Ok(doc([
        ("format", Value::from(WORKFLOW_RUNS)),
        ("action", action),
        ("total_count", total_count),
        ("workflow_runs", Value::Array(runs)),
    ]))
}

fn run(r: Obj<'_>, workflow_name: Value) -> Res<Value> {
    let name = r.string("name")?;
    let workflow_name = match workflow_name {
        Value::Null => name.clone(),
        given => given,
    };
    let pull_requests = r.each("pull_requests", |p| {
        let (head_ref, head_sha) = p
            .with("head", |h| Ok((h.string("ref")?, h.string("sha")?)))?
            .unwrap_or_default();
        let (base_ref, base_sha) = p
            .with("base", |b| Ok((b.string("ref")?, b.string("sha")?)))?
            .unwrap_or_default();
        Ok(doc([
            ("number", p.number("number")?),
            ("head_ref", head_ref),
            ("head_sha", head_sha),
            ("base_ref", base_ref),
            ("base_sha", base_sha),
        ]))
    })?;
    Ok(doc([
        ("id", r.number("id")?),
        ("name", name),
        ("workflow_id", r.number("workflow_id")?),
        ("workflow_name", workflow_name),
        ("path", r.string("path")?),
        ("display_title", r.string("display_title")?),
        ("run_number", r.number("run_number")?),
        ("run_attempt", r.number("run_attempt")?),
        ("event", r.string("event")?),
        ("status", r.lower("status")?),
        ("conclusion", r.lower("conclusion")?),
        ("head_branch", r.string("head_branch")?),
        ("head_sha", r.string("head_sha")?),
        ("repository", full_name(r, "repository")?),
        ("head_repository", full_name(r, "head_repository")?),
        ("actor", login(r, "actor")?),
        ("triggering_actor", login(r, "triggering_actor")?),
        ("created_at", r.time("created_at")?),
        ("updated_at", r.time("updated_at")?),
        ("run_started_at", r.time("run_started_at")?),
        ("html_url", r.string("html_url")?),
        ("pull_requests", Value::Array(pull_requests)),
    ]))
}

/// The REST list of reviews, a single review, or the
/// `pull_request_review` webhook.
pub(crate) fn pull_request_reviews(v: &Value) -> Res<Value> {
    let (action, pull_request, reviews) = match v {
        Value::Array(items) => {
            let reviews = each_item(items, "", review)?;
            (Value::Null, pull_request_from_reviews(&reviews), reviews)
        }
        _ => {
            let o = Obj::new(v, "")?;
            if o.has("review") {
                let reviews: Vec<Value> = o.with("review", review)?.into_iter().collect();
                let pr = o.with("pull_request", pull_request)?.unwrap_or(Value::Null);
                (o.string("action")?, pr, reviews)
            } else {
                let reviews = vec![review(o)?];
                (Value::Null, pull_request_from_reviews(&reviews), reviews)
            }
        }
    };
    Ok(doc([
        ("format", Value::from(PULL_REQUEST_REVIEWS)),
        ("action", action),
        ("pull_request", pull_request),
        ("reviews", Value::Array(reviews)),
    ]))
}

fn review(r: Obj<'_>) -> Res<Value> {
    let pr_url = match r.str("pull_request_url")? {
        Some(url) => Some(url),
        None => r
            .get("_links")
            .and_then(|l| l.get("pull_request"))
            .and_then(|p| p.get("href"))
            .and_then(Value::as_str),
    };
    let number = pr_url
        .and_then(parse_pull_url)
        .map_or(Value::Null, |(_, n, _)| Value::from(n));
    let (user, user_type) = r
        .with("user", |u| Ok((u.string("login")?, u.string("type")?)))?
        .unwrap_or_default();
    Ok(doc([
        ("id", r.number("id")?),
        ("pull_request_number", number),
        ("user", user),
        ("user_type", user_type),
        ("state", r.lower("state")?),
        ("submitted_at", r.time("submitted_at")?),
        ("commit_id", r.string("commit_id")?),
        ("author_association", r.lower("author_association")?),
        ("html_url", r.string("html_url")?),
        ("pull_request_url", pr_url.map_or(Value::Null, Value::from)),
    ]))
}

/// `https://api.github.com/repos/OWNER/REPO/pulls/N` → (`OWNER/REPO`, N, url).
fn parse_pull_url(url: &str) -> Option<(String, u64, String)> {
    let rest = &url[url.find("/repos/")? + "/repos/".len()..];
    let mut parts = rest.split('/');
    let owner = parts.next()?;
    let repo = parts.next()?;
    if parts.next()? != "pulls" {
        return None;
    }
    let number = parts.next()?.parse().ok()?;
    Some((format!("{owner}/{repo}"), number, url.to_string()))
}

/// The pull request a REST list of reviews belongs to, as far as the
/// reviews say.
fn pull_request_from_reviews(reviews: &[Value]) -> Value {
    let Some((repository, number, url)) = reviews
        .iter()
        .find_map(|r| r["pull_request_url"].as_str().and_then(parse_pull_url))
    else {
        return Value::Null;
    };
    let mut pr = empty_pull_request();
    pr["number"] = Value::from(number);
    pr["url"] = Value::from(url);
    pr["repository"] = Value::from(repository);
    pr
}

const PULL_REQUEST_KEYS: &[&str] = &[
    "number",
    "url",
    "repository",
    "title",
    "state",
    "draft",
    "author",
    "merged",
    "merged_at",
    "merged_by",
    "merge_commit_sha",
    "head_ref",
    "head_sha",
    "base_ref",
    "created_at",
    "updated_at",
    "closed_at",
];

fn empty_pull_request() -> Value {
    Value::Object(
        PULL_REQUEST_KEYS
            .iter()
            .map(|k| (k.to_string(), Value::Null))
            .collect(),
    )
}

fn pull_request(p: Obj<'_>) -> Res<Value> {
    let (head_ref, head_sha) = p
        .with("head", |h| Ok((h.string("ref")?, h.string("sha")?)))?
        .unwrap_or_default();
    let (base_ref, repository) = p
        .with("base", |b| Ok((b.string("ref")?, full_name(b, "repo")?)))?
        .unwrap_or_default();
    let merged_at = p.time("merged_at")?;
    let merged = p.bool("merged")?.unwrap_or(!merged_at.is_null());
    Ok(doc([
        ("number", p.number("number")?),
        ("url", p.string("url")?),
        ("repository", repository),
        ("title", p.string("title")?),
        ("state", p.lower("state")?),
        ("draft", p.bool_value("draft")?),
        ("author", login(p, "user")?),
        ("merged", Value::Bool(merged)),
        ("merged_at", merged_at),
        ("merged_by", login(p, "merged_by")?),
        ("merge_commit_sha", p.string("merge_commit_sha")?),
        ("head_ref", head_ref),
        ("head_sha", head_sha),
        ("base_ref", base_ref),
        ("created_at", p.time("created_at")?),
        ("updated_at", p.time("updated_at")?),
        ("closed_at", p.time("closed_at")?),
    ]))
}

/// The `branch_protection_rule` webhook, or a rule object alone.
pub(crate) fn branch_protection_rule(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let (action, repository, sender, rule, changes) = if o.has("rule") {
        let changes = match o.get("changes") {
            Some(Value::Object(changes)) => Value::Object(changes.clone()),
            Some(other) => {
                return Err(o.error(
                    "changes",
                    format_args!("expected an object, found {}", crate::value::kind(other)),
                ));
            }
            None => Value::Object(Map::new()),
        };
        (
            o.string("action")?,
            full_name(o, "repository")?,
            login(o, "sender")?,
            o.with("rule", rule)?.unwrap_or(Value::Null),
            changes,
        )
    } else {
        (
            Value::Null,
            Value::Null,
            Value::Null,
            rule(o)?,
            Value::Object(Map::new()),
        )
    };
    Ok(doc([
        ("format", Value::from(BRANCH_PROTECTION_RULE)),
        ("action", action),
        ("repository", repository),
        ("sender", sender),
        ("rule", rule),
        ("changes", changes),
    ]))
}

/// The rule as GitHub sends it (its keys are snake_case already), with
/// its timestamps in UTC.
fn rule(r: Obj<'_>) -> Res<Value> {
    let mut out = r.map.clone();
    for key in ["created_at", "updated_at"] {
        if let Some(v) = r.map.get(key) {
            out.insert(key.to_string(), time_value(v).map_err(|e| r.error(key, e))?);
        }
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_error};

    #[test]
    fn workflow_runs() {
        check(
            "github/octokit-webhooks_workflow_run_completed.with-pull-requests.payload.json",
            "github-workflow-runs.webhook-completed",
        );
        check(
            "github/derived/rest-shaped_list-workflow-runs.json",
            "github-workflow-runs.rest-shaped",
        );
        check(
            "github/evident_list-workflow-runs_failing-before-deploy.json",
            "github-workflow-runs.evident-failing-before-deploy",
        );
    }

    #[test]
    fn pull_request_reviews() {
        check(
            "github/octokit-webhooks_pull_request_review_submitted.payload.json",
            "github-pull-request-reviews.webhook-submitted",
        );
        check(
            "github/octokit-webhooks_pull_request_review_dismissed.payload.json",
            "github-pull-request-reviews.webhook-dismissed",
        );
        check(
            "github/derived/rest-shaped_list-reviews-for-pull-request.json",
            "github-pull-request-reviews.rest-shaped",
        );
        check(
            "github/evident_list-reviews_uppercase.json",
            "github-pull-request-reviews.evident-uppercase",
        );
        check(
            "github/evident_pull_request_review_author-commented-merged.payload.json",
            "github-pull-request-reviews.evident-author-commented-merged",
        );
    }

    #[test]
    fn branch_protection_rule() {
        check(
            "github/octokit-webhooks_branch_protection_rule_edited.payload.json",
            "github-branch-protection-rule.webhook-edited",
        );
        check_error(
            br#"{"action": "edited", "rule": {"name": "main", "pull_request_reviews_enforcement_level": "off", "created_at": "today"}}"#,
            "github-branch-protection-rule",
            "`rule.created_at`: expected an RFC 3339 timestamp with an offset, found \"today\"",
        );
    }

    #[test]
    fn pull_urls() {
        assert_eq!(
            super::parse_pull_url("https://api.github.com/repos/o/r/pulls/12"),
            Some((
                "o/r".to_string(),
                12,
                "https://api.github.com/repos/o/r/pulls/12".to_string()
            ))
        );
        assert_eq!(
            super::parse_pull_url("https://api.github.com/repos/o/r/issues/12"),
            None
        );
        assert_eq!(super::parse_pull_url("nonsense"), None);
    }
}
