//! What the caller asks of a pack, and what a build produced.

use std::collections::HashSet;
use std::path::PathBuf;

use evident_model::evidence::Timestamp;

use crate::error::PackError;
use crate::layout;

/// What to put in a pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// The first instant of the audit period (inclusive).
    pub from: Timestamp,
    /// The last instant of the audit period (inclusive).
    pub to: Timestamp,
    /// When the pack is built: the caller's clock (recorded, and the
    /// members' modification time).
    pub generated_at: Timestamp,
    /// The reports rendered by the caller (SoA, check results, findings,
    /// OSCAL assessment results).
    pub documents: Vec<Document>,
    /// For each control, the evidence sources it takes evidence from.
    pub populations: Vec<ControlSources>,
    /// Draw a sample per control, when given.
    pub sample: Option<Sample>,
}

/// A document to include.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// Its path in the pack, under `documents/` (`reports/soa.xlsx`):
    /// `/`-separated components of ASCII letters, digits and `._-`.
    pub path: String,
    /// IANA media type.
    pub media_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A control and the sources it takes evidence from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlSources {
    /// The control's id.
    pub control: String,
    /// Its sources (`sources.yaml` names).
    pub sources: Vec<String>,
}

/// `--sample N --seed S`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Items per control (at least 1).
    pub size: usize,
    /// The seed.
    pub seed: u64,
}

/// What a build wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSummary {
    /// The pack's path.
    pub path: PathBuf,
    /// Its length in bytes.
    pub bytes: u64,
    /// Evidence items of the period.
    pub evidence_items: usize,
    /// Check results of the period.
    pub results: usize,
    /// Distinct blobs (artefacts and normalised documents).
    pub blobs: usize,
    /// Their bytes.
    pub blob_bytes: u64,
    /// Documents included.
    pub documents: usize,
    /// The size of the checkpoint the entries are proven against.
    pub checkpoint_size: u64,
    /// The store's public key, which the auditor checks the pack against.
    pub public_key: [u8; 32],
}

impl BuildOptions {
    /// Refuses options no pack can be built from.
    pub(crate) fn validate(&self) -> Result<(), PackError> {
        let refuse = |why: String| Err(PackError::Options(why));
        if self.from > self.to {
            return refuse(format!(
                "the period ends ({}) before it starts ({})",
                self.to, self.from
            ));
        }
        let mut paths = HashSet::new();
        for doc in &self.documents {
            if !layout::is_document_path(&doc.path) {
                return refuse(format!(
                    "document path `{}` is not a relative path of ASCII letters, digits and `._-` \
                     of at most {} bytes",
                    doc.path.escape_debug(),
                    layout::MAX_DOCUMENT_PATH
                ));
            }
            if !paths.insert(doc.path.as_str()) {
                return refuse(format!("document path `{}` is given twice", doc.path));
            }
        }
        let mut controls = HashSet::new();
        for p in &self.populations {
            if !controls.insert(p.control.as_str()) {
                return refuse(format!("control `{}` is given twice", p.control));
            }
        }
        if self.sample.is_some_and(|s| s.size == 0) {
            return refuse("the sample size must be at least 1".into());
        }
        Ok(())
    }
}
