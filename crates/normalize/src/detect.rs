//! Recognition: which format an artefact is in, by its content, with its
//! name and media type as hints.
//!
//! JSON is parsed once and recognised by its distinctive members (the table
//! in [`detect_object`]). Malformed JSON is attributed to a format when its
//! text carries a distinctive key (or the name or media type says so), so
//! that a truncated Trivy report is an error of `trivy-json` with the
//! line and column, not "unknown content". CSV is recognised by the
//! credential report's header, YAML by an `apiVersion:` and an RBAC
//! binding `kind:`.

use serde_json::{Map, Value};

use crate::value::Res;
use crate::{FormatInfo, aws, git, github, jira, kubernetes, okta, postgres, scanners, terraform};

/// The formats, in the order of [`crate::formats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    CredentialReport,
    AuthorizationDetails,
    CloudTrailRecords,
    CloudTrailTrails,
    CloudTrailTrailStatus,
    ConfigItems,
    TerraformPlan,
    TerraformState,
    Trivy,
    Sarif,
    CycloneDx,
    WorkflowRuns,
    PullRequestReviews,
    BranchProtectionRule,
    JiraIssues,
    OktaUsers,
    RbacBindings,
    GitLog,
    PostgresSecurity,
}

pub(crate) const FORMATS: &[FormatInfo] = &[
    FormatInfo {
        id: aws::CREDENTIAL_REPORT,
        source: "AWS IAM credential report (CSV, or the get-credential-report JSON)",
    },
    FormatInfo {
        id: aws::AUTHORIZATION_DETAILS,
        source: "aws iam get-account-authorization-details",
    },
    FormatInfo {
        id: aws::CLOUDTRAIL_RECORDS,
        source: "CloudTrail log files and aws cloudtrail lookup-events",
    },
    FormatInfo {
        id: aws::CLOUDTRAIL_TRAILS,
        source: "aws cloudtrail describe-trails / get-trail",
    },
    FormatInfo {
        id: aws::CLOUDTRAIL_TRAIL_STATUS,
        source: "aws cloudtrail get-trail-status",
    },
    FormatInfo {
        id: aws::CONFIG_ITEMS,
        source: "AWS Config snapshots, resource history, change notifications",
    },
    FormatInfo {
        id: terraform::PLAN,
        source: "terraform show -json of a plan",
    },
    FormatInfo {
        id: terraform::STATE,
        source: "Terraform state v4, terraform show -json of a state",
    },
    FormatInfo {
        id: scanners::TRIVY,
        source: "Trivy JSON report (SchemaVersion 2)",
    },
    FormatInfo {
        id: scanners::SARIF,
        source: "SARIF 2.1.0 log from any tool",
    },
    FormatInfo {
        id: scanners::CYCLONEDX,
        source: "CycloneDX JSON SBOM (1.2-1.7)",
    },
    FormatInfo {
        id: github::WORKFLOW_RUNS,
        source: "GitHub Actions workflow runs (REST, webhook)",
    },
    FormatInfo {
        id: github::PULL_REQUEST_REVIEWS,
        source: "GitHub pull-request reviews (REST, webhook)",
    },
    FormatInfo {
        id: github::BRANCH_PROTECTION_RULE,
        source: "GitHub branch_protection_rule webhook",
    },
    FormatInfo {
        id: jira::ISSUES,
        source: "Jira issue and search results (REST v2, v3)",
    },
    FormatInfo {
        id: okta::USERS,
        source: "Okta users API",
    },
    FormatInfo {
        id: kubernetes::RBAC_BINDINGS,
        source: "Kubernetes ClusterRoleBindings and RoleBindings",
    },
    FormatInfo {
        id: git::LOG,
        source: "evident's git collector (commit history of a branch)",
    },
    FormatInfo {
        id: postgres::SECURITY,
        source: "evident's postgres collector (roles, privileges, security settings)",
    },
];

impl Format {
    /// The stable format id.
    pub(crate) fn id(self) -> &'static str {
        FORMATS[self as usize].id
    }
}

/// What [`run`] normalises.
pub(crate) enum Input {
    /// Parsed JSON.
    Json(Value),
    /// Text (the credential report CSV).
    Text(String),
    /// The documents of a YAML stream.
    Yaml(Vec<Value>),
}

/// Normalises a recognised input.
pub(crate) fn run(format: Format, input: Input) -> Res<Value> {
    match (format, input) {
        (Format::CredentialReport, Input::Text(text)) => {
            aws::credential_report_csv(&text, Value::Null)
        }
        (Format::CredentialReport, Input::Json(v)) => aws::credential_report_json(&v),
        (Format::AuthorizationDetails, Input::Json(v)) => aws::authorization_details(&v),
        (Format::CloudTrailRecords, Input::Json(v)) => aws::cloudtrail_records(&v),
        (Format::CloudTrailTrails, Input::Json(v)) => aws::cloudtrail_trails(&v),
        (Format::CloudTrailTrailStatus, Input::Json(v)) => aws::cloudtrail_trail_status(&v),
        (Format::ConfigItems, Input::Json(v)) => aws::config_items(&v),
        (Format::TerraformPlan, Input::Json(v)) => terraform::plan(&v),
        (Format::TerraformState, Input::Json(v)) => terraform::state(&v),
        (Format::Trivy, Input::Json(v)) => scanners::trivy(&v),
        (Format::Sarif, Input::Json(v)) => scanners::sarif(&v),
        (Format::CycloneDx, Input::Json(v)) => scanners::cyclonedx(&v),
        (Format::WorkflowRuns, Input::Json(v)) => github::workflow_runs(&v),
        (Format::PullRequestReviews, Input::Json(v)) => github::pull_request_reviews(&v),
        (Format::BranchProtectionRule, Input::Json(v)) => github::branch_protection_rule(&v),
        (Format::JiraIssues, Input::Json(v)) => jira::issues(&v),
        (Format::OktaUsers, Input::Json(v)) => okta::users(&v),
        (Format::RbacBindings, Input::Json(v)) => kubernetes::bindings(std::slice::from_ref(&v)),
        (Format::RbacBindings, Input::Yaml(docs)) => kubernetes::bindings(&docs),
        (Format::GitLog, Input::Json(v)) => git::log(&v),
        (Format::PostgresSecurity, Input::Json(v)) => postgres::security(&v),
        (format, _) => Err(format!(
            "internal: no reader for {} in this encoding",
            format.id()
        )),
    }
}

/// How much of the text the sniffers look at.
const SNIFF_LIMIT: usize = 64 * 1024;

/// What detection found: nothing (`None`), an input to normalise, or the
/// format a malformed artefact was taken for and what is wrong with it.
pub(crate) type Detected = Option<Result<(Format, Input), (Format, String)>>;

/// Recognises an artefact: `None` for unknown content, an error (with the
/// format it was taken for) when it looks like a format but cannot be parsed.
pub(crate) fn detect(name: &str, media_type: &str, bytes: &[u8]) -> Detected {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let body = &bytes[start..];
    match body[0] {
        b'{' | b'[' => detect_json(name, media_type, body),
        _ => detect_text(name, body),
    }
}

fn detect_json(name: &str, media_type: &str, body: &[u8]) -> Detected {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => detect_value(name, &value).map(|format| Ok((format, Input::Json(value)))),
        Err(e) => sniff_json(name, media_type, body).map(|format| Err((format, json_error(&e)))),
    }
}

/// A serde_json error as "invalid JSON at line L, column C: …".
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line L column C"; say it first, once.
    let what = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(what, _)| what);
    format!(
        "invalid JSON at line {}, column {}: {what}",
        e.line(),
        e.column()
    )
}

fn detect_text(name: &str, body: &[u8]) -> Detected {
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or(body);
    let header =
        String::from_utf8_lossy(&first_line[..first_line.len().min(64)]).to_ascii_lowercase();
    let header = header.trim_end();
    if header == "user,arn" || header.starts_with("user,arn,") {
        return Some(match std::str::from_utf8(body) {
            Ok(text) => Ok((Format::CredentialReport, Input::Text(text.to_string()))),
            Err(e) => Err((
                Format::CredentialReport,
                format!(
                    "the CSV is not UTF-8: invalid byte at offset {}",
                    e.valid_up_to()
                ),
            )),
        });
    }
    if !looks_like_rbac_yaml(body)
        && !name_says(name, &["rolebinding", "role-binding", "role_binding"])
    {
        return None;
    }
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            return Some(Err((
                Format::RbacBindings,
                format!(
                    "the YAML is not UTF-8: invalid byte at offset {}",
                    e.valid_up_to()
                ),
            )));
        }
    };
    let hinted = name_says(name, &["rolebinding", "role-binding", "role_binding"]);
    match serde_saphyr::from_multiple::<Value>(text) {
        Ok(docs) if hinted || docs.iter().any(kubernetes::is_rbac_object) => {
            Some(Ok((Format::RbacBindings, Input::Yaml(docs))))
        }
        Ok(_) => None,
        Err(e) => Some(Err((Format::RbacBindings, yaml_error(&e)))),
    }
}

/// A serde-saphyr error as "invalid YAML at line L, column C: …".
fn yaml_error(e: &serde_saphyr::Error) -> String {
    let inner = e.without_snippet();
    let message = inner.to_string();
    let message = message.lines().next().unwrap_or_default().to_string();
    match inner.location().or_else(|| e.location()) {
        Some(loc) => {
            // The message may end with the position again; say it once.
            let suffix = format!(" at line {}, column {}", loc.line(), loc.column());
            let message = message.strip_suffix(&suffix).unwrap_or(&message);
            format!(
                "invalid YAML at line {}, column {}: {message}",
                loc.line(),
                loc.column()
            )
        }
        None => format!("invalid YAML: {message}"),
    }
}

/// A top-level `apiVersion:` and a `kind:` naming an RBAC binding or a
/// typed list of them, at the top or among a `List`'s items.
fn looks_like_rbac_yaml(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIFF_LIMIT)]);
    let mut binding = false;
    let mut api_version = false;
    for line in text.lines() {
        api_version |= line.starts_with("apiVersion:");
        let line = line.trim_start().trim_start_matches("- ");
        if let Some(kind) = line.strip_prefix("kind:") {
            let kind = kind.trim().trim_matches(['"', '\'']);
            binding |= kind.ends_with("RoleBinding") || kind.ends_with("RoleBindingList");
        }
    }
    binding && api_version
}

fn name_says(name: &str, words: &[&str]) -> bool {
    let name = name.to_ascii_lowercase();
    words.iter().any(|w| name.contains(w))
}

/// The format a JSON value is in.
pub(crate) fn detect_value(name: &str, value: &Value) -> Option<Format> {
    match value {
        Value::Object(map) => detect_object(map, name),
        Value::Array(items) => detect_array(items, name),
        _ => None,
    }
}

fn str_of<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn obj_of<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    map.get(key).and_then(Value::as_object)
}

fn first_object(v: Option<&Value>) -> Option<&Map<String, Value>> {
    v.and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_object)
}

fn detect_object(m: &Map<String, Value>, name: &str) -> Option<Format> {
    let has = |k: &str| m.contains_key(k);
    if str_of(m, "bomFormat") == Some("CycloneDX") {
        return Some(Format::CycloneDx);
    }
    if has("runs")
        && (str_of(m, "version").is_some_and(|v| v.starts_with('2'))
            || str_of(m, "$schema").is_some_and(|s| s.to_ascii_lowercase().contains("sarif")))
    {
        return Some(Format::Sarif);
    }
    if has("SchemaVersion") && (has("Results") || has("ArtifactName") || has("Trivy")) {
        return Some(Format::Trivy);
    }
    if has("resource_changes") || (has("planned_values") && has("format_version")) {
        return Some(Format::TerraformPlan);
    }
    if (has("lineage") && has("version") && (has("resources") || has("modules")))
        || (has("format_version")
            && has("terraform_version")
            && obj_of(m, "values").is_some_and(|v| v.contains_key("root_module")))
    {
        return Some(Format::TerraformState);
    }
    if let Some(records) = m.get("Records").and_then(Value::as_array) {
        let first = records.first().and_then(Value::as_object);
        if first.is_none_or(aws::looks_like_cloudtrail_record) {
            return Some(Format::CloudTrailRecords);
        }
    }
    if first_object(m.get("Events")).is_some_and(|e| e.contains_key("CloudTrailEvent")) {
        return Some(Format::CloudTrailRecords);
    }
    if has("trailList") || obj_of(m, "Trail").is_some() {
        return Some(Format::CloudTrailTrails);
    }
    if m.get("IsLogging").is_some_and(Value::is_boolean) {
        return Some(Format::CloudTrailTrailStatus);
    }
    if has("Content") && (has("ReportFormat") || has("GeneratedTime")) {
        return Some(Format::CredentialReport);
    }
    if has("UserDetailList")
        || has("GroupDetailList")
        || has("RoleDetailList")
        || first_object(m.get("Policies")).is_some_and(|p| p.contains_key("PolicyVersionList"))
    {
        return Some(Format::AuthorizationDetails);
    }
    if has("configurationItems")
        || str_of(m, "messageType") == Some("ConfigurationItemChangeNotification")
        || (str_of(m, "Type") == Some("Notification")
            && str_of(m, "Message")
                .is_some_and(|s| s.contains("ConfigurationItemChangeNotification")))
    {
        return Some(Format::ConfigItems);
    }
    if has("workflow_runs")
        || (has("action") && obj_of(m, "workflow_run").is_some())
        || (has("workflow_id") && has("run_number") && has("head_sha"))
    {
        return Some(Format::WorkflowRuns);
    }
    if (obj_of(m, "review").is_some() && obj_of(m, "pull_request").is_some())
        || github::looks_like_review(m)
    {
        return Some(Format::PullRequestReviews);
    }
    if obj_of(m, "rule").is_some_and(|r| r.contains_key("pull_request_reviews_enforcement_level"))
        || (has("pull_request_reviews_enforcement_level") && has("name"))
    {
        return Some(Format::BranchProtectionRule);
    }
    if m.get("issues")
        .and_then(Value::as_array)
        .is_some_and(|issues| {
            issues.first().map_or(
                has("startAt") || has("maxResults") || has("isLast") || has("total"),
                |i| {
                    i.as_object()
                        .is_some_and(|i| i.contains_key("key") && i.contains_key("fields"))
                },
            )
        })
        || (str_of(m, "key").is_some() && obj_of(m, "fields").is_some())
    {
        return Some(Format::JiraIssues);
    }
    if okta::looks_like_user(m) {
        return Some(Format::OktaUsers);
    }
    if git::looks_like_log(m) {
        return Some(Format::GitLog);
    }
    if postgres::looks_like_security(m) {
        return Some(Format::PostgresSecurity);
    }
    if kubernetes::is_rbac_map(m)
        || (str_of(m, "kind") == Some("List")
            && name_says(name, &["rolebinding", "role-binding", "role_binding"]))
    {
        return Some(Format::RbacBindings);
    }
    None
}

fn detect_array(items: &[Value], name: &str) -> Option<Format> {
    match items.first() {
        None if name_says(name, &["okta"]) => Some(Format::OktaUsers),
        None if name_says(name, &["review"]) => Some(Format::PullRequestReviews),
        None => None,
        Some(Value::Object(first)) if github::looks_like_review(first) => {
            Some(Format::PullRequestReviews)
        }
        Some(Value::Object(first)) if okta::looks_like_user(first) => Some(Format::OktaUsers),
        Some(_) => None,
    }
}

/// The format malformed JSON was most likely meant to be, from distinctive
/// keys in its text, its name, or its media type.
fn sniff_json(name: &str, media_type: &str, body: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIFF_LIMIT)]);
    let has = |key: &str| text.contains(key);
    let name = name.to_ascii_lowercase();
    let media_type = media_type.to_ascii_lowercase();
    let checks: &[(bool, Format)] = &[
        (
            has("\"bomFormat\"") || media_type.contains("cyclonedx") || name.ends_with(".cdx.json"),
            Format::CycloneDx,
        ),
        (
            (has("\"runs\"") && (has("sarif") || has("\"2.1.0\"")))
                || media_type.contains("sarif")
                || name.ends_with(".sarif"),
            Format::Sarif,
        ),
        (
            has("\"SchemaVersion\"") && (has("\"Results\"") || has("\"ArtifactName\"")),
            Format::Trivy,
        ),
        (
            has("\"resource_changes\"") || has("\"planned_values\""),
            Format::TerraformPlan,
        ),
        (
            has("\"lineage\"")
                || (has("\"root_module\"") && has("\"terraform_version\""))
                || name.ends_with(".tfstate"),
            Format::TerraformState,
        ),
        (
            has("\"Records\"") && has("\"eventVersion\""),
            Format::CloudTrailRecords,
        ),
        (has("\"CloudTrailEvent\""), Format::CloudTrailRecords),
        (has("\"trailList\""), Format::CloudTrailTrails),
        (has("\"IsLogging\""), Format::CloudTrailTrailStatus),
        (
            (has("\"Content\"") && (has("\"GeneratedTime\"") || has("\"ReportFormat\"")))
                || name.contains("credential-report")
                || name.contains("credential_report"),
            Format::CredentialReport,
        ),
        (
            has("\"UserDetailList\"") || has("\"RoleDetailList\"") || has("\"GroupDetailList\""),
            Format::AuthorizationDetails,
        ),
        (
            has("\"configurationItem") || has("ConfigurationItemChangeNotification"),
            Format::ConfigItems,
        ),
        (has("\"workflow_run"), Format::WorkflowRuns),
        (
            has("\"pull_request_reviews_enforcement_level\""),
            Format::BranchProtectionRule,
        ),
        (
            (has("\"review\"") && has("\"pull_request\""))
                || (has("\"pull_request_url\"") && has("\"submitted_at\"")),
            Format::PullRequestReviews,
        ),
        (has("\"issues\"") && has("\"fields\""), Format::JiraIssues),
        (
            has("\"key\"") && has("\"fields\"") && has("\"issuetype\""),
            Format::JiraIssues,
        ),
        (
            has("\"profile\"")
                && has("\"status\"")
                && (has("\"lastLogin\"") || has("\"statusChanged\"")),
            Format::OktaUsers,
        ),
        (
            has("RoleBinding\"") || has("RoleBindingList\""),
            Format::RbacBindings,
        ),
        (
            has("\"schema_version\"") && has("\"commits\"") && has("\"head\""),
            Format::GitLog,
        ),
        (
            has("\"schema_version\"") && has("\"server_version_num\""),
            Format::PostgresSecurity,
        ),
    ];
    checks
        .iter()
        .find(|(hit, _)| *hit)
        .map(|(_, format)| *format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, text: &str, expected: Option<&str>) {
        let got = detect(name, "", text.as_bytes()).map(|r| match r {
            Ok((f, _)) => f.id(),
            Err((f, _)) => f.id(),
        });
        assert_eq!(got, expected, "{name}: {text}");
    }

    #[test]
    fn format_table_matches_the_enum() {
        assert_eq!(Format::RbacBindings.id(), kubernetes::RBAC_BINDINGS);
        assert_eq!(Format::CredentialReport.id(), aws::CREDENTIAL_REPORT);
        assert_eq!(Format::CycloneDx.id(), scanners::CYCLONEDX);
        assert_eq!(Format::GitLog.id(), git::LOG);
        assert_eq!(Format::PostgresSecurity.id(), postgres::SECURITY);
        assert_eq!(FORMATS.len(), Format::PostgresSecurity as usize + 1);
    }

    #[test]
    fn unknown_content_is_not_recognised() {
        check("x", "", None);
        check("x", "   \n ", None);
        check("x", "hello world", None);
        check("x", "{}", None);
        check("x", "[]", None);
        check("x", "[1, 2]", None);
        check("x", "{\"a\": 1", None);
        check("x", "\"just a string\"", None);
        check("x", "a,b,c\n1,2,3\n", None);
        check("x", "apiVersion: v1\nkind: ConfigMap\n", None);
        check(
            "x",
            "apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  data: [x\n",
            None,
        );
        check(
            "x",
            "{\"Records\": [{\"eventVersion\": \"2.1\", \"eventSource\": \"aws:s3\"}]}",
            None,
        );
    }

    #[test]
    fn empty_arrays_use_the_name() {
        check("okta-users.json", "[]", Some("okta-users"));
        check("pulls/2/reviews", "[]", Some("github-pull-request-reviews"));
    }

    #[test]
    fn malformed_json_is_attributed_by_its_keys() {
        check(
            "x",
            "{\"SchemaVersion\": 2, \"Results\": [",
            Some("trivy-json"),
        );
        check("x", "{\"bomFormat\": \"CycloneDX\", ", Some("cyclonedx"));
        check("scan.sarif", "{", Some("sarif"));
        check("x", "{\"trailList\": [{]}", Some("aws-cloudtrail-trails"));
        check(
            "x",
            "{\"schema_version\": 1, \"head\": \"a\", \"commits\": [{\"sha\": ",
            Some("git-log"),
        );
        check(
            "x",
            "{\"schema_version\": 1, \"server_version_num\": 150020, \"roles\": [",
            Some("postgres-security"),
        );
    }

    #[test]
    fn json_errors_name_line_and_column() {
        let e = serde_json::from_str::<Value>("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!(
            json_error(&e),
            "invalid JSON at line 3, column 7: expected `:`"
        );
    }

    #[test]
    fn csv_header_is_case_insensitive() {
        check(
            "x",
            "User,arn,user_creation_time\n",
            Some("aws-iam-credential-report"),
        );
        check("x", "\u{feff}user,arn\n", Some("aws-iam-credential-report"));
    }
}
