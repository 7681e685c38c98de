//! What each subcommand does, given its parsed options. `main.rs` parses flags, calls one of
//! these and maps the outcome to an exit code: `Ok(0)`, `Ok(2)` when the work finished but
//! inputs were skipped, an error otherwise.
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::ner::{self, NerModel};
use crate::{claims, corpus, export, pipeline};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Which model, where, on which backend (`--model`, `--device`, `--backend`).
#[derive(Debug, Clone)]
pub struct ModelChoice {
    pub model: Option<PathBuf>,
    pub device: String,
    pub backend: String,
}

impl ModelChoice {
    /// The model directory: `--model`, else the shipped model.
    pub fn dir(&self) -> PathBuf {
        self.model
            .clone()
            .unwrap_or_else(|| config::shipped(&format!("models/{}", config::DEFAULT_MODEL)))
    }

    pub fn load(&self) -> Result<NerModel> {
        let dir = self.dir();
        let device = config::parse_device(&self.device)?;
        let backend = ner::Backend::choose(&self.backend, &dir, device)?;
        NerModel::load_with(&dir, device, backend)
    }
}

/// `--aliases`, else the shipped alias table when it is there.
pub fn default_aliases(aliases: Option<PathBuf>) -> Option<PathBuf> {
    aliases.or_else(|| {
        Some(config::shipped(&format!(
            "data/{}",
            config::DEFAULT_ALIASES
        )))
        .filter(|p| p.is_file())
    })
}

/// `--manifest`, else `CORPUS/manifest.csv` when there is one.
pub fn default_manifest(corpus: &Path, manifest: Option<PathBuf>) -> Option<PathBuf> {
    manifest.or_else(|| Some(corpus.join("manifest.csv")).filter(|p| p.is_file()))
}

/// The thread budget of the CPU stages (rayon) and of libtorch.
pub fn start_threads(n: usize) -> Result<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .map_err(|e| Error::Config(format!("starting the thread pool: {e}")))?;
    tch::set_num_threads(n as i32);
    Ok(())
}

fn stdout_err(e: std::io::Error) -> Error {
    Error::io("standard output", e)
}

fn json_err(e: serde_json::Error) -> Error {
    Error::Config(format!("writing JSON: {e}"))
}

/// `run`: the whole pipeline on a corpus, every output file.
pub fn run(cfg: &Config) -> Result<i32> {
    let started = Instant::now();
    export::check_output(&cfg.out, cfg.force)?;
    start_threads(cfg.threads)?;
    let output = pipeline::run(cfg)?;
    write_output(&output, cfg, started)
}

/// `extract --jsonl`: corpus JSONL on `input`, one record per line on `output`.
pub fn extract(
    input: impl std::io::BufRead,
    output: impl Write,
    name: &str,
    rules: &pipeline::Rules,
    html_hints: Option<&Path>,
    model: &ModelChoice,
    threads: usize,
) -> Result<i32> {
    start_threads(threads)?;
    let hints = pipeline::hints_of(html_hints)?;
    let model = model.load()?;
    let p = pipeline::doc_pipeline(&model, rules, None)?;
    let stats = pipeline::extract_stream(input, output, &p, &model.label(), &hints, name)?;
    eprintln!(
        "newsgraph: extract: {} lines, {} documents, {} without one",
        stats.lines, stats.ok, stats.failed
    );
    Ok(0)
}

/// The record files of `assemble`'s arguments: files as given, directories as their part files
/// (hidden and `_`-prefixed files, such as Spark's `_SUCCESS`, left out), sorted.
pub fn record_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| Error::io(path, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with(['.', '_']))
                })
                .collect();
            v.sort();
            out.extend(v);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// `assemble`: the corpus stages and every export, from `extract` records.
pub fn assemble(records: &[PathBuf], cfg: &Config) -> Result<i32> {
    let started = Instant::now();
    export::check_output(&cfg.out, cfg.force)?;
    start_threads(cfg.threads)?;
    let rules = pipeline::Rules::from_config(cfg)?;
    let mut recs = pipeline::Records::default();
    for f in record_files(records)? {
        recs.read(&f)?;
    }
    let output = pipeline::assemble(recs, &rules, Default::default());
    write_output(&output, cfg, started)
}

/// Write every output file of `output` to `cfg.out` (staged, then moved into place), report
/// on stderr, and return the exit code: 0, or 2 when inputs were skipped.
pub fn write_output(output: &pipeline::Output, cfg: &Config, started: Instant) -> Result<i32> {
    let tmp = export::staging_dir(&cfg.out)?;
    let total = started.elapsed().as_secs_f64();
    if let Err(e) = export::write_all(output, cfg, &tmp, total) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    export::commit(&tmp, &cfg.out)?;
    for s in &output.skipped {
        eprintln!("newsgraph: skipped {}: {}", s.path, s.reason);
    }
    if output.docs.is_empty() {
        eprintln!(
            "newsgraph: warning: no documents in {} (it is read for .txt, .md, .html, .htm and .jsonl files)",
            cfg.corpus.display()
        );
    }
    for d in &output.docs {
        for w in &d.warnings {
            eprintln!("newsgraph: warning: {}: {w}", d.meta.doc_id);
        }
    }
    let timing: Vec<String> = output
        .timings
        .iter()
        .map(|(k, v)| format!("{k} {v:.1}s"))
        .collect();
    eprintln!(
        "newsgraph: read {} documents ({} skipped); {} entity mentions of {} entities; {} claims in {} cross-outlet groups; {} relations; graph of {} nodes and {} edges written to {} in {:.1}s ({}); model {} on {}.",
        output.docs.len(),
        output.skipped.len(),
        output.docs.iter().map(|d| d.mentions.len()).sum::<usize>(),
        output.entities.len(),
        output.claims.len(),
        output.groups.len(),
        output.docs.iter().map(|d| d.relations.len()).sum::<usize>(),
        output.graph.node_count(),
        output.graph.edge_count(),
        cfg.out.display(),
        started.elapsed().as_secs_f64(),
        timing.join(", "),
        output.model_name,
        output.device,
    );
    Ok(if output.skipped.is_empty() { 0 } else { 2 })
}

/// `lines`: a corpus as corpus JSONL on `out`.
pub fn lines(corpus: &Path, manifest: Option<PathBuf>, out: impl Write) -> Result<i32> {
    let (m, bad) = match &default_manifest(corpus, manifest) {
        Some(p) => corpus::read_manifest(p)?,
        None => Default::default(),
    };
    let (n, failed) = corpus::write_lines(corpus, &m, bad, out)?;
    eprintln!("newsgraph: lines: {n} documents, {failed} inputs not read");
    Ok(0)
}

/// `ner`: the entities of one text, with code-point offsets and scores.
pub fn ner(text: &str, json: bool, model: &ModelChoice, mut out: impl Write) -> Result<i32> {
    let model = model.load()?;
    let sentences = crate::segment::split(text);
    let inputs: Vec<ner::Tokenized> = sentences
        .iter()
        .map(|s| model.tokenizer.tokenize_sentence(&text[s.range.clone()]))
        .collect();
    let tags = model.predict_sentences(&inputs, |_| {})?;
    let mut rows = Vec::new();
    for ((s, tok), pieces) in sentences.iter().zip(&inputs).zip(&tags) {
        for span in ner::spans(tok, pieces, &model.labels, &text[s.range.clone()]) {
            let (a, b) = (
                s.range.start + span.range.start,
                s.range.start + span.range.end,
            );
            let start = text[..a].chars().count();
            let end = start + text[a..b].chars().count();
            let score = (span.score as f64 * 1e4).round() / 1e4;
            rows.push((start, end, span.etype.short(), score, &text[a..b]));
        }
    }
    if json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(start, end, t, score, s)| {
                serde_json::json!({"text": s, "type": t, "start": start, "end": end, "score": score})
            })
            .collect();
        let s = serde_json::to_string_pretty(&v).map_err(json_err)?;
        writeln!(out, "{s}").map_err(stdout_err)?;
    } else {
        for (start, end, t, score, s) in &rows {
            writeln!(out, "{start}\t{end}\t{t}\t{score}\t{s}").map_err(stdout_err)?;
        }
    }
    Ok(0)
}

/// How `eval-ner` reads and reports: the case of the words, whether a document's names are
/// made consistent, and where to write each word's predicted label.
pub struct EvalNerOptions<'a> {
    pub case: ner::eval::Case,
    pub consistency: bool,
    pub predictions: Option<&'a Path>,
}

/// `eval-ner`: entity-level scores of a model on a CoNLL file.
pub fn eval_ner(
    conll: &Path,
    json: bool,
    threads: usize,
    model: &ModelChoice,
    opts: EvalNerOptions<'_>,
    mut out: impl Write,
) -> Result<i32> {
    let EvalNerOptions {
        case,
        consistency,
        predictions,
    } = opts;
    tch::set_num_threads(threads.max(1) as i32);
    let mut model = model.load()?;
    model.consistency = consistency;
    let pb = pipeline::progress(0, "eval");
    let ev = ner::eval::evaluate_cased(&model, conll, case, |n| pb.inc(n as u64))?;
    pb.finish_and_clear();
    if let Some(path) = predictions {
        let (data, _) = ner::eval::read_conll_docs(conll)?;
        let mut text = String::new();
        for ((words, gold), pred) in data.iter().zip(&ev.predictions) {
            for ((w, g), p) in words.iter().zip(gold).zip(pred) {
                text.push_str(&format!("{w} {g} {p}\n"));
            }
            text.push('\n');
        }
        std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    }
    if json {
        let s = serde_json::to_string_pretty(&ev).map_err(json_err)?;
        writeln!(out, "{s}").map_err(stdout_err)?;
        return Ok(0);
    }
    let cased = match ev.case {
        ner::eval::Case::Asis => "as written",
        ner::eval::Case::Upper => "upper-cased",
        ner::eval::Case::Lower => "lower-cased",
    };
    let mut w = || -> std::io::Result<()> {
        writeln!(
            out,
            "model {} on {} ({} sentences, words {cased}, {:.0} sentences/s)",
            ev.model,
            conll.display(),
            ev.sentences,
            ev.sentences_per_second
        )?;
        writeln!(
            out,
            "{:<8} {:>9} {:>9} {:>9} {:>8}",
            "type", "precision", "recall", "f1", "support"
        )?;
        for (k, s) in &ev.per_type {
            writeln!(
                out,
                "{:<8} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                k, s.precision, s.recall, s.f1, s.support
            )?;
        }
        writeln!(
            out,
            "{:<8} {:>9.4} {:>9.4} {:>9.4} {:>8}",
            "overall",
            ev.precision,
            ev.recall,
            ev.f1,
            ev.per_type.values().map(|s| s.support).sum::<usize>()
        )
    };
    w().map_err(stdout_err)?;
    Ok(0)
}

/// `parse`: the syntax layer of one text, as CoNLL-U with code-point offsets or as JSON.
pub fn parse(text: &str, json: bool, model: &ModelChoice, mut out: impl Write) -> Result<i32> {
    let model = model.load()?;
    if model.syntax.is_none() {
        return Err(Error::model(
            &model.dir,
            "this model has no syntax head (syntax.json); scripts/train_syntax.py trains one",
        ));
    }
    let sentences = crate::segment::split(text);
    let mut doc = crate::doc::Document::new(
        crate::doc::DocMeta::default(),
        text.to_string(),
        crate::doc::View::identity(text),
    );
    doc.sentences = sentences;
    pipeline::tag_all(std::slice::from_mut(&mut doc), &model, None)?;
    let cp = |b: usize| text[..b].chars().count();
    let mut json_rows = Vec::new();
    let mut w = || -> std::io::Result<()> {
        for (s, sent) in doc.sentences.iter().enumerate() {
            let stext = &text[sent.range.clone()];
            let Some(p) = doc.parse_of(s) else {
                if !json {
                    writeln!(
                        out,
                        "# sent_id = {}\n# text = {}\n# not parsed: longer than one model window\n",
                        s + 1,
                        stdext(stext)
                    )?;
                }
                continue;
            };
            if json {
                let words: Vec<serde_json::Value> = p
                    .words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        serde_json::json!({"id": i + 1, "form": &text[w.range()], "lemma": w.lemma(text),
                            "upos": w.upos, "head": w.head, "deprel": w.rel,
                            "start": cp(w.start as usize), "end": cp(w.end as usize)})
                    })
                    .collect();
                json_rows.push(serde_json::json!({"sentence": s + 1, "text": stext,
                    "start": cp(sent.range.start), "end": cp(sent.range.end), "words": words}));
                continue;
            }
            writeln!(out, "# sent_id = {}\n# text = {}", s + 1, stdext(stext))?;
            for (i, w) in p.words.iter().enumerate() {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t_\t_\t{}\t{}\t_\tStart={}|End={}",
                    i + 1,
                    &text[w.range()],
                    w.lemma(text),
                    w.upos,
                    w.head,
                    w.rel,
                    cp(w.start as usize),
                    cp(w.end as usize)
                )?;
            }
            writeln!(out)?;
        }
        Ok(())
    };
    w().map_err(stdout_err)?;
    if json {
        let s = serde_json::to_string_pretty(&json_rows).map_err(json_err)?;
        writeln!(out, "{s}").map_err(stdout_err)?;
    }
    Ok(0)
}

/// A sentence on one line (CoNLL-U comments cannot hold line breaks).
fn stdext(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `eval-parse`: scores of the syntax head on a CoNLL-U file.
pub fn eval_parse(
    conllu: &Path,
    json: bool,
    threads: usize,
    model: &ModelChoice,
    mut out: impl Write,
) -> Result<i32> {
    tch::set_num_threads(threads.max(1) as i32);
    let model = model.load()?;
    let pb = pipeline::progress(0, "eval");
    let ev = crate::syntax::eval::evaluate(&model, conllu, |n| pb.inc(n as u64))?;
    pb.finish_and_clear();
    if json {
        let s = serde_json::to_string_pretty(&ev).map_err(json_err)?;
        writeln!(out, "{s}").map_err(stdout_err)?;
        return Ok(0);
    }
    let mut w = || -> std::io::Result<()> {
        writeln!(
            out,
            "model {} on {} ({} sentences, {} words, {:.0} sentences/s)",
            ev.model,
            conllu.display(),
            ev.sentences,
            ev.words,
            ev.sentences_per_second
        )?;
        writeln!(
            out,
            "UAS {:.4}  LAS {:.4}  (full labels {:.4})  UPOS {:.4}  lemma {:.4}",
            ev.uas, ev.las, ev.las_full, ev.upos, ev.lemma
        )?;
        writeln!(
            out,
            "{:<12} {:>9} {:>9} {:>9} {:>8}",
            "relation", "precision", "recall", "f1", "support"
        )?;
        for (k, s) in &ev.per_label {
            writeln!(
                out,
                "{:<12} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                k, s.precision, s.recall, s.f1, s.support
            )?;
        }
        Ok(())
    };
    w().map_err(stdout_err)?;
    Ok(0)
}

/// `quantities`: every quantity the rule layer reads in a text.
pub fn quantities(text: &str, json: bool, mut out: impl Write) -> Result<i32> {
    let qs = claims::scan(text);
    let rows: Vec<serde_json::Value> = qs
        .iter()
        .map(|q| {
            let start = text[..q.range.start].chars().count();
            let end = start + text[q.range.clone()].chars().count();
            let mut v = serde_json::to_value(q).unwrap_or_default();
            v["start"] = start.into();
            v["end"] = end.into();
            v
        })
        .collect();
    if json {
        let s = serde_json::to_string_pretty(&rows).map_err(json_err)?;
        writeln!(out, "{s}").map_err(stdout_err)?;
    } else {
        for (q, r) in qs.iter().zip(&rows) {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                r["start"],
                r["end"],
                q.kind.as_str(),
                crate::graph::format_float(q.value),
                q.text
            )
            .map_err(stdout_err)?;
        }
    }
    Ok(0)
}

/// `text`: the text kept of each article file (what analysis reads), printed or written to
/// `out_dir` as `STEM.txt` (`STEM.json` with `json`).
pub fn text(
    files: &[PathBuf],
    json: bool,
    out_dir: Option<&Path>,
    html_hints: Option<&Path>,
    mut out: impl Write,
) -> Result<i32> {
    let hints = pipeline::hints_of(html_hints)?;
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut skipped = 0;
    for file in files {
        let rel = file.to_string_lossy().to_string();
        let (docs, skips) = corpus::load_one(file, &rel, &hints);
        for s in &skips {
            eprintln!("newsgraph: skipped {}: {}", s.path, s.reason);
        }
        skipped += skips.len();
        for d in &docs {
            let body = if json {
                serde_json::to_string(&export::document_record(d)).map_err(json_err)? + "\n"
            } else {
                d.view.text.clone() + "\n"
            };
            match out_dir {
                Some(dir) => {
                    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
                    let name = format!("{stem}.{}", if json { "json" } else { "txt" });
                    let path = dir.join(&name);
                    std::fs::write(&path, body).map_err(|e| Error::io(&path, e))?;
                }
                None => out.write_all(body.as_bytes()).map_err(stdout_err)?,
            }
        }
    }
    Ok(if skipped == 0 { 0 } else { 2 })
}

/// `compare`: redo the comparison and the reports of an output directory from its claims.
pub fn compare(out_dir: &Path, tolerance: f64) -> Result<i32> {
    let claims = export::read_claims_jsonl(&out_dir.join("claims.jsonl"))?;
    let groups = crate::compare::compare(&claims, tolerance);
    export::write_compare(&claims, &groups, &out_dir.join("claims_compare.csv"))?;
    export::write_groups(&claims, &groups, &out_dir.join("claim_groups.csv"))?;
    let view = export::report::ViewGraph::read(out_dir, &groups)?;
    let labels = export::report::read_story_labels(out_dir);
    export::report::write_reports(&claims, &groups, &labels, &view, out_dir)?;
    eprintln!(
        "newsgraph: {} claims, {} groups compared; wrote claims_compare.csv, report.md, report.html in {}",
        claims.len(),
        groups.len(),
        out_dir.display()
    );
    Ok(0)
}
