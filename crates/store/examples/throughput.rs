//! Measures the store's hashing-bound paths against `openssl dgst -sha256`
//! on the same bytes, in one run:
//!
//! ```text
//! cargo run --release -p evident-store --example throughput -- [MiB] [DIR]
//! ```
//!
//! Writes a file of MiB (default 1024) pseudo-random bytes in DIR (default
//! a temporary folder), then times, best of three each: `openssl dgst
//! -sha256` on it; a plain copy plus fsync; `add_evidence` of it (stream,
//! hash, copy, fsync) into a fresh embedded store; `verify` (which
//! re-hashes the blob). Every run is warm: the file is read once first.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use evident_model::evidence::{ObservedPeriod, Provenance, Timestamp};
use evident_store::{BlobSource, NewEvidence, Store, StoreConfig};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mib: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1024);
    let holder = tempfile::tempdir()?;
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or(holder.path().into());
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("artefact.bin");
    write_file(&file, mib)?;
    let bytes = (mib << 20) as f64;
    let rate = |secs: f64| bytes / secs / f64::from(1 << 20);

    // Warm the page cache (streaming: the example's own peak memory stays
    // small, so `/usr/bin/time -v` shows the store's).
    std::io::copy(&mut std::fs::File::open(&file)?, &mut std::io::sink())?;

    let openssl = best_of(3, || {
        let status = Command::new("openssl")
            .args(["dgst", "-sha256"])
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            return Err("openssl failed".into());
        }
        Ok(())
    })?;

    // Baseline for adding: copy the file and fsync the copy.
    let copy_target = dir.join("copy.bin");
    let copy = best_of(3, || {
        std::fs::copy(&file, &copy_target)?;
        std::fs::File::open(&copy_target)?.sync_all()?;
        std::fs::remove_file(&copy_target)?;
        Ok(())
    })?;

    // Adding into a fresh store each time (best of 3).
    let store_dir = dir.join("store");
    let mut add = f64::MAX;
    let mut digest = None;
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&store_dir);
        let store = Store::open(StoreConfig::sqlite(&store_dir)).await?;
        let t = Instant::now();
        let added = store
            .add_evidence(BlobSource::File(file.clone()), None, meta())
            .await?;
        add = add.min(t.elapsed().as_secs_f64());
        digest = Some(added.item.digest);
        store.close().await;
    }
    let store = Store::open(StoreConfig::sqlite(&store_dir)).await?;

    let mut verify = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let report = store.verify().await?;
        verify = verify.min(t.elapsed().as_secs_f64());
        assert!(report.is_intact(), "{:?}", report.problems);
        assert_eq!(report.blob_bytes, mib << 20);
    }
    store.close().await;

    let digest = digest.map(|d| d.to_string()).unwrap_or_default();
    println!("file: {mib} MiB, digest {digest}");
    println!(
        "openssl dgst -sha256 : {openssl:7.3} s  {:8.1} MiB/s",
        rate(openssl)
    );
    println!(
        "store verify         : {verify:7.3} s  {:8.1} MiB/s  ({:.2}x openssl)",
        rate(verify),
        openssl / verify
    );
    println!(
        "copy + fsync         : {copy:7.3} s  {:8.1} MiB/s",
        rate(copy)
    );
    println!(
        "store add_evidence   : {add:7.3} s  {:8.1} MiB/s  ({:.2}x copy + fsync; it also hashes)",
        rate(add),
        copy / add
    );
    std::fs::remove_dir_all(&store_dir)?;
    std::fs::remove_file(&file)?;

    // Many small items: the per-entry cost (one durable transaction each).
    let store = Store::open(StoreConfig::sqlite(&store_dir)).await?;
    let t = Instant::now();
    for i in 0..SMALL_ITEMS {
        let body = format!("{{\"item\":{i}}}").into_bytes();
        store
            .add_evidence(BlobSource::Bytes(body.clone()), Some(&body), meta())
            .await?;
    }
    let adds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = store.verify().await?;
    let check = t.elapsed().as_secs_f64();
    assert!(report.is_intact(), "{:?}", report.problems);
    println!(
        "{SMALL_ITEMS} small items   : {adds:7.3} s  {:8.0} items/s added; verify {check:.3} s ({:.0} entries/s)",
        f64::from(SMALL_ITEMS) / adds,
        f64::from(SMALL_ITEMS) / check
    );
    store.close().await;
    std::fs::remove_dir_all(&store_dir)?;
    Ok(())
}

type Error = Box<dyn std::error::Error>;

/// Small items added one by one after the large file.
const SMALL_ITEMS: u32 = 3000;

fn best_of(n: usize, mut f: impl FnMut() -> Result<(), Error>) -> Result<f64, Error> {
    let mut best = f64::MAX;
    for _ in 0..n {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// `mib` MiB of xorshift output (incompressible, cheap to make), synced.
fn write_file(path: &std::path::Path, mib: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..mib {
        for word in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        out.write_all(&chunk)?;
    }
    // On disk before timing starts, so its write-back does not slow the runs.
    out.into_inner()?.sync_all()
}

fn meta() -> NewEvidence {
    let t: Timestamp = Timestamp::UNIX_EPOCH;
    NewEvidence {
        media_type: "application/octet-stream".into(),
        format: None,
        provenance: Provenance {
            source: "bench".into(),
            collector: "file".into(),
            collector_version: "0".into(),
            parameters: serde_json::Value::Null,
            origin: "artefact.bin".into(),
            tool_version: None,
            collected_by: "bench".into(),
        },
        observed: ObservedPeriod { from: t, to: t },
        collected_at: t,
    }
}
