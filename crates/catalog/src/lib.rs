//! The catalog: the frameworks evident knows, and the typed mappings between
//! their requirements.
//!
//! Built in (embedded in the binary, generated from the reference data in
//! `data/`): ISO/IEC 27001:2022 (clauses 4–10 and the 93 Annex A controls),
//! ISO/IEC 27001:2013 Annex A with its correspondence to 2022, NIST CSF 2.0
//! and NIST SP 800-53 r5, each with NIST's mappings to ISO 27001:2022. Users
//! add frameworks in the same [file format](file).
//!
//! Architecture invariant: the catalog reads no files; callers hand it text.

#![deny(missing_docs)]

pub mod file;
pub mod yaml;

#[cfg(test)]
mod generate;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use evident_model::Diagnostic;
use evident_model::framework::{Framework, Mapping, Requirement, RequirementRef};

/// The embedded framework files: (file name, text).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "iso27001-2022.yaml",
        include_str!("../frameworks/iso27001-2022.yaml"),
    ),
    (
        "iso27001-2013.yaml",
        include_str!("../frameworks/iso27001-2013.yaml"),
    ),
    (
        "nist-csf-2.0.yaml",
        include_str!("../frameworks/nist-csf-2.0.yaml"),
    ),
    (
        "nist-sp-800-53-r5.yaml",
        include_str!("../frameworks/nist-sp-800-53-r5.yaml"),
    ),
];

/// A mapping seen from one of its ends.
#[derive(Clone, Copy, Debug)]
pub struct Related<'a> {
    /// The requirement at the other end.
    pub other: &'a RequirementRef,
    /// The relation from the asked requirement's side (a `subset` mapping
    /// read from its target is a `superset`).
    pub relationship: evident_model::framework::Relationship,
}

/// A set of frameworks with their mappings, indexed both ways.
#[derive(Debug)]
pub struct Catalog {
    frameworks: Vec<Arc<Framework>>,
    by_id: HashMap<String, usize>,
    related: HashMap<RequirementRef, Vec<(RequirementRef, evident_model::framework::Relationship)>>,
}

impl Catalog {
    /// The built-in frameworks. Parsed once per process.
    pub fn builtin() -> Catalog {
        Catalog::from_frameworks(builtin_frameworks().to_vec())
    }

    /// The built-in frameworks plus the user's own. A user framework with
    /// the id of a built-in one replaces it.
    pub fn with_user_frameworks(user: &[Framework]) -> Catalog {
        let mut all: Vec<Arc<Framework>> = builtin_frameworks()
            .iter()
            .filter(|b| !user.iter().any(|u| u.id == b.id))
            .cloned()
            .collect();
        all.extend(user.iter().cloned().map(Arc::new));
        Catalog::from_frameworks(all)
    }

    fn from_frameworks(frameworks: Vec<Arc<Framework>>) -> Catalog {
        let by_id = frameworks
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i))
            .collect();
        let mut related: HashMap<_, Vec<_>> = HashMap::new();
        for m in frameworks.iter().flat_map(|f| f.mappings.iter()) {
            related
                .entry(m.source.clone())
                .or_default()
                .push((m.target.clone(), m.relationship));
            related
                .entry(m.target.clone())
                .or_default()
                .push((m.source.clone(), m.relationship.inverse()));
        }
        Catalog {
            frameworks,
            by_id,
            related,
        }
    }

    /// All frameworks, built-in first.
    pub fn frameworks(&self) -> impl Iterator<Item = &Framework> {
        self.frameworks.iter().map(|f| f.as_ref())
    }

    /// The framework with this id.
    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.by_id.get(id).map(|&i| self.frameworks[i].as_ref())
    }

    /// The requirement a reference names, if any framework defines it.
    pub fn requirement(&self, r: &RequirementRef) -> Option<&Requirement> {
        self.framework(&r.framework)?.requirement(&r.id)
    }

    /// Every mapping touching a requirement, from its side, in file order.
    pub fn related(&self, r: &RequirementRef) -> impl Iterator<Item = Related<'_>> {
        self.related
            .get(r)
            .into_iter()
            .flatten()
            .map(|(other, relationship)| Related {
                other,
                relationship: *relationship,
            })
    }

    /// All mappings of all frameworks.
    pub fn mappings(&self) -> impl Iterator<Item = &Mapping> {
        self.frameworks.iter().flat_map(|f| f.mappings.iter())
    }
}

fn builtin_frameworks() -> &'static [Arc<Framework>] {
    static BUILTIN: OnceLock<Vec<Arc<Framework>>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        BUILTIN_FILES
            .iter()
            .map(|(name, text)| {
                let file: Arc<str> = format!("<built-in>/{name}").into();
                match file::parse(&file, text) {
                    Ok(f) => Arc::new(f),
                    // The embedded files are checked by this crate's tests;
                    // reaching this is a build defect, not a user error.
                    Err(e) => panic!("built-in framework {name} is invalid: {}", render(&e)),
                }
            })
            .collect()
    })
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_model::framework::{ISO27001_2022, Relationship, RequirementKind};

    fn iso(id: &str) -> RequirementRef {
        RequirementRef::parse(id, ISO27001_2022)
    }

    #[test]
    fn iso_27001_2022_has_the_published_shape() {
        let catalog = Catalog::builtin();
        let iso = catalog.framework(ISO27001_2022).unwrap();
        let clauses = iso
            .requirements
            .iter()
            .filter(|r| r.kind == RequirementKind::Clause)
            .count();
        assert_eq!(clauses, 41);
        let annex: Vec<_> = iso.requirements.iter().filter(|r| r.is_annex_a()).collect();
        assert_eq!(annex.len(), 93);
        for (theme, n) in [
            ("organizational", 37),
            ("people", 8),
            ("physical", 14),
            ("technological", 34),
        ] {
            assert_eq!(
                annex
                    .iter()
                    .filter(|r| r.theme.as_deref() == Some(theme))
                    .count(),
                n,
                "{theme}"
            );
        }
        let a85 = iso.requirement("A.8.5").unwrap();
        assert_eq!(a85.title, "Secure authentication");
        assert_eq!(iso.ancestors("A.8.5")[0].id, "A.8");
        assert!(!iso.requirement("6.1").unwrap().assessable);
        assert!(iso.requirement("6.1.3").unwrap().assessable);
    }

    #[test]
    fn mappings_are_typed_and_read_both_ways() {
        let catalog = Catalog::builtin();
        let old = RequirementRef::parse("iso27001-2013:A.6.1.2", ISO27001_2022);
        let to_new: Vec<_> = catalog
            .related(&old)
            .map(|r| (r.other.to_string(), r.relationship))
            .collect();
        assert_eq!(
            to_new,
            [("iso27001-2022:A.5.3".to_string(), Relationship::Equal)]
        );

        let from_csf: Vec<_> = catalog
            .related(&iso("A.5.3"))
            .map(|r| r.other.framework.clone())
            .collect();
        assert!(from_csf.iter().any(|f| f == "iso27001-2013"));
        assert!(from_csf.iter().any(|f| f == "nist-sp-800-53-r5"));
        assert!(
            catalog
                .related(&RequirementRef::parse(
                    "nist-csf-2.0:GV.OC-01",
                    ISO27001_2022
                ))
                .all(|r| r.relationship == Relationship::Intersect)
        );
        assert_eq!(
            catalog
                .framework("nist-sp-800-53-r5")
                .unwrap()
                .requirement("AC-2(1)")
                .unwrap()
                .parent
                .as_deref(),
            Some("AC-2")
        );
    }

    #[test]
    fn user_frameworks_load_beside_the_builtin_ones() {
        let file: Arc<str> = "frameworks/acme.yaml".into();
        let user = file::parse(
            &file,
            "framework: {id: acme, title: A, version: '1'}\nrequirements:\n  - {id: S-1, title: Review, kind: control, assessable: true}\nmappings:\n  - {source: S-1, target: 'iso27001-2022:A.8.32', relationship: subset}\n",
        )
        .unwrap();
        let catalog = Catalog::with_user_frameworks(&[user]);
        assert!(catalog.framework("acme").is_some());
        let back: Vec<_> = catalog
            .related(&iso("A.8.32"))
            .filter(|r| r.other.framework == "acme")
            .map(|r| r.relationship)
            .collect();
        assert_eq!(back, [Relationship::Superset]);
    }
}
