//! Reproducible sampling of a control's population (`PACK.md`,
//! "Sampling"), simple enough to recompute by hand with `sha256sum`:
//!
//! ```text
//! rank(i) = SHA-256( UTF-8 "{seed}:{control}:{i}" )     (i: a ledger index, decimal)
//! sample  = the population ordered by rank (bytes ascending, then index), first N
//! ```
//!
//! No random number generator is involved, so the draw does not depend on
//! a library's version, and the seed (decimal) and index (decimal) cannot
//! run into the control id: the first and last `:` delimit it.

use sha2::{Digest, Sha256};

/// The method's name, recorded in the manifest.
pub const METHOD: &str = "sha256-rank-v1";

/// The rank of ledger index `index` in `control`'s population for `seed`.
pub fn rank(seed: u64, control: &str, index: u64) -> [u8; 32] {
    Sha256::digest(format!("{seed}:{control}:{index}").as_bytes()).into()
}

/// The sample of at most `size` items of `population` (ledger indexes),
/// in draw order; the whole population, in draw order, when it has no
/// more than `size` items.
pub fn draw(seed: u64, control: &str, population: &[u64], size: usize) -> Vec<u64> {
    let mut ranked: Vec<([u8; 32], u64)> = population
        .iter()
        .map(|&i| (rank(seed, control, i), i))
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().take(size).map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_is_the_documented_hash() {
        // printf '%s' '42:A.8.5:17' | sha256sum
        let want = Sha256::digest(b"42:A.8.5:17");
        assert_eq!(rank(42, "A.8.5", 17), <[u8; 32]>::from(want));
    }

    #[test]
    fn draw_orders_by_rank_and_takes_the_first() {
        let population: Vec<u64> = (0..50).collect();
        let sample = draw(7, "A.5.1", &population, 5);
        let mut by_rank = population.clone();
        by_rank.sort_by_key(|&i| rank(7, "A.5.1", i));
        assert_eq!(sample, by_rank[..5]);
        // The input order does not matter.
        let mut reversed = population.clone();
        reversed.reverse();
        assert_eq!(draw(7, "A.5.1", &reversed, 5), sample);
        assert_eq!(draw(7, "A.5.1", &[], 5), Vec::<u64>::new());
    }
}
