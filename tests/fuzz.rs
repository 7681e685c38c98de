//! Property tests of the parsers over arbitrary input (a bounded number of cases, so CI stays
//! fast; set PROPTEST_CASES for more): the quantity scanner, the sentence splitter, the
//! boilerplate filter, the HTML reader, and the claim and relation rules never panic, every offset lies
//! inside the text on a character boundary and slices back to what it stands for, and the
//! same input gives the same output.
use newsgraph::claims::{self, MeasureTable};
use newsgraph::corpus::html::{self, Hints};
use newsgraph::corpus::strip_boilerplate;
use newsgraph::doc::{DocMeta, Document, EntityType, Mention, View};
use newsgraph::segment;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like news: words, numbers in every format, punctuation, quotes, newlines,
/// currency and other non-ASCII characters.
fn newsy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("more than".to_string()),
        Just("nearly".to_string()),
        Just("$".to_string()),
        Just("€".to_string()),
        Just("per cent".to_string()),
        Just("mln dlrs".to_string()),
        Just("vs".to_string()),
        Just("Ltd.".to_string()),
        Just("U.S.".to_string()),
        Just("\n\n".to_string()),
        Just(". ".to_string()),
        Just("\u{201c}".to_string()),
        Just("\u{201d}".to_string()),
        Just("https://x.example/a?q=30%25".to_string()),
        "[0-9]{1,7}",
        "[0-9]{1,3}(,[0-9]{3}){0,3}(\\.[0-9]{1,2})?",
        "[0-9]{1,2}-[0-9]/[0-9]",
        "[A-Za-z]{1,10}",
        "[\\PC]{1,3}",
        "[ ,;:%()\\-/]{1,2}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.join(" "))
}

/// HTML-ish text: tags (some left open), attributes, entities, scripts with `<` in them.
fn htmlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "<(p|div|span|a|li|ul|h1|h2|article|nav|footer|script|style|br|td|tr|table)( class=\"[a-z -]{0,12}\")?>",
        "</(p|div|span|a|li|ul|h1|h2|article|nav|footer|script|style|td|tr|table)>",
        Just("<script>for(i=0;i<n;i++){}</script>".to_string()),
        Just("&amp;".to_string()),
        Just("&#8220;".to_string()),
        Just("&nbsp".to_string()),
        Just("&bogus;".to_string()),
        Just("<!-- c -->".to_string()),
        Just("\r\n".to_string()),
        newsy(),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

fn slice_cp(text: &str, a: usize, b: usize) -> String {
    text.chars().skip(a).take(b - a).collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn quantities_slice_back(text in newsy()) {
        let qs = claims::scan(&text);
        for q in &qs {
            prop_assert!(q.range.end <= text.len());
            prop_assert!(text.is_char_boundary(q.range.start) && text.is_char_boundary(q.range.end));
            prop_assert_eq!(&text[q.range.clone()], q.text.as_str());
            prop_assert!(q.value.is_finite());
        }
        prop_assert_eq!(format!("{qs:?}"), format!("{:?}", claims::scan(&text)));
    }

    #[test]
    fn sentences_are_ordered_and_inside(text in newsy()) {
        let s = segment::split(&text);
        let mut last = 0;
        for x in &s {
            prop_assert!(x.range.start >= last && x.range.start <= x.range.end);
            prop_assert!(x.range.end <= text.len());
            prop_assert!(text.is_char_boundary(x.range.start) && text.is_char_boundary(x.range.end));
            last = x.range.end;
        }
    }

    #[test]
    fn boilerplate_keeps_offsets(text in newsy()) {
        let v = strip_boilerplate(&View::identity(&text));
        for (i, c) in v.text.char_indices() {
            let (a, b) = v.to_original(i..i + c.len_utf8());
            if a < b {
                prop_assert_eq!(slice_cp(&text, a, b), c.to_string());
            }
        }
    }

    #[test]
    fn html_reader_keeps_offsets(page in htmlish()) {
        let hints = Hints::builtin();
        let read = html::read(&page, &hints);
        let chars: Vec<char> = page.chars().collect();
        for (i, c) in read.view.text.char_indices() {
            let (a, b) = read.view.to_original(i..i + c.len_utf8());
            prop_assert!(a <= b && b <= chars.len());
            if a == b {
                continue; // a separator between blocks
            }
            let orig: String = chars[a..b].iter().collect();
            prop_assert!(
                orig == c.to_string() || orig.starts_with('&') || (c.is_whitespace() && orig.chars().all(char::is_whitespace)),
                "`{}` maps to `{}`", c, orig
            );
        }
        prop_assert_eq!(read.view.text.clone(), html::read(&page, &hints).view.text);
    }

    #[test]
    fn claim_rules_stay_inside_the_text(text in newsy()) {
        let mut d = Document::new(DocMeta::default(), text.clone(), View::identity(&text));
        d.sentences = segment::split(&text);
        let table = MeasureTable::builtin();
        for c in claims::extract(&d, &table) {
            prop_assert!(c.range.start <= c.range.end && c.range.end <= text.len());
            prop_assert!(text.is_char_boundary(c.range.start) && text.is_char_boundary(c.range.end));
        }
    }

    #[test]
    fn relation_rules_stay_inside_the_text(
        text in newsy(),
        picks in prop::collection::vec((0usize..400, 1usize..4, 0usize..4), 0..12),
    ) {
        // Disjoint mentions of any type over whole words, each inside one sentence.
        let mut d = Document::new(DocMeta::default(), text.clone(), View::identity(&text));
        d.sentences = segment::split(&text);
        let words: Vec<std::ops::Range<usize>> = text
            .split_whitespace()
            .map(|w| {
                let start = w.as_ptr() as usize - text.as_ptr() as usize;
                start..start + w.len()
            })
            .collect();
        let types = [EntityType::Person, EntityType::Location, EntityType::Organization, EntityType::Misc];
        let mut taken_until = 0;
        let mut starts: Vec<(usize, usize, usize)> = picks
            .iter()
            .filter(|(at, _, _)| !words.is_empty() && *at < words.len())
            .map(|&(at, len, t)| (at, (at + len).min(words.len()), t))
            .collect();
        starts.sort();
        for (a, b, t) in starts {
            let range = words[a].start..words[b - 1].end;
            if range.start < taken_until {
                continue;
            }
            let (Some(s1), Some(s2)) = (d.sentence_at(range.start), d.sentence_at(range.end - 1)) else {
                continue;
            };
            if s1 != s2 {
                continue;
            }
            taken_until = range.end;
            d.mentions.push(Mention { range, sentence: s1, etype: types[t], score: 0.9, entity: None, surface: None });
        }
        let first = format!("{:?}", newsgraph::relations::extract(&d).iter().map(|r| (r.from, r.range.clone())).collect::<Vec<_>>());
        for r in newsgraph::relations::extract(&d) {
            prop_assert!(r.from < d.mentions.len());
            prop_assert!(r.range.start <= r.range.end && r.range.end <= text.len());
            prop_assert!(text.is_char_boundary(r.range.start) && text.is_char_boundary(r.range.end));
        }
        let again = format!("{:?}", newsgraph::relations::extract(&d).iter().map(|r| (r.from, r.range.clone())).collect::<Vec<_>>());
        prop_assert_eq!(first, again);
    }
}

/// Pages nested deep: a random chain of opening tags (some never closed), text at the bottom,
/// then some of the closings. Far deeper than any recursion could go.
fn deeply_nested() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            prop_oneof![
                Just("div"),
                Just("b"),
                Just("span"),
                Just("td"),
                Just("li"),
                Just("p")
            ],
            1..8,
        ),
        20_000usize..60_000,
        0usize..3,
        "[A-Za-z ,.]{0,200}",
    )
        .prop_map(|(tags, depth, close, text)| {
            let mut page = String::from("<html><body>");
            for i in 0..depth {
                page.push_str(&format!("<{}>", tags[i % tags.len()]));
            }
            page.push_str(&text);
            let closed = depth.checked_div(close).unwrap_or(0);
            for i in (0..closed).rev() {
                page.push_str(&format!("</{}>", tags[i % tags.len()]));
            }
            page
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn deep_nesting_reads_without_overflow(page in deeply_nested()) {
        let hints = Hints::builtin();
        let read = html::read(&page, &hints);
        let chars = page.chars().count();
        for (i, c) in read.view.text.char_indices() {
            let (a, b) = read.view.to_original(i..i + c.len_utf8());
            prop_assert!(a <= b && b <= chars);
        }
    }
}
