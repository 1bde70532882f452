//! Reading normalised documents through the caller's loader, sparingly:
//! documents can be hundreds of megabytes, so only the newest collection of
//! a source is read, only for the formats the report understands, and each
//! ledger item at most once.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

use evident_model::evidence::Timestamp;
use evident_model::status::{EvidenceRecord, Observations};

/// The caller's loader with a cache per ledger index.
pub(crate) struct Documents<'a> {
    load: &'a dyn Fn(&EvidenceRecord) -> Option<Value>,
    cache: HashMap<u64, Option<Rc<Value>>>,
}

impl<'a> Documents<'a> {
    /// Wraps the caller's loader.
    pub fn new(load: &'a dyn Fn(&EvidenceRecord) -> Option<Value>) -> Self {
        Self {
            load,
            cache: HashMap::new(),
        }
    }

    /// The normalised document of an item of one of the report's formats
    /// (`None` for any other format, without asking the loader).
    pub fn get(&mut self, record: &EvidenceRecord) -> Option<Rc<Value>> {
        let format = record.item.format.as_deref()?;
        if !super::FORMATS.contains(&format) {
            return None;
        }
        let load = self.load;
        self.cache
            .entry(record.index)
            .or_insert_with(|| load(record).map(Rc::new))
            .clone()
    }
}

/// The items of `formats` that each source's newest collection (by then)
/// produced, by source name. A collection run stamps every artefact of a
/// source with the same `collected_at`, so a source reading several files
/// (one scan per image) contributes each of them; an origin read twice in
/// one run counts once (the later ledger entry).
pub(crate) fn newest_collections<'o>(
    observations: &'o Observations,
    formats: &[&str],
    at: Timestamp,
) -> Vec<(&'o str, Vec<&'o EvidenceRecord>)> {
    let mut out: Vec<(&str, Vec<&EvidenceRecord>)> = Vec::new();
    for (source, records) in observations.sources() {
        let relevant = records.iter().filter(|r| {
            r.item.collected_at <= at
                && r.item
                    .format
                    .as_deref()
                    .is_some_and(|f| formats.contains(&f))
        });
        let Some(latest) = relevant.clone().map(|r| r.item.collected_at).max() else {
            continue;
        };
        let mut by_origin: HashMap<&str, &EvidenceRecord> = HashMap::new();
        for r in relevant.filter(|r| r.item.collected_at == latest) {
            let slot = by_origin
                .entry(r.item.provenance.origin.as_str())
                .or_insert(r);
            if r.index > slot.index {
                *slot = r;
            }
        }
        let mut items: Vec<&EvidenceRecord> = by_origin.into_values().collect();
        items.sort_by_key(|r| r.index);
        out.push((source, items));
    }
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}
