//! Signing and verifying envelopes: the DSSE encoding, tampering of every
//! kind, and a vector pinned from Python (cryptography + rfc8785 +
//! securesystemslib, the stack trestle runs on).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::*;

const DOC: &[u8] = br#"{"b":1,"a":[1,2]}"#;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn public() -> [u8; 32] {
    key().verifying_key().to_bytes()
}

fn envelope() -> Envelope {
    sign(&file_statement("doc.json", DOC).unwrap(), &key()).unwrap()
}

fn bytes(envelope: &Envelope) -> Vec<u8> {
    envelope.to_json().unwrap()
}

/// An envelope over any payload, signed properly with the test key.
fn sealed(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    bytes(&dsse::seal(payload_type, payload, &key()))
}

#[test]
fn pae_is_the_dsse_spec_example() {
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
    // Lengths are bytes, not characters.
    assert_eq!(pae("t", "é".as_bytes()), "DSSEv1 1 t 2 é".as_bytes());
}

#[test]
fn signed_statements_verify() {
    let statement = file_statement("doc.json", DOC).unwrap();
    let verified = verify(&bytes(&envelope()), &public()).unwrap();
    assert_eq!(verified.statement, statement);
    assert_eq!(verified.keyid, keyid(&public()));
    assert_eq!(verify_subject(&verified.statement, "doc.json", DOC), Ok(()));
}

#[test]
fn the_envelope_matches_the_python_stack_bit_for_bit() {
    // Made by Python with the same seed key ([7; 32]), trestle's `dsse_pae`,
    // `rfc8785.dumps`, securesystemslib's default key id, and
    // `json.dumps(indent=2, sort_keys=True)` as `trestle sign` writes it.
    let expected = r#"{
  "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsiY2Fub25pY2FsaXphdGlvbiI6IlJGQzg3ODUiLCJkaWdlc3RBbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3RTb3VyY2UiOiJjYW5vbmljYWwtanNvbiIsInRvb2wiOiJldmlkZW50In0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL29zY2FsLWNvbXBhc3MuZ2l0aHViLmlvL2NvbXBsaWFuY2UtdHJlc3RsZS9wcmVkaWNhdGVzL29zY2FsLXNpZ25pbmcvdjEiLCJzdWJqZWN0IjpbeyJkaWdlc3QiOnsic2hhMjU2IjoiOTRhNzg2YzM2NjJiYzdiZWViNTk4ZWZhN2Q4Y2I1OGQ3YmVhMjVkNmMyNzVlYTk3ODVhMDIzMGZmMWY4YzJiYSJ9LCJuYW1lIjoiZG9jLmpzb24ifV19",
  "payloadType": "application/vnd.in-toto+json",
  "signatures": [
    {
      "keyid": "bfe1a83869e5bf574e3ff3acbb83f840de84a990d10059f3096f0bf4f2b90c10",
      "sig": "w9ybA5Cqv8eTdy0Jcrj3CUjNS4FJMp5SfnLSx7Ka2BRS2QRQCgFSJl1I6ZYjbeLn2bVvwxULtVj65uOx6DlWCw=="
    }
  ]
}
"#;
    assert_eq!(
        evident_model::hex::encode(&public()),
        "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c"
    );
    assert_eq!(String::from_utf8(bytes(&envelope())).unwrap(), expected);
    assert!(verify(expected.as_bytes(), &public()).is_ok());
}

#[test]
fn a_tampered_payload_fails() {
    let mut env = envelope();
    let other = file_statement("doc.json", br#"{"a":[1,2],"b":2}"#).unwrap();
    env.payload = STANDARD.encode(other.to_canonical_json().unwrap());
    assert!(matches!(
        verify(&bytes(&env), &public()),
        Err(AttestError::BadSignature { .. })
    ));
}

#[test]
fn a_tampered_signature_fails() {
    let mut env = envelope();
    let mut sig = STANDARD.decode(&env.signatures[0].sig).unwrap();
    sig[10] ^= 1;
    env.signatures[0].sig = STANDARD.encode(&sig);
    assert_eq!(
        verify(&bytes(&env), &public()),
        Err(AttestError::BadSignature {
            keyids: vec![keyid(&public())]
        })
    );
    // A signature of the wrong length is no signature.
    env.signatures[0].sig = STANDARD.encode([0u8; 63]);
    assert!(matches!(
        verify(&bytes(&env), &public()),
        Err(AttestError::BadSignature { .. })
    ));
}

#[test]
fn another_key_fails() {
    let other = SigningKey::from_bytes(&[8; 32]).verifying_key().to_bytes();
    assert!(matches!(
        verify(&bytes(&envelope()), &other),
        Err(AttestError::BadSignature { .. })
    ));
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    assert_eq!(
        verify(&bytes(&envelope()), &not_a_point),
        Err(AttestError::PublicKey)
    );
}

#[test]
fn only_in_toto_payloads_are_accepted() {
    let statement = file_statement("doc.json", DOC).unwrap();
    let payload = statement.to_canonical_json().unwrap();
    // Properly signed over its own type: still not an in-toto statement.
    assert_eq!(
        verify(&sealed("application/json", &payload), &public()),
        Err(AttestError::PayloadType("application/json".into()))
    );
    // Type rewritten after signing.
    let mut env = envelope();
    env.payload_type = "application/json".into();
    assert_eq!(
        verify(&bytes(&env), &public()),
        Err(AttestError::PayloadType("application/json".into()))
    );
}

#[test]
fn the_payload_must_be_a_statement_v1() {
    let mut statement = file_statement("doc.json", DOC).unwrap();
    statement.type_ = "https://in-toto.io/Statement/v0.1".into();
    let payload = statement.to_canonical_json().unwrap();
    assert_eq!(
        verify(&sealed(PAYLOAD_TYPE, &payload), &public()),
        Err(AttestError::StatementType(
            "https://in-toto.io/Statement/v0.1".into()
        ))
    );
    for payload in [
        &b"hello"[..],
        b"{}",
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x"}"#,
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}],"predicateType":"x"}"#,
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{}}],"predicateType":"x"}"#,
    ] {
        assert!(
            matches!(
                verify(&sealed(PAYLOAD_TYPE, payload), &public()),
                Err(AttestError::Statement(_))
            ),
            "{}",
            String::from_utf8_lossy(payload)
        );
    }
}

#[test]
fn any_keyid_and_either_base64_alphabet_verify() {
    let mut env = envelope();
    env.signatures[0].keyid = "whatever".into();
    env.payload = URL_SAFE_NO_PAD.encode(STANDARD.decode(&env.payload).unwrap());
    env.signatures[0].sig =
        URL_SAFE_NO_PAD.encode(STANDARD.decode(&env.signatures[0].sig).unwrap());
    let verified = verify(&bytes(&env), &public()).unwrap();
    assert_eq!(verified.keyid, "whatever");
    // The keyid is optional in DSSE.
    let text = String::from_utf8(bytes(&env))
        .unwrap()
        .replace(r#""keyid": "whatever","#, "");
    assert_eq!(verify(text.as_bytes(), &public()).unwrap().keyid, "");
}

#[test]
fn one_good_signature_among_others_suffices_up_to_a_limit() {
    let mut env = envelope();
    let stranger = dsse::seal(PAYLOAD_TYPE, b"x", &SigningKey::from_bytes(&[9; 32]));
    env.signatures.insert(0, stranger.signatures[0].clone());
    let mut malformed = stranger.signatures[0].clone();
    malformed.sig = "not base64!".into();
    env.signatures.insert(0, malformed);
    assert!(verify(&bytes(&env), &public()).is_ok());
    env.signatures.remove(0);
    env.signatures = vec![env.signatures[1].clone(); MAX_SIGNATURES];
    assert!(verify(&bytes(&env), &public()).is_ok());
    env.signatures.push(env.signatures[0].clone());
    assert_eq!(
        verify(&bytes(&env), &public()),
        Err(AttestError::TooManySignatures(MAX_SIGNATURES + 1))
    );
    env.signatures.clear();
    assert_eq!(
        verify(&bytes(&env), &public()),
        Err(AttestError::NoSignatures)
    );
}

#[test]
fn garbage_is_an_error_never_a_panic() {
    for garbage in [
        &b""[..],
        b"\xff\xfe\x00",
        b"null",
        b"[]",
        b"{}",
        br#"{"payload":1,"payloadType":"application/vnd.in-toto+json","signatures":[]}"#,
        br#"{"payload":"***","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AA=="}]}"#,
        br#"{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"***"}]}"#,
    ] {
        assert!(verify(garbage, &public()).is_err(), "{garbage:?}");
    }
    let mut env = envelope();
    env.payload = "not base64!".into();
    assert_eq!(verify(&bytes(&env), &public()), Err(AttestError::Base64));
    // Every one-byte change of a good envelope either fails or still yields
    // exactly the signed statement (e.g. a change inside the key id).
    let good = bytes(&envelope());
    let statement = file_statement("doc.json", DOC).unwrap();
    for i in 0..good.len() {
        for flip in [0x01, 0x20, 0x80] {
            let mut bad = good.clone();
            bad[i] ^= flip;
            if let Ok(v) = verify(&bad, &public()) {
                assert_eq!(v.statement, statement, "byte {i} ^ {flip:#x}");
            }
        }
    }
}

#[test]
fn the_subject_is_matched_by_name_and_canonical_digest() {
    let statement = file_statement("doc.json", DOC).unwrap();
    let reformatted = b"{\n  \"a\": [1, 2],\n  \"b\": 1\n}\n";
    assert_eq!(verify_subject(&statement, "doc.json", reformatted), Ok(()));
    assert!(matches!(
        verify_subject(&statement, "doc.json", br#"{"a":[1,2],"b":2}"#),
        Err(AttestError::DigestMismatch { .. })
    ));
    assert_eq!(
        verify_subject(&statement, "other.json", DOC),
        Err(AttestError::SubjectNotFound {
            name: "other.json".into(),
            found: vec!["doc.json".into()]
        })
    );
    let mut no_sha256 = statement.clone();
    no_sha256.subject[0].digest = [("sha512".to_string(), "00".to_string())].into();
    assert_eq!(
        verify_subject(&no_sha256, "doc.json", DOC),
        Err(AttestError::NoSha256("doc.json".into()))
    );
    assert_eq!(
        file_statement("notes.txt", b"plain text"),
        Err(AttestError::NotJson("notes.txt".into()))
    );
}
