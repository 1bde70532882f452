//! Generates the evidence behind the evaluation benchmark: a complete ISMS
//! repository (the minimal `evident init` repository plus three controls)
//! whose three sources hold what a large organisation produces in a day:
//!
//! - `iam` (file): an AWS IAM credential report in the real CSV format, with
//!   the root account, console users with and without MFA, service users
//!   with one or two keys, dormant accounts, and the report's own `N/A`,
//!   `no_information` and `not_supported` markers where AWS writes them;
//! - `terraform` (file): a `terraform show -json` plan of a monorepo of
//!   services, each with its buckets (and their separate encryption,
//!   public-access-block, versioning and ACL resources), KMS key, security
//!   group and rules, database, instances, volumes and IAM role, some in
//!   child modules, with the `configuration` that links them;
//! - `history` (git): a bare repository with a year of history on `main`,
//!   pull requests merged with two-parent merge commits, most with
//!   `Reviewed-by:` / `Approved-by:` trailers, some without, some
//!   self-approved.
//!
//! Everything is derived from fixed seeds and [`REFERENCE_DATE`], never
//! from the clock, so a scale always gives the same bytes (and the same
//! commit ids). A sprinkle of each problem the built-in checks look for is
//! mixed in, at the rates one finds in real estates, so the checks do real
//! work on both sides of every rule.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

mod git;
mod iam;
mod terraform;

pub use git::write_history;
pub use iam::write_credential_report;
pub use terraform::write_plan;

/// The generation's "today": the last day of the history and the date
/// relative to which credentials are recent or stale. Evaluate as of it.
pub const REFERENCE_DATE: &str = "2026-11-28";

/// [`REFERENCE_DATE`] at 00:00:00 UTC, in seconds since the Unix epoch
/// (held equal to it by a test).
const REFERENCE: i64 = 1_795_824_000;

const DAY: i64 = 86_400;

/// Where the credential report is written, relative to the repository.
pub const CREDENTIAL_REPORT: &str = "evidence/iam-credential-report.csv";
/// Where the Terraform plan is written, relative to the repository.
pub const PLAN: &str = "evidence/plan.json";
/// Where the git history is written (a bare repository), relative to the
/// repository.
pub const HISTORY: &str = "repos/platform.git";

/// How much evidence to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvidenceSize {
    /// Rows of the credential report, the root account included.
    pub users: usize,
    /// Resource changes in the plan.
    pub resources: usize,
    /// Commits reachable from `main`, merge commits included.
    pub commits: usize,
}

impl EvidenceSize {
    /// The reference size: 100,000 users, 50,000 resources and
    /// 200,000 commits.
    pub const REFERENCE: EvidenceSize = EvidenceSize {
        users: 100_000,
        resources: 50_000,
        commits: 200_000,
    };

    /// The reference size scaled by `factor`, each count at least 1. A
    /// factor that is not a positive finite number gives the minimum.
    pub fn scaled(factor: f64) -> EvidenceSize {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            0.0
        };
        let n = |base: usize| ((base as f64 * factor).round() as usize).max(1);
        EvidenceSize {
            users: n(Self::REFERENCE.users),
            resources: n(Self::REFERENCE.resources),
            commits: n(Self::REFERENCE.commits),
        }
    }
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The sizes asked for (and written).
    pub size: EvidenceSize,
    /// Bytes of the credential report.
    pub report_bytes: u64,
    /// Bytes of the plan.
    pub plan_bytes: u64,
    /// How many of the commits are merge commits.
    pub merges: usize,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The minimal repository could not be written (or one is already
    /// there).
    #[error(transparent)]
    Scaffold(#[from] evident_spec::scaffold::ScaffoldError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// git could not be run, or failed.
    #[error("`git {step}` in {dir}: {message}")]
    Git {
        /// The git command (`init`, `fast-import`).
        step: &'static str,
        /// The repository.
        dir: PathBuf,
        /// What went wrong, with git's own message.
        message: String,
    },
}

/// Writes the repository into `dir` (created if needed; it must not hold
/// an ISMS yet): `evident init`'s minimal repository, the three sources,
/// the controls they evidence, and the evidence itself.
pub fn generate(dir: &Path, size: EvidenceSize) -> Result<Generated, GenerateError> {
    evident_spec::scaffold::init(dir, evident_spec::scaffold::Template::Minimal)?;
    for (name, text) in definitions() {
        write_file(&dir.join(name), |w| w.write_all(text.as_bytes()))?;
    }
    let report = dir.join(CREDENTIAL_REPORT);
    write_file(&report, |w| write_credential_report(w, size.users))?;
    let plan = dir.join(PLAN);
    write_file(&plan, |w| write_plan(w, size.resources))?;
    let merges = write_history(&dir.join(HISTORY), size.commits)?;
    let len = |path: &Path| {
        std::fs::metadata(path)
            .map(|m| m.len())
            .map_err(|source| GenerateError::Write {
                path: path.to_path_buf(),
                source,
            })
    };
    Ok(Generated {
        size,
        report_bytes: len(&report)?,
        plan_bytes: len(&plan)?,
        merges,
    })
}

/// Creates `path` (and its folder) and writes it through a buffer.
fn write_file(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<std::fs::File>) -> io::Result<()>,
) -> Result<(), GenerateError> {
    let err = |source| GenerateError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).map_err(err)?);
    body(&mut w).map_err(err)?;
    w.flush().map_err(err)
}

// ---------------------------------------------------------------------------
// The ISMS definitions.

/// The requirements each bench control satisfies: those the built-in
/// checks of its source's formats evidence, so every check's result lands
/// on a control.
const IAM_REQUIREMENTS: &[&str] = &["A.5.15", "A.5.16", "A.5.17", "A.5.18", "A.8.2", "A.8.5"];
const IAC_REQUIREMENTS: &[&str] = &[
    "A.8.3", "A.8.9", "A.8.13", "A.8.20", "A.8.21", "A.8.22", "A.8.24",
];
const CHANGE_REQUIREMENTS: &[&str] = &["A.5.3", "A.8.4", "A.8.25", "A.8.32"];

/// The files written over (or beside) the minimal repository.
fn definitions() -> Vec<(&'static str, String)> {
    let owners = "owners:
  - id: security-lead
    name: Security Lead
    email: security@example.com
    roles: [ciso, risk-owner]
  - id: identity-team
    name: Identity team
    kind: team
    email: identity@example.com
    roles: [control-owner]
    lead: security-lead
  - id: platform-team
    name: Platform team
    kind: team
    email: platform@example.com
    roles: [control-owner]
    lead: security-lead
";
    let sources = format!(
        "# The three sources of the evaluation benchmark (written by evident-gen-evidence).
sources:
  - name: iam
    collector: file
    parameters:
      paths: [{CREDENTIAL_REPORT}]
    schedule: 1d
    controls: [CTL-BENCH-IAM]
  - name: terraform
    collector: file
    parameters:
      paths: [{PLAN}]
    schedule: 1d
    controls: [CTL-BENCH-IAC]
  - name: history
    collector: git
    parameters:
      path: {HISTORY}
      branch: main
      since: 1y
      # seconds; a long history on a loaded machine
      timeout: 900
    schedule: 7d
    controls: [CTL-BENCH-CHANGE]
"
    );
    let list = |ids: &[&str]| ids.join(", ");
    let controls = format!(
        "controls:
  - id: CTL-BENCH-IAM
    title: Cloud identities are strongly authenticated, rotated and removed when unused
    description: >-
      Console users have MFA, the root account is not used and has no keys,
      access keys are rotated, and unused credentials are removed.
    kind: technical
    owner: identity-team
    satisfies: [{iam}]
    evidence:
      - id: credential-report
        description: The AWS IAM credential report, exported daily
        source: iam
        freshness: 2d
  - id: CTL-BENCH-IAC
    title: Infrastructure is defined as code with secure defaults
    description: >-
      Storage is encrypted and not public, administrative ports are not open
      to the internet, databases are private and backed up; every change is
      planned and reviewed before it is applied.
    kind: technical
    owner: platform-team
    satisfies: [{iac}]
    evidence:
      - id: terraform-plan
        description: The plan of the infrastructure monorepo
        source: terraform
        freshness: 2d
  - id: CTL-BENCH-CHANGE
    title: Changes reach production only through reviewed pull requests
    description: >-
      Every change to the platform is merged through a pull request approved
      by someone other than its author.
    kind: technical
    owner: platform-team
    satisfies: [{change}]
    evidence:
      - id: history
        description: The history of the platform repository's main branch
        source: history
        freshness: 14d
",
        iam = list(IAM_REQUIREMENTS),
        iac = list(IAC_REQUIREMENTS),
        change = list(CHANGE_REQUIREMENTS),
    );
    let mut soa = String::from(
        "version: \"1\"
applicability:
  - requirement: A.5.1
    applicable: true
    reasons: [business]
    justification: Management direction for information security is needed in any organisation.
",
    );
    for r in [IAM_REQUIREMENTS, IAC_REQUIREMENTS, CHANGE_REQUIREMENTS].concat() {
        let _ = write!(
            soa,
            "  - requirement: {r}\n    applicable: true\n    reasons: [risk]\n    justification: The platform runs on AWS and is changed continuously.\n"
        );
    }
    vec![
        ("owners.yaml", owners.to_string()),
        ("sources.yaml", sources),
        ("controls/bench.yaml", controls),
        ("soa.yaml", soa),
    ]
}

// ---------------------------------------------------------------------------
// Randomness and identifiers.

const SEED_IAM: u64 = 0x1a2b_3c4d_5e6f_7081;
const SEED_PLAN: u64 = 0x2b3c_4d5e_6f70_8192;
const SEED_GIT: u64 = 0x3c4d_5e6f_7081_92a3;

/// SplitMix64's output function: a well-mixed 64-bit value from any
/// counter, used both for the stream and for stable identifiers.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A small seeded generator, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below((hi - lo + 1) as u64) as i64
        }
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// An identifier-shaped hex string derived from `seed`.
fn hex(seed: u64, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut i = 0u64;
    while out.len() < len {
        let _ = write!(out, "{:016x}", mix(seed.wrapping_add(i)));
        i += 1;
    }
    out.truncate(len);
    out
}

/// A UUID-shaped (version 4 layout) string derived from `seed`.
fn uuid(seed: u64) -> String {
    let h = hex(seed, 32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..]
    )
}

/// AWS account id of the generated estate.
const ACCOUNT: &str = "210987654321";

/// Upper-case alphanumerics, as in IAM unique ids (`AIDA…`, `AROA…`).
fn iam_id(prefix: &str, seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::from(prefix);
    let mut v = mix(seed);
    for i in 0..17 {
        if i == 12 {
            v = mix(v);
        }
        out.push(char::from(ALPHABET[(v & 31) as usize]));
        v >>= 5;
    }
    out
}

fn timestamp(secs: i64) -> io::Result<jiff::Timestamp> {
    jiff::Timestamp::from_second(secs).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// The credential report's spelling of a time: ISO 8601 with `+00:00`.
fn report_time(secs: i64) -> io::Result<String> {
    Ok(timestamp(secs)?
        .strftime("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string())
}

/// RFC 3339 in UTC with `Z`, as Terraform and AWS APIs write it.
fn utc_time(secs: i64) -> io::Result<String> {
    Ok(timestamp(secs)?.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

const FIRST_NAMES: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "karim",
    "lena", "mallory", "nadia", "oscar", "peggy", "quentin", "rupert", "sybil", "trent", "uma",
    "victor", "wendy", "xavier", "yusuf", "zoe", "amara", "bjorn", "chen", "dmitri", "elif",
    "farah", "giulia", "hiro", "ines", "jonas", "kofi", "lucia", "mateo", "noor",
];
const LAST_NAMES: &[&str] = &[
    "smith",
    "jones",
    "garcia",
    "muller",
    "rossi",
    "dubois",
    "kowalski",
    "nguyen",
    "tanaka",
    "okafor",
    "silva",
    "novak",
    "jensen",
    "haddad",
    "kim",
    "patel",
    "fischer",
    "moreau",
    "ivanova",
    "lindqvist",
    "oconnor",
    "santos",
    "yilmaz",
    "berg",
    "costa",
    "weber",
];
const APPS: &[&str] = &[
    "billing",
    "checkout",
    "search",
    "ledger",
    "notifications",
    "identity",
    "reporting",
    "ingest",
    "catalog",
    "payments",
    "pricing",
    "shipping",
    "inventory",
    "messaging",
    "analytics",
    "gateway",
    "scheduler",
    "exports",
    "media",
    "accounts",
    "audit",
    "recommendations",
    "fraud",
    "support",
    "onboarding",
    "documents",
    "invoicing",
    "telemetry",
    "webhooks",
    "partners",
];
const TEAMS: &[&str] = &[
    "platform",
    "payments",
    "growth",
    "data",
    "identity",
    "core",
    "mobile",
    "integrations",
    "risk",
    "sre",
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::Value;

    use super::*;

    fn normalized(dir: &Path, file: &str, media_type: &str) -> evident_normalize::Normalized {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        evident_normalize::normalize(file, media_type, &bytes)
            .unwrap_or_else(|| panic!("{file} is not recognised"))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    fn git_count(repo: &Path, args: &[&str]) -> usize {
        let out = git::git(repo).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    #[test]
    fn reference_instant_is_the_reference_date() {
        let date: jiff::Timestamp = format!("{REFERENCE_DATE}T00:00:00Z").parse().unwrap();
        assert_eq!(date.as_second(), REFERENCE);
    }

    #[test]
    fn sizes_scale_from_the_reference() {
        let check = |factor: f64, expected: (usize, usize, usize)| {
            let s = EvidenceSize::scaled(factor);
            assert_eq!(
                (s.users, s.resources, s.commits),
                expected,
                "factor {factor}"
            );
        };
        check(1.0, (100_000, 50_000, 200_000));
        check(2.0, (200_000, 100_000, 400_000));
        check(0.001, (100, 50, 200));
        check(0.0, (1, 1, 1));
        check(f64::NAN, (1, 1, 1));
        check(-3.0, (1, 1, 1));
    }

    /// The small scale reads as a clean repository, and each artefact
    /// normalises to the counts asked for, with the mix the checks need.
    #[test]
    fn small_scale_normalises_to_the_expected_counts() {
        let dir = tempfile::tempdir().unwrap();
        let size = EvidenceSize::scaled(0.001);
        let generated = generate(dir.path(), size).unwrap();
        assert_eq!(generated.size, size);

        let loaded = evident_spec::load(dir.path());
        assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
        assert_eq!(loaded.isms.sources.len(), 3);
        assert!(
            ["CTL-BENCH-IAM", "CTL-BENCH-IAC", "CTL-BENCH-CHANGE"]
                .iter()
                .all(|id| loaded.isms.controls.iter().any(|c| c.id.as_str() == *id))
        );

        let report = normalized(dir.path(), CREDENTIAL_REPORT, "text/csv");
        assert_eq!(report.format, "aws-iam-credential-report");
        let users = report.document["users"].as_array().unwrap();
        assert_eq!(users.len(), size.users);
        assert_eq!(users[0]["is_root"], true);
        let console_without_mfa = users
            .iter()
            .filter(|u| u["password_enabled"] == true && u["mfa_active"] == false)
            .count();
        let never_used_password = users
            .iter()
            .filter(|u| u["password_enabled"] == true && u["password_last_used"].is_null())
            .count();
        let keys: Vec<&Value> = users
            .iter()
            .flat_map(|u| u["access_keys"].as_array().unwrap())
            .collect();
        let never_used_keys = keys.iter().filter(|k| k["last_used"].is_null()).count();
        let two_keys = users
            .iter()
            .filter(|u| u["access_keys"].as_array().unwrap().len() == 2)
            .count();
        assert!(console_without_mfa > 0 && console_without_mfa < size.users / 4);
        assert!(never_used_password > 0);
        assert!(never_used_keys > 0 && never_used_keys < keys.len());
        assert!(two_keys > 0);

        let plan = normalized(dir.path(), PLAN, "application/json");
        assert_eq!(plan.format, "terraform-plan");
        let changes = plan.document["resource_changes"].as_array().unwrap();
        assert_eq!(changes.len(), size.resources);
        // Every reference to another resource names one of the plan's.
        let unindexed = |a: &str| match a.find('[') {
            Some(i) => a[..i].to_string(),
            None => a.to_string(),
        };
        let addresses: HashSet<String> = changes
            .iter()
            .map(|c| unindexed(c["address"].as_str().unwrap()))
            .collect();
        let mut linked = 0;
        for c in changes {
            for (attr, refs) in c["references"].as_object().unwrap() {
                let refs: Vec<&str> = refs
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                assert!(
                    refs.iter()
                        .any(|r| r.starts_with("var.") || addresses.contains(*r)),
                    "{}.{attr} refers to {refs:?}, not in the plan",
                    c["address"]
                );
                linked += 1;
            }
        }
        assert!(linked > size.resources / 4, "{linked} references");
        let encryption_of_bucket = changes.iter().any(|c| {
            c["type"] == "aws_s3_bucket_server_side_encryption_configuration"
                && c["references"]["bucket"][1]
                    .as_str()
                    .is_some_and(|b| b.contains("aws_s3_bucket."))
        });
        assert!(encryption_of_bucket);

        let repo = dir.path().join(HISTORY);
        assert_eq!(
            git_count(&repo, &["rev-list", "--count", "main"]),
            size.commits
        );
        assert_eq!(
            git_count(&repo, &["rev-list", "--merges", "--count", "main"]),
            generated.merges
        );
        assert!(generated.merges > size.commits / 8 && generated.merges < size.commits / 3);
        let approvals = git::git(&repo)
            .args([
                "log",
                "--merges",
                "--format=%(trailers:key=Approved-by,valueonly,separator=%x2c)",
                "main",
            ])
            .output()
            .unwrap();
        let approvals = String::from_utf8_lossy(&approvals.stdout);
        let approved = approvals.lines().filter(|l| !l.is_empty()).count();
        assert!(
            approved > generated.merges / 2 && approved < generated.merges,
            "{approved}"
        );
    }

    /// Same size, same bytes, same commits: nothing depends on the clock or
    /// on a random seed of the process.
    #[test]
    fn generation_is_deterministic() {
        let size = EvidenceSize {
            users: 300,
            resources: 200,
            commits: 150,
        };
        let head = |dir: &Path| {
            let out = git::git(&dir.join(HISTORY))
                .args(["rev-parse", "main"])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        generate(a.path(), size).unwrap();
        generate(b.path(), size).unwrap();
        for file in [CREDENTIAL_REPORT, PLAN] {
            assert_eq!(
                std::fs::read(a.path().join(file)).unwrap(),
                std::fs::read(b.path().join(file)).unwrap(),
                "{file}"
            );
        }
        assert_eq!(head(a.path()), head(b.path()));
        assert_eq!(head(a.path()).len(), 40);
    }

    #[test]
    fn refuses_a_folder_that_holds_an_isms() {
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path(), EvidenceSize::scaled(0.0)).unwrap();
        assert!(matches!(
            generate(dir.path(), EvidenceSize::scaled(0.0)),
            Err(GenerateError::Scaffold(_))
        ));
    }
}
