//! `build`: a period of the store into one pack, streamed (`PACK.md`).
//!
//! 1. sign a checkpoint of the whole ledger now, and rebuild its Merkle
//!    tree from the stored entry hashes a page at a time (64 bytes per
//!    entry in memory);
//! 2. read the entries a page at a time, keep those of the period, and
//!    write each with its inclusion proof to a temporary entries file;
//! 3. compute the populations and samples, write the manifest to a
//!    temporary file (hashing it as it goes) and sign its digest;
//! 4. on a blocking thread, stream everything into a temporary pack beside
//!    the output (blobs straight from the blob store, each re-hashed on the
//!    way), make it durable and rename it into place.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use evident_model::check::CheckResult;
use evident_model::evidence::EvidenceItem;
use evident_model::hash::ContentHash;
use evident_store::{KIND_EVIDENCE, KIND_RESULT, LedgerEntry, Store, merkle};
use sha2::{Digest, Sha256};

use crate::atomic::Temp;
use crate::entries::PackedEntry;
use crate::error::PackError;
use crate::hex::{self, Hex};
use crate::layout;
use crate::manifest::{
    self, CheckpointRecord, DocumentRow, EvidenceRow, Manifest, Period, Population, ResultRow,
    Sampling,
};
use crate::options::{BuildOptions, BuildSummary, Document};
use crate::{period, sample, tarball};

/// Entries read per query.
const PAGE: u64 = 2048;

/// The copy buffer of the pack writer.
const COPY_BUFFER: usize = 1 << 20;

/// Builds the pack of `options`' period from `store` at `out`, atomically:
/// a crash or an error never leaves a partial pack under `out` (an existing
/// file there is replaced only by a complete pack).
pub async fn build(
    store: &Store,
    options: &BuildOptions,
    out: &Path,
) -> Result<BuildSummary, PackError> {
    options.validate()?;
    let period = Period {
        from: options.from,
        to: options.to,
    };
    let checkpoint = store.checkpoint().await?;
    let tree = merkle_tree(store, checkpoint.size).await?;
    if tree.root() != checkpoint.root {
        return Err(PackError::DamagedStore {
            what: format!("the checkpoint of size {}", checkpoint.size),
            reason: "the stored entry hashes do not give its root".into(),
        });
    }

    let entries_file = Temp::beside(out, "entries")?;
    let (evidence, results) = {
        let mut w = BufWriter::with_capacity(COPY_BUFFER, entries_file.file()?);
        let selected = select(store, &period, &tree, checkpoint.size, &mut w).await?;
        w.flush()
            .map_err(|e| PackError::io(entries_file.path(), e))?;
        selected
    };
    drop(tree);

    let populations = populations(options, &evidence);
    let documents: Vec<DocumentRow> = options.documents.iter().map(document_row).collect();
    let blobs = distinct_blobs(&evidence);
    let manifest = Manifest {
        format: manifest::FORMAT.into(),
        format_version: manifest::FORMAT_VERSION,
        period,
        generated_at: options.generated_at,
        public_key: Hex(store.public_key()),
        checkpoint: CheckpointRecord::of(&checkpoint),
        evidence,
        results,
        documents,
        sampling: options.sample.map(|s| Sampling {
            method: sample::METHOD.into(),
            seed: s.seed,
            size: s.size,
        }),
        populations,
    };
    let manifest_file = Temp::beside(out, "manifest")?;
    let digest = write_manifest(&manifest, &manifest_file)?;
    let signature = store.sign_bytes(manifest::manifest_signature_message(&digest).as_bytes());
    let counts = (manifest.evidence.len(), manifest.results.len());
    drop(manifest);

    let parts = Parts {
        out: out.to_path_buf(),
        mtime: u64::try_from(options.generated_at.as_second()).unwrap_or(0),
        manifest: manifest_file,
        signature,
        public_key: store.public_key(),
        entries: entries_file,
        documents: options.documents.clone(),
        blobs,
    };
    let open = store.blob_opener();
    let (bytes, blob_bytes, blob_count) = tokio::task::spawn_blocking(move || parts.write(&open))
        .await
        .map_err(|e| PackError::Task(e.to_string()))??;
    Ok(BuildSummary {
        path: out.to_path_buf(),
        bytes,
        evidence_items: counts.0,
        results: counts.1,
        blobs: blob_count,
        blob_bytes,
        documents: options.documents.len(),
        checkpoint_size: checkpoint.size,
        public_key: store.public_key(),
    })
}

/// The Merkle tree of the first `size` entries, from their stored hashes.
async fn merkle_tree(store: &Store, size: u64) -> Result<merkle::Tree, PackError> {
    let mut leaves = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut next = 0;
    while next < size {
        let page = store.entry_hash_page(next..size.min(next + PAGE)).await?;
        for (_, hash) in &page {
            leaves.push(merkle::leaf_hash(hash));
        }
        next += page.len() as u64;
    }
    Ok(merkle::Tree::new(leaves))
}

/// Reads entries `0..size` a page at a time, writes those of the period
/// (with their proofs) to `out`, and returns their manifest rows.
async fn select(
    store: &Store,
    period: &Period,
    tree: &merkle::Tree,
    size: u64,
    out: &mut impl Write,
) -> Result<(Vec<EvidenceRow>, Vec<ResultRow>), PackError> {
    let mut evidence = Vec::new();
    let mut results = Vec::new();
    let mut next = 0;
    while next < size {
        let page = store.entries(next..size.min(next + PAGE)).await?;
        if page.first().map(|e| e.index) != Some(next) {
            return Err(damaged_entry(next, "the entry is missing"));
        }
        next += page.len() as u64;
        for entry in page {
            let included = match entry.kind.as_str() {
                KIND_EVIDENCE => {
                    let item: EvidenceItem = body(&entry)?;
                    let keep = period::observes(period, &item.observed);
                    if keep {
                        evidence.push(evidence_row(&entry, item));
                    }
                    keep
                }
                KIND_RESULT => {
                    let result: CheckResult = body(&entry)?;
                    let keep = period::evaluated_in(period, result.evaluated_at);
                    if keep {
                        results.push(ResultRow {
                            index: entry.index,
                            entry_hash: Hex(entry.entry_hash),
                            check: result.check,
                            source: result.source,
                            outcome: result.outcome,
                            evaluated_at: result.evaluated_at,
                        });
                    }
                    keep
                }
                _ => false,
            };
            if included {
                write_entry(&entry, tree, out)?;
            }
        }
    }
    Ok((evidence, results))
}

/// An entry's body as a `T`.
fn body<T: serde::de::DeserializeOwned>(entry: &LedgerEntry) -> Result<T, PackError> {
    serde_json::from_slice(&entry.body)
        .map_err(|e| damaged_entry(entry.index, &format!("its body cannot be read: {e}")))
}

fn damaged_entry(index: u64, reason: &str) -> PackError {
    PackError::DamagedStore {
        what: format!("entry {index}"),
        reason: reason.into(),
    }
}

fn evidence_row(entry: &LedgerEntry, item: EvidenceItem) -> EvidenceRow {
    EvidenceRow {
        index: entry.index,
        entry_hash: Hex(entry.entry_hash),
        digest: item.digest,
        normalized: item.normalized,
        size: item.size,
        media_type: item.media_type,
        format: item.format,
        source: item.provenance.source,
        origin: item.provenance.origin,
        observed: item.observed,
        collected_at: item.collected_at,
    }
}

/// One line of the entries file: the entry (its hash checked again, so a
/// damaged store never yields a pack) and its proof.
fn write_entry(
    entry: &LedgerEntry,
    tree: &merkle::Tree,
    out: &mut impl Write,
) -> Result<(), PackError> {
    if entry.computed_hash() != entry.entry_hash {
        return Err(damaged_entry(
            entry.index,
            "its contents do not match its entry hash",
        ));
    }
    let proof = usize::try_from(entry.index)
        .ok()
        .and_then(|i| tree.inclusion_proof(i))
        .ok_or_else(|| damaged_entry(entry.index, "it is not in the checkpoint's tree"))?;
    let body = std::str::from_utf8(&entry.body)
        .map_err(|_| damaged_entry(entry.index, "its body is not UTF-8"))?;
    let line = PackedEntry {
        index: entry.index,
        kind: entry.kind.clone(),
        body: body.to_string(),
        prev_hash: Hex(entry.prev_hash),
        entry_hash: Hex(entry.entry_hash),
        proof: proof.into_iter().map(Hex).collect(),
    };
    let io = |e: io::Error| PackError::io(layout::ENTRIES, e);
    serde_json::to_writer(&mut *out, &line).map_err(|e| io(io::Error::other(e)))?;
    out.write_all(b"\n").map_err(io)
}

/// Each control's population (its sources' items, ascending) and sample.
fn populations(options: &BuildOptions, evidence: &[EvidenceRow]) -> Vec<Population> {
    options
        .populations
        .iter()
        .map(|control| {
            let items: Vec<u64> = evidence
                .iter()
                .filter(|row| control.sources.contains(&row.source))
                .map(|row| row.index)
                .collect();
            let sample = options
                .sample
                .map(|s| sample::draw(s.seed, &control.control, &items, s.size));
            Population {
                control: control.control.clone(),
                sources: control.sources.clone(),
                items,
                sample,
            }
        })
        .collect()
}

fn document_row(doc: &Document) -> DocumentRow {
    DocumentRow {
        path: doc.path.clone(),
        media_type: doc.media_type.clone(),
        size: doc.bytes.len() as u64,
        sha256: ContentHash::of_bytes(&doc.bytes),
    }
}

/// Every blob the rows name, once each, in ledger order.
fn distinct_blobs(evidence: &[EvidenceRow]) -> Vec<ContentHash> {
    let mut seen = HashSet::with_capacity(evidence.len() * 2);
    evidence
        .iter()
        .flat_map(|row| std::iter::once(&row.digest).chain(row.normalized.as_ref()))
        .filter(|d| seen.insert(d.bytes()))
        .cloned()
        .collect()
}

/// Writes the manifest to `file`; returns the sha256 of its bytes.
fn write_manifest(manifest: &Manifest, file: &Temp) -> Result<[u8; 32], PackError> {
    let io = |e: io::Error| PackError::io(file.path(), e);
    let mut w = HashingWriter {
        inner: BufWriter::with_capacity(COPY_BUFFER, file.file()?),
        hasher: Sha256::new(),
    };
    serde_json::to_writer(&mut w, manifest).map_err(|e| io(io::Error::other(e)))?;
    w.write_all(b"\n").map_err(io)?;
    w.inner.flush().map_err(io)?;
    Ok(w.hasher.finalize().into())
}

/// A writer that hashes what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Everything the blocking writer needs, owned.
struct Parts {
    out: PathBuf,
    mtime: u64,
    manifest: Temp,
    signature: [u8; 64],
    public_key: [u8; 32],
    entries: Temp,
    documents: Vec<Document>,
    blobs: Vec<ContentHash>,
}

impl Parts {
    /// Writes the pack beside `out` and renames it into place; returns its
    /// size, the blob bytes and the number of blobs.
    fn write(
        self,
        open_blob: &dyn Fn(&ContentHash) -> io::Result<File>,
    ) -> Result<(u64, u64, usize), PackError> {
        let pack = Temp::beside(&self.out, "pack")?;
        let io = |e: io::Error| PackError::io(pack.path(), e);
        let mut tar = tarball::TarWriter::new(
            BufWriter::with_capacity(COPY_BUFFER, pack.file()?),
            self.mtime,
            COPY_BUFFER,
        );
        spool(&mut tar, layout::MANIFEST, &self.manifest)?;
        let sig = format!("{}\n", hex::encode(&self.signature));
        tar.append(
            layout::MANIFEST_SIGNATURE,
            sig.len() as u64,
            &mut sig.as_bytes(),
        )
        .map_err(io)?;
        let key = format!("{}\n", hex::encode(&self.public_key));
        tar.append(layout::PUBLIC_KEY, key.len() as u64, &mut key.as_bytes())
            .map_err(io)?;
        spool(&mut tar, layout::ENTRIES, &self.entries)?;
        drop((self.manifest, self.entries));
        for doc in &self.documents {
            let path = layout::document_path(&doc.path);
            tar.append(&path, doc.bytes.len() as u64, &mut doc.bytes.as_slice())
                .map_err(io)?;
        }
        let mut blob_bytes = 0;
        for digest in &self.blobs {
            let damaged = |reason: String| PackError::DamagedStore {
                what: format!("blob {digest}"),
                reason,
            };
            let mut file =
                open_blob(digest).map_err(|e| damaged(format!("cannot be read: {e}")))?;
            let size = file.metadata().map_err(|e| damaged(e.to_string()))?.len();
            let hash = tar
                .append(&layout::blob_path_of(digest), size, &mut file)
                .map_err(|e| damaged(e.to_string()))?;
            if hash != digest.bytes() {
                return Err(damaged("its content does not match its digest".into()));
            }
            blob_bytes += size;
        }
        let file = tar
            .finish()
            .map_err(io)?
            .into_inner()
            .map_err(|e| io(e.into_error()))?;
        let bytes = file.metadata().map_err(io)?.len();
        pack.persist(&self.out)?;
        Ok((bytes, blob_bytes, self.blobs.len()))
    }
}

/// Appends a spooled temporary file as the member `path`.
fn spool(
    tar: &mut tarball::TarWriter<BufWriter<&File>>,
    path: &str,
    temp: &Temp,
) -> Result<(), PackError> {
    let io = |e: io::Error| PackError::io(temp.path(), e);
    let mut file = temp.file()?;
    let size = file.seek(io::SeekFrom::End(0)).map_err(io)?;
    file.rewind().map_err(io)?;
    tar.append(path, size, &mut file).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_model::evidence::Timestamp;

    #[test]
    fn distinct_blobs_keep_ledger_order_and_drop_repeats() {
        let d = |b: u8| ContentHash::from_bytes([b; 32]);
        let row = |index: u64, digest: ContentHash, normalized: Option<ContentHash>| EvidenceRow {
            index,
            entry_hash: Hex([0; 32]),
            digest,
            normalized,
            size: 1,
            media_type: "application/json".into(),
            format: None,
            source: "s".into(),
            origin: "o".into(),
            observed: evident_model::evidence::ObservedPeriod {
                from: Timestamp::UNIX_EPOCH,
                to: Timestamp::UNIX_EPOCH,
            },
            collected_at: Timestamp::UNIX_EPOCH,
        };
        let rows = [
            row(0, d(2), Some(d(1))),
            row(1, d(1), None),
            row(2, d(3), Some(d(2))),
        ];
        assert_eq!(distinct_blobs(&rows), vec![d(2), d(1), d(3)]);
    }
}
