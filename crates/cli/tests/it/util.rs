//! Helpers: temporary ISMS repositories, and a runner for the real binary
//! that captures its exit status and output.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use serde_json::Value;

/// "Today" in the example organisation; every `check` of it runs as of this
/// date.
pub const AT: &str = "2026-11-28";

/// The exit status Rust gives a process that panicked.
pub const PANIC_STATUS: i32 = 101;

/// The folder of the `evident-cli` crate.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture_dir(name: &str) -> PathBuf {
    crate_dir().join("tests").join("fixtures").join(name)
}

/// The bundled example organisation, `examples/acme`.
pub fn acme_dir() -> PathBuf {
    crate_dir().join("../../examples/acme")
}

/// A command for the real `evident` binary. Colours are off, and the working
/// folder is the system's temporary folder, so that a test which forgets to
/// name a repository never reads or writes the source tree.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_evident"));
    cmd.env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null());
    cmd
}

/// Runs `evident ARGS…` and captures everything.
pub fn evident<I, A>(args: I) -> Run
where
    I: IntoIterator<Item = A>,
    A: AsRef<OsStr>,
{
    let mut cmd = command();
    cmd.args(args);
    run(cmd)
}

/// Runs a prepared command and captures everything. Every run is checked not
/// to have panicked: that is a bug whatever the input.
pub fn run(mut cmd: Command) -> Run {
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run evident {args:?}: {e}"));
    let run = Run {
        args,
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    run.assert_no_panic();
    run
}

/// A finished run of the binary.
pub struct Run {
    /// The arguments, for failure messages.
    pub args: Vec<String>,
    /// How it ended.
    pub status: ExitStatus,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn clip(s: &str) -> &str {
            match s.char_indices().nth(6000) {
                Some((i, _)) => &s[..i],
                None => s,
            }
        }
        write!(
            f,
            "evident {:?}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args,
            self.status,
            clip(&self.stdout),
            clip(&self.stderr)
        )
    }
}

impl Run {
    /// The exit code; fails the test when the process was killed by a signal.
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal, not exited:\n{self:?}"))
    }

    /// Fails the test unless the exit code is `expected`.
    #[track_caller]
    pub fn expect_code(&self, expected: i32) -> &Self {
        assert_eq!(self.code(), expected, "unexpected exit status:\n{self:?}");
        self
    }

    /// Fails the test when the binary panicked.
    #[track_caller]
    pub fn assert_no_panic(&self) {
        assert_ne!(
            self.status.code(),
            Some(PANIC_STATUS),
            "evident panicked:\n{self:?}"
        );
        assert!(
            !self.stderr.contains("panicked"),
            "evident panicked:\n{self:?}"
        );
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self:?}"))
    }

    /// Fails the test unless standard output contains `needle`.
    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "expected `{needle}` in stdout:\n{self:?}"
        );
        self
    }

    /// Fails the test unless standard error contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "expected `{needle}` in stderr:\n{self:?}"
        );
        self
    }
}

/// An ISMS repository in a temporary folder, removed when dropped.
pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// An empty folder.
    pub fn empty() -> Repo {
        Repo {
            dir: tempfile::Builder::new()
                .prefix("evident-it-")
                .tempdir()
                .expect("create a temporary folder"),
        }
    }

    /// A repository holding exactly `files` (path, contents).
    pub fn with_files(files: &[(&str, &str)]) -> Repo {
        let repo = Repo::empty();
        for (path, contents) in files {
            repo.write(path, contents);
        }
        repo
    }

    /// The fixtures `tests/fixtures/<name>` copied in order, each over the
    /// previous ones (a scenario is a few files laid over `minimal`).
    pub fn fixtures(names: &[&str]) -> Repo {
        let repo = Repo::empty();
        for name in names {
            let source = fixture_dir(name);
            assert!(source.is_dir(), "no fixture {}", source.display());
            copy_dir(&source, repo.path());
        }
        repo
    }

    /// The smallest valid repository (`tests/fixtures/minimal`).
    pub fn minimal() -> Repo {
        Repo::fixtures(&["minimal"])
    }

    /// A copy of the example organisation, `examples/acme`.
    pub fn acme() -> Repo {
        let repo = Repo::empty();
        copy_dir(&acme_dir(), repo.path());
        repo
    }

    /// The repository's folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `path` inside the repository.
    pub fn join(&self, relative: &str) -> PathBuf {
        self.path().join(relative)
    }

    /// Writes (or overwrites) a file, creating its folders.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        self
    }

    /// A file's text.
    pub fn read(&self, relative: &str) -> String {
        let path = self.join(relative);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Deletes a file.
    pub fn remove(&self, relative: &str) -> &Self {
        let path = self.join(relative);
        std::fs::remove_file(&path)
            .unwrap_or_else(|e| panic!("cannot remove {}: {e}", path.display()));
        self
    }

    /// Replaces the one occurrence of `from` in a file by `to`.
    #[track_caller]
    pub fn replace(&self, relative: &str, from: &str, to: &str) -> &Self {
        let text = self.read(relative);
        assert_eq!(
            text.matches(from).count(),
            1,
            "expected `{from}` exactly once in {relative}"
        );
        self.write(relative, text.replacen(from, to, 1))
    }

    /// The names of the files in a folder of the repository, sorted.
    pub fn list(&self, relative: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.join(relative))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// `evident check REPO --at AT EXTRA…`.
    pub fn check(&self, extra: &[&str]) -> Run {
        self.check_at(AT, extra)
    }

    /// `evident check REPO --at DATE EXTRA…`.
    pub fn check_at(&self, at: &str, extra: &[&str]) -> Run {
        let mut cmd = command();
        cmd.arg("check")
            .arg(self.path())
            .args(["--at", at])
            .args(extra);
        run(cmd)
    }

    /// `check --format json` as of `at`, which must read cleanly; the
    /// findings.
    #[track_caller]
    pub fn findings_at(&self, at: &str) -> Vec<Finding> {
        let run = self.check_at(at, &["--format", "json"]);
        let doc = run.json();
        assert_eq!(doc["readable"], true, "the repository must read:\n{run:?}");
        findings(&doc)
    }

    /// `evident approve SUBJECT ID --as APPROVER --dir REPO --date DATE`.
    pub fn approve(&self, subject: &str, id: &str, approver: &str, date: &str) -> Run {
        let mut cmd = command();
        cmd.args(["approve", subject, id, "--as", approver, "--date", date])
            .arg("--dir")
            .arg(self.path());
        run(cmd)
    }
}

/// A finding as the JSON report gives it, reduced to what tests compare.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The finding code.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// The object's kind (`control`, `risk`, …).
    pub kind: String,
    /// The object's id.
    pub object: String,
    /// The message.
    pub message: String,
}

/// The findings of a JSON report.
#[track_caller]
pub fn findings(doc: &Value) -> Vec<Finding> {
    let text = |v: &Value| {
        v.as_str()
            .unwrap_or_else(|| panic!("expected a string, found {v}"))
            .to_string()
    };
    doc["findings"]
        .as_array()
        .expect("`findings` is an array")
        .iter()
        .map(|f| Finding {
            code: text(&f["code"]),
            severity: text(&f["severity"]),
            kind: text(&f["object"]["kind"]),
            object: text(&f["object"]["id"]),
            message: text(&f["message"]),
        })
        .collect()
}

/// Copies the files under `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folders");
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("read a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", entry.path().display()));
        }
    }
}
