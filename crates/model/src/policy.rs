//! Written policies, and the controls that implement them.

use crate::{Location, Reference};

/// A policy document (`policies/*.md`), read from its front matter.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Stable identifier (`POL-ACCESS`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Owner of the document.
    pub owner: Option<Reference>,
    /// Version label.
    pub version: Option<String>,
    /// The controls that put the policy into practice.
    pub implemented_by: Vec<Reference>,
    /// The policy text (Markdown, without front matter).
    pub body: String,
    /// Where it is defined.
    pub location: Location,
}
