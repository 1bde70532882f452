//! Cells that spreadsheets show rather than run. Excel, LibreOffice and
//! Google Sheets read a CSV cell starting with `=`, `+`, `-`, `@`, a tab or
//! a carriage return as a formula ("CSV injection"): a justification or a
//! title written in a pull request could then run when an auditor opens
//! the export. Such cells get a leading apostrophe, which the spreadsheet
//! hides and which makes the cell text. Numbers are left as they are.

use std::borrow::Cow;

/// `text` as a spreadsheet will show it rather than evaluate it.
pub(crate) fn inert(text: &str) -> Cow<'_, str> {
    let starts_formula = text
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if starts_formula && text.parse::<f64>().is_err() {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        assert_eq!(
            inert("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("+1+1"), "'+1+1");
        assert_eq!(inert("-2+3"), "'-2+3");
        assert_eq!(inert("\t=1"), "'\t=1");
        assert_eq!(inert("-3.5"), "-3.5");
        assert_eq!(inert("A.5.1"), "A.5.1");
        assert_eq!(inert(""), "");
    }
}
