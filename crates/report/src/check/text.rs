//! The terminal report: findings grouped by the audit failure pattern they
//! reveal, then a summary. Read errors are shown with the offending line.

use std::fmt::Write;

use evident_model::Diagnostic;
use evident_model::finding::{Finding, Severity};

use super::CheckReport;

/// ANSI styles, or none.
#[derive(Clone, Copy)]
struct Style {
    on: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn severity(self, s: Severity) -> String {
        let (code, label) = match s {
            Severity::Error => ("1;31", "error  "),
            Severity::Warning => ("1;33", "warning"),
            Severity::Info => ("1;34", "info   "),
        };
        self.paint(code, label)
    }
}

/// The report as text; `color` adds ANSI colours.
pub fn text(report: &CheckReport, color: bool) -> String {
    let style = Style { on: color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — ISO/IEC 27001 readiness as of {}",
        style.paint("1", report.organisation),
        report.at
    );
    let c = report.counts;
    let _ = writeln!(
        out,
        "{} controls, {} risks, {} owners, {} vendors, {} policies; Annex A: {} applicable, {} excluded\n",
        c.controls, c.risks, c.owners, c.vendors, c.policies, c.applicable, c.excluded
    );

    // Group by pattern, in the order the codes are documented.
    let mut patterns: Vec<&str> = Vec::new();
    for f in report.findings {
        if !patterns.contains(&f.code.pattern()) {
            patterns.push(f.code.pattern());
        }
    }
    patterns.sort_by_key(|p| {
        evident_model::finding::FindingCode::ALL
            .iter()
            .position(|c| c.pattern() == *p)
            .unwrap_or(usize::MAX)
    });
    for pattern in patterns {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.code.pattern() == pattern)
            .collect();
        let _ = writeln!(out, "{} ({})", style.paint("1;4", pattern), group.len());
        for f in group {
            let location = f
                .location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {} {}\n          {}\n          {} {}",
                style.severity(f.severity),
                style.paint("1", f.code.as_str()),
                style.paint("2", &location),
                f.message,
                style.paint("2", "hint:"),
                f.hint()
            );
        }
        out.push('\n');
    }
    let (errors, warnings, infos) = report.tally();
    let verdict = if errors == 0 {
        style.paint("1;32", "ready: no error-level findings")
    } else {
        style.paint("1;31", "not ready")
    };
    let _ = writeln!(
        out,
        "{verdict}: {errors} errors, {warnings} warnings, {infos} info"
    );
    out
}

/// Looks up the text of a definition file, to show the offending line.
pub type SourceLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Read errors as text: `file:line:column`, the code and message, the line
/// itself with a caret under the column, and the hint.
pub fn diagnostics_text(diagnostics: &[Diagnostic], source: SourceLookup, color: bool) -> String {
    let style = Style { on: color };
    let mut out = String::new();
    for d in diagnostics {
        let _ = writeln!(
            out,
            "{}{} {}",
            style.paint("1;31", &format!("error[{}]", d.code)),
            style.paint("1", ":"),
            style.paint("1", &d.message)
        );
        let _ = writeln!(out, "  {} {}", style.paint("1;34", "-->"), d.location);
        let line_text = source(&d.location.file).and_then(|text| {
            text.lines()
                .nth(d.location.line.saturating_sub(1) as usize)
                .map(str::to_string)
        });
        if let Some(line_text) = line_text {
            let number = d.location.line.to_string();
            let pad = " ".repeat(number.len());
            // Show at most 120 characters of the line, around the column.
            let column = d.location.column.saturating_sub(1) as usize;
            let skip = column.saturating_sub(80);
            let shown: String = line_text.chars().skip(skip).take(120).collect();
            let caret_at: String = shown
                .chars()
                .take(column - skip)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "  {pad} {}", style.paint("1;34", "|"));
            let _ = writeln!(
                out,
                "  {} {} {shown}",
                style.paint("1;34", &number),
                style.paint("1;34", "|")
            );
            let _ = writeln!(
                out,
                "  {pad} {} {caret_at}{}",
                style.paint("1;34", "|"),
                style.paint("1;31", "^")
            );
        }
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "  {} {hint}", style.paint("1", "= hint:"));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}: the ISMS definitions could not be read ({} problem{})",
        style.paint("1;31", "error"),
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    );
    out
}
