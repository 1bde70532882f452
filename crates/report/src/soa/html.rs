//! The SoA as one self-contained HTML page: inline CSS, no scripts, no
//! network, every value escaped.

use std::fmt::Write;

use super::SoaReport;
use super::cells::{COLUMNS, STATUS_COLUMN, cells, facts, status_colours};
use super::row::RowStatus;
use super::summary::{ThemeSummary, theme_label};
use crate::xml::escape;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}\
table{border-collapse:collapse;font-size:0.85em}\
th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left;white-space:pre-line}\
th{background:#1F4E78;color:#fff;position:sticky;top:0}\
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 1em}\
dl.facts dt{font-weight:bold}dl.facts dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}\
td.num{text-align:right}tr.total td{font-weight:bold}";

/// Renders the SoA as an HTML page: the header facts, the summary by theme
/// and the table, status cells coloured.
pub fn html(report: &SoaReport) -> String {
    let mut out = String::new();
    let title = format!(
        "Statement of Applicability — {}",
        report.header.organisation
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}",
        escape(&title)
    );
    for status in RowStatus::ALL {
        let (background, text) = status_colours(status);
        let _ = write!(
            out,
            "td.status-{}{{background:{background};color:{text}}}",
            status.as_str()
        );
    }
    let _ = write!(
        out,
        "</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title)
    );
    out.push_str("<dl class=\"facts\">\n");
    for (fact, value) in facts(report) {
        let _ = writeln!(out, "<dt>{fact}</dt><dd>{}</dd>", escape(&value));
    }
    out.push_str("</dl>\n");
    summary(&mut out, report);
    table(&mut out, report);
    out.push_str("</body>\n</html>\n");
    out
}

fn summary(out: &mut String, report: &SoaReport) {
    out.push_str("<h2>Summary by theme</h2>\n<table>\n<thead><tr>");
    for heading in ["Theme", "Controls", "Applicable", "Excluded", "Not decided"] {
        let _ = write!(out, "<th>{heading}</th>");
    }
    for status in RowStatus::ALL {
        let _ = write!(out, "<th>{}</th>", status.as_str());
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for theme in &report.summary.themes {
        summary_row(out, &theme_label(&theme.theme), theme, "");
    }
    summary_row(out, "All themes", &report.summary.total, " class=\"total\"");
    out.push_str("</tbody>\n</table>\n");
}

fn summary_row(out: &mut String, label: &str, theme: &ThemeSummary, class: &str) {
    let _ = write!(out, "<tr{class}><td>{}</td>", escape(label));
    let counts = [
        theme.controls,
        theme.applicable,
        theme.excluded,
        theme.not_decided,
    ];
    for count in counts
        .into_iter()
        .chain(RowStatus::ALL.map(|s| theme.by_status.get(s)))
    {
        let _ = write!(out, "<td class=\"num\">{count}</td>");
    }
    out.push_str("</tr>\n");
}

fn table(out: &mut String, report: &SoaReport) {
    out.push_str("<h2>Annex A controls</h2>\n<table>\n<thead><tr>");
    for column in COLUMNS {
        let _ = write!(out, "<th>{column}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &report.rows {
        let _ = write!(out, "<tr id=\"{}\">", escape(&row.id));
        for (i, cell) in cells(row).iter().enumerate() {
            if i == STATUS_COLUMN {
                let _ = write!(
                    out,
                    "<td class=\"status-{}\">{}</td>",
                    row.status.as_str(),
                    escape(cell)
                );
            } else {
                let _ = write!(out, "<td>{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}
