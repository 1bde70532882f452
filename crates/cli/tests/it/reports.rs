//! `report`, `audit-pack`, `verify PACK` and `attest` end to end, on the
//! example organisation after the demo collected and evaluated its
//! evidence: every OSCAL document of real evidence validates against NIST's
//! schema (and compliance-trestle where installed), the pack verifies and
//! its tampering is named, attestations verify with evident and trestle.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{self, Repo, Run};

fn today() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

/// The example organisation after `evident demo --keep` (collected,
/// evaluated, reports and a pack written), shared by the tests of this
/// module: the demo is the slowest thing the suite runs.
fn demo() -> &'static (Repo, Run) {
    static DEMO: OnceLock<(Repo, Run)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let parent = Repo::empty();
        let mut cmd = util::command();
        cmd.args(["demo", "--at", &today(), "--keep"])
            .arg(parent.join("acme"));
        let run = util::run(cmd);
        (parent, run)
    })
}

fn acme() -> PathBuf {
    demo().0.join("acme")
}

fn in_acme(args: &[&str]) -> Run {
    let mut cmd = util::command();
    cmd.current_dir(acme()).args(args);
    util::run(cmd)
}

/// compliance-trestle, when installed (`.ci/run` installs it; CI must
/// have it).
fn trestle() -> Option<PathBuf> {
    let found = std::env::var_os("EVIDENT_TRESTLE")
        .map(PathBuf::from)
        .or_else(|| Some(util::crate_dir().join("../../target/ci-venv/bin/trestle")))
        .filter(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide compliance-trestle (EVIDENT_TRESTLE)"
        );
        eprintln!("skipped: compliance-trestle is not installed (.ci/run installs it)");
    }
    found
}

fn trestle_run(trestle: &Path, args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(trestle)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("trestle runs")
}

#[test]
fn demo_writes_the_soa_the_metrics_page_and_a_pack_that_verifies() {
    let (_, run) = demo();
    run.expect_code(0)
        .stderr_has("soa.xlsx")
        .stderr_has("metrics.html")
        .stderr_has("audit-pack.tar")
        .stdout_has("intact");
    let reports = acme().join("reports");
    let xlsx = std::fs::read(reports.join("soa.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"), "an XLSX workbook is a zip file");
    let metrics = std::fs::read_to_string(reports.join("metrics.html")).unwrap();
    assert!(
        metrics.contains("<svg"),
        "the metrics page draws its charts"
    );
    let soa = std::fs::read_to_string(reports.join("soa.html")).unwrap();
    assert!(soa.contains("A.5.1") && soa.contains("A.8.34"));
}

#[test]
fn the_pack_verifies_offline_and_names_what_was_tampered_with() {
    let pack = acme().join("reports/audit-pack.tar");
    let verify = |path: &Path, extra: &[&str]| {
        let mut cmd = util::command();
        cmd.arg("verify").arg(path).args(extra);
        util::run(cmd)
    };
    verify(&pack, &[]).expect_code(0).stdout_has("intact");

    // The key the organisation publishes (recorded in evident.yaml by the
    // first collection) is trusted; another is not.
    let key = public_key_hex();
    verify(&pack, &["--trusted-key", &key]).expect_code(0);
    verify(&pack, &["--trusted-key", &"ab".repeat(32)]).expect_code(1);

    // One byte of one evidence blob.
    let bytes = std::fs::read(&pack).unwrap();
    let (name, offset) = tar_members(&bytes)
        .into_iter()
        .find(|(name, _, size)| name.contains("blobs/") && *size > 0)
        .map(|(name, offset, _)| (name, offset))
        .expect("the pack holds evidence blobs");
    let mut tampered = bytes.clone();
    tampered[offset] ^= 0x01;
    let path = demo().0.join("tampered.tar");
    std::fs::write(&path, &tampered).unwrap();
    let run = verify(&path, &[]);
    run.expect_code(1);
    let digest = name.rsplit('/').next().unwrap();
    assert!(
        run.stdout.contains(digest) || run.stdout.contains(&name),
        "names the tampered blob {name}: {}",
        run.stdout
    );

    // Not an archive at all: refused with a clear message, not a panic.
    std::fs::write(&path, b"this is not a tar archive").unwrap();
    assert_ne!(verify(&path, &[]).code(), 0);
}

fn public_key_hex() -> String {
    let yaml = std::fs::read_to_string(acme().join("evident.yaml")).unwrap();
    yaml.lines()
        .find_map(|l| l.trim().strip_prefix("public_key:"))
        .map(|k| k.trim().trim_matches('"').to_string())
        .expect("the store's key is recorded in evident.yaml")
}

/// (name, data offset, size) of each member of a ustar archive (enough
/// for the test to find a blob; pax headers are members too).
fn tar_members(bytes: &[u8]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 512 <= bytes.len() && bytes[pos] != 0 {
        let header = &bytes[pos..pos + 512];
        let field = |range: std::ops::Range<usize>| {
            String::from_utf8_lossy(&header[range])
                .trim_end_matches('\0')
                .to_string()
        };
        let prefix = field(345..500);
        let name = field(0..100);
        let name = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let size = usize::from_str_radix(field(124..136).trim(), 8).unwrap_or(0);
        out.push((name, pos + 512, size));
        pos += 512 + size.div_ceil(512) * 512;
    }
    out
}

#[test]
fn oscal_documents_of_real_evidence_validate_against_nist_and_trestle() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            util::crate_dir().join("../report/schemas/oscal/oscal_complete_schema-1-2-2.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the OSCAL schema compiles");
    let out = demo().0.join("oscal");
    std::fs::create_dir_all(&out).unwrap();
    let trestle = trestle();
    for (kind, model) in [
        ("oscal-catalog", "catalog"),
        ("oscal-ssp", "system-security-plan"),
        ("oscal-ar", "assessment-results"),
        ("oscal-poam", "plan-of-action-and-milestones"),
    ] {
        let file = out.join(format!("{kind}.json"));
        in_acme(&[
            "report",
            kind,
            "--at",
            &today(),
            "-o",
            file.to_str().unwrap(),
        ])
        .expect_code(0);
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert!(doc.get(model).is_some(), "{kind} is an OSCAL {model}");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .take(10)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{kind}: {errors:#?}");
        if let Some(trestle) = &trestle {
            let run = trestle_run(
                trestle,
                &[
                    "partial-object-validate",
                    "-f",
                    file.to_str().unwrap(),
                    "-e",
                    model,
                ],
                &out,
            );
            assert!(
                run.status.success(),
                "trestle rejects {kind}: {}{}",
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            );
        }
    }
    // Real evidence: one observation per evidence item at least.
    let ar: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("oscal-ar.json")).unwrap()).unwrap();
    let observations = ar["assessment-results"]["results"][0]["observations"]
        .as_array()
        .map_or(0, Vec::len);
    let items = in_acme(&["evidence", "list"]).stdout.lines().count();
    assert!(
        observations >= items.saturating_sub(1) && observations > 0,
        "{observations} observations, {items} listed"
    );
}

#[test]
fn the_soa_and_coverage_reports_through_the_binary() {
    let csv = in_acme(&["report", "soa", "--format", "csv", "--at", &today()]);
    csv.expect_code(0);
    assert_eq!(
        csv.stdout.lines().count(),
        94,
        "a header and 93 Annex A controls"
    );

    let coverage = in_acme(&[
        "report",
        "coverage",
        "--framework",
        "nist-csf-2.0",
        "--format",
        "json",
        "--at",
        &today(),
    ]);
    coverage.expect_code(0);
    let doc = coverage.json();
    assert!(doc["totals"]["related"].as_u64().unwrap() > 0);
    // The built-in NIST mappings are all `intersect`: related, never
    // satisfied. Only the controls that name a CSF requirement themselves
    // satisfy it.
    let requirements = doc["requirements"].as_array().unwrap();
    let satisfied: Vec<&Value> = requirements
        .iter()
        .filter(|r| r["coverage"] == "satisfied")
        .collect();
    assert!(
        !satisfied.is_empty(),
        "acme's controls name CSF requirements"
    );
    for r in &satisfied {
        assert!(
            r["contributions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["coverage"] == "satisfied" && c["via"].is_null()),
            "{r}"
        );
    }
    for r in requirements {
        for c in r["contributions"].as_array().unwrap() {
            if !c["via"].is_null() {
                assert_eq!(c["coverage"], "related", "{c}");
            }
        }
    }
    in_acme(&["report", "coverage", "--framework", "nope"])
        .expect_code(2)
        .stderr_has("unknown framework `nope`");
    in_acme(&["report", "soa", "--format", "xlsx"])
        .expect_code(2)
        .stderr_has("-o FILE.xlsx");
    in_acme(&["report", "metrics", "--format", "md"]).expect_code(2);
}

#[test]
fn attestations_verify_with_evident_and_with_trestle() {
    let dir = demo().0.join("attest");
    std::fs::create_dir_all(&dir).unwrap();
    // The Terraform plan export, a JSON artefact of a file source.
    let list = in_acme(&["evidence", "list", "--source", "terraform-plan"]);
    list.expect_code(0);
    let index = list
        .stdout
        .lines()
        .find(|l| l.contains("terraform-plan.json"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the plan was collected")
        .trim_start_matches('#')
        .to_string();
    let artefact = dir.join("terraform-plan.json");
    let blob = in_acme(&["evidence", "show", &index, "--blob"]);
    blob.expect_code(0);
    std::fs::write(&artefact, blob.stdout.as_bytes()).unwrap();
    let envelope = dir.join("terraform-plan.dsse.json");
    in_acme(&[
        "attest",
        "evidence",
        &index,
        "-o",
        envelope.to_str().unwrap(),
    ])
    .expect_code(0);
    let key = in_acme(&["attest", "key"]);
    key.expect_code(0).stdout_has("-----BEGIN PUBLIC KEY-----");
    let pem = dir.join("store.pub.pem");
    std::fs::write(&pem, &key.stdout).unwrap();

    let verify = |file: &Path| attest_verify(&envelope, file, &pem);
    verify(&artefact).expect_code(0).stdout_has("verified");
    let other = dir.join("other/terraform-plan.json");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(&other, b"{\"format_version\":\"1.2\"}").unwrap();
    verify(&other).expect_code(1).stdout_has("NOT VERIFIED");

    // trestle verifies only its own predicate: a JSON document (here the
    // OSCAL assessment results) signed the way `trestle sign` signs, with
    // the store's key.
    let ar = dir.join("assessment-results.json");
    in_acme(&[
        "report",
        "oscal-ar",
        "--at",
        &today(),
        "-o",
        ar.to_str().unwrap(),
    ])
    .expect_code(0);
    let ar_envelope = dir.join("assessment-results.dsse.json");
    in_acme(&[
        "attest",
        "file",
        ar.to_str().unwrap(),
        "-o",
        ar_envelope.to_str().unwrap(),
    ])
    .expect_code(0);
    if let Some(trestle) = trestle() {
        let run = trestle_run(
            &trestle,
            &[
                "verify",
                "-f",
                ar.to_str().unwrap(),
                "--signature",
                ar_envelope.to_str().unwrap(),
                "--public-key",
                pem.to_str().unwrap(),
                "--beta",
            ],
            &dir,
        );
        assert!(
            run.status.success(),
            "trestle verifies evident's attestation: {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        // And the other way: trestle signs with its own key, evident verifies.
        let key = dir.join("trestle.key.pem");
        let public = dir.join("trestle.pub.pem");
        let openssl = |args: &[&str]| {
            let status = std::process::Command::new("openssl")
                .args(args)
                .status()
                .expect("openssl runs");
            assert!(status.success(), "openssl {args:?}");
        };
        openssl(&[
            "genpkey",
            "-algorithm",
            "ed25519",
            "-out",
            key.to_str().unwrap(),
        ]);
        openssl(&[
            "pkey",
            "-in",
            key.to_str().unwrap(),
            "-pubout",
            "-out",
            public.to_str().unwrap(),
        ]);
        let theirs = dir.join("assessment-results.trestle.dsse.json");
        let run = trestle_run(
            &trestle,
            &[
                "sign",
                "-f",
                ar.to_str().unwrap(),
                "--private-key",
                key.to_str().unwrap(),
                "-o",
                theirs.to_str().unwrap(),
                "--beta",
            ],
            &dir,
        );
        assert!(
            run.status.success(),
            "trestle sign: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        attest_verify(&theirs, &ar, &public)
            .expect_code(0)
            .stdout_has("verified");
        // Not with another key.
        attest_verify(&theirs, &ar, &pem).expect_code(1);
    }
}

/// `evident attest verify ENVELOPE --file FILE --public-key PEM`.
fn attest_verify(envelope: &Path, file: &Path, pem: &Path) -> Run {
    let mut cmd = util::command();
    cmd.args(["attest", "verify"])
        .arg(envelope)
        .arg("--file")
        .arg(file)
        .arg("--public-key")
        .arg(pem);
    util::run(cmd)
}

#[test]
fn an_audit_pack_from_postgresql_verifies_offline_and_samples_reproducibly() {
    let Some(server) = crate::evidence::postgres_server() else {
        return;
    };
    let database = format!("evident_it_pack_{}", std::process::id());
    crate::evidence::psql(&server, &format!("DROP DATABASE IF EXISTS {database}"));
    crate::evidence::psql(&server, &format!("CREATE DATABASE {database}"));
    let url = format!("{}/{database}", server.rsplit_once('/').unwrap().0);
    let repo = Repo::acme();
    let on_pg = |args: &[&str]| {
        let mut cmd = util::command();
        cmd.current_dir(repo.path())
            .env("EVIDENT_DATABASE_URL", &url)
            .args(args);
        util::run(cmd)
    };
    assert_ne!(on_pg(&["collect"]).code(), 2);
    assert_ne!(on_pg(&["evaluate", "--at", &today()]).code(), 2);
    let from = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * 30))
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string();
    let pack = |name: &str, seed: &str| {
        let path = repo.join(name);
        on_pg(&[
            "audit-pack",
            "--from",
            &from,
            "--to",
            &today(),
            "-o",
            path.to_str().unwrap(),
            "--sample",
            "2",
            "--seed",
            seed,
        ])
        .expect_code(0)
        .stderr_has("evidence items");
        path
    };
    let first = pack("first.tar", "7");
    let again = pack("again.tar", "7");
    for path in [&first, &again] {
        let mut cmd = util::command();
        cmd.arg("verify").arg(path);
        util::run(cmd).expect_code(0).stdout_has("intact");
    }
    // The same seed draws the same sample: the manifests' populations
    // agree (they are the first member of each archive).
    let manifest = |path: &Path| -> Value {
        let bytes = std::fs::read(path).unwrap();
        let (_, offset, size) = tar_members(&bytes)
            .into_iter()
            .find(|(name, _, _)| name == "manifest.json")
            .expect("a manifest");
        serde_json::from_slice(&bytes[offset..offset + size]).unwrap()
    };
    let populations = manifest(&first)["populations"].clone();
    assert_eq!(populations, manifest(&again)["populations"]);
    assert!(
        populations
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["sample"].as_array().is_some_and(|s| s.len() == 2)),
        "{populations}"
    );
    crate::evidence::psql(&server, &format!("DROP DATABASE {database} WITH (FORCE)"));
}
