//! Samples are reproducible: the same seed draws the same sample, another
//! seed another one, and a sample as large as the population is all of it.

mod common;

use common::*;
use evident_pack::{Sample, sample};

async fn populations(seed: u64, size: usize) -> Vec<(String, Vec<u64>, Vec<u64>)> {
    let f = fixture().await;
    let out = f.pack_path();
    evident_pack::build(&f.store, &options(Some(Sample { size, seed })), &out)
        .await
        .expect("build");
    assert!(check(&out).is_intact());
    manifest_of(&out)
        .populations
        .into_iter()
        .map(|p| (p.control, p.items, p.sample.expect("sampled")))
        .collect()
}

#[tokio::test]
async fn the_same_seed_draws_the_same_sample_from_another_store() {
    let a = populations(11, 2).await;
    let b = populations(11, 2).await;
    assert_eq!(a, b);
    // And it is the documented draw.
    for (control, items, chosen) in &a {
        assert_eq!(*chosen, sample::draw(11, control, items, 2));
    }
}

#[tokio::test]
async fn another_seed_draws_another_sample() {
    let a = populations(1, 2).await;
    // Of the seeds 2..12, some draws a different sample of the 4 items of
    // A.5.15 (the 12 ordered pairs are equally likely for each seed).
    let items = &a[0].1;
    assert_eq!(items.len(), 4);
    let differs = (2..12).any(|seed| sample::draw(seed, "A.5.15", items, 2) != a[0].2);
    assert!(differs);
    let b = populations(2, 2).await;
    assert_eq!(b[0].2, sample::draw(2, "A.5.15", items, 2));
    assert_ne!(
        (1..=20)
            .map(|s| sample::draw(s, "A.5.15", items, 2))
            .collect::<std::collections::HashSet<_>>()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_sample_as_large_as_the_population_is_all_of_it() {
    for size in [4, 5, 100] {
        let p = populations(3, size).await;
        let (_, items, chosen) = &p[0];
        let mut sorted = chosen.clone();
        sorted.sort();
        assert_eq!(&sorted, items, "size {size}");
    }
}

#[tokio::test]
async fn without_sampling_no_sample_is_recorded() {
    let f = fixture().await;
    let out = f.pack_path();
    evident_pack::build(&f.store, &options(None), &out)
        .await
        .expect("build");
    let m = manifest_of(&out);
    assert!(m.sampling.is_none());
    assert!(m.populations.iter().all(|p| p.sample.is_none()));
    assert!(check(&out).is_intact());
}

#[tokio::test]
async fn unusable_options_write_nothing() {
    let f = fixture().await;
    let out = f.pack_path();
    let mut bad = options(Some(Sample { size: 0, seed: 1 }));
    assert!(evident_pack::build(&f.store, &bad, &out).await.is_err());
    bad.sample = None;
    bad.documents[0].path = "../soa.json".into();
    assert!(evident_pack::build(&f.store, &bad, &out).await.is_err());
    bad = options(None);
    std::mem::swap(&mut bad.from, &mut bad.to);
    assert!(evident_pack::build(&f.store, &bad, &out).await.is_err());
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 0);
}

#[tokio::test]
async fn a_rebuild_replaces_the_pack_whole() {
    let f = fixture().await;
    let out = f.pack_path();
    std::fs::write(&out, b"an older file").unwrap();
    evident_pack::build(&f.store, &options(None), &out)
        .await
        .expect("build");
    assert!(check(&out).is_intact());
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 1);
}
