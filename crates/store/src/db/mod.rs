//! The two database backends behind one set of queries. Every query is
//! written once, in SQL that both SQLite and PostgreSQL accept (`$n`
//! parameters, `BIGINT`/`INTEGER`, `BYTEA`/`BLOB`), and instantiated for
//! each pool type by the `on_pool!` macro.
//!
//! Appends are serialised across processes: SQLite takes the write lock at
//! `BEGIN IMMEDIATE` (waiting up to the busy timeout), PostgreSQL takes
//! `LOCK TABLE ledger IN EXCLUSIVE MODE` (readers are not blocked). A batch
//! of entries is one transaction: a few multi-row statements, whatever its
//! size.

mod migrations;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::future::Future;
use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::AssertSqlSafe;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::config::{self, Backend};
use crate::entry::{self, GENESIS_PREV};
use crate::error::{Result, StoreError};
use crate::merkle::Hash;

/// How long a writer waits for another process's write transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Connections per pool.
const MAX_CONNECTIONS: u32 = 4;

/// A connected database.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    /// Embedded SQLite.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// Runs the same code on either pool type.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

/// A ledger row as stored (lengths unchecked: it may have been tampered with).
#[derive(Clone, Debug)]
pub(crate) struct EntryRow {
    pub idx: i64,
    pub kind: String,
    pub body: Vec<u8>,
    pub prev_hash: Vec<u8>,
    pub entry_hash: Vec<u8>,
}

/// An evidence index row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EvidenceRow {
    pub source: String,
    pub origin: String,
    pub digest: String,
    pub normalized: Option<String>,
}

/// A ledger row with its evidence index row, if any (for `verify`).
#[derive(Clone, Debug)]
pub(crate) struct JoinedRow {
    pub entry: EntryRow,
    pub source: Option<String>,
    pub origin: Option<String>,
    pub digest: Option<String>,
    pub normalized: Option<String>,
}

/// A checkpoint row as stored.
#[derive(Clone, Debug)]
pub(crate) struct CheckpointRow {
    pub size: i64,
    pub root: Vec<u8>,
    pub signed_at: String,
    pub public_key: Vec<u8>,
    pub signature: Vec<u8>,
}

/// The columns of a ledger row, as queried.
type EntryTuple = (i64, String, Vec<u8>, Vec<u8>, Vec<u8>);

/// A ledger row's columns and its evidence index row's, as queried.
type JoinedTuple = (
    i64,
    String,
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The columns of a checkpoint row, as queried.
type CheckpointTuple = (i64, Vec<u8>, String, Vec<u8>, Vec<u8>);

impl From<EntryTuple> for EntryRow {
    fn from((idx, kind, body, prev_hash, entry_hash): EntryTuple) -> Self {
        Self {
            idx,
            kind,
            body,
            prev_hash,
            entry_hash,
        }
    }
}

impl From<JoinedTuple> for JoinedRow {
    fn from(t: JoinedTuple) -> Self {
        let (idx, kind, body, prev_hash, entry_hash, source, origin, digest, normalized) = t;
        Self {
            entry: EntryRow {
                idx,
                kind,
                body,
                prev_hash,
                entry_hash,
            },
            source,
            origin,
            digest,
            normalized,
        }
    }
}

impl From<CheckpointTuple> for CheckpointRow {
    fn from((size, root, signed_at, public_key, signature): CheckpointTuple) -> Self {
        Self {
            size,
            root,
            signed_at,
            public_key,
            signature,
        }
    }
}

/// Converts fetched tuples into rows.
fn rows<T, R: From<T>>(tuples: Vec<T>) -> Vec<R> {
    tuples.into_iter().map(R::from).collect()
}

/// An entry to append.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NewEntry<'a> {
    pub kind: &'a str,
    /// Canonical JSON.
    pub body: &'a [u8],
    /// The evidence index row, for an evidence item.
    pub evidence: Option<&'a EvidenceRow>,
}

/// The result of an append.
#[derive(Clone, Debug)]
pub(crate) struct Appended {
    pub index: u64,
    /// For evidence: the digest of the latest earlier item with the same
    /// source and origin (earlier in the ledger or in the same batch).
    pub previous_digest: Option<String>,
}

/// The most rows one INSERT writes, and (source, origin) pairs one lookup
/// reads. Statements are built for runs of powers of two up to this, so
/// each has at most seven shapes, prepared once per connection.
const ROWS_PER_STATEMENT: usize = 64;

/// Splits `0..n` into runs whose lengths are powers of two, largest first,
/// none longer than [`ROWS_PER_STATEMENT`].
fn runs(n: usize) -> impl Iterator<Item = Range<usize>> {
    let mut start = 0;
    std::iter::from_fn(move || {
        let left = n - start;
        if left == 0 {
            return None;
        }
        let len = (1usize << left.ilog2()).min(ROWS_PER_STATEMENT);
        start += len;
        Some(start - len..start)
    })
}

/// How a statement names its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Params {
    /// `$1, $2, …` (PostgreSQL).
    Numbered,
    /// `?, ?, …` (SQLite: sqlx finds a numbered parameter by name, a scan
    /// per parameter, which adds up for statements of hundreds).
    Anonymous,
}

/// `prefix` followed by `rows` parenthesised lists of `cols` parameters.
fn values_sql(prefix: &str, rows: usize, cols: usize, params: Params) -> String {
    let mut sql = String::with_capacity(prefix.len() + rows * cols * 6);
    sql.push_str(prefix);
    for row in 0..rows {
        sql.push_str(if row == 0 { " (" } else { ", (" });
        for col in 0..cols {
            if col > 0 {
                sql.push_str(", ");
            }
            match params {
                Params::Numbered => {
                    let _ = write!(sql, "${}", row * cols + col + 1);
                }
                Params::Anonymous => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// The latest evidence digest of each of `rows` (source, origin) pairs:
/// one index lookup per pair (`evidence_source`).
fn latest_digests_sql(rows: usize, params: Params) -> String {
    format!(
        "SELECT v.column1, v.column2, \
         (SELECT e.digest FROM evidence e WHERE e.source = v.column1 AND e.origin = v.column2 \
          ORDER BY e.idx DESC LIMIT 1) \
         FROM ({}) AS v",
        values_sql("VALUES", rows, 2, params)
    )
}

const INSERT_LEDGER: &str = "INSERT INTO ledger (idx, kind, body, prev_hash, entry_hash) VALUES";
const INSERT_EVIDENCE: &str =
    "INSERT INTO evidence (idx, source, origin, digest, normalized) VALUES";

/// The body of a batch append, once the write lock is held; `$tx` is a
/// transaction of either backend. Reads the head and the previous digests,
/// chains the entries, inserts them and their index rows, waits for
/// `$ready`, and commits.
macro_rules! append_in {
    ($tx:ident, $entries:expr, $ready:expr, $params:expr) => {{
        let entries: &[NewEntry<'_>] = $entries;
        let head: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT idx, entry_hash FROM ledger ORDER BY idx DESC LIMIT 1")
                .fetch_optional(&mut *$tx)
                .await
                .map_err(StoreError::db("reading the ledger head"))?;
        let (first, mut prev) = head_to_next(head)?;

        // The latest digest of each (source, origin) in the batch, before it.
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let mut seen = HashSet::new();
        for e in entries.iter().filter_map(|e| e.evidence) {
            let pair = (e.source.as_str(), e.origin.as_str());
            if seen.insert(pair) {
                pairs.push(pair);
            }
        }
        let mut latest: HashMap<(String, String), String> = HashMap::new();
        for run in runs(pairs.len()) {
            let sql = latest_digests_sql(run.len(), $params);
            let mut query =
                sqlx::query_as::<_, (String, String, Option<String>)>(AssertSqlSafe(sql));
            for &(source, origin) in &pairs[run] {
                query = query.bind(source).bind(origin);
            }
            let found = query
                .fetch_all(&mut *$tx)
                .await
                .map_err(StoreError::db("reading the previous evidence items"))?;
            for (source, origin, digest) in found {
                if let Some(digest) = digest {
                    latest.insert((source, origin), digest);
                }
            }
        }

        // Chain the entries; each item's previous digest is the latest one
        // before it, in the ledger or earlier in the batch.
        let mut appended = Vec::with_capacity(entries.len());
        let mut chained = Vec::with_capacity(entries.len());
        for (offset, e) in entries.iter().enumerate() {
            let index = first + offset as u64;
            let idx = i64::try_from(index).map_err(|_| StoreError::Corrupt {
                index,
                reason: "the ledger is full".into(),
            })?;
            let hash = entry::entry_hash(index, e.kind, e.body, &prev);
            chained.push((idx, prev, hash));
            prev = hash;
            let previous_digest = e.evidence.and_then(|row| {
                latest.insert((row.source.clone(), row.origin.clone()), row.digest.clone())
            });
            appended.push(Appended {
                index,
                previous_digest,
            });
        }

        for run in runs(entries.len()) {
            let sql = values_sql(INSERT_LEDGER, run.len(), 5, $params);
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for k in run {
                let (idx, prev, hash) = &chained[k];
                query = query
                    .bind(*idx)
                    .bind(entries[k].kind)
                    .bind(entries[k].body)
                    .bind(&prev[..])
                    .bind(&hash[..]);
            }
            query
                .execute(&mut *$tx)
                .await
                .map_err(StoreError::db("appending ledger entries"))?;
        }
        let indexed: Vec<(i64, &EvidenceRow)> = entries
            .iter()
            .zip(&chained)
            .filter_map(|(e, (idx, _, _))| e.evidence.map(|row| (*idx, row)))
            .collect();
        for run in runs(indexed.len()) {
            let sql = values_sql(INSERT_EVIDENCE, run.len(), 5, $params);
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for &(idx, row) in &indexed[run] {
                query = query
                    .bind(idx)
                    .bind(&row.source)
                    .bind(&row.origin)
                    .bind(&row.digest)
                    .bind(&row.normalized);
            }
            query
                .execute(&mut *$tx)
                .await
                .map_err(StoreError::db("indexing evidence items"))?;
        }
        // Dropping the transaction on error rolls it back.
        $ready.await?;
        $tx.commit()
            .await
            .map_err(StoreError::db("committing ledger entries"))?;
        Ok(appended)
    }};
}

impl Db {
    /// Connects to the backend, runs the migrations, and returns the
    /// database and the blob folder.
    pub async fn open(backend: &Backend) -> Result<(Self, PathBuf)> {
        match backend {
            Backend::Sqlite { dir } => {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
                let file = dir.join(config::SQLITE_FILE);
                let target = file.display().to_string();
                let options = SqliteConnectOptions::new()
                    .filename(&file)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(BUSY_TIMEOUT)
                    .foreign_keys(true);
                // SQLite has no migration lock of its own: processes meeting a
                // fresh store at once would both create the tables, and the
                // switch of a new database to WAL takes a lock that the busy
                // timeout does not wait for. Hold a file lock over both.
                let lock = lock_file(dir.join(config::LOCK_FILE)).await?;
                let pool = SqlitePoolOptions::new()
                    .max_connections(MAX_CONNECTIONS)
                    .connect_with(options)
                    .await
                    .map_err(|source| StoreError::Open {
                        target: target.clone(),
                        source,
                    })?;
                let migrated = migrations::migrator(migrations::SQLITE).run(&pool).await;
                drop(lock);
                migrated.map_err(|source| StoreError::Migrate { target, source })?;
                Ok((Db::Sqlite(pool), dir.join(config::BLOB_DIR)))
            }
            Backend::Postgres {
                url,
                blob_dir,
                schema,
            } => {
                let mut options =
                    PgConnectOptions::from_str(url).map_err(|source| StoreError::Open {
                        target: "(the PostgreSQL URL)".into(),
                        source,
                    })?;
                let target = describe(&options);
                if let Some(schema) = schema {
                    if !config::is_plain_identifier(schema) {
                        return Err(StoreError::Config(format!(
                            "schema `{schema}` must be 1 to 63 of a-z, 0-9 and _, not starting with a digit"
                        )));
                    }
                    options = options.options([("search_path", schema.as_str())]);
                }
                let pool = PgPoolOptions::new()
                    .max_connections(MAX_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_with(options)
                    .await
                    .map_err(|source| StoreError::Open {
                        target: target.clone(),
                        source,
                    })?;
                if let Some(schema) = schema {
                    // Validated above as a plain identifier.
                    let sql = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
                    sqlx::query(AssertSqlSafe(sql))
                        .execute(&pool)
                        .await
                        .map_err(StoreError::db("creating the schema"))?;
                }
                migrations::migrator(migrations::POSTGRES)
                    .run(&pool)
                    .await
                    .map_err(|source| StoreError::Migrate { target, source })?;
                Ok((Db::Postgres(pool), blob_dir.clone()))
            }
        }
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Appends `entries` (and their evidence index rows) in order, in one
    /// transaction holding the database's write lock: all of them or none.
    /// The transaction commits only once `ready` has succeeded (the blobs
    /// the entries refer to are durable); the rows are written meanwhile.
    pub async fn append(
        &self,
        entries: &[NewEntry<'_>],
        ready: impl Future<Output = Result<()>>,
    ) -> Result<Vec<Appended>> {
        const LOCK: &str = "taking the ledger's write lock";
        if entries.is_empty() {
            return ready.await.map(|()| Vec::new());
        }
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(StoreError::db(LOCK))?;
                append_in!(tx, entries, ready, Params::Anonymous)
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(StoreError::db(LOCK))?;
                sqlx::query("LOCK TABLE ledger IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::db(LOCK))?;
                append_in!(tx, entries, ready, Params::Numbered)
            }
        }
    }

    /// The number of entries: one past the highest index.
    pub async fn size(&self) -> Result<u64> {
        let size: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger")
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::db("reading the ledger size"))?;
        Ok(u64::try_from(size).unwrap_or(0))
    }

    /// Up to `limit` entries with index `>= from`, in order.
    pub async fn entries(&self, from: i64, limit: i64) -> Result<Vec<EntryRow>> {
        const SQL: &str = "SELECT idx, kind, body, prev_hash, entry_hash FROM ledger \
                           WHERE idx >= $1 ORDER BY idx LIMIT $2";
        on_pool!(self, pool => {
            sqlx::query_as::<_, EntryTuple>(SQL).bind(from).bind(limit).fetch_all(pool).await
        })
        .map(rows)
        .map_err(StoreError::db("reading ledger entries"))
    }

    /// Up to `limit` (index, entry hash) pairs with index in `from..to`.
    pub async fn entry_hashes(
        &self,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<(i64, Vec<u8>)>> {
        const SQL: &str = "SELECT idx, entry_hash FROM ledger \
                           WHERE idx >= $1 AND idx < $2 ORDER BY idx LIMIT $3";
        on_pool!(self, pool => {
            sqlx::query_as::<_, (i64, Vec<u8>)>(SQL)
                .bind(from)
                .bind(to)
                .bind(limit)
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::db("reading entry hashes"))
    }

    /// Up to `limit` entries with index `>= from`, each with its evidence
    /// index row.
    pub async fn joined(&self, from: i64, limit: i64) -> Result<Vec<JoinedRow>> {
        const SQL: &str = "SELECT l.idx, l.kind, l.body, l.prev_hash, l.entry_hash, \
                           e.source, e.origin, e.digest, e.normalized \
                           FROM ledger l LEFT JOIN evidence e ON e.idx = l.idx \
                           WHERE l.idx >= $1 ORDER BY l.idx LIMIT $2";
        on_pool!(self, pool => {
            sqlx::query_as::<_, JoinedTuple>(SQL).bind(from).bind(limit).fetch_all(pool).await
        })
        .map(rows)
        .map_err(StoreError::db("reading ledger entries"))
    }

    /// Evidence index rows whose ledger entry is missing or not evidence.
    pub async fn stray_evidence_rows(&self) -> Result<Vec<i64>> {
        const SQL: &str = "SELECT e.idx FROM evidence e LEFT JOIN ledger l ON l.idx = e.idx \
                           WHERE l.idx IS NULL OR l.kind <> 'evidence' ORDER BY e.idx";
        on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_all(pool).await)
            .map_err(StoreError::db("reading the evidence index"))
    }

    /// The entry at `index`.
    pub async fn entry(&self, index: i64) -> Result<Option<EntryRow>> {
        const SQL: &str =
            "SELECT idx, kind, body, prev_hash, entry_hash FROM ledger WHERE idx = $1";
        on_pool!(self, pool => {
            sqlx::query_as::<_, EntryTuple>(SQL).bind(index).fetch_optional(pool).await
        })
        .map(|r| r.map(EntryRow::from))
        .map_err(StoreError::db("reading a ledger entry"))
    }

    /// The entries of `kind`, in order.
    pub async fn entries_of_kind(&self, kind: &str) -> Result<Vec<EntryRow>> {
        const SQL: &str = "SELECT idx, kind, body, prev_hash, entry_hash FROM ledger \
                           WHERE kind = $1 ORDER BY idx";
        on_pool!(self, pool => {
            sqlx::query_as::<_, EntryTuple>(SQL).bind(kind).fetch_all(pool).await
        })
        .map(rows)
        .map_err(StoreError::db("reading ledger entries"))
    }

    /// The evidence entries, of one source or all, in order.
    pub async fn evidence_entries(&self, source: Option<&str>) -> Result<Vec<EntryRow>> {
        const ALL: &str = "SELECT l.idx, l.kind, l.body, l.prev_hash, l.entry_hash \
                           FROM evidence e JOIN ledger l ON l.idx = e.idx ORDER BY l.idx";
        const ONE: &str = "SELECT l.idx, l.kind, l.body, l.prev_hash, l.entry_hash \
                           FROM evidence e JOIN ledger l ON l.idx = e.idx \
                           WHERE e.source = $1 ORDER BY l.idx";
        on_pool!(self, pool => match source {
            None => sqlx::query_as::<_, EntryTuple>(ALL).fetch_all(pool).await,
            Some(s) => sqlx::query_as::<_, EntryTuple>(ONE).bind(s).fetch_all(pool).await,
        })
        .map(rows)
        .map_err(StoreError::db("reading evidence"))
    }

    /// All checkpoints, by size.
    pub async fn checkpoints(&self) -> Result<Vec<CheckpointRow>> {
        const SQL: &str = "SELECT size, root, signed_at, public_key, signature \
                           FROM checkpoints ORDER BY size";
        on_pool!(self, pool => sqlx::query_as::<_, CheckpointTuple>(SQL).fetch_all(pool).await)
            .map(rows)
            .map_err(StoreError::db("reading checkpoints"))
    }

    /// The checkpoint of the largest size.
    pub async fn latest_checkpoint(&self) -> Result<Option<CheckpointRow>> {
        const SQL: &str = "SELECT size, root, signed_at, public_key, signature \
                           FROM checkpoints ORDER BY size DESC LIMIT 1";
        on_pool!(self, pool => sqlx::query_as::<_, CheckpointTuple>(SQL).fetch_optional(pool).await)
            .map(|r| r.map(CheckpointRow::from))
            .map_err(StoreError::db("reading checkpoints"))
    }

    /// The checkpoint of `size`, if any.
    pub async fn checkpoint_of_size(&self, size: i64) -> Result<Option<CheckpointRow>> {
        const SQL: &str = "SELECT size, root, signed_at, public_key, signature \
                           FROM checkpoints WHERE size = $1";
        on_pool!(self, pool => {
            sqlx::query_as::<_, CheckpointTuple>(SQL).bind(size).fetch_optional(pool).await
        })
        .map(|r| r.map(CheckpointRow::from))
        .map_err(StoreError::db("reading checkpoints"))
    }

    /// Records a checkpoint unless one of the same size exists; whether it
    /// was recorded.
    pub async fn insert_checkpoint(&self, row: &CheckpointRow) -> Result<bool> {
        const SQL: &str = "INSERT INTO checkpoints (size, root, signed_at, public_key, signature) \
                           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (size) DO NOTHING";
        let done = on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(row.size)
                .bind(&row.root)
                .bind(&row.signed_at)
                .bind(&row.public_key)
                .bind(&row.signature)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(StoreError::db("recording a checkpoint"))?;
        Ok(done == 1)
    }
}

/// Takes an exclusive lock on the file at `path` (created if missing),
/// waiting for other processes; released when the file is dropped.
async fn lock_file(path: PathBuf) -> Result<std::fs::File> {
    tokio::task::spawn_blocking(move || {
        let file = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        file.lock().map_err(|e| StoreError::io(&path, e))?;
        Ok(file)
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
}

/// The index and `prev_hash` of the entry after `head`.
fn head_to_next(head: Option<(i64, Vec<u8>)>) -> Result<(u64, Hash)> {
    let Some((idx, hash)) = head else {
        return Ok((0, GENESIS_PREV));
    };
    let index = u64::try_from(idx).map_err(|_| StoreError::Corrupt {
        index: 0,
        reason: format!("negative index {idx}"),
    })?;
    let prev: Hash = hash
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Corrupt {
            index,
            reason: format!("its entry hash has {} bytes, not 32", hash.len()),
        })?;
    Ok((index + 1, prev))
}

/// The server, port and database of a PostgreSQL connection, without
/// credentials (for messages).
fn describe(options: &PgConnectOptions) -> String {
    format!(
        "postgres://{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_powers_of_two_covering_everything() {
        for n in [0, 1, 2, 3, 7, 64, 65, 100, 512, 513, 1000] {
            let runs: Vec<Range<usize>> = runs(n).collect();
            let mut next = 0;
            for run in &runs {
                assert_eq!(run.start, next);
                assert!(run.len().is_power_of_two() && run.len() <= ROWS_PER_STATEMENT);
                next = run.end;
            }
            assert_eq!(next, n);
        }
        assert_eq!(runs(100).map(|r| r.len()).collect::<Vec<_>>(), [64, 32, 4]);
    }

    #[test]
    fn value_lists() {
        assert_eq!(
            values_sql("VALUES", 2, 2, Params::Numbered),
            "VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(values_sql("X", 1, 3, Params::Numbered), "X ($1, $2, $3)");
        assert_eq!(values_sql("X", 2, 2, Params::Anonymous), "X (?, ?), (?, ?)");
    }
}
