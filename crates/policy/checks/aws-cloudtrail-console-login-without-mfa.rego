# METADATA
# title: Console sign-ins use MFA
# description: >-
#   Every successful AWS console sign-in by an identity of a type in
#   `identity_types` (IAM users and the root user by default) used MFA.
#   Federated sign-ins (SAML, IAM Identity Center) are left out by default:
#   their MFA happens at the identity provider and CloudTrail records them as
#   without MFA. Unlike the credential report, which says whether a device is
#   registered, this shows whether sign-ins really used one.
# custom:
#   id: aws-cloudtrail-console-login-without-mfa
#   formats: [aws-cloudtrail-records]
#   requirements: [A.8.5]
#   parameters:
#     identity_types: [IAMUser, Root]
package evident.checks.aws_cloudtrail_console_login_without_mfa

identity_types := t if {
	t := data.evident.parameters.identity_types
	is_array(t)
}

# A missing or mistyped parameter must not turn the check into a silent pass.
deny contains msg if {
	not identity_types
	msg := "parameter identity_types must be a list of CloudTrail identity types (IAMUser, Root, AssumedRole, …)"
}

# `mfa_used` is null when the record has no MFAUsed: absence is not
# evidence of MFA.
deny contains msg if {
	some r in input.records
	r.event_name == "ConsoleLogin"
	r.console_login.result == "success"
	r.console_login.mfa_used != true
	r.user_identity.type in identity_types
	msg := sprintf("%s signed in to the console without MFA at %s from %s", [who(r), r.event_time, origin(r)])
}

who(r) := sprintf("root account %s", [r.user_identity.account_id]) if {
	r.user_identity.type == "Root"
	is_string(r.user_identity.account_id)
} else := sprintf("user %s", [r.user_identity.user_name]) if {
	is_string(r.user_identity.user_name)
} else := sprintf("%s %s", [r.user_identity.type, r.user_identity.arn]) if {
	is_string(r.user_identity.arn)
} else := sprintf("an unnamed %s", [r.user_identity.type])

origin(r) := r.source_ip_address if is_string(r.source_ip_address) else := "an unrecorded address"
