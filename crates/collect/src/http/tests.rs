//! The http collector against a real HTTP server on 127.0.0.1, serving the
//! project's real GitHub, Okta and Jira samples.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{Value, json};

use super::*;
use crate::testing::{SAMPLES, context_with_env, source};

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Request {
    /// Path and query.
    target: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
enum Reply {
    Send {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Hold the connection without answering, then close it.
    Hang(Duration),
}

fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
    Reply::Send {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
    }
}

fn json_reply(body: &Value, headers: &[(&str, &str)]) -> Reply {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    reply(200, &all, serde_json::to_vec(body).unwrap())
}

type Handler = dyn Fn(&Request, usize, &str) -> Reply + Send + Sync;

/// A small HTTP/1.1 server on 127.0.0.1 that answers each request with the
/// handler's reply (given the request, its 0-based number, and the base
/// URL), one connection per request.
struct Server {
    base: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start(handler: impl Fn(&Request, usize, &str) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let count = Arc::new(AtomicUsize::new(0));
        {
            let requests = Arc::clone(&requests);
            let base = base.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let requests = Arc::clone(&requests);
                    let handler = Arc::clone(&handler);
                    let count = Arc::clone(&count);
                    let base = base.clone();
                    std::thread::spawn(move || serve(stream, &*handler, &requests, &count, &base));
                }
            });
        }
        Self { base, requests }
    }

    fn url(&self, target: &str) -> String {
        format!("{}{target}", self.base)
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    handler: &Handler,
    requests: &Mutex<Vec<Request>>,
    count: &AtomicUsize,
    base: &str,
) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let request = Request { target, headers };
    let n = count.fetch_add(1, Ordering::SeqCst);
    requests.lock().unwrap().push(request.clone());
    let mut stream = stream;
    match handler(&request, n, base) {
        Reply::Hang(d) => std::thread::sleep(d),
        Reply::Send {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    }
}

fn sample(path: &str) -> Value {
    let bytes = std::fs::read(Path::new(SAMPLES).join(path)).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

const TOKEN: &str = "ghp_s3cr3tT0ken";

/// Runs the collector with the token in `GH_TOKEN`.
fn run(parameters: Value) -> Result<(Collected, Value), String> {
    let dir = tempfile::tempdir().unwrap();
    let cx = context_with_env(dir.path(), &[("GH_TOKEN", TOKEN), ("API_KEY", "key-123")]);
    let collected = collect(&source("api", "http", parameters), &cx).map_err(|e| e.to_string())?;
    let Content::Bytes(bytes) = &collected.artefacts[0].content else {
        panic!("the response is in memory")
    };
    let doc: Value = serde_json::from_slice(bytes).unwrap();
    Ok((collected, doc))
}

/// Nothing recorded holds the token.
fn assert_no_secret(collected: &Collected) {
    let recorded = format!(
        "{} {} {} {:?}",
        collected.parameters,
        collected.artefacts[0].origin,
        collected.artefacts[0].name,
        collected.artefacts[0].tool_version
    );
    assert!(
        !recorded.contains(TOKEN) && !recorded.contains("key-123"),
        "{recorded}"
    );
}

#[test]
fn github_link_pagination_with_a_bearer_token() {
    let reviews = sample("github/derived/rest-shaped_list-reviews-for-pull-request.json");
    let pages = reviews.as_array().unwrap().clone();
    assert_eq!(pages.len(), 2);
    let server = Server::start(move |req, _, base| {
        let page = if req.target.contains("page=2") { 1 } else { 0 };
        let next = format!(
            "<{base}/repos/o/r/pulls/1/reviews?per_page=1&page=2>; rel=\"next\", <{base}/repos/o/r/pulls/1/reviews?per_page=1&page=2>; rel=\"last\""
        );
        let headers: Vec<(&str, &str)> = if page == 0 {
            vec![("Link", next.as_str())]
        } else {
            vec![]
        };
        json_reply(&json!([pages[page]]), &headers)
    });
    let url = server.url("/repos/o/r/pulls/1/reviews?per_page=1");
    let (collected, doc) = run(json!({
        "url": url,
        "token_env": "GH_TOKEN",
        "headers": {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
        "pagination": "link",
    }))
    .unwrap();
    assert_eq!(doc, reviews);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for req in &requests {
        assert_eq!(
            req.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(req.header("accept"), Some("application/vnd.github+json"));
        let accepts = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("accept"));
        assert_eq!(accepts.count(), 1);
        assert_eq!(req.header("x-github-api-version"), Some("2022-11-28"));
        assert!(req.header("user-agent").unwrap().starts_with("evident/"));
    }
    assert_eq!(
        requests[1].target,
        "/repos/o/r/pulls/1/reviews?per_page=1&page=2"
    );
    let a = &collected.artefacts[0];
    assert_eq!(a.origin, url);
    assert_eq!(a.media_type, "application/json");
    assert_eq!(a.observed.from.to_string(), "2026-03-31T12:00:00Z");
    assert_eq!(
        collected.parameters,
        json!({
            "url": url,
            "token_env": "GH_TOKEN",
            "headers": {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
            "pagination": "link",
        })
    );
    assert_no_secret(&collected);
}

#[test]
fn github_items_inside_an_object_keep_their_bytes() {
    let runs = std::fs::read(
        Path::new(SAMPLES).join("github/derived/rest-shaped_list-workflow-runs.json"),
    )
    .unwrap();
    let server = Server::start(move |req, _, _| {
        let headers: Vec<(&str, &str)> = if req.target.contains("page=2") {
            vec![]
        } else {
            vec![("Link", "</runs?page=2>; rel=\"next\"")]
        };
        let mut all = vec![("Content-Type", "application/json; charset=utf-8")];
        all.extend(headers);
        reply(200, &all, runs.clone())
    });
    let (collected, doc) = run(json!({
        "url": server.url("/runs"), "pagination": "link", "items_path": "/workflow_runs",
    }))
    .unwrap();
    let expected =
        sample("github/derived/rest-shaped_list-workflow-runs.json")["workflow_runs"][0].clone();
    assert_eq!(doc, json!([expected, expected]));
    // Each item is the API's own bytes (key order, spacing), not a
    // re-encoding.
    let Content::Bytes(bytes) = &collected.artefacts[0].content else {
        panic!()
    };
    let original = std::fs::read_to_string(
        Path::new(SAMPLES).join("github/derived/rest-shaped_list-workflow-runs.json"),
    )
    .unwrap();
    let wrapper: std::collections::HashMap<String, &RawValue> =
        serde_json::from_str(&original).unwrap();
    let items: Vec<&RawValue> = serde_json::from_str(wrapper["workflow_runs"].get()).unwrap();
    let raw = items[0].get();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        format!("[{raw},{raw}]")
    );
    // No token configured: no Authorization header; JSON asked for.
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("accept") == Some("application/json"))
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_none())
    );
}

#[test]
fn okta_separate_link_headers_and_the_ssws_scheme() {
    let users = sample("okta/derived_list-users_array.json");
    let user = users[0].clone();
    let server = Server::start(move |req, _, base| {
        let mut second = user.clone();
        second["id"] = json!("00u2");
        if req.target.contains("after=00uih5GNExguYaK6I0g3") {
            let this = format!("<{base}{}>; rel=\"self\"", req.target);
            json_reply(&json!([second]), &[("Link", this.as_str())])
        } else {
            let this = format!("<{base}/api/v1/users?limit=1>; rel=\"self\"");
            let next =
                format!("<{base}/api/v1/users?after=00uih5GNExguYaK6I0g3&limit=1>; rel=\"next\"");
            json_reply(
                &json!([user]),
                &[("Link", this.as_str()), ("Link", next.as_str())],
            )
        }
    });
    let (collected, doc) = run(json!({
        "url": server.url("/api/v1/users?limit=1"),
        "token_env": "GH_TOKEN",
        "token_scheme": "SSWS",
        "pagination": "link",
    }))
    .unwrap();
    let ids: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["00uih5GNExguYaK6I0g3", "00u2"]);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some(&format!("SSWS {TOKEN}")))
    );
    assert_no_secret(&collected);
}

#[test]
fn jira_cursor_pagination() {
    let search = sample("jira/jira-cli_search.json");
    let server = Server::start(move |req, _, _| {
        let mut page = search.clone();
        if req.target.contains("nextPageToken=") {
            assert!(
                req.target.contains("nextPageToken=CAEaAggD%2Bw%3D%3D"),
                "{}",
                req.target
            );
        } else {
            page["nextPageToken"] = json!("CAEaAggD+w==");
            page["isLast"] = json!(false);
        }
        json_reply(&page, &[])
    });
    let (collected, doc) = run(json!({
        "url": server.url("/rest/api/3/search/jql?jql=project%3DSEC&maxResults=3"),
        "headers": {"X-Api-Key": "${API_KEY}"},
        "pagination": "cursor",
        "cursor_param": "nextPageToken",
        "cursor_path": "/nextPageToken",
        "items_path": "/issues",
    }))
    .unwrap();
    let keys: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["TEST-1", "TEST-2", "TEST-3", "TEST-1", "TEST-2", "TEST-3"]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].target,
        "/rest/api/3/search/jql?jql=project%3DSEC&maxResults=3&nextPageToken=CAEaAggD%2Bw%3D%3D"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.header("x-api-key") == Some("key-123"))
    );
    assert_eq!(
        collected.parameters["headers"],
        json!({"X-Api-Key": "<redacted>"})
    );
    assert_no_secret(&collected);
}

#[test]
fn offset_pagination() {
    // A device inventory of five devices, served `limit` at a time from
    // `offset` (Kandji's API; Jira's older `startAt` works the same way).
    let server = Server::start(|req, _, _| {
        let query = req.target.split_once('?').map_or("", |(_, q)| q);
        let arg = |name: &str| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                .and_then(|v| v.parse::<usize>().ok())
        };
        let (offset, limit) = (arg("offset").unwrap_or(0), arg("limit").unwrap());
        let devices: Vec<Value> = (offset..(offset + limit).min(5))
            .map(|i| json!({"device_id": format!("d{i}"), "filevault_enabled": i != 3}))
            .collect();
        json_reply(&json!(devices), &[])
    });
    let ids = |doc: &Value| -> Vec<String> {
        doc.as_array()
            .unwrap()
            .iter()
            .map(|d| d["device_id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, doc) = run(json!({
        "url": server.url("/api/v1/devices?limit=2"),
        "token_env": "GH_TOKEN",
        "pagination": "offset",
        "offset_param": "offset",
        "page_size": 2,
    }))
    .unwrap();
    assert_eq!(ids(&doc), ["d0", "d1", "d2", "d3", "d4"]);
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        [
            "/api/v1/devices?limit=2",
            "/api/v1/devices?limit=2&offset=2",
            "/api/v1/devices?limit=2&offset=4"
        ]
    );
    // Without `page_size`, an empty page ends the list.
    let (_, doc) = run(json!({
        "url": server.url("/api/v1/devices?limit=5&offset=0"),
        "pagination": "offset",
        "offset_param": "offset",
    }))
    .unwrap();
    assert_eq!(ids(&doc).len(), 5);
    assert_eq!(
        server.requests().last().unwrap().target,
        "/api/v1/devices?limit=5&offset=5"
    );
}

#[test]
fn one_page_is_kept_byte_for_byte() {
    let body = b"{ \"b\": 1,\n  \"a\": [2, 1.50] }".to_vec();
    let server = Server::start(move |_, _, _| {
        reply(200, &[("Content-Type", "application/json")], body.clone())
    });
    let (collected, _) = run(json!({"url": server.url("/config")})).unwrap();
    let Content::Bytes(bytes) = &collected.artefacts[0].content else {
        panic!()
    };
    assert_eq!(bytes, b"{ \"b\": 1,\n  \"a\": [2, 1.50] }");
}

#[test]
fn retries_after_a_server_error() {
    let server = Server::start(|_, n, _| {
        if n == 0 {
            reply(500, &[], "upstream exploded")
        } else {
            json_reply(&json!([1, 2]), &[])
        }
    });
    let (_, doc) = run(json!({"url": server.url("/flaky")})).unwrap();
    assert_eq!(doc, json!([1, 2]));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn waits_out_a_rate_limit() {
    let server = Server::start(|_, n, _| {
        if n == 0 {
            reply(429, &[("Retry-After", "1")], "slow down")
        } else {
            json_reply(&json!({"ok": true}), &[])
        }
    });
    let started = Instant::now();
    let (_, doc) = run(json!({"url": server.url("/limited")})).unwrap();
    assert_eq!(doc, json!({"ok": true}));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn waits_out_a_github_style_403_rate_limit() {
    let server = Server::start(|_, n, _| {
        if n == 0 {
            let reset = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 1;
            reply(
                403,
                &[
                    ("X-RateLimit-Remaining", "0"),
                    ("X-RateLimit-Reset", &reset.to_string()),
                ],
                r#"{"message": "API rate limit exceeded"}"#,
            )
        } else {
            json_reply(&json!([]), &[])
        }
    });
    let started = Instant::now();
    let (_, doc) = run(json!({"url": server.url("/limited"), "token_env": "GH_TOKEN"})).unwrap();
    assert_eq!(doc, json!([]));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn failures() {
    let other = Server::start(|_, _, _| json_reply(&json!([]), &[]));
    let other_base = other.base.clone();
    let server = Server::start(move |req, _, base| match req.target.as_str() {
        "/hang" => Reply::Hang(Duration::from_secs(5)),
        "/down" => reply(503, &[], "maintenance"),
        "/forbidden" => reply(
            403,
            &[],
            r#"{"message": "Resource not accessible by integration"}"#,
        ),
        "/echo" => reply(
            401,
            &[],
            format!(
                "bad credentials: {}",
                req.header("authorization").unwrap_or("")
            ),
        ),
        "/long-limit" => reply(429, &[("Retry-After", "3600")], ""),
        "/html" => reply(200, &[("Content-Type", "text/html")], "<html>login</html>"),
        "/object" => json_reply(
            &json!({"a": 1}),
            &[("Link", &format!("<{base}/object?p=2>; rel=\"next\""))],
        ),
        "/away" => json_reply(
            &json!([1]),
            &[("Link", &format!("<{other_base}/steal>; rel=\"next\""))],
        ),
        "/redirect-away" => reply(302, &[("Location", &format!("{other_base}/steal"))], ""),
        "/redirect-home" => reply(301, &[("Location", "/home")], ""),
        "/home" => json_reply(&json!({"home": true}), &[]),
        "/loop" => json_reply(&json!([1]), &[("Link", "</loop>; rel=\"next\"")]),
        _ if req.target.starts_with("/endless") => {
            let next = format!("</endless?p={}>; rel=\"next\"", req.target.len());
            json_reply(&json!([1]), &[("Link", next.as_str())])
        }
        "/cursor-loop" => json_reply(&json!({"items": [1], "next": "same"}), &[]),
        "/cursor-loop?c=same" => json_reply(&json!({"items": [2], "next": "same"}), &[]),
        "/big" => json_reply(&json!(["x".repeat(1000)]), &[]),
        _ => reply(404, &[], "not found"),
    });
    let check = |parameters: Value, expected: &[&str]| {
        let err = run(parameters.clone())
            .err()
            .unwrap_or_else(|| panic!("{parameters} should fail"));
        for want in expected {
            assert!(err.contains(want), "{parameters}: `{err}` lacks `{want}`");
        }
        assert!(!err.contains(TOKEN), "{err}");
    };
    let started = Instant::now();
    check(
        json!({"url": server.url("/hang"), "timeout": 0.5, "retries": 0}),
        &["/hang`: timed out after 0.5 s (after 1 attempt)"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    check(
        json!({"url": server.url("/down"), "retries": 1}),
        &["HTTP 503: maintenance (after 2 attempts)"],
    );
    check(
        json!({"url": server.url("/forbidden"), "token_env": "GH_TOKEN"}),
        &[
            "HTTP 403 (does the token have the permission?): {\"message\": \"Resource not accessible by integration\"}",
        ],
    );
    check(
        json!({"url": server.url("/echo"), "token_env": "GH_TOKEN"}),
        &["HTTP 401", "bad credentials: Bearer <redacted>"],
    );
    check(
        json!({"url": server.url("/long-limit")}),
        &["asks to wait 3600 s, more than `max_wait` (120 s)"],
    );
    check(
        json!({"url": server.url("/html")}),
        &["did not answer JSON (text/html)"],
    );
    check(
        json!({"url": server.url("/object"), "pagination": "link"}),
        &["is not an array; set `items_path`"],
    );
    check(
        json!({"url": server.url("/object"), "items_path": "/a"}),
        &["`/a` (`items_path`) is not an array"],
    );
    check(
        json!({"url": server.url("/object"), "items_path": "/b"}),
        &["nothing at `/b`"],
    );
    check(
        json!({"url": server.url("/away"), "pagination": "link", "token_env": "GH_TOKEN"}),
        &[
            "the next-page link leads to another origin",
            "refusing to send the credentials there",
        ],
    );
    check(
        json!({"url": server.url("/redirect-away"), "token_env": "GH_TOKEN"}),
        &["the redirect leads to another origin"],
    );
    assert!(
        other.requests().is_empty(),
        "a request reached another origin"
    );
    check(
        json!({"url": server.url("/loop"), "pagination": "link"}),
        &["points at the page itself"],
    );
    check(
        json!({"url": server.url("/endless"), "pagination": "link", "max_pages": 3}),
        &["more than 3 pages (`max_pages`)"],
    );
    check(
        json!({"url": server.url("/cursor-loop"), "pagination": "cursor", "cursor_param": "c", "cursor_path": "/next", "items_path": "/items"}),
        &["returned a cursor it had returned before"],
    );
    check(
        json!({"url": server.url("/big"), "max_bytes": 100}),
        &["exceed 100 bytes (`max_bytes`)"],
    );
    check(
        json!({"url": server.url("/nowhere")}),
        &["HTTP 404 (is the URL right"],
    );

    // A same-origin redirect is followed, with the credentials.
    let (_, doc) =
        run(json!({"url": server.url("/redirect-home"), "token_env": "GH_TOKEN"})).unwrap();
    assert_eq!(doc, json!({"home": true}));
    let home = server
        .requests()
        .into_iter()
        .find(|r| r.target == "/home")
        .unwrap();
    assert_eq!(
        home.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    // Nobody listens: connection errors are retried, then reported.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    check(
        json!({"url": format!("http://127.0.0.1:{port}/"), "retries": 1}),
        &["(after 2 attempts)"],
    );
}

#[test]
fn parameter_errors() {
    let check = |parameters: Value, expected: &str| {
        let err = run(parameters.clone())
            .err()
            .unwrap_or_else(|| panic!("{parameters} should fail"));
        assert!(
            err.contains(expected),
            "{parameters}: `{err}` lacks `{expected}`"
        );
        assert!(err.starts_with("invalid parameters: "), "{err}");
    };
    let url = "http://127.0.0.1:9/x";
    check(json!({}), "missing parameter `url`");
    check(
        json!({"url": "ftp://127.0.0.1/x"}),
        "expected an `http://` or `https://` URL",
    );
    check(json!({"url": "not a url"}), "is not a URL");
    check(
        json!({"url": "http://u:pw@127.0.0.1/x"}),
        "credentials in the URL would be recorded",
    );
    check(
        json!({"url": "http://127.0.0.1/${HOST}"}),
        "`url`: cannot reference environment variables",
    );
    check(
        json!({"url": url, "token_env": "NOPE"}),
        "`token_env`: the environment variable `NOPE` is not set",
    );
    check(
        json!({"url": url, "token_scheme": "SSWS"}),
        "`token_scheme` is set but `token_env` is not",
    );
    check(
        json!({"url": url, "token_env": "GH_TOKEN", "headers": {"authorization": "x"}}),
        "keep one",
    );
    check(
        json!({"url": url, "headers": {"Bad Header": "x"}}),
        "not a valid header name",
    );
    check(
        json!({"url": url, "headers": {"X-Key": "${NOPE}"}}),
        "`headers.X-Key`: the environment variable `NOPE`",
    );
    check(
        json!({"url": url, "pagination": "pages"}),
        "expected `none`, `link`, `cursor` or `offset`",
    );
    check(
        json!({"url": url, "pagination": "offset"}),
        "needs `offset_param`",
    );
    check(
        json!({"url": url, "pagination": "cursor", "page_size": 5}),
        "apply to `pagination: offset` only",
    );
    check(
        json!({"url": url, "page_size": 0, "pagination": "offset", "offset_param": "o"}),
        "`page_size`: expected a whole number from 1",
    );
    check(
        json!({"url": url, "pagination": "cursor"}),
        "needs `cursor_param`",
    );
    check(
        json!({"url": url, "pagination": "link", "cursor_param": "c"}),
        "apply to `pagination: cursor` only",
    );
    check(
        json!({"url": url, "items_path": "issues"}),
        "expected a JSON pointer such as `/issues`",
    );
    check(
        json!({"url": url, "retries": -1}),
        "`retries`: expected a whole number from 0 to 20",
    );
    check(
        json!({"url": url, "method": "GET"}),
        "unknown parameter `method` for the `http` collector",
    );
    check(
        json!({"url": url, "bearer_token_env": "GH_TOKEN"}),
        "unknown parameter `bearer_token_env`",
    );
}

#[test]
fn secret_query_parameters_are_redacted_in_records() {
    let server = Server::start(|_, _, _| json_reply(&json!([]), &[]));
    let url = server.url("/x?limit=10&access_token=abc&api_key=def");
    let (collected, _) = run(json!({"url": url})).unwrap();
    let shown = server.url("/x?limit=10&access_token=<redacted>&api_key=<redacted>");
    assert_eq!(collected.artefacts[0].origin, shown);
    assert_eq!(collected.parameters["url"], shown);
    // The server got the real query.
    assert_eq!(
        server.requests()[0].target,
        "/x?limit=10&access_token=abc&api_key=def"
    );

    // A server that echoes the query back in an error is redacted.
    let echo = Server::start(|req, _, _| reply(400, &[], format!("bad request {}", req.target)));
    let err = run(json!({"url": echo.url("/x?access_token=abc123")}))
        .err()
        .unwrap();
    assert!(
        err.contains("bad request /x?access_token=<redacted>"),
        "{err}"
    );
    assert!(!err.contains("abc123"), "{err}");
}

#[test]
fn link_headers() {
    let check = |values: &[&str], expected: Option<&str>| {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        assert_eq!(next_link(&values).as_deref(), expected, "{values:?}");
    };
    check(
        &[
            r#"<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last""#,
        ],
        Some("https://api.github.com/x?page=2"),
    );
    check(
        &[r#"<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next""#],
        Some("https://a/x?page=3"),
    );
    check(
        &[
            r#"<https://a/self>; rel="self""#,
            r#"<https://a/x?after=1>; rel="next""#,
        ],
        Some("https://a/x?after=1"),
    );
    check(
        &[r#"<https://a/x?a=1,2>; rel=next"#],
        Some("https://a/x?a=1,2"),
    );
    check(
        &[r#"<https://a/x>; title="a, b"; rel="prev next""#],
        Some("https://a/x"),
    );
    check(&[r#"<https://a/x>; rel="last""#], None);
    check(&[], None);
}

#[test]
fn url_resolution() {
    let base = "https://api.example.com/v1/users?limit=2";
    for (reference, expected) in [
        (
            "https://api.example.com/v1/users?after=x",
            Some("https://api.example.com/v1/users?after=x"),
        ),
        (
            "/v1/users?after=x",
            Some("https://api.example.com/v1/users?after=x"),
        ),
        ("?after=x", Some("https://api.example.com/v1/users?after=x")),
        ("groups", Some("https://api.example.com/v1/groups")),
        ("//other.example.com/x", Some("https://other.example.com/x")),
        ("mailto:x", None),
    ] {
        assert_eq!(resolve(base, reference).as_deref(), expected, "{reference}");
    }
    assert_eq!(
        with_query("https://a/x?c=1&d=2#f", "c", "a b&"),
        "https://a/x?d=2&c=a%20b%26#f"
    );
}
