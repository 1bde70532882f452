# METADATA
# title: SBOMs identify the release and version every component
# description: >-
#   A CycloneDX SBOM is the software inventory of one release: it names the
#   release it describes (metadata.component, with a name and a version),
#   lists its components, and gives a version for each component of the
#   types in versioned_types, without which the inventory cannot be matched
#   against vulnerability advisories or licences. Components of other types
#   (Trivy, for example, groups the packages of each lock file under an
#   application component without a version) need no version.
# custom:
#   id: cyclonedx-sbom-complete
#   formats: [cyclonedx]
#   requirements: [A.5.9]
#   parameters:
#     versioned_types: [library, framework, operating-system, container, firmware]
package evident.checks.cyclonedx_sbom_complete

described := input.metadata.component

present(text) if {
	is_string(text)
	trim_space(text) != ""
}

sbom := sprintf("SBOM of %s %s", [described.name, described.version]) if {
	present(described.name)
	present(described.version)
} else := sprintf("SBOM of %s", [described.name]) if {
	present(described.name)
} else := sprintf("SBOM %s", [input.serial_number]) if {
	present(input.serial_number)
} else := "SBOM without a serial number"

versioned := {t | some t in data.evident.parameters.versioned_types}

deny contains msg if {
	described == null
	msg := sprintf("%s does not name the software it describes (no metadata.component)", [sbom])
}

deny contains msg if {
	described != null
	not present(described.name)
	msg := sprintf("%s: the component it describes has no name", [sbom])
}

deny contains msg if {
	present(described.name)
	not present(described.version)
	msg := sprintf("%s: the component it describes has no version, so the release it inventories is unknown", [sbom])
}

deny contains msg if {
	count(input.components) == 0
	msg := sprintf("%s lists no components", [sbom])
}

deny contains msg if {
	some c in input.components
	c.type in versioned
	not present(c.version)
	msg := sprintf("%s: %s %s has no version", [sbom, c.type, component_name(c)])
}

component_name(c) := sprintf("%s/%s", [c.group, c.name]) if {
	present(c.group)
	present(c.name)
} else := c.name if {
	present(c.name)
} else := sprintf("%v", [c.bom_ref])
