//! Scores of the syntax head on a CoNLL-U file: UAS, LAS, UPOS and lemma accuracy, per
//! relation label too. The gold words are given to the model (as `eval-ner` gives CoNLL's),
//! so the scores measure the parser, not the word splitter.
use super::conllu::{self, GoldSentence};
use super::Word;
use crate::error::{Error, Result};
use crate::ner::eval::Score;
use crate::ner::{NerModel, Tokenized};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct ParseEvaluation {
    pub model: String,
    pub sentences: usize,
    pub words: usize,
    /// Head right.
    pub uas: f64,
    /// Head and universal relation (the label without its subtype) right: CoNLL 2018's LAS.
    pub las: f64,
    /// Head and the full label ("obl:tmod") right.
    pub las_full: f64,
    pub upos: f64,
    pub lemma: f64,
    /// Per universal relation: precision and recall of (head, relation) among words whose
    /// gold or predicted relation it is.
    pub per_label: BTreeMap<String, Score>,
    pub sentences_per_second: f64,
}

/// Parse every sentence of `path` on its gold words and score the result.
pub fn evaluate(
    model: &NerModel,
    path: &Path,
    progress: impl FnMut(usize),
) -> Result<ParseEvaluation> {
    let tables = model.syntax.as_ref().ok_or_else(|| {
        Error::model(
            &model.dir,
            "this model has no syntax head (syntax.json); scripts/train_syntax.py trains one",
        )
    })?;
    let gold = conllu::read(path)?;
    let t = std::time::Instant::now();
    let mut inputs: Vec<Tokenized> = Vec::with_capacity(gold.len());
    let mut ranges = Vec::with_capacity(gold.len());
    for g in &gold {
        let (tok, r) = gold_input(model, g);
        inputs.push(tok);
        ranges.push(r);
    }
    let tagged = model.predict(&inputs, progress)?;
    let mut c = Counts::default();
    for ((g, tg), r) in gold.iter().zip(&tagged).zip(&ranges) {
        let text = g.form.join(" ");
        let words: Vec<Word> = match &tg.syntax {
            Some(raw) => raw.decode(tables, &text, r, 0),
            None => Vec::new(),
        };
        c.add(g, &words, &text);
    }
    let secs = t.elapsed().as_secs_f64().max(1e-9);
    Ok(c.finish(model.label(), gold.len(), gold.len() as f64 / secs))
}

/// The model input for a gold sentence: its words joined by spaces, each read on its first
/// piece; and the words' byte ranges in that text.
fn gold_input(model: &NerModel, g: &GoldSentence) -> (Tokenized, Vec<std::ops::Range<usize>>) {
    let forms: Vec<&str> = g.form.iter().map(String::as_str).collect();
    let (mut tok, firsts) = model.tokenizer.tokenize_words(&forms);
    let mut ranges = Vec::with_capacity(forms.len());
    let mut at = 0;
    tok.heads.clear();
    for (w, f) in forms.iter().zip(&firsts) {
        let piece = f.and_then(|k| tok.word_first.get(k).copied());
        // A word with no piece of its own (nothing the tokenizer keeps) shares the last one;
        // the decoder then sees one word fewer and the sentence scores as unparsed words.
        if let Some(p) = piece.filter(|&p| tok.heads.last().is_none_or(|&l| l < p)) {
            tok.heads.push(p);
            ranges.push(at..at + w.len());
        }
        at += w.len() + 1;
    }
    if tok.heads.len() != forms.len() {
        tok.heads.clear();
        ranges.clear();
    }
    (tok, ranges)
}

#[derive(Default)]
struct Counts {
    words: usize,
    uas: usize,
    las: usize,
    las_full: usize,
    upos: usize,
    lemma: usize,
    /// label -> (right, predicted, gold)
    labels: BTreeMap<String, (usize, usize, usize)>,
}

fn base(l: &str) -> &str {
    l.split(':').next().unwrap_or(l)
}

impl Counts {
    fn add(&mut self, g: &GoldSentence, words: &[Word], text: &str) {
        self.words += g.form.len();
        for i in 0..g.form.len() {
            let gl = base(&g.rel[i]).to_string();
            self.labels.entry(gl.clone()).or_default().2 += 1;
            let Some(w) = words.get(i) else { continue };
            let pl = w.base_rel().to_string();
            let head_ok = w.head as usize == g.head[i];
            let e = self.labels.entry(pl.clone()).or_default();
            e.1 += 1;
            if head_ok && pl == gl {
                e.0 += 1;
            }
            self.uas += usize::from(head_ok);
            self.las += usize::from(head_ok && pl == gl);
            self.las_full += usize::from(head_ok && w.rel == g.rel[i].as_str());
            self.upos += usize::from(w.upos == g.upos[i].as_str());
            self.lemma += usize::from(w.lemma(text) == g.lemma[i]);
        }
    }

    fn finish(self, model: String, sentences: usize, rate: f64) -> ParseEvaluation {
        let n = self.words.max(1) as f64;
        let per_label = self
            .labels
            .into_iter()
            .map(|(l, (ok, pred, gold))| (l, Score::from_counts(ok, pred, gold)))
            .collect();
        ParseEvaluation {
            model,
            sentences,
            words: self.words,
            uas: self.uas as f64 / n,
            las: self.las as f64 / n,
            las_full: self.las_full as f64 / n,
            upos: self.upos as f64 / n,
            lemma: self.lemma as f64 / n,
            per_label,
            sentences_per_second: rate,
        }
    }
}
