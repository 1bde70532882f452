//! The test vectors of `FORMAT.md`, computed independently (Python's
//! `hashlib` and `cryptography`): the code must reproduce them, and the
//! document must still quote them.

use ed25519_dalek::SigningKey;
use evident_model::evidence::Timestamp;

use crate::checkpoint::Checkpoint;
use crate::entry::{GENESIS_PREV, entry_hash};
use crate::hex;
use crate::merkle::{self, Hash};

const E0: &str = "f714afaa31fddc3ced9b9986f39c0b592b3e65c1af260ed3a4aea749b439b3ff";
const E1: &str = "a9e58040c569db610a51c6441ef077bfdf8562df9964356c4b07971c8571852c";
const L0: &str = "d09346762a683834b9297412d6cef6dabea2e09f605aab790addaba7b193629b";
const L1: &str = "4a566b0a2db3fe7f3bef968cb92d5d362d78f06ef8268b5117e08896342c15c7";
const ROOT: &str = "f852e1003b8090f37210b6293799659fa42fd40b620fd4a3f953cda25b6089ed";
const PUBLIC_KEY: &str = "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c";
const SIGNATURE: [&str; 2] = [
    "9b484ff152805290959463ed51c31047062119691e33b86e661ea988d0126ab4",
    "45aad54e0e183d9d7cf1153d83fd079953e3fcb51dce392a185b9044af91780b",
];

#[test]
fn the_code_reproduces_the_documented_vectors() {
    let e0 = entry_hash(
        0,
        "check-result",
        br#"{"check":"mfa","result":"pass"}"#,
        &GENESIS_PREV,
    );
    assert_eq!(hex::encode(&e0), E0);
    let e1 = entry_hash(
        1,
        "collection-failure",
        br#"{"attempted_at":"2026-03-01T10:05:00Z","collector":"http","error":"HTTP 503","source":"github"}"#,
        &e0,
    );
    assert_eq!(hex::encode(&e1), E1);
    let leaves: [Hash; 2] = [merkle::leaf_hash(&e0), merkle::leaf_hash(&e1)];
    assert_eq!(hex::encode(&leaves[0]), L0);
    assert_eq!(hex::encode(&leaves[1]), L1);
    let root = merkle::root(&leaves);
    assert_eq!(hex::encode(&root), ROOT);

    let key = SigningKey::from_bytes(&[7; 32]);
    let at: Timestamp = "2026-03-01T10:06:00Z".parse().unwrap();
    let cp = Checkpoint::sign(&key, 2, root, at).unwrap();
    assert_eq!(cp.public_key_hex(), PUBLIC_KEY);
    assert_eq!(cp.signature_hex(), SIGNATURE.concat());
    assert!(cp.signature_is_valid());
}

#[test]
fn format_md_quotes_the_vectors() {
    let doc = include_str!("../FORMAT.md");
    for v in [E0, E1, L0, L1, ROOT, PUBLIC_KEY, SIGNATURE[0], SIGNATURE[1]] {
        assert!(doc.contains(v), "FORMAT.md lacks {v}");
    }
}
