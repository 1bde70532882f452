# METADATA
# title: PostgreSQL accepts encrypted connections only over current TLS
# description: >-
#   The PostgreSQL server has ssl on, so that clients can encrypt their
#   connections, and does not accept TLS versions older than
#   min_protocol_version. A setting the collecting role could not read is a
#   failure: encryption that cannot be shown is not evidenced (grant the
#   role pg_read_all_settings). Whether clients must use TLS is decided by
#   hostssl lines in pg_hba.conf, which the collector does not read; review
#   them beside this check.
# custom:
#   id: postgres-ssl
#   formats: [postgres-security]
#   requirements: [A.8.24]
#   parameters:
#     min_protocol_version: TLSv1.2
package evident.checks.postgres_ssl

# PostgreSQL's spellings of ssl_min_protocol_version, oldest first; the
# empty string means no minimum.
protocol_rank := {"": 0, "TLSv1": 1, "TLSv1.1": 2, "TLSv1.2": 3, "TLSv1.3": 4}

server := sprintf("the PostgreSQL server of database %s", [input.current_database])

# Settings that are not an object read as unreadable (fail closed).
settings := input.settings if is_object(input.settings) else := {}

ssl := object.get(settings, "ssl", null)

min_version := object.get(settings, "ssl_min_protocol_version", null)

deny contains msg if {
	ssl == null
	msg := sprintf("%s: the ssl setting could not be read, so encryption in transit is unknown", [server])
}

deny contains msg if {
	is_string(ssl)
	lower(ssl) != "on"
	msg := sprintf("%s has ssl %s: clients cannot encrypt their connections", [server, ssl])
}

deny contains msg if {
	is_string(ssl)
	lower(ssl) == "on"
	min_version == null
	msg := sprintf("%s: ssl_min_protocol_version could not be read, so the oldest TLS version accepted is unknown", [server])
}

deny contains msg if {
	is_string(ssl)
	lower(ssl) == "on"
	is_string(min_version)
	not protocol_rank[min_version] >= protocol_rank[required_version]
	msg := sprintf("%s accepts TLS versions older than %s (ssl_min_protocol_version is %s)", [server, required_version, shown(min_version)])
}

deny contains msg if {
	not protocol_rank[required_version]
	msg := sprintf("parameter min_protocol_version %v is not one of PostgreSQL's TLS versions (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)", [required_version])
}

required_version := data.evident.parameters.min_protocol_version

shown(version) := version if version != ""

shown(version) := "empty (no minimum)" if version == ""
