//! Checks: Rego policies over normalised evidence (DESIGN.md §1 "Check"),
//! evaluated with regorus.
//!
//! A check is one Rego v1 file, `checks/<check-id>.rego`, with an OPA-style
//! METADATA block (title, the formats it reads, the requirements it
//! evidences, its parameters), `deny` rules whose messages are failures and
//! optional `warn` rules. `CHECKS.md` is the guide to writing one.
//!
//! - [`Library`] loads the built-in checks (embedded, parsed once per
//!   process) and a repository's own, validating each; every problem is a
//!   [`Diagnostic`](evident_model::Diagnostic) at a line and column of the
//!   `.rego` (or fixture) file.
//! - [`Check::compile`] gives a [`CompiledCheck`], whose
//!   [`evaluate`](CompiledCheck::evaluate) judges one normalised document
//!   ([`Input`], parsed once and shared by every check) as of a
//!   [`Context`] (the evaluation time and the parameters) and returns a
//!   [`Verdict`]: pass, fail or error.
//! - [`run_fixtures`] runs a check against its pass and fail fixtures.
//!
//! Architecture invariant: checks fail closed. A runtime error (strict
//! builtin errors are on), a rule of the wrong type or a run over the time
//! limit is an `error` verdict, never a pass.
//!
//! Architecture invariant: no clock. "Now" is the context's time, given to
//! the policy as `data.evident.now` and `data.evident.now_ns`; a check that
//! calls `time.now_ns()` is rejected when it is loaded.

#![deny(missing_docs)]

mod evaluate;
mod files;
mod fixtures;
mod library;
mod metadata;
pub mod run;

pub use evaluate::{
    CompileError, CompiledCheck, Context, DEFAULT_TIME_LIMIT, Input, InputError, ParameterError,
    Verdict,
};
pub use fixtures::{DEFAULT_FIXTURE_NOW, Expectation, Fixture, FixtureReport, run_fixtures};
pub use library::{Check, Library};
