//! The comparison on the demo corpus, whose articles disagree on purpose, and `newsgraph
//! compare`, which redoes the comparison files from an output directory's claims.
mod util;
use std::collections::BTreeMap;
use util::*;

#[test]
fn demo_discrepancies_get_the_right_verdicts() {
    let (_t, out, _) = run_pipeline(&demo_corpus(), &[]);
    let (_, rows) = csv_rows(&out.join("claims_compare.csv"));
    let mut groups: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let stories: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["story"].as_str()).collect();
    assert_eq!(stories.len(), 1, "the demo is one story: {stories:?}");
    for r in &rows {
        let g = groups
            .entry(group_key(&r["group_id"]))
            .or_insert((r["verdict"].clone(), vec![]));
        g.1.push(r["outlet"].clone());
    }
    let verdict = |id: &str| {
        groups
            .get(id)
            .map(|g| g.0.as_str())
            .unwrap_or_else(|| panic!("{id} missing: {:?}", groups.keys().collect::<Vec<_>>()))
    };
    // "more than 3,000" (two outlets) cannot be "nearly 3,000".
    assert_eq!(verdict("group:none:attendance:count"), "conflict");
    assert_eq!(groups["group:none:attendance:count"].1.len(), 5);
    // 45 countries four times and "over 40" once overlap: what attended, and how many.
    assert_eq!(verdict("group:none:attendance-country:count"), "compatible");
    assert_eq!(groups["group:none:attendance-country:count"].1.len(), 5);
    // 62 % against 58 % of ships.
    assert_eq!(verdict("group:none:ship:percent"), "conflict");
    // 12 million, 12 million and 12.4 million containers in Port Ellis: 3.3 % apart.
    assert_eq!(verdict("group:loc-port-ellis:container:count"), "conflict");
    // $4.5 billion everywhere Norland is named.
    assert_eq!(verdict("group:loc-norland:spending:usd"), "agree");
    // Claim groups are in the graph.
    let (_, nodes) = csv_rows(&out.join("nodes.csv"));
    assert_eq!(
        nodes.iter().filter(|n| n["type"] == "ClaimGroup").count(),
        groups.len()
    );
    let (_, edges) = csv_rows(&out.join("edges.csv"));
    assert_eq!(
        edges.iter().filter(|e| e["type"] == "IN_GROUP").count(),
        rows.len()
    );
}

#[test]
fn compare_command_redoes_the_files_from_claims() {
    let (_t, out, _) = run_pipeline(&demo_corpus(), &[]);
    let files = ["claims_compare.csv", "report.md", "report.html"];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    for f in files {
        std::fs::remove_file(out.join(f)).unwrap();
    }
    let o = run_ok(bin().arg("compare").arg(&out));
    assert!(String::from_utf8_lossy(&o.stderr).contains("groups compared"));
    let after: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    assert!(
        before == after,
        "compare reproduces the run's comparison and reports, byte for byte"
    );
    // A broken claims file is an error naming the file and line.
    std::fs::write(out.join("claims.jsonl"), "{\"claim_id\": 1}\n").unwrap();
    run_fails(bin().arg("compare").arg(&out), "claims.jsonl: line 1");
}
