//! The checks of `verify`, fed one member at a time and completed by
//! [`Checker::finish`] once every member has been read.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use ed25519_dalek::{Signature, VerifyingKey};
use evident_model::check::CheckResult;
use evident_model::evidence::EvidenceItem;
use evident_model::hash::ContentHash;
use evident_store::{KIND_EVIDENCE, KIND_RESULT, entry_hash, merkle, verify_inclusion};

use crate::entries::PackedEntry;
use crate::hex;
use crate::layout::{self, Member};
use crate::manifest::{self, EvidenceRow, Manifest, ResultRow};
use crate::period;
use crate::report::{Item, PackReport, Problem};
use crate::verify::archive::Stop;
use crate::verify::hashing::{self, Hashed};
use crate::verify::members::{self, HASH_BUFFER};
use crate::verify::populations;

/// The most problems listed in a report; the rest are only counted, in
/// one last problem, so that a small hostile pack cannot fill memory.
pub const MAX_PROBLEMS: usize = 1000;

/// Which manifest row a ledger index has.
#[derive(Clone, Copy, Debug)]
enum Row {
    Evidence(usize),
    Result(usize),
}

/// The state of a verification in progress.
pub struct Checker {
    trusted: Vec<[u8; 32]>,
    problems: Vec<Problem>,
    /// Problems found past [`MAX_PROBLEMS`].
    omitted: u64,
    manifest: Option<Manifest>,
    manifest_digest: Option<[u8; 32]>,
    manifest_signature: Option<[u8; 64]>,
    public_key_file: Option<[u8; 32]>,
    entries_read: bool,
    /// Each listed ledger index's row.
    rows: HashMap<u64, Row>,
    /// Whether each evidence / result row's entry was read.
    evidence_seen: Vec<bool>,
    results_seen: Vec<bool>,
    /// Blobs named by an entry body but not by its manifest row.
    body_blobs: Vec<(u64, ContentHash)>,
    /// The last entry read: its index and recorded hash.
    last_entry: Option<(u64, [u8; 32])>,
    entries: usize,
    /// Blobs whose content matches their name, with their sizes.
    good_blobs: HashMap<[u8; 32], u64>,
    /// Blobs whose content does not.
    bad_blobs: HashSet<[u8; 32]>,
    blob_bytes: u64,
    documents: HashMap<String, ([u8; 32], u64)>,
    buf: Vec<u8>,
}

impl Checker {
    /// A verification that trusts `trusted` keys (none: report the key).
    pub fn new(trusted: &[[u8; 32]]) -> Self {
        Self {
            trusted: trusted.to_vec(),
            problems: Vec::new(),
            omitted: 0,
            manifest: None,
            manifest_digest: None,
            manifest_signature: None,
            public_key_file: None,
            entries_read: false,
            rows: HashMap::new(),
            evidence_seen: Vec::new(),
            results_seen: Vec::new(),
            body_blobs: Vec::new(),
            last_entry: None,
            entries: 0,
            good_blobs: HashMap::new(),
            bad_blobs: HashSet::new(),
            blob_bytes: 0,
            documents: HashMap::new(),
            buf: vec![0; HASH_BUFFER],
        }
    }

    fn problem(&mut self, item: Item, issue: impl Into<String>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                item,
                issue: issue.into(),
            });
        } else {
            self.omitted = self.omitted.saturating_add(1);
        }
    }

    /// Reads and checks one member; small blobs go to `pool` to be hashed.
    pub fn member(
        &mut self,
        member: &Member,
        data: &mut dyn Read,
        size: u64,
        pool: &mut hashing::Pool<'_>,
    ) -> Result<(), Stop> {
        match member {
            Member::Manifest => {
                let (parsed, digest) = members::read_manifest(data, size)?;
                self.manifest_digest = Some(digest);
                match parsed {
                    Ok(m) => self.take_manifest(m),
                    Err(e) => self.problem(Item::Manifest, format!("cannot be read: {e}")),
                }
            }
            Member::ManifestSignature => match members::read_hex_line::<64>(data, size)? {
                Ok(sig) => self.manifest_signature = Some(sig),
                Err(e) => self.problem(Item::Member(layout::MANIFEST_SIGNATURE.into()), e),
            },
            Member::PublicKey => match members::read_hex_line::<32>(data, size)? {
                Ok(key) => self.public_key_file = Some(key),
                Err(e) => self.problem(Item::PublicKey, format!("{}: {e}", layout::PUBLIC_KEY)),
            },
            Member::Entries => {
                self.entries_read = true;
                members::for_each_line(data, size, |number, line| {
                    match serde_json::from_slice::<PackedEntry>(line) {
                        Ok(entry) => self.entry(&entry),
                        Err(e) => self.problem(Item::EntriesLine(number), e.to_string()),
                    }
                })?;
            }
            Member::Document(path) => {
                let digest = members::hash_member(data, size, &mut self.buf)?;
                self.documents.insert(path.clone(), (digest, size));
            }
            Member::Blob(name) if size <= hashing::POOLED_MAX => pool.add(*name, size, data)?,
            Member::Blob(name) => {
                let digest = members::hash_member(data, size, &mut self.buf)?;
                self.blob_hashed((*name, digest, size));
            }
        }
        Ok(())
    }

    /// Records a blob's hash: intact when it matches its name.
    pub fn blob_hashed(&mut self, (name, digest, size): Hashed) {
        self.blob_bytes += size;
        if digest == name {
            self.good_blobs.insert(digest, size);
        } else {
            self.bad_blobs.insert(name);
        }
    }

    /// Keeps the manifest and indexes its rows.
    fn take_manifest(&mut self, m: Manifest) {
        if m.format != manifest::FORMAT || m.format_version != manifest::FORMAT_VERSION {
            self.problem(
                Item::Manifest,
                format!(
                    "format `{}` version {} is not `{}` version {}",
                    m.format,
                    m.format_version,
                    manifest::FORMAT,
                    manifest::FORMAT_VERSION
                ),
            );
        }
        let mut duplicates = Vec::new();
        for (pos, row) in m.evidence.iter().enumerate() {
            if self.rows.insert(row.index, Row::Evidence(pos)).is_some() {
                duplicates.push(row.index);
            }
        }
        for (pos, row) in m.results.iter().enumerate() {
            if self.rows.insert(row.index, Row::Result(pos)).is_some() {
                duplicates.push(row.index);
            }
        }
        for index in duplicates {
            self.problem(Item::Entry(index), "listed twice in the manifest");
        }
        self.evidence_seen = vec![false; m.evidence.len()];
        self.results_seen = vec![false; m.results.len()];
        self.manifest = Some(m);
    }

    /// Checks one ledger entry: its hash, its link to the entry before it
    /// when that one is included, its inclusion proof, and its manifest row.
    fn entry(&mut self, e: &PackedEntry) {
        self.entries += 1;
        let index = e.index;
        let item = Item::Entry(index);
        if let Some((last, last_hash)) = self.last_entry {
            if index <= last {
                self.problem(
                    item.clone(),
                    format!("comes after entry {last}: out of order or repeated"),
                );
            } else if index == last + 1 && e.prev_hash.0 != last_hash {
                self.problem(item.clone(), "does not link to the entry before it");
            }
        }
        self.last_entry = Some((index, e.entry_hash.0));
        if entry_hash(index, &e.kind, e.body.as_bytes(), &e.prev_hash.0) != e.entry_hash.0 {
            self.problem(item.clone(), "its contents do not match its entry hash");
        }
        let Some(m) = &self.manifest else {
            return;
        };
        let cp = &m.checkpoint;
        let leaf = merkle::leaf_hash(&e.entry_hash.0);
        let proof: Vec<merkle::Hash> = e.proof.iter().map(|h| h.0).collect();
        let issue = if index >= cp.size {
            Some(format!(
                "is not covered by the checkpoint of size {}",
                cp.size
            ))
        } else if !verify_inclusion(&leaf, index, cp.size, &proof, &cp.root.0) {
            Some("its inclusion proof does not lead to the checkpoint's root".to_string())
        } else {
            None
        };
        let row = self.rows.get(&index).copied();
        let mismatch = match row {
            None => Some("is not listed in the manifest".to_string()),
            Some(Row::Evidence(pos)) => {
                self.evidence_seen[pos] = true;
                let row = &m.evidence[pos];
                let (mismatch, extra) = evidence_mismatch(row, e);
                for digest in extra {
                    self.body_blobs.push((index, digest));
                }
                mismatch
            }
            Some(Row::Result(pos)) => {
                self.results_seen[pos] = true;
                result_mismatch(&m.results[pos], e)
            }
        };
        if let Some(issue) = issue {
            self.problem(item.clone(), issue);
        }
        if let Some(mismatch) = mismatch {
            self.problem(item, mismatch);
        }
    }

    /// The checks that need every member: signatures, keys, completeness
    /// both ways, blobs, documents, populations and samples.
    pub fn finish(mut self) -> PackReport {
        let Some(m) = self.manifest.take() else {
            return self.report(None);
        };
        self.check_keys_and_signatures(&m);
        if !self.entries_read {
            self.problem(
                Item::Member(layout::ENTRIES.into()),
                "missing from the pack",
            );
        }
        if m.period.from > m.period.to {
            self.problem(Item::Manifest, "the period ends before it starts");
        }
        self.check_rows(&m);
        self.check_blobs(&m);
        self.check_documents(&m);
        for found in populations::check(&m) {
            self.problem(found.item, found.issue);
        }
        self.report(Some(&m))
    }

    fn check_keys_and_signatures(&mut self, m: &Manifest) {
        let key = m.public_key.0;
        if m.checkpoint.public_key.0 != key {
            self.problem(
                Item::PublicKey,
                format!(
                    "the checkpoint is signed by {}, not the manifest's key {}",
                    m.checkpoint.public_key, m.public_key
                ),
            );
        }
        match self.public_key_file {
            Some(file) if file != key => self.problem(
                Item::PublicKey,
                format!(
                    "{} holds {}, not the manifest's key {}",
                    layout::PUBLIC_KEY,
                    hex::encode(&file),
                    m.public_key
                ),
            ),
            Some(_) => {}
            None => self.problem(
                Item::Member(layout::PUBLIC_KEY.into()),
                "missing from the pack",
            ),
        }
        if !m.checkpoint.to_checkpoint().signature_is_valid() {
            self.problem(
                Item::Checkpoint,
                format!(
                    "its signature does not verify with the key {}",
                    m.checkpoint.public_key
                ),
            );
        }
        if !self.trusted.is_empty() && !self.trusted.contains(&m.checkpoint.public_key.0) {
            self.problem(
                Item::PublicKey,
                format!("{} is not one of the trusted keys", m.checkpoint.public_key),
            );
        }
        match (self.manifest_signature, self.manifest_digest) {
            (Some(sig), Some(digest)) => {
                let message = manifest::manifest_signature_message(&digest);
                let valid = VerifyingKey::from_bytes(&key).is_ok_and(|k| {
                    k.verify_strict(message.as_bytes(), &Signature::from_bytes(&sig))
                        .is_ok()
                });
                if !valid {
                    self.problem(
                        Item::Manifest,
                        format!(
                            "its signature does not verify with the key {}",
                            m.public_key
                        ),
                    );
                }
            }
            _ => self.problem(
                Item::Member(layout::MANIFEST_SIGNATURE.into()),
                "missing from the pack",
            ),
        }
    }

    /// Every row's entry was read, and every row belongs to the period.
    fn check_rows(&mut self, m: &Manifest) {
        for (row, seen) in m
            .evidence
            .iter()
            .zip(std::mem::take(&mut self.evidence_seen))
        {
            if !seen {
                self.problem(
                    Item::Entry(row.index),
                    "listed in the manifest but its entry is not in the pack",
                );
            }
            if !period::observes(&m.period, &row.observed) {
                self.problem(
                    Item::Entry(row.index),
                    "its observed period lies outside the audit period",
                );
            }
        }
        for (row, seen) in m.results.iter().zip(std::mem::take(&mut self.results_seen)) {
            if !seen {
                self.problem(
                    Item::Entry(row.index),
                    "listed in the manifest but its entry is not in the pack",
                );
            }
            if !period::evaluated_in(&m.period, row.evaluated_at) {
                self.problem(
                    Item::Entry(row.index),
                    "it was evaluated outside the audit period",
                );
            }
        }
    }

    /// Every blob a row or an entry names is present and intact, the
    /// artefact has the size recorded, and no blob is unlisted.
    fn check_blobs(&mut self, m: &Manifest) {
        let mut named = HashSet::with_capacity(m.evidence.len() * 2);
        let rows = m.evidence.iter().flat_map(|row| {
            std::iter::once((row.index, &row.digest, Some(row.size)))
                .chain(row.normalized.iter().map(|n| (row.index, n, None)))
        });
        let body_blobs = std::mem::take(&mut self.body_blobs);
        let bodies = body_blobs
            .iter()
            .map(|(index, digest)| (*index, digest, None));
        for (index, digest, size) in rows.chain(bodies) {
            let bytes = digest.bytes();
            named.insert(bytes);
            let item = || Item::Blob {
                path: layout::blob_path_of(digest),
                index: Some(index),
            };
            if self.bad_blobs.contains(&bytes) {
                self.problem(item(), "its content does not match its digest");
            } else {
                match self.good_blobs.get(&bytes) {
                    None => self.problem(item(), "missing from the pack"),
                    Some(&actual) if size.is_some_and(|s| s != actual) => self.problem(
                        item(),
                        format!(
                            "has {actual} bytes, the entry records {}",
                            size.unwrap_or(0)
                        ),
                    ),
                    Some(_) => {}
                }
            }
        }
        let mut unlisted: Vec<[u8; 32]> = self
            .good_blobs
            .keys()
            .chain(self.bad_blobs.iter())
            .filter(|d| !named.contains(*d))
            .copied()
            .collect();
        unlisted.sort_unstable();
        for digest in unlisted {
            self.problem(
                Item::Blob {
                    path: layout::blob_path(&digest),
                    index: None,
                },
                "not named by any evidence item of the manifest",
            );
        }
    }

    /// Every listed document is present with its digest and size; no
    /// document is unlisted.
    fn check_documents(&mut self, m: &Manifest) {
        let mut found = std::mem::take(&mut self.documents);
        for row in &m.documents {
            let item = Item::Document(row.path.clone());
            match found.remove(&row.path) {
                None => self.problem(item, "missing from the pack"),
                Some((digest, size)) => {
                    if digest != row.sha256.bytes() || size != row.size {
                        self.problem(
                            item,
                            format!(
                                "its content ({size} bytes, {}) is not the one listed ({} bytes, {})",
                                ContentHash::from_bytes(digest),
                                row.size,
                                row.sha256
                            ),
                        );
                    }
                }
            }
        }
        let mut unlisted: Vec<String> = found.into_keys().collect();
        unlisted.sort();
        for path in unlisted {
            self.problem(Item::Document(path), "not listed in the manifest");
        }
    }

    fn report(mut self, m: Option<&Manifest>) -> PackReport {
        if self.omitted > 0 {
            self.problems.push(Problem {
                item: Item::Report,
                issue: format!("and {} more problems not listed", self.omitted),
            });
        }
        PackReport {
            refused: None,
            problems: self.problems,
            public_key: m.map(|m| m.checkpoint.public_key.0),
            key_trusted: m
                .filter(|_| !self.trusted.is_empty())
                .map(|m| self.trusted.contains(&m.checkpoint.public_key.0)),
            period: m.map(|m| (m.period.from, m.period.to)),
            checkpoint_size: m.map(|m| m.checkpoint.size),
            evidence_items: m.map_or(0, |m| m.evidence.len()),
            results: m.map_or(0, |m| m.results.len()),
            entries: self.entries,
            blobs: self.good_blobs.len() + self.bad_blobs.len(),
            blob_bytes: self.blob_bytes,
            documents: m.map_or(0, |m| m.documents.len()),
        }
    }

    /// The report of a pack refused part-way: the problems found so far.
    pub fn refused(mut self) -> PackReport {
        let m = self.manifest.take();
        self.report(m.as_ref())
    }
}

/// How an evidence entry disagrees with its manifest row, and the blobs its
/// body names that the row does not.
fn evidence_mismatch(row: &EvidenceRow, e: &PackedEntry) -> (Option<String>, Vec<ContentHash>) {
    if e.kind != KIND_EVIDENCE {
        return (
            Some(format!("is a `{}` entry, listed as evidence", e.kind)),
            Vec::new(),
        );
    }
    let item: EvidenceItem = match serde_json::from_str(&e.body) {
        Ok(item) => item,
        Err(err) => {
            return (
                Some(format!("its body is not an evidence item: {err}")),
                Vec::new(),
            );
        }
    };
    let mut extra = Vec::new();
    if item.digest != row.digest {
        extra.push(item.digest.clone());
    }
    if let Some(n) = &item.normalized
        && row.normalized.as_ref() != Some(n)
    {
        extra.push(n.clone());
    }
    let fields = [
        ("entry_hash", row.entry_hash != e.entry_hash),
        ("digest", item.digest != row.digest),
        ("normalized", item.normalized != row.normalized),
        ("size", item.size != row.size),
        ("media_type", item.media_type != row.media_type),
        ("format", item.format != row.format),
        ("source", item.provenance.source != row.source),
        ("origin", item.provenance.origin != row.origin),
        ("observed", item.observed != row.observed),
        ("collected_at", item.collected_at != row.collected_at),
    ];
    (differing(&fields), extra)
}

/// How a result entry disagrees with its manifest row.
fn result_mismatch(row: &ResultRow, e: &PackedEntry) -> Option<String> {
    if e.kind != KIND_RESULT {
        return Some(format!("is a `{}` entry, listed as a check result", e.kind));
    }
    let result: CheckResult = match serde_json::from_str(&e.body) {
        Ok(result) => result,
        Err(err) => return Some(format!("its body is not a check result: {err}")),
    };
    let fields = [
        ("entry_hash", row.entry_hash != e.entry_hash),
        ("check", result.check != row.check),
        ("source", result.source != row.source),
        ("outcome", result.outcome != row.outcome),
        ("evaluated_at", result.evaluated_at != row.evaluated_at),
    ];
    differing(&fields)
}

/// "the manifest row differs from the entry in: a, b", if any differ.
fn differing(fields: &[(&str, bool)]) -> Option<String> {
    let names: Vec<&str> = fields.iter().filter(|(_, d)| *d).map(|(n, _)| *n).collect();
    (!names.is_empty()).then(|| {
        format!(
            "its manifest row differs from the entry in: {}",
            names.join(", ")
        )
    })
}
