//! Any byte of a pack may be damaged in transit or on purpose: verify never
//! panics, and damage to anything a pack's integrity covers is reported.

mod common;

use common::*;
use evident_pack::verify;

/// A small deterministic generator (SplitMix64): the same positions every
/// run, so a failure can be replayed.
struct Positions(u64);

impl Positions {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        usize::try_from((z ^ (z >> 31)) % below as u64).unwrap_or(0)
    }
}

#[tokio::test]
async fn damaged_bytes_never_panic_and_damaged_content_is_reported() {
    let (f, _) = built().await;
    let path = f.pack_path();
    let pristine = std::fs::read(&path).unwrap();
    // Where member data lies (header block + data, not padding): damage
    // there must never pass as intact.
    let mut covered = Vec::new();
    let mut pos = 0;
    while pos + 512 <= pristine.len() && pristine[pos] != 0 {
        let size_field = String::from_utf8_lossy(&pristine[pos + 124..pos + 136]).to_string();
        let size =
            usize::from_str_radix(size_field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
                .unwrap();
        covered.push(pos + 512..pos + 512 + size);
        pos += 512 + size.div_ceil(512) * 512;
    }
    assert!(covered.len() > 5, "a pack of several members");

    let mut positions = Positions(2026);
    let damaged = f.dir.path().join("damaged.tar");
    let mut reported = 0;
    for round in 0..300 {
        let mut bytes = pristine.clone();
        // Mostly single flips, sometimes a truncation.
        let at = positions.next(bytes.len());
        if round % 25 == 24 {
            bytes.truncate(at);
        } else {
            bytes[at] ^= 1 << positions.next(8);
        }
        std::fs::write(&damaged, &bytes).unwrap();
        let report = verify(&damaged, &[]).expect("the file can be read");
        let in_data = covered.iter().any(|r| r.contains(&at));
        if in_data && round % 25 != 24 {
            assert!(
                !report.is_intact(),
                "a flip at byte {at} (member data) passed"
            );
        }
        if !report.is_intact() {
            reported += 1;
        }
    }
    assert!(reported > 100, "most damage is reported: {reported} of 300");
}
