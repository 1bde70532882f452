//! Generates the embedded framework files from the reference data in
//! `data/`, and fails when the committed files drift from it. Run with
//! `EVIDENT_REGENERATE=1` to rewrite them.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

fn q(text: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar.
    serde_json::to_string(text.trim()).unwrap()
}

struct Out(String);

impl Out {
    fn new(id: &str, title: &str, version: &str, source: &str) -> Self {
        let mut s = String::new();
        writeln!(
            s,
            "# Generated from {source} by crates/catalog/src/generate.rs; do not edit."
        )
        .unwrap();
        writeln!(
            s,
            "framework: {{ id: {}, title: {}, version: {} }}",
            q(id),
            q(title),
            q(version)
        )
        .unwrap();
        writeln!(s, "requirements:").unwrap();
        Out(s)
    }

    #[allow(clippy::too_many_arguments)]
    fn requirement(
        &mut self,
        id: &str,
        title: &str,
        kind: &str,
        parent: Option<&str>,
        assessable: bool,
        theme: Option<&str>,
        description: Option<&str>,
    ) {
        let mut line = format!("  - {{ id: {}, title: {}, kind: {kind}", q(id), q(title));
        if let Some(p) = parent.filter(|p| !p.is_empty()) {
            write!(line, ", parent: {}", q(p)).unwrap();
        }
        write!(line, ", assessable: {assessable}").unwrap();
        if let Some(t) = theme {
            write!(line, ", theme: {}", q(t)).unwrap();
        }
        if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
            write!(line, ", description: {}", q(d)).unwrap();
        }
        line.push_str(" }\n");
        self.0.push_str(&line);
    }

    fn mapping(&mut self, source: &str, target: &str, relationship: &str) {
        if !self.0.contains("\nmappings:\n") {
            self.0.push_str("mappings:\n");
        }
        writeln!(
            self.0,
            "  - {{ source: {}, target: {}, relationship: {relationship} }}",
            q(source),
            q(target)
        )
        .unwrap();
    }
}

fn data(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data")
            .join(name),
    )
    .unwrap()
}

fn csv_rows(name: &str) -> Vec<HashMap<String, String>> {
    let text = data(name);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .map(String::from)
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn iso27001_2022() -> String {
    let s: serde_json::Value = serde_json::from_str(&data("iso27001-2022_structure.json")).unwrap();
    let mut out = Out::new(
        "iso27001-2022",
        "ISO/IEC 27001:2022",
        "2022",
        "data/iso27001-2022_structure.json",
    );
    for c in s["clauses"].as_array().unwrap() {
        out.requirement(
            c["id"].as_str().unwrap(),
            c["title"].as_str().unwrap(),
            "clause",
            c["parent"].as_str(),
            c["assessable"].as_bool().unwrap(),
            None,
            None,
        );
    }
    for t in s["themes"].as_array().unwrap() {
        let theme = t["key"].as_str().unwrap();
        out.requirement(
            t["id"].as_str().unwrap(),
            t["title"].as_str().unwrap(),
            "group",
            None,
            false,
            Some(theme),
            None,
        );
        for a in s["annex_a"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["theme"] == t["key"])
        {
            out.requirement(
                a["id"].as_str().unwrap(),
                a["title"].as_str().unwrap(),
                "control",
                t["id"].as_str(),
                true,
                Some(theme),
                None,
            );
        }
    }
    out.0
}

fn iso27001_2013() -> String {
    let s: serde_json::Value =
        serde_json::from_str(&data("iso27001-2013-to-2022_annex-a.json")).unwrap();
    let mut out = Out::new(
        "iso27001-2013",
        "ISO/IEC 27001:2013 Annex A",
        "2013",
        "data/iso27001-2013-to-2022_annex-a.json",
    );
    for c in s["iso2013_controls"].as_array().unwrap() {
        out.requirement(
            c["id"].as_str().unwrap(),
            c["title"].as_str().unwrap(),
            "control",
            None,
            true,
            None,
            None,
        );
    }
    for r in s["rows"].as_array().unwrap() {
        // Rows compiled from ISO/IEC 27002:2022 Annex B carry no verified
        // relation: "related" is all that can honestly be claimed.
        let rel = match r["ciso_assistant_relationship"].as_str().unwrap() {
            "" => "intersect",
            other => other,
        };
        let target = format!("iso27001-2022:{}", r["iso2022_id"].as_str().unwrap());
        out.mapping(r["iso2013_id"].as_str().unwrap(), &target, rel);
    }
    out.0
}

fn nist(id: &str, title: &str, version: &str, nodes: &str, mappings: &str) -> String {
    let rows = csv_rows(nodes);
    let ref_of: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r["urn_tail"].as_str(), r["ref_id"].as_str()))
        .collect();
    let mut out = Out::new(
        id,
        title,
        version,
        &format!("data/{nodes} and data/{mappings}"),
    );
    for r in &rows {
        let ref_id = r["ref_id"].as_str();
        let name = r["name"].trim();
        let description = r.get("description").map(String::as_str).unwrap_or("");
        let (title, description) = if name.is_empty() {
            (description, None)
        } else {
            (name, Some(description))
        };
        let assessable = r["assessable"] == "True";
        // SP 800-53 enhancements (AC-2(1)) hang under their base control.
        let parent = match ref_id.split_once('(') {
            Some((base, _)) => Some(base),
            None => ref_of.get(r["parent_urn_tail"].as_str()).copied(),
        };
        let kind = if assessable { "control" } else { "group" };
        out.requirement(ref_id, title, kind, parent, assessable, None, description);
    }
    for m in csv_rows(mappings) {
        out.mapping(
            &m["source_id"],
            &format!("iso27001-2022:{}", m["iso27001_2022_id"]),
            &m["relationship"],
        );
    }
    out.0
}

#[test]
fn frameworks_match_reference_data() {
    let generated = [
        ("iso27001-2022.yaml", iso27001_2022()),
        ("iso27001-2013.yaml", iso27001_2013()),
        (
            "nist-csf-2.0.yaml",
            nist(
                "nist-csf-2.0",
                "NIST Cybersecurity Framework",
                "2.0",
                "nist-csf-2.0_nodes.csv",
                "nist-csf-2.0_to_iso27001-2022.csv",
            ),
        ),
        (
            "nist-sp-800-53-r5.yaml",
            nist(
                "nist-sp-800-53-r5",
                "NIST SP 800-53 Security and Privacy Controls",
                "Rev. 5",
                "nist-sp-800-53-rev5_nodes.csv",
                "nist-sp-800-53-rev5_to_iso27001-2022.csv",
            ),
        ),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("frameworks");
    for (name, text) in generated {
        let path = dir.join(name);
        if std::env::var_os("EVIDENT_REGENERATE").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{name} drifted from data/; rerun with EVIDENT_REGENERATE=1"
        );
    }
}
