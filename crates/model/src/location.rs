//! Where something was defined in the user's ISMS repository.

use std::fmt;
use std::sync::Arc;

/// A position in a definition file: the file (relative to the ISMS root), and
/// the 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// Path of the file, relative to the ISMS repository root, `/`-separated.
    pub file: Arc<str>,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column number.
    pub column: u32,
}

impl Location {
    /// A location at the given file, line and column.
    pub fn new(file: Arc<str>, line: u32, column: u32) -> Self {
        Self { file, line, column }
    }

    /// The start of a file, for problems that concern a file as a whole.
    pub fn file_start(file: Arc<str>) -> Self {
        Self {
            file,
            line: 1,
            column: 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A reference by identifier to another object, remembering where it was
/// written so that a dangling reference can be pointed at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The identifier referred to (`alice`, `R-004`, `aws`).
    pub id: String,
    /// Where the reference was written.
    pub at: Location,
}
