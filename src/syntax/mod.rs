//! The syntax layer: for every sentence, its words with a dependency head, a relation label
//! (Universal Dependencies), a part-of-speech tag (UPOS) and a lemma.
//!
//! The parse comes from the same encoder pass as NER (see [`crate::ner::NerModel`] and the
//! model card): a biaffine arc scorer gives every (dependent, head) pair a score, and
//! [`tree`] decodes the best single-rooted tree (Chu-Liu-Edmonds). Words are cut the way
//! Universal Dependencies' English treebanks cut them ([`words`]); each is read on its first
//! wordpiece.
//!
//! Rules read the layer through [`Parse`]: [`Parse::children`], [`Parse::path_to_root`],
//! [`Parse::word_at`].
use crate::ner::Tokenized;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;

pub mod conllu;
pub mod decode;
pub mod eval;
pub mod frame;
pub mod net;

pub use decode::tree;

/// A relation label or part-of-speech tag, interned: two bytes in a record held in memory,
/// the label itself in JSON. Labels come from the model's tables, so any label a model
/// knows is kept.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Label(u16);

/// The interned labels: by index, and the index of each.
type Interned = (Vec<&'static str>, HashMap<&'static str, u16>);

fn labels() -> &'static std::sync::RwLock<Interned> {
    static L: std::sync::OnceLock<std::sync::RwLock<Interned>> = std::sync::OnceLock::new();
    L.get_or_init(|| std::sync::RwLock::new((vec![""], HashMap::from([("", 0)]))))
}

impl Label {
    /// The label for `s` (interned on first use; at most 65,535 distinct labels, later ones
    /// read as the empty label).
    pub fn of(s: &str) -> Label {
        if let Some(&i) = labels()
            .read()
            .ok()
            .and_then(|l| l.1.get(s).copied())
            .as_ref()
        {
            return Label(i);
        }
        let Ok(mut l) = labels().write() else {
            return Label(0);
        };
        if let Some(&i) = l.1.get(s) {
            return Label(i);
        }
        let Ok(i) = u16::try_from(l.0.len()) else {
            return Label(0);
        };
        let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
        l.0.push(leaked);
        l.1.insert(leaked, i);
        Label(i)
    }

    pub fn as_str(self) -> &'static str {
        labels()
            .read()
            .ok()
            .and_then(|l| l.0.get(self.0 as usize).copied())
            .unwrap_or("")
    }
}

impl std::fmt::Debug for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, o: &&str) -> bool {
        self.as_str() == *o
    }
}

impl Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Label, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Label::of(&s))
    }
}

impl From<&str> for Label {
    fn from(s: &str) -> Label {
        Label::of(s)
    }
}

/// One word of a parsed sentence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// Byte range in the document's view.
    pub start: u32,
    pub end: u32,
    /// 0 for the root, else the 1-based index of the head word in the sentence.
    pub head: u32,
    /// Universal Dependencies relation to the head ("nsubj", "obl:tmod", "root").
    pub rel: Label,
    /// Universal part-of-speech tag ("NOUN", "VERB", "PROPN"...).
    pub upos: Label,
    /// The lemma ("say" for "said"); empty when it is the word as written (most words), so
    /// records stay small: read it with [`Parse::lemma`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lemma: String,
}

impl Word {
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The relation without its subtype: "obl" for "obl:tmod".
    pub fn base_rel(&self) -> &'static str {
        let r = self.rel.as_str();
        r.split(':').next().unwrap_or(r)
    }

    /// The lemma, given the text the word's range points into.
    pub fn lemma<'a>(&'a self, text: &'a str) -> &'a str {
        if self.lemma.is_empty() {
            text.get(self.range()).unwrap_or("")
        } else {
            &self.lemma
        }
    }
}

/// The parse of one sentence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Parse {
    /// Index of the sentence in the document.
    pub sentence: u32,
    pub words: Vec<Word>,
}

impl Parse {
    /// Indices (0-based) of the words whose head is word `i` (0-based), in order.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .filter(move |(_, w)| w.head as usize == i + 1)
            .map(|(k, _)| k)
    }

    /// The 0-based index of word `i`'s head, `None` at the root.
    pub fn head(&self, i: usize) -> Option<usize> {
        match self.words.get(i)?.head {
            0 => None,
            h => Some(h as usize - 1),
        }
    }

    /// Word `i`'s head, its head's head, and so on up to the root (at most one visit a word,
    /// so a malformed record cannot loop).
    pub fn path_to_root(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.head(i);
        while let Some(h) = at {
            if out.contains(&h) || out.len() > self.words.len() {
                break;
            }
            out.push(h);
            at = self.head(h);
        }
        out
    }

    /// The word whose byte range holds view byte `b`.
    pub fn word_at(&self, b: usize) -> Option<usize> {
        let k = self.words.partition_point(|w| (w.end as usize) <= b);
        (k < self.words.len() && (self.words[k].start as usize) <= b).then_some(k)
    }

    /// The first child of word `i` with relation `rel` (base relation or full label).
    pub fn child_with(&self, i: usize, rel: &str) -> Option<usize> {
        self.children(i)
            .find(|&c| self.words[c].rel == rel || self.words[c].base_rel() == rel)
    }

    /// The lemma of word `i`; `text` is the text its range points into (the view).
    pub fn lemma<'a>(&'a self, i: usize, text: &'a str) -> &'a str {
        self.words.get(i).map_or("", |w| w.lemma(text))
    }
}

/// Characters that a word keeps inside it between letters or digits.
fn joins_inside(c: char) -> bool {
    matches!(c, '.' | ',' | '\'' | '\u{2019}' | '&' | '_' | '@' | ':')
}

/// Clitics split off the end of a word, as the English UD treebanks split them ("do|n't",
/// "it|'s"). Either apostrophe.
const CLITICS: &[&str] = &["n't", "'s", "'re", "'ve", "'ll", "'d", "'m", "s'"];

fn clitic_at(word: &str) -> Option<usize> {
    let norm = word.replace('\u{2019}', "'");
    let lower = norm.to_lowercase();
    for c in CLITICS {
        if lower.len() > c.len() && lower.ends_with(c) {
            if *c == "s'" {
                // Plural possessive: "workers'" -> "workers" + "'".
                return Some(word.len() - word.chars().next_back().map_or(1, char::len_utf8));
            }
            // Byte position in `word` of the clitic: count chars from the end.
            let chars = c.chars().count();
            let at = word
                .char_indices()
                .rev()
                .nth(chars - 1)
                .map(|(i, _)| i)
                .unwrap_or(0);
            return (at > 0).then_some(at);
        }
    }
    None
}

/// The words of `text` as English Universal Dependencies cuts them, as byte ranges: runs
/// between spaces, with punctuation at either end split off ("(", "\"", ",", "."), hyphens
/// and slashes between parts split ("52-year-old" is five words), clitics split ("don't" ->
/// "do", "n't"), and kept together: numbers with inner points and commas ("1,000", "3.5"),
/// abbreviations ("U.S.", "Mr.", "p.m."), inner apostrophes ("O'Brien").
pub fn words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes_len = text.len();
    while i < bytes_len {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let end = rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(bytes_len, |(k, _)| i + k);
        chunk_words(text, i, end, &mut out);
        i = end;
    }
    out
}

/// Split one run without spaces, `text[start..end]`, into words.
fn chunk_words(text: &str, mut start: usize, mut end: usize, out: &mut Vec<Range<usize>>) {
    // Leading punctuation and symbols, one word each ("(", "\"", "$", "#").
    while start < end {
        let c = text[start..end].chars().next().unwrap_or(' ');
        if c.is_alphanumeric() {
            break;
        }
        out.push(start..start + c.len_utf8());
        start += c.len_utf8();
    }
    // Trailing punctuation, kept in reverse then pushed after the core.
    let mut tail = Vec::new();
    while end > start {
        let s = &text[start..end];
        let c = s.chars().next_back().unwrap_or(' ');
        if c.is_alphanumeric() {
            break;
        }
        if c == '.' && is_abbreviation(&s[..s.len() - 1]) {
            break;
        }
        if (c == '.' || c == '\u{2026}') && s.ends_with("...") {
            tail.push(end - 3..end);
            end -= 3;
            continue;
        }
        tail.push(end - c.len_utf8()..end);
        end -= c.len_utf8();
    }
    // The core: split at hyphens, slashes and dashes, and other symbols between parts.
    let core = &text[start..end];
    let mut part = start;
    let mut prev: Option<char> = None;
    let mut chars = core.char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        let at = start + k;
        let next = chars.peek().map(|&(_, n)| n);
        let inside = joins_inside(c)
            && prev.is_some_and(|p| p.is_alphanumeric())
            && next.is_some_and(|n| n.is_alphanumeric())
            || c == '.' && is_abbreviation(&text[part..at]);
        if !c.is_alphanumeric() && !inside {
            if at > part {
                push_with_clitic(text, part, at, out);
            }
            out.push(at..at + c.len_utf8());
            part = at + c.len_utf8();
        }
        prev = Some(c);
    }
    if end > part {
        push_with_clitic(text, part, end, out);
    }
    out.extend(tail.into_iter().rev());
}

fn push_with_clitic(text: &str, start: usize, end: usize, out: &mut Vec<Range<usize>>) {
    match clitic_at(&text[start..end]) {
        Some(k) => {
            out.push(start..start + k);
            out.push(start + k..end);
        }
        None => out.push(start..end),
    }
}

/// "U.S", "Mr", "e.g": a word that a final period belongs to (the sentence splitter's list,
/// single letters, and dotted initialisms).
fn is_abbreviation(word: &str) -> bool {
    let w = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    !w.is_empty() && crate::segment::is_abbreviation(&format!("{w}."), w.len())
}

/// The lemma of an irregular form ("flown" -> "fly", "rose" -> "rise") from the shipped table
/// `data/lemmas.tsv` (`form<TAB>lemma`, lower case), read once; `None` for a form it does not
/// list, which then keeps the model's lemma. The edit scripts the model learnt cover regular
/// forms well and irregular ones poorly.
pub fn irregular_lemma(form: &str) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<HashMap<String, String>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let path = crate::config::shipped("data/lemmas.tsv");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(f, l)| (f.trim().to_lowercase(), l.trim().to_string()))
            .collect()
    });
    let lower = form.replace('\u{2019}', "'").to_lowercase();
    table.get(&lower).map(String::as_str)
}

/// Apply a lemma edit script ("L|1|" lower-case, strip one character, append nothing) to a
/// word form; the form itself when the script cannot apply. Mirrors `apply_script` of
/// scripts/train_syntax.py.
pub fn apply_lemma_script(form: &str, script: &str) -> String {
    let mut parts = script.splitn(3, '|');
    let (Some(case), Some(strip), Some(add)) = (parts.next(), parts.next(), parts.next()) else {
        return form.to_string();
    };
    let src = if case == "L" {
        form.to_lowercase()
    } else {
        form.to_string()
    };
    let Ok(n) = strip.parse::<usize>() else {
        return form.to_string();
    };
    let len = src.chars().count();
    if n > len {
        return form.to_string();
    }
    let keep: String = src.chars().take(len - n).collect();
    keep + add
}

/// Set `tok.heads` to the piece each parser word of `text` is read on, and return the words
/// (byte ranges of `text`, as [`words`] cuts them). A word is read on the first piece that
/// starts inside it, else on the piece it starts in; a word that would share its piece with
/// the word before joins that word (a clitic inside a wordpiece: "cannot").
pub fn attach(tok: &mut Tokenized, text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    tok.heads.clear();
    if tok.words.is_empty() {
        return out;
    }
    for w in words(text) {
        // Tokenizer words (pre-tokens) starting at or after w.start.
        let k = tok.words.partition_point(|t| t.start < w.start);
        let piece = if k < tok.words.len() && tok.words[k].start < w.end {
            tok.word_first[k]
        } else if k > 0 {
            // Starts inside the previous pre-token ("n't" of "don't" is inside "don").
            tok.word_first[k - 1]
        } else {
            tok.word_first[0]
        };
        if tok.heads.last().is_some_and(|&p| p >= piece) {
            if let Some(last) = out.last_mut() {
                last.end = w.end;
            }
            continue;
        }
        tok.heads.push(piece);
        out.push(w);
    }
    out
}

/// The syntax head's reading of one input's parser words, before decoding: `arc[d * m + h]`
/// is the log-probability that word `d` (1-based; row 0 unused) has head `h` (0 the root),
/// `m` = words + 1; per word (0-based) the label, UPOS and lemma-script indices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawParse {
    pub arc: Vec<f32>,
    pub rel: Vec<u16>,
    pub upos: Vec<u16>,
    pub lemma: Vec<u32>,
}

impl RawParse {
    /// Decode into words: the best tree ([`tree`]) and each word's label, UPOS and lemma.
    /// `ranges` are the words' byte ranges in `text`; `base` is added to them (the sentence's
    /// start in the view). A word whose head the tree changed keeps the label the head scored
    /// for its best-scoring head.
    pub fn decode(
        &self,
        tables: &SyntaxTables,
        text: &str,
        ranges: &[Range<usize>],
        base: usize,
    ) -> Vec<Word> {
        let n = ranges.len().min(self.rel.len());
        let m = n + 1;
        let heads = if self.arc.len() == (self.rel.len() + 1).pow(2) && self.rel.len() == n {
            tree(&self.arc, m)
        } else {
            vec![0; m]
        };
        let name =
            |t: &'_ [String], i: usize| -> Label { Label::of(t.get(i).map_or("", String::as_str)) };
        (0..n)
            .map(|i| {
                let r = &ranges[i];
                let form = text.get(r.clone()).unwrap_or("");
                let head = heads[i + 1] as u32;
                // The root's label is "root" and no other word's.
                let rel = match (head, name(&tables.labels, self.rel[i] as usize)) {
                    (0, _) => Label::of("root"),
                    (_, l) if l == "root" => Label::of("dep"),
                    (_, l) => l,
                };
                let script = tables
                    .lemma_scripts
                    .get(self.lemma[i] as usize)
                    .map_or("K|0|", String::as_str);
                let upos = name(&tables.upos, self.upos[i] as usize);
                // A figure is its own lemma ("6,100", "2.5"): the scripts are learnt on words.
                let irregular = matches!(upos.as_str(), "VERB" | "AUX" | "PART")
                    .then(|| irregular_lemma(form))
                    .flatten();
                let lemma = if let Some(l) = irregular {
                    l.to_string()
                } else if form.chars().any(|c| c.is_ascii_digit())
                    && matches!(upos.as_str(), "NUM" | "SYM" | "PUNCT")
                {
                    form.to_string()
                } else {
                    apply_lemma_script(form, script)
                };
                Word {
                    start: (base + r.start) as u32,
                    end: (base + r.end) as u32,
                    head,
                    rel,
                    upos,
                    lemma: if lemma == form { String::new() } else { lemma },
                }
            })
            .collect()
    }
}

/// The label tables of a model's syntax head (`syntax.json` beside the weights).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SyntaxTables {
    pub labels: Vec<String>,
    pub upos: Vec<String>,
    pub lemma_scripts: Vec<String>,
    pub layers: usize,
    pub arc_dim: usize,
    pub rel_dim: usize,
}

impl SyntaxTables {
    /// `syntax.json` of a model directory, `None` when the model has no syntax head.
    pub fn of_model(dir: &std::path::Path) -> crate::Result<Option<SyntaxTables>> {
        let path = dir.join("syntax.json");
        if !path.is_file() {
            return Ok(None);
        }
        let s = std::fs::read_to_string(&path).map_err(|e| crate::Error::io(&path, e))?;
        serde_json::from_str(&s)
            .map(Some)
            .map_err(|e| crate::Error::model(&path, format!("not a syntax table: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(t: &str) -> Vec<&str> {
        words(t).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn words_follow_ud_english() {
        assert_eq!(
            split("\"We don't know,\" said Mr. Lee of the U.S. Navy."),
            [
                "\"", "We", "do", "n't", "know", ",", "\"", "said", "Mr.", "Lee", "of", "the",
                "U.S.", "Navy", "."
            ]
        );
        assert_eq!(
            split("a 52-year-old driver ($1,000.50) and/or 3.5%"),
            [
                "a", "52", "-", "year", "-", "old", "driver", "(", "$", "1,000.50", ")", "and",
                "/", "or", "3.5", "%"
            ]
        );
        assert_eq!(
            split("O'Brien's workers' pay..."),
            ["O'Brien", "'s", "workers", "'", "pay", "..."]
        );
        assert_eq!(split("It’s 5 p.m. now"), ["It", "’s", "5", "p.m.", "now"]);
    }

    #[test]
    fn irregular_forms_come_from_the_shipped_table() {
        assert_eq!(irregular_lemma("Flown"), Some("fly"));
        assert_eq!(irregular_lemma("rose"), Some("rise"));
        assert_eq!(irregular_lemma("n\u{2019}t"), Some("not"));
        assert_eq!(irregular_lemma("walked"), None);
    }

    #[test]
    fn lemma_scripts_apply_as_in_training() {
        assert_eq!(apply_lemma_script("cats", "L|1|"), "cat");
        assert_eq!(apply_lemma_script("Was", "L|3|be"), "be");
        assert_eq!(apply_lemma_script("Bush", "K|0|"), "Bush");
        assert_eq!(apply_lemma_script("a", "L|5|x"), "a");
    }
}
