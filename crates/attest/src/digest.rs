//! The digest of an artefact as a subject: sha256 over its RFC 8785
//! canonical JSON when it is a JSON document, over the raw bytes otherwise.
//! `trestle sign` hashes JSON the same way, so a reformatted file (keys
//! reordered, whitespace changed) keeps its digest.
//!
//! "A JSON document" is decided strictly, so that the same bytes always get
//! the same kind of digest and no two different documents canonicalise to
//! the same text: UTF-8 JSON (no byte-order mark), no duplicate object keys,
//! integers within ±(2^53−1) (RFC 8785 numbers are IEEE doubles; a bigger
//! integer would be rounded), nesting at most 128 deep. Python's `rfc8785`,
//! which trestle uses, refuses the same documents, except deeper nesting.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use sha2::{Digest, Sha256};

use evident_model::hex::encode as hex;

/// The largest integer RFC 8785 (and I-JSON) represents exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// What a subject digest was taken over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestSource {
    /// The RFC 8785 canonical form of a JSON document.
    CanonicalJson,
    /// The bytes as they are.
    RawBytes,
}

impl DigestSource {
    /// The spelling recorded in predicates: `canonical-json` (trestle's
    /// `digestSource`) or `raw-bytes`.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestSource::CanonicalJson => "canonical-json",
            DigestSource::RawBytes => "raw-bytes",
        }
    }
}

/// An artefact's subject digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtefactDigest {
    /// sha256, 64 lowercase hex digits.
    pub sha256: String,
    /// What it was taken over.
    pub source: DigestSource,
}

/// The subject digest of an artefact: over RFC 8785 canonical JSON when the
/// bytes are a JSON document (see the module notes), else over the bytes.
pub fn artefact_digest(bytes: &[u8]) -> ArtefactDigest {
    match canonical_json(bytes) {
        Some(canonical) => ArtefactDigest {
            sha256: hex(&Sha256::digest(&canonical)),
            source: DigestSource::CanonicalJson,
        },
        None => ArtefactDigest {
            sha256: hex(&Sha256::digest(bytes)),
            source: DigestSource::RawBytes,
        },
    }
}

/// The RFC 8785 canonical form of `bytes`, when they are a JSON document as
/// defined above.
pub fn canonical_json(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de).ok()?;
    de.end().ok()?;
    if has_long_integer(bytes) {
        return None;
    }
    serde_jcs::to_vec(&value).ok()
}

/// Whether a (valid) JSON text has an integer literal of more than 16
/// digits. serde_json hands an integer beyond the 64-bit range to the
/// visitor as a float, rounded, so only the text shows it was an integer:
/// two such literals could otherwise canonicalise alike. 2^53−1 has 16
/// digits, and JSON allows no leading zeros, so 17 digits are always unsafe.
fn has_long_integer(bytes: &[u8]) -> bool {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(b' ');
    let (mut i, mut in_string, mut escaped) = (0, false, false);
    while i < bytes.len() {
        let b = at(i);
        i += 1;
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'-' || b.is_ascii_digit() {
            // The integer part, then whether a fraction or exponent follows.
            let mut digits = usize::from(b != b'-');
            while at(i).is_ascii_digit() {
                digits += 1;
                i += 1;
            }
            let integer = !matches!(at(i), b'.' | b'e' | b'E');
            while matches!(at(i), b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                i += 1;
            }
            if integer && digits > 16 {
                return true;
            }
        }
    }
    false
}

/// Deserialises a JSON value like `serde_json::Value` does, but refuses
/// duplicate keys and integers outside the safe range instead of letting the
/// last key win or rounding.
#[derive(Clone, Copy)]
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        if v > MAX_SAFE_INTEGER {
            return Err(E::custom("integer outside ±(2^53−1)"));
        }
        Ok(Value::Number(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        if v.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(E::custom("integer outside ±(2^53−1)"));
        }
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json never hands over a non-finite number; refuse one anyway.
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_digest_ignores_key_order_and_whitespace() {
        let a = artefact_digest(br#"{"b":1,"a":[1,2]}"#);
        let b = artefact_digest(b"{ \"a\" : [ 1, 2 ],\n  \"b\": 1 }\n");
        assert_eq!(a, b);
        assert_eq!(a.source, DigestSource::CanonicalJson);
        // sha256 of the canonical text itself: the digest is over JCS.
        assert_eq!(a.sha256, hex(&Sha256::digest(br#"{"a":[1,2],"b":1}"#)));
        assert_ne!(a.sha256, hex(&Sha256::digest(br#"{"b":1,"a":[1,2]}"#)));
    }

    #[test]
    fn other_bytes_are_hashed_raw() {
        for bytes in [
            &b"name,value\nx,1\n"[..],
            b"{\"a\":1,\"a\":2}",
            b"{\"a\":9007199254740992}",
            b"{\"a\":-9007199254740992}",
            b"[123456789012345678901234567890]",
            b"{\"a\\\"\":[-100000000000000000000]}",
            b"\xef\xbb\xbf{}",
            b"{} trailing",
            b"",
            b"\xff\xfe",
        ] {
            let d = artefact_digest(bytes);
            assert_eq!(d.source, DigestSource::RawBytes, "{bytes:?}");
            assert_eq!(d.sha256, hex(&Sha256::digest(bytes)));
        }
    }

    #[test]
    fn safe_integers_and_deep_nesting_limits() {
        assert_eq!(
            canonical_json(b"[9007199254740991, -9007199254740991]").as_deref(),
            Some(&b"[9007199254740991,-9007199254740991]"[..])
        );
        // Long numbers that are floats, or inside strings, are fine.
        assert_eq!(
            canonical_json(br#"[1e30,1234567890123456789.5,"12345678901234567890","\\",7]"#)
                .as_deref(),
            Some(&br#"[1e+30,1234567890123456800,"12345678901234567890","\\",7]"#[..])
        );
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(
            artefact_digest(deep.as_bytes()).source,
            DigestSource::RawBytes
        );
    }

    #[test]
    fn canonical_form_matches_python_rfc8785() {
        // Pinned from Python's `rfc8785.dumps` (the library trestle uses) on
        // the same text: numbers in ES6 form, keys in UTF-16 order.
        let text = r#"{"é":"x","😀":2,"ﬀ":3,"€":1,"a":1.0,"b":-0.0,"c":1e21,"d":0.1,"e":"\u00e9\n\u001f","f":1E2,"g":[true,false,null]}"#;
        let canonical = canonical_json(text.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(canonical).unwrap(),
            r#"{"a":1,"b":0,"c":1e+21,"d":0.1,"e":"é\n\u001f","f":100,"g":[true,false,null],"é":"x","€":1,"😀":2,"ﬀ":3}"#
        );
    }
    #[test]
    fn numbers_round_like_python_rfc8785() {
        // Halfway cases and long mantissas: the digest depends on parsing
        // them correctly rounded (serde_json's `float_roundtrip`, which
        // serde_jcs turns on). Pinned from Python's `rfc8785.dumps`.
        let text = "[0.1,2.2250738585072011e-308,9007199254740993.0,0.30000000000000004,\
            1.7976931348623157e308,5e-324,0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875,\
            2.47032822920623272088e-324,1.00000000000000011102230246251565404236316680908203125,\
            1.00000000000000011102230246251565404236316680908203124,7.038531e-26,\
            123456789012345678901234567890e-10,1e-7,123e18,-1.5e-9]";
        assert_eq!(
            String::from_utf8(canonical_json(text.as_bytes()).unwrap()).unwrap(),
            "[0.1,2.225073858507201e-308,9007199254740992,0.30000000000000004,\
             1.7976931348623157e+308,5e-324,0.6931471805599453,0,1,1,7.038531e-26,\
             12345678901234567000,1e-7,123000000000000000000,-1.5e-9]"
        );
    }
}
