# METADATA
# title: Only approved subjects hold cluster-admin in Kubernetes
# description: >-
#   No user, group or service account outside allowed_subjects is bound to
#   a role in roles (by default cluster-admin, which can do anything): not
#   by a ClusterRoleBinding (the whole cluster) nor by a RoleBinding (full
#   control of a namespace, its secrets included). Administrators should
#   reach such rights through an approved group or a just-in-time role, not
#   through standing personal bindings. Service accounts are named as
#   Kubernetes authenticates them, system:serviceaccount:NAMESPACE:NAME.
#   system:masters is the group Kubernetes itself binds to cluster-admin.
# custom:
#   id: kubernetes-cluster-admin-users
#   formats: [kubernetes-rbac-bindings]
#   requirements: [A.8.2]
#   parameters:
#     roles: [cluster-admin]
#     allowed_subjects: [system:masters]
package evident.checks.kubernetes_cluster_admin_users

allowed := {s | some s in data.evident.parameters.allowed_subjects}

privileged := {r | some r in data.evident.parameters.roles}

# The name Kubernetes authenticates a subject as.
subject_name(s) := sprintf("system:serviceaccount:%s:%s", [s.namespace, s.name]) if {
	s.kind == "ServiceAccount"
	is_string(s.namespace)
}

subject_name(s) := sprintf("system:serviceaccount:%s:%s", [namespace, s.name]) if {
	s.kind == "ServiceAccount"
	not is_string(s.namespace)
	namespace := "(no namespace)"
}

subject_name(s) := s.name if s.kind != "ServiceAccount"

scope(b) := "cluster-wide" if b.kind == "ClusterRoleBinding"

scope(b) := sprintf("in namespace %s", [b.namespace]) if b.kind == "RoleBinding"

deny contains msg if {
	some b in input.bindings
	b.role_ref.kind == "ClusterRole"
	b.role_ref.name in privileged
	some s in b.subjects
	name := subject_name(s)
	not name in allowed
	msg := sprintf("%s %s binds %s %s to %s %s", [b.kind, binding_name(b), kind_word(s), name, b.role_ref.name, scope(b)])
}

kind_word(s) := "service account" if s.kind == "ServiceAccount" else := lower(s.kind) if is_string(s.kind) else := "subject"

binding_name(b) := sprintf("%s/%s", [b.namespace, b.name]) if b.kind == "RoleBinding"

binding_name(b) := b.name if b.kind != "RoleBinding"
