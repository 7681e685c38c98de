//! The document every stage annotates: the original text, the kept "view" of it that analysis
//! runs on, and the annotation layers. Positions inside the library are byte offsets into the
//! view; they become Unicode code-point offsets into the original text only at output, through
//! [`View::to_original`].
use serde::Serialize;
use std::ops::Range;

/// Text that analysis sees, with a map from each of its bytes back to the original text.
///
/// Boilerplate is cut out and markup removed when the view is built; every kept character
/// remembers the code-point range it came from (an HTML entity such as `&amp;` maps one view
/// character to five original ones). Separators inserted between kept blocks map to an empty
/// range at the cut.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub text: String,
    start: Vec<u32>,
    end: Vec<u32>,
}

impl View {
    /// A view of the whole text, character for character.
    pub fn identity(original: &str) -> View {
        let mut b = ViewBuilder::default();
        b.push_verbatim(original, 0);
        b.finish()
    }

    /// Original code-point range of the view byte range `r` (which must lie on char boundaries).
    pub fn to_original(&self, r: Range<usize>) -> (usize, usize) {
        if r.start >= self.text.len() || r.is_empty() {
            let at = self
                .start
                .get(r.start)
                .copied()
                .unwrap_or_else(|| self.end.last().copied().unwrap_or(0));
            return (at as usize, at as usize);
        }
        let s = self.start[r.start] as usize;
        let e = self.end[r.end - 1] as usize;
        (s, e.max(s))
    }

    /// The original code-point ranges the view keeps, one per run of view text between
    /// inserted line breaks (a kept paragraph); markup skipped inside a run stays inside it.
    pub fn kept_spans(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut cur: Option<(u32, u32)> = None;
        for (i, c) in self.text.char_indices() {
            let (s, e) = (self.start[i], self.end[i]);
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

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Builds a [`View`] piece by piece.
#[derive(Debug, Default)]
pub struct ViewBuilder {
    view: View,
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
        let n = ch.len_utf8();
        self.view.text.push(ch);
        for _ in 0..n {
            self.view.start.push(start);
            self.view.end.push(end);
        }
    }

    /// Append a separator (space or newline) that stands for nothing, at original position `at`.
    pub fn push_separator(&mut self, ch: char, at: usize) {
        self.push_mapped(ch, at as u32, at as u32);
    }

    /// Append the bytes `r` of an existing view, keeping their mapping.
    pub fn push_from(&mut self, view: &View, r: Range<usize>) {
        self.view.text.push_str(&view.text[r.clone()]);
        self.view.start.extend_from_slice(&view.start[r.clone()]);
        self.view.end.extend_from_slice(&view.end[r]);
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
#[derive(Debug, Clone)]
pub struct Sentence {
    pub range: Range<usize>,
    /// Index of the paragraph (block separated by a blank line) the sentence belongs to.
    pub paragraph: usize,
}

/// One entity mention found by the model.
#[derive(Debug, Clone)]
pub struct Mention {
    pub range: Range<usize>,
    pub sentence: usize,
    pub etype: EntityType,
    pub score: f32,
    /// Canonical entity id, set by resolution.
    pub entity: Option<String>,
}

/// Metadata of one document, from the manifest, the JSONL line, or the path.
#[derive(Debug, Clone, Default, Serialize)]
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
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub meta: DocMeta,
    /// The original text: the decoded file (or, for JSONL, the line's `text` field).
    pub text: String,
    pub view: View,
    pub sentences: Vec<Sentence>,
    pub mentions: Vec<Mention>,
    pub claims: Vec<crate::claims::Claim>,
    pub relations: Vec<crate::relations::Relation>,
    /// Non-fatal problems (lossy decoding...), reported in run.json.
    pub warnings: Vec<String>,
    /// Byte offset of each code point of `text` (built on first use).
    pub(crate) char_bytes: std::sync::OnceLock<Vec<usize>>,
}

impl Document {
    /// A document with no annotations yet.
    pub fn new(meta: DocMeta, text: String, view: View) -> Document {
        Document {
            meta,
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

    /// The original text that a view byte range stands for.
    pub fn surface(&self, r: &Range<usize>) -> &str {
        let (s, e) = self.offsets(r);
        self.original_slice(s, e)
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
