//! Lowercase hex, and [`Hex`], a fixed-size byte string written as hex in
//! the manifest and the entries file.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use evident_model::hex::{decode, encode};

/// `N` bytes (a hash, a key, a signature), serialised as `2N` lowercase
/// hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hex<const N: usize>(pub [u8; N]);

impl<const N: usize> fmt::Display for Hex<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode(&self.0))
    }
}

impl<const N: usize> fmt::Debug for Hex<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<const N: usize> Serialize for Hex<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(&self.0))
    }
}

impl<'de, const N: usize> Deserialize<'de> for Hex<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(HexVisitor::<N>)
    }
}

/// Reads the digits without allocating a string: a pack has millions of
/// hashes (every proof step).
struct HexVisitor<const N: usize>;

impl<const N: usize> serde::de::Visitor<'_> for HexVisitor<N> {
    type Value = Hex<N>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} lowercase hex digits", 2 * N)
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Hex<N>, E> {
        decode::<N>(text)
            .map(Hex)
            .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(text), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_a_json_string() {
        let h = Hex([1u8, 2]);
        assert_eq!(serde_json::to_string(&h).unwrap(), "\"0102\"");
        assert_eq!(serde_json::from_str::<Hex<2>>("\"0102\"").unwrap(), h);
        assert!(serde_json::from_str::<Hex<2>>("\"01\"").is_err());
    }
}
