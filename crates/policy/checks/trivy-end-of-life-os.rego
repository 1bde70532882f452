# METADATA
# title: Images do not run an operating system past its end of life
# description: >-
#   The operating system of a scanned image still receives security
#   updates: Trivy marks an OS release past its end of service life (eosl),
#   after which new vulnerabilities in it are no longer fixed, so no
#   remediation SLA can be met. Reports without an OS (repositories,
#   filesystems of language packages) are not judged.
# custom:
#   id: trivy-end-of-life-os
#   formats: [trivy-json]
#   requirements: [A.8.8]
package evident.checks.trivy_end_of_life_os

deny contains msg if {
	os := input.metadata.os
	os.eosl == true
	msg := sprintf("%s runs %s %s, which is past its end of service life and no longer gets security fixes", [input.artifact_name, os.family, os.name])
}
