//! A check's METADATA block: OPA's package-scope annotation, YAML written in
//! `# ` comments above `package`. Read into a `deny_unknown_fields` struct,
//! validated, and every problem placed at its line and column in the `.rego`
//! file (YAML positions shifted by the block's first line and by the comment
//! prefix each line lost).

use std::collections::HashMap;
use std::sync::Arc;

use evident_model::{Diagnostic, Location};
use serde::Deserialize;
use serde_json::{Map, Value};
use serde_saphyr::Spanned;

use crate::files;
use evident_catalog::yaml::clamp;

/// The validated metadata of one check.
#[derive(Debug)]
pub(crate) struct Metadata {
    pub title: String,
    pub description: String,
    pub id: String,
    /// Where `custom.id` is written: a duplicate id points there.
    pub id_at: Location,
    pub formats: Vec<String>,
    pub requirements: Vec<String>,
    pub controls: Vec<String>,
    pub parameters: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetadata {
    title: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    custom: RawCustom,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustom {
    id: Spanned<String>,
    formats: Spanned<Vec<Spanned<String>>>,
    requirements: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    controls: Option<Spanned<Vec<Spanned<String>>>>,
    /// Keys keep their positions so a bad name is pointed at.
    #[serde(default)]
    parameters: Option<HashMap<Spanned<String>, Value>>,
}

/// The comment lines of the block, as YAML, and how to map a YAML position
/// back into the `.rego` file.
struct Block {
    /// The 1-based `.rego` line of the first YAML line.
    first_line: u32,
    /// Per YAML line, the characters stripped from the `.rego` line
    /// (indentation, `#` and one space).
    stripped: Vec<u32>,
    yaml: String,
}

impl Block {
    /// Finds `# METADATA` before the package clause and takes the comment
    /// lines after it, up to the first line that is not a comment.
    fn find(source: &str) -> Option<Block> {
        let mut lines = source.lines().enumerate();
        let header = loop {
            let (index, line) = lines.next()?;
            let text = line.trim();
            if text == "# METADATA" {
                break index;
            }
            if text == "package" || text.starts_with("package ") {
                return None;
            }
        };
        let mut stripped = Vec::new();
        let mut yaml = String::new();
        for (_, line) in lines {
            let Some(after_hash) = line.trim_start().strip_prefix('#') else {
                break;
            };
            let content = after_hash.strip_prefix(' ').unwrap_or(after_hash);
            let prefix = line.chars().count() - content.chars().count();
            stripped.push(files::to_u32(prefix));
            yaml.push_str(content);
            yaml.push('\n');
        }
        Some(Block {
            first_line: files::to_u32(header + 2),
            stripped,
            yaml,
        })
    }

    /// The `.rego` position of a 1-based YAML line and column. A position
    /// past the block (an unexpected end) is put on its last line.
    fn locate(&self, file: &Arc<str>, line: u32, column: u32) -> Location {
        let last = self.stripped.len().saturating_sub(1);
        let index = (line.max(1) as usize - 1).min(last);
        let prefix = self.stripped.get(index).copied().unwrap_or(0);
        Location::new(
            file.clone(),
            self.first_line.saturating_add(files::to_u32(index)),
            column.saturating_add(prefix),
        )
    }

    fn at<T>(&self, file: &Arc<str>, value: &Spanned<T>) -> Location {
        self.locate(
            file,
            clamp(value.referenced.line()),
            clamp(value.referenced.column()),
        )
    }
}

/// Reads and validates the METADATA block of the check in `file`, whose
/// file stem is `stem`. `builtin` checks may not name controls (those are
/// the organisation's).
pub(crate) fn parse(
    file: &Arc<str>,
    source: &str,
    stem: &str,
    builtin: bool,
) -> Result<Metadata, Vec<Diagnostic>> {
    let Some(block) = Block::find(source) else {
        return Err(vec![
            Diagnostic::new(
                "invalid-yaml",
                Location::file_start(file.clone()),
                "no METADATA block: a check starts with a `# METADATA` comment block above `package`",
            )
            .with_hint(
                "write `# METADATA`, then `# title: …` and `# custom:` with `id`, `formats` and `requirements`, each line a `# ` comment (CHECKS.md)",
            ),
        ]);
    };
    if block.yaml.trim().is_empty() {
        return Err(vec![Diagnostic::new(
            "invalid-yaml",
            block.locate(file, 1, 1),
            "the METADATA block is empty: it needs `title` and `custom` (`id`, `formats`, `requirements`)",
        )]);
    }
    // Parsed as a document of its own, then placed back in the .rego file.
    let raw: RawMetadata = evident_catalog::yaml::parse(file, &block.yaml).map_err(|d| {
        vec![Diagnostic::new(
            d.code,
            block.locate(file, d.location.line, d.location.column),
            format!("METADATA: {}", d.message),
        )]
    })?;
    let mut problems = Vec::new();
    let mut problem = |at: Location, message: String| {
        problems.push(Diagnostic::new("invalid-value", at, message));
    };

    let title = raw.title.value.trim().to_string();
    if title.is_empty() {
        problem(
            block.at(file, &raw.title),
            "the title is empty: say in a few words what the check makes sure of".into(),
        );
    }
    let custom = raw.custom;
    let id = custom.id.value.clone();
    let id_at = block.at(file, &custom.id);
    if !is_kebab_case(&id) {
        problem(
            id_at.clone(),
            format!(
                "the check id `{id}` is not kebab-case (lowercase letters, digits and single dashes, starting with a letter)"
            ),
        );
    } else if id != stem {
        problem(
            id_at.clone(),
            format!(
                "the check id `{id}` differs from the file name `{stem}.rego`: they must be the same"
            ),
        );
    }

    let formats = strings(&custom.formats.value);
    if formats.is_empty() {
        problem(
            block.at(file, &custom.formats),
            "`formats` is empty: name the normalised formats the check reads".into(),
        );
    }
    for (i, format) in custom.formats.value.iter().enumerate() {
        let at = block.at(file, format);
        if !evident_normalize::formats()
            .iter()
            .any(|f| f.id == format.value)
        {
            let known: Vec<&str> = evident_normalize::formats().iter().map(|f| f.id).collect();
            problems.push(
                Diagnostic::new(
                    "invalid-value",
                    at,
                    format!("unknown format `{}`", format.value),
                )
                .with_hint(format!("known formats: {}", known.join(", "))),
            );
        } else if formats[..i].contains(&format.value) {
            problems.push(Diagnostic::new(
                "invalid-value",
                at,
                format!("the format `{}` is listed twice", format.value),
            ));
        }
    }

    let requirements = strings(&custom.requirements.value);
    let mut problem = |at: Location, message: String| {
        problems.push(Diagnostic::new("invalid-value", at, message));
    };
    if requirements.is_empty() {
        problem(
            block.at(file, &custom.requirements),
            "`requirements` is empty: name the Annex A controls (or other framework requirements) the check evidences".into(),
        );
    }
    for r in &custom.requirements.value {
        if r.value.trim().is_empty() || r.value.chars().any(char::is_whitespace) {
            problem(
                block.at(file, r),
                format!(
                    "`{}` is not a requirement id (`A.8.5`, or `framework:id` such as `nist-csf-2.0:PR.AA-03`)",
                    r.value
                ),
            );
        }
    }

    let controls = match &custom.controls {
        Some(list) => {
            if builtin && !list.value.is_empty() {
                problem(
                    block.at(file, list),
                    "a built-in check names no controls: controls are the organisation's own"
                        .into(),
                );
            }
            for c in &list.value {
                if c.value.trim().is_empty() {
                    problem(block.at(file, c), "a control id is empty".into());
                }
            }
            strings(&list.value)
        }
        None => Vec::new(),
    };

    let mut names: Vec<(Spanned<String>, Value)> =
        custom.parameters.unwrap_or_default().into_iter().collect();
    names.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    let mut parameters = Map::new();
    for (name, value) in names {
        if !is_identifier(&name.value) {
            problem(
                block.at(file, &name),
                format!(
                    "the parameter name `{}` cannot be read as `data.evident.parameters.{}`: use letters, digits and `_`, not starting with a digit",
                    name.value, name.value
                ),
            );
        }
        parameters.insert(name.value, value);
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Metadata {
        title,
        description: raw
            .description
            .map(|d| d.trim().to_string())
            .unwrap_or_default(),
        id,
        id_at,
        formats,
        requirements,
        controls,
        parameters,
    })
}

fn strings(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|s| s.value.clone()).collect()
}

/// `aws-iam-console-mfa`: lowercase ASCII letters and digits in words joined
/// by single dashes, starting with a letter.
pub(crate) fn is_kebab_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A name Rego can use after a dot.
fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# METADATA
# title: Console users have MFA
# description: >-
#   Every console user has MFA.
# custom:
#   id: x-check
#   formats: [aws-iam-credential-report]
#   requirements: [A.8.5]
#   parameters:
#     max_age_days: 90
package evident.checks.x_check
";

    /// Parses `source` as `checks/x-check.rego` and renders the outcome as
    /// `line:column code message` per problem, or `ok`.
    fn check(source: &str, builtin: bool, expected: &[&str]) {
        let file: Arc<str> = "checks/x-check.rego".into();
        let got: Vec<String> = match parse(&file, source, "x-check", builtin) {
            Ok(_) => vec!["ok".to_string()],
            Err(ds) => ds
                .iter()
                .map(|d| {
                    format!(
                        "{}:{} {} {}",
                        d.location.line, d.location.column, d.code, d.message
                    )
                })
                .collect(),
        };
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for (g, e) in got.iter().zip(expected) {
            assert!(g.starts_with(e), "expected `{e}…`, got `{g}`");
        }
    }

    #[test]
    fn a_complete_block_reads() {
        let file: Arc<str> = "checks/x-check.rego".into();
        let m = parse(&file, GOOD, "x-check", true).unwrap();
        assert_eq!(m.title, "Console users have MFA");
        assert_eq!(m.description, "Every console user has MFA.");
        assert_eq!(m.formats, ["aws-iam-credential-report"]);
        assert_eq!(m.requirements, ["A.8.5"]);
        assert_eq!(m.parameters["max_age_days"], 90);
        assert_eq!((m.id_at.line, m.id_at.column), (6, 9));
    }

    #[test]
    fn positions_are_in_the_rego_file() {
        // Unknown key on line 5 of the file, after the `# ` (2 characters)
        // and 2 spaces of indentation.
        check(
            &GOOD.replace("#   formats", "#   colour: red\n#   formats"),
            false,
            &["7:5 invalid-yaml METADATA: unknown field `colour`"],
        );
        check(
            &GOOD.replace("x-check\n", "other-check\n"),
            false,
            &[
                "6:9 invalid-value the check id `other-check` differs from the file name `x-check.rego`",
            ],
        );
        check(
            &GOOD.replace("id: x-check", "id: X_Check"),
            false,
            &["6:9 invalid-value the check id `X_Check` is not kebab-case"],
        );
        check(
            &GOOD.replace(
                "[aws-iam-credential-report]",
                "[aws-iam-credential-report, nope, aws-iam-credential-report]",
            ),
            false,
            &[
                "7:42 invalid-value unknown format `nope`",
                "7:48 invalid-value the format `aws-iam-credential-report` is listed twice",
            ],
        );
        check(
            &GOOD.replace("[A.8.5]", "[]"),
            false,
            &["8:19 invalid-value `requirements` is empty"],
        );
        check(
            &GOOD.replace("#     max_age_days", "#     max-age"),
            false,
            &["10:7 invalid-value the parameter name `max-age` cannot be read"],
        );
    }

    #[test]
    fn what_is_missing_is_named() {
        check(
            "package evident.checks.x_check\n",
            false,
            &["1:1 invalid-yaml no METADATA block"],
        );
        check(
            "# METADATA\npackage evident.checks.x_check\n",
            false,
            &["2:1 invalid-yaml the METADATA block is empty"],
        );
        check(
            &GOOD.replace("#   requirements: [A.8.5]\n", ""),
            false,
            &["8:5 invalid-yaml METADATA: missing field `requirements`"],
        );
        check(
            &GOOD.replace("# title: Console users have MFA", "# title: ''"),
            false,
            &["2:10 invalid-value the title is empty"],
        );
    }

    #[test]
    fn controls_belong_to_repository_checks() {
        let with_controls = GOOD.replace("# custom:\n", "# custom:\n#   controls: [CTL-1]\n");
        check(&with_controls, false, &["ok"]);
        check(
            &with_controls,
            true,
            &["6:15 invalid-value a built-in check names no controls"],
        );
    }

    #[test]
    fn yaml_syntax_errors_are_placed() {
        check(
            &GOOD.replace("formats: [aws-iam-credential-report]", "formats: [aws-iam"),
            false,
            &["8:"],
        );
    }

    #[test]
    fn kebab_case() {
        for ok in ["a", "aws-iam-console-mfa", "k8s-admin", "a1-b2"] {
            assert!(is_kebab_case(ok), "{ok}");
        }
        for bad in ["", "A", "1a", "a--b", "a-", "-a", "a_b", "a b", "é"] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }
}
