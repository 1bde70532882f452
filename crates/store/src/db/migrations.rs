//! The schema migrations, embedded in the binary. The SQL lives in
//! `migrations/sqlite/` and `migrations/postgres/` (sqlx-cli's layout,
//! `<version>_<description>.sql`); both folders hold the same schema.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// One migration: version, description, SQL.
type Source = (i64, &'static str, &'static str);

/// The SQLite migrations, in order.
pub(crate) const SQLITE: &[Source] = &[(
    1,
    "ledger",
    include_str!("../../migrations/sqlite/0001_ledger.sql"),
)];

/// The PostgreSQL migrations, in order.
pub(crate) const POSTGRES: &[Source] = &[(
    1,
    "ledger",
    include_str!("../../migrations/postgres/0001_ledger.sql"),
)];

/// A migrator over `sources`.
pub(crate) fn migrator(sources: &[Source]) -> Migrator {
    Migrator::with_migrations(
        sources
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded lists name exactly the files in the folders, so a new
    /// migration file cannot be forgotten.
    #[test]
    fn lists_match_the_folders() {
        for (folder, list) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(folder);
            let mut files: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let listed: Vec<String> = list
                .iter()
                .map(|(v, d, _)| format!("{v:04}_{d}.sql"))
                .collect();
            assert_eq!(files, listed, "{folder}");
            for ((_, _, sql), file) in list.iter().zip(&files) {
                assert_eq!(*sql, std::fs::read_to_string(dir.join(file)).unwrap());
            }
        }
        assert_eq!(SQLITE.len(), POSTGRES.len());
    }
}
