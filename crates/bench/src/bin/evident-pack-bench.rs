//! `evident-pack-bench build STORE_DIR PACK [SAMPLE SEED]` builds the audit
//! pack of 2026 from the store `evident-gen-store` wrote (one control per
//! two sources); `evident-pack-bench verify PACK` verifies it. The bench
//! driver of `bench/pack.sh`, calling `evident_pack` directly until the
//! `evident` binary has the commands.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use evident_model::evidence::Timestamp;
use evident_pack::{BuildOptions, ControlSources, Document, Sample};
use evident_store::{Store, StoreConfig};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["build", store, pack, rest @ ..] => build(Path::new(store), Path::new(pack), rest),
        ["verify", pack] => verify(Path::new(pack)),
        _ => {
            Err("usage: evident-pack-bench build STORE_DIR PACK [SAMPLE SEED] | verify PACK".into())
        }
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn build(store_dir: &Path, pack: &Path, rest: &[&str]) -> Result<ExitCode, String> {
    let sample = match rest {
        [] => None,
        [size, seed] => Some(Sample {
            size: size.parse().map_err(|_| "SAMPLE must be a number")?,
            seed: seed.parse().map_err(|_| "SEED must be a number")?,
        }),
        _ => return Err("give both SAMPLE and SEED, or neither".into()),
    };
    let time = |text: &str| text.parse::<Timestamp>().map_err(|e| e.to_string());
    let options = BuildOptions {
        from: time("2026-01-01T00:00:00Z")?,
        to: time("2026-12-31T23:59:59Z")?,
        generated_at: time("2027-01-02T09:00:00Z")?,
        documents: vec![Document {
            path: "reports/check.json".into(),
            media_type: "application/json".into(),
            bytes: br#"{"schema_version":1,"findings":[]}"#.to_vec(),
        }],
        populations: (0..10)
            .map(|c| ControlSources {
                control: format!("C-{c:02}"),
                sources: vec![format!("src-{:02}", 2 * c), format!("src-{:02}", 2 * c + 1)],
            })
            .collect(),
        sample,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let summary = runtime.block_on(async {
        let store = Store::open(StoreConfig::sqlite(store_dir))
            .await
            .map_err(|e| e.to_string())?;
        let summary = evident_pack::build(&store, &options, pack)
            .await
            .map_err(|e| e.to_string());
        store.close().await;
        summary
    })?;
    println!(
        "built {}: {} evidence items, {} results, {} blobs ({:.1} MB), {:.1} MB in {:.2} s",
        summary.path.display(),
        summary.evidence_items,
        summary.results,
        summary.blobs,
        summary.blob_bytes as f64 / 1e6,
        summary.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(pack: &Path) -> Result<ExitCode, String> {
    let started = Instant::now();
    let report = evident_pack::verify(pack, &[]).map_err(|e| e.to_string())?;
    if let Some(refusal) = &report.refused {
        println!("{refusal}");
    }
    for problem in &report.problems {
        println!("{problem}");
    }
    println!(
        "verified {}: {} entries, {} blobs ({:.1} MB), {} problems, key {} in {:.2} s",
        pack.display(),
        report.entries,
        report.blobs,
        report.blob_bytes as f64 / 1e6,
        report.problems.len(),
        report.public_key_hex().unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
