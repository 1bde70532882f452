//! Interoperability with compliance-trestle, both ways: envelopes evident
//! signs pass `trestle verify`, and envelopes `trestle sign` makes pass
//! evident's `verify` and `verify_subject`. Keys come from openssl.
//!
//! trestle is found at `$EVIDENT_TRESTLE`, else in the CI virtualenv
//! (`target/ci-venv/bin/trestle`). Without it the tests say so and pass,
//! except under CI, which installs it and must not skip silently.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use evident_attest::{
    AttestError, SigningKey, file_statement, keyid, public_key_from_pem, public_key_to_pem, sign,
    signing_key_from_pkcs8_pem, verify, verify_subject,
};

const DOC: &[u8] = b"{\n  \"catalog\": {\"uuid\": \"5a7f\", \"metadata\": {\"title\": \"\xc3\xa9vident\", \"version\": 1.5}},\n  \"b\": [1, 2, 3]\n}\n";
const REFORMATTED: &[u8] =
    b"{\"b\":[1,2,3],\"catalog\":{\"metadata\":{\"version\":1.50,\"title\":\"\\u00e9vident\"},\"uuid\":\"5a7f\"}}";
const CHANGED: &[u8] =
    b"{\"b\":[1,2,3],\"catalog\":{\"metadata\":{\"version\":1.6,\"title\":\"\\u00e9vident\"},\"uuid\":\"5a7f\"}}";

fn trestle() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("EVIDENT_TRESTLE").map(PathBuf::from) {
        // Set on purpose: a wrong path is a mistake to report, not a skip.
        assert!(
            path.exists(),
            "EVIDENT_TRESTLE={} does not exist",
            path.display()
        );
        return Some(path);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ci-venv/bin/trestle");
    if venv.exists() {
        return Some(venv);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "trestle is not installed (set EVIDENT_TRESTLE or run .ci/run)"
    );
    eprintln!("skipped: trestle not found (set EVIDENT_TRESTLE to its path)");
    None
}

fn run(program: &Path, args: &[&str], dir: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

fn succeeded(output: &Output) -> bool {
    output.status.success()
}

fn describe(output: &Output) -> String {
    format!(
        "status {}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn trestle_verify(trestle: &Path, dir: &Path) -> Output {
    run(
        trestle,
        &[
            "verify",
            "-f",
            "doc.json",
            "--signature",
            "doc.dsse.json",
            "--public-key",
            "pub.pem",
            "--beta",
        ],
        dir,
    )
}

#[test]
fn trestle_verifies_what_evident_signs() {
    let Some(trestle) = trestle() else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_bytes(&[42; 32]);
    let public = key.verifying_key().to_bytes();
    std::fs::write(dir.path().join("doc.json"), DOC).unwrap();
    std::fs::write(
        dir.path().join("pub.pem"),
        public_key_to_pem(&public).unwrap(),
    )
    .unwrap();
    let envelope = sign(&file_statement("doc.json", DOC).unwrap(), &key).unwrap();
    std::fs::write(
        dir.path().join("doc.dsse.json"),
        envelope.to_json().unwrap(),
    )
    .unwrap();

    let out = trestle_verify(&trestle, dir.path());
    assert!(succeeded(&out), "{}", describe(&out));

    // The same document reformatted still verifies (RFC 8785 on both sides)…
    std::fs::write(dir.path().join("doc.json"), REFORMATTED).unwrap();
    let out = trestle_verify(&trestle, dir.path());
    assert!(succeeded(&out), "{}", describe(&out));

    // …a changed one does not…
    std::fs::write(dir.path().join("doc.json"), CHANGED).unwrap();
    let out = trestle_verify(&trestle, dir.path());
    assert!(!succeeded(&out), "{}", describe(&out));

    // …nor the right one under another key.
    std::fs::write(dir.path().join("doc.json"), DOC).unwrap();
    let stranger = SigningKey::from_bytes(&[43; 32]).verifying_key().to_bytes();
    std::fs::write(
        dir.path().join("pub.pem"),
        public_key_to_pem(&stranger).unwrap(),
    )
    .unwrap();
    let out = trestle_verify(&trestle, dir.path());
    assert!(!succeeded(&out), "{}", describe(&out));
}

#[test]
fn evident_verifies_what_trestle_signs() {
    let Some(trestle) = trestle() else { return };
    let dir = tempfile::tempdir().unwrap();
    let openssl = Path::new("openssl");
    let out = run(
        openssl,
        &["genpkey", "-algorithm", "ed25519", "-out", "key.pem"],
        dir.path(),
    );
    assert!(succeeded(&out), "{}", describe(&out));
    let out = run(
        openssl,
        &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
        dir.path(),
    );
    assert!(succeeded(&out), "{}", describe(&out));
    std::fs::write(dir.path().join("doc.json"), DOC).unwrap();
    let out = run(
        &trestle,
        &[
            "sign",
            "-f",
            "doc.json",
            "--private-key",
            "key.pem",
            "-o",
            "doc.dsse.json",
            "--beta",
        ],
        dir.path(),
    );
    assert!(succeeded(&out), "{}", describe(&out));

    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let public = public_key_from_pem(&String::from_utf8(read("pub.pem")).unwrap()).unwrap();
    // openssl's PKCS#8 private key is the same key.
    let private = signing_key_from_pkcs8_pem(&String::from_utf8(read("key.pem")).unwrap()).unwrap();
    assert_eq!(private.verifying_key().to_bytes(), public);

    let envelope = read("doc.dsse.json");
    let verified = verify(&envelope, &public).unwrap();
    // trestle names keys as evident does (securesystemslib's default key id).
    assert_eq!(verified.keyid, keyid(&public));
    assert_eq!(verify_subject(&verified.statement, "doc.json", DOC), Ok(()));
    assert_eq!(
        verify_subject(&verified.statement, "doc.json", REFORMATTED),
        Ok(())
    );
    // What trestle signs is what evident would have: the same statement,
    // but for the tool that made it.
    let mut ours = file_statement("doc.json", DOC).unwrap();
    if let Some(p) = ours.predicate.as_mut() {
        p["tool"] = "compliance-trestle".into();
    }
    assert_eq!(verified.statement, ours);

    assert!(matches!(
        verify_subject(&verified.statement, "doc.json", CHANGED),
        Err(AttestError::DigestMismatch { .. })
    ));
    let stranger = SigningKey::from_bytes(&[43; 32]).verifying_key().to_bytes();
    assert!(matches!(
        verify(&envelope, &stranger),
        Err(AttestError::BadSignature { .. })
    ));
}
