//! What the documents of one ISMS share: the JSON object builder, text and
//! time formatting to OSCAL's datatypes, properties, the UUIDs of shared
//! objects (parties, components), and the metadata block.

use std::collections::{BTreeMap, HashSet};

use evident_model::Isms;
use evident_model::evidence::Timestamp;
use evident_model::owner::OwnerKind;
use evident_model::time::Date;
use serde_json::{Map, Value, json};

use super::ids::{self, Uuids};
use super::{OSCAL_VERSION, PROPERTY_NAMESPACE};
use crate::Inputs;

/// The role of whoever is accountable for a control.
pub(super) const CONTROL_OWNER: &str = "control-owner";
/// The role of whoever manages a supplier relationship.
pub(super) const SUPPLIER_MANAGER: &str = "supplier-manager";
/// The role of a supplier that runs controls for the organisation.
pub(super) const PROVIDER: &str = "provider";

/// A JSON object under construction. OSCAL arrays must not be empty
/// (`minItems: 1`) and strings must not be blank, so [`Obj::list`] and
/// [`Obj::opt`] leave out what is empty instead of writing it.
#[derive(Default)]
pub(super) struct Obj(Map<String, Value>);

impl Obj {
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// Sets a field.
    pub(super) fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// Sets a field when there is a value.
    pub(super) fn opt(self, key: &str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// Sets an array field, unless it would be empty.
    pub(super) fn list(self, key: &str, items: Vec<Value>) -> Self {
        if items.is_empty() {
            self
        } else {
            self.set(key, Value::Array(items))
        }
    }

    /// Sets `props` from the properties that have a value.
    pub(super) fn props(self, props: impl IntoIterator<Item = Option<Value>>) -> Self {
        self.list("props", props.into_iter().flatten().collect())
    }

    pub(super) fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// Text as a one-line OSCAL string (titles, property values): whitespace
/// runs, newlines included, collapse to one space; `None` when blank.
pub(super) fn line(text: &str) -> Option<String> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

/// [`line`], or `fallback` when the text is blank.
pub(super) fn line_or(text: &str, fallback: &str) -> String {
    line(text).unwrap_or_else(|| fallback.to_string())
}

/// Text as OSCAL multi-line markup (descriptions, remarks): trimmed, or
/// `fallback` when blank.
pub(super) fn prose_or(text: &str, fallback: &str) -> String {
    match text.trim() {
        "" => fallback.to_string(),
        t => t.to_string(),
    }
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: OSCAL date-times have a
/// four-digit year.
const FIRST_SECOND: i64 = -62_135_596_800;
const LAST_SECOND: i64 = 253_402_300_799;

/// An instant as an OSCAL date-time with time zone (RFC 3339, UTC),
/// clamped to four-digit years (a freshness can reach past 9999).
pub(super) fn datetime(at: Timestamp) -> String {
    let second = at.as_second();
    let clamped = if second < FIRST_SECOND {
        Timestamp::new(FIRST_SECOND, 0).unwrap_or(at)
    } else if second > LAST_SECOND {
        Timestamp::new(LAST_SECOND, 0).unwrap_or(at)
    } else {
        at
    };
    clamped.to_string()
}

/// A date as an OSCAL date, when its year has four digits.
pub(super) fn date(date: Date) -> Option<String> {
    (date.year() >= 1).then(|| date.to_string())
}

/// An evident property (in [`PROPERTY_NAMESPACE`]); `None` for a blank
/// value, which OSCAL does not allow.
pub(super) fn prop(name: &str, value: &str) -> Option<Value> {
    line(value).map(|v| json!({ "name": name, "ns": PROPERTY_NAMESPACE, "value": v }))
}

/// A property of OSCAL's own vocabulary (`label`, `sort-id`, …).
pub(super) fn oscal_prop(name: &str, value: &str) -> Option<Value> {
    line(value).map(|v| json!({ "name": name, "value": v }))
}

/// The UUIDs of one organisation's documents.
pub(super) fn uuids(isms: &Isms) -> Uuids {
    Uuids::new(&format!("isms\n{}", isms.organisation.name))
}

/// The party of the organisation itself.
pub(super) fn organisation_party(uuids: &Uuids) -> String {
    uuids.of(&["party", "organisation"])
}

/// The party of an owner.
pub(super) fn owner_party(uuids: &Uuids, owner: &str) -> String {
    uuids.of(&["party", "owner", owner])
}

/// The party of a vendor.
pub(super) fn vendor_party(uuids: &Uuids, vendor: &str) -> String {
    uuids.of(&["party", "vendor", vendor])
}

/// The `this-system` component: the organisation's ISMS.
pub(super) fn this_system(uuids: &Uuids) -> String {
    uuids.of(&["component", "this-system"])
}

/// The component of an evidence source.
pub(super) fn source_component(uuids: &Uuids, source: &str) -> String {
    uuids.of(&["component", "source", source])
}

/// The component of a vendor's services.
pub(super) fn vendor_component(uuids: &Uuids, vendor: &str) -> String {
    uuids.of(&["component", "vendor", vendor])
}

/// evident itself, as the assessment platform that made the observations.
pub(super) fn assessment_platform(uuids: &Uuids) -> String {
    uuids.of(&["assessment-platform", "evident"])
}

/// The system's identifier (SSP and POA&M `system-id`).
pub(super) fn system_id(uuids: &Uuids) -> Value {
    json!({
        "identifier-type": "http://ietf.org/rfc/rfc4122",
        "id": uuids.of(&["system"]),
    })
}

/// `local-definitions.assessment-assets` naming evident as the platform
/// (the actor of observations and POA&M items).
pub(super) fn assessment_assets(uuids: &Uuids) -> Value {
    json!({
        "assessment-platforms": [{
            "uuid": assessment_platform(uuids),
            "title": format!("{} {}", crate::TOOL_NAME, crate::TOOL_VERSION),
        }]
    })
}

/// The actor of what evident derived: the assessment platform.
pub(super) fn evident_origin(uuids: &Uuids) -> Value {
    json!({
        "actors": [{
            "type": "assessment-platform",
            "actor-uuid": assessment_platform(uuids),
        }]
    })
}

/// A responsible role held by one owner, when the owner is defined.
pub(super) fn owner_role(
    inputs: &Inputs,
    uuids: &Uuids,
    role: &str,
    owner: Option<&str>,
) -> Option<Value> {
    let owner = owner.filter(|o| inputs.isms.owners.iter().any(|d| d.id == *o))?;
    Some(json!({ "role-id": role, "party-uuids": [owner_party(uuids, owner)] }))
}

/// The metadata block of an organisation's document: parties for the
/// organisation, its owners and vendors; roles for the fixed ones evident
/// assigns and every role an owner holds; who holds each role.
pub(super) fn metadata(inputs: &Inputs, uuids: &Uuids, title: &str) -> Value {
    let isms = inputs.isms;
    // role id → (title, holders), ordered by id for stable output.
    let mut roles: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut hold = |role: &str, title: &str, party: String| {
        let entry = roles
            .entry(role.to_string())
            .or_insert_with(|| (title.to_string(), Vec::new()));
        if !entry.1.contains(&party) {
            entry.1.push(party);
        }
    };
    for owner in &isms.owners {
        for role in &owner.roles {
            hold(
                &ids::token(role),
                &line_or(role, role),
                owner_party(uuids, &owner.id),
            );
        }
    }
    let defined: HashSet<&str> = isms.owners.iter().map(|o| o.id.as_str()).collect();
    for control in &isms.controls {
        if let Some(owner) = control.owner.as_ref().map(|o| o.id.as_str())
            && defined.contains(owner)
        {
            hold(CONTROL_OWNER, "Control owner", owner_party(uuids, owner));
        }
    }
    for vendor in &isms.vendors {
        hold(
            PROVIDER,
            "Provider of inherited or shared controls",
            vendor_party(uuids, &vendor.id),
        );
        if let Some(owner) = vendor.owner.as_ref().map(|o| o.id.as_str())
            && defined.contains(owner)
        {
            hold(
                SUPPLIER_MANAGER,
                "Supplier relationship owner",
                owner_party(uuids, owner),
            );
        }
    }
    // The fixed roles are declared even when nobody holds them yet, so
    // every role id the documents use resolves.
    for (role, title) in [
        (CONTROL_OWNER, "Control owner"),
        (SUPPLIER_MANAGER, "Supplier relationship owner"),
        (PROVIDER, "Provider of inherited or shared controls"),
    ] {
        roles
            .entry(role.to_string())
            .or_insert_with(|| (title.to_string(), Vec::new()));
    }

    let role_list: Vec<Value> = roles
        .iter()
        .map(|(id, (title, _))| json!({ "id": id, "title": title }))
        .collect();
    let responsible: Vec<Value> = roles
        .iter()
        .filter(|(_, (_, holders))| !holders.is_empty())
        .map(|(id, (_, holders))| json!({ "role-id": id, "party-uuids": holders }))
        .collect();

    let organisation = organisation_party(uuids);
    let mut parties = vec![
        Obj::new()
            .set("uuid", organisation.clone())
            .set("type", "organization")
            .set("name", line_or(&isms.organisation.name, "The organisation"))
            .build(),
    ];
    for owner in &isms.owners {
        let person = owner.kind == OwnerKind::Person;
        parties.push(
            Obj::new()
                .set("uuid", owner_party(uuids, &owner.id))
                .set("type", if person { "person" } else { "organization" })
                .set("name", line_or(&owner.name, &owner.id))
                .opt("short-name", line(&owner.id))
                .list(
                    "email-addresses",
                    owner
                        .email
                        .as_deref()
                        .filter(|e| is_email(e))
                        .map(|e| Value::from(e.trim()))
                        .into_iter()
                        .collect(),
                )
                .list(
                    "member-of-organizations",
                    if person {
                        vec![Value::from(organisation.clone())]
                    } else {
                        Vec::new()
                    },
                )
                .props([
                    (!owner.active).then(|| prop("active", "false")).flatten(),
                    owner
                        .lead
                        .as_ref()
                        .and_then(|lead| prop("team-lead", &lead.id)),
                ])
                .build(),
        );
    }
    for vendor in &isms.vendors {
        parties.push(
            Obj::new()
                .set("uuid", vendor_party(uuids, &vendor.id))
                .set("type", "organization")
                .set("name", line_or(&vendor.name, &vendor.id))
                .opt("short-name", line(&vendor.id))
                .build(),
        );
    }

    Obj::new()
        .set("title", line_or(title, "evident"))
        .set("last-modified", datetime(inputs.at))
        .set("version", datetime(inputs.at))
        .set("oscal-version", OSCAL_VERSION)
        .list("roles", role_list)
        .list("parties", parties)
        .list("responsible-parties", responsible)
        .build()
}

/// Whether an address looks like one the OSCAL schema's `email` format
/// accepts; owners' files are not validated for it, and a malformed one is
/// left out rather than making the document invalid.
fn is_email(text: &str) -> bool {
    let text = text.trim();
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && text.chars().all(|c| c.is_ascii_graphic())
        }
        None => false,
    }
}
