//! Content-addressed blob files: `blobs/ab/cdef…` named by the sha256 of
//! their bytes, stored once, streamed in chunks so memory stays bounded
//! whatever the size.
//!
//! Blobs are written in batches, atomically and durably before anything
//! refers to them:
//!
//! 1. [`BlobStore::stage`]: every source is hashed and, unless identical
//!    content is already stored, copied to a temporary file in `incoming/`
//!    (read-only from creation) — on all cores, one source per worker —
//!    and its write-back started;
//! 2. [`StagedBatch::make_durable`]: the new files' data is made durable,
//!    they are renamed into place, and the renames (and new shard folders)
//!    are made durable.
//!
//! "Made durable" takes one of two forms ([`Durability`]): an fsync of each
//! file, then of each shard folder (batches of one item, and file systems
//! whose `syncfs(2)` we cannot rely on); or one `syncfs(2)` of the blob
//! folder's file system (Linux, on the local file systems listed in `sys`),
//! which costs one device flush instead of one per file. A crash at any
//! point leaves each blob complete at its name or absent (at worst a
//! leftover in `incoming/`, or a complete blob nothing refers to).

use std::collections::{BTreeSet, HashSet};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use evident_model::hash::ContentHash;
use sha2::{Digest, Sha256};
use tempfile::{NamedTempFile, TempPath};

use crate::error::{Result, StoreError};
use crate::merkle::Hash;

/// The chunk size for streaming reads (hashing and copying); sources no
/// larger are read whole, hashed, and written only if new.
pub(crate) const CHUNK: usize = 1 << 20;

/// How old a file in `incoming/` must be to count as a dead writer's.
const STALE_INCOMING: Duration = Duration::from_secs(24 * 60 * 60);

/// Renames worth a thread of their own.
const RENAMES_PER_THREAD: usize = 64;

/// Batches of at most this many sources (one evidence item and its
/// normalised document) sync file by file: as cheap as two `syncfs`, and
/// it leaves other writers' data on the file system alone.
const PER_FILE_MAX: usize = 2;

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
    /// Whether this batch wrote it, the first time it names the content
    /// (false: identical content was there, or came earlier in the batch).
    pub new: bool,
}

/// How a batch makes its blobs durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Durability {
    /// fsync each new file before its rename, then each shard folder of
    /// the batch (and the blob folder, when a shard folder was created).
    PerFile,
    /// `syncfs(2)` of the blob folder's file system before the renames and
    /// again after them.
    FileSystem,
}

/// A source hashed and, unless already stored, copied to `incoming/`.
struct Staged {
    hash: Hash,
    size: u64,
    /// The copy; `None` when identical content was already stored.
    tmp: Option<TempPath>,
}

/// The blob folder.
#[derive(Clone, Debug)]
pub(crate) struct BlobStore {
    root: PathBuf,
    incoming: PathBuf,
    /// Whether `syncfs(2)` makes this folder's file system durable.
    syncfs: bool,
}

impl BlobStore {
    /// Opens (creating if needed) the blob folder at `root`, and removes
    /// what interrupted writes left in `incoming/` long ago.
    pub fn open(root: &Path) -> Result<Self> {
        let incoming = root.join("incoming");
        fs::create_dir_all(&incoming).map_err(|e| StoreError::io(&incoming, e))?;
        let syncfs = File::open(root).is_ok_and(|dir| sys::has_reliable_syncfs(&dir));
        let blobs = Self {
            root: root.to_path_buf(),
            incoming,
            syncfs,
        };
        blobs.sweep_incoming();
        Ok(blobs)
    }

    /// Best effort: deletes files in `incoming/` unmodified for
    /// [`STALE_INCOMING`]. A batch renames or deletes its files within
    /// minutes, so only leftovers of dead writers are that old.
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

    /// How a batch of `sources` blobs is made durable.
    pub fn durability(&self, sources: usize) -> Durability {
        if self.syncfs && sources > PER_FILE_MAX {
            Durability::FileSystem
        } else {
            Durability::PerFile
        }
    }

    /// Stores each of `sources` unless identical content is already there,
    /// and returns them in order once all are durable: [`stage`](Self::stage)
    /// then [`StagedBatch::make_durable`].
    #[cfg(test)]
    pub fn put_all(&self, sources: &[BlobSource]) -> Result<Vec<PutBlob>> {
        self.put_all_with(sources, self.durability(sources.len()))
    }

    /// [`put_all`](Self::put_all) with a chosen durability.
    #[cfg(test)]
    pub fn put_all_with(
        &self,
        sources: &[BlobSource],
        durability: Durability,
    ) -> Result<Vec<PutBlob>> {
        let staged = self.stage_with(sources, durability)?;
        let put = staged.blobs().to_vec();
        staged.make_durable()?;
        Ok(put)
    }

    /// Hashes each of `sources` and copies those not already stored to
    /// `incoming/`, on all cores; nothing is in place until
    /// [`StagedBatch::make_durable`]. On error every copy is deleted.
    pub fn stage(&self, sources: &[BlobSource]) -> Result<StagedBatch> {
        self.stage_with(sources, self.durability(sources.len()))
    }

    /// [`stage`](Self::stage) with a chosen durability.
    pub fn stage_with(
        &self,
        sources: &[BlobSource],
        durability: Durability,
    ) -> Result<StagedBatch> {
        // Opened before any write: `syncfs` reports write-back errors since
        // the descriptor was opened.
        let fs_handle = match durability {
            Durability::FileSystem if !sources.is_empty() => {
                Some(File::open(&self.root).map_err(|e| StoreError::io(&self.root, e))?)
            }
            _ => None,
        };
        let staged = self.stage_all(sources, durability)?;

        // The first copy of each new content is renamed into place; later
        // copies of it in the batch are dropped (deleted).
        let mut renamed = HashSet::new();
        let mut renames = Vec::new();
        let mut put = Vec::with_capacity(staged.len());
        for s in staged {
            let new = match s.tmp {
                Some(tmp) if renamed.insert(s.hash) => {
                    renames.push((s.hash, tmp));
                    true
                }
                _ => false,
            };
            put.push(PutBlob {
                digest: ContentHash::from_bytes(s.hash),
                size: s.size,
                new,
            });
        }
        Ok(StagedBatch {
            store: self.clone(),
            put,
            renames,
            fs_handle,
        })
    }

    /// Hashes every source and copies the new ones to `incoming/`, one
    /// source at a time per core. On error, the error of the first failing
    /// source; every copy is deleted.
    fn stage_all(&self, sources: &[BlobSource], durability: Durability) -> Result<Vec<Staged>> {
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(sources.len())
            .max(1);
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let work = || {
            let mut buf = vec![0u8; CHUNK];
            let mut out = Vec::new();
            while !failed.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(source) = sources.get(i) else {
                    break;
                };
                let staged = self.stage_one(source, &mut buf, durability);
                if staged.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                out.push((i, staged));
            }
            out
        };
        let mut results = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
            let mut all = work();
            for helper in helpers {
                match helper.join() {
                    Ok(part) => all.extend(part),
                    Err(_) => {
                        return Err(StoreError::Task("a blob writing thread panicked".into()));
                    }
                }
            }
            Ok(all)
        })?;
        results.sort_unstable_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, staged)| staged).collect()
    }

    /// Hashes `source` and copies it to `incoming/` unless already stored.
    fn stage_one(
        &self,
        source: &BlobSource,
        buf: &mut [u8],
        durability: Durability,
    ) -> Result<Staged> {
        let path = match source {
            BlobSource::Bytes(bytes) => return self.stage_bytes(bytes, durability),
            BlobSource::File(path) => path,
        };
        let mut input = File::open(path).map_err(|e| StoreError::io(path, e))?;
        let first = read_up_to(&mut input, buf).map_err(|e| StoreError::io(path, e))?;
        if first < buf.len() {
            return self.stage_bytes(&buf[..first], durability);
        }
        // More than a chunk: stream the rest, hashing on the way.
        let mut tmp = self.temp_file()?;
        let tmp_path = tmp.path().to_path_buf();
        tmp.write_all(buf)
            .map_err(|e| StoreError::io(&tmp_path, e))?;
        let mut hasher = Sha256::new();
        hasher.update(&*buf);
        let mut output = WriteBack {
            file: tmp.as_file_mut(),
            written: first as u64,
            started: 0,
        };
        let (hash, size) =
            copy_hashing(&mut input, &mut output, hasher, first as u64).map_err(|e| match e {
                CopyError::Read(e) => StoreError::io(path, e),
                CopyError::Write(e) => StoreError::io(&tmp_path, e),
            })?;
        if self.is_stored(&hash, size) {
            return Ok(Staged {
                hash,
                size,
                tmp: None,
            });
        }
        Ok(Staged {
            hash,
            size,
            tmp: Some(finish_temp(tmp, durability)?),
        })
    }

    /// Hashes `bytes` and copies them to `incoming/` unless already stored.
    fn stage_bytes(&self, bytes: &[u8], durability: Durability) -> Result<Staged> {
        let hash: Hash = Sha256::digest(bytes).into();
        let size = bytes.len() as u64;
        if self.is_stored(&hash, size) {
            return Ok(Staged {
                hash,
                size,
                tmp: None,
            });
        }
        let mut tmp = self.temp_file()?;
        tmp.write_all(bytes)
            .map_err(|e| StoreError::io(tmp.path(), e))?;
        Ok(Staged {
            hash,
            size,
            tmp: Some(finish_temp(tmp, durability)?),
        })
    }

    /// Renames staged copies into place, creating shard folders as needed,
    /// on all cores (each thread its own shards); whether a shard folder
    /// was created.
    fn rename_all(&self, renames: Vec<(Hash, TempPath)>) -> Result<bool> {
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(renames.len() / RENAMES_PER_THREAD)
            .max(1);
        let mut parts: Vec<Vec<(Hash, TempPath)>> = (0..workers).map(|_| Vec::new()).collect();
        for (hash, tmp) in renames {
            parts[usize::from(hash[0]) % workers].push((hash, tmp));
        }
        let rename = |part: Vec<(Hash, TempPath)>| -> Result<bool> {
            let mut made_shards = HashSet::new();
            let mut created_shard = false;
            for (hash, tmp) in part {
                let target = self.path(&ContentHash::from_bytes(hash));
                let shard = target.parent().unwrap_or(&self.root);
                if made_shards.insert(hash[0]) {
                    match fs::create_dir(shard) {
                        Ok(()) => created_shard = true,
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(StoreError::io(shard, e)),
                    }
                }
                tmp.persist(&target)
                    .map_err(|e| StoreError::io(&target, e.error))?;
            }
            Ok(created_shard)
        };
        let mut parts = parts.into_iter();
        let mine = parts.next().unwrap_or_default();
        std::thread::scope(|scope| {
            let helpers: Vec<_> = parts
                .map(|part| scope.spawn(move || rename(part)))
                .collect();
            let mut created = rename(mine)?;
            for helper in helpers {
                let part = helper
                    .join()
                    .map_err(|_| StoreError::Task("a blob renaming thread panicked".into()))?;
                created |= part?;
            }
            Ok(created)
        })
    }

    /// Whether the blob `hash` of `size` bytes is stored. A file of the
    /// wrong size (a truncated copy) does not count and is replaced; other
    /// damage is for `verify` to name.
    fn is_stored(&self, hash: &Hash, size: u64) -> bool {
        fs::metadata(self.path(&ContentHash::from_bytes(*hash)))
            .is_ok_and(|m| m.is_file() && m.len() == size)
    }

    /// A new temporary file in `incoming/`, read-only from the start (the
    /// descriptor that creates it may still write).
    fn temp_file(&self) -> Result<NamedTempFile> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("blob-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o444));
        }
        builder
            .tempfile_in(&self.incoming)
            .map_err(|e| StoreError::io(&self.incoming, e))
    }

    /// Opens the blob with `digest` for reading.
    pub fn open_blob(&self, digest: &ContentHash) -> io::Result<File> {
        File::open(self.path(digest))
    }
}

/// A batch of blobs hashed and copied to `incoming/`, not yet in place.
/// Dropping it deletes the copies.
#[derive(Debug)]
pub(crate) struct StagedBatch {
    store: BlobStore,
    put: Vec<PutBlob>,
    /// The copies to rename into place, by content.
    renames: Vec<(Hash, TempPath)>,
    /// The blob folder, for `syncfs` ([`Durability::FileSystem`]).
    fs_handle: Option<File>,
}

impl StagedBatch {
    /// The blobs, in the order of the sources.
    pub fn blobs(&self) -> &[PutBlob] {
        &self.put
    }

    /// Makes the new copies durable, renames them into place and makes the
    /// renames durable, together with the names of the blobs that were
    /// already stored: another process may have renamed one into place and
    /// not yet synced its folder. After an error, blobs already renamed
    /// are complete (harmless if nothing refers to them).
    pub fn make_durable(self) -> Result<()> {
        let root = &self.store.root;
        let sync_fs =
            |handle: &File| sys::sync_file_system(handle).map_err(|e| StoreError::io(root, e));
        if let Some(handle) = &self.fs_handle
            && !self.renames.is_empty()
        {
            sync_fs(handle)?;
        }
        let created_shard = self.store.rename_all(self.renames)?;
        match &self.fs_handle {
            Some(handle) => sync_fs(handle),
            None => {
                if created_shard {
                    sync_dir(root)?;
                }
                let shards: BTreeSet<PathBuf> = self
                    .put
                    .iter()
                    .filter_map(|b| self.store.path(&b.digest).parent().map(Path::to_path_buf))
                    .collect();
                shards.iter().try_for_each(|shard| sync_dir(shard))
            }
        }
    }
}

/// Closes a written temporary file, keeping its path (deleted when
/// dropped): synced first for [`Durability::PerFile`]; for
/// [`Durability::FileSystem`], its write-back started, so that the disk
/// works while the rest of the batch is copied and the `syncfs` that
/// follows has less to wait for.
fn finish_temp(tmp: NamedTempFile, durability: Durability) -> Result<TempPath> {
    match durability {
        Durability::PerFile => tmp
            .as_file()
            .sync_all()
            .map_err(|e| StoreError::io(tmp.path(), e))?,
        Durability::FileSystem => sys::start_write_back(tmp.as_file(), 0, 0),
    }
    #[cfg(not(unix))]
    set_read_only(tmp.as_file()).map_err(|e| StoreError::io(tmp.path(), e))?;
    Ok(tmp.into_temp_path())
}

/// Write-back is started every this many bytes of a streamed copy.
const WRITE_BACK_STEP: u64 = 8 << 20;

/// A file being written, whose write-back is started every
/// [`WRITE_BACK_STEP`] bytes, so that the disk writes while the copy and
/// its hashing go on and the sync at the end has only the tail to wait for.
struct WriteBack<'a> {
    file: &'a mut File,
    written: u64,
    /// Where write-back was last started.
    started: u64,
}

impl Write for WriteBack<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= WRITE_BACK_STEP {
            sys::start_write_back(self.file, self.started, self.written - self.started);
            self.started = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Reads until `buf` is full or the input ends; the number of bytes read.
fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[derive(Debug)]
enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Buffers in flight between the reading and the writing thread: memory
/// stays at `(PIPELINE + 1) * CHUNK` whatever the size of the input.
const PIPELINE: usize = 3;

/// Copies `input` to `output` in chunks, hashing on the way, continuing
/// `hasher` after `size` bytes already hashed. One thread reads and hashes
/// while this one writes, so hashing overlaps the copy into the page cache.
fn copy_hashing(
    input: &mut (impl Read + Send),
    output: &mut impl Write,
    mut hasher: Sha256,
    mut size: u64,
) -> Result<(Hash, u64), CopyError> {
    let (full_tx, full_rx) = mpsc::sync_channel::<Vec<u8>>(PIPELINE);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..=PIPELINE {
        // The receiver is alive: it is only dropped below.
        let _ = empty_tx.send(vec![0u8; CHUNK]);
    }
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> io::Result<(Hash, u64)> {
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

/// Unix files are created read-only instead (see `BlobStore::temp_file`).
#[cfg(not(unix))]
fn set_read_only(file: &File) -> io::Result<()> {
    let mut perms = file.metadata()?.permissions();
    perms.set_readonly(true);
    file.set_permissions(perms)
}

/// `syncfs(2)`, where the platform has it and the file system honours it.
#[cfg(target_os = "linux")]
mod sys {
    use std::ffi::{c_int, c_long, c_uint};
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;

    unsafe extern "C" {
        fn syncfs(fd: c_int) -> c_int;
        fn fstatfs(fd: c_int, buf: *mut c_long) -> c_int;
        fn sync_file_range(fd: c_int, offset: i64, nbytes: i64, flags: c_uint) -> c_int;
    }

    /// `SYNC_FILE_RANGE_WRITE`: start write-back of dirty pages, not
    /// waiting for it.
    const SYNC_FILE_RANGE_WRITE: c_uint = 2;

    /// Magic numbers (`f_type`) of the file systems whose `syncfs(2)`
    /// writes back and waits for all their dirty data and metadata and
    /// flushes the device cache: ext2/3/4, XFS, Btrfs, F2FS, ZFS,
    /// overlayfs (it syncs its upper layer) and tmpfs (nothing is ever
    /// durable there). Elsewhere — FUSE, whose `syncfs` may do nothing,
    /// network file systems — blobs are synced file by file.
    const RELIABLE: [u32; 7] = [
        0xEF53,      // ext2, ext3, ext4
        0x5846_5342, // xfs
        0x9123_683E, // btrfs
        0xF2F5_2010, // f2fs
        0x2FC1_2FC1, // zfs
        0x794C_7630, // overlayfs
        0x0102_1994, // tmpfs
    ];

    /// Whether `syncfs` on `dir`'s file system makes everything written
    /// to it durable.
    pub(super) fn has_reliable_syncfs(dir: &File) -> bool {
        // `struct statfs` (at most 120 bytes) starts with `f_type`, a
        // `long`. Where it is narrower (s390x), the low half read here is
        // another field and matches no magic number: files are synced one
        // by one, which is always correct.
        let mut buf: [c_long; 64] = [0; 64];
        // SAFETY: `buf` is writable, aligned for `struct statfs` and larger
        // than it; the descriptor stays open during the call.
        let rc = unsafe { fstatfs(dir.as_raw_fd(), buf.as_mut_ptr()) };
        rc == 0 && RELIABLE.contains(&(buf[0] as u32))
    }

    /// Starts writing the dirty pages of `len` bytes of `file` from
    /// `offset` (`len` 0: to the end) to disk, without waiting. A hint:
    /// durability comes from the fsync or `syncfs` after, which also
    /// reports any write-back error.
    pub(super) fn start_write_back(file: &File, offset: u64, len: u64) {
        let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
            return;
        };
        // SAFETY: the descriptor stays open during the call.
        unsafe {
            sync_file_range(file.as_raw_fd(), offset, len, SYNC_FILE_RANGE_WRITE);
        }
    }

    /// Writes back everything dirty on `dir`'s file system and waits for
    /// it; reports write-back errors since `dir` was opened (Linux 5.8+).
    pub(super) fn sync_file_system(dir: &File) -> io::Result<()> {
        // SAFETY: the descriptor stays open during the call.
        if unsafe { syncfs(dir.as_raw_fd()) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use std::fs::File;
    use std::io;

    pub(super) fn has_reliable_syncfs(_: &File) -> bool {
        false
    }

    pub(super) fn start_write_back(_: &File, _: u64, _: u64) {}

    pub(super) fn sync_file_system(_: &File) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stores one source, as a batch of one.
    fn put(blobs: &BlobStore, source: BlobSource) -> Result<PutBlob> {
        let mut put = blobs.put_all(&[source])?;
        Ok(put.pop().expect("one result"))
    }

    fn incoming_is_empty(blobs: &BlobStore) -> bool {
        fs::read_dir(&blobs.incoming).unwrap().count() == 0
    }

    #[test]
    fn batches_store_each_content_once_in_both_modes() {
        for durability in [Durability::PerFile, Durability::FileSystem] {
            let dir = tempfile::tempdir().unwrap();
            let blobs = BlobStore::open(dir.path()).unwrap();
            if durability == Durability::FileSystem && !blobs.syncfs {
                eprintln!("note: no reliable syncfs here; FileSystem mode not exercised");
                continue;
            }
            let stored = put(&blobs, BlobSource::Bytes(b"old".to_vec())).unwrap();
            let big: Vec<u8> = (0..(CHUNK * 3 + 5)).map(|i| (i % 253) as u8).collect();
            let big_path = dir.path().join("big.bin");
            fs::write(&big_path, &big).unwrap();
            let small_path = dir.path().join("small.txt");
            fs::write(&small_path, b"twice").unwrap();
            let exactly_a_chunk = dir.path().join("chunk.bin");
            fs::write(&exactly_a_chunk, vec![9u8; CHUNK]).unwrap();
            let sources = [
                BlobSource::Bytes(b"twice".to_vec()),
                BlobSource::File(big_path.clone()),
                BlobSource::Bytes(b"old".to_vec()),
                BlobSource::File(small_path),
                BlobSource::Bytes(Vec::new()),
                BlobSource::File(big_path),
                BlobSource::File(exactly_a_chunk),
            ];
            let put = blobs.put_all_with(&sources, durability).unwrap();
            let news: Vec<bool> = put.iter().map(|p| p.new).collect();
            assert_eq!(
                news,
                [true, true, false, false, true, false, true],
                "{durability:?}"
            );
            assert_eq!(put[2].digest, stored.digest);
            assert_eq!(put[3].digest, put[0].digest);
            assert_eq!(put[5].digest, ContentHash::of_bytes(&big));
            assert_eq!(put[5].size, big.len() as u64);
            assert_eq!(put[6].digest, ContentHash::of_bytes(&vec![9u8; CHUNK]));
            assert_eq!(fs::read(blobs.path(&put[1].digest)).unwrap(), big);
            assert_eq!(fs::read(blobs.path(&put[4].digest)).unwrap(), b"");
            assert!(
                fs::metadata(blobs.path(&put[0].digest))
                    .unwrap()
                    .permissions()
                    .readonly()
            );
            assert!(incoming_is_empty(&blobs));
        }
    }

    #[test]
    fn a_failing_source_renames_nothing() {
        for durability in [Durability::PerFile, Durability::FileSystem] {
            let dir = tempfile::tempdir().unwrap();
            let blobs = BlobStore::open(&dir.path().join("blobs")).unwrap();
            let big = dir.path().join("big.bin");
            fs::write(&big, vec![1u8; CHUNK + 1]).unwrap();
            let missing = dir.path().join("missing.json");
            let mut sources: Vec<BlobSource> = (0..40)
                .map(|i| BlobSource::Bytes(format!("item {i}").into_bytes()))
                .collect();
            sources.insert(20, BlobSource::File(missing));
            sources.push(BlobSource::File(big));
            let err = blobs.put_all_with(&sources, durability).unwrap_err();
            assert!(err.to_string().contains("missing.json"), "{err}");
            let blob_files: Vec<_> = fs::read_dir(dir.path().join("blobs"))
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .filter(|name| name != "incoming")
                .collect();
            assert!(blob_files.is_empty(), "{durability:?}: {blob_files:?}");
            assert!(incoming_is_empty(&blobs));
        }
    }

    #[test]
    fn small_batches_sync_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(dir.path()).unwrap();
        assert_eq!(blobs.durability(1), Durability::PerFile);
        assert_eq!(blobs.durability(PER_FILE_MAX), Durability::PerFile);
        let many = blobs.durability(PER_FILE_MAX + 1);
        assert_eq!(many == Durability::FileSystem, blobs.syncfs);
    }

    #[test]
    fn stores_once_by_content_and_streams_files() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(&dir.path().join("blobs")).unwrap();

        let a = put(&blobs, BlobSource::Bytes(b"abc".to_vec())).unwrap();
        assert!(a.new);
        assert_eq!(a.size, 3);
        assert_eq!(a.digest, ContentHash::of_bytes(b"abc"));
        let hex = a.digest.hex();
        let path = dir.path().join("blobs").join(&hex[..2]).join(&hex[2..]);
        assert_eq!(fs::read(&path).unwrap(), b"abc");

        let again = put(&blobs, BlobSource::Bytes(b"abc".to_vec())).unwrap();
        assert!(!again.new);
        assert_eq!(again.digest, a.digest);

        // A file larger than one chunk, streamed.
        let big: Vec<u8> = (0..(CHUNK * 2 + 17)).map(|i| (i % 251) as u8).collect();
        let src = dir.path().join("big.bin");
        fs::write(&src, &big).unwrap();
        let b = put(&blobs, BlobSource::File(src.clone())).unwrap();
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
        let a = put(&blobs, BlobSource::Bytes(b"hello".to_vec())).unwrap();
        let path = blobs.path(&a.digest);
        fs::remove_file(&path).unwrap();
        fs::write(&path, b"hel").unwrap();
        let again = put(&blobs, BlobSource::Bytes(b"hello".to_vec())).unwrap();
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
        let err = put(&blobs, BlobSource::File(missing.clone())).unwrap_err();
        assert!(err.to_string().contains("nope.json"), "{err}");
    }

    #[test]
    fn the_pipelined_copy_hashes_and_copies_exactly() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
            let mut out = Vec::new();
            let (hash, size) = copy_hashing(&mut &data[..], &mut out, Sha256::new(), 0).unwrap();
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
        let err = copy_hashing(
            &mut FailingReader { ok: 3 * CHUNK + 5 },
            &mut Vec::new(),
            Sha256::new(),
            0,
        );
        assert!(matches!(err, Err(CopyError::Read(e)) if e.to_string() == "disk on fire"));
        let data = vec![1u8; 10 * CHUNK];
        let err = copy_hashing(
            &mut &data[..],
            &mut FailingWriter { ok: CHUNK + 1 },
            Sha256::new(),
            0,
        );
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
