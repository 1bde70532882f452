//! `evaluate` and `status`: wiring between the store, the check library
//! and the status rules.

use std::io::Read;
use std::path::Path;

use evident_model::check::{CheckResult, Outcome};
use evident_model::evidence::{CollectionFailure, Timestamp};
use evident_model::status::{self, ControlStatus, EvidenceRecord, Observations};
use evident_model::time::{self, Date};
use evident_policy::Library;
use evident_store::{EvidenceFilter, Store};

use crate::commands::{print_diagnostics, readable, write_out};
use crate::evidence::{open_store, runtime};

/// The date and instant an `--at DATE` stands for (`time::as_of`), as of
/// the clock now; today without `--at`.
pub(crate) fn instant(at: Option<Date>) -> (Date, Timestamp) {
    let now = Timestamp::now();
    let date = at.unwrap_or_else(|| time::date_of(now));
    (date, time::as_of(date, now))
}

/// Evidence, results and failed collections, as recorded in the store.
#[derive(Default)]
pub(crate) struct Recorded {
    pub observations: Observations,
    pub failures: Vec<CollectionFailure>,
}

/// The findings as of `date`: the definitions' own and, once a store
/// exists, the evidence rules over what it recorded, at `instant`. Without
/// a store nothing was ever collected, and evidence findings would only
/// repeat that (`check`, `status` and the reports agree on this).
pub(crate) fn findings(
    isms: &evident_model::Isms,
    catalog: &evident_catalog::Catalog,
    date: Date,
    instant: Timestamp,
    observations: Option<&Observations>,
) -> Vec<evident_model::finding::Finding> {
    match observations {
        Some(o) => evident_analyze::analyze_with_evidence(isms, catalog, date, o, instant),
        None => evident_analyze::analyze(isms, catalog, date),
    }
}

pub(crate) async fn recorded(store: &Store) -> anyhow::Result<Recorded> {
    let evidence = store
        .evidence(EvidenceFilter::default())
        .await?
        .into_iter()
        .map(|e| EvidenceRecord {
            index: e.index,
            item: e.item,
        })
        .collect();
    let results = store
        .results()
        .await?
        .into_iter()
        .map(|r| r.result)
        .collect();
    let failures = store
        .failures()
        .await?
        .into_iter()
        .map(|f| f.failure)
        .collect();
    Ok(Recorded {
        observations: Observations::new(evidence, results),
        failures,
    })
}

/// `evident evaluate`.
pub fn evaluate(dir: &Path, at: Option<Date>, database_url: Option<&str>) -> anyhow::Result<u8> {
    let Some(isms) = readable(dir)? else {
        return Ok(2);
    };
    let (library, diagnostics) = Library::load(dir);
    let (parameters, more) =
        evident_policy::run::parameters(&library, &isms.organisation.check_parameters);
    // A check whose Rego does not compile is still evaluated, as an error
    // result for everything it reads (never a pass); any other problem
    // means the library cannot be trusted to say what to run.
    let blocking = diagnostics.iter().any(|d| d.code != "invalid-rego") || !more.is_empty();
    if !diagnostics.is_empty() || !more.is_empty() {
        print_diagnostics(dir, &[diagnostics, more].concat())?;
    }
    if blocking {
        return Ok(2);
    }
    require_store(dir, database_url)?;
    let (_, now) = instant(at);
    let rt = runtime()?;
    let store = open_store(&rt, dir, database_url)?;
    let recorded = rt.block_on(recorded(&store))?;
    let jobs = evident_policy::run::plan(&isms, &library, &recorded.observations, now);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = |digest: &evident_model::hash::ContentHash| {
        let mut bytes = Vec::new();
        store
            .open_blob(digest)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read the normalised document {digest}: {e}"))?;
        Ok(bytes)
    };
    let results = evident_policy::run::run(&jobs, load, &parameters, now, threads);
    let indices = rt.block_on(store.add_results(&results))?;
    if !indices.is_empty() {
        rt.block_on(store.checkpoint())?;
    }

    rt.block_on(store.close());
    // The statuses as they are now, with the new results.
    let mut observations = recorded.observations;
    observations.add_results(results.iter().cloned());
    let assessments = status::assess(&isms, &observations, now);

    let text = summary(&results, indices.first().copied(), &assessments, now);
    write_out(None, &text)?;
    Ok(if results.iter().all(|r| r.outcome == Outcome::Pass) {
        0
    } else {
        1
    })
}

fn summary(
    results: &[CheckResult],
    first: Option<u64>,
    assessments: &[status::ControlAssessment],
    now: Timestamp,
) -> String {
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let mut text = String::new();
    for r in results {
        let detail = match r.outcome {
            Outcome::Pass => String::new(),
            Outcome::Fail => {
                let more = r.messages.len().saturating_sub(1);
                let first = r.messages.first().map_or("", String::as_str);
                if more > 0 {
                    format!("{first} (and {more} more)")
                } else {
                    first.to_string()
                }
            }
            Outcome::Error => r.error.clone().unwrap_or_default(),
        };
        let controls = if r.controls.is_empty() {
            "-".to_string()
        } else {
            r.controls.join(",")
        };
        text.push_str(&format!(
            "{:<5}  {:<42} {:<18} {:<24} {}\n",
            r.outcome.as_str(),
            r.check,
            r.source,
            controls,
            detail
        ));
    }
    let recorded = match first {
        Some(i) => format!(", recorded at ledger {i}..{}", i + results.len() as u64 - 1),
        None => String::new(),
    };
    text.push_str(&format!(
        "\n{} results as of {}: {} pass, {} fail, {} error{recorded}\n",
        results.len(),
        now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Error),
    ));
    let mut by_status = String::new();
    for s in ControlStatus::ALL {
        let n = assessments.iter().filter(|a| a.status == s).count();
        if n > 0 {
            if !by_status.is_empty() {
                by_status.push_str(", ");
            }
            by_status.push_str(&format!("{n} {}", s.as_str()));
        }
    }
    text.push_str(&format!(
        "controls: {by_status} (`evident status` for the whole picture)\n"
    ));
    text
}

/// `evident status`.
pub fn status(dir: &Path, at: Option<Date>, database_url: Option<&str>) -> anyhow::Result<u8> {
    let Some(g) = crate::reports::Gathered::read(dir, at, database_url)? else {
        return Ok(2);
    };
    let assessments = status::assess(&g.isms, &g.recorded.observations, g.now);
    let report = evident_report::status::StatusReport {
        isms: &g.isms,
        catalog: &g.catalog,
        at: g.now,
        assessments: &assessments,
        findings: &g.findings,
        observations: &g.recorded.observations,
        failures: &g.recorded.failures,
    };
    let mut text = evident_report::status::text(&report);
    if g.store.is_none() {
        text.push_str("\nNo evidence store yet: `evident collect` gathers evidence, `evident evaluate` judges it.\n");
    }
    write_out(None, &text)?;
    let errors = g
        .findings
        .iter()
        .any(|f| f.severity == evident_model::finding::Severity::Error);
    drop(assessments);
    g.close();
    Ok(u8::from(errors))
}

/// An error unless there is a store to read: commands that only read or
/// judge evidence never create an empty store.
pub(crate) fn require_store(dir: &Path, database_url: Option<&str>) -> anyhow::Result<()> {
    if !store_exists(dir, database_url) {
        anyhow::bail!(
            "no evidence store in {} (run `evident collect` first)",
            dir.join(".evident").display()
        );
    }
    Ok(())
}

/// Whether there is a store to read: a database URL, or the embedded
/// store's file. Reading commands never create a store.
pub(crate) fn store_exists(dir: &Path, database_url: Option<&str>) -> bool {
    database_url.is_some() || dir.join(".evident").join("store.db").is_file()
}
