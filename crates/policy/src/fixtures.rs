//! Fixtures: artefacts in their real format next to a check
//! (`checks/<id>/pass*.<ext>`, `checks/<id>/fail*.<ext>`), normalised and
//! evaluated to show that the check passes what it should and fails what it
//! should, with the messages it should.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use evident_model::check::Outcome;
use evident_model::diagnostic::utf8_text;
use evident_model::{Diagnostic, Location};
use serde::Deserialize;
use serde_json::{Map, Value};
use serde_saphyr::Spanned;

use crate::evaluate::{Context, Input, Verdict};
use crate::library::Check;
use evident_catalog::yaml::clamp;

/// The evaluation time of fixtures when `test.yaml` names none:
/// 2026-11-28T00:00:00Z.
pub const DEFAULT_FIXTURE_NOW: jiff::Timestamp = jiff::Timestamp::constant(1_795_824_000, 0);

/// What a fixture must give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Expectation {
    /// No deny message (`pass*`).
    Pass,
    /// At least one deny message (`fail*`).
    Fail,
}

impl Expectation {
    /// `pass` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Expectation::Pass => "pass",
            Expectation::Fail => "fail",
        }
    }
}

/// One fixture of a check.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The file name (`pass.csv`, `fail-root-keys.json`).
    pub name: String,
    /// Its path as diagnostics name it (`checks/x/pass.csv`,
    /// `builtin:checks/x/pass.csv`).
    pub path: String,
    /// Pass or fail, from the name.
    pub expect: Expectation,
    /// The artefact's bytes.
    pub content: Arc<[u8]>,
    /// Deny messages that must all appear (from `<stem>.expected`).
    pub expected_messages: Vec<String>,
    /// The evaluation time (`test.yaml` `now`, or
    /// [`DEFAULT_FIXTURE_NOW`]).
    pub now: jiff::Timestamp,
    /// Parameter values laid over the check's defaults (`test.yaml`
    /// `parameters`).
    pub parameters: Map<String, Value>,
}

impl Fixture {
    /// Already a normalised document (`*.normalized.json`), rather than an
    /// artefact in its tool's format.
    pub fn is_normalized(&self) -> bool {
        self.name.ends_with(".normalized.json")
    }
}

/// The outcome of one fixture (or of a fixture the check lacks).
#[derive(Clone, Debug)]
pub struct FixtureReport {
    /// The check's id.
    pub check: String,
    /// The fixture's file name; `pass*` or `fail*` for a kind of fixture
    /// the check lacks.
    pub fixture: String,
    /// What the fixture must give.
    pub expect: Expectation,
    /// What the check said; `None` when nothing was evaluated (the fixture
    /// is missing).
    pub verdict: Option<Verdict>,
    /// The fixture gave what it must.
    pub ok: bool,
    /// Why not, when not `ok`.
    pub problem: Option<String>,
    /// Something worth saying that is not a failure: a repository check
    /// without a pass or a fail fixture.
    pub note: Option<String>,
}

/// The files of a fixture folder: name and bytes, sorted by name.
pub(crate) type FixtureFiles = Vec<(String, Arc<[u8]>)>;

/// `checks/<id>/test.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestConfig {
    #[serde(default)]
    now: Option<Spanned<String>>,
    /// Keys keep their positions so an undeclared name is pointed at.
    #[serde(default)]
    parameters: Option<HashMap<Spanned<String>, Value>>,
}

/// The fixtures in a check's folder (`dir` as diagnostics name it, e.g.
/// `checks/x`), given its files; `declared` are the check's parameters,
/// which `test.yaml` may set and nothing else.
pub(crate) fn discover(
    dir: &str,
    files: FixtureFiles,
    declared: &Map<String, Value>,
) -> (Vec<Fixture>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let label = |name: &str| -> Arc<str> { format!("{dir}/{name}").into() };
    let mut now = DEFAULT_FIXTURE_NOW;
    let mut parameters = Map::new();
    if let Some((_, bytes)) = files.iter().find(|(name, _)| name == "test.yaml") {
        let file = label("test.yaml");
        match utf8_text(&file, bytes.to_vec())
            .and_then(|text| evident_catalog::yaml::parse::<TestConfig>(&file, &text))
        {
            Err(d) => problems.push(d),
            Ok(config) => {
                if let Some(text) = config.now {
                    match text.value.parse::<jiff::Timestamp>() {
                        Ok(t) => now = t,
                        Err(e) => problems.push(Diagnostic::new(
                            "invalid-value",
                            at(&file, &text),
                            format!(
                                "`now` must be an RFC 3339 time such as 2026-11-28T00:00:00Z: {e}"
                            ),
                        )),
                    }
                }
                let mut given: Vec<(Spanned<String>, Value)> =
                    config.parameters.unwrap_or_default().into_iter().collect();
                given.sort_by(|a, b| a.0.value.cmp(&b.0.value));
                for (name, value) in given {
                    if !declared.contains_key(&name.value) {
                        let names: Vec<&str> = declared.keys().map(String::as_str).collect();
                        problems.push(Diagnostic::new(
                            "invalid-value",
                            at(&file, &name),
                            format!(
                                "the check has no parameter `{}`; it declares {}",
                                name.value,
                                if names.is_empty() {
                                    "none".to_string()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        ));
                    }
                    parameters.insert(name.value, value);
                }
            }
        }
    }

    // `<stem>.expected`, keyed by stem.
    let mut expected: BTreeMap<&str, (Vec<String>, bool)> = BTreeMap::new();
    for (name, bytes) in &files {
        let Some(stem) = name.strip_suffix(".expected") else {
            continue;
        };
        match utf8_text(&label(name), bytes.to_vec()) {
            Ok(text) => {
                let lines = text
                    .lines()
                    .map(str::trim_end)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
                expected.insert(stem, (lines, false));
            }
            Err(d) => problems.push(d),
        }
    }

    let mut fixtures = Vec::new();
    for (name, bytes) in &files {
        if name.ends_with(".expected") || name == "test.yaml" {
            continue;
        }
        let stem = fixture_stem(name);
        let expect = if stem.starts_with("pass") {
            Expectation::Pass
        } else if stem.starts_with("fail") {
            Expectation::Fail
        } else {
            // SOURCE.md and anything else that is not a fixture.
            continue;
        };
        let expected_messages = match expected.get_mut(stem) {
            Some((lines, used)) => {
                *used = true;
                if expect == Expectation::Pass {
                    problems.push(Diagnostic::new(
                        "invalid-value",
                        Location::file_start(label(&format!("{stem}.expected"))),
                        format!("`{stem}.expected` lists deny messages, but `{name}` is a pass fixture, which must give none"),
                    ));
                }
                lines.clone()
            }
            None => Vec::new(),
        };
        fixtures.push(Fixture {
            name: name.clone(),
            path: label(name).to_string(),
            expect,
            content: bytes.clone(),
            expected_messages,
            now,
            parameters: parameters.clone(),
        });
    }
    for (stem, (_, used)) in &expected {
        if !used {
            problems.push(Diagnostic::new(
                "invalid-value",
                Location::file_start(label(&format!("{stem}.expected"))),
                format!("`{stem}.expected` belongs to no fixture: there is no `{stem}.<ext>`"),
            ));
        }
    }
    (fixtures, problems)
}

fn at<T>(file: &Arc<str>, value: &Spanned<T>) -> Location {
    Location::new(
        file.clone(),
        clamp(value.referenced.line()),
        clamp(value.referenced.column()),
    )
}

/// The name up to its first dot: `fail-x.normalized.json` → `fail-x`.
fn fixture_stem(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// Runs a check against each of its fixtures. A check without a pass or a
/// fail fixture gets a report for the missing kind: a failure for a
/// built-in check (every built-in has both), a note for a repository
/// check.
pub fn run_fixtures(check: &Check) -> Vec<FixtureReport> {
    let mut reports = Vec::new();
    let compiled = check.compile();
    for fixture in &check.fixtures {
        let verdict = match &compiled {
            Ok(compiled) => match input(check, fixture) {
                Ok(input) => match check.parameters_with(&fixture.parameters) {
                    Ok(parameters) => compiled.evaluate(
                        &input,
                        &Context {
                            now: fixture.now,
                            parameters,
                        },
                    ),
                    Err(e) => Verdict::error(e.to_string()),
                },
                Err(problem) => Verdict::error(problem),
            },
            Err(e) => Verdict::error(format!("the check does not compile: {e}")),
        };
        let problem = judge(fixture, &verdict);
        reports.push(FixtureReport {
            check: check.id.clone(),
            fixture: fixture.name.clone(),
            expect: fixture.expect,
            verdict: Some(verdict),
            ok: problem.is_none(),
            problem,
            note: None,
        });
    }
    for expect in [Expectation::Pass, Expectation::Fail] {
        if check.fixtures.iter().any(|f| f.expect == expect) {
            continue;
        }
        let kind = expect.as_str();
        let dir = check.path.trim_end_matches(".rego");
        let missing = format!("no {kind} fixture ({dir}/{kind}*.<ext>)");
        let (ok, problem, note) = if check.builtin {
            (
                false,
                Some(format!("{missing}: every built-in check has both")),
                None,
            )
        } else {
            (true, None, Some(missing))
        };
        reports.push(FixtureReport {
            check: check.id.clone(),
            fixture: format!("{kind}*"),
            expect,
            verdict: None,
            ok,
            problem,
            note,
        });
    }
    reports
}

/// The fixture as the check's input: normalised from its real format, or
/// read as an already normalised document.
fn input(check: &Check, fixture: &Fixture) -> Result<Input, String> {
    let (format, document) = if fixture.is_normalized() {
        let document: Value = serde_json::from_slice(&fixture.content)
            .map_err(|e| format!("not a JSON document: {e}"))?;
        let format = match document.get("format") {
            Some(Value::String(f)) => f.clone(),
            _ => {
                return Err(
                    "the normalised document has no `format` (every normalised document names its format)"
                        .to_string(),
                );
            }
        };
        (format, document)
    } else {
        match evident_normalize::normalize(&fixture.name, "", &fixture.content) {
            None => return Err("not a recognised format (FORMATS.md lists them; a hand-written normalised document ends in `.normalized.json`)".to_string()),
            Some(Err(e)) => return Err(format!("normalize: {e}")),
            Some(Ok(n)) => (n.format.to_string(), n.document),
        }
    };
    if !check.formats.contains(&format) {
        return Err(format!(
            "fixture format {format} is not one the check reads ({})",
            check.formats.join(", ")
        ));
    }
    Ok(Input::from_value(&document))
}

/// What is wrong with a verdict for this fixture, if anything.
fn judge(fixture: &Fixture, verdict: &Verdict) -> Option<String> {
    if verdict.outcome == Outcome::Error {
        return Some(format!(
            "error: {}",
            verdict
                .error
                .as_deref()
                .unwrap_or("the check could not be evaluated")
        ));
    }
    match fixture.expect {
        Expectation::Pass if !verdict.denials.is_empty() => Some(format!(
            "expected no deny, got {}: {}",
            verdict.denials.len(),
            quoted(&verdict.denials)
        )),
        Expectation::Pass => None,
        Expectation::Fail if verdict.denials.is_empty() => {
            Some("expected at least one deny, got none".to_string())
        }
        Expectation::Fail => {
            let missing: Vec<&String> = fixture
                .expected_messages
                .iter()
                .filter(|m| !verdict.denials.contains(m))
                .collect();
            if missing.is_empty() {
                return None;
            }
            let missing: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            Some(format!(
                "expected message {} not produced; got {}",
                missing.join(", "),
                quoted(&verdict.denials)
            ))
        }
    }
}

/// Up to three messages, quoted, and how many more.
fn quoted(messages: &[String]) -> String {
    let mut shown: Vec<String> = messages.iter().take(3).map(|m| format!("`{m}`")).collect();
    if messages.len() > 3 {
        shown.push(format!("and {} more", messages.len() - 3));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    const CHECK: &str = "# METADATA\n# title: MFA\n# custom:\n#   id: mfa\n#   formats: [aws-iam-credential-report]\n#   requirements: [A.8.5]\n#   parameters:\n#     exempt: nobody\npackage evident.checks.mfa\n\ndeny contains msg if {\n  some u in input.users\n  u.mfa_active != true\n  u.user != data.evident.parameters.exempt\n  msg := sprintf(\"user %s has no MFA\", [u.user])\n}\n";

    /// A credential report in its real format: the CSV, three columns
    /// short of AWS's but enough for the normaliser.
    fn report(rows: &[(&str, bool)]) -> String {
        let mut csv = String::from(
            "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n",
        );
        for (user, mfa) in rows {
            csv.push_str(&format!(
                "{user},arn:aws:iam::111122223333:user/{user},2024-01-01T00:00:00+00:00,true,N/A,N/A,N/A,{mfa},false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
            ));
        }
        csv
    }

    /// Loads the repository check `mfa` with `fixtures` and renders each
    /// report as `fixture ok|FAILED problem-or-note`.
    fn run(fixtures: &[(&str, &str)]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let checks = dir.path().join("checks");
        std::fs::create_dir_all(checks.join("mfa")).unwrap();
        std::fs::write(checks.join("mfa.rego"), CHECK).unwrap();
        for (name, text) in fixtures {
            std::fs::write(checks.join("mfa").join(name), text).unwrap();
        }
        let (library, diagnostics) = Library::load(dir.path());
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        run_fixtures(library.get("mfa").unwrap())
            .into_iter()
            .map(|r| {
                let state = if r.ok { "ok" } else { "FAILED" };
                let detail = r.problem.or(r.note).unwrap_or_default();
                format!("{} {state} {detail}", r.fixture)
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    #[track_caller]
    fn expect(fixtures: &[(&str, &str)], expected: &[&str]) {
        let got = run(fixtures);
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for (g, e) in got.iter().zip(expected) {
            assert!(g.starts_with(e), "expected `{e}…`, got `{g}`");
        }
    }

    #[test]
    fn fixtures_that_give_what_they_say_are_ok() {
        let fail = report(&[("alice", true), ("bob", false), ("carol", false)]);
        expect(
            &[
                ("pass.csv", &report(&[("alice", true)])),
                ("fail-two.csv", &fail),
                (
                    "fail-two.expected",
                    "user bob has no MFA\nuser carol has no MFA\n",
                ),
                ("SOURCE.md", "written for evident\n"),
            ],
            &["fail-two.csv ok", "pass.csv ok"],
        );
    }

    #[test]
    fn fixtures_that_do_not_are_named_with_the_reason() {
        let clean = report(&[("alice", true)]);
        let bad = report(&[("bob", false)]);
        expect(
            &[("pass.csv", &bad), ("fail.csv", &clean)],
            &[
                "fail.csv FAILED expected at least one deny, got none",
                "pass.csv FAILED expected no deny, got 1: `user bob has no MFA`",
            ],
        );
        expect(
            &[
                ("pass.csv", &clean),
                ("fail.csv", &bad),
                (
                    "fail.expected",
                    "user bob has no MFA\nuser dave has no MFA\n",
                ),
            ],
            &[
                "fail.csv FAILED expected message `user dave has no MFA` not produced; got `user bob has no MFA`",
                "pass.csv ok",
            ],
        );
    }

    #[test]
    fn inputs_that_are_not_the_check_s_are_problems() {
        let clean = report(&[("alice", true)]);
        expect(
            &[
                ("pass.csv", &clean),
                ("fail-unknown.txt", "hello"),
                (
                    "fail-broken.json",
                    "{\"Content\": \"x\", \"ReportFormat\": \"text/csv\"",
                ),
                ("fail-other.json", "{\"trailList\": []}"),
                ("fail-bare.normalized.json", "{\"users\": []}"),
                (
                    "fail-wrong.normalized.json",
                    "{\"format\": \"okta-users\", \"users\": []}",
                ),
            ],
            &[
                "fail-bare.normalized.json FAILED error: the normalised document has no `format`",
                "fail-broken.json FAILED error: normalize: aws-iam-credential-report:",
                "fail-other.json FAILED error: fixture format aws-cloudtrail-trails is not one the check reads (aws-iam-credential-report)",
                "fail-unknown.txt FAILED error: not a recognised format",
                "fail-wrong.normalized.json FAILED error: fixture format okta-users is not one the check reads",
                "pass.csv ok",
            ],
        );
    }

    #[test]
    fn test_yaml_sets_time_and_parameters() {
        // bob is exempt: the report passes.
        expect(
            &[
                ("pass.csv", &report(&[("bob", false)])),
                (
                    "fail.normalized.json",
                    "{\"format\": \"aws-iam-credential-report\", \"users\": [{\"user\": \"eve\", \"mfa_active\": false}]}",
                ),
                (
                    "test.yaml",
                    "now: 2025-01-01T00:00:00Z\nparameters: { exempt: bob }\n",
                ),
            ],
            &["fail.normalized.json ok", "pass.csv ok"],
        );
    }

    #[test]
    fn a_missing_kind_is_a_note_for_the_repository_and_a_problem_for_built_ins() {
        let clean = report(&[("alice", true)]);
        expect(
            &[("pass.csv", &clean)],
            &[
                "pass.csv ok",
                "fail* ok no fail fixture (checks/mfa/fail*.<ext>)",
            ],
        );
        expect(
            &[],
            &[
                "pass* ok no pass fixture (checks/mfa/pass*.<ext>)",
                "fail* ok no fail fixture",
            ],
        );
        let mut builtin = Library::builtin().checks()[0].clone();
        builtin.fixtures.retain(|f| f.expect == Expectation::Pass);
        let reports = run_fixtures(&builtin);
        let missing = reports.last().unwrap();
        assert_eq!(missing.fixture, "fail*");
        assert!(!missing.ok);
        assert!(missing.verdict.is_none());
        assert!(
            missing
                .problem
                .as_deref()
                .unwrap()
                .ends_with("every built-in check has both"),
            "{missing:?}"
        );
    }

    #[test]
    fn the_default_time_is_the_documented_one() {
        assert_eq!(DEFAULT_FIXTURE_NOW.to_string(), "2026-11-28T00:00:00Z");
    }
}
