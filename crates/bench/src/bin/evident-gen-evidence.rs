//! `evident-gen-evidence DIR [SCALE]`: writes into DIR an ISMS repository
//! with the evidence of the evaluation benchmark. SCALE multiplies the
//! reference size (100,000 IAM users, 50,000 Terraform resources, 200,000
//! commits at 1.0).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use evident_bench::evidence::{self, EvidenceSize};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), scale) = (args.next(), args.next()) else {
        eprintln!(
            "usage: evident-gen-evidence DIR [SCALE]   (SCALE 1.0 = 100k IAM users, 50k Terraform resources, 200k commits)"
        );
        return ExitCode::from(2);
    };
    let scale: f64 = match scale.as_deref().unwrap_or("1").parse() {
        Ok(s) if s > 0.0 && f64::is_finite(s) => s,
        _ => {
            eprintln!("SCALE must be a positive number");
            return ExitCode::from(2);
        }
    };
    let dir = PathBuf::from(dir);
    let size = EvidenceSize::scaled(scale);
    let started = Instant::now();
    let generated = match evidence::generate(&dir, size) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("cannot generate into {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    println!(
        "{} IAM users ({:.1} MB), {} Terraform resources ({:.1} MB), {} commits ({} merges) in {} ({:.1} s; evaluate with --at {})",
        generated.size.users,
        generated.report_bytes as f64 / 1e6,
        generated.size.resources,
        generated.plan_bytes as f64 / 1e6,
        generated.size.commits,
        generated.merges,
        dir.display(),
        started.elapsed().as_secs_f64(),
        evidence::REFERENCE_DATE,
    );
    ExitCode::SUCCESS
}
