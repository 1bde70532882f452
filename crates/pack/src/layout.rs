//! Where each thing lives in the pack (`PACK.md`, "Layout"): the only
//! member paths a pack may hold, shared by the writer and the reader so
//! they cannot disagree.

use evident_model::hash::ContentHash;

use crate::hex;

/// The manifest: the first member.
pub const MANIFEST: &str = "manifest.json";

/// The store key's signature over the manifest's digest.
pub const MANIFEST_SIGNATURE: &str = "manifest.sig";

/// The store's public key, 64 hex digits and a newline.
pub const PUBLIC_KEY: &str = "public-key.txt";

/// The included ledger entries with their inclusion proofs, one JSON
/// object a line.
pub const ENTRIES: &str = "ledger/entries.jsonl";

/// The folder of the documents passed in (reports).
pub const DOCUMENTS: &str = "documents/";

/// The folder of the blobs, `blobs/ab/cdef…` as in the store.
pub const BLOBS: &str = "blobs/";

/// The longest document path (relative to `documents/`): a ustar header
/// holds 255 bytes of path, and no extension headers are used.
pub const MAX_DOCUMENT_PATH: usize = 200;

/// What a member path names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Member {
    /// `manifest.json`.
    Manifest,
    /// `manifest.sig`.
    ManifestSignature,
    /// `public-key.txt`.
    PublicKey,
    /// `ledger/entries.jsonl`.
    Entries,
    /// `documents/<path>`: the document's path as given at build time.
    Document(String),
    /// `blobs/ab/cdef…`: the blob's sha256.
    Blob([u8; 32]),
}

impl Member {
    /// What `path` names, or `None` when the layout has no such member.
    pub fn classify(path: &str) -> Option<Member> {
        match path {
            MANIFEST => return Some(Member::Manifest),
            MANIFEST_SIGNATURE => return Some(Member::ManifestSignature),
            PUBLIC_KEY => return Some(Member::PublicKey),
            ENTRIES => return Some(Member::Entries),
            _ => {}
        }
        if let Some(document) = path.strip_prefix(DOCUMENTS) {
            return is_document_path(document).then(|| Member::Document(document.to_string()));
        }
        let rest = path.strip_prefix(BLOBS)?;
        let (shard, name) = rest.split_once('/')?;
        if shard.len() != 2 || name.len() != 62 {
            return None;
        }
        hex::decode::<32>(&format!("{shard}{name}")).map(Member::Blob)
    }
}

/// The member path of the blob with `digest`.
pub fn blob_path(digest: &[u8; 32]) -> String {
    let hex = hex::encode(digest);
    format!("{BLOBS}{}/{}", &hex[..2], &hex[2..])
}

/// The member path of the blob with the content hash `digest`.
pub fn blob_path_of(digest: &ContentHash) -> String {
    format!("{BLOBS}{}/{}", &digest.hex()[..2], &digest.hex()[2..])
}

/// The member path of a document.
pub fn document_path(path: &str) -> String {
    format!("{DOCUMENTS}{path}")
}

/// Whether `path` may name a document: relative, `/`-separated, each
/// component non-empty, not `.` or `..`, of ASCII letters, digits and
/// `._-`, at most [`MAX_DOCUMENT_PATH`] bytes. Narrow on purpose: the name
/// means the same on every system an auditor may extract the pack on.
pub fn is_document_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= MAX_DOCUMENT_PATH
        && path.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_kind_of_member_and_nothing_else() {
        let digest = [0xab; 32];
        let blob = blob_path(&digest);
        assert_eq!(blob, format!("blobs/ab/{}", "ab".repeat(31)));
        assert_eq!(Member::classify(&blob), Some(Member::Blob(digest)));
        assert_eq!(Member::classify("manifest.json"), Some(Member::Manifest));
        assert_eq!(
            Member::classify("documents/reports/soa.xlsx"),
            Some(Member::Document("reports/soa.xlsx".into()))
        );
        for outside in [
            "manifest.json/",
            "./manifest.json",
            "blobs/ab",
            "blobs/abc/".to_string().as_str(),
            &format!("blobs/AB/{}", "ab".repeat(31)),
            &format!("blobs/ab/{}", "ab".repeat(30)),
            "documents/",
            "documents/../x",
            "documents/a//b",
            "documents/a b",
            "other.txt",
        ] {
            assert_eq!(Member::classify(outside), None, "{outside}");
        }
    }

    #[test]
    fn document_paths() {
        assert!(is_document_path("reports/soa.xlsx"));
        assert!(is_document_path("oscal/assessment-results.json"));
        for bad in ["", "/etc/passwd", "a/../b", "./a", "a/", "é.txt", "a\\b"] {
            assert!(!is_document_path(bad), "{bad}");
        }
        assert!(!is_document_path(&"a".repeat(MAX_DOCUMENT_PATH + 1)));
    }
}
