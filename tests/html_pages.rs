//! Real saved web pages, each with the article text a person marked (`../shared/corpora`:
//! `realhtml-dev`, 60 pages from many sites; `realhtml-eval`, 101 more; `l3s-dev`, 65 news
//! pages of 2008): what the HTML reader keeps, scored against that gold text word by word and
//! by 4-gram shingles, and the offsets of what it keeps.
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

/// Word 4-grams (lower case) of a text, as a bag; the whole text when it is shorter.
fn shingles(text: &str) -> HashMap<Vec<String>, usize> {
    let w: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut bag = HashMap::new();
    if w.len() < 4 {
        if !w.is_empty() {
            bag.insert(w, 1);
        }
        return bag;
    }
    for g in w.windows(4) {
        *bag.entry(g.to_vec()).or_insert(0) += 1;
    }
    bag
}

fn common<K: std::hash::Hash + Eq>(a: &HashMap<K, usize>, b: &HashMap<K, usize>) -> usize {
    a.iter()
        .map(|(k, &n)| n.min(b.get(k).copied().unwrap_or(0)))
        .sum()
}

/// How the reader does on a directory of pages with gold text.
struct Scores {
    pages: usize,
    /// Word bags, counts added over pages.
    word_f1: f64,
    /// Mean of the pages' word F1.
    mean_page_f1: f64,
    /// The L3S-GN1 benchmark's measure: 4-gram shingles, precision and recall per page,
    /// averaged, F1 of the means (a page with nothing kept scores 0 on both).
    shingle_f1: f64,
    unusable: Vec<String>,
    report: String,
}

fn score_pages(dir: &std::path::Path) -> Scores {
    let hints = Hints::builtin();
    let mut pages: Vec<_> = std::fs::read_dir(dir.join("html"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    let (mut common_n, mut kept_n, mut gold_n) = (0, 0, 0);
    let (mut macro_f1, mut sh_p, mut sh_r) = (0.0, 0.0, 0.0);
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
        // reference to the whole `&amp;`; collapsed white space to some white space).
        let chars: Vec<char> = src.chars().collect();
        let text = &page.view.text;
        for (i, c) in text.char_indices() {
            let (a, b) = page.view.to_original(i..i + c.len_utf8());
            let orig: String = chars[a..b].iter().collect();
            let ok = if c.is_whitespace() {
                // White space, or a reference to it (`&nbsp;`).
                orig.chars().all(char::is_whitespace) || orig.starts_with('&')
            } else {
                orig == c.to_string() || orig.starts_with('&')
            };
            assert!(ok, "{id}: `{c}` at {i} maps to `{orig}`");
        }
        let (kw, gw) = (words(text), words(&gold));
        let (c, k, g) = overlap(&kw, &gw);
        let (p, r) = (c as f64 / k.max(1) as f64, c as f64 / g.max(1) as f64);
        let (ks, gs) = (shingles(text), shingles(&gold));
        let both = common(&ks, &gs) as f64;
        let sp = both / ks.values().sum::<usize>().max(1) as f64;
        let sr = both / gs.values().sum::<usize>().max(1) as f64;
        report.push_str(&format!(
            "{id:.12} {:>9} words p {p:.3} r {r:.3} f1 {:.3}  shingles p {sp:.3} r {sr:.3}\n",
            page.method,
            f1(p, r)
        ));
        macro_f1 += f1(p, r);
        sh_p += sp;
        sh_r += sr;
        common_n += c;
        kept_n += k;
        gold_n += g;
    }
    let n = pages.len() as f64;
    let (p, r) = (
        common_n as f64 / kept_n as f64,
        common_n as f64 / gold_n as f64,
    );
    let s = Scores {
        pages: pages.len(),
        word_f1: f1(p, r),
        mean_page_f1: macro_f1 / n,
        shingle_f1: f1(sh_p / n, sh_r / n),
        unusable,
        report,
    };
    eprintln!(
        "{}{}: words precision {p:.3} recall {r:.3} f1 {:.3}; mean page f1 {:.3}; shingles precision {:.3} recall {:.3} f1 {:.3}",
        s.report,
        dir.display(),
        s.word_f1,
        s.mean_page_f1,
        sh_p / n,
        sh_r / n,
        s.shingle_f1
    );
    s
}

#[test]
fn realhtml_dev_pages_keep_the_article_text() {
    let Some(dir) = shared("corpora/realhtml-dev") else {
        eprintln!("../shared/corpora/realhtml-dev is absent: skipping");
        return;
    };
    let s = score_pages(&dir);
    assert_eq!(s.pages, 60);
    assert!(
        s.unusable.is_empty(),
        "pages read as unusable: {:#?}",
        s.unusable
    );
    assert!(
        s.word_f1 >= 0.99,
        "word F1 {:.3} < 0.99\n{}",
        s.word_f1,
        s.report
    );
    assert!(
        s.mean_page_f1 >= 0.98,
        "mean page F1 {:.3} < 0.98\n{}",
        s.mean_page_f1,
        s.report
    );
}

/// News pages of 2008 from 65 sites (L3S-GN1): layout tables, `<font>` and `<br>` paragraphs,
/// heads and titles never closed. None may be skipped, and the text scores on the benchmark's
/// own measure above what readability-lxml scores on the whole collection (0.950).
#[test]
fn l3s_pages_of_2008_are_all_read() {
    let Some(dir) = shared("corpora/l3s-dev") else {
        eprintln!("../shared/corpora/l3s-dev is absent: skipping");
        return;
    };
    let s = score_pages(&dir);
    assert_eq!(s.pages, 65);
    assert!(
        s.unusable.is_empty(),
        "pages read as unusable: {:#?}",
        s.unusable
    );
    assert!(
        s.shingle_f1 >= 0.96,
        "shingle F1 {:.3} < 0.96\n{}",
        s.shingle_f1,
        s.report
    );
}

/// The 101 pages of the benchmark the reader was not built against: none skipped.
#[test]
fn realhtml_eval_pages_are_all_read() {
    let Some(dir) = shared("corpora/realhtml-eval") else {
        eprintln!("../shared/corpora/realhtml-eval is absent: skipping");
        return;
    };
    let s = score_pages(&dir);
    assert_eq!(s.pages, 101);
    assert!(
        s.unusable.is_empty(),
        "pages read as unusable: {:#?}",
        s.unusable
    );
    assert!(
        s.word_f1 >= 0.96,
        "word F1 {:.3} < 0.96\n{}",
        s.word_f1,
        s.report
    );
    assert!(
        s.shingle_f1 >= 0.96,
        "shingle F1 {:.3} < 0.96\n{}",
        s.shingle_f1,
        s.report
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

/// Entity mentions of (doc stem -> (surface, type) bag) of a run's output.
fn mention_bags(out: &std::path::Path) -> HashMap<String, HashMap<(String, String), usize>> {
    let mut by_doc: HashMap<String, HashMap<(String, String), usize>> = HashMap::new();
    for m in jsonl(&out.join("mentions.jsonl")) {
        let doc = m["doc_id"].as_str().unwrap();
        let stem = std::path::Path::new(doc)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        // The mention as read (`text`), not its original markup (`surface`: "PG&amp;E").
        let key = (
            m["text"].as_str().unwrap().to_string(),
            m["type"].as_str().unwrap().to_string(),
        );
        *by_doc.entry(stem).or_default().entry(key).or_insert(0) += 1;
    }
    by_doc
}

/// On pages nobody tuned on, what the whole pipeline finds on the page is what it finds on the
/// gold text of the page. Measured 2026-12-07 on an AVX2 machine: recall 0.954 (0.941 before
/// the document consistency step made a name's type the same wherever the document names it
/// with confidence; the rest is shopping boxes and embedded posts the gold text keeps and the
/// reader leaves out), 98.9 % of the page's mentions name text of the article. The floor is
/// 0.945, not the 0.95: int8 kernels of other CPUs may flip a few near-tie labels.
#[test]
fn realhtml_eval_mentions_match_a_run_on_the_gold_text() {
    let Some(dir) = shared("corpora/realhtml-eval") else {
        eprintln!("../shared/corpora/realhtml-eval is absent: skipping");
        return;
    };
    let (_t1, on_pages, o1) = run_pipeline(&dir.join("html"), &[]);
    assert_eq!(
        o1.status.code(),
        Some(0),
        "no page may be skipped: {}",
        String::from_utf8_lossy(&o1.stderr)
    );
    let (_t2, on_gold, o2) = run_pipeline(&dir.join("gold"), &[]);
    assert!(
        o2.status.success(),
        "{}",
        String::from_utf8_lossy(&o2.stderr)
    );
    let (pages, gold) = (mention_bags(&on_pages), mention_bags(&on_gold));
    let (mut same, mut gold_n) = (0, 0);
    let empty = HashMap::new();
    for (doc, g) in &gold {
        let p = pages.get(doc).unwrap_or(&empty);
        same += common(p, g);
        gold_n += g.values().sum::<usize>();
    }
    // Mentions on the pages that name text the article does not hold (menus, captions...).
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (mut page_n, mut outside) = (0, 0);
    for (doc, p) in &pages {
        let text =
            squash(&std::fs::read_to_string(dir.join("gold").join(format!("{doc}.txt"))).unwrap());
        for ((surface, _), n) in p {
            page_n += n;
            if !text.contains(&squash(surface)) {
                outside += n;
            }
        }
    }
    let recall = same as f64 / gold_n.max(1) as f64;
    let in_article = 1.0 - outside as f64 / page_n.max(1) as f64;
    eprintln!("mentions: on pages {page_n}, on gold {gold_n}, same {same}: recall {recall:.3}; {outside} name text outside the article (precision {in_article:.3})");
    assert!(gold_n > 3000, "only {gold_n} mentions on the gold texts");
    assert!(recall >= 0.945, "mention recall {recall:.3} < 0.945");
    assert!(
        in_article >= 0.98,
        "mention precision {in_article:.3} < 0.98"
    );
}
