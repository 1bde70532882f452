//! Reading each kind of member: hashing blobs and documents, parsing the
//! manifest (hashed as it is parsed, for its signature) and the small text
//! members.

use std::io::{self, BufRead, BufReader, Read};

use sha2::{Digest, Sha256};

use crate::hex;
use crate::manifest::Manifest;
use crate::report::{Refusal, RefusalReason};
use crate::verify::archive::Stop;

/// Blobs and documents are hashed through a buffer this large.
pub const HASH_BUFFER: usize = 1 << 20;

/// The sha256 and length of everything `data` yields; the length must be
/// the declared `size` (fewer bytes: the archive ends inside the member).
pub fn hash_member(data: &mut dyn Read, size: u64, buf: &mut [u8]) -> Result<[u8; 32], Stop> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    loop {
        let n = match data.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Stop::Io(e)),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    short_read(total, size)?;
    Ok(hasher.finalize().into())
}

/// An error when fewer bytes than declared were read.
pub fn short_read(read: u64, size: u64) -> Result<(), Stop> {
    if read < size {
        return Err(Stop::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("{read} of {size} bytes"),
        )));
    }
    Ok(())
}

/// A reader that hashes and counts what passes through it.
struct Hashing<'a> {
    inner: &'a mut dyn Read,
    hasher: Sha256,
    read: u64,
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// The manifest parsed (or why it cannot be), and the sha256 of its bytes.
pub fn read_manifest(
    data: &mut dyn Read,
    size: u64,
) -> Result<(Result<Manifest, String>, [u8; 32]), Stop> {
    let mut hashing = Hashing {
        inner: data,
        hasher: Sha256::new(),
        read: 0,
    };
    let parsed = {
        let reader = BufReader::with_capacity(256 << 10, &mut hashing);
        match serde_json::from_reader::<_, Manifest>(reader) {
            Ok(m) => Ok(m),
            Err(e) if e.is_io() => return Err(Stop::Io(io::Error::other(e.to_string()))),
            Err(e) => Err(e.to_string()),
        }
    };
    // On a parse error the rest is still hashed (and its length checked).
    io::copy(&mut hashing, &mut io::sink())?;
    short_read(hashing.read, size)?;
    Ok((parsed, hashing.hasher.finalize().into()))
}

/// A small text member: `N` bytes as `2N` hex digits and a newline, or why
/// it is not.
pub fn read_hex_line<const N: usize>(
    data: &mut dyn Read,
    size: u64,
) -> Result<Result<[u8; N], String>, Stop> {
    let mut text = Vec::new();
    data.read_to_end(&mut text)?;
    short_read(text.len() as u64, size)?;
    let parsed = std::str::from_utf8(&text)
        .ok()
        .and_then(|t| t.strip_suffix('\n'))
        .and_then(hex::decode::<N>)
        .ok_or_else(|| format!("expected {} lowercase hex digits and a newline", 2 * N));
    Ok(parsed)
}

/// The longest line of the entries file: an entry's body is an evidence
/// item or a result record, kilobytes at most.
pub const MAX_LINE: u64 = 16 << 20;

/// Calls `line(number, bytes)` for each line of the entries file (without
/// its newline), numbered from 1.
pub fn for_each_line(
    data: &mut dyn Read,
    size: u64,
    mut line: impl FnMut(u64, &[u8]),
) -> Result<(), Stop> {
    let mut reader = BufReader::with_capacity(1 << 20, data);
    let mut buf = Vec::new();
    let mut number = 0u64;
    let mut total = 0u64;
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        number += 1;
        total += n as u64;
        let text = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if text.len() as u64 > MAX_LINE {
            return Err(Stop::Refuse(Refusal {
                member: Some(crate::layout::ENTRIES.into()),
                reason: RefusalReason::LineTooLong(number),
            }));
        }
        line(number, text);
    }
    short_read(total, size)
}
