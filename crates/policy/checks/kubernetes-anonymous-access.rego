# METADATA
# title: Kubernetes grants nothing to anonymous requests beyond its defaults
# description: >-
#   No binding grants a role to unauthenticated requests (the user
#   system:anonymous or the group system:unauthenticated) other than the
#   roles in allowed_roles: since Kubernetes 1.14 the bootstrap policy gives
#   anonymous requests only system:public-info-viewer (version and health),
#   and kubeadm lets them read the cluster-info ConfigMap in kube-public for
#   node bootstrap (kubeadm:bootstrap-signer-clusterinfo). Older clusters
#   also bound system:discovery and system:basic-user to
#   system:unauthenticated; upgrades keep those bindings, and they expose
#   the API surface to anyone who can reach the server.
# custom:
#   id: kubernetes-anonymous-access
#   formats: [kubernetes-rbac-bindings]
#   requirements: [A.8.5, A.8.2]
#   parameters:
#     allowed_roles: [system:public-info-viewer, kubeadm:bootstrap-signer-clusterinfo]
package evident.checks.kubernetes_anonymous_access

allowed := {r | some r in data.evident.parameters.allowed_roles}

anonymous(s) if {
	s.kind == "User"
	s.name == "system:anonymous"
}

anonymous(s) if {
	s.kind == "Group"
	s.name == "system:unauthenticated"
}

scope(b) := "cluster-wide" if b.kind == "ClusterRoleBinding"

scope(b) := sprintf("in namespace %s", [b.namespace]) if b.kind == "RoleBinding"

binding_name(b) := sprintf("%s/%s", [b.namespace, b.name]) if b.kind == "RoleBinding"

binding_name(b) := b.name if b.kind != "RoleBinding"

deny contains msg if {
	some b in input.bindings
	not b.role_ref.name in allowed
	some s in b.subjects
	anonymous(s)
	msg := sprintf("%s %s grants %s %s %s to %s %s, that is to unauthenticated requests", [b.kind, binding_name(b), b.role_ref.kind, b.role_ref.name, scope(b), lower(s.kind), s.name])
}
