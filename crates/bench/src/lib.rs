//! Generates an ISMS repository of realistic shape and any size: kept as a
//! large organisation keeps it, one controls file per team and one risks
//! file per area, every reference resolving, a mix of treatments, owners
//! and review dates, and a sprinkle of the problems `check` looks for.
//!
//! The output is deterministic for a given [`Size`].

#![deny(missing_docs)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use evident_catalog::Catalog;
use evident_model::framework::ISO27001_2022;

pub mod evidence;

/// How big an organisation to generate.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    /// Controls.
    pub controls: usize,
    /// Risks.
    pub risks: usize,
    /// Owners.
    pub owners: usize,
}

impl Size {
    /// The reference size scaled by `factor`: 10,000 controls,
    /// 50,000 risks and 500 owners at factor 1.0.
    pub fn scaled(factor: f64) -> Size {
        let n = |base: f64| ((base * factor).round() as usize).max(1);
        Size {
            controls: n(10_000.0),
            risks: n(50_000.0),
            owners: n(500.0),
        }
    }
}

const CONTROLS_PER_FILE: usize = 100;
const RISKS_PER_FILE: usize = 500;
const VENDORS: usize = 20;
const KINDS: [&str; 4] = ["technical", "organisational", "physical", "people"];

/// A tiny deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Writes the repository into `dir`, which must exist. Returns the bytes
/// written.
pub fn generate(dir: &Path, size: Size) -> std::io::Result<u64> {
    let catalog = Catalog::builtin();
    let iso = catalog
        .framework(ISO27001_2022)
        .expect("ISO 27001:2022 is built in");
    let annex: Vec<&str> = iso
        .requirements
        .iter()
        .filter(|r| r.is_annex_a())
        .map(|r| r.id.as_str())
        .collect();
    let clauses: Vec<&str> = iso
        .assessable()
        .filter(|r| !r.is_annex_a())
        .map(|r| r.id.as_str())
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut bytes = 0u64;
    let mut write = |name: &str, text: &str| -> std::io::Result<()> {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        f.write_all(text.as_bytes())?;
        bytes += text.len() as u64;
        Ok(())
    };

    write(
        "evident.yaml",
        "organisation: Generated Corp\nscope: All products and services of Generated Corp.\nframeworks: [iso27001-2022]\ncadences: { management_review: 1y, internal_audit: 1y, risk_review: 1y, evidence_freshness: 30d }\n",
    )?;

    let owner = |i: usize| format!("owner-{i:05}");
    let mut text = String::from("owners:\n");
    for i in 0..size.owners {
        let roles = match i % 50 {
            0 => "[ceo]",
            1..=4 => "[ciso, risk-owner]",
            _ => "[risk-owner]",
        };
        let active = if i % 97 == 96 { ", active: false" } else { "" };
        let _ = writeln!(
            text,
            "  - {{ id: {}, name: Person {i}, email: p{i}@generated.example, roles: {roles}{active} }}",
            owner(i)
        );
    }
    write("owners.yaml", &text)?;

    let mut text = String::from("vendors:\n");
    for v in 0..VENDORS {
        let _ = writeln!(
            text,
            "  - id: vendor-{v:02}\n    name: Vendor {v}\n    owner: {}\n    boundary: The vendor runs its platform; we configure and monitor our use of it.\n    assurance:\n      - {{ kind: soc2-type2, scope: all services, issued: 2026-0{}-01, expires: 2027-0{}-01, reviewed_by: {} }}",
            owner(v % size.owners),
            1 + v % 9,
            1 + v % 9,
            owner((v + 1) % size.owners)
        );
    }
    write("vendors.yaml", &text)?;

    let control = |i: usize| format!("CTL-{i:06}");
    let risk = |i: usize| format!("R-{i:06}");
    for file in 0..size.controls.div_ceil(CONTROLS_PER_FILE) {
        let mut text = String::from("controls:\n");
        for i in file * CONTROLS_PER_FILE..((file + 1) * CONTROLS_PER_FILE).min(size.controls) {
            let a = annex[i % annex.len()];
            let b = annex[rng.below(annex.len())];
            let c = clauses[rng.below(clauses.len())];
            let responsibility = match i % 20 {
                0 => format!(
                    "    responsibility: inherited\n    provider: vendor-{:02}\n",
                    i % VENDORS
                ),
                1 => format!(
                    "    responsibility: shared\n    provider: vendor-{:02}\n    boundary: The vendor patches the platform; we patch our images.\n",
                    i % VENDORS
                ),
                _ => String::new(),
            };
            let owner_line = if i % 211 == 0 {
                String::new()
            } else {
                format!("    owner: {}\n", owner(rng.below(size.owners)))
            };
            let risks = (0..2)
                .map(|_| risk(rng.below(size.risks)))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = write!(
                text,
                "  - id: {}\n    title: Control {i} for {a}\n    description: >\n      What team {file} runs to meet {a} and {b}, with the evidence that shows it runs.\n    kind: {}\n{responsibility}{owner_line}    satisfies: [{a}, {b}, \"{c}\"]\n    risks: [{risks}]\n    evidence:\n      - id: config\n        description: Configuration state from the system of record\n        freshness: 7d\n      - id: review\n        description: Quarterly review record\n        freshness: 12w\n    documents: [policies/policy-{:02}.md]\n",
                control(i),
                KINDS[i % KINDS.len()],
                i % 50
            );
        }
        write(&format!("controls/team-{file:04}.yaml"), &text)?;
    }

    for file in 0..size.risks.div_ceil(RISKS_PER_FILE) {
        let mut text = String::from("risks:\n");
        for i in file * RISKS_PER_FILE..((file + 1) * RISKS_PER_FILE).min(size.risks) {
            let (l, m) = (1 + rng.below(5), 1 + rng.below(5));
            let (rl, rm) = (1 + rng.below(l), 1 + rng.below(m));
            let proposer = owner(rng.below(size.owners));
            let treatment = match i % 10 {
                0 => format!(
                    "    treatment: {{ strategy: accept, proposed_by: {proposer}, rationale: Cost exceeds benefit, expires: 2027-06-30 }}\n"
                ),
                1 => format!(
                    "    treatment: {{ strategy: transfer, proposed_by: {proposer}, rationale: Cyber insurance }}\n"
                ),
                _ => format!("    treatment: {{ strategy: mitigate, proposed_by: {proposer} }}\n"),
            };
            let controls = if i % 10 == 0 {
                String::new()
            } else {
                format!("    controls: [{}]\n", control(rng.below(size.controls)))
            };
            let reviewed = format!("2026-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
            let _ = write!(
                text,
                "  - id: {}\n    title: Risk {i}\n    asset: Asset {}\n    threat: Threat {}\n    vulnerability: Weakness {}\n    owner: {}\n    inherent: {{ likelihood: {l}, impact: {m} }}\n    residual: {{ likelihood: {rl}, impact: {rm} }}\n{treatment}{controls}    review: {{ cadence: 1y, last_reviewed: {reviewed} }}\n",
                risk(i),
                i % 300,
                i % 40,
                i % 70,
                owner(rng.below(size.owners)),
            );
        }
        write(&format!("risks/area-{file:04}.yaml"), &text)?;
    }

    let mut text = String::from("version: \"1\"\napplicability:\n");
    for (i, a) in annex.iter().enumerate() {
        if i % 31 == 30 {
            let _ = writeln!(
                text,
                "  - {{ requirement: {a}, applicable: false, justification: Not relevant to a cloud-only organisation }}"
            );
        } else {
            let _ = writeln!(
                text,
                "  - {{ requirement: {a}, applicable: true, reasons: [risk, contractual], justification: Required by the risk assessment }}"
            );
        }
    }
    write("soa.yaml", &text)?;

    for p in 0..50 {
        let implemented: Vec<String> = (0..5).map(|_| control(rng.below(size.controls))).collect();
        write(
            &format!("policies/policy-{p:02}.md"),
            &format!(
                "---\nid: POL-{p:02}\ntitle: Policy {p}\nowner: {}\nversion: \"1.{p}\"\nimplemented_by: [{}]\n---\n# Policy {p}\n\nWhat the organisation commits to.\n",
                owner(p % size.owners),
                implemented.join(", ")
            ),
        )?;
    }
    write(
        "decisions/2026-03-01-management-review.yaml",
        &format!(
            "kind: management-review\nid: MR-1\ndate: 2026-03-01\nchair: {}\n",
            owner(0)
        ),
    )?;
    write(
        "decisions/2026-04-01-internal-audit.yaml",
        &format!(
            "kind: internal-audit\nid: IA-1\ndate: 2026-04-01\nauditor: {}\nscope: The ISMS\n",
            owner(1 % size.owners)
        ),
    )?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_repositories_read_cleanly_and_have_findings() {
        let dir = tempfile::tempdir().unwrap();
        generate(
            dir.path(),
            Size {
                controls: 250,
                risks: 1200,
                owners: 30,
            },
        )
        .unwrap();
        let loaded = evident_spec::load(dir.path());
        assert!(
            loaded.diagnostics.is_empty(),
            "{:#?}",
            &loaded.diagnostics[..loaded.diagnostics.len().min(5)]
        );
        assert_eq!(
            (
                loaded.isms.controls.len(),
                loaded.isms.risks.len(),
                loaded.isms.owners.len()
            ),
            (250, 1200, 30)
        );
        let catalog = Catalog::builtin();
        let at = evident_model::time::parse_date("2026-11-28").unwrap();
        let findings = evident_analyze::analyze(&loaded.isms, &catalog, at);
        assert!(
            findings
                .iter()
                .any(|f| f.code.as_str() == "unowned-control")
        );
        assert!(
            findings
                .iter()
                .any(|f| f.code.as_str() == "unapproved-risk-acceptance")
        );
    }
}
