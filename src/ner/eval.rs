//! Entity-level evaluation on CoNLL files: exact span and type, the CoNLL convention.
use super::{word_tags, NerModel, Tokenized};
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One CoNLL sentence: its words and their IOB tags.
pub type Sentence = (Vec<String>, Vec<String>);

/// Sentences of (words, IOB tags) from a CoNLL-2003 style file (token ... tag per line).
pub fn read_conll(path: &Path) -> Result<Vec<Sentence>> {
    Ok(read_conll_docs(path)?.0)
}

/// [`read_conll`] and the index of each document's first sentence: a `-DOCSTART-` line opens a
/// document (a file without them is one document).
pub fn read_conll_docs(path: &Path) -> Result<(Vec<Sentence>, Vec<usize>)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    let mut starts = vec![0];
    let (mut words, mut tags) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            if !words.is_empty() {
                out.push((std::mem::take(&mut words), std::mem::take(&mut tags)));
            }
            continue;
        }
        if cols[0] == "-DOCSTART-" {
            if !words.is_empty() {
                out.push((std::mem::take(&mut words), std::mem::take(&mut tags)));
            }
            if starts.last() != Some(&out.len()) {
                starts.push(out.len());
            }
            continue;
        }
        if cols.len() < 2 {
            return Err(Error::input(
                path,
                format!("line {}: expected `token ... tag`", i + 1),
            ));
        }
        words.push(cols[0].to_string());
        tags.push(cols[cols.len() - 1].to_string());
    }
    if !words.is_empty() {
        out.push((words, tags));
    }
    starts.retain(|&s| s < out.len());
    Ok((out, starts))
}

/// Entity spans (first word, end word, type) of an IOB tag sequence.
pub fn spans(tags: &[String]) -> BTreeSet<(usize, usize, String)> {
    let mut out = BTreeSet::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, t) in tags.iter().map(String::as_str).chain(["O"]).enumerate() {
        let (prefix, kind) = t.split_once('-').unwrap_or(("O", ""));
        let continues = prefix == "I" && cur.as_ref().is_some_and(|c| c.1 == kind);
        if !continues {
            if let Some((s, k)) = cur.take() {
                out.insert((s, i, k));
            }
            if prefix != "O" && t != "O" {
                cur = Some((i, kind.to_string()));
            }
        }
    }
    out
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Score {
    /// Precision, recall and F1 of `correct` hits among `predicted`, of `support` gold items.
    pub fn from_counts(correct: usize, predicted: usize, support: usize) -> Score {
        let p = if predicted > 0 {
            correct as f64 / predicted as f64
        } else {
            0.0
        };
        let r = if support > 0 {
            correct as f64 / support as f64
        } else {
            0.0
        };
        Score {
            precision: p,
            recall: r,
            f1: if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            },
            support,
            predicted,
            correct,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub per_type: BTreeMap<String, Score>,
    pub sentences: usize,
    pub model: String,
    pub seconds: f64,
    pub sentences_per_second: f64,
    /// How the words were cased.
    pub case: Case,
    /// The predicted label of every word, sentence after sentence (`eval-ner --predictions`).
    #[serde(skip)]
    pub predictions: Vec<Vec<String>>,
}

/// How the words of the evaluation file are cased before tagging (the gold tags stay).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Case {
    /// As written.
    #[default]
    Asis,
    /// Upper case, like all-caps headlines and wire slugs.
    Upper,
    /// Lower case, like social media copy.
    Lower,
}

impl Case {
    fn apply(self, w: &str) -> String {
        match self {
            Case::Asis => w.to_string(),
            Case::Upper => w.to_uppercase(),
            Case::Lower => w.to_lowercase(),
        }
    }
}

/// Evaluate `model` on a CoNLL file.
pub fn evaluate(model: &NerModel, path: &Path, progress: impl FnMut(usize)) -> Result<Evaluation> {
    evaluate_cased(model, path, Case::Asis, progress)
}

/// Evaluate `model` on a CoNLL file whose words are first cased as `case` says.
pub fn evaluate_cased(
    model: &NerModel,
    path: &Path,
    case: Case,
    progress: impl FnMut(usize),
) -> Result<Evaluation> {
    let t = std::time::Instant::now();
    let (mut data, doc_starts) = read_conll_docs(path)?;
    for (words, _) in data.iter_mut() {
        for w in words.iter_mut() {
            *w = case.apply(w);
        }
    }
    let toks: Vec<(Tokenized, Vec<Option<usize>>)> = data
        .iter()
        .map(|(w, _)| {
            model
                .tokenizer
                .tokenize_words(&w.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect();
    let inputs: Vec<Tokenized> = toks.iter().map(|(t, _)| t.clone()).collect();
    // Each document's sentences in order, as the text they were cut from, so a model trained
    // with context reads each with its neighbours.
    let mut progress = progress;
    let mut pieces = Vec::with_capacity(inputs.len());
    for (k, &a) in doc_starts.iter().enumerate() {
        let b = doc_starts.get(k + 1).copied().unwrap_or(inputs.len());
        let mut tags = model.predict_sentences(&inputs[a..b], &mut progress)?;
        if model.consistency {
            let doc = &inputs[a..b];
            super::consistency::harmonize_texts(
                doc,
                &mut tags,
                std::slice::from_ref(&(0..doc.len())),
                &model.labels,
            );
        }
        pieces.extend(tags);
    }
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut predictions = Vec::with_capacity(data.len());
    for (((_, gold), (tok, firsts)), pcs) in data.iter().zip(&toks).zip(&pieces) {
        let wt = word_tags(tok, pcs, &model.labels);
        // Predicted label per CoNLL word: the tag of the first tokenizer word inside it.
        let pred: Vec<String> = firsts
            .iter()
            .map(|f| {
                f.map(|k| {
                    model
                        .labels
                        .get(wt[k].label as usize)
                        .cloned()
                        .unwrap_or_else(|| "O".into())
                })
                .unwrap_or_else(|| "O".into())
            })
            .collect();
        let (g, p) = (spans(gold), spans(&pred));
        predictions.push(pred);
        for s in &g {
            counts.entry(s.2.clone()).or_default().2 += 1;
        }
        for s in &p {
            let c = counts.entry(s.2.clone()).or_default();
            c.1 += 1;
            if g.contains(s) {
                c.0 += 1;
            }
        }
    }
    let per_type: BTreeMap<String, Score> = counts
        .iter()
        .map(|(k, &(c, p, s))| (k.clone(), Score::from_counts(c, p, s)))
        .collect();
    let (c, p, s) = counts
        .values()
        .fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2));
    let total = Score::from_counts(c, p, s);
    let seconds = t.elapsed().as_secs_f64();
    Ok(Evaluation {
        precision: total.precision,
        recall: total.recall,
        f1: total.f1,
        per_type,
        sentences: data.len(),
        model: model.label(),
        seconds,
        sentences_per_second: data.len() as f64 / seconds.max(1e-9),
        case,
        predictions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docstart_lines_open_documents() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("d.txt");
        std::fs::write(
            &p,
            "-DOCSTART- O\n\nA B-ORG\n\nb O\n-DOCSTART- O\nc O\n\n-DOCSTART- O\n\n",
        )
        .unwrap();
        let (sents, starts) = read_conll_docs(&p).unwrap();
        assert_eq!(sents.len(), 3);
        assert_eq!(starts, vec![0, 2]);
        std::fs::write(&p, "A B-ORG\n\nb O\n").unwrap();
        assert_eq!(read_conll_docs(&p).unwrap().1, vec![0]);
    }

    #[test]
    fn spans_follow_iob2_and_stray_i() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let s = spans(&t(&["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "B-LOC"]));
        let want: BTreeSet<(usize, usize, String)> = [
            (0, 2, "PER".to_string()),
            (3, 4, "LOC".into()),
            (4, 5, "LOC".into()),
            (5, 6, "LOC".into()),
        ]
        .into_iter()
        .collect();
        assert_eq!(s, want);
    }
}
