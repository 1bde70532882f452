//! The ISMS as an OSCAL system security plan: the organisation as the
//! system, its evidence sources and vendors as components, its owners as
//! users, and one implemented requirement per applicable Annex A control,
//! stating how the organisation's controls satisfy it and their derived
//! status.

use evident_model::control::{Control, Lifecycle, Responsibility};
use evident_model::status::ControlStatus;
use evident_model::time::date_of;
use evident_model::vendor::{AssuranceDocument, Vendor};
use serde_json::{Value, json};

use super::common::{
    self, CONTROL_OWNER, Obj, PROVIDER, SUPPLIER_MANAGER, datetime, line, line_or, oscal_prop,
    owner_role, prop, prose_or,
};
use super::ids::{self, Uuids};
use super::posture::{AnnexControl, Posture, implementation_state};
use super::{CATALOG_FILE, PROPERTY_NAMESPACE};
use crate::Inputs;

/// The ISMS as an OSCAL `system-security-plan` document, as of `inputs.at`.
pub fn ssp(inputs: &Inputs) -> Value {
    let isms = inputs.isms;
    let uuids = common::uuids(isms);
    let posture = Posture::new(inputs);
    let name = line_or(&isms.organisation.name, "The organisation");
    let plan = Obj::new()
        .set("uuid", uuids.of(&["system-security-plan"]))
        .set(
            "metadata",
            common::metadata(
                inputs,
                &uuids,
                &format!("{name}: information security management system"),
            ),
        )
        .set(
            "import-profile",
            json!({
                "href": CATALOG_FILE,
                "remarks": "The ISO/IEC 27001:2022 catalog evident writes beside this plan; \
                            the Statement of Applicability selects its Annex A controls.",
            }),
        )
        .set("system-characteristics", characteristics(inputs, &uuids))
        .set("system-implementation", implementation(inputs, &uuids))
        .set(
            "control-implementation",
            control_implementation(inputs, &uuids, &posture),
        )
        .build();
    json!({ "system-security-plan": plan })
}

/// The scope statement (clause 4.3), or a note that there is none.
fn scope(inputs: &Inputs) -> String {
    prose_or(
        &inputs.isms.organisation.scope,
        "The ISMS scope statement (clause 4.3) is not written yet.",
    )
}

fn characteristics(inputs: &Inputs, uuids: &Uuids) -> Value {
    let isms = inputs.isms;
    Obj::new()
        .set("system-ids", json!([common::system_id(uuids)]))
        .set(
            "system-name",
            line_or(&isms.organisation.name, "The organisation"),
        )
        .set("description", scope(inputs))
        .props([
            isms.soa
                .version
                .as_deref()
                .and_then(|v| prop("soa-version", v)),
            prop("soa-sha256", evident_model::hash::soa(&isms.soa).hex()),
        ])
        .set(
            "system-information",
            json!({
                "information-types": [{
                    "uuid": uuids.of(&["information-type", "scope"]),
                    "title": "Information within the scope of the ISMS",
                    "description": format!(
                        "evident does not classify information types; the ISMS scope \
                         statement says what is protected.\n\n{}",
                        scope(inputs)
                    ),
                }]
            }),
        )
        .set("status", json!({ "state": "operational" }))
        .set(
            "authorization-boundary",
            json!({ "description": scope(inputs) }),
        )
        .build()
}

fn implementation(inputs: &Inputs, uuids: &Uuids) -> Value {
    let isms = inputs.isms;
    let mut components = vec![
        Obj::new()
            .set("uuid", common::this_system(uuids))
            .set("type", "this-system")
            .set(
                "title",
                line_or(&isms.organisation.name, "The organisation"),
            )
            .set("description", scope(inputs))
            .set("status", json!({ "state": "operational" }))
            .build(),
    ];
    components.extend(isms.sources.iter().map(|source| {
        let mut props = vec![
            prop("collector", &source.collector),
            source
                .schedule
                .and_then(|s| prop("schedule", &s.to_string())),
        ];
        props.extend(source.controls.iter().map(|c| prop("control", &c.id)));
        let manual = source.collector == "manual";
        Obj::new()
            .set("uuid", common::source_component(uuids, &source.name))
            .set(
                "type",
                if manual {
                    "process-procedure"
                } else {
                    "service"
                },
            )
            .set("title", line_or(&source.name, "evidence source"))
            .set(
                "description",
                format!(
                    "Evidence source `{}`, collected by the `{}` collector.",
                    source.name, source.collector
                ),
            )
            .set("purpose", "Provides evidence that controls operate")
            .props(props)
            .set("status", json!({ "state": "operational" }))
            .build()
    }));
    let mut leveraged = Vec::new();
    for vendor in &isms.vendors {
        let authorization = assurance(inputs, vendor).and_then(|doc| {
            leveraged_authorization(uuids, vendor, doc).map(|value| {
                let id = value["uuid"].as_str().map(String::from);
                leveraged.push(value);
                id
            })
        });
        components.push(vendor_component(
            inputs,
            uuids,
            vendor,
            authorization.flatten(),
        ));
    }
    let users: Vec<Value> = isms
        .owners
        .iter()
        .map(|owner| {
            Obj::new()
                .set("uuid", uuids.of(&["user", &owner.id]))
                .set("title", line_or(&owner.name, &owner.id))
                .opt("short-name", line(&owner.id))
                .props([common::oscal_prop("type", "internal")])
                .list(
                    "role-ids",
                    owner
                        .roles
                        .iter()
                        .map(|r| Value::from(ids::token(r)))
                        .collect(),
                )
                .build()
        })
        .collect();
    Obj::new()
        .list("leveraged-authorizations", leveraged)
        .set("components", Value::Array(components))
        .list("users", users)
        .build()
}

/// The assurance document of a vendor the organisation relies on at `at`
/// (valid, and reviewed by then): an unreviewed report validates nothing.
fn assurance<'v>(inputs: &Inputs, vendor: &'v Vendor) -> Option<&'v AssuranceDocument> {
    vendor.relied_assurance(date_of(inputs.at))
}

/// The vendor's assurance as a leveraged authorization: the organisation
/// relies on the provider's audited controls, authorised by its review.
fn leveraged_authorization(
    uuids: &Uuids,
    vendor: &Vendor,
    doc: &AssuranceDocument,
) -> Option<Value> {
    let kind = serde_json::to_value(doc.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_else(|| "other".to_string());
    let authorized = common::date(doc.reviewed_on.unwrap_or(doc.issued))?;
    Some(
        Obj::new()
            .set("uuid", uuids.of(&["leveraged-authorization", &vendor.id]))
            .set(
                "title",
                line_or(
                    &format!("{} ({kind}): {}", vendor.name, doc.scope),
                    &vendor.id,
                ),
            )
            .props([
                prop("assurance-kind", &kind),
                common::date(doc.issued).and_then(|d| prop("issued", &d)),
                common::date(doc.expires).and_then(|d| prop("expires", &d)),
                doc.document.as_deref().and_then(|d| prop("document", d)),
                doc.reviewed_by
                    .as_ref()
                    .and_then(|r| prop("reviewed-by", &r.id)),
            ])
            .set("party-uuid", common::vendor_party(uuids, &vendor.id))
            .set("date-authorized", authorized)
            .build(),
    )
}

fn vendor_component(
    inputs: &Inputs,
    uuids: &Uuids,
    vendor: &Vendor,
    authorization: Option<String>,
) -> Value {
    let mut description = format!("Services of {}", line_or(&vendor.name, &vendor.id));
    let services: Vec<String> = vendor.services.iter().filter_map(|s| line(s)).collect();
    if !services.is_empty() {
        description.push_str(": ");
        description.push_str(&services.join(", "));
    }
    description.push('.');
    if let Some(boundary) = vendor.boundary.as_deref().and_then(line) {
        description.push_str("\n\nResponsibility boundary: ");
        description.push_str(&boundary);
    }
    let mut props = vec![
        prop("vendor", &vendor.id),
        authorization.and_then(|a| oscal_prop("leveraged-authorization-uuid", &a)),
    ];
    props.extend(vendor.covers.iter().map(|(r, _)| prop("covers", &r.id)));
    Obj::new()
        .set("uuid", common::vendor_component(uuids, &vendor.id))
        .set("type", "service")
        .set("title", line_or(&vendor.name, &vendor.id))
        .set("description", description)
        .props(props)
        .set("status", json!({ "state": "operational" }))
        .list(
            "responsible-roles",
            [
                Some(json!({
                    "role-id": PROVIDER,
                    "party-uuids": [common::vendor_party(uuids, &vendor.id)],
                })),
                owner_role(
                    inputs,
                    uuids,
                    SUPPLIER_MANAGER,
                    vendor.owner.as_ref().map(|o| o.id.as_str()),
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
        )
        .build()
}

fn control_implementation(inputs: &Inputs, uuids: &Uuids, posture: &Posture) -> Value {
    let version = inputs
        .isms
        .soa
        .version
        .as_deref()
        .and_then(line)
        .map(|v| format!(" (version {v})"))
        .unwrap_or_default();
    let requirements: Vec<Value> = posture
        .applicable
        .iter()
        .map(|annex| implemented_requirement(inputs, uuids, posture, annex))
        .collect();
    let description = format!(
        "One implemented requirement per Annex A control the Statement of \
         Applicability{version} includes; excluded controls are not listed. Each \
         names the organisation's controls that satisfy it, who runs them and the \
         status evident derived from their evidence as of {}.",
        datetime(inputs.at)
    );
    Obj::new()
        .set("description", description)
        // `implemented-requirements` must not be empty: with nothing
        // applicable yet the plan says so in its description, and the
        // schema leaves no way to list nothing.
        .set(
            "implemented-requirements",
            if requirements.is_empty() {
                vec![json!({
                    "uuid": uuids.of(&["implemented-requirement", "none"]),
                    "control-id": ids::control_id("A.5.1"),
                    "props": [{
                        "name": "status",
                        "ns": PROPERTY_NAMESPACE,
                        "value": "not-decided",
                    }],
                    "remarks": "The Statement of Applicability includes no Annex A control yet.",
                })]
            } else {
                requirements
            },
        )
        .build()
}

fn implemented_requirement(
    inputs: &Inputs,
    uuids: &Uuids,
    posture: &Posture,
    annex: &AnnexControl,
) -> Value {
    let mut owners: Vec<&str> = annex
        .controls
        .iter()
        .filter_map(|c| c.owner.as_ref().map(|o| o.id.as_str()))
        .filter(|o| inputs.isms.owners.iter().any(|d| d.id == *o))
        .collect();
    owners.sort_unstable();
    owners.dedup();
    let parties: Vec<Value> = owners
        .iter()
        .map(|o| Value::from(common::owner_party(uuids, o)))
        .collect();
    let by_components: Vec<Value> = annex
        .controls
        .iter()
        .flat_map(|c| by_components(inputs, uuids, posture, annex.id, c))
        .collect();
    Obj::new()
        .set("uuid", uuids.of(&["implemented-requirement", annex.id]))
        .set("control-id", ids::control_id(annex.id))
        .props([
            oscal_prop("label", annex.id),
            prop("status", annex.status.as_str()),
            prop("implementation-state", implementation_state(annex.status)),
        ])
        .list(
            "responsible-roles",
            if parties.is_empty() {
                Vec::new()
            } else {
                vec![json!({ "role-id": CONTROL_OWNER, "party-uuids": parties })]
            },
        )
        .list("by-components", by_components)
        .opt(
            "remarks",
            annex
                .controls
                .is_empty()
                .then_some("No control of the organisation satisfies it yet."),
        )
        .build()
}

/// How one control satisfies the requirement: on the organisation's
/// component for what it runs itself, on the vendor's component for what
/// the provider runs (inherited), both for a shared control.
fn by_components(
    inputs: &Inputs,
    uuids: &Uuids,
    posture: &Posture,
    requirement: &str,
    control: &Control,
) -> Vec<Value> {
    let status = (control.lifecycle == Lifecycle::Implemented)
        .then(|| posture.assessment(&control.id).map(|a| a.status))
        .flatten();
    let state = match (control.lifecycle, status) {
        (Lifecycle::Implemented, Some(s)) => implementation_state(s),
        _ => "planned",
    };
    let provider = control
        .responsibility
        .provider()
        .and_then(|p| inputs.isms.vendors.iter().find(|v| v.id == p.id));
    let boundary = control
        .boundary
        .as_deref()
        .and_then(line)
        .unwrap_or_else(|| "The responsibility boundary is not documented.".to_string());
    let key = |part: &str| uuids.of(&["by-component", requirement, &control.id, part]);
    let base = |component: String, part: &str| {
        Obj::new()
            .set("uuid", key(part))
            .set("component-uuid", component)
            .set("description", describe(control))
            .props([
                prop("control", &control.id),
                prop("responsibility", control.responsibility.as_str()),
                lifecycle(control.lifecycle).and_then(|l| prop("lifecycle", l)),
                status.and_then(|s| prop("status", s.as_str())),
                control
                    .due
                    .and_then(common::date)
                    .and_then(|d| prop("due", &d)),
            ])
            .set(
                "implementation-status",
                Obj::new()
                    .set("state", state)
                    .opt("remarks", status.map(status_remarks))
                    .build(),
            )
            .list(
                "responsible-roles",
                owner_role(
                    inputs,
                    uuids,
                    CONTROL_OWNER,
                    control.owner.as_ref().map(|o| o.id.as_str()),
                )
                .into_iter()
                .collect(),
            )
    };
    let organisation = common::this_system(uuids);
    match (&control.responsibility, provider) {
        (Responsibility::Inherited { .. }, Some(vendor)) => vec![
            base(common::vendor_component(uuids, &vendor.id), "provider")
                .set(
                    "inherited",
                    json!([{
                        "uuid": key("inherited"),
                        "description": format!(
                            "Inherited from {}: {boundary}",
                            line_or(&vendor.name, &vendor.id)
                        ),
                    }]),
                )
                .build(),
        ],
        (Responsibility::Shared { .. }, Some(vendor)) => vec![
            base(organisation, "organisation")
                .set(
                    "satisfied",
                    json!([{
                        "uuid": key("satisfied"),
                        "description": format!(
                            "The organisation's part of a control shared with {}: {boundary}",
                            line_or(&vendor.name, &vendor.id)
                        ),
                    }]),
                )
                .build(),
            base(common::vendor_component(uuids, &vendor.id), "provider")
                .set(
                    "inherited",
                    json!([{
                        "uuid": key("inherited"),
                        "description": format!(
                            "The part {} runs: {boundary}",
                            line_or(&vendor.name, &vendor.id)
                        ),
                    }]),
                )
                .build(),
        ],
        (Responsibility::Owned, _) => vec![base(organisation, "organisation").build()],
        // A provider that is not named, or not in vendors.yaml, has no
        // component: the organisation answers for the control
        // (`unvalidated-inherited-control` reports the gap).
        _ => vec![
            base(organisation, "organisation")
                .set(
                    "remarks",
                    "The provider is not named in vendors.yaml; the organisation answers for it.",
                )
                .build(),
        ],
    }
}

/// The control in the organisation's words.
fn describe(control: &Control) -> String {
    let title = line_or(&control.title, &control.id);
    match control.description.trim() {
        "" => format!("{}: {title}.", control.id),
        text => format!("{}: {title}.\n\n{text}", control.id),
    }
}

fn lifecycle(lifecycle: Lifecycle) -> Option<&'static str> {
    Some(match lifecycle {
        Lifecycle::Planned => "planned",
        Lifecycle::Implemented => "implemented",
        Lifecycle::Retired => "retired",
    })
}

/// Why a derived status maps to the OSCAL state it does.
fn status_remarks(status: ControlStatus) -> String {
    let why = match status {
        ControlStatus::Effective => "fresh evidence, and every check over it passes",
        ControlStatus::Failing => "a check over its evidence fails or could not be evaluated",
        ControlStatus::Stale => "its newest evidence is older than the required freshness",
        ControlStatus::Missing => "no evidence shows that it runs",
        ControlStatus::NotApplicable => "the Statement of Applicability excludes it",
    };
    format!("evident status: {} ({why}).", status.as_str())
}
