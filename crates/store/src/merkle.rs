//! RFC 6962 (Certificate Transparency) Merkle tree hashing: leaf and node
//! domain separation, the tree shape of RFC 6962 §2.1 for any size, audit
//! paths (inclusion proofs) and their verification (RFC 9162 §2.1.3.2).
//!
//! Everything here is pure. The ledger's leaves are
//! `leaf_hash(entry_hash)` for each entry in index order (see `FORMAT.md`).

use sha2::{Digest, Sha256};

/// A SHA-256 output.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The hash of a leaf: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly smaller than `n` (`n >= 2`): where
/// RFC 6962 splits a tree of `n` leaves.
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The Merkle tree hash (MTH) over leaf hashes, RFC 6962 §2.1.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` in the tree over `leaves` (RFC 6962
/// §2.1.1), nearest sibling first; `None` when `index` is out of range.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    path(index, leaves, &mut proof);
    Some(proof)
}

fn path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &leaves[..k], out);
        out.push(root(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], out);
        out.push(root(&leaves[..k]));
    }
}

/// Whether `proof` shows that `leaf` (a leaf hash) is at `index` in the
/// tree of `size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// A whole tree kept with all its complete levels (about `2n` hashes), so
/// that the root of any subtree — and so any audit path — is found in
/// O(log² n) instead of rehashing the leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    /// `levels[h][i]` is the root of the perfect subtree of `2^h` leaves
    /// starting at leaf `i * 2^h`.
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// The tree over `leaves` (leaf hashes).
    pub fn new(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        while let Some(below) = levels.last().filter(|l| l.len() >= 2) {
            let above = below
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            levels.push(above);
        }
        Self { levels }
    }

    /// The number of leaves.
    pub fn size(&self) -> usize {
        self.levels[0].len()
    }

    /// The RFC 6962 root.
    pub fn root(&self) -> Hash {
        match self.size() {
            0 => EMPTY_ROOT,
            n => self.subtree(0, n),
        }
    }

    /// The audit path of leaf `index`, as [`inclusion_proof`] gives it.
    pub fn inclusion_proof(&self, index: usize) -> Option<Vec<Hash>> {
        if index >= self.size() {
            return None;
        }
        let mut proof = Vec::new();
        self.path(index, 0, self.size(), &mut proof);
        Some(proof)
    }

    /// MTH of the `len >= 1` leaves from `start`, where `start` is a
    /// multiple of the largest power of two not above `len` (true of every
    /// subtree RFC 6962's recursion visits).
    fn subtree(&self, start: usize, len: usize) -> Hash {
        if len.is_power_of_two() {
            let h = len.trailing_zeros() as usize;
            return self.levels[h][start >> h];
        }
        let k = split(len);
        node_hash(&self.subtree(start, k), &self.subtree(start + k, len - k))
    }

    fn path(&self, m: usize, start: usize, len: usize, out: &mut Vec<Hash>) {
        if len <= 1 {
            return;
        }
        let k = split(len);
        if m < k {
            self.path(m, start, k, out);
            out.push(self.subtree(start + k, len - k));
        } else {
            self.path(m - k, start + k, len - k, out);
            out.push(self.subtree(start, k));
        }
    }
}

/// A tree that only grows, kept as the roots of its perfect subtrees (one
/// per set bit of its size): O(log n) memory, the root in O(log n).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactTree {
    size: u64,
    /// (height, root) of each perfect subtree, left to right, heights
    /// strictly decreasing.
    peaks: Vec<(u32, Hash)>,
}

impl CompactTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(height, left)) = self.peaks.last() {
            if height != node.0 {
                break;
            }
            self.peaks.pop();
            node = (height + 1, node_hash(&left, &node.1));
        }
        self.peaks.push(node);
        self.size += 1;
    }

    /// The RFC 6962 root: the peaks folded from the right.
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(&(_, mut r)) = peaks.next() else {
            return EMPTY_ROOT;
        };
        for (_, left) in peaks {
            r = node_hash(left, &r);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    /// The Certificate Transparency reference leaves (RFC 6962 test data).
    const CT_LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    /// The reference roots for sizes 0..=8.
    const CT_ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn ct_leaves() -> Vec<Hash> {
        CT_LEAVES
            .iter()
            .map(|h| leaf_hash(&decode_var(h)))
            .collect()
    }

    fn decode_var(text: &str) -> Vec<u8> {
        (0..text.len() / 2)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    fn h(text: &str) -> Hash {
        hex::decode(text).unwrap()
    }

    /// MTH written out from the definition in RFC 6962 §2.1, independently
    /// of the code under test (its own split search, raw SHA-256 calls).
    fn reference_mth(data: &[Vec<u8>]) -> Hash {
        let n = data.len();
        if n == 0 {
            return Sha256::digest(b"").into();
        }
        if n == 1 {
            let mut input = vec![0u8];
            input.extend_from_slice(&data[0]);
            return Sha256::digest(&input).into();
        }
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        let mut input = vec![1u8];
        input.extend_from_slice(&reference_mth(&data[..k]));
        input.extend_from_slice(&reference_mth(&data[k..]));
        Sha256::digest(&input).into()
    }

    /// PATH(m, D[n]) written out from RFC 6962 §2.1.1.
    fn reference_path(m: usize, data: &[Vec<u8>]) -> Vec<Hash> {
        let n = data.len();
        if n == 1 {
            return Vec::new();
        }
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        if m < k {
            let mut p = reference_path(m, &data[..k]);
            p.push(reference_mth(&data[k..]));
            p
        } else {
            let mut p = reference_path(m - k, &data[k..]);
            p.push(reference_mth(&data[..k]));
            p
        }
    }

    fn data(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("entry-{i}").into_bytes()).collect()
    }

    #[test]
    fn empty_tree_is_the_hash_of_the_empty_string() {
        assert_eq!(root(&[]), EMPTY_ROOT);
        assert_eq!(EMPTY_ROOT, <[u8; 32]>::from(Sha256::digest(b"")));
        assert_eq!(CompactTree::new().root(), EMPTY_ROOT);
    }

    #[test]
    fn matches_certificate_transparency_roots() {
        let leaves = ct_leaves();
        for (n, want) in CT_ROOTS.iter().enumerate() {
            assert_eq!(hex::encode(&root(&leaves[..n])), *want, "size {n}");
        }
    }

    #[test]
    fn matches_certificate_transparency_audit_paths() {
        let leaves = ct_leaves();
        let cases: [(usize, usize, &[&str]); 4] = [
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (index, size, want) in cases {
            let proof = inclusion_proof(&leaves[..size], index).unwrap();
            let want: Vec<Hash> = want.iter().map(|t| h(t)).collect();
            assert_eq!(proof, want, "leaf {index} of {size}");
            let r = h(CT_ROOTS[size]);
            assert!(verify_inclusion(
                &leaves[index],
                index as u64,
                size as u64,
                &proof,
                &r
            ));
        }
    }

    #[test]
    fn roots_and_paths_match_the_definition_for_every_size_up_to_70() {
        for n in 0..=70 {
            let d = data(n);
            let leaves: Vec<Hash> = d.iter().map(|x| leaf_hash(x)).collect();
            let want = reference_mth(&d);
            assert_eq!(root(&leaves), want, "size {n}");
            let tree = Tree::new(leaves.clone());
            assert_eq!(tree.size(), n);
            assert_eq!(tree.root(), want, "levels, size {n}");
            for m in 0..n {
                assert_eq!(tree.inclusion_proof(m), inclusion_proof(&leaves, m));
            }
            assert_eq!(tree.inclusion_proof(n), None);
            let mut compact = CompactTree::new();
            for l in &leaves {
                compact.push(*l);
            }
            assert_eq!(compact.size(), n as u64);
            assert_eq!(compact.root(), want, "compact, size {n}");
        }
    }

    #[test]
    fn every_inclusion_proof_of_trees_up_to_33_verifies_and_nothing_else_does() {
        for n in 1..=33usize {
            let d = data(n);
            let leaves: Vec<Hash> = d.iter().map(|x| leaf_hash(x)).collect();
            let r = reference_mth(&d);
            let size = n as u64;
            for m in 0..n {
                let proof = inclusion_proof(&leaves, m).unwrap();
                assert_eq!(proof, reference_path(m, &d), "path of {m} in {n}");
                let index = m as u64;
                assert!(verify_inclusion(&leaves[m], index, size, &proof, &r));

                // Wrong leaf, index, root; altered, shortened, lengthened proofs.
                let other = leaf_hash(b"not in the tree");
                assert!(!verify_inclusion(&other, index, size, &proof, &r));
                if n > 1 {
                    let wrong = (index + 1) % size;
                    assert!(!verify_inclusion(&leaves[m], wrong, size, &proof, &r));
                }
                // (A wrong size can still verify: the root, signed with its
                // size in a checkpoint, is what binds the size.)
                assert!(!verify_inclusion(&leaves[m], size, size, &proof, &r));
                assert!(!verify_inclusion(&leaves[m], index, size, &proof, &other));
                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i][7] ^= 0x01;
                    assert!(!verify_inclusion(&leaves[m], index, size, &bad, &r));
                }
                if !proof.is_empty() {
                    let short = &proof[..proof.len() - 1];
                    assert!(!verify_inclusion(&leaves[m], index, size, short, &r));
                }
                let mut long = proof.clone();
                long.push(other);
                assert!(!verify_inclusion(&leaves[m], index, size, &long, &r));
            }
            assert_eq!(inclusion_proof(&leaves, n), None);
        }
    }
}
