//! `--format junit`: JUnit XML, so any CI shows the readiness analysis as
//! test cases. One suite per finding code; each finding is a test case,
//! failed when it is an error; a code without findings is one passing case.

use std::fmt::Write;

use evident_model::finding::{FindingCode, Severity};

use super::CheckReport;
use crate::xml::escape;

/// The report as JUnit XML. Read errors are `<error>` cases of a suite named
/// `definitions`.
pub fn junit(report: &CheckReport) -> String {
    let mut suites = String::new();
    let (mut tests, mut failures, mut errors) = (0, 0, 0);

    if !report.diagnostics.is_empty() {
        let n = report.diagnostics.len();
        tests += n;
        errors += n;
        let _ = writeln!(
            suites,
            r#"  <testsuite name="definitions" tests="{n}" failures="0" errors="{n}" skipped="0">"#
        );
        for d in report.diagnostics {
            let _ = writeln!(
                suites,
                r#"    <testcase classname="definitions.{code}" name="{loc}" file="{file}" line="{line}"><error type="{code}" message="{msg}">{loc}: {msg}</error></testcase>"#,
                code = d.code,
                loc = escape(&d.location.to_string()),
                file = escape(&d.location.file),
                line = d.location.line,
                msg = escape(&d.message),
            );
        }
        suites.push_str("  </testsuite>\n");
    }

    // Unread definitions were not analysed: no check may show as passed.
    let analysed: &[FindingCode] = if report.diagnostics.is_empty() {
        FindingCode::ALL
    } else {
        &[]
    };
    for code in analysed {
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == *code).collect();
        let failed = found
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let cases = found.len().max(1);
        tests += cases;
        failures += failed;
        let _ = writeln!(
            suites,
            r#"  <testsuite name="{code}" tests="{cases}" failures="{failed}" errors="0" skipped="0">"#
        );
        if found.is_empty() {
            let _ = writeln!(
                suites,
                r#"    <testcase classname="{code}" name="no {code} findings"/>"#
            );
        }
        for f in found {
            let location = f
                .location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let (file, line) = f
                .location
                .as_ref()
                .map_or((String::new(), 0), |l| (l.file.to_string(), l.line));
            let name = escape(&format!("{} {}", f.object_kind.as_str(), f.object_id));
            let _ = write!(
                suites,
                r#"    <testcase classname="{code}" name="{name}" file="{}" line="{line}">"#,
                escape(&file)
            );
            let body = escape(&format!("{location}: {}\nhint: {}", f.message, f.hint()));
            match f.severity {
                Severity::Error => {
                    let _ = write!(
                        suites,
                        r#"<failure type="error" message="{}">{body}</failure>"#,
                        escape(&f.message)
                    );
                }
                other => {
                    let _ = write!(
                        suites,
                        "<system-out>{}: {body}</system-out>",
                        other.as_str()
                    );
                }
            }
            suites.push_str("</testcase>\n");
        }
        suites.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"evident check: {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n{suites}</testsuites>\n",
        escape(report.organisation)
    )
}
