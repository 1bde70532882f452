# METADATA
# title: Okta accounts in use are not left dormant
# description: >-
#   No enabled Okta account (active, locked out, in password recovery or
#   with an expired password) has gone without a sign-in for more than
#   max_inactive_days, and none activated longer ago than that has never
#   signed in: dormant accounts are access nobody needs any more, and are
#   what an attacker looks for. Accounts in exempt_logins (break-glass
#   accounts, reviewed by other means) are not judged. An account with
#   neither a sign-in nor an activation or creation time fails, since its
#   age cannot be shown.
# custom:
#   id: okta-inactive-users
#   formats: [okta-users]
#   requirements: [A.5.18]
#   parameters:
#     max_inactive_days: 90
#     exempt_logins: []
package evident.checks.okta_inactive_users

enabled := {"active", "locked_out", "recovery", "password_expired"}

day_ns := ((24 * 60) * 60) * 1000000000

exempt := {lower(l) | some l in data.evident.parameters.exempt_logins}

max_days := data.evident.parameters.max_inactive_days

name(u) := u.login if is_string(u.login) else := u.id

judged contains u if {
	some u in input.users
	u.status in enabled
	not lower(name(u)) in exempt
}

days_since(t) := floor((data.evident.now_ns - time.parse_rfc3339_ns(t)) / day_ns)

# When the account became usable: its activation, else its creation.
start(u) := u.activated if is_string(u.activated) else := u.created if is_string(u.created)

deny contains msg if {
	some u in judged
	is_string(u.last_login)
	days := days_since(u.last_login)
	days > max_days
	msg := sprintf("user %s (%s) last signed in %d days ago (%s), beyond the %v-day limit", [name(u), u.status, days, u.last_login, max_days])
}

deny contains msg if {
	some u in judged
	u.last_login == null
	days := days_since(start(u))
	days > max_days
	msg := sprintf("user %s (%s) has never signed in since it was activated %d days ago (%s), beyond the %v-day limit", [name(u), u.status, days, start(u), max_days])
}

deny contains msg if {
	some u in judged
	u.last_login == null
	not start(u)
	msg := sprintf("user %s (%s) has never signed in and has no activation or creation time, so its age is unknown", [name(u), u.status])
}
