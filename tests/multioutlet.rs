//! Real multi-outlet news (`../shared/corpora/multioutlet-dev`: 25 articles from 13 outlets on 6
//! events), run as one corpus: stories are the events, no claim group spans two events or mixes
//! two facts, and the facts a careful reader picks out get the verdict that reader would give.
mod util;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use util::*;

type Run = SharedRun;

fn run() -> Option<&'static Run> {
    static RUN: OnceLock<Option<Run>> = OnceLock::new();
    shared_run(&RUN, "corpora/multioutlet-dev")
}

macro_rules! run_or_skip {
    () => {
        match run() {
            Some(r) => r,
            None => {
                eprintln!("../shared/corpora/multioutlet-dev is absent: skipping");
                return;
            }
        }
    };
}

/// The event folder of a document id.
fn event(doc_id: &str) -> &str {
    doc_id.split('/').next().unwrap_or(doc_id)
}

struct Group {
    verdict: String,
    measure: String,
    unit: String,
    series: String,
    notes: String,
    sources: usize,
    members: Vec<BTreeMap<String, String>>,
}

fn groups(r: &Run) -> Vec<Group> {
    let (_, rows) = csv_rows(&r.out.join("claim_groups.csv"));
    let (_, members) = csv_rows(&r.out.join("claims_compare.csv"));
    rows.into_iter()
        .map(|g| Group {
            verdict: g["verdict"].clone(),
            measure: g["measure"].clone(),
            unit: g["unit"].clone(),
            series: g["series"].clone(),
            notes: g["notes"].clone(),
            sources: g["independent_sources"].parse().unwrap(),
            members: members
                .iter()
                .filter(|m| m["group_id"] == g["group_id"])
                .cloned()
                .collect(),
        })
        .collect()
}

/// The one group of `measure` (and `unit`) whose documents are of `event`.
fn find<'a>(gs: &'a [Group], ev: &str, measure: &str, unit: &str) -> &'a Group {
    let found: Vec<&Group> = gs
        .iter()
        .filter(|g| g.measure == measure && g.unit == unit)
        .filter(|g| g.members.iter().all(|m| event(&m["doc_id"]) == ev))
        .collect();
    assert_eq!(found.len(), 1, "one group of {measure} ({unit}) in {ev}");
    found[0]
}

fn values(g: &Group) -> BTreeSet<String> {
    g.members.iter().map(|m| m["value"].clone()).collect()
}

fn outlets(g: &Group) -> BTreeSet<String> {
    g.members.iter().map(|m| m["outlet"].clone()).collect()
}

#[test]
fn stories_are_the_events() {
    let r = run_or_skip!();
    let (_, stories) = csv_rows(&r.out.join("stories.csv"));
    assert_eq!(stories.len(), 6, "{stories:#?}");
    for s in &stories {
        let events: BTreeSet<&str> = s["doc_ids"].split("; ").map(event).collect();
        assert_eq!(
            events.len(),
            1,
            "story {} mixes events: {events:?}",
            s["story_id"]
        );
    }
    // Story nodes and IN_STORY edges are in the graph.
    let (_, nodes) = csv_rows(&r.out.join("nodes.csv"));
    assert_eq!(nodes.iter().filter(|n| n["type"] == "Story").count(), 6);
    let (_, edges) = csv_rows(&r.out.join("edges.csv"));
    assert_eq!(edges.iter().filter(|e| e["type"] == "IN_STORY").count(), 25);
}

#[test]
fn groups_never_span_events_or_mix_facts() {
    let r = run_or_skip!();
    let gs = groups(r);
    assert!(gs.len() >= 20, "{} groups", gs.len());
    for g in &gs {
        let events: BTreeSet<&str> = g.members.iter().map(|m| event(&m["doc_id"])).collect();
        assert_eq!(events.len(), 1, "{} spans {events:?}", g.measure);
        // Killed and injured, people and photos, times and units are never one fact.
        assert!(!g.measure.contains("photo") && !g.measure.contains("slideshow"));
        assert!(!["est", "bst", "p", "u", "people", "vs"].contains(&g.measure.as_str()));
        assert!(!(g.measure.contains("deaths") && g.measure.contains("injured")));
        assert!(g.unit != "count" || !["ft", "in", "mi", "mph"].iter().any(|u| g.measure == *u));
    }
    // No claim is a caption counter, a time of day, a duration or an age.
    let (_, claims) = csv_rows(&r.out.join("claims.csv"));
    for c in &claims {
        let s = c["surface"].to_lowercase();
        for junk in [
            "photos",
            " bst",
            " est",
            "p.m",
            "minutes later",
            "weeks before",
            "year-old",
        ] {
            assert!(
                !s.contains(junk),
                "claim `{}` in {}",
                c["surface"],
                c["doc_id"]
            );
        }
    }
}

#[test]
fn the_facts_a_careful_reader_picks_out() {
    let r = run_or_skip!();
    let gs = groups(r);
    // AirAsia QZ8501: 162 people on board, three outlets agree. MH370's 239 and MH17's 298 are
    // other flights: left out of the comparison.
    let aboard = find(&gs, "airasia-8501-2014-12", "on board", "count");
    assert_eq!(aboard.verdict, "agree");
    assert_eq!(values(aboard), ["162".to_string()].into());
    assert!(outlets(aboard).len() >= 3);
    let (_, claims) = csv_rows(&r.out.join("claims.csv"));
    for c in claims.iter().filter(|c| c["doc_id"].starts_with("airasia")) {
        if c["value"] == "239" || c["value"] == "298" {
            assert!(
                !c["elsewhere"].is_empty(),
                "{} is another flight's",
                c["surface"]
            );
        }
    }
    // 16 children (USA TODAY) against 18 (CNN): a real discrepancy.
    let children = find(&gs, "airasia-8501-2014-12", "child", "count");
    assert_eq!(children.verdict, "conflict");
    // Charlie Hebdo: 12 dead everywhere; "10 people" killed in the newsroom and the four of
    // the later standoff are partial counts, not readings of the toll.
    let dead = find(&gs, "charlie-hebdo-2015-01", "deaths", "count");
    assert!(
        ["agree", "compatible"].contains(&dead.verdict.as_str()),
        "{}",
        dead.verdict
    );
    assert_eq!(outlets(dead).len(), 4);
    assert!(dead.notes.contains("partial counts left out"));
    assert_eq!(
        find(
            &gs,
            "charlie-hebdo-2015-01",
            "deaths: police officer",
            "count"
        )
        .verdict,
        "agree"
    );
    assert_eq!(
        find(&gs, "charlie-hebdo-2015-01", "injured", "count").verdict,
        "agree"
    );
    // Germanwings: 150 on board for three outlets, 148 for the New York Times.
    let gw = find(&gs, "germanwings-crash-2015-03", "on board", "count");
    assert_eq!(gw.verdict, "conflict");
    assert!(values(gw).contains("150") && values(gw).contains("148"));
    assert_eq!(
        find(&gs, "germanwings-crash-2015-03", "altitude", "ft").verdict,
        "agree"
    );
    // Nice: the toll rose through the night (40, 60, 75, 77, 80) to 84, which every outlet
    // reports; 308 (Baghdad) and 130 (the Paris attacks of November 2015) are other events.
    let nice = find(&gs, "nice-attack-2016-07", "deaths", "count");
    assert_eq!(nice.verdict, "updated");
    assert!(nice.series.starts_with("2016-07-14: 40"), "{}", nice.series);
    assert!(nice.series.ends_with("84"), "{}", nice.series);
    assert_eq!(nice.sources, 4);
    assert!(!values(nice).contains("308") && !values(nice).contains("130"));
    let americans = find(&gs, "nice-attack-2016-07", "deaths: american", "count");
    assert!(["agree", "compatible"].contains(&americans.verdict.as_str()));
    let injured = find(&gs, "nice-attack-2016-07", "injured", "count");
    assert!(
        ["agree", "compatible"].contains(&injured.verdict.as_str()),
        "{}",
        injured.verdict
    );
    // Florence: the toll rose from the first two deaths to at least 14 over two days.
    let florence = find(&gs, "hurricane-florence-2018-09", "deaths", "count");
    assert_eq!(florence.verdict, "updated");
    assert!(florence.series.ends_with("14"), "{}", florence.series);
    // The impeachment vote: two Democrats voted against the first article (AP, Townhall
    // agree); the tallies 230-197 and 229-198 are votes for and against; the military aid
    // differs ($391 million, "$400 million", $250 million of it).
    let dems = find(
        &gs,
        "trump-impeachment-vote-2019-12",
        "votes against: democrat",
        "count",
    );
    assert_eq!(
        (dems.verdict.as_str(), values(dems)),
        ("agree", ["2".to_string()].into())
    );
    let tallies: BTreeSet<(String, String)> = claims
        .iter()
        .filter(|c| c["doc_id"].starts_with("trump") && c["measure_key"].starts_with("votes"))
        .map(|c| (c["measure_key"].clone(), c["value"].clone()))
        .collect();
    for (m, v) in [
        ("votes for", "230"),
        ("votes against", "197"),
        ("votes for", "229"),
        ("votes against", "198"),
    ] {
        // Each outlet reports the two votes in order: "votes for (vote 1)".
        assert!(
            tallies.iter().any(|(k, x)| k.starts_with(m) && x == v),
            "{m} {v}: {tallies:?}"
        );
    }
    assert_eq!(
        find(&gs, "trump-impeachment-vote-2019-12", "aid", "USD").verdict,
        "conflict"
    );
    // Rain in inches is compared as rainfall, never with feet or miles.
    let rain = find(&gs, "hurricane-florence-2018-09", "rainfall", "in");
    assert!(rain.members.iter().all(|m| m["surface"].contains("inch")));
}

/// The entities of the default run against the hand-labelled regions of
/// `data/eval/realnews-ner.tsv` (66 entities; exact span and type): the figure of the model
/// card (F1 0.815 with the int8 default, as with torch) with a small margin, and no labelled region empty.
#[test]
fn entities_on_hand_labelled_real_news() {
    let Some(r) = run() else {
        eprintln!("skipped: ../shared/corpora/multioutlet-dev is not here");
        return;
    };
    let labels = std::fs::read_to_string(repo().join("data/eval/realnews-ner.tsv")).unwrap();
    let mut regions: Vec<(String, u64, u64)> = Vec::new();
    let mut gold = BTreeSet::new();
    for line in labels.lines().filter(|l| !l.starts_with('#')) {
        let c: Vec<&str> = line.split('\t').collect();
        let (s, e) = (c[2].parse::<u64>().unwrap(), c[3].parse::<u64>().unwrap());
        if c[1] == "region" {
            regions.push((c[0].to_string(), s, e));
        } else {
            gold.insert((c[0].to_string(), s, e, c[1].to_string()));
        }
    }
    let short = |t: &str| match t {
        "Person" => "PER",
        "Location" => "LOC",
        "Organization" => "ORG",
        _ => "MISC",
    };
    let mut pred = BTreeSet::new();
    for m in jsonl(&r.out.join("mentions.jsonl")) {
        let (d, s, e) = (
            m["doc_id"].as_str().unwrap().to_string(),
            m["start"].as_u64().unwrap(),
            m["end"].as_u64().unwrap(),
        );
        if regions
            .iter()
            .any(|(p, a, b)| *p == d && *a <= s && e <= *b)
        {
            pred.insert((d, s, e, short(m["type"].as_str().unwrap()).to_string()));
        }
    }
    for (p, _, _) in &regions {
        assert!(pred.iter().any(|x| &x.0 == p), "no mentions in {p}");
    }
    let tp = gold.intersection(&pred).count() as f64;
    let (prec, rec) = (tp / pred.len() as f64, tp / gold.len() as f64);
    let f1 = 2.0 * prec * rec / (prec + rec);
    assert_eq!(gold.len(), 66);
    assert!(
        f1 >= 0.78,
        "F1 {f1:.3} (P {prec:.3} R {rec:.3}) on the hand-labelled real news"
    );
}

/// Our own hand-checked facts of the six events (`data/eval/facts-dev.json`, the format of
/// `multioutlet-eval/facts.json`, labelled before the claim rules were read through the
/// parse): how many have all their figures in one claim group, how many exactly their figures,
/// scored as `../shared/tools/multioutlet_check.py` scores them. The floor is what the rules
/// give now (23, 16 of 36), less two: a fact more or less moves with the parse of one sentence.
#[test]
fn our_facts_have_their_figures_in_one_group() {
    let r = run_or_skip!();
    let gold: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/eval/facts-dev.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let (_, claims) = csv_rows(&r.out.join("claims.csv"));
    let (_, members) = csv_rows(&r.out.join("claims_compare.csv"));
    let mut group_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut size: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &members {
        group_of
            .entry(m["claim_id"].as_str())
            .or_default()
            .insert(m["group_id"].as_str());
        *size.entry(m["group_id"].as_str()).or_default() += 1;
    }
    // The claim that overlaps a gold figure most, in its document.
    let find = |doc: &str, start: i64, end: i64| {
        claims
            .iter()
            .filter(|c| c["doc_id"] == doc)
            .map(|c| {
                let (s, e): (i64, i64) = (c["start"].parse().unwrap(), c["end"].parse().unwrap());
                (e.min(end) - s.max(start), c["claim_id"].as_str())
            })
            .filter(|(o, _)| *o > 0)
            .max()
            .map(|(_, id)| id)
    };
    let (mut facts, mut all, mut exact) = (0, 0, 0);
    for cluster in gold["clusters"].as_array().unwrap() {
        for fact in cluster["facts"].as_array().unwrap() {
            facts += 1;
            let ids: Vec<Option<&str>> = fact["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    find(
                        m["doc"].as_str().unwrap(),
                        m["start"].as_i64().unwrap(),
                        m["end"].as_i64().unwrap(),
                    )
                })
                .collect();
            let mut count: BTreeMap<&str, usize> = BTreeMap::new();
            for g in ids
                .iter()
                .flatten()
                .flat_map(|id| group_of.get(id).into_iter().flatten())
            {
                *count.entry(g).or_default() += 1;
            }
            let Some((best, n)) = count
                .into_iter()
                .max_by_key(|&(g, n)| (n, std::cmp::Reverse(g)))
            else {
                continue;
            };
            if n == ids.len() {
                all += 1;
                let distinct: BTreeSet<&str> = ids.iter().flatten().copied().collect();
                if size[best] == distinct.len() {
                    exact += 1;
                }
            }
        }
    }
    assert_eq!(facts, 36);
    assert!(
        all >= 21,
        "{all} of {facts} facts have all their figures in one group"
    );
    assert!(
        exact >= 14,
        "{exact} of {facts} facts have exactly their figures"
    );
}

/// `report.html` of the real run, in headless Chromium: every story, opened from the index by
/// clicking its link, shows a chart for each claim group, the Nice toll's rise as a step line,
/// each document on its timeline, and a graph whose nodes lie inside the frame and whose labels
/// do not overlap; screenshots prove the charts and the graph draw. NEWSGRAPH_SCREENSHOT=FILE
/// keeps a screenshot of the Nice story's page (the README's).
#[test]
fn the_report_shows_every_story_with_charts_a_timeline_and_a_readable_graph() {
    let r = run_or_skip!();
    let t = browser::check_report(&r.out);
    let stories = t["stories"].as_array().unwrap();
    assert_eq!(stories.len(), 6, "{t}");
    let groups: u64 = stories.iter().map(|s| s["groups"].as_u64().unwrap()).sum();
    let (_, rows) = csv_rows(&r.out.join("claim_groups.csv"));
    assert_eq!(
        groups,
        rows.len() as u64,
        "every group is in a story's page"
    );
    let nice = stories
        .iter()
        .find(|s| s["id"].as_str().unwrap().contains("nice"))
        .expect("the Nice story");
    assert!(
        nice["updated"].as_u64().unwrap() >= 1 && nice["steps"] == nice["updated"],
        "the death toll's rise is drawn as a line: {nice}"
    );
    let updated = rows
        .iter()
        .position(|g| g["verdict"] == "updated")
        .expect("an updated group");
    browser::check_pixels(&r.out, updated, stories[0]["id"].as_str().unwrap());
    let id = nice["id"].as_str().unwrap().replace(':', "%3A");
    let keep = std::env::var_os("NEWSGRAPH_SCREENSHOT").map(std::path::PathBuf::from);
    let page = browser::screenshot(
        &r.out.join("report.html"),
        &format!("#story={id}"),
        (1280, 2000),
        keep.as_deref(),
    );
    let blank = browser::screenshot(
        &r.out.join("report.html"),
        "#view=blank",
        (1280, 2000),
        None,
    );
    let drawn = browser::differing(&page, &blank);
    assert!(
        drawn > 1280 * 2000 / 100,
        "the story page draws: {drawn} pixels"
    );
}
