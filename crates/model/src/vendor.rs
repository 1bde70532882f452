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

    /// Whether the organisation may rely on it on `at`: valid, and reviewed
    /// by someone by then. An unreviewed report validates nothing.
    pub fn relied_on(&self, at: Date) -> bool {
        self.valid_on(at)
            && self.reviewed_by.is_some()
            && self.reviewed_on.is_none_or(|reviewed| reviewed <= at)
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

impl Vendor {
    /// The assurance document the organisation relies on at `at`: of those
    /// valid and reviewed by then, the one that lasts longest (then the
    /// latest issued). The one rule the readiness analysis, the SoA and the
    /// SSP share.
    pub fn relied_assurance(&self, at: Date) -> Option<&AssuranceDocument> {
        self.assurance
            .iter()
            .filter(|d| d.relied_on(at))
            .max_by_key(|d| (d.expires, d.issued))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn document(reviewed_on: Option<&str>) -> AssuranceDocument {
        AssuranceDocument {
            kind: AssuranceKind::Soc2Type2,
            scope: "all services".into(),
            issued: "2026-01-01".parse().unwrap(),
            expires: "2026-12-31".parse().unwrap(),
            document: None,
            reviewed_by: reviewed_on.map(|_| crate::Reference {
                id: "marcus".into(),
                at: Location::file_start(Arc::from("vendors.yaml")),
            }),
            reviewed_on: reviewed_on.map(|d| d.parse().unwrap()),
            location: Location::file_start(Arc::from("vendors.yaml")),
        }
    }

    #[test]
    fn a_report_is_relied_on_while_valid_and_once_reviewed() {
        let day = |d: &str| -> Date { d.parse().unwrap() };
        let reviewed = document(Some("2026-02-01"));
        assert!(!reviewed.relied_on(day("2026-01-31")), "not reviewed yet");
        assert!(reviewed.relied_on(day("2026-02-01")));
        assert!(reviewed.relied_on(day("2026-12-31")));
        assert!(!reviewed.relied_on(day("2027-01-01")), "expired");
        assert!(
            !document(None).relied_on(day("2026-06-01")),
            "never reviewed"
        );
        assert!(document(None).valid_on(day("2026-06-01")));
    }
}
