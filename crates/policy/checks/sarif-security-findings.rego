# METADATA
# title: Code scans report no serious open findings
# description: >-
#   A static analysis or scanner report in SARIF (CodeQL, Semgrep, Trivy,
#   Checkov, and any other SARIF 2.1.0 tool) has no open finding that is an
#   error, or whose security severity is min_severity or above (GitHub's
#   buckets of the rule's security-severity score). Suppressed findings
#   (with an accepted suppression, which records the justification),
#   results of kind pass or not applicable, and findings whose baseline
#   state is absent (fixed since the last scan) are not open. A run whose
#   tool reports that it did not complete fails too: its silence is not
#   evidence of clean code.
# custom:
#   id: sarif-security-findings
#   formats: [sarif]
#   requirements: [A.8.28]
#   parameters:
#     min_severity: high
package evident.checks.sarif_security_findings

rank := {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

threshold := rank[lower(data.evident.parameters.min_severity)]

open contains r if {
	some r in input.results
	r.kind == "fail"
	r.suppressed != true
	r.baseline_state != "absent"
}

serious(r) if r.level == "error"

serious(r) if rank[r.severity] >= threshold

where(r) := sprintf("%s:%v", [loc.uri, loc.start_line]) if {
	loc := r.locations[0]
	is_string(loc.uri)
	loc.start_line != null
} else := loc.uri if {
	loc := r.locations[0]
	is_string(loc.uri)
} else := "no location"

grade(r) := sprintf("%s, %s", [r.severity, r.level]) if is_string(r.severity) else := r.level

# The first line: tools such as Trivy write several.
first_line(text) := split(text, "\n")[0] if is_string(text) else := ""

deny contains msg if {
	some r in open
	serious(r)
	msg := sprintf("%s %s (%s) at %s: %s", [r.tool, r.rule_id, grade(r), where(r), first_line(r.message)])
}

deny contains msg if {
	some run in input.runs
	run.execution_successful == false
	msg := sprintf("%s %v did not complete its analysis, so its results may be incomplete", [run.tool.name, run.tool.version])
}

deny contains msg if {
	not threshold
	msg := sprintf("parameter min_severity %v is not one of low, medium, high, critical", [data.evident.parameters.min_severity])
}
