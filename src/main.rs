//! The `newsgraph` binary: parse flags, build a validated configuration, call the library,
//! map the result to an exit code (0 ok, 1 error, 2 finished but some inputs were skipped).
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use newsgraph::claims;
use newsgraph::config::{self, Config};
use newsgraph::export;
use newsgraph::ner::{self, NerModel};
use newsgraph::pipeline;
use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "newsgraph",
    version,
    about = "Turn a folder of news articles into a knowledge graph with provenance"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline on a corpus directory.
    Run {
        /// Directory of articles (.txt, .md, .html/.htm, .jsonl), walked recursively.
        corpus: PathBuf,
        /// Output directory (written to a temporary directory, then renamed into place).
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// rust-bert model directory (default: the model shipped in models/).
        #[arg(long)]
        model: Option<PathBuf>,
        /// CSV manifest `path,outlet,url,published,title` (default: CORPUS/manifest.csv if present).
        #[arg(long)]
        manifest: Option<PathBuf>,
        /// Alias table, `alias<TAB>canonical` per line (default: data/aliases.tsv).
        #[arg(long)]
        aliases: Option<PathBuf>,
        /// Class/id hints for reading web pages, `kind<TAB>word` (default: data/html-hints.tsv).
        #[arg(long)]
        html_hints: Option<PathBuf>,
        /// More rows for the measure table (the format of data/measures.tsv), added to it.
        #[arg(long)]
        measures: Option<PathBuf>,
        /// More credit lines (the format of data/credits.tsv), added to the shipped ones.
        #[arg(long)]
        credits: Option<PathBuf>,
        /// Most days between the publication dates of two documents of one story.
        #[arg(long, default_value_t = 7)]
        story_days: i64,
        /// Threads for the CPU stages and for libtorch; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
        /// Where the NER model runs: auto picks the first CUDA GPU if libtorch sees one.
        #[arg(long, default_value = "auto", value_parser = ["auto", "cpu", "cuda"])]
        device: String,
        /// NER backend: auto (onnx-int8 on CPU when the model has it, else torch), torch,
        /// onnx (fp32) or onnx-int8.
        #[arg(long, default_value = "auto", value_parser = ["auto", "torch", "onnx", "onnx-int8"])]
        backend: String,
        /// Relative tolerance for approximate figures when comparing claims.
        #[arg(long, default_value_t = 0.02)]
        tolerance: f64,
        /// Replace a non-empty output directory.
        #[arg(long)]
        force: bool,
    },
    /// Per-document stages only: read corpus JSONL articles on stdin, write one record per
    /// input line on stdout (same order; a bad article is a record with "ok": false).
    Extract {
        /// Input is corpus JSONL (`text`, and optional `id`, `seq`, `path`, `format`, `outlet`,
        /// `url`, `published`, `title`, `author`, `story`).
        #[arg(long, required = true)]
        jsonl: bool,
        /// Name of the input, for lines without a `path` (and in `path#LINE` ids).
        #[arg(long, default_value = "stdin")]
        name: String,
        /// rust-bert model directory (default: the model shipped in models/).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Alias table (default: data/aliases.tsv).
        #[arg(long)]
        aliases: Option<PathBuf>,
        /// Class/id hints for reading web pages (default: data/html-hints.tsv).
        #[arg(long)]
        html_hints: Option<PathBuf>,
        /// More rows for the measure table, added to data/measures.tsv.
        #[arg(long)]
        measures: Option<PathBuf>,
        /// More credit lines, added to data/credits.tsv.
        #[arg(long)]
        credits: Option<PathBuf>,
        /// Threads for the CPU stages and for libtorch; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
        /// Where the NER model runs: auto, cpu or cuda.
        #[arg(long, default_value = "auto", value_parser = ["auto", "cpu", "cuda"])]
        device: String,
        /// NER backend: auto (onnx-int8 on CPU when the model has it, else torch), torch,
        /// onnx (fp32) or onnx-int8.
        #[arg(long, default_value = "auto", value_parser = ["auto", "torch", "onnx", "onnx-int8"])]
        backend: String,
    },
    /// Corpus stages and every export, from `extract` records (files, or directories of part
    /// files, in any order).
    Assemble {
        /// Record files or directories of them.
        #[arg(required = true)]
        records: Vec<PathBuf>,
        /// Output directory (written to a temporary directory, then renamed into place).
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Alias table (default: data/aliases.tsv).
        #[arg(long)]
        aliases: Option<PathBuf>,
        /// More rows for the measure table, added to data/measures.tsv.
        #[arg(long)]
        measures: Option<PathBuf>,
        /// More credit lines, added to data/credits.tsv.
        #[arg(long)]
        credits: Option<PathBuf>,
        /// Most days between the publication dates of two documents of one story.
        #[arg(long, default_value_t = 7)]
        story_days: i64,
        /// Relative tolerance for approximate figures when comparing claims.
        #[arg(long, default_value_t = 0.02)]
        tolerance: f64,
        /// Threads for the corpus stages; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
        /// Replace a non-empty output directory.
        #[arg(long)]
        force: bool,
    },
    /// Write a corpus (directory or .jsonl file) as corpus JSONL on stdout, one line per
    /// document, with the metadata of its manifest row: the input of `extract`.
    Lines {
        /// Directory of articles or a .jsonl file.
        corpus: PathBuf,
        /// CSV manifest (default: CORPUS/manifest.csv if present).
        #[arg(long)]
        manifest: Option<PathBuf>,
    },
    /// Print the entities of one text (argument or --stdin) with offsets and scores.
    Ner {
        /// The text (or use --stdin).
        text: Option<String>,
        /// Read the text from standard input.
        #[arg(long)]
        stdin: bool,
        /// One JSON object per entity instead of tab-separated lines.
        #[arg(long)]
        json: bool,
        /// rust-bert model directory (default: the model shipped in models/).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Where the model runs: auto, cpu or cuda.
        #[arg(long, default_value = "auto", value_parser = ["auto", "cpu", "cuda"])]
        device: String,
        /// NER backend: auto (onnx-int8 on CPU when the model has it, else torch), torch,
        /// onnx (fp32) or onnx-int8.
        #[arg(long, default_value = "auto", value_parser = ["auto", "torch", "onnx", "onnx-int8"])]
        backend: String,
    },
    /// Entity-level precision, recall and F1 of a model on a CoNLL file.
    EvalNer {
        /// CoNLL-style file: the token first and the IOB tag last on each line; blank lines
        /// between sentences.
        conll: PathBuf,
        /// rust-bert model directory (default: the model shipped in models/).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Print the scores as JSON.
        #[arg(long)]
        json: bool,
        /// Threads for libtorch; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
        /// Where the model runs: auto, cpu or cuda.
        #[arg(long, default_value = "auto", value_parser = ["auto", "cpu", "cuda"])]
        device: String,
        /// NER backend: auto (onnx-int8 on CPU when the model has it, else torch), torch,
        /// onnx (fp32) or onnx-int8.
        #[arg(long, default_value = "auto", value_parser = ["auto", "torch", "onnx", "onnx-int8"])]
        backend: String,
        /// Case the words first: as written, upper case (headlines, wire slugs) or lower case.
        #[arg(long, default_value = "asis", value_parser = ["asis", "upper", "lower"])]
        case: String,
    },
    /// Print every quantity found in a text (argument or --stdin).
    Quantities {
        /// The text (or use --stdin).
        text: Option<String>,
        /// Read the text from standard input.
        #[arg(long)]
        stdin: bool,
        /// One JSON object per quantity instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
    /// Print the text newsgraph keeps of article files (what analysis reads), or write it to
    /// a directory, one `NAME.txt` per input.
    Text {
        /// Article files (.txt, .md, .html/.htm, .jsonl).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per document: metadata, kept spans `[start, end]` (code points
        /// into the file) and the kept text.
        #[arg(long)]
        json: bool,
        /// Write `FILE_STEM.txt` for each input into this directory instead of printing.
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Class/id hints for reading web pages, `kind<TAB>word` (default: data/html-hints.tsv).
        #[arg(long)]
        html_hints: Option<PathBuf>,
    },
    /// Redo claims_compare.csv, report.md and report.html from an output directory's claims.
    Compare {
        /// An output directory of `newsgraph run` (its claims.jsonl is read).
        out_dir: PathBuf,
        /// Relative tolerance for approximate figures.
        #[arg(long, default_value_t = 0.02)]
        tolerance: f64,
    },
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn read_text(text: Option<String>, stdin: bool) -> Result<String> {
    match (text, stdin) {
        (Some(t), false) => Ok(t),
        (None, true) => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading standard input")?;
            Ok(s)
        }
        (Some(_), true) => bail!("give either TEXT or --stdin, not both"),
        (None, false) => bail!("give a TEXT argument or --stdin"),
    }
}

fn model_dir(model: Option<PathBuf>) -> PathBuf {
    model.unwrap_or_else(|| config::shipped(&format!("models/{}", config::DEFAULT_MODEL)))
}

/// Load the model for `--model`, `--device` and `--backend`.
fn load_model(model: Option<PathBuf>, device: &str, backend: &str) -> Result<NerModel> {
    let dir = model_dir(model);
    let device = config::parse_device(device)?;
    let backend = ner::Backend::choose(backend, &dir, device)?;
    Ok(NerModel::load_with(&dir, device, backend)?)
}

fn default_aliases(aliases: Option<PathBuf>) -> Option<PathBuf> {
    aliases.or_else(|| {
        Some(config::shipped(&format!(
            "data/{}",
            config::DEFAULT_ALIASES
        )))
        .filter(|p| p.is_file())
    })
}

fn threads(n: usize) -> Result<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .context("starting the thread pool")?;
    tch::set_num_threads(n as i32);
    Ok(())
}

/// Write every output file of `output` to `cfg.out` (staged, then moved into place), report
/// on stderr, and return the exit code: 0, or 2 when inputs were skipped.
fn write_output(output: &pipeline::Output, cfg: &Config, started: Instant) -> Result<i32> {
    let tmp = export::staging_dir(&cfg.out)?;
    let total = started.elapsed().as_secs_f64();
    if let Err(e) = export::write_all(output, cfg, &tmp, total) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e.into());
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

fn main() {
    let cli = Cli::parse();
    match real_main(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("newsgraph: error: {e:#}");
            std::process::exit(1);
        }
    }
}

fn real_main(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Run {
            corpus,
            out,
            model,
            manifest,
            aliases,
            html_hints,
            measures,
            credits,
            story_days,
            threads,
            device,
            backend,
            tolerance,
            force,
        } => {
            let started = Instant::now();
            let manifest =
                manifest.or_else(|| Some(corpus.join("manifest.csv")).filter(|p| p.is_file()));
            let cfg = Config {
                corpus,
                out,
                model: model_dir(model),
                manifest,
                aliases: default_aliases(aliases),
                html_hints,
                measures,
                credits,
                story_days,
                threads,
                device: config::parse_device(&device)?,
                force,
                tolerance,
                backend,
            }
            .validate()?;
            pipeline::check_output(&cfg.out, cfg.force)?;
            self::threads(cfg.threads)?;
            let output = pipeline::run(&cfg)?;
            write_output(&output, &cfg, started)
        }
        Command::Extract {
            jsonl: _,
            name,
            model,
            aliases,
            html_hints,
            measures,
            credits,
            threads,
            device,
            backend,
        } => {
            self::threads(threads)?;
            let rules = pipeline::Rules::load(
                default_aliases(aliases).as_deref(),
                measures.as_deref(),
                credits.as_deref(),
                7,
                0.02,
            )?;
            let hints = pipeline::hints_of(html_hints.as_deref())?;
            let model = load_model(model, &device, &backend)?;
            let p = pipeline::doc_pipeline(&model, &rules, None)?;
            let stdin = std::io::stdin().lock();
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            let stats = pipeline::extract_stream(stdin, stdout, &p, &model.label(), &hints, &name)?;
            eprintln!(
                "newsgraph: extract: {} lines, {} documents, {} without one",
                stats.lines, stats.ok, stats.failed
            );
            Ok(0)
        }
        Command::Assemble {
            records,
            out,
            aliases,
            measures,
            credits,
            story_days,
            tolerance,
            threads,
            force,
        } => {
            let started = Instant::now();
            let cfg = Config {
                corpus: records[0].clone(),
                out,
                model: PathBuf::from("(from the records)"),
                manifest: None,
                aliases: default_aliases(aliases),
                html_hints: None,
                measures,
                credits,
                story_days,
                threads,
                device: tch::Device::Cpu,
                force,
                tolerance,
                backend: "n/a".into(),
            };
            pipeline::check_output(&cfg.out, cfg.force)?;
            self::threads(cfg.threads)?;
            let rules = pipeline::Rules::from_config(&cfg)?;
            let mut recs = pipeline::Records::default();
            for path in &records {
                let files: Vec<PathBuf> = if path.is_dir() {
                    let mut v: Vec<PathBuf> = std::fs::read_dir(path)
                        .with_context(|| format!("reading {}", path.display()))?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.is_file()
                                && !p
                                    .file_name()
                                    .is_some_and(|n| n.to_string_lossy().starts_with(['.', '_']))
                        })
                        .collect();
                    v.sort();
                    v
                } else {
                    vec![path.clone()]
                };
                for f in files {
                    recs.read(&f)?;
                }
            }
            let output = pipeline::assemble(recs, &rules, Default::default());
            write_output(&output, &cfg, started)
        }
        Command::Lines { corpus, manifest } => {
            let manifest =
                manifest.or_else(|| Some(corpus.join("manifest.csv")).filter(|p| p.is_file()));
            let (m, bad) = match &manifest {
                Some(p) => newsgraph::corpus::read_manifest(p)?,
                None => Default::default(),
            };
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            let (n, failed) = newsgraph::corpus::write_lines(&corpus, &m, bad, stdout)?;
            eprintln!("newsgraph: lines: {n} documents, {failed} inputs not read");
            Ok(0)
        }
        Command::Ner {
            text,
            stdin,
            json,
            model,
            device,
            backend,
        } => {
            let text = read_text(text, stdin)?;
            let model = load_model(model, &device, &backend)?;
            let sentences = newsgraph::segment::split(&text);
            let inputs: Vec<ner::Tokenized> = sentences
                .iter()
                .map(|s| model.tokenizer.tokenize(&text[s.range.clone()]))
                .collect();
            let tags = model.predict(&inputs, |_| {})?;
            let mut rows = Vec::new();
            for ((s, tok), pieces) in sentences.iter().zip(&inputs).zip(&tags) {
                for span in ner::spans(tok, pieces, &model.labels, &text[s.range.clone()]) {
                    let (a, b) = (
                        s.range.start + span.range.start,
                        s.range.start + span.range.end,
                    );
                    let start = text[..a].chars().count();
                    let end = start + text[a..b].chars().count();
                    rows.push(serde_json::json!({"text": &text[a..b], "type": span.etype.short(), "start": start, "end": end, "score": (span.score as f64 * 1e4).round() / 1e4}));
                }
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        r["start"],
                        r["end"],
                        r["type"].as_str().unwrap_or(""),
                        r["score"],
                        r["text"].as_str().unwrap_or("")
                    );
                }
            }
            Ok(0)
        }
        Command::EvalNer {
            conll,
            model,
            json,
            threads,
            device,
            backend,
            case,
        } => {
            let case = match case.as_str() {
                "upper" => ner::eval::Case::Upper,
                "lower" => ner::eval::Case::Lower,
                _ => ner::eval::Case::Asis,
            };
            tch::set_num_threads(threads.max(1) as i32);
            let model = load_model(model, &device, &backend)?;
            let pb = pipeline::progress(0, "eval");
            let ev = ner::eval::evaluate_cased(&model, &conll, case, |n| pb.inc(n as u64))?;
            pb.finish_and_clear();
            if json {
                println!("{}", serde_json::to_string_pretty(&ev)?);
            } else {
                println!(
                    "model {} on {} ({} sentences, words {}, {:.0} sentences/s)",
                    ev.model,
                    conll.display(),
                    ev.sentences,
                    match ev.case {
                        ner::eval::Case::Asis => "as written",
                        ner::eval::Case::Upper => "upper-cased",
                        ner::eval::Case::Lower => "lower-cased",
                    },
                    ev.sentences_per_second
                );
                println!(
                    "{:<8} {:>9} {:>9} {:>9} {:>8}",
                    "type", "precision", "recall", "f1", "support"
                );
                for (k, s) in &ev.per_type {
                    println!(
                        "{:<8} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                        k, s.precision, s.recall, s.f1, s.support
                    );
                }
                println!(
                    "{:<8} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                    "overall",
                    ev.precision,
                    ev.recall,
                    ev.f1,
                    ev.per_type.values().map(|s| s.support).sum::<usize>()
                );
            }
            Ok(0)
        }
        Command::Quantities { text, stdin, json } => {
            let text = read_text(text, stdin)?;
            let qs = claims::scan(&text);
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
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for (q, r) in qs.iter().zip(&rows) {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        r["start"],
                        r["end"],
                        q.kind.as_str(),
                        newsgraph::graph::format_float(q.value),
                        q.text
                    );
                }
            }
            Ok(0)
        }
        Command::Text {
            files,
            json,
            out_dir,
            html_hints,
        } => {
            let hints = match &html_hints {
                Some(p) => newsgraph::corpus::html::Hints::load(p)?,
                None => newsgraph::corpus::html::Hints::builtin(),
            };
            if let Some(dir) = &out_dir {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut skipped = 0;
            for file in &files {
                let rel = file.to_string_lossy().to_string();
                let (docs, skips) = newsgraph::corpus::load_one(file, &rel, &hints);
                for s in &skips {
                    eprintln!("newsgraph: skipped {}: {}", s.path, s.reason);
                }
                skipped += skips.len();
                for d in &docs {
                    let out = if json {
                        serde_json::to_string(&export::document_record(d))? + "\n"
                    } else {
                        d.view.text.clone() + "\n"
                    };
                    match &out_dir {
                        Some(dir) => {
                            let stem = file.file_stem().unwrap_or_default().to_string_lossy();
                            let name = if json {
                                format!("{stem}.json")
                            } else {
                                format!("{stem}.txt")
                            };
                            std::fs::write(dir.join(&name), out)
                                .with_context(|| format!("writing {name}"))?;
                        }
                        None => print!("{out}"),
                    }
                }
            }
            Ok(if skipped == 0 { 0 } else { 2 })
        }
        Command::Compare { out_dir, tolerance } => {
            let claims = export::read_claims_jsonl(&out_dir.join("claims.jsonl"))?;
            let groups = newsgraph::compare::compare(&claims, tolerance);
            export::write_compare(&claims, &groups, &out_dir.join("claims_compare.csv"))?;
            export::write_groups(&claims, &groups, &out_dir.join("claim_groups.csv"))?;
            let view = export::report::ViewGraph::read(&out_dir)?;
            let labels = export::report::read_story_labels(&out_dir);
            export::report::write_reports(&claims, &groups, &labels, &view, &out_dir)?;
            eprintln!("newsgraph: {} claims, {} groups compared; wrote claims_compare.csv, report.md, report.html in {}", claims.len(), groups.len(), out_dir.display());
            Ok(0)
        }
    }
}
