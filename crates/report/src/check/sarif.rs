//! `--format sarif`: SARIF 2.1.0, so code-scanning tools show each finding
//! on the file and line that defines it.

use evident_model::finding::{FindingCode, Severity};
use serde_json::{Value, json as j};

use super::CheckReport;
use crate::{TOOL_NAME, TOOL_VERSION};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(file: &str, line: u32, column: u32) -> Value {
    j!({
        "physicalLocation": {
            "artifactLocation": { "uri": file, "uriBaseId": "SRCROOT" },
            "region": { "startLine": line, "startColumn": column }
        }
    })
}

/// The report as a SARIF 2.1.0 log. Read errors become tool execution
/// notifications and mark the run unsuccessful.
pub fn sarif(report: &CheckReport) -> String {
    let rules: Vec<Value> = FindingCode::ALL
        .iter()
        .map(|c| {
            j!({
                "id": c.as_str(),
                "name": camel(c.as_str()),
                "shortDescription": { "text": format!("{} ({})", c.as_str(), c.pattern()) },
                "help": { "text": c.hint() },
                "properties": { "pattern": c.pattern() },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = FindingCode::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
            let mut result = j!({
                "ruleId": f.code.as_str(),
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": format!("{} ({})", f.message, f.hint()) },
                "partialFingerprints": {
                    "evident/v1": format!("{}:{}:{}", f.code.as_str(), f.object_kind.as_str(), f.object_id)
                },
                "properties": { "object": { "kind": f.object_kind.as_str(), "id": f.object_id } },
            });
            if let Some(l) = &f.location {
                result["locations"] = j!([physical(&l.file, l.line, l.column)]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            j!({
                "level": "error",
                "descriptor": { "id": d.code },
                "message": { "text": d.message },
                "locations": [physical(&d.location.file, d.location.line, d.location.column)],
            })
        })
        .collect();
    let doc = j!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": TOOL_NAME,
                "version": TOOL_VERSION,
                "rules": rules,
            }},
            "originalUriBaseIds": { "SRCROOT": { "description": { "text": "The root of the ISMS repository" } } },
            "invocations": [{
                "executionSuccessful": report.diagnostics.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// `unowned-control` → `UnownedControl`.
fn camel(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
