# METADATA
# title: No secrets in scanned code or images
# description: >-
#   Trivy's secret scanner found no credential, key or token in the scanned
#   repository, filesystem or image, where anyone who can read the artefact
#   could use it. A secret found must be revoked, not only removed: it stays
#   in the history and in every copy. Accepted false positives belong in
#   Trivy's own allow rules (trivy-secret.yaml), where they are reviewed.
# custom:
#   id: trivy-secrets
#   formats: [trivy-json]
#   requirements: [A.8.12]
package evident.checks.trivy_secrets

deny contains msg if {
	some s in input.secrets
	msg := sprintf("%s: secret %s (%s, %s) in %s line %v", [input.artifact_name, s.rule_id, s.title, s.severity, s.target, s.start_line])
}
