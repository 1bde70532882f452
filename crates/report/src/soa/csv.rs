//! The SoA as RFC 4180 CSV: one header row, then one record per Annex A
//! control; several values in a cell are joined with `"; "`. A cell a
//! spreadsheet would run as a formula starts with an apostrophe.

use super::SoaReport;
use super::cells::{COLUMNS, cells};
use crate::spreadsheet::inert;

/// Renders the SoA table as CSV (CRLF line ends, fields quoted where
/// needed). The header facts (version, hashes, approval) are not part of
/// it: CSV has one table; the JSON and the workbook carry them.
pub fn csv(report: &SoaReport) -> String {
    let mut buffer = Vec::new();
    {
        let mut writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut buffer);
        // Writing to memory cannot fail (the records all have the same
        // length), so the results carry nothing to report.
        let _ = writer.write_record(COLUMNS);
        for row in &report.rows {
            let _ = writer.write_record(cells(row).iter().map(|c| inert(c).into_owned()));
        }
        let _ = writer.flush();
    }
    // The fields are Rust strings, so the bytes are UTF-8.
    String::from_utf8(buffer).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
