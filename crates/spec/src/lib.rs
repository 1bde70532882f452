//! The ISMS as code: reads a repository laid out as `DESIGN.md` §2 into the
//! [model](evident_model), with a diagnostic naming file, line and column for
//! everything that cannot be read as written.
//!
//! Architecture invariant: `spec` never panics on user input, and never
//! drops a field silently (every raw type denies unknown keys). Reading
//! problems are [`Diagnostic`]s; readiness problems are left to `analyze`.

#![deny(missing_docs)]

mod context;
mod controls;
mod decisions;
pub mod files;
mod organisation;
mod owners;
mod policies;
mod raw;
mod risks;
mod soa;
mod validate;

#[cfg(test)]
mod fuzz;

pub mod approve;
pub mod scaffold;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use evident_model::organisation::Organisation;
use evident_model::{Diagnostic, Isms, Location};

use context::FileContext;
use files::TextFile;

/// The result of reading a repository: the ISMS as far as it could be read,
/// and every problem met. Callers treat any diagnostic as "the input could
/// not be read" (exit 2).
#[derive(Debug)]
pub struct Loaded {
    /// The definitions; partial when there are diagnostics.
    pub isms: Isms,
    /// Problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the ISMS repository at `root`.
pub fn load(root: &Path) -> Loaded {
    let mut diagnostics = Vec::new();
    let organisation = read_organisation(root, &mut diagnostics);

    let mut jobs: Vec<(Kind, String)> = Vec::new();
    for (kind, name) in [
        (Kind::Owners, "owners.yaml"),
        (Kind::Vendors, "vendors.yaml"),
        (Kind::Soa, "soa.yaml"),
        (Kind::Sources, "sources.yaml"),
    ] {
        jobs.push((kind, name.to_string()));
    }
    for (kind, dir, extensions) in [
        (Kind::Controls, "controls", &["yaml", "yml"][..]),
        (Kind::Risks, "risks", &["yaml", "yml"]),
        (Kind::Policies, "policies", &["md"]),
        (Kind::Decisions, "decisions", &["yaml", "yml"]),
        (Kind::Framework, "frameworks", &["yaml", "yml"]),
    ] {
        match files::list(root, dir, extensions) {
            Ok(names) => jobs.extend(names.into_iter().map(|n| (kind, n))),
            Err(d) => diagnostics.push(d),
        }
    }

    let outputs = run_parallel(&jobs, |(kind, name)| {
        let mut local = Vec::new();
        let output = match files::read(root, name) {
            Ok(Some(file)) => read_one(*kind, file, &organisation, &mut local),
            Ok(None) => Output::Nothing,
            Err(d) => {
                local.push(d);
                Output::Nothing
            }
        };
        (output, local)
    });

    let mut isms = Isms {
        organisation,
        owners: Vec::new(),
        vendors: Vec::new(),
        controls: Vec::new(),
        risks: Vec::new(),
        soa: Default::default(),
        sources: Vec::new(),
        policies: Vec::new(),
        decisions: Vec::new(),
        management_reviews: Vec::new(),
        internal_audits: Vec::new(),
        frameworks: Vec::new(),
    };
    for (output, local) in outputs {
        diagnostics.extend(local);
        match output {
            Output::Nothing => {}
            Output::Owners(v) => isms.owners.extend(v),
            Output::Vendors(v) => isms.vendors.extend(v),
            Output::Controls(v) => isms.controls.extend(v),
            Output::Risks(v) => isms.risks.extend(v),
            Output::Soa(s) => isms.soa = s,
            Output::Sources(v) => isms.sources.extend(v),
            Output::Policy(p) => isms.policies.push(p),
            Output::Decision(decisions::Record::Approval(d)) => isms.decisions.push(d),
            Output::Decision(decisions::Record::ManagementReview(m)) => {
                isms.management_reviews.push(m)
            }
            Output::Decision(decisions::Record::InternalAudit(a)) => isms.internal_audits.push(a),
            Output::Framework(f) => isms.frameworks.push(f),
        }
    }
    validate::references(&isms, &mut diagnostics);
    Loaded { isms, diagnostics }
}

fn read_organisation(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Organisation {
    let fallback = |file: Arc<str>| Organisation {
        name: String::new(),
        scope: String::new(),
        frameworks: vec![evident_model::Reference {
            id: evident_model::framework::ISO27001_2022.to_string(),
            at: Location::file_start(file.clone()),
        }],
        risk: Default::default(),
        cadences: Default::default(),
        public_key: None,
        check_parameters: Vec::new(),
        evidence: Default::default(),
        location: Location::file_start(file),
    };
    match files::read(root, "evident.yaml") {
        Ok(Some(file)) => {
            match evident_catalog::yaml::parse::<raw::OrganisationFile>(&file.name, &file.text) {
                Ok(raw) => {
                    let mut ctx = FileContext {
                        file: file.name.clone(),
                        diagnostics,
                    };
                    organisation::convert(&mut ctx, raw)
                }
                Err(d) => {
                    diagnostics.push(d);
                    fallback(file.name)
                }
            }
        }
        Ok(None) => {
            diagnostics.push(
                Diagnostic::new(
                    "missing-file",
                    Location::file_start("evident.yaml".into()),
                    format!(
                        "expected evident.yaml at the root of the ISMS repository {}",
                        root.display()
                    ),
                )
                .with_hint("run `evident init` to create one, or pass the repository's folder"),
            );
            fallback("evident.yaml".into())
        }
        Err(d) => {
            diagnostics.push(d);
            fallback("evident.yaml".into())
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Owners,
    Vendors,
    Soa,
    Sources,
    Controls,
    Risks,
    Policies,
    Decisions,
    Framework,
}

enum Output {
    Nothing,
    Owners(Vec<evident_model::owner::Owner>),
    Vendors(Vec<evident_model::vendor::Vendor>),
    Controls(Vec<evident_model::control::Control>),
    Risks(Vec<evident_model::risk::Risk>),
    Soa(evident_model::soa::Soa),
    Sources(Vec<evident_model::source::Source>),
    Policy(evident_model::policy::Policy),
    Decision(decisions::Record),
    Framework(evident_model::framework::Framework),
}

fn read_one(
    kind: Kind,
    file: TextFile,
    org: &Organisation,
    diagnostics: &mut Vec<Diagnostic>,
) -> Output {
    let mut ctx = FileContext {
        file: file.name.clone(),
        diagnostics,
    };
    let text = &file.text;
    let primary = org.primary_framework();
    macro_rules! yaml {
        ($t:ty) => {
            match evident_catalog::yaml::parse::<$t>(&file.name, text) {
                Ok(raw) => raw,
                Err(d) => {
                    ctx.diagnostics.push(d);
                    return Output::Nothing;
                }
            }
        };
    }
    match kind {
        Kind::Owners => Output::Owners(owners::owners(&mut ctx, yaml!(raw::OwnersFile))),
        Kind::Vendors => {
            Output::Vendors(owners::vendors(&mut ctx, yaml!(raw::VendorsFile), primary))
        }
        Kind::Soa => Output::Soa(soa::soa(&mut ctx, yaml!(raw::SoaFile))),
        Kind::Sources => Output::Sources(soa::sources(&mut ctx, yaml!(raw::SourcesFile))),
        Kind::Controls => Output::Controls(controls::convert(
            &mut ctx,
            yaml!(raw::ControlsFile),
            primary,
            org.cadences.evidence_freshness,
        )),
        Kind::Risks => Output::Risks(risks::convert(
            &mut ctx,
            yaml!(raw::RisksFile),
            &org.risk,
            org.cadences.risk_review,
        )),
        Kind::Policies => policies::convert(&mut ctx, text).map_or(Output::Nothing, Output::Policy),
        Kind::Decisions => {
            decisions::convert(&mut ctx, text).map_or(Output::Nothing, Output::Decision)
        }
        Kind::Framework => match evident_catalog::file::parse(&file.name, text) {
            Ok(f) => Output::Framework(f),
            Err(ds) => {
                ctx.diagnostics.extend(ds);
                Output::Nothing
            }
        },
    }
}

/// Maps `f` over `items` on all cores, keeping the items' order. Parsing is
/// the cost of `check` on a large ISMS, and files parse independently.
fn run_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
