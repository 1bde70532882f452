//! The check library: the built-in checks, embedded in the binary, and a
//! repository's own `checks/*.rego`, each validated as it is loaded.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use evident_model::diagnostic::utf8_text;
use evident_model::{Diagnostic, Location};
use include_dir::{Dir, include_dir};
use serde_json::{Map, Value};

use crate::evaluate;
use crate::files;
use crate::fixtures::{self, Fixture, FixtureFiles};
use crate::metadata;

/// The built-in checks and their fixture folders.
static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/checks");

/// How built-in check paths are written in diagnostics and listings, to
/// tell them from the repository's `checks/`.
const BUILTIN_PREFIX: &str = "builtin:";

/// One check: a Rego policy with its metadata and fixtures.
#[derive(Clone, Debug)]
pub struct Check {
    /// Kebab-case id, equal to the file stem (`aws-iam-console-mfa`).
    pub id: String,
    /// What the check makes sure of, in a few words.
    pub title: String,
    /// Why it matters and what it judges; empty when the metadata has none.
    pub description: String,
    /// The normalised format ids it reads (`aws-iam-credential-report`).
    pub formats: Vec<String>,
    /// The requirements it evidences: Annex A controls (`A.8.5`) or
    /// `framework:id` references.
    pub requirements: Vec<String>,
    /// The organisation's control ids it judges (repository checks only).
    pub controls: Vec<String>,
    /// Parameter defaults, overridden per organisation
    /// ([`Check::parameters_with`]).
    pub parameters: Map<String, Value>,
    /// Shipped with evident, as opposed to the repository's own.
    pub builtin: bool,
    /// `checks/<id>.rego` relative to the ISMS root, or
    /// `builtin:checks/<id>.rego`.
    pub path: String,
    /// The Rego text.
    pub source: Arc<str>,
    /// The pass and fail fixtures of `checks/<id>/`, sorted by name.
    pub fixtures: Vec<Fixture>,
}

/// A set of checks, sorted by id.
#[derive(Clone, Debug, Default)]
pub struct Library {
    checks: Vec<Check>,
}

impl Library {
    /// The built-in checks. Parsed and validated once per process; a
    /// built-in check with a problem is left out here and reported by
    /// [`Library::load`] (and by this crate's tests, so none ships).
    pub fn builtin() -> Library {
        Library {
            checks: builtin().0.clone(),
        }
    }

    /// The built-in checks plus the repository's `checks/*.rego` under
    /// `isms_root` (an absent folder means none), with a diagnostic for
    /// every problem, in file order. Checks with problems are left out,
    /// except one whose only problem is Rego that does not compile
    /// (`invalid-rego`): it stays, and evaluating it gives an error result.
    pub fn load(isms_root: &Path) -> (Library, Vec<Diagnostic>) {
        let (builtin_checks, builtin_problems) = builtin();
        let mut checks = builtin_checks.clone();
        let mut diagnostics = builtin_problems.clone();
        for loaded in repository(isms_root, &mut diagnostics) {
            match checks.iter().find(|c| c.id == loaded.check.id) {
                Some(builtin) => diagnostics.push(
                    Diagnostic::new(
                        "duplicate-id",
                        loaded.id_at,
                        format!(
                            "the check id `{}` is also the id of the built-in check {}",
                            loaded.check.id, builtin.path
                        ),
                    )
                    .with_hint(
                        "rename the repository's check (file and `custom.id`); to change a built-in check's limits, override its parameters instead",
                    ),
                ),
                None => checks.push(loaded.check),
            }
        }
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        diagnostics.sort_by(|a, b| a.location.cmp(&b.location));
        (Library { checks }, diagnostics)
    }

    /// The checks, sorted by id.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// The check with this id.
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The text of an embedded file named as in diagnostics
    /// (`builtin:checks/x.rego`), so a renderer can show the offending
    /// line of a built-in check.
    pub fn builtin_source(path: &str) -> Option<&'static str> {
        let relative = path.strip_prefix(BUILTIN_PREFIX)?.strip_prefix("checks/")?;
        BUILTIN.get_file(relative)?.contents_utf8()
    }
}

/// The built-in checks and the problems of those that could not be loaded.
fn builtin() -> &'static (Vec<Check>, Vec<Diagnostic>) {
    static PARSED: OnceLock<(Vec<Check>, Vec<Diagnostic>)> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut checks = Vec::new();
        let mut diagnostics = Vec::new();
        let mut rego: Vec<_> = BUILTIN
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "rego"))
            .collect();
        rego.sort_by_key(|f| f.path());
        for file in rego {
            let Some(name) = file.path().to_str() else {
                continue;
            };
            let label: Arc<str> = format!("{BUILTIN_PREFIX}checks/{name}").into();
            let stem = name.trim_end_matches(".rego");
            let source = match utf8_text(&label, file.contents().to_vec()) {
                Ok(text) => text,
                Err(d) => {
                    diagnostics.push(d);
                    continue;
                }
            };
            let fixture_files = BUILTIN
                .get_dir(stem)
                .map(|dir| {
                    let mut found: FixtureFiles = dir
                        .files()
                        .filter_map(|f| {
                            let name = f.path().file_name()?.to_str()?;
                            Some((name.to_string(), Arc::from(f.contents())))
                        })
                        .collect();
                    found.sort_by(|a, b| a.0.cmp(&b.0));
                    found
                })
                .unwrap_or_default();
            let (check, problems) = check(&label, stem, source, true, fixture_files);
            diagnostics.extend(problems);
            checks.extend(check.map(|c| c.check));
        }
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        (checks, diagnostics)
    })
}

/// A check loaded from a file, with where its id is written.
struct Loaded {
    check: Check,
    id_at: Location,
}

/// The repository's own checks, `checks/*.rego` under `root`.
fn repository(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<Loaded> {
    let folder = root.join("checks");
    let label: Arc<str> = "checks".into();
    match std::fs::metadata(&folder) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            diagnostics.push(Diagnostic::new(
                "io-error",
                Location::file_start(label),
                format!("cannot read the checks folder: {e}"),
            ));
            return Vec::new();
        }
        Ok(m) if !m.is_dir() => {
            diagnostics.push(Diagnostic::new(
                "io-error",
                Location::file_start(label),
                "`checks` is a file; the repository's checks go in a folder `checks/`",
            ));
            return Vec::new();
        }
        Ok(_) => {}
    }
    let entries = match files::list(&folder, &label) {
        Ok(entries) => entries,
        Err(d) => {
            diagnostics.push(d);
            return Vec::new();
        }
    };
    let mut loaded = Vec::new();
    for (name, is_dir) in &entries {
        let Some(stem) = name.strip_suffix(".rego") else {
            continue;
        };
        if *is_dir {
            continue;
        }
        let label: Arc<str> = format!("checks/{name}").into();
        let source = match files::read(&folder.join(name), &label, files::MAX_CHECK_BYTES)
            .and_then(|bytes| utf8_text(&label, bytes))
        {
            Ok(text) => text,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        let fixture_files = if entries.iter().any(|(n, d)| *d && n == stem) {
            match fixture_files(&folder.join(stem), stem) {
                Ok(found) => found,
                Err(d) => {
                    diagnostics.push(d);
                    continue;
                }
            }
        } else {
            Vec::new()
        };
        let (check, problems) = check(&label, stem, source, false, fixture_files);
        diagnostics.extend(problems);
        loaded.extend(check);
    }
    loaded
}

/// The regular files of a repository check's fixture folder, sorted.
fn fixture_files(dir: &Path, stem: &str) -> Result<FixtureFiles, Diagnostic> {
    let label: Arc<str> = format!("checks/{stem}").into();
    let mut found = Vec::new();
    for (name, is_dir) in files::list(dir, &label)? {
        if is_dir {
            continue;
        }
        let file_label: Arc<str> = format!("checks/{stem}/{name}").into();
        let bytes = files::read(&dir.join(&name), &file_label, files::MAX_FIXTURE_BYTES)?;
        found.push((name, Arc::from(bytes)));
    }
    Ok(found)
}

/// Validates one check: its metadata, its Rego, its fixtures. `None` when
/// any of them has a problem (all problems are reported, not the first).
fn check(
    label: &Arc<str>,
    stem: &str,
    source: String,
    builtin: bool,
    fixture_files: FixtureFiles,
) -> (Option<Loaded>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let metadata = match metadata::parse(label, &source, stem, builtin) {
        Ok(m) => Some(m),
        Err(ds) => {
            problems.extend(ds);
            None
        }
    };
    // The package must match the file name whatever the metadata says, so
    // the Rego is checked even when the metadata is wrong.
    let compiles = match evaluate::compile_check(label, &source, stem) {
        Ok(_) => true,
        Err(e) => {
            problems.push(Diagnostic::new(
                "invalid-rego",
                Location::new(label.clone(), e.line, e.column),
                e.message,
            ));
            false
        }
    };
    let Some(metadata) = metadata else {
        return (None, problems);
    };
    let fixture_dir = match label.strip_suffix(".rego") {
        Some(dir) => dir.to_string(),
        None => label.to_string(),
    };
    let (fixtures, fixture_problems) =
        fixtures::discover(&fixture_dir, fixture_files, &metadata.parameters);
    problems.extend(fixture_problems);
    // A check whose metadata reads but whose Rego does not compile stays
    // in the library (with its diagnostic): evaluating it records an error
    // result for what it reads, so its controls fail rather than pass
    // unjudged. Any other problem leaves it out.
    if !problems.is_empty() && (compiles || problems.len() > 1) {
        return (None, problems);
    }
    let check = Check {
        id: metadata.id,
        title: metadata.title,
        description: metadata.description,
        formats: metadata.formats,
        requirements: metadata.requirements,
        controls: metadata.controls,
        parameters: metadata.parameters,
        builtin,
        path: label.to_string(),
        source: source.into(),
        fixtures,
    };
    (
        Some(Loaded {
            check,
            id_at: metadata.id_at,
        }),
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::run_fixtures;

    /// A repository check `id` that reads credential reports and denies
    /// every user without MFA.
    fn rego(id: &str) -> String {
        format!(
            "# METADATA\n# title: MFA\n# custom:\n#   id: {id}\n#   formats: [aws-iam-credential-report]\n#   requirements: [A.8.5]\n#   parameters:\n#     limit: 3\npackage evident.checks.{}\n\ndeny contains msg if {{\n  some u in input.users\n  u.mfa_active != true\n  msg := sprintf(\"user %s has no MFA\", [u.user])\n}}\n",
            id.replace('-', "_")
        )
    }

    /// A repository holding `files`.
    fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    /// Loads `files` and renders the diagnostics that are not about
    /// built-in checks as `file:line:column code message`.
    fn problems(files: &[(&str, &str)]) -> Vec<String> {
        let dir = repo(files);
        let (_, diagnostics) = Library::load(dir.path());
        diagnostics
            .iter()
            .filter(|d| !d.location.file.starts_with(BUILTIN_PREFIX))
            .map(|d| format!("{} {} {}", d.location, d.code, d.message))
            .collect()
    }

    #[track_caller]
    fn expect(files: &[(&str, &str)], expected: &[&str]) {
        let got = problems(files);
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for (g, e) in got.iter().zip(expected) {
            assert!(g.starts_with(e), "expected `{e}…`, got `{g}`");
        }
    }

    #[test]
    fn repository_checks_join_the_built_ins() {
        let dir = repo(&[
            ("checks/my-mfa.rego", &rego("my-mfa")),
            ("checks/my-mfa/pass.normalized.json", "{}"),
            ("checks/README.md", "not a check"),
            // An editor's lock file is not a check.
            ("checks/.#my-mfa.rego", "junk"),
        ]);
        let (library, diagnostics) = Library::load(dir.path());
        let builtin_count = Library::builtin().checks().len();
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        assert_eq!(library.checks().len(), builtin_count + 1);
        let check = library.get("my-mfa").unwrap();
        assert!(!check.builtin);
        assert_eq!(check.path, "checks/my-mfa.rego");
        assert_eq!(check.parameters["limit"], 3);
        assert_eq!(check.fixtures.len(), 1);
        assert_eq!(check.fixtures[0].path, "checks/my-mfa/pass.normalized.json");
        let ids: Vec<&str> = library.checks().iter().map(|c| c.id.as_str()).collect();
        assert!(ids.is_sorted(), "{ids:?}");

        // No `checks/` folder: the built-ins alone.
        let (library, diagnostics) = Library::load(repo(&[]).path());
        assert!(diagnostics.is_empty());
        assert_eq!(library.checks().len(), builtin_count);
    }

    #[test]
    fn every_problem_names_file_line_and_column() {
        expect(
            &[("checks/a.rego", &rego("a").replace("[u.user])", "[u.user]"))],
            &["checks/a.rego:15:1 invalid-rego expecting `)`"],
        );
        expect(
            &[(
                "checks/a.rego",
                &rego("a").replace("package evident.checks.a", "package a"),
            )],
            &[
                "checks/a.rego:9:9 invalid-rego the package is `a`; check `a` must be in `package evident.checks.a`",
            ],
        );
        expect(
            &[(
                "checks/a.rego",
                &rego("a").replace("formats: [", "formats: [okta-user, "),
            )],
            &["checks/a.rego:5:15 invalid-value unknown format `okta-user`"],
        );
        expect(
            &[("checks/a.rego", &rego("b"))],
            &[
                "checks/a.rego:4:9 invalid-value the check id `b` differs from the file name `a.rego`",
                "checks/a.rego:9:9 invalid-rego the package is `evident.checks.b`; check `a` must be in `package evident.checks.a`",
            ],
        );
        expect(
            &[(
                "checks/a.rego",
                &rego("a").replace("# title: MFA\n", "# title: MFA\n# scope: package\n"),
            )],
            &["checks/a.rego:3:3 invalid-yaml METADATA: unknown field `scope`"],
        );
        expect(
            &[
                ("checks/a.rego", &rego("a")),
                (
                    "checks/a/test.yaml",
                    "now: 2026-01-01T00:00:00Z\nparameters:\n  limit: 2\n  limt: 4\n",
                ),
            ],
            &[
                "checks/a/test.yaml:4:3 invalid-value the check has no parameter `limt`; it declares limit",
            ],
        );
        expect(
            &[
                ("checks/a.rego", &rego("a")),
                ("checks/a/test.yaml", "now: yesterday\n"),
            ],
            &["checks/a/test.yaml:1:6 invalid-value `now` must be an RFC 3339 time"],
        );
        expect(
            &[
                ("checks/a.rego", &rego("a")),
                ("checks/a/test.yaml", "when: 2026-01-01T00:00:00Z\n"),
            ],
            &["checks/a/test.yaml:1:1 invalid-yaml unknown field `when`"],
        );
        expect(
            &[
                ("checks/a.rego", &rego("a")),
                ("checks/a/fail.normalized.json", "{}"),
                ("checks/a/fial.expected", "x\n"),
                ("checks/a/pass.expected", "x\n"),
                ("checks/a/pass.normalized.json", "{}"),
            ],
            &[
                "checks/a/fial.expected:1:1 invalid-value `fial.expected` belongs to no fixture",
                "checks/a/pass.expected:1:1 invalid-value `pass.expected` lists deny messages, but `pass.normalized.json` is a pass fixture",
            ],
        );
    }

    #[test]
    fn unreadable_files_are_diagnostics() {
        let dir = repo(&[("checks/a.rego", "")]);
        std::fs::write(dir.path().join("checks/a.rego"), b"# METADATA\n\xff\n").unwrap();
        let (_, diagnostics) = Library::load(dir.path());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        assert_eq!(diagnostics[0].code, "not-utf8");
        assert_eq!(diagnostics[0].location.to_string(), "checks/a.rego:2:1");

        let dir = repo(&[("checks", "a file")]);
        let (library, diagnostics) = Library::load(dir.path());
        assert_eq!(diagnostics[0].code, "io-error");
        assert_eq!(library.checks().len(), Library::builtin().checks().len());

        let dir = repo(&[]);
        let big = vec![b'#'; files::MAX_CHECK_BYTES as usize + 1];
        std::fs::create_dir(dir.path().join("checks")).unwrap();
        std::fs::write(dir.path().join("checks/big.rego"), big).unwrap();
        let (_, diagnostics) = Library::load(dir.path());
        assert_eq!(diagnostics[0].code, "file-too-large");
    }

    #[test]
    fn a_repository_check_may_not_reuse_a_built_in_id() {
        let builtin = Library::builtin();
        let taken = &builtin.checks()[0];
        let file = format!("checks/{}.rego", taken.id);
        let (library, diagnostics) = Library::load(repo(&[(&file, &taken.source)]).path());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!(d.code, "duplicate-id");
        assert_eq!(&*d.location.file, file.as_str());
        assert!(
            d.message
                .contains(&format!("builtin:checks/{}.rego", taken.id)),
            "{}",
            d.message
        );
        assert!(library.get(&taken.id).unwrap().builtin);
    }

    #[test]
    fn built_in_sources_can_be_shown() {
        let builtin = Library::builtin();
        let check = &builtin.checks()[0];
        assert_eq!(Library::builtin_source(&check.path), Some(&*check.source));
        assert_eq!(Library::builtin_source("checks/x.rego"), None);
        assert_eq!(Library::builtin_source("builtin:checks/none.rego"), None);
    }

    /// The library's promise: every built-in check loads, and gives what
    /// each of its fixtures says (and has both a pass and a fail fixture).
    #[test]
    fn builtin_library_passes_its_fixtures() {
        let (library, diagnostics) =
            Library::load(&std::env::temp_dir().join("evident-no-such-repository"));
        let mut problems: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        let mut evaluated = 0;
        for check in library.checks() {
            for report in run_fixtures(check) {
                evaluated += usize::from(report.verdict.is_some());
                if let Some(problem) = report.problem {
                    problems.push(format!("{}/{}: {problem}", report.check, report.fixture));
                }
            }
        }
        // Each check has at least a pass and a fail fixture to run.
        assert!(
            evaluated >= 2 * library.checks().len(),
            "{evaluated} fixtures evaluated"
        );
        assert!(
            problems.is_empty(),
            "{} problems in the built-in library:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    /// Every requirement a built-in check evidences is one the catalog
    /// knows, and the library covers enough ground to be worth shipping.
    #[test]
    fn builtin_requirements_exist_in_the_catalog() {
        use evident_model::framework::{ISO27001_2022, RequirementRef};
        let catalog = evident_catalog::Catalog::builtin();
        let library = Library::builtin();
        let mut unknown = Vec::new();
        for check in library.checks() {
            for r in &check.requirements {
                let reference = RequirementRef::parse(r, ISO27001_2022);
                if catalog.requirement(&reference).is_none() {
                    unknown.push(format!("{}: {r}", check.id));
                }
            }
        }
        assert!(
            unknown.is_empty(),
            "requirements not in the catalog:\n{}",
            unknown.join("\n")
        );
        assert!(
            library.checks().len() >= 30,
            "the library has {} checks; it promises at least 30",
            library.checks().len()
        );
    }
}
