# METADATA
# title: The root user is not used
# description: >-
#   Neither the root user's password nor any of its access keys was used in
#   the last `max_days_since_use` days. Root is for the few tasks only it can
#   do and for break-glass; regular use means privileged work is done with
#   an identity that cannot be restricted or attributed to a person.
# custom:
#   id: aws-iam-root-recent-use
#   formats: [aws-iam-credential-report]
#   requirements: [A.8.2]
#   parameters:
#     max_days_since_use: 90
package evident.checks.aws_iam_root_recent_use

day_ns := ((24 * 60) * 60) * 1000000000

max_days := n if {
	n := data.evident.parameters.max_days_since_use
	is_number(n)
	n >= 0
}

# A missing, mistyped or negative parameter must not turn the check into a
# silent pass.
deny contains msg if {
	not max_days
	msg := "parameter max_days_since_use must be a number of days (0 or more)"
}

deny contains msg if {
	some u in input.users
	u.is_root == true
	recent(u.password_last_used)
	msg := sprintf(
		"root account %s signed in with its password on %s, within the last %v days",
		[account(u), u.password_last_used, max_days],
	)
}

deny contains msg if {
	some u in input.users
	u.is_root == true
	some k in u.access_keys
	recent(k.last_used)
	msg := sprintf(
		"root account %s used access key %v on %s, within the last %v days",
		[account(u), k.slot, k.last_used, max_days],
	)
}

# Exactly `max_days` ago is no longer recent. A use later than "now"
# (evidence newer than the evaluation time) is recent.
recent(ts) if {
	is_string(ts)
	data.evident.now_ns - time.parse_rfc3339_ns(ts) < max_days * day_ns
}

# The account id is the fifth field of the root ARN
# (arn:aws:iam::111122223333:root); the report's user name for root,
# <root_account>, is the same in every account.
account(u) := parts[4] if {
	is_string(u.arn)
	parts := split(u.arn, ":")
	count(parts) > 4
	parts[4] != ""
} else := u.user
