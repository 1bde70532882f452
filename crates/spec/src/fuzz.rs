//! Property tests of the reader: whatever bytes a definition file holds,
//! `load` returns (never panics), and every diagnostic points inside the
//! repository's files with 1-based positions.

use proptest::prelude::*;

const VALID_CONTROLS: &str = "controls:
  - id: CTL-1
    title: MFA
    kind: technical
    owner: alice
    satisfies: [A.8.5, 'nist-csf-2.0:PR.AA-01']
    risks: [R-1]
    evidence:
      - { id: e, description: d, freshness: 30d }
";

const VALID_RISKS: &str = "risks:
  - id: R-1
    title: T
    asset: a
    threat: t
    vulnerability: v
    owner: alice
    inherent: { likelihood: likely, impact: 3 }
    treatment: { strategy: accept, proposed_by: alice, expires: 2027-01-01 }
    review: { cadence: 6m, last_reviewed: 2026-01-01 }
";

fn load_with(file: &str, bytes: &[u8]) -> crate::Loaded {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, content: &[u8]| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    };
    write("evident.yaml", b"organisation: T\nscope: S\n");
    write(
        "owners.yaml",
        b"owners: [{ id: alice, name: A, roles: [ciso] }]\n",
    );
    write("controls/a.yaml", VALID_CONTROLS.as_bytes());
    write("risks/a.yaml", VALID_RISKS.as_bytes());
    write(file, bytes);
    crate::load(dir.path())
}

fn positions_are_sane(loaded: &crate::Loaded) {
    for d in &loaded.diagnostics {
        assert!(d.location.line >= 1 && d.location.column >= 1, "{d}");
        assert!(!d.message.is_empty(), "{d}");
    }
}

/// A valid file with a few bytes replaced, inserted or removed.
fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((0..base.len(), any::<u8>(), 0..3u8), 1..6).prop_map(move |edits| {
        let mut bytes = base.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let at = at.min(bytes.len().saturating_sub(1));
            match op {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        for file in ["controls/a.yaml", "evident.yaml", "policies/p.md", "decisions/d.yaml"] {
            positions_are_sane(&load_with(file, &bytes));
        }
    }

    #[test]
    fn mutated_controls_never_panic(bytes in mutated(VALID_CONTROLS)) {
        let loaded = load_with("controls/a.yaml", &bytes);
        positions_are_sane(&loaded);
        for d in &loaded.diagnostics {
            let lines = bytes.split(|&b| b == b'\n').count() as u32;
            if &*d.location.file == "controls/a.yaml" {
                prop_assert!(d.location.line <= lines.max(1), "{d} beyond {lines} lines");
            }
        }
    }

    #[test]
    fn mutated_risks_never_panic(bytes in mutated(VALID_RISKS)) {
        positions_are_sane(&load_with("risks/a.yaml", &bytes));
    }
}

#[test]
fn the_unmutated_files_read_cleanly() {
    let loaded = load_with("controls/a.yaml", VALID_CONTROLS.as_bytes());
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    assert_eq!(loaded.isms.risks[0].inherent.likelihood, 4);
}

#[test]
fn hostile_nesting_and_aliases_are_refused_not_crashed() {
    let deep = format!("controls: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let loaded = load_with("controls/a.yaml", deep.as_bytes());
    assert_eq!(loaded.diagnostics.len(), 1, "{:#?}", loaded.diagnostics);

    // A "billion laughs" alias bomb.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    bomb.push_str("controls: *a11\n");
    let loaded = load_with("controls/a.yaml", bomb.as_bytes());
    assert!(!loaded.diagnostics.is_empty());
}
