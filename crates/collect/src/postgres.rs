//! The `postgres` collector: who can do what in a PostgreSQL database —
//! roles, memberships, table privileges and the security settings — as
//! evidence of access control and logging.
//!
//! | parameter | type | default | meaning |
//! |---|---|---|---|
//! | `url_env` | string | — | the name of an environment variable holding the connection URL (`postgres://user:password@host:5432/db`) or key-value string; its value is never recorded |
//! | `url` | string | — | the connection URL itself, without a password (use `url_env`, a `~/.pgpass` file is not read) |
//! | `timeout` | number (seconds) | `30` | connection deadline, and `statement_timeout` of each query |
//!
//! Exactly one of `url_env` and `url`. The collector connects without TLS
//! (`sslmode=disable` or `prefer`; `sslmode=require` is refused with a clear
//! error until TLS support lands), opens a read-only transaction and reads
//! the catalogs; it needs no privilege beyond `LOGIN` (settings hidden from
//! the user are recorded as `null`).
//!
//! The artefact (media type `application/json`, name `postgres <db>`) is
//! one JSON document:
//!
//! ```json
//! { "schema_version": 1,
//!   "server_version": "15.20 (Debian 15.20-0+deb12u1)", "server_version_num": 150020,
//!   "current_database": "app", "current_user": "auditor",
//!   "settings": { "ssl": "on", "log_connections": "off", "log_disconnections": "off",
//!                 "password_encryption": "scram-sha-256", "log_statement": "ddl", … },
//!   "roles": [ { "rolname": "app", "predefined": false, "rolsuper": false, "rolinherit": true,
//!                "rolcanlogin": true, "rolcreaterole": false, "rolcreatedb": false,
//!                "rolreplication": false, "rolbypassrls": false,
//!                "rolvaliduntil": "2030-01-01T00:00:00Z", "rolconnlimit": -1 } ],
//!   "memberships": [ { "role": "readers", "member": "app", "admin_option": false, "grantor": "postgres" } ],
//!   "table_privileges": [ { "grantee": "app", "schema": "public", "table": "orders", "kind": "table",
//!                           "privilege": "SELECT", "grantable": false, "grantor": "postgres" } ] }
//! ```
//!
//! Roles include PostgreSQL's predefined `pg_*` roles, flagged
//! `predefined`. Table privileges cover tables, views, materialized views,
//! foreign and partitioned tables in every schema but `pg_catalog`,
//! `information_schema` and the temporary and TOAST ones, read from the
//! access lists themselves (owners' implicit privileges included; grantee
//! `PUBLIC` for grants to everyone), so they do not depend on what the
//! collecting user may see in `information_schema`. `rolvaliduntil` is UTC
//! (`infinity` when so set, `null` when unset). The origin is
//! `postgresql://user@host:port/db` (never the password); the observed
//! period is the collection time; the tool version is the server's
//! (`PostgreSQL 15.20`).

use std::str::FromStr;
use std::time::Duration;

use ::postgres::config::{Host, SslMode};
use ::postgres::{Client, Config, NoTls};
use evident_model::evidence::ObservedPeriod;
use evident_model::source::Source;
use serde::Serialize;

use crate::params::{self, Params};
use crate::{Artefact, CollectError, Collected, Content, Context};

pub(crate) const PARAMETERS: &[&str] = &["url_env", "url", "timeout"];

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The settings recorded: those that access-control and logging controls
/// are judged by.
const SETTINGS: &[&str] = &[
    "log_connections",
    "log_disconnections",
    "log_statement",
    "password_encryption",
    "shared_preload_libraries",
    "ssl",
    "ssl_min_protocol_version",
];

#[derive(Serialize)]
struct Inventory {
    schema_version: u32,
    server_version: String,
    server_version_num: i32,
    current_database: String,
    current_user: String,
    settings: serde_json::Map<String, serde_json::Value>,
    roles: Vec<Role>,
    memberships: Vec<Membership>,
    table_privileges: Vec<TablePrivilege>,
}

#[derive(Serialize)]
struct Role {
    rolname: String,
    predefined: bool,
    rolsuper: bool,
    rolinherit: bool,
    rolcanlogin: bool,
    rolcreaterole: bool,
    rolcreatedb: bool,
    rolreplication: bool,
    rolbypassrls: bool,
    rolvaliduntil: Option<String>,
    rolconnlimit: i32,
}

#[derive(Serialize)]
struct Membership {
    role: String,
    member: String,
    admin_option: bool,
    grantor: Option<String>,
}

#[derive(Serialize)]
struct TablePrivilege {
    grantee: String,
    schema: String,
    table: String,
    kind: String,
    privilege: String,
    grantable: bool,
    grantor: Option<String>,
}

const ROLES: &str = r#"
SELECT rolname::text, rolname::text LIKE 'pg\_%', rolsuper, rolinherit, rolcanlogin,
       rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
       CASE WHEN rolvaliduntil IS NULL THEN NULL
            WHEN isfinite(rolvaliduntil)
              THEN to_char(rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            ELSE rolvaliduntil::text END,
       rolconnlimit
  FROM pg_catalog.pg_roles
 ORDER BY rolname"#;

const MEMBERSHIPS: &str = r#"
SELECT r.rolname::text, m.rolname::text, am.admin_option, g.rolname::text
  FROM pg_catalog.pg_auth_members am
  JOIN pg_catalog.pg_roles r ON r.oid = am.roleid
  JOIN pg_catalog.pg_roles m ON m.oid = am.member
  LEFT JOIN pg_catalog.pg_roles g ON g.oid = am.grantor
 ORDER BY 1, 2, 4"#;

const TABLE_PRIVILEGES: &str = r#"
SELECT coalesce(g.rolname::text, 'PUBLIC'), n.nspname::text, c.relname::text,
       CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
                      ELSE 'partitioned table' END,
       a.privilege_type::text, a.is_grantable, gr.rolname::text
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
  LEFT JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
  LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = a.grantor
 WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%'
   AND n.nspname NOT LIKE 'pg\_temp\_%'
 ORDER BY 2, 3, 1, 5, 7"#;

pub(crate) fn collect(source: &Source, cx: &Context) -> Result<Collected, CollectError> {
    let p = Params::new("postgres", &source.parameters, PARAMETERS)?;
    let from_env = p.opt_env_secret("url_env", &*cx.env)?;
    let written = p.opt_nonempty("url")?;
    let (text, secret) = match (from_env, written) {
        (Some(_), Some(_)) => {
            return Err(CollectError::Parameters(
                "set one of `url_env` and `url`, not both".to_string(),
            ));
        }
        (None, None) => {
            return Err(CollectError::Parameters(
                "missing parameter `url_env` (the environment variable holding the connection URL) or `url`"
                    .to_string(),
            ));
        }
        (Some((var, value)), None) => (value, Some(var)),
        (None, Some(url)) => (url.to_string(), None),
    };
    let what = match secret {
        Some(var) => format!("the URL in `{var}` (`url_env`)"),
        None => "`url`".to_string(),
    };
    // The parser's messages may quote the text: never show them for a URL
    // that holds a secret.
    let mut config = Config::from_str(&text).map_err(|e| {
        CollectError::Parameters(match secret {
            Some(_) => format!("{what} is not a PostgreSQL connection URL"),
            None => format!("{what} is not a PostgreSQL connection URL: {e}"),
        })
    })?;
    if secret.is_none() && config.get_password().is_some() {
        return Err(CollectError::Parameters(
            "`url` holds a password, which would be recorded; put the URL in an environment variable named by `url_env`"
                .to_string(),
        ));
    }
    if config.get_ssl_mode() == SslMode::Require {
        return Err(CollectError::Parameters(format!(
            "{what} asks for `sslmode=require`, and the postgres collector cannot use TLS yet; \
             use `sslmode=prefer` or `disable` over a trusted network or tunnel"
        )));
    }
    let timeout = p.opt_seconds("timeout", 3_600)?.unwrap_or(DEFAULT_TIMEOUT);
    config.connect_timeout(timeout);
    config.application_name("evident");
    let origin = origin(&config);

    let mut client = config.connect(NoTls).map_err(|e| {
        CollectError::Failed(format!("cannot connect to `{origin}`: {}", describe(&e)))
    })?;
    let inventory = read(&mut client, timeout).map_err(|e| {
        CollectError::Failed(format!("reading `{origin}` failed: {}", describe(&e)))
    })?;
    let _ = client.close();
    let tool_version = format!(
        "PostgreSQL {}",
        inventory
            .server_version
            .split_whitespace()
            .next()
            .unwrap_or("")
    );
    let name = format!("postgres {}", inventory.current_database);
    let body = serde_json::to_vec(&inventory)
        .map_err(|e| CollectError::Failed(format!("cannot write the inventory: {e}")))?;
    Ok(Collected {
        artefacts: vec![Artefact {
            name,
            content: Content::Bytes(body),
            media_type: "application/json".to_string(),
            origin,
            tool_version: Some(tool_version),
            observed: ObservedPeriod {
                from: cx.now,
                to: cx.now,
            },
        }],
        parameters: params::redact(&source.parameters),
    })
}

/// Reads the inventory in one read-only transaction (one snapshot).
fn read(client: &mut Client, timeout: Duration) -> Result<Inventory, ::postgres::Error> {
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .isolation_level(::postgres::IsolationLevel::RepeatableRead)
        .start()?;
    tx.batch_execute(&format!(
        "SET LOCAL statement_timeout = {}",
        timeout.as_millis().max(1)
    ))?;
    let head = tx.query_one(
        "SELECT current_setting('server_version'), current_setting('server_version_num')::int4, \
                current_database()::text, current_user::text",
        &[],
    )?;
    let names: Vec<&str> = SETTINGS.to_vec();
    let mut settings = serde_json::Map::new();
    for name in SETTINGS {
        settings.insert(name.to_string(), serde_json::Value::Null);
    }
    for row in tx.query(
        "SELECT name::text, setting FROM pg_catalog.pg_settings WHERE name = ANY($1) ORDER BY name",
        &[&names],
    )? {
        let value: Option<String> = row.get(1);
        settings.insert(
            row.get(0),
            value.map_or(serde_json::Value::Null, serde_json::Value::String),
        );
    }
    let roles = tx
        .query(ROLES, &[])?
        .iter()
        .map(|r| Role {
            rolname: r.get(0),
            predefined: r.get(1),
            rolsuper: r.get(2),
            rolinherit: r.get(3),
            rolcanlogin: r.get(4),
            rolcreaterole: r.get(5),
            rolcreatedb: r.get(6),
            rolreplication: r.get(7),
            rolbypassrls: r.get(8),
            rolvaliduntil: r.get(9),
            rolconnlimit: r.get(10),
        })
        .collect();
    let memberships = tx
        .query(MEMBERSHIPS, &[])?
        .iter()
        .map(|r| Membership {
            role: r.get(0),
            member: r.get(1),
            admin_option: r.get(2),
            grantor: r.get(3),
        })
        .collect();
    let table_privileges = tx
        .query(TABLE_PRIVILEGES, &[])?
        .iter()
        .map(|r| TablePrivilege {
            grantee: r.get(0),
            schema: r.get(1),
            table: r.get(2),
            kind: r.get(3),
            privilege: r.get(4),
            grantable: r.get(5),
            grantor: r.get(6),
        })
        .collect();
    tx.commit()?;
    Ok(Inventory {
        schema_version: 1,
        server_version: head.get(0),
        server_version_num: head.get(1),
        current_database: head.get(2),
        current_user: head.get(3),
        settings,
        roles,
        memberships,
        table_privileges,
    })
}

/// `postgresql://user@host:port/db`: the target without any secret.
fn origin(config: &Config) -> String {
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let host = match host {
                Host::Tcp(name) if name.contains(':') => format!("[{name}]"),
                Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                Host::Unix(path) => path.display().to_string(),
            };
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect();
    let db = config.get_dbname().or(config.get_user()).unwrap_or("");
    format!("postgresql://{user}{}/{db}", hosts.join(","))
}

/// A PostgreSQL error with its server message when there is one.
fn describe(error: &::postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{}: {} ({})", db.severity(), db.message(), db.code().code());
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests;
