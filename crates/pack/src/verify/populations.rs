//! The populations and samples of a manifest: each population is exactly
//! the evidence items of its control's sources in the manifest, and each
//! sample re-draws identically (`PACK.md`, "Populations and sampling").

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::manifest::Manifest;
use crate::report::{Item, Problem};
use crate::sample;

/// The most indexes quoted in one problem.
const QUOTED: usize = 10;

/// The most problems listed about one population's items; the rest are
/// counted in one more.
const PER_POPULATION: usize = 10;

/// The problems of `m`'s populations and samples. The work is linear in
/// the manifest's size: each source's items are gathered once, and a
/// population is compared with them without listing every missing item.
pub fn check(m: &Manifest) -> Vec<Problem> {
    let mut problems = Vec::new();
    let source_of: HashMap<u64, &str> = m
        .evidence
        .iter()
        .map(|row| (row.index, row.source.as_str()))
        .collect();
    // Each source's items, ascending; every index under one source only.
    let mut by_source: HashMap<&str, Vec<u64>> = HashMap::new();
    for (index, source) in &source_of {
        by_source.entry(source).or_default().push(*index);
    }
    for items in by_source.values_mut() {
        items.sort_unstable();
    }
    let mut controls = HashSet::new();
    for population in &m.populations {
        let control = &population.control;
        if !controls.insert(control.as_str()) {
            problems.push(Problem {
                item: Item::Population(control.clone()),
                issue: "listed twice".into(),
            });
        }
        let wrong = population_problems(population, &source_of, &by_source, &mut problems);
        let item = || Item::Sample(control.clone());
        let mut push = |issue: String| {
            problems.push(Problem {
                item: item(),
                issue,
            })
        };
        match (&m.sampling, &population.sample) {
            (None, None) => {}
            (None, Some(_)) => push("a sample without a sampling method".into()),
            (Some(_), None) => push("no sample drawn".into()),
            (Some(sampling), Some(chosen)) => {
                if sampling.method != sample::METHOD {
                    push(format!("unknown sampling method `{}`", sampling.method));
                    continue;
                }
                // A wrong population is already a problem; re-drawing from
                // what it should be would cost as much as the pack is
                // hostile, so the sample is only re-drawn from a right one
                // (which then is the population as it should be: a
                // population and sample altered together are still caught).
                if wrong {
                    continue;
                }
                let want = sample::draw(sampling.seed, control, &population.items, sampling.size);
                if *chosen != want {
                    push(format!(
                        "does not re-draw: seed {} and size {} give {}, the manifest has {}",
                        sampling.seed,
                        sampling.size,
                        quote(&want),
                        quote(chosen)
                    ));
                }
            }
        }
    }
    problems
}

/// Adds the problems of `population`'s items (at most [`PER_POPULATION`]
/// and one counting the rest); whether it has any.
fn population_problems(
    population: &crate::manifest::Population,
    source_of: &HashMap<u64, &str>,
    by_source: &HashMap<&str, Vec<u64>>,
    problems: &mut Vec<Problem>,
) -> bool {
    let item = || Item::Population(population.control.clone());
    let mut found = 0u64;
    let mut note = |found: &mut u64, issue: String| {
        if *found < PER_POPULATION as u64 {
            problems.push(Problem {
                item: item(),
                issue,
            });
        }
        *found += 1;
    };
    let sources: HashSet<&str> = population.sources.iter().map(String::as_str).collect();
    // The items ascending and distinct, copied only when they are not.
    let ascending = population.items.windows(2).all(|w| w[0] < w[1]);
    let listed: Cow<'_, [u64]> = if ascending {
        Cow::Borrowed(&population.items)
    } else {
        let mut items = population.items.clone();
        items.sort_unstable();
        items.dedup();
        Cow::Owned(items)
    };
    for index in &population.items {
        match source_of.get(index) {
            None => note(
                &mut found,
                format!("item {index} is not an evidence item of the pack"),
            ),
            Some(source) if !sources.contains(source) => note(
                &mut found,
                format!("item {index} is of source `{source}`, not one of the control's"),
            ),
            Some(_) => {}
        }
    }
    // Missing items: counted from the sources' sizes and the items listed
    // of them, and quoted while fewer than the limit were noted.
    let expected: usize = sources
        .iter()
        .filter_map(|s| by_source.get(s))
        .map(Vec::len)
        .sum();
    let present = listed
        .iter()
        .filter(|i| source_of.get(i).is_some_and(|s| sources.contains(s)))
        .count();
    let mut missing = expected.saturating_sub(present) as u64;
    let mut ordered: Vec<&str> = sources.iter().copied().collect();
    ordered.sort_unstable();
    'quote: for source in ordered {
        for index in by_source.get(source).into_iter().flatten() {
            if missing == 0 || found >= PER_POPULATION as u64 {
                break 'quote;
            }
            if listed.binary_search(index).is_err() {
                note(
                    &mut found,
                    format!("item {index} of source `{source}` is missing"),
                );
                missing -= 1;
            }
        }
    }
    found += missing;
    if !ascending {
        note(
            &mut found,
            "its items are not ascending and distinct".into(),
        );
    }
    if found > PER_POPULATION as u64 {
        problems.push(Problem {
            item: item(),
            issue: format!(
                "and {} more problems with its items not listed",
                found - PER_POPULATION as u64
            ),
        });
    }
    found > 0
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
