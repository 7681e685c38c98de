//! One 50 MB article: it goes through the model a block of sentences at a time, so the run's
//! peak memory stays a small multiple of the file, and the whole file is read and kept.
//!
//! The model is a random one biased to `O`, so the test measures volume (reading, splitting,
//! tokenising and tagging 50 MB), not entities, and runs in about a minute.
mod util;

use util::{bin, jsonl, run_ok};

const WORDS: &[&str] = &[
    "the",
    "committee",
    "met",
    "again",
    "and",
    "talked",
    "about",
    "weather",
    "in",
    "valley",
    "river",
    "north",
    "long",
    "report",
    "said",
    "members",
    "harbour",
    "council",
    "road",
    "week",
    "before",
    "after",
    "plans",
    "were",
    "quiet",
    "evening",
    "town",
    "hall",
];

/// Sentences of 8 to 14 words from a small vocabulary, paragraphs of 6; no digits (no
/// claims), so every stage sees 50 MB of plain prose.
fn prose(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 200);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut sentence = 0;
    while s.len() < bytes {
        let n = 8 + (next() % 7) as usize;
        for i in 0..n {
            let w = WORDS[(next() % WORDS.len() as u64) as usize];
            if i == 0 {
                let mut c = w.chars();
                let first = c.next().unwrap_or('t').to_ascii_uppercase();
                s.push(first);
                s.push_str(c.as_str());
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        s.push('.');
        sentence += 1;
        s.push_str(if sentence % 6 == 0 { "\n\n" } else { " " });
    }
    s
}

#[test]
fn a_50_mb_article_is_read_whole_in_bounded_memory() {
    let t = tempfile::tempdir().unwrap();
    let model = t.path().join("quiet-model");
    newsgraph::ner::write_random_model_with(&model, &["the", "committee", "met"], 5, 12.0).unwrap();
    let corpus = t.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let text = prose(50 * 1024 * 1024);
    std::fs::write(corpus.join("book.txt"), &text).unwrap();
    let out = t.path().join("out");
    run_ok(
        bin()
            .arg("run")
            .arg(&corpus)
            .arg("--out")
            .arg(&out)
            .args(["--threads", "2", "--model"])
            .arg(&model),
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["counts"]["documents"], 1);
    let expected = text.matches(['.']).count() as u64;
    let sentences = run["counts"]["sentences"].as_u64().unwrap();
    assert!(
        sentences * 100 >= expected * 99 && sentences <= expected,
        "{sentences} sentences of {expected}"
    );
    // The whole file is kept: its last span ends at its last character.
    let docs = jsonl(&out.join("documents.jsonl"));
    let spans = docs[0]["kept_spans"].as_array().unwrap();
    let last_end = spans.last().unwrap()[1].as_u64().unwrap();
    assert!(
        last_end + 2 >= text.chars().count() as u64,
        "kept text ends at {last_end} of {}",
        text.chars().count()
    );
    // With the model inputs of all 770,000 sentences built at once this run peaked at 4.5 GB;
    // a block of sentences at a time it peaks at about 530 MB: the process's base (libraries,
    // about 300 MB) and a few copies of the text.
    let peak = run["peak_memory_mb"].as_u64().unwrap();
    assert!(peak < 1200, "peak memory {peak} MB for a 50 MB article");
}
