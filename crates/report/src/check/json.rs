//! `--format json`: a stable document with `schema_version`.

use serde::Serialize;

use super::CheckReport;
use crate::{SCHEMA_VERSION, TOOL_NAME, TOOL_VERSION};

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    organisation: &'a str,
    at: String,
    readable: bool,
    counts: Counts,
    summary: Summary,
    findings: Vec<Finding<'a>>,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Counts {
    controls: usize,
    risks: usize,
    owners: usize,
    vendors: usize,
    policies: usize,
    annex_a_applicable: usize,
    annex_a_excluded: usize,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct Finding<'a> {
    code: &'static str,
    severity: &'static str,
    pattern: &'static str,
    object: Object<'a>,
    location: Option<Location<'a>>,
    message: &'a str,
    hint: &'static str,
}

#[derive(Serialize)]
struct Object<'a> {
    kind: &'static str,
    id: &'a str,
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    code: &'static str,
    location: Location<'a>,
    message: &'a str,
    hint: Option<&'a str>,
}

fn location(l: &evident_model::Location) -> Location<'_> {
    Location {
        file: &l.file,
        line: l.line,
        column: l.column,
    }
}

/// The report as a JSON document.
pub fn json(report: &CheckReport) -> String {
    let (errors, warnings, infos) = report.tally();
    let c = report.counts;
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        organisation: report.organisation,
        at: report.at.to_string(),
        readable: report.diagnostics.is_empty(),
        counts: Counts {
            controls: c.controls,
            risks: c.risks,
            owners: c.owners,
            vendors: c.vendors,
            policies: c.policies,
            annex_a_applicable: c.applicable,
            annex_a_excluded: c.excluded,
        },
        summary: Summary {
            errors,
            warnings,
            infos,
        },
        findings: report
            .findings
            .iter()
            .map(|f| Finding {
                code: f.code.as_str(),
                severity: f.severity.as_str(),
                pattern: f.code.pattern(),
                object: Object {
                    kind: f.object_kind.as_str(),
                    id: &f.object_id,
                },
                location: f.location.as_ref().map(location),
                message: &f.message,
                hint: f.hint(),
            })
            .collect(),
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| Diagnostic {
                code: d.code,
                location: location(&d.location),
                message: &d.message,
                hint: d.hint.as_deref(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
