//! Whatever a model tags, the stages after NER must not panic and must keep their invariants.
//!
//! A trained model tags sensibly; a random one (the CI smoke test) or an unfamiliar one tags
//! anything: a lone "Port", half a name, a comma. Here random piece tags over the real tokens of
//! the demo corpus and the seed articles go through the same span function as the pipeline, then
//! through claims, relations, resolution, comparison, the graph and every exporter.
mod util;

use newsgraph::config::Config;
use newsgraph::corpus;
use newsgraph::doc::{Document, Mention};
use newsgraph::ner::{self, NerModel, PieceTag};
use newsgraph::pipeline::{self, Output};
use newsgraph::resolve::Aliases;
use util::{demo_corpus, repo, shared, shipped_model};

/// xorshift64*: a small deterministic generator, so a failure names a reproducible seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn load(dir: &std::path::Path) -> Vec<Document> {
    let (mut docs, _) = corpus::load(dir, &Default::default(), &corpus::html::Hints::builtin())
        .expect("corpus loads");
    use pipeline::DocStage;
    pipeline::Segment.run(&mut docs).expect("sentences");
    docs
}

/// Tag every sentence with random labels (through the tokenizer and `ner::spans`), `entity_rate` in 100 of them not O.
fn tag_randomly(docs: &mut [Document], model: &NerModel, rng: &mut Rng, entity_rate: usize) {
    let entity_labels: Vec<u16> = (0..model.labels.len() as u16)
        .filter(|&l| model.labels[l as usize] != "O")
        .collect();
    let o = model
        .labels
        .iter()
        .position(|l| l == "O")
        .expect("an O label") as u16;
    for d in docs.iter_mut() {
        d.mentions.clear();
        for s in 0..d.sentences.len() {
            let range = d.sentences[s].range.clone();
            let text = d.slice(&range).to_string();
            let tok = model.tokenizer.tokenize(&text);
            let pieces: Vec<PieceTag> = (0..tok.ids.len())
                .map(|_| PieceTag {
                    label: if rng.below(100) < entity_rate {
                        entity_labels[rng.below(entity_labels.len())]
                    } else {
                        o
                    },
                    prob: 0.5 + rng.below(50) as f32 / 100.0,
                })
                .collect();
            let spans = ner::spans(&tok, &ner::Tagged::best_only(pieces), &model.labels, &text);
            for w in spans.windows(2) {
                assert!(
                    w[0].range.end <= w[1].range.start,
                    "spans overlap in {:?}: {:?} and {:?}",
                    text,
                    &text[w[0].range.clone()],
                    &text[w[1].range.clone()]
                );
            }
            for span in spans {
                assert!(span.range.start < span.range.end && span.range.end <= text.len());
                d.mentions.push(span.mention(range.start, s));
            }
        }
    }
}

/// Mentions at arbitrary character boundaries, mid-word included: sorted and disjoint, the only
/// promise `pipeline::analyse` relies on.
fn mention_randomly(docs: &mut [Document], rng: &mut Rng) {
    use newsgraph::doc::EntityType::*;
    for d in docs.iter_mut() {
        d.mentions.clear();
        for s in 0..d.sentences.len() {
            let range = d.sentences[s].range.clone();
            let mut cuts: Vec<usize> = d.view.text[range.clone()]
                .char_indices()
                .map(|(i, _)| range.start + i)
                .filter(|_| rng.below(100) < 8)
                .collect();
            cuts.push(range.end);
            for pair in cuts.chunks(2) {
                if let [a, b] = *pair {
                    if a < b && rng.below(2) == 0 {
                        d.mentions.push(Mention {
                            range: a..b,
                            sentence: s,
                            etype: [Person, Location, Organization, Misc][rng.below(4)],
                            score: 0.9,
                            entity: None,
                            surface: None,
                        });
                    }
                }
            }
        }
    }
}

fn check_corpus(dir: &std::path::Path, model: &NerModel, rounds: u64) {
    let rules = pipeline::Rules {
        aliases: Aliases::load(&repo().join("data/aliases.tsv")).expect("alias table"),
        tolerance: 0.05,
        ..pipeline::Rules::builtin()
    };
    let clean = load(dir);
    for round in 0..rounds {
        for rate in [15, 40, 90, 0] {
            let seed = round * 1000 + rate as u64 + 1;
            let mut rng = Rng(seed);
            let mut docs = clean.clone();
            if rate == 0 {
                mention_randomly(&mut docs, &mut rng);
            } else {
                tag_randomly(&mut docs, model, &mut rng, rate);
            }
            let mut timings = Vec::new();
            let a = pipeline::analyse(&mut docs, &rules, &mut timings);
            // analyse turns a panic in a rule into a warning so a run goes on; here it fails.
            for d in &docs {
                for w in &d.warnings {
                    assert!(
                        !w.contains("internal error"),
                        "seed {seed}: a rule panicked on {}: {w}",
                        d.meta.doc_id
                    );
                }
            }
            for e in &a.entities {
                assert!(
                    !newsgraph::resolve::slug(&e.name).is_empty(),
                    "seed {seed}: entity {:?} has no name",
                    e.id
                );
            }
            for d in &docs {
                let n = d.view.text.len();
                for r in &d.relations {
                    assert!(
                        r.range.start <= r.range.end && r.range.end <= n,
                        "seed {seed}"
                    );
                }
                for c in &d.claims {
                    assert!(
                        c.range.start <= c.range.end && c.range.end <= n,
                        "seed {seed}"
                    );
                }
            }
            // Every exporter accepts what came out.
            let tmp = tempfile::tempdir().expect("tempdir");
            let config = Config {
                backend: "torch".into(),
                corpus: dir.to_path_buf(),
                out: tmp.path().join("out"),
                model: shipped_model(),
                manifest: None,
                aliases: None,
                html_hints: None,
                measures: None,
                credits: None,
                story_days: 7,
                threads: 1,
                device: tch::Device::Cpu,
                force: false,
                tolerance: 0.05,
            };
            let output = Output {
                docs,
                skipped: Vec::new(),
                entities: a.entities,
                claims: a.claims,
                groups: a.groups,
                stories: a.stories,
                graph: a.graph,
                model_name: "random tags".into(),
                device: "Cpu".into(),
                backend: "torch".into(),
                backend_reason: "torch (random tags)".into(),
                timings,
            };
            newsgraph::export::write_all(&output, &config, tmp.path(), 0.0)
                .unwrap_or_else(|e| panic!("seed {seed}: export failed: {e}"));
        }
    }
}

fn model() -> NerModel {
    NerModel::load(&shipped_model(), tch::Device::Cpu).expect("shipped model loads")
}

#[test]
fn random_tags_on_the_demo_corpus() {
    check_corpus(&demo_corpus(), &model(), 40);
}

#[test]
fn random_tags_on_the_seeds() {
    let Some(seeds) = shared("seeds") else {
        eprintln!("../shared/seeds is absent: skipping");
        return;
    };
    check_corpus(&seeds, &model(), 15);
}
