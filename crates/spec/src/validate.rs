//! Cross-file rules that make the definitions readable at all: identifiers
//! are unique, and references between the repository's own objects resolve.
//! (References to owners and requirements are readiness findings instead.)

use std::collections::{HashMap, HashSet};

use evident_model::decision::DecisionKind;
use evident_model::{Diagnostic, Isms, Location, Reference};

pub(crate) fn references(isms: &Isms, diagnostics: &mut Vec<Diagnostic>) {
    unique(
        "owner",
        isms.owners.iter().map(|o| (o.id.as_str(), &o.location)),
        diagnostics,
    );
    let vendors = unique(
        "vendor",
        isms.vendors.iter().map(|v| (v.id.as_str(), &v.location)),
        diagnostics,
    );
    let controls = unique(
        "control",
        isms.controls.iter().map(|c| (c.id.as_str(), &c.location)),
        diagnostics,
    );
    let risks = unique(
        "risk",
        isms.risks.iter().map(|r| (r.id.as_str(), &r.location)),
        diagnostics,
    );
    let policies = unique(
        "policy",
        isms.policies.iter().map(|p| (p.id.as_str(), &p.location)),
        diagnostics,
    );
    let sources = unique(
        "source",
        isms.sources.iter().map(|s| (s.name.as_str(), &s.location)),
        diagnostics,
    );
    unique(
        "decision record",
        isms.decisions
            .iter()
            .map(|d| (d.id.as_str(), &d.location))
            .chain(
                isms.management_reviews
                    .iter()
                    .map(|m| (m.id.as_str(), &m.location)),
            )
            .chain(
                isms.internal_audits
                    .iter()
                    .map(|a| (a.id.as_str(), &a.location)),
            ),
        diagnostics,
    );
    unique(
        "Statement of Applicability entry for",
        isms.soa
            .entries
            .iter()
            .map(|e| (e.requirement.as_str(), &e.location)),
        diagnostics,
    );
    unique(
        "framework",
        isms.frameworks
            .iter()
            .map(|f| (f.id.as_str(), &isms.organisation.location)),
        diagnostics,
    );

    for c in &isms.controls {
        for r in &c.risks {
            dangling("risk", &risks, r, diagnostics);
        }
        if let Some(p) = c.responsibility.provider() {
            dangling("vendor", &vendors, p, diagnostics);
        }
        let mut evidence_ids = HashSet::new();
        for e in &c.evidence {
            if let Some(s) = &e.source {
                dangling("source", &sources, s, diagnostics);
            }
            if !evidence_ids.insert(e.id.as_str()) {
                diagnostics.push(Diagnostic::new(
                    "duplicate-id",
                    e.location.clone(),
                    format!(
                        "evidence requirement `{}` appears twice in control `{}`",
                        e.id, c.id
                    ),
                ));
            }
        }
    }
    for r in &isms.risks {
        for c in &r.controls {
            dangling("control", &controls, c, diagnostics);
        }
    }
    for s in &isms.sources {
        for c in &s.controls {
            dangling("control", &controls, c, diagnostics);
        }
    }
    for p in &isms.policies {
        for c in &p.implemented_by {
            dangling("control", &controls, c, diagnostics);
        }
    }
    for d in &isms.decisions {
        match d.kind {
            DecisionKind::RiskAcceptance | DecisionKind::TreatmentPlan => {
                dangling("risk", &risks, &d.subject, diagnostics)
            }
            DecisionKind::PolicyApproval => dangling("policy", &policies, &d.subject, diagnostics),
            DecisionKind::SoaApproval => {
                if d.subject.id != "soa" {
                    diagnostics.push(Diagnostic::new(
                        "invalid-value",
                        d.subject.at.clone(),
                        format!(
                            "expected `soa` as the subject of an soa-approval, found `{}`",
                            d.subject.id
                        ),
                    ));
                }
            }
        }
    }

    let known: HashSet<&str> = evident_catalog::BUILTIN_FILES
        .iter()
        .map(|(name, _)| name.trim_end_matches(".yaml"))
        .chain(isms.frameworks.iter().map(|f| f.id.as_str()))
        .collect();
    for f in &isms.organisation.frameworks {
        if !known.contains(f.id.as_str()) {
            let mut names: Vec<_> = known.iter().copied().collect();
            names.sort_unstable();
            diagnostics.push(Diagnostic::new(
                "unknown-framework",
                f.at.clone(),
                format!(
                    "framework `{}` is neither built in nor defined under frameworks/; known: {}",
                    f.id,
                    names.join(", ")
                ),
            ));
        }
    }
}

fn dangling(what: &str, set: &HashSet<&str>, r: &Reference, diagnostics: &mut Vec<Diagnostic>) {
    if !set.contains(r.id.as_str()) {
        diagnostics.push(Diagnostic::new(
            "dangling-reference",
            r.at.clone(),
            format!("{what} `{}` is not defined", r.id),
        ));
    }
}

/// The set of ids, reporting each repeat at its second definition.
fn unique<'a>(
    what: &str,
    items: impl Iterator<Item = (&'a str, &'a Location)>,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashSet<&'a str> {
    let mut first: HashMap<&str, &Location> = HashMap::new();
    for (id, location) in items {
        if let Some(previous) = first.get(id) {
            diagnostics.push(Diagnostic::new(
                "duplicate-id",
                location.clone(),
                format!("{what} `{id}` is already defined at {previous}"),
            ));
        } else {
            first.insert(id, location);
        }
    }
    first.into_keys().collect()
}
