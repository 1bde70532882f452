//! Scanners: Trivy JSON reports, SARIF 2.1.0 logs from any tool, and
//! CycloneDX SBOMs.
//!
//! Findings are flat lists (one entry per finding, carrying its target), so
//! a Rego rule iterates one array. Severities are lowercase (`critical`,
//! `high`, `medium`, `low`, `unknown`).
//!
//! Shapes (every document also has `"format"`; see `FORMATS.md`):
//!
//! - `trivy-json`: `{ format_version, scanner_version, created_at,
//!   artifact_name, artifact_type, metadata: { os: { family, name, eosl },
//!   image_id, repo_tags, repo_digests }, results: [{ target, class, type,
//!   vulnerability_count, misconf_summary: { successes, failures },
//!   secret_count }], vulnerabilities: [{ target, class, type, id, pkg_id, pkg_name,
//!   purl, installed_version, fixed_version, status, severity,
//!   severity_source, title, primary_url, published_date,
//!   last_modified_date, cwe_ids, cvss: { source: { v3_score, v3_vector, …
//!   } }, cvss_score }], misconfigurations: [{ target, class, type,
//!   check_type, id, avd_id, title, message, namespace, resolution,
//!   severity, status, primary_url, resource, provider, service,
//!   start_line, end_line }], secrets: [{ target, rule_id, category,
//!   severity, title, start_line, end_line, match }] }`. `cvss_score` is the
//!   highest CVSS v3 (or v4) base score of any source. A secret's code
//!   excerpt is left out; `match` is Trivy's redacted line.
//! - `sarif`: `{ format_version, runs: [{ tool: { name, version, full_name,
//!   information_uri }, result_count, execution_successful }], results: [{
//!   run, tool, rule_id, rule_name, kind, level, message, security_severity,
//!   severity, tags, locations: [{ uri, start_line, start_column, end_line,
//!   end_column, logical }], suppressed, baseline_state, fingerprints,
//!   partial_fingerprints }] }`. `level` is the effective level (the
//!   result's, else the rule's default, else `warning`; `none` for a kind
//!   other than `fail`). `severity` buckets `security_severity` as GitHub
//!   code scanning does (≥ 9 `critical`, ≥ 7 `high`, ≥ 4 `medium`, > 0
//!   `low`, else `none`).
//! - `cyclonedx`: `{ format_version, serial_number, version, metadata: {
//!   timestamp, tools: [{ vendor, name, version }], component }, components:
//!   [{ bom_ref, type, name, group, version, purl, scope, licenses,
//!   properties }], vulnerabilities: [{ id, bom_ref, source, severity,
//!   score, ratings: [{ source, score, severity, method, vector }], cwes,
//!   description, recommendation, published, updated, affects, analysis }],
//!   dependencies: [{ ref, depends_on }] }`. Nested components are
//!   flattened; a vulnerability's `severity` and `score` are the highest of
//!   its ratings.

use serde_json::{Map, Value};

use crate::value::{Obj, Res, doc, shown, snake_case};

/// Format id of Trivy's JSON report.
pub const TRIVY: &str = "trivy-json";
/// Format id of SARIF logs.
pub const SARIF: &str = "sarif";
/// Format id of CycloneDX SBOMs.
pub const CYCLONEDX: &str = "cyclonedx";

// ---------------------------------------------------------------------------
// Trivy

/// Trivy's `--format json` report.
pub(crate) fn trivy(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    match o.u64("SchemaVersion")? {
        Some(2) => {}
        Some(n) => {
            return Err(format!(
                "`SchemaVersion`: version {n} is not supported (only 2)"
            ));
        }
        None => return Err("`SchemaVersion`: expected the number 2".to_string()),
    }
    let metadata = o
        .with("Metadata", |m| {
            let os = m.with("OS", |os| {
                Ok(doc([
                    ("family", os.string("Family")?),
                    ("name", os.string("Name")?),
                    ("eosl", os.flag("EOSL")?),
                ]))
            })?;
            Ok(doc([
                ("os", os.unwrap_or(Value::Null)),
                ("image_id", m.string("ImageID")?),
                ("repo_tags", m.strings("RepoTags")?),
                ("repo_digests", m.strings("RepoDigests")?),
            ]))
        })?
        .unwrap_or(Value::Null);
    let mut results = Vec::new();
    let mut vulnerabilities = Vec::new();
    let mut misconfigurations = Vec::new();
    let mut secrets = Vec::new();
    o.each("Results", |r| {
        let target = r.string("Target")?;
        let class = r.string("Class")?;
        let kind = r.string("Type")?;
        let vulns = r.each("Vulnerabilities", |x| {
            trivy_vulnerability(x, &target, &class, &kind)
        })?;
        let misconfs = r.each("Misconfigurations", |x| {
            trivy_misconfiguration(x, &target, &class, &kind)
        })?;
        let found = r.each("Secrets", |x| {
            Ok(doc([
                ("target", target.clone()),
                ("rule_id", x.string("RuleID")?),
                ("category", x.string("Category")?),
                ("severity", x.lower("Severity")?),
                ("title", x.string("Title")?),
                ("start_line", x.number("StartLine")?),
                ("end_line", x.number("EndLine")?),
                ("match", x.string("Match")?),
            ]))
        })?;
        let summary = r
            .with("MisconfSummary", |s| {
                Ok(doc([
                    ("successes", s.number("Successes")?),
                    ("failures", s.number("Failures")?),
                ]))
            })?
            .unwrap_or(Value::Null);
        results.push(doc([
            ("target", target),
            ("class", class),
            ("type", kind),
            ("vulnerability_count", Value::from(vulns.len())),
            ("misconf_summary", summary),
            ("secret_count", Value::from(found.len())),
        ]));
        vulnerabilities.extend(vulns);
        misconfigurations.extend(misconfs);
        secrets.extend(found);
        Ok(())
    })?;
    let scanner_version = o
        .with("Trivy", |t| t.string("Version"))?
        .unwrap_or(Value::Null);
    Ok(doc([
        ("format", Value::from(TRIVY)),
        ("format_version", Value::from("2")),
        ("scanner_version", scanner_version),
        ("created_at", o.time("CreatedAt")?),
        ("artifact_name", o.string("ArtifactName")?),
        ("artifact_type", o.string("ArtifactType")?),
        ("metadata", metadata),
        ("results", Value::Array(results)),
        ("vulnerabilities", Value::Array(vulnerabilities)),
        ("misconfigurations", Value::Array(misconfigurations)),
        ("secrets", Value::Array(secrets)),
    ]))
}

fn trivy_vulnerability(x: Obj<'_>, target: &Value, class: &Value, kind: &Value) -> Res<Value> {
    let mut cvss = Map::new();
    let mut best: Option<f64> = None;
    if let Some(sources) = x.get("CVSS") {
        let path = x.member("CVSS");
        let sources = Obj::new(sources, &path)?;
        for (source, scores) in sources.map {
            let p = crate::value::join(&path, source);
            let scores = Obj::new(scores, &p)?;
            let mut entry = Map::new();
            for key in scores.map.keys() {
                let value = if key.ends_with("Score") {
                    scores.number(key)?
                } else {
                    scores.raw(key)
                };
                if (key == "V3Score" || key == "V40Score")
                    && let Some(f) = value.as_f64()
                {
                    best = Some(best.map_or(f, |b: f64| b.max(f)));
                }
                entry.insert(snake_case(key), value);
            }
            cvss.insert(source.clone(), Value::Object(entry));
        }
    }
    let purl = x
        .with("PkgIdentifier", |p| p.string("PURL"))?
        .unwrap_or(Value::Null);
    Ok(doc([
        ("target", target.clone()),
        ("class", class.clone()),
        ("type", kind.clone()),
        ("id", x.string("VulnerabilityID")?),
        ("pkg_id", x.string("PkgID")?),
        ("pkg_name", x.string("PkgName")?),
        ("purl", purl),
        ("installed_version", x.string("InstalledVersion")?),
        ("fixed_version", x.string("FixedVersion")?),
        ("status", x.lower("Status")?),
        ("severity", x.lower("Severity")?),
        ("severity_source", x.string("SeveritySource")?),
        ("title", x.string("Title")?),
        ("primary_url", x.string("PrimaryURL")?),
        ("published_date", x.time("PublishedDate")?),
        ("last_modified_date", x.time("LastModifiedDate")?),
        ("cwe_ids", x.strings("CweIDs")?),
        ("cvss", Value::Object(cvss)),
        (
            "cvss_score",
            best.and_then(serde_json::Number::from_f64)
                .map_or(Value::Null, Value::Number),
        ),
    ]))
}

fn trivy_misconfiguration(x: Obj<'_>, target: &Value, class: &Value, kind: &Value) -> Res<Value> {
    let cause = x
        .with("CauseMetadata", |c| {
            Ok([
                c.string("Resource")?,
                c.string("Provider")?,
                c.string("Service")?,
                c.number("StartLine")?,
                c.number("EndLine")?,
            ])
        })?
        .unwrap_or([
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ]);
    let [resource, provider, service, start_line, end_line] = cause;
    Ok(doc([
        ("target", target.clone()),
        ("class", class.clone()),
        ("type", kind.clone()),
        ("check_type", x.string("Type")?),
        ("id", x.string("ID")?),
        ("avd_id", x.string("AVDID")?),
        ("title", x.string("Title")?),
        ("message", x.string("Message")?),
        ("namespace", x.string("Namespace")?),
        ("resolution", x.string("Resolution")?),
        ("severity", x.lower("Severity")?),
        ("status", x.lower("Status")?),
        ("primary_url", x.string("PrimaryURL")?),
        ("resource", resource),
        ("provider", provider),
        ("service", service),
        ("start_line", start_line),
        ("end_line", end_line),
    ]))
}

// ---------------------------------------------------------------------------
// SARIF

/// What a result needs from its rule.
#[derive(Default, Clone)]
struct Rule {
    id: Value,
    name: Value,
    level: Option<String>,
    security_severity: Value,
    tags: Value,
}

/// A SARIF 2.1.0 log.
pub(crate) fn sarif(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    match o.str("version")? {
        Some("2.1.0") => {}
        Some(other) => {
            return Err(format!(
                "`version`: SARIF {} is not supported (only 2.1.0)",
                shown(other)
            ));
        }
        None => return Err("`version`: missing (expected \"2.1.0\")".to_string()),
    }
    let mut runs = Vec::new();
    let mut results = Vec::new();
    let mut run_index = 0usize;
    o.each("runs", |run| {
        let (tool, rules) = run
            .with("tool", |t| {
                t.with("driver", |d| {
                    let mut rules = d.each("rules", sarif_rule)?;
                    for ext in t.each("extensions", |e| e.each("rules", sarif_rule))? {
                        rules.extend(ext);
                    }
                    let version = d
                        .get_any(&["version", "semanticVersion"])
                        .map_or(Value::Null, |(_, v)| v.clone());
                    Ok((
                        doc([
                            ("name", d.string("name")?),
                            ("version", version),
                            ("full_name", d.string("fullName")?),
                            ("information_uri", d.string("informationUri")?),
                        ]),
                        rules,
                    ))
                })
            })?
            .flatten()
            .ok_or_else(|| run.error("tool", "missing `tool.driver`"))?;
        let by_id: std::collections::HashMap<&str, usize> = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.id.as_str().map(|id| (id, i)))
            .collect();
        let tool_name = tool["name"].clone();
        let found = run.each("results", |r| {
            let rule_ref = r.with("rule", |rr| Ok((rr.string("id")?, rr.u64("index")?)))?;
            let rule_id = match r.string("ruleId")? {
                Value::Null => rule_ref.as_ref().map_or(Value::Null, |(id, _)| id.clone()),
                id => id,
            };
            let rule_index = r.u64("ruleIndex")?.or(rule_ref.and_then(|(_, i)| i));
            let rule = rule_index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| rules.get(i))
                .or_else(|| {
                    rule_id
                        .as_str()
                        .and_then(|id| by_id.get(id))
                        .map(|&i| &rules[i])
                })
                .cloned()
                .unwrap_or_default();
            let kind = r.str("kind")?.unwrap_or("fail").to_string();
            let level = match r.str("level")? {
                Some(level) => level.to_string(),
                None if kind == "fail" => {
                    rule.level.clone().unwrap_or_else(|| "warning".to_string())
                }
                None => "none".to_string(),
            };
            let message = r
                .with("message", |m| {
                    Ok(m.get_any(&["text", "markdown"])
                        .map_or(Value::Null, |(_, v)| v.clone()))
                })?
                .unwrap_or(Value::Null);
            let security_severity = match r.with("properties", |p| p.number("security-severity"))? {
                Some(Value::Null) | None => rule.security_severity.clone(),
                Some(s) => s,
            };
            let severity = security_severity.as_f64().map_or(Value::Null, |s| {
                Value::from(if s >= 9.0 {
                    "critical"
                } else if s >= 7.0 {
                    "high"
                } else if s >= 4.0 {
                    "medium"
                } else if s > 0.0 {
                    "low"
                } else {
                    "none"
                })
            });
            let locations = r.each("locations", sarif_location)?;
            let suppressions = r.each("suppressions", |s| {
                Ok(s.str("status")?.unwrap_or("accepted") == "accepted")
            })?;
            Ok(doc([
                ("run", Value::from(run_index)),
                ("tool", tool_name.clone()),
                ("rule_id", rule_id),
                ("rule_name", rule.name.clone()),
                ("kind", Value::String(kind)),
                ("level", Value::String(level)),
                ("message", message),
                ("security_severity", security_severity),
                ("severity", severity),
                ("tags", rule.tags.clone()),
                ("locations", Value::Array(locations)),
                (
                    "suppressed",
                    Value::Bool(suppressions.iter().any(|accepted| *accepted)),
                ),
                ("baseline_state", r.string("baselineState")?),
                ("fingerprints", r.raw("fingerprints")),
                ("partial_fingerprints", r.raw("partialFingerprints")),
            ]))
        })?;
        let execution_successful = run
            .arr("invocations")?
            .first()
            .and_then(|i| i.get("executionSuccessful"))
            .and_then(Value::as_bool)
            .map_or(Value::Null, Value::Bool);
        runs.push(doc([
            ("tool", tool),
            ("result_count", Value::from(found.len())),
            ("execution_successful", execution_successful),
        ]));
        results.extend(found);
        run_index += 1;
        Ok(())
    })?;
    Ok(doc([
        ("format", Value::from(SARIF)),
        ("format_version", Value::from("2.1.0")),
        ("runs", Value::Array(runs)),
        ("results", Value::Array(results)),
    ]))
}

fn sarif_rule(r: Obj<'_>) -> Res<Rule> {
    let level = r
        .with("defaultConfiguration", |c| {
            Ok(c.str("level")?.map(str::to_string))
        })?
        .flatten();
    let (security_severity, tags) = r
        .with("properties", |p| {
            Ok((p.number("security-severity")?, p.strings("tags")?))
        })?
        .unwrap_or((Value::Null, Value::Array(Vec::new())));
    Ok(Rule {
        id: r.string("id")?,
        name: r.string("name")?,
        level,
        security_severity,
        tags,
    })
}

fn sarif_location(l: Obj<'_>) -> Res<Value> {
    let physical = l.with("physicalLocation", |p| {
        let uri = p
            .with("artifactLocation", |a| a.string("uri"))?
            .unwrap_or(Value::Null);
        let region = p
            .with("region", |r| {
                Ok([
                    r.number("startLine")?,
                    r.number("startColumn")?,
                    r.number("endLine")?,
                    r.number("endColumn")?,
                ])
            })?
            .unwrap_or([Value::Null, Value::Null, Value::Null, Value::Null]);
        Ok((uri, region))
    })?;
    let (uri, [start_line, start_column, end_line, end_column]) = physical.unwrap_or((
        Value::Null,
        [Value::Null, Value::Null, Value::Null, Value::Null],
    ));
    let logical = l
        .arr("logicalLocations")?
        .first()
        .and_then(|x| x.get("fullyQualifiedName").or_else(|| x.get("name")))
        .cloned()
        .unwrap_or(Value::Null);
    Ok(doc([
        ("uri", uri),
        ("start_line", start_line),
        ("start_column", start_column),
        ("end_line", end_line),
        ("end_column", end_column),
        ("logical", logical),
    ]))
}

// ---------------------------------------------------------------------------
// CycloneDX

const CYCLONEDX_VERSIONS: &[&str] = &["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// Ranks of CycloneDX severities, lowest first.
const SEVERITIES: &[&str] = &[
    "unknown", "none", "info", "low", "medium", "high", "critical",
];

/// A CycloneDX JSON BOM.
pub(crate) fn cyclonedx(v: &Value) -> Res<Value> {
    let o = Obj::new(v, "")?;
    let spec = o
        .str("specVersion")?
        .ok_or_else(|| "`specVersion`: missing".to_string())?;
    if !CYCLONEDX_VERSIONS.contains(&spec) {
        return Err(format!(
            "`specVersion`: CycloneDX {} is not supported (only 1.2 to 1.7)",
            shown(spec)
        ));
    }
    let metadata = o
        .with("metadata", |m| {
            let tools = match m.get("tools") {
                None => Vec::new(),
                Some(Value::Array(_)) => m.each("tools", tool)?,
                Some(Value::Object(_)) => m
                    .with("tools", |t| {
                        let mut all = t.each("components", tool)?;
                        all.extend(t.each("services", tool)?);
                        Ok(all)
                    })?
                    .unwrap_or_default(),
                Some(other) => {
                    return Err(m.error(
                        "tools",
                        format_args!(
                            "expected an array or an object, found {}",
                            crate::value::kind(other)
                        ),
                    ));
                }
            };
            let component = m.with("component", component)?.unwrap_or(Value::Null);
            Ok(doc([
                ("timestamp", m.time("timestamp")?),
                ("tools", Value::Array(tools)),
                ("component", component),
            ]))
        })?
        .unwrap_or(Value::Null);
    let mut components = Vec::new();
    flatten_components(o, &mut components)?;
    let vulnerabilities = o.each("vulnerabilities", vulnerability)?;
    let dependencies = o.each("dependencies", |d| {
        Ok(doc([
            ("ref", d.string("ref")?),
            ("depends_on", d.strings("dependsOn")?),
        ]))
    })?;
    Ok(doc([
        ("format", Value::from(CYCLONEDX)),
        ("format_version", Value::from(spec)),
        ("serial_number", o.string("serialNumber")?),
        ("version", o.number("version")?),
        ("metadata", metadata),
        ("components", Value::Array(components)),
        ("vulnerabilities", Value::Array(vulnerabilities)),
        ("dependencies", Value::Array(dependencies)),
    ]))
}

fn tool(t: Obj<'_>) -> Res<Value> {
    let vendor = match t.get_any(&["vendor", "group"]) {
        Some((key, _)) => t.string(key)?,
        None => t
            .with("manufacturer", |m| m.string("name"))?
            .unwrap_or(Value::Null),
    };
    Ok(doc([
        ("vendor", vendor),
        ("name", t.string("name")?),
        ("version", t.string("version")?),
    ]))
}

fn flatten_components(o: Obj<'_>, out: &mut Vec<Value>) -> Res<()> {
    let items = o.arr("components")?;
    let base = o.member("components");
    for (i, item) in items.iter().enumerate() {
        let path = format!("{base}[{i}]");
        let c = Obj::new(item, &path)?;
        out.push(component(c)?);
        flatten_components(c, out)?;
    }
    Ok(())
}

fn component(c: Obj<'_>) -> Res<Value> {
    let licenses = c.each("licenses", |l| {
        if let Some(expression) = l.str("expression")? {
            return Ok(Value::from(expression));
        }
        Ok(l.with("license", |lic| {
            Ok(lic
                .get_any(&["id", "name"])
                .map_or(Value::Null, |(_, v)| v.clone()))
        })?
        .unwrap_or(Value::Null))
    })?;
    Ok(doc([
        ("bom_ref", c.string("bom-ref")?),
        ("type", c.string("type")?),
        ("name", c.string("name")?),
        ("group", c.string("group")?),
        ("version", c.string("version")?),
        ("purl", c.string("purl")?),
        ("scope", c.string("scope")?),
        ("licenses", Value::Array(licenses)),
        ("properties", Value::Array(c.arr("properties")?.to_vec())),
    ]))
}

fn vulnerability(x: Obj<'_>) -> Res<Value> {
    let ratings = x.each("ratings", |r| {
        let source = r
            .with("source", |s| s.string("name"))?
            .unwrap_or(Value::Null);
        Ok(doc([
            ("source", source),
            ("score", r.number("score")?),
            ("severity", r.lower("severity")?),
            ("method", r.string("method")?),
            ("vector", r.string("vector")?),
        ]))
    })?;
    let severity = ratings
        .iter()
        .filter_map(|r| r["severity"].as_str())
        .filter_map(|s| SEVERITIES.iter().position(|k| *k == s))
        .max()
        .map_or(Value::Null, |i| Value::from(SEVERITIES[i]));
    let score = ratings
        .iter()
        .filter_map(|r| r["score"].as_f64())
        .fold(None, |best: Option<f64>, s| {
            Some(best.map_or(s, |b| b.max(s)))
        })
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number);
    let affects = x.each("affects", |a| a.string("ref"))?;
    let analysis = x
        .with("analysis", |a| {
            Ok(doc([
                ("state", a.string("state")?),
                ("justification", a.string("justification")?),
                ("response", a.strings("response")?),
            ]))
        })?
        .unwrap_or(Value::Null);
    Ok(doc([
        ("id", x.string("id")?),
        ("bom_ref", x.string("bom-ref")?),
        (
            "source",
            x.with("source", |s| s.string("name"))?
                .unwrap_or(Value::Null),
        ),
        ("severity", severity),
        ("score", score),
        ("ratings", Value::Array(ratings)),
        ("cwes", Value::Array(x.arr("cwes")?.to_vec())),
        ("description", x.string("description")?),
        ("recommendation", x.string("recommendation")?),
        ("published", x.time("published")?),
        ("updated", x.time("updated")?),
        ("affects", Value::Array(affects)),
        ("analysis", analysis),
    ]))
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_error};

    #[test]
    fn trivy_reports() {
        check(
            "scanners/trivy_alpine-310_vuln-report.json",
            "trivy-json.alpine-310",
        );
        check(
            "scanners/trivy_terraform-misconfig-report.json",
            "trivy-json.terraform-misconfig",
        );
        check("scanners/trivy_secrets-report.json", "trivy-json.secrets");
        check(
            "scanners/evident_trivy_old-critical.json",
            "trivy-json.evident-old-critical",
        );
    }

    #[test]
    fn trivy_errors() {
        check_error(
            br#"{"SchemaVersion": 1, "Results": []}"#,
            "trivy-json",
            "`SchemaVersion`: version 1 is not supported (only 2)",
        );
        check_error(
            br#"{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PublishedDate": "last year"}]}]}"#,
            "trivy-json",
            "`Results[0].Vulnerabilities[0].PublishedDate`: expected an RFC 3339 timestamp with an offset, found \"last year\"",
        );
    }

    #[test]
    fn sarif_logs() {
        check(
            "scanners/trivy_alpine-310.sarif.json",
            "sarif.trivy-alpine-310",
        );
        check(
            "scanners/evident_semgrep-like.sarif.json",
            "sarif.evident-multi-tool",
        );
        check_error(
            br#"{"version": "2.0.0", "runs": []}"#,
            "sarif",
            "`version`: SARIF \"2.0.0\" is not supported (only 2.1.0)",
        );
    }

    #[test]
    fn cyclonedx_boms() {
        check(
            "scanners/trivy_npm_cyclonedx-1.7.json",
            "cyclonedx.trivy-npm-1.7",
        );
        check(
            "scanners/evident_cyclonedx-1.4.json",
            "cyclonedx.evident-1.4",
        );
        check_error(
            br#"{"bomFormat": "CycloneDX", "specVersion": "2.0"}"#,
            "cyclonedx",
            "`specVersion`: CycloneDX \"2.0\" is not supported (only 1.2 to 1.7)",
        );
    }
}
