# METADATA
# title: CloudTrail is logging and delivering
# description: >-
#   The trail is logging, and its latest deliveries of log files and digest
#   files to S3 and of events to CloudWatch Logs did not fail. A stopped
#   trail, or one whose bucket or key policy rejects CloudTrail, records
#   nothing while its configuration still looks right. A failed SNS
#   notification is reported as a warning.
# custom:
#   id: aws-cloudtrail-logging
#   formats: [aws-cloudtrail-trail-status]
#   requirements: [A.8.15]
package evident.checks.aws_cloudtrail_logging

# `get-trail-status` does not name the trail; the evidence item's source
# does.
deny contains msg if {
	input.is_logging != true
	msg := sprintf("the trail is not logging%s", [stopped(input.stop_logging_time)])
}

deny contains msg if {
	some field, what in {
		"latest_delivery_error": "log files to S3",
		"latest_digest_delivery_error": "digest files to S3",
		"latest_cloud_watch_logs_delivery_error": "events to CloudWatch Logs",
	}
	failed(input[field])
	msg := sprintf("the trail's latest delivery of %s failed: %s", [what, input[field]])
}

warn contains msg if {
	failed(input.latest_notification_error)
	msg := sprintf("the trail's latest SNS notification failed: %s", [input.latest_notification_error])
}

failed(e) if {
	is_string(e)
	trim_space(e) != ""
}

stopped(t) := sprintf(" (stopped at %s)", [t]) if is_string(t) else := ""
