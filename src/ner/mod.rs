//! Named-entity recognition with a rust-bert token-classification model on tch/libtorch.
//!
//! The only place that talks to rust-bert and converts its offsets. A text is split into
//! wordpieces by rust-tokenizers (its char offsets become byte offsets here); the model labels
//! every piece; a *word* takes the label of its first piece; words aggregate into entity spans by
//! their BIO (or BIOES) prefixes; a span's score is the mean probability of its words.
//!
//! Inputs longer than the window are cut into overlapping windows, and each word takes its label
//! from the window where it sits farthest from an edge. Windows of all inputs are sorted by
//! length and batched, so a batch holds inputs of similar length (little padding).
pub mod consistency;
pub mod eval;
pub mod hub;
mod model;

pub use model::{
    onnxruntime_library, write_random_model, write_random_model_with, Backend, ModelKind, NerModel,
};

use crate::doc::{Document, EntityType, Mention};
use rust_tokenizers::tokenizer::{BertTokenizer, Tokenizer};
use rust_tokenizers::vocab::Vocab;
use rust_tokenizers::Mask;
use std::collections::HashSet;
use std::ops::Range;

/// Wordpieces of one input text, grouped into words.
#[derive(Debug, Clone, Default)]
pub struct Tokenized {
    /// Wordpiece strings (no special tokens).
    pub tokens: Vec<String>,
    pub ids: Vec<i64>,
    /// Byte range of each word in the input text.
    pub words: Vec<Range<usize>>,
    /// Index of each word's first piece in `ids`.
    pub word_first: Vec<usize>,
    /// For a model with a syntax head: the piece (index in `ids`) each parser word is read
    /// on ([`crate::syntax::attach`]); empty when the input is not to be parsed.
    pub heads: Vec<usize>,
}

/// Tokenizer half of a model: thread-safe, so rayon can tokenize while the model is busy.
pub struct NerTokenizer {
    pub(crate) inner: BertTokenizer,
    pub(crate) max_pieces_per_word: usize,
    /// Lower-case sentences written in capitals before tagging ([`fold_shouting`]).
    pub fold_caps: bool,
}

/// Capital letters a sentence needs before it counts as written in capitals.
const SHOUTING_MIN_CAPITALS: usize = 8;

/// A sentence written in capitals (a headline, a wire slug: "BAHIA COCOA REVIEW"), lower-cased
/// letter by letter with every byte offset kept, or `None` when the text is not written in
/// capitals (fewer than 8 capitals, or more than one lower-case letter in ten cased ones).
/// A cased model reads capitals as rare word pieces and misses most names in them; the same
/// sentence in lower case keeps most of them (see the model card's upper-cased dev figures).
/// A letter whose lower case has another UTF-8 length stays as it is.
pub fn fold_shouting(text: &str) -> Option<String> {
    let upper = text.chars().filter(|c| c.is_uppercase()).count();
    let lower = text.chars().filter(|c| c.is_lowercase()).count();
    if upper < SHOUTING_MIN_CAPITALS || lower * 10 > upper + lower {
        return None;
    }
    Some(
        text.chars()
            .map(|c| {
                let mut l = c.to_lowercase();
                match (l.next(), l.next()) {
                    (Some(x), None) if x.len_utf8() == c.len_utf8() => x,
                    _ => c,
                }
            })
            .collect(),
    )
}

impl NerTokenizer {
    /// Tokenize one sentence for the model: [`tokenize`](Self::tokenize) of the sentence, or
    /// of its lower-cased copy where it is written in capitals and the model folds them. Word
    /// ranges are byte ranges of `text` either way.
    pub fn tokenize_sentence(&self, text: &str) -> Tokenized {
        match self.fold_caps.then(|| fold_shouting(text)).flatten() {
            Some(folded) => self.tokenize(&folded),
            None => self.tokenize(text),
        }
    }

    /// Tokenize `text`. Words are the tokenizer's pre-tokens: runs of letters and digits, each
    /// punctuation mark, each CJK character.
    pub fn tokenize(&self, text: &str) -> Tokenized {
        let t = self.inner.tokenize_with_offsets(text);
        // Char index -> byte index of `text`.
        let mut char_to_byte: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        char_to_byte.push(text.len());
        let mut out = Tokenized::default();
        let mut pieces_in_word = 0usize;
        for ((tok, off), mask) in t.tokens.into_iter().zip(t.offsets).zip(t.masks) {
            let Some(off) = off else { continue };
            let (b0, b1) = (
                char_to_byte[(off.begin as usize).min(char_to_byte.len() - 1)],
                char_to_byte[(off.end as usize).min(char_to_byte.len() - 1)],
            );
            let continues = mask == Mask::Continuation && !out.words.is_empty();
            if continues {
                pieces_in_word += 1;
                if pieces_in_word >= self.max_pieces_per_word {
                    // Very long words (URLs, hashes): keep the word's extent, drop extra pieces.
                    if let Some(w) = out.words.last_mut() {
                        w.end = b1;
                    }
                    continue;
                }
                if let Some(w) = out.words.last_mut() {
                    w.end = b1;
                }
            } else {
                pieces_in_word = 0;
                out.word_first.push(out.ids.len());
                out.words.push(b0..b1);
            }
            out.ids.push(self.inner.vocab().token_to_id(&tok));
            out.tokens.push(tok);
        }
        out
    }

    /// Tokenize pre-split words (CoNLL evaluation) as the sentence they make: words joined by
    /// single spaces, and each given word maps to the first piece inside it.
    pub fn tokenize_words(&self, words: &[&str]) -> (Tokenized, Vec<Option<usize>>) {
        let text = words.join(" ");
        let tok = self.tokenize_sentence(&text);
        let mut firsts = Vec::with_capacity(words.len());
        let mut pos = 0usize;
        let mut k = 0usize;
        for w in words {
            let r = pos..pos + w.len();
            while k < tok.words.len() && tok.words[k].start < r.start {
                k += 1;
            }
            firsts.push((k < tok.words.len() && tok.words[k].start < r.end).then_some(k));
            pos = r.end + 1;
        }
        (tok, firsts)
    }
}

/// Label and probability of one wordpiece.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PieceTag {
    pub label: u16,
    pub prob: f32,
}

impl PieceTag {
    /// The most probable label of a distribution (the first best on ties, as torch's max).
    fn best(dist: &[f32]) -> PieceTag {
        let (mut label, mut prob) = (0usize, f32::NEG_INFINITY);
        for (i, &p) in dist.iter().enumerate() {
            if p > prob {
                (label, prob) = (i, p);
            }
        }
        PieceTag {
            label: label as u16,
            prob,
        }
    }
}

/// The model's reading of one input: the best label of every piece and, when the model gave
/// them, the probability of every label for every piece (`probs`, piece after piece, `labels`
/// values each), which [`word_tags`] decodes into a valid label sequence. Reads as the slice
/// of best labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tagged {
    pub pieces: Vec<PieceTag>,
    pub probs: Vec<f32>,
    pub labels: usize,
    /// The syntax head's reading of the input's parser words, when it was asked for and the
    /// input fit one window.
    pub syntax: Option<Box<crate::syntax::RawParse>>,
}

impl Tagged {
    /// A reading from every label's probability for each piece (`labels` values a piece), with
    /// each piece's best label (the first best on ties, as torch's max).
    pub fn from_probs(probs: Vec<f32>, labels: usize) -> Tagged {
        let pieces = probs.chunks(labels.max(1)).map(PieceTag::best).collect();
        Tagged {
            pieces,
            probs,
            labels,
            syntax: None,
        }
    }

    /// Best labels only (nothing to decode with).
    pub fn best_only(pieces: Vec<PieceTag>) -> Tagged {
        Tagged {
            pieces,
            probs: Vec::new(),
            labels: 0,
            syntax: None,
        }
    }

    /// The probabilities of every label for piece `p`, when the model gave them.
    pub fn dist(&self, p: usize) -> Option<&[f32]> {
        let n = self.labels;
        (n > 0)
            .then(|| self.probs.get(p * n..(p + 1) * n))
            .flatten()
    }

    /// Move piece `p`'s distribution towards label `want` (`weight` of 1 makes it certain),
    /// and its best label with it. Nothing happens when the model gave no distribution.
    pub fn pull(&mut self, p: usize, want: usize, weight: f32) {
        let n = self.labels;
        let Some(dist) = (n > 0)
            .then(|| self.probs.get_mut(p * n..(p + 1) * n))
            .flatten()
        else {
            return;
        };
        for (l, v) in dist.iter_mut().enumerate() {
            let target = if l == want { 1.0 } else { 0.0 };
            *v = (1.0 - weight) * *v + weight * target;
        }
        let best = PieceTag::best(dist);
        if let Some(piece) = self.pieces.get_mut(p) {
            *piece = best;
        }
    }

    /// Pieces `range` of this reading (a sentence out of a stream).
    pub fn slice(&self, range: Range<usize>) -> Tagged {
        let n = self.labels;
        Tagged {
            pieces: self.pieces[range.clone()].to_vec(),
            probs: if self.probs.is_empty() {
                Vec::new()
            } else {
                self.probs[range.start * n..range.end * n].to_vec()
            },
            labels: n,
            syntax: None,
        }
    }
}

impl<'a> IntoIterator for &'a Tagged {
    type Item = &'a PieceTag;
    type IntoIter = std::slice::Iter<'a, PieceTag>;
    fn into_iter(self) -> Self::IntoIter {
        self.pieces.iter()
    }
}

impl std::ops::Deref for Tagged {
    type Target = [PieceTag];
    fn deref(&self) -> &[PieceTag] {
        &self.pieces
    }
}

/// An entity span over an input text.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitySpan {
    /// Byte range in the input text.
    pub range: Range<usize>,
    pub etype: EntityType,
    pub score: f32,
}

impl EntitySpan {
    /// The mention this span of sentence `sentence` makes in its document, whose view holds the
    /// sentence from byte `base` (not yet resolved to an entity).
    pub fn mention(self, base: usize, sentence: usize) -> Mention {
        Mention {
            range: base + self.range.start..base + self.range.end,
            sentence,
            etype: self.etype,
            score: self.score,
            entity: None,
            surface: None,
        }
    }
}

/// Splits a label such as `B-PER` into its prefix and entity type.
pub fn parse_label(label: &str) -> (char, Option<EntityType>) {
    match label.split_once('-') {
        Some((p, t)) if p.len() == 1 => (p.chars().next().unwrap_or('I'), EntityType::from_tag(t)),
        _ => ('I', EntityType::from_tag(label)),
    }
}

/// Word-level labels: each word takes its first piece's tag. Where the model gave every
/// label's probability and its labels are IOB2 (`O`, `B-X`, `I-X`), the words' labels are
/// instead the most probable sequence that IOB2 allows (Viterbi over the first pieces'
/// probabilities): an `I-X` only follows `B-X` or `I-X`, so "B-ORG I-LOC" or an `I-` after `O`
/// cannot come out. On CoNLL-2003 dev this is worth about 0.4 points of F1 over each word's
/// own best label.
pub fn word_tags(tok: &Tokenized, tagged: &Tagged, labels: &[String]) -> Vec<PieceTag> {
    let dists: Option<Vec<&[f32]>> = tok.word_first.iter().map(|&p| tagged.dist(p)).collect();
    match (dists, Iob2::of(labels)) {
        (Some(d), Some(iob)) if !d.is_empty() && d.iter().all(|x| x.len() == labels.len()) => iob
            .decode(&d)
            .into_iter()
            .zip(&d)
            .map(|(l, x)| PieceTag {
                label: l as u16,
                prob: x[l],
            })
            .collect(),
        _ => tok.word_first.iter().map(|&p| tagged[p]).collect(),
    }
}

/// The transitions an IOB2 label set allows, for constrained decoding.
struct Iob2 {
    /// `allowed[a * n + b]`: label `b` may follow label `a`.
    allowed: Vec<bool>,
    /// Labels a sequence may open with (not `I-`).
    start: Vec<bool>,
}

impl Iob2 {
    /// `None` unless every label is `O`, `B-X` or `I-X`.
    fn of(labels: &[String]) -> Option<Iob2> {
        let parsed: Vec<(char, &str)> = labels
            .iter()
            .map(|l| match l.split_once('-') {
                Some((p @ ("B" | "I"), t)) => Some((p.chars().next().unwrap_or('B'), t)),
                None if l == "O" => Some(('O', "")),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let n = labels.len();
        let mut allowed = vec![true; n * n];
        for (a, &(pa, ta)) in parsed.iter().enumerate() {
            for (b, &(pb, tb)) in parsed.iter().enumerate() {
                allowed[a * n + b] = pb != 'I' || (pa != 'O' && ta == tb);
            }
        }
        let start = parsed.iter().map(|&(p, _)| p != 'I').collect();
        Some(Iob2 { allowed, start })
    }

    /// The allowed label sequence with the highest product of probabilities (the first such
    /// label on ties, so the result is deterministic).
    fn decode(&self, dists: &[&[f32]]) -> Vec<usize> {
        let n = self.start.len();
        let ln = |p: f32| (p.max(1e-30) as f64).ln();
        let mut score: Vec<f64> = (0..n)
            .map(|b| {
                if self.start[b] {
                    ln(dists[0][b])
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let mut back: Vec<Vec<usize>> = Vec::with_capacity(dists.len());
        for d in &dists[1..] {
            let mut next = vec![f64::NEG_INFINITY; n];
            let mut from = vec![0usize; n];
            for b in 0..n {
                for (a, &s) in score.iter().enumerate() {
                    if self.allowed[a * n + b] && s > next[b] {
                        (next[b], from[b]) = (s, a);
                    }
                }
                next[b] += ln(d[b]);
            }
            back.push(from);
            score = next;
        }
        let mut last = 0;
        for b in 1..n {
            if score[b] > score[last] {
                last = b;
            }
        }
        let mut path = vec![last; dists.len()];
        for (t, from) in back.iter().enumerate().rev() {
            path[t] = from[path[t + 1]];
        }
        path
    }
}

/// Words a span does not start with.
const SPAN_OPENERS_DROPPED: &[&str] = &["(", "\"", "\u{201c}", "'", ",", "-"];
/// Words a span does not end with (a ")" only when the span opens no bracket).
const SPAN_CLOSERS_DROPPED: &[&str] = &[
    "\"", "\u{201d}", "'", ",", ";", ":", "-", "of", "the", "and", "for", "in", "on", "at", "to",
    "a", "an",
];

/// Aggregate word tags into entity spans (BIO or BIOES; a stray I- opens an entity).
pub fn aggregate(
    tok: &Tokenized,
    words: &[PieceTag],
    labels: &[String],
    text: &str,
) -> Vec<EntitySpan> {
    let mut out = Vec::new();
    let mut cur: Option<(EntityType, usize, usize, f32, usize)> = None; // type, first word, last word, prob sum, n
    let close = |cur: &mut Option<(EntityType, usize, usize, f32, usize)>,
                 out: &mut Vec<EntitySpan>| {
        if let Some((t, mut a, mut b, sum, n)) = cur.take() {
            // Punctuation and function words at the edges are not part of a name: "CPC)" is
            // "CPC" ("Communist Party of China (CPC)" keeps its bracket), "Standing Committee
            // of" is "Standing Committee".
            let word = |w: usize| &text[tok.words[w].clone()];
            let brackets = |a: usize, b: usize| (a..=b).filter(|&w| word(w) == "(").count();
            while a < b && SPAN_OPENERS_DROPPED.contains(&word(a)) {
                a += 1;
            }
            while a < b
                && (SPAN_CLOSERS_DROPPED.contains(&word(b))
                    || word(b) == ")" && brackets(a, b) == 0)
            {
                b -= 1;
            }
            let range = tok.words[a].start..tok.words[b].end;
            if text[range.clone()].chars().any(|c| c.is_alphanumeric()) {
                out.push(EntitySpan {
                    range,
                    etype: t,
                    score: sum / n as f32,
                });
            }
        }
    };
    let label_of = |w: usize| {
        parse_label(
            labels
                .get(words[w].label as usize)
                .map(String::as_str)
                .unwrap_or("O"),
        )
    };
    for (w, tag) in words.iter().enumerate() {
        let (prefix, etype) = label_of(w);
        // A period, hyphen or apostrophe glued to an entity word ("M." in "Valeriy M. Matsel")
        // does not break the entity when the next word continues it.
        if etype.is_none() && w > 0 && w + 1 < words.len() {
            if let Some(t) = cur.as_ref().map(|c| c.0) {
                let glued = tok.words[w].start == tok.words[w - 1].end;
                let punct = matches!(&text[tok.words[w].clone()], "." | "-" | "'" | "\u{2019}");
                let (np, nt) = label_of(w + 1);
                if glued && punct && nt == Some(t) && matches!(np, 'I' | 'E' | 'L') {
                    if let Some(c) = cur.as_mut() {
                        c.2 = w;
                    }
                    continue;
                }
            }
        }
        match etype {
            None => close(&mut cur, &mut out),
            Some(t) => {
                // Two person spans side by side ("Valeriy" "M. Matsel") are one name.
                let adjacent_person = t == EntityType::Person
                    && cur.as_ref().is_some_and(|c| {
                        c.0 == t && &text[tok.words[c.2].end..tok.words[w].start] == " "
                    });
                let extends = (matches!(prefix, 'I' | 'E' | 'L') || adjacent_person)
                    && cur.as_ref().is_some_and(|c| c.0 == t);
                if extends {
                    if let Some(c) = cur.as_mut() {
                        c.2 = w;
                        c.3 += tag.prob;
                        c.4 += 1;
                    }
                } else {
                    close(&mut cur, &mut out);
                    cur = Some((t, w, w, tag.prob, 1));
                }
                if matches!(prefix, 'E' | 'L' | 'S' | 'U') {
                    close(&mut cur, &mut out);
                }
            }
        }
    }
    close(&mut cur, &mut out);
    out
}

/// Capitalised words that begin place names and that the model, trained on 1990s Reuters, often
/// leaves out of a location at the start of a sentence ("Port Ellis handled...").
const PLACE_HEADS: &[&str] = &[
    "Port", "Fort", "Lake", "Mount", "Cape", "Saint", "St.", "San", "Santa", "Puerto", "Porto",
    "Bay",
];

fn span_text_is_upper(s: &str) -> bool {
    s.chars().any(char::is_alphabetic) && !s.chars().any(char::is_lowercase)
}

/// Extend a location span over an adjacent place-name head word before it ("Ellis" -> "Port
/// Ellis").
pub fn extend_place_name(mut span: EntitySpan, text: &str) -> EntitySpan {
    if span.etype != EntityType::Location {
        return span;
    }
    let before = &text[..span.range.start];
    if let Some(prefix) = before.strip_suffix(' ') {
        let word_start = prefix
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let head = &prefix[word_start..];
        // "PORT ELLIS" in a dateline as well as "Port Ellis".
        let upper_name = span_text_is_upper(&text[span.range.clone()]);
        if PLACE_HEADS
            .iter()
            .any(|h| *h == head || upper_name && h.to_uppercase() == head)
        {
            span.range.start = word_start;
        }
    }
    span
}

/// The entity spans of one tokenized text from its piece tags: word tags, BIO aggregation, then
/// the place-name rule. Every caller (the pipeline, `newsgraph ner`) goes through here.
pub fn spans(tok: &Tokenized, tagged: &Tagged, labels: &[String], text: &str) -> Vec<EntitySpan> {
    let words = word_tags(tok, tagged, labels);
    let mut out: Vec<EntitySpan> = Vec::new();
    for span in aggregate(tok, &words, labels, text) {
        let ext = extend_place_name(span.clone(), text);
        let overlaps = out.last().is_some_and(|p| p.range.end > ext.range.start);
        match out.last_mut() {
            // The head word was tagged on its own ("Port" ORG, "Ellis" LOC): one place.
            Some(prev) if overlaps && prev.range.start >= ext.range.start => {
                *prev = EntitySpan {
                    score: (prev.score + ext.score) / 2.0,
                    ..ext
                };
            }
            _ if overlaps => out.push(span),
            _ => out.push(ext),
        }
    }
    // An organisation "of" an organisation is one name: "Standing Committee" "of the"
    // "Political Bureau" -> "Standing Committee of the Political Bureau".
    let mut merged: Vec<EntitySpan> = Vec::with_capacity(out.len());
    for span in out {
        if let Some(prev) = merged.last_mut() {
            let gap = text.get(prev.range.end..span.range.start).unwrap_or("");
            if prev.etype == EntityType::Organization
                && span.etype == EntityType::Organization
                && matches!(gap, " of " | " of the ")
            {
                prev.range.end = span.range.end;
                prev.score = (prev.score + span.score) / 2.0;
                continue;
            }
        }
        merged.push(span);
    }
    merged
}

/// How a corpus writes its words: which appear in lower case, and which are capitalised
/// somewhere other than at the start of a sentence.
#[derive(Debug, Default)]
pub struct WordCase {
    lower: HashSet<String>,
    capitalised_inside: HashSet<String>,
}

/// Byte offset of the first letter or digit of each sentence of `doc`.
fn sentence_starts(doc: &Document) -> HashSet<usize> {
    let text = &doc.view.text;
    doc.sentences
        .iter()
        .filter_map(|s| {
            text[s.range.start..]
                .char_indices()
                .find(|(_, c)| c.is_alphanumeric())
                .map(|(i, _)| s.range.start + i)
        })
        .collect()
}

impl WordCase {
    pub fn of(docs: &[Document]) -> WordCase {
        let mut out = WordCase::default();
        for doc in docs {
            let text = &doc.view.text;
            let starts = sentence_starts(doc);
            let mut word_start = None;
            for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
                match (word_start, c.is_alphanumeric()) {
                    (None, true) => word_start = Some(i),
                    (Some(a), false) => {
                        let w = &text[a..i];
                        if w.chars().next().is_some_and(char::is_lowercase) {
                            if !out.lower.contains(w) {
                                out.lower.insert(w.to_string());
                            }
                        } else if !starts.contains(&a) {
                            out.capitalised_inside.insert(w.to_lowercase());
                        }
                        word_start = None;
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// For each mention of `doc`: whether it is a lone capitalised word opening a sentence that the
/// corpus otherwise writes in lower case and never capitalises mid-sentence ("Countries have
/// the right ..." beside "other countries"): a common noun, not a name.
pub fn sentence_initial_common_nouns(doc: &Document, case: &WordCase) -> Vec<bool> {
    let starts = sentence_starts(doc);
    doc.mentions
        .iter()
        .map(|m| {
            let s = doc.slice(&m.range);
            let mut cs = s.chars();
            let shaped = cs.next().is_some_and(char::is_uppercase)
                && cs.clone().next().is_some()
                && cs.all(char::is_lowercase);
            shaped && starts.contains(&m.range.start) && {
                let l = s.to_lowercase();
                case.lower.contains(&l) && !case.capitalised_inside.contains(&l)
            }
        })
        .collect()
}

/// One model window: a slice of an input's pieces.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    pub input: usize,
    pub start: usize,
    pub end: usize,
}

/// Cut `n` pieces into windows of at most `size` with `overlap` pieces shared by neighbours.
pub(crate) fn windows(input: usize, n: usize, size: usize, overlap: usize) -> Vec<Window> {
    if n <= size {
        return vec![Window {
            input,
            start: 0,
            end: n,
        }];
    }
    let stride = size.saturating_sub(overlap).max(1);
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + size).min(n);
        out.push(Window { input, start, end });
        if end == n {
            break;
        }
        start += stride;
    }
    out
}

/// For piece `p`, the window (index into `ws`) in which it is farthest from an edge.
pub(crate) fn owner(ws: &[Window], p: usize) -> usize {
    ws.iter()
        .enumerate()
        .filter(|(_, w)| w.start <= p && p < w.end)
        .max_by_key(|(i, w)| {
            let left = p - w.start;
            let right = w.end - 1 - p;
            (left.min(right), usize::MAX - i)
        })
        .map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_overlap_and_cover() {
        let ws = windows(0, 10, 4, 2);
        assert_eq!(
            ws.iter().map(|w| (w.start, w.end)).collect::<Vec<_>>(),
            vec![(0, 4), (2, 6), (4, 8), (6, 10)]
        );
        // every piece owned by a window that contains it
        for p in 0..10 {
            let w = &ws[owner(&ws, p)];
            assert!(w.start <= p && p < w.end);
        }
        assert_eq!(owner(&ws, 3), 1);
        assert_eq!(windows(0, 3, 4, 2).len(), 1);
    }

    #[test]
    fn place_heads_join_locations() {
        let text = "Yesterday Port Ellis handled it, and\u{a0}the Ellis grew.";
        let span = |a: usize, b: usize| EntitySpan {
            range: a..b,
            etype: EntityType::Location,
            score: 0.9,
        };
        let at = text.find("Ellis").unwrap();
        assert_eq!(
            &text[extend_place_name(span(at, at + 5), text).range],
            "Port Ellis"
        );
        let at2 = text.rfind("Ellis").unwrap();
        assert_eq!(
            &text[extend_place_name(span(at2, at2 + 5), text).range],
            "Ellis"
        );
        let text = "PORT ELLIS, May 14 - but PORT Ellis is not a dateline";
        assert_eq!(
            &text[extend_place_name(span(5, 10), text).range],
            "PORT ELLIS"
        );
        let at3 = text.rfind("Ellis").unwrap();
        assert_eq!(
            &text[extend_place_name(span(at3, at3 + 5), text).range],
            "Ellis"
        );
    }

    /// Whitespace words of `text` as a tokenization with one piece per word.
    fn words_of(text: &str) -> Tokenized {
        let mut tok = Tokenized::default();
        let mut pos = 0;
        for w in text.split(' ') {
            tok.word_first.push(tok.words.len());
            tok.ids.push(0);
            tok.words.push(pos..pos + w.len());
            pos += w.len() + 1;
        }
        tok
    }

    #[test]
    fn a_head_word_tagged_apart_joins_its_place() {
        let labels: Vec<String> = ["O", "B-ORG", "B-LOC"].map(String::from).to_vec();
        let t = |label| PieceTag { label, prob: 0.8 };
        let text = "Port Ellis grew";
        let got = spans(
            &words_of(text),
            &Tagged::best_only(vec![t(1), t(2), t(0)]),
            &labels,
            text,
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(&text[got[0].range.clone()], "Port Ellis");
        assert_eq!(got[0].etype, EntityType::Location);
        // A longer span ending in the head word keeps its own extent; no overlap either way.
        let text = "Acme Port Ellis grew";
        let got = spans(
            &words_of(text),
            &Tagged::best_only(vec![t(1), t(0), t(2), t(0)]),
            &labels,
            text,
        );
        let got: Vec<&str> = got.iter().map(|s| &text[s.range.clone()]).collect();
        assert_eq!(got, ["Acme", "Port Ellis"]);
        let text = "Acme Port Ellis";
        let labels2: Vec<String> = ["O", "B-ORG", "I-ORG", "B-LOC"].map(String::from).to_vec();
        let got = spans(
            &words_of(text),
            &Tagged::best_only(vec![t(1), t(2), t(3)]),
            &labels2,
            text,
        );
        let got: Vec<&str> = got.iter().map(|s| &text[s.range.clone()]).collect();
        assert_eq!(got, ["Acme Port", "Ellis"]);
    }

    #[test]
    fn edge_punctuation_is_trimmed_unless_bracketed() {
        let labels: Vec<String> = ["O", "B-ORG", "I-ORG"].map(String::from).to_vec();
        // (text, one label a word, the first span expected)
        let cases: &[(&str, &[u16], &str)] = &[
            ("the ( CPC ) said", &[0, 0, 1, 2, 0], "CPC"),
            ("Party ( CPC ) said", &[1, 2, 2, 2, 0], "Party ( CPC )"),
            ("Bank of America said", &[1, 0, 1, 0], "Bank of America"),
            (
                "Standing Committee of the Bureau",
                &[1, 2, 2, 2, 0],
                "Standing Committee",
            ),
            ("\" Acme , said", &[1, 2, 2, 0], "Acme"),
        ];
        for (text, tags, want) in cases {
            let pieces: Vec<PieceTag> = tags
                .iter()
                .map(|&label| PieceTag { label, prob: 0.8 })
                .collect();
            let got = spans(&words_of(text), &Tagged::best_only(pieces), &labels, text);
            assert_eq!(&text[got[0].range.clone()], *want, "{text}");
        }
    }

    #[test]
    fn common_nouns_opening_sentences_are_found() {
        use crate::doc::test_doc;
        let d = test_doc(
            "Countries should talk. Many countries agree. China said so. Cyberspace grew. The \
             Cyberspace Administration spoke. Wuzhen hosted it.",
            &[
                ("Countries", EntityType::Location),
                ("China", EntityType::Location),
                ("Cyberspace", EntityType::Location),
                ("Wuzhen", EntityType::Location),
            ],
        );
        let case = WordCase::of(std::slice::from_ref(&d));
        // "Cyberspace" is a name elsewhere in the corpus ("The Cyberspace Administration").
        assert_eq!(
            sentence_initial_common_nouns(&d, &case),
            [true, false, false, false]
        );
    }

    #[test]
    fn sentences_in_capitals_fold_to_lower_case_offset_for_offset() {
        assert_eq!(
            fold_shouting("BAHIA COCOA REVIEW").as_deref(),
            Some("bahia cocoa review")
        );
        let s = "PRÉSIDENT ÇA VA À SÃO PAULO";
        let f = fold_shouting(s).unwrap();
        assert_eq!(f, "président ça va à são paulo");
        assert_eq!(f.len(), s.len());
        // One letter in ten may be lower case (a stray "McDONALD'S").
        assert!(fold_shouting("McDONALD'S OPENS IN MOSCOW").is_some());
        // Ordinary sentences, short lines and acronyms in normal text are left alone.
        assert_eq!(fold_shouting("PRESIDENT Xi Jinping spoke at NATO."), None);
        assert_eq!(fold_shouting("LONDON 1996-08-30"), None);
        assert_eq!(fold_shouting("The IMF and the WTO met in Geneva."), None);
        // A capital whose lower case is longer in UTF-8 (U+023A) stays, so offsets hold.
        let odd = "\u{23A}BCDEFGHIJ KLM";
        assert_eq!(fold_shouting(odd).unwrap().len(), odd.len());
    }

    #[test]
    fn word_labels_are_decoded_into_a_valid_iob2_sequence() {
        let labels: Vec<String> = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
            .map(String::from)
            .to_vec();
        let text = "Port Ellis said";
        let tok = words_of(text);
        // Best labels alone: B-PER I-LOC O, two entities of two types.
        let probs = [
            [0.05, 0.50, 0.00, 0.45, 0.00],
            [0.05, 0.00, 0.40, 0.00, 0.55],
            [0.90, 0.05, 0.00, 0.05, 0.00],
        ];
        let tagged = Tagged::from_probs(probs.iter().flatten().copied().collect(), 5);
        let words: Vec<u16> = word_tags(&tok, &tagged, &labels)
            .iter()
            .map(|t| t.label)
            .collect();
        // The best valid sequence: B-LOC I-LOC O (0.45 * 0.55 > 0.50 * 0.40).
        assert_eq!(words, vec![3, 4, 0]);
        let got = spans(&tok, &tagged, &labels, text);
        assert_eq!(got.len(), 1);
        assert_eq!(&text[got[0].range.clone()], "Port Ellis");
        // An I- cannot open the sequence either.
        let tagged = Tagged::from_probs(
            vec![
                0.25, 0.3, 0.45, 0.0, 0.0, 0.3, 0.0, 0.7, 0.0, 0.0, 0.9, 0.1, 0.0, 0.0, 0.0,
            ],
            5,
        );
        let words: Vec<u16> = word_tags(&tok, &tagged, &labels)
            .iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(words, vec![1, 2, 0]);
        // Without probabilities, or with labels that are not IOB2, each word keeps its best.
        let best = Tagged::best_only(tagged.pieces.clone());
        let words: Vec<u16> = word_tags(&tok, &best, &labels)
            .iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(words, vec![2, 2, 0]);
        let bioes: Vec<String> = ["O", "B-PER", "I-PER", "E-PER", "S-PER"]
            .map(String::from)
            .to_vec();
        let words: Vec<u16> = word_tags(&tok, &tagged, &bioes)
            .iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(words, vec![2, 2, 0]);
    }

    #[test]
    fn labels_parse() {
        assert_eq!(parse_label("B-PER"), ('B', Some(EntityType::Person)));
        assert_eq!(parse_label("I-ORG"), ('I', Some(EntityType::Organization)));
        assert_eq!(parse_label("O"), ('I', None));
        assert_eq!(parse_label("LOC"), ('I', Some(EntityType::Location)));
    }

    #[test]
    fn aggregation_follows_bio() {
        let labels: Vec<String> = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
            .map(String::from)
            .to_vec();
        let text = "Xi Jinping met Obama in New York";
        let mut tok = Tokenized::default();
        let mut pos = 0;
        for w in text.split(' ') {
            tok.word_first.push(tok.words.len());
            tok.words.push(pos..pos + w.len());
            pos += w.len() + 1;
        }
        let t = |label, prob| PieceTag { label, prob };
        let tags = vec![
            t(1, 0.9),
            t(2, 0.7),
            t(0, 0.9),
            t(1, 0.8),
            t(0, 0.99),
            t(3, 0.6),
            t(4, 0.8),
        ];
        let spans = aggregate(&tok, &tags, &labels, text);
        let got: Vec<(&str, EntityType)> = spans
            .iter()
            .map(|s| (&text[s.range.clone()], s.etype))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Xi Jinping", EntityType::Person),
                ("Obama", EntityType::Person),
                ("New York", EntityType::Location)
            ]
        );
        assert!((spans[0].score - 0.8).abs() < 1e-6);
    }
}
