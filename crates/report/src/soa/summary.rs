//! The SoA summarised by Annex A theme: how many controls are applicable,
//! excluded or not decided, and how many are in each status.

use serde::Serialize;
use serde::ser::SerializeMap;

use super::row::{Decided, RowStatus, SoaRow};

/// How many rows have each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusCounts([usize; RowStatus::ALL.len()]);

impl StatusCounts {
    /// How many rows have `status`.
    pub fn get(&self, status: RowStatus) -> usize {
        self.0[status.position()]
    }

    fn add(&mut self, status: RowStatus) {
        self.0[status.position()] += 1;
    }
}

impl Serialize for StatusCounts {
    /// An object with every status as a key, so consumers need not treat a
    /// missing key as zero.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(RowStatus::ALL.len()))?;
        for status in RowStatus::ALL {
            map.serialize_entry(status.as_str(), &self.get(status))?;
        }
        map.end()
    }
}

/// The counts of one theme (or of all rows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThemeSummary {
    /// The theme (`organizational`, …), `all` for the total.
    pub theme: String,
    /// Annex A controls in the theme.
    pub controls: usize,
    /// Marked applicable.
    pub applicable: usize,
    /// Excluded.
    pub excluded: usize,
    /// Not mentioned by the SoA.
    pub not_decided: usize,
    /// By derived status.
    pub by_status: StatusCounts,
}

impl ThemeSummary {
    fn new(theme: &str) -> Self {
        Self {
            theme: theme.to_string(),
            controls: 0,
            applicable: 0,
            excluded: 0,
            not_decided: 0,
            by_status: StatusCounts::default(),
        }
    }

    fn add(&mut self, row: &SoaRow) {
        self.controls += 1;
        match row.applicability {
            Decided::Applicable => self.applicable += 1,
            Decided::Excluded => self.excluded += 1,
            Decided::NotDecided => self.not_decided += 1,
        }
        self.by_status.add(row.status);
    }
}

/// The SoA by theme, and in total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// One entry per theme, in the order the themes first appear (the
    /// catalog's order).
    pub themes: Vec<ThemeSummary>,
    /// Every row.
    pub total: ThemeSummary,
}

/// Summarises the rows by theme.
pub fn by_theme(rows: &[SoaRow]) -> Summary {
    let mut themes: Vec<ThemeSummary> = Vec::new();
    let mut total = ThemeSummary::new("all");
    for row in rows {
        let position = match themes.iter().position(|t| t.theme == row.theme) {
            Some(p) => p,
            None => {
                themes.push(ThemeSummary::new(&row.theme));
                themes.len() - 1
            }
        };
        themes[position].add(row);
        total.add(row);
    }
    Summary { themes, total }
}

/// A theme's name for people (`Organisational`), the catalog's spelling
/// capitalised for unknown themes.
pub fn theme_label(theme: &str) -> String {
    match theme {
        "organizational" | "organisational" => "Organisational".to_string(),
        "people" => "People".to_string(),
        "physical" => "Physical".to_string(),
        "technological" => "Technological".to_string(),
        other => {
            let mut chars = other.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => "(no theme)".to_string(),
            }
        }
    }
}
