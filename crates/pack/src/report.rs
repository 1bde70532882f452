//! What `verify` found: the problems, each naming its item, or the reason
//! an archive was refused unread.

use std::fmt;

use evident_model::evidence::Timestamp;

use crate::hex;

/// The outcome of verifying a pack that could be opened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackReport {
    /// The archive was refused as hostile or malformed; nothing after the
    /// offending member was read and nothing was extracted.
    pub refused: Option<Refusal>,
    /// Every problem found, in the order found.
    pub problems: Vec<Problem>,
    /// The public key the pack states (checkpoint and manifest signer), so
    /// that the auditor can compare it with the one the organisation
    /// published when no trusted key was given.
    pub public_key: Option<[u8; 32]>,
    /// Whether the key was checked against trusted keys and found among them
    /// (`None`: no trusted keys were given).
    pub key_trusted: Option<bool>,
    /// The audit period the manifest states.
    pub period: Option<(Timestamp, Timestamp)>,
    /// The checkpoint's size (entries covered).
    pub checkpoint_size: Option<u64>,
    /// Evidence items listed in the manifest.
    pub evidence_items: usize,
    /// Check results listed in the manifest.
    pub results: usize,
    /// Ledger entries read from the entries file.
    pub entries: usize,
    /// Blob members read.
    pub blobs: usize,
    /// Bytes of blob content hashed.
    pub blob_bytes: u64,
    /// Document members read.
    pub documents: usize,
}

impl PackReport {
    /// Whether the pack is intact: not refused and no problem found.
    pub fn is_intact(&self) -> bool {
        self.refused.is_none() && self.problems.is_empty()
    }

    /// The public key as 64 hex digits, if known.
    pub fn public_key_hex(&self) -> Option<String> {
        self.public_key.map(|k| hex::encode(&k))
    }
}

/// One problem: what is wrong with which item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The item.
    pub item: Item,
    /// What is wrong with it, for a person.
    pub issue: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.issue)
    }
}

/// The item a problem is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    /// A required member of the layout (`manifest.json`, …).
    Member(String),
    /// The manifest as a whole (format, period, its signature).
    Manifest,
    /// The checkpoint.
    Checkpoint,
    /// The public key.
    PublicKey,
    /// The ledger entry (and its manifest row) at this index.
    Entry(u64),
    /// A line of the entries file that could not be read.
    EntriesLine(u64),
    /// A blob: its member path and, when known, the ledger index of an
    /// evidence item naming it.
    Blob {
        /// `blobs/ab/cdef…`.
        path: String,
        /// The evidence item's ledger index.
        index: Option<u64>,
    },
    /// A document, by its path relative to `documents/`.
    Document(String),
    /// The population of a control.
    Population(String),
    /// The sample of a control.
    Sample(String),
    /// The report itself: problems found past the number listed.
    Report,
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Member(path) => write!(f, "member {path}"),
            Item::Manifest => f.write_str("the manifest"),
            Item::Checkpoint => f.write_str("the checkpoint"),
            Item::PublicKey => f.write_str("the public key"),
            Item::Entry(index) => write!(f, "entry {index}"),
            Item::EntriesLine(line) => write!(f, "line {line} of the entries file"),
            Item::Blob {
                path,
                index: Some(index),
            } => write!(f, "blob {path} (entry {index})"),
            Item::Blob { path, index: None } => write!(f, "blob {path}"),
            Item::Document(path) => write!(f, "document {path}"),
            Item::Population(control) => write!(f, "population of {control}"),
            Item::Sample(control) => write!(f, "sample of {control}"),
            Item::Report => f.write_str("the report"),
        }
    }
}

/// Why an archive was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The member's path as the archive states it (lossy UTF-8), when the
    /// refusal is about one.
    pub member: Option<String>,
    /// Why.
    pub reason: RefusalReason,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("refused to read the pack")?;
        if let Some(member) = &self.member {
            write!(f, " at member `{}`", member.escape_debug())?;
        }
        write!(f, ": {} (nothing was extracted)", self.reason)
    }
}

/// The kinds of hostile or malformed archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefusalReason {
    /// The file is not a tar archive (nor a gzip-compressed one).
    NotTar(String),
    /// The archive ends inside a header or a member.
    Truncated(String),
    /// A path with a `..` component.
    PathTraversal,
    /// An absolute path.
    AbsolutePath,
    /// A path that is not UTF-8, or has empty or `.` components.
    MalformedPath,
    /// A member that is not a regular file: a link, device, FIFO, folder or
    /// extension header.
    NotRegularFile(&'static str),
    /// A path that appears twice.
    DuplicatePath,
    /// A path the layout does not have, or `manifest.json` not first.
    OutsideLayout(&'static str),
    /// A member declaring more bytes than its kind may have.
    TooLarge {
        /// The declared size.
        declared: u64,
        /// The limit for this kind of member.
        limit: u64,
    },
    /// A member declaring more bytes than the archive has left.
    BeyondEnd {
        /// The declared size.
        declared: u64,
        /// The bytes left in the file.
        remaining: u64,
    },
    /// A line of the entries file longer than the limit.
    LineTooLong(u64),
    /// Compressed input inflating past the ratio or absolute cap.
    DecompressionBomb(String),
    /// Anything but zero bytes after the end-of-archive blocks: another
    /// archive, a further gzip member's tar, or junk.
    TrailingData(String),
    /// A member header other than the plain one the builder writes (ustar
    /// magic and version, octal size, mode 0444, uid and gid 0).
    NotPlainHeader(&'static str),
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefusalReason::NotTar(why) => write!(f, "not a tar archive ({why})"),
            RefusalReason::Truncated(why) => write!(f, "the archive is truncated ({why})"),
            RefusalReason::PathTraversal => f.write_str("the path leaves the pack (`..`)"),
            RefusalReason::AbsolutePath => f.write_str("the path is absolute"),
            RefusalReason::MalformedPath => {
                f.write_str("the path is not UTF-8 or has empty or `.` components")
            }
            RefusalReason::NotRegularFile(kind) => {
                write!(f, "a {kind}, not a regular file")
            }
            RefusalReason::DuplicatePath => f.write_str("the path appears twice"),
            RefusalReason::OutsideLayout(why) => write!(f, "not part of the pack layout: {why}"),
            RefusalReason::TooLarge { declared, limit } => write!(
                f,
                "it declares {declared} bytes, more than the {limit} allowed for it"
            ),
            RefusalReason::BeyondEnd {
                declared,
                remaining,
            } => write!(
                f,
                "it declares {declared} bytes but only {remaining} remain in the file"
            ),
            RefusalReason::LineTooLong(line) => {
                write!(f, "line {line} is longer than an entry may be")
            }
            RefusalReason::DecompressionBomb(why) => {
                write!(f, "the compressed input inflates too far ({why})")
            }
            RefusalReason::TrailingData(why) => {
                write!(f, "data follows the end of the archive ({why})")
            }
            RefusalReason::NotPlainHeader(why) => {
                write!(f, "not a plain pack member header: {why}")
            }
        }
    }
}
