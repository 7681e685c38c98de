//! Reading and writing CoNLL-U (Universal Dependencies' file format).
use crate::error::{Error, Result};
use std::path::Path;

/// One sentence of a CoNLL-U file: its syntactic words (multiword-token lines and empty
/// nodes are skipped) with their gold annotation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoldSentence {
    pub form: Vec<String>,
    pub lemma: Vec<String>,
    pub upos: Vec<String>,
    pub head: Vec<usize>,
    pub rel: Vec<String>,
}

/// Read a CoNLL-U file. A word line with fewer than 8 columns or a head that is not a number
/// is an error naming the file and line.
pub fn read(path: &Path) -> Result<Vec<GoldSentence>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text)
        .map_err(|(line, why)| Error::Config(format!("{}: line {line}: {why}", path.display())))
}

/// Parse CoNLL-U text; errors carry the 1-based line number.
pub fn parse(text: &str) -> std::result::Result<Vec<GoldSentence>, (usize, String)> {
    let mut out = Vec::new();
    let mut cur = GoldSentence::default();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !cur.form.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if !cols[0].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if cols.len() < 8 {
            return Err((n + 1, format!("{} columns, CoNLL-U has 10", cols.len())));
        }
        let head = cols[6]
            .parse::<usize>()
            .map_err(|_| (n + 1, format!("head `{}` is not a number", cols[6])))?;
        cur.form.push(cols[1].to_string());
        cur.lemma.push(cols[2].to_string());
        cur.upos.push(cols[3].to_string());
        cur.head.push(head);
        cur.rel.push(cols[7].to_string());
    }
    if !cur.form.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// A parse of one sentence written out as CoNLL-U (tests write the trees of real sentences
/// by hand), and the text its word ranges point into: the forms joined by spaces.
#[cfg(test)]
pub(crate) fn parsed(conllu_text: &str) -> (crate::syntax::Parse, String) {
    let g = parse(conllu_text).expect("valid CoNLL-U").remove(0);
    let mut text = String::new();
    let mut words = Vec::new();
    for i in 0..g.form.len() {
        if i > 0 {
            text.push(' ');
        }
        let start = text.len() as u32;
        text.push_str(&g.form[i]);
        words.push(crate::syntax::Word {
            start,
            end: text.len() as u32,
            head: g.head[i] as u32,
            rel: g.rel[i].as_str().into(),
            upos: g.upos[i].as_str().into(),
            lemma: g.lemma[i].clone(),
        });
    }
    (crate::syntax::Parse { sentence: 0, words }, text)
}
