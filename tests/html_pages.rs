//! Real saved web pages (`../shared/corpora/realhtml-dev`: 60 pages from many sites, each with
//! the article text a person marked): what the HTML reader keeps, scored word by word against
//! that gold text, and the offsets of what it keeps.
mod util;
use newsgraph::corpus::html::{self, Hints};
use std::collections::HashMap;
use util::*;

/// Lower-case words (runs of letters and digits).
fn words(text: &str) -> HashMap<String, usize> {
    let mut bag = HashMap::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *bag.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    bag
}

/// (common words, kept words, gold words) of two bags.
fn overlap(kept: &HashMap<String, usize>, gold: &HashMap<String, usize>) -> (usize, usize, usize) {
    let common = kept
        .iter()
        .map(|(w, &n)| n.min(gold.get(w).copied().unwrap_or(0)))
        .sum();
    (common, kept.values().sum(), gold.values().sum())
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

#[test]
fn realhtml_dev_pages_keep_the_article_text() {
    let Some(dir) = shared("corpora/realhtml-dev") else {
        eprintln!("../shared/corpora/realhtml-dev is absent: skipping");
        return;
    };
    let hints = Hints::builtin();
    let mut pages: Vec<_> = std::fs::read_dir(dir.join("html"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 60);
    let (mut common, mut kept_n, mut gold_n) = (0, 0, 0);
    let mut macro_f1 = 0.0;
    let mut report = String::new();
    let mut unusable = Vec::new();
    for path in &pages {
        let id = path.file_stem().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(path).unwrap();
        let gold = std::fs::read_to_string(dir.join("gold").join(format!("{id}.txt"))).unwrap();
        let page = html::read(&src, &hints);
        if let Some(p) = &page.problem {
            unusable.push(format!("{id}: {p}"));
        }
        // Offsets: every kept character slices back to itself in the file (a decoded
        // reference to the whole `&amp;`; collapsed whitespace to some whitespace).
        let chars: Vec<char> = src.chars().collect();
        let text = &page.view.text;
        for (i, c) in text.char_indices() {
            let (a, b) = page.view.to_original(i..i + c.len_utf8());
            let orig: String = chars[a..b].iter().collect();
            let ok = if c.is_whitespace() {
                orig.chars().all(char::is_whitespace)
            } else {
                orig == c.to_string() || orig.starts_with('&')
            };
            assert!(ok, "{id}: `{c}` at {i} maps to `{orig}`");
        }
        let (c, k, g) = overlap(&words(text), &words(&gold));
        let (p, r) = (c as f64 / k.max(1) as f64, c as f64 / g.max(1) as f64);
        report.push_str(&format!(
            "{id:.12} {:>9} p {p:.3} r {r:.3} f1 {:.3}\n",
            page.method,
            f1(p, r)
        ));
        macro_f1 += f1(p, r);
        common += c;
        kept_n += k;
        gold_n += g;
    }
    let (p, r) = (common as f64 / kept_n as f64, common as f64 / gold_n as f64);
    let macro_f1 = macro_f1 / pages.len() as f64;
    eprintln!(
        "{report}overall: precision {p:.3} recall {r:.3} f1 {:.3}; mean page f1 {macro_f1:.3}",
        f1(p, r)
    );
    assert!(unusable.is_empty(), "pages read as unusable: {unusable:#?}");
    assert!(f1(p, r) >= 0.95, "word F1 {:.3} < 0.95\n{report}", f1(p, r));
    assert!(
        macro_f1 >= 0.93,
        "mean page F1 {macro_f1:.3} < 0.93\n{report}"
    );
}

/// The whole pipeline on the pages: entity mentions come from the article, not the chrome. A
/// mention whose surface is nowhere in the gold text of its page was found outside the article.
#[test]
fn realhtml_dev_mentions_come_from_the_article() {
    let Some(dir) = shared("corpora/realhtml-dev") else {
        eprintln!("../shared/corpora/realhtml-dev is absent: skipping");
        return;
    };
    let (_t, out, o) = run_pipeline(&dir.join("html"), &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "no page may be skipped: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut gold: HashMap<String, String> = HashMap::new();
    let (mut total, mut outside) = (0, Vec::new());
    for m in jsonl(&out.join("mentions.jsonl")) {
        let doc = m["doc_id"]
            .as_str()
            .unwrap()
            .trim_end_matches(".html")
            .to_string();
        let text = gold.entry(doc.clone()).or_insert_with(|| {
            squash(&std::fs::read_to_string(dir.join("gold").join(format!("{doc}.txt"))).unwrap())
        });
        let surface = squash(m["surface"].as_str().unwrap());
        total += 1;
        if !text.contains(&surface) {
            outside.push(format!("{doc:.12}: {surface}"));
        }
    }
    assert!(total > 2000, "only {total} mentions");
    let share = outside.len() as f64 / total as f64;
    eprintln!(
        "{} of {total} mentions outside the gold text ({:.1} %)",
        outside.len(),
        share * 100.0
    );
    assert!(
        share < 0.04,
        "{:.1} % outside the article: {outside:#?}",
        share * 100.0
    );
}
