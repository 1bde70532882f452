# METADATA
# title: No activity by the root user
# description: >-
#   The CloudTrail records contain no event performed with the root user's
#   credentials: no console sign-in, no API call. Every root use is
#   privileged, unattributable to a person and should be rare enough to be
#   explained one by one. Events AWS services perform on the account's
#   behalf are not root activity; failed console sign-ins as root are
#   reported as warnings (someone tried, nobody got in).
# custom:
#   id: aws-cloudtrail-root-activity
#   formats: [aws-cloudtrail-records]
#   requirements: [A.8.2, A.8.16]
package evident.checks.aws_cloudtrail_root_activity

# The same filter as the CIS AWS Foundations Benchmark's root-usage alarm:
# identity type Root, not invoked by an AWS service, not a service event.
root_events contains r if {
	some r in input.records
	r.user_identity.type == "Root"
	r.user_identity.invoked_by == null
	r.event_type != "AwsServiceEvent"
}

deny contains msg if {
	some r in root_events
	not failed_sign_in(r)
	msg := sprintf(
		"root account %s was used: %s (%s) at %s from %s",
		[account(r), r.event_name, r.event_source, r.event_time, origin(r)],
	)
}

warn contains msg if {
	some r in root_events
	failed_sign_in(r)
	msg := sprintf("failed console sign-in as root account %s at %s from %s", [account(r), r.event_time, origin(r)])
}

failed_sign_in(r) if r.console_login.result == "failure"

account(r) := r.user_identity.account_id if {
	is_string(r.user_identity.account_id)
} else := r.recipient_account_id if {
	is_string(r.recipient_account_id)
} else := "(unknown)"

origin(r) := r.source_ip_address if is_string(r.source_ip_address) else := "an unrecorded address"
