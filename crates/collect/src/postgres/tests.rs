//! The postgres collector against the real server.
//!
//! The server is `EVIDENT_TEST_DATABASE_URL`, or
//! `postgres://postgres@127.0.0.1:5432/test` when that is unset. A server
//! named by the variable must be reachable (the test fails otherwise); the
//! default one may be absent, and the test then says it was skipped.

use serde_json::{Value, json};

use super::*;
use crate::testing::{context_with_env, source};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The test server's URL and an admin connection, or `None` (with a note)
/// when the default server is not running.
fn server() -> Option<(String, Client)> {
    let (url, required) = match std::env::var("EVIDENT_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => (url, true),
        _ => (DEFAULT_URL.to_string(), false),
    };
    let mut config =
        Config::from_str(&url).expect("EVIDENT_TEST_DATABASE_URL is not a PostgreSQL URL");
    config.connect_timeout(Duration::from_secs(5));
    match config.connect(NoTls) {
        Ok(client) => Some((url, client)),
        Err(e) if required => {
            panic!("EVIDENT_TEST_DATABASE_URL is set but the server is unreachable: {e}")
        }
        Err(e) => {
            eprintln!(
                "note: skipping the PostgreSQL collector test: no server at {DEFAULT_URL} ({e})"
            );
            None
        }
    }
}

/// Objects made for one test, dropped however the test ends.
struct Fixture {
    admin: Client,
    names: Vec<String>,
    table: String,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP TABLE IF EXISTS {}", self.table));
        for name in self.names.iter().rev() {
            let _ = self
                .admin
                .batch_execute(&format!("DROP ROLE IF EXISTS {name}"));
        }
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

#[test]
fn roles_memberships_privileges_and_settings() {
    let Some((url, admin)) = server() else { return };
    let login = unique("evident_ct_app");
    let group = unique("evident_ct_readers");
    let table = unique("evident_ct_orders");
    let mut fx = Fixture {
        admin,
        names: vec![group.clone(), login.clone()],
        table: table.clone(),
    };
    fx.admin
        .batch_execute(&format!(
            "CREATE ROLE {group} NOLOGIN;
             CREATE ROLE {login} LOGIN CREATEDB CONNECTION LIMIT 5 VALID UNTIL '2030-01-01 00:00:00+00';
             GRANT {group} TO {login} WITH ADMIN OPTION;
             CREATE TABLE {table} (id int);
             GRANT SELECT, UPDATE ON {table} TO {group};
             GRANT INSERT ON {table} TO {login} WITH GRANT OPTION;"
        ))
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let cx = context_with_env(dir.path(), &[("EVIDENT_PG", url.as_str())]);
    let collected = collect(
        &source("app-db", "postgres", json!({"url_env": "EVIDENT_PG"})),
        &cx,
    )
    .unwrap();
    let a = &collected.artefacts[0];
    let Content::Bytes(bytes) = &a.content else {
        panic!()
    };
    let doc: Value = serde_json::from_slice(bytes).unwrap();

    let role = doc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rolname"] == login.as_str())
        .unwrap_or_else(|| panic!("{login} not in {}", doc["roles"]));
    assert_eq!(
        role,
        &json!({
            "rolname": login, "predefined": false, "rolsuper": false, "rolinherit": true,
            "rolcanlogin": true, "rolcreaterole": false, "rolcreatedb": true,
            "rolreplication": false, "rolbypassrls": false,
            "rolvaliduntil": "2030-01-01T00:00:00Z", "rolconnlimit": 5
        })
    );
    let superuser = doc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rolsuper"] == true);
    assert!(superuser.is_some(), "the bootstrap superuser is listed");
    assert!(
        doc["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["predefined"] == true),
        "predefined roles are listed and flagged"
    );

    let memberships: Vec<&Value> = doc["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["member"] == login.as_str())
        .collect();
    assert_eq!(memberships.len(), 1, "{memberships:?}");
    assert_eq!(memberships[0]["role"], group.as_str());
    assert_eq!(memberships[0]["admin_option"], true);

    let mut privileges: Vec<(String, String, bool)> = doc["table_privileges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["table"] == table.as_str() && p["grantee"] != doc["current_user"])
        .map(|p| {
            assert_eq!(p["schema"], "public");
            assert_eq!(p["kind"], "table");
            (
                p["grantee"].as_str().unwrap().to_string(),
                p["privilege"].as_str().unwrap().to_string(),
                p["grantable"].as_bool().unwrap(),
            )
        })
        .collect();
    privileges.sort();
    assert_eq!(
        privileges,
        [
            (login.clone(), "INSERT".to_string(), true),
            (group.clone(), "SELECT".to_string(), false),
            (group.clone(), "UPDATE".to_string(), false),
        ]
    );
    // The owner's implicit privileges are there too.
    assert!(
        doc["table_privileges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["table"] == table.as_str()
                && p["grantee"] == doc["current_user"]
                && p["privilege"] == "DELETE")
    );
    // No system catalog in the privileges.
    assert!(
        doc["table_privileges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["schema"] != "pg_catalog")
    );

    for setting in [
        "ssl",
        "log_connections",
        "log_disconnections",
        "password_encryption",
        "log_statement",
    ] {
        assert!(
            doc["settings"][setting].is_string(),
            "{setting}: {}",
            doc["settings"]
        );
    }
    let config = Config::from_str(&url).unwrap();
    assert_eq!(
        doc["current_database"],
        config.get_dbname().unwrap_or(config.get_user().unwrap())
    );
    assert_eq!(doc["schema_version"], 1);
    assert!(doc["server_version_num"].as_i64().unwrap() >= 90_000);

    assert!(
        a.tool_version
            .as_deref()
            .unwrap()
            .starts_with("PostgreSQL 1"),
        "{:?}",
        a.tool_version
    );
    assert_eq!(a.media_type, "application/json");
    assert_eq!(a.origin, origin(&config));
    if let Some(password) = config.get_password() {
        let password = String::from_utf8_lossy(password);
        assert!(!a.origin.contains(password.as_ref()));
        assert!(!collected.parameters.to_string().contains(password.as_ref()));
    }
    assert_eq!(collected.parameters, json!({"url_env": "EVIDENT_PG"}));

    // The same through `url` when it holds no password.
    if config.get_password().is_none() {
        let collected = collect(
            &source("app-db", "postgres", json!({"url": url, "timeout": 10})),
            &cx,
        )
        .unwrap();
        assert_eq!(collected.artefacts[0].origin, origin(&config));
    }
    drop(fx);
}

#[test]
fn errors() {
    let dir = tempfile::tempdir().unwrap();
    let cx = context_with_env(
        dir.path(),
        &[
            ("PG_SECRET", "postgres://app:hunter2@127.0.0.1:1/db"),
            ("PG_GARBAGE", "postgres://app:hunter2@[::1/db?sslmode=maybe"),
            (
                "PG_TLS",
                "postgres://app:hunter2@db.example/app?sslmode=require",
            ),
        ],
    );
    let check = |parameters: Value, expected: &str| {
        let err = collect(&source("db", "postgres", parameters.clone()), &cx)
            .err()
            .unwrap_or_else(|| panic!("{parameters} should fail"))
            .to_string();
        assert!(
            err.contains(expected),
            "{parameters}: `{err}` lacks `{expected}`"
        );
        assert!(!err.contains("hunter2"), "{err}");
    };
    check(json!({}), "missing parameter `url_env`");
    check(
        json!({"url_env": "PG_SECRET", "url": "postgres://x@h/d"}),
        "set one of `url_env` and `url`, not both",
    );
    check(
        json!({"url_env": "NOPE"}),
        "the environment variable `NOPE` is not set",
    );
    check(
        json!({"url": "postgres://app:hunter2@h/d"}),
        "`url` holds a password",
    );
    check(
        json!({"url_env": "PG_GARBAGE"}),
        "the URL in `PG_GARBAGE` (`url_env`) is not a PostgreSQL connection URL",
    );
    check(json!({"url_env": "PG_TLS"}), "cannot use TLS yet");
    check(
        json!({"url_env": "PG_SECRET", "timeout": 2}),
        "cannot connect to `postgresql://app@127.0.0.1:1/db`",
    );
    check(
        json!({"url_env": "PG_SECRET", "query": "SELECT 1"}),
        "unknown parameter `query` for the `postgres` collector",
    );
}

#[test]
fn origins_hold_no_password() {
    for (url, expected) in [
        (
            "postgres://app:pw@db.internal:6543/ledger",
            "postgresql://app@db.internal:6543/ledger",
        ),
        (
            "postgres://auditor@127.0.0.1/test",
            "postgresql://auditor@127.0.0.1:5432/test",
        ),
        (
            "host=db1,db2 port=5433 user=ro password=pw dbname=app",
            "postgresql://ro@db1:5433,db2:5433/app",
        ),
        (
            "postgres://app@[::1]:5432/x",
            "postgresql://app@[::1]:5432/x",
        ),
    ] {
        assert_eq!(origin(&Config::from_str(url).unwrap()), expected, "{url}");
    }
}
