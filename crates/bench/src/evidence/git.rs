//! A git history written with `git fast-import`.

use std::io::{self, BufWriter, Read as _, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use super::{APPS, DAY, FIRST_NAMES, GenerateError, LAST_NAMES, REFERENCE, Rng, SEED_GIT};

/// A commit's author or committer.
#[derive(Clone, Debug)]
struct Person {
    name: String,
    email: String,
    /// git's offset spelling (`+0100`).
    tz: &'static str,
}

impl Person {
    fn ident(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

const TIMEZONES: &[&str] = &[
    "+0000", "+0100", "+0100", "+0200", "-0500", "-0800", "+0530", "+0900",
];
const ENGINEERS: usize = 240;
const FILES: &[&str] = &[
    "src/handler.rs",
    "src/model.rs",
    "src/store.rs",
    "src/api.rs",
    "src/config.rs",
    "tests/api.rs",
    "Cargo.toml",
    "README.md",
    "deploy/main.tf",
    "deploy/variables.tf",
];
const THINGS: &[&str] = &[
    "retry budget",
    "pagination",
    "rate limiting",
    "audit logging",
    "request validation",
    "timeouts",
    "metrics",
    "error messages",
    "cache invalidation",
    "schema migration",
    "feature flag",
    "health check",
    "tracing spans",
    "input sanitisation",
];
const VERBS: &[&str] = &[
    "Add", "Fix", "Refactor", "Improve", "Remove", "Test", "Document",
];

/// One commit of the stream.
struct Commit<'a> {
    /// The first parent's mark; none for the root commit.
    parent: Option<usize>,
    /// The second parent's mark, for a merge.
    merge: Option<usize>,
    author: &'a Person,
    /// When it was authored (it is committed at the next slot of the
    /// period).
    authored: i64,
    committer: &'a Person,
    message: &'a str,
    /// The files it changes, each with its new revision.
    changes: &'a [(usize, u32)],
}

/// The generator's state while it writes the fast-import stream.
struct History<'a, W: Write> {
    out: &'a mut W,
    rng: Rng,
    people: Vec<Person>,
    bot: Person,
    github: Person,
    /// The next mark (marks name commits in the stream).
    mark: usize,
    /// Commits written so far; the next one's position in time.
    written: usize,
    total: usize,
    merges: usize,
    /// Each file's revision, so every change changes the file.
    revisions: Vec<u32>,
    pull_request: u32,
}

/// The history spans the year before `REFERENCE_DATE`: from 364 days
/// before it (so a `since: 1y` taken any time on the reference date sees
/// every commit) to one second before it.
const HISTORY_START: i64 = REFERENCE - 364 * DAY;
const HISTORY_SPAN: i64 = 364 * DAY - 1;

impl<W: Write> History<'_, W> {
    /// The committer time of the next commit: commits are spread evenly
    /// over the period, in the order they are written.
    fn next_time(&self) -> i64 {
        let total = self.total.max(1) as i64;
        HISTORY_START + (self.written as i64) * HISTORY_SPAN / total
    }

    fn path(&self, file: usize) -> String {
        let app = APPS[file / FILES.len() % APPS.len()];
        format!("services/{app}/{}", FILES[file % FILES.len()])
    }

    /// Writes one commit on `main` and returns its mark.
    fn commit(&mut self, c: Commit<'_>) -> io::Result<usize> {
        let Commit {
            parent,
            merge,
            author,
            authored,
            committer,
            message,
            changes,
        } = c;
        let mark = self.mark;
        self.mark += 1;
        let time = self.next_time();
        self.written += 1;
        write!(
            self.out,
            "commit refs/heads/main\nmark :{mark}\nauthor {} {authored} {}\ncommitter {} {time} {}\ndata {}\n{message}\n",
            author.ident(),
            author.tz,
            committer.ident(),
            committer.tz,
            message.len()
        )?;
        if let Some(p) = parent {
            writeln!(self.out, "from :{p}")?;
        }
        if let Some(m) = merge {
            writeln!(self.out, "merge :{m}")?;
            self.merges += 1;
        }
        for &(file, revision) in changes {
            let content = format!(
                "// {}: revision {revision}\npub const REVISION: u32 = {revision};\n",
                self.path(file)
            );
            write!(
                self.out,
                "M 100644 inline {}\ndata {}\n{content}\n",
                self.path(file),
                content.len()
            )?;
        }
        self.out.write_all(b"\n")?;
        Ok(mark)
    }

    /// A change to one file of `app`'s service.
    fn change(&mut self, app: usize) -> (usize, u32) {
        let file = (app % APPS.len()) * FILES.len() + self.rng.below(FILES.len() as u64) as usize;
        self.revisions[file] += 1;
        (file, self.revisions[file])
    }

    fn other_than(&mut self, who: usize) -> usize {
        let other = self.rng.below(self.people.len() as u64 - 1) as usize;
        if other >= who { other + 1 } else { other }
    }

    /// A pull request of `commits` commits merged into `main` (at `tip`)
    /// with a merge commit; returns the merge's mark.
    fn pull_request(&mut self, tip: usize, commits: usize) -> io::Result<usize> {
        self.pull_request += 1;
        let number = self.pull_request;
        let who = self.rng.below(self.people.len() as u64) as usize;
        let author = self.people[who].clone();
        let app = self.rng.below(APPS.len() as u64) as usize;
        let thing = self.rng.pick(THINGS);
        let title = format!("{} {thing} in {}", self.rng.pick(VERBS), APPS[app]);
        let mut changed: Vec<(usize, u32)> = Vec::new();
        let mut parent = tip;
        for c in 0..commits {
            let change = self.change(app);
            changed.retain(|(f, _)| *f != change.0);
            changed.push(change);
            let mut message = if c == 0 {
                title.clone()
            } else {
                format!("{} {thing} follow-up {c}", self.rng.pick(VERBS))
            };
            let mut trailers = Vec::new();
            if self.rng.chance(80) {
                let co = self.other_than(who);
                trailers.push(format!("Co-authored-by: {}", self.people[co].ident()));
            }
            if self.rng.chance(300) {
                trailers.push(format!("Signed-off-by: {}", author.ident()));
            }
            if !trailers.is_empty() {
                message.push_str("\n\n");
                message.push_str(&trailers.join("\n"));
            }
            // Authored up to a few hours before it was (re)committed.
            let authored = self.next_time() - self.rng.between(0, 3 * 3600);
            parent = self.commit(Commit {
                parent: Some(parent),
                merge: None,
                author: &author,
                authored,
                committer: &author,
                message: &message,
                changes: &[change],
            })?;
        }
        let branch = format!(
            "{}/{}-{}",
            author.email.split('.').next().unwrap_or("dev"),
            APPS[app],
            thing.replace(' ', "-")
        );
        let mut message = format!("Merge pull request #{number} from acme/{branch}\n\n{title}");
        let reviewer = self.other_than(who);
        let approver = self.other_than(who);
        // Most merges carry the review; some none; a few approved by
        // their own author.
        let trailers = match self.rng.below(1000) {
            0..600 => vec![
                format!("Reviewed-by: {}", self.people[reviewer].ident()),
                format!("Approved-by: {}", self.people[approver].ident()),
            ],
            600..820 => vec![format!("Approved-by: {}", self.people[approver].ident())],
            820..880 => vec![format!("Reviewed-by: {}", self.people[reviewer].ident())],
            880..930 => vec![format!("Approved-by: {}", author.ident())],
            _ => vec![],
        };
        if !trailers.is_empty() {
            message.push_str("\n\n");
            message.push_str(&trailers.join("\n"));
        }
        let github = self.github.clone();
        let time = self.next_time();
        self.commit(Commit {
            parent: Some(tip),
            merge: Some(parent),
            author: &author,
            authored: time,
            committer: &github,
            message: &message,
            changes: &changed,
        })
    }

    /// A commit pushed straight to `main`: a release or a hotfix.
    fn direct(&mut self, tip: Option<usize>) -> io::Result<usize> {
        let app = self.rng.below(APPS.len() as u64) as usize;
        let change = self.change(app);
        let time = self.next_time();
        if self.rng.chance(500) {
            let bot = self.bot.clone();
            let message = format!(
                "Release {} v1.{}.{}",
                APPS[app],
                self.written / 1000,
                self.written % 1000
            );
            self.commit(Commit {
                parent: tip,
                merge: None,
                author: &bot,
                authored: time,
                committer: &bot,
                message: &message,
                changes: &[change],
            })
        } else {
            let who = self.rng.below(self.people.len() as u64) as usize;
            let author = self.people[who].clone();
            let message = format!("Hotfix: {} in {}", self.rng.pick(THINGS), APPS[app]);
            self.commit(Commit {
                parent: tip,
                merge: None,
                author: &author,
                authored: time,
                committer: &author,
                message: &message,
                changes: &[change],
            })
        }
    }
}

/// Writes the fast-import stream of a history of `commits` commits on
/// `main`; returns how many are merges.
fn write_history_stream(out: &mut impl Write, commits: usize) -> io::Result<usize> {
    let mut rng = Rng(SEED_GIT);
    let people = (0..ENGINEERS)
        .map(|i| {
            let first = rng.pick(FIRST_NAMES);
            let last = rng.pick(LAST_NAMES);
            let capital = |s: &str| {
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            };
            Person {
                name: format!("{} {}", capital(first), capital(last)),
                email: format!("{first}.{last}{i}@acme.example"),
                tz: rng.pick(TIMEZONES),
            }
        })
        .collect();
    let mut h = History {
        out,
        rng,
        people,
        bot: Person {
            name: "release-bot".into(),
            email: "release-bot@acme.example".into(),
            tz: "+0000",
        },
        github: Person {
            name: "GitHub".into(),
            email: "noreply@github.com".into(),
            tz: "+0000",
        },
        mark: 1,
        written: 0,
        total: commits,
        merges: 0,
        revisions: vec![0; APPS.len() * FILES.len()],
        pull_request: 0,
    };
    let mut tip = None;
    while h.written < commits {
        let left = commits - h.written;
        // A pull request of 1 to 7 commits plus its merge: about one
        // commit in five is a merge.
        let size = 1 + h.rng.below(7) as usize;
        tip = Some(match tip {
            Some(t) if left >= 2 && h.rng.chance(950) => h.pull_request(t, size.min(left - 1))?,
            _ => h.direct(tip)?,
        });
    }
    h.out.write_all(b"done\n")?;
    Ok(h.merges)
}

/// Runs git with a configuration of its own: the machine's and the user's
/// settings (templates, hooks, signing) must not change the repository.
pub(super) fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env(
            "GIT_CONFIG_GLOBAL",
            if cfg!(windows) { "NUL" } else { "/dev/null" },
        )
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .current_dir(dir);
    c
}

/// Creates a bare repository at `repo` whose `main` has `commits` commits
/// (through `git fast-import`, which writes a pack directly); returns how
/// many are merges.
pub fn write_history(repo: &Path, commits: usize) -> Result<usize, GenerateError> {
    let fail = |step, message: String| GenerateError::Git {
        step,
        dir: repo.to_path_buf(),
        message,
    };
    std::fs::create_dir_all(repo).map_err(|source| GenerateError::Write {
        path: repo.to_path_buf(),
        source,
    })?;
    let out = git(repo)
        .args(["init", "--bare", "--quiet", "--initial-branch=main", "."])
        .output()
        .map_err(|e| fail("init", format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(fail(
            "init",
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }

    let mut child = git(repo)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail("fast-import", format!("cannot run git: {e}")))?;
    // Drained on the side, so git never blocks on a full stderr pipe while
    // we block on its stdin.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = e.read_to_string(&mut text);
            text
        })
    });
    let written = match child.stdin.take() {
        Some(stdin) => {
            let mut w = BufWriter::with_capacity(1 << 20, stdin);
            write_history_stream(&mut w, commits).and_then(|merges| w.flush().map(|()| merges))
        }
        None => Err(io::Error::other("no pipe to git's standard input")),
    };
    let status = child
        .wait()
        .map_err(|e| fail("fast-import", e.to_string()))?;
    let stderr = stderr
        .and_then(|t| t.join().ok())
        .unwrap_or_default()
        .trim()
        .to_string();
    if !status.success() {
        return Err(fail("fast-import", format!("{status}: {stderr}")));
    }
    written.map_err(|e| fail("fast-import", format!("writing the stream: {e}")))
}
