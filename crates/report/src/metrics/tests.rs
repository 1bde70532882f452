//! The metrics report over the example organisation with synthetic
//! evidence: four weeks of March 2026, a check that flips from pass to fail
//! half way, scans that change, and a git history with known approvals.

use std::cell::RefCell;

use jiff::civil::Date;
use serde_json::{Value, json};

use evident_catalog::Catalog;
use evident_model::Isms;
use evident_model::check::{CheckResult, Outcome};
use evident_model::control::{Control, Lifecycle};
use evident_model::finding::{Finding, FindingCode, ObjectKind, Severity};
use evident_model::status::{self, EvidenceRecord, Observations};

use super::*;
use crate::testing::{acme, at};

/// An item of `source` in `format` from `origin`, collected at `collected`.
fn record(index: u64, source: &str, format: &str, origin: &str, collected: &str) -> EvidenceRecord {
    let mut r = crate::testing::record(index, source, collected);
    r.item.format = Some(format.into());
    r.item.provenance.origin = origin.into();
    r
}

/// A result of a check over `source`'s item at index 0, judging `control`.
fn result(control: &str, source: &str, outcome: Outcome, when: &str) -> CheckResult {
    crate::testing::result(
        "a-check",
        &record(0, source, "-", "-", when),
        control,
        outcome,
        when,
    )
}

fn date(text: &str) -> Date {
    text.parse().expect("a test date")
}

/// An implemented, applicable control with an Annex A theme and a single
/// evidence requirement, so its effectiveness depends on one source.
fn single_source_control<'a>(isms: &'a Isms, catalog: &Catalog) -> &'a Control {
    isms.controls
        .iter()
        .find(|c| {
            c.lifecycle == Lifecycle::Implemented
                && !status::is_excluded(c, &isms.soa)
                && c.evidence.len() == 1
                && c.evidence[0].source.is_some()
                && c.satisfies.iter().any(|(r, _)| {
                    catalog
                        .requirement(r)
                        .is_some_and(|r| r.is_annex_a() && r.theme.is_some())
                })
        })
        .expect("acme has a control with one evidence source")
}

const MARCH: &str = "2026-03-02"; // a Monday
const MARCH_END: &str = "2026-03-29"; // a Sunday: four whole weeks

fn weeks() -> Period {
    Period {
        from: date(MARCH),
        to: date(MARCH_END),
        interval: Interval::Week,
    }
}

fn trivy(vulnerabilities: &[(&str, Option<&str>)]) -> Value {
    let list: Vec<Value> = vulnerabilities
        .iter()
        .enumerate()
        .map(|(i, (severity, published))| {
            json!({
                "target": "app:1.0", "class": "os-pkgs", "type": "debian",
                "id": format!("CVE-2026-{i:04}"), "pkg_id": null, "pkg_name": "openssl",
                "purl": null, "installed_version": "1", "fixed_version": "2",
                "status": "fixed", "severity": severity, "severity_source": "nvd",
                "title": "t", "primary_url": null, "published_date": published,
                "last_modified_date": null, "cwe_ids": [], "cvss": {}, "cvss_score": null
            })
        })
        .collect();
    json!({
        "format": "trivy-json", "format_version": "2", "scanner_version": "0.50.0",
        "created_at": "2026-03-03T00:00:00Z", "artifact_name": "app:1.0",
        "artifact_type": "container_image", "metadata": null, "results": [],
        "vulnerabilities": list, "misconfigurations": [], "secrets": []
    })
}

fn sbom() -> Value {
    json!({
        "format": "cyclonedx", "format_version": "1.5", "serial_number": null, "version": 1,
        "metadata": null, "components": [], "dependencies": [],
        "vulnerabilities": [
            { "id": "CVE-2026-1000", "bom_ref": null, "source": null, "severity": "medium",
              "score": 5.0, "ratings": [], "cwes": [], "description": null,
              "recommendation": null, "published": "2026-01-01T00:00:00Z", "updated": null,
              "affects": [], "analysis": null },
            { "id": "CVE-2026-1001", "bom_ref": null, "source": null, "severity": "critical",
              "score": 9.8, "ratings": [], "cwes": [], "description": null,
              "recommendation": null, "published": null, "updated": null,
              "affects": [], "analysis": { "state": "not_affected", "justification": null, "response": [] } }
        ]
    })
}

fn commit(
    sha: &str,
    parents: &[&str],
    first_parent: bool,
    author: &str,
    time: &str,
    trailers: &[(&str, &str)],
) -> Value {
    let person =
        |email: &str| json!({ "name": email, "email": email, "time": time, "offset": "+00:00" });
    json!({
        "sha": sha, "parents": parents, "merge": parents.len() > 1, "first_parent": first_parent,
        "author": person(author), "committer": person(author), "subject": format!("change {sha}"),
        "signature": { "status": null, "code": null, "signer": null, "key": null },
        "trailers": trailers.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect::<Vec<_>>()
    })
}

/// Known landed commits: week 1 one approved and one self-approved, week 2
/// one without a trailer, week 3 a merge approved by its merger (allowed:
/// the merged branch is someone else's), week 4 one approved with a
/// lowercase key and a bare uppercase address.
fn git_log() -> Value {
    json!({
        "format": "git-log", "format_version": "1", "repository": "acme/isms", "branch": "main",
        "head": "c6", "since": "2026-03-01T00:00:00Z", "until": "2026-03-29T12:00:00Z",
        "commits": [
            commit("c6", &["m4"], true, "ann@acme.example", "2026-03-25T10:00:00Z", &[("approved-by", "BOB@ACME.EXAMPLE")]),
            commit("m4", &["c3", "f5"], true, "bob@acme.example", "2026-03-18T10:00:00Z", &[("Approved-by", "Bob <bob@acme.example>")]),
            commit("f5", &["c3"], false, "carol@acme.example", "2026-03-17T10:00:00Z", &[]),
            commit("c3", &["c2"], true, "ann@acme.example", "2026-03-10T10:00:00Z", &[]),
            commit("c2", &["c1"], true, "ann@acme.example", "2026-03-04T10:00:00Z", &[("Reviewed-by", "Ann <ANN@acme.example>")]),
            commit("c1", &[], true, "ann@acme.example", "2026-03-03T10:00:00Z", &[("Approved-by", "Bob <bob@acme.example>")]),
        ]
    })
}

fn pull_request(number: u64, author: &str, merged_at: &str, approver: &str) -> Value {
    json!({
        "format": "github-pull-request-reviews", "action": null,
        "pull_request": { "number": number, "url": null, "repository": "acme/app", "title": "t",
            "state": "closed", "draft": false, "author": author, "merged": true,
            "merged_at": merged_at, "merged_by": author, "merge_commit_sha": null,
            "head_ref": null, "head_sha": null, "base_ref": "main", "created_at": null,
            "updated_at": null, "closed_at": merged_at },
        "reviews": [{ "id": number, "pull_request_number": number, "pull_request_url": null,
            "user": approver, "user_type": "User", "state": "approved",
            "submitted_at": merged_at, "commit_id": null, "author_association": "MEMBER",
            "html_url": null }]
    })
}

/// The evidence of the month: daily items of the chosen control's source,
/// scans, a git history and pull requests, and an item of a format the
/// report never reads.
struct World {
    isms: Isms,
    catalog: Catalog,
    observations: Observations,
    control: String,
    /// Documents by ledger index.
    documents: Vec<(u64, Value)>,
}

const OLD_SCAN: u64 = 1000;
const OTHER_FORMAT: u64 = 1001;

fn world() -> World {
    let (isms, catalog) = acme();
    let control = single_source_control(&isms, &catalog);
    let source = control.evidence[0]
        .source
        .as_ref()
        .map(|s| s.id.clone())
        .unwrap_or_default();
    let mut evidence = Vec::new();
    // Daily snapshots from 1 to 29 March: always fresh.
    for day in 1..=29u64 {
        evidence.push(record(
            day,
            &source,
            "some-export",
            "export.json",
            &format!("2026-03-{day:02}T00:00:00Z"),
        ));
    }
    // Each snapshot is judged as it arrives (a verdict on an older snapshot
    // would leave the newer one unjudged, which counts as failing): the
    // check passes, then fails from the start of the third week.
    let results = (1..=29u64)
        .map(|day| {
            let outcome = if day < 16 {
                Outcome::Pass
            } else {
                Outcome::Fail
            };
            result(
                &control.id,
                &source,
                outcome,
                &format!("2026-03-{day:02}T00:00:00Z"),
            )
        })
        .collect::<Vec<_>>();
    let scans = "trivy-image-scan";
    evidence.extend([
        record(
            OLD_SCAN,
            scans,
            "trivy-json",
            "trivy.json",
            "2026-03-02T06:00:00Z",
        ),
        record(
            101,
            scans,
            "trivy-json",
            "trivy.json",
            "2026-03-03T06:00:00Z",
        ),
        record(102, scans, "cyclonedx", "sbom.json", "2026-03-03T06:00:00Z"),
        record(
            103,
            scans,
            "trivy-json",
            "trivy.json",
            "2026-03-17T06:00:00Z",
        ),
        record(
            OTHER_FORMAT,
            "aws-iam",
            "aws-iam-credential-report",
            "report.csv",
            "2026-03-05T00:00:00Z",
        ),
        record(
            201,
            "isms-repository",
            "git-log",
            ".",
            "2026-03-29T12:00:00Z",
        ),
        record(
            301,
            "github-reviews",
            "github-pull-request-reviews",
            "pr-1.json",
            "2026-03-20T00:00:00Z",
        ),
        record(
            302,
            "github-reviews",
            "github-pull-request-reviews",
            "pr-2.json",
            "2026-03-20T00:00:00Z",
        ),
    ]);
    let documents = vec![
        (OLD_SCAN, trivy(&[("critical", None); 5])),
        (
            101,
            trivy(&[
                ("critical", Some("2026-02-01T00:00:00Z")),
                ("high", Some("2026-03-01T00:00:00Z")),
                ("HIGH", None),
            ]),
        ),
        (102, sbom()),
        (
            103,
            trivy(&[("high", None), ("low", None), ("UNKNOWN", None)]),
        ),
        (
            OTHER_FORMAT,
            json!({ "format": "aws-iam-credential-report" }),
        ),
        (201, git_log()),
        (301, pull_request(1, "dana", "2026-03-11T09:00:00Z", "erin")),
        (302, pull_request(2, "dana", "2026-03-12T09:00:00Z", "Dana")),
    ];
    World {
        observations: Observations::new(evidence, results),
        control: control.id.clone(),
        isms,
        catalog,
        documents,
    }
}

/// Builds the report, recording which documents were asked for and which
/// dates the analysis ran as of.
fn report(w: &World, period: &Period, now: &str) -> (Metrics, Vec<u64>, Vec<Date>) {
    let loaded = RefCell::new(Vec::new());
    let analysed = RefCell::new(Vec::new());
    let inputs = Inputs {
        isms: &w.isms,
        catalog: &w.catalog,
        observations: &w.observations,
        findings: &[],
        at: at(now),
    };
    let findings_at = |d: Date| {
        analysed.borrow_mut().push(d);
        let finding = |severity| Finding {
            code: FindingCode::StaleEvidence,
            severity,
            object_kind: ObjectKind::Control,
            object_id: "CTL".into(),
            location: None,
            message: "m".into(),
        };
        if d < date("2026-03-16") {
            vec![finding(Severity::Error)]
        } else {
            vec![
                finding(Severity::Error),
                finding(Severity::Error),
                finding(Severity::Warning),
            ]
        }
    };
    let document = |r: &EvidenceRecord| {
        loaded.borrow_mut().push(r.index);
        w.documents
            .iter()
            .find(|(i, _)| *i == r.index)
            .map(|(_, d)| d.clone())
    };
    let m = build(&inputs, period, &findings_at, &document);
    (m, loaded.into_inner(), analysed.into_inner())
}

fn approx(actual: Option<f64>, expected: f64) -> bool {
    actual.is_some_and(|a| (a - expected).abs() < 1e-6)
}

#[test]
fn weeks_start_on_monday_and_the_ends_are_clipped() {
    let cut = |from: &str, to: &str, interval| {
        period::buckets(&Period {
            from: date(from),
            to: date(to),
            interval,
        })
        .into_iter()
        .map(|b| (b.from.to_string(), b.to.to_string(), b.label))
        .collect::<Vec<_>>()
    };
    let s = |a: &str, b: &str, l: &str| (a.to_string(), b.to_string(), l.to_string());
    // From a Wednesday to a Tuesday.
    assert_eq!(
        cut("2026-01-07", "2026-01-20", Interval::Week),
        [
            s("2026-01-07", "2026-01-11", "2026-W02"),
            s("2026-01-12", "2026-01-18", "2026-W03"),
            s("2026-01-19", "2026-01-20", "2026-W04"),
        ]
    );
    // ISO weeks cross years: 2026-12-31 is in week 53 of 2026.
    assert_eq!(
        cut("2026-12-30", "2027-01-04", Interval::Week),
        [
            s("2026-12-30", "2027-01-03", "2026-W53"),
            s("2027-01-04", "2027-01-04", "2027-W01"),
        ]
    );
    assert_eq!(
        cut("2026-01-15", "2026-03-10", Interval::Month),
        [
            s("2026-01-15", "2026-01-31", "2026-01"),
            s("2026-02-01", "2026-02-28", "2026-02"),
            s("2026-03-01", "2026-03-10", "2026-03"),
        ]
    );
    assert_eq!(cut("2026-01-02", "2026-01-01", Interval::Month), []);
    // The end of the calendar neither loops nor panics.
    for interval in [Interval::Week, Interval::Month] {
        let last = cut("9999-12-20", "9999-12-31", interval);
        assert_eq!(last.last().map(|b| b.1.as_str()), Some("9999-12-31"));
    }
}

#[test]
fn a_control_effective_for_half_the_period_scores_one_half() {
    let w = world();
    let (m, _, _) = report(&w, &weeks(), "2026-04-01T00:00:00Z");
    let c = m
        .effectiveness
        .controls
        .iter()
        .find(|c| c.id == w.control)
        .expect("the control is counted");
    assert!(approx(c.period, 0.5), "{c:?}");
    let weekly: Vec<Option<f64>> = c
        .buckets
        .iter()
        .map(|v| v.map(|v| (v * 1e6).round() / 1e6))
        .collect();
    assert_eq!(weekly, [Some(1.0), Some(1.0), Some(0.0), Some(0.0)]);
    assert_eq!(c.status_at_end, Some(status::ControlStatus::Failing));
    assert!(!c.themes.is_empty());
    // The overall figure weighs every counted control equally.
    let mean = m
        .effectiveness
        .controls
        .iter()
        .filter_map(|c| c.period)
        .sum::<f64>()
        / m.effectiveness.controls.len() as f64;
    assert!(approx(m.effectiveness.overall.period, mean));
    assert!(
        m.effectiveness
            .overall
            .period
            .is_some_and(|p| p > 0.0 && p < 0.5)
    );
    // Only implemented controls the SoA does not exclude are counted.
    let counted = w
        .isms
        .controls
        .iter()
        .filter(|c| c.lifecycle == Lifecycle::Implemented && !status::is_excluded(c, &w.isms.soa))
        .count();
    assert_eq!(m.effectiveness.controls.len(), counted);
    // Its theme's average includes it.
    let theme = &c.themes[0];
    let series = m
        .effectiveness
        .themes
        .iter()
        .find(|t| &t.name == theme)
        .expect("its theme");
    assert!(series.buckets[0].is_some_and(|v| v > 0.0));
}

#[test]
fn the_future_is_not_measured() {
    let w = world();
    // The report is as of the third week's Friday.
    let (m, _, analysed) = report(&w, &weeks(), "2026-03-20T12:00:00Z");
    assert_eq!(
        analysed,
        [date("2026-03-08"), date("2026-03-15"), date("2026-03-20")]
    );
    let errors = &m.findings.by_severity[0];
    assert_eq!(errors.name, "error");
    assert_eq!(errors.buckets, [Some(1.0), Some(1.0), Some(2.0), None]);
    assert_eq!(errors.period, Some(2.0));
    assert_eq!(m.findings.top_codes[0].code, "stale-evidence");
    assert_eq!(m.findings.top_codes[0].count, 3);
    assert_eq!(m.effectiveness.overall.buckets[3], None);
    assert_eq!(m.vulnerabilities.by_severity[0].buckets[3], None);
    // Effectiveness counts the span up to the report's instant only.
    let c = m
        .effectiveness
        .controls
        .iter()
        .find(|c| c.id == w.control)
        .expect("counted");
    assert!(approx(c.period, 14.0 / 18.5), "{c:?}");
}

#[test]
fn vulnerabilities_come_from_the_newest_scan_at_each_bucket_end() {
    let w = world();
    let (m, loaded, _) = report(&w, &weeks(), "2026-04-01T00:00:00Z");
    let by = |name: &str| {
        m.vulnerabilities
            .by_severity
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.buckets.clone())
            .expect("a severity")
    };
    // Weeks 1-2: the trivy report and the SBOM of 3 March (its
    // not-affected entry is not counted); weeks 3-4: the 17 March report.
    assert_eq!(by("critical"), [Some(1.0), Some(1.0), Some(0.0), Some(0.0)]);
    assert_eq!(by("high"), [Some(2.0), Some(2.0), Some(1.0), Some(1.0)]);
    assert_eq!(by("medium"), [Some(1.0), Some(1.0), Some(0.0), Some(0.0)]);
    assert_eq!(by("low"), [Some(0.0), Some(0.0), Some(1.0), Some(1.0)]);
    assert_eq!(by("unknown"), [Some(0.0), Some(0.0), Some(1.0), Some(1.0)]);
    // Week 1 ends on 8 March 23:59:59: the critical is 35.999 days old,
    // the high 7.999 and the SBOM's medium 66.999; one has no date.
    let mean = m.vulnerabilities.mean_age_days.buckets[0].expect("known ages");
    assert!((mean - (36.0 + 8.0 + 67.0) / 3.0).abs() < 0.1, "{mean}");
    assert_eq!(m.vulnerabilities.unknown_age.buckets[0], Some(1.0));
    assert_eq!(m.vulnerabilities.unknown_age.buckets[2], Some(3.0));
    assert_eq!(m.vulnerabilities.mean_age_days.buckets[2], None);
    assert_eq!(m.vulnerabilities.sources.len(), 1);
    assert_eq!(m.vulnerabilities.sources[0].by_severity, [0, 1, 0, 1, 1]);

    // Only the report's formats, only the newest collections, each once.
    for index in &loaded {
        let format = w
            .observations
            .sources()
            .flat_map(|(_, r)| r)
            .find(|r| r.index == *index)
            .and_then(|r| r.item.format.clone())
            .unwrap_or_default();
        assert!(FORMATS.contains(&format.as_str()), "{format}");
    }
    assert!(!loaded.contains(&OTHER_FORMAT));
    assert!(!loaded.contains(&OLD_SCAN));
    let mut unique = loaded.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), loaded.len(), "{loaded:?}");
    assert_eq!(unique, [101, 102, 103, 201, 301, 302]);
}

#[test]
fn before_the_first_scan_the_counts_are_unknown_not_zero() {
    let w = world();
    let period = Period {
        from: date("2026-02-23"),
        to: date(MARCH_END),
        interval: Interval::Week,
    };
    let (m, _, _) = report(&w, &period, "2026-04-01T00:00:00Z");
    assert_eq!(m.vulnerabilities.by_severity[0].buckets[0], None);
    assert_eq!(m.vulnerabilities.by_severity[0].buckets[1], Some(1.0));
    // The git history starts on 1 March: the week before is not covered.
    let git = m
        .changes
        .sources
        .iter()
        .find(|s| s.format == "git-log")
        .expect("git");
    assert_eq!(git.trend.changes.buckets[0], None);
}

#[test]
fn changes_are_approved_by_someone_other_than_their_makers() {
    let w = world();
    let (m, _, _) = report(&w, &weeks(), "2026-04-01T00:00:00Z");
    let git = m
        .changes
        .sources
        .iter()
        .find(|s| s.format == "git-log")
        .expect("git");
    assert_eq!(git.source, "isms-repository");
    assert_eq!(
        git.trend.changes.buckets,
        [Some(2.0), Some(1.0), Some(1.0), Some(1.0)]
    );
    assert_eq!(
        git.trend.approved.buckets,
        [Some(1.0), Some(0.0), Some(1.0), Some(1.0)]
    );
    assert!(approx(git.trend.approved_share.period, 3.0 / 5.0));
    assert!(approx(git.trend.approved_share.buckets[0], 0.5));

    // Pull request 1 approved by another person, 2 only by its author
    // (whatever the case of the login).
    let prs = m
        .changes
        .sources
        .iter()
        .find(|s| s.format == "github-pull-request-reviews")
        .expect("pull requests");
    assert_eq!(
        prs.trend.changes.buckets,
        [Some(0.0), Some(2.0), Some(0.0), Some(0.0)]
    );
    assert_eq!(
        prs.trend.approved.buckets,
        [Some(0.0), Some(1.0), Some(0.0), Some(0.0)]
    );

    assert_eq!(
        m.changes.total.changes.buckets,
        [Some(2.0), Some(3.0), Some(1.0), Some(1.0)]
    );
    assert!(approx(m.changes.total.approved_share.period, 4.0 / 7.0));
    assert_eq!(m.changes.approval_trailers, ["Approved-by", "Reviewed-by"]);
}

#[test]
fn trailer_emails_are_read_as_the_check_reads_them() {
    let read = |v: &str| changes::trailer_email(v);
    assert_eq!(
        read("Bob <Bob@X.example>").as_deref(),
        Some("bob@x.example")
    );
    assert_eq!(read(" bob@x.example ").as_deref(), Some("bob@x.example"));
    assert_eq!(read("Bob Smith"), None);
    assert_eq!(read("Bob <bob>"), None);
    assert_eq!(read("bob@x.example and carol@x.example"), None);
    assert_eq!(read("Bob >bob@x.example<"), None);
    assert_eq!(read("Bob <bob@x.example"), None);
}

#[test]
fn every_risk_is_in_one_cell_of_each_matrix() {
    let mut w = world();
    let total = w.isms.risks.len() as u64;
    assert!(total > 0);
    // One never reviewed, one reviewed on the period's last day.
    w.isms.risks[0].review.last_reviewed = None;
    w.isms.risks[1].review.last_reviewed = Some(date(MARCH_END));
    let (m, _, _) = report(&w, &weeks(), "2026-04-01T00:00:00Z");
    let r = &m.risks;
    assert_eq!(r.total, total);
    for matrix in [&r.inherent, &r.residual] {
        assert_eq!(matrix.total(), total);
        assert_eq!(matrix.off_scale, 0);
        assert_eq!(
            matrix.cells.len(),
            w.isms.organisation.risk.likelihood.len()
        );
    }
    assert_eq!(r.levels.iter().map(|l| l.inherent).sum::<u64>(), total);
    assert_eq!(r.levels.iter().map(|l| l.residual).sum::<u64>(), total);
    // Cell (l, i) counts the risks rated so.
    let first = w.isms.risks[0].inherent;
    let cell = r.inherent.cells[usize::from(first.likelihood) - 1][usize::from(first.impact) - 1];
    let same = w.isms.risks.iter().filter(|x| x.inherent == first).count() as u64;
    assert_eq!(cell, same);
    let above = w
        .isms
        .risks
        .iter()
        .filter(|x| x.current().score() > w.isms.organisation.risk.appetite)
        .count();
    assert_eq!(r.above_appetite.len(), above);
    let past: Vec<&str> = r.past_review.iter().map(|p| p.id.as_str()).collect();
    assert!(past.contains(&w.isms.risks[0].id.as_str()));
    assert!(!past.contains(&w.isms.risks[1].id.as_str()));
}

#[test]
fn freshness_follows_each_source_newest_evidence() {
    let w = world();
    let (m, _, _) = report(&w, &weeks(), "2026-04-01T00:00:00Z");
    let f = &m.freshness;
    let git = f
        .sources
        .iter()
        .find(|s| s.source == "isms-repository")
        .expect("listed");
    // Collected 29 March 12:00, the period ends 29 March 23:59:59.
    assert_eq!(git.age_days, Some(0.5));
    let silent = w
        .isms
        .sources
        .iter()
        .find(|s| w.observations.evidence_of(&s.name).is_empty())
        .expect("a source without evidence");
    let never = f
        .sources
        .iter()
        .find(|s| s.source == silent.name)
        .expect("listed");
    assert_eq!((never.age_days, never.collected_at), (None, None));
    let daily = f
        .sources
        .iter()
        .find(|s| s.source != "isms-repository" && s.age_days == Some(1.0));
    assert!(daily.is_some(), "the daily source is a day old at the end");
    assert!(f.requirements > 0);
    // Scans arrive in week 1, so the share of fresh requirements grows.
    let shares: Vec<f64> = f
        .fresh_requirements
        .buckets
        .iter()
        .map(|v| v.unwrap_or(-1.0))
        .collect();
    assert!(shares.iter().all(|s| (0.0..=1.0).contains(s)), "{shares:?}");
    assert!(shares[3] > 0.0);
}

#[test]
fn renderings_carry_every_section() {
    let mut w = world();
    w.isms.organisation.name = "<script>alert('x')</script> & Co".into();
    let (m, _, _) = report(&w, &weeks(), "2026-04-01T00:00:00Z");

    let page = html(&m);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg"));
    assert!(page.matches("<svg").count() >= 8);
    assert!(!page.contains("<script"));
    assert!(page.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; Co"));
    let lower = page.to_lowercase();
    assert!(!lower.contains("src="));
    assert!(!lower.contains("href="));
    assert!(!lower.contains("http:") && !lower.contains("https:"));
    assert!(page.contains("Not recorded yet"));
    let least = &m.effectiveness.controls[0];
    assert!(page.contains(&least.id));

    let doc = json(&m);
    assert_eq!(doc["schema_version"], json!(crate::SCHEMA_VERSION));
    assert_eq!(doc["nonconformities"]["value"], Value::Null);
    assert!(
        doc["nonconformities"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("not zero"))
    );
    assert_eq!(doc["buckets"].as_array().map(Vec::len), Some(4));
    assert_eq!(doc["period"]["interval"], json!("week"));
    assert_eq!(doc["changes"]["total"]["changes"]["buckets"][0], json!(2.0));

    let text = csv(&m);
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        ["metric", "series", "bucket", "from", "to", "value", "note"]
    );
    let rows: Vec<::csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV");
    let find = |metric: &str, series: &str, bucket: &str| {
        rows.iter()
            .find(|r| &r[0] == metric && &r[1] == series && &r[2] == bucket)
            .map(|r| r[5].to_string())
    };
    assert_eq!(find("findings", "error", "2026-W12").as_deref(), Some("2"));
    assert_eq!(
        find("changes-approved-share", "isms-repository", "period").as_deref(),
        Some("0.6")
    );
    assert_eq!(
        find("vulnerabilities", "critical", "2026-W10").as_deref(),
        Some("1")
    );
    let nc = rows
        .iter()
        .find(|r| &r[0] == "nonconformities")
        .expect("a row");
    assert_eq!(&nc[5], "");
    assert!(nc[6].contains("does not record"));
}

#[test]
fn an_empty_store_gives_unknowns_and_still_renders() {
    let (isms, catalog) = acme();
    let observations = Observations::default();
    let inputs = Inputs {
        isms: &isms,
        catalog: &catalog,
        observations: &observations,
        findings: &[],
        at: at("2026-04-01T00:00:00Z"),
    };
    let called = RefCell::new(0);
    let document = |_: &EvidenceRecord| {
        *called.borrow_mut() += 1;
        None
    };
    let m = build(&inputs, &weeks(), &|_: Date| Vec::new(), &document);
    assert_eq!(*called.borrow(), 0);
    assert_eq!(m.effectiveness.overall.period, Some(0.0));
    assert_eq!(m.changes.total.approved_share.period, None);
    assert!(m.changes.sources.is_empty());
    assert_eq!(m.vulnerabilities.by_severity[0].period, None);
    let page = html(&m);
    assert!(page.contains("unknown"));
    assert!(!csv(&m).is_empty());
}
