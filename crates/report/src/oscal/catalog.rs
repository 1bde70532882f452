//! The ISO/IEC 27001:2022 outline as an OSCAL catalog: clauses 4–10 and the
//! Annex A themes as groups, requirements as controls, identifiers and
//! titles only (ISO's text is copyrighted and not shipped).

use std::collections::HashMap;

use evident_catalog::Catalog;
use evident_model::framework::{Framework, ISO27001_2022, Requirement, RequirementKind};
use serde_json::{Value, json};

use super::OSCAL_VERSION;
use super::common::{Obj, line_or, oscal_prop, prop};
use super::ids::{self, Uuids};

/// The catalog's `last-modified`: the publication date of ISO/IEC
/// 27001:2022. The document is a function of the embedded framework alone
/// (no clock is read), so the edition's date is the honest instant.
const EDITION_PUBLISHED: &str = "2022-10-25T00:00:00Z";

/// The ISO/IEC 27001:2022 catalog as an OSCAL `catalog` document.
///
/// Groups have either sub-groups or controls in OSCAL's JSON schema, never
/// both, while clause 6 holds both the heading 6.1 and the requirement 6.2:
/// so only the top-level nodes (clauses 4–10, themes A.5–A.8) are groups,
/// and every node below them is a control, nested as in the standard
/// (6.1.1 inside 6.1). Headings that are not assessable themselves carry
/// the property `assessable: false` and no statement part.
pub fn catalog(catalog: &Catalog) -> Value {
    let framework = catalog.framework(ISO27001_2022);
    let uuids = Uuids::new(&format!(
        "catalog\n{ISO27001_2022}\n{}",
        framework.map_or("", |f| f.version.as_str())
    ));
    let title = framework.map_or("ISO/IEC 27001:2022", |f| f.title.as_str());
    let version = framework.map_or("2022", |f| f.version.as_str());

    let mut body = Obj::new().set("uuid", uuids.of(&["catalog"])).set(
        "metadata",
        Obj::new()
            .set("title", line_or(title, "ISO/IEC 27001:2022"))
            .set("published", EDITION_PUBLISHED)
            .set("last-modified", EDITION_PUBLISHED)
            .set("version", line_or(version, "2022"))
            .set("oscal-version", OSCAL_VERSION)
            .props([
                prop("framework", ISO27001_2022),
                prop(
                    "content",
                    "identifiers and titles only; the requirement text is ISO's",
                ),
            ])
            .build(),
    );
    if let Some(framework) = framework {
        let tree = Tree::new(framework);
        let (groups, controls): (Vec<&Requirement>, Vec<&Requirement>) = tree
            .roots
            .iter()
            .partition(|r| r.kind != RequirementKind::Control && !r.assessable);
        body = body
            .list("groups", groups.iter().map(|g| tree.group(g)).collect())
            .list(
                "controls",
                controls.iter().map(|c| tree.control(c)).collect(),
            );
    }
    json!({ "catalog": body.build() })
}

/// A framework's requirements as a tree, children in document order.
struct Tree<'a> {
    roots: Vec<&'a Requirement>,
    children: HashMap<&'a str, Vec<&'a Requirement>>,
}

impl<'a> Tree<'a> {
    fn new(framework: &'a Framework) -> Self {
        let mut roots = Vec::new();
        let mut children: HashMap<&str, Vec<&Requirement>> = HashMap::new();
        for r in &framework.requirements {
            // A node whose parent is unknown is a root: dropping it would
            // lose a requirement. Every other node has exactly one parent,
            // so what hangs under the roots is a tree, and a cycle of a
            // user framework is never reached.
            match r.parent.as_deref() {
                Some(parent) if parent != r.id && framework.requirement(parent).is_some() => {
                    children.entry(parent).or_default().push(r);
                }
                _ => roots.push(r),
            }
        }
        Self { roots, children }
    }

    fn children(&self, id: &str) -> &[&'a Requirement] {
        self.children.get(id).map_or(&[], Vec::as_slice)
    }

    fn group(&self, r: &Requirement) -> Value {
        Obj::new()
            .set("id", ids::control_id(&r.id))
            .set("class", class(r))
            .set("title", line_or(&r.title, &r.id))
            .props([oscal_prop("label", &r.id)])
            .list(
                "controls",
                self.children(&r.id)
                    .iter()
                    .map(|c| self.control(c))
                    .collect(),
            )
            .build()
    }

    fn control(&self, r: &Requirement) -> Value {
        let statement = r
            .assessable
            .then(|| json!([{ "id": ids::statement_id(&r.id), "name": "statement" }]));
        Obj::new()
            .set("id", ids::control_id(&r.id))
            .set("class", class(r))
            .set("title", line_or(&r.title, &r.id))
            .props([
                oscal_prop("label", &r.id),
                r.theme.as_deref().and_then(|t| prop("theme", t)),
                (!r.assessable)
                    .then(|| prop("assessable", "false"))
                    .flatten(),
            ])
            .opt("parts", statement)
            .list(
                "controls",
                self.children(&r.id)
                    .iter()
                    .map(|c| self.control(c))
                    .collect(),
            )
            .build()
    }
}

/// The OSCAL class of a node: what it is in ISO/IEC 27001.
fn class(r: &Requirement) -> &'static str {
    match r.kind {
        RequirementKind::Clause => "clause",
        RequirementKind::Group => "annex-a-theme",
        RequirementKind::Control => "annex-a-control",
    }
}
