//! `evident-gen DIR [FACTOR]`: writes a generated ISMS repository into DIR.
//! FACTOR scales the reference size (10,000 controls, 50,000 risks, 500
//! owners at 1.0).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), factor) = (args.next(), args.next()) else {
        eprintln!(
            "usage: evident-gen DIR [FACTOR]   (FACTOR 1.0 = 10k controls, 50k risks, 500 owners)"
        );
        return ExitCode::from(2);
    };
    let factor: f64 = match factor.as_deref().unwrap_or("1").parse() {
        Ok(f) if f > 0.0 => f,
        _ => {
            eprintln!("FACTOR must be a positive number");
            return ExitCode::from(2);
        }
    };
    let dir = PathBuf::from(dir);
    let size = evident_bench::Size::scaled(factor);
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| evident_bench::generate(&dir, size))
    {
        eprintln!("cannot generate into {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    println!(
        "{} controls, {} risks, {} owners in {}",
        size.controls,
        size.risks,
        size.owners,
        dir.display()
    );
    ExitCode::SUCCESS
}
