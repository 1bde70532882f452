//! The test harness: one store per test on SQLite (a temporary folder) or
//! PostgreSQL (a fresh schema, dropped afterwards), and raw SQL access for
//! the tamper tests.
//!
//! PostgreSQL: `EVIDENT_TEST_DATABASE_URL` when set (the test fails if it
//! is unreachable); otherwise `postgres://postgres@127.0.0.1:5432/test`
//! when reachable, else the PostgreSQL half is skipped with a note.

#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use evident_model::evidence::{ObservedPeriod, Provenance, Timestamp};
use evident_store::{Backend, NewEvidence, Store, StoreConfig};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, Connection};
use tempfile::TempDir;

/// The server the PostgreSQL half uses when no URL is given.
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// One test's store location.
pub struct Harness {
    pub kind: Kind,
    pub dir: TempDir,
    pg: Option<(String, String)>,
}

/// The PostgreSQL URL to test against, or `None` to skip.
pub async fn pg_url() -> Option<String> {
    if let Ok(url) = std::env::var("EVIDENT_TEST_DATABASE_URL") {
        if let Err(e) = PgConnection::connect(&url).await {
            panic!("EVIDENT_TEST_DATABASE_URL={url} is set but unreachable: {e}");
        }
        return Some(url);
    }
    let reachable = tokio::time::timeout(
        Duration::from_secs(5),
        PgConnection::connect(DEFAULT_PG_URL),
    )
    .await;
    match reachable {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Some(DEFAULT_PG_URL.to_string())
        }
        _ => {
            eprintln!(
                "note: PostgreSQL is not reachable at {DEFAULT_PG_URL} and \
                 EVIDENT_TEST_DATABASE_URL is unset: skipping the PostgreSQL half"
            );
            None
        }
    }
}

/// A random lowercase hex name suffix.
pub fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Harness {
    /// A fresh location, or `None` when the backend is unavailable.
    pub async fn new(kind: Kind) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temporary folder");
        let pg = match kind {
            Kind::Sqlite => None,
            Kind::Postgres => {
                let url = pg_url().await?;
                let schema = format!("evident_test_{}", random_suffix());
                let mut conn = PgConnection::connect(&url).await.expect("connect");
                sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut conn)
                    .await
                    .expect("create schema");
                let _ = conn.close().await;
                Some((url, schema))
            }
        };
        Some(Self { kind, dir, pg })
    }

    /// The URL and schema of a PostgreSQL harness.
    pub fn pg(&self) -> Option<&(String, String)> {
        self.pg.as_ref()
    }

    /// The store's configuration (checkpoints every 1000 entries).
    pub fn config(&self) -> StoreConfig {
        config_at(self.kind, self.dir.path(), self.pg.as_ref())
    }

    /// Opens the store.
    pub async fn open(&self) -> Store {
        Store::open(self.config()).await.expect("open store")
    }

    /// Opens the store with a changed configuration.
    pub async fn open_with(&self, change: impl FnOnce(&mut StoreConfig)) -> Store {
        let mut config = self.config();
        change(&mut config);
        Store::open(config).await.expect("open store")
    }

    /// The blob folder.
    pub fn blob_dir(&self) -> PathBuf {
        match self.config().backend {
            Backend::Sqlite { dir } => dir.join("blobs"),
            Backend::Postgres { blob_dir, .. } => blob_dir,
        }
    }

    /// Runs SQL statements directly against the database, as someone with
    /// write access would: append-only triggers and foreign keys off.
    pub async fn tamper(&self, statements: &[String]) {
        match &self.pg {
            None => {
                let file = self.dir.path().join("store/store.db");
                let options = SqliteConnectOptions::new()
                    .filename(file)
                    .foreign_keys(false)
                    .busy_timeout(Duration::from_secs(30));
                let mut conn = SqliteConnection::connect_with(&options)
                    .await
                    .expect("open sqlite");
                for table in ["ledger", "evidence", "checkpoints"] {
                    for op in ["update", "delete"] {
                        let sql = format!("DROP TRIGGER IF EXISTS {table}_no_{op}");
                        sqlx::query(AssertSqlSafe(sql))
                            .execute(&mut conn)
                            .await
                            .expect("drop trigger");
                    }
                }
                for sql in statements {
                    sqlx::query(AssertSqlSafe(sql.clone()))
                        .execute(&mut conn)
                        .await
                        .unwrap_or_else(|e| panic!("{sql}: {e}"));
                }
                let _ = conn.close().await;
            }
            Some((url, schema)) => {
                let options = PgConnectOptions::from_str(url)
                    .expect("url")
                    .options([("search_path", schema.as_str())]);
                let mut conn = PgConnection::connect_with(&options).await.expect("connect");
                sqlx::query("SET session_replication_role = replica")
                    .execute(&mut conn)
                    .await
                    .expect("disable triggers");
                for sql in statements {
                    sqlx::query(AssertSqlSafe(sql.clone()))
                        .execute(&mut conn)
                        .await
                        .unwrap_or_else(|e| panic!("{sql}: {e}"));
                }
                let _ = conn.close().await;
            }
        }
    }

    /// A SQL literal for bytes in this backend's dialect.
    pub fn bytes_literal(&self, bytes: &[u8]) -> String {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        match self.kind {
            Kind::Sqlite => format!("X'{hex}'"),
            Kind::Postgres => format!("decode('{hex}', 'hex')"),
        }
    }

    /// Drops the PostgreSQL schema.
    pub async fn cleanup(pg: Option<(String, String)>) {
        if let Some((url, schema)) = pg
            && let Ok(mut conn) = PgConnection::connect(&url).await
        {
            let _ = sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await;
            let _ = conn.close().await;
        }
    }
}

/// The configuration of a store at `dir` (and a PostgreSQL schema).
pub fn config_at(kind: Kind, dir: &Path, pg: Option<&(String, String)>) -> StoreConfig {
    match (kind, pg) {
        (Kind::Postgres, Some((url, schema))) => StoreConfig {
            backend: Backend::Postgres {
                url: url.clone(),
                blob_dir: dir.join("blobs"),
                schema: Some(schema.clone()),
            },
            ..StoreConfig::postgres(url.clone(), dir.join("blobs"), dir.join("signing.key"))
        },
        _ => StoreConfig::sqlite(dir.join("store")),
    }
}

/// Runs one test on one backend, dropping its schema afterwards even if
/// the test fails.
pub async fn run<F, Fut>(kind: Kind, test: F)
where
    F: FnOnce(Harness) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(harness) = Harness::new(kind).await else {
        return;
    };
    let pg = harness.pg.clone();
    let outcome = tokio::spawn(test(harness)).await;
    Harness::cleanup(pg).await;
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test task failed: {e}");
    }
}

/// A fixed time for test records.
pub fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

/// Evidence metadata for `source` read from `origin`.
pub fn meta(source: &str, origin: &str) -> NewEvidence {
    let t = at("2026-03-01T10:00:00Z");
    NewEvidence {
        media_type: "application/json".into(),
        format: Some("test-format".into()),
        provenance: Provenance {
            source: source.into(),
            collector: "file".into(),
            collector_version: "0.1.0".into(),
            parameters: serde_json::json!({"path": origin, "z": 1, "a": [true, null]}),
            origin: origin.into(),
            tool_version: None,
            collected_by: "tester@host".into(),
        },
        observed: ObservedPeriod { from: t, to: t },
        collected_at: t,
    }
}
