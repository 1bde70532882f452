//! PostgreSQL: the roles, memberships, table privileges and security
//! settings that evident's own `postgres` collector writes
//! (`crates/collect/COLLECTORS.md`, §postgres).
//!
//! Shape (the document also has `"format"`; see `FORMATS.md`):
//!
//! `postgres-security`: `{ format_version, server_version,
//! server_version_num, current_database, current_user, settings: { name:
//! string|null }, roles: [{ rolname, predefined, rolsuper, rolinherit,
//! rolcanlogin, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
//! rolvaliduntil, rolconnlimit }], memberships: [{ role, member,
//! admin_option, grantor }], table_privileges: [{ grantee, schema, table,
//! kind, privilege, grantable, grantor }] }`. `format_version` is the
//! collector's `schema_version` (only `"1"` is read).
//!
//! Settings stay the strings PostgreSQL shows (`"on"`, `"scram-sha-256"`):
//! they are PostgreSQL's own vocabulary, and not all of them are booleans
//! in every version (`log_connections` takes a list of aspects since
//! PostgreSQL 18). `null` is a setting the collecting user could not read.
//! The role attributes are required: an absent `rolsuper` read as `false`
//! would be a silent pass.

use serde_json::{Map, Value};

use crate::value::{Obj, Res, collector_schema_version, doc, kind, time_value};

/// Format id of a PostgreSQL security inventory.
pub const SECURITY: &str = "postgres-security";

/// The versions of the collector's document this module reads.
const SCHEMA_VERSIONS: &[u64] = &[1];

/// Whether an object is a document of evident's `postgres` collector.
pub(crate) fn looks_like_security(m: &Map<String, Value>) -> bool {
    ["schema_version", "server_version_num", "roles", "settings"]
        .iter()
        .all(|k| m.contains_key(*k))
}

/// The collector's document.
pub(crate) fn security(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let format_version = collector_schema_version(o, SCHEMA_VERSIONS, "postgres")?;
    let settings = o
        .with("settings", |s| {
            let mut out = Map::new();
            for (name, value) in s.map {
                match value {
                    Value::String(_) | Value::Null => {
                        out.insert(name.clone(), value.clone());
                    }
                    other => {
                        return Err(s.error(
                            name,
                            format_args!("expected a string or null, found {}", kind(other)),
                        ));
                    }
                }
            }
            Ok(Value::Object(out))
        })?
        .unwrap_or_else(|| Value::Object(Map::new()));
    Ok(doc([
        ("format", Value::from(SECURITY)),
        ("format_version", format_version),
        ("server_version", o.string("server_version")?),
        ("server_version_num", o.number("server_version_num")?),
        ("current_database", o.string("current_database")?),
        ("current_user", o.string("current_user")?),
        ("settings", settings),
        ("roles", Value::Array(o.each("roles", role)?)),
        (
            "memberships",
            Value::Array(o.each("memberships", |m| {
                Ok(doc([
                    ("role", m.required_str("role")?),
                    ("member", m.required_str("member")?),
                    ("admin_option", m.required_bool("admin_option")?),
                    ("grantor", m.string("grantor")?),
                ]))
            })?),
        ),
        (
            "table_privileges",
            Value::Array(o.each("table_privileges", |p| {
                Ok(doc([
                    ("grantee", p.required_str("grantee")?),
                    ("schema", p.required_str("schema")?),
                    ("table", p.required_str("table")?),
                    ("kind", p.string("kind")?),
                    ("privilege", p.required_str("privilege")?),
                    ("grantable", p.required_bool("grantable")?),
                    ("grantor", p.string("grantor")?),
                ]))
            })?),
        ),
    ]))
}

fn role(r: Obj<'_>) -> Res<Value> {
    Ok(doc([
        ("rolname", r.required_str("rolname")?),
        ("predefined", r.required_bool("predefined")?),
        ("rolsuper", r.required_bool("rolsuper")?),
        ("rolinherit", r.required_bool("rolinherit")?),
        ("rolcanlogin", r.required_bool("rolcanlogin")?),
        ("rolcreaterole", r.required_bool("rolcreaterole")?),
        ("rolcreatedb", r.required_bool("rolcreatedb")?),
        ("rolreplication", r.required_bool("rolreplication")?),
        ("rolbypassrls", r.required_bool("rolbypassrls")?),
        ("rolvaliduntil", valid_until(r)?),
        ("rolconnlimit", r.number("rolconnlimit")?),
    ]))
}

/// `rolvaliduntil`: a UTC time, `null` when unset, or PostgreSQL's
/// `infinity` / `-infinity` kept as written (their string order against
/// the fixed-width times is still time order: `-` < digits < `i`).
fn valid_until(r: Obj<'_>) -> Res<Value> {
    match r.get("rolvaliduntil") {
        Some(Value::String(s)) if s == "infinity" || s == "-infinity" => {
            Ok(Value::String(s.clone()))
        }
        Some(v) => time_value(v).map_err(|e| r.error("rolvaliduntil", e)),
        None => Ok(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_error};

    #[test]
    fn security() {
        check(
            "postgres/evident-collector_payments-failing.json",
            "postgres-security.evident-collector-payments-failing",
        );
    }

    #[test]
    fn errors() {
        check_error(
            br#"{"schema_version": 3, "server_version_num": 150020, "roles": [], "settings": {}}"#,
            "postgres-security",
            "`schema_version`: version 3 is not supported (only 1, written by evident's postgres collector)",
        );
        check_error(
            br#"{"schema_version": 1, "server_version_num": 150020, "roles": [{"rolname": "app", "predefined": false}], "settings": {}}"#,
            "postgres-security",
            "`roles[0].rolsuper`: missing",
        );
        check_error(
            br#"{"schema_version": 1, "server_version_num": 150020, "roles": [], "settings": {"ssl": true}}"#,
            "postgres-security",
            "`settings.ssl`: expected a string or null, found a boolean",
        );
        check_error(
            br#"{"schema_version": 1, "server_version_num": 150020, "settings": {}, "roles": [{"rolname": "app", "predefined": false, "rolsuper": false, "rolinherit": true, "rolcanlogin": true, "rolcreaterole": false, "rolcreatedb": false, "rolreplication": false, "rolbypassrls": false, "rolvaliduntil": "someday"}]}"#,
            "postgres-security",
            "`roles[0].rolvaliduntil`: expected an RFC 3339 timestamp with an offset, found \"someday\"",
        );
    }
}
