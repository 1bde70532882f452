//! Identifiers: the one mapping from evident's requirement ids to OSCAL
//! control ids, and the deterministic UUIDs of every OSCAL object.
//!
//! OSCAL ids are tokens (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`), so a clause id
//! such as `6.1.3`, which starts with a digit, cannot be used as it is. The
//! mapping lowercases (OSCAL catalogs conventionally use lowercase ids) and
//! prefixes ids that do not start with a letter with `clause-`: `A.5.1` →
//! `a.5.1`, `6.1.3` → `clause-6.1.3`. The original id stays on every control
//! as its `label` property.

use uuid::Uuid;

/// The namespace of every UUID evident writes into OSCAL documents (a
/// random v4 UUID fixed once; changing it changes every identifier).
const NAMESPACE: Uuid = Uuid::from_u128(0xb34e924b_94ae_4183_b7ca_78b9fe1ca076);

/// The prefix of ids that do not start with a letter (ISO 27001's clauses).
const CLAUSE_PREFIX: &str = "clause-";

/// The OSCAL control (or group) id of an evident requirement id.
///
/// Characters a token does not allow become `_`; for the identifiers of
/// the ISO/IEC 27001:2022 catalog (letters, digits and dots) the mapping is
/// one to one.
pub fn control_id(requirement: &str) -> String {
    let token = token_chars(&requirement.trim().to_lowercase());
    match token.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => token,
        _ => format!("{CLAUSE_PREFIX}{token}"),
    }
}

/// The id of the statement part of a requirement's control, which findings
/// target (`a.8.5_smt`, the suffix NIST's catalogs use).
pub fn statement_id(requirement: &str) -> String {
    format!("{}_smt", control_id(requirement))
}

/// Any text as an OSCAL token (role ids, which owners write freely):
/// disallowed characters become `_`, and a token that would not start with
/// a letter or `_` is prefixed with `_`.
pub fn token(text: &str) -> String {
    let token = token_chars(text.trim());
    match token.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => token,
        _ => format!("_{token}"),
    }
}

/// Keeps letters, digits, `.`, `-` and `_`; replaces anything else with `_`.
fn token_chars(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Deterministic UUIDs within one scope (one organisation's documents, or
/// one framework's catalog): v5 of the scope's namespace and a key naming
/// the object, so an object keeps its UUID across renderings and the SSP,
/// assessment results and POA&M of the same ISMS agree on every shared one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Uuids {
    namespace: Uuid,
}

impl Uuids {
    /// The UUIDs of one scope.
    pub(crate) fn new(scope: &str) -> Self {
        Self {
            namespace: Uuid::new_v5(&NAMESPACE, scope.as_bytes()),
        }
    }

    /// The UUID of the object named by `parts` (a kind, then identifiers).
    /// Parts are joined with a newline, which no identifier contains, so
    /// different part lists never collide.
    pub(crate) fn of(&self, parts: &[&str]) -> String {
        Uuid::new_v5(&self.namespace, parts.join("\n").as_bytes())
            .hyphenated()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_ids_become_lowercase_tokens_and_clauses_are_prefixed() {
        assert_eq!(control_id("A.5.1"), "a.5.1");
        assert_eq!(control_id("A.8"), "a.8");
        assert_eq!(control_id("4.1"), "clause-4.1");
        assert_eq!(control_id("6.1.3"), "clause-6.1.3");
        assert_eq!(control_id("10"), "clause-10");
        assert_eq!(statement_id("A.8.5"), "a.8.5_smt");
        assert_eq!(control_id("GV.OC-01"), "gv.oc-01");
        assert_eq!(control_id("x y:z"), "x_y_z");
        assert_eq!(control_id(""), "clause-");
    }

    #[test]
    fn role_names_become_tokens() {
        assert_eq!(token("risk-owner"), "risk-owner");
        assert_eq!(token("head of people"), "head_of_people");
        assert_eq!(token("2nd-line"), "_2nd-line");
    }

    #[test]
    fn uuids_are_v5_stable_and_scoped() {
        let a = Uuids::new("isms:Acme");
        let b = Uuids::new("isms:Other");
        let id = a.of(&["component", "aws-iam"]);
        assert_eq!(id, a.of(&["component", "aws-iam"]));
        assert_ne!(id, b.of(&["component", "aws-iam"]));
        assert_ne!(a.of(&["a", "bc"]), a.of(&["ab", "c"]));
        assert_eq!(id.as_bytes()[14], b'5', "{id}");
    }
}
