//! Reading a pack's members one at a time, refusing anything a pack never
//! holds before a byte of it is used (`PACK.md`, "What verify refuses").
//! Nothing is ever written to disk: members are streamed to the checks.

use std::cell::Cell;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use flate2::read::MultiGzDecoder;
use tar::{Archive, EntryType, Header};

use crate::error::PackError;
use crate::layout::Member;
use crate::report::{Refusal, RefusalReason};

/// The most bytes the manifest may have (it is parsed in memory).
pub const MAX_MANIFEST: u64 = 1 << 30;
/// The most bytes of the small text members (signature, key).
pub const MAX_SMALL: u64 = 1 << 10;
/// The most bytes of the entries file (its lines are capped separately).
pub const MAX_ENTRIES: u64 = 64 << 30;
/// The most bytes of one document.
pub const MAX_DOCUMENT: u64 = 4 << 30;
/// The most bytes of one blob.
pub const MAX_BLOB: u64 = 64 << 30;
/// Compressed input may inflate to at most this many times its size …
pub const MAX_INFLATE_RATIO: u64 = 200;
/// … plus this many bytes (tar's zero padding of small members compresses
/// to almost nothing).
pub const INFLATE_SLACK: u64 = 64 << 20;
/// And never past this many bytes.
pub const MAX_INFLATED: u64 = 256 << 30;

/// The buffer the plain file is read through: large reads (blob hashing
/// asks for 1 MiB) bypass it, the 512-byte header reads do not.
const READ_BUFFER: usize = 256 << 10;

/// A tar block.
const BLOCK: u64 = 512;

/// The mode of every member, as the builder writes it.
const MODE: u64 = 0o444;

/// What a member's visitor can stop on.
#[derive(Debug)]
pub enum Stop {
    /// Refuse the archive.
    Refuse(Refusal),
    /// Reading failed (classified into truncation, bomb or I/O).
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// Calls `visit(member, data, size)` for each member of the pack at
/// `path`, in archive order, after checking its header. Returns the
/// refusal that stopped the reading, if any; an error only when the file
/// cannot be opened.
pub fn for_each_member(
    path: &Path,
    mut visit: impl FnMut(&Member, &mut dyn Read, u64) -> Result<(), Stop>,
) -> Result<Option<Refusal>, PackError> {
    let mut file = File::open(path).map_err(|e| PackError::io(path, e))?;
    let file_len = file.metadata().map_err(|e| PackError::io(path, e))?.len();
    let mut magic = [0u8; 2];
    let gzip = match file.read_exact(&mut magic) {
        Ok(()) => magic == [0x1f, 0x8b],
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => false,
        Err(e) => return Err(PackError::io(path, e)),
    };
    // Reopen rather than seek back: the same file, read from the start.
    let file = File::open(path).map_err(|e| PackError::io(path, e))?;
    let bomb = Rc::new(Cell::new(false));
    let cap = file_len
        .saturating_mul(MAX_INFLATE_RATIO)
        .saturating_add(INFLATE_SLACK)
        .min(MAX_INFLATED);
    let (input, remaining_known): (Box<dyn Read>, bool) = if gzip {
        // Every gzip member is inflated: a further member holding more tar
        // data must reach the checks below (GNU tar and Python read it).
        let inflated = MultiGzDecoder::new(BufReader::with_capacity(READ_BUFFER, file));
        let capped = Capped {
            inner: inflated,
            read: 0,
            cap,
            tripped: Rc::clone(&bomb),
        };
        (Box::new(capped), false)
    } else {
        (Box::new(BufReader::with_capacity(READ_BUFFER, file)), true)
    };
    let consumed = Rc::new(Cell::new(0u64));
    let input = Counted {
        inner: input,
        read: Rc::clone(&consumed),
    };
    let mut archive = Archive::new(input);
    let classify = |e: io::Error, member: Option<String>, first: bool| -> Refusal {
        let reason = if bomb.get() {
            RefusalReason::DecompressionBomb(format!(
                "more than {cap} bytes from {file_len} compressed bytes"
            ))
        } else if first {
            RefusalReason::NotTar(e.to_string())
        } else if is_truncation(&e) {
            RefusalReason::Truncated(e.to_string())
        } else {
            RefusalReason::NotTar(format!("a malformed header: {e}"))
        };
        Refusal { member, reason }
    };
    let entries = match archive.entries() {
        Ok(entries) => entries.raw(true),
        Err(e) => return Ok(Some(classify(e, None, true))),
    };
    let mut seen = HashSet::new();
    let mut count = 0u64;
    // Where the last member's data and padding end in the tar stream.
    let mut end = 0u64;
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => return Ok(Some(classify(e, None, count == 0))),
        };
        count += 1;
        let raw_path = entry.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw_path).into_owned();
        let refuse = |reason| {
            Ok(Some(Refusal {
                member: Some(shown.clone()),
                reason,
            }))
        };
        if let Some(kind) = not_regular(entry.header().entry_type()) {
            return refuse(RefusalReason::NotRegularFile(kind));
        }
        if let Err(why) = plain_header(entry.header()) {
            return refuse(RefusalReason::NotPlainHeader(why));
        }
        let member = match checked_path(&raw_path) {
            Ok(member) => member,
            Err(reason) => return refuse(reason),
        };
        if count == 1 && member != Member::Manifest {
            return refuse(RefusalReason::OutsideLayout(
                "manifest.json must be the first member",
            ));
        }
        if !seen.insert(member.clone()) {
            return refuse(RefusalReason::DuplicatePath);
        }
        let size = entry.size();
        let limit = limit_of(&member);
        if size > limit {
            return refuse(RefusalReason::TooLarge {
                declared: size,
                limit,
            });
        }
        if remaining_known {
            let remaining = file_len.saturating_sub(entry.raw_file_position());
            if size > remaining {
                return refuse(RefusalReason::BeyondEnd {
                    declared: size,
                    remaining,
                });
            }
        }
        end = entry
            .raw_file_position()
            .saturating_add(size.next_multiple_of(BLOCK));
        match visit(&member, &mut entry, size) {
            Ok(()) => {}
            Err(Stop::Refuse(refusal)) => return Ok(Some(refusal)),
            Err(Stop::Io(e)) => return Ok(Some(classify(e, Some(shown), false))),
        }
    }
    if count == 0 {
        return Ok(Some(Refusal {
            member: None,
            reason: RefusalReason::NotTar("it has no members".into()),
        }));
    }
    // The tar reader stopped at the first zero block (or at the end of the
    // input): what follows must be the second zero block and nothing but
    // zeros, or another archive could hide there (`PACK.md`).
    let mut input = archive.into_inner();
    let before = consumed.get();
    let rest = match all_zero(&mut input) {
        Ok(rest) => rest,
        Err(Ok(at)) => {
            return Ok(Some(Refusal {
                member: None,
                reason: RefusalReason::TrailingData(format!(
                    "a non-zero byte at offset {} of the tar stream",
                    before.saturating_add(at)
                )),
            }));
        }
        Err(Err(e)) if bomb.get() || is_truncation(&e) => {
            return Ok(Some(classify(e, None, false)));
        }
        Err(Err(e)) => {
            return Ok(Some(Refusal {
                member: None,
                reason: RefusalReason::TrailingData(format!(
                    "unreadable input after the archive: {e}"
                )),
            }));
        }
    };
    let after_end = before.saturating_sub(end).saturating_add(rest);
    if after_end < 2 * BLOCK {
        return Ok(Some(Refusal {
            member: None,
            reason: RefusalReason::Truncated(
                "the archive lacks its two zero end-of-archive blocks".into(),
            ),
        }));
    }
    Ok(None)
}

/// Reads `input` to its end: the number of bytes, all zero, or the offset
/// of the first non-zero byte (`Err(Ok)`), or a read error (`Err(Err)`).
fn all_zero(input: &mut dyn Read) -> Result<u64, Result<u64, io::Error>> {
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Err(e)),
        };
        if let Some(at) = buf[..n].iter().position(|b| *b != 0) {
            return Err(Ok(total + at as u64));
        }
        total += n as u64;
    }
}

/// Checks that a header is exactly of the kind the builder writes
/// (`tarball.rs`): ustar magic and version `00`, so that every reader
/// joins the prefix to the name alike; a size every reader reads alike;
/// mode 0444, uid and gid 0.
fn plain_header(header: &Header) -> Result<(), &'static str> {
    let bytes = header.as_bytes();
    if bytes[257..263] != *b"ustar\0" || bytes[263..265] != *b"00" {
        return Err("not a POSIX ustar header (magic `ustar`, version `00`)");
    }
    let old = header.as_old();
    if !canonical_size(&old.size) {
        return Err("its size field is neither plain octal nor a canonical large size");
    }
    if octal(&old.mode) != Some(MODE) {
        return Err("its mode is not 0444");
    }
    if octal(&old.uid) != Some(0) || octal(&old.gid) != Some(0) {
        return Err("its owner is not uid 0, gid 0");
    }
    Ok(())
}

/// A numeric field of octal digits then only NUL or space terminators (at
/// least one digit, no sign, no leading space), as its value.
fn octal(field: &[u8]) -> Option<u64> {
    let digits = field.iter().take_while(|b| b.is_ascii_digit()).count();
    let (number, tail) = field.split_at(digits);
    if digits == 0
        || tail.is_empty()
        || tail.iter().any(|b| *b != 0 && *b != b' ')
        || number.iter().any(|b| *b > b'7')
    {
        return None;
    }
    number.iter().try_fold(0u64, |n, d| {
        n.checked_mul(8)?.checked_add(u64::from(d - b'0'))
    })
}

/// A size field as the builder writes it: octal below 8 GiB, and above it
/// base-256 with only the marker bit set outside the last eight bytes.
fn canonical_size(field: &[u8; 12]) -> bool {
    if field[0] & 0x80 == 0 {
        return octal(field).is_some();
    }
    let value = u64::from_be_bytes(field[4..].try_into().unwrap_or_default());
    field[..4] == [0x80, 0, 0, 0] && value >= 1 << 33
}

/// Whether an error means the input ended too soon.
fn is_truncation(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::UnexpectedEof
        || e.to_string().contains("failed to read entire block")
        || e.to_string().contains("unexpected EOF")
}

/// The name of a member type other than a regular file.
fn not_regular(kind: EntryType) -> Option<&'static str> {
    match kind {
        EntryType::Regular => None,
        EntryType::Link => Some("hard link"),
        EntryType::Symlink => Some("symbolic link"),
        EntryType::Char => Some("character device"),
        EntryType::Block => Some("block device"),
        EntryType::Directory => Some("folder"),
        EntryType::Fifo => Some("FIFO"),
        EntryType::Continuous => Some("contiguous file"),
        EntryType::GNULongName | EntryType::GNULongLink => Some("GNU long-name header"),
        EntryType::GNUSparse => Some("sparse file"),
        EntryType::XGlobalHeader | EntryType::XHeader => Some("PAX extension header"),
        _ => Some("member of an unknown type"),
    }
}

/// The member a raw path names, or why it is refused.
pub fn checked_path(raw: &[u8]) -> Result<Member, RefusalReason> {
    let Ok(path) = std::str::from_utf8(raw) else {
        return Err(RefusalReason::MalformedPath);
    };
    if path.starts_with('/') {
        return Err(RefusalReason::AbsolutePath);
    }
    let components: Vec<&str> = path.split(['/', '\\']).collect();
    if components.contains(&"..") {
        return Err(RefusalReason::PathTraversal);
    }
    if components.iter().any(|c| c.is_empty() || *c == ".") {
        return Err(RefusalReason::MalformedPath);
    }
    Member::classify(path).ok_or(RefusalReason::OutsideLayout("no such member in a pack"))
}

/// The most bytes a member of this kind may declare.
fn limit_of(member: &Member) -> u64 {
    match member {
        Member::Manifest => MAX_MANIFEST,
        Member::ManifestSignature | Member::PublicKey => MAX_SMALL,
        Member::Entries => MAX_ENTRIES,
        Member::Document(_) => MAX_DOCUMENT,
        Member::Blob(_) => MAX_BLOB,
    }
}

/// A reader counting the bytes that came out of it.
struct Counted<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// A reader that fails once more than `cap` bytes came out of it, and
/// records that in `tripped` (the tar reader may reword the error).
struct Capped<R> {
    inner: R,
    read: u64,
    cap: u64,
    tripped: Rc<Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read = self.read.saturating_add(n as u64);
        if self.read > self.cap {
            self.tripped.set(true);
            return Err(io::Error::other(format!(
                "more than {} bytes inflated",
                self.cap
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(checked_path(b"manifest.json"), Ok(Member::Manifest));
        assert_eq!(checked_path(b"../evil"), Err(RefusalReason::PathTraversal));
        assert_eq!(
            checked_path(b"documents/../../evil"),
            Err(RefusalReason::PathTraversal)
        );
        assert_eq!(checked_path(b"a\\..\\b"), Err(RefusalReason::PathTraversal));
        assert_eq!(
            checked_path(b"/etc/passwd"),
            Err(RefusalReason::AbsolutePath)
        );
        assert_eq!(
            checked_path(b"./manifest.json"),
            Err(RefusalReason::MalformedPath)
        );
        assert_eq!(
            checked_path(b"ledger//entries.jsonl"),
            Err(RefusalReason::MalformedPath)
        );
        assert_eq!(checked_path(b"\xff"), Err(RefusalReason::MalformedPath));
        assert!(matches!(
            checked_path(b"notes.txt"),
            Err(RefusalReason::OutsideLayout(_))
        ));
    }
}
