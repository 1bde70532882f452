//! Paths confined to the ISMS root.
//!
//! A path a user writes is taken relative to the root; `..` may move within
//! the root but never out of it, an absolute path must lie inside the root,
//! and whatever a symbolic link resolves to must lie inside the root too.

use std::path::{Component, Path, PathBuf};

use crate::CollectError;

/// The ISMS root, canonicalised once.
pub(crate) struct Root {
    /// As given by the caller (to recognise absolute paths written against it).
    given: PathBuf,
    /// Canonical form (symlinks resolved).
    canonical: PathBuf,
}

impl Root {
    /// Resolves the root; it must be an existing directory.
    pub(crate) fn new(root: &Path) -> Result<Self, CollectError> {
        let canonical = root.canonicalize().map_err(|e| {
            CollectError::Failed(format!(
                "cannot open the ISMS root `{}`: {e}",
                root.display()
            ))
        })?;
        if !canonical.is_dir() {
            return Err(CollectError::Failed(format!(
                "the ISMS root `{}` is not a directory",
                root.display()
            )));
        }
        Ok(Self {
            given: root.to_path_buf(),
            canonical,
        })
    }

    /// The canonical root.
    pub(crate) fn path(&self) -> &Path {
        &self.canonical
    }

    /// The `/`-separated components of `written` relative to the root,
    /// after resolving `.` and `..` lexically. `what` names the parameter.
    pub(crate) fn components(
        &self,
        what: &str,
        written: &str,
    ) -> Result<Vec<String>, CollectError> {
        let path = Path::new(written);
        let relative: &Path = if path.is_absolute() {
            if let Ok(rest) = path.strip_prefix(&self.canonical) {
                rest
            } else if let Ok(rest) = path.strip_prefix(&self.given) {
                rest
            } else {
                return Err(CollectError::Parameters(format!(
                    "`{what}`: `{written}` is an absolute path outside the ISMS root `{}`; \
                     write paths relative to the root",
                    self.canonical.display()
                )));
            }
        } else {
            path
        };
        let mut out: Vec<String> = Vec::new();
        for component in relative.components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir => {
                    if out.pop().is_none() {
                        return Err(CollectError::Parameters(format!(
                            "`{what}`: `{written}` leaves the ISMS root (through `..`); \
                             evidence is taken from inside the repository only"
                        )));
                    }
                }
                Component::Normal(name) => match name.to_str() {
                    Some(name) => out.push(name.to_string()),
                    None => {
                        return Err(CollectError::Parameters(format!(
                            "`{what}`: `{written}` is not valid UTF-8"
                        )));
                    }
                },
                Component::RootDir | Component::Prefix(_) => {
                    return Err(CollectError::Parameters(format!(
                        "`{what}`: `{written}` is not a path relative to the ISMS root"
                    )));
                }
            }
        }
        Ok(out)
    }

    /// `written` resolved to a canonical path inside the root, which must
    /// exist. Symbolic links are followed and must stay inside the root.
    pub(crate) fn resolve(&self, what: &str, written: &str) -> Result<PathBuf, CollectError> {
        let components = self.components(what, written)?;
        let joined = components
            .iter()
            .fold(self.canonical.clone(), |p, c| p.join(c));
        self.confine(what, &components.join("/"), &joined)
    }

    /// The canonical form of `path` (a path under the root, named `shown`
    /// in messages), which must exist and resolve inside the root.
    pub(crate) fn confine(
        &self,
        what: &str,
        shown: &str,
        path: &Path,
    ) -> Result<PathBuf, CollectError> {
        let shown = if shown.is_empty() { "." } else { shown };
        let canonical = path
            .canonicalize()
            .map_err(|e| CollectError::Failed(format!("`{what}`: cannot open `{shown}`: {e}")))?;
        if !canonical.starts_with(&self.canonical) {
            return Err(CollectError::Failed(format!(
                "`{what}`: `{shown}` is a symbolic link to `{}`, outside the ISMS root `{}`; \
                 refusing to collect it",
                canonical.display(),
                self.canonical.display()
            )));
        }
        Ok(canonical)
    }

    /// `canonical` (inside the root) relative to the root, `/`-separated.
    pub(crate) fn relative(&self, canonical: &Path) -> String {
        let rest = canonical.strip_prefix(&self.canonical).unwrap_or(canonical);
        let parts: Vec<String> = rest
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.is_empty() {
            ".".to_string()
        } else {
            parts.join("/")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let inside = format!("{}/a/b", root.path().display());
        let check = |written: &str, expected: Result<&str, &str>| {
            let got = root.components("paths", written).map(|c| c.join("/"));
            match (got, expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{written}"),
                (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{written}: {e}"),
                (got, want) => panic!("{written}: got {got:?}, want {want:?}"),
            }
        };
        check("a/b.json", Ok("a/b.json"));
        check("./a/./b", Ok("a/b"));
        check("a/../b", Ok("b"));
        check(".", Ok(""));
        check(&inside, Ok("a/b"));
        check("../x", Err("leaves the ISMS root"));
        check("a/../../x", Err("leaves the ISMS root"));
        check("/etc/passwd", Err("absolute path outside the ISMS root"));
    }

    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("in"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("out")).unwrap();
        std::os::unix::fs::symlink("in", dir.path().join("alias")).unwrap();
        let root = Root::new(dir.path()).unwrap();
        let err = root.resolve("path", "out").unwrap_err().to_string();
        assert!(
            err.contains("is a symbolic link to") && err.contains("outside the ISMS root"),
            "{err}"
        );
        let alias = root.resolve("path", "alias").unwrap();
        assert_eq!(root.relative(&alias), "in");
        assert!(
            root.resolve("path", "missing")
                .unwrap_err()
                .to_string()
                .contains("cannot open `missing`")
        );
    }
}
