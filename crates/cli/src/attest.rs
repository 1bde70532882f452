//! `evident attest …` (DSSE envelopes of evidence items and check results)
//! and `evident verify PACK`.

use std::path::Path;

use anyhow::{Context as _, bail};
use evident_store::{KIND_RESULT, Store};

use crate::commands::write_out;
use crate::evidence::{open_store, runtime};

/// The store as an attestation signer: attestations are signed with the
/// key that signs the ledger's checkpoints, so one published public key
/// verifies both.
struct StoreSigner<'a>(&'a Store);

impl evident_attest::Signer for StoreSigner<'_> {
    fn public_key(&self) -> [u8; 32] {
        self.0.public_key()
    }

    fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign_bytes(message)
    }
}

/// Opens the store, runs `f` on it, closes it.
fn with_store<T>(
    dir: &Path,
    database_url: Option<&str>,
    f: impl AsyncFnOnce(&Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    crate::evaluate::require_store(dir, database_url)?;
    let rt = runtime()?;
    let store = open_store(&rt, dir, database_url)?;
    let out = rt.block_on(f(&store));
    rt.block_on(store.close());
    out
}

/// Makes a statement from what the store holds, signs it with the store's
/// key and writes the envelope: what every `attest` of a subject does.
fn attest(
    dir: &Path,
    database_url: Option<&str>,
    output: Option<&Path>,
    statement: impl AsyncFnOnce(&Store) -> anyhow::Result<evident_attest::Statement>,
) -> anyhow::Result<u8> {
    let envelope = with_store(dir, database_url, async |store| {
        let statement = statement(store).await?;
        Ok(evident_attest::sign(&statement, &StoreSigner(store))?)
    })?;
    let mut bytes = envelope.to_json()?;
    bytes.push(b'\n');
    crate::commands::write_bytes(output, &bytes)?;
    Ok(0)
}

/// `evident attest evidence INDEX`.
pub fn evidence(
    dir: &Path,
    index: u64,
    output: Option<&Path>,
    database_url: Option<&str>,
) -> anyhow::Result<u8> {
    attest(dir, database_url, output, async |store| {
        let Some(stored) = store.evidence_at(index).await? else {
            bail!("entry {index} is not an evidence item");
        };
        let mut artefact = Vec::new();
        std::io::Read::read_to_end(
            &mut store
                .open_blob(&stored.item.digest)
                .with_context(|| format!("cannot read the artefact of entry {index}"))?,
            &mut artefact,
        )?;
        Ok(evident_attest::evidence_statement(
            &stored.item,
            index,
            &artefact,
        )?)
    })
}

/// `evident attest result INDEX`.
pub fn result(
    dir: &Path,
    index: u64,
    output: Option<&Path>,
    database_url: Option<&str>,
) -> anyhow::Result<u8> {
    attest(dir, database_url, output, async |store| {
        let entry = store.entry(index).await?;
        let Some(entry) = entry.filter(|e| e.kind == KIND_RESULT) else {
            bail!("entry {index} is not a check result");
        };
        let result: evident_model::check::CheckResult = serde_json::from_slice(&entry.body)
            .with_context(|| format!("entry {index} is not a readable check result"))?;
        Ok(evident_attest::result_statement(&result, index)?)
    })
}

/// `evident attest file FILE.json`: trestle's statement for a JSON file,
/// named by its file name (what `trestle verify -f` expects by default).
pub fn file(
    dir: &Path,
    file: &Path,
    output: Option<&Path>,
    database_url: Option<&str>,
) -> anyhow::Result<u8> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let statement = evident_attest::file_statement(&name, &bytes)?;
    attest(dir, database_url, output, async |_| Ok(statement))
}

/// `evident attest key`.
pub fn key(dir: &Path, database_url: Option<&str>) -> anyhow::Result<u8> {
    let key = with_store(dir, database_url, async |store| Ok(store.public_key()))?;
    write_out(None, &evident_attest::public_key_to_pem(&key)?)?;
    Ok(0)
}

/// `evident attest verify ENVELOPE --file FILE --public-key PEM`.
pub fn verify(
    envelope: &Path,
    file: &Path,
    public_key: &Path,
    subject_name: Option<&str>,
) -> anyhow::Result<u8> {
    let read = |p: &Path| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    let envelope_bytes = read(envelope)?;
    let artefact = read(file)?;
    let pem = String::from_utf8(read(public_key)?)
        .with_context(|| format!("{} is not a PEM file", public_key.display()))?;
    let key = evident_attest::public_key_from_pem(&pem)
        .with_context(|| format!("cannot read the public key {}", public_key.display()))?;
    let name = match subject_name {
        Some(n) => n.to_string(),
        None => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let verdict = evident_attest::verify(&envelope_bytes, &key).and_then(|v| {
        evident_attest::verify_subject(&v.statement, &name, &artefact)?;
        Ok(v)
    });
    match verdict {
        Ok(v) => {
            write_out(
                None,
                &format!(
                    "verified: {} is the subject `{name}` of a {} statement signed by key {}\n",
                    file.display(),
                    v.statement.predicate_type,
                    v.keyid,
                ),
            )?;
            Ok(0)
        }
        Err(e) => {
            write_out(None, &format!("NOT VERIFIED: {e}\n"))?;
            Ok(1)
        }
    }
}

/// `evident verify PACK`: offline, without the store.
pub fn verify_pack(pack: &Path, trusted_keys: &[String]) -> anyhow::Result<u8> {
    let mut trusted = Vec::with_capacity(trusted_keys.len());
    for text in trusted_keys {
        let key = evident_model::hex::decode_any_case::<32>(text.trim())
            .with_context(|| format!("--trusted-key {text}: expected 64 hex digits"))?;
        trusted.push(key);
    }
    let report = evident_pack::verify(pack, &trusted)
        .with_context(|| format!("cannot read the audit pack {}", pack.display()))?;
    let mut text = String::new();
    if let Some(refusal) = &report.refused {
        text.push_str(&format!("REFUSED: {refusal}\n"));
    }
    for problem in &report.problems {
        text.push_str(&format!("TAMPERED: {problem}\n"));
    }
    let key = report.public_key_hex().unwrap_or_else(|| "unknown".into());
    let key_note = match report.key_trusted {
        Some(true) => "a trusted key".to_string(),
        Some(false) => "NOT a trusted key".to_string(),
        None => "compare it with the key the organisation publishes".to_string(),
    };
    text.push_str(&format!(
        "{}: {} evidence items, {} results, {} ledger entries with inclusion proofs, {} blobs ({} bytes), {} documents; checkpoint of {} entries; signed by {key} ({key_note})\n",
        if report.is_intact() { "intact" } else { "NOT INTACT" },
        report.evidence_items,
        report.results,
        report.entries,
        report.blobs,
        report.blob_bytes,
        report.documents,
        report.checkpoint_size.map_or_else(|| "?".into(), |n| n.to_string()),
    ));
    write_out(None, &text)?;
    Ok(if report.is_intact() { 0 } else { 1 })
}
