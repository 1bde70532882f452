//! `evident checks list|test`: the check library (built-in and the
//! repository's own `checks/`), listed, and run against its fixtures.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::bail;
use evident_model::Diagnostic;
use evident_policy::{Check, FixtureReport, Library};
use evident_report::check as check_report;

use crate::cli::ListFormat;

/// `evident checks list`: exit 0, or 2 when a check cannot be read.
pub fn list(dir: &Path, format: ListFormat, out: &mut dyn Write) -> anyhow::Result<u8> {
    let Some(library) = load(dir)? else {
        return Ok(2);
    };
    let text = match format {
        ListFormat::Text => table(library.checks()),
        ListFormat::Json => json(library.checks())?,
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}

/// `evident checks test`: exit 0 when every fixture gives what it says, 1
/// when one does not, 2 when a check cannot be read.
pub fn test(dir: &Path, only: Option<&str>, out: &mut dyn Write) -> anyhow::Result<u8> {
    let Some(library) = load(dir)? else {
        return Ok(2);
    };
    let checks: Vec<&Check> = match only {
        None => library.checks().iter().collect(),
        Some(id) => match library.get(id) {
            Some(check) => vec![check],
            None => bail!("no check `{id}`; `evident checks list` shows the checks"),
        },
    };
    let mut counts = Tally::default();
    for check in &checks {
        let reports = evident_policy::run_fixtures(check);
        let mut text = String::new();
        for report in &reports {
            counts.add(report);
            text.push_str(&line(report));
        }
        // One write per check, so a long run shows progress as it goes.
        out.write_all(text.as_bytes())?;
        out.flush()?;
    }
    let notes = if counts.notes > 0 {
        format!(
            ", {} note{}",
            counts.notes,
            if counts.notes == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "\n{} fixture{} of {} check{}: {} ok, {} failed{notes}",
        counts.fixtures,
        if counts.fixtures == 1 { "" } else { "s" },
        checks.len(),
        if checks.len() == 1 { "" } else { "s" },
        counts.ok,
        counts.failed,
    )?;
    out.flush()?;
    Ok(if counts.failed > 0 { 1 } else { 0 })
}

#[derive(Default)]
struct Tally {
    fixtures: usize,
    ok: usize,
    failed: usize,
    notes: usize,
}

impl Tally {
    fn add(&mut self, report: &FixtureReport) {
        if report.note.is_some() {
            self.notes += 1;
        }
        // A missing built-in fixture is a failure but not a fixture run.
        if report.verdict.is_some() {
            self.fixtures += 1;
        }
        if !report.ok {
            self.failed += 1;
        } else if report.verdict.is_some() {
            self.ok += 1;
        }
    }
}

/// One line per report: `ok`, `FAILED` with the problem, or `note`.
fn line(report: &FixtureReport) -> String {
    let name = format!("{}/{}", report.check, report.fixture);
    match (&report.problem, &report.note) {
        (Some(problem), _) => format!("FAILED  {name}: {problem}\n"),
        (None, Some(note)) => format!("note    {}: {note}\n", report.check),
        (None, None) => format!("ok      {name}\n"),
    }
}

/// The library, or `None` after printing its diagnostics to stderr.
fn load(dir: &Path) -> anyhow::Result<Option<Library>> {
    let (library, diagnostics) = Library::load(dir);
    if diagnostics.is_empty() {
        return Ok(Some(library));
    }
    print_diagnostics(dir, &diagnostics)?;
    Ok(None)
}

/// Read errors on stderr with the offending line; built-in checks are shown
/// from the embedded text, the repository's from their files.
fn print_diagnostics(dir: &Path, diagnostics: &[Diagnostic]) -> anyhow::Result<()> {
    let source = |file: &str| match Library::builtin_source(file) {
        Some(text) => Some(text.to_string()),
        None => std::fs::read_to_string(dir.join(file)).ok(),
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = check_report::diagnostics_text(diagnostics, &source, color);
    std::io::stderr().write_all(text.as_bytes())?;
    Ok(())
}

/// A table: id, formats, requirements, title, origin; then a count.
fn table(checks: &[Check]) -> String {
    let rows: Vec<[String; 5]> = checks
        .iter()
        .map(|c| {
            [
                c.id.clone(),
                c.formats.join(","),
                c.requirements.join(","),
                c.title.clone(),
                if c.builtin { "builtin" } else { "repo" }.to_string(),
            ]
        })
        .collect();
    let header = ["ID", "FORMATS", "REQUIREMENTS", "TITLE", "ORIGIN"].map(String::from);
    let mut widths = [0; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(width - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let builtin = checks.iter().filter(|c| c.builtin).count();
    out.push_str(&format!(
        "\n{} check{}: {builtin} built-in, {} from the repository\n",
        checks.len(),
        if checks.len() == 1 { "" } else { "s" },
        checks.len() - builtin
    ));
    out
}

/// `{schema_version: 1, checks: [...]}`.
fn json(checks: &[Check]) -> anyhow::Result<String> {
    let checks: Vec<serde_json::Value> = checks
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "title": c.title,
                "description": c.description,
                "formats": c.formats,
                "requirements": c.requirements,
                "controls": c.controls,
                "parameters": c.parameters,
                "builtin": c.builtin,
                "path": c.path,
            })
        })
        .collect();
    let document = serde_json::json!({ "schema_version": 1, "checks": checks });
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}
