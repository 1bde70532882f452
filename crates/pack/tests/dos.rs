//! A small hostile pack cannot make verify use memory or time out of
//! proportion to it: the problems listed are capped.

mod common;

use common::*;

/// The most problems a report lists, plus the one counting the rest.
const CAP: usize = 1000 + 1;

#[tokio::test]
async fn many_populations_over_many_rows_stay_bounded() {
    let (f, _) = built().await;
    let path = f.pack_path();
    // 400 populations listing none of 3,000 rows of their source: 1.2 M
    // missing items, each once a problem of its own.
    tamper(&path, |members| {
        edit_manifest(members, |m| {
            let row = m.evidence[0].clone();
            m.evidence = (0..3000)
                .map(|index| {
                    let mut row = row.clone();
                    row.index = index;
                    row.source = "s".into();
                    row
                })
                .collect();
            let template = m.populations[0].clone();
            m.populations = (0..400)
                .map(|i| {
                    let mut p = template.clone();
                    p.control = format!("c{i}");
                    p.sources = vec!["s".into()];
                    p.items = Vec::new();
                    p
                })
                .collect();
        })
    });
    let report = check(&path);
    assert!(!report.is_intact());
    assert!(report.refused.is_none(), "{report:#?}");
    assert!(report.problems.len() <= CAP, "{}", report.problems.len());
    let last = report.problems.last().unwrap().to_string();
    assert!(last.contains("more problems not listed"), "{last}");
}

#[tokio::test]
async fn millions_of_empty_entry_lines_stay_bounded() {
    let (f, _) = built().await;
    let path = f.pack_path();
    tamper(&path, |members| {
        member(members, "ledger/entries.jsonl")
            .data
            .extend(std::iter::repeat_n(b'\n', 200_000));
    });
    let report = check(&path);
    assert!(!report.is_intact());
    assert!(report.problems.len() <= CAP, "{}", report.problems.len());
}
