//! AWS: the IAM credential report, IAM authorization details, CloudTrail
//! records, trail settings and status, AWS Config configuration items.
//!
//! Shapes (every document also has `"format"`; see `FORMATS.md`):
//!
//! - `aws-iam-credential-report`: `{ generated_time, users: [{ user, arn,
//!   is_root, user_creation_time, password_enabled, password_last_used,
//!   password_last_changed, password_next_rotation, mfa_active,
//!   access_keys: [{ slot, active, last_rotated, last_used,
//!   last_used_region, last_used_service }], certificates: [{ slot, active,
//!   last_rotated }], last_activity }] }`. `N/A`, `no_information` and
//!   `not_supported` are `null` (root's `password_enabled` is `null`).
//!   `access_keys` and `certificates` list only the slots that hold one
//!   (active, or with a rotation date). `last_activity` is the latest of
//!   `password_last_used` and the keys' `last_used`. Unknown columns are
//!   kept under their (lowercased) header.
//! - `aws-iam-authorization-details`: `{ users: [{ name, id, arn, path,
//!   create_date, groups, attached_policies: [{ name, arn }],
//!   inline_policies: [{ name, document }], permissions_boundary, tags }],
//!   groups: [{ name, id, arn, path, create_date, attached_policies,
//!   inline_policies }], roles: [{ name, id, arn, path, create_date,
//!   description, max_session_duration, assume_role_policy_document,
//!   attached_policies, inline_policies, instance_profiles: [{ name, arn }],
//!   permissions_boundary, tags, last_used: { date, region } }], policies:
//!   [{ name, id, arn, path, aws_managed, description, create_date,
//!   update_date, default_version_id, attachment_count,
//!   permissions_boundary_usage_count, is_attachable, default_document,
//!   versions: [{ version_id, is_default, create_date, document }] }],
//!   is_truncated, marker }`. Policy documents keep IAM's keys; URL-encoded
//!   documents (the raw API) are decoded; `Statement`, `Action`,
//!   `NotAction`, `Resource` and `NotResource` are always arrays. Tags are
//!   a map.
//! - `aws-cloudtrail-records`: `{ records: [{ event_version, event_time,
//!   event_source, event_name, event_type, event_category, event_id,
//!   request_id, aws_region, source_ip_address, user_agent, error_code,
//!   error_message, read_only, management_event, recipient_account_id,
//!   user_identity: { type, principal_id, arn, account_id, access_key_id,
//!   user_name, invoked_by, mfa_authenticated, session_created,
//!   session_issuer: { type, principal_id, arn, account_id, user_name } },
//!   console_login: { result, mfa_used }, resources: [{ arn, account_id,
//!   type }], request_parameters, response_elements, additional_event_data
//!   }] }`. `console_login` is set for `ConsoleLogin` events only.
//! - `aws-cloudtrail-trails`: `{ trails: [{ name, arn, home_region,
//!   s3_bucket_name, s3_key_prefix, sns_topic_arn,
//!   cloud_watch_logs_log_group_arn, cloud_watch_logs_role_arn, kms_key_id,
//!   encrypted, is_multi_region_trail, is_organization_trail,
//!   include_global_service_events, log_file_validation_enabled,
//!   has_custom_event_selectors, has_insight_selectors }] }`. An absent
//!   boolean setting is `false`.
//! - `aws-cloudtrail-trail-status`: `{ is_logging, latest_delivery_time,
//!   latest_delivery_error, latest_notification_time,
//!   latest_notification_error, start_logging_time, stop_logging_time,
//!   latest_cloud_watch_logs_delivery_time,
//!   latest_cloud_watch_logs_delivery_error, latest_digest_delivery_time,
//!   latest_digest_delivery_error }`.
//! - `aws-config-items`: `{ format_version, kind, notification_creation_time,
//!   change: { change_type, changed_properties }, items: [{ resource_type,
//!   resource_id, resource_name, arn, account_id, aws_region,
//!   availability_zone, resource_creation_time, capture_time, status,
//!   version, state_id, tags, relationships: [{ resource_type, resource_id,
//!   resource_name, name, direction }], related_events, configuration,
//!   supplementary_configuration }] }`. `kind` is `snapshot`, `history` or
//!   `change-notification`; `configuration` and supplementary values that
//!   the API delivers as JSON strings are parsed.

use base64::Engine;
use serde_json::{Map, Value};

use crate::detect::json_error;
use crate::value::{Obj, Res, doc, latest, shown, tag_map};

/// Format id of the IAM credential report.
pub const CREDENTIAL_REPORT: &str = "aws-iam-credential-report";
/// Format id of `get-account-authorization-details`.
pub const AUTHORIZATION_DETAILS: &str = "aws-iam-authorization-details";
/// Format id of CloudTrail records.
pub const CLOUDTRAIL_RECORDS: &str = "aws-cloudtrail-records";
/// Format id of trail settings.
pub const CLOUDTRAIL_TRAILS: &str = "aws-cloudtrail-trails";
/// Format id of a trail's status.
pub const CLOUDTRAIL_TRAIL_STATUS: &str = "aws-cloudtrail-trail-status";
/// Format id of AWS Config configuration items.
pub const CONFIG_ITEMS: &str = "aws-config-items";

// ---------------------------------------------------------------------------
// Credential report

/// The credential report's standard columns (lowercase).
const KNOWN_COLUMNS: &[&str] = &[
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// The report's markers for "no value".
fn is_no_value(cell: &str) -> bool {
    cell.is_empty()
        || cell.eq_ignore_ascii_case("N/A")
        || cell.eq_ignore_ascii_case("no_information")
        || cell.eq_ignore_ascii_case("not_supported")
}

/// The JSON of `aws iam get-credential-report`: `Content` is the CSV,
/// base64-encoded by the API (or already decoded by some tools).
pub(crate) fn credential_report_json(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    if let Some(format) = o.str("ReportFormat")?
        && !format.eq_ignore_ascii_case("text/csv")
    {
        return Err(o.error(
            "ReportFormat",
            format_args!(
                "unsupported report format {}, expected \"text/csv\"",
                shown(format)
            ),
        ));
    }
    let generated = o.time("GeneratedTime")?;
    let content = o
        .str("Content")?
        .ok_or_else(|| "`Content`: missing".to_string())?;
    if content
        .trim_start()
        .get(..5)
        .is_some_and(|h| h.eq_ignore_ascii_case("user,"))
    {
        return credential_report_csv(content, generated);
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let trimmed = content.trim();
    let bytes = engine
        .decode(trimmed)
        .or_else(|e| {
            // Wrapped base64 (line breaks every 76 characters) decodes once
            // compacted; an error names the offset in the text as given.
            let compact: String = trimmed
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            if compact.len() == trimmed.len() {
                Err(e)
            } else {
                engine.decode(compact).map_err(|_| e)
            }
        })
        .map_err(|e| {
            o.error(
                "Content",
                format_args!("neither the report CSV nor base64: {e}"),
            )
        })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        o.error(
            "Content",
            format_args!(
                "the decoded report is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    credential_report_csv(&text, generated).map_err(|e| format!("in the decoded `Content`: {e}"))
}

/// The credential report CSV.
pub(crate) fn credential_report_csv(text: &str, generated_time: Value) -> Res<Value> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let known: Vec<Option<usize>> = KNOWN_COLUMNS.iter().map(|c| column(c)).collect();
    for required in ["user", "arn"] {
        if column(required).is_none() {
            return Err(format!("line 1: the header has no `{required}` column"));
        }
    }
    let extra: Vec<(usize, &str)> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !KNOWN_COLUMNS.contains(&h.as_str()))
        .map(|(i, h)| (i, h.as_str()))
        .collect();

    let mut users = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |name: &str| -> &str {
            let i = KNOWN_COLUMNS
                .iter()
                .position(|c| *c == name)
                .and_then(|k| known[k]);
            i.and_then(|i| record.get(i)).unwrap_or("")
        };
        let row = Row { line };
        let user = cell("user");
        let mut access_keys = Vec::new();
        for slot in 1..=2u8 {
            let active = row.bool(
                &format!("access_key_{slot}_active"),
                cell(&format!("access_key_{slot}_active")),
            )?;
            let last_rotated = row.time(
                &format!("access_key_{slot}_last_rotated"),
                cell(&format!("access_key_{slot}_last_rotated")),
            )?;
            if active != Value::Bool(true) && last_rotated.is_null() {
                continue;
            }
            access_keys.push(doc([
                ("slot", Value::from(slot)),
                ("active", active),
                ("last_rotated", last_rotated),
                (
                    "last_used",
                    row.time(
                        &format!("access_key_{slot}_last_used_date"),
                        cell(&format!("access_key_{slot}_last_used_date")),
                    )?,
                ),
                (
                    "last_used_region",
                    text_cell(cell(&format!("access_key_{slot}_last_used_region"))),
                ),
                (
                    "last_used_service",
                    text_cell(cell(&format!("access_key_{slot}_last_used_service"))),
                ),
            ]));
        }
        let mut certificates = Vec::new();
        for slot in 1..=2u8 {
            let active = row.bool(
                &format!("cert_{slot}_active"),
                cell(&format!("cert_{slot}_active")),
            )?;
            let last_rotated = row.time(
                &format!("cert_{slot}_last_rotated"),
                cell(&format!("cert_{slot}_last_rotated")),
            )?;
            if active != Value::Bool(true) && last_rotated.is_null() {
                continue;
            }
            certificates.push(doc([
                ("slot", Value::from(slot)),
                ("active", active),
                ("last_rotated", last_rotated),
            ]));
        }
        let password_last_used = row.time("password_last_used", cell("password_last_used"))?;
        let last_activity = latest(
            std::iter::once(&password_last_used).chain(access_keys.iter().map(|k| &k["last_used"])),
        );
        let arn = cell("arn");
        let mut entry = Map::new();
        entry.insert("user".into(), Value::String(user.to_string()));
        entry.insert("arn".into(), Value::String(arn.to_string()));
        entry.insert(
            "is_root".into(),
            Value::Bool(user == "<root_account>" || arn.ends_with(":root")),
        );
        entry.insert(
            "user_creation_time".into(),
            row.time("user_creation_time", cell("user_creation_time"))?,
        );
        entry.insert(
            "password_enabled".into(),
            row.bool("password_enabled", cell("password_enabled"))?,
        );
        entry.insert("password_last_used".into(), password_last_used);
        entry.insert(
            "password_last_changed".into(),
            row.time("password_last_changed", cell("password_last_changed"))?,
        );
        entry.insert(
            "password_next_rotation".into(),
            row.time("password_next_rotation", cell("password_next_rotation"))?,
        );
        entry.insert(
            "mfa_active".into(),
            row.bool("mfa_active", cell("mfa_active"))?,
        );
        entry.insert("access_keys".into(), Value::Array(access_keys));
        entry.insert("certificates".into(), Value::Array(certificates));
        entry.insert("last_activity".into(), last_activity);
        for (i, name) in &extra {
            entry
                .entry(name.to_string())
                .or_insert_with(|| text_cell(record.get(*i).unwrap_or("")));
        }
        users.push(Value::Object(entry));
    }
    Ok(doc([
        ("format", Value::from(CREDENTIAL_REPORT)),
        ("generated_time", generated_time),
        ("users", Value::Array(users)),
    ]))
}

/// A CSV reader error with its position.
fn csv_error(e: &csv::Error) -> String {
    match e.position() {
        Some(p) => {
            let message = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => {
                    format!("found {len} fields, but the header has {expected_len}")
                }
                csv::ErrorKind::Utf8 { err, .. } => {
                    format!("field {} is not UTF-8", err.field() + 1)
                }
                _ => e.to_string(),
            };
            format!("invalid CSV at line {}: {message}", p.line())
        }
        None => format!("invalid CSV: {e}"),
    }
}

/// A text cell: the no-value markers are `null`.
fn text_cell(cell: &str) -> Value {
    if is_no_value(cell) {
        Value::Null
    } else {
        Value::String(cell.to_string())
    }
}

/// Where a cell is, for messages.
struct Row {
    line: u64,
}

impl Row {
    fn bool(&self, column: &str, cell: &str) -> Res<Value> {
        if cell.eq_ignore_ascii_case("true") {
            Ok(Value::Bool(true))
        } else if cell.eq_ignore_ascii_case("false") {
            Ok(Value::Bool(false))
        } else if is_no_value(cell) {
            Ok(Value::Null)
        } else {
            Err(format!(
                "line {}, column `{column}`: expected true, false or N/A, found {}",
                self.line,
                shown(cell)
            ))
        }
    }

    fn time(&self, column: &str, cell: &str) -> Res<Value> {
        if is_no_value(cell) {
            return Ok(Value::Null);
        }
        crate::value::timestamp(cell).map(Value::String).ok_or_else(|| {
            format!("line {}, column `{column}`: expected a timestamp, N/A, no_information or not_supported, found {}", self.line, shown(cell))
        })
    }
}

// ---------------------------------------------------------------------------
// Authorization details

/// `aws iam get-account-authorization-details`.
pub(crate) fn authorization_details(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let users = o.each("UserDetailList", |u| {
        Ok(doc([
            ("name", u.string("UserName")?),
            ("id", u.string("UserId")?),
            ("arn", u.string("Arn")?),
            ("path", u.string("Path")?),
            ("create_date", u.time("CreateDate")?),
            ("groups", u.strings("GroupList")?),
            ("attached_policies", attached_policies(u)?),
            ("inline_policies", inline_policies(u, "UserPolicyList")?),
            ("permissions_boundary", permissions_boundary(u)?),
            ("tags", tag_map(u.get("Tags"), &u.member("Tags"))?),
        ]))
    })?;
    let groups = o.each("GroupDetailList", |g| {
        Ok(doc([
            ("name", g.string("GroupName")?),
            ("id", g.string("GroupId")?),
            ("arn", g.string("Arn")?),
            ("path", g.string("Path")?),
            ("create_date", g.time("CreateDate")?),
            ("attached_policies", attached_policies(g)?),
            ("inline_policies", inline_policies(g, "GroupPolicyList")?),
        ]))
    })?;
    let roles = o.each("RoleDetailList", |r| {
        let last_used = r.with("RoleLastUsed", |l| {
            Ok(doc([
                ("date", l.time("LastUsedDate")?),
                ("region", l.string("Region")?),
            ]))
        })?;
        Ok(doc([
            ("name", r.string("RoleName")?),
            ("id", r.string("RoleId")?),
            ("arn", r.string("Arn")?),
            ("path", r.string("Path")?),
            ("create_date", r.time("CreateDate")?),
            ("description", r.string("Description")?),
            ("max_session_duration", r.number("MaxSessionDuration")?),
            (
                "assume_role_policy_document",
                policy_document(
                    r.get("AssumeRolePolicyDocument"),
                    &r.member("AssumeRolePolicyDocument"),
                )?,
            ),
            ("attached_policies", attached_policies(r)?),
            ("inline_policies", inline_policies(r, "RolePolicyList")?),
            (
                "instance_profiles",
                Value::Array(r.each("InstanceProfileList", |p| {
                    Ok(doc([
                        ("name", p.string("InstanceProfileName")?),
                        ("arn", p.string("Arn")?),
                    ]))
                })?),
            ),
            ("permissions_boundary", permissions_boundary(r)?),
            ("tags", tag_map(r.get("Tags"), &r.member("Tags"))?),
            ("last_used", last_used.unwrap_or(Value::Null)),
        ]))
    })?;
    let policies = o.each("Policies", |p| {
        let versions = p.each("PolicyVersionList", |v| {
            Ok(doc([
                ("version_id", v.string("VersionId")?),
                ("is_default", v.flag("IsDefaultVersion")?),
                ("create_date", v.time("CreateDate")?),
                (
                    "document",
                    policy_document(v.get("Document"), &v.member("Document"))?,
                ),
            ]))
        })?;
        let default_id = p.str("DefaultVersionId")?;
        let default_document = versions
            .iter()
            .find(|v| {
                v["is_default"] == Value::Bool(true)
                    || (default_id.is_some() && v["version_id"].as_str() == default_id)
            })
            .map_or(Value::Null, |v| v["document"].clone());
        let arn = p.str("Arn")?;
        Ok(doc([
            ("name", p.string("PolicyName")?),
            ("id", p.string("PolicyId")?),
            ("arn", p.string("Arn")?),
            ("path", p.string("Path")?),
            (
                "aws_managed",
                Value::Bool(arn.is_some_and(|a| a.starts_with("arn:aws:iam::aws:policy/"))),
            ),
            ("description", p.string("Description")?),
            ("create_date", p.time("CreateDate")?),
            ("update_date", p.time("UpdateDate")?),
            ("default_version_id", p.string("DefaultVersionId")?),
            ("attachment_count", p.number("AttachmentCount")?),
            (
                "permissions_boundary_usage_count",
                p.number("PermissionsBoundaryUsageCount")?,
            ),
            ("is_attachable", p.bool_value("IsAttachable")?),
            ("default_document", default_document),
            ("versions", Value::Array(versions)),
        ]))
    })?;
    Ok(doc([
        ("format", Value::from(AUTHORIZATION_DETAILS)),
        ("users", Value::Array(users)),
        ("groups", Value::Array(groups)),
        ("roles", Value::Array(roles)),
        ("policies", Value::Array(policies)),
        ("is_truncated", o.flag("IsTruncated")?),
        ("marker", o.string("Marker")?),
    ]))
}

fn attached_policies(o: Obj<'_>) -> Res<Value> {
    Ok(Value::Array(o.each("AttachedManagedPolicies", |p| {
        Ok(doc([
            ("name", p.string("PolicyName")?),
            ("arn", p.string("PolicyArn")?),
        ]))
    })?))
}

fn inline_policies(o: Obj<'_>, key: &str) -> Res<Value> {
    Ok(Value::Array(o.each(key, |p| {
        Ok(doc([
            ("name", p.string("PolicyName")?),
            (
                "document",
                policy_document(p.get("PolicyDocument"), &p.member("PolicyDocument"))?,
            ),
        ]))
    })?))
}

fn permissions_boundary(o: Obj<'_>) -> Res<Value> {
    Ok(o.with("PermissionsBoundary", |b| {
        Ok(doc([
            ("type", b.string("PermissionsBoundaryType")?),
            ("arn", b.string("PermissionsBoundaryArn")?),
        ]))
    })?
    .unwrap_or(Value::Null))
}

/// An IAM policy document: an object, a JSON string, or (the raw API) a
/// URL-encoded JSON string; single statements and single actions or
/// resources become arrays.
fn policy_document(v: Option<&Value>, path: &str) -> Res<Value> {
    let mut document = match v {
        None => return Ok(Value::Null),
        Some(Value::Object(_)) => v.cloned().unwrap_or_default(),
        Some(Value::String(s)) => serde_json::from_str::<Value>(s)
            .or_else(|_| {
                let decoded = percent_encoding::percent_decode_str(s).decode_utf8_lossy();
                serde_json::from_str::<Value>(&decoded)
            })
            .map_err(|e| format!("`{path}`: not a policy document: {}", json_error(&e)))?,
        Some(other) => {
            return Err(format!(
                "`{path}`: expected a policy document, found {}",
                crate::value::kind(other)
            ));
        }
    };
    if let Some(statements) = document.get_mut("Statement") {
        if statements.is_object() {
            *statements = Value::Array(vec![statements.take()]);
        }
        if let Some(list) = statements.as_array_mut() {
            for statement in list.iter_mut().filter_map(Value::as_object_mut) {
                for key in ["Action", "NotAction", "Resource", "NotResource"] {
                    if let Some(value) = statement.get_mut(key)
                        && value.is_string()
                    {
                        *value = Value::Array(vec![value.take()]);
                    }
                }
            }
        }
    }
    Ok(document)
}

// ---------------------------------------------------------------------------
// CloudTrail

/// Whether an object in `Records` is a CloudTrail record (and not, say, an
/// S3 event notification, which also has `Records`).
pub(crate) fn looks_like_cloudtrail_record(m: &Map<String, Value>) -> bool {
    m.contains_key("eventVersion")
        && (m.contains_key("userIdentity")
            || m.get("eventSource")
                .and_then(Value::as_str)
                .is_some_and(|s| s.ends_with(".amazonaws.com")))
}

/// CloudTrail log files (`{"Records": […]}`) and `lookup-events` output
/// (`{"Events": [{"CloudTrailEvent": "<record as JSON>"}]}`).
pub(crate) fn cloudtrail_records(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let records = if o.has("Records") {
        o.each("Records", record)?
    } else {
        o.each("Events", |e| {
            let text = e
                .str("CloudTrailEvent")?
                .ok_or_else(|| e.error("CloudTrailEvent", "missing"))?;
            let inner: Value = serde_json::from_str(text)
                .map_err(|err| e.error("CloudTrailEvent", json_error(&err)))?;
            let path = e.member("CloudTrailEvent");
            record(Obj::new(&inner, &path)?)
        })?
    };
    Ok(doc([
        ("format", Value::from(CLOUDTRAIL_RECORDS)),
        ("records", Value::Array(records)),
    ]))
}

fn record(r: Obj<'_>) -> Res<Value> {
    let user_identity = r
        .with("userIdentity", |u| {
            let (mfa, created, issuer) = u
                .with("sessionContext", |s| {
                    let attributes = s.with("attributes", |a| {
                        Ok((a.bool_value("mfaAuthenticated")?, a.time("creationDate")?))
                    })?;
                    let issuer = s.with("sessionIssuer", |i| {
                        Ok(doc([
                            ("type", i.string("type")?),
                            ("principal_id", i.string("principalId")?),
                            ("arn", i.string("arn")?),
                            ("account_id", i.text("accountId")?),
                            ("user_name", i.string("userName")?),
                        ]))
                    })?;
                    let (mfa, created) = attributes.unwrap_or((Value::Null, Value::Null));
                    Ok((mfa, created, issuer.unwrap_or(Value::Null)))
                })?
                .unwrap_or((Value::Null, Value::Null, Value::Null));
            Ok(doc([
                ("type", u.string("type")?),
                ("principal_id", u.string("principalId")?),
                ("arn", u.string("arn")?),
                ("account_id", u.text("accountId")?),
                ("access_key_id", u.string("accessKeyId")?),
                ("user_name", u.string("userName")?),
                ("invoked_by", u.string("invokedBy")?),
                ("mfa_authenticated", mfa),
                ("session_created", created),
                ("session_issuer", issuer),
            ]))
        })?
        .unwrap_or(Value::Null);
    let console_login = if r.str("eventName")? == Some("ConsoleLogin") {
        let result = r
            .with("responseElements", |e| e.lower("ConsoleLogin"))?
            .unwrap_or(Value::Null);
        let mfa_used = r
            .with("additionalEventData", |d| {
                Ok(match d.str("MFAUsed")? {
                    Some(s) if s.eq_ignore_ascii_case("yes") => Value::Bool(true),
                    Some(s) if s.eq_ignore_ascii_case("no") => Value::Bool(false),
                    Some(s) => {
                        return Err(d.error(
                            "MFAUsed",
                            format_args!("expected Yes or No, found {}", shown(s)),
                        ));
                    }
                    None => Value::Null,
                })
            })?
            .unwrap_or(Value::Null);
        doc([("result", result), ("mfa_used", mfa_used)])
    } else {
        Value::Null
    };
    let resources = r.each("resources", |res| {
        Ok(doc([
            (
                "arn",
                res.get_any(&["ARN", "arn"])
                    .map_or(Value::Null, |(_, v)| v.clone()),
            ),
            ("account_id", res.text("accountId")?),
            ("type", res.string("type")?),
        ]))
    })?;
    Ok(doc([
        ("event_version", r.text("eventVersion")?),
        ("event_time", r.time("eventTime")?),
        ("event_source", r.string("eventSource")?),
        ("event_name", r.string("eventName")?),
        ("event_type", r.string("eventType")?),
        ("event_category", r.string("eventCategory")?),
        ("event_id", r.string("eventID")?),
        ("request_id", r.string("requestID")?),
        ("aws_region", r.string("awsRegion")?),
        ("source_ip_address", r.string("sourceIPAddress")?),
        ("user_agent", r.string("userAgent")?),
        ("error_code", r.string("errorCode")?),
        ("error_message", r.string("errorMessage")?),
        ("read_only", r.bool_value("readOnly")?),
        ("management_event", r.bool_value("managementEvent")?),
        ("recipient_account_id", r.text("recipientAccountId")?),
        ("user_identity", user_identity),
        ("console_login", console_login),
        ("resources", Value::Array(resources)),
        ("request_parameters", r.raw("requestParameters")),
        ("response_elements", r.raw("responseElements")),
        ("additional_event_data", r.raw("additionalEventData")),
    ]))
}

/// `describe-trails` (`trailList`) or `get-trail` (`Trail`).
pub(crate) fn cloudtrail_trails(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let trails = if o.has("trailList") {
        o.each("trailList", trail)?
    } else {
        o.with("Trail", trail)?.into_iter().collect()
    };
    Ok(doc([
        ("format", Value::from(CLOUDTRAIL_TRAILS)),
        ("trails", Value::Array(trails)),
    ]))
}

fn trail(t: Obj<'_>) -> Res<Value> {
    let kms_key_id = t.string("KmsKeyId")?;
    Ok(doc([
        ("name", t.string("Name")?),
        ("arn", t.string("TrailARN")?),
        ("home_region", t.string("HomeRegion")?),
        ("s3_bucket_name", t.string("S3BucketName")?),
        ("s3_key_prefix", t.string("S3KeyPrefix")?),
        ("sns_topic_arn", t.string("SnsTopicARN")?),
        (
            "cloud_watch_logs_log_group_arn",
            t.string("CloudWatchLogsLogGroupArn")?,
        ),
        (
            "cloud_watch_logs_role_arn",
            t.string("CloudWatchLogsRoleArn")?,
        ),
        ("encrypted", Value::Bool(!kms_key_id.is_null())),
        ("kms_key_id", kms_key_id),
        ("is_multi_region_trail", t.flag("IsMultiRegionTrail")?),
        ("is_organization_trail", t.flag("IsOrganizationTrail")?),
        (
            "include_global_service_events",
            t.flag("IncludeGlobalServiceEvents")?,
        ),
        (
            "log_file_validation_enabled",
            t.flag("LogFileValidationEnabled")?,
        ),
        (
            "has_custom_event_selectors",
            t.flag("HasCustomEventSelectors")?,
        ),
        ("has_insight_selectors", t.flag("HasInsightSelectors")?),
    ]))
}

/// `get-trail-status`.
pub(crate) fn cloudtrail_trail_status(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let is_logging = o
        .bool("IsLogging")?
        .ok_or_else(|| "`IsLogging`: missing".to_string())?;
    Ok(doc([
        ("format", Value::from(CLOUDTRAIL_TRAIL_STATUS)),
        ("is_logging", Value::Bool(is_logging)),
        ("latest_delivery_time", o.time("LatestDeliveryTime")?),
        ("latest_delivery_error", o.string("LatestDeliveryError")?),
        (
            "latest_notification_time",
            o.time("LatestNotificationTime")?,
        ),
        (
            "latest_notification_error",
            o.string("LatestNotificationError")?,
        ),
        ("start_logging_time", o.time("StartLoggingTime")?),
        ("stop_logging_time", o.time("StopLoggingTime")?),
        (
            "latest_cloud_watch_logs_delivery_time",
            o.time("LatestCloudWatchLogsDeliveryTime")?,
        ),
        (
            "latest_cloud_watch_logs_delivery_error",
            o.string("LatestCloudWatchLogsDeliveryError")?,
        ),
        (
            "latest_digest_delivery_time",
            o.time("LatestDigestDeliveryTime")?,
        ),
        (
            "latest_digest_delivery_error",
            o.string("LatestDigestDeliveryError")?,
        ),
    ]))
}

// ---------------------------------------------------------------------------
// AWS Config

/// Snapshots and resource history (`configurationItems`), change
/// notifications, and change notifications inside an SNS envelope.
pub(crate) fn config_items(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    if o.str("Type")? == Some("Notification") {
        let inner = match o.get("Message") {
            Some(Value::String(text)) => serde_json::from_str::<Value>(text)
                .map_err(|e| o.error("Message", json_error(&e)))?,
            Some(message @ Value::Object(_)) => message.clone(),
            _ => {
                return Err(
                    "`Message`: expected the notification (a JSON string or an object)".to_string(),
                );
            }
        };
        return config_items(&inner).map_err(|e| format!("in the SNS `Message`: {e}"));
    }
    if o.has("configurationItems") {
        let items = o.each("configurationItems", config_item)?;
        let kind = if o.has("fileVersion") || o.has("configSnapshotId") {
            "snapshot"
        } else {
            "history"
        };
        return Ok(doc([
            ("format", Value::from(CONFIG_ITEMS)),
            ("format_version", o.text("fileVersion")?),
            ("kind", Value::from(kind)),
            ("notification_creation_time", Value::Null),
            ("change", Value::Null),
            ("items", Value::Array(items)),
        ]));
    }
    let item = o.with("configurationItem", config_item)?.ok_or_else(|| {
        "`configurationItem`: missing (an oversized or summary notification has no item)"
            .to_string()
    })?;
    let change = o
        .with("configurationItemDiff", |d| {
            Ok(doc([
                ("change_type", d.lower("changeType")?),
                ("changed_properties", d.raw("changedProperties")),
            ]))
        })?
        .unwrap_or(Value::Null);
    Ok(doc([
        ("format", Value::from(CONFIG_ITEMS)),
        ("format_version", o.text("recordVersion")?),
        ("kind", Value::from("change-notification")),
        (
            "notification_creation_time",
            o.time("notificationCreationTime")?,
        ),
        ("change", change),
        ("items", Value::Array(vec![item])),
    ]))
}

fn config_item(c: Obj<'_>) -> Res<Value> {
    let relationships = c.each("relationships", |r| {
        Ok(doc([
            ("resource_type", r.string("resourceType")?),
            ("resource_id", r.string("resourceId")?),
            ("resource_name", r.string("resourceName")?),
            ("name", r.string("name")?),
            ("direction", r.string("direction")?),
        ]))
    })?;
    let supplementary = match c.get("supplementaryConfiguration") {
        Some(Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), json_in_string(v)))
                .collect(),
        ),
        Some(other) => json_in_string(other),
        None => Value::Object(Map::new()),
    };
    let text = |keys: &[&'static str]| -> Res<Value> {
        match c.get_any(keys) {
            Some((key, _)) => c.text(key),
            None => Ok(Value::Null),
        }
    };
    Ok(doc([
        ("resource_type", c.string("resourceType")?),
        ("resource_id", c.string("resourceId")?),
        ("resource_name", c.string("resourceName")?),
        ("arn", text(&["ARN", "arn"])?),
        ("account_id", text(&["awsAccountId", "accountId"])?),
        ("aws_region", c.string("awsRegion")?),
        (
            "availability_zone",
            text(&["availabilityZone", "availibilityZone"])?,
        ),
        ("resource_creation_time", c.time("resourceCreationTime")?),
        ("capture_time", c.time("configurationItemCaptureTime")?),
        ("status", c.string("configurationItemStatus")?),
        ("version", text(&["configurationItemVersion", "version"])?),
        (
            "state_id",
            text(&["configurationStateId", "configurationStateID"])?,
        ),
        ("tags", tag_map(c.get("tags"), &c.member("tags"))?),
        ("relationships", Value::Array(relationships)),
        ("related_events", c.strings("relatedEvents")?),
        (
            "configuration",
            c.get("configuration").map_or(Value::Null, json_in_string),
        ),
        ("supplementary_configuration", supplementary),
    ]))
}

/// A value that AWS sometimes delivers as a JSON document inside a string:
/// parsed when it is one, kept as is otherwise.
fn json_in_string(v: &Value) -> Value {
    match v {
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => {
            serde_json::from_str(s).unwrap_or_else(|_| v.clone())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::tests::{check, check_error, sample};

    #[test]
    fn credential_report_csv() {
        check(
            "aws/cloudmapper_iam-credential-report.csv",
            "aws-iam-credential-report.cloudmapper-csv",
        );
    }

    #[test]
    fn credential_report_json_decoded_and_base64() {
        check(
            "aws/cloudmapper_iam-get-credential-report.json",
            "aws-iam-credential-report.cloudmapper-json",
        );
        check(
            "aws/evident_iam-get-credential-report_base64.json",
            "aws-iam-credential-report.evident-base64",
        );
    }

    #[test]
    fn credential_report_failing_cases() {
        check(
            "aws/evident_iam-credential-report_failing.csv",
            "aws-iam-credential-report.evident-failing",
        );
    }

    #[test]
    fn credential_report_errors() {
        let header = "user,arn,user_creation_time,password_enabled,mfa_active\n";
        check_error(
            format!(
                "{header}alice,arn:aws:iam::1:user/alice,2019-05-07T15:35:54+00:00,yes,false\n"
            )
            .as_bytes(),
            "aws-iam-credential-report",
            "line 2, column `password_enabled`: expected true, false or N/A, found \"yes\"",
        );
        check_error(
            format!("{header}alice,arn:aws:iam::1:user/alice,yesterday,true,false\n").as_bytes(),
            "aws-iam-credential-report",
            "line 2, column `user_creation_time`: expected a timestamp, N/A, no_information or not_supported, found \"yesterday\"",
        );
        check_error(
            format!("{header}alice,arn:aws:iam::1:user/alice\n").as_bytes(),
            "aws-iam-credential-report",
            "invalid CSV at line 2: found 2 fields, but the header has 5",
        );
        check_error(
            br#"{"Content": "user,name\nx,y\n", "ReportFormat": "text/csv"}"#,
            "aws-iam-credential-report",
            "line 1: the header has no `arn` column",
        );
        check_error(
            br#"{"Content": "dXNl!cixhcm4K", "ReportFormat": "text/csv", "GeneratedTime": "2019-05-07T15:40:22+00:00"}"#,
            "aws-iam-credential-report",
            "`Content`: neither the report CSV nor base64: Invalid symbol 33, offset 4.",
        );
        check_error(
            br#"{"Content": "", "ReportFormat": "text/html"}"#,
            "aws-iam-credential-report",
            "`ReportFormat`: unsupported report format \"text/html\", expected \"text/csv\"",
        );
    }

    #[test]
    fn authorization_details() {
        check(
            "aws/cloudmapper_iam-get-account-authorization-details.json",
            "aws-iam-authorization-details.cloudmapper",
        );
    }

    #[test]
    fn policy_documents_are_decoded_and_listified() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D";
        let input =
            json!({"RoleDetailList": [{"RoleName": "admin", "AssumeRolePolicyDocument": encoded}]});
        let doc = super::authorization_details(&input).unwrap();
        assert_eq!(
            doc["roles"][0]["assume_role_policy_document"],
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]})
        );
        let bad =
            json!({"RoleDetailList": [{"RoleName": "x", "AssumeRolePolicyDocument": "%7Bnope"}]});
        assert!(
            super::authorization_details(&bad)
                .unwrap_err()
                .starts_with("`RoleDetailList[0].AssumeRolePolicyDocument`: not a policy document")
        );
    }

    #[test]
    fn cloudtrail_records() {
        check(
            "aws/awsdocs_cloudtrail-records_iam-sts-signin.json",
            "aws-cloudtrail-records.iam-sts-signin",
        );
        check(
            "aws/awsdocs_cloudtrail-records_config-api.json",
            "aws-cloudtrail-records.config-api",
        );
        check(
            "aws/evident_cloudtrail-lookup-events.json",
            "aws-cloudtrail-records.evident-lookup-events",
        );
    }

    #[test]
    fn cloudtrail_record_errors() {
        check_error(
            br#"{"Records": [{"eventVersion": "1.05", "userIdentity": {"type": "Root"}, "eventTime": "yesterday"}]}"#,
            "aws-cloudtrail-records",
            "`Records[0].eventTime`: expected an RFC 3339 timestamp with an offset, found \"yesterday\"",
        );
        check_error(
            br#"{"Records": [{"eventVersion": "1.05", "userIdentity": {"type": "Root"}, "eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "maybe"}}]}"#,
            "aws-cloudtrail-records",
            "`Records[0].additionalEventData.MFAUsed`: expected Yes or No, found \"maybe\"",
        );
    }

    #[test]
    fn cloudtrail_trails() {
        check(
            "aws/cloudmapper_cloudtrail-describe-trails.json",
            "aws-cloudtrail-trails.cloudmapper",
        );
        check(
            "aws/evident_cloudtrail-describe-trails_failing.json",
            "aws-cloudtrail-trails.evident-failing",
        );
        check_error(
            br#"{"trailList": [{"Name": "t", "IsMultiRegionTrail": "sometimes"}]}"#,
            "aws-cloudtrail-trails",
            "`trailList[0].IsMultiRegionTrail`: expected a boolean, found the string \"sometimes\"",
        );
    }

    #[test]
    fn cloudtrail_trail_status() {
        check(
            "aws/evident_cloudtrail-get-trail-status.json",
            "aws-cloudtrail-trail-status.evident",
        );
    }

    #[test]
    fn config_items() {
        check(
            "aws/awsdocs_config-snapshot.json",
            "aws-config-items.snapshot",
        );
        check(
            "aws/awsdocs_config-item-change-notification_create.json",
            "aws-config-items.change-create",
        );
        check(
            "aws/awsdocs_config-item-change-notification_ec2-instance.json",
            "aws-config-items.change-ec2-instance",
        );
        check(
            "aws/evident_config-sns-notification_s3-bucket.json",
            "aws-config-items.evident-sns-s3-bucket",
        );
    }

    #[test]
    fn config_sns_message_errors_name_the_message() {
        let raw = sample("aws/evident_config-sns-notification_s3-bucket.json");
        let text = String::from_utf8(raw)
            .unwrap()
            .replace(r#"\"OK\""#, r#"\"OK\"\""#);
        let err = crate::normalize("sns.json", "application/json", text.as_bytes())
            .unwrap()
            .unwrap_err();
        assert_eq!(err.format, "aws-config-items");
        assert!(
            err.message
                .starts_with("`Message`: invalid JSON at line 1, column "),
            "{}",
            err.message
        );
    }
}
