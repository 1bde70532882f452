# METADATA
# title: The root user has no access keys
# description: >-
#   The account's root user has no active access key. Root keys carry every
#   permission in the account, cannot be limited by IAM policies and are
#   easily leaked from scripts and CI settings; day-to-day and automated work
#   belongs to IAM roles or users with scoped permissions.
# custom:
#   id: aws-iam-root-access-keys
#   formats: [aws-iam-credential-report]
#   requirements: [A.8.2]
package evident.checks.aws_iam_root_access_keys

deny contains msg if {
	some u in input.users
	u.is_root == true
	some k in u.access_keys
	k.active == true
	msg := sprintf("root account %s has an active access key (key %v, %s)", [account(u), k.slot, last_use(k)])
}

# A deactivated key is not a finding, but it can be reactivated by anyone
# who can sign in as root, so it is worth deleting.
warn contains msg if {
	some u in input.users
	u.is_root == true
	some k in u.access_keys
	k.active != true
	msg := sprintf("root account %s keeps a deactivated access key (key %v); delete it", [account(u), k.slot])
}

last_use(k) := sprintf("last used %s", [k.last_used]) if {
	is_string(k.last_used)
} else := "never used"

# The account id is the fifth field of the root ARN
# (arn:aws:iam::111122223333:root); the report's user name for root,
# <root_account>, is the same in every account.
account(u) := parts[4] if {
	is_string(u.arn)
	parts := split(u.arn, ":")
	count(parts) > 4
	parts[4] != ""
} else := u.user
