//! Running a program with a deadline and bounded output, for the `command`
//! and `git` collectors.
//!
//! The program runs in a process group of its own, with no standard input.
//! Standard output is captured up to a limit; standard error's last bytes
//! are kept for messages. At the deadline, or when the output grows past
//! the limit, the whole group is killed; when the program exits, whatever
//! it left running in its group is killed too, so nothing a collection
//! started outlives it.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How much of standard error is kept for messages.
const STDERR_TAIL: usize = 4096;

/// What to run.
pub(crate) struct Run<'a> {
    /// Program and arguments.
    pub argv: &'a [String],
    /// Variables set for the program (added to the inherited environment).
    pub env: &'a [(String, String)],
    /// Working directory.
    pub cwd: &'a Path,
    /// Deadline from the start.
    pub timeout: Duration,
    /// Largest accepted standard output, in bytes.
    pub max_stdout: u64,
}

/// A finished program.
pub(crate) struct Output {
    /// How it ended.
    pub status: ExitStatus,
    /// Everything it wrote to standard output.
    pub stdout: Vec<u8>,
    /// The last bytes it wrote to standard error.
    pub stderr_tail: Vec<u8>,
}

/// Why a program could not be run to its end.
#[derive(Debug)]
pub(crate) enum RunError {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It ran past its deadline and was killed.
    Timeout,
    /// Its standard output grew past the limit and it was killed.
    TooLarge,
    /// Waiting for it or reading from it failed.
    Io(std::io::Error),
}

/// Runs a program to its end (see the module documentation).
pub(crate) fn run(spec: &Run<'_>) -> Result<Output, RunError> {
    let (program, args) = spec
        .argv
        .split_first()
        .ok_or_else(|| RunError::Spawn(std::io::Error::other("empty command")))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .current_dir(spec.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(RunError::Spawn)?;
    let started = Instant::now();

    let overflow = Arc::new(AtomicBool::new(false));
    let stdout = child.stdout.take().map(|pipe| {
        let overflow = Arc::clone(&overflow);
        let limit = spec.max_stdout;
        std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
            let mut buf = Vec::new();
            pipe.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
            if buf.len() as u64 > limit {
                overflow.store(true, Ordering::SeqCst);
                buf.clear();
            }
            Ok(buf)
        })
    });
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
            let mut tail = Vec::new();
            let mut chunk = [0u8; 8192];
            loop {
                let n = match pipe.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                tail.extend_from_slice(&chunk[..n]);
                if tail.len() > 2 * STDERR_TAIL {
                    tail.drain(..tail.len() - STDERR_TAIL);
                }
            }
            if tail.len() > STDERR_TAIL {
                tail.drain(..tail.len() - STDERR_TAIL);
            }
            Ok(tail)
        })
    });

    let mut pause = Duration::from_millis(2);
    let outcome = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => break Err(RunError::Io(e)),
        }
        if overflow.load(Ordering::SeqCst) {
            break Err(RunError::TooLarge);
        }
        let elapsed = started.elapsed();
        if elapsed >= spec.timeout {
            break Err(RunError::Timeout);
        }
        std::thread::sleep(pause.min(spec.timeout - elapsed));
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    // The program has ended or is to be stopped: end its whole group, so
    // that nothing holds the pipes open and nothing outlives the run.
    kill_group(&mut child);
    if outcome.is_err() {
        let _ = child.wait();
    }
    let stdout = join(stdout);
    let stderr = join(stderr);
    let status = outcome?;
    if overflow.load(Ordering::SeqCst) {
        return Err(RunError::TooLarge);
    }
    Ok(Output {
        status,
        stdout: stdout.map_err(RunError::Io)?,
        stderr_tail: stderr.unwrap_or_default(),
    })
}

fn join(handle: Option<JoinHandle<std::io::Result<Vec<u8>>>>) -> std::io::Result<Vec<u8>> {
    match handle {
        None => Ok(Vec::new()),
        Some(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("output reader failed"))),
    }
}

#[cfg(unix)]
fn kill_group(child: &mut Child) {
    let Ok(pid) = libc::pid_t::try_from(child.id()) else {
        let _ = child.kill();
        return;
    };
    // SAFETY: `kill` takes plain integers and touches no memory of ours.
    // The group id is the child's pid (`process_group(0)` above). A group
    // id is not reused while any process of the group lives; once the group
    // is empty the call fails harmlessly with ESRCH.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(child: &mut Child) {
    let _ = child.kill();
}

/// The last lines of a program's standard error, for a message.
pub(crate) fn tail_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return "(nothing on standard error)".to_string();
    }
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(10);
    lines[start..].join("\n")
}

/// How a program ended, for a message.
pub(crate) fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    format!("ended with {status}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout_ms: u64, max_stdout: u64) -> Result<Output, RunError> {
        let argv = vec!["sh".to_string(), "-c".to_string(), script.to_string()];
        run(&Run {
            argv: &argv,
            env: &[("EVIDENT_TEST_VAR".to_string(), "v".to_string())],
            cwd: Path::new("/"),
            timeout: Duration::from_millis(timeout_ms),
            max_stdout,
        })
    }

    #[test]
    fn captures_output_and_status() {
        let out = sh(
            "printf 'out:%s' \"$EVIDENT_TEST_VAR\"; echo err >&2; exit 3",
            10_000,
            1024,
        )
        .unwrap();
        assert_eq!(out.stdout, b"out:v");
        assert_eq!(out.stderr_tail, b"err\n");
        assert_eq!(describe_status(out.status), "exited with status 3");
    }

    #[test]
    fn keeps_the_tail_of_standard_error() {
        let out = sh(
            "i=0; while [ $i -lt 3000 ]; do echo line$i >&2; i=$((i+1)); done",
            10_000,
            1024,
        )
        .unwrap();
        assert!(out.stderr_tail.len() <= STDERR_TAIL);
        assert!(tail_text(&out.stderr_tail).ends_with("line2999"));
        assert_eq!(tail_text(&out.stderr_tail).lines().count(), 10);
    }

    #[test]
    fn kills_the_whole_group_at_the_deadline() {
        let marker = tempfile::tempdir().unwrap();
        let file = marker.path().join("survived");
        // A grandchild that would write the marker if it outlived the kill.
        let script = format!("(sleep 2; touch {}) & sleep 30", file.display());
        let started = Instant::now();
        let err = sh(&script, 300, 1024).err().unwrap();
        assert!(matches!(err, RunError::Timeout), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(2500));
        assert!(
            !file.exists(),
            "a process of the group outlived the timeout"
        );
    }

    #[test]
    fn background_processes_do_not_hold_the_run_open() {
        let started = Instant::now();
        let out = sh("sleep 30 & echo done", 20_000, 1024).unwrap();
        assert_eq!(out.stdout, b"done\n");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn output_is_capped() {
        let err = sh("yes evidence", 20_000, 64 * 1024).err().unwrap();
        assert!(matches!(err, RunError::TooLarge), "{err:?}");
        let out = sh("printf 1234", 20_000, 4).unwrap();
        assert_eq!(out.stdout, b"1234");
        assert!(matches!(
            sh("printf 12345", 20_000, 4).err().unwrap(),
            RunError::TooLarge
        ));
    }

    #[test]
    fn missing_programs_do_not_start() {
        let argv = vec!["evident-no-such-program".to_string()];
        let err = run(&Run {
            argv: &argv,
            env: &[],
            cwd: Path::new("/"),
            timeout: Duration::from_secs(1),
            max_stdout: 1,
        })
        .err()
        .unwrap();
        assert!(
            matches!(err, RunError::Spawn(ref e) if e.kind() == std::io::ErrorKind::NotFound),
            "{err:?}"
        );
    }
}
