//! The statements evident makes (documented in `ATTESTATIONS.md`): one about
//! an evidence item, one about a check result, and trestle's own predicate
//! for signing a JSON file so `trestle verify` accepts it.

use evident_model::check::{CheckResult, Outcome};
use evident_model::evidence::{EvidenceItem, ObservedPeriod, Provenance, Timestamp};
use evident_model::hash::ContentHash;
use serde::Serialize;

use crate::digest::{DigestSource, artefact_digest, canonical_json};
use crate::error::AttestError;
use crate::statement::{Statement, Subject};

/// The predicate type of an evidence item's attestation. evident owns no
/// domain; `.invalid` (RFC 2606) can never be registered by anyone else, so
/// the URI is stable and collision-free.
pub const EVIDENCE_PREDICATE_TYPE: &str = "https://evident.invalid/attestation/evidence/v1";

/// The predicate type of a check result's attestation.
pub const RESULT_PREDICATE_TYPE: &str = "https://evident.invalid/attestation/result/v1";

/// compliance-trestle's predicate type for a signed JSON file; `trestle
/// verify` accepts no other.
pub const TRESTLE_PREDICATE_TYPE: &str =
    "https://oscal-compass.github.io/compliance-trestle/predicates/oscal-signing/v1";

/// The statement about evidence item `index` of the ledger, whose artefact
/// is `artefact`. The subject is the artefact (named by its file name for
/// `file` and `manual` sources, else `evidence-<index>`), digested as
/// [`artefact_digest`] does; the predicate is how, when and from where it
/// was collected. The bytes must be the ones the ledger recorded.
pub fn evidence_statement(
    item: &EvidenceItem,
    index: u64,
    artefact: &[u8],
) -> Result<Statement, AttestError> {
    let actual = ContentHash::of_bytes(artefact);
    if actual != item.digest {
        return Err(AttestError::ArtefactMismatch {
            recorded: item.digest.to_string(),
            actual: actual.to_string(),
        });
    }
    let digest = artefact_digest(artefact);
    let predicate = EvidencePredicate {
        ledger: Ledger {
            index,
            digest: Some(&item.digest),
        },
        subject_digest: digest.source.as_str(),
        size: item.size,
        media_type: &item.media_type,
        format: item.format.as_deref(),
        normalized: item.normalized.as_ref(),
        provenance: &item.provenance,
        observed: &item.observed,
        collected_at: item.collected_at,
    };
    let subject = Subject::of_artefact(&evidence_name(item, index), artefact);
    Ok(Statement::new(
        vec![subject],
        EVIDENCE_PREDICATE_TYPE,
        to_value(&predicate)?,
    ))
}

/// The statement about check result `index` of the ledger. The subject is
/// the result record itself, `result-<index>.json`, digested over its
/// RFC 8785 canonical JSON (so any JSON rendering of the record verifies).
pub fn result_statement(result: &CheckResult, index: u64) -> Result<Statement, AttestError> {
    let record = serde_json::to_vec(result).map_err(|e| AttestError::Encode(e.to_string()))?;
    let predicate = ResultPredicate {
        ledger: Ledger {
            index,
            digest: None,
        },
        check: &result.check,
        source: &result.source,
        outcome: result.outcome,
        controls: &result.controls,
        requirements: &result.requirements,
        evidence: result
            .evidence
            .iter()
            .map(|e| Judged {
                index: e.index,
                digest: &e.digest,
            })
            .collect(),
        evaluated_at: result.evaluated_at,
    };
    let subject = Subject::of_artefact(&format!("result-{index}.json"), &record);
    Ok(Statement::new(
        vec![subject],
        RESULT_PREDICATE_TYPE,
        to_value(&predicate)?,
    ))
}

/// The statement `trestle sign` makes for a JSON file named `name`: the
/// sha256 of its RFC 8785 canonical form, and trestle's predicate (with
/// `tool` saying evident made it). `trestle verify -f <name>` accepts its
/// envelope. Bytes that are not a JSON document are an error.
pub fn file_statement(name: &str, json: &[u8]) -> Result<Statement, AttestError> {
    if canonical_json(json).is_none() {
        return Err(AttestError::NotJson(name.to_string()));
    }
    let subject = Subject::of_artefact(name, json);
    let predicate = serde_json::Value::Object(
        [
            ("canonicalization", "RFC8785"),
            ("digestAlgorithm", "sha256"),
            ("digestSource", DigestSource::CanonicalJson.as_str()),
            ("tool", "evident"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect(),
    );
    Ok(Statement::new(
        vec![subject],
        TRESTLE_PREDICATE_TYPE,
        predicate,
    ))
}

/// The subject name of an evidence item: the file name when the origin is a
/// file (`file` collector: a relative path; `manual`: `upload <name>`), so
/// an exported artefact keeps the name people know it by.
fn evidence_name(item: &EvidenceItem, index: u64) -> String {
    let origin = &item.provenance.origin;
    let path = match item.provenance.collector.as_str() {
        "file" => Some(origin.as_str()),
        "manual" => origin.strip_prefix("upload "),
        _ => None,
    };
    path.and_then(|p| p.rsplit(['/', '\\']).next())
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .map_or_else(|| format!("evidence-{index}"), str::to_string)
}

fn to_value(predicate: &impl Serialize) -> Result<serde_json::Value, AttestError> {
    serde_json::to_value(predicate).map_err(|e| AttestError::Encode(e.to_string()))
}

/// Where the attested record sits in the ledger.
#[derive(Serialize)]
struct Ledger<'a> {
    index: u64,
    /// The raw-bytes `sha256:` digest the ledger recorded (evidence only).
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<&'a ContentHash>,
}

#[derive(Serialize)]
struct EvidencePredicate<'a> {
    ledger: Ledger<'a>,
    subject_digest: &'static str,
    size: u64,
    media_type: &'a str,
    format: Option<&'a str>,
    normalized: Option<&'a ContentHash>,
    provenance: &'a Provenance,
    observed: &'a ObservedPeriod,
    collected_at: Timestamp,
}

#[derive(Serialize)]
struct ResultPredicate<'a> {
    ledger: Ledger<'a>,
    check: &'a str,
    source: &'a str,
    outcome: Outcome,
    controls: &'a [String],
    requirements: &'a [String],
    evidence: Vec<Judged<'a>>,
    evaluated_at: Timestamp,
}

#[derive(Serialize)]
struct Judged<'a> {
    index: u64,
    digest: &'a ContentHash,
}

#[cfg(test)]
mod tests {
    use evident_model::check::JudgedItem;
    use serde_json::json;

    use super::*;
    use crate::{SigningKey, sign, verify, verify_subject};

    const ARTEFACT: &[u8] = br#"{"users":[{"name":"root","mfa":true}]}"#;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn item(collector: &str, origin: &str, artefact: &[u8]) -> EvidenceItem {
        EvidenceItem {
            digest: ContentHash::of_bytes(artefact),
            size: artefact.len() as u64,
            media_type: "application/json".into(),
            format: Some("aws-iam-credential-report".into()),
            normalized: None,
            provenance: Provenance {
                source: "aws-iam".into(),
                collector: collector.into(),
                collector_version: "0.1.0".into(),
                parameters: json!({"path": "exports/*.json"}),
                origin: origin.into(),
                tool_version: Some("aws-cli/2.15.0".into()),
                collected_by: "ci@runner".into(),
            },
            observed: ObservedPeriod {
                from: at("2026-01-02T03:04:05Z"),
                to: at("2026-01-02T03:04:05Z"),
            },
            collected_at: at("2026-01-02T03:05:00Z"),
        }
    }

    #[test]
    fn evidence_predicate_records_provenance_and_ledger_position() {
        let item = item("file", "exports/iam.json", ARTEFACT);
        let statement = evidence_statement(&item, 42, ARTEFACT).unwrap();
        assert_eq!(statement.predicate_type, EVIDENCE_PREDICATE_TYPE);
        assert_eq!(statement.subject.len(), 1);
        assert_eq!(statement.subject[0].name, "iam.json");
        assert_eq!(
            statement.predicate,
            Some(json!({
                "ledger": {"index": 42, "digest": ContentHash::of_bytes(ARTEFACT).as_str()},
                "subject_digest": "canonical-json",
                "size": ARTEFACT.len(),
                "media_type": "application/json",
                "format": "aws-iam-credential-report",
                "normalized": null,
                "provenance": {
                    "source": "aws-iam",
                    "collector": "file",
                    "collector_version": "0.1.0",
                    "parameters": {"path": "exports/*.json"},
                    "origin": "exports/iam.json",
                    "tool_version": "aws-cli/2.15.0",
                    "collected_by": "ci@runner"
                },
                "observed": {"from": "2026-01-02T03:04:05Z", "to": "2026-01-02T03:04:05Z"},
                "collected_at": "2026-01-02T03:05:00Z"
            }))
        );
        // Signed, verified, and the artefact (reformatted, as an export
        // might be) is its subject; another artefact is not.
        let key = SigningKey::from_bytes(&[3; 32]);
        let envelope = sign(&statement, &key).unwrap().to_json().unwrap();
        let verified = verify(&envelope, &key.verifying_key().to_bytes()).unwrap();
        let pretty = b"{\n  \"users\": [ { \"mfa\": true, \"name\": \"root\" } ]\n}\n";
        assert_eq!(
            verify_subject(&verified.statement, "iam.json", pretty),
            Ok(())
        );
        assert!(verify_subject(&verified.statement, "iam.json", br#"{"users":[]}"#).is_err());
    }

    #[test]
    fn evidence_subjects_are_named_by_file_or_index() {
        let csv = b"user,mfa\nroot,true\n";
        for (collector, origin, name) in [
            ("file", "exports/iam.json", "iam.json"),
            ("file", "report.csv", "report.csv"),
            ("manual", "upload pentest.pdf", "pentest.pdf"),
            (
                "command",
                "aws iam generate-credential-report",
                "evidence-7",
            ),
            ("http", "https://api.example/users", "evidence-7"),
            ("file", "exports/", "evidence-7"),
        ] {
            let statement = evidence_statement(&item(collector, origin, csv), 7, csv).unwrap();
            assert_eq!(statement.subject[0].name, name, "{collector} {origin}");
            // Not JSON: the subject digest is the raw one the ledger holds.
            assert_eq!(
                statement.subject[0].digest["sha256"],
                ContentHash::of_bytes(csv).hex()
            );
            assert_eq!(
                statement.predicate.as_ref().unwrap()["subject_digest"],
                "raw-bytes"
            );
        }
    }

    #[test]
    fn evidence_bytes_must_be_the_recorded_ones() {
        let item = item("file", "iam.json", ARTEFACT);
        assert_eq!(
            evidence_statement(&item, 1, b"{}"),
            Err(AttestError::ArtefactMismatch {
                recorded: ContentHash::of_bytes(ARTEFACT).to_string(),
                actual: ContentHash::of_bytes(b"{}").to_string(),
            })
        );
    }

    #[test]
    fn result_statement_is_about_the_record() {
        let result = CheckResult {
            check: "iam-root-mfa".into(),
            source: "aws-iam".into(),
            controls: vec!["ac-01".into()],
            requirements: vec!["A.8.5".into()],
            outcome: Outcome::Fail,
            messages: vec!["root has no MFA".into()],
            warnings: vec![],
            error: None,
            evidence: vec![JudgedItem {
                index: 42,
                digest: ContentHash::of_bytes(ARTEFACT),
                observed: ObservedPeriod {
                    from: at("2026-01-02T03:04:05Z"),
                    to: at("2026-01-02T03:04:05Z"),
                },
            }],
            evaluated_at: at("2026-01-03T00:00:00Z"),
        };
        let statement = result_statement(&result, 43).unwrap();
        assert_eq!(statement.predicate_type, RESULT_PREDICATE_TYPE);
        assert_eq!(
            statement.predicate,
            Some(json!({
                "ledger": {"index": 43},
                "check": "iam-root-mfa",
                "source": "aws-iam",
                "outcome": "fail",
                "controls": ["ac-01"],
                "requirements": ["A.8.5"],
                "evidence": [{"index": 42, "digest": ContentHash::of_bytes(ARTEFACT).as_str()}],
                "evaluated_at": "2026-01-03T00:00:00Z"
            }))
        );
        // Any JSON rendering of the record is the subject; a changed one is not.
        let pretty = serde_json::to_vec_pretty(&result).unwrap();
        assert_eq!(
            verify_subject(&statement, "result-43.json", &pretty),
            Ok(())
        );
        let mut passed = result.clone();
        passed.outcome = Outcome::Pass;
        let passed = serde_json::to_vec(&passed).unwrap();
        assert!(matches!(
            verify_subject(&statement, "result-43.json", &passed),
            Err(AttestError::DigestMismatch { .. })
        ));
    }
}
