//! In-process benchmarks of the two halves of `evident check`: reading the
//! definitions and analysing them, on a generated organisation at a tenth
//! of the reference size (1,000 controls, 5,000 risks, 50 owners). The
//! whole-process figures for the README come from `bench/check.sh`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn check(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let bytes = evident_bench::generate(dir.path(), evident_bench::Size::scaled(0.1)).unwrap();
    let catalog = evident_catalog::Catalog::builtin();
    let at = evident_model::time::parse_date("2026-11-28").unwrap();

    let mut group = c.benchmark_group("check-0.1x");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(20);
    group.bench_function("load", |b| b.iter(|| evident_spec::load(dir.path())));
    let loaded = evident_spec::load(dir.path());
    assert!(loaded.diagnostics.is_empty());
    group.bench_function("analyze", |b| {
        b.iter(|| evident_analyze::analyze(&loaded.isms, &catalog, at))
    });
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
