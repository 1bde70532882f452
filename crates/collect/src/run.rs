//! A collection run: every selected source through its collector, each
//! artefact normalised when a parser recognises it, and everything handed to
//! a [`Sink`] (the store) — evidence, or a failed collection, never both.

use std::io::Read;

use evident_model::evidence::{CollectionFailure, Provenance, Timestamp};
use evident_model::hash::ContentHash;
use evident_model::source::Source;

use crate::{Artefact, CollectError, Content, Context};

/// Artefacts larger than this are stored but not normalised: the parsers
/// hold a document in memory (about ten times its size), and collection
/// must stay within a fixed memory budget whatever the evidence sizes. Such
/// an artefact still gets its format (recognised from its beginning), so
/// the checks that read the format report it as not evaluated instead of
/// the control passing unjudged.
pub const NORMALIZE_LIMIT: u64 = 256 * 1024 * 1024;

/// How much of an artefact over [`NORMALIZE_LIMIT`] is read to recognise
/// its format.
const RECOGNISE_PREFIX: u64 = 1024 * 1024;

/// One artefact ready to record.
pub struct Evidence {
    /// The artefact (its content is streamed by the sink).
    pub artefact: Artefact,
    /// Its detected format, when a parser recognised it.
    pub format: Option<String>,
    /// Its normalised document (RFC 8785 bytes), when it could be made (not
    /// for an artefact over [`NORMALIZE_LIMIT`]).
    pub normalized: Option<Vec<u8>>,
    /// How it was produced.
    pub provenance: Provenance,
    /// When it was taken.
    pub collected_at: Timestamp,
}

/// What the sink reports back for one recorded item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// Ledger position.
    pub index: u64,
    /// The artefact's digest.
    pub digest: ContentHash,
    /// Its size in bytes.
    pub size: u64,
    /// Whether the bytes were new to the store.
    pub new_blob: bool,
    /// Whether it is the same as the previous item of its source and origin.
    pub unchanged: bool,
}

/// The most items a run hands to its sink at once.
pub const BATCH_ITEMS: usize = 512;

/// The most bytes held in memory (command and HTTP output, normalised
/// documents) for one batch; files are streamed and do not count.
pub const BATCH_BYTES: u64 = 32 * 1024 * 1024;

/// Where a run records what it collects (the store, in the binary).
pub trait Sink {
    /// Records a batch of evidence items, all or none, in order; returns
    /// what was recorded for each.
    fn evidence(&mut self, batch: Vec<Evidence>) -> Result<Vec<Recorded>, String>;
    /// Records a failed collection.
    fn failure(&mut self, failure: CollectionFailure) -> Result<u64, String>;
}

/// Progress of a run, for a progress bar or a log.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A source is starting.
    Source {
        /// Its name.
        name: &'a str,
        /// 1-based position among the selected sources.
        position: usize,
        /// How many sources run.
        total: usize,
    },
    /// An artefact was recorded.
    Recorded {
        /// The source.
        source: &'a str,
        /// The artefact's name.
        name: &'a str,
        /// What was recorded.
        recorded: &'a Recorded,
    },
    /// A source (or one of its artefacts) failed; recorded as such.
    Failed {
        /// The source.
        source: &'a str,
        /// Why.
        error: &'a str,
    },
}

/// The totals of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Sources run.
    pub sources: usize,
    /// Items whose content changed (or appeared) since the last collection.
    pub new_items: usize,
    /// Items identical to the previous collection: a new observation of an
    /// unchanged state.
    pub unchanged: usize,
    /// Failed collections recorded.
    pub failed: usize,
    /// Bytes of evidence read.
    pub bytes: u64,
}

/// Runs `sources` and records everything in `sink`. A failing source does
/// not stop the others. Returns `Err` only when the sink itself fails (the
/// store cannot be written), since going on would lose evidence.
pub fn run(
    sources: &[&Source],
    cx: &Context,
    collected_by: &str,
    sink: &mut dyn Sink,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, String> {
    let mut summary = Summary {
        sources: sources.len(),
        ..Summary::default()
    };
    for (i, source) in sources.iter().enumerate() {
        progress(Progress::Source {
            name: &source.name,
            position: i + 1,
            total: sources.len(),
        });
        let collected_at = cx.now;
        let fail = |sink: &mut dyn Sink,
                    summary: &mut Summary,
                    progress: &mut dyn FnMut(Progress),
                    error: String| {
            let failure = CollectionFailure {
                source: source.name.clone(),
                collector: source.collector.clone(),
                error: error.clone(),
                attempted_at: collected_at,
            };
            sink.failure(failure)?;
            summary.failed += 1;
            progress(Progress::Failed {
                source: &source.name,
                error: &error,
            });
            Ok::<_, String>(())
        };
        let collected = match crate::collect(source, cx) {
            Ok(c) => c,
            Err(e @ CollectError::Manual(_)) => {
                // Manual sources are uploaded, not collected: not a failure.
                let _ = e;
                continue;
            }
            Err(e) => {
                fail(sink, &mut summary, progress, e.to_string())?;
                continue;
            }
        };
        let mut batch = Batch::default();
        for artefact in collected.artefacts {
            let (format, normalized) = match normalize(&artefact) {
                Ok(n) => n,
                Err(e) => {
                    fail(
                        sink,
                        &mut summary,
                        progress,
                        format!("{}: {e}", artefact.name),
                    )?;
                    continue;
                }
            };
            let provenance = Provenance {
                source: source.name.clone(),
                collector: source.collector.clone(),
                collector_version: env!("CARGO_PKG_VERSION").to_string(),
                parameters: collected.parameters.clone(),
                origin: artefact.origin.clone(),
                tool_version: artefact.tool_version.clone(),
                collected_by: collected_by.to_string(),
            };
            batch.push(Evidence {
                artefact,
                format,
                normalized,
                provenance,
                collected_at,
            });
            if batch.is_full() {
                batch.flush(&source.name, sink, &mut summary, progress)?;
            }
        }
        batch.flush(&source.name, sink, &mut summary, progress)?;
    }
    Ok(summary)
}

/// Records a file a person provides as evidence of a `manual` source (a
/// signed training record, a supplier's certificate): read from `path`,
/// normalised when a parser knows its format, observed at `observed` (the
/// date the document speaks for; default: now), and handed to `sink`.
pub fn upload(
    source: &Source,
    path: &std::path::Path,
    observed: Option<Timestamp>,
    cx: &Context,
    collected_by: &str,
    sink: &mut dyn Sink,
) -> Result<Recorded, String> {
    if source.collector != "manual" {
        return Err(format!(
            "source `{}` is collected by `{}`; only `manual` sources take uploads (run `evident collect`)",
            source.name, source.collector
        ));
    }
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let observed = observed.unwrap_or(cx.now);
    if observed > cx.now {
        return Err(format!(
            "the observed time {observed} is in the future: evidence speaks for what was, not what will be"
        ));
    }
    let artefact = Artefact {
        media_type: crate::file::media_type_of(&name).to_string(),
        origin: format!("upload {name}"),
        name,
        content: Content::File(path.to_path_buf()),
        tool_version: None,
        observed: crate::ObservedPeriod {
            from: observed,
            to: observed,
        },
    };
    let (format, normalized) =
        normalize(&artefact).map_err(|e| format!("{}: {e}", artefact.name))?;
    let provenance = Provenance {
        source: source.name.clone(),
        collector: "manual".to_string(),
        collector_version: env!("CARGO_PKG_VERSION").to_string(),
        parameters: serde_json::json!({}),
        origin: artefact.origin.clone(),
        tool_version: None,
        collected_by: collected_by.to_string(),
    };
    let mut recorded = sink.evidence(vec![Evidence {
        artefact,
        format,
        normalized,
        provenance,
        collected_at: cx.now,
    }])?;
    recorded
        .pop()
        .ok_or_else(|| "the store recorded nothing".to_string())
}

/// Evidence waiting to be recorded: recording in batches lets the store
/// make many items durable with one sync instead of one each.
#[derive(Default)]
struct Batch {
    items: Vec<Evidence>,
    bytes_in_memory: u64,
}

impl Batch {
    fn push(&mut self, e: Evidence) {
        if let Content::Bytes(b) = &e.artefact.content {
            self.bytes_in_memory += b.len() as u64;
        }
        if let Some(doc) = &e.normalized {
            self.bytes_in_memory += doc.len() as u64;
        }
        self.items.push(e);
    }

    fn is_full(&self) -> bool {
        self.items.len() >= BATCH_ITEMS || self.bytes_in_memory >= BATCH_BYTES
    }

    fn flush(
        &mut self,
        source: &str,
        sink: &mut dyn Sink,
        summary: &mut Summary,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), String> {
        if self.items.is_empty() {
            return Ok(());
        }
        let items = std::mem::take(&mut self.items);
        self.bytes_in_memory = 0;
        let names: Vec<String> = items.iter().map(|e| e.artefact.name.clone()).collect();
        let recorded = sink.evidence(items)?;
        for (name, recorded) in names.iter().zip(&recorded) {
            summary.bytes += recorded.size;
            if recorded.unchanged {
                summary.unchanged += 1;
            } else {
                summary.new_items += 1;
            }
            progress(Progress::Recorded {
                source,
                name,
                recorded,
            });
        }
        Ok(())
    }
}

/// The artefact's format and normalised document, when a parser knows it.
/// An artefact a parser recognises but cannot read is an error: the source
/// produced output that is not what it claims to be. One over
/// [`NORMALIZE_LIMIT`] gets only its format, recognised from its beginning.
fn normalize(artefact: &Artefact) -> Result<(Option<String>, Option<Vec<u8>>), String> {
    normalize_within(artefact, NORMALIZE_LIMIT)
}

fn normalize_within(
    artefact: &Artefact,
    limit: u64,
) -> Result<(Option<String>, Option<Vec<u8>>), String> {
    let prefix = RECOGNISE_PREFIX.min(limit) as usize;
    let (bytes, whole) = match &artefact.content {
        Content::Bytes(b) if b.len() as u64 <= limit => {
            (std::borrow::Cow::Borrowed(b.as_slice()), true)
        }
        Content::Bytes(b) => (std::borrow::Cow::Borrowed(&b[..prefix]), false),
        Content::File(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut buffer = Vec::new();
            // Read one byte past the limit to know whether it is larger.
            file.take(limit + 1)
                .read_to_end(&mut buffer)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if buffer.len() as u64 > limit {
                buffer.truncate(prefix);
                (std::borrow::Cow::Owned(buffer), false)
            } else {
                (std::borrow::Cow::Owned(buffer), true)
            }
        }
    };
    let found = evident_normalize::normalize(&artefact.name, &artefact.media_type, &bytes);
    if !whole {
        // A cut-off document reads as malformed; only its format counts.
        let format = match found {
            None => None,
            Some(Ok(n)) => Some(n.format.to_string()),
            Some(Err(e)) => Some(e.format.to_string()),
        };
        return Ok((format, None));
    }
    match found {
        None => Ok((None, None)),
        Some(Err(e)) => Err(e.to_string()),
        Some(Ok(n)) => {
            let canonical =
                serde_jcs::to_vec(&n.document).map_err(|e| format!("{}: {e}", n.format))?;
            Ok((Some(n.format.to_string()), Some(canonical)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ObservedPeriod;
    use crate::testing::source;
    use std::collections::HashMap;

    /// An in-memory sink that behaves as the store does for digests.
    #[derive(Default)]
    struct Memory {
        items: Vec<(String, ContentHash)>,
        failures: Vec<CollectionFailure>,
        last: HashMap<(String, String), ContentHash>,
        batches: Vec<usize>,
    }

    impl Sink for Memory {
        fn evidence(&mut self, batch: Vec<Evidence>) -> Result<Vec<Recorded>, String> {
            self.batches.push(batch.len());
            batch.into_iter().map(|e| self.one(e)).collect()
        }
        fn failure(&mut self, f: CollectionFailure) -> Result<u64, String> {
            self.failures.push(f);
            Ok(0)
        }
    }

    impl Memory {
        fn one(&mut self, e: Evidence) -> Result<Recorded, String> {
            let bytes = match &e.artefact.content {
                Content::Bytes(b) => b.clone(),
                Content::File(p) => std::fs::read(p).map_err(|e| e.to_string())?,
            };
            let digest = ContentHash::of_bytes(&bytes);
            let key = (e.provenance.source.clone(), e.provenance.origin.clone());
            let unchanged = self.last.get(&key) == Some(&digest);
            self.last.insert(key, digest.clone());
            self.items.push((e.artefact.name.clone(), digest.clone()));
            Ok(Recorded {
                index: self.items.len() as u64 - 1,
                digest,
                size: bytes.len() as u64,
                new_blob: !unchanged,
                unchanged,
            })
        }
    }

    #[test]
    fn failures_do_not_stop_other_sources_and_reruns_are_observations() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x,y\n1,2\n").unwrap();
        let cx = crate::testing::context(dir.path());
        let missing = source(
            "missing",
            "file",
            serde_json::json!({"paths": ["nothing/*.json"]}),
        );
        let present = source("present", "file", serde_json::json!({"paths": ["a.csv"]}));
        let mut sink = Memory::default();
        let mut events = Vec::new();
        let summary = run(&[&missing, &present], &cx, "tester", &mut sink, &mut |p| {
            events.push(format!("{p:?}"))
        })
        .unwrap();
        assert_eq!(
            (
                summary.sources,
                summary.new_items,
                summary.unchanged,
                summary.failed
            ),
            (2, 1, 0, 1)
        );
        assert_eq!(sink.failures[0].source, "missing");
        assert_eq!(sink.items.len(), 1);
        assert!(events.iter().any(|e| e.starts_with("Failed")));

        let again = run(&[&present], &cx, "tester", &mut sink, &mut |_| {}).unwrap();
        assert_eq!((again.new_items, again.unchanged), (0, 1));
    }

    #[test]
    fn an_artefact_over_the_limit_keeps_its_format_but_no_document() {
        let dir = tempfile::tempdir().unwrap();
        let csv = std::fs::read(
            std::path::Path::new(crate::testing::SAMPLES)
                .join("aws/evident_iam-credential-report_failing.csv"),
        )
        .unwrap();
        let path = dir.path().join("report.csv");
        std::fs::write(&path, &csv).unwrap();
        let observed = ObservedPeriod {
            from: "2026-01-01T00:00:00Z".parse().unwrap(),
            to: "2026-01-01T00:00:00Z".parse().unwrap(),
        };
        let artefact = |content: Content| Artefact {
            name: "report.csv".into(),
            content,
            media_type: "text/csv".into(),
            origin: "report.csv".into(),
            tool_version: None,
            observed,
        };
        for content in [Content::File(path.clone()), Content::Bytes(csv.clone())] {
            let (format, doc) = normalize_within(&artefact(content.clone()), 1 << 20).unwrap();
            assert_eq!(format.as_deref(), Some("aws-iam-credential-report"));
            assert!(doc.is_some());
            // Over the limit: the format from its first bytes, no document
            // (and no error, although the cut-off bytes do not parse).
            let (format, doc) = normalize_within(&artefact(content), 200).unwrap();
            assert_eq!(format.as_deref(), Some("aws-iam-credential-report"));
            assert!(doc.is_none());
        }
    }

    #[test]
    fn uploads_go_to_manual_sources_only_and_never_into_the_future() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("training.csv");
        std::fs::write(&report, "name,completed\nalice,2026-10-01\n").unwrap();
        let cx = crate::testing::context(dir.path());
        let manual = source("training", "manual", serde_json::json!({}));
        let mut sink = Memory::default();
        let observed: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let recorded = upload(&manual, &report, Some(observed), &cx, "alice", &mut sink).unwrap();
        assert_eq!(
            recorded.digest,
            ContentHash::of_bytes(&std::fs::read(&report).unwrap())
        );
        assert_eq!(sink.items, [("training.csv".to_string(), recorded.digest)]);

        let file = source("exports", "file", serde_json::json!({"paths": ["a.csv"]}));
        let err = upload(&file, &report, None, &cx, "alice", &mut sink).unwrap_err();
        assert!(err.contains("only `manual` sources"), "{err}");
        let later = cx
            .now
            .checked_add(jiff::SignedDuration::from_hours(1))
            .unwrap();
        let err = upload(&manual, &report, Some(later), &cx, "alice", &mut sink).unwrap_err();
        assert!(err.contains("in the future"), "{err}");
        let err = upload(&manual, dir.path(), None, &cx, "alice", &mut sink).unwrap_err();
        assert!(err.contains("not a file"), "{err}");
    }

    #[test]
    fn evidence_is_recorded_in_bounded_batches_per_source() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..BATCH_ITEMS + 3 {
            std::fs::write(dir.path().join(format!("{i:04}.txt")), format!("{i}")).unwrap();
        }
        let cx = crate::testing::context(dir.path());
        let many = source("many", "file", serde_json::json!({"paths": ["*.txt"]}));
        let mut sink = Memory::default();
        let summary = run(&[&many], &cx, "tester", &mut sink, &mut |_| {}).unwrap();
        assert_eq!(sink.batches, [BATCH_ITEMS, 3]);
        assert_eq!(summary.new_items, BATCH_ITEMS + 3);
    }
}
