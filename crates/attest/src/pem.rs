//! Keys as PEM: ed25519 public keys as SubjectPublicKeyInfo
//! (`-----BEGIN PUBLIC KEY-----`, what `openssl pkey -pubout` writes and
//! trestle reads) both ways, and private keys from PKCS#8
//! (`-----BEGIN PRIVATE KEY-----`, what `openssl genpkey` writes).

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::error::AttestError;

/// An ed25519 public key as SubjectPublicKeyInfo PEM (LF line endings).
pub fn public_key_to_pem(public_key: &[u8; 32]) -> Result<String, AttestError> {
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| AttestError::PublicKey)?;
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| AttestError::Encode(e.to_string()))
}

/// The ed25519 public key in a SubjectPublicKeyInfo PEM text. Any other key
/// type, or a point not on the curve, is an error.
pub fn public_key_from_pem(pem: &str) -> Result<[u8; 32], AttestError> {
    VerifyingKey::from_public_key_pem(pem.trim())
        .map(|k| k.to_bytes())
        .map_err(|e| AttestError::Pem(e.to_string()))
}

/// The ed25519 signing key in an unencrypted PKCS#8 PEM text.
pub fn signing_key_from_pkcs8_pem(pem: &str) -> Result<SigningKey, AttestError> {
    SigningKey::from_pkcs8_pem(pem.trim()).map_err(|e| AttestError::Pem(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_key_round_trips_through_pem() {
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes();
        let pem = public_key_to_pem(&key).unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
        assert_eq!(public_key_from_pem(&pem), Ok(key));
    }

    #[test]
    fn reads_openssl_keys() {
        // `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` of it.
        let private = "-----BEGIN PRIVATE KEY-----\n\
            MC4CAQAwBQYDK2VwBCIEIH+srLC26xYns1uvHsKg10AoFGObhFVF9ttg2nRdsag5\n\
            -----END PRIVATE KEY-----\n";
        let public = "-----BEGIN PUBLIC KEY-----\n\
            MCowBQYDK2VwAyEAtFSOUHXEvU6X2YFfgZh+TvNZ7KBrrry9yNDtqq1Gjv8=\n\
            -----END PUBLIC KEY-----\n";
        let signing = signing_key_from_pkcs8_pem(private).unwrap();
        assert_eq!(
            public_key_from_pem(public),
            Ok(signing.verifying_key().to_bytes())
        );
        assert_eq!(
            public_key_to_pem(&signing.verifying_key().to_bytes()).unwrap(),
            public
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(public_key_from_pem("").is_err());
        assert!(
            public_key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                .is_err()
        );
        assert!(
            signing_key_from_pkcs8_pem(
                "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----"
            )
            .is_err()
        );
        // A P-256 public key: well-formed PEM, wrong algorithm.
        let p256 = "-----BEGIN PUBLIC KEY-----\n\
            MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKKjoeaV16JXpnSDMvRge6JgyOZ4y\n\
            sriX0o3SGpcEJaDdWlzhxQhKh76lQ7pTTrCvpr2BGCmP3cmMmGFTO64JSw==\n\
            -----END PUBLIC KEY-----\n";
        assert!(public_key_from_pem(p256).is_err());
    }
}
