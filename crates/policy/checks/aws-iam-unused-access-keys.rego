# METADATA
# title: Unused access keys are deactivated
# description: >-
#   No active IAM access key goes unused for more than `max_unused_days`
#   days: neither a key used once and then forgotten, nor a key never used
#   since it was created more than `max_unused_days` days ago. An unused
#   active key is a standing credential nobody needs (the CIS AWS
#   Foundations Benchmark uses 45 days). Deactivated keys are not judged.
# custom:
#   id: aws-iam-unused-access-keys
#   formats: [aws-iam-credential-report]
#   requirements: [A.5.18, A.5.17]
#   parameters:
#     max_unused_days: 45
package evident.checks.aws_iam_unused_access_keys

day_ns := ((24 * 60) * 60) * 1000000000

max_days := n if {
	n := data.evident.parameters.max_unused_days
	is_number(n)
	n >= 0
}

# A missing, mistyped or negative parameter must not turn the check into a
# silent pass.
deny contains msg if {
	not max_days
	msg := "parameter max_unused_days must be a number of days (0 or more)"
}

deny contains msg if {
	some u in input.users
	some k in u.access_keys
	k.active == true
	is_string(k.last_used)
	older_than_limit(k.last_used)
	msg := sprintf(
		"access key %v of %s was last used on %s, more than %v days ago, and is still active",
		[k.slot, who(u), k.last_used, max_days],
	)
}

# A key's last rotation date is its creation date: AWS does not rotate a key
# in place, a rotation creates a new key.
deny contains msg if {
	some u in input.users
	some k in u.access_keys
	k.active == true
	k.last_used == null
	created_before_limit(k)
	msg := sprintf(
		"access key %v of %s has never been used since it was created on %s, more than %v days ago, and is still active",
		[k.slot, who(u), created(k), max_days],
	)
}

older_than_limit(ts) if data.evident.now_ns - time.parse_rfc3339_ns(ts) > max_days * day_ns

# Without a creation date the key cannot be shown to be new.
created_before_limit(k) if not is_string(k.last_rotated)

created_before_limit(k) if {
	is_string(k.last_rotated)
	older_than_limit(k.last_rotated)
}

created(k) := k.last_rotated if is_string(k.last_rotated) else := "an unknown date"

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
