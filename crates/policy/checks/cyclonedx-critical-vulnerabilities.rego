# METADATA
# title: Serious vulnerabilities in an SBOM have a recorded analysis
# description: >-
#   Every vulnerability of a severity in severities that a CycloneDX SBOM or
#   VEX document records has been analysed to a conclusion: not affected
#   (with its justification), false positive, or resolved. A vulnerability
#   without an analysis, still in triage, or exploitable without a
#   resolution is open. The severity is the highest of the ratings; where
#   the ratings give only a CVSS score, it is banded as in CVSS (9.0 and
#   above critical, 7.0 high).
# custom:
#   id: cyclonedx-critical-vulnerabilities
#   formats: [cyclonedx]
#   requirements: [A.8.8]
#   parameters:
#     severities: [critical, high]
package evident.checks.cyclonedx_critical_vulnerabilities

closed_states := {"not_affected", "false_positive", "resolved", "resolved_with_pedigree"}

judged := {s | some s in data.evident.parameters.severities}

severity(v) := v.severity if is_string(v.severity)

severity(v) := "critical" if {
	not is_string(v.severity)
	v.score >= 9
}

severity(v) := "high" if {
	not is_string(v.severity)
	v.score >= 7
	v.score < 9
}

components := {c.bom_ref: c | some c in input.components; is_string(c.bom_ref)}

# The described component can be affected too.
affected_name(ref) := sprintf("%s %s", [c.name, c.version]) if {
	c := components[ref]
} else := sprintf("%s %s", [input.metadata.component.name, input.metadata.component.version]) if {
	input.metadata.component.bom_ref == ref
} else := sprintf("%v", [ref])

affected(v) := concat(", ", sort({affected_name(ref) | some ref in v.affects})) if {
	count(v.affects) > 0
} else := "an unnamed component"

state(v) := v.analysis.state if is_string(v.analysis.state)

open_reason(v) := "has no analysis" if not state(v)

open_reason(v) := "is still in triage" if state(v) == "in_triage"

open_reason(v) := "is analysed as exploitable and not resolved" if state(v) == "exploitable"

open_reason(v) := sprintf("has the analysis state %s, which is not a conclusion", [state(v)]) if {
	not state(v) in closed_states
	not state(v) in {"in_triage", "exploitable"}
}

sbom := sprintf("%s %s", [input.metadata.component.name, input.metadata.component.version]) if {
	is_string(input.metadata.component.name)
	is_string(input.metadata.component.version)
} else := input.metadata.component.name if {
	is_string(input.metadata.component.name)
} else := sprintf("SBOM %v", [input.serial_number])

deny contains msg if {
	some v in input.vulnerabilities
	severity(v) in judged
	reason := open_reason(v)
	msg := sprintf("%s: %s (%s) in %s %s", [sbom, v.id, severity(v), affected(v), reason])
}
