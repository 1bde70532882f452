//! Hashing blobs on every core while the member reader moves on. The
//! reader copies blobs of at most [`POOLED_MAX`] bytes into a batch buffer
//! (recycled, so allocated and zeroed once) and queues each full batch;
//! workers hash every blob of a batch and report. Batching keeps the
//! hand-overs to one per [`BATCH`] bytes, not one per blob (most blobs are
//! a few KiB). Memory stays bounded by the queue: at most
//! `QUEUE + workers + 1` batches exist at once.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::{Scope, ScopedJoinHandle};

use sha2::{Digest, Sha256};

/// Blobs up to this size are hashed by the workers; larger ones by the
/// reader, streamed.
pub const POOLED_MAX: u64 = 1 << 20;

/// The size of a batch buffer (at least [`POOLED_MAX`]).
const BATCH: usize = 2 << 20;

/// Batches queued for the workers at most.
const QUEUE: usize = 8;

/// A blob hashed: its name, the sha256 of its content, its size.
pub type Hashed = ([u8; 32], [u8; 32], u64);

/// Blobs copied one after the other into one buffer.
struct Batch {
    /// Always `BATCH` bytes long (initialised once).
    buf: Vec<u8>,
    used: usize,
    /// Each blob's name and place in `buf`.
    blobs: Vec<([u8; 32], usize, usize)>,
}

impl Batch {
    fn new() -> Self {
        Self {
            buf: vec![0; BATCH],
            used: 0,
            blobs: Vec::new(),
        }
    }

    fn hash(&self) -> impl Iterator<Item = Hashed> + '_ {
        self.blobs.iter().map(|&(name, start, len)| {
            let digest: [u8; 32] = Sha256::digest(&self.buf[start..start + len]).into();
            (name, digest, len as u64)
        })
    }
}

/// The workers and the batch being filled.
pub struct Pool<'scope> {
    jobs: Option<SyncSender<Batch>>,
    free: Receiver<Batch>,
    results: Receiver<Vec<Hashed>>,
    workers: Vec<ScopedJoinHandle<'scope, ()>>,
    current: Batch,
}

impl<'scope> Pool<'scope> {
    /// Starts `workers` (at least one) hashing threads in `scope`.
    pub fn start<'env>(scope: &'scope Scope<'scope, 'env>, workers: usize) -> Self {
        let (jobs, queue) = mpsc::sync_channel::<Batch>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        let (free_tx, free) = mpsc::channel::<Batch>();
        let (results_tx, results) = mpsc::channel::<Vec<Hashed>>();
        let workers = (0..workers.max(1))
            .map(|_| {
                let queue = Arc::clone(&queue);
                let free_tx = free_tx.clone();
                let results_tx = results_tx.clone();
                scope.spawn(move || {
                    loop {
                        // The lock is held only to take the next batch.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        let Ok(mut batch) = job else { return };
                        if results_tx.send(batch.hash().collect()).is_err() {
                            return;
                        }
                        batch.used = 0;
                        batch.blobs.clear();
                        let _ = free_tx.send(batch);
                    }
                })
            })
            .collect();
        Self {
            jobs: Some(jobs),
            free,
            results,
            workers,
            current: Batch::new(),
        }
    }

    /// Copies the blob `name` of `size` bytes (at most [`POOLED_MAX`]) from
    /// `data` into the current batch, queueing the batch first when it is
    /// full. Fails when `data` ends early.
    pub fn add(&mut self, name: [u8; 32], size: u64, data: &mut dyn Read) -> io::Result<()> {
        let size = usize::try_from(size.min(POOLED_MAX)).unwrap_or(0);
        if self.current.used + size > self.current.buf.len() {
            self.queue_current();
        }
        let start = self.current.used;
        let mut filled = 0;
        while filled < size {
            match data.read(&mut self.current.buf[start + filled..start + size]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("{filled} of {size} bytes"),
                    ));
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.current.used += size;
        self.current.blobs.push((name, start, size));
        Ok(())
    }

    /// Hands the current batch to the workers and takes a free one.
    fn queue_current(&mut self) {
        let fresh = self.free.try_recv().unwrap_or_else(|_| Batch::new());
        let full = std::mem::replace(&mut self.current, fresh);
        if full.blobs.is_empty() {
            return;
        }
        if let Some(jobs) = &self.jobs {
            // Only fails when every worker is gone, which they are not
            // while `jobs` is held; then the batch is hashed here.
            if let Err(mpsc::SendError(batch)) = jobs.send(full) {
                self.jobs = None;
                self.current = batch;
            }
        }
    }

    /// Waits for every queued blob and returns their hashes.
    pub fn finish(mut self) -> Vec<Hashed> {
        let mut out: Vec<Hashed> = Vec::new();
        if self.jobs.is_some() {
            self.queue_current();
        }
        out.extend(self.current.hash());
        self.jobs = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        out.extend(self.results.try_iter().flatten());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_blob_is_hashed_once_across_batches_and_workers() {
        // Sizes that fill batches exactly, overflow them and leave a tail.
        let sizes = [
            0usize,
            1,
            1 << 20,
            (1 << 20) - 1,
            2,
            700_000,
            1 << 20,
            5,
            3 << 18,
        ];
        let blobs: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| (0..n).map(|j| (i * 31 + j) as u8).collect())
            .collect();
        let mut hashed = std::thread::scope(|scope| {
            let mut pool = Pool::start(scope, 2);
            for (i, blob) in blobs.iter().enumerate() {
                pool.add([i as u8; 32], blob.len() as u64, &mut blob.as_slice())
                    .unwrap();
            }
            pool.finish()
        });
        hashed.sort();
        assert_eq!(hashed.len(), blobs.len());
        for (i, blob) in blobs.iter().enumerate() {
            let digest: [u8; 32] = Sha256::digest(blob).into();
            assert_eq!(hashed[i], ([i as u8; 32], digest, blob.len() as u64));
        }
    }

    #[test]
    fn a_blob_ending_early_is_an_error() {
        std::thread::scope(|scope| {
            let mut pool = Pool::start(scope, 1);
            let err = pool.add([0; 32], 10, &mut &b"short"[..]).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
            assert!(pool.finish().is_empty());
        });
    }
}
