//! Content hashes: sha256 over RFC 8785 (JCS) canonical JSON, so any other
//! tool can recompute them.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A `sha256:<64 lowercase hex>` content hash.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

/// Why a text is not a content hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected `sha256:` followed by 64 lowercase hex digits, found `{0}`")]
pub struct ContentHashError(pub String);

impl ContentHash {
    /// The hash of raw bytes.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        Self::from_bytes(Sha256::digest(bytes).into())
    }

    /// The hash of a value's RFC 8785 canonical JSON form.
    pub fn of_json<T: Serialize + ?Sized>(value: &T) -> Self {
        // JCS only fails on values JSON cannot represent (non-string map
        // keys, NaN); our types have none, and a stable fallback keeps the
        // function total.
        match serde_jcs::to_vec(value) {
            Ok(bytes) => Self::of_bytes(&bytes),
            Err(e) => Self::of_bytes(format!("unencodable:{e}").as_bytes()),
        }
    }

    /// The full text, `sha256:…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ContentHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ContentHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl ContentHash {
    /// The 32 digest bytes.
    pub fn bytes(&self) -> [u8; 32] {
        // Construction guarantees 64 lowercase hex digits.
        crate::hex::decode(self.hex()).unwrap_or([0; 32])
    }

    /// A hash from 32 digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(format!("sha256:{}", crate::hex::encode(&bytes)))
    }

    /// The 64 hex digits, without the `sha256:` prefix (blob file names).
    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }
}

impl FromStr for ContentHash {
    type Err = ContentHashError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let hex = text
            .strip_prefix("sha256:")
            .ok_or_else(|| ContentHashError(text.to_string()))?;
        if hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(text.to_string()))
        } else {
            Err(ContentHashError(text.to_string()))
        }
    }
}

/// What a decision about a risk covers.
pub fn risk(risk: &crate::risk::Risk) -> ContentHash {
    ContentHash::of_json(risk)
}

/// What a decision about the Statement of Applicability covers.
pub fn soa(soa: &crate::soa::Soa) -> ContentHash {
    ContentHash::of_json(soa)
}

/// What a decision about a policy covers: its front matter and text.
pub fn policy(policy: &crate::policy::Policy) -> ContentHash {
    #[derive(Serialize)]
    struct Approved<'a> {
        id: &'a str,
        title: &'a str,
        owner: Option<&'a str>,
        version: Option<&'a str>,
        implemented_by: Vec<&'a str>,
        body: &'a str,
    }
    ContentHash::of_json(&Approved {
        id: &policy.id,
        title: &policy.title,
        owner: policy.owner.as_ref().map(|o| o.id.as_str()),
        version: policy.version.as_deref(),
        implemented_by: policy
            .implemented_by
            .iter()
            .map(|c| c.id.as_str())
            .collect(),
        body: &policy.body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_ignores_key_order_and_whitespace() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":[1,2]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{ "a": [1, 2], "b": 1 }"#).unwrap();
        assert_eq!(ContentHash::of_json(&a), ContentHash::of_json(&b));
        assert_eq!(
            ContentHash::of_json(&a),
            ContentHash::of_bytes(br#"{"a":[1,2],"b":1}"#)
        );
    }

    #[test]
    fn parses_only_well_formed_hashes() {
        let h = ContentHash::of_bytes(b"abc");
        assert_eq!(
            h.as_str(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.as_str().parse::<ContentHash>(), Ok(h.clone()));
        assert!("sha256:ABC".parse::<ContentHash>().is_err());
        assert_eq!(ContentHash::from_bytes(h.bytes()), h);
        assert_eq!(serde_json::to_string(&h).unwrap(), format!("\"{h}\""));
        assert!("md5:ba78".parse::<ContentHash>().is_err());
    }
}
