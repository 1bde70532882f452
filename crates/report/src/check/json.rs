//! `--format json`: a stable document with `schema_version`.

use serde_json::{Value, json as j};

use super::CheckReport;
use crate::{SCHEMA_VERSION, TOOL_NAME, TOOL_VERSION};

/// The report as a JSON document.
pub fn json(report: &CheckReport) -> String {
    let (errors, warnings, infos) = report.tally();
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            j!({
                "code": f.code.as_str(),
                "severity": f.severity.as_str(),
                "pattern": f.code.pattern(),
                "object": { "kind": f.object_kind.as_str(), "id": f.object_id },
                "location": f.location.as_ref().map(|l| j!({"file": &*l.file, "line": l.line, "column": l.column})),
                "message": f.message,
                "hint": f.hint(),
            })
        })
        .collect();
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            j!({
                "code": d.code,
                "location": {"file": &*d.location.file, "line": d.location.line, "column": d.location.column},
                "message": d.message,
                "hint": d.hint,
            })
        })
        .collect();
    let c = report.counts;
    let doc = j!({
        "schema_version": SCHEMA_VERSION,
        "tool": { "name": TOOL_NAME, "version": TOOL_VERSION },
        "organisation": report.organisation,
        "at": report.at.to_string(),
        "readable": report.diagnostics.is_empty(),
        "counts": {
            "controls": c.controls, "risks": c.risks, "owners": c.owners, "vendors": c.vendors,
            "policies": c.policies, "annex_a_applicable": c.applicable, "annex_a_excluded": c.excluded,
        },
        "summary": { "errors": errors, "warnings": warnings, "infos": infos },
        "findings": findings,
        "diagnostics": diagnostics,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
