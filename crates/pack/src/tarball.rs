//! Writing the pack's POSIX tar (ustar) stream: one plain regular-file
//! header per member, the data, zero padding to 512 bytes, and two zero
//! blocks at the end. No extension headers are ever written, so the reader
//! can refuse them all.

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};
use tar::{EntryType, Header};

/// A tar block.
const BLOCK: u64 = 512;

/// A tar stream being written to `out`.
pub struct TarWriter<W: Write> {
    out: W,
    /// The modification time of every member (the build time).
    mtime: u64,
    buf: Vec<u8>,
}

impl<W: Write> TarWriter<W> {
    /// A stream whose members all carry `mtime`; copies go through a
    /// buffer of `buffer` bytes.
    pub fn new(out: W, mtime: u64, buffer: usize) -> Self {
        Self {
            out,
            mtime,
            buf: vec![0; buffer.max(BLOCK as usize)],
        }
    }

    /// Writes a member at `path` of exactly `size` bytes from `data`;
    /// returns the sha256 of the bytes written. Fails if `data` yields a
    /// different number of bytes.
    pub fn append(&mut self, path: &str, size: u64, data: &mut dyn Read) -> io::Result<[u8; 32]> {
        let mut header = Header::new_ustar();
        header.set_path(path)?;
        header.set_size(size);
        header.set_mode(0o444);
        header.set_mtime(self.mtime);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(EntryType::Regular);
        header.set_cksum();
        self.out.write_all(header.as_bytes())?;
        let mut hasher = Sha256::new();
        let mut left = size;
        while left > 0 {
            let want = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .min(self.buf.len());
            let n = match data.read(&mut self.buf[..want]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("{path}: ended {left} bytes early"),
                    ));
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&self.buf[..n]);
            self.out.write_all(&self.buf[..n])?;
            left -= n as u64;
        }
        if data.read(&mut self.buf[..1])? != 0 {
            return Err(io::Error::other(format!(
                "{path}: longer than {size} bytes"
            )));
        }
        let pad = (BLOCK - size % BLOCK) % BLOCK;
        self.out.write_all(&[0; BLOCK as usize][..pad as usize])?;
        Ok(hasher.finalize().into())
    }

    /// Writes the end-of-archive marker and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0; 2 * BLOCK as usize])?;
        self.out.flush()?;
        Ok(self.out)
    }
}
