//! Okta: users (`GET /api/v1/users`, an array, or `GET /api/v1/users/{id}`,
//! one user).
//!
//! Shape (the document also has `"format"`; see `FORMATS.md`):
//!
//! `okta-users`: `{ users: [{ id, status, transitioning_to_status, login,
//! email, first_name, last_name, display_name, type_id, provider_type,
//! provider_name, created, activated, status_changed, last_login,
//! last_updated, password_changed, profile }] }`. `status` is lowercase
//! (`staged`, `provisioned`, `active`, `recovery`, `password_expired`,
//! `locked_out`, `suspended`, `deprovisioned`); `profile` is kept verbatim
//! (its attributes are the organisation's schema). Links and credentials
//! other than the provider are left out.

use serde_json::{Map, Value};

use crate::value::{Obj, Res, doc, each_item};

/// Format id of Okta users.
pub const USERS: &str = "okta-users";

/// Whether an object is an Okta user.
pub(crate) fn looks_like_user(m: &Map<String, Value>) -> bool {
    m.contains_key("id")
        && m.contains_key("status")
        && m.get("profile")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key("login"))
}

/// An array of users or one user.
pub(crate) fn users(v: &Value) -> Res<Value> {
    let users = match v {
        Value::Array(items) => each_item(items, "", user)?,
        _ => vec![user(Obj::new(v, "")?)?],
    };
    Ok(doc([
        ("format", Value::from(USERS)),
        ("users", Value::Array(users)),
    ]))
}

fn user(u: Obj<'_>) -> Res<Value> {
    let profile = u
        .get("profile")
        .ok_or_else(|| u.error("profile", "missing"))?;
    let profile_path = u.member("profile");
    let p = Obj::new(profile, &profile_path)?;
    let (provider_type, provider_name) = u
        .with("credentials", |c| {
            Ok(
                c.with("provider", |p| Ok((p.lower("type")?, p.string("name")?)))?
                    .unwrap_or_default(),
            )
        })?
        .unwrap_or_default();
    Ok(doc([
        ("id", u.string("id")?),
        ("status", u.lower("status")?),
        ("transitioning_to_status", u.lower("transitioningToStatus")?),
        ("login", p.string("login")?),
        ("email", p.string("email")?),
        ("first_name", p.string("firstName")?),
        ("last_name", p.string("lastName")?),
        ("display_name", p.string("displayName")?),
        (
            "type_id",
            u.with("type", |t| t.string("id"))?.unwrap_or(Value::Null),
        ),
        ("provider_type", provider_type),
        ("provider_name", provider_name),
        ("created", u.time("created")?),
        ("activated", u.time("activated")?),
        ("status_changed", u.time("statusChanged")?),
        ("last_login", u.time("lastLogin")?),
        ("last_updated", u.time("lastUpdated")?),
        ("password_changed", u.time("passwordChanged")?),
        ("profile", profile.clone()),
    ]))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_error};

    #[test]
    fn users() {
        check(
            "okta/okta-auth-js_user.json",
            "okta-users.okta-auth-js-user",
        );
        check(
            "okta/derived_list-users_array.json",
            "okta-users.derived-list",
        );
        check(
            "okta/evident_list-users_deprovisioned.json",
            "okta-users.evident-deprovisioned",
        );
    }

    #[test]
    fn errors() {
        check_error(
            br#"[{"id": "00u1", "status": "ACTIVE", "profile": {"login": "a@example.com"}, "lastLogin": true}]"#,
            "okta-users",
            "`[0].lastLogin`: expected a timestamp, found a boolean",
        );
    }
}
