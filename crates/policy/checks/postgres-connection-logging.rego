# METADATA
# title: PostgreSQL logs connections and disconnections
# description: >-
#   The PostgreSQL server logs every connection and disconnection
#   (log_connections, log_disconnections), so that who used the database,
#   from where and for how long can be reconstructed after an incident.
#   Since PostgreSQL 18 log_connections takes a list of aspects; it counts
#   as on when it includes authentication or authorization, the aspects
#   that name the user. A setting the collecting role could not read is a
#   failure: logging that cannot be shown is not evidenced.
# custom:
#   id: postgres-connection-logging
#   formats: [postgres-security]
#   requirements: [A.8.15]
package evident.checks.postgres_connection_logging

server := sprintf("the PostgreSQL server of database %s", [input.current_database])

# PostgreSQL's spellings of a true boolean.
true_words := {"on", "true", "yes", "1", "t", "y"}

# PostgreSQL 18's log_connections aspects that identify the user.
identifying_aspects := {"authentication", "authorization", "all"}

logs_connections(value) if lower(trim_space(value)) in true_words

logs_connections(value) if {
	some aspect in split(lower(value), ",")
	trim_space(aspect) in identifying_aspects
}

logs_disconnections(value) if lower(trim_space(value)) in true_words

# Settings that are not an object read as unreadable (fail closed).
settings := input.settings if is_object(input.settings) else := {}

setting(name) := object.get(settings, name, null)

deny contains msg if {
	some name in ["log_connections", "log_disconnections"]
	setting(name) == null
	msg := sprintf("%s: %s could not be read, so whether it is logged is unknown", [server, name])
}

deny contains msg if {
	value := setting("log_connections")
	is_string(value)
	not logs_connections(value)
	msg := sprintf("%s does not log connections (log_connections is %q)", [server, value])
}

deny contains msg if {
	value := setting("log_disconnections")
	is_string(value)
	not logs_disconnections(value)
	msg := sprintf("%s does not log disconnections (log_disconnections is %q)", [server, value])
}
