# METADATA
# title: Only approved PostgreSQL roles are superusers
# description: >-
#   No role that can log in is a superuser, bypasses row-level security, or
#   can become a superuser by SET ROLE (a direct member of a superuser role)
#   unless it is in allowed_superusers. Superusers skip every permission
#   check, so they are privileged access to be granted by name. Managed
#   services keep their own administrator roles (rdsadmin on Amazon RDS,
#   cloudsqladmin on Cloud SQL): add them to allowed_superusers. Membership
#   is followed one level; a role that reaches a superuser role through
#   another group role is not reported.
# custom:
#   id: postgres-superusers
#   formats: [postgres-security]
#   requirements: [A.8.2]
#   parameters:
#     allowed_superusers: [postgres]
package evident.checks.postgres_superusers

allowed := {name | some name in data.evident.parameters.allowed_superusers}

superuser_roles := {r.rolname | some r in input.roles; r.rolsuper == true}

# Login roles that are not allowed; a role that cannot log in is only
# reachable through one that can, and that one is reported.
login_roles contains r if {
	some r in input.roles
	r.rolcanlogin == true
	not r.rolname in allowed
}

deny contains msg if {
	some r in login_roles
	r.rolsuper == true
	msg := sprintf("login role %s in the PostgreSQL server of database %s is a superuser and is not in allowed_superusers", [r.rolname, input.current_database])
}

deny contains msg if {
	some r in login_roles
	r.rolsuper != true
	r.rolbypassrls == true
	msg := sprintf("login role %s in the PostgreSQL server of database %s bypasses row-level security (BYPASSRLS) and is not in allowed_superusers", [r.rolname, input.current_database])
}

login_roles_by_name := {r.rolname: r | some r in login_roles}

deny contains msg if {
	some m in input.memberships
	m.role in superuser_roles
	r := login_roles_by_name[m.member]
	r.rolsuper != true
	msg := sprintf("login role %s in the PostgreSQL server of database %s can become superuser %s by SET ROLE (it is a member) and is not in allowed_superusers", [r.rolname, input.current_database, m.role])
}
