//! The populations and samples of a manifest: each population is exactly
//! the evidence items of its control's sources in the manifest, and each
//! sample re-draws identically (`PACK.md`, "Populations and sampling").

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::manifest::Manifest;
use crate::report::{Item, Problem};
use crate::sample;

/// The most indexes quoted in one problem.
const QUOTED: usize = 10;

/// The problems of `m`'s populations and samples.
pub fn check(m: &Manifest) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |item: Item, issue: String| problems.push(Problem { item, issue });
    let source_of: HashMap<u64, &str> = m
        .evidence
        .iter()
        .map(|row| (row.index, row.source.as_str()))
        .collect();
    let mut controls = HashSet::new();
    for population in &m.populations {
        let control = &population.control;
        let item = || Item::Population(control.clone());
        if !controls.insert(control.as_str()) {
            push(item(), "listed twice".into());
        }
        let sources: HashSet<&str> = population.sources.iter().map(String::as_str).collect();
        let expected: BTreeSet<u64> = m
            .evidence
            .iter()
            .filter(|row| sources.contains(row.source.as_str()))
            .map(|row| row.index)
            .collect();
        let listed: BTreeSet<u64> = population.items.iter().copied().collect();
        for index in &population.items {
            match source_of.get(index) {
                None => push(
                    item(),
                    format!("item {index} is not an evidence item of the pack"),
                ),
                Some(source) if !sources.contains(source) => push(
                    item(),
                    format!("item {index} is of source `{source}`, not one of the control's"),
                ),
                Some(_) => {}
            }
        }
        for index in expected.difference(&listed) {
            push(
                item(),
                format!(
                    "item {index} of source `{}` is missing",
                    source_of.get(index).copied().unwrap_or_default()
                ),
            );
        }
        if listed.len() != population.items.len() || !population.items.is_sorted() {
            push(item(), "its items are not ascending and distinct".into());
        }
        let item = || Item::Sample(control.clone());
        match (&m.sampling, &population.sample) {
            (None, None) => {}
            (None, Some(_)) => push(item(), "a sample without a sampling method".into()),
            (Some(_), None) => push(item(), "no sample drawn".into()),
            (Some(sampling), Some(chosen)) => {
                if sampling.method != sample::METHOD {
                    push(
                        item(),
                        format!("unknown sampling method `{}`", sampling.method),
                    );
                    continue;
                }
                // Re-drawn from the population as it should be, so that a
                // population and sample altered together are still caught.
                let population: Vec<u64> = expected.iter().copied().collect();
                let want = sample::draw(sampling.seed, control, &population, sampling.size);
                if *chosen != want {
                    push(
                        item(),
                        format!(
                            "does not re-draw: seed {} and size {} give {}, the manifest has {}",
                            sampling.seed,
                            sampling.size,
                            quote(&want),
                            quote(chosen)
                        ),
                    );
                }
            }
        }
    }
    problems
}

/// Up to [`QUOTED`] indexes, for a message.
fn quote(indexes: &[u64]) -> String {
    let shown: Vec<String> = indexes.iter().take(QUOTED).map(u64::to_string).collect();
    let more = indexes.len().saturating_sub(QUOTED);
    if more > 0 {
        format!("[{}, … {more} more]", shown.join(", "))
    } else {
        format!("[{}]", shown.join(", "))
    }
}
