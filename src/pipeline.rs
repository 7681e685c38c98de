//! Stage order, parallelism and the model thread.
//!
//! corpus (rayon) -> sentences (rayon) -> tokenize (rayon) -> NER (this thread, batched) ->
//! claims and relations (rayon) -> resolution -> comparison -> graph -> export.
//! Documents stay in corpus order throughout, so output is the same for any thread count.
use crate::claims::{self, Claim};
use crate::compare::{self, ClaimRecord, Group};
use crate::config::Config;
use crate::corpus::{self, Skipped};
use crate::doc::{Document, EntityType, Mention};
use crate::error::{Error, Result};
use crate::graph::{EdgeKind, Graph, NodeKind, Props};
use crate::ner::{self, NerModel, Tokenized};
use crate::relations::{self, RelationType, Target};
use crate::resolve::{self, Aliases, Entity};
use crate::segment;
use crate::sources::{self, Credits};
use crate::stories::{self, Story, StoryOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::IsTerminal;
use std::time::Instant;

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

/// Sentence-split every document.
pub fn segment_all(docs: &mut [Document]) {
    docs.par_iter_mut()
        .for_each(|d| d.sentences = segment::split(&d.view.text));
}

/// Run NER over every sentence of every document, batched across documents.
pub fn tag_all(docs: &mut [Document], model: &NerModel) -> Result<()> {
    let index: Vec<(usize, usize)> = docs
        .iter()
        .enumerate()
        .flat_map(|(d, doc)| (0..doc.sentences.len()).map(move |s| (d, s)))
        .collect();
    let tokenizer = &model.tokenizer;
    let inputs: Vec<Tokenized> = index
        .par_iter()
        .map(|&(d, s)| tokenizer.tokenize(docs[d].slice(&docs[d].sentences[s].range)))
        .collect();
    let pb = progress(inputs.len() as u64, "ner");
    let tags = model.predict(&inputs, |n| pb.inc(n as u64))?;
    pb.finish_and_clear();
    for doc in docs.iter_mut() {
        doc.mentions.clear();
    }
    for ((&(d, s), tok), pieces) in index.iter().zip(&inputs).zip(&tags) {
        let base = docs[d].sentences[s].range.start;
        let spans = ner::spans(
            tok,
            pieces,
            &model.labels,
            docs[d].slice(&docs[d].sentences[s].range),
        );
        for span in spans {
            docs[d].mentions.push(Mention {
                range: base + span.range.start..base + span.range.end,
                sentence: s,
                etype: span.etype,
                score: span.score,
                entity: None,
            });
        }
    }
    Ok(())
}

fn node_kind(t: EntityType) -> NodeKind {
    match t {
        EntityType::Person => NodeKind::Person,
        EntityType::Location => NodeKind::Location,
        EntityType::Organization => NodeKind::Organization,
        EntityType::Misc => NodeKind::Misc,
    }
}

/// Provenance properties of a view range in a document.
fn provenance(doc: &Document, range: &std::ops::Range<usize>, sentence: usize) -> Props {
    let (start, end) = doc.offsets(range);
    let mut p = Props::new();
    p.insert("doc_id", doc.meta.doc_id.clone().into());
    p.insert("outlet", doc.meta.outlet.clone().into());
    p.insert("start", start.into());
    p.insert("end", end.into());
    p.insert("sentence_index", sentence.into());
    p.insert(
        "sentence",
        doc.sentences
            .get(sentence)
            .map(|s| doc.slice(&s.range).to_string())
            .unwrap_or_default()
            .into(),
    );
    p
}

/// Claim records with resolved subjects.
pub fn claim_records(docs: &[Document]) -> Vec<ClaimRecord> {
    let mut out = Vec::new();
    for d in docs {
        for c in &d.claims {
            out.push(record(d, c));
        }
    }
    out
}

fn record(d: &Document, c: &Claim) -> ClaimRecord {
    let (start, end) = d.offsets(&c.range);
    let q = &c.quantity;
    let subject_entity = c.subject_mention.and_then(|m| d.mentions[m].entity.clone());
    ClaimRecord {
        claim_id: c.id.clone(),
        doc_id: d.meta.doc_id.clone(),
        outlet: d.meta.outlet.clone(),
        subject: c.subject.clone(),
        subject_id: subject_entity,
        measure: c.measure.clone(),
        measure_key: c.measure_key.clone(),
        measure_from_table: c.measure_from_table,
        cumulative: false,
        reads_as_update: false,
        elsewhere: None,
        dimension: c.dimension.clone(),
        story: None,
        published: d.meta.published.clone(),
        source: String::new(),
        copy_of: None,
        value: q.value,
        lower: q.lower,
        upper: q.upper,
        lower_inclusive: q.lower_inclusive,
        upper_inclusive: q.upper_inclusive,
        approximate: q.approximate,
        kind: q.kind.as_str().to_string(),
        unit: q.unit.clone(),
        currency: q.currency.clone(),
        as_of: c.as_of.clone(),
        as_of_text: c.as_of_text.clone(),
        surface: d.surface(&c.range).to_string(),
        sentence: d.slice(&d.sentences[c.sentence].range).to_string(),
        sentence_index: c.sentence,
        start,
        end,
    }
}

/// Run the whole pipeline (without writing files).
pub fn run(config: &Config) -> Result<Output> {
    let mut timings = Vec::new();
    let t = Instant::now();
    let mut manifest_skips = Vec::new();
    let manifest = match &config.manifest {
        Some(p) => {
            let (m, bad_rows) = corpus::read_manifest(p)?;
            manifest_skips = bad_rows;
            m
        }
        None => Default::default(),
    };
    let rules = Rules::from_config(config)?;
    let hints = match &config.html_hints {
        Some(p) => corpus::html::Hints::load(p)?,
        None => corpus::html::Hints::builtin(),
    };
    let (mut docs, mut skipped) = corpus::load(&config.corpus, &manifest, &hints)?;
    skipped.splice(0..0, manifest_skips);
    segment_all(&mut docs);
    timings.push(("read", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let model = NerModel::load(&config.model, config.device)?;
    timings.push(("load_model", t.elapsed().as_secs_f64()));
    let t = Instant::now();
    tag_all(&mut docs, &model)?;
    timings.push(("ner", t.elapsed().as_secs_f64()));

    let a = analyse(&mut docs, &rules, &mut timings);
    Ok(Output {
        docs,
        skipped,
        entities: a.entities,
        claims: a.claims,
        groups: a.groups,
        stories: a.stories,
        graph: a.graph,
        model_name: model.name.clone(),
        device: format!("{:?}", model.device),
        timings,
    })
}

/// Drop the spans that name nothing: no name left once titles and punctuation go ("Mr.",
/// "'s"), or a common noun that opens a sentence ("Countries have the right ...").
fn drop_non_names(d: &mut Document, case: &ner::WordCase, aliases: &Aliases) {
    let common = ner::sentence_initial_common_nouns(d, case);
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
        Ok(Rules {
            aliases: match &config.aliases {
                Some(p) => Aliases::load(p)?,
                None => Aliases::default(),
            },
            measures: match &config.measures {
                Some(p) => claims::MeasureTable::load_with(p)?,
                None => claims::MeasureTable::builtin(),
            },
            credits: match &config.credits {
                Some(p) => Credits::load_with(p)?,
                None => Credits::builtin(),
            },
            stories: StoryOptions {
                window_days: config.story_days,
                ..StoryOptions::default()
            },
            tolerance: config.tolerance,
        })
    }
}

/// The stages after NER: claims and relations, resolution, comparison, graph. Takes documents
/// whose mentions are sorted and disjoint (what [`ner::spans`] yields), whatever their types or
/// boundaries; records the time of each stage in `timings`.
pub fn analyse(
    docs: &mut [Document],
    rules: &Rules,
    timings: &mut Vec<(&'static str, f64)>,
) -> Analysis {
    let (aliases, measures) = (&rules.aliases, &rules.measures);
    let t = Instant::now();
    let case = ner::WordCase::of(docs);
    docs.par_iter_mut().for_each(|d| {
        drop_non_names(d, &case, aliases);
        // A bug in a rule costs one document its claims and relations, never the run.
        let rules = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (claims::extract(d, measures), relations::extract(d))
        }));
        match rules {
            Ok((c, r)) => {
                d.claims = c;
                d.relations = r;
                relations::apply_type_policy(d);
            }
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown cause");
                d.warnings.push(format!(
                    "internal error in the claim and relation rules ({why}); \
                     this document has no claims or relations, please report it"
                ));
            }
        }
    });
    timings.push(("claims_relations", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let entities = resolve::resolve(docs, aliases);
    for d in docs.iter_mut() {
        for c in d.claims.iter_mut() {
            if let Some(m) = c.subject_mention {
                c.subject_id = d.mentions[m].entity.clone();
            }
        }
    }
    let names: HashMap<&str, &str> = entities
        .iter()
        .map(|e| (e.id.as_str(), e.name.as_str()))
        .collect();
    let mut records = claim_records(docs);
    for r in records.iter_mut() {
        if let Some(n) = r.subject_id.as_deref().and_then(|id| names.get(id)) {
            r.subject = Some(n.to_string());
        }
    }
    // Stories, then sources (credit lines, copied sentences), then the comparison.
    let stories = stories::find_stories(docs, &names, rules.stories);
    let mut story_of: HashMap<&str, &str> = HashMap::new();
    for s in &stories {
        for &i in &s.docs {
            story_of.insert(docs[i].meta.doc_id.as_str(), s.id.as_str());
        }
    }
    for r in records.iter_mut() {
        r.story = story_of.get(r.doc_id.as_str()).map(|s| s.to_string());
        r.cumulative = rules.measures.is_cumulative(&r.measure_key);
        r.reads_as_update = rules.measures.reads_as_update(&r.sentence);
    }
    mark_elsewhere(&mut records, docs, &stories, rules.stories.window_days);
    let credits: HashMap<String, String> = docs
        .iter()
        .filter_map(|d| {
            rules
                .credits
                .credit_of(d)
                .map(|a| (d.meta.doc_id.clone(), a))
        })
        .collect();
    sources::mark(&mut records, &credits);
    let groups = compare::compare(&records, rules.tolerance);
    timings.push(("resolve_compare", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let mut graph = build_graph(docs, &entities, &records, &groups);
    add_stories(&mut graph, docs, &stories);
    timings.push(("graph", t.elapsed().as_secs_f64()));
    Analysis {
        entities,
        claims: records,
        groups,
        stories,
        graph,
    }
}

/// Mark the claims that are about another event than their story's: their sentence dates them
/// before the story's days (MH370 "in March" in a December story; a death toll "in 1981"), or names only places that
/// no other document of the story names and its own document names nowhere else ("308 people
/// died in Baghdad" in a live blog of the Nice attack).
fn mark_elsewhere(records: &mut [ClaimRecord], docs: &[Document], list: &[Story], window: i64) {
    let by_id: HashMap<&str, &Document> =
        docs.iter().map(|d| (d.meta.doc_id.as_str(), d)).collect();
    let mut places: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    // The first day of each story: a claim dated before it (less the window) is another event's.
    let mut first_day: HashMap<&str, i64> = HashMap::new();
    for s in list {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &s.docs {
            let named: BTreeSet<&str> = docs[i]
                .mentions
                .iter()
                .filter(|m| m.etype == EntityType::Location)
                .filter_map(|m| m.entity.as_deref())
                .collect();
            for e in named {
                *count.entry(e).or_default() += 1;
            }
        }
        // The story's places: named by more than half of its documents.
        let min_docs = (s.docs.len() / 2 + 1).max(1);
        places.insert(
            s.id.as_str(),
            count
                .into_iter()
                .filter(|&(_, n)| n >= min_docs)
                .map(|(e, _)| e)
                .collect(),
        );
        if let Some((day, _)) = s.first.as_deref().and_then(stories::date_range) {
            first_day.insert(s.id.as_str(), day);
        }
    }
    for r in records.iter_mut() {
        let Some(story) = r.story.as_deref() else {
            continue;
        };
        if let (Some(range), Some(&first)) = (
            r.as_of.as_deref().and_then(stories::date_range),
            first_day.get(story),
        ) {
            // Only the past: "by 2030" is a target. A bare year is a statistic's period ("12
            // million containers in 2023") unless the figure is an event's (a toll "in 1981").
            let before = range.1 < first - window;
            let precise = r.as_of.as_deref().is_some_and(|a| a.len() >= 7);
            if before && (precise || r.measure_from_table) {
                r.elsewhere = Some(format!(
                    "dated {} in its sentence, outside the story's days",
                    r.as_of.as_deref().unwrap_or_default()
                ));
                continue;
            }
        }
        let (Some(d), Some(known)) = (by_id.get(r.doc_id.as_str()), places.get(story)) else {
            continue;
        };
        // Places the sentence sets something in: "in Baghdad", not "officials from Russia".
        let located = |m: &&Mention| {
            let before = d.view.text[..m.range.start].trim_end();
            let last = before
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_lowercase();
            matches!(last.as_str(), "in" | "at" | "near" | "outside")
        };
        let placed: Vec<&Mention> = d
            .mentions
            .iter()
            .filter(|m| m.sentence == r.sentence_index && m.etype == EntityType::Location)
            .filter(located)
            .collect();
        let named: BTreeSet<&str> = placed.iter().filter_map(|m| m.entity.as_deref()).collect();
        // A passing reference: the places are not the story's, and the document names them
        // nowhere else.
        let elsewhere_in_doc = d.mentions.iter().any(|m| {
            m.sentence != r.sentence_index && m.entity.as_deref().is_some_and(|e| named.contains(e))
        });
        if !named.is_empty() && named.is_disjoint(known) && !elsewhere_in_doc {
            let names: Vec<&str> = placed.iter().map(|m| d.slice(&m.range)).collect();
            r.elsewhere = Some(format!(
                "its sentence names only places the story's other documents do not: {}",
                names.join(", ")
            ));
        }
    }
}

/// `Story` nodes and an `IN_STORY` edge from each of their documents.
fn add_stories(g: &mut Graph, docs: &[Document], stories: &[Story]) {
    for s in stories {
        let mut p = Props::new();
        p.insert("label", s.label.clone().into());
        p.insert("first_published", s.first.clone().into());
        p.insert("last_published", s.last.clone().into());
        p.insert("documents", s.docs.len().into());
        p.insert("outlets", s.outlets.len().into());
        p.insert("given", s.given.into());
        // Provenance: the story's first document, whole.
        if let Some(&i) = s.docs.first() {
            p.insert("doc_id", docs[i].meta.doc_id.clone().into());
            p.insert("outlet", docs[i].meta.outlet.clone().into());
            p.insert("start", 0usize.into());
            p.insert("end", docs[i].text.chars().count().into());
        }
        g.add_node(&s.id, NodeKind::Story, &s.label, p);
        for &i in &s.docs {
            let d = &docs[i].meta;
            let did = doc_node_id(&d.doc_id);
            let mut ep = Props::new();
            ep.insert("doc_id", d.doc_id.clone().into());
            ep.insert("outlet", d.outlet.clone().into());
            ep.insert("start", 0usize.into());
            ep.insert("end", docs[i].text.chars().count().into());
            g.add_edge(
                format!("IN_STORY:{did}->{}", s.id),
                EdgeKind::InStory,
                &did,
                &s.id,
                1.0,
                ep,
            );
        }
    }
}

/// Assemble the knowledge graph.
pub fn build_graph(
    docs: &[Document],
    entities: &[Entity],
    claims: &[ClaimRecord],
    groups: &[Group],
) -> Graph {
    let mut g = Graph::default();
    let ent: HashMap<&str, &Entity> = entities.iter().map(|e| (e.id.as_str(), e)).collect();
    // Outlets and documents.
    let mut outlet_docs: BTreeMap<&str, Vec<&Document>> = BTreeMap::new();
    for d in docs {
        outlet_docs
            .entry(d.meta.outlet.as_str())
            .or_default()
            .push(d);
    }
    for (outlet, ds) in &outlet_docs {
        let mut p = Props::new();
        p.insert("name", (*outlet).into());
        p.insert("documents", ds.len().into());
        p.insert("doc_id", ds[0].meta.doc_id.clone().into());
        p.insert("outlet", (*outlet).into());
        g.add_node(&outlet_id(outlet), NodeKind::Outlet, outlet, p);
    }
    for d in docs {
        let mut p = Props::new();
        let m = &d.meta;
        p.insert("doc_id", m.doc_id.clone().into());
        p.insert("outlet", m.outlet.clone().into());
        p.insert("path", m.path.clone().into());
        p.insert("url", m.url.clone().into());
        p.insert("published", m.published.clone().into());
        p.insert("title", m.title.clone().into());
        p.insert("format", m.format.clone().into());
        p.insert("start", 0usize.into());
        p.insert("end", d.text.chars().count().into());
        p.insert("sentences", d.sentences.len().into());
        p.insert("mentions", d.mentions.len().into());
        p.insert("claims", d.claims.len().into());
        let did = doc_node_id(&m.doc_id);
        g.add_node(
            &did,
            NodeKind::Document,
            m.title.as_deref().unwrap_or(&m.doc_id),
            p,
        );
        let mut ep = Props::new();
        ep.insert("doc_id", m.doc_id.clone().into());
        ep.insert("outlet", m.outlet.clone().into());
        ep.insert("start", 0usize.into());
        ep.insert("end", d.text.chars().count().into());
        g.add_edge(
            format!("PUBLISHED_BY:{did}"),
            EdgeKind::PublishedBy,
            &did,
            &outlet_id(&m.outlet),
            1.0,
            ep,
        );
    }
    // Entities, with provenance of their first mention.
    let mut first: HashMap<&str, (&Document, &Mention)> = HashMap::new();
    for d in docs {
        for m in &d.mentions {
            if let Some(e) = m.entity.as_deref() {
                first.entry(e).or_insert((d, m));
            }
        }
    }
    for e in entities {
        let mut p = Props::new();
        if let Some((d, m)) = first.get(e.id.as_str()) {
            p = provenance(d, &m.range, m.sentence);
        }
        p.insert("name", e.name.clone().into());
        p.insert(
            "aliases",
            e.aliases
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(" | ")
                .into(),
        );
        p.insert("mention_count", e.mention_count.into());
        p.insert("document_count", e.document_count.into());
        p.insert("ambiguous", e.ambiguous.into());
        p.insert(
            "ner_types",
            e.type_votes
                .iter()
                .map(|(t, n)| format!("{}={n}", t.short()))
                .collect::<Vec<_>>()
                .join(" ")
                .into(),
        );
        g.add_node(&e.id, node_kind(e.etype), &e.name, p);
    }
    // MENTIONS (per document and entity) and CO_OCCURS (per sentence pair).
    let mut co: BTreeMap<(String, String), (usize, BTreeSet<String>, Props)> = BTreeMap::new();
    for d in docs {
        let did = doc_node_id(&d.meta.doc_id);
        let mut per: BTreeMap<&str, (usize, &Mention, f32)> = BTreeMap::new();
        for m in &d.mentions {
            if let Some(e) = m.entity.as_deref() {
                let x = per.entry(e).or_insert((0, m, 0.0));
                x.0 += 1;
                x.2 += m.score;
            }
        }
        for (e, (count, m, score_sum)) in per {
            let mut p = provenance(d, &m.range, m.sentence);
            p.insert("count", count.into());
            p.insert(
                "mean_score",
                (((score_sum / count as f32) as f64 * 1e4).round() / 1e4).into(),
            );
            g.add_edge(
                format!("MENTIONS:{did}->{e}"),
                EdgeKind::Mentions,
                &did,
                e,
                count as f64,
                p,
            );
        }
        for (si, s) in d.sentences.iter().enumerate() {
            let ids: BTreeSet<&str> = d
                .mentions
                .iter()
                .filter(|m| m.sentence == si)
                .filter_map(|m| m.entity.as_deref())
                .collect();
            let ids: Vec<&str> = ids.into_iter().collect();
            for a in 0..ids.len() {
                for b in a + 1..ids.len() {
                    let x = co
                        .entry((ids[a].to_string(), ids[b].to_string()))
                        .or_insert_with(|| (0, BTreeSet::new(), provenance(d, &s.range, si)));
                    x.0 += 1;
                    x.1.insert(d.meta.doc_id.clone());
                }
            }
        }
    }
    for ((a, b), (n, ds, mut p)) in co {
        p.insert("documents", ds.len().into());
        p.insert("weight", n.into());
        g.add_edge(
            format!("CO_OCCURS:{a}->{b}"),
            EdgeKind::CoOccurs,
            &a,
            &b,
            n as f64,
            p,
        );
    }
    // Claims.
    for c in claims {
        let mut p = Props::new();
        p.insert("claim_id", c.claim_id.clone().into());
        p.insert("doc_id", c.doc_id.clone().into());
        p.insert("outlet", c.outlet.clone().into());
        p.insert("subject", c.subject.clone().into());
        p.insert("subject_id", c.subject_id.clone().into());
        p.insert("measure", c.measure.clone().into());
        p.insert("value", c.value.into());
        p.insert("lower", c.lower.into());
        p.insert("upper", c.upper.into());
        p.insert("lower_inclusive", c.lower_inclusive.into());
        p.insert("upper_inclusive", c.upper_inclusive.into());
        p.insert("approximate", c.approximate.into());
        p.insert("kind", c.kind.clone().into());
        p.insert("unit", c.unit.clone().into());
        p.insert("as_of", c.as_of.clone().into());
        p.insert("surface", c.surface.clone().into());
        p.insert("sentence", c.sentence.clone().into());
        p.insert("sentence_index", c.sentence_index.into());
        p.insert("start", c.start.into());
        p.insert("end", c.end.into());
        g.add_node(&c.claim_id, NodeKind::Claim, &c.surface, p.clone());
        let prov: Props = [
            "doc_id",
            "outlet",
            "start",
            "end",
            "sentence",
            "sentence_index",
        ]
        .iter()
        .filter_map(|k| p.get(k).map(|v| (*k, v.clone())))
        .collect();
        let did = doc_node_id(&c.doc_id);
        g.add_edge(
            format!("CLAIMS:{did}->{}", c.claim_id),
            EdgeKind::Claims,
            &did,
            &c.claim_id,
            1.0,
            prov.clone(),
        );
        if let Some(s) = &c.subject_id {
            g.add_edge(
                format!("ABOUT:{}->{s}", c.claim_id),
                EdgeKind::About,
                &c.claim_id,
                s,
                1.0,
                prov,
            );
        }
    }
    for gr in groups {
        let mut p = Props::new();
        p.insert("subject", gr.subject.clone().into());
        p.insert("subject_id", gr.subject_id.clone().into());
        p.insert("measure", gr.measure.clone().into());
        p.insert("kind", gr.kind.clone().into());
        p.insert("unit", gr.unit.clone().into());
        p.insert("verdict", gr.verdict.as_str().into());
        p.insert("spread", ((gr.spread * 1e6).round() / 1e6).into());
        p.insert("claims", gr.members.len().into());
        let outlets: BTreeSet<&str> = gr
            .members
            .iter()
            .map(|&i| claims[i].outlet.as_str())
            .collect();
        p.insert("outlets", outlets.len().into());
        p.insert("notes", gr.notes.join("; ").into());
        let f = &claims[gr.members[0]];
        p.insert("doc_id", f.doc_id.clone().into());
        p.insert("outlet", f.outlet.clone().into());
        p.insert("start", f.start.into());
        p.insert("end", f.end.into());
        let label = format!(
            "{} {}",
            gr.subject.as_deref().unwrap_or("(no subject)"),
            gr.measure
        );
        g.add_node(&gr.id, NodeKind::ClaimGroup, &label, p);
        for &i in &gr.members {
            let c = &claims[i];
            let mut ep = Props::new();
            ep.insert("doc_id", c.doc_id.clone().into());
            ep.insert("outlet", c.outlet.clone().into());
            ep.insert("start", c.start.into());
            ep.insert("end", c.end.into());
            g.add_edge(
                format!("IN_GROUP:{}->{}", c.claim_id, gr.id),
                EdgeKind::InGroup,
                &c.claim_id,
                &gr.id,
                1.0,
                ep,
            );
        }
    }
    // Typed relations.
    for d in docs {
        for r in &d.relations {
            let Some(from) = d.mentions[r.from].entity.as_deref() else {
                continue;
            };
            let mut p = provenance(d, &r.range, r.sentence);
            p.insert("rule", r.rule.into());
            let (kind, to) = match (&r.rtype, &r.to) {
                (RelationType::HasRole, Target::Role(role)) => {
                    let rid = format!("role:{}", resolve::slug(role));
                    let mut rp = provenance(d, &r.range, r.sentence);
                    rp.insert("name", role.clone().into());
                    g.add_node(&rid, NodeKind::Role, role, rp);
                    p.insert("role", role.clone().into());
                    let org = r.org.and_then(|o| d.mentions[o].entity.clone());
                    p.insert(
                        "org",
                        org.as_deref()
                            .and_then(|o| ent.get(o))
                            .map(|e| e.name.clone())
                            .into(),
                    );
                    p.insert("org_id", org.into());
                    (EdgeKind::HasRole, rid)
                }
                (RelationType::Said, Target::Quote(q)) => {
                    let (qs, _) = d.offsets(q);
                    let qid = format!("quote:{}:{qs}", d.meta.doc_id);
                    let mut qp = provenance(d, q, r.sentence);
                    qp.insert("text", d.slice(q).to_string().into());
                    qp.insert("speaker_id", from.to_string().into());
                    let text = d.slice(q);
                    let label: String = text.chars().take(60).collect();
                    g.add_node(&qid, NodeKind::Quote, &label, qp);
                    (EdgeKind::Said, qid)
                }
                (t, Target::Mention(m)) => {
                    let Some(to) = d.mentions[*m].entity.clone() else {
                        continue;
                    };
                    let kind = match t {
                        RelationType::HeadOf => EdgeKind::HeadOf,
                        RelationType::AffiliatedWith => EdgeKind::AffiliatedWith,
                        RelationType::LocatedIn => EdgeKind::LocatedIn,
                        RelationType::HasRole => EdgeKind::HasRole,
                        RelationType::Said => EdgeKind::Said,
                    };
                    (kind, to)
                }
                _ => continue,
            };
            if to == from {
                continue;
            }
            let (s, _) = d.offsets(&r.range);
            g.add_edge(
                format!("{}:{from}->{to}:{}:{s}", kind.as_str(), d.meta.doc_id),
                kind,
                from,
                &to,
                1.0,
                p,
            );
        }
    }
    g
}

pub fn outlet_id(outlet: &str) -> String {
    format!("outlet:{}", resolve::slug(outlet))
}

pub fn doc_node_id(doc_id: &str) -> String {
    format!("doc:{doc_id}")
}

/// Fail early with a clear message when the output directory cannot be used.
pub fn check_output(out: &std::path::Path, force: bool) -> Result<()> {
    if out.exists() {
        if !out.is_dir() {
            return Err(Error::output(out, "exists and is not a directory"));
        }
        let non_empty = std::fs::read_dir(out)
            .map_err(|e| Error::io(out, e))?
            .next()
            .is_some();
        if non_empty && !force {
            return Err(Error::output(
                out,
                "is not empty; pass --force to replace it",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{test_doc, EntityType::*};

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
        let kinds: BTreeSet<&str> = g.nodes().iter().map(|n| n.kind.as_str()).collect();
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
            if matches!(n.kind, NodeKind::Outlet | NodeKind::Role) {
                continue;
            }
            for k in ["doc_id", "outlet"] {
                assert!(
                    n.props.contains_key(k),
                    "{} ({}) has no {k}",
                    n.id,
                    n.kind.as_str()
                );
            }
        }
        let edge_kinds: BTreeSet<&str> = g.edges().iter().map(|e| e.kind.as_str()).collect();
        for k in ["PUBLISHED_BY", "MENTIONS", "CLAIMS", "IN_GROUP", "IN_STORY"] {
            assert!(edge_kinds.contains(k), "no {k} edge: {edge_kinds:?}");
        }
        for e in g.edges() {
            assert!(
                ids.contains(e.from.as_str()) && ids.contains(e.to.as_str()),
                "{}",
                e.id
            );
            for k in ["doc_id", "outlet", "start", "end"] {
                assert!(e.props.contains_key(k), "{} has no {k}", e.id);
            }
        }
        // The two claims are one group of deaths in one story, from two sources.
        assert_eq!(a.groups.len(), 1);
        assert_eq!(a.groups[0].measure, "deaths");
        assert_eq!(a.groups[0].sources.len(), 2);
        assert_eq!(a.stories.len(), 1);
    }
}
