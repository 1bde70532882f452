//! One function per command: read, call the layers, write, return the exit
//! status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use evident_catalog::Catalog;
use evident_model::framework::RequirementRef;
use evident_model::time::{self, Date};
use evident_report::check::{self as check_report, CheckReport, Counts};
use evident_spec::approve::{self, Subject};
use evident_spec::scaffold::{self, Template};

use crate::cli::{
    ApproveSubject, AttestCommand, CatalogCommand, ChecksCommand, Cli, Command, EvidenceCommand,
    Format,
};
use crate::evidence;

/// Runs a command; returns the exit status.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check {
            dir,
            format,
            at,
            output,
            database_url,
        } => {
            let at = crate::evaluate::instant(optional_date("--at", at.as_deref())?);
            check(
                &dir_or_cwd(dir),
                format,
                at,
                output.as_deref(),
                database_url.as_deref(),
            )
        }
        Command::Init { dir, example } => init(&dir_or_cwd(dir), example),
        Command::Approve {
            subject,
            id,
            approver,
            comment,
            dir,
            date,
        } => {
            let date = date_or_today(date.as_deref())?;
            approve(
                &dir_or_cwd(dir),
                subject,
                &id,
                &approver,
                comment.as_deref(),
                date,
            )
        }
        Command::Catalog { command } => catalog(command),
        Command::Collect {
            dir,
            sources,
            database_url,
        } => evidence::collect(&dir_or_cwd(dir), &sources, database_url.as_deref()),
        Command::Verify {
            pack: Some(pack),
            trusted_keys,
            ..
        } => crate::attest::verify_pack(&pack, &trusted_keys),
        Command::Verify {
            pack: None,
            dir,
            database_url,
            ..
        } => evidence::verify(&dir_or_cwd(dir), database_url.as_deref()),
        Command::Evidence {
            command:
                EvidenceCommand::List {
                    source,
                    dir,
                    database_url,
                },
        } => evidence::list(&dir_or_cwd(dir), source.as_deref(), database_url.as_deref()),
        Command::Evidence {
            command:
                EvidenceCommand::Show {
                    index,
                    blob,
                    normalized,
                    dir,
                    database_url,
                },
        } => {
            let what = match (blob, normalized) {
                (true, _) => evidence::Shown::Blob,
                (_, true) => evidence::Shown::Normalized,
                _ => evidence::Shown::Provenance,
            };
            evidence::show(&dir_or_cwd(dir), index, what, database_url.as_deref())
        }
        Command::Evidence {
            command:
                EvidenceCommand::Add {
                    source,
                    file,
                    observed,
                    dir,
                    database_url,
                },
        } => {
            // A date stands for the start of its day (UTC).
            let observed =
                optional_date("--observed", observed.as_deref())?.map(time::start_of_day);
            evidence::add(
                &dir_or_cwd(dir),
                &source,
                &file,
                observed,
                database_url.as_deref(),
            )
        }
        Command::Checks { command } => match command {
            ChecksCommand::List { dir, format } => {
                crate::checks::list(&dir_or_cwd(dir), format, &mut std::io::stdout().lock())
            }
            ChecksCommand::Test { dir, check } => crate::checks::test(
                &dir_or_cwd(dir),
                check.as_deref(),
                &mut std::io::stdout().lock(),
            ),
        },
        Command::Evaluate {
            dir,
            at,
            database_url,
        } => crate::evaluate::evaluate(
            &dir_or_cwd(dir),
            optional_date("--at", at.as_deref())?,
            database_url.as_deref(),
        ),
        Command::Status {
            dir,
            at,
            database_url,
        } => crate::evaluate::status(
            &dir_or_cwd(dir),
            optional_date("--at", at.as_deref())?,
            database_url.as_deref(),
        ),
        Command::Report {
            kind,
            dir,
            format,
            output,
            at,
            from,
            to,
            interval,
            framework,
            database_url,
        } => crate::reports::report(crate::reports::ReportRequest {
            kind,
            dir: dir_or_cwd(dir),
            format,
            output,
            at: optional_date("--at", at.as_deref())?,
            from: optional_date("--from", from.as_deref())?,
            to: optional_date("--to", to.as_deref())?,
            interval,
            framework,
            database_url,
        }),
        Command::AuditPack {
            dir,
            from,
            to,
            output,
            sample,
            seed,
            database_url,
        } => crate::reports::audit_pack(crate::reports::PackRequest {
            dir: dir_or_cwd(dir),
            from: required_date("--from", &from)?,
            to: required_date("--to", &to)?,
            output,
            sample: sample.zip(seed),
            database_url,
        }),
        Command::Attest { command } => match command {
            AttestCommand::Evidence {
                index,
                output,
                dir,
                database_url,
            } => crate::attest::evidence(
                &dir_or_cwd(dir),
                index,
                output.as_deref(),
                database_url.as_deref(),
            ),
            AttestCommand::Result {
                index,
                output,
                dir,
                database_url,
            } => crate::attest::result(
                &dir_or_cwd(dir),
                index,
                output.as_deref(),
                database_url.as_deref(),
            ),
            AttestCommand::File {
                file,
                output,
                dir,
                database_url,
            } => crate::attest::file(
                &dir_or_cwd(dir),
                &file,
                output.as_deref(),
                database_url.as_deref(),
            ),
            AttestCommand::Key { dir, database_url } => {
                crate::attest::key(&dir_or_cwd(dir), database_url.as_deref())
            }
            AttestCommand::Verify {
                envelope,
                file,
                public_key,
                subject_name,
            } => crate::attest::verify(&envelope, &file, &public_key, subject_name.as_deref()),
        },
        Command::Demo { keep, at } => demo(keep, date_or_today(at.as_deref())?),
    }
}

fn dir_or_cwd(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(|| PathBuf::from("."))
}

/// An optional date option (`--at DATE`, `--observed DATE`).
fn optional_date(flag: &str, text: Option<&str>) -> anyhow::Result<Option<Date>> {
    text.map(|t| time::parse_date(t).with_context(|| format!("invalid date: {flag} {t}")))
        .transpose()
}

/// A date option that must be given.
fn required_date(flag: &str, text: &str) -> anyhow::Result<Date> {
    time::parse_date(text).with_context(|| format!("invalid date: {flag} {text}"))
}

/// A date option, or today (UTC, as everywhere `--at` is read).
fn date_or_today(text: Option<&str>) -> anyhow::Result<Date> {
    match text {
        Some(t) => time::parse_date(t).with_context(|| "invalid date".to_string()),
        None => Ok(time::date_of(jiff::Timestamp::now())),
    }
}

fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

pub(crate) fn write_out(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    write_bytes(output, text.as_bytes())
}

/// Writes to `output`, or to standard output.
pub(crate) fn write_bytes(output: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// `evident check`: the readiness findings of the definitions and, when
/// a store exists, of the evidence and results recorded in it.
fn check(
    dir: &Path,
    format: Format,
    (at, now): (Date, jiff::Timestamp),
    output: Option<&Path>,
    database_url: Option<&str>,
) -> anyhow::Result<u8> {
    let loaded = evident_spec::load(dir);
    let isms = &loaded.isms;
    let findings = if !loaded.diagnostics.is_empty() {
        Vec::new()
    } else {
        let catalog = Catalog::with_user_frameworks(&isms.frameworks);
        let recorded = if crate::evaluate::store_exists(dir, database_url) {
            let rt = evidence::runtime()?;
            let store = evidence::open_store(&rt, dir, database_url)?;
            let recorded = rt.block_on(crate::evaluate::recorded(&store))?;
            rt.block_on(store.close());
            Some(recorded.observations)
        } else {
            None
        };
        crate::evaluate::findings(isms, &catalog, at, now, recorded.as_ref())
    };
    let report = CheckReport {
        organisation: &isms.organisation.name,
        at,
        findings: &findings,
        diagnostics: &loaded.diagnostics,
        counts: Counts::of(isms),
    };
    let color = output.is_none() && stdout_is_terminal();
    let text = match format {
        Format::Json => check_report::json(&report),
        Format::Sarif => check_report::sarif(&report),
        Format::Junit => check_report::junit(&report),
        Format::Text if !loaded.diagnostics.is_empty() => {
            // Read errors go to stderr in text mode, like a compiler's.
            print_diagnostics(dir, &loaded.diagnostics)?;
            return Ok(2);
        }
        Format::Text => check_report::text(&report, color),
    };
    write_out(output, &text)?;
    Ok(if !loaded.diagnostics.is_empty() {
        2
    } else if report.tally().0 > 0 {
        1
    } else {
        0
    })
}

fn init(dir: &Path, example: bool) -> anyhow::Result<u8> {
    let template = if example {
        Template::Example
    } else {
        Template::Minimal
    };
    let files = scaffold::init(dir, template)?;
    let text = format!(
        "created {} files in {}\nnext: evident check {}\n",
        files.len(),
        dir.display(),
        dir.display()
    );
    write_out(None, &text)?;
    Ok(0)
}

fn approve(
    dir: &Path,
    subject: ApproveSubject,
    id: &str,
    approver: &str,
    comment: Option<&str>,
    date: Date,
) -> anyhow::Result<u8> {
    let Some(isms) = readable(dir)? else {
        return Ok(2);
    };
    let subject = match subject {
        ApproveSubject::Risk => Subject::Risk,
        ApproveSubject::Soa => Subject::Soa,
        ApproveSubject::Policy => Subject::Policy,
    };
    let request = approve::Request {
        subject,
        id,
        approver,
        comment,
        date,
    };
    let recorded = approve::approve(dir, &isms, &request)?;
    let text = format!(
        "recorded {} by {approver} as {} in {}\n  bound to {}\n",
        recorded.kind.as_str(),
        recorded.role,
        recorded.file,
        recorded.subject_hash
    );
    write_out(None, &text)?;
    Ok(0)
}

/// The ISMS at `dir` when it reads cleanly; otherwise prints the
/// diagnostics to stderr and returns `None` (the caller exits 2).
pub(crate) fn readable(dir: &Path) -> anyhow::Result<Option<evident_model::Isms>> {
    let loaded = evident_spec::load(dir);
    if loaded.diagnostics.is_empty() {
        return Ok(Some(loaded.isms));
    }
    print_diagnostics(dir, &loaded.diagnostics)?;
    Ok(None)
}

/// Read errors on stderr, each with the offending line of its file.
pub(crate) fn print_diagnostics(
    dir: &Path,
    diagnostics: &[evident_model::Diagnostic],
) -> anyhow::Result<()> {
    let source = |file: &str| std::fs::read_to_string(dir.join(file)).ok();
    let text =
        check_report::diagnostics_text(diagnostics, &source, std::io::stderr().is_terminal());
    std::io::stderr().write_all(text.as_bytes())?;
    Ok(())
}

/// Writes the store's key into evident.yaml the first time; warns when the
/// file names another key.
pub(crate) fn record_public_key(
    dir: &Path,
    isms: &evident_model::Isms,
    key: &str,
) -> anyhow::Result<()> {
    match &isms.organisation.public_key {
        None => approve::record_public_key(dir, key)
            .context("cannot record the store's public key in evident.yaml"),
        Some(k) if k == key => Ok(()),
        Some(k) => {
            eprintln!(
                "warning: evident.yaml names the public key {k}, but this store signs with {key}"
            );
            Ok(())
        }
    }
}

fn catalog(command: CatalogCommand) -> anyhow::Result<u8> {
    let load = |dir: Option<PathBuf>| -> anyhow::Result<Catalog> {
        let Some(dir) = dir else {
            return Ok(Catalog::builtin());
        };
        let loaded = evident_spec::load(&dir);
        if let Some(d) = loaded.diagnostics.first() {
            bail!("{d}");
        }
        Ok(Catalog::with_user_frameworks(&loaded.isms.frameworks))
    };
    let text = match command {
        CatalogCommand::List {
            framework: None,
            dir,
        } => evident_report::catalog::frameworks(&load(dir)?),
        CatalogCommand::List {
            framework: Some(id),
            dir,
        } => {
            let catalog = load(dir)?;
            let Some(f) = catalog.framework(&id) else {
                let known: Vec<_> = catalog.frameworks().map(|f| f.id.as_str()).collect();
                bail!("no framework `{id}`; known: {}", known.join(", "));
            };
            evident_report::catalog::requirements(f)
        }
        CatalogCommand::Show { id, dir } => {
            let catalog = load(dir)?;
            let wanted = RequirementRef::parse(&id, evident_model::framework::ISO27001_2022);
            // An unprefixed id may belong to any framework; ISO 27001:2022 first.
            let found = if id.contains(':') {
                Some(wanted)
            } else {
                catalog
                    .frameworks()
                    .find(|f| f.requirement(&id).is_some())
                    .map(|f| RequirementRef {
                        framework: f.id.clone(),
                        id: id.clone(),
                    })
            };
            match found.and_then(|r| evident_report::catalog::requirement(&catalog, &r)) {
                Some(text) => text,
                None => bail!(
                    "no requirement `{id}` in the catalog; try `evident catalog list --framework iso27001-2022`"
                ),
            }
        }
    };
    write_out(None, &text)?;
    Ok(0)
}

/// Evidence files of the example whose export the demo dates in the past,
/// so that the example shows stale evidence: (path, age in days, story).
const DEMO_AGED_EVIDENCE: &[(&str, u32, &str)] = &[(
    "evidence/iac/terraform-plan.json",
    45,
    "a nightly `terraform plan` export that stopped running",
)];

/// The demo's audit outputs: the SoA, the metrics page and an audit pack
/// of the audit period, verified offline. Returns 0 when the pack verifies.
fn demo_outputs(dir: &Path, at: Date) -> anyhow::Result<u8> {
    use crate::cli::{ReportFormat, ReportKind, TrendInterval};
    use crate::reports::{PackRequest, ReportRequest, audit_pack, report};

    let out = dir.join("reports");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let report_to = |kind: ReportKind, format: ReportFormat, name: &str| {
        let path = out.join(name);
        let status = report(ReportRequest {
            kind,
            dir: dir.to_path_buf(),
            format: Some(format),
            output: Some(path.clone()),
            at: Some(at),
            from: None,
            to: None,
            interval: TrendInterval::Week,
            framework: None,
            database_url: None,
        })?;
        eprintln!("evident demo: wrote {}", path.display());
        Ok::<u8, anyhow::Error>(status)
    };
    eprintln!("\nevident demo: the Statement of Applicability and the KPI report\n");
    report_to(ReportKind::Soa, ReportFormat::Xlsx, "soa.xlsx")?;
    report_to(ReportKind::Soa, ReportFormat::Html, "soa.html")?;
    report_to(ReportKind::Metrics, ReportFormat::Html, "metrics.html")?;
    let period = evident_spec::load(dir)
        .isms
        .organisation
        .evidence
        .audit_period;
    eprintln!(
        "\nevident demo: an audit pack of the audit period ({period}), sampled, then verified offline\n"
    );
    let pack = out.join("audit-pack.tar");
    audit_pack(PackRequest {
        dir: dir.to_path_buf(),
        from: period.first_day_ending(at),
        to: at,
        output: pack.clone(),
        sample: Some((3, 2026)),
        database_url: None,
    })?;
    crate::attest::verify_pack(&pack, &[])
}

fn demo(keep: Option<PathBuf>, at: Date) -> anyhow::Result<u8> {
    let temp;
    let dir = match keep {
        Some(dir) => dir,
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    scaffold::init(&dir, Template::Example)?;
    eprintln!(
        "evident demo: the example organisation is in {}",
        dir.display()
    );
    // The example's `isms-repository` source reads the repository's own
    // history: make the example a git repository with one commit.
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args([
                "-c",
                "user.name=Acme ISMS",
                "-c",
                "user.email=isms@acme.example",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !(git(&["init", "-q", "-b", "main"])
        && git(&["add", "-A"])
        && git(&["commit", "-q", "-m", "The Acme ISMS"]))
    {
        eprintln!("evident demo: git is not available; the isms-repository source will fail");
    }
    for (path, days, why) in DEMO_AGED_EVIDENCE {
        let when = std::time::SystemTime::now()
            - std::time::Duration::from_secs(u64::from(*days) * 86_400);
        let aged = std::fs::File::options()
            .write(true)
            .open(dir.join(path))
            .and_then(|f| f.set_modified(when));
        if aged.is_ok() {
            eprintln!("evident demo: simulating {why}: {path} is dated {days} days ago");
        }
    }
    eprintln!(
        "\nevident demo: collecting evidence (the sources that need credentials fail, and are recorded as failed)\n"
    );
    let collected = evidence::collect(&dir, &[], None)?;
    if collected == 2 {
        return Ok(2);
    }
    eprintln!("\nevident demo: verifying the evidence store\n");
    if evidence::verify(&dir, None)? != 0 {
        return Ok(2);
    }
    eprintln!("\nevident demo: evaluating the checks over the latest evidence\n");
    if crate::evaluate::evaluate(&dir, Some(at), None)? == 2 {
        return Ok(2);
    }
    eprintln!("\nevident demo: control status\n");
    crate::evaluate::status(&dir, Some(at), None)?;
    eprintln!("\nevident demo: the readiness report\n");
    let status = check(
        &dir,
        Format::Text,
        crate::evaluate::instant(Some(at)),
        None,
        None,
    )?;
    if status == 2 {
        return Ok(2);
    }
    if demo_outputs(&dir, at)? != 0 {
        return Ok(2);
    }
    // Findings are the point of the demo; only an unreadable example, a
    // broken store or a pack that does not verify fails it.
    Ok(0)
}
