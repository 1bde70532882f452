# METADATA
# title: CloudTrail logs are encrypted with KMS
# description: >-
#   Every CloudTrail trail encrypts its log files with a KMS key (SSE-KMS).
#   The default S3 encryption protects against lost disks only; with a KMS
#   key, reading the logs also needs permission on the key, which keeps the
#   audit trail from everyone who merely has read access to the bucket.
# custom:
#   id: aws-cloudtrail-encrypted
#   formats: [aws-cloudtrail-trails]
#   requirements: [A.8.24, A.8.15]
package evident.checks.aws_cloudtrail_encrypted

deny contains msg if {
	some t in input.trails
	t.encrypted != true
	msg := sprintf("trail %s does not encrypt its log files with a KMS key", [describe(t)])
}

describe(t) := sprintf("%s (%s)", [name(t), t.home_region]) if is_string(t.home_region) else := name(t)

name(t) := t.name if is_string(t.name) else := t.arn
