//! Frameworks, their requirements, and typed mappings between frameworks.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The framework that requirement references without a prefix belong to.
pub const ISO27001_2022: &str = "iso27001-2022";

/// What a requirement is within its framework's tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementKind {
    /// A management-system clause or sub-clause (ISO 27001 clauses 4–10).
    Clause,
    /// A grouping node (an Annex A theme, a CSF function or category, an
    /// SP 800-53 family).
    Group,
    /// A control objective (an Annex A control, a CSF subcategory, an SP
    /// 800-53 control or enhancement).
    Control,
}

/// One node of a framework's requirement tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The framework's own identifier (`A.8.5`, `6.1.3`, `GV.OC-01`, `AC-2`).
    pub id: String,
    /// The short title.
    pub title: String,
    /// What the node is.
    pub kind: RequirementKind,
    /// The parent node, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Whether an organisation must meet this node itself (as opposed to a
    /// heading that only groups others).
    pub assessable: bool,
    /// The theme or top-level group (`organizational`, `people`, … for
    /// ISO 27001 Annex A).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Longer description where the framework's publisher provides one
    /// freely (NIST text is public domain; ISO text is not shipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Requirement {
    /// Whether this is an ISO 27001 Annex A control.
    pub fn is_annex_a(&self) -> bool {
        self.kind == RequirementKind::Control && self.id.starts_with("A.")
    }
}

/// A framework: identity and a tree of requirements in document order.
#[derive(Clone, Debug)]
pub struct Framework {
    /// Stable identifier (`iso27001-2022`, `nist-csf-2.0`, …).
    pub id: String,
    /// Human title.
    pub title: String,
    /// Publisher's version label.
    pub version: String,
    /// Requirements in document order.
    pub requirements: Vec<Requirement>,
    /// Mappings stated from this framework's requirements to other
    /// frameworks' (a framework file carries its own mappings).
    pub mappings: Vec<Mapping>,
    index: HashMap<String, usize>,
}

impl Framework {
    /// Builds a framework and its id index. Duplicate requirement ids keep
    /// the first occurrence in the index; loaders reject them before this.
    pub fn new(
        id: String,
        title: String,
        version: String,
        requirements: Vec<Requirement>,
        mappings: Vec<Mapping>,
    ) -> Self {
        let mut index = HashMap::with_capacity(requirements.len());
        for (i, r) in requirements.iter().enumerate() {
            index.entry(r.id.clone()).or_insert(i);
        }
        Self {
            id,
            title,
            version,
            requirements,
            mappings,
            index,
        }
    }

    /// The requirement with this id.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.index.get(id).map(|&i| &self.requirements[i])
    }

    /// The chain of ancestors of a requirement, nearest first.
    pub fn ancestors(&self, id: &str) -> Vec<&Requirement> {
        let mut out = Vec::new();
        let mut current = self.requirement(id).and_then(|r| r.parent.as_deref());
        while let Some(parent) = current.and_then(|p| self.requirement(p)) {
            if out.iter().any(|r: &&Requirement| r.id == parent.id) {
                break; // a cycle in a user framework; loaders report it
            }
            out.push(parent);
            current = parent.parent.as_deref();
        }
        out
    }

    /// Requirements an organisation must meet (assessable nodes).
    pub fn assessable(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter().filter(|r| r.assessable)
    }
}

/// A reference to a requirement of a named framework.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RequirementRef {
    /// The framework id.
    pub framework: String,
    /// The requirement id within that framework.
    pub id: String,
}

impl RequirementRef {
    /// Reads `A.8.5` (in `default_framework`) or `nist-csf-2.0:PR.AA-01`.
    ///
    /// Requirement ids contain dots and dashes but never a colon, so the
    /// first colon separates the framework.
    pub fn parse(text: &str, default_framework: &str) -> Self {
        match text.split_once(':') {
            Some((framework, id)) => Self {
                framework: framework.trim().to_string(),
                id: id.trim().to_string(),
            },
            None => Self {
                framework: default_framework.to_string(),
                id: text.trim().to_string(),
            },
        }
    }
}

impl fmt::Display for RequirementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.framework, self.id)
    }
}

/// How the source requirement of a mapping relates to its target (the set
/// relations of NIST IR 8278A's OLIR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// Source and target say the same thing.
    Equal,
    /// The source is contained in the target.
    Subset,
    /// The source contains the target.
    Superset,
    /// They overlap: related, never "satisfied" by one another.
    Intersect,
}

impl Relationship {
    /// The relation seen from the target's side.
    pub fn inverse(self) -> Self {
        match self {
            Self::Subset => Self::Superset,
            Self::Superset => Self::Subset,
            other => other,
        }
    }

    /// The kebab-case name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::Subset => "subset",
            Self::Superset => "superset",
            Self::Intersect => "intersect",
        }
    }
}

/// A typed relation between requirements of two frameworks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// The requirement the relation is stated from.
    pub source: RequirementRef,
    /// The requirement it relates to.
    pub target: RequirementRef,
    /// How they relate.
    pub relationship: Relationship,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(id: &str, parent: Option<&str>) -> Requirement {
        Requirement {
            id: id.into(),
            title: id.into(),
            kind: RequirementKind::Clause,
            parent: parent.map(Into::into),
            assessable: true,
            theme: None,
            description: None,
        }
    }

    #[test]
    fn ancestors_are_nearest_first_and_survive_cycles() {
        let f = Framework::new(
            "x".into(),
            "X".into(),
            "1".into(),
            vec![
                req("6", None),
                req("6.1", Some("6")),
                req("6.1.2", Some("6.1")),
            ],
            vec![],
        );
        let ids: Vec<_> = f.ancestors("6.1.2").iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["6.1", "6"]);

        let cyclic = Framework::new(
            "y".into(),
            "Y".into(),
            "1".into(),
            vec![req("a", Some("b")), req("b", Some("a"))],
            vec![],
        );
        assert_eq!(cyclic.ancestors("a").len(), 2);
    }

    #[test]
    fn references_default_to_iso() {
        assert_eq!(
            RequirementRef::parse("A.8.5", ISO27001_2022).to_string(),
            "iso27001-2022:A.8.5"
        );
        assert_eq!(
            RequirementRef::parse("nist-csf-2.0:PR.AA-01", ISO27001_2022).framework,
            "nist-csf-2.0"
        );
    }
}
