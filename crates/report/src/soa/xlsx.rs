//! The SoA as an Excel workbook an auditor can filter and print: the table
//! on sheet "Statement of Applicability" (frozen header row, autofilter,
//! wrapped text, status cells coloured), the counts by theme on "Summary",
//! and the version, hashes and approval on "About".
//!
//! Dates are ISO 8601 text (`YYYY-MM-DD`, UTC), the same as in the CSV, so
//! the cell shows the digits the JSON has whatever the reader's locale. All
//! text is written as strings, never as formulas, and cut to Excel's cell
//! limit. The workbook's creation time is the report's instant, not the
//! clock, so the same report gives the same bytes.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::cells::{COLUMNS, STATUS_COLUMN, cells, facts, status_colours};
use super::row::RowStatus;
use super::summary::{ThemeSummary, theme_label};
use super::{SoaError, SoaReport};

/// The name of the table sheet.
const TABLE_SHEET: &str = "Statement of Applicability";
/// The name of the summary sheet.
const SUMMARY_SHEET: &str = "Summary";
/// The name of the sheet with the header facts.
const ABOUT_SHEET: &str = "About";

/// The most UTF-16 code units Excel keeps in a cell.
const CELL_LIMIT: usize = 32_767;

/// Widths of the table's columns, in characters, in the order of
/// [`COLUMNS`]: the long free-text columns wide, identifiers narrow.
const WIDTHS: [f64; COLUMNS.len()] = [
    9.0, 36.0, 15.0, 11.0, 60.0, 18.0, 26.0, 45.0, 24.0, 15.0, 14.0, 26.0, 16.0,
];

/// Renders the SoA as an XLSX workbook.
pub fn xlsx(report: &SoaReport) -> Result<Vec<u8>, SoaError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(report)?);
    table(workbook.add_worksheet(), report, &formats)?;
    summary(workbook.add_worksheet(), report, &formats)?;
    about(workbook.add_worksheet(), report, &formats)?;
    Ok(workbook.save_to_buffer()?)
}

/// Title and creation time; the time is the report's instant, because
/// rust_xlsxwriter would otherwise read the clock.
fn properties(report: &SoaReport) -> Result<DocProperties, XlsxError> {
    // Excel cannot represent instants before 1900 or after 9999; such an
    // instant is an input error elsewhere, so a fixed time keeps the
    // output reproducible instead of failing.
    let created = ExcelDateTime::from_timestamp(report.at.as_second())
        .or_else(|_| ExcelDateTime::from_ymd(2000, 1, 1))?;
    Ok(DocProperties::new()
        .set_title(limit(&format!(
            "Statement of Applicability — {}",
            report.header.organisation
        )))
        .set_subject("ISO/IEC 27001:2022 Annex A")
        .set_author(crate::TOOL_NAME)
        .set_comment(limit(&format!("report hash {}", report.report_hash)))
        .set_creation_datetime(&created))
}

/// The cell formats, made once.
struct Formats {
    heading: Format,
    text: Format,
    number: Format,
    statuses: [Format; RowStatus::ALL.len()],
}

impl Formats {
    fn new() -> Self {
        let text = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xBFBFBF));
        let status = |s: RowStatus| {
            let (background, foreground) = status_colours(s);
            text.clone()
                .set_background_color(rgb(background))
                .set_font_color(rgb(foreground))
                .set_bold()
        };
        Self {
            heading: text
                .clone()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x1F4E78)),
            number: text.clone().set_align(FormatAlign::Right),
            statuses: RowStatus::ALL.map(status),
            text,
        }
    }

    fn status(&self, status: RowStatus) -> &Format {
        &self.statuses[status.position()]
    }
}

/// A `#RRGGBB` colour as rust_xlsxwriter's colour (black if malformed:
/// the colours are constants of this crate).
fn rgb(hex: &str) -> Color {
    Color::RGB(u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0))
}

fn table(sheet: &mut Worksheet, report: &SoaReport, formats: &Formats) -> Result<(), XlsxError> {
    sheet.set_name(TABLE_SHEET)?;
    for (column, (heading, width)) in (0u16..).zip(COLUMNS.iter().zip(WIDTHS)) {
        sheet.set_column_width(column, width)?;
        sheet.write_string_with_format(0, column, *heading, &formats.heading)?;
    }
    let mut last_row = 0u32;
    for (row_number, row) in (1u32..).zip(&report.rows) {
        for (column, cell) in (0u16..).zip(cells(row).iter()) {
            let format = if usize::from(column) == STATUS_COLUMN {
                formats.status(row.status)
            } else {
                &formats.text
            };
            sheet.write_string_with_format(row_number, column, limit(cell), format)?;
        }
        last_row = row_number;
    }
    let last_column = (COLUMNS.len() - 1) as u16;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_column)?;
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_active(true);
    Ok(())
}

fn summary(sheet: &mut Worksheet, report: &SoaReport, formats: &Formats) -> Result<(), XlsxError> {
    sheet.set_name(SUMMARY_SHEET)?;
    let headings = ["Theme", "Controls", "Applicable", "Excluded", "Not decided"];
    let mut column = 0u16;
    for heading in headings {
        sheet.write_string_with_format(0, column, heading, &formats.heading)?;
        column += 1;
    }
    for status in RowStatus::ALL {
        sheet.write_string_with_format(0, column, status.as_str(), formats.status(status))?;
        column += 1;
    }
    sheet.set_column_width(0, 18)?;
    sheet.set_column_range_width(1, column - 1, 14)?;
    let themes = report
        .summary
        .themes
        .iter()
        .map(|t| (theme_label(&t.theme), t))
        .chain([("All themes".to_string(), &report.summary.total)]);
    for (row, (label, theme)) in (1u32..).zip(themes) {
        summary_row(sheet, row, &label, theme, formats)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    Ok(())
}

fn summary_row(
    sheet: &mut Worksheet,
    row: u32,
    label: &str,
    theme: &ThemeSummary,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(row, 0, limit(label), &formats.text)?;
    let counts = [
        theme.controls,
        theme.applicable,
        theme.excluded,
        theme.not_decided,
    ]
    .into_iter()
    .chain(RowStatus::ALL.map(|s| theme.by_status.get(s)));
    for (column, count) in (1u16..).zip(counts) {
        sheet.write_number_with_format(row, column, count as f64, &formats.number)?;
    }
    Ok(())
}

fn about(sheet: &mut Worksheet, report: &SoaReport, formats: &Formats) -> Result<(), XlsxError> {
    sheet.set_name(ABOUT_SHEET)?;
    sheet.set_column_width(0, 20)?;
    sheet.set_column_width(1, 90)?;
    for (row, (fact, value)) in (0u32..).zip(facts(report)) {
        sheet.write_string_with_format(row, 0, fact, &formats.heading)?;
        sheet.write_string_with_format(row, 1, limit(&value), &formats.text)?;
    }
    Ok(())
}

/// The text as Excel can hold it: cut to [`CELL_LIMIT`] UTF-16 units (at a
/// character boundary) with a trailing `…` marking the cut.
pub(super) fn limit(text: &str) -> String {
    if text.encode_utf16().count() <= CELL_LIMIT {
        return text.to_string();
    }
    let mut out = String::new();
    let mut units = 0;
    for c in text.chars() {
        // Leave one unit for the marker.
        if units + c.len_utf16() > CELL_LIMIT - 1 {
            break;
        }
        units += c.len_utf16();
        out.push(c);
    }
    out.push('…');
    out
}
