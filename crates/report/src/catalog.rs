//! `evident catalog list` and `evident catalog show`.

use std::fmt::Write;

use evident_catalog::Catalog;
use evident_model::framework::{Framework, RequirementRef};

/// The frameworks, one per line.
pub fn frameworks(catalog: &Catalog) -> String {
    let mut out = String::new();
    for f in catalog.frameworks() {
        let assessable = f.assessable().count();
        // Mappings are stated from one side; count both.
        let mappings = catalog
            .mappings()
            .filter(|m| m.source.framework == f.id || m.target.framework == f.id)
            .count();
        let _ = writeln!(
            out,
            "{:<20} {:<56} {:>5} requirements ({} assessable), {} mapping{}",
            f.id,
            one_line(&format!("{} ({})", f.title, f.version), 56),
            f.requirements.len(),
            assessable,
            mappings,
            if mappings == 1 { "" } else { "s" }
        );
    }
    out
}

/// A framework's requirement tree, indented by depth.
pub fn requirements(framework: &Framework) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} ({})",
        framework.id, framework.title, framework.version
    );
    for r in &framework.requirements {
        let depth = framework.ancestors(&r.id).len();
        let marker = if r.assessable { "" } else { "  [heading]" };
        let _ = writeln!(
            out,
            "{}{:<12} {}{marker}",
            "  ".repeat(depth),
            r.id,
            one_line(&r.title, 100)
        );
    }
    out
}

/// One requirement: its place in the tree and its mappings.
pub fn requirement(catalog: &Catalog, r: &RequirementRef) -> Option<String> {
    let framework = catalog.framework(&r.framework)?;
    let req = framework.requirement(&r.id)?;
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", req.id, req.title);
    let _ = writeln!(out, "  framework:  {} ({})", framework.title, framework.id);
    let _ = writeln!(
        out,
        "  kind:       {:?}{}",
        req.kind,
        if req.assessable { "" } else { " (heading)" }
    );
    if let Some(theme) = &req.theme {
        let _ = writeln!(out, "  theme:      {theme}");
    }
    let ancestors = framework.ancestors(&r.id);
    if !ancestors.is_empty() {
        let chain: Vec<String> = ancestors
            .iter()
            .map(|a| format!("{} {}", a.id, one_line(&a.title, 60)))
            .collect();
        let _ = writeln!(out, "  parents:    {}", chain.join(" ‹ "));
    }
    let children: Vec<&str> = framework
        .requirements
        .iter()
        .filter(|c| c.parent.as_deref() == Some(r.id.as_str()))
        .map(|c| c.id.as_str())
        .collect();
    if !children.is_empty() {
        let _ = writeln!(out, "  children:   {}", children.join(", "));
    }
    if let Some(d) = &req.description {
        let _ = writeln!(out, "  text:       {}", one_line(d, 400));
    }
    let related: Vec<_> = catalog.related(r).collect();
    if related.is_empty() {
        let _ = writeln!(out, "  mappings:   none");
    } else {
        let _ = writeln!(out, "  mappings ({}):", related.len());
        for rel in related {
            let (other, relationship) = (rel.other, rel.relationship.as_str());
            let title = catalog
                .framework(&other.framework)
                .and_then(|f| f.requirement(&other.id))
                .map(|o| one_line(&o.title, 70))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {relationship:<9} {:<32} {title}",
                other.to_string()
            );
        }
    }
    Some(out)
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max {
        flat.chars().take(max - 1).collect::<String>() + "…"
    } else {
        flat
    }
}
