//! The document every stage annotates: the original text, the kept "view" of it that analysis
//! runs on, and the annotation layers. Positions inside the library are byte offsets into the
//! view; they become Unicode code-point offsets into the original text only at output, through
//! [`View::to_original`].
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Text that analysis sees, with a map from each of its characters back to the original text.
///
/// Boilerplate is cut out and markup removed when the view is built; every kept character
/// remembers the code-point range it came from (an HTML entity such as `&amp;` maps one view
/// character to five original ones). Separators inserted between kept blocks map to an empty
/// range at the cut.
///
/// The map is stored as runs, so a view costs little more than its text: a run of characters
/// copied verbatim is one entry, whatever its length. It serialises as `{"text", "runs"}`, each
/// run `[view byte, original start, original end]`, where an end of `u32::MAX` means "verbatim from start, one code point per character".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub text: String,
    runs: Vec<[u32; 3]>,
}

/// The `end` of a run whose characters map one to one onto consecutive code points.
const VERBATIM: u32 = u32::MAX;
/// Longest verbatim run, in bytes.
const MAX_RUN: u32 = 1024;

impl View {
    /// A view of the whole text, character for character.
    pub fn identity(original: &str) -> View {
        let mut b = ViewBuilder::default();
        b.push_verbatim(original, 0);
        b.finish()
    }

    /// The original code-point range of the character at view byte `b` (any byte of it).
    fn char_at(&self, b: usize) -> (u32, u32) {
        let i = self.runs.partition_point(|r| r[0] as usize <= b);
        let Some(run) = i.checked_sub(1).map(|i| self.runs[i]) else {
            return (0, 0);
        };
        if run[2] != VERBATIM {
            return (run[1], run[2]);
        }
        let from = run[0] as usize;
        let k = self.text[from..]
            .char_indices()
            .take_while(|(o, _)| from + o <= b)
            .count()
            .saturating_sub(1) as u32;
        (run[1] + k, run[1] + k + 1)
    }

    /// The characters of the view bytes `r` (on char boundaries) with their original ranges,
    /// walking the runs once.
    fn mapped(&self, r: Range<usize>) -> impl Iterator<Item = (usize, char, u32, u32)> + '_ {
        let mut i = self.runs.partition_point(|run| run[0] as usize <= r.start);
        let mut cp = self.char_at(r.start).0;
        let base = r.start;
        self.text[r].char_indices().map(move |(o, ch)| {
            let b = base + o;
            if i < self.runs.len() && self.runs[i][0] as usize <= b {
                cp = self.runs[i][1];
                i += 1;
            }
            let run = self.runs[i - 1];
            if run[2] == VERBATIM {
                cp += 1;
                (b, ch, cp - 1, cp)
            } else {
                (b, ch, run[1], run[2])
            }
        })
    }

    /// Original code-point range of the view byte range `r` (which must lie on char boundaries).
    pub fn to_original(&self, r: Range<usize>) -> (usize, usize) {
        if r.start >= self.text.len() || r.is_empty() {
            let at = if r.start < self.text.len() {
                self.char_at(r.start).0
            } else {
                self.end_position()
            };
            return (at as usize, at as usize);
        }
        let s = self.char_at(r.start).0 as usize;
        let e = self.char_at(r.end - 1).1 as usize;
        (s, e.max(s))
    }

    /// The original position just after the view's last character.
    fn end_position(&self) -> u32 {
        match self.text.chars().next_back() {
            Some(c) => self.char_at(self.text.len() - c.len_utf8()).1,
            None => 0,
        }
    }

    /// The original code-point ranges the view keeps, one per run of view text between
    /// inserted line breaks (a kept paragraph); markup skipped inside a run stays inside it.
    pub fn kept_spans(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut cur: Option<(u32, u32)> = None;
        for (_, c, s, e) in self.mapped(0..self.text.len()) {
            if s == e {
                if c == '\n' {
                    out.extend(cur.take());
                }
                continue;
            }
            cur = Some(cur.map_or((s, e), |(a, b)| (a.min(s), b.max(e))));
        }
        out.extend(cur);
        out.into_iter()
            .map(|(s, e)| (s as usize, e as usize))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.runs.shrink_to_fit();
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Builds a [`View`] piece by piece.
#[derive(Debug, Default)]
pub struct ViewBuilder {
    view: View,
    /// Original end of the last character pushed into a verbatim run (to extend it).
    open: Option<u32>,
}

impl ViewBuilder {
    /// Append `text`, which is the original text starting at code point `orig_start`.
    pub fn push_verbatim(&mut self, text: &str, orig_start: usize) {
        for (cp, ch) in (orig_start as u32..).zip(text.chars()) {
            self.push_mapped(ch, cp, cp + 1);
        }
    }

    /// Append one character standing for the original code points `start..end`.
    pub fn push_mapped(&mut self, ch: char, start: u32, end: u32) {
        let at = self.view.text.len() as u32;
        self.view.text.push(ch);
        if end == start + 1 {
            // Runs stop at MAX_RUN bytes, which bounds the cost of a lookup inside one.
            let long = self.view.runs.last().is_some_and(|r| at - r[0] >= MAX_RUN);
            if self.open == Some(start) && !long {
                self.open = Some(end);
                return;
            }
            self.view.runs.push([at, start, VERBATIM]);
            self.open = Some(end);
        } else {
            self.view.runs.push([at, start, end]);
            self.open = None;
        }
    }

    /// Append a separator (space or newline) that stands for nothing, at original position `at`.
    pub fn push_separator(&mut self, ch: char, at: usize) {
        self.push_mapped(ch, at as u32, at as u32);
    }

    /// Append the bytes `r` of an existing view (on char boundaries), keeping their mapping.
    pub fn push_from(&mut self, view: &View, r: Range<usize>) {
        for (_, ch, s, e) in view.mapped(r) {
            self.push_mapped(ch, s, e);
        }
    }

    pub fn ends_with(&self, pat: &str) -> bool {
        self.view.text.ends_with(pat)
    }

    pub fn is_empty(&self) -> bool {
        self.view.text.is_empty()
    }

    pub fn finish(self) -> View {
        self.view
    }
}

/// Entity types the NER layer assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityType {
    Person,
    Location,
    Organization,
    Misc,
}

impl EntityType {
    pub fn from_tag(tag: &str) -> Option<EntityType> {
        match tag {
            "PER" | "PERSON" => Some(EntityType::Person),
            "LOC" | "GPE" | "LOCATION" => Some(EntityType::Location),
            "ORG" | "ORGANIZATION" => Some(EntityType::Organization),
            "MISC" => Some(EntityType::Misc),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "Person",
            EntityType::Location => "Location",
            EntityType::Organization => "Organization",
            EntityType::Misc => "Misc",
        }
    }
    pub fn short(self) -> &'static str {
        match self {
            EntityType::Person => "PER",
            EntityType::Location => "LOC",
            EntityType::Organization => "ORG",
            EntityType::Misc => "MISC",
        }
    }
}

/// One sentence: a byte range of the view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    pub range: Range<usize>,
    /// Index of the paragraph (block separated by a blank line) the sentence belongs to.
    pub paragraph: usize,
}

/// One entity mention found by the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub range: Range<usize>,
    pub sentence: usize,
    pub etype: EntityType,
    pub score: f32,
    /// Canonical entity id, set by resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// The original text of the mention where it differs from the view's (markup, entities),
    /// kept when the original text is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<String>,
}

/// Metadata of one document, from the manifest, the JSONL line, or the path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    pub doc_id: String,
    /// Path of the source file relative to the corpus root.
    pub path: String,
    pub outlet: String,
    pub url: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
    /// The byline, where the page gives one (HTML metadata or a JSONL `author` field).
    pub author: Option<String>,
    /// A story given by the manifest or the JSONL line (else stories are found).
    pub story: Option<String>,
    pub format: String,
}

/// The possessive endings of English names: "China's", "China’s".
pub const POSSESSIVES: &[&str] = &["'s", "\u{2019}s"];

/// A document and all its annotation layers.
///
/// It serialises (without the original text) as the record `newsgraph extract` writes and
/// `newsgraph assemble` reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Document {
    pub meta: DocMeta,
    /// The original text: the decoded file (or, for JSONL, the line's `text` field). Emptied by
    /// [`Document::compact`] once the per-document stages are done.
    #[serde(skip)]
    pub text: String,
    /// Length of the original text in code points.
    pub chars: usize,
    pub view: View,
    pub sentences: Vec<Sentence>,
    pub mentions: Vec<Mention>,
    pub claims: Vec<crate::claims::Claim>,
    pub relations: Vec<crate::relations::Relation>,
    /// The syntax layer: one parse per sentence the model parsed, in sentence order (none
    /// when the model has no syntax head, or for a sentence longer than one model window).
    #[serde(default)]
    pub syntax: Vec<crate::syntax::Parse>,
    /// The news agency the document credits (a credit line of the original text), if any.
    pub credit: Option<String>,
    /// Non-fatal problems (lossy decoding...), reported in run.json.
    pub warnings: Vec<String>,
    /// Byte offset of each code point of `text` (built on first use).
    #[serde(skip)]
    pub(crate) char_bytes: std::sync::OnceLock<Vec<usize>>,
    /// The text of each sentence, shared by every graph property that quotes it (built on
    /// first use).
    #[serde(skip)]
    pub(crate) sentence_texts: std::sync::OnceLock<Vec<std::sync::Arc<str>>>,
}

impl Document {
    /// The parse of sentence `s`, when it was parsed.
    pub fn parse_of(&self, s: usize) -> Option<&crate::syntax::Parse> {
        let k = self.syntax.partition_point(|p| (p.sentence as usize) < s);
        self.syntax.get(k).filter(|p| p.sentence as usize == s)
    }

    /// A document with no annotations yet.
    pub fn new(meta: DocMeta, text: String, view: View) -> Document {
        Document {
            meta,
            chars: text.chars().count(),
            text,
            view,
            ..Document::default()
        }
    }

    /// Text of a view byte range.
    pub fn slice(&self, r: &Range<usize>) -> &str {
        &self.view.text[r.clone()]
    }

    /// Original code-point offsets of a view byte range.
    pub fn offsets(&self, r: &Range<usize>) -> (usize, usize) {
        self.view.to_original(r.clone())
    }

    /// The text of sentence `i` (empty if there is none), shared.
    pub fn sentence_text(&self, i: usize) -> std::sync::Arc<str> {
        let texts = self.sentence_texts.get_or_init(|| {
            self.sentences
                .iter()
                .map(|s| std::sync::Arc::from(self.slice(&s.range)))
                .collect()
        });
        texts
            .get(i)
            .cloned()
            .unwrap_or_else(|| std::sync::Arc::from(""))
    }

    /// The sentence containing view byte `pos`, if any.
    pub fn sentence_at(&self, pos: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.range.end <= pos);
        (i < self.sentences.len() && self.sentences[i].range.start <= pos).then_some(i)
    }

    /// The original text of code points `start..end` (what offsets in the output point at).
    pub fn original_slice(&self, start: usize, end: usize) -> &str {
        let idx = self.char_bytes.get_or_init(|| {
            let mut v: Vec<usize> = self.text.char_indices().map(|(b, _)| b).collect();
            v.push(self.text.len());
            v
        });
        let at = |cp: usize| idx.get(cp).copied().unwrap_or(self.text.len());
        &self.text[at(start)..at(end.max(start))]
    }

    /// The original text that a view byte range stands for (while the original is held).
    pub fn surface(&self, r: &Range<usize>) -> &str {
        let (s, e) = self.offsets(r);
        self.original_slice(s, e)
    }

    /// The original text of a mention, before or after [`Document::compact`].
    pub fn mention_surface<'a>(&'a self, m: &'a Mention) -> &'a str {
        match &m.surface {
            Some(s) => s,
            None if self.text.is_empty() => self.slice(&m.range),
            None => self.surface(&m.range),
        }
    }

    /// Drop the original text, keeping what later stages read of it: the original surface of
    /// each mention where it differs from the view's text. What is left is the document's record.
    pub fn compact(&mut self) {
        for i in 0..self.mentions.len() {
            let r = self.mentions[i].range.clone();
            let (view, orig) = (self.slice(&r), self.surface(&r));
            if view != orig {
                self.mentions[i].surface = Some(orig.to_string());
            }
        }
        self.text = String::new();
        self.char_bytes = std::sync::OnceLock::new();
        // Records are kept for the whole corpus: no spare capacity.
        self.view.shrink_to_fit();
        self.sentences.shrink_to_fit();
        self.mentions.shrink_to_fit();
        self.claims.shrink_to_fit();
        self.relations.shrink_to_fit();
        self.syntax.shrink_to_fit();
        self.warnings.shrink_to_fit();
    }
}

/// A document of plain `text`, split into sentences, with a mention for each `(surface, type)`,
/// each found after the previous one. For unit tests of the stages that read mentions.
#[cfg(test)]
pub(crate) fn test_doc(text: &str, ents: &[(&str, EntityType)]) -> Document {
    let mut d = Document::new(DocMeta::default(), text.into(), View::identity(text));
    d.sentences = crate::segment::split(text);
    let mut from = 0;
    for (surface, etype) in ents {
        let at = from + text[from..].find(surface).expect("surface in text");
        let sentence = d.sentence_at(at).expect("mention inside a sentence");
        d.mentions.push(Mention {
            range: at..at + surface.len(),
            sentence,
            etype: *etype,
            score: 1.0,
            entity: None,
            surface: None,
        });
        from = at + surface.len();
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_view_maps_bytes_to_code_points() {
        let v = View::identity("Zhè ₹900 ok");
        let b = v.text.find('₹').unwrap();
        assert_eq!(v.to_original(b..b + "₹900".len()), (4, 8));
    }

    #[test]
    fn mapped_chars_and_separators() {
        let mut b = ViewBuilder::default();
        b.push_verbatim("AT", 0);
        b.push_mapped('&', 2, 7); // "&amp;"
        b.push_verbatim("T", 7);
        b.push_separator('\n', 8);
        b.push_verbatim("Hi", 20);
        let v = b.finish();
        assert_eq!(v.text, "AT&T\nHi");
        assert_eq!(v.to_original(0..4), (0, 8));
        assert_eq!(v.to_original(5..7), (20, 22));
    }
}
