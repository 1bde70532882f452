-- The evidence store's schema (SQLite). Keep it the same, table by table and
-- column by column, as migrations/postgres/0001_ledger.sql.
-- Hash and body encodings: crates/store/FORMAT.md.

-- The ledger: append-only, hash-chained entries. `idx` is the position,
-- from 0 and contiguous; `body` is RFC 8785 canonical JSON.
CREATE TABLE ledger (
    idx        INTEGER NOT NULL PRIMARY KEY CHECK (idx >= 0),
    kind       TEXT    NOT NULL,
    body       BLOB    NOT NULL,
    prev_hash  BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    entry_hash BLOB    NOT NULL CHECK (length(entry_hash) = 32)
);
CREATE INDEX ledger_kind ON ledger (kind, idx);

-- A query index over the `evidence` entries. The ledger body is
-- authoritative; `verify` checks that the two agree.
CREATE TABLE evidence (
    idx        INTEGER NOT NULL PRIMARY KEY REFERENCES ledger (idx),
    source     TEXT    NOT NULL,
    origin     TEXT    NOT NULL,
    digest     TEXT    NOT NULL,
    normalized TEXT
);
CREATE INDEX evidence_source ON evidence (source, origin, idx);
CREATE INDEX evidence_digest ON evidence (digest);

-- Signed checkpoints: the Merkle root of the first `size` entries.
CREATE TABLE checkpoints (
    size       INTEGER NOT NULL PRIMARY KEY CHECK (size >= 0),
    root       BLOB    NOT NULL CHECK (length(root) = 32),
    signed_at  TEXT    NOT NULL,
    public_key BLOB    NOT NULL CHECK (length(public_key) = 32),
    signature  BLOB    NOT NULL CHECK (length(signature) = 64)
);

-- Nothing is ever updated or deleted. (This guards against mistakes; the
-- hashes and signatures, not these triggers, are what detect tampering.)
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;
CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence rows are append-only'); END;
CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence rows are append-only'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints rows are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints rows are append-only'); END;
