//! What the audit outputs' tests are built from: the example organisation,
//! and evidence items and check results made to order.

use std::path::Path;

use evident_catalog::Catalog;
use evident_model::Isms;
use evident_model::check::{CheckResult, JudgedItem, Outcome};
use evident_model::evidence::{EvidenceItem, ObservedPeriod, Provenance, Timestamp};
use evident_model::hash::ContentHash;
use evident_model::status::EvidenceRecord;

/// A test instant (`2026-11-28T10:00:00Z`).
pub(crate) fn at(text: &str) -> Timestamp {
    text.parse().expect("a test timestamp")
}

/// `examples/acme`, which must read cleanly, and its catalog.
pub(crate) fn acme() -> (Isms, Catalog) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme");
    let loaded = evident_spec::load(&root);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let catalog = Catalog::with_user_frameworks(&loaded.isms.frameworks);
    (loaded.isms, catalog)
}

/// An evidence item at ledger `index` from `source`, observed and
/// collected at `when`; its artefact's digest is the sha256 of
/// `"{source}-{index}"` and its origin `evidence/{source}.json`.
pub(crate) fn record(index: u64, source: &str, when: &str) -> EvidenceRecord {
    EvidenceRecord {
        index,
        item: EvidenceItem {
            digest: ContentHash::of_bytes(format!("{source}-{index}").as_bytes()),
            size: 10,
            media_type: "application/json".into(),
            format: Some("test-format".into()),
            normalized: None,
            provenance: Provenance {
                source: source.into(),
                collector: "file".into(),
                collector_version: "0.1.0".into(),
                parameters: serde_json::json!({}),
                origin: format!("evidence/{source}.json"),
                tool_version: None,
                collected_by: "ci@example".into(),
            },
            observed: ObservedPeriod {
                from: at(when),
                to: at(when),
            },
            collected_at: at(when),
        },
    }
}

/// The result of `check` over `evidence`, judging `control` (A.8.5), at
/// `when`; a failure says why (`user bob has no MFA`).
pub(crate) fn result(
    check: &str,
    evidence: &EvidenceRecord,
    control: &str,
    outcome: Outcome,
    when: &str,
) -> CheckResult {
    CheckResult {
        check: check.into(),
        source: evidence.item.provenance.source.clone(),
        controls: vec![control.into()],
        requirements: vec!["A.8.5".into()],
        outcome,
        messages: if outcome == Outcome::Pass {
            vec![]
        } else {
            vec!["user bob has no MFA".into()]
        },
        warnings: vec![],
        error: None,
        evidence: vec![JudgedItem {
            index: evidence.index,
            digest: evidence.item.digest.clone(),
            observed: evidence.item.observed,
        }],
        evaluated_at: at(when),
    }
}
