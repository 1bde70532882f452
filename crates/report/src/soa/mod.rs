//! The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d): one row per
//! Annex A control with the SoA's decision and justification, the controls
//! implementing it, who runs and owns them, and the implementation status
//! derived from the evidence — never typed in.
//!
//! A signed-off SoA must be recognisable, so the report carries the SoA's
//! version, its content hash (the hash `evident approve soa` binds a
//! decision to), the approval that covers it, and a `report_hash` over
//! everything it shows except the instant it was made for: two renderings
//! of the same SoA state have the same `report_hash`.
//!
//! [`build`] assembles the report; [`xlsx`], [`csv`], [`html`],
//! [`markdown`] and [`json`] render it.

mod approval;
mod cells;
mod csv;
mod html;
mod json;
mod markdown;
mod row;
mod summary;
mod table;
mod xlsx;

#[cfg(test)]
mod tests;

use std::fmt;

use serde::Serialize;

use evident_model::evidence::Timestamp;
use evident_model::framework::ISO27001_2022;
use evident_model::hash::ContentHash;

pub use self::approval::{Approval, Signoff};
pub use self::cells::{COLUMNS, cells};
pub use self::csv::csv;
pub use self::html::html;
pub use self::json::json;
pub use self::markdown::markdown;
pub use self::row::{
    Assurance, AssuranceState, Decided, EvidenceRef, Implementation, OwnerName, Provider,
    Responsibility, RowStatus, SoaRow,
};
pub use self::summary::{StatusCounts, Summary, ThemeSummary};
pub use self::xlsx::xlsx;
use crate::Inputs;

/// The facts about the SoA as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SoaHeader {
    /// The organisation's name.
    pub organisation: String,
    /// The framework the rows come from (`iso27001-2022`).
    pub framework: String,
    /// The organisation's version label of the SoA (`soa.yaml` `version`).
    pub version: Option<String>,
    /// The SoA's content hash, as decisions bind to it.
    pub soa_hash: ContentHash,
    /// Whether a decision covers the SoA as it is.
    pub approval: Approval,
}

/// The Statement of Applicability as of an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoaReport {
    /// Version, hash and approval.
    pub header: SoaHeader,
    /// One row per Annex A control, in catalog order.
    pub rows: Vec<SoaRow>,
    /// The rows counted by theme.
    pub summary: Summary,
    /// The instant the statuses are derived at.
    pub at: Timestamp,
    /// sha256 over the RFC 8785 canonical JSON of the header and rows.
    pub report_hash: ContentHash,
}

impl SoaReport {
    /// The hash of what the report shows: header and rows, not the instant
    /// (the summary follows from the rows). Recompute it after changing a
    /// report by hand.
    pub fn content_hash(header: &SoaHeader, rows: &[SoaRow]) -> ContentHash {
        #[derive(Serialize)]
        struct Hashed<'a> {
            header: &'a SoaHeader,
            rows: &'a [SoaRow],
        }
        ContentHash::of_json(&Hashed { header, rows })
    }
}

/// Builds the Statement of Applicability from the ISMS, the catalog and
/// the evidence, as of `inputs.at`.
pub fn build(inputs: &Inputs) -> SoaReport {
    let isms = inputs.isms;
    let soa_hash = evident_model::hash::soa(&isms.soa);
    let header = SoaHeader {
        organisation: isms.organisation.name.clone(),
        framework: ISO27001_2022.to_string(),
        version: isms.soa.version.clone(),
        approval: approval::find(isms, &soa_hash, evident_model::time::date_of(inputs.at)),
        soa_hash,
    };
    let rows = table::rows(inputs);
    SoaReport {
        report_hash: SoaReport::content_hash(&header, &rows),
        summary: summary::by_theme(&rows),
        header,
        rows,
        at: inputs.at,
    }
}

/// Why the workbook could not be written.
#[derive(Debug)]
pub struct SoaError(rust_xlsxwriter::XlsxError);

impl fmt::Display for SoaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write the SoA workbook: {}", self.0)
    }
}

impl std::error::Error for SoaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<rust_xlsxwriter::XlsxError> for SoaError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Self(e)
    }
}
