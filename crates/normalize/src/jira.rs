//! Jira: one issue (`GET /rest/api/{2,3}/issue/KEY`) or search results
//! (`/search`, `/search/jql`), REST v2 (plain-text descriptions) or v3
//! (Atlassian Document Format).
//!
//! Shape (the document also has `"format"`; see `FORMATS.md`):
//!
//! `jira-issues`: `{ total, start_at, max_results, is_last, next_page_token,
//! issues: [{ key, id, project, issue_type, summary, description, status,
//! status_category, resolution, resolution_date, priority, labels,
//! components, fix_versions, parent, assignee, reporter, creator, created,
//! updated, due_date, custom_fields: { customfield_N: value }, changelog:
//! [{ author, created, items: [{ field, from, from_string, to, to_string }]
//! }] }] }`. People are `{ account_id, display_name, email_address, active
//! }` or `null`; `project`, `issue_type`, `status`, `resolution`,
//! `priority` and `parent` are names (keys for project and parent);
//! `status_category` is Jira's category key (`new`, `indeterminate`,
//! `done`); `description` is plain text (ADF flattened); `due_date` is the
//! date as Jira gives it (`2024-05-01`); custom fields are kept verbatim.

use serde_json::{Map, Value};

use crate::value::{Obj, Res, doc};

/// Format id of Jira issues.
pub const ISSUES: &str = "jira-issues";

/// An issue, or search results.
pub(crate) fn issues(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    if o.has("issues") {
        let issues = o.each("issues", issue)?;
        return Ok(doc([
            ("format", Value::from(ISSUES)),
            ("total", o.number("total")?),
            ("start_at", o.number("startAt")?),
            ("max_results", o.number("maxResults")?),
            ("is_last", o.bool_value("isLast")?),
            ("next_page_token", o.string("nextPageToken")?),
            ("issues", Value::Array(issues)),
        ]));
    }
    Ok(doc([
        ("format", Value::from(ISSUES)),
        ("total", Value::from(1)),
        ("start_at", Value::Null),
        ("max_results", Value::Null),
        ("is_last", Value::Bool(true)),
        ("next_page_token", Value::Null),
        ("issues", Value::Array(vec![issue(o)?])),
    ]))
}

/// Fields mapped to named members; every other non-custom field is
/// presentation (watches, votes, …) and left out.
fn issue(i: Obj<'_>) -> Res<Value> {
    let key = i.str("key")?.ok_or_else(|| i.error("key", "missing"))?;
    let fields = i
        .get("fields")
        .ok_or_else(|| i.error("fields", "missing"))?;
    let fields_path = i.member("fields");
    let f = Obj::new(fields, &fields_path)?;
    let name =
        |key: &str| -> Res<Value> { Ok(f.with(key, |x| x.string("name"))?.unwrap_or(Value::Null)) };
    let names = |key: &str| -> Res<Value> { Ok(Value::Array(f.each(key, |x| x.string("name"))?)) };
    let status_category = f
        .with("status", |s| {
            Ok(s.with("statusCategory", |c| c.lower("key"))?
                .unwrap_or(Value::Null))
        })?
        .unwrap_or(Value::Null);
    let description = match f.get("description") {
        None => Value::Null,
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(adf @ Value::Object(_)) => {
            let mut text = String::new();
            adf_text(adf, &mut text);
            Value::String(text.trim_end().to_string())
        }
        Some(other) => {
            return Err(f.error(
                "description",
                format_args!(
                    "expected text or a document, found {}",
                    crate::value::kind(other)
                ),
            ));
        }
    };
    let custom_fields: Map<String, Value> = f
        .map
        .iter()
        .filter(|(k, v)| k.starts_with("customfield_") && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let changelog = i
        .with("changelog", |c| {
            c.each("histories", |h| {
                let items = h.each("items", |x| {
                    Ok(doc([
                        ("field", x.string("field")?),
                        ("from", x.text("from")?),
                        ("from_string", x.string("fromString")?),
                        ("to", x.text("to")?),
                        ("to_string", x.string("toString")?),
                    ]))
                })?;
                Ok(doc([
                    ("author", person(h, "author")?),
                    ("created", h.time("created")?),
                    ("items", Value::Array(items)),
                ]))
            })
        })?
        .unwrap_or_default();
    Ok(doc([
        ("key", Value::from(key)),
        ("id", i.text("id")?),
        (
            "project",
            f.with("project", |p| p.string("key"))?
                .unwrap_or(Value::Null),
        ),
        ("issue_type", name("issuetype")?),
        ("summary", f.string("summary")?),
        ("description", description),
        ("status", name("status")?),
        ("status_category", status_category),
        ("resolution", name("resolution")?),
        ("resolution_date", f.time("resolutiondate")?),
        ("priority", name("priority")?),
        ("labels", f.strings("labels")?),
        ("components", names("components")?),
        ("fix_versions", names("fixVersions")?),
        (
            "parent",
            f.with("parent", |p| p.string("key"))?
                .unwrap_or(Value::Null),
        ),
        ("assignee", person(f, "assignee")?),
        ("reporter", person(f, "reporter")?),
        ("creator", person(f, "creator")?),
        ("created", f.time("created")?),
        ("updated", f.time("updated")?),
        ("due_date", f.string("duedate")?),
        ("custom_fields", Value::Object(custom_fields)),
        ("changelog", Value::Array(changelog)),
    ]))
}

fn person(o: Obj<'_>, key: &str) -> Res<Value> {
    Ok(o.with(key, |p| {
        Ok(doc([
            (
                "account_id",
                p.get_any(&["accountId", "name", "key"])
                    .map_or(Value::Null, |(_, v)| v.clone()),
            ),
            ("display_name", p.string("displayName")?),
            ("email_address", p.string("emailAddress")?),
            ("active", p.bool_value("active")?),
        ]))
    })?
    .unwrap_or(Value::Null))
}

/// The text of an Atlassian Document Format node: text nodes in order,
/// a line break after each block.
fn adf_text(node: &Value, out: &mut String) {
    match node.get("type").and_then(Value::as_str) {
        Some("text") => {
            if let Some(t) = node.get("text").and_then(Value::as_str) {
                out.push_str(t);
            }
        }
        Some("hardBreak") => out.push('\n'),
        _ => {}
    }
    if let Some(children) = node.get("content").and_then(Value::as_array) {
        for child in children {
            adf_text(child, out);
        }
    }
    if matches!(
        node.get("type").and_then(Value::as_str),
        Some(
            "paragraph" | "heading" | "codeBlock" | "listItem" | "blockquote" | "rule" | "tableRow"
        )
    ) && !out.ends_with('\n')
    {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_error};

    #[test]
    fn issue_and_search() {
        check("jira/jira-cli_issue.json", "jira-issues.jira-cli-issue");
        check("jira/jira-cli_search.json", "jira-issues.jira-cli-search");
        check(
            "jira/evident_search_incidents-with-changelog.json",
            "jira-issues.evident-incidents",
        );
    }

    #[test]
    fn errors() {
        check_error(
            br#"{"key": "SEC-1", "fields": {"issuetype": {"name": "Bug"}, "created": "2024-13-01T00:00:00.000+0000"}}"#,
            "jira-issues",
            "`fields.created`: expected an RFC 3339 timestamp with an offset, found \"2024-13-01T00:00:00.000+0000\"",
        );
        check_error(
            br#"{"startAt": 0, "issues": [{"key": "SEC-1", "fields": {"labels": "urgent, security"}}, {"key": "SEC-2"}]}"#,
            "jira-issues",
            "`issues[1].fields`: missing",
        );
    }
}
