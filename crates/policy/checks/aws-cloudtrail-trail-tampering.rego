# METADATA
# title: Nobody stops or deletes CloudTrail trails
# description: >-
#   The CloudTrail records contain no successful StopLogging or DeleteTrail:
#   turning the audit trail off is the first thing an intruder does, and
#   should never be routine. Changes that can narrow what a trail records
#   (UpdateTrail, PutEventSelectors) and failed attempts to stop or delete a
#   trail are reported as warnings, to be explained.
# custom:
#   id: aws-cloudtrail-trail-tampering
#   formats: [aws-cloudtrail-records]
#   requirements: [A.8.15, A.8.16]
package evident.checks.aws_cloudtrail_trail_tampering

disabling := {"StopLogging", "DeleteTrail"}

narrowing := {"UpdateTrail", "PutEventSelectors"}

deny contains msg if {
	some r in trail_events
	r.event_name in disabling
	r.error_code == null
	msg := sprintf("%s on %s by %s at %s", [r.event_name, trail(r), who(r), r.event_time])
}

warn contains msg if {
	some r in trail_events
	r.event_name in disabling
	r.error_code != null
	msg := sprintf("attempted %s (%s) on %s by %s at %s", [r.event_name, r.error_code, trail(r), who(r), r.event_time])
}

warn contains msg if {
	some r in trail_events
	r.event_name in narrowing
	r.error_code == null
	msg := sprintf("%s on %s by %s at %s", [r.event_name, trail(r), who(r), r.event_time])
}

trail_events contains r if {
	some r in input.records
	r.event_source == "cloudtrail.amazonaws.com"
}

# The request names the trail by name or ARN (`requestParameters.name`,
# `trailName` for event selectors); request parameters are verbatim.
trail(r) := sprintf("trail %s", [name]) if {
	name := object.get(r, ["request_parameters", "name"], null)
	is_string(name)
} else := sprintf("trail %s", [name]) if {
	name := object.get(r, ["request_parameters", "trailName"], null)
	is_string(name)
} else := "a trail"

who(r) := r.user_identity.arn if {
	is_string(r.user_identity.arn)
} else := sprintf("%s %s", [r.user_identity.type, r.user_identity.user_name]) if {
	is_string(r.user_identity.user_name)
} else := "an unrecorded identity"
