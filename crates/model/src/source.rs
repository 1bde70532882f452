//! Evidence sources as declared in `sources.yaml`.

use crate::time::Cadence;
use crate::{Location, Reference};

/// A configured evidence source: a collector and its parameters.
#[derive(Clone, Debug)]
pub struct Source {
    /// Name, referenced by controls' evidence requirements.
    pub name: String,
    /// The collector that runs it (`file`, `command`, `http`, `git`,
    /// `postgres`, or `manual` for uploads by hand).
    pub collector: String,
    /// Collector parameters, as written (collectors validate them).
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// How often it should run.
    pub schedule: Option<Cadence>,
    /// Controls whose evidence requirements it serves.
    pub controls: Vec<Reference>,
    /// Where it is defined.
    pub location: Location,
}
