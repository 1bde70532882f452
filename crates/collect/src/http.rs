//! The `http` collector: a JSON document from an HTTP API (GitHub, Okta,
//! Jira, an MDM…), following its pagination.
//!
//! | parameter | type | default | meaning |
//! |---|---|---|---|
//! | `url` | string | required | the `http://` or `https://` address of the first page; written literally (no `${NAME}`, no credentials) |
//! | `token_env` | string | none | the name of an environment variable holding a token, sent as `Authorization: <token_scheme> <token>` |
//! | `token_scheme` | string | `Bearer` | the authorisation scheme for `token_env` (Okta API tokens use `SSWS`) |
//! | `headers` | map of strings | none | extra request headers; values may reference `${NAME}` |
//! | `pagination` | `none`, `link`, `cursor` or `offset` | `none` | `link`: follow RFC 8288 `Link: <…>; rel="next"` headers (GitHub, Okta); `cursor`: read the next cursor from the body and send it as a query parameter (Jira's `nextPageToken`, Slack); `offset`: send the number of items read so far as a query parameter (Kandji's `offset`, Jira's older `startAt`) |
//! | `cursor_param` | string | required for `cursor` | the query parameter that carries the cursor (`nextPageToken`, `cursor`) |
//! | `cursor_path` | string | required for `cursor` | JSON pointer to the next cursor in a page (`/nextPageToken`, `/response_metadata/next_cursor`); absent, null or empty ends the pagination |
//! | `offset_param` | string | required for `offset` | the query parameter that carries the offset (`offset`, `startAt`) |
//! | `page_size` | whole number | none | for `offset`: the page size the URL asks for (its `limit`, `maxResults`); a shorter page is the last. Without it, an empty page is the last |
//! | `items_path` | string | none | JSON pointer to the array of items in a page (`/issues`, `/workflow_runs`); without it, a page that is an array is the items |
//! | `max_pages` | whole number | `100` | more pages than this fail the run (the evidence would be incomplete) |
//! | `retries` | whole number | `3` | further attempts per request after a 5xx status, a connection error, a timeout or a rate limit |
//! | `max_wait` | number (seconds) | `120` | the longest rate-limit wait accepted; an API that asks for more fails the run |
//! | `timeout` | number (seconds) | `30` | deadline of each request, body included |
//! | `max_bytes` | whole number | `268435456` (256 MiB) | the largest accepted total of response bodies |
//!
//! Requests are `GET`, with `Accept: application/json` unless `headers`
//! says otherwise. 5xx statuses, connection errors and timeouts are retried
//! after 0.5 s, 1 s, 2 s… (up to 30 s, or the `Retry-After` the server
//! sends). A rate limit (429, or 403 with `Retry-After` or an exhausted
//! `X-RateLimit-Remaining`/`X-Rate-Limit-Remaining` and its `…-Reset`
//! time) is waited out and retried. Redirects are followed within the same
//! origin only; a next page or redirect on another origin fails the run, so
//! a token is never sent elsewhere.
//!
//! The artefact (media type `application/json`) is one JSON document: with
//! `items_path`, with several pages or with `pagination: offset`, the array
//! of all items of all pages, each item byte for byte as the API sent it;
//! otherwise (one page, no `items_path`) the body byte for byte. Its origin
//! and name are the
//! URL (query parameters that look like credentials redacted); its observed
//! period is the collection time. The token never appears in the origin,
//! the recorded parameters or an error message; header values that
//! reference `${NAME}` or whose name looks like a credential are recorded
//! as `"<redacted>"`.

use std::io::Read;
use std::time::{Duration, SystemTime};

use evident_model::evidence::ObservedPeriod;
use evident_model::source::Source;
use serde_json::Value;
use serde_json::value::RawValue;
use ureq::http::Uri;

use crate::command::seconds;
use crate::params::{self, Params, REDACTED, Template};
use crate::{Artefact, CollectError, Collected, Content, Context};

pub(crate) const PARAMETERS: &[&str] = &[
    "url",
    "token_env",
    "token_scheme",
    "headers",
    "pagination",
    "cursor_param",
    "cursor_path",
    "offset_param",
    "page_size",
    "items_path",
    "max_pages",
    "retries",
    "max_wait",
    "timeout",
    "max_bytes",
];

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(120);
const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
const MAX_REDIRECTS: usize = 5;

/// How the next page is found.
enum Pagination {
    None,
    Link,
    Cursor {
        param: String,
        path: String,
    },
    Offset {
        param: String,
        page_size: Option<u64>,
    },
}

/// Everything a run needs, read from the parameters.
struct Plan {
    url: String,
    shown: String,
    headers: Vec<(String, String)>,
    secrets: Vec<String>,
    pagination: Pagination,
    items_path: Option<String>,
    max_pages: u64,
    retries: u64,
    max_wait: Duration,
    timeout: Duration,
    max_bytes: u64,
}

pub(crate) fn collect(source: &Source, cx: &Context) -> Result<Collected, CollectError> {
    let plan = read(source, cx)?;
    let body = run(&plan).map_err(|e| scrub(e, &plan.secrets))?;
    Ok(Collected {
        artefacts: vec![Artefact {
            name: plan.shown.clone(),
            content: Content::Bytes(body),
            media_type: "application/json".to_string(),
            origin: plan.shown.clone(),
            tool_version: None,
            observed: ObservedPeriod {
                from: cx.now,
                to: cx.now,
            },
        }],
        parameters: recorded(source),
    })
}

fn read(source: &Source, cx: &Context) -> Result<Plan, CollectError> {
    let p = Params::new("http", &source.parameters, PARAMETERS)?;
    let url = p.string("url")?.trim();
    if url.contains("${") {
        return Err(CollectError::Parameters(
            "`url`: cannot reference environment variables; put credentials in `token_env` or `headers`"
                .to_string(),
        ));
    }
    let uri = parse_url("url", url)?;
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(CollectError::Parameters(
            "`url`: credentials in the URL would be recorded; put them in `token_env` or `headers`"
                .to_string(),
        ));
    }

    let mut headers: Vec<(String, String)> = Vec::new();
    let mut secrets = Vec::new();
    for (name, value) in p.opt_string_map("headers")? {
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(CollectError::Parameters(format!(
                "`headers`: `{name}` is not a valid header name"
            )));
        }
        let what = format!("headers.{name}");
        let template = Template::parse(&what, value)?;
        let value = template.expand(&what, &*cx.env)?;
        if value.contains(['\r', '\n']) {
            return Err(CollectError::Parameters(format!(
                "`{what}`: a header value cannot hold a line break"
            )));
        }
        if template.has_variables() || params::is_secret_name(name) {
            secrets.push(value.clone());
        }
        headers.push((name.to_string(), value));
    }
    let scheme = p.opt_nonempty("token_scheme")?;
    match p.opt_env_secret("token_env", &*cx.env)? {
        Some((_, token)) => {
            if headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            {
                return Err(CollectError::Parameters(
                    "`token_env` and an `Authorization` header in `headers` both set the authorisation; keep one"
                        .to_string(),
                ));
            }
            let scheme = scheme.unwrap_or("Bearer");
            if scheme.contains(char::is_whitespace) || !scheme.bytes().all(is_token_byte) {
                return Err(CollectError::Parameters(format!(
                    "`token_scheme`: `{scheme}` is not an authorisation scheme"
                )));
            }
            if token.contains(['\r', '\n']) {
                return Err(CollectError::Parameters(
                    "`token_env`: the token holds a line break".to_string(),
                ));
            }
            headers.push(("Authorization".to_string(), format!("{scheme} {token}")));
            secrets.push(token);
        }
        None if scheme.is_some() => {
            return Err(CollectError::Parameters(
                "`token_scheme` is set but `token_env` is not".to_string(),
            ));
        }
        None => {}
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("accept"))
    {
        headers.push(("Accept".to_string(), "application/json".to_string()));
    }

    let cursor_param = p.opt_nonempty("cursor_param")?;
    let cursor_path = p.opt_string("cursor_path")?;
    let offset_param = p.opt_nonempty("offset_param")?;
    let page_size = p.opt_u64("page_size", 1, 1_000_000)?;
    let pagination = match p.opt_string("pagination")?.unwrap_or("none") {
        "none" | "link" | "offset" if cursor_param.is_some() || cursor_path.is_some() => {
            return Err(CollectError::Parameters(
                "`cursor_param` and `cursor_path` apply to `pagination: cursor` only".to_string(),
            ));
        }
        "none" | "link" | "cursor" if offset_param.is_some() || page_size.is_some() => {
            return Err(CollectError::Parameters(
                "`offset_param` and `page_size` apply to `pagination: offset` only".to_string(),
            ));
        }
        "offset" => {
            let Some(param) = offset_param else {
                return Err(CollectError::Parameters(
                    "`pagination: offset` needs `offset_param` (the query parameter that carries \
                     the offset: `offset`, `startAt`)"
                        .to_string(),
                ));
            };
            Pagination::Offset {
                param: param.to_string(),
                page_size,
            }
        }
        "none" => Pagination::None,
        "link" => Pagination::Link,
        "cursor" => {
            let (Some(param), Some(path)) = (cursor_param, cursor_path) else {
                return Err(CollectError::Parameters(
                    "`pagination: cursor` needs `cursor_param` (the query parameter) and `cursor_path` \
                     (a JSON pointer to the next cursor in a page)"
                        .to_string(),
                ));
            };
            check_pointer("cursor_path", path)?;
            Pagination::Cursor {
                param: param.to_string(),
                path: path.to_string(),
            }
        }
        other => {
            return Err(CollectError::Parameters(format!(
                "`pagination`: expected `none`, `link`, `cursor` or `offset`, found `{other}`"
            )));
        }
    };
    let items_path = p.opt_string("items_path")?;
    if let Some(path) = items_path {
        check_pointer("items_path", path)?;
    }
    // Credential-like query parameters are secrets too.
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split('#').next().unwrap_or("").split('&') {
            if let Some((name, value)) = pair.split_once('=')
                && is_secret_query(name)
                && !value.is_empty()
            {
                secrets.push(value.to_string());
            }
        }
    }
    Ok(Plan {
        url: url.to_string(),
        shown: redact_query(url),
        headers,
        secrets,
        pagination,
        items_path: items_path.map(str::to_string),
        max_pages: p.opt_u64("max_pages", 1, 100_000)?.unwrap_or(100),
        retries: p.opt_u64("retries", 0, 20)?.unwrap_or(3),
        max_wait: p
            .opt_seconds("max_wait", 86_400)?
            .unwrap_or(DEFAULT_MAX_WAIT),
        timeout: p.opt_seconds("timeout", 3_600)?.unwrap_or(DEFAULT_TIMEOUT),
        max_bytes: p
            .opt_u64("max_bytes", 1, 4 * 1024 * 1024 * 1024)?
            .unwrap_or(DEFAULT_MAX_BYTES),
    })
}

/// The parameters as recorded: `${NAME}` values, credential-like headers
/// and credential-like query parameters redacted.
fn recorded(source: &Source) -> Value {
    let mut value = params::redact(&source.parameters);
    if let Some(Value::String(url)) = value.get_mut("url") {
        *url = redact_query(url);
    }
    if let Some(Value::Object(headers)) = value.get_mut("headers") {
        for (name, v) in headers.iter_mut() {
            if params::is_secret_name(name) {
                *v = Value::String(REDACTED.to_string());
            }
        }
    }
    value
}

/// Replaces every secret in an error message.
fn scrub(error: CollectError, secrets: &[String]) -> CollectError {
    let clean = |text: String| {
        secrets
            .iter()
            .filter(|s| !s.is_empty())
            .fold(text, |t, s| t.replace(s.as_str(), REDACTED))
    };
    match error {
        CollectError::Failed(m) => CollectError::Failed(clean(m)),
        CollectError::Parameters(m) => CollectError::Parameters(clean(m)),
        other => other,
    }
}

/// Fetches every page and assembles the document.
fn run(plan: &Plan) -> Result<Vec<u8>, CollectError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(plan.timeout))
        .user_agent(concat!("evident/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let first = parse_url("url", &plan.url)?;
    let mut url = plan.url.clone();
    let mut items: Vec<u8> = Vec::new();
    let mut count_items = 0usize;
    let mut total = 0u64;
    let mut seen_cursors: Vec<String> = Vec::new();
    for page in 1.. {
        if page > plan.max_pages {
            return Err(CollectError::Failed(format!(
                "`{}` has more than {} pages (`max_pages`); the evidence would be incomplete",
                plan.shown, plan.max_pages
            )));
        }
        let where_ = if page == 1 {
            format!("`{}`", plan.shown)
        } else {
            format!("page {page} of `{}`", plan.shown)
        };
        let fetched = fetch(&agent, plan, &first, &url, &where_, plan.max_bytes - total)?;
        total += fetched.body.len() as u64;
        let body = fetched.body;
        let raw: &RawValue = serde_json::from_slice(&body).map_err(|e| {
            CollectError::Failed(format!(
                "{where_} did not answer JSON ({}): {e}",
                fetched.content_type.as_deref().unwrap_or("no content type")
            ))
        })?;

        let next = match &plan.pagination {
            Pagination::None | Pagination::Offset { .. } => None,
            Pagination::Link => match next_link(&fetched.links) {
                None => None,
                Some(link) => {
                    let next = resolve(&url, &link).ok_or_else(|| {
                        CollectError::Failed(format!(
                            "{where_}: cannot follow the next-page link `{}`",
                            redact_query(&link)
                        ))
                    })?;
                    same_origin(&first, &next, &where_, "next-page link")?;
                    if next == url {
                        return Err(CollectError::Failed(format!(
                            "{where_}: the next-page link points at the page itself"
                        )));
                    }
                    Some(next)
                }
            },
            Pagination::Cursor { param, path } => {
                let doc: Value = serde_json::from_str(raw.get())
                    .map_err(|e| CollectError::Failed(format!("{where_}: {e}")))?;
                match doc.pointer(path) {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) if s.is_empty() => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    Some(_) => {
                        return Err(CollectError::Failed(format!(
                            "{where_}: the cursor at `{path}` is neither a string nor a number"
                        )));
                    }
                }
                .map(|cursor| {
                    if seen_cursors.contains(&cursor) {
                        return Err(CollectError::Failed(format!(
                            "{where_}: the API returned a cursor it had returned before; stopping a loop"
                        )));
                    }
                    seen_cursors.push(cursor.clone());
                    Ok(with_query(&plan.url, param, &cursor))
                })
                .transpose()?
            }
        };

        let offset = matches!(plan.pagination, Pagination::Offset { .. });
        if plan.items_path.is_none() && page == 1 && next.is_none() && !offset {
            // One page, taken as a whole: keep it byte for byte.
            return Ok(body);
        }
        let page_items: Option<Vec<&RawValue>> = match &plan.items_path {
            Some(path) => {
                let at = pointer(raw, path)
                    .map_err(|e| CollectError::Failed(format!("{where_}: {e}")))?;
                Some(serde_json::from_str(at.get()).map_err(|_| {
                    CollectError::Failed(format!(
                        "{where_}: `{path}` (`items_path`) is not an array"
                    ))
                })?)
            }
            None => serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok(),
        };
        let page_len = page_items.as_ref().map_or(0, Vec::len);
        match page_items {
            Some(list) => {
                for item in list {
                    items.push(if count_items == 0 { b'[' } else { b',' });
                    items.extend_from_slice(item.get().as_bytes());
                    count_items += 1;
                }
            }
            None => {
                return Err(CollectError::Failed(format!(
                    "{where_} is not an array; set `items_path` to the array of items to join across pages"
                )));
            }
        }
        let next = match &plan.pagination {
            // A short or empty page is the last.
            Pagination::Offset { param, page_size } => {
                let short = page_len == 0 || page_size.is_some_and(|size| (page_len as u64) < size);
                (!short).then(|| with_query(&plan.url, param, &count_items.to_string()))
            }
            _ => next,
        };
        match next {
            Some(next) => url = next,
            None => break,
        }
    }
    if count_items == 0 {
        items.push(b'[');
    }
    items.push(b']');
    Ok(items)
}

/// One page's answer.
struct Fetched {
    body: Vec<u8>,
    links: Vec<String>,
    content_type: Option<String>,
}

/// One GET with retries, rate-limit waits and same-origin redirects.
fn fetch(
    agent: &ureq::Agent,
    plan: &Plan,
    first: &Uri,
    url: &str,
    where_: &str,
    budget: u64,
) -> Result<Fetched, CollectError> {
    let mut url = url.to_string();
    let mut redirects = 0;
    let mut attempt: u64 = 0;
    loop {
        attempt += 1;
        let attempts = |n: u64| {
            if n == 1 {
                "1 attempt".to_string()
            } else {
                format!("{n} attempts")
            }
        };
        let mut request = agent.get(&url);
        for (name, value) in &plan.headers {
            request = request.header(name, value);
        }
        let failure: String;
        let mut wait: Option<Duration> = None;
        match request.call() {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                if (200..300).contains(&status) {
                    let links = headers
                        .get_all("link")
                        .iter()
                        .filter_map(|v| v.to_str().ok().map(str::to_string))
                        .collect();
                    let content_type = header("content-type");
                    let mut body = Vec::new();
                    let read = response
                        .body_mut()
                        .with_config()
                        .limit(u64::MAX)
                        .reader()
                        .take(budget.saturating_add(1))
                        .read_to_end(&mut body);
                    match read {
                        Ok(_) if body.len() as u64 > budget => {
                            return Err(CollectError::Failed(format!(
                                "{where_}: the responses exceed {} bytes (`max_bytes`)",
                                plan.max_bytes
                            )));
                        }
                        Ok(_) => {
                            return Ok(Fetched {
                                body,
                                links,
                                content_type,
                            });
                        }
                        Err(e) => failure = format!("reading the response failed: {e}"),
                    }
                } else if matches!(status, 301 | 302 | 303 | 307 | 308) {
                    let Some(location) = header("location") else {
                        return Err(CollectError::Failed(format!(
                            "{where_}: redirect {status} without a Location"
                        )));
                    };
                    redirects += 1;
                    if redirects > MAX_REDIRECTS {
                        return Err(CollectError::Failed(format!(
                            "{where_}: more than {MAX_REDIRECTS} redirects"
                        )));
                    }
                    let next = resolve(&url, &location).ok_or_else(|| {
                        CollectError::Failed(format!(
                            "{where_}: cannot follow the redirect to `{}`",
                            redact_query(&location)
                        ))
                    })?;
                    same_origin(first, &next, where_, "redirect")?;
                    url = next;
                    attempt -= 1;
                    continue;
                } else {
                    let snippet = snippet(&mut response);
                    let limited = rate_limit_wait(status, &header);
                    if let Some(limit) = limited {
                        if limit > plan.max_wait {
                            return Err(CollectError::Failed(format!(
                                "{where_}: rate limited (HTTP {status}); the API asks to wait {} s, \
                                 more than `max_wait` ({} s)",
                                seconds(limit),
                                seconds(plan.max_wait)
                            )));
                        }
                        failure = format!("rate limited (HTTP {status}){snippet}");
                        wait = Some(limit);
                    } else if status == 429 {
                        failure = format!("rate limited (HTTP {status}){snippet}");
                    } else if status >= 500 {
                        failure = format!("HTTP {status}{snippet}");
                        wait = header("retry-after")
                            .and_then(|v| retry_after(&v))
                            .filter(|w| *w <= plan.max_wait);
                    } else {
                        let hint = match status {
                            401 => " (is the token valid?)",
                            403 => " (does the token have the permission?)",
                            404 => " (is the URL right, and may the token see it?)",
                            _ => "",
                        };
                        return Err(CollectError::Failed(format!(
                            "{where_}: HTTP {status}{hint}{snippet}"
                        )));
                    }
                }
            }
            Err(error) => {
                let retryable = matches!(
                    error,
                    ureq::Error::Timeout(_)
                        | ureq::Error::Io(_)
                        | ureq::Error::ConnectionFailed
                        | ureq::Error::HostNotFound
                );
                let text = match &error {
                    ureq::Error::Timeout(_) => {
                        format!("timed out after {} s", seconds(plan.timeout))
                    }
                    ureq::Error::HostNotFound => "host not found".to_string(),
                    other => other.to_string(),
                };
                if !retryable {
                    return Err(CollectError::Failed(format!("{where_}: {text}")));
                }
                failure = text;
            }
        }
        if attempt > plan.retries {
            return Err(CollectError::Failed(format!(
                "{where_}: {failure} (after {})",
                attempts(attempt)
            )));
        }
        let backoff = FIRST_BACKOFF
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(MAX_BACKOFF);
        std::thread::sleep(wait.unwrap_or(backoff));
    }
}

/// How long a rate-limited response asks to wait, when it is a rate limit.
fn rate_limit_wait(status: u16, header: &dyn Fn(&str) -> Option<String>) -> Option<Duration> {
    if status != 429 && status != 403 {
        return None;
    }
    if let Some(wait) = header("retry-after").and_then(|v| retry_after(&v)) {
        return Some(wait);
    }
    let remaining = header("x-ratelimit-remaining").or_else(|| header("x-rate-limit-remaining"));
    let reset = header("x-ratelimit-reset").or_else(|| header("x-rate-limit-reset"));
    let exhausted = remaining.as_deref().map(str::trim) == Some("0");
    match (reset.and_then(|r| r.trim().parse::<u64>().ok()), status) {
        (Some(reset), _) if exhausted || status == 429 => {
            // The reset is a Unix time; measure it against the server's
            // clock when it sends one.
            let now = header("date")
                .and_then(|d| {
                    jiff::fmt::rfc2822::DateTimeParser::new()
                        .parse_timestamp(d.trim())
                        .ok()
                })
                .map(|t| t.as_second())
                .unwrap_or_else(|| {
                    SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map(|d| d.as_secs() as i64)
                        .unwrap_or(0)
                });
            let secs = (reset as i64).saturating_sub(now).max(0) as u64;
            Some(Duration::from_secs(secs + 1))
        }
        _ => None,
    }
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let now = jiff::Timestamp::try_from(SystemTime::now()).ok()?;
    let secs = when.as_second().saturating_sub(now.as_second()).max(0) as u64;
    Some(Duration::from_secs(secs))
}

/// The start of an error response's body, for messages.
fn snippet(response: &mut ureq::http::Response<ureq::Body>) -> String {
    let mut body = Vec::new();
    let _ = response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .reader()
        .take(2048)
        .read_to_end(&mut body);
    let text = String::from_utf8_lossy(&body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return String::new();
    }
    let short: String = text.chars().take(300).collect();
    let more = if short.len() < text.len() { "…" } else { "" };
    format!(": {short}{more}")
}

/// The target of the `rel="next"` link among `Link` header values.
fn next_link(values: &[String]) -> Option<String> {
    for value in values {
        let mut rest = value.as_str();
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            let target = &rest[open + 1..open + close];
            let after = &rest[open + close + 1..];
            // Parameters run to the next `<` that starts a link (a comma,
            // then `<`).
            let end = after
                .find(",")
                .and_then(|c| after[c..].find('<').map(|l| c + l))
                .unwrap_or(after.len());
            let params = after[..end].trim_end().trim_end_matches(',');
            let is_next = params.split(';').any(|param| {
                let Some((name, value)) = param.split_once('=') else {
                    return false;
                };
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            });
            if is_next {
                return Some(target.to_string());
            }
            rest = &after[end..];
        }
    }
    None
}

fn parse_url(what: &str, url: &str) -> Result<Uri, CollectError> {
    let uri: Uri = url.parse().map_err(|e| {
        CollectError::Parameters(format!(
            "`{what}`: `{}` is not a URL: {e}",
            redact_query(url)
        ))
    })?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some_and(|h| !h.is_empty()) => Ok(uri),
        _ => Err(CollectError::Parameters(format!(
            "`{what}`: expected an `http://` or `https://` URL with a host, found `{}`",
            redact_query(url)
        ))),
    }
}

/// Refuses a URL on another origin than the first page's.
fn same_origin(first: &Uri, next: &str, where_: &str, what: &str) -> Result<(), CollectError> {
    let other = next.parse::<Uri>().ok();
    let origin = |u: &Uri| {
        let scheme = u.scheme_str().unwrap_or("").to_ascii_lowercase();
        let port = u
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        (scheme, u.host().unwrap_or("").to_ascii_lowercase(), port)
    };
    match other {
        Some(other) if origin(&other) == origin(first) => Ok(()),
        _ => Err(CollectError::Failed(format!(
            "{where_}: the {what} leads to another origin (`{}`); refusing to send the credentials there",
            redact_query(next)
        ))),
    }
}

/// `reference` resolved against `base` (RFC 3986, for the forms APIs use:
/// absolute, scheme-relative, absolute-path, query-only, relative path).
fn resolve(base: &str, reference: &str) -> Option<String> {
    let reference = reference.trim();
    let lower = reference.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(reference.to_string());
    }
    let scheme_end = base.find("://")?;
    if let Some(rest) = reference.strip_prefix("//") {
        return Some(format!("{}//{rest}", &base[..scheme_end + 1]));
    }
    let after_scheme = scheme_end + 3;
    let path_start = base[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(base.len(), |i| after_scheme + i);
    let origin = &base[..path_start];
    if reference.starts_with('/') {
        return Some(format!("{origin}{reference}"));
    }
    let path_and_query = &base[path_start..];
    let path = &path_and_query[..path_and_query
        .find(['?', '#'])
        .unwrap_or(path_and_query.len())];
    if reference.starts_with('?') {
        return Some(format!("{origin}{path}{reference}"));
    }
    if reference.contains(':') {
        return None;
    }
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let dir = if dir.is_empty() { "/" } else { dir };
    Some(format!("{origin}{dir}{reference}"))
}

/// `url` with the query parameter `name` set to `value` (replacing any).
fn with_query(url: &str, name: &str, value: &str) -> String {
    let (head, fragment) = url
        .split_once('#')
        .map_or((url, None), |(h, f)| (h, Some(f)));
    let (path, query) = head.split_once('?').map_or((head, ""), |(p, q)| (p, q));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(name))
        .map(str::to_string)
        .collect();
    pairs.push(format!("{}={}", encode(name), encode(value)));
    let mut out = format!("{path}?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `url` with credential-like query parameters (`access_token`, `api_key`,
/// `sig`…) and any password in it redacted: safe to record and display.
pub(crate) fn redact_query(url: &str) -> String {
    let url = crate::command::redact_url_password(url);
    let Some((head, rest)) = url.split_once('?') else {
        return url;
    };
    let (query, fragment) = rest
        .split_once('#')
        .map_or((rest, None), |(q, f)| (q, Some(f)));
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_query(name) => {
                format!("{name}={REDACTED}")
            }
            _ => pair.to_string(),
        })
        .collect();
    let mut out = format!("{head}?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Whether a query parameter looks like a credential.
fn is_secret_query(name: &str) -> bool {
    params::is_secret_name(name) || matches!(name, "sig" | "code")
}

fn check_pointer(what: &str, pointer: &str) -> Result<(), CollectError> {
    if pointer.is_empty() || pointer.starts_with('/') {
        Ok(())
    } else {
        Err(CollectError::Parameters(format!(
            "`{what}`: expected a JSON pointer such as `/issues` (or `` for the whole page), found `{pointer}`"
        )))
    }
}

/// The value at a JSON pointer, without parsing what lies around it.
fn pointer<'a>(raw: &'a RawValue, path: &str) -> Result<&'a RawValue, String> {
    let mut at = raw;
    if path.is_empty() {
        return Ok(at);
    }
    for token in path.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let text = at.get().trim_start();
        at = if text.starts_with('{') {
            let map: std::collections::HashMap<String, &RawValue> =
                serde_json::from_str(at.get()).map_err(|e| e.to_string())?;
            map.get(&token).copied()
        } else if text.starts_with('[') {
            let list: Vec<&RawValue> = serde_json::from_str(at.get()).map_err(|e| e.to_string())?;
            token
                .parse::<usize>()
                .ok()
                .and_then(|i| list.get(i).copied())
        } else {
            None
        }
        .ok_or_else(|| format!("nothing at `{path}`"))?;
    }
    Ok(at)
}

/// RFC 9110 `token` characters (header names, auth schemes).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests;
