//! The `file` collector: files in the ISMS repository, typically exports
//! that scheduled jobs drop there.
//!
//! | parameter | type | default | meaning |
//! |---|---|---|---|
//! | `paths` | array of strings | required | globs relative to the ISMS root (`*`, `?`, `[abc]`, `{a,b}`, `**` for any depth); `*` does not cross `/` |
//! | `optional` | boolean | `false` | when `true`, a glob that matches no file is not an error |
//! | `media_type` | string | from the extension | the IANA media type of every artefact, overriding the extension table |
//!
//! One artefact per matching regular file, in path order, each matched once
//! however many globs match it. Its content is the file itself (streamed by
//! the store, never read whole here); its name and origin are the path
//! relative to the root; its observed period is the file's modification
//! time (`from == to`).
//!
//! Refused, with an error naming the path: a glob that leaves the root
//! through `..`, an absolute path outside the root, a symbolic link (file
//! or directory on the way) that resolves outside the root, a glob that
//! names a directory. Wildcards do not descend into symbolic links to
//! directories, nor into `.git` and `.evident`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use evident_model::evidence::{ObservedPeriod, Timestamp};
use evident_model::source::Source;

use crate::params::{self, Params};
use crate::paths::Root;
use crate::{Artefact, CollectError, Collected, Content, Context};

pub(crate) const PARAMETERS: &[&str] = &["paths", "optional", "media_type"];

/// Directories a wildcard never descends into: the repository's history and
/// evident's own store.
const SKIPPED_DIRS: &[&str] = &[".git", ".evident"];

pub(crate) fn collect(source: &Source, cx: &Context) -> Result<Collected, CollectError> {
    let p = Params::new("file", &source.parameters, PARAMETERS)?;
    let patterns = p.strings("paths")?;
    let optional = p.opt_bool("optional")?.unwrap_or(false);
    let media_type = p.opt_nonempty("media_type")?;
    let root = Root::new(&cx.root)?;

    // Relative path → canonical path, sorted and deduplicated.
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (i, pattern) in patterns.iter().enumerate() {
        let what = format!("paths[{i}]");
        let matches = expand(&root, &what, pattern)?;
        if matches.is_empty() && !optional {
            return Err(CollectError::Failed(format!(
                "`{what}`: `{pattern}` matches no file under `{}`: the evidence is missing \
                 (set `optional: true` if it may be absent)",
                root.path().display()
            )));
        }
        found.extend(matches);
    }

    let mut artefacts = Vec::with_capacity(found.len());
    for (relative, canonical) in found {
        let meta = std::fs::metadata(&canonical)
            .map_err(|e| CollectError::Failed(format!("cannot read `{relative}`: {e}")))?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| Timestamp::try_from(t).ok())
            .ok_or_else(|| {
                CollectError::Failed(format!("cannot read the modification time of `{relative}`"))
            })?;
        artefacts.push(Artefact {
            name: relative.clone(),
            content: Content::File(canonical),
            media_type: media_type
                .map(str::to_string)
                .unwrap_or_else(|| media_type_of(&relative).to_string()),
            origin: relative,
            tool_version: None,
            observed: ObservedPeriod {
                from: modified,
                to: modified,
            },
        });
    }
    Ok(Collected {
        artefacts,
        parameters: params::redact(&source.parameters),
    })
}

/// The files one glob matches: relative path → canonical path.
fn expand(
    root: &Root,
    what: &str,
    pattern: &str,
) -> Result<BTreeMap<String, PathBuf>, CollectError> {
    // A wildcard must not be followed by `..`, which the lexical resolution
    // of `..` would cancel against the wildcard itself.
    if pattern
        .split('/')
        .skip_while(|c| !is_glob(c))
        .any(|c| c == "..")
    {
        return Err(CollectError::Parameters(format!(
            "`{what}`: `{pattern}` has `..` after a wildcard; write the directory without it"
        )));
    }
    let components = root.components(what, pattern)?;
    if components.is_empty() {
        return Err(CollectError::Parameters(format!(
            "`{what}`: `{pattern}` names the ISMS root itself, not files in it"
        )));
    }
    // The literal directories before the first wildcard.
    let literal = components.iter().take_while(|c| !is_glob(c)).count();
    let (prefix, rest) = components.split_at(literal);
    let mut out = BTreeMap::new();

    if rest.is_empty() {
        let relative = prefix.join("/");
        let path = join(root.path(), prefix);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(out);
        }
        let canonical = root.confine(what, &relative, &path)?;
        let meta = std::fs::metadata(&canonical).map_err(|e| {
            CollectError::Failed(format!("`{what}`: cannot read `{relative}`: {e}"))
        })?;
        if meta.is_dir() {
            return Err(CollectError::Parameters(format!(
                "`{what}`: `{relative}` is a directory; name its files (`{relative}/*`, `{relative}/**`)"
            )));
        }
        if meta.is_file() {
            out.insert(relative, canonical);
        }
        return Ok(out);
    }

    let base_relative = prefix.join("/");
    let base = join(root.path(), prefix);
    if std::fs::symlink_metadata(&base).is_err() {
        return Ok(out);
    }
    let base = root.confine(what, &base_relative, &base)?;
    if !base.is_dir() {
        return Ok(out);
    }
    let glob = globset::GlobBuilder::new(&rest.join("/"))
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| {
            CollectError::Parameters(format!("`{what}`: `{pattern}` is not a valid glob: {e}"))
        })?
        .compile_matcher();
    let deep = rest.iter().any(|c| c.contains("**"));
    let mut walk = walkdir::WalkDir::new(&base)
        .min_depth(1)
        .follow_links(false);
    if !deep {
        walk = walk.max_depth(rest.len());
    }
    let walk = walk.into_iter().filter_entry(|e| {
        !(e.file_type().is_dir()
            && e.file_name()
                .to_str()
                .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
    });
    for entry in walk {
        let entry = entry.map_err(|e| {
            CollectError::Failed(format!("`{what}`: cannot list files for `{pattern}`: {e}"))
        })?;
        let Ok(inner) = entry.path().strip_prefix(&base) else {
            continue;
        };
        if !glob.is_match(inner) {
            continue;
        }
        let inner = inner.to_string_lossy().replace('\\', "/");
        let relative = if base_relative.is_empty() {
            inner
        } else {
            format!("{base_relative}/{inner}")
        };
        let file_type = entry.file_type();
        if file_type.is_file() {
            out.insert(relative, entry.into_path());
        } else if file_type.is_symlink() {
            let canonical = root.confine(what, &relative, entry.path())?;
            if canonical.is_file() {
                out.insert(relative, canonical);
            }
        }
    }
    Ok(out)
}

fn join(root: &Path, components: &[String]) -> PathBuf {
    components.iter().fold(root.to_path_buf(), |p, c| p.join(c))
}

fn is_glob(component: &str) -> bool {
    component.contains(['*', '?', '[', '{', '\\'])
}

/// The media type for a file name, from its extension.
pub(crate) fn media_type_of(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    // Compound extensions first.
    const COMPOUND: &[(&str, &str)] = &[
        (".sarif.json", "application/sarif+json"),
        (".cdx.json", "application/vnd.cyclonedx+json"),
        (".spdx.json", "application/spdx+json"),
        (".tar.gz", "application/gzip"),
    ];
    if let Some((_, media)) = COMPOUND.iter().find(|(ext, _)| lower.ends_with(ext)) {
        return media;
    }
    let ext = Path::new(&lower)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    match ext {
        "json" | "tfstate" => "application/json",
        "jsonl" | "ndjson" => "application/x-ndjson",
        "sarif" => "application/sarif+json",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "yaml" | "yml" => "application/yaml",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "md" | "markdown" => "text/markdown",
        "txt" | "log" | "conf" | "cfg" | "ini" => "text/plain",
        "rego" => "text/plain",
        "toml" => "application/toml",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "eml" => "message/rfc822",
        "pem" | "crt" | "cer" => "application/x-pem-file",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{context, source};
    use serde_json::json;
    use std::fs;

    /// A small ISMS tree with real sample exports.
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let samples = Path::new(crate::testing::SAMPLES);
        let copy = |from: &str, to: &str| {
            let to = dir.path().join(to);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(samples.join(from), to).unwrap();
        };
        copy(
            "aws/cloudmapper_iam-credential-report.csv",
            "evidence/aws/iam-credential-report.csv",
        );
        copy(
            "aws/cloudmapper_iam-get-account-authorization-details.json",
            "evidence/aws/iam-account-authorization-details.json",
        );
        copy(
            "scanners/trivy_alpine-310.sarif.json",
            "evidence/scanners/trivy.sarif.json",
        );
        copy(
            "scanners/trivy_npm_cyclonedx-1.7.json",
            "evidence/scanners/sbom-cyclonedx-npm.json",
        );
        copy(
            "kubernetes/kube-state-metrics_cluster-role-binding.yaml",
            "evidence/k8s/crb.yaml",
        );
        copy(
            "jira/jira-cli_search.json",
            "evidence/jira/deep/er/search.json",
        );
        fs::create_dir_all(dir.path().join(".evident/blobs")).unwrap();
        fs::write(dir.path().join(".evident/blobs/x.json"), "{}").unwrap();
        dir
    }

    /// Runs the collector on `tree()` with `parameters`; returns the
    /// artefacts as `origin media_type` lines, or the error text.
    fn run(dir: &Path, parameters: serde_json::Value) -> Result<Vec<String>, String> {
        let src = source("exports", "file", parameters);
        collect(&src, &context(dir))
            .map(|c| {
                c.artefacts
                    .iter()
                    .map(|a| format!("{} {}", a.origin, a.media_type))
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn globs() {
        let dir = tree();
        let check = |paths: serde_json::Value, expected: &[&str]| {
            let got = run(dir.path(), json!({ "paths": paths })).unwrap();
            assert_eq!(got, expected, "{paths}");
        };
        check(
            json!([
                "evidence/aws/iam-credential-report.csv",
                "evidence/aws/*.json"
            ]),
            &[
                "evidence/aws/iam-account-authorization-details.json application/json",
                "evidence/aws/iam-credential-report.csv text/csv",
            ],
        );
        check(
            json!(["evidence/scanners/*"]),
            &[
                "evidence/scanners/sbom-cyclonedx-npm.json application/json",
                "evidence/scanners/trivy.sarif.json application/sarif+json",
            ],
        );
        // `*` stays within a directory; `**` goes to any depth; a file
        // matched twice is one artefact; `.evident` is never walked.
        assert!(run(dir.path(), json!({"paths": ["evidence/*.json"]})).is_err());
        check(
            json!(["**/*.json", "evidence/jira/**"]),
            &[
                "evidence/aws/iam-account-authorization-details.json application/json",
                "evidence/jira/deep/er/search.json application/json",
                "evidence/scanners/sbom-cyclonedx-npm.json application/json",
                "evidence/scanners/trivy.sarif.json application/sarif+json",
            ],
        );
        check(
            json!(["evidence/{k8s,aws}/*.y?ml"]),
            &["evidence/k8s/crb.yaml application/yaml"],
        );
        check(
            json!(["./evidence/k8s/../k8s/crb.yaml"]),
            &["evidence/k8s/crb.yaml application/yaml"],
        );
        let absolute = format!("{}/evidence/k8s/crb.yaml", dir.path().display());
        check(
            json!([absolute]),
            &["evidence/k8s/crb.yaml application/yaml"],
        );
    }

    #[test]
    fn artefacts_point_at_the_files_with_their_modification_time() {
        let dir = tree();
        let file = dir.path().join("evidence/k8s/crb.yaml");
        let when =
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600);
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(when)
            .unwrap();
        let src = source(
            "k8s",
            "file",
            json!({"paths": ["evidence/k8s/*.yaml"], "media_type": "text/plain"}),
        );
        let got = collect(&src, &context(dir.path())).unwrap();
        let [a] = got.artefacts.as_slice() else {
            panic!("one artefact expected")
        };
        assert_eq!(a.name, "evidence/k8s/crb.yaml");
        assert_eq!(a.media_type, "text/plain");
        assert_eq!(a.observed.from.to_string(), "2026-01-01T00:00:00Z");
        assert_eq!(a.observed.from, a.observed.to);
        assert!(a.tool_version.is_none());
        match &a.content {
            Content::File(path) => assert_eq!(path, &file.canonicalize().unwrap()),
            Content::Bytes(_) => panic!("files are streamed, not read"),
        }
        assert_eq!(
            got.parameters,
            json!({"paths": ["evidence/k8s/*.yaml"], "media_type": "text/plain"})
        );
    }

    #[test]
    fn errors() {
        let dir = tree();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("passwd"), "root:x:0:0").unwrap();
        fs::create_dir_all(outside.path().join("d")).unwrap();
        fs::write(outside.path().join("d/x.json"), "{}").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("passwd"),
            dir.path().join("evidence/aws/leak.json"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path().join("d"), dir.path().join("evidence/outdir"))
            .unwrap();
        let check = |parameters: serde_json::Value, expected: &str| {
            let err = run(dir.path(), parameters.clone()).unwrap_err();
            assert!(err.contains(expected), "{parameters}: {err}");
        };
        check(
            json!({"paths": ["evidence/missing.json"]}),
            "`evidence/missing.json` matches no file",
        );
        check(
            json!({"paths": ["evidence/*.pdf"]}),
            "the evidence is missing",
        );
        check(json!({"paths": ["../etc/passwd"]}), "leaves the ISMS root");
        check(
            json!({"paths": ["evidence/../../x"]}),
            "leaves the ISMS root",
        );
        check(
            json!({"paths": ["/etc/passwd"]}),
            "absolute path outside the ISMS root",
        );
        check(
            json!({"paths": ["evidence/aws/*.json"]}),
            "`evidence/aws/leak.json` is a symbolic link to",
        );
        check(
            json!({"paths": ["evidence/aws/leak.json"]}),
            "outside the ISMS root",
        );
        check(
            json!({"paths": ["evidence/outdir/*.json"]}),
            "`evidence/outdir` is a symbolic link to",
        );
        check(
            json!({"paths": ["evidence/*/../aws/x"]}),
            "`..` after a wildcard",
        );
        check(json!({"paths": ["evidence/aws"]}), "is a directory");
        check(json!({"paths": ["."]}), "names the ISMS root itself");
        check(json!({"paths": ["evidence/[x"]}), "not a valid glob");
        check(json!({"paths": []}), "expected at least one item");
        check(
            json!({"paths": "evidence/*.json"}),
            "`paths`: expected an array of strings, found a string",
        );
        check(json!({}), "missing parameter `paths`");
        check(
            json!({"paths": ["x"], "path": "y"}),
            "unknown parameter `path`",
        );
        check(
            json!({"paths": ["x"], "optional": "yes"}),
            "`optional`: expected `true` or `false`",
        );
    }

    #[test]
    fn optional_globs_may_match_nothing() {
        let dir = tree();
        let got = run(
            dir.path(),
            json!({"paths": ["evidence/k8s/*.yaml", "evidence/missing/*.json"], "optional": true}),
        )
        .unwrap();
        assert_eq!(got, ["evidence/k8s/crb.yaml application/yaml"]);
        assert_eq!(
            run(
                dir.path(),
                json!({"paths": ["nothing/*"], "optional": true})
            )
            .unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn symlinks_inside_the_root_are_followed() {
        let dir = tree();
        std::os::unix::fs::symlink("crb.yaml", dir.path().join("evidence/k8s/latest.yaml"))
            .unwrap();
        let got = run(dir.path(), json!({"paths": ["evidence/k8s/latest.yaml"]})).unwrap();
        assert_eq!(got, ["evidence/k8s/latest.yaml application/yaml"]);
    }

    #[test]
    fn the_example_organisation() {
        // The globs of examples/acme/sources.yaml, on its bundled exports.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme");
        let got = run(
            &root,
            json!({"paths": [
                "evidence/aws/iam-credential-report.csv",
                "evidence/aws/iam-account-authorization-details.json",
                "evidence/aws/cloudtrail-describe-trails.json",
                "evidence/iac/*.json",
                "evidence/scanners/trivy-image-vulnerabilities.json",
                "evidence/scanners/sbom-cyclonedx-*.json",
                "evidence/scanners/trivy-secrets.json",
                "evidence/okta/users.json",
                "evidence/kubernetes/cluster-role-bindings.yaml",
                "evidence/github/workflow-run-*.json",
                "evidence/github/pull-request-review-*.json",
                "evidence/jira/*.json",
            ]}),
        )
        .unwrap();
        assert!(got.len() >= 12, "{got:?}");
        assert!(got.contains(&"evidence/aws/iam-credential-report.csv text/csv".to_string()));
    }

    #[test]
    fn media_types() {
        for (name, expected) in [
            ("a/report.CSV", "text/csv"),
            ("trivy.sarif.json", "application/sarif+json"),
            ("bom.cdx.json", "application/vnd.cyclonedx+json"),
            ("state.tfstate", "application/json"),
            ("x.yml", "application/yaml"),
            ("screenshot.png", "image/png"),
            ("policy.pdf", "application/pdf"),
            (
                "register.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(media_type_of(name), expected, "{name}");
        }
    }
}
