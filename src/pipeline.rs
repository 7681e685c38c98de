//! The pipeline is a list of stages.
//!
//! Per-document stages ([`DocStage`]) need one document at a time (batched in chunks for the
//! model) and can run anywhere: `newsgraph extract`, a Spark executor. Each declares the
//! [`Layer`]s it reads and writes, and the order is checked once when a [`DocPipeline`] is
//! built. What they leave is the document's record (its view, sentences, mentions, claims,
//! relations and credit, without the original text).
//!
//! Corpus stages ([`CorpusStage`]) need every record: resolution, claim table, stories, other
//! events, sources, comparison, graph. They run once, on records sorted by document id, so the
//! output does not depend on how the corpus was split or on the thread count.
//!
//! `run` is both in one process: documents stream through the per-document stages a chunk at
//! a time and only their records are kept.
use crate::claims;
use crate::compare::{self, ClaimRecord, Group};
use crate::config::Config;
use crate::corpus::{self, html::Hints, Skipped};
use crate::doc::Document;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::ner::{self, NerModel, Tokenized};
use crate::relations;
use crate::resolve::{self, Aliases, Entity};
use crate::segment;
use crate::sources::{self, Credits};
use crate::stories::{self, Story, StoryOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::ops::Range;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Instant;

/// Documents that go through the per-document stages together.
pub const CHUNK_DOCS: usize = 256;

/// Everything a run produced, before export.
pub struct Output {
    pub docs: Vec<Document>,
    pub skipped: Vec<Skipped>,
    pub entities: Vec<Entity>,
    pub claims: Vec<ClaimRecord>,
    pub groups: Vec<Group>,
    pub stories: Vec<Story>,
    pub graph: Graph,
    pub model_name: String,
    pub device: String,
    /// The NER backend (torch, onnx, onnx-int8), or `n/a` when assembled from records.
    pub backend: String,
    /// Why that backend ([`ner::Backend::choose_why`]); empty when assembled from records.
    pub backend_reason: String,
    pub timings: Vec<(&'static str, f64)>,
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub fn progress(len: u64, msg: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg);
    pb
}

/// A counter of documents on stderr (the total is not known while streaming), hidden when
/// stderr is not a terminal.
fn counter() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{spinner} {pos} documents, {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb
}

pub use crate::records::{extract_stream, ExtractStats, Record, Records};

// ----------------------------------------------------------------------------- stage contract

/// A layer of a document that stages read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The original text (held until [`Compact`]).
    Text,
    /// The view and metadata (always there).
    View,
    Sentences,
    Mentions,
    /// Heads, relations, UPOS and lemmas ([`crate::syntax`]); empty without a syntax head.
    Syntax,
    Claims,
    Relations,
    Credit,
}

/// A stage that works on each document by itself.
pub trait DocStage {
    fn name(&self) -> &'static str;
    /// Layers that must be there when the stage runs.
    fn requires(&self) -> &'static [Layer];
    /// Layers the stage writes (a stage that corrects a layer lists it here).
    fn assigns(&self) -> &'static [Layer];
    /// Layers gone after the stage.
    fn removes(&self) -> &'static [Layer] {
        &[]
    }
    /// Run on a chunk of documents. A stage may batch across the chunk (the model does), but
    /// what it writes into a document depends on that document only.
    fn run(&self, docs: &mut [Document]) -> Result<()>;
}

/// Per-document stages in a checked order.
pub struct DocPipeline<'a> {
    stages: Vec<Box<dyn DocStage + 'a>>,
}

impl<'a> DocPipeline<'a> {
    /// Check that every stage finds the layers it requires, given the layers documents come
    /// with.
    pub fn new(given: &[Layer], stages: Vec<Box<dyn DocStage + 'a>>) -> Result<DocPipeline<'a>> {
        let mut have: Vec<Layer> = given.to_vec();
        for s in &stages {
            if let Some(l) = s.requires().iter().find(|l| !have.contains(l)) {
                return Err(Error::Config(format!(
                    "pipeline: stage `{}` requires the {l:?} layer, which no earlier stage assigns",
                    s.name()
                )));
            }
            have.extend(s.assigns());
            have.retain(|l| !s.removes().contains(l));
        }
        Ok(DocPipeline { stages })
    }

    /// The stage names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }

    /// Run every stage over a chunk, adding each stage's time to `timings`.
    pub fn run(&self, docs: &mut [Document], timings: &mut Timings) -> Result<()> {
        for s in &self.stages {
            let t = Instant::now();
            s.run(docs)?;
            timings.add(s.name(), t.elapsed().as_secs_f64());
        }
        Ok(())
    }
}

/// Seconds per stage, in the order stages first ran.
#[derive(Debug, Default)]
pub struct Timings(pub Vec<(&'static str, f64)>);

impl Timings {
    pub fn add(&mut self, name: &'static str, secs: f64) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, t)) => *t += secs,
            None => self.0.push((name, secs)),
        }
    }
}

/// Sentence splitting.
pub struct Segment;

impl DocStage for Segment {
    fn name(&self) -> &'static str {
        "segment"
    }
    fn requires(&self) -> &'static [Layer] {
        &[Layer::View]
    }
    fn assigns(&self) -> &'static [Layer] {
        &[Layer::Sentences]
    }
    fn run(&self, docs: &mut [Document]) -> Result<()> {
        docs.par_iter_mut()
            .for_each(|d| d.sentences = segment::split(&d.view.text));
        Ok(())
    }
}

/// The NER model over every sentence of the chunk, one document's sentences a batch; with a
/// model that has a syntax head, the same pass parses them (the syntax layer).
pub struct Ner<'m> {
    pub model: &'m NerModel,
    pub progress: Option<&'m ProgressBar>,
}

impl DocStage for Ner<'_> {
    fn name(&self) -> &'static str {
        "ner"
    }
    fn requires(&self) -> &'static [Layer] {
        &[Layer::Sentences]
    }
    fn assigns(&self) -> &'static [Layer] {
        &[Layer::Mentions, Layer::Syntax]
    }
    fn run(&self, docs: &mut [Document]) -> Result<()> {
        tag_all(docs, self.model, self.progress)
    }
}

/// Drops the spans that name nothing (corrects the model's mentions).
pub struct NameFilter<'r> {
    pub aliases: &'r Aliases,
}

impl DocStage for NameFilter<'_> {
    fn name(&self) -> &'static str {
        "name_filter"
    }
    fn requires(&self) -> &'static [Layer] {
        &[Layer::Sentences, Layer::Mentions]
    }
    fn assigns(&self) -> &'static [Layer] {
        &[Layer::Mentions]
    }
    fn run(&self, docs: &mut [Document]) -> Result<()> {
        docs.par_iter_mut()
            .for_each(|d| guarded(d, "name filter", |d| drop_non_names(d, self.aliases)));
        Ok(())
    }
}

/// The numeric claims of each sentence.
pub struct Claims<'r> {
    pub measures: &'r claims::MeasureTable,
}

impl DocStage for Claims<'_> {
    fn name(&self) -> &'static str {
        "claims"
    }
    fn requires(&self) -> &'static [Layer] {
        &[Layer::Text, Layer::Sentences, Layer::Mentions]
    }
    fn assigns(&self) -> &'static [Layer] {
        &[Layer::Claims]
    }
    fn run(&self, docs: &mut [Document]) -> Result<()> {
        docs.par_iter_mut().for_each(|d| {
            guarded(d, "claim rules", |d| {
                d.claims = claims::extract(d, self.measures)
            })
        });
        Ok(())
    }
}

/// Typed relations between mentions (roles, heads, affiliations, quotes).
pub struct Relations;

impl DocStage for Relations {
    fn name(&self) -> &'static str {
        "relations"
    }
    fn requires(&self) -> &'static [Layer] {
        &[Layer::Sentences, Layer::Mentions]
    }
    fn assigns(&self) -> &'static [Layer] {
        &[Layer::Relations]
    }
    fn run(&self, docs: &mut [Document]) -> Result<()> {
        docs.par_iter_mut()
            .for_each(|d| guarded(d, "relation rules", |d| d.relations = relations::extract(d)));
        Ok(())
    }
}

/// Where the relation rules and the model disagree on a type, the rules' evidence wins
/// (corrects mention types).
pub struct TypePolicy;

impl DocStage for TypePolicy {
    fn name(&self) -> &'static str {
        "type_policy"
    }
    fn requires(&self) -> &'static [Layer] {
        &[Layer::Mentions, Layer::Relations]
    }
    fn assigns(&self) -> &'static [Layer] {
        &[Layer::Mentions]
    }
    fn run(&self, docs: &mut [Document]) -> Result<()> {
        docs.par_iter_mut()
            .for_each(|d| guarded(d, "type policy", relations::apply_type_policy));
        Ok(())
    }
}

/// The agency a document credits (`data/credits.tsv`), read from its original text.
pub struct Credit<'r> {
    pub credits: &'r Credits,
}

impl DocStage for Credit<'_> {
    fn name(&self) -> &'static str {
        "credit"
    }
    fn requires(&self) -> &'static [Layer] {
        &[Layer::Text]
    }
    fn assigns(&self) -> &'static [Layer] {
        &[Layer::Credit]
    }
    fn run(&self, docs: &mut [Document]) -> Result<()> {
        docs.par_iter_mut()
            .for_each(|d| d.credit = self.credits.credit_of(d));
        Ok(())
    }
}

/// Drops the original text: what is left is the document's record.
pub struct Compact;

impl DocStage for Compact {
    fn name(&self) -> &'static str {
        "compact"
    }
    fn requires(&self) -> &'static [Layer] {
        &[Layer::Text, Layer::Mentions]
    }
    fn assigns(&self) -> &'static [Layer] {
        &[]
    }
    fn removes(&self) -> &'static [Layer] {
        &[Layer::Text]
    }
    fn run(&self, docs: &mut [Document]) -> Result<()> {
        docs.par_iter_mut().for_each(Document::compact);
        Ok(())
    }
}

/// Run a rule on one document; a bug in it (a panic) costs this document that layer, with a
/// warning, never the run.
fn guarded(d: &mut Document, what: &str, f: impl FnOnce(&mut Document)) {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(d)));
    if let Err(panic) = r {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause");
        d.warnings.push(format!(
            "internal error in the {what} ({why}); this document lost that layer, please report it"
        ));
    }
}

/// The rule stages that follow NER, in order.
pub fn rule_stages(rules: &Rules) -> Vec<Box<dyn DocStage + '_>> {
    vec![
        Box::new(NameFilter {
            aliases: &rules.aliases,
        }),
        Box::new(Claims {
            measures: &rules.measures,
        }),
        Box::new(Relations),
        Box::new(TypePolicy),
        Box::new(Credit {
            credits: &rules.credits,
        }),
    ]
}

/// The layers a document has when it comes out of the model.
const TAGGED_LAYERS: [Layer; 4] = [Layer::Text, Layer::View, Layer::Sentences, Layer::Mentions];

/// Sentences, then NER.
fn model_stage_list<'a>(
    model: &'a NerModel,
    progress: Option<&'a ProgressBar>,
) -> Vec<Box<dyn DocStage + 'a>> {
    vec![Box::new(Segment), Box::new(Ner { model, progress })]
}

/// The rule stages, then the record.
fn after_model_stage_list(rules: &Rules) -> Vec<Box<dyn DocStage + '_>> {
    let mut stages = rule_stages(rules);
    stages.push(Box::new(Compact));
    stages
}

/// The stages up to and including the model.
pub fn model_stages<'a>(
    model: &'a NerModel,
    progress: Option<&'a ProgressBar>,
) -> Result<DocPipeline<'a>> {
    DocPipeline::new(
        &[Layer::Text, Layer::View],
        model_stage_list(model, progress),
    )
}

/// The stages after the model, from its mentions to the record.
pub fn after_model_stages(rules: &Rules) -> Result<DocPipeline<'_>> {
    DocPipeline::new(&TAGGED_LAYERS, after_model_stage_list(rules))
}

/// Every per-document stage, from a document's view to its record.
pub fn doc_pipeline<'a>(
    model: &'a NerModel,
    rules: &'a Rules,
    progress: Option<&'a ProgressBar>,
) -> Result<DocPipeline<'a>> {
    let mut stages = model_stage_list(model, progress);
    stages.extend(after_model_stage_list(rules));
    DocPipeline::new(&[Layer::Text, Layer::View], stages)
}

/// Sentences tagged at a time: a document longer than this (a 50 MB page, a book) goes through
/// the model block by block, so its model inputs never all sit in memory at once.
const SENTENCE_BLOCK: usize = 4096;

/// Run NER over every sentence of every document. The sentences of the chunk's documents are
/// tagged together, a block of at most [`SENTENCE_BLOCK`] at a time (whole documents, or one
/// long document's own blocks), so short documents fill the model's batches as well as long
/// ones; a batch holds windows of one length, and a sentence's labels and parse never depend
/// on the other documents ([`NerModel::predict`]). With libtorch, whose rounding depends on a
/// batch's rows ([`NerModel::rows_independent`]), a block holds one document's sentences.
pub fn tag_all(docs: &mut [Document], model: &NerModel, pb: Option<&ProgressBar>) -> Result<()> {
    let tokenizer = &model.tokenizer;
    let parse = model.syntax.is_some();
    // (document, its sentences) parts: a document, or a block of a long one.
    let parts: Vec<(usize, Range<usize>)> = docs
        .iter()
        .enumerate()
        .flat_map(|(d, doc)| {
            let n = doc.sentences.len();
            (0..n)
                .step_by(SENTENCE_BLOCK)
                .map(move |b| (d, b..(b + SENTENCE_BLOCK).min(n)))
        })
        .collect();
    for doc in docs.iter_mut() {
        doc.mentions.clear();
        doc.syntax.clear();
    }
    let mut k = 0;
    while k < parts.len() {
        let mut n = 1;
        let mut size = parts[k].1.len();
        while k + n < parts.len()
            && model.rows_independent()
            && size + parts[k + n].1.len() <= SENTENCE_BLOCK
        {
            size += parts[k + n].1.len();
            n += 1;
        }
        let block = &parts[k..k + n];
        k += n;
        let sentences: Vec<(usize, usize)> = block
            .iter()
            .flat_map(|(d, r)| r.clone().map(move |s| (*d, s)))
            .collect();
        let mut texts = Vec::with_capacity(block.len());
        let mut at = 0;
        for (_, r) in block {
            texts.push(at..at + r.len());
            at += r.len();
        }
        let ds = &*docs;
        let (inputs, words): (Vec<Tokenized>, Vec<Vec<Range<usize>>>) = sentences
            .par_iter()
            .map(|&(d, s)| {
                let doc = &ds[d];
                let text = doc.slice(&doc.sentences[s].range);
                let mut tok = tokenizer.tokenize_sentence(text);
                let words = if parse {
                    crate::syntax::attach(&mut tok, text)
                } else {
                    Vec::new()
                };
                (tok, words)
            })
            .unzip();
        let mut tags = model.predict_texts(&inputs, &texts, |k| {
            if let Some(pb) = pb {
                pb.tick();
                let n = k as u64 + TAGGED.fetch_add(k as u64, std::sync::atomic::Ordering::Relaxed);
                pb.set_message(format!("{n} windows tagged"));
            }
        })?;
        if model.consistency {
            ner::consistency::harmonize_texts(&inputs, &mut tags, &texts, &model.labels);
        }
        for ((&(d, s), (tok, pieces)), words) in
            sentences.iter().zip(inputs.iter().zip(&tags)).zip(&words)
        {
            let doc = &mut docs[d];
            let range = doc.sentences[s].range.clone();
            let text = doc.slice(&range);
            let spans = ner::spans(tok, pieces, &model.labels, text);
            let found: Vec<_> = spans
                .into_iter()
                .map(|span| span.mention(range.start, s))
                .collect();
            let parsed = match (&pieces.syntax, &model.syntax) {
                (Some(raw), Some(tables)) => Some(crate::syntax::Parse {
                    sentence: s as u32,
                    words: raw.decode(tables, text, words, range.start),
                }),
                _ => None,
            };
            doc.mentions.extend(found);
            doc.syntax.extend(parsed);
        }
    }
    Ok(())
}

/// Model windows (sentences, or pieces of long ones) tagged so far, for the progress line: a
/// long document moves it too.
static TAGGED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

// ----------------------------------------------------------------------------- run

/// The manifest a configuration names, with its bad rows as skipped inputs.
fn manifest_of(config: &Config) -> Result<(corpus::Manifest, Vec<Skipped>)> {
    match &config.manifest {
        Some(p) => corpus::read_manifest(p),
        None => Ok(Default::default()),
    }
}

/// The HTML hints a configuration names.
pub fn hints_of(path: Option<&std::path::Path>) -> Result<Hints> {
    match path {
        Some(p) => Hints::load(p),
        None => Ok(Hints::builtin()),
    }
}

/// Run the whole pipeline (without writing files): stream the corpus through the
/// per-document stages a chunk at a time, then run the corpus stages on the records.
pub fn run(config: &Config) -> Result<Output> {
    let t = Instant::now();
    let (manifest, manifest_skips) = manifest_of(config)?;
    let rules = Rules::from_config(config)?;
    let hints = hints_of(config.html_hints.as_deref())?;
    let mut reader = corpus::Reader::open(&config.corpus, &manifest)?;
    let (backend, why) = ner::Backend::choose_why(&config.backend, &config.model, config.device)?;
    if config.backend == "auto" {
        let fallback = backend == ner::Backend::Torch && config.device == tch::Device::Cpu;
        eprintln!(
            "newsgraph: {}backend {why}",
            if fallback { "warning: " } else { "" }
        );
    }
    let model = NerModel::load_with(&config.model, config.device, backend)?;
    let mut timings = Timings::default();
    timings.add("load_model", t.elapsed().as_secs_f64());
    let pb = counter();
    // Three threads, one chunk each: the reader builds chunk k+2 (files, HTML, views), the
    // model tags chunk k+1 (sentences, NER), and the rule stages finish chunk k and spill its
    // records. The model gets the thread budget; reading and the rules are a few percent of a
    // run and fill the model's gaps.
    let front = model_stages(&model, Some(&pb))?;
    // Checked here, before any work; the rule stages' thread builds its own (stages are not
    // Send).
    after_model_stages(&rules)?;
    let mut skipped = manifest_skips;
    // Finished records wait on disk while the model works, so memory holds the model and a few
    // chunks, not the corpus; the model is gone before the corpus stages read them back.
    let spill = crate::records::Spill::create(&config.out)?;
    let mut spill = std::thread::scope(|scope| -> Result<crate::records::Spill> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let hints = &hints;
        scope.spawn(move || loop {
            let t = Instant::now();
            let Some((raw, skips)) = reader.next_chunk(CHUNK_DOCS) else {
                break;
            };
            let (docs, skips) = corpus::build_chunk(raw, skips, hints);
            if tx.send((docs, skips, t.elapsed().as_secs_f64())).is_err() {
                break;
            }
        });
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Vec<Document>>(1);
        let rules = &rules;
        let finisher = scope.spawn(move || -> Result<(crate::records::Spill, Timings)> {
            let mut spill = spill;
            let mut timings = Timings::default();
            let back = after_model_stages(rules)?;
            for mut docs in done_rx {
                back.run(&mut docs, &mut timings)?;
                spill.write(docs)?;
                release_free_memory();
            }
            Ok((spill, timings))
        });
        for (mut docs, skips, read_secs) in rx {
            skipped.extend(skips);
            timings.add("read", read_secs);
            front.run(&mut docs, &mut timings)?;
            pb.inc(docs.len() as u64);
            if done_tx.send(docs).is_err() {
                break; // the rule stages stopped: their error is the one to report
            }
        }
        drop(done_tx);
        let (spill, rule_timings) = finisher
            .join()
            .map_err(|_| Error::Config("the rule stages' thread panicked".into()))??;
        for (name, secs) in rule_timings.0 {
            timings.add(name, secs);
        }
        Ok(spill)
    })?;
    pb.finish_and_clear();
    drop(front);
    let (device, backend, label) = (
        format!("{:?}", model.device),
        model.backend.as_str().to_string(),
        model.label(),
    );
    drop(model);
    release_free_memory();
    let mut records = Records {
        skipped,
        ..Records::default()
    };
    records.models.insert(label);
    spill.read_into(&mut records)?;
    drop(spill);
    let mut out = assemble(records, &rules, timings);
    out.device = device;
    out.backend = backend;
    out.backend_reason = why;
    Ok(out)
}

/// Hand the memory freed by a finished chunk (original texts, model inputs) back to the system,
/// so the peak of a long run is the records, not the allocator's high-water mark.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The corpus stages over a corpus's records, and the graph.
pub fn assemble(mut records: Records, rules: &Rules, mut timings: Timings) -> Output {
    records.sort();
    let c = run_corpus_stages(records.docs, rules, &mut timings);
    Output {
        docs: c.docs,
        skipped: records.skipped,
        entities: c.entities,
        claims: c.claims,
        groups: c.groups,
        stories: c.stories,
        graph: c.graph,
        model_name: records.models.into_iter().collect::<Vec<_>>().join(" + "),
        device: "n/a".into(),
        backend: "n/a".into(),
        backend_reason: String::new(),
        timings: timings.0,
    }
}

/// Drop the spans that name nothing: no name left once titles and punctuation go ("Mr.",
/// "'s"), or a common noun that opens a sentence ("Countries have the right ...").
fn drop_non_names(d: &mut Document, aliases: &Aliases) {
    let case = ner::WordCase::of(std::slice::from_ref(d));
    let common = ner::sentence_initial_common_nouns(d, &case);
    let keep: Vec<bool> = d
        .mentions
        .iter()
        .zip(common)
        .map(|(m, common)| {
            let name = resolve::canonical_name(d.slice(&m.range), m.etype, aliases);
            !common && !resolve::slug(&name).is_empty()
        })
        .collect();
    let mut keep = keep.into_iter();
    d.mentions.retain(|_| keep.next().unwrap_or(false));
}

/// What the stages after NER derive from the tagged documents.
pub struct Analysis {
    pub entities: Vec<Entity>,
    pub claims: Vec<ClaimRecord>,
    pub groups: Vec<Group>,
    pub stories: Vec<Story>,
    pub graph: Graph,
}

/// The knowledge the rule stages read: the alias, measure and credit tables, and the settings
/// of stories and comparison.
pub struct Rules {
    pub aliases: Aliases,
    pub measures: claims::MeasureTable,
    pub credits: Credits,
    pub stories: StoryOptions,
    /// Relative tolerance for approximate figures.
    pub tolerance: f64,
}

impl Rules {
    /// The shipped tables (aliases from `data/aliases.tsv` when present) and default settings.
    pub fn builtin() -> Rules {
        let aliases_path =
            crate::config::shipped(&format!("data/{}", crate::config::DEFAULT_ALIASES));
        Rules {
            aliases: Aliases::load(&aliases_path).unwrap_or_default(),
            measures: claims::MeasureTable::builtin(),
            credits: Credits::builtin(),
            stories: StoryOptions::default(),
            tolerance: 0.02,
        }
    }

    /// The tables and settings a configuration names.
    pub fn from_config(config: &Config) -> Result<Rules> {
        Rules::load(
            config.aliases.as_deref(),
            config.measures.as_deref(),
            config.credits.as_deref(),
            config.story_days,
            config.tolerance,
        )
    }

    /// The alias table at `aliases` (none if not given), the shipped measure and credit tables
    /// plus the rows of `measures` and `credits`, and the settings.
    pub fn load(
        aliases: Option<&std::path::Path>,
        measures: Option<&std::path::Path>,
        credits: Option<&std::path::Path>,
        story_days: i64,
        tolerance: f64,
    ) -> Result<Rules> {
        Ok(Rules {
            aliases: match aliases {
                Some(p) => Aliases::load(p)?,
                None => Aliases::default(),
            },
            measures: match measures {
                Some(p) => claims::MeasureTable::load_with(p)?,
                None => claims::MeasureTable::builtin(),
            },
            credits: match credits {
                Some(p) => Credits::load_with(p)?,
                None => Credits::builtin(),
            },
            stories: StoryOptions {
                window_days: story_days,
                ..StoryOptions::default()
            },
            tolerance,
        })
    }
}

/// The rule stages and the corpus stages over documents already tagged (sorted, disjoint
/// mentions, whatever their types or boundaries): what tests of the rules call. Records the
/// time of each stage in `timings`.
pub fn analyse(
    docs: &mut Vec<Document>,
    rules: &Rules,
    timings: &mut Vec<(&'static str, f64)>,
) -> Analysis {
    let mut t = Timings::default();
    let p =
        DocPipeline::new(&TAGGED_LAYERS, rule_stages(rules)).expect("the rule stages are in order");
    p.run(docs, &mut t).expect("rule stages do not fail");
    let mut c = run_corpus_stages(std::mem::take(docs), rules, &mut t);
    *docs = std::mem::take(&mut c.docs);
    timings.extend(t.0);
    Analysis {
        entities: c.entities,
        claims: c.claims,
        groups: c.groups,
        stories: c.stories,
        graph: c.graph,
    }
}

// ----------------------------------------------------------------------------- corpus stages

/// What the corpus stages build, each its own part.
#[derive(Default)]
pub struct Corpus {
    pub docs: Vec<Document>,
    pub entities: Vec<Entity>,
    pub claims: Vec<ClaimRecord>,
    pub stories: Vec<Story>,
    pub groups: Vec<Group>,
    pub graph: Graph,
}

/// A stage over every record of the corpus.
pub trait CorpusStage {
    fn name(&self) -> &'static str;
    fn run(&self, c: &mut Corpus);
}

/// The corpus stages, in order: each reads what the ones before it built.
pub fn corpus_stages(rules: &Rules) -> Vec<Box<dyn CorpusStage + '_>> {
    vec![
        Box::new(Resolve { rules }),
        Box::new(ClaimTable { rules }),
        Box::new(Stories { rules }),
        Box::new(OtherEvents { rules }),
        Box::new(SourcesStage),
        Box::new(Compare { rules }),
        Box::new(GraphStage),
    ]
}

/// Every corpus stage, in order, over `docs`, timed.
fn run_corpus_stages(docs: Vec<Document>, rules: &Rules, timings: &mut Timings) -> Corpus {
    let mut c = Corpus {
        docs,
        ..Corpus::default()
    };
    for stage in corpus_stages(rules) {
        let t = Instant::now();
        stage.run(&mut c);
        timings.add(stage.name(), t.elapsed().as_secs_f64());
    }
    c
}

/// Alias resolution: entity ids on mentions, the entity table.
pub struct Resolve<'r> {
    rules: &'r Rules,
}

impl CorpusStage for Resolve<'_> {
    fn name(&self) -> &'static str {
        "resolve"
    }
    fn run(&self, c: &mut Corpus) {
        c.entities = resolve::resolve(&mut c.docs, &self.rules.aliases);
    }
}

/// One row per claim, its subject resolved, its measure's table facts.
pub struct ClaimTable<'r> {
    rules: &'r Rules,
}

impl CorpusStage for ClaimTable<'_> {
    fn name(&self) -> &'static str {
        "claim_table"
    }
    fn run(&self, c: &mut Corpus) {
        let names: HashMap<&str, &str> = c
            .entities
            .iter()
            .map(|e| (e.id.as_str(), e.name.as_str()))
            .collect();
        let measures = &self.rules.measures;
        c.claims = c
            .docs
            .iter()
            .flat_map(|d| d.claims.iter().map(move |cl| compare::claim_record(d, cl)))
            .map(|mut r| {
                if let Some(n) = r.subject_id.as_deref().and_then(|id| names.get(id)) {
                    r.subject = Some(n.to_string());
                }
                r.cumulative = measures.is_cumulative(&r.measure_key);
                r.reads_as_update = measures.reads_as_update(&r.sentence);
                r
            })
            .collect();
    }
}

/// Stories: documents about one event, and each claim's story.
pub struct Stories<'r> {
    rules: &'r Rules,
}

impl CorpusStage for Stories<'_> {
    fn name(&self) -> &'static str {
        "stories"
    }
    fn run(&self, c: &mut Corpus) {
        let names: HashMap<&str, &str> = c
            .entities
            .iter()
            .map(|e| (e.id.as_str(), e.name.as_str()))
            .collect();
        c.stories = stories::find_stories(&c.docs, &names, self.rules.stories);
        let mut story_of: HashMap<&str, &str> = HashMap::new();
        for s in &c.stories {
            for &i in &s.docs {
                story_of.insert(c.docs[i].meta.doc_id.as_str(), s.id.as_str());
            }
        }
        for r in c.claims.iter_mut() {
            r.story = story_of.get(r.doc_id.as_str()).map(|s| s.to_string());
        }
    }
}

/// Claims about another event than their story's.
pub struct OtherEvents<'r> {
    rules: &'r Rules,
}

impl CorpusStage for OtherEvents<'_> {
    fn name(&self) -> &'static str {
        "other_events"
    }
    fn run(&self, c: &mut Corpus) {
        stories::mark_elsewhere(
            &mut c.claims,
            &c.docs,
            &c.stories,
            self.rules.stories.window_days,
        );
    }
}

/// Each claim's source (credited agency or outlet) and the claim it copies.
pub struct SourcesStage;

impl CorpusStage for SourcesStage {
    fn name(&self) -> &'static str {
        "sources"
    }
    fn run(&self, c: &mut Corpus) {
        let credits: HashMap<String, String> = c
            .docs
            .iter()
            .filter_map(|d| d.credit.clone().map(|a| (d.meta.doc_id.clone(), a)))
            .collect();
        sources::mark(&mut c.claims, &credits);
    }
}

/// Claim groups: who agrees, who differs, by how much.
pub struct Compare<'r> {
    rules: &'r Rules,
}

impl CorpusStage for Compare<'_> {
    fn name(&self) -> &'static str {
        "compare"
    }
    fn run(&self, c: &mut Corpus) {
        c.groups = compare::compare(&c.claims, self.rules.tolerance);
    }
}

/// The knowledge graph.
pub struct GraphStage;

impl CorpusStage for GraphStage {
    fn name(&self) -> &'static str {
        "graph"
    }
    fn run(&self, c: &mut Corpus) {
        c.graph = crate::graph::build_graph(&c.docs, &c.entities, &c.claims, &c.groups, &c.stories);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{test_doc, EntityType, EntityType::*};
    use crate::graph::{NodeKind, Value};
    use std::collections::BTreeSet;

    fn doc(id: &str, outlet: &str, text: &str, ents: &[(&str, EntityType)]) -> Document {
        let mut d = test_doc(text, ents);
        d.meta.doc_id = id.into();
        d.meta.path = id.into();
        d.meta.outlet = outlet.into();
        d.meta.published = Some("2024-05-14".into());
        d
    }

    /// The schema the graph is built to: node and edge kinds, ids, provenance on everything.
    #[test]
    fn the_graph_follows_its_schema() {
        let text = "Prime Minister Elena Marsh said 84 people were killed in Port Ellis.";
        let ents = [("Elena Marsh", Person), ("Port Ellis", Location)];
        let mut docs = vec![
            doc("a.txt", "Wire A", text, &ents),
            doc(
                "b.txt",
                "Paper B",
                &text.replace("84", "at least 84"),
                &ents,
            ),
        ];
        let a = analyse(&mut docs, &Rules::builtin(), &mut Vec::new());
        let g = &a.graph;
        let kinds: BTreeSet<&str> = g.nodes().iter().map(|n| n.kind().as_str()).collect();
        for k in [
            "Document",
            "Outlet",
            "Person",
            "Location",
            "Claim",
            "ClaimGroup",
            "Story",
        ] {
            assert!(kinds.contains(k), "no {k} node: {kinds:?}");
        }
        let ids: BTreeSet<&str> = g.nodes().iter().map(|n| n.id.as_str()).collect();
        for id in [
            "doc:a.txt",
            "outlet:wire-a",
            "per:elena-marsh",
            "loc:port-ellis",
        ] {
            assert!(ids.contains(id), "{id} missing: {ids:?}");
        }
        assert!(ids.iter().any(|i| i.starts_with("story:")));
        // Every node but outlets and roles carries its first evidence; every edge its own.
        for n in g.nodes() {
            if matches!(n.kind(), NodeKind::Outlet | NodeKind::Role) {
                continue;
            }
            for k in ["doc_id", "outlet"] {
                assert!(
                    n.props().contains_key(k),
                    "{} ({}) has no {k}",
                    n.id,
                    n.kind().as_str()
                );
            }
        }
        let edge_kinds: BTreeSet<&str> = g.edges().iter().map(|e| e.kind.as_str()).collect();
        for k in ["PUBLISHED_BY", "MENTIONS", "CLAIMS", "IN_GROUP", "IN_STORY"] {
            assert!(edge_kinds.contains(k), "no {k} edge: {edge_kinds:?}");
        }
        for e in g.edges() {
            assert!(ids.contains(e.from) && ids.contains(e.to), "{}", e.id);
            let p = e.props();
            for k in ["doc_id", "outlet", "start", "end"] {
                assert!(p.contains_key(k), "{} has no {k}", e.id);
            }
        }
        // A MENTIONS edge points at its first mention, in code points of the file.
        let m = g
            .edges()
            .into_iter()
            .find(|e| e.id == "MENTIONS:doc:b.txt->loc:port-ellis")
            .expect("b.txt mentions Port Ellis")
            .props();
        let (Some(Value::Int(start)), Some(Value::Int(end))) = (m.get("start"), m.get("end"))
        else {
            panic!("{m:?}");
        };
        let b = text.replace("84", "at least 84");
        let span: String = b
            .chars()
            .skip(*start as usize)
            .take((end - start) as usize)
            .collect();
        assert_eq!(span, "Port Ellis");
        assert_eq!(m.get("count"), Some(&Value::Int(1)));
        // Claim bounds are typed: a lower bound is a number in every export.
        let claim = g
            .nodes()
            .into_iter()
            .find(|n| n.id.starts_with("claim:b.txt"))
            .expect("a claim in b.txt")
            .props();
        assert_eq!(claim.get("lower"), Some(&Value::Float(84.0)), "{claim:?}");
        // The two claims are one group of deaths in one story, from two sources.
        assert_eq!(a.groups.len(), 1);
        assert_eq!(a.groups[0].measure, "deaths");
        assert_eq!(a.groups[0].sources.len(), 2);
        assert_eq!(a.stories.len(), 1);
    }
}
