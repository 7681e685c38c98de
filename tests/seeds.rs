//! The five real seed articles in ../shared/seeds (skipped cleanly when absent): boilerplate,
//! claims and their bounds, resolution, relations and the cross-outlet comparison.
mod util;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use util::*;

type Run = SharedRun;

fn seeds_run() -> Option<&'static Run> {
    static RUN: OnceLock<Option<Run>> = OnceLock::new();
    shared_run(&RUN, "seeds")
}

macro_rules! seeds_or_skip {
    () => {
        match seeds_run() {
            Some(r) => r,
            None => {
                eprintln!("../shared/seeds is absent: skipping");
                return;
            }
        }
    };
}

fn claims(r: &Run) -> Vec<serde_json::Value> {
    jsonl(&r.out.join("claims.jsonl"))
}

fn find<'a>(cs: &'a [serde_json::Value], doc: &str, measure: &str) -> Vec<&'a serde_json::Value> {
    cs.iter()
        .filter(|c| c["doc_id"].as_str().unwrap().starts_with(doc) && c["measure"] == measure)
        .collect()
}

#[test]
fn nothing_from_the_paywall_of_000() {
    let r = seeds_or_skip!();
    let text = std::fs::read_to_string(shared("seeds/000_ef3bb05a2f390a82.txt").unwrap()).unwrap();
    let byte = text
        .find("You\u{2019}ve reached your limit")
        .expect("paywall line");
    let limit = text[..byte].chars().count() as u64;
    let rows: Vec<serde_json::Value> = jsonl(&r.out.join("mentions.jsonl"))
        .into_iter()
        .chain(claims(r))
        .filter(|m| m["doc_id"] == "000_ef3bb05a2f390a82.txt")
        .collect();
    assert!(rows.len() > 10);
    for m in rows {
        assert!(
            m["end"].as_u64().unwrap() <= limit,
            "from the paywall block: {m}"
        );
    }
    for f in [
        "graph.graphml",
        "nodes.csv",
        "edges.csv",
        "neo4j/import.sh",
        "neo4j/load.cypher",
        "mentions.jsonl",
        "run.json",
        "claims.csv",
        "report.html",
    ] {
        assert!(r.out.join(f).is_file(), "{f}");
    }
}

#[test]
fn claims_of_the_seeds_have_the_right_bounds() {
    let r = seeds_or_skip!();
    let cs = claims(r);
    // 002: "China had 668 million Internet users and over 4.13 million websites by July 2015"
    let users = find(&cs, "002", "internet users");
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(users[0]["value"], 668e6);
    assert_eq!(users[0]["subject_id"], "loc:china");
    assert_eq!(users[0]["as_of"], "2015-07");
    for doc in ["000", "002", "003"] {
        let w = find(&cs, doc, "websites");
        assert_eq!(w.len(), 1, "{doc}: {w:?}");
        assert_eq!(
            (
                w[0]["lower"].as_f64(),
                w[0]["lower_inclusive"].as_bool(),
                w[0]["upper"].is_null()
            ),
            (Some(4.13e6), Some(false), true),
            "{doc}"
        );
        assert_eq!(w[0]["subject_id"], "loc:china", "{doc}");
        let c = find(&cs, doc, "countries and regions");
        assert_eq!(c.len(), 1, "{doc}");
        assert_eq!(
            (c[0]["lower"].as_f64(), c[0]["lower_inclusive"].as_bool()),
            (Some(120.0), Some(false))
        );
        let p = find(&cs, doc, "people");
        assert_eq!(p.len(), 1, "{doc}: {p:?}");
        assert_eq!(p[0]["value"], 2000.0);
    }
    for doc in ["000", "003"] {
        let u = find(&cs, doc, "users");
        assert_eq!(u.len(), 1, "{doc}");
        assert_eq!(
            (u[0]["value"].as_f64(), u[0]["approximate"].as_bool()),
            (Some(670e6), Some(true))
        );
        assert_eq!(u[0]["subject_id"], "loc:china");
        let p = find(&cs, doc, "people")[0];
        assert_eq!(
            (p["lower_inclusive"].as_bool(), p["approximate"].as_bool()),
            (Some(false), Some(false))
        );
    }
    let p = find(&cs, "002", "people")[0];
    assert_eq!(
        (p["lower"].is_null(), p["approximate"].as_bool()),
        (true, Some(true)),
        "some 2,000"
    );
    let v = find(&cs, "002", "villages");
    assert_eq!(v.len(), 1);
    assert_eq!(
        (
            v[0]["value"].as_f64(),
            v[0]["kind"].as_str(),
            v[0]["subject"].is_null()
        ),
        (Some(93.5), Some("percent"), true)
    );
    // Ordinals and years are not claims.
    assert!(!cs
        .iter()
        .any(|c| c["surface"].as_str().unwrap().contains("Second")));
    assert!(!cs
        .iter()
        .any(|c| c["value"] == 2015.0 || c["value"] == 2020.0));
}

#[test]
fn one_node_per_person() {
    let r = seeds_or_skip!();
    let (_, nodes) = csv_rows(&r.out.join("nodes.csv"));
    let people: BTreeMap<&str, &BTreeMap<String, String>> = nodes
        .iter()
        .filter(|n| n["type"] == "Person")
        .map(|n| (n["id"].as_str(), n))
        .collect();
    let xi: Vec<_> = people
        .keys()
        .filter(|k| k.trim_start_matches("per:").split('-').any(|t| t == "xi"))
        .collect();
    assert_eq!(
        xi,
        vec![&"per:xi-jinping"],
        "{:?}",
        people.keys().collect::<Vec<_>>()
    );
    let aliases = &people["per:xi-jinping"]["aliases"];
    for a in ["Xi", "Xi Jinping"] {
        assert!(aliases.split(" | ").any(|x| x == a), "{aliases}");
    }
    assert!(
        people["per:xi-jinping"]["document_count"]
            .parse::<usize>()
            .unwrap()
            >= 4
    );
    for p in [
        "per:jack-ma",
        "per:pony-ma",
        "per:li-yanhong",
        "per:klaus-schwab",
    ] {
        assert!(
            people.contains_key(p),
            "{p} missing: {:?}",
            people.keys().collect::<Vec<_>>()
        );
    }
}

#[test]
fn typed_relations_of_the_seeds() {
    let r = seeds_or_skip!();
    let (_, edges) = csv_rows(&r.out.join("edges.csv"));
    let has = |kind: &str, from: &str, to: &str| {
        edges
            .iter()
            .any(|e| e["type"] == kind && e["from"] == from && e["to"] == to)
    };
    for (p, o) in [
        ("per:jack-ma", "org:alibaba"),
        ("per:pony-ma", "org:tencent"),
        ("per:li-yanhong", "org:baidu"),
    ] {
        assert!(has("HEAD_OF", p, o), "{p} HEAD_OF {o}");
    }
    assert!(!has("HEAD_OF", "per:jack-ma", "org:tencent"));
    assert!(
        edges.iter().any(|e| e["type"] == "HAS_ROLE"
            && e["from"] == "per:klaus-schwab"
            && e["org_id"] == "org:world-economic-forum"),
        "Schwab's role"
    );
    // "World Economic Forum founder and executive chairman Klaus Schwab": his titles head it.
    assert!(has(
        "HEAD_OF",
        "per:klaus-schwab",
        "org:world-economic-forum"
    ));
    // A title joined to its country by "of" before the name.
    assert!(
        edges.iter().any(|e| e["type"] == "HAS_ROLE"
            && e["from"] == "per:rustam-azimov"
            && e["role"] == "first deputy prime minister"
            && e["org_id"] == "loc:uzbekistan"),
        "Azimov's role"
    );
    // A demonym names the country of a role: "Pakistani President Mamnoon Hussain".
    assert!(
        edges.iter().any(|e| e["type"] == "HAS_ROLE"
            && e["from"] == "per:mamnoon-hussain"
            && e["org_id"] == "loc:pakistan"),
        "Hussain's country"
    );
    // "Chinese President Xi Jinping": the nationality is the role's country.
    assert!(
        edges.iter().any(|e| e["type"] == "HAS_ROLE"
            && e["from"] == "per:xi-jinping"
            && e["org_id"] == "loc:china"),
        "Xi's country"
    );
    // "Xi and US President Barack Obama": Xi is not Obama's organisation.
    assert!(!edges
        .iter()
        .any(|e| e["from"] == "per:barack-obama" && e["to"] == "org:xi"));
    // "Standing Committee" "of the" "Political Bureau" is one organisation, without a
    // dangling "of".
    assert!(edges.iter().any(|e| e["type"] == "AFFILIATED_WITH"
        && e["from"] == "per:liu-yunshan"
        && e["to"].starts_with("org:standing-committee-of-the-political-bureau")));
    // "consul general of Belarus in Shanghai" places the post, not Belarus.
    assert!(has(
        "HAS_ROLE",
        "per:valeriy-m-matsel",
        "role:consul-general"
    ));
    assert!(!has("LOCATED_IN", "loc:belarus", "loc:shanghai"));
    // Every relation edge carries provenance and its rule.
    for e in edges.iter().filter(|e| {
        [
            "HAS_ROLE",
            "HEAD_OF",
            "AFFILIATED_WITH",
            "LOCATED_IN",
            "SAID",
        ]
        .contains(&e["type"].as_str())
    }) {
        for k in ["doc_id", "outlet", "sentence", "start", "end", "rule"] {
            assert!(!e[k].is_empty(), "{k} missing on {e:?}");
        }
    }
    // Quotes of 003 are Xi's.
    let said: Vec<_> = edges
        .iter()
        .filter(|e| e["type"] == "SAID" && e["doc_id"].starts_with("003"))
        .collect();
    let xi = said
        .iter()
        .filter(|e| e["from"] == "per:xi-jinping")
        .count();
    assert!(xi >= 8, "Xi's quotes in 003: {xi} of {}", said.len());
    // "..., he said" after Howard Goodison is introduced (and Xi named only as "Xi's").
    assert!(said.iter().any(|e| e["from"] == "per:howard-goodison"));
}

#[test]
fn seed_claims_compared_across_outlets() {
    let r = seeds_or_skip!();
    let (_, rows) = csv_rows(&r.out.join("claims_compare.csv"));
    let mut groups: BTreeMap<String, (BTreeSet<String>, String, String)> = BTreeMap::new();
    let stories: BTreeSet<&str> = rows.iter().map(|r| r["story"].as_str()).collect();
    assert_eq!(stories.len(), 1, "the seeds are one story: {stories:?}");
    for row in &rows {
        let g = groups.entry(group_key(&row["group_id"])).or_insert((
            BTreeSet::new(),
            row["verdict"].clone(),
            row["spread"].clone(),
        ));
        g.0.insert(row["doc_id"][..3].to_string());
    }
    let get = |id: &str| {
        groups.get(id).unwrap_or_else(|| {
            panic!(
                "group {id} missing: {:?}",
                groups.keys().collect::<Vec<_>>()
            )
        })
    };
    let users = get("group:loc-china:internet-user:count");
    assert_eq!(
        users.0,
        ["000", "002", "003"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(users.1, "compatible");
    assert!(
        (users.2.parse::<f64>().unwrap() - 0.003).abs() < 0.0005,
        "spread {}",
        users.2
    );
    let websites = get("group:loc-china:website:count");
    assert_eq!((websites.0.len(), websites.1.as_str()), (3, "agree"));
    // "2,000 people attended", "more than 2,000 participants": attendance.
    let people = get("group:none:attendance:count");
    assert_eq!((people.0.len(), people.1.as_str()), (3, "compatible"));
    let countries = get("group:none:attendance-country:count");
    assert_eq!((countries.0.len(), countries.1.as_str()), (3, "agree"));
    let md = std::fs::read_to_string(r.out.join("report.md")).unwrap();
    assert!(
        md.contains("time anchors differ: 2015-07, undated"),
        "the dated 668 million is annotated"
    );
}
