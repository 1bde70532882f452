//! Terraform: plans (`terraform show -json PLANFILE`) and state (state files
//! version 4, and `terraform show -json` of a state).
//!
//! Shapes (every document also has `"format"`; see `FORMATS.md`):
//!
//! - `terraform-plan`: `{ format_version, terraform_version, timestamp,
//!   errored, applyable, complete, variables: { name: value },
//!   resource_changes: [{ address, module_address, mode, type, name, index,
//!   provider, actions, action, action_reason, before, after, after_unknown,
//!   references: { "attr.path": [address, …] } }] }`. `action` summarises
//!   `actions`: `create`, `update`, `delete`, `replace`, `read`, `no-op`.
//!   `references` are the configuration's references of each attribute
//!   (`{"bucket": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]}`), made
//!   absolute for resources in modules, so a check can link a bucket to the
//!   separate encryption, ACL or public-access-block resource that names it
//!   even when the bucket id is unknown until apply.
//! - `terraform-state`: `{ format_version, kind, terraform_version, serial,
//!   lineage, outputs: { name: { value, sensitive } }, resources: [{
//!   address, module_address, mode, type, name, index, provider,
//!   provider_config, values, dependencies, status, deposed }] }`; one entry
//!   per instance. `provider` is the provider source address
//!   (`registry.terraform.io/hashicorp/aws`) or, for Terraform 0.12 states
//!   (`"provider": "provider.aws"`), the legacy name (`aws`);
//!   `provider_config` is the state file's own string. `kind` is
//!   `state-file` (`format_version` is the state version, `"4"`) or
//!   `show-json` (`format_version` is the JSON output format's; no serial or
//!   lineage).
//!
//! Values Terraform marks sensitive (`after_sensitive`, `sensitive_values`,
//! `sensitive_attributes`, sensitive outputs, variables declared
//! sensitive) are replaced by the string `"(sensitive)"`, so a normalised
//! document shown to a reviewer never carries a secret; checks still see
//! that a value is set.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::value::{Obj, Res, doc, join};

/// Format id of a Terraform plan.
pub const PLAN: &str = "terraform-plan";
/// Format id of a Terraform state.
pub const STATE: &str = "terraform-state";

/// What replaces a sensitive value.
const SENSITIVE: &str = "(sensitive)";

/// `terraform show -json` of a plan.
pub(crate) fn plan(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let mut references = HashMap::new();
    o.with("configuration", |c| {
        c.with("root_module", |m| {
            collect_references(m, "", &mut references)
        })?;
        Ok(())
    })?;
    let changes = o.each("resource_changes", |r| {
        let address = r
            .str("address")?
            .ok_or_else(|| r.error("address", "missing"))?;
        let (actions, before, after, after_unknown) = r
            .with("change", |c| {
                let mut before = c.raw("before");
                let mut after = c.raw("after");
                redact(&mut before, c.get("before_sensitive"));
                redact(&mut after, c.get("after_sensitive"));
                Ok((c.strings("actions")?, before, after, c.raw("after_unknown")))
            })?
            .ok_or_else(|| r.error("change", "missing"))?;
        let action = summarise(&actions);
        let refs = references
            .get(&without_indices(address))
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        Ok(doc([
            ("address", Value::from(address)),
            ("module_address", r.string("module_address")?),
            ("mode", r.string("mode")?),
            ("type", r.string("type")?),
            ("name", r.string("name")?),
            ("index", r.raw("index")),
            ("provider", r.string("provider_name")?),
            ("actions", actions),
            ("action", action),
            ("action_reason", r.string("action_reason")?),
            ("before", before),
            ("after", after),
            ("after_unknown", after_unknown),
            ("references", refs),
        ]))
    })?;
    // Variables declared `sensitive` keep their value in the plan's
    // `variables`; the configuration says which they are.
    let sensitive_variables = v
        .pointer("/configuration/root_module/variables")
        .and_then(Value::as_object)
        .map(|vars| {
            vars.iter()
                .filter(|(_, decl)| decl.get("sensitive") == Some(&Value::Bool(true)))
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let variables = match o.get("variables") {
        Some(Value::Object(vars)) => Value::Object(
            vars.iter()
                .map(|(name, v)| {
                    let value = v.get("value").cloned().unwrap_or(Value::Null);
                    let value = if sensitive_variables.contains(&name.as_str()) && !value.is_null()
                    {
                        Value::String(SENSITIVE.to_string())
                    } else {
                        value
                    };
                    (name.clone(), value)
                })
                .collect(),
        ),
        _ => Value::Object(Map::new()),
    };
    Ok(doc([
        ("format", Value::from(PLAN)),
        ("format_version", o.text("format_version")?),
        ("terraform_version", o.string("terraform_version")?),
        ("timestamp", o.time("timestamp")?),
        ("errored", o.bool_value("errored")?),
        ("applyable", o.bool_value("applyable")?),
        ("complete", o.bool_value("complete")?),
        ("variables", variables),
        ("resource_changes", Value::Array(changes)),
    ]))
}

/// One word for a list of actions.
fn summarise(actions: &Value) -> Value {
    let list: Vec<&str> = actions
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let word = match list.as_slice() {
        [] => return Value::Null,
        [one] => (*one).to_string(),
        ["delete", "create"] | ["create", "delete"] => "replace".to_string(),
        more => more.join("+"),
    };
    Value::String(word)
}

/// Walks a configuration module: every resource's attribute references,
/// keyed by the resource's absolute address without instance keys.
fn collect_references(module: Obj<'_>, prefix: &str, out: &mut HashMap<String, Value>) -> Res<()> {
    for (i, resource) in module.arr("resources")?.iter().enumerate() {
        let Some(resource) = resource.as_object() else {
            return Err(format!(
                "`{}[{i}]`: expected an object",
                module.member("resources")
            ));
        };
        let Some(address) = resource.get("address").and_then(Value::as_str) else {
            continue;
        };
        let mut refs = Map::new();
        if let Some(expressions) = resource.get("expressions") {
            flatten_references(expressions, "", prefix, &mut refs);
        }
        out.insert(format!("{prefix}{address}"), Value::Object(refs));
    }
    if let Some(Value::Object(calls)) = module.get("module_calls") {
        for (name, call) in calls {
            let path = join(&module.member("module_calls"), name);
            let call = Obj::new(call, &path)?;
            let child_prefix = format!("{prefix}module.{name}.");
            call.with("module", |m| collect_references(m, &child_prefix, out))?;
        }
    }
    Ok(())
}

fn flatten_references(expr: &Value, path: &str, prefix: &str, out: &mut Map<String, Value>) {
    match expr {
        Value::Object(m) if m.contains_key("references") => {
            let refs = m
                .get("references")
                .and_then(Value::as_array)
                .map(|refs| {
                    refs.iter()
                        .filter_map(Value::as_str)
                        .map(|r| Value::String(absolute(r, prefix)))
                        .collect()
                })
                .unwrap_or_default();
            out.insert(path.to_string(), Value::Array(refs));
        }
        Value::Object(m) if m.contains_key("constant_value") => {}
        Value::Object(m) => {
            for (k, v) in m {
                flatten_references(v, &join(path, k), prefix, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten_references(v, &join(path, &i.to_string()), prefix, out);
            }
        }
        _ => {}
    }
}

/// A reference made absolute: resources, data sources and module outputs
/// referenced inside a module get the module's prefix.
fn absolute(reference: &str, prefix: &str) -> String {
    const LOCAL: &[&str] = &[
        "var.",
        "local.",
        "each.",
        "count.",
        "path.",
        "terraform.",
        "self.",
    ];
    if prefix.is_empty() || LOCAL.iter().any(|l| reference.starts_with(l)) {
        reference.to_string()
    } else {
        format!("{prefix}{reference}")
    }
}

/// An address without its instance keys: `module.a["x"].aws_s3_bucket.b[0]`
/// becomes `module.a.aws_s3_bucket.b`.
fn without_indices(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else if c == '[' {
                depth += 1;
            } else if c == ']' {
                depth -= 1;
            }
        } else if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces the parts of `value` that `mask` marks `true` by [`SENSITIVE`].
fn redact(value: &mut Value, mask: Option<&Value>) {
    match (mask, value) {
        (Some(Value::Bool(true)), v) if !v.is_null() => *v = Value::String(SENSITIVE.to_string()),
        (Some(Value::Object(mask)), Value::Object(values)) => {
            for (k, m) in mask {
                if let Some(v) = values.get_mut(k) {
                    redact(v, Some(m));
                }
            }
        }
        (Some(Value::Array(mask)), Value::Array(values)) => {
            for (v, m) in values.iter_mut().zip(mask) {
                redact(v, Some(m));
            }
        }
        _ => {}
    }
}

/// Redacts one `sensitive_attributes` path of a state v4 instance
/// (`[{"type": "get_attr", "value": "password"}, {"type": "index", …}]`).
fn redact_path(value: &mut Value, steps: &[Value]) {
    let Some((step, rest)) = steps.split_first() else {
        if !value.is_null() {
            *value = Value::String(SENSITIVE.to_string());
        }
        return;
    };
    let key = step.get("value");
    let next = match (step.get("type").and_then(Value::as_str), key) {
        (Some("get_attr"), Some(Value::String(k))) => value.get_mut(k.as_str()),
        (Some("index"), Some(index)) => match index.get("value") {
            Some(Value::String(k)) => value.get_mut(k.as_str()),
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| value.get_mut(i)),
            _ => None,
        },
        _ => None,
    };
    if let Some(next) = next {
        redact_path(next, rest);
    }
}

/// A state file (version 4), or `terraform show -json` of a state.
pub(crate) fn state(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    if o.has("values") && o.has("format_version") {
        return shown_state(o);
    }
    match o.u64("version")? {
        Some(4) => {}
        Some(n) => {
            return Err(format!(
                "`version`: state version {n} is not supported (only version 4, written by Terraform 0.12 and later)"
            ));
        }
        None => return Err("`version`: missing".to_string()),
    }
    let mut resources = Vec::new();
    for (ri, r) in o.arr("resources")?.iter().enumerate() {
        let rpath = format!("resources[{ri}]");
        let r = Obj::new(r, &rpath)?;
        let mode = r.str("mode")?.unwrap_or("managed");
        let kind = r.str("type")?.ok_or_else(|| r.error("type", "missing"))?;
        let name = r.str("name")?.ok_or_else(|| r.error("name", "missing"))?;
        let module = r.str("module")?;
        let provider_config = r.str("provider")?;
        let base = format!(
            "{}{}{kind}.{name}",
            module.map(|m| format!("{m}.")).unwrap_or_default(),
            if mode == "data" { "data." } else { "" }
        );
        r.each("instances", |i| {
            let index = i.raw("index_key");
            let address = match &index {
                Value::Null => base.clone(),
                Value::String(s) => format!("{base}[{}]", Value::String(s.clone())),
                other => format!("{base}[{other}]"),
            };
            let mut values = match i.get("attributes") {
                Some(a @ Value::Object(_)) => a.clone(),
                Some(other) => {
                    return Err(i.error(
                        "attributes",
                        format_args!("expected an object, found {}", crate::value::kind(other)),
                    ));
                }
                None => i.raw("attributes_flat"),
            };
            for (k, path) in i.arr("sensitive_attributes")?.iter().enumerate() {
                match path {
                    Value::Array(steps) => redact_path(&mut values, steps),
                    Value::String(pointer) => {
                        if let Some(v) = values.pointer_mut(pointer) {
                            *v = Value::String(SENSITIVE.to_string());
                        }
                    }
                    other => {
                        return Err(format!(
                            "`{}[{k}]`: expected a path, found {}",
                            i.member("sensitive_attributes"),
                            crate::value::kind(other)
                        ));
                    }
                }
            }
            resources.push(doc([
                ("address", Value::String(address)),
                ("module_address", module.map_or(Value::Null, Value::from)),
                ("mode", Value::from(mode)),
                ("type", Value::from(kind)),
                ("name", Value::from(name)),
                ("index", index),
                (
                    "provider",
                    provider_config.map_or(Value::Null, |p| Value::String(provider_source(p))),
                ),
                (
                    "provider_config",
                    provider_config.map_or(Value::Null, Value::from),
                ),
                ("values", values),
                ("dependencies", i.strings("dependencies")?),
                ("status", i.string("status")?),
                ("deposed", i.string("deposed")?),
            ]));
            Ok(())
        })?;
    }
    Ok(doc([
        ("format", Value::from(STATE)),
        ("format_version", Value::from("4")),
        ("kind", Value::from("state-file")),
        ("terraform_version", o.string("terraform_version")?),
        ("serial", o.number("serial")?),
        ("lineage", o.string("lineage")?),
        ("outputs", outputs(o.get("outputs"), "outputs")?),
        ("resources", Value::Array(resources)),
    ]))
}

/// Outputs with sensitive values redacted.
fn outputs(v: Option<&Value>, path: &str) -> Res<Value> {
    let mut out = Map::new();
    match v {
        None => {}
        Some(Value::Object(map)) => {
            for (name, output) in map {
                let p = join(path, name);
                let o = Obj::new(output, &p)?;
                let sensitive = o.bool("sensitive")?.unwrap_or(false);
                let value = if sensitive {
                    Value::String(SENSITIVE.to_string())
                } else {
                    o.raw("value")
                };
                out.insert(
                    name.clone(),
                    doc([("value", value), ("sensitive", Value::Bool(sensitive))]),
                );
            }
        }
        Some(other) => {
            return Err(format!(
                "`{path}`: expected an object, found {}",
                crate::value::kind(other)
            ));
        }
    }
    Ok(Value::Object(out))
}

/// The provider source address in a state's provider string:
/// `provider["registry.terraform.io/hashicorp/aws"]` (with an optional
/// module prefix and alias) gives the address; the legacy
/// `provider.aws` / `module.m.provider.aws.alias` gives `aws`.
fn provider_source(config: &str) -> String {
    let at = config.find("provider[\"").map(|i| i + "provider[\"".len());
    if let Some(start) = at
        && let Some(len) = config[start..].find("\"]")
    {
        return config[start..start + len].to_string();
    }
    let legacy = config
        .rfind("provider.")
        .map_or(config, |i| &config[i + "provider.".len()..]);
    legacy.split('.').next().unwrap_or(legacy).to_string()
}

/// `terraform show -json` of a state: `values.root_module` with
/// `child_modules`.
fn shown_state(o: Obj<'_>) -> Res<Value> {
    let mut resources = Vec::new();
    o.with("values", |values| {
        values.with("root_module", |m| shown_module(m, &mut resources))?;
        Ok(())
    })?;
    let outputs = o.with("values", |values| {
        outputs(values.get("outputs"), &values.member("outputs"))
    })?;
    Ok(doc([
        ("format", Value::from(STATE)),
        ("format_version", o.text("format_version")?),
        ("kind", Value::from("show-json")),
        ("terraform_version", o.string("terraform_version")?),
        ("serial", Value::Null),
        ("lineage", Value::Null),
        (
            "outputs",
            outputs.unwrap_or_else(|| Value::Object(Map::new())),
        ),
        ("resources", Value::Array(resources)),
    ]))
}

fn shown_module(m: Obj<'_>, out: &mut Vec<Value>) -> Res<()> {
    let module_address = m.string("address")?;
    let resources = m.each("resources", |r| {
        let mut values = r.raw("values");
        redact(&mut values, r.get("sensitive_values"));
        Ok(doc([
            ("address", r.string("address")?),
            ("module_address", module_address.clone()),
            ("mode", r.string("mode")?),
            ("type", r.string("type")?),
            ("name", r.string("name")?),
            ("index", r.raw("index")),
            ("provider", r.string("provider_name")?),
            ("provider_config", Value::Null),
            ("values", values),
            ("dependencies", r.strings("depends_on")?),
            (
                "status",
                if r.bool("tainted")? == Some(true) {
                    Value::from("tainted")
                } else {
                    Value::Null
                },
            ),
            ("deposed", r.string("deposed_key")?),
        ]))
    })?;
    out.extend(resources);
    let children = m.arr("child_modules")?;
    let base = m.member("child_modules");
    for (i, child) in children.iter().enumerate() {
        let path = format!("{base}[{i}]");
        shown_module(Obj::new(child, &path)?, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{provider_source, without_indices};
    use crate::tests::{check, check_error};

    #[test]
    fn plan() {
        check("iac/trivy_terraform-plan.json", "terraform-plan.trivy");
        check(
            "iac/evident_terraform-plan_failing.json",
            "terraform-plan.evident-failing",
        );
    }

    #[test]
    fn state() {
        check(
            "iac/ecschedule_terraform.tfstate",
            "terraform-state.ecschedule",
        );
        check(
            "iac/evident_terraform-state_v4-modules.tfstate",
            "terraform-state.evident-v4-modules",
        );
        check(
            "iac/evident_terraform-show-state.json",
            "terraform-state.evident-show",
        );
    }

    #[test]
    fn state_errors() {
        check_error(
            br#"{"version": 3, "terraform_version": "0.11.14", "serial": 1, "lineage": "x", "modules": []}"#,
            "terraform-state",
            "`version`: state version 3 is not supported (only version 4, written by Terraform 0.12 and later)",
        );
        check_error(
            br#"{"version": 4, "lineage": "x", "resources": [{"mode": "managed", "type": "aws_s3_bucket", "name": "b", "instances": [{"attributes": []}]}]}"#,
            "terraform-state",
            "`resources[0].instances[0].attributes`: expected an object, found an array",
        );
        check_error(
            b"{\"format_version\": \"1.2\", \"resource_changes\": [{\"address\": \"a.b\", \"change\": {\"actions\": \"create\"}}, ]}",
            "terraform-plan",
            "invalid JSON at line 1, column 101: trailing comma",
        );
    }

    #[test]
    fn addresses_and_providers() {
        assert_eq!(
            without_indices(r#"module.a["x]"].aws_s3_bucket.b[0]"#),
            "module.a.aws_s3_bucket.b"
        );
        assert_eq!(without_indices("aws_s3_bucket.b"), "aws_s3_bucket.b");
        assert_eq!(
            provider_source(r#"provider["registry.terraform.io/hashicorp/aws"]"#),
            "registry.terraform.io/hashicorp/aws"
        );
        assert_eq!(
            provider_source(r#"module.m.provider["registry.terraform.io/hashicorp/aws"].west"#),
            "registry.terraform.io/hashicorp/aws"
        );
        assert_eq!(provider_source("provider.aws"), "aws");
        assert_eq!(provider_source("module.m.provider.aws.west"), "aws");
        assert_eq!(
            super::summarise(&json!(["delete", "create"])),
            json!("replace")
        );
        assert_eq!(super::summarise(&json!(["no-op"])), json!("no-op"));
    }
}
