//! Helpers for the collectors' tests.

use std::path::Path;
use std::sync::Arc;

use evident_model::Location;
use evident_model::evidence::Timestamp;
use evident_model::source::Source;

use crate::Context;

/// The real export samples, as the repository keeps them (with their
/// provenance in `SOURCE.md`) for the normalisers' tests.
pub(crate) const SAMPLES: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../normalize/testdata/samples");

/// A source as `sources.yaml` would declare it.
pub(crate) fn source(name: &str, collector: &str, parameters: serde_json::Value) -> Source {
    let serde_json::Value::Object(parameters) = parameters else {
        panic!("parameters must be a map")
    };
    Source {
        name: name.to_string(),
        collector: collector.to_string(),
        parameters,
        schedule: None,
        controls: Vec::new(),
        location: Location::file_start(Arc::from("sources.yaml")),
    }
}

/// A context at `root`, at a fixed time, with an empty environment.
pub(crate) fn context(root: &Path) -> Context {
    context_with_env(root, &[])
}

/// A context at `root`, at a fixed time, with the given environment.
pub(crate) fn context_with_env(root: &Path, vars: &[(&str, &str)]) -> Context {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Context {
        root: root.to_path_buf(),
        now: "2026-03-31T12:00:00Z".parse::<Timestamp>().unwrap(),
        env: Box::new(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())),
    }
}
