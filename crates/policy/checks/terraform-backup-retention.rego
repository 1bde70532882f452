# METADATA
# title: Databases keep automated backups long enough
# description: >-
#   Every RDS instance and Aurora cluster keeps automated backups for at
#   least `min_retention_days` days (`backup_retention_period`; 0 turns
#   automated backups and point-in-time recovery off). A configuration that
#   leaves the period to the AWS default (1 day) fails: the retention should
#   be a decision, written down. Read replicas and Aurora cluster members
#   are skipped: their backups are the source's or the cluster's. Reads a
#   plan (resources as they will be after apply) or a state.
# custom:
#   id: terraform-backup-retention
#   formats: [terraform-plan, terraform-state]
#   requirements: [A.8.13]
#   parameters:
#     min_retention_days: 7
package evident.checks.terraform_backup_retention

min_days := n if {
	n := data.evident.parameters.min_retention_days
	is_number(n)
	n >= 0
}

# A missing, mistyped or negative parameter must not turn the check into a
# silent pass.
deny contains msg if {
	not min_days
	msg := "parameter min_retention_days must be a number of days (0 or more)"
}

deny contains msg if {
	some r in databases
	period := object.get(r.values, "backup_retention_period", null)
	period == 0
	min_days > 0
	msg := sprintf("%s has automated backups turned off (backup_retention_period = 0)", [r.address])
}

deny contains msg if {
	some r in databases
	period := object.get(r.values, "backup_retention_period", null)
	is_number(period)
	period > 0
	period < min_days
	msg := sprintf(
		"%s keeps automated backups for %s, less than the minimum of %s",
		[r.address, days(period), days(min_days)],
	)
}

deny contains msg if {
	some r in databases
	not is_number(object.get(r.values, "backup_retention_period", null))
	msg := sprintf("%s leaves backup_retention_period unset (or unknown until apply)", [r.address])
}

days(1) := "1 day"

days(n) := sprintf("%v days", [n]) if n != 1

databases contains r if {
	some r in resources
	r.type == "aws_rds_cluster"
}

databases contains r if {
	some r in resources
	r.type == "aws_db_instance"
	not replica(r)
	not aurora_engine(object.get(r.values, "engine", null))
}

# Aurora instances keep no backups of their own: the cluster does.
aurora_engine(engine) if {
	is_string(engine)
	startswith(engine, "aurora")
}

replica(r) if {
	source := object.get(r.values, "replicate_source_db", null)
	is_string(source)
	source != ""
}

# Set from another resource (`replicate_source_db = aws_db_instance.main.identifier`),
# the source is unknown in a plan until apply, but the configuration says so.
replica(r) if object.get(r.unknown, "replicate_source_db", false) == true

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
