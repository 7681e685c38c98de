//! The `newsgraph` binary: parse flags, call the library's command, map the result to an exit
//! code (0 ok, 1 error, 2 finished but some inputs were skipped).
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use newsgraph::commands::{self, ModelChoice};
use newsgraph::config::{self, Config};
use newsgraph::{ner, pipeline};
use std::io::Read;
use std::path::PathBuf;

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

/// One text to read: the argument, or standard input.
#[derive(Args, Clone)]
struct TextArgs {
    /// The text (or use --stdin).
    text: Option<String>,
    /// Read the text from standard input.
    #[arg(long)]
    stdin: bool,
}

impl TextArgs {
    fn read(self) -> Result<String> {
        read_text(self.text, self.stdin)
    }
}

/// Which NER model, where, on which backend.
#[derive(Args, Clone)]
struct ModelArgs {
    /// rust-bert model directory (default: the model shipped in models/).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Where the NER model runs: auto picks the first CUDA GPU if libtorch sees one.
    #[arg(long, default_value = "auto", value_parser = ["auto", "cpu", "cuda"])]
    device: String,
    /// NER backend: auto (onnx-int8 on CPU when the model has it, else torch), torch,
    /// onnx (fp32) or onnx-int8.
    #[arg(long, default_value = "auto", value_parser = ["auto", "torch", "onnx", "onnx-int8"])]
    backend: String,
}

impl From<ModelArgs> for ModelChoice {
    fn from(m: ModelArgs) -> Self {
        ModelChoice {
            model: m.model,
            device: m.device,
            backend: m.backend,
        }
    }
}

/// The rule tables users extend.
#[derive(Args, Clone)]
struct RuleArgs {
    /// Alias table, `alias<TAB>canonical` per line (default: data/aliases.tsv).
    #[arg(long)]
    aliases: Option<PathBuf>,
    /// More rows for the measure table (the format of data/measures.tsv), added to it.
    #[arg(long)]
    measures: Option<PathBuf>,
    /// More credit lines (the format of data/credits.tsv), added to the shipped ones.
    #[arg(long)]
    credits: Option<PathBuf>,
}

/// How the corpus stages group and compare.
#[derive(Args, Clone)]
struct CompareArgs {
    /// Most days between the publication dates of two documents of one story.
    #[arg(long, default_value_t = 7)]
    story_days: i64,
    /// Relative tolerance for approximate figures when comparing claims.
    #[arg(long, default_value_t = 0.02)]
    tolerance: f64,
}

/// Where the output goes.
#[derive(Args, Clone)]
struct OutArgs {
    /// Output directory (written to a temporary directory, then renamed into place).
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Replace a non-empty output directory.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline on a corpus directory or a .jsonl file.
    Run {
        /// Directory of articles (.txt, .md, .html/.htm, .jsonl), walked recursively, or a
        /// corpus .jsonl file.
        corpus: PathBuf,
        #[command(flatten)]
        out: OutArgs,
        /// CSV manifest `path,outlet,url,published,title` (default: CORPUS/manifest.csv if present).
        #[arg(long)]
        manifest: Option<PathBuf>,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        rules: RuleArgs,
        /// Class/id hints for reading web pages, `kind<TAB>word` (default: data/html-hints.tsv).
        #[arg(long)]
        html_hints: Option<PathBuf>,
        #[command(flatten)]
        compare: CompareArgs,
        /// Threads for the CPU stages and for the model; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
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
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        rules: RuleArgs,
        /// Class/id hints for reading web pages (default: data/html-hints.tsv).
        #[arg(long)]
        html_hints: Option<PathBuf>,
        /// Threads for the CPU stages and for the model; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
    },
    /// Corpus stages and every export, from `extract` records (files, or directories of part
    /// files, in any order).
    Assemble {
        /// Record files or directories of them.
        #[arg(required = true)]
        records: Vec<PathBuf>,
        #[command(flatten)]
        out: OutArgs,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        compare: CompareArgs,
        /// Threads for the corpus stages; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
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
        #[command(flatten)]
        input: TextArgs,
        /// One JSON object per entity instead of tab-separated lines.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Entity-level precision, recall and F1 of a model on a CoNLL file.
    EvalNer {
        /// CoNLL-style file: the token first and the IOB tag last on each line; blank lines
        /// between sentences.
        conll: PathBuf,
        /// Print the scores as JSON.
        #[arg(long)]
        json: bool,
        /// Threads for the model; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
        #[command(flatten)]
        model: ModelArgs,
        /// Case the words first: as written, upper case (headlines, wire slugs) or lower case.
        #[arg(long, default_value = "asis", value_parser = ["asis", "upper", "lower"])]
        case: String,
        /// Tag each sentence on its own, without giving a document's confident names' types to
        /// their unsure repetitions.
        #[arg(long)]
        no_consistency: bool,
        /// Also write the file back with each word's predicted label after its own (CoNLL).
        #[arg(long, value_name = "FILE")]
        predictions: Option<PathBuf>,
    },
    /// Parse one text (argument or --stdin): each sentence as CoNLL-U (id, form, lemma, upos,
    /// head, deprel; the words' code-point offsets in MISC as Start=/End=), or JSON.
    Parse {
        #[command(flatten)]
        input: TextArgs,
        /// One JSON object per sentence instead of CoNLL-U.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// UAS, LAS, UPOS and lemma accuracy of the model's syntax head on a CoNLL-U file (its
    /// gold words given), per relation label too.
    EvalParse {
        /// CoNLL-U file (Universal Dependencies).
        conllu: PathBuf,
        /// Print the scores as JSON.
        #[arg(long)]
        json: bool,
        /// Threads for the model; the default is the number of cores.
        #[arg(long, default_value_t = default_threads())]
        threads: usize,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Print every quantity found in a text (argument or --stdin).
    Quantities {
        #[command(flatten)]
        input: TextArgs,
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
    let stdout = || std::io::BufWriter::new(std::io::stdout().lock());
    Ok(match cli.command {
        Command::Run {
            corpus,
            out,
            manifest,
            model,
            rules,
            html_hints,
            compare,
            threads,
        } => {
            let manifest = commands::default_manifest(&corpus, manifest);
            let model = ModelChoice::from(model);
            let cfg = Config {
                corpus,
                out: out.out,
                model: model.dir(),
                manifest,
                aliases: commands::default_aliases(rules.aliases),
                html_hints,
                measures: rules.measures,
                credits: rules.credits,
                story_days: compare.story_days,
                threads,
                device: config::parse_device(&model.device)?,
                force: out.force,
                tolerance: compare.tolerance,
                backend: model.backend,
            }
            .validate()?;
            commands::run(&cfg)?
        }
        Command::Extract {
            jsonl: _,
            name,
            model,
            rules,
            html_hints,
            threads,
        } => {
            let rules = pipeline::Rules::load(
                commands::default_aliases(rules.aliases).as_deref(),
                rules.measures.as_deref(),
                rules.credits.as_deref(),
                7,
                0.02,
            )?;
            commands::extract(
                std::io::stdin().lock(),
                stdout(),
                &name,
                &rules,
                html_hints.as_deref(),
                &model.into(),
                threads,
            )?
        }
        Command::Assemble {
            records,
            out,
            rules,
            compare,
            threads,
        } => {
            let cfg = Config {
                corpus: records[0].clone(),
                out: out.out,
                model: PathBuf::from("(from the records)"),
                manifest: None,
                aliases: commands::default_aliases(rules.aliases),
                html_hints: None,
                measures: rules.measures,
                credits: rules.credits,
                story_days: compare.story_days,
                threads,
                device: tch::Device::Cpu,
                force: out.force,
                tolerance: compare.tolerance,
                backend: "n/a".into(),
            };
            commands::assemble(&records, &cfg)?
        }
        Command::Lines { corpus, manifest } => commands::lines(&corpus, manifest, stdout())?,
        Command::Ner { input, json, model } => {
            commands::ner(&input.read()?, json, &model.into(), stdout())?
        }
        Command::EvalNer {
            conll,
            json,
            threads,
            model,
            case,
            no_consistency,
            predictions,
        } => {
            let case = match case.as_str() {
                "upper" => ner::eval::Case::Upper,
                "lower" => ner::eval::Case::Lower,
                _ => ner::eval::Case::Asis,
            };
            commands::eval_ner(
                &conll,
                json,
                threads,
                &model.into(),
                commands::EvalNerOptions {
                    case,
                    consistency: !no_consistency,
                    predictions: predictions.as_deref(),
                },
                stdout(),
            )?
        }
        Command::Parse { input, json, model } => {
            commands::parse(&input.read()?, json, &model.into(), stdout())?
        }
        Command::EvalParse {
            conllu,
            json,
            threads,
            model,
        } => commands::eval_parse(&conllu, json, threads, &model.into(), stdout())?,
        Command::Quantities { input, json } => {
            commands::quantities(&input.read()?, json, stdout())?
        }
        Command::Text {
            files,
            json,
            out_dir,
            html_hints,
        } => commands::text(
            &files,
            json,
            out_dir.as_deref(),
            html_hints.as_deref(),
            stdout(),
        )?,
        Command::Compare { out_dir, tolerance } => commands::compare(&out_dir, tolerance)?,
    })
}
