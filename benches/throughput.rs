//! Throughput benchmark (run with `scripts/bench` or `cargo bench --bench throughput`): the rule
//! layer (quantities and claims) and text preparation in MB/s on one core, and NER in
//! sentences/s with the shipped model. Inputs: the demo corpus, and ../shared/seeds if present,
//! repeated to a few MB.
use newsgraph::doc::{Document, View};
use newsgraph::{claims, corpus, ner, segment};
use std::time::Instant;

fn texts() -> Vec<String> {
    let mut out = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [root.join("data/demo"), root.join("../shared/seeds")] {
        if let Ok(files) = corpus::list_files(&dir) {
            for f in files {
                if let Ok(t) = std::fs::read_to_string(&f) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Story grouping on the first `n` Reuters stories (words only: no NER here), seconds.
fn stories_seconds(n: usize) -> Option<(usize, usize, f64)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("../shared/corpora/reuters-21578/reuters-all.jsonl"))
            .ok()?;
    let docs: Vec<Document> = text
        .lines()
        .take(n)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            let body = v["text"].as_str().unwrap_or_default().to_string();
            let meta = newsgraph::doc::DocMeta {
                doc_id: v["id"].as_str().unwrap_or_default().to_string(),
                published: v["published"].as_str().map(String::from),
                ..Default::default()
            };
            Document::new(meta, body.clone(), View::identity(&body))
        })
        .collect();
    let t = Instant::now();
    let found = newsgraph::stories::find_stories(&docs, &Default::default(), Default::default());
    Some((docs.len(), found.len(), t.elapsed().as_secs_f64()))
}

fn main() {
    for n in [1000, 19043] {
        if let Some((d, s, secs)) = stories_seconds(n) {
            println!("stories: {d} Reuters documents -> {s} stories in {secs:.2} s");
        }
    }
    let base = texts();
    let target = 8 << 20;
    let mut docs: Vec<String> = Vec::new();
    let mut size = 0;
    while size < target {
        for t in &base {
            size += t.len();
            docs.push(t.clone());
        }
    }
    let mb = size as f64 / (1 << 20) as f64;

    let t = Instant::now();
    let mut prepared: Vec<Document> = docs
        .iter()
        .map(|text| {
            let view = corpus::strip_boilerplate(&View::identity(text));
            let mut d = Document::new(Default::default(), text.clone(), view);
            d.sentences = segment::split(&d.view.text);
            d
        })
        .collect();
    let prep = t.elapsed().as_secs_f64();
    println!(
        "text preparation (view, boilerplate, sentences): {:.1} MB/s on one core ({mb:.1} MB)",
        mb / prep
    );

    let t = Instant::now();
    let mut n = 0usize;
    for d in &docs {
        n += claims::scan(d).len();
    }
    let scan = t.elapsed().as_secs_f64();
    println!(
        "quantity scanning: {:.1} MB/s on one core ({n} quantities)",
        mb / scan
    );

    let t = Instant::now();
    let mut c = 0usize;
    let table = claims::MeasureTable::builtin();
    for d in prepared.iter_mut() {
        d.claims = claims::extract(d, &table);
        c += d.claims.len();
    }
    let ext = t.elapsed().as_secs_f64();
    println!("claim extraction (quantities, measures, anchors): {:.1} MB/s on one core ({c} claims, no entities)", mb / ext);

    let model_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(newsgraph::config::DEFAULT_MODEL);
    match ner::NerModel::load(&model_dir, tch::Device::Cpu) {
        Ok(model) => {
            let threads = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1);
            tch::set_num_threads(threads as i32);
            let sents: Vec<ner::Tokenized> = base
                .iter()
                .flat_map(|text| {
                    segment::split(text)
                        .into_iter()
                        .map(|s| model.tokenizer.tokenize(&text[s.range]))
                        .collect::<Vec<_>>()
                })
                .collect();
            let pieces: usize = sents.iter().map(|s| s.ids.len()).sum();
            let t = Instant::now();
            let _ = model.predict(&sents, |_| {});
            let s = t.elapsed().as_secs_f64();
            println!(
                "NER ({}, {threads} threads): {:.0} sentences/s, {:.0} wordpieces/s ({} sentences)",
                model.name,
                sents.len() as f64 / s,
                pieces as f64 / s,
                sents.len()
            );
        }
        Err(e) => println!("NER: skipped ({e})"),
    }
}
