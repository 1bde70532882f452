//! `evident init`: a minimal valid ISMS repository, or the bundled example
//! organisation.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

static EXAMPLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../examples/acme");

/// Why scaffolding failed.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The folder already holds an ISMS.
    #[error("{0} already contains evident.yaml; refusing to overwrite it")]
    Exists(PathBuf),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Which repository to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// The smallest repository that reads cleanly.
    Minimal,
    /// The bundled example organisation (Acme Cloud Ltd).
    Example,
}

/// Writes the template into `dir` (created if needed). Returns the files
/// written, relative to `dir`.
pub fn init(dir: &Path, template: Template) -> Result<Vec<String>, ScaffoldError> {
    if dir.join("evident.yaml").exists() {
        return Err(ScaffoldError::Exists(dir.to_path_buf()));
    }
    let files: Vec<(String, &[u8])> = match template {
        Template::Minimal => MINIMAL
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes()))
            .collect(),
        Template::Example => {
            let mut files = Vec::new();
            collect(&EXAMPLE, &mut files);
            files
        }
    };
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(&name);
        let err = |source| ScaffoldError::Write {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        std::fs::write(&path, bytes).map_err(err)?;
        written.push(name);
    }
    Ok(written)
}

/// The example organisation's files, for tests and the demo.
pub fn example_files() -> Vec<(String, &'static [u8])> {
    let mut files = Vec::new();
    collect(&EXAMPLE, &mut files);
    files
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
    for file in dir.files() {
        out.push((
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents(),
        ));
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

const MINIMAL: &[(&str, &str)] = &[
    (
        "evident.yaml",
        r#"# The organisation, its ISMS scope and risk method. See the README's file-format reference.
organisation: Example Ltd
scope: >
  The information security management system covers the development and
  operation of Example Ltd's products and the people and suppliers involved.
frameworks: [iso27001-2022]
risk:
  likelihood: [rare, unlikely, possible, likely, almost-certain]
  impact: [negligible, minor, moderate, major, severe]
  levels:
    - { name: low, max_score: 4, accepted_by: [risk-owner] }
    - { name: medium, max_score: 9, accepted_by: [ciso] }
    - { name: high, max_score: 16, accepted_by: [ceo] }
    - { name: critical, max_score: 25, accepted_by: [] }
  appetite: 6
  max_acceptance: 1y
cadences:
  management_review: 1y
  internal_audit: 1y
  risk_review: 1y
  evidence_freshness: 30d
"#,
    ),
    (
        "owners.yaml",
        r#"owners:
  - id: security-lead
    name: Security Lead
    email: security@example.com
    roles: [ciso, risk-owner]
"#,
    ),
    ("vendors.yaml", "vendors: []\n"),
    ("sources.yaml", "sources: []\n"),
    (
        "controls/governance.yaml",
        r#"controls:
  - id: CTL-GOV-01
    title: Information security policy
    description: A policy approved by management, published and reviewed yearly.
    kind: organisational
    owner: security-lead
    satisfies: [5.2, A.5.1]
    evidence:
      - id: policy-approval
        description: The approval decision of the current policy version
        freshness: 1y
    documents: [policies/information-security.md]
"#,
    ),
    ("risks/register.yaml", "risks: []\n"),
    (
        "soa.yaml",
        r#"version: "1"
applicability:
  - requirement: A.5.1
    applicable: true
    reasons: [business]
    justification: Management direction for information security is needed in any organisation.
"#,
    ),
    (
        "policies/information-security.md",
        r#"---
id: POL-ISMS
title: Information security policy
owner: security-lead
version: "1.0"
implemented_by: [CTL-GOV-01]
---
# Information security policy

State management's direction and commitment here.
"#,
    ),
    ("decisions/.gitkeep", ""),
    (
        ".gitignore",
        "# The evidence store (a database and blobs) lives beside the ISMS but is not\n# versioned with it: it is append-only and verified on its own (`evident verify`).\n.evident/\n",
    ),
];
