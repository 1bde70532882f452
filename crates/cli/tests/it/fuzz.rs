//! Property tests through the binary: whatever bytes `controls/x.yaml`
//! holds, `check` exits 0, 1 or 2, never panics, and when it cannot read the
//! file it says where.
//!
//! Each case is a process run, so the case counts are modest. The seed is
//! fixed so that CI is deterministic; set `PROPTEST_RNG_SEED` to explore
//! other inputs (and `PROPTEST_CASES` for more of them).

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};

use crate::util::{AT, Repo, Run};

/// A valid controls file that uses every field of a control.
const VALID: &str = r#"controls:
  - id: CTL-FUZZ-01
    title: Fuzzed control
    description: >-
      A control whose file the property test mutates.
    kind: technical
    responsibility: owned
    owner: security-lead
    lifecycle: implemented
    due: 2026-12-31
    satisfies: [A.5.1, "nist-csf-2.0:PR.AA-01"]
    risks: []
    evidence:
      - id: ev-1
        description: Something that shows the control runs
        freshness: 30d
      - id: ev-2
        description: "Quoted: with a colon"
    documents: [policies/information-security.md]
  - id: CTL-FUZZ-02
    title: Another
    kind: organisational
    lifecycle: planned
    due: "2027-01-31"
"#;

const FILE: &str = "controls/x.yaml";

fn config(cases: u32) -> Config {
    let defaults = Config::default();
    Config {
        // PROPTEST_CASES, when set, wins over the modest default.
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            defaults.cases
        } else {
            cases
        },
        rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
            defaults.rng_seed
        } else {
            RngSeed::Fixed(0x0e71_de27)
        },
        failure_persistence: None,
        max_shrink_iters: 64,
        ..defaults
    }
}

/// Writes `bytes` as controls/x.yaml and checks the outcome.
fn check_file(repo: &Repo, bytes: &[u8]) -> Result<(), TestCaseError> {
    repo.write(FILE, bytes);
    let mut cmd = crate::util::command();
    cmd.arg("check").arg(repo.path()).args(["--at", AT]);
    let output = cmd.output().expect("run evident");
    let run = Run {
        args: vec!["check".into(), FILE.into()],
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let code = run.status.code();
    prop_assert!(
        matches!(code, Some(0..=2)),
        "exit status {:?} for {:?}\n{run:?}",
        run.status,
        String::from_utf8_lossy(bytes)
    );
    prop_assert!(
        !run.stderr.contains("panicked"),
        "panicked on {:?}\n{run:?}",
        String::from_utf8_lossy(bytes)
    );
    if code == Some(2) {
        prop_assert!(
            names_a_position_in(&run.stderr, FILE),
            "no {FILE}:LINE:COLUMN for {:?}\n{run:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    Ok(())
}

/// Whether `text` contains `file:LINE:COLUMN` with two numbers.
fn names_a_position_in(text: &str, file: &str) -> bool {
    text.match_indices(&format!("{file}:")).any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let line = digits(rest);
        line > 0 && rest[line..].starts_with(':') && digits(&rest[line + 1..]) > 0
    })
}

/// One edit of a file.
#[derive(Clone, Debug)]
enum Mutation {
    InsertByte(Index, u8),
    DeleteByte(Index),
    ReplaceByte(Index, u8),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    InsertLine(Index, String),
    ReplaceLine(Index, String),
}

/// Bytes that matter to YAML more often than chance would pick them.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        any::<u8>(),
        proptest::sample::select(b":-[]{},#&*!|>'\"%@`? \t\n\r\\0".to_vec()),
    ]
}

/// Lines that matter to YAML and to the controls format.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "---",
            "...",
            "  - id: CTL-GOV-01",
            "    colour: blue",
            "    kind: quantum",
            "    owner: [a, b]",
            "    due: 2026-02-30",
            "    risks: [R-NOPE]",
            "    responsibility: shared",
            "    provider: nowhere",
            "        source: nowhere",
            "        freshness: 0d",
            "    anchor: &a x",
            "    title: *a",
            "    title: *undefined",
            "  ? complex key",
            "%YAML 1.2",
            "!!binary aGVsbG8=",
            "\u{feff}controls:",
            "\t- tab",
        ])
        .prop_map(String::from),
        "[ -~]{0,40}",
        ".{0,20}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), byte()).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
        any::<Index>().prop_map(Mutation::DeleteByte),
        (any::<Index>(), byte()).prop_map(|(i, b)| Mutation::ReplaceByte(i, b)),
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), line()).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
        (any::<Index>(), line()).prop_map(|(i, l)| Mutation::ReplaceLine(i, l)),
    ]
}

/// Applies the edits in order.
fn mutate(base: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = base.as_bytes().to_vec();
    for m in mutations {
        let mut lines: Vec<Vec<u8>> = bytes
            .split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        match m {
            Mutation::InsertByte(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
            Mutation::DeleteByte(i) if !bytes.is_empty() => {
                bytes.remove(i.index(bytes.len()));
            }
            Mutation::ReplaceByte(i, b) if !bytes.is_empty() => {
                let at = i.index(bytes.len());
                bytes[at] = *b;
            }
            Mutation::DeleteLine(i) if !lines.is_empty() => {
                lines.remove(i.index(lines.len()));
                bytes = lines.concat();
            }
            Mutation::DuplicateLine(i) if !lines.is_empty() => {
                let at = i.index(lines.len());
                lines.insert(at, lines[at].clone());
                bytes = lines.concat();
            }
            Mutation::SwapLines(a, b) if !lines.is_empty() => {
                let (a, b) = (a.index(lines.len()), b.index(lines.len()));
                lines.swap(a, b);
                bytes = lines.concat();
            }
            Mutation::InsertLine(i, l) => {
                lines.insert(i.index(lines.len() + 1), format!("{l}\n").into_bytes());
                bytes = lines.concat();
            }
            Mutation::ReplaceLine(i, l) if !lines.is_empty() => {
                let at = i.index(lines.len());
                lines[at] = format!("{l}\n").into_bytes();
                bytes = lines.concat();
            }
            _ => {}
        }
    }
    bytes
}

#[test]
fn the_unmutated_file_reads_cleanly() {
    let repo = Repo::minimal();
    repo.write(FILE, VALID);
    let run = repo.check(&["--format", "json"]);
    assert_eq!(run.json()["readable"], true, "{run:?}");
    assert_eq!(run.json()["counts"]["controls"], 3);
}

#[test]
fn positions_are_recognised() {
    assert!(names_a_position_in("  --> controls/x.yaml:3:17\n", FILE));
    assert!(!names_a_position_in("  --> controls/x.yaml:\n", FILE));
    assert!(!names_a_position_in("  --> controls/x.yaml:3\n", FILE));
    assert!(!names_a_position_in("  --> controls/y.yaml:3:1\n", FILE));
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn arbitrary_bytes_never_crash_the_reader(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..512),
            proptest::collection::vec(byte(), 0..256),
        ]
    ) {
        let repo = Repo::minimal();
        check_file(&repo, &bytes)?;
    }

    #[test]
    fn mutated_controls_never_crash_the_reader(
        mutations in proptest::collection::vec(mutation(), 1..6)
    ) {
        let repo = Repo::minimal();
        check_file(&repo, &mutate(VALID, &mutations))?;
    }
}
