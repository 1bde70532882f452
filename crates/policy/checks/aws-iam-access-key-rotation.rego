# METADATA
# title: Access keys are rotated
# description: >-
#   Every active IAM access key was created (last rotated) at most
#   `rotation_days` days ago. Long-lived keys accumulate in scripts, laptops
#   and CI settings; rotating them bounds how long a leaked key stays
#   useful. Deactivated keys are not judged.
# custom:
#   id: aws-iam-access-key-rotation
#   formats: [aws-iam-credential-report]
#   requirements: [A.5.17]
#   parameters:
#     rotation_days: 90
package evident.checks.aws_iam_access_key_rotation

day_ns := ((24 * 60) * 60) * 1000000000

rotation_days := n if {
	n := data.evident.parameters.rotation_days
	is_number(n)
	n >= 0
}

# A missing, mistyped or negative parameter must not turn the check into a
# silent pass.
deny contains msg if {
	not rotation_days
	msg := "parameter rotation_days must be a number of days (0 or more)"
}

deny contains msg if {
	some u in input.users
	some k in u.access_keys
	k.active == true
	is_string(k.last_rotated)
	data.evident.now_ns - time.parse_rfc3339_ns(k.last_rotated) > rotation_days * day_ns
	msg := sprintf(
		"access key %v of %s was last rotated on %s, more than %v days ago",
		[k.slot, who(u), k.last_rotated, rotation_days],
	)
}

# AWS always dates an active key; an active key without a date cannot be
# shown to be within the limit.
deny contains msg if {
	some u in input.users
	some k in u.access_keys
	k.active == true
	not is_string(k.last_rotated)
	msg := sprintf("access key %v of %s is active but the report gives no rotation date", [k.slot, who(u)])
}

who(u) := sprintf("root account %s", [account(u)]) if {
	u.is_root == true
} else := sprintf("user %s", [u.user])

# The account id is the fifth field of the root ARN
# (arn:aws:iam::111122223333:root); the report's user name for root,
# <root_account>, is the same in every account.
account(u) := parts[4] if {
	is_string(u.arn)
	parts := split(u.arn, ":")
	count(parts) > 4
	parts[4] != ""
} else := u.user
