# METADATA
# title: Inactive IAM users lose their credentials
# description: >-
#   No IAM user keeps a console password or an active access key after
#   `max_inactive_days` days without signing in or using a key. Unused
#   credentials are access nobody needs: people who left or changed role,
#   retired integrations. A user created less than `max_inactive_days` days
#   ago who has not used its credentials yet is fine. The root user is judged
#   by the root checks instead.
# custom:
#   id: aws-iam-inactive-users
#   formats: [aws-iam-credential-report]
#   requirements: [A.5.18, A.5.16]
#   parameters:
#     max_inactive_days: 90
package evident.checks.aws_iam_inactive_users

day_ns := ((24 * 60) * 60) * 1000000000

max_days := n if {
	n := data.evident.parameters.max_inactive_days
	is_number(n)
	n >= 0
}

# A missing, mistyped or negative parameter must not turn the check into a
# silent pass.
deny contains msg if {
	not max_days
	msg := "parameter max_inactive_days must be a number of days (0 or more)"
}

deny contains msg if {
	some u in input.users
	u.is_root != true
	holds_credentials(u)
	is_string(u.last_activity)
	older_than_limit(u.last_activity)
	msg := sprintf(
		"user %s has not signed in or used an access key since %s, more than %v days ago, but still has %s",
		[u.user, u.last_activity, max_days, credentials(u)],
	)
}

# Never used: `last_activity` is null (the report says N/A, or
# no_information for passwords unused since before AWS tracked them).
deny contains msg if {
	some u in input.users
	u.is_root != true
	holds_credentials(u)
	u.last_activity == null
	created_before_limit(u)
	msg := sprintf(
		"user %s has never signed in or used an access key since it was created on %s, more than %v days ago, but still has %s",
		[u.user, created(u), max_days, credentials(u)],
	)
}

holds_credentials(u) if u.password_enabled == true

holds_credentials(u) if {
	some k in u.access_keys
	k.active == true
}

older_than_limit(ts) if data.evident.now_ns - time.parse_rfc3339_ns(ts) > max_days * day_ns

# Without a creation time the user cannot be shown to be new.
created_before_limit(u) if not is_string(u.user_creation_time)

created_before_limit(u) if {
	is_string(u.user_creation_time)
	older_than_limit(u.user_creation_time)
}

created(u) := u.user_creation_time if is_string(u.user_creation_time) else := "an unknown date"

credentials(u) := concat(" and ", array.concat(password(u), keys(u)))

password(u) := ["a console password"] if u.password_enabled == true else := []

keys(u) := [phrase] if {
	n := count([k | some k in u.access_keys; k.active == true])
	n > 0
	phrase := key_phrase(n)
} else := []

key_phrase(1) := "an active access key"

key_phrase(n) := sprintf("%v active access keys", [n]) if n > 1
