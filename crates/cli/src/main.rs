//! The `evident` binary: parses the command line, calls the layers, maps the
//! outcome to an exit status. It holds no domain logic.
//!
//! Exit status, like ripgrep's: 0 success (for `check`: no error-level
//! findings), 1 error-level findings, 2 the input could not be read or the
//! command failed. A closed pipe is success.

mod attest;
mod checks;
mod cli;
mod commands;
mod evaluate;
mod evidence;
mod reports;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// Evaluation is allocation-bound (the Rego interpreter builds and drops
/// many small values per evidence record); mimalloc keeps that off the
/// critical path better than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match commands::run(args) {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
