//! The SoA as a JSON document with a `schema_version`, for tools.

use serde_json::{Value, json as value};

use super::SoaReport;

/// Renders the SoA as JSON: the header facts, the report hash, the summary
/// by theme and every row with its structured values (timestamps RFC 3339,
/// dates `YYYY-MM-DD`).
pub fn json(report: &SoaReport) -> Value {
    value!({
        "schema_version": crate::SCHEMA_VERSION,
        "tool": { "name": crate::TOOL_NAME, "version": crate::TOOL_VERSION },
        "at": report.at,
        "report_hash": report.report_hash,
        "organisation": report.header.organisation,
        "framework": report.header.framework,
        "version": report.header.version,
        "soa_hash": report.header.soa_hash,
        "approval": report.header.approval,
        "summary": report.summary,
        "rows": report.rows,
    })
}
