//! Sentence splitting over a document's view, with byte ranges.
//!
//! A sentence ends at `.`, `!` or `?` (plus closing quotes and brackets) followed by space and
//! an upper-case letter, digit or opening quote; at a blank line; and at a single line break
//! when the next line starts like a sentence (a title line has no final period). Known
//! abbreviations (`U.S.`, `Corp.`, `Inc.`, `Mr.`, `Dr.`...) and single initials never end one.
use crate::doc::Sentence;

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "gov", "sen", "rep", "col", "lt",
    "sgt", "capt", "cmdr", "adm", "maj", "rev", "hon", "pres", "corp", "inc", "ltd", "co", "bros",
    "no", "nos", "vs", "etc", "approx", "dept", "univ", "est", "fig", "vol", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "e.g", "i.e",
    "u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "d.c", "u.s.a",
];

const CLOSERS: &[char] = &['"', '\'', '\u{201d}', '\u{2019}', ')', ']'];
const OPENERS: &[char] = &['"', '\'', '\u{201c}', '\u{2018}', '(', '['];

pub(crate) fn is_abbreviation(text: &str, dot: usize) -> bool {
    // The word before the dot, including inner dots ("U.S").
    let before = &text[..dot];
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start..];
    if word.is_empty() {
        return false;
    }
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // Single initials: "Valeriy M. Matsel", and dotted acronyms "U.S.A".
    let mut cs = word.chars();
    let single = cs.next().is_some_and(|c| c.is_uppercase()) && cs.next().is_none();
    single || (word.contains('.') && word.split('.').all(|p| p.chars().count() <= 1))
}

fn starts_like_sentence(rest: &str) -> bool {
    let mut chars = rest.chars().skip_while(|c| OPENERS.contains(c));
    match chars.next() {
        Some(c) => {
            c.is_uppercase()
                || c.is_ascii_digit()
                || !c.is_alphabetic() && !c.is_ascii_punctuation()
        }
        None => false,
    }
}

/// Split `text` into sentences. `paragraph` counts blank-line separated blocks.
pub fn split(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut paragraph = 0usize;
    let mut start: Option<usize> = None;
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let push = |s: usize, e: usize, paragraph: usize, out: &mut Vec<Sentence>| {
        let seg = &text[s..e];
        let lead = seg.len() - seg.trim_start().len();
        let trail = seg.len() - seg.trim_end().len();
        if lead + trail < seg.len() {
            out.push(Sentence {
                range: s + lead..e - trail,
                paragraph,
            });
        }
    };
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        let clen = c.len_utf8();
        if start.is_none() && !c.is_whitespace() {
            start = Some(i);
        }
        if c == '\n' {
            // Blank line: paragraph break.
            let mut j = i + 1;
            let mut blank = false;
            while j < text.len()
                && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\r' || bytes[j] == b'\n')
            {
                if bytes[j] == b'\n' {
                    blank = true;
                }
                j += 1;
            }
            let line_before = text[..i].rsplit('\n').next().unwrap_or("").trim_end();
            let next = &text[j..];
            let single_break = !blank
                && (starts_like_sentence(next)
                    && !line_before.ends_with([',', ';', ':', '-', '\u{2014}'])
                    || line_before.ends_with(['.', '!', '?', '"', '\u{201d}']));
            if blank || single_break {
                if let Some(s) = start.take() {
                    push(s, i, paragraph, &mut out);
                }
                if blank && out.last().is_some_and(|l| l.paragraph == paragraph) {
                    paragraph += 1;
                }
            }
            i = j;
            continue;
        }
        if matches!(c, '.' | '!' | '?' | '\u{2026}') && start.is_some() {
            let mut j = i + clen;
            while let Some(n) = text[j..].chars().next() {
                if CLOSERS.contains(&n) || n == '.' || n == '!' || n == '?' {
                    j += n.len_utf8();
                } else {
                    break;
                }
            }
            let rest = &text[j..];
            let spaced = rest.starts_with([' ', '\t']);
            let after = rest.trim_start_matches([' ', '\t']);
            let ends = spaced
                && starts_like_sentence(after)
                && !(c == '.' && j == i + 1 && is_abbreviation(text, i));
            if ends || rest.is_empty() {
                if let Some(s) = start.take() {
                    push(s, j, paragraph, &mut out);
                }
                i = j;
                continue;
            }
        }
        i += clen;
    }
    if let Some(s) = start {
        push(s, text.len(), paragraph, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<&str> {
        split(t).into_iter().map(|s| &t[s.range]).collect()
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            texts("Mr. Smith of Apple Inc. met Dr. Jones in the U.S. Senate. He left."),
            vec![
                "Mr. Smith of Apple Inc. met Dr. Jones in the U.S. Senate.",
                "He left."
            ]
        );
        assert_eq!(
            texts("Valeriy M. Matsel spoke. Then Microsoft Corp. agreed."),
            vec!["Valeriy M. Matsel spoke.", "Then Microsoft Corp. agreed."]
        );
    }

    #[test]
    fn quotes_and_lines() {
        let t = "\"There should be none,\" he said. \"No.\" Xi said.\nTitle line\nFor years, the US was\nresponsible for it.\n\nNew para.";
        assert_eq!(
            texts(t),
            vec![
                "\"There should be none,\" he said.",
                "\"No.\"",
                "Xi said.",
                "Title line",
                "For years, the US was\nresponsible for it.",
                "New para."
            ]
        );
        let s = split(t);
        assert_eq!(s.last().unwrap().paragraph, 1);
    }

    #[test]
    fn ellipsis_inside_quote_does_not_split_without_space() {
        assert_eq!(texts("conventions...No double standards.").len(), 1);
    }
}
