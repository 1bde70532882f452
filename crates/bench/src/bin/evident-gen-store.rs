//! `evident-gen-store DIR N [SEED]`: an embedded (SQLite) evidence store in
//! DIR holding N evidence items of realistic shape, recorded through
//! `Store::add_evidence_batch` like a collection, for the audit pack
//! benchmark (`bench/pack.sh`).
//!
//! Artefacts are JSON exports (a list of event records) whose sizes follow
//! a seeded distribution: 90% between 1 and 16 KiB, 10% between 16 KiB and
//! 1 MiB, each log-uniform; half of the items also have a small normalised
//! document. Items come from 20 sources and are observed over 2026, so the
//! period 2026-01-01..2026-12-31 holds all of them. No clock is read for
//! the content: the output depends only on N and SEED (the store's key and
//! checkpoint times excepted).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use evident_model::check::{CheckResult, Outcome};
use evident_model::evidence::{ObservedPeriod, Provenance, Timestamp};
use evident_store::{BlobSource, NewEvidence, NewItem, Store, StoreConfig};

/// Items written per batch (one transaction, one `syncfs`).
const BATCH: usize = 1000;

/// The number of evidence sources.
const SOURCES: u64 = 20;

/// splitmix64: a seeded, dependency-free generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Log-uniform in [lo, hi).
    fn log_uniform(&mut self, lo: f64, hi: f64) -> usize {
        (lo * (hi / lo).powf(self.unit())) as usize
    }
}

/// The artefact size of the next item.
fn artefact_size(rng: &mut Rng) -> usize {
    if rng.next().is_multiple_of(10) {
        rng.log_uniform(16.0 * 1024.0, 1024.0 * 1024.0)
    } else {
        rng.log_uniform(1024.0, 16.0 * 1024.0)
    }
}

/// A JSON export of about `size` bytes: event records until it is full.
fn artefact(rng: &mut Rng, item: u64, size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::with_capacity(size + 256);
    let _ = write!(out, "{{\"export\":{item},\"events\":[");
    let mut n = 0u64;
    while out.len() < size {
        if n > 0 {
            out.push(b',');
        }
        let r = rng.next();
        let _ = write!(
            out,
            "{{\"id\":{n},\"user\":\"u-{:08x}\",\"action\":\"{}\",\"ok\":{},\"ip\":\"10.{}.{}.{}\"}}",
            r as u32,
            ["login", "logout", "assume-role", "mfa-challenge"][(r >> 32) as usize % 4],
            (r >> 40) & 1 == 1,
            (r >> 41) & 0xff,
            (r >> 49) & 0xff,
            (r >> 57) & 0x7f,
        );
        n += 1;
    }
    out.extend_from_slice(b"]}");
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: evident-gen-store DIR N [SEED]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(7);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(generate(PathBuf::from(dir), n, seed)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot generate the store: {e}");
            ExitCode::from(2)
        }
    }
}

async fn generate(dir: PathBuf, n: u64, seed: u64) -> Result<(), evident_store::StoreError> {
    let started = Instant::now();
    let store = Store::open(StoreConfig::sqlite(&dir)).await?;
    let mut rng = Rng(seed);
    let year_start = "2026-01-01T00:00:00Z"
        .parse::<Timestamp>()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let year_seconds = 365 * 24 * 3600 - 1;
    let mut bytes = 0u64;
    let mut next = 0u64;
    while next < n {
        let end = (next + BATCH as u64).min(n);
        let mut batch = Vec::with_capacity(BATCH);
        for item in next..end {
            let size = artefact_size(&mut rng);
            let content = artefact(&mut rng, item, size);
            bytes += content.len() as u64;
            let source = format!("src-{:02}", item % SOURCES);
            let at = year_start
                .checked_add(jiff::SignedDuration::from_secs(
                    ((item * year_seconds) / n.max(1)) as i64,
                ))
                .unwrap_or(year_start);
            let normalized = item.is_multiple_of(2).then(|| {
                format!("{{\"export\":{item},\"source\":\"{source}\",\"events\":{size}}}")
                    .into_bytes()
            });
            batch.push(NewItem {
                content: BlobSource::Bytes(content),
                normalized,
                meta: NewEvidence {
                    media_type: "application/json".into(),
                    format: Some("event-export".into()),
                    provenance: Provenance {
                        source: source.clone(),
                        collector: "http".into(),
                        collector_version: "0.1.0".into(),
                        parameters: serde_json::json!({ "url": format!("https://{source}.example/export") }),
                        origin: format!("https://{source}.example/export?page={item}"),
                        tool_version: None,
                        collected_by: "bench@host".into(),
                    },
                    observed: ObservedPeriod { from: at, to: at },
                    collected_at: at,
                },
            });
        }
        store.add_evidence_batch(batch).await?;
        next = end;
    }
    let results: Vec<CheckResult> = (0..SOURCES)
        .map(|s| CheckResult {
            check: "events-reviewed".into(),
            source: format!("src-{s:02}"),
            controls: vec![format!("C-{:02}", s / 2)],
            requirements: vec!["A.8.15".into()],
            outcome: if s.is_multiple_of(3) {
                Outcome::Fail
            } else {
                Outcome::Pass
            },
            messages: Vec::new(),
            warnings: Vec::new(),
            error: None,
            evidence: Vec::new(),
            evaluated_at: year_start,
        })
        .collect();
    store.add_results(&results).await?;
    store.checkpoint().await?;
    println!(
        "{n} evidence items ({:.1} MB of artefacts) in {} ({:.1} s)",
        bytes as f64 / 1e6,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}
