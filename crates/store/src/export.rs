//! Paged reads for exporting a period of the ledger (the audit pack): the
//! entry hashes a page at a time, to build the Merkle tree without
//! reading bodies, and a way to open blobs from a blocking thread without
//! borrowing the store.

use std::fs::File;
use std::io;
use std::ops::Range;

use evident_model::hash::ContentHash;

use crate::error::{Result, StoreError};
use crate::merkle::Hash;
use crate::store::{PAGE, Store, missing, to_i64};

impl Store {
    /// The entry hashes of the entries with indexes in `range`, in order,
    /// at most one page (2048 entries) per call: the caller asks again from
    /// the index after the last one returned. Fails if an entry is missing
    /// in the range or its stored hash is not 32 bytes.
    pub async fn entry_hash_page(&self, range: Range<u64>) -> Result<Vec<(u64, Hash)>> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .db
            .entry_hashes(to_i64(range.start), to_i64(range.end), PAGE)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (next, (idx, hash)) in (range.start..).zip(rows) {
            // Indexes are contiguous from the start of the range: a gap is
            // a deleted row.
            if u64::try_from(idx).ok() != Some(next) {
                return Err(missing(next));
            }
            let hash: Hash = hash
                .as_slice()
                .try_into()
                .map_err(|_| StoreError::Corrupt {
                    index: next,
                    reason: format!("its entry hash has {} bytes, not 32", hash.len()),
                })?;
            out.push((next, hash));
        }
        if out.is_empty() {
            return Err(missing(range.start));
        }
        Ok(out)
    }

    /// A function opening blobs by digest that owns what it needs, so a
    /// blocking thread can copy blobs while the store stays borrowed
    /// elsewhere.
    pub fn blob_opener(
        &self,
    ) -> impl Fn(&ContentHash) -> io::Result<File> + Clone + Send + Sync + 'static {
        let blobs = self.blobs.clone();
        move |digest| blobs.open_blob(digest)
    }
}
