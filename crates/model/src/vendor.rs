//! Vendors: suppliers whose controls the organisation inherits or shares.

use serde::Serialize;

use crate::framework::RequirementRef;
use crate::time::Date;
use crate::{Location, Reference};

/// A kind of assurance document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssuranceKind {
    /// SOC 2 Type II report.
    Soc2Type2,
    /// SOC 2 Type I report.
    Soc2Type1,
    /// ISO/IEC 27001 certificate.
    Iso27001Certificate,
    /// ISO/IEC 27017 / 27018 certificate.
    Iso27017Certificate,
    /// PCI DSS attestation of compliance.
    PciDssAoc,
    /// An independent penetration test report.
    PentestReport,
    /// A completed security questionnaire (CAIQ, SIG …).
    Questionnaire,
    /// Anything else, described in `scope`.
    Other,
}

/// One assurance document of a vendor, with its validity.
#[derive(Clone, Debug)]
pub struct AssuranceDocument {
    /// What kind of document.
    pub kind: AssuranceKind,
    /// What it covers (services, regions, trust criteria).
    pub scope: String,
    /// Issued or period start.
    pub issued: Date,
    /// Valid until (the date after which it no longer gives assurance).
    pub expires: Date,
    /// Where the document is kept (path in the repo or a URL).
    pub document: Option<String>,
    /// Who reviewed it for the organisation; an unreviewed report validates
    /// nothing.
    pub reviewed_by: Option<Reference>,
    /// When it was reviewed.
    pub reviewed_on: Option<Date>,
    /// Where it is defined.
    pub location: Location,
}

impl AssuranceDocument {
    /// Whether the document is valid on `at`.
    pub fn valid_on(&self, at: Date) -> bool {
        self.issued <= at && at <= self.expires
    }
}

/// A supplier.
#[derive(Clone, Debug)]
pub struct Vendor {
    /// Stable identifier (`aws`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The services used.
    pub services: Vec<String>,
    /// Who manages the relationship.
    pub owner: Option<Reference>,
    /// Assurance documents, newest last.
    pub assurance: Vec<AssuranceDocument>,
    /// The responsibility boundary in words: what the vendor runs and what
    /// remains the organisation's.
    pub boundary: Option<String>,
    /// Requirements the vendor covers for the organisation.
    pub covers: Vec<(RequirementRef, Location)>,
    /// Where it is defined.
    pub location: Location,
}
