//! The test harness: a real SQLite store in a temporary folder with
//! evidence in real formats and check results, a pack built from it, and
//! tools to take a pack apart and put it back together (with any change,
//! hostile ones included) using the `tar` crate's headers.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use evident_model::check::{CheckResult, JudgedItem, Outcome};
use evident_model::evidence::{ObservedPeriod, Provenance, Timestamp};
use evident_model::hash::ContentHash;
use evident_pack::manifest::Manifest;
use evident_pack::{
    BuildOptions, BuildSummary, ControlSources, Document, PackReport, Problem, Sample,
};
use evident_store::{BlobSource, NewEvidence, NewItem, Store, StoreConfig};
use tar::{EntryType, Header};
use tempfile::TempDir;

/// The audit period of the fixtures.
pub const FROM: &str = "2026-01-01T00:00:00Z";
/// Its last instant.
pub const TO: &str = "2026-03-31T23:59:59Z";

pub fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

/// A store with its folder.
pub struct Fixture {
    pub dir: TempDir,
    pub store: Store,
    /// Ledger index of each evidence item, by name.
    pub items: Vec<(&'static str, u64)>,
    /// Ledger index of each result, by name.
    pub results: Vec<(&'static str, u64)>,
}

impl Fixture {
    pub fn index(&self, name: &str) -> u64 {
        self.items
            .iter()
            .chain(&self.results)
            .find(|(n, _)| *n == name)
            .map(|(_, i)| *i)
            .unwrap_or_else(|| panic!("no item {name}"))
    }

    pub fn pack_path(&self) -> PathBuf {
        self.dir.path().join("out").join("pack.tar")
    }
}

fn meta(source: &str, origin: &str, media: &str, from: &str, to: &str) -> NewEvidence {
    NewEvidence {
        media_type: media.into(),
        format: Some(format!("{source}-export")),
        provenance: Provenance {
            source: source.into(),
            collector: "file".into(),
            collector_version: "0.1.0".into(),
            parameters: serde_json::json!({ "path": origin }),
            origin: origin.into(),
            tool_version: None,
            collected_by: "auditor@host".into(),
        },
        observed: ObservedPeriod {
            from: at(from),
            to: at(to),
        },
        collected_at: at(to),
    }
}

/// The evidence items: (name, source, content, observed from, to, normalised).
#[allow(clippy::type_complexity)]
const ITEMS: &[(&str, &str, &str, &str, &str, bool)] = &[
    (
        "iam-before",
        "iam",
        "user,arn,password_enabled,mfa_active\nalice,arn:aws:iam::1:user/alice,true,false\n",
        "2025-12-31T23:59:59Z",
        "2025-12-31T23:59:59Z",
        false,
    ),
    (
        "iam-at-start",
        "iam",
        "user,arn,password_enabled,mfa_active\nalice,arn:aws:iam::1:user/alice,true,true\n",
        FROM,
        FROM,
        true,
    ),
    (
        "okta-spanning",
        "okta",
        r#"[{"id":"00u1","status":"ACTIVE","profile":{"login":"alice@example.com"}}]"#,
        "2025-12-01T00:00:00Z",
        "2026-01-15T00:00:00Z",
        true,
    ),
    (
        "github-mid",
        "github",
        r#"{"required_pull_request_reviews":{"required_approving_review_count":2},"enforce_admins":{"enabled":true}}"#,
        "2026-02-10T12:00:00Z",
        "2026-02-10T12:00:00Z",
        true,
    ),
    (
        "iam-at-end",
        "iam",
        "user,arn,password_enabled,mfa_active\nbob,arn:aws:iam::1:user/bob,true,true\n",
        TO,
        TO,
        false,
    ),
    (
        "github-after",
        "github",
        r#"{"required_pull_request_reviews":null,"enforce_admins":{"enabled":false}}"#,
        "2026-04-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
        true,
    ),
    (
        "okta-mid",
        "okta",
        r#"[{"id":"00u2","status":"SUSPENDED","profile":{"login":"bob@example.com"}}]"#,
        "2026-03-01T08:00:00Z",
        "2026-03-01T08:00:00Z",
        false,
    ),
];

/// A store holding [`ITEMS`] and three check results (one before the
/// period, one at its start, one inside).
pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir_all(dir.path().join("out")).expect("out folder");
    let store = Store::open(StoreConfig::sqlite(dir.path().join("store")))
        .await
        .expect("open store");
    let batch: Vec<NewItem> = ITEMS
        .iter()
        .map(|(name, source, content, from, to, normalized)| {
            let media = if content.starts_with(['{', '[']) {
                "application/json"
            } else {
                "text/csv"
            };
            NewItem {
                content: BlobSource::Bytes(content.as_bytes().to_vec()),
                normalized: normalized
                    .then(|| format!(r#"{{"item":"{name}","rows":1}}"#).into_bytes()),
                meta: meta(source, &format!("exports/{name}"), media, from, to),
            }
        })
        .collect();
    let added = store.add_evidence_batch(batch).await.expect("add evidence");
    let items = ITEMS
        .iter()
        .zip(&added)
        .map(|((name, ..), a)| (*name, a.index))
        .collect::<Vec<_>>();
    let github = added[3].clone();
    let result = |check: &str, when: &str, outcome| CheckResult {
        check: check.into(),
        source: "github".into(),
        controls: vec!["A.8.32".into()],
        requirements: vec!["A.8.32".into()],
        outcome,
        messages: Vec::new(),
        warnings: Vec::new(),
        error: None,
        evidence: vec![JudgedItem {
            index: github.index,
            digest: github.item.digest.clone(),
            observed: github.item.observed,
        }],
        evaluated_at: at(when),
    };
    let indexes = store
        .add_results(&[
            result("branch-protection", "2025-12-31T23:59:59Z", Outcome::Pass),
            result("branch-protection", FROM, Outcome::Pass),
            result("admin-enforced", "2026-02-11T00:00:00Z", Outcome::Fail),
        ])
        .await
        .expect("add results");
    let results = vec![
        ("result-before", indexes[0]),
        ("result-at-start", indexes[1]),
        ("result-mid", indexes[2]),
    ];
    Fixture {
        dir,
        store,
        items,
        results,
    }
}

/// The documents of the fixtures' packs.
pub fn documents() -> Vec<Document> {
    vec![
        Document {
            path: "reports/soa.json".into(),
            media_type: "application/json".into(),
            bytes: br#"{"schema_version":1,"rows":[{"control":"A.5.15","applicable":true}]}"#
                .to_vec(),
        },
        Document {
            path: "reports/findings.sarif".into(),
            media_type: "application/sarif+json".into(),
            bytes: br#"{"version":"2.1.0","runs":[]}"#.to_vec(),
        },
    ]
}

/// The options of the fixtures' packs.
pub fn options(sample: Option<Sample>) -> BuildOptions {
    BuildOptions {
        from: at(FROM),
        to: at(TO),
        generated_at: at("2026-04-02T09:00:00Z"),
        documents: documents(),
        populations: vec![
            ControlSources {
                control: "A.5.15".into(),
                sources: vec!["iam".into(), "okta".into()],
            },
            ControlSources {
                control: "A.8.32".into(),
                sources: vec!["github".into()],
            },
        ],
        sample,
    }
}

/// A fixture and a pack built from it with a sample of 2, seed 7.
pub async fn built() -> (Fixture, BuildSummary) {
    let f = fixture().await;
    let out = f.pack_path();
    let summary = evident_pack::build(&f.store, &options(Some(Sample { size: 2, seed: 7 })), &out)
        .await
        .expect("build");
    (f, summary)
}

/// One member of an archive: its raw path, type and content.
#[derive(Clone, Debug)]
pub struct RawMember {
    pub path: Vec<u8>,
    pub kind: EntryType,
    pub data: Vec<u8>,
    /// The size the header declares (normally `data.len()`).
    pub declared: u64,
    /// A link target, for links.
    pub link: Option<Vec<u8>>,
}

impl RawMember {
    pub fn file(path: &str, data: &[u8]) -> Self {
        Self {
            path: path.as_bytes().to_vec(),
            kind: EntryType::Regular,
            data: data.to_vec(),
            declared: data.len() as u64,
            link: None,
        }
    }

    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }
}

/// The members of the pack at `path`, in order.
pub fn read_members(path: &Path) -> Vec<RawMember> {
    let file = std::fs::File::open(path).expect("open pack");
    let mut archive = tar::Archive::new(file);
    let mut out = Vec::new();
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).expect("read member");
        out.push(RawMember {
            path: entry.path_bytes().into_owned(),
            kind: entry.header().entry_type(),
            declared: data.len() as u64,
            data,
            link: None,
        });
    }
    out
}

/// A ustar header for `m`, written field by field so that any path (`..`,
/// absolute) and any type can be made.
pub fn header(m: &RawMember) -> Header {
    let mut h = Header::new_ustar();
    {
        let old = h.as_old_mut();
        let n = m.path.len().min(old.name.len());
        old.name[..n].copy_from_slice(&m.path[..n]);
        if let Some(link) = &m.link {
            let n = link.len().min(old.linkname.len());
            old.linkname[..n].copy_from_slice(&link[..n]);
        }
    }
    h.set_size(m.declared);
    h.set_mode(0o444);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_entry_type(m.kind);
    h.set_cksum();
    h
}

/// The bytes of a tar archive of `members`.
pub fn archive_bytes(members: &[RawMember]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in members {
        out.extend_from_slice(header(m).as_bytes());
        out.extend_from_slice(&m.data);
        out.resize(out.len().next_multiple_of(512), 0);
    }
    out.extend_from_slice(&[0; 1024]);
    out
}

/// Writes `members` as a tar archive at `path`.
pub fn write_members(path: &Path, members: &[RawMember]) {
    std::fs::write(path, archive_bytes(members)).expect("write pack");
}

/// The member at `name`.
pub fn member<'a>(members: &'a mut [RawMember], name: &str) -> &'a mut RawMember {
    members
        .iter_mut()
        .find(|m| m.path == name.as_bytes())
        .unwrap_or_else(|| panic!("no member {name}"))
}

/// Rewrites the pack at `path` after `change` edits its members.
pub fn tamper(path: &Path, change: impl FnOnce(&mut Vec<RawMember>)) {
    let mut members = read_members(path);
    change(&mut members);
    for m in &mut members {
        m.declared = m.data.len() as u64;
    }
    write_members(path, &members);
}

/// Rewrites the manifest of the pack's members.
pub fn edit_manifest(members: &mut [RawMember], change: impl FnOnce(&mut Manifest)) {
    let m = member(members, "manifest.json");
    let mut manifest: Manifest = serde_json::from_slice(&m.data).expect("manifest");
    change(&mut manifest);
    m.data = serde_json::to_vec(&manifest).expect("manifest json");
}

/// The manifest of the pack at `path`.
pub fn manifest_of(path: &Path) -> Manifest {
    let mut members = read_members(path);
    serde_json::from_slice(&member(&mut members, "manifest.json").data).expect("manifest")
}

/// The member path of a blob.
pub fn blob_member(digest: &ContentHash) -> String {
    evident_pack::layout::blob_path_of(digest)
}

/// Verifies with no trusted keys.
pub fn check(path: &Path) -> PackReport {
    evident_pack::verify(path, &[]).expect("the pack can be read")
}

/// The problems of `report` about `item`, panicking with the whole report
/// when there are none.
pub fn about<'a>(report: &'a PackReport, item: &evident_pack::Item) -> Vec<&'a Problem> {
    let found: Vec<&Problem> = report.problems.iter().filter(|p| p.item == *item).collect();
    assert!(
        !found.is_empty(),
        "no problem about {item}; report: {report:#?}"
    );
    found
}
