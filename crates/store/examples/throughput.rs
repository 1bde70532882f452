//! Measures the store's ingestion and verification against the physical
//! baselines, on the same bytes, in one run:
//!
//! ```text
//! cargo run --release -p evident-store --example throughput -- [MiB] [DIR] [SMALL] [ROUNDS]
//! ```
//!
//! Everything is written under DIR (default, or `-`: a temporary folder).
//!
//! Part 1 writes a file of MiB (default 1024) pseudo-random bytes, then
//! times, best of three each: `openssl
//! dgst -sha256` on it; a plain copy plus fsync; `add_evidence` of it
//! (stream, hash, copy, fsync) into a fresh embedded store; `verify` (which
//! re-hashes the blob). MiB 0 skips it and the mixed corpus.
//!
//! Part 2 writes two corpora of evidence files: SMALL (default 20000) files
//! of 1–16 KiB, and the same plus a few large files (at most 256 MiB each)
//! making MiB in all. For each, ROUNDS times (default 5), it times the
//! baseline — `openssl dgst -sha256` over every file, `cp -r` of the
//! corpus, `sync` — and `add_evidence_batch` of every file into a fresh
//! store in batches of up to 512 items or 64 MiB, as `evident collect`
//! does, plus a final checkpoint; in the first round also `add_evidence`
//! one file at a time. Every run is warm (the files are read once first),
//! starts after a `sync`, and writes to fresh folders: nothing is deleted
//! until the end, because on ext4 without a journal creating files just
//! after deleting many is several times slower (`recently_deleted`), which
//! would bias whichever run came next. For the same reason, leave a few
//! minutes between two runs of this example.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use evident_model::evidence::{ObservedPeriod, Provenance, Timestamp};
use evident_store::{BlobSource, NewEvidence, NewItem, Store, StoreConfig};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mib: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1024);
    let holder = tempfile::tempdir()?;
    let dir = args
        .next()
        .filter(|a| !a.is_empty() && a != "-")
        .map(PathBuf::from)
        .unwrap_or(holder.path().into());
    let small: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20_000);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);
    std::fs::create_dir_all(&dir)?;
    // Everything is written in fresh folders and deleted only at the end.
    let work = dir.join(format!("throughput-{}", std::process::id()));
    if mib > 0 {
        let part1 = work.join("part1");
        std::fs::create_dir_all(&part1)?;
        single_file(&part1, mib).await?;
    }
    ingest_corpora(&work, mib, small, rounds).await?;
    std::fs::remove_dir_all(&work)?;
    Ok(())
}

/// Part 1: one large file.
async fn single_file(dir: &Path, mib: u64) -> Result<(), Error> {
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

    // Baseline for adding: copy the file and fsync the copy. Nothing is
    // deleted before the end (freeing blocks slows the runs after it).
    let mut copies = 0;
    let copy = best_of(3, || {
        copies += 1;
        let copy_target = dir.join(format!("copy-{copies}.bin"));
        std::fs::copy(&file, &copy_target)?;
        std::fs::File::open(&copy_target)?.sync_all()?;
        Ok(())
    })?;

    // Adding into a fresh store each time (best of 3).
    let mut add = f64::MAX;
    let mut digest = None;
    let mut store_dir = PathBuf::new();
    for round in 0..3 {
        store_dir = dir.join(format!("store-{round}"));
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

    Ok(())
}

type Error = Box<dyn std::error::Error>;

/// A batch closes at this many items, as `evident collect` batches.
const BATCH_ITEMS: usize = 512;

/// … or once it holds this many bytes.
const BATCH_BYTES: u64 = 64 << 20;

/// The largest file of the mixed corpus.
const LARGE_MAX: u64 = 256 << 20;

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
fn write_file(path: &Path, mib: u64) -> std::io::Result<()> {
    write_random(path, mib << 20, 0x9e37_79b9_7f4a_7c15)?;
    // On disk before timing starts, so its write-back does not slow the runs.
    std::fs::File::open(path)?.sync_all()
}

/// `len` bytes of xorshift output from `seed` (not synced).
fn write_random(path: &Path, len: u64, seed: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    // Distinct odd seeds for distinct inputs (xorshift needs a nonzero one).
    let mut state = seed.wrapping_mul(2).wrapping_add(1);
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(chunk.len() as u64);
        out.write_all(&chunk[..n as usize])?;
        left -= n;
    }
    out.flush()
}

/// A set of evidence files: top-level folders of `root`, and their files.
struct Corpus {
    name: &'static str,
    folders: Vec<PathBuf>,
    files: Vec<(PathBuf, u64)>,
}

impl Corpus {
    fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, n)| n).sum()
    }
}

/// Writes `small` files of 1–16 KiB in `root/small/` and large ones making
/// `mib` MiB in all in `root/large/`; returns the small and the mixed
/// corpus.
fn write_corpora(root: &Path, mib: u64, small: usize) -> Result<(Corpus, Corpus), Error> {
    let small_dir = root.join("small");
    let large_dir = root.join("large");
    std::fs::create_dir_all(&small_dir)?;
    std::fs::create_dir_all(&large_dir)?;
    let mut small_files = Vec::with_capacity(small);
    for i in 0..small {
        let len = 1024 * (1 + (i as u64 * 7919 + 13) % 16);
        let path = small_dir.join(format!("{i:06}.bin"));
        write_random(&path, len, 0x1234_5678 + i as u64)?;
        small_files.push((path, len));
    }
    let small_bytes: u64 = small_files.iter().map(|(_, n)| n).sum();
    let rest = (mib << 20).saturating_sub(small_bytes);
    let count = if rest == 0 { 0 } else { rest / LARGE_MAX + 1 };
    let mut large_files = Vec::new();
    for i in 0..count {
        let len = rest / count;
        let path = large_dir.join(format!("{i:02}.bin"));
        write_random(&path, len, 0xdead_beef + i)?;
        large_files.push((path, len));
    }
    sync()?;
    let small = Corpus {
        name: "small files",
        folders: vec![small_dir.clone()],
        files: small_files.clone(),
    };
    let mut all = small_files;
    all.extend(large_files);
    let mixed = Corpus {
        name: "mixed",
        folders: vec![small_dir, large_dir],
        files: all,
    };
    Ok((small, mixed))
}

fn sync() -> Result<(), Error> {
    run(Command::new("sync"))
}

fn run(mut command: Command) -> Result<(), Error> {
    let status = command.stdout(std::process::Stdio::null()).status()?;
    if !status.success() {
        return Err(format!("{command:?} failed: {status}").into());
    }
    Ok(())
}

/// The baseline: `openssl dgst -sha256` over every file (a few thousand
/// per process, as `xargs` would), `cp -r` of the corpus, `sync`. Returns
/// the three times.
fn baseline(corpus: &Corpus, target: &Path) -> Result<[f64; 3], Error> {
    let t = Instant::now();
    for chunk in corpus.files.chunks(4096) {
        let mut openssl = Command::new("openssl");
        openssl.args(["dgst", "-sha256"]);
        openssl.args(chunk.iter().map(|(p, _)| p));
        run(openssl)?;
    }
    let hash = t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::fs::create_dir_all(target)?;
    let mut cp = Command::new("cp");
    cp.arg("-r").args(&corpus.folders).arg(target);
    run(cp)?;
    let copy = t.elapsed().as_secs_f64();
    let t = Instant::now();
    sync()?;
    Ok([hash, copy, t.elapsed().as_secs_f64()])
}

/// Adds every file of `corpus` to a fresh store at `dir`, in batches (or
/// one by one), then checkpoints; returns the time and the number of new
/// blobs.
async fn ingest(corpus: &Corpus, dir: &Path, batched: bool) -> Result<(f64, usize), Error> {
    let store = Store::open(StoreConfig::sqlite(dir)).await?;
    let item = |path: &Path| NewItem {
        content: BlobSource::File(path.to_path_buf()),
        normalized: None,
        meta: NewEvidence {
            provenance: Provenance {
                origin: path.display().to_string(),
                ..meta().provenance
            },
            ..meta()
        },
    };
    let t = Instant::now();
    let mut new = 0;
    if batched {
        let mut batch = Vec::new();
        let mut bytes = 0;
        for (i, (path, len)) in corpus.files.iter().enumerate() {
            batch.push(item(path));
            bytes += len;
            if batch.len() == BATCH_ITEMS || bytes >= BATCH_BYTES || i + 1 == corpus.files.len() {
                let added = store.add_evidence_batch(std::mem::take(&mut batch)).await?;
                new += added.iter().filter(|a| a.new_blob).count();
                bytes = 0;
            }
        }
    } else {
        for (path, _) in &corpus.files {
            let NewItem { content, meta, .. } = item(path);
            new += usize::from(store.add_evidence(content, None, meta).await?.new_blob);
        }
    }
    store.checkpoint().await?;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(store.len().await?, corpus.files.len() as u64);
    store.close().await;
    Ok((secs, new))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn min(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::MAX, f64::min)
}

/// Part 2: the corpora, baseline against batches (and single adds once).
async fn ingest_corpora(dir: &Path, mib: u64, small: usize, rounds: usize) -> Result<(), Error> {
    let root = dir.join("corpus");
    let (small, mixed) = write_corpora(&root, mib, small)?;
    let mut corpora = vec![&small];
    if mixed.files.len() > small.files.len() {
        corpora.push(&mixed);
    }
    for corpus in corpora {
        // Warm the page cache.
        for (path, _) in &corpus.files {
            std::io::copy(&mut std::fs::File::open(path)?, &mut std::io::sink())?;
        }
        let n = corpus.files.len();
        let mib = corpus.bytes() as f64 / f64::from(1 << 20);
        println!();
        println!("{}: {n} files, {mib:.0} MiB", corpus.name);
        let mut base = Vec::new();
        let mut batch = Vec::new();
        let mut ratios = Vec::new();
        let out = dir.join(format!("out-{}", corpus.name.replace(' ', "-")));
        for round in 0..rounds {
            sync()?;
            let [hash, copy, flush] = baseline(corpus, &out.join(format!("copy-{round}")))?;
            let b = hash + copy + flush;
            sync()?;
            let (t, new) = ingest(corpus, &out.join(format!("batch-{round}")), true).await?;
            assert_eq!(new, n, "every file is new");
            println!(
                "  round {round}: baseline {b:6.3} s (openssl {hash:.3} + cp {copy:.3} + sync {flush:.3}); \
                 add_evidence_batch {t:6.3} s = {:.2}x baseline, {:6.0} items/s, {:6.1} MiB/s",
                t / b,
                n as f64 / t,
                mib / t
            );
            base.push(b);
            batch.push(t);
            ratios.push(t / b);
            if round == 0 {
                sync()?;
                let (t, _) = ingest(corpus, &out.join("single"), false).await?;
                println!(
                    "  round {round}: add_evidence one by one {t:7.3} s = {:.2}x baseline, {:6.0} items/s",
                    t / b,
                    n as f64 / t
                );
            }
        }
        println!(
            "  {}: baseline median {:.3} s (best {:.3}); batch median {:.3} s (best {:.3}); \
             batch/baseline median {:.2}x (best round {:.2}x)",
            corpus.name,
            median(base.clone()),
            min(&base),
            median(batch.clone()),
            min(&batch),
            median(ratios.clone()),
            min(&ratios)
        );
    }
    Ok(())
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
