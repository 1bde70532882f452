//! The SoA of the example organisation, with evidence chosen so that every
//! status occurs, built and rendered in every format and read back.

use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use evident_catalog::Catalog;
use evident_model::check::{CheckResult, Outcome};
use evident_model::control::Lifecycle;
use evident_model::decision::{Decision, DecisionKind};
use evident_model::framework::{Framework, Requirement, RequirementKind};
use evident_model::hash::ContentHash;
use evident_model::status::{ControlStatus, Observations};
use evident_model::vendor::AssuranceKind;
use evident_model::{Isms, Location, Reference};

use super::cells::STATUS_COLUMN as STATUS;
use super::*;
use crate::testing::{at, record, result};

fn acme() -> Isms {
    crate::testing::acme().0
}

fn failing_result(control: &str, source: &str, when: &str) -> CheckResult {
    result(
        "test-check",
        &record(0, source, when),
        control,
        Outcome::Fail,
        when,
    )
}

/// The instant of the reports: after the acme SoA was approved
/// (2026-11-20) and after lumen-payroll's assurance expired (2026-09-29).
const AT: &str = "2026-12-01T00:00:00Z";

/// Evidence such that, at [`AT`]: CTL-IAM-01 (A.8.5) is effective,
/// CTL-OPS-09 (A.8.24) fails a check, and CTL-END-01 (A.8.1) is stale;
/// controls without evidence are missing.
fn observations() -> Observations {
    Observations::new(
        vec![
            record(0, "aws-iam", "2026-11-28T10:00:00Z"),
            record(1, "okta-users", "2026-11-29T10:00:00Z"),
            record(2, "terraform-plan", "2026-11-29T12:00:00Z"),
            // mdm-devices must be younger than 7 days for CTL-END-01.
            record(3, "mdm-devices", "2026-11-01T00:00:00Z"),
            // An older okta export: the row must show the newest.
            record(4, "okta-users", "2026-10-01T10:00:00Z"),
        ],
        vec![failing_result(
            "CTL-OPS-09",
            "terraform-plan",
            "2026-11-30T00:00:00Z",
        )],
    )
}

struct Fixture {
    isms: Isms,
    catalog: Catalog,
    observations: Observations,
}

impl Fixture {
    fn new() -> Self {
        let isms = acme();
        let catalog = Catalog::with_user_frameworks(&isms.frameworks);
        Self {
            isms,
            catalog,
            observations: observations(),
        }
    }

    fn report(&self) -> SoaReport {
        build(&Inputs {
            isms: &self.isms,
            catalog: &self.catalog,
            observations: &self.observations,
            findings: &[],
            at: at(AT),
        })
    }
}

fn row<'a>(report: &'a SoaReport, id: &str) -> &'a SoaRow {
    report
        .rows
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

fn here() -> Location {
    Location::file_start(Arc::from("decisions/test.yaml"))
}

fn soa_decision(id: &str, hash: ContentHash, date: &str) -> Decision {
    Decision {
        id: id.into(),
        kind: DecisionKind::SoaApproval,
        subject: Reference {
            id: "soa".into(),
            at: here(),
        },
        subject_hash: hash,
        approved_by: Reference {
            id: "marcus".into(),
            at: here(),
        },
        role: "ciso".into(),
        date: date.parse().expect("a test date"),
        comment: None,
        location: here(),
    }
}

#[test]
fn one_row_per_annex_a_control_in_catalog_order() {
    let fixture = Fixture::new();
    let report = fixture.report();
    assert_eq!(report.rows.len(), 93);
    let expected: Vec<&str> = fixture
        .catalog
        .framework("iso27001-2022")
        .map(|f| {
            f.requirements
                .iter()
                .filter(|r| r.is_annex_a())
                .map(|r| r.id.as_str())
                .collect()
        })
        .unwrap_or_default();
    let ids: Vec<&str> = report.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert_eq!(report.rows[0].id, "A.5.1");
    assert_eq!(report.rows[0].title, "Policies for information security");
    assert_eq!(report.rows[0].theme, "organizational");
}

#[test]
fn every_status_occurs_and_follows_the_evidence() {
    let report = Fixture::new().report();

    let effective = row(&report, "A.8.5");
    assert_eq!(effective.status, RowStatus::Effective);
    assert_eq!(effective.applicability, Decided::Applicable);

    let failing = row(&report, "A.8.24");
    assert_eq!(failing.status, RowStatus::Failing);
    assert_eq!(failing.implemented_by.len(), 1);
    assert_eq!(failing.implemented_by[0].id, "CTL-OPS-09");
    assert_eq!(
        failing.implemented_by[0].status,
        Some(ControlStatus::Failing)
    );
    assert!(cells(failing)[6].contains("CTL-OPS-09 (failing)"));

    assert_eq!(row(&report, "A.8.1").status, RowStatus::Stale);
    assert_eq!(row(&report, "A.6.1").status, RowStatus::Missing);

    let excluded = row(&report, "A.8.30");
    assert_eq!(excluded.applicability, Decided::Excluded);
    assert_eq!(excluded.status, RowStatus::NotApplicable);
    assert!(
        excluded
            .justification
            .as_deref()
            .is_some_and(|j| j.starts_with("All software is developed by Acme employees"))
    );

    // The SoA does not mention A.5.33: shown as not decided, and its status
    // still derives from its controls (none).
    let undecided = row(&report, "A.5.33");
    assert_eq!(undecided.applicability, Decided::NotDecided);
    assert_eq!(undecided.status, RowStatus::NotImplemented);
    assert_eq!(cells(undecided)[3], "not decided");

    for status in RowStatus::ALL {
        assert!(
            report.rows.iter().any(|r| r.status == status),
            "no {status:?} row"
        );
    }
}

#[test]
fn a_row_is_as_bad_as_its_worst_control() {
    // A.8.27 is implemented by CTL-ENG-01 (jira and github evidence, both
    // missing) and CTL-ENG-04 (terraform-plan, effective): missing wins.
    let report = Fixture::new().report();
    let r = row(&report, "A.8.27");
    let statuses: Vec<_> = r.implemented_by.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [Some(ControlStatus::Missing), Some(ControlStatus::Effective)]
    );
    assert_eq!(r.status, RowStatus::Missing);
}

#[test]
fn a_planned_control_does_not_implement_a_row() {
    let mut fixture = Fixture::new();
    // A.8.6 is implemented only by CTL-OPS-04.
    let report = fixture.report();
    assert_eq!(row(&report, "A.8.6").status, RowStatus::Missing);
    for control in &mut fixture.isms.controls {
        if control.id == "CTL-OPS-04" {
            control.lifecycle = Lifecycle::Planned;
        }
    }
    let report = fixture.report();
    let r = row(&report, "A.8.6");
    assert_eq!(r.status, RowStatus::NotImplemented);
    assert_eq!(r.implemented_by[0].status, None);
    assert_eq!(r.implemented_by[0].lifecycle, Lifecycle::Planned);
    assert!(cells(r)[6].contains("CTL-OPS-04 (planned)"));
}

#[test]
fn rows_name_owners_evidence_and_risks() {
    let fixture = Fixture::new();
    let report = fixture.report();
    let r = row(&report, "A.8.5");
    assert_eq!(
        r.owners,
        [OwnerName {
            id: "tom".into(),
            name: Some("Tom Achebe".into())
        }]
    );
    // The newest of the two sources, and the newest of okta's two items.
    let newest = r.newest_evidence.as_ref().expect("evidence");
    assert_eq!(newest.source, "okta-users");
    assert_eq!(newest.index, 1);
    assert_eq!(newest.digest, ContentHash::of_bytes(b"okta-users-1"));
    assert_eq!(cells(r)[10], "2026-11-29");
    // Risks the control names, and risks naming the control.
    let control = fixture
        .isms
        .controls
        .iter()
        .find(|c| c.id == "CTL-IAM-01")
        .expect("CTL-IAM-01");
    for risk in &control.risks {
        assert!(r.risks.contains(&risk.id), "{} missing", risk.id);
    }
    for risk in fixture
        .isms
        .risks
        .iter()
        .filter(|k| k.controls.iter().any(|c| c.id == "CTL-IAM-01"))
    {
        assert!(r.risks.contains(&risk.id), "{} missing", risk.id);
    }
    assert!(!r.risks.is_empty());
    assert!(r.risks.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
    assert_eq!(row(&report, "A.6.1").newest_evidence, None);
}

#[test]
fn shared_and_inherited_rows_name_the_vendor_and_its_assurance() {
    let mut fixture = Fixture::new();
    let report = fixture.report();
    // A.7.1: the office (owned) and the AWS data centres (inherited).
    let shared = row(&report, "A.7.1");
    assert_eq!(shared.responsibility, Some(Responsibility::Shared));
    assert_eq!(shared.providers.len(), 1);
    assert_eq!(shared.providers[0].id, "aws");
    // Of AWS's three valid documents, the one lasting longest (two expire
    // on the same day, were issued on the same day: the one listed last).
    let assurance = shared.providers[0].assurance.as_ref().expect("assurance");
    assert_eq!(assurance.state, AssuranceState::Valid);
    assert_eq!(assurance.expires.to_string(), "2028-11-19");
    assert_eq!(assurance.kind, AssuranceKind::Iso27017Certificate);

    // Lumen's only report expired on 2026-09-29.
    let expired = row(&report, "A.6.1");
    let lumen = &expired.providers[0];
    assert_eq!(lumen.id, "lumen-payroll");
    let assurance = lumen.assurance.as_ref().expect("assurance");
    assert_eq!(assurance.state, AssuranceState::Expired);
    assert_eq!(assurance.kind, AssuranceKind::Soc2Type2);
    assert!(cells(expired)[7].contains("until 2026-09-29, expired"));

    // Without the office control, AWS runs A.7.1 alone.
    for control in &mut fixture.isms.controls {
        if control.id == "CTL-PHY-01" {
            control.lifecycle = Lifecycle::Retired;
        }
    }
    let report = fixture.report();
    let inherited = row(&report, "A.7.1");
    assert_eq!(inherited.responsibility, Some(Responsibility::Inherited));
    let cell = &cells(inherited)[7];
    assert!(
        cell.starts_with("inherited: Amazon Web Services EMEA SARL (aws), iso27017-certificate until 2028-11-19, valid"),
        "{cell}"
    );
    assert_eq!(
        row(&report, "A.8.5").responsibility,
        Some(Responsibility::Shared)
    );
    assert_eq!(
        row(&report, "A.5.1").responsibility,
        Some(Responsibility::Owned)
    );
    assert_eq!(row(&report, "A.5.33").responsibility, None);
}

#[test]
fn the_header_carries_version_soa_hash_and_approval() {
    let mut fixture = Fixture::new();
    let report = fixture.report();
    let soa_hash = evident_model::hash::soa(&fixture.isms.soa);
    assert_eq!(report.header.soa_hash, soa_hash);
    assert_eq!(report.header.version.as_deref(), Some("2026.3"));
    assert_eq!(report.header.organisation, fixture.isms.organisation.name);

    // The acme decision was recorded for the SoA as shipped.
    let acme = fixture
        .isms
        .decisions
        .iter()
        .find(|d| d.kind == DecisionKind::SoaApproval)
        .expect("the acme SoA decision");
    assert_eq!(acme.subject_hash, soa_hash);
    let Approval::Approved(signoff) = &report.header.approval else {
        panic!("not approved: {:?}", report.header.approval);
    };
    assert_eq!(signoff.by, "hannah");
    assert_eq!(signoff.name.as_deref(), Some("Hannah Okafor"));
    assert_eq!(signoff.role, "ceo");
    assert_eq!(signoff.date.to_string(), "2026-11-20");

    // Change a justification: the decision no longer covers it.
    if let Some(entry) = fixture.isms.soa.entries.first_mut() {
        entry.justification = Some("changed after sign-off".into());
    }
    let report = fixture.report();
    assert_ne!(report.header.soa_hash, soa_hash);
    assert!(matches!(
        &report.header.approval,
        Approval::EarlierVersion(s) if s.by == "hannah"
    ));
    assert_eq!(
        report.header.approval.label(),
        "approved an earlier version"
    );

    // A new decision bound to the changed SoA covers it; an older decision
    // for it wins over a newer one for something else.
    let changed = report.header.soa_hash.clone();
    fixture
        .isms
        .decisions
        .push(soa_decision("D-new", changed.clone(), "2026-11-10"));
    let report = fixture.report();
    assert!(matches!(
        &report.header.approval,
        Approval::Approved(s) if s.decision == "D-new" && s.by == "marcus" && s.subject_hash == changed
    ));

    fixture.isms.decisions.clear();
    assert_eq!(fixture.report().header.approval, Approval::NotApproved);
}

#[test]
fn an_soa_as_of_a_date_knows_only_the_decisions_made_by_then() {
    let fixture = Fixture::new();
    let on = |date: &str| {
        build(&Inputs {
            isms: &fixture.isms,
            catalog: &fixture.catalog,
            observations: &fixture.observations,
            findings: &[],
            at: at(date),
        })
        .header
        .approval
    };
    // The acme SoA was approved on 2026-11-20.
    assert_eq!(on("2026-11-19T23:59:59Z"), Approval::NotApproved);
    assert!(matches!(on("2026-11-20T00:00:00Z"), Approval::Approved(_)));
}

#[test]
fn an_unreviewed_assurance_report_is_shown_as_unreviewed_not_valid() {
    let report = Fixture::new().report();
    // Atlassian's SOC 2 is current but nobody at Acme has reviewed it.
    let row = report
        .rows
        .iter()
        .find(|r| r.providers.iter().any(|p| p.id == "atlassian"))
        .expect("a row relying on Atlassian");
    let atlassian = row.providers.iter().find(|p| p.id == "atlassian").unwrap();
    let assurance = atlassian.assurance.as_ref().expect("assurance");
    assert_eq!(assurance.state, AssuranceState::Unreviewed);
    assert!(cells(row)[7].contains("unreviewed"), "{}", cells(row)[7]);
}

#[test]
fn the_report_hash_is_stable_and_follows_the_content() {
    let mut fixture = Fixture::new();
    let first = fixture.report();
    let second = fixture.report();
    assert_eq!(first.report_hash, second.report_hash);
    assert_eq!(
        first.report_hash,
        SoaReport::content_hash(&first.header, &first.rows)
    );

    // The instant alone does not change it when nothing else does.
    let later = build(&Inputs {
        isms: &fixture.isms,
        catalog: &fixture.catalog,
        observations: &fixture.observations,
        findings: &[],
        at: at("2026-12-01T00:00:01Z"),
    });
    assert_eq!(later.rows, first.rows);
    assert_eq!(later.report_hash, first.report_hash);

    // A row that changes (its status, here) changes it.
    let stale = build(&Inputs {
        isms: &fixture.isms,
        catalog: &fixture.catalog,
        observations: &fixture.observations,
        findings: &[],
        at: at("2027-02-01T00:00:00Z"),
    });
    assert_ne!(stale.report_hash, first.report_hash);

    // So does an edited justification.
    for entry in &mut fixture.isms.soa.entries {
        if entry.requirement == "A.8.30" {
            entry.justification = Some("Edited.".into());
        }
    }
    assert_ne!(fixture.report().report_hash, first.report_hash);
}

#[test]
fn the_summary_counts_by_theme() {
    let report = Fixture::new().report();
    let themes: Vec<&str> = report
        .summary
        .themes
        .iter()
        .map(|t| t.theme.as_str())
        .collect();
    assert_eq!(
        themes,
        ["organizational", "people", "physical", "technological"]
    );
    let counts: Vec<usize> = report.summary.themes.iter().map(|t| t.controls).collect();
    assert_eq!(counts, [37, 8, 14, 34]);
    let total = &report.summary.total;
    assert_eq!(total.controls, 93);
    assert_eq!(total.excluded, 3);
    assert_eq!(total.not_decided, 1);
    assert_eq!(total.applicable, 89);
    assert_eq!(total.by_status.get(RowStatus::NotApplicable), 3);
    let by_status: usize = RowStatus::ALL.iter().map(|s| total.by_status.get(*s)).sum();
    assert_eq!(by_status, 93);
    let organisational = &report.summary.themes[0];
    assert_eq!(organisational.not_decided, 1); // A.5.33
}

#[test]
fn the_workbook_reads_back() {
    let report = Fixture::new().report();
    let bytes = xlsx(&report).expect("workbook");
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone()))
        .expect("an XLSX calamine can read");
    assert_eq!(
        workbook.sheet_names(),
        ["Statement of Applicability", "Summary", "About"]
    );

    let table = workbook
        .worksheet_range("Statement of Applicability")
        .expect("the table sheet");
    assert_eq!(table.height(), 94);
    assert_eq!(table.width(), COLUMNS.len());
    let text = |row: usize, column: usize| match table.get((row, column)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => panic!("({row}, {column}) is not text: {other:?}"),
    };
    let header: Vec<String> = (0..COLUMNS.len()).map(|c| text(0, c)).collect();
    assert_eq!(header, COLUMNS);
    let position = |id: &str| report.rows.iter().position(|r| r.id == id).expect("a row") + 1;
    let failing = position("A.8.24");
    assert_eq!(text(failing, 0), "A.8.24");
    assert_eq!(text(failing, STATUS), "failing");
    assert_eq!(text(failing, 6), "CTL-OPS-09 (failing)");
    assert_eq!(text(position("A.8.30"), STATUS), "not-applicable");
    assert_eq!(text(position("A.5.33"), 3), "not decided");
    for (i, r) in report.rows.iter().enumerate() {
        assert_eq!(text(i + 1, 0), r.id);
        assert_eq!(text(i + 1, STATUS), r.status.as_str());
    }

    let summary = workbook.worksheet_range("Summary").expect("summary");
    assert_eq!(summary.height(), 6); // heading, four themes, total
    assert_eq!(
        summary.get((1, 0)),
        Some(&Data::String("Organisational".into()))
    );
    assert_eq!(summary.get((5, 1)), Some(&Data::Float(93.0)));
    assert_eq!(summary.get((5, 3)), Some(&Data::Float(3.0)));

    let about = workbook.worksheet_range("About").expect("about");
    let facts: Vec<(String, String)> = about
        .rows()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    let fact = |name: &str| {
        facts
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(fact("SoA version"), "2026.3");
    assert_eq!(fact("SoA content hash"), report.header.soa_hash.to_string());
    assert_eq!(fact("Report hash"), report.report_hash.to_string());
    assert!(
        fact("Approval").starts_with("approved by Hannah Okafor (hannah) as ceo on 2026-11-20")
    );

    // The same report gives the same bytes: nothing comes from the clock.
    assert_eq!(xlsx(&report).expect("workbook"), bytes);
}

#[test]
fn odd_text_is_kept_as_text_and_cut_to_the_cell_limit() {
    let mut report = Fixture::new().report();
    report.rows[0].justification = Some("=HYPERLINK(\"http://evil\",\"x\")".into());
    report.rows[1].justification = Some("é".repeat(40_000));
    report.rows[2].title = "\u{1}ctl\u{7f} 😀".repeat(10_000);
    let bytes = xlsx(&report).expect("odd text does not fail the workbook");
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("readable");
    let table = workbook
        .worksheet_range("Statement of Applicability")
        .expect("the table sheet");
    assert_eq!(
        table.get((1, 4)),
        Some(&Data::String("=HYPERLINK(\"http://evil\",\"x\")".into()))
    );
    let long = match table.get((2, 4)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(long.encode_utf16().count(), 32_767);
    assert!(long.ends_with('…'));
    assert!(xlsx::limit(&"😀".repeat(20_000)).encode_utf16().count() <= 32_767);

    // In CSV, a spreadsheet would run the formula: it is made text.
    let text = csv(&report);
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let first = reader.records().next().expect("a row").expect("parses");
    assert_eq!(&first[4], "'=HYPERLINK(\"http://evil\",\"x\")");
}

#[test]
fn the_csv_parses_back_with_the_same_columns() {
    let report = Fixture::new().report();
    let mut hostile = report.clone();
    hostile.rows[0].justification = Some("a, \"quoted\"\nsecond line".into());
    let text = csv(&hostile);
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(headers, COLUMNS);
    let records: Vec<::csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("RFC 4180 records");
    assert_eq!(records.len(), 93);
    for (record, row) in records.iter().zip(&hostile.rows) {
        assert_eq!(record.len(), COLUMNS.len());
        let expected = cells(row);
        assert_eq!(record.iter().collect::<Vec<_>>(), expected);
    }
    assert_eq!(&records[0][4], "a, \"quoted\"\nsecond line");
    let reasons = &records[0][5];
    assert!(reasons.contains("; "), "{reasons}");
}

#[test]
fn the_json_has_a_schema_version_and_every_row() {
    let report = Fixture::new().report();
    let value = json(&report);
    assert_eq!(value["schema_version"], crate::SCHEMA_VERSION);
    assert_eq!(value["rows"].as_array().map(Vec::len), Some(93));
    assert_eq!(value["report_hash"], report.report_hash.to_string());
    assert_eq!(value["soa_hash"], report.header.soa_hash.to_string());
    assert_eq!(value["approval"]["state"], "approved");
    assert_eq!(value["approval"]["by"], "hannah");
    assert_eq!(value["at"], AT);
    let failing = value["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["id"] == "A.8.24"))
        .expect("A.8.24");
    assert_eq!(failing["status"], "failing");
    assert_eq!(failing["applicability"], "applicable");
    assert_eq!(failing["implemented_by"][0]["id"], "CTL-OPS-09");
    assert_eq!(value["summary"]["total"]["by_status"]["not-applicable"], 3);
}

fn hostile(report: &SoaReport) -> SoaReport {
    let mut report = report.clone();
    report.rows[0].title = "<script>alert(1)</script> | pipe".into();
    report.rows[0].justification = Some("a | b <b>bold</b>\nnext line & more".into());
    report
}

#[test]
fn the_html_page_escapes_and_shows_every_row() {
    let report = hostile(&Fixture::new().report());
    let page = html(&report);
    assert!(page.starts_with("<!DOCTYPE html>"));
    for r in &report.rows {
        assert!(page.contains(&format!("<tr id=\"{}\">", r.id)), "{}", r.id);
    }
    assert!(!page.contains("<script>"));
    assert!(!page.contains("<b>bold"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; | pipe"));
    assert!(page.contains("next line &amp; more"));
    assert!(page.contains("<td class=\"status-failing\">failing</td>"));
    assert!(page.contains("Organisational"));
    assert!(page.contains(report.report_hash.as_str()));
    // Self-contained: nothing is fetched.
    assert!(!page.contains("src="));
    assert!(!page.contains("href="));
}

#[test]
fn the_markdown_table_escapes_and_shows_every_row() {
    let report = hostile(&Fixture::new().report());
    let text = markdown(&report);
    for r in &report.rows {
        assert!(text.contains(&format!("| {} |", r.id)), "{}", r.id);
    }
    assert!(!text.contains("<script>"));
    assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| pipe"));
    assert!(text.contains("a \\| b &lt;b&gt;bold&lt;/b&gt;<br>next line &amp; more"));
    // Every table line has the same number of unescaped cell separators.
    let separators = |line: &str| {
        let mut count = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
        }
        count
    };
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("| Control |"))
        .collect();
    assert_eq!(table.len(), 95); // heading, rule, 93 rows
    for line in table {
        assert_eq!(separators(line), COLUMNS.len() + 1, "{line}");
    }
    assert!(text.contains(report.header.soa_hash.as_str()));
}

#[test]
fn without_an_soa_every_control_is_not_decided() {
    let mut fixture = Fixture::new();
    fixture.isms.soa = Default::default();
    fixture.isms.decisions.clear();
    let report = fixture.report();
    assert_eq!(report.rows.len(), 93);
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.applicability == Decided::NotDecided && r.justification.is_none())
    );
    assert_eq!(report.header.version, None);
    assert_eq!(report.header.approval, Approval::NotApproved);
    assert!(xlsx(&report).is_ok());
}

fn annex_a(id: &str, title: &str) -> Requirement {
    Requirement {
        id: id.into(),
        title: title.into(),
        kind: RequirementKind::Control,
        parent: None,
        assessable: true,
        theme: None,
        description: None,
    }
}

#[test]
fn rows_follow_a_replaced_catalog_framework_whatever_its_text() {
    let isms = acme();
    let observations = Observations::default();
    let framework = |requirements| {
        Framework::new(
            "iso27001-2022".into(),
            "replaced".into(),
            "1".into(),
            requirements,
            vec![],
        )
    };
    let catalog = Catalog::with_user_frameworks(&[framework(vec![
        annex_a("A.5.1", "<i>hostile</i> | title"),
        // Not Annex A: no row.
        Requirement {
            kind: RequirementKind::Clause,
            ..annex_a("6.1.3", "Clause")
        },
    ])]);
    let report = build(&Inputs {
        isms: &isms,
        catalog: &catalog,
        observations: &observations,
        findings: &[],
        at: at(AT),
    });
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0].theme, "");
    assert_eq!(report.summary.themes[0].theme, "");
    assert!(markdown(&report).contains("&lt;i&gt;hostile&lt;/i&gt; \\| title"));
    assert!(html(&report).contains("&lt;i&gt;hostile&lt;/i&gt; | title"));
    assert!(xlsx(&report).is_ok());

    let empty = Catalog::with_user_frameworks(&[framework(vec![])]);
    let report = build(&Inputs {
        isms: &isms,
        catalog: &empty,
        observations: &observations,
        findings: &[],
        at: at(AT),
    });
    assert!(report.rows.is_empty());
    assert_eq!(report.summary.total.controls, 0);
    assert_eq!(csv(&report).lines().count(), 1);
    assert!(xlsx(&report).is_ok());
}
