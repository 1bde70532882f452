# METADATA
# title: PostgreSQL stores passwords as SCRAM-SHA-256
# description: >-
#   The PostgreSQL server hashes new passwords with SCRAM-SHA-256
#   (password_encryption), not MD5, whose hashes are weak and can be
#   replayed as the password itself against md5 authentication. The
#   setting applies to passwords set from now on: passwords stored before a
#   change keep their MD5 hash until they are set again, and the collector
#   cannot see the stored hashes. A setting the collecting role could not
#   read is a failure.
# custom:
#   id: postgres-password-encryption
#   formats: [postgres-security]
#   requirements: [A.8.5]
package evident.checks.postgres_password_encryption

server := sprintf("the PostgreSQL server of database %s", [input.current_database])

# Settings that are not an object read as unreadable (fail closed).
settings := input.settings if is_object(input.settings) else := {}

value := object.get(settings, "password_encryption", null)

deny contains msg if {
	value == null
	msg := sprintf("%s: password_encryption could not be read, so how passwords are stored is unknown", [server])
}

deny contains msg if {
	is_string(value)
	lower(value) != "scram-sha-256"
	msg := sprintf("%s hashes new passwords with %s, not scram-sha-256 (password_encryption)", [server, value])
}
