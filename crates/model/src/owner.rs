//! Owners: the people and teams accountable for controls and risks.

use serde::Serialize;

use crate::Location;

/// Whether an owner is a person or a team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerKind {
    /// One named person.
    Person,
    /// A team; accountability still rests with its lead.
    Team,
}

/// A person or team with roles.
#[derive(Clone, Debug)]
pub struct Owner {
    /// Stable identifier (`alice`, `team-platform`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Contact address.
    pub email: Option<String>,
    /// Person or team.
    pub kind: OwnerKind,
    /// Roles held (`ciso`, `ceo`, `risk-owner`, …); the risk scale grants
    /// acceptance authority by role.
    pub roles: Vec<String>,
    /// False once the person has left or the team is dissolved.
    pub active: bool,
    /// For a team, who leads it.
    pub lead: Option<crate::Reference>,
    /// Where the owner is defined.
    pub location: Location,
}

impl Owner {
    /// Whether the owner holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}
