//! `verify`: checks a pack offline, without the store, streaming it member
//! by member (`PACK.md`, "What verify checks").

mod archive;
mod checker;
mod hashing;
mod members;
mod populations;

use std::path::Path;

use crate::error::PackError;
use crate::report::PackReport;

pub use archive::{
    INFLATE_SLACK, MAX_BLOB, MAX_DOCUMENT, MAX_ENTRIES, MAX_INFLATE_RATIO, MAX_INFLATED,
    MAX_MANIFEST, MAX_SMALL,
};
pub use members::MAX_LINE;

/// Verifies the pack at `pack`: every blob, entry, inclusion proof,
/// signature, document, population and sample (see `PACK.md`). When
/// `trusted_keys` is non-empty the pack's key must be one of them;
/// otherwise [`PackReport::public_key`] carries it for the auditor to
/// compare with the published one.
///
/// The report lists every problem found, each naming its item; a hostile
/// or malformed archive is refused ([`PackReport::refused`]) without
/// extracting anything. `Err` only when the file cannot be opened or read.
pub fn verify(pack: &Path, trusted_keys: &[[u8; 32]]) -> Result<PackReport, PackError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (checker, refused) = std::thread::scope(|scope| {
        let mut pool = hashing::Pool::start(scope, workers);
        let mut checker = checker::Checker::new(trusted_keys);
        let refused = archive::for_each_member(pack, |member, data, size| {
            checker.member(member, data, size, &mut pool)
        });
        for hashed in pool.finish() {
            checker.blob_hashed(hashed);
        }
        (checker, refused)
    });
    Ok(match refused? {
        // Checks that need every member would only repeat the refusal as
        // "missing" items: the problems found before it are kept.
        Some(refusal) => PackReport {
            refused: Some(refusal),
            ..checker.refused()
        },
        None => checker.finish(),
    })
}
