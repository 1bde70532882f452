//! `check` on the example organisation in every output format, and the
//! machine formats of a repository that cannot be read.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::util::{self, AT, Finding, Repo};

/// A finding the example's README promises: its code and severity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Promised {
    code: String,
    severity: String,
}

/// The "Deliberate problems" table of `examples/acme/README.md`: one row per
/// finding, the code in backquotes in the last column, `(warning)` after
/// the code of a warning.
fn promised() -> Vec<Promised> {
    let readme = std::fs::read_to_string(util::acme_dir().join("README.md")).unwrap();
    let rows: Vec<Promised> = readme
        .lines()
        .filter(|l| {
            l.strip_prefix("| ")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .map(|row| {
            let cells: Vec<&str> = row.trim().trim_matches('|').split('|').collect();
            let last = cells.last().unwrap().trim();
            let code = last
                .split('`')
                .nth(1)
                .unwrap_or_else(|| panic!("no `code` in README row: {row}"));
            Promised {
                code: code.to_string(),
                severity: if last.contains("(warning)") {
                    "warning"
                } else {
                    "error"
                }
                .to_string(),
            }
        })
        .collect();
    assert_eq!(rows.len(), 20, "the README's table has changed shape");
    rows
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn text_report_names_every_promised_finding() {
    let run = Repo::acme().check(&[]);
    run.expect_code(1)
        .stdout_has(&format!(
            "Acme Cloud Ltd — ISO/IEC 27001 readiness as of {AT}"
        ))
        .stdout_has("45 controls, 25 risks, 10 owners, 5 vendors, 8 policies");
    assert!(run.stderr.is_empty(), "{run:?}");
    let promised = promised();
    let mut shown = Vec::new();
    for line in run.stdout.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [severity @ ("error" | "warning" | "info"), code, _location] = words[..] {
            shown.push(Promised {
                code: code.to_string(),
                severity: severity.to_string(),
            });
        }
    }
    assert_eq!(sorted(shown), sorted(promised.clone()), "{run:?}");
    let errors = promised.iter().filter(|p| p.severity == "error").count();
    let warnings = promised.len() - errors;
    run.stdout_has(&format!(
        "not ready: {errors} errors, {warnings} warnings, 0 info"
    ));
}

#[test]
fn json_report() {
    let repo = Repo::acme();
    let run = repo.check(&["--format", "json"]);
    run.expect_code(1);
    let doc = run.json();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["readable"], true);
    assert_eq!(doc["at"], AT);
    assert_eq!(doc["organisation"], "Acme Cloud Ltd");
    assert_eq!(doc["tool"]["name"], "evident");
    assert_eq!(doc["diagnostics"], serde_json::json!([]));

    let findings = doc["findings"].as_array().expect("findings");
    let count = |severity: &str| {
        findings
            .iter()
            .filter(|f| f["severity"] == severity)
            .count()
    };
    let summary = &doc["summary"];
    assert_eq!(summary["errors"], count("error"));
    assert_eq!(summary["warnings"], count("warning"));
    assert_eq!(summary["infos"], count("info"));
    assert_eq!(
        summary["errors"].as_u64().unwrap()
            + summary["warnings"].as_u64().unwrap()
            + summary["infos"].as_u64().unwrap(),
        findings.len() as u64
    );

    for f in findings {
        for key in ["code", "severity", "message", "hint"] {
            assert!(
                f[key].as_str().is_some_and(|s| !s.is_empty()),
                "`{key}` missing in {f}"
            );
        }
        assert!(f["object"]["kind"].is_string(), "{f}");
        assert!(f["object"]["id"].is_string(), "{f}");
        let location = &f["location"];
        let file = location["file"]
            .as_str()
            .unwrap_or_else(|| panic!("no location in {f}"));
        let line = location["line"].as_u64().expect("line");
        let column = location["column"].as_u64().expect("column");
        assert!(line >= 1 && column >= 1, "{f}");
        // The location is a real place in the repository.
        let text = std::fs::read_to_string(repo.join(file))
            .unwrap_or_else(|e| panic!("{file} of {f}: {e}"));
        let line_text = text
            .lines()
            .nth(line as usize - 1)
            .unwrap_or_else(|| panic!("{file} has no line {line}: {f}"));
        assert!(
            line_text.chars().count() as u64 >= column - 1,
            "{file}:{line} has no column {column}: {f}"
        );
    }

    let got: Vec<Promised> = util::findings(&doc)
        .into_iter()
        .map(|f| Promised {
            code: f.code,
            severity: f.severity,
        })
        .collect();
    assert_eq!(sorted(got), sorted(promised()));
}

fn sarif_validator() -> jsonschema::Validator {
    let path = util::crate_dir().join("../report/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[track_caller]
fn assert_valid_sarif(doc: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_report_is_valid_and_matches_the_findings() {
    let repo = Repo::acme();
    let json = repo.check(&["--format", "json"]).json();
    let run = repo.check(&["--format", "sarif"]);
    run.expect_code(1);
    let doc = run.json();
    assert_valid_sarif(&doc);
    assert_eq!(doc["version"], "2.1.0");

    let run0 = &doc["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);

    let results = run0["results"].as_array().expect("results");
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (result, finding) in results.iter().zip(findings) {
        let rule = result["ruleId"].as_str().expect("ruleId");
        assert!(rule_ids.contains(&rule), "{rule} is not a rule");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rule_ids[index], rule, "ruleIndex of {result}");
        assert_eq!(rule, finding["code"]);
        let level = result["level"].as_str().expect("level");
        let expected = match finding["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        assert_eq!(level, expected, "{result}");
        let physical = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            physical["artifactLocation"]["uri"], finding["location"]["file"],
            "{result}"
        );
        assert_eq!(physical["region"]["startLine"], finding["location"]["line"]);
        assert_eq!(
            physical["region"]["startColumn"],
            finding["location"]["column"]
        );
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains(finding["message"].as_str().unwrap())
        );
    }
}

/// An element of a parsed XML document.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .unwrap_or_else(|| panic!("<{}> has no attribute `{name}`", self.name))
    }

    fn number(&self, name: &str) -> usize {
        self.attr(name)
            .parse()
            .unwrap_or_else(|e| panic!("<{} {name}=…> is not a count: {e}", self.name))
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Parses a whole XML document with quick-xml, failing the test on anything
/// that is not well-formed: mismatched or unclosed tags, bad attributes,
/// unknown entities, text or a second element outside the root.
fn parse_xml(text: &str) -> Element {
    use quick_xml::XmlVersion;
    use quick_xml::events::{BytesStart, Event};

    fn element(e: &BytesStart) -> Element {
        let mut attributes = BTreeMap::new();
        for a in e.attributes() {
            let a = a.unwrap_or_else(|err| panic!("malformed attribute: {err}"));
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .unwrap_or_else(|err| panic!("bad value of `{key}`: {err}"))
                .into_owned();
            assert!(
                attributes.insert(key.clone(), value).is_none(),
                "duplicate attribute {key}"
            );
        }
        Element {
            name: e.name().as_ref().to_string(),
            attributes,
            children: Vec::new(),
            text: String::new(),
        }
    }

    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut first = true;
    let mut close = |done: Element, stack: &mut Vec<Element>| match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => {
            assert!(root.is_none(), "a second root element <{}>", done.name);
            root = Some(done);
        }
    };
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at {}: {e}", reader.buffer_position()));
        match event {
            Event::Decl(d) => {
                assert!(first, "the XML declaration must come first");
                assert_eq!(&*d.version().unwrap(), "1.0");
            }
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => close(element(&e), &mut stack),
            Event::End(e) => {
                let done = stack.pop().expect("an end tag without a start tag");
                assert_eq!(done.name, e.name().as_ref(), "mismatched end tag");
                close(done, &mut stack);
            }
            Event::Text(t) => match stack.last_mut() {
                Some(top) => top.text.push_str(&t),
                None => assert!(t.trim().is_empty(), "text outside the root: {:?}", &*t),
            },
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .expect("a valid character reference")
                        .unwrap()
                } else {
                    match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => panic!("undefined entity &{other};"),
                    }
                };
                stack
                    .last_mut()
                    .expect("an entity outside the root")
                    .text
                    .push(c);
            }
            Event::CData(c) => stack
                .last_mut()
                .expect("CDATA outside the root")
                .text
                .push_str(&c),
            Event::Comment(_) | Event::PI(_) => {}
            Event::DocType(_) => panic!("unexpected DOCTYPE"),
            Event::Eof => break,
        }
        first = false;
    }
    assert!(
        stack.is_empty(),
        "unclosed elements: {:?}",
        stack.iter().map(|e| &e.name).collect::<Vec<_>>()
    );
    root.expect("a root element")
}

/// A JUnit test case as seen in the document.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Case {
    classname: String,
    name: String,
    /// `failure`, `error`, `skipped` or `passed`.
    outcome: String,
    message: Option<String>,
}

/// Checks the JUnit document's arithmetic (each suite's counts are its
/// cases; the totals are the sums) and returns the totals and the cases.
#[track_caller]
fn check_junit(text: &str) -> ((usize, usize, usize), Vec<Case>) {
    let root = parse_xml(text);
    assert_eq!(root.name, "testsuites");
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    let mut cases = Vec::new();
    for suite in &root.children {
        assert_eq!(suite.name, "testsuite");
        let name = suite.attr("name");
        let mine: Vec<&Element> = suite
            .children
            .iter()
            .filter(|c| c.name == "testcase")
            .collect();
        let with = |kind: &str| mine.iter().filter(|c| c.child(kind).is_some()).count();
        assert_eq!(suite.number("tests"), mine.len(), "tests of suite {name}");
        assert_eq!(
            suite.number("failures"),
            with("failure"),
            "failures of {name}"
        );
        assert_eq!(suite.number("errors"), with("error"), "errors of {name}");
        assert_eq!(
            suite.number("skipped"),
            with("skipped"),
            "skipped of {name}"
        );
        tests += suite.number("tests");
        failures += suite.number("failures");
        errors += suite.number("errors");
        for case in mine {
            let outcome = ["failure", "error", "skipped"]
                .into_iter()
                .find(|k| case.child(k).is_some());
            cases.push(Case {
                classname: case.attr("classname").to_string(),
                name: case.attr("name").to_string(),
                outcome: outcome.unwrap_or("passed").to_string(),
                message: outcome
                    .and_then(|k| case.child(k))
                    .and_then(|e| e.attributes.get("message").cloned()),
            });
        }
    }
    assert_eq!(root.number("tests"), tests, "testsuites tests");
    assert_eq!(root.number("failures"), failures, "testsuites failures");
    assert_eq!(root.number("errors"), errors, "testsuites errors");
    ((tests, failures, errors), cases)
}

#[test]
fn junit_report_is_well_formed_and_fails_every_error() {
    let repo = Repo::acme();
    let findings = repo.findings_at(AT);
    let run = repo.check(&["--format", "junit"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    let ((_, failures, errors), cases) = check_junit(&run.stdout);
    assert_eq!(errors, 0);

    let failed: Vec<(String, String, Option<String>)> = cases
        .iter()
        .filter(|c| c.outcome == "failure")
        .map(|c| (c.classname.clone(), c.name.clone(), c.message.clone()))
        .collect();
    let expected: Vec<(String, String, Option<String>)> = findings
        .iter()
        .filter(|f| f.severity == "error")
        .map(|f| {
            (
                f.code.clone(),
                format!("{} {}", f.kind, f.object),
                Some(f.message.clone()),
            )
        })
        .collect();
    assert_eq!(failures, expected.len());
    assert_eq!(sorted(failed), sorted(expected));
    // Warnings are recorded, but do not fail.
    for f in findings.iter().filter(|f: &&Finding| f.severity != "error") {
        let name = format!("{} {}", f.kind, f.object);
        assert!(
            cases
                .iter()
                .any(|c| c.classname == f.code && c.name == name && c.outcome == "passed"),
            "no passing case for {f:?}"
        );
    }
}

/// The minimal repository with an unknown key in a new controls file.
fn unreadable() -> Repo {
    let repo = Repo::minimal();
    repo.write(
        "controls/x.yaml",
        "controls:\n  - id: CTL-1\n    title: T\n    kind: technical\n    colour: blue\n",
    );
    repo
}

#[test]
fn sarif_of_an_unreadable_repository() {
    let run = unreadable().check(&["--format", "sarif"]);
    run.expect_code(2);
    let doc = run.json();
    assert_valid_sarif(&doc);
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "{run:?}");
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    let n = &notifications[0];
    assert_eq!(n["level"], "error");
    assert_eq!(n["descriptor"]["id"], "invalid-yaml");
    let physical = &n["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "controls/x.yaml");
    assert_eq!(physical["region"]["startLine"], 5);
    assert_eq!(physical["region"]["startColumn"], 5);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn junit_of_an_unreadable_repository() {
    let run = unreadable().check(&["--format", "junit"]);
    run.expect_code(2);
    let ((_, failures, errors), cases) = check_junit(&run.stdout);
    assert_eq!((failures, errors), (0, 1));
    let error = cases.iter().find(|c| c.outcome == "error").unwrap();
    assert_eq!(error.classname, "definitions.invalid-yaml");
    assert_eq!(error.name, "controls/x.yaml:5:5");
    assert!(
        error
            .message
            .as_deref()
            .is_some_and(|m| m.contains("unknown field `colour`"))
    );
}

#[test]
fn junit_of_an_unreadable_repository_reports_no_check_as_passed() {
    // When the definitions cannot be read the analysis does not run, so a
    // CI system must not be shown "no unowned-control findings" and the
    // like as passing tests.
    let run = unreadable().check(&["--format", "junit"]);
    run.expect_code(2);
    let (_, cases) = check_junit(&run.stdout);
    let passed: Vec<&str> = cases
        .iter()
        .filter(|c| c.outcome == "passed")
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        passed.is_empty(),
        "{} checks reported as passed although nothing was analysed, e.g. {:?}",
        passed.len(),
        &passed[..passed.len().min(3)]
    );
}

#[test]
fn output_option_writes_the_file() {
    let repo = Repo::acme();
    let out = Repo::empty();
    for (format, name) in [
        ("json", "report.json"),
        ("sarif", "report.sarif"),
        ("junit", "report.xml"),
        ("text", "report.txt"),
    ] {
        let path = out.join(name);
        let path_arg = path.to_str().unwrap();
        let run = repo.check(&["--format", format, "-o", path_arg]);
        run.expect_code(1);
        assert!(run.stdout.is_empty(), "{run:?}");
        let written = std::fs::read_to_string(&path).unwrap();
        match format {
            "json" => {
                let doc: Value = serde_json::from_str(&written).unwrap();
                assert_eq!(doc["schema_version"], 1);
            }
            "sarif" => assert_valid_sarif(&serde_json::from_str(&written).unwrap()),
            "junit" => {
                check_junit(&written);
            }
            _ => {
                assert!(written.contains("not ready: 17 errors, 3 warnings"));
                assert!(!written.contains('\x1b'), "no colours in a file");
            }
        }
    }
    // The long form, and the same bytes as standard output.
    let path = out.join("long.json");
    let run = repo.check(&["--format", "json", "--output", path.to_str().unwrap()]);
    run.expect_code(1);
    let stdout = repo.check(&["--format", "json"]).stdout;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout);
}

#[test]
fn output_to_an_unwritable_place_exits_2() {
    let out = Repo::empty();
    let path = out.join("no/such/folder/report.json");
    let run = Repo::acme().check(&["--format", "json", "-o", path.to_str().unwrap()]);
    run.expect_code(2).stderr_has("cannot write");
}

const JUNITPARSER_SCRIPT: &str = r#"
import json, sys
import junitparser

xml = junitparser.JUnitXml.fromfile(sys.argv[1])
suites = []
for suite in xml:
    kinds = [type(r).__name__ for case in suite for r in case.result]
    suites.append({
        "name": suite.name,
        "declared": [suite.tests, suite.failures, suite.errors],
        "counted": [len(list(suite)), kinds.count("Failure"), kinds.count("Error")],
    })
print(json.dumps({"declared": [xml.tests, xml.failures, xml.errors], "suites": suites}))
"#;

/// An external JUnit reader (Python's `junitparser`) agrees with the totals.
/// Runs when `EVIDENT_TEST_PYTHON` names a Python with `junitparser`; CI must
/// provide it.
#[test]
fn junit_report_reads_in_junitparser() {
    let Some(python) = std::env::var_os("EVIDENT_TEST_PYTHON") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "CI must set EVIDENT_TEST_PYTHON to a Python interpreter with `junitparser` installed"
            );
        }
        eprintln!("note: EVIDENT_TEST_PYTHON is not set; skipping the junitparser cross-check");
        return;
    };
    let repo = Repo::acme();
    let findings = repo.findings_at(AT);
    let out = Repo::empty();
    let path = out.join("junit.xml");
    repo.check(&["--format", "junit", "-o", path.to_str().unwrap()])
        .expect_code(1);
    let ((tests, failures, errors), _) = check_junit(&std::fs::read_to_string(&path).unwrap());

    let output = std::process::Command::new(&python)
        .args(["-c", JUNITPARSER_SCRIPT])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", Path::new(&python).display()));
    assert!(
        output.status.success(),
        "junitparser failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["declared"],
        serde_json::json!([tests, failures, errors])
    );
    let suites = report["suites"].as_array().unwrap();
    let mut sums = [0u64; 3];
    for suite in suites {
        assert_eq!(
            suite["declared"], suite["counted"],
            "suite {}",
            suite["name"]
        );
        for (sum, n) in sums.iter_mut().zip(suite["counted"].as_array().unwrap()) {
            *sum += n.as_u64().unwrap();
        }
    }
    assert_eq!(sums, [tests as u64, failures as u64, errors as u64]);
    let error_findings = findings.iter().filter(|f| f.severity == "error").count();
    assert_eq!(failures, error_findings);
}
