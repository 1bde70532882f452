-- The evidence store's schema (PostgreSQL). Keep it the same, table by
-- table and column by column, as migrations/sqlite/0001_ledger.sql.
-- Hash and body encodings: crates/store/FORMAT.md.

-- The ledger: append-only, hash-chained entries. `idx` is the position,
-- from 0 and contiguous; `body` is RFC 8785 canonical JSON.
CREATE TABLE ledger (
    idx        BIGINT NOT NULL PRIMARY KEY CHECK (idx >= 0),
    kind       TEXT   NOT NULL,
    body       BYTEA  NOT NULL,
    prev_hash  BYTEA  NOT NULL CHECK (octet_length(prev_hash) = 32),
    entry_hash BYTEA  NOT NULL CHECK (octet_length(entry_hash) = 32)
);
CREATE INDEX ledger_kind ON ledger (kind, idx);

-- A query index over the `evidence` entries. The ledger body is
-- authoritative; `verify` checks that the two agree.
CREATE TABLE evidence (
    idx        BIGINT NOT NULL PRIMARY KEY REFERENCES ledger (idx),
    source     TEXT   NOT NULL,
    origin     TEXT   NOT NULL,
    digest     TEXT   NOT NULL,
    normalized TEXT
);
CREATE INDEX evidence_source ON evidence (source, origin, idx);
CREATE INDEX evidence_digest ON evidence (digest);

-- Signed checkpoints: the Merkle root of the first `size` entries.
CREATE TABLE checkpoints (
    size       BIGINT NOT NULL PRIMARY KEY CHECK (size >= 0),
    root       BYTEA  NOT NULL CHECK (octet_length(root) = 32),
    signed_at  TEXT   NOT NULL,
    public_key BYTEA  NOT NULL CHECK (octet_length(public_key) = 32),
    signature  BYTEA  NOT NULL CHECK (octet_length(signature) = 64)
);

-- Nothing is ever updated or deleted. (This guards against mistakes; the
-- hashes and signatures, not these triggers, are what detect tampering.)
CREATE FUNCTION evident_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION evident_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only();
CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION evident_append_only();
CREATE TRIGGER evidence_no_truncate BEFORE TRUNCATE ON evidence
    FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION evident_append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only();
