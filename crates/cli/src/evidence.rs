//! `collect`, `verify` and `evidence`: wiring between the collectors and
//! the store, with a progress bar on a terminal and log lines elsewhere.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context as _, bail};
use evident_collect::Content;
use evident_collect::run::{self, Evidence, Progress, Recorded, Sink};
use evident_model::evidence::CollectionFailure;
use evident_store::{BlobSource, EvidenceFilter, NewEvidence, NewItem, Store, StoreConfig};

/// The runtime the store's async API runs on; everything else is blocking.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// The store of the ISMS at `dir`: embedded under `.evident/`, or on
/// PostgreSQL with blobs and key still under `.evident/`.
fn store_config(dir: &Path, database_url: Option<&str>) -> StoreConfig {
    match database_url {
        None => StoreConfig::beside_isms(dir),
        Some(url) => {
            let local = dir.join(".evident");
            StoreConfig::postgres(
                url,
                local.join("blobs"),
                local.join(evident_store::KEY_FILE),
            )
        }
    }
}

pub(crate) fn open_store(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    database_url: Option<&str>,
) -> anyhow::Result<Store> {
    let config = store_config(dir, database_url);
    rt.block_on(Store::open(config))
        .context("cannot open the evidence store")
}

/// The store that evidence is about to be recorded in, its public key
/// recorded in `evident.yaml` on first use.
fn store_to_record_in(
    dir: &Path,
    isms: &evident_model::Isms,
    database_url: Option<&str>,
) -> anyhow::Result<(tokio::runtime::Runtime, Store)> {
    let rt = runtime()?;
    let store = open_store(&rt, dir, database_url)?;
    crate::commands::record_public_key(dir, isms, &store.public_key_hex())?;
    Ok((rt, store))
}

/// Who is collecting: the CI identity when there is one, else user@host.
fn identity() -> String {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    if let Some(actor) = var("GITHUB_ACTOR") {
        return format!("github:{actor}");
    }
    let user = var("USER")
        .or_else(|| var("LOGNAME"))
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("{user}@{h}"),
        None => user,
    }
}

struct StoreSink<'a> {
    rt: &'a tokio::runtime::Runtime,
    store: &'a Store,
}

impl Sink for StoreSink<'_> {
    fn evidence(&mut self, batch: Vec<Evidence>) -> Result<Vec<Recorded>, String> {
        let items = batch
            .into_iter()
            .map(|e| {
                let content = match e.artefact.content {
                    Content::File(path) => BlobSource::File(path),
                    Content::Bytes(bytes) => BlobSource::Bytes(bytes),
                };
                let (format, normalized) = (e.format, e.normalized);
                let meta = NewEvidence {
                    media_type: e.artefact.media_type,
                    format,
                    provenance: e.provenance,
                    observed: e.artefact.observed,
                    collected_at: e.collected_at,
                };
                NewItem {
                    content,
                    normalized,
                    meta,
                }
            })
            .collect();
        let added = self
            .rt
            .block_on(self.store.add_evidence_batch(items))
            .map_err(|err| err.to_string())?;
        Ok(added
            .into_iter()
            .map(|a| Recorded {
                index: a.index,
                digest: a.item.digest,
                size: a.item.size,
                new_blob: a.new_blob,
                unchanged: a.unchanged,
            })
            .collect())
    }

    fn failure(&mut self, failure: CollectionFailure) -> Result<u64, String> {
        self.rt
            .block_on(self.store.add_failure(&failure))
            .map_err(|err| err.to_string())
    }
}

/// `evident collect`.
pub fn collect(dir: &Path, only: &[String], database_url: Option<&str>) -> anyhow::Result<u8> {
    let Some(isms) = crate::commands::readable(dir)? else {
        return Ok(2);
    };
    let mut selected = Vec::new();
    for name in only {
        match isms.sources.iter().find(|s| &s.name == name) {
            Some(s) => selected.push(s),
            None => bail!("no source `{name}` in sources.yaml"),
        }
    }
    if only.is_empty() {
        selected = isms.sources.iter().collect();
    }
    let (rt, store) = store_to_record_in(dir, &isms, database_url)?;

    let cx = evident_collect::Context {
        root: dir.to_path_buf(),
        now: jiff::Timestamp::now(),
        env: Box::new(|name| std::env::var(name).ok()),
    };
    let terminal = std::io::stderr().is_terminal();
    let bar = if terminal {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {pos} items, {msg} {decimal_bytes} ({decimal_bytes_per_sec})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(bar)
    } else {
        None
    };
    let mut sink = StoreSink {
        rt: &rt,
        store: &store,
    };
    let mut log = std::io::stderr();
    let mut items = 0u64;
    let summary = run::run(
        &selected,
        &cx,
        &identity(),
        &mut sink,
        &mut |p| match (&bar, p) {
            (
                Some(bar),
                Progress::Source {
                    name,
                    position,
                    total,
                },
            ) => bar.set_message(format!("source {position}/{total} {name}")),
            (Some(bar), Progress::Recorded { recorded, .. }) => {
                items += 1;
                bar.set_position(items);
                bar.set_length(items);
                bar.inc_length(0);
                let _ = recorded;
            }
            (Some(bar), Progress::Failed { source, error }) => {
                bar.println(format!("failed: {source}: {error}"))
            }
            (
                None,
                Progress::Source {
                    name,
                    position,
                    total,
                },
            ) => {
                let _ = writeln!(log, "collect: source {position}/{total} {name}");
            }
            (
                None,
                Progress::Recorded {
                    source,
                    name,
                    recorded,
                },
            ) => {
                let state = if recorded.unchanged {
                    "unchanged"
                } else {
                    "new"
                };
                let _ = writeln!(
                    log,
                    "collect: {source}: {name} {} {} bytes ({state}, entry {})",
                    recorded.digest, recorded.size, recorded.index
                );
            }
            (None, Progress::Failed { source, error }) => {
                let _ = writeln!(log, "collect: {source}: FAILED: {error}");
            }
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary =
        summary.map_err(|e| anyhow::anyhow!("cannot record in the evidence store: {e}"))?;
    let checkpoint = rt
        .block_on(store.checkpoint())
        .context("cannot sign a checkpoint")?;
    rt.block_on(store.close());
    let text = format!(
        "collected {} sources: {} new items, {} unchanged, {} failed; {} bytes\nledger: {} entries, checkpoint signed (root {})\n",
        summary.sources,
        summary.new_items,
        summary.unchanged,
        summary.failed,
        summary.bytes,
        checkpoint.size,
        checkpoint.root_hex(),
    );
    crate::commands::write_out(None, &text)?;
    Ok(if summary.failed > 0 { 1 } else { 0 })
}

/// `evident evidence add`: a person's upload to a `manual` source.
pub fn add(
    dir: &Path,
    source: &str,
    file: &Path,
    observed: Option<jiff::Timestamp>,
    database_url: Option<&str>,
) -> anyhow::Result<u8> {
    let Some(isms) = crate::commands::readable(dir)? else {
        return Ok(2);
    };
    let Some(source) = isms.sources.iter().find(|s| s.name == source) else {
        bail!("no source `{source}` in sources.yaml");
    };
    let (rt, store) = store_to_record_in(dir, &isms, database_url)?;
    let cx = evident_collect::Context {
        root: dir.to_path_buf(),
        now: jiff::Timestamp::now(),
        env: Box::new(|_| None),
    };
    let mut sink = StoreSink {
        rt: &rt,
        store: &store,
    };
    let recorded = run::upload(source, file, observed, &cx, &identity(), &mut sink)
        .map_err(|e| anyhow::anyhow!(e))?;
    let checkpoint = rt
        .block_on(store.checkpoint())
        .context("cannot sign a checkpoint")?;
    rt.block_on(store.close());
    crate::commands::write_out(
        None,
        &format!(
            "recorded {} as evidence of {} ({} bytes, {}, entry {}); checkpoint signed through entry {}\n",
            file.display(),
            source.name,
            recorded.size,
            recorded.digest,
            recorded.index,
            checkpoint.size
        ),
    )?;
    Ok(0)
}

/// `evident verify`.
pub fn verify(dir: &Path, database_url: Option<&str>) -> anyhow::Result<u8> {
    crate::evaluate::require_store(dir, database_url)?;
    let rt = runtime()?;
    let store = open_store(&rt, dir, database_url)?;
    let report = rt
        .block_on(store.verify())
        .context("cannot read the evidence store")?;
    rt.block_on(store.close());
    let mut text = String::new();
    for problem in &report.problems {
        text.push_str(&format!("TAMPERED: {problem}\n"));
    }
    text.push_str(&format!(
        "{}: {} entries, {} blobs ({} bytes), {} checkpoints (signed through entry {})\n",
        if report.is_intact() {
            "intact"
        } else {
            "NOT INTACT"
        },
        report.entries,
        report.blobs,
        report.blob_bytes,
        report.checkpoints,
        report.signed_size,
    ));
    crate::commands::write_out(None, &text)?;
    Ok(if report.is_intact() { 0 } else { 1 })
}

/// `evident evidence list`.
pub fn list(dir: &Path, source: Option<&str>, database_url: Option<&str>) -> anyhow::Result<u8> {
    let rt = runtime()?;
    let store = open_store(&rt, dir, database_url)?;
    let items = rt.block_on(store.evidence(EvidenceFilter { source }))?;
    rt.block_on(store.close());
    let mut text = String::new();
    for e in &items {
        let i = &e.item;
        text.push_str(&format!(
            "{:>6}  {}  {:<22} {:<30} {:>10}  {}  {}\n",
            e.index,
            i.collected_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            i.provenance.source,
            i.format.as_deref().unwrap_or("-"),
            i.size,
            &i.digest.as_str()[..19],
            i.provenance.origin,
        ));
    }
    text.push_str(&format!("{} items\n", items.len()));
    crate::commands::write_out(None, &text)?;
    Ok(0)
}

/// `evident evidence show`.
pub fn show(dir: &Path, index: u64, what: Shown, database_url: Option<&str>) -> anyhow::Result<u8> {
    let rt = runtime()?;
    let store = open_store(&rt, dir, database_url)?;
    let Some(stored) = rt.block_on(store.evidence_at(index))? else {
        bail!("no evidence item at ledger index {index}");
    };
    let item = stored.item;
    let mut out = std::io::stdout().lock();
    match what {
        Shown::Provenance => {
            let mut text = serde_json::to_string_pretty(&item)?;
            text.push('\n');
            out.write_all(text.as_bytes())?;
        }
        Shown::Blob => {
            let mut blob = store
                .open_blob(&item.digest)
                .context("cannot open the blob")?;
            std::io::copy(&mut blob, &mut out)?;
        }
        Shown::Normalized => {
            let Some(digest) = &item.normalized else {
                bail!("item {index} has no normalised document (format not recognised)");
            };
            let mut blob = store
                .open_blob(digest)
                .context("cannot open the normalised document")?;
            std::io::copy(&mut blob, &mut out)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    rt.block_on(store.close());
    Ok(0)
}

/// What `evidence show` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The item's record as JSON.
    Provenance,
    /// The artefact's bytes.
    Blob,
    /// The normalised document.
    Normalized,
}
