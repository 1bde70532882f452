//! The hot path of `evident evaluate` on a large account: a normalised IAM
//! credential report of 100,000 users, parsed once into an `Input`, then
//! judged by a simple check and by a built-in one that parses a timestamp
//! per access key.
//!
//! `cargo bench -p evident-policy --bench evaluate`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use evident_policy::{Check, Context, Input, Library};
use serde_json::{Map, Value, json};

const USERS: usize = 100_000;

/// A normalised credential report (FORMATS.md `aws-iam-credential-report`)
/// of `n` users, as JSON text; every tenth has a console password and no
/// MFA, every third an active access key. Written as text, not built as a
/// `serde_json::Value`, so that measuring the memory of its `Input` is not
/// blurred by a large tree allocated and freed just before.
fn credential_report(n: usize) -> Vec<u8> {
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let keys = if i % 3 == 0 {
            json!([{
                "slot": 1, "active": true,
                "last_rotated": format!("2026-{:02}-01T00:00:00Z", 1 + i % 12),
                "last_used": "2026-11-01T10:00:00Z",
                "last_used_region": "eu-west-1", "last_used_service": "s3"
            }])
        } else {
            json!([])
        };
        let user = json!({
            "user": format!("user-{i:06}"),
            "arn": format!("arn:aws:iam::111122223333:user/user-{i:06}"),
            "is_root": false,
            "user_creation_time": "2021-03-01T10:00:00Z",
            "password_enabled": true,
            "password_last_used": "2026-11-20T07:45:10Z",
            "password_last_changed": "2026-03-01T10:00:00Z",
            "password_next_rotation": null,
            "mfa_active": i % 10 != 0,
            "access_keys": keys,
            "certificates": [],
            "last_activity": "2026-11-20T07:45:10Z"
        });
        users.push(user.to_string());
    }
    format!(
        r#"{{"format":"aws-iam-credential-report","generated_time":"2026-11-27T00:00:00Z","users":[{}]}}"#,
        users.join(",")
    )
    .into_bytes()
}

/// One simple deny rule iterating the users.
fn simple_check() -> Check {
    let source = "# METADATA\n# title: MFA\n# custom:\n#   id: bench-mfa\n#   formats: [aws-iam-credential-report]\n#   requirements: [A.8.5]\npackage evident.checks.bench_mfa\n\ndeny contains msg if {\n  some u in input.users\n  u.password_enabled == true\n  u.mfa_active != true\n  msg := sprintf(\"user %s can sign in to the console without MFA\", [u.user])\n}\n";
    Check {
        id: "bench-mfa".into(),
        title: "MFA".into(),
        description: String::new(),
        formats: vec!["aws-iam-credential-report".into()],
        requirements: vec!["A.8.5".into()],
        controls: Vec::new(),
        parameters: Map::new(),
        builtin: false,
        path: "checks/bench-mfa.rego".into(),
        source: source.into(),
        fixtures: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    // The memory an `Input` takes is measured first, before anything else
    // has been allocated and freed, so the growth of the process is the
    // document's.
    let bytes = credential_report(USERS);
    let before = resident_mb();
    let input = Input::from_json_bytes(&bytes).expect("JSON");
    if let (Some(before), Some(after)) = (before, resident_mb()) {
        eprintln!(
            "document: {USERS} users, {} MB of JSON, about {} MB resident as an Input",
            bytes.len() / 1_000_000,
            after.saturating_sub(before)
        );
    }
    let document: Value = serde_json::from_slice(&bytes).expect("JSON");
    let now = "2026-11-28T00:00:00Z".parse().expect("a time");

    let mut group = c.benchmark_group("credential-report-100k");
    group.sample_size(10);
    group.bench_function("input-from-json-bytes", |b| {
        b.iter(|| Input::from_json_bytes(black_box(&bytes)).expect("JSON"))
    });
    group.bench_function("input-from-value", |b| {
        b.iter(|| Input::from_value(black_box(&document)))
    });

    let simple = simple_check().compile().expect("compiles");
    let context = Context {
        now,
        parameters: Map::new(),
    };
    let verdict = simple.evaluate(&input, &context);
    assert_eq!(verdict.denials.len(), USERS / 10, "{:?}", verdict.error);
    group.bench_function("evaluate-simple-mfa", |b| {
        b.iter(|| simple.evaluate(black_box(&input), &context))
    });

    let library = Library::builtin();
    if let Some(rotation) = library.get("aws-iam-access-key-rotation") {
        let compiled = rotation.compile().expect("compiles");
        let context = Context {
            now,
            parameters: rotation.parameters_with(&Map::new()).expect("defaults"),
        };
        let verdict = compiled.evaluate(&input, &context);
        assert!(verdict.error.is_none(), "{:?}", verdict.error);
        group.bench_function("evaluate-builtin-access-key-rotation", |b| {
            b.iter(|| compiled.evaluate(black_box(&input), &context))
        });
    }

    // The fixed cost of one evaluation: an engine clone, the context, the
    // analysis regorus repeats after data changes.
    let tiny = Input::from_json_bytes(&credential_report(1)).expect("JSON");
    group.bench_function("evaluate-simple-mfa-1-user", |b| {
        b.iter(|| simple.evaluate(black_box(&tiny), &context))
    });
    group.bench_function("compile-simple", |b| {
        b.iter(|| simple_check().compile().expect("compiles"))
    });
    group.finish();
}

/// The resident memory of this process in MB, where Linux tells it.
fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / 1_000_000)
}

criterion_group!(benches, bench);
criterion_main!(benches);
