# METADATA
# title: Console users have MFA
# description: >-
#   Every IAM user who can sign in to the AWS Management Console, and the
#   account's root user, has an active MFA device, so a stolen or guessed
#   password alone does not open the account. Users without a console
#   password (access keys only) are not judged here.
# custom:
#   id: aws-iam-console-mfa
#   formats: [aws-iam-credential-report]
#   requirements: [A.8.5]
package evident.checks.aws_iam_console_mfa

# The report says `not_supported` for the root user's password (normalised
# to null), yet root can always sign in with a password or reset one, so
# root is judged whatever that column says.
deny contains msg if {
	some u in input.users
	u.is_root == true
	u.mfa_active != true
	msg := sprintf("root account %s has no MFA device", [account(u)])
}

deny contains msg if {
	some u in input.users
	u.is_root != true
	u.password_enabled == true
	u.mfa_active != true
	msg := sprintf("user %s can sign in to the console without MFA", [u.user])
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
