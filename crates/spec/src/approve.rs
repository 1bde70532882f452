//! `evident approve`: records a decision bound to the content hash of what
//! is approved, as a new file under `decisions/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use evident_model::Isms;
use evident_model::decision::DecisionKind;
use evident_model::hash::{self, ContentHash};
use evident_model::risk::Strategy;
use evident_model::time::Date;

/// What is being approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A risk: its acceptance, or its treatment plan.
    Risk,
    /// The Statement of Applicability.
    Soa,
    /// A policy document.
    Policy,
}

/// A request to approve.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// What kind of thing.
    pub subject: Subject,
    /// Its id (ignored for the SoA).
    pub id: &'a str,
    /// Who approves (an owner id).
    pub approver: &'a str,
    /// Free text.
    pub comment: Option<&'a str>,
    /// The date of the decision.
    pub date: Date,
}

/// Why a decision could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    /// The subject does not exist.
    #[error("{0} is not defined in this ISMS")]
    UnknownSubject(String),
    /// The approver is not in owners.yaml.
    #[error("`{0}` is not defined in owners.yaml")]
    UnknownApprover(String),
    /// The approver has left.
    #[error("`{0}` is marked inactive in owners.yaml and cannot approve")]
    InactiveApprover(String),
    /// The decision file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What was recorded.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The new file, relative to the repository.
    pub file: String,
    /// The decision kind.
    pub kind: DecisionKind,
    /// The hash the decision is bound to.
    pub subject_hash: ContentHash,
    /// The role recorded.
    pub role: String,
}

/// Records the decision in `root/decisions/`. The ISMS must have been read
/// without diagnostics.
pub fn approve(root: &Path, isms: &Isms, request: &Request) -> Result<Recorded, ApproveError> {
    let approver = isms
        .owners
        .iter()
        .find(|o| o.id == request.approver)
        .ok_or_else(|| ApproveError::UnknownApprover(request.approver.to_string()))?;
    if !approver.active {
        return Err(ApproveError::InactiveApprover(approver.id.clone()));
    }
    let (kind, subject, subject_hash, authority): (_, &str, _, Vec<String>) = match request.subject
    {
        Subject::Risk => {
            let risk = isms
                .risks
                .iter()
                .find(|r| r.id == request.id)
                .ok_or_else(|| ApproveError::UnknownSubject(format!("risk `{}`", request.id)))?;
            let kind = match risk.treatment.as_ref().map(|t| t.strategy) {
                Some(Strategy::Accept) => DecisionKind::RiskAcceptance,
                _ => DecisionKind::TreatmentPlan,
            };
            let level = isms.organisation.risk.level(risk.current().score());
            (
                kind,
                &risk.id,
                hash::risk(risk),
                level.map(|l| l.accepted_by.clone()).unwrap_or_default(),
            )
        }
        Subject::Soa => (
            DecisionKind::SoaApproval,
            "soa",
            hash::soa(&isms.soa),
            Vec::new(),
        ),
        Subject::Policy => {
            let policy = isms
                .policies
                .iter()
                .find(|p| p.id == request.id)
                .ok_or_else(|| ApproveError::UnknownSubject(format!("policy `{}`", request.id)))?;
            (
                DecisionKind::PolicyApproval,
                &policy.id,
                hash::policy(policy),
                Vec::new(),
            )
        }
    };
    // Record the role that gives the authority when the approver holds one;
    // otherwise their first role, and let the analysis say it is not enough.
    let role = authority
        .iter()
        .find(|r| approver.has_role(r))
        .or(approver.roles.first())
        .cloned()
        .unwrap_or_else(|| "none".to_string());

    let dir = root.join("decisions");
    std::fs::create_dir_all(&dir).map_err(|source| ApproveError::Write {
        path: dir.clone(),
        source,
    })?;
    let stem = format!("{}-{}-{}", request.date, kind.as_str(), slug(subject));
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    for attempt in 1..1000 {
        let name = if attempt == 1 {
            format!("{stem}.yaml")
        } else {
            format!("{stem}-{attempt}.yaml")
        };
        let id = format!("D-{}", name.trim_end_matches(".yaml"));
        let mut text = format!(
            "# Recorded by `evident approve`. The decision covers {subject} only while its content hash is unchanged.\nkind: {}\nid: {}\nsubject: {}\nsubject_hash: {}\napproved_by: {}\nrole: {}\ndate: {}\n",
            kind.as_str(),
            q(&id),
            q(subject),
            subject_hash,
            q(&approver.id),
            q(&role),
            request.date,
        );
        if let Some(c) = request.comment {
            text.push_str(&format!("comment: {}\n", q(c)));
        }
        let path = dir.join(&name);
        match write_new(&path, text.as_bytes()) {
            Ok(()) => {
                return Ok(Recorded {
                    file: format!("decisions/{name}"),
                    kind,
                    subject_hash,
                    role,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(ApproveError::Write { path, source }),
        }
    }
    Err(ApproveError::Write {
        path: dir,
        source: std::io::Error::other("too many decisions for the same subject on one day"),
    })
}

/// Writes a new file atomically: a temporary file in the same folder, synced,
/// then linked into place only if no file of that name exists. A crash leaves
/// either no decision or the whole one, never half.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("new"),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        // hard_link fails with AlreadyExists instead of replacing.
        std::fs::hard_link(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            d.sync_all()?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}

fn slug(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Records the evidence store's public key in `evident.yaml` (appending a
/// `public_key:` line), so that anyone with the repository can verify the
/// store's signed checkpoints. The file is replaced atomically.
pub fn record_public_key(root: &Path, public_key_hex: &str) -> std::io::Result<()> {
    let path = root.join("evident.yaml");
    let mut text = std::fs::read_to_string(&path)?;
    if !text.ends_with('\n') && !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!(
        "# The evidence store's ed25519 public key, recorded by `evident collect`:\n# auditors verify the store's signed checkpoints with it.\npublic_key: \"{public_key_hex}\"\n"
    ));
    let tmp = root.join(format!(".evident.yaml.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
