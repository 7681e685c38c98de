//! Document-level consistency of entity types: a name the model tags with confidence somewhere
//! in a document gives its type to the places where the same name, its surname or its
//! initials occur and the model is unsure ("Jan Brewer" ... "Brewer", "General Motors" ...
//! "GM"). A news article names someone in full once and by surname after, and the short
//! mentions are where a model trained on 1996 news hesitates on the names of later years.
//!
//! It works on the label distributions of each word (before the constrained decoding of
//! [`word_tags`](super::word_tags)), so what comes out is still a valid label sequence, and a
//! word the model is sure about is never changed.

use super::{Iob2, Tagged, Tokenized};
use std::collections::HashMap;

/// A span whose every word has its label at this probability or more is a confident name.
pub const CONFIDENT: f32 = 0.95;
/// Weight of the document's type against the model's own distribution on an unsure word.
const PULL: f32 = 0.5;
/// Longest name (in words) looked for.
const MAX_WORDS: usize = 6;

/// One sentence of a document: its tokens and the model's reading of them.
pub struct Sentence<'a> {
    pub tok: &'a Tokenized,
    pub tagged: &'a mut Tagged,
}

/// [`harmonize`] each text of a batch of sentences: `texts` cuts `inputs` (and `tags`, one
/// reading per input) into runs of consecutive sentences of one document each.
pub fn harmonize_texts(
    inputs: &[Tokenized],
    tags: &mut [Tagged],
    texts: &[std::ops::Range<usize>],
    labels: &[String],
) {
    for r in texts {
        let mut doc: Vec<Sentence<'_>> = inputs[r.clone()]
            .iter()
            .zip(tags[r.clone()].iter_mut())
            .map(|(tok, tagged)| Sentence { tok, tagged })
            .collect();
        harmonize(&mut doc, labels);
    }
}

/// The words of a tokenized sentence, from its pieces ("##" continuations joined).
fn words(tok: &Tokenized) -> Vec<String> {
    let n = tok.word_first.len();
    (0..n)
        .map(|w| {
            let end = tok
                .word_first
                .get(w + 1)
                .copied()
                .unwrap_or(tok.tokens.len());
            tok.tokens
                .get(tok.word_first[w]..end)
                .unwrap_or(&[])
                .iter()
                .map(|p| p.strip_prefix("##").unwrap_or(p))
                .collect()
        })
        .collect()
}

fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Make the types of a document's names consistent (see the module). `labels` are the model's;
/// nothing changes unless they are IOB2 and every word has a distribution.
pub fn harmonize(doc: &mut [Sentence<'_>], labels: &[String]) {
    let Some(iob) = Iob2::of(labels) else { return };
    let types = Types::of(labels);
    let words: Vec<Vec<String>> = doc.iter().map(|s| words(s.tok)).collect();

    // Confident names, by their words, and the type each gives.
    let mut names: HashMap<Vec<String>, Option<usize>> = HashMap::new();
    let mut give = |key: Vec<String>, t: usize| {
        names
            .entry(key)
            .and_modify(|v| {
                if *v != Some(t) {
                    *v = None
                }
            })
            .or_insert(Some(t));
    };
    // Each sentence's decoded labels, and each word's probability of its label.
    let mut decoded = Vec::with_capacity(doc.len());
    for (s, ws) in doc.iter().zip(&words) {
        let dists: Option<Vec<&[f32]>> =
            s.tok.word_first.iter().map(|&p| s.tagged.dist(p)).collect();
        let Some(d) = dists.filter(|d| !d.is_empty() && d.len() == ws.len()) else {
            decoded.push(None);
            continue;
        };
        let path = iob.decode(&d);
        let sure: Vec<f32> = path.iter().zip(&d).map(|(&l, x)| x[l]).collect();
        for (a, b, t) in types.spans(&path) {
            if sure[a..b].iter().any(|&p| p < CONFIDENT) {
                continue;
            }
            give(ws[a..b].to_vec(), t);
            let capitals = ws[a..b].iter().all(|w| capitalised(w));
            if b - a >= 2 && capitals && Some(t) == types.person {
                give(vec![ws[b - 1].clone()], t);
            }
            if b - a >= 2 && capitals && Some(t) == types.organisation {
                let initials: String = ws[a..b].iter().filter_map(|w| w.chars().next()).collect();
                give(vec![initials], t);
            }
        }
        decoded.push(Some((sure, path)));
    }
    if names.values().all(Option::is_none) {
        return;
    }
    for ((s, ws), dec) in doc.iter_mut().zip(&words).zip(decoded) {
        let Some((sure, path)) = dec else { continue };
        let mut w = 0;
        while w < ws.len() {
            let found = (1..=MAX_WORDS.min(ws.len() - w)).rev().find_map(|n| {
                let key = &ws[w..w + n];
                key.iter()
                    .all(|x| capitalised(x))
                    .then(|| names.get(key).copied().flatten())
                    .flatten()
                    .map(|t| (n, t))
            });
            let Some((n, t)) = found else {
                w += 1;
                continue;
            };
            let (b, i) = types.labels[t];
            let agrees = path[w] == b
                && path[w + 1..w + n].iter().all(|&l| l == i)
                && path.get(w + n) != Some(&i);
            let unsure = sure[w..w + n].iter().any(|&p| p < CONFIDENT);
            // A part of a longer name the model read ("Mexico" in "Banco de Mexico", "England"
            // in "New England Patriots") keeps the longer name's type.
            let inside =
                types.continues(path[w]) || path.get(w + n).is_some_and(|&l| types.continues(l));
            if !agrees && unsure && !inside {
                for x in w..w + n {
                    let want = if x == w { b } else { i };
                    s.tagged.pull(s.tok.word_first[x], want, PULL);
                }
            }
            w += n;
        }
    }
}

/// The entity types of an IOB2 label set: each type's `B-` and `I-` label.
struct Types {
    labels: Vec<(usize, usize)>,
    /// Label index -> type index, for `B-` and `I-` labels.
    of_label: Vec<Option<usize>>,
    begins: Vec<bool>,
    person: Option<usize>,
    organisation: Option<usize>,
}

impl Types {
    fn of(labels: &[String]) -> Types {
        let mut names: Vec<&str> = Vec::new();
        let mut of_label = vec![None; labels.len()];
        let mut begins = vec![false; labels.len()];
        let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        for (k, l) in labels.iter().enumerate() {
            let Some((p, name)) = l.split_once('-') else {
                continue;
            };
            let t = names.iter().position(|n| *n == name).unwrap_or_else(|| {
                names.push(name);
                pairs.push((None, None));
                names.len() - 1
            });
            of_label[k] = Some(t);
            begins[k] = p == "B";
            if p == "B" {
                pairs[t].0 = Some(k);
            } else {
                pairs[t].1 = Some(k);
            }
        }
        // A type needs both labels to be given; one without them is never a name's type.
        let labels: Vec<(usize, usize)> = pairs
            .iter()
            .map(|&(b, i)| (b.unwrap_or(usize::MAX), i.unwrap_or(usize::MAX)))
            .collect();
        let find = |n: &str| {
            names
                .iter()
                .position(|x| *x == n)
                .filter(|&t| labels[t].0 != usize::MAX && labels[t].1 != usize::MAX)
        };
        Types {
            person: find("PER"),
            organisation: find("ORG"),
            labels,
            of_label,
            begins,
        }
    }

    /// Whether label `l` continues an entity (an `I-` label).
    fn continues(&self, l: usize) -> bool {
        self.of_label.get(l).copied().flatten().is_some() && !self.begins[l]
    }

    /// Entity spans `(first word, end, type)` of a decoded label path.
    fn spans(&self, path: &[usize]) -> Vec<(usize, usize, usize)> {
        let mut out: Vec<(usize, usize, usize)> = Vec::new();
        for (w, &l) in path.iter().enumerate() {
            match self.of_label.get(l).copied().flatten() {
                Some(t) if !self.begins[l] && out.last().is_some_and(|s| s.1 == w && s.2 == t) => {
                    if let Some(s) = out.last_mut() {
                        s.1 = w + 1;
                    }
                }
                Some(t) if self.labels[t].0 != usize::MAX => out.push((w, w + 1, t)),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: [&str; 9] = [
        "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC",
    ];

    /// A sentence of whole-word pieces, each with its label distribution.
    fn sentence(words: &[(&str, &[(usize, f32)])]) -> (Tokenized, Tagged) {
        let mut tok = Tokenized::default();
        let mut probs = Vec::new();
        for (k, (w, dist)) in words.iter().enumerate() {
            tok.tokens.push(w.to_string());
            tok.ids.push(k as i64);
            tok.word_first.push(k);
            let mut d = vec![0.0f32; LABELS.len()];
            let rest = 1.0 - dist.iter().map(|x| x.1).sum::<f32>();
            d[0] += rest.max(0.0);
            for &(l, p) in *dist {
                d[l] += p;
            }
            probs.extend(d);
        }
        (tok, Tagged::from_probs(probs, LABELS.len()))
    }

    fn labels_after(sentences: Vec<(Tokenized, Tagged)>) -> Vec<Vec<&'static str>> {
        let labels: Vec<String> = LABELS.iter().map(|s| s.to_string()).collect();
        let (toks, mut tags): (Vec<_>, Vec<_>) = sentences.into_iter().unzip();
        harmonize_texts(
            &toks,
            &mut tags,
            std::slice::from_ref(&(0..toks.len())),
            &labels,
        );
        toks.iter()
            .zip(&tags)
            .map(|(t, g)| {
                super::super::word_tags(t, g, &labels)
                    .iter()
                    .map(|p| LABELS[p.label as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_confident_name_types_its_unsure_surname_and_initials() {
        let out = labels_after(vec![
            sentence(&[
                ("Jan", &[(1, 0.99)]),
                ("Brewer", &[(2, 0.99)]),
                ("met", &[]),
                ("General", &[(5, 0.97)]),
                ("Motors", &[(6, 0.98)]),
            ]),
            // The model hesitates: "Brewer" an organisation, "GM" a place.
            sentence(&[
                ("Brewer", &[(5, 0.5), (1, 0.4)]),
                ("praised", &[]),
                ("GM", &[(3, 0.45), (5, 0.4)]),
            ]),
            // Sure of another reading: left alone.
            sentence(&[("Brewer", &[(3, 0.97)]), ("Street", &[(4, 0.97)])]),
        ]);
        assert_eq!(out[1], ["B-PER", "O", "B-ORG"]);
        assert_eq!(out[2], ["B-LOC", "I-LOC"]);
    }

    #[test]
    fn a_part_of_a_longer_name_keeps_that_name_s_type() {
        let out = labels_after(vec![
            sentence(&[("Mexico", &[(3, 0.99)]), ("grew", &[])]),
            sentence(&[
                ("Banco", &[(5, 0.9)]),
                ("de", &[(6, 0.8)]),
                ("Mexico", &[(6, 0.6), (3, 0.35)]),
                ("said", &[]),
            ]),
            sentence(&[("Mexico", &[(5, 0.5), (3, 0.45)]), ("said", &[])]),
        ]);
        assert_eq!(out[1], ["B-ORG", "I-ORG", "I-ORG", "O"]);
        assert_eq!(out[2], ["B-LOC", "O"]);
    }

    #[test]
    fn conflicting_confident_types_give_nothing() {
        let out = labels_after(vec![
            sentence(&[("Jordan", &[(1, 0.99)])]),
            sentence(&[("Jordan", &[(3, 0.99)])]),
            sentence(&[("Jordan", &[(5, 0.5), (1, 0.45)])]),
        ]);
        assert_eq!(out[2], ["B-ORG"]);
    }
}
