# METADATA
# title: Deprovisioned and suspended Okta users cannot sign in
# description: >-
#   No Okta user who was deprovisioned or suspended signed in after that
#   change, and no deprovisioning is stuck: a user Okta shows as still
#   transitioning to deprovisioned keeps access until it finishes. A
#   transition younger than max_transition_hours is a warning (Okta
#   deprovisions asynchronously); an older one, or one with no time, fails.
#   A deprovisioned or suspended user with a last sign-in but no time of the
#   status change fails too: that the sign-in came before cannot be shown.
# custom:
#   id: okta-deprovisioned-access
#   formats: [okta-users]
#   requirements: [A.5.18]
#   parameters:
#     max_transition_hours: 24
package evident.checks.okta_deprovisioned_access

revoked := {"deprovisioned", "suspended"}

hour_ns := (60 * 60) * 1000000000

name(u) := u.login if is_string(u.login) else := u.id

deny contains msg if {
	some u in input.users
	u.status in revoked
	is_string(u.status_changed)
	is_string(u.last_login)
	u.last_login > u.status_changed
	msg := sprintf("user %s was %s at %s but signed in at %s, after the change", [name(u), u.status, u.status_changed, u.last_login])
}

deny contains msg if {
	some u in input.users
	u.status in revoked
	u.status_changed == null
	is_string(u.last_login)
	msg := sprintf("user %s is %s and last signed in at %s, but the time of the status change is unknown, so the sign-in cannot be shown to precede it", [name(u), u.status, u.last_login])
}

transitioning contains u if {
	some u in input.users
	u.transitioning_to_status == "deprovisioned"
}

hours_since(t) := (data.evident.now_ns - time.parse_rfc3339_ns(t)) / hour_ns

deny contains msg if {
	some u in transitioning
	is_string(u.last_updated)
	hours_since(u.last_updated) > data.evident.parameters.max_transition_hours
	msg := sprintf("user %s (status %s) has been transitioning to deprovisioned since %s, longer than %v hours, and keeps its access meanwhile", [name(u), u.status, u.last_updated, data.evident.parameters.max_transition_hours])
}

deny contains msg if {
	some u in transitioning
	not is_string(u.last_updated)
	msg := sprintf("user %s (status %s) is transitioning to deprovisioned since an unknown time, and keeps its access meanwhile", [name(u), u.status])
}

warn contains msg if {
	some u in transitioning
	is_string(u.last_updated)
	hours_since(u.last_updated) <= data.evident.parameters.max_transition_hours
	msg := sprintf("user %s (status %s) is being deprovisioned (since %s)", [name(u), u.status, u.last_updated])
}
