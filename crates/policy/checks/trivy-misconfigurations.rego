# METADATA
# title: No serious misconfigurations in scanned infrastructure code
# description: >-
#   Trivy's misconfiguration scan (Terraform, CloudFormation, Kubernetes
#   manifests, Dockerfiles, Helm charts…) reports no failed check of
#   severity min_severity or above, so the configuration about to be
#   deployed keeps the organisation's secure baseline. Failures below that
#   severity, and checks Trivy reports as passed or exempted, are not
#   judged.
# custom:
#   id: trivy-misconfigurations
#   formats: [trivy-json]
#   requirements: [A.8.9]
#   parameters:
#     min_severity: high
package evident.checks.trivy_misconfigurations

rank := {"unknown": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

threshold := rank[lower(data.evident.parameters.min_severity)]

where(m) := sprintf("%s lines %v-%v", [m.target, m.start_line, m.end_line]) if {
	m.start_line != null
	m.end_line != null
	m.start_line != m.end_line
} else := sprintf("%s line %v", [m.target, m.start_line]) if {
	m.start_line != null
} else := m.target

resource(m) := sprintf(" (%s)", [m.resource]) if {
	is_string(m.resource)
	m.resource != ""
} else := ""

deny contains msg if {
	some m in input.misconfigurations
	m.status == "fail"
	rank[m.severity] >= threshold
	msg := sprintf("%s: %s (%s) in %s%s: %s: %s", [input.artifact_name, m.id, m.severity, where(m), resource(m), m.title, m.message])
}

deny contains msg if {
	not threshold
	msg := sprintf("parameter min_severity %v is not one of low, medium, high, critical", [data.evident.parameters.min_severity])
}
