//! The framework file format: one format for the built-in frameworks and
//! for frameworks users add to their ISMS repository (`frameworks/*.yaml`).
//!
//! ```yaml
//! framework:
//!   id: acme-secure-sdlc
//!   title: Acme secure development standard
//!   version: "3"
//! requirements:
//!   - { id: SDLC, title: Secure development, kind: group, assessable: false }
//!   - { id: SDLC-1, title: Peer review, kind: control, parent: SDLC, assessable: true }
//! mappings:
//!   - { source: SDLC-1, target: "iso27001-2022:A.8.32", relationship: subset }
//! ```

use std::collections::HashSet;
use std::sync::Arc;

use evident_model::framework::{Framework, Mapping, Relationship, Requirement, RequirementRef};
use evident_model::{Diagnostic, Location};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::yaml;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    framework: Header,
    requirements: Vec<Spanned<Requirement>>,
    #[serde(default)]
    mappings: Vec<Spanned<RawMapping>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    id: Spanned<String>,
    title: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    source: String,
    target: String,
    relationship: Relationship,
}

/// Reads a framework file. Every problem is reported (duplicate ids,
/// unknown parents, mappings from requirements the file does not define),
/// not only the first.
pub fn parse(file: &Arc<str>, text: &str) -> Result<Framework, Vec<Diagnostic>> {
    let raw: FrameworkFile = yaml::parse(file, text).map_err(|d| vec![d])?;
    let at = |line: u64, column: u64| {
        Location::new(file.clone(), yaml::clamp(line), yaml::clamp(column))
    };
    let mut diagnostics = Vec::new();
    let id = raw.framework.id.value.trim().to_string();
    if id.is_empty() || id.contains(':') || id.contains(char::is_whitespace) {
        diagnostics.push(Diagnostic::new(
            "invalid-value",
            at(
                raw.framework.id.referenced.line(),
                raw.framework.id.referenced.column(),
            ),
            format!(
                "expected a framework id without spaces or colons, found `{}`",
                raw.framework.id.value
            ),
        ));
    }

    let mut seen = HashSet::new();
    for r in &raw.requirements {
        if !seen.insert(r.value.id.as_str()) {
            diagnostics.push(Diagnostic::new(
                "duplicate-id",
                at(r.referenced.line(), r.referenced.column()),
                format!("requirement `{}` is defined more than once", r.value.id),
            ));
        }
    }
    for r in &raw.requirements {
        if let Some(parent) = r.value.parent.as_deref().filter(|p| !seen.contains(p)) {
            diagnostics.push(Diagnostic::new(
                "dangling-reference",
                at(r.referenced.line(), r.referenced.column()),
                format!(
                    "requirement `{}` names parent `{parent}`, which this file does not define",
                    r.value.id
                ),
            ));
        }
    }
    let mut mappings = Vec::with_capacity(raw.mappings.len());
    for m in &raw.mappings {
        let source = m.value.source.trim();
        if !seen.contains(source) {
            diagnostics.push(Diagnostic::new(
                "dangling-reference",
                at(m.referenced.line(), m.referenced.column()),
                format!("mapping source `{source}` is not a requirement of `{id}`"),
            ));
        }
        let target = RequirementRef::parse(&m.value.target, &id);
        mappings.push(Mapping {
            source: RequirementRef {
                framework: id.clone(),
                id: source.to_string(),
            },
            target,
            relationship: m.value.relationship,
        });
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let requirements = raw.requirements.into_iter().map(|r| r.value).collect();
    Ok(Framework::new(
        id,
        raw.framework.title,
        raw.framework.version,
        requirements,
        mappings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[&str]) {
        let file: Arc<str> = "frameworks/x.yaml".into();
        let got: Vec<String> = match parse(&file, text) {
            Ok(f) => vec![format!(
                "ok {} {} {}",
                f.id,
                f.requirements.len(),
                f.mappings.len()
            )],
            Err(ds) => ds
                .iter()
                .map(|d| {
                    format!(
                        "{}:{} {} {}",
                        d.location.line, d.location.column, d.code, d.message
                    )
                })
                .collect(),
        };
        assert_eq!(got, expected);
    }

    #[test]
    fn reads_and_validates() {
        check(
            "framework: {id: acme, title: A, version: '1'}\nrequirements:\n  - {id: G, title: g, kind: group, assessable: false}\n  - {id: G-1, title: g1, kind: control, parent: G, assessable: true}\nmappings:\n  - {source: G-1, target: 'iso27001-2022:A.8.5', relationship: subset}\n",
            &["ok acme 2 1"],
        );
        check(
            "framework: {id: acme, title: A, version: '1'}\nrequirements:\n  - {id: G, title: g, kind: group, assessable: false}\n  - {id: G, title: g, kind: group, parent: H, assessable: false}\nmappings:\n  - {source: Z, target: 'A.8.5', relationship: equal}\n",
            &[
                "4:5 duplicate-id requirement `G` is defined more than once",
                "4:5 dangling-reference requirement `G` names parent `H`, which this file does not define",
                "6:5 dangling-reference mapping source `Z` is not a requirement of `acme`",
            ],
        );
        check(
            "framework: {id: acme, title: A, version: '1'}\nrequirements:\n  - {id: G, title: g, kind: chapter, assessable: false}\n",
            &[
                "3:29 invalid-yaml unknown variant `chapter`, expected one of clause, group, control",
            ],
        );
    }
}
