//! Kubernetes RBAC: ClusterRoleBindings and RoleBindings, as one object, a
//! `kind: List` (what `kubectl get … -o yaml|json` prints), a typed list
//! (`ClusterRoleBindingList`, what the API returns, whose items carry no
//! `kind`), or a multi-document YAML stream; `rbac.authorization.k8s.io/v1`
//! and the older `v1beta1` / `v1alpha1`.
//!
//! Shape (the document also has `"format"`; see `FORMATS.md`):
//!
//! `kubernetes-rbac-bindings`: `{ bindings: [{ api_version, kind, name,
//! namespace, created, labels, annotations, role_ref: { api_group, kind,
//! name }, subjects: [{ kind, name, namespace, api_group }] }] }`. Objects
//! of other kinds in a list or stream are not part of the document.
//! `kind` values keep Kubernetes' spelling (`ClusterRoleBinding`, `User`,
//! `Group`, `ServiceAccount`). The `last-applied-configuration` annotation
//! (a copy of the object) is left out.

use serde_json::{Map, Value};

use crate::value::{Obj, Res, doc, index};

/// Format id of RBAC bindings.
pub const RBAC_BINDINGS: &str = "kubernetes-rbac-bindings";

const BINDING_KINDS: &[&str] = &["ClusterRoleBinding", "RoleBinding"];
const LIST_KINDS: &[&str] = &["ClusterRoleBindingList", "RoleBindingList"];
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn is_binding(m: &Map<String, Value>) -> bool {
    m.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| BINDING_KINDS.contains(&k))
        && m.get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("rbac.authorization.k8s.io/"))
}

/// Whether an object is an RBAC binding, a list of them, or a `List`
/// holding at least one.
pub(crate) fn is_rbac_map(m: &Map<String, Value>) -> bool {
    match m.get("kind").and_then(Value::as_str) {
        Some(k) if LIST_KINDS.contains(&k) => true,
        Some("List") => m
            .get("items")
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().filter_map(Value::as_object).any(is_binding)),
        _ => is_binding(m),
    }
}

/// Whether a (YAML) document is an RBAC object or list.
pub(crate) fn is_rbac_object(v: &Value) -> bool {
    v.as_object().is_some_and(is_rbac_map)
}

/// The bindings of a stream of documents (one for JSON).
pub(crate) fn bindings(documents: &[Value]) -> Res<Value> {
    let mut out = Vec::new();
    for (d, document) in documents.iter().enumerate() {
        let prefix = if documents.len() > 1 {
            format!("document {}: ", d + 1)
        } else {
            String::new()
        };
        collect(document, &mut out).map_err(|e| format!("{prefix}{e}"))?;
    }
    Ok(doc([
        ("format", Value::from(RBAC_BINDINGS)),
        ("bindings", Value::Array(out)),
    ]))
}

fn collect(document: &Value, out: &mut Vec<Value>) -> Res<()> {
    let Some(map) = document.as_object() else {
        return Ok(());
    };
    let o = Obj::new(document, "")?;
    let kind = o.str("kind")?;
    match kind {
        Some(k) if BINDING_KINDS.contains(&k) && is_binding(map) => out.push(binding(o, None)?),
        Some(k) if LIST_KINDS.contains(&k) || k == "List" => {
            // A typed list's items carry no kind: it is the list's, less "List".
            let defaults = LIST_KINDS.contains(&k).then(|| {
                (
                    k.trim_end_matches("List").to_string(),
                    map.get("apiVersion")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                )
            });
            let items = o.arr("items")?;
            for (i, item) in items.iter().enumerate() {
                let path = index("items", i);
                let item = Obj::new(item, &path)?;
                let item_kind = item.str("kind")?;
                let wanted = match (&defaults, item_kind) {
                    (_, Some(k)) => BINDING_KINDS.contains(&k),
                    (Some(_), None) => true,
                    (None, None) => false,
                };
                if wanted {
                    out.push(binding(item, defaults.as_ref())?);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn binding(b: Obj<'_>, defaults: Option<&(String, String)>) -> Res<Value> {
    let api_version = match b.string("apiVersion")? {
        Value::Null => defaults.map_or(Value::Null, |(_, a)| Value::from(a.as_str())),
        given => given,
    };
    let kind = match b.string("kind")? {
        Value::Null => defaults.map_or(Value::Null, |(k, _)| Value::from(k.as_str())),
        given => given,
    };
    let (name, namespace, created, labels, annotations) = b
        .with("metadata", |m| {
            let mut annotations = match m.get("annotations") {
                Some(Value::Object(a)) => a.clone(),
                Some(other) => {
                    return Err(m.error(
                        "annotations",
                        format_args!("expected an object, found {}", crate::value::kind(other)),
                    ));
                }
                None => Map::new(),
            };
            annotations.remove(LAST_APPLIED);
            let labels = match m.get("labels") {
                Some(Value::Object(l)) => Value::Object(l.clone()),
                Some(other) => {
                    return Err(m.error(
                        "labels",
                        format_args!("expected an object, found {}", crate::value::kind(other)),
                    ));
                }
                None => Value::Object(Map::new()),
            };
            Ok((
                m.string("name")?,
                m.string("namespace")?,
                m.time("creationTimestamp")?,
                labels,
                Value::Object(annotations),
            ))
        })?
        .ok_or_else(|| b.error("metadata", "missing"))?;
    let role_ref = b
        .with("roleRef", |r| {
            let kind = r.string("kind")?;
            let name = r.string("name")?;
            if kind.is_null() || name.is_null() {
                return Err(format!("`{}`: needs `kind` and `name`", r.path()));
            }
            Ok(doc([
                ("api_group", r.string("apiGroup")?),
                ("kind", kind),
                ("name", name),
            ]))
        })?
        .ok_or_else(|| b.error("roleRef", "missing"))?;
    let subjects = b.each("subjects", |s| {
        let kind = s.string("kind")?;
        if kind.is_null() {
            return Err(s.error("kind", "missing"));
        }
        // v1alpha1 subjects named an apiVersion instead of an apiGroup.
        let api_group = match s.string("apiGroup")? {
            Value::Null => s.str("apiVersion")?.map_or(Value::Null, |v| {
                Value::from(v.rsplit_once('/').map_or("", |(g, _)| g))
            }),
            given => given,
        };
        Ok(doc([
            ("kind", kind),
            ("name", s.string("name")?),
            ("namespace", s.string("namespace")?),
            ("api_group", api_group),
        ]))
    })?;
    Ok(doc([
        ("api_version", api_version),
        ("kind", kind),
        ("name", name),
        ("namespace", namespace),
        ("created", created),
        ("labels", labels),
        ("annotations", annotations),
        ("role_ref", role_ref),
        ("subjects", Value::Array(subjects)),
    ]))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_error};

    #[test]
    fn bindings() {
        check(
            "kubernetes/kubernetes_bootstrappolicy_cluster-role-bindings.yaml",
            "kubernetes-rbac-bindings.bootstrappolicy-v1beta1-list",
        );
        check(
            "kubernetes/kube-state-metrics_cluster-role-binding.yaml",
            "kubernetes-rbac-bindings.kube-state-metrics",
        );
        check(
            "kubernetes/evident_cluster-admin-to-user_v1-and-v1beta1.yaml",
            "kubernetes-rbac-bindings.evident-cluster-admin-users",
        );
        check(
            "kubernetes/evident_rolebinding-list_api.json",
            "kubernetes-rbac-bindings.evident-typed-list-json",
        );
    }

    #[test]
    fn errors() {
        check_error(
            b"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: x\nroleRef:\n  kind: ClusterRole\nsubjects:\n- name: alice\n",
            "kubernetes-rbac-bindings",
            "`roleRef`: needs `kind` and `name`",
        );
        check_error(
            b"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: x\nroleRef:\n  kind: ClusterRole\n  name: admin\nsubjects:\n- name: alice\n",
            "kubernetes-rbac-bindings",
            "`subjects[0].kind`: missing",
        );
        check_error(
            b"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: [x\n",
            "kubernetes-rbac-bindings",
            "invalid YAML at line 4, column 9: unclosed bracket '['",
        );
    }
}
