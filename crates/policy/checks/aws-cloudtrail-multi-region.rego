# METADATA
# title: A CloudTrail trail records every region
# description: >-
#   At least one CloudTrail trail is a multi-region trail, so API activity in
#   every region, including regions nobody uses on purpose (where an attacker
#   would start instances), is logged. Pair it with aws-cloudtrail-logging:
#   a trail that exists but is stopped logs nothing.
# custom:
#   id: aws-cloudtrail-multi-region
#   formats: [aws-cloudtrail-trails]
#   requirements: [A.8.15]
package evident.checks.aws_cloudtrail_multi_region

deny contains "no CloudTrail trail is configured" if count(input.trails) == 0

deny contains msg if {
	count(input.trails) > 0
	not some_multi_region_trail
	single := concat(", ", sort([describe(t) | some t in input.trails]))
	msg := sprintf("no CloudTrail trail records every region (single-region trails: %s)", [single])
}

some_multi_region_trail if {
	some t in input.trails
	t.is_multi_region_trail == true
}

describe(t) := sprintf("%s (%s)", [name(t), t.home_region]) if is_string(t.home_region) else := name(t)

name(t) := t.name if is_string(t.name) else := t.arn
