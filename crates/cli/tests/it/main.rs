//! End-to-end tests of the `evident` binary: one test target (so the suite
//! links once) that runs the real binary on repositories laid out in
//! temporary folders, grouped by theme.
//!
//! - `spec_errors`: definitions that cannot be read exit 2 with a diagnostic
//!   naming file, line and column.
//! - `formats`: the example organisation in text, JSON, SARIF and JUnit XML.
//! - `commands`: `init`, `demo`, `catalog`, `approve`, `--at`, `--help`,
//!   closed pipes.
//! - `evidence`: `collect`, `verify`, `evidence`: the store end to end,
//!   tampering, `kill -9`, concurrency, PostgreSQL.
//! - `evaluate`: `evaluate`, `status` and `check` over a store: statuses
//!   derived from real evidence and the built-in checks, on both backends.
//! - `reports`: `report`, `audit-pack`, `verify PACK` and `attest` on the
//!   demo's store, validated by NIST's OSCAL schema and compliance-trestle.
//! - `fuzz`: arbitrary and mutated definition files never crash the reader.
//!
//! Every run passes `--at` (or `--date`), so no test depends on today
//! (evidence is recorded at the real time, so the evaluation tests pass
//! today's date and date the files they need old).

mod util;

mod checks;
mod commands;
mod evaluate;
mod evidence;
mod formats;
mod fuzz;
mod reports;
mod spec_errors;
