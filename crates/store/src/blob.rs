//! Content-addressed blob files: `blobs/ab/cdef…` named by the sha256 of
//! their bytes, written atomically (temporary file in the blob folder,
//! fsync, rename, fsync of the folder), stored once, streamed in chunks so
//! memory stays bounded whatever the size.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use evident_model::hash::ContentHash;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::merkle::Hash;

/// The chunk size for streaming reads (hashing and copying).
pub(crate) const CHUNK: usize = 1 << 20;

/// How old a file in `incoming/` must be to count as a dead writer's.
const STALE_INCOMING: Duration = Duration::from_secs(24 * 60 * 60);

/// The bytes of an artefact to store.
#[derive(Clone, Debug)]
pub enum BlobSource {
    /// A file, streamed (never read whole).
    File(PathBuf),
    /// Bytes already in memory.
    Bytes(Vec<u8>),
}

/// A blob as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PutBlob {
    /// sha256 of the bytes.
    pub digest: ContentHash,
    /// Number of bytes.
    pub size: u64,
    /// Whether this call wrote it (false: identical content was there).
    pub new: bool,
}

/// The blob folder.
#[derive(Clone, Debug)]
pub(crate) struct BlobStore {
    root: PathBuf,
    incoming: PathBuf,
}

impl BlobStore {
    /// Opens (creating if needed) the blob folder at `root`, and removes
    /// what interrupted writes left in `incoming/` long ago.
    pub fn open(root: &Path) -> Result<Self> {
        let incoming = root.join("incoming");
        fs::create_dir_all(&incoming).map_err(|e| StoreError::io(&incoming, e))?;
        let blobs = Self {
            root: root.to_path_buf(),
            incoming,
        };
        blobs.sweep_incoming();
        Ok(blobs)
    }

    /// Best effort: deletes files in `incoming/` unmodified for
    /// [`STALE_INCOMING`]. A write in progress touches its file at least
    /// once per chunk, so only leftovers of dead writers are that old.
    fn sweep_incoming(&self) {
        let Ok(entries) = fs::read_dir(&self.incoming) else {
            return;
        };
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_INCOMING));
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Where the blob with `digest` lives.
    pub fn path(&self, digest: &ContentHash) -> PathBuf {
        let hex = digest.hex();
        self.root.join(&hex[..2]).join(&hex[2..])
    }

    /// Stores `source` unless identical content is already there.
    pub fn put(&self, source: &BlobSource) -> Result<PutBlob> {
        let mut tmp = tempfile::Builder::new()
            .prefix("blob-")
            .tempfile_in(&self.incoming)
            .map_err(|e| StoreError::io(&self.incoming, e))?;
        let tmp_path = tmp.path().to_path_buf();
        let (hash, size) = match source {
            BlobSource::File(path) => {
                let mut input = File::open(path).map_err(|e| StoreError::io(path, e))?;
                copy_hashing(&mut input, tmp.as_file_mut()).map_err(|e| match e {
                    CopyError::Read(e) => StoreError::io(path, e),
                    CopyError::Write(e) => StoreError::io(&tmp_path, e),
                })?
            }
            BlobSource::Bytes(bytes) => {
                tmp.as_file_mut()
                    .write_all(bytes)
                    .map_err(|e| StoreError::io(&tmp_path, e))?;
                (Sha256::digest(bytes).into(), bytes.len() as u64)
            }
        };
        let digest = ContentHash::from_bytes(hash);
        let target = self.path(&digest);
        // Identical content is stored once. A file of the wrong size (a
        // truncated copy) is replaced; other damage is for `verify` to name.
        if fs::metadata(&target).is_ok_and(|m| m.is_file() && m.len() == size) {
            return Ok(PutBlob {
                digest,
                size,
                new: false,
            });
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| StoreError::io(&tmp_path, e))?;
        let shard = target.parent().unwrap_or(&self.root).to_path_buf();
        match fs::create_dir(&shard) {
            Ok(()) => sync_dir(&self.root)?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(StoreError::io(&shard, e)),
        }
        set_read_only(tmp.as_file()).map_err(|e| StoreError::io(&tmp_path, e))?;
        tmp.persist(&target)
            .map_err(|e| StoreError::io(&target, e.error))?;
        sync_dir(&shard)?;
        Ok(PutBlob {
            digest,
            size,
            new: true,
        })
    }

    /// Opens the blob with `digest` for reading.
    pub fn open_blob(&self, digest: &ContentHash) -> io::Result<File> {
        File::open(self.path(digest))
    }
}

#[derive(Debug)]
enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Buffers in flight between the reading and the writing thread: memory
/// stays at `(PIPELINE + 1) * CHUNK` whatever the size of the input.
const PIPELINE: usize = 3;

/// Copies `input` to `output` in chunks, hashing on the way. One thread
/// reads and hashes while this one writes, so hashing overlaps the copy
/// into the page cache.
fn copy_hashing(
    input: &mut (impl Read + Send),
    output: &mut impl Write,
) -> Result<(Hash, u64), CopyError> {
    let (full_tx, full_rx) = mpsc::sync_channel::<Vec<u8>>(PIPELINE);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..=PIPELINE {
        // The receiver is alive: it is only dropped below.
        let _ = empty_tx.send(vec![0u8; CHUNK]);
    }
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> io::Result<(Hash, u64)> {
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            // Ends when the writer stops (it drops its channel ends).
            while let Ok(mut buf) = empty_rx.recv() {
                buf.resize(CHUNK, 0);
                let n = loop {
                    match input.read(&mut buf) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                if n == 0 {
                    break;
                }
                buf.truncate(n);
                hasher.update(&buf);
                size += n as u64;
                if full_tx.send(buf).is_err() {
                    break;
                }
            }
            Ok((hasher.finalize().into(), size))
        });
        let mut written = Ok(());
        for buf in full_rx.iter() {
            if let Err(e) = output.write_all(&buf) {
                written = Err(e);
                break;
            }
            let _ = empty_tx.send(buf);
        }
        drop(full_rx);
        drop(empty_tx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reading thread panicked")));
        written.map_err(CopyError::Write)?;
        read.map_err(CopyError::Read)
    })
}

/// The sha256 and length of everything `input` yields, read through `buf`.
pub(crate) fn hash_reader(input: &mut impl Read, buf: &mut [u8]) -> io::Result<(Hash, u64)> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    loop {
        let n = match input.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hasher.finalize().into(), size))
}

/// Makes a folder's entries durable (a rename or a new file in it).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))
}

#[cfg(unix)]
fn set_read_only(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o444))
}

#[cfg(not(unix))]
fn set_read_only(file: &File) -> io::Result<()> {
    let mut perms = file.metadata()?.permissions();
    perms.set_readonly(true);
    file.set_permissions(perms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_by_content_and_streams_files() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(&dir.path().join("blobs")).unwrap();

        let a = blobs.put(&BlobSource::Bytes(b"abc".to_vec())).unwrap();
        assert!(a.new);
        assert_eq!(a.size, 3);
        assert_eq!(a.digest, ContentHash::of_bytes(b"abc"));
        let hex = a.digest.hex();
        let path = dir.path().join("blobs").join(&hex[..2]).join(&hex[2..]);
        assert_eq!(fs::read(&path).unwrap(), b"abc");

        let again = blobs.put(&BlobSource::Bytes(b"abc".to_vec())).unwrap();
        assert!(!again.new);
        assert_eq!(again.digest, a.digest);

        // A file larger than one chunk, streamed.
        let big: Vec<u8> = (0..(CHUNK * 2 + 17)).map(|i| (i % 251) as u8).collect();
        let src = dir.path().join("big.bin");
        fs::write(&src, &big).unwrap();
        let b = blobs.put(&BlobSource::File(src.clone())).unwrap();
        assert!(b.new);
        assert_eq!(b.digest, ContentHash::of_bytes(&big));
        assert_eq!(b.size, big.len() as u64);
        let mut read = Vec::new();
        blobs
            .open_blob(&b.digest)
            .unwrap()
            .read_to_end(&mut read)
            .unwrap();
        assert_eq!(read, big);
        // No temporary files are left behind.
        assert_eq!(
            fs::read_dir(dir.path().join("blobs/incoming"))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn a_truncated_copy_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(dir.path()).unwrap();
        let a = blobs.put(&BlobSource::Bytes(b"hello".to_vec())).unwrap();
        let path = blobs.path(&a.digest);
        fs::remove_file(&path).unwrap();
        fs::write(&path, b"hel").unwrap();
        let again = blobs.put(&BlobSource::Bytes(b"hello".to_vec())).unwrap();
        assert!(again.new);
        assert_eq!(fs::read(&path).unwrap(), b"hello");
    }

    #[test]
    fn leftovers_of_dead_writers_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        BlobStore::open(dir.path()).unwrap();
        let old = dir.path().join("incoming/blob-old");
        let fresh = dir.path().join("incoming/blob-fresh");
        fs::write(&old, b"partial").unwrap();
        fs::write(&fresh, b"partial").unwrap();
        let long_ago = std::time::SystemTime::now() - 2 * STALE_INCOMING;
        File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        BlobStore::open(dir.path()).unwrap();
        assert!(!old.exists());
        assert!(fresh.exists(), "a write may still be in progress");
    }

    #[test]
    fn a_missing_source_file_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(dir.path()).unwrap();
        let missing = dir.path().join("nope.json");
        let err = blobs.put(&BlobSource::File(missing.clone())).unwrap_err();
        assert!(err.to_string().contains("nope.json"), "{err}");
    }

    #[test]
    fn the_pipelined_copy_hashes_and_copies_exactly() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
            let mut out = Vec::new();
            let (hash, size) = copy_hashing(&mut &data[..], &mut out).unwrap();
            assert_eq!(size, len as u64);
            assert_eq!(out, data);
            assert_eq!(ContentHash::from_bytes(hash), ContentHash::of_bytes(&data));
        }
    }

    /// Yields `ok` bytes, then fails.
    struct FailingReader {
        ok: usize,
    }

    impl Read for FailingReader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.ok == 0 {
                return Err(io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.ok);
            self.ok -= n;
            Ok(n)
        }
    }

    /// Accepts `ok` bytes, then fails.
    struct FailingWriter {
        ok: usize,
    }

    impl Write for FailingWriter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.ok == 0 {
                return Err(io::Error::other("disk full"));
            }
            let n = buf.len().min(self.ok);
            self.ok -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn pipeline_errors_end_both_threads() {
        let err = copy_hashing(&mut FailingReader { ok: 3 * CHUNK + 5 }, &mut Vec::new());
        assert!(matches!(err, Err(CopyError::Read(e)) if e.to_string() == "disk on fire"));
        let data = vec![1u8; 10 * CHUNK];
        let err = copy_hashing(&mut &data[..], &mut FailingWriter { ok: CHUNK + 1 });
        assert!(matches!(err, Err(CopyError::Write(e)) if e.to_string() == "disk full"));
    }

    #[test]
    fn hashes_readers_in_chunks() {
        let data = vec![7u8; 3 * 1000 + 1];
        let mut buf = [0u8; 1000];
        let (h, n) = hash_reader(&mut &data[..], &mut buf).unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(ContentHash::from_bytes(h), ContentHash::of_bytes(&data));
    }
}
