//! The SoA as Markdown: the header facts, the summary by theme and the
//! table, for a wiki or a pull request.

use std::fmt::Write;

use crate::markdown::escape;

use super::SoaReport;
use super::cells::{COLUMNS, cells, date, facts};
use super::row::RowStatus;
use super::summary::{ThemeSummary, theme_label};

/// Renders the SoA as GitHub-flavoured Markdown. Cell text is escaped so
/// that no value can break out of its cell or inject markup.
pub fn markdown(report: &SoaReport) -> String {
    let mut out = String::new();
    let header = &report.header;
    let _ = writeln!(
        out,
        "# Statement of Applicability — {}\n",
        escape(&header.organisation)
    );
    for (fact, value) in facts(report) {
        let _ = writeln!(out, "- **{fact}:** {}", escape(&value));
    }
    let _ = writeln!(out, "\n## Summary by theme\n");
    let mut headings = vec!["Theme", "Controls", "Applicable", "Excluded", "Not decided"];
    headings.extend(RowStatus::ALL.iter().map(|s| s.as_str()));
    table_row(&mut out, headings.iter().map(|h| h.to_string()));
    table_rule(&mut out, headings.len());
    for theme in report.summary.themes.iter() {
        table_row(&mut out, summary_cells(&theme_label(&theme.theme), theme));
    }
    table_row(&mut out, summary_cells("All themes", &report.summary.total));
    let _ = writeln!(
        out,
        "\n## Annex A controls (status as of {})\n",
        date(report.at)
    );
    table_row(&mut out, COLUMNS.iter().map(|c| c.to_string()));
    table_rule(&mut out, COLUMNS.len());
    for row in &report.rows {
        table_row(&mut out, cells(row).into_iter());
    }
    out
}

fn summary_cells(label: &str, theme: &ThemeSummary) -> impl Iterator<Item = String> {
    [
        label.to_string(),
        theme.controls.to_string(),
        theme.applicable.to_string(),
        theme.excluded.to_string(),
        theme.not_decided.to_string(),
    ]
    .into_iter()
    .chain(RowStatus::ALL.map(|s| theme.by_status.get(s).to_string()))
}

fn table_row(out: &mut String, cells: impl Iterator<Item = String>) {
    out.push('|');
    for cell in cells {
        let _ = write!(out, " {} |", escape(&cell));
    }
    out.push('\n');
}

fn table_rule(out: &mut String, columns: usize) {
    out.push('|');
    for _ in 0..columns {
        out.push_str(" --- |");
    }
    out.push('\n');
}
