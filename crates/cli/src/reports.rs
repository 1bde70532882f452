//! `evident report` and `evident audit-pack`: gather what the store
//! recorded, call the renderers, write the bytes.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use evident_catalog::Catalog;
use evident_model::Isms;
use evident_model::evidence::Timestamp;
use evident_model::finding::Finding;
use evident_model::status::EvidenceRecord;
use evident_model::time::{self, Date};
use evident_report::check::{self as check_report, CheckReport, Counts};
use evident_report::{Inputs, coverage, metrics, oscal, soa};
use evident_store::Store;

use crate::cli::{ReportFormat, ReportKind, TrendInterval};
use crate::commands::{readable, write_bytes};
use crate::evaluate::{Recorded, findings, recorded, store_exists};
use crate::evidence::{open_store, runtime};

/// Everything a report is rendered from: the ISMS, the frameworks, what
/// the store recorded (nothing without a store) and the findings as of a
/// date. Keeps the store open for reports that read evidence documents.
pub(crate) struct Gathered {
    pub isms: Isms,
    pub catalog: Catalog,
    pub recorded: Recorded,
    pub findings: Vec<Finding>,
    pub date: Date,
    pub now: Timestamp,
    pub store: Option<(tokio::runtime::Runtime, Store)>,
}

impl Gathered {
    /// Reads the repository and, when there is one, the store, and runs
    /// the analysis as of `date`. `None` when the definitions cannot be
    /// read (the diagnostics are on stderr; the caller exits 2).
    pub(crate) fn read(
        dir: &Path,
        at: Option<Date>,
        database_url: Option<&str>,
    ) -> anyhow::Result<Option<Self>> {
        let Some(isms) = readable(dir)? else {
            return Ok(None);
        };
        let (date, now) = crate::evaluate::instant(at);
        let (recorded, store) = if store_exists(dir, database_url) {
            let rt = runtime()?;
            let store = open_store(&rt, dir, database_url)?;
            let recorded = rt.block_on(recorded(&store))?;
            (recorded, Some((rt, store)))
        } else {
            (Recorded::default(), None)
        };
        let catalog = Catalog::with_user_frameworks(&isms.frameworks);
        let findings = findings(
            &isms,
            &catalog,
            date,
            now,
            store.as_ref().map(|_| &recorded.observations),
        );
        Ok(Some(Self {
            isms,
            catalog,
            recorded,
            findings,
            date,
            now,
            store,
        }))
    }

    /// The renderers' view.
    pub(crate) fn inputs(&self) -> Inputs<'_> {
        Inputs {
            isms: &self.isms,
            catalog: &self.catalog,
            observations: &self.recorded.observations,
            findings: &self.findings,
            at: self.now,
        }
    }

    /// The findings as they stood at the end of `date` (for trends).
    fn findings_at(&self, date: Date) -> Vec<Finding> {
        findings(
            &self.isms,
            &self.catalog,
            date,
            time::as_of(date, self.now).min(self.now),
            self.store.as_ref().map(|_| &self.recorded.observations),
        )
    }

    /// The normalised document of an evidence item, read from the store;
    /// `None` without a store, a document, or when it is unreadable (the
    /// metrics then leave that figure out rather than guess).
    fn document(&self, record: &EvidenceRecord) -> Option<serde_json::Value> {
        let (_, store) = self.store.as_ref()?;
        let digest = record.item.normalized.as_ref()?;
        let file = store.open_blob(digest).ok()?;
        serde_json::from_reader(BufReader::new(file)).ok()
    }

    /// The findings as `evident check --format json` writes them.
    fn findings_json(&self) -> String {
        check_report::json(&CheckReport {
            organisation: &self.isms.organisation.name,
            at: self.date,
            findings: &self.findings,
            diagnostics: &[],
            counts: Counts::of(&self.isms),
        })
    }

    /// Closes the store, if open.
    pub(crate) fn close(self) {
        if let Some((rt, store)) = self.store {
            rt.block_on(store.close());
        }
    }
}

/// What `evident report` was asked for.
pub struct ReportRequest {
    pub kind: ReportKind,
    pub dir: PathBuf,
    pub format: Option<ReportFormat>,
    pub output: Option<PathBuf>,
    pub at: Option<Date>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub interval: TrendInterval,
    pub framework: Option<String>,
    pub database_url: Option<String>,
}

/// `evident report`.
pub fn report(request: ReportRequest) -> anyhow::Result<u8> {
    let format = format_of(&request)?;
    let at = match request.kind {
        ReportKind::Metrics => request.to.or(request.at),
        _ => request.at,
    };
    let Some(gathered) = Gathered::read(&request.dir, at, request.database_url.as_deref())? else {
        return Ok(2);
    };
    let bytes = render(&gathered, &request, format);
    gathered.close();
    write_bytes(request.output.as_deref(), &bytes?)?;
    Ok(0)
}

fn render(g: &Gathered, request: &ReportRequest, format: ReportFormat) -> anyhow::Result<Vec<u8>> {
    let inputs = g.inputs();
    let json = |value: serde_json::Value| -> anyhow::Result<Vec<u8>> {
        let mut bytes = serde_json::to_vec_pretty(&value)?;
        bytes.push(b'\n');
        Ok(bytes)
    };
    Ok(match request.kind {
        ReportKind::Soa => {
            let r = soa::build(&inputs);
            match format {
                ReportFormat::Xlsx => soa::xlsx(&r).context("cannot write the workbook")?,
                ReportFormat::Csv => soa::csv(&r).into_bytes(),
                ReportFormat::Html => soa::html(&r).into_bytes(),
                ReportFormat::Md => soa::markdown(&r).into_bytes(),
                ReportFormat::Json => json(soa::json(&r))?,
            }
        }
        ReportKind::Metrics => {
            let to = g.date;
            let from = match request.from {
                Some(from) => from,
                None => g
                    .isms
                    .organisation
                    .evidence
                    .audit_period
                    .first_day_ending(to),
            };
            if from > to {
                bail!("--from {from} is after the period's end {to}");
            }
            let period = metrics::Period {
                from,
                to,
                interval: match request.interval {
                    TrendInterval::Week => metrics::Interval::Week,
                    TrendInterval::Month => metrics::Interval::Month,
                },
            };
            let m = metrics::build(&inputs, &period, &|d| g.findings_at(d), &|r| g.document(r));
            match format {
                ReportFormat::Html => metrics::html(&m).into_bytes(),
                ReportFormat::Csv => metrics::csv(&m).into_bytes(),
                _ => json(metrics::json(&m))?,
            }
        }
        ReportKind::Coverage => {
            let id = request.framework.as_deref().unwrap_or_default();
            let Some(r) = coverage::build(&inputs, id) else {
                let known: Vec<&str> = g.catalog.frameworks().map(|f| f.id.as_str()).collect();
                bail!("unknown framework `{id}` (known: {})", known.join(", "));
            };
            match format {
                ReportFormat::Csv => coverage::csv(&r).into_bytes(),
                ReportFormat::Md => coverage::markdown(&r).into_bytes(),
                _ => json(coverage::json(&r))?,
            }
        }
        ReportKind::OscalCatalog => json(oscal::catalog(&g.catalog))?,
        ReportKind::OscalSsp => json(oscal::ssp(&inputs))?,
        ReportKind::OscalAr => json(oscal::assessment_results(&inputs))?,
        ReportKind::OscalPoam => json(oscal::poam(&inputs))?,
    })
}

/// The format asked for, else the output file's extension, else the
/// report's own default; an error when the report has no such format.
fn format_of(request: &ReportRequest) -> anyhow::Result<ReportFormat> {
    use ReportFormat::*;
    let (allowed, default): (&[ReportFormat], ReportFormat) = match request.kind {
        ReportKind::Soa => (&[Xlsx, Csv, Html, Md, Json], Md),
        ReportKind::Metrics => (&[Html, Json, Csv], Html),
        ReportKind::Coverage => (&[Md, Json, Csv], Md),
        _ => (&[Json], Json),
    };
    let from_extension = || {
        let ext = request
            .output
            .as_ref()?
            .extension()?
            .to_str()?
            .to_ascii_lowercase();
        Some(match ext.as_str() {
            "xlsx" => Xlsx,
            "csv" => Csv,
            "html" | "htm" => Html,
            "md" | "markdown" => Md,
            "json" => Json,
            _ => return None,
        })
    };
    let format = request
        .format
        .or_else(|| from_extension().filter(|f| allowed.contains(f)))
        .unwrap_or(default);
    if !allowed.contains(&format) {
        let names: Vec<String> = allowed
            .iter()
            .map(|f| format!("{f:?}").to_lowercase())
            .collect();
        bail!(
            "this report is written as {}, not {}",
            names.join(", "),
            format!("{format:?}").to_lowercase()
        );
    }
    if format == Xlsx && request.output.is_none() {
        bail!("a workbook is binary: write it to a file with -o FILE.xlsx");
    }
    Ok(format)
}

/// What `evident audit-pack` was asked for.
pub struct PackRequest {
    pub dir: PathBuf,
    pub from: Date,
    pub to: Date,
    pub output: PathBuf,
    pub sample: Option<(usize, u64)>,
    pub database_url: Option<String>,
}

/// `evident audit-pack`.
pub fn audit_pack(request: PackRequest) -> anyhow::Result<u8> {
    if request.from > request.to {
        bail!("--from {} is after --to {}", request.from, request.to);
    }
    crate::evaluate::require_store(&request.dir, request.database_url.as_deref())?;
    let Some(gathered) = Gathered::read(
        &request.dir,
        Some(request.to),
        request.database_url.as_deref(),
    )?
    else {
        return Ok(2);
    };
    let documents = pack_documents(&gathered, &request)?;
    let populations = gathered
        .isms
        .controls
        .iter()
        .map(|c| evident_pack::ControlSources {
            control: c.id.clone(),
            sources: c
                .evidence
                .iter()
                .filter_map(|r| r.source.as_ref().map(|s| s.id.clone()))
                .collect(),
        })
        .filter(|c| !c.sources.is_empty())
        .collect();
    let options = evident_pack::BuildOptions {
        from: time::start_of_day(request.from),
        to: gathered.now,
        generated_at: Timestamp::now(),
        documents,
        populations,
        sample: request
            .sample
            .map(|(size, seed)| evident_pack::Sample { size, seed }),
    };
    let Some((rt, store)) = gathered.store.as_ref() else {
        bail!("no evidence store");
    };
    let summary = rt
        .block_on(evident_pack::build(store, &options, &request.output))
        .with_context(|| format!("cannot write the audit pack {}", request.output.display()))?;
    gathered.close();
    eprintln!(
        "wrote {} ({} bytes): {} evidence items, {} results, {} blobs ({} bytes), {} documents, proven against the checkpoint of {} entries signed by {}; check it offline with `evident verify {}`",
        summary.path.display(),
        summary.bytes,
        summary.evidence_items,
        summary.results,
        summary.blobs,
        summary.blob_bytes,
        summary.documents,
        summary.checkpoint_size,
        evident_model::hex::encode(&summary.public_key),
        summary.path.display(),
    );
    Ok(0)
}

/// The reports an auditor takes away with the evidence.
fn pack_documents(
    g: &Gathered,
    request: &PackRequest,
) -> anyhow::Result<Vec<evident_pack::Document>> {
    let inputs = g.inputs();
    let doc = |path: &str, media_type: &str, bytes: Vec<u8>| evident_pack::Document {
        path: path.to_string(),
        media_type: media_type.to_string(),
        bytes,
    };
    let pretty = |value: &serde_json::Value| -> anyhow::Result<Vec<u8>> {
        Ok(serde_json::to_vec_pretty(value)?)
    };
    let soa_report = soa::build(&inputs);
    let from = time::start_of_day(request.from);
    let Some((rt, store)) = g.store.as_ref() else {
        bail!("no evidence store");
    };
    let results: Vec<serde_json::Value> = rt
        .block_on(store.results())?
        .into_iter()
        .filter(|r| r.result.evaluated_at >= from && r.result.evaluated_at <= g.now)
        .map(|r| serde_json::json!({ "index": r.index, "result": r.result }))
        .collect();
    let period = metrics::Period {
        from: request.from,
        to: request.to,
        interval: metrics::Interval::Week,
    };
    let m = metrics::build(&inputs, &period, &|d| g.findings_at(d), &|r| g.document(r));
    // The OSCAL documents sit side by side, as their relative links expect
    // (the assessment results link the SSP, which imports the catalog; the
    // evidence links lead to the pack's blobs).
    Ok(vec![
        doc(
            "soa.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            soa::xlsx(&soa_report).context("cannot write the SoA workbook")?,
        ),
        doc(
            "soa.json",
            "application/json",
            pretty(&soa::json(&soa_report))?,
        ),
        doc(
            "results.json",
            "application/json",
            pretty(&serde_json::json!({
                "schema_version": evident_report::SCHEMA_VERSION,
                "results": results,
            }))?,
        ),
        doc(
            "findings.json",
            "application/json",
            g.findings_json().into_bytes(),
        ),
        doc(
            oscal::ASSESSMENT_RESULTS_FILE,
            "application/json",
            pretty(&oscal::assessment_results(&inputs))?,
        ),
        doc(
            oscal::SSP_FILE,
            "application/json",
            pretty(&oscal::ssp(&inputs))?,
        ),
        doc(
            oscal::CATALOG_FILE,
            "application/json",
            pretty(&oscal::catalog(&g.catalog))?,
        ),
        doc("metrics.html", "text/html", metrics::html(&m).into_bytes()),
    ])
}
