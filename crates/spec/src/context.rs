//! Conversion context for one file: turns spanned raw values into model
//! values, collecting a diagnostic for each that cannot be read.

use std::sync::Arc;

use evident_model::time::{self, Cadence, Date};
use evident_model::{Diagnostic, Location, Reference};
use serde_saphyr::Spanned;

use evident_catalog::yaml::clamp;

/// One file being converted.
pub(crate) struct FileContext<'d> {
    /// The file, relative to the repository root.
    pub file: Arc<str>,
    /// Problems found so far (shared by all files of a load).
    pub diagnostics: &'d mut Vec<Diagnostic>,
}

impl FileContext<'_> {
    /// Location of a spanned value.
    pub fn at<T>(&self, spanned: &Spanned<T>) -> Location {
        Location::new(
            self.file.clone(),
            clamp(spanned.referenced.line()),
            clamp(spanned.referenced.column()),
        )
    }

    /// A reference to another object.
    pub fn reference(&self, id: &Spanned<String>) -> Reference {
        Reference {
            id: id.value.trim().to_string(),
            at: self.at(id),
        }
    }

    /// References, in order.
    pub fn references(&self, ids: &[Spanned<String>]) -> Vec<Reference> {
        ids.iter().map(|id| self.reference(id)).collect()
    }

    /// An identifier, which must not be empty and must not contain spaces
    /// or a colon (colons separate frameworks from requirement ids).
    pub fn id(&mut self, id: &Spanned<String>) -> String {
        let text = id.value.trim();
        if text.is_empty() || text.contains(char::is_whitespace) || text.contains(':') {
            self.report(
                "invalid-value",
                self.at(id),
                format!(
                    "expected an identifier without spaces or colons, found `{}`",
                    id.value
                ),
            );
        }
        text.to_string()
    }

    /// A date, or a diagnostic at it.
    pub fn date(&mut self, text: &Spanned<String>) -> Option<Date> {
        match time::parse_date(&text.value) {
            Ok(date) => Some(date),
            Err(e) => {
                self.report("invalid-date", self.at(text), e.to_string());
                None
            }
        }
    }

    /// An optional date.
    pub fn opt_date(&mut self, text: &Option<Spanned<String>>) -> Option<Date> {
        text.as_ref().and_then(|t| self.date(t))
    }

    /// A cadence, or a diagnostic at it and the fallback.
    pub fn cadence(&mut self, text: &Option<Spanned<String>>, fallback: Cadence) -> Cadence {
        let Some(text) = text else { return fallback };
        match text.value.parse() {
            Ok(c) => c,
            Err(e) => {
                self.report("invalid-duration", self.at(text), format!("{e}"));
                fallback
            }
        }
    }

    /// Records a problem.
    pub fn report(&mut self, code: &'static str, at: Location, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(code, at, message));
    }
}
