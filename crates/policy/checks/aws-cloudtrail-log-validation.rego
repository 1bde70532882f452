# METADATA
# title: CloudTrail log file validation is on
# description: >-
#   Every CloudTrail trail has log file integrity validation enabled:
#   CloudTrail then delivers signed digest files, so a log file changed or
#   deleted after delivery can be detected (`aws cloudtrail
#   validate-logs`). Without it, logs are no evidence that nothing was
#   hidden.
# custom:
#   id: aws-cloudtrail-log-validation
#   formats: [aws-cloudtrail-trails]
#   requirements: [A.8.15]
package evident.checks.aws_cloudtrail_log_validation

# An absent flag is normalised to false: unknown counts as off.
deny contains msg if {
	some t in input.trails
	t.log_file_validation_enabled != true
	msg := sprintf("trail %s does not validate its log files", [describe(t)])
}

describe(t) := sprintf("%s (%s)", [name(t), t.home_region]) if is_string(t.home_region) else := name(t)

name(t) := t.name if is_string(t.name) else := t.arn
