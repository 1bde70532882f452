# METADATA
# title: Databases are not publicly accessible
# description: >-
#   No RDS instance, Aurora cluster instance or Redshift cluster is
#   `publicly_accessible`: such a database gets an address reachable from
#   the internet, and only its security group and password stand between it
#   and anyone. Reads a plan (resources as they will be after apply) or a
#   state; a value not known until apply is reported as a warning.
# custom:
#   id: terraform-public-databases
#   formats: [terraform-plan, terraform-state]
#   requirements: [A.8.20]
package evident.checks.terraform_public_databases

database_types := {"aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster"}

deny contains msg if {
	some r in resources
	r.type in database_types
	object.get(r.values, "publicly_accessible", null) == true
	msg := sprintf("%s is publicly accessible (publicly_accessible = true)", [r.address])
}

# In a plan, an attribute computed from another resource is unknown
# (absent from `after`, true in `after_unknown`).
warn contains msg if {
	some r in resources
	r.type in database_types
	object.get(r.unknown, "publicly_accessible", false) == true
	msg := sprintf("%s: publicly_accessible is not known until apply", [r.address])
}

# The managed resources the document describes, in either format: for a
# plan, each resource as it will be after apply (resources being destroyed
# or forgotten have no `after` and are left out); for a state, as it is.
resources := array.concat(
	[r |
		input.format == "terraform-plan"
		some c in input.resource_changes
		c.mode == "managed"
		is_object(c.after)
		r := {"address": c.address, "type": c.type, "values": c.after, "unknown": object_or_empty(c.after_unknown)}
	],
	[r |
		input.format == "terraform-state"
		some s in input.resources
		s.mode == "managed"
		is_object(s.values)
		r := {"address": s.address, "type": s.type, "values": s.values, "unknown": {}}
	],
)
object_or_empty(x) := x if is_object(x) else := {}
