//! The report as JSON, for other tools: every figure with its buckets,
//! `null` where a figure is unknown, and the schema version.

use serde_json::{Value, json};

use super::Metrics;

/// Renders the report as a JSON document carrying `schema_version`.
pub fn json(m: &Metrics) -> Value {
    // Every member of `Metrics` serialises to a map or a plain value; should
    // that ever fail, the document says so rather than being silently empty.
    let figures = serde_json::to_value(m).unwrap_or_else(
        |e| json!({ "error": format!("the figures could not be serialised: {e}") }),
    );
    let mut document = json!({
        "schema_version": crate::SCHEMA_VERSION,
        "tool": { "name": crate::TOOL_NAME, "version": crate::TOOL_VERSION },
        "kind": "metrics",
    });
    if let (Some(out), Value::Object(members)) = (document.as_object_mut(), figures) {
        out.extend(members);
    }
    document
}
