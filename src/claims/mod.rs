//! Numeric claims: a quantity, what it counts (the measure), about whom (the subject entity) and
//! as of when, found by rules over each sentence and its entity mentions.
//!
//! - measure: the noun phrase after the number (`668 million Internet users` -> `internet
//!   users`; `93.5 percent of villages` -> `villages`; `people from 120 countries` -> `people`;
//!   `countries and regions` stays whole), lower-cased. Durations (`five years`) are not claims.
//! - subject: a possessive entity right before the number (`China's 670 million`), an entity
//!   introduced by `in`/`of`/`across` right after the measure (`websites in China`), or the
//!   entity that is the clause subject right before the verb (`China had 668 million`).
//!   Coordinated quantities (`670 million users and over 4.13 million websites in China`) share
//!   subject and time anchor. Nothing further away is guessed: no rule, no subject.
//! - as of: the first time anchor after the (coordinated) quantities in the sentence, else the
//!   nearest one before them.
pub mod frames;
pub mod measures;
pub mod quantity;
pub mod time;

pub use measures::MeasureTable;
pub use quantity::{scan, Quantity, QuantityKind};
pub use time::{parse_iso_date, Anchor, Date};

use crate::doc::{Document, EntityType, POSSESSIVES};
use quantity::{lex, Tk, Tok};
use std::ops::Range;

/// One numeric claim with provenance inside its document.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Claim {
    pub id: String,
    pub sentence: usize,
    /// View byte range of the surface (quantity and measure).
    pub range: Range<usize>,
    pub quantity: Quantity,
    /// The counted noun phrase as written (`people aboard`), or the measure of the cue when
    /// nothing is counted in words (`damage` for "losses estimated at $3 billion").
    pub measure: String,
    /// The canonical measure claims are grouped by (`deaths`, `deaths: children`, `internet
    /// user`); empty for a quantity with a unit that no cue explains ("34,000 feet").
    pub measure_key: String,
    /// Whether the measure came from a cue of the measure table (else from the noun phrase).
    pub measure_from_table: bool,
    /// Whether the measure was read through the sentence's parse (see [`frames`]): then it
    /// is compared as it is, without asking its sentence's context.
    #[serde(default)]
    pub measure_from_parse: bool,
    /// The unit's dimension (`length`, `speed`...) for a measured quantity.
    pub dimension: Option<String>,
    /// Index of the subject mention in `Document::mentions`.
    pub subject_mention: Option<usize>,
    /// Resolved entity id and name of the subject (set by resolution).
    pub subject_id: Option<String>,
    pub subject: Option<String>,
    pub as_of: Option<String>,
    pub as_of_text: Option<String>,
    /// Whose figure it is when the parse names a holder that is no entity ("first officer").
    #[serde(default)]
    pub holder: Option<String>,
    /// The original text of the surface (set when the original text is dropped).
    #[serde(default)]
    pub surface: String,
}

/// Words that end a measure noun phrase.
const STOP: &[&str] = &[
    "of",
    "from",
    "in",
    "on",
    "at",
    "by",
    "to",
    "for",
    "with",
    "as",
    "than",
    "per",
    "across",
    "into",
    "over",
    "under",
    "since",
    "during",
    "including",
    "among",
    "between",
    "within",
    "and",
    "or",
    "but",
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "have",
    "has",
    "had",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "who",
    "which",
    "what",
    "where",
    "when",
    "while",
    "it",
    "its",
    "their",
    "they",
    "he",
    "she",
    "we",
    "more",
    "less",
    "fewer",
    "about",
    "around",
    "nearly",
    "almost",
    "some",
    "up",
    "down",
    "ago",
    "each",
    "every",
    "all",
    "last",
    "next",
    "so",
    "if",
    "then",
    "there",
    "here",
    "not",
    "no",
    "yet",
    "also",
    "only",
    "just",
    "still",
    "most",
    "least",
    "respectively",
    "via",
    "percent",
    "cent",
    "year",
    "years",
    "said",
    "says",
    "vs",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tonight",
    "remain",
    "remained",
    "remains",
    "died",
    "die",
    "dies",
    "fled",
    "lost",
    "went",
    "came",
    "got",
    "took",
    "left",
    "voted",
    "aboard",
    "later",
    "earlier",
    "ahead",
    "apart",
    "before",
    "after",
];
const DURATIONS: &[&str] = &[
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "second",
    "seconds",
    "decade",
    "decades",
    "century",
    "centuries",
    "times",
];
const VERBS_BEFORE_NUMBER: &[&str] = &[
    "will",
    "would",
    "spend",
    "spends",
    "had",
    "has",
    "have",
    "reported",
    "reports",
    "counted",
    "counts",
    "registered",
    "recorded",
    "boasts",
    "boasted",
    "employs",
    "employed",
    "hosts",
    "hosted",
    "attracted",
    "attracts",
    "welcomed",
    "received",
    "spent",
    "invested",
    "sold",
    "sells",
    "lost",
    "gained",
    "added",
    "reached",
    "reaches",
    "claims",
    "claimed",
    "now",
    "already",
    "is",
    "was",
    "are",
    "were",
    "home",
    "to",
    "of",
    "with",
    "nearly",
    "about",
    "around",
    "over",
    "more",
    "than",
];

/// Verbs that give a level to a noun phrase before them: "the death toll rose to 40".
const LEVEL_VERBS: &[&str] = &[
    "rose",
    "climbed",
    "increased",
    "grew",
    "fell",
    "dropped",
    "declined",
    "jumped",
    "reached",
    "stood",
    "stands",
    "totalled",
    "totaled",
    "hit",
    "topped",
    "exceeded",
];

/// The measure before the number: `[the] NOUN PHRASE <level verb> [to|at] <number at q>`, and
/// the token where the phrase starts.
fn measure_before(toks: &[Tok], q: usize) -> (Vec<String>, usize) {
    let word = |k: usize| toks.get(k).and_then(|t| t.word());
    let mut k = q;
    if k > 0 && matches!(word(k - 1), Some("to" | "at")) {
        k -= 1;
    }
    if k == 0 || !word(k - 1).is_some_and(|w| LEVEL_VERBS.contains(&w)) {
        return (Vec::new(), q);
    }
    k -= 1;
    let mut words = Vec::new();
    while k > 0 && words.len() < 3 {
        match word(k - 1) {
            Some(w)
                if !STOP.contains(&w)
                    && !matches!(w, "a" | "an" | "this" | "that")
                    && !POSSESSIVES.iter().any(|p| w.ends_with(p)) =>
            {
                words.insert(0, w.to_string());
                k -= 1;
            }
            _ => break,
        }
    }
    (words, k)
}

fn measure_after(toks: &[Tok], mut k: usize, percent: bool) -> (Vec<String>, usize) {
    let word = |k: usize| toks.get(k).and_then(|t| t.word());
    // "93.5 percent of villages", "2,000 of the delegates"
    if word(k) == Some("of") && (percent || matches!(word(k + 1), Some("the" | "its" | "their"))) {
        k += 1;
        while matches!(word(k), Some("the" | "its" | "their" | "all")) {
            k += 1;
        }
    }
    let mut words = Vec::new();
    let mut end = k;
    while let Some(w) = word(k) {
        // Participles after the head end the phrase: "ships calling there".
        let participle =
            !words.is_empty() && w.len() > 5 && (w.ends_with("ing") || w.ends_with("ed"));
        let stop = STOP.contains(&w) || w.ends_with("ly") && w.len() > 4 || participle;
        // A one-letter word is an abbreviation cut by the lexer ("three U.S. troops").
        let letter = w.chars().count() == 1 && w != "&";
        if stop
            || letter
            || words.len() >= 4
            || quantity::month_number(w).is_some() && !words.is_empty()
        {
            break;
        }
        words.push(w.to_string());
        k += 1;
        end = k;
    }
    // Coordinated nouns: "countries and regions".
    if !words.is_empty() && matches!(word(end), Some("and" | "or")) {
        if let Some(next) = word(end + 1) {
            let after = toks.get(end + 2);
            let plural = next.ends_with('s') && !STOP.contains(&next);
            let number_after = after.is_some_and(|t| matches!(t.tk, Tk::Num { .. }));
            if plural && !number_after && words.last().is_some_and(|w| w.ends_with('s')) {
                words.push(word(end).unwrap_or("and").to_string());
                words.push(next.to_string());
                end += 2;
            }
        }
    }
    (words, end)
}

/// Extract the claims of one document (its sentences and mentions must be set), reading
/// measures and units through `table`.
pub fn extract(doc: &Document, table: &MeasureTable) -> Vec<Claim> {
    let published = doc.meta.published.as_deref().and_then(parse_iso_date);
    let mut out = Vec::new();
    for (si, sent) in doc.sentences.iter().enumerate() {
        let text = &doc.view.text[sent.range.clone()];
        let toks = lex(text);
        let quants = quantity::scan_tokens(text, &toks);
        if quants.is_empty() {
            continue;
        }
        let anchors = time::anchors(text, &toks, published);
        let parse = doc.syntax.iter().find(|p| p.sentence as usize == si);
        // What the parse says a quantity at local bytes `r` counts (see [`frames`]).
        let frame_of = |r: &Range<usize>, applies: &str| {
            let p = parse?;
            let view = sent.range.start + r.start..sent.range.start + r.end;
            let reading = frames::read(p, &doc.view.text, &view, applies, table)?;
            let holder = reading.holder.map(|h| {
                (
                    p.words[h].range(),
                    frames::holder_phrase(p, &doc.view.text, h),
                )
            });
            Some((reading.key(), reading.event.is_some(), holder))
        };
        // Mentions of this sentence, as (local byte range, index).
        let mentions: Vec<(Range<usize>, usize)> = doc
            .mentions
            .iter()
            .enumerate()
            .filter(|(_, m)| m.sentence == si && m.etype != EntityType::Misc)
            .map(|(i, m)| {
                (
                    m.range.start - sent.range.start..m.range.end - sent.range.start,
                    i,
                )
            })
            .collect();
        let tok_at = |byte: usize| toks.partition_point(|t| t.range.start < byte);
        let tok_end = |byte: usize| toks.partition_point(|t| t.range.end <= byte);

        let mut drafts: Vec<Draft> = Vec::new();
        let tally = vote_tallies(&toks, &quants);
        for (qi, (mut q, next)) in quants.into_iter().enumerate() {
            if let Some(measure) = tally[qi] {
                let q_start = tok_at(q.range.start);
                drafts.push(Draft {
                    from_table: true,
                    from_parse: false,
                    q_tok: (q_start, next),
                    dimension: None,
                    words: vec![measure.to_string()],
                    measure_key: measure.to_string(),
                    np_end: next,
                    surface_start: q.range.start,
                    subject: None,
                    holder: None,
                    q,
                });
                continue;
            }
            let q_start = tok_at(q.range.start);
            // A unit of measurement right after the number: "34,000 feet", "65 mph".
            let after_words: Vec<&str> = toks[next..]
                .iter()
                .take(3)
                .map_while(|t| t.word())
                .collect();
            let unit = (q.kind == QuantityKind::Number)
                .then(|| table.unit_at(&after_words))
                .flatten();
            let noun_at = next + unit.map_or(0, |(_, n)| n);
            let (mut words, np_end) =
                measure_after(&toks, noun_at, q.kind == QuantityKind::Percent);
            let np_end = if unit.is_some() {
                noun_at
            } else {
                np_end.max(noun_at)
            };
            if unit.is_some() {
                // Words after a unit are no counted noun ("90 mph hit the coast").
                words.clear();
            }
            let applies = match (unit, q.kind) {
                (Some((u, _)), _) => u.dimension.as_str(),
                (None, QuantityKind::Money) => "money",
                (None, QuantityKind::Percent) => "percent",
                (None, QuantityKind::Number) => "count",
            };
            // With a parse, the frame says what the number counts (see [`frames`]); money and
            // percents keep their cues unless the frame names a table measure.
            let framed = unit
                .is_none()
                .then(|| frame_of(&q.range, applies))
                .flatten()
                .filter(|(_, key_from_table, _)| q.kind == QuantityKind::Number || *key_from_table);
            // "Hide Caption 16 of 26 Photos": a counter of page furniture is no claim.
            if framed
                .as_ref()
                .is_some_and(|(k, _, _)| k == frames::FURNITURE)
            {
                continue;
            }
            // Durations and relative times are no claims: "four months later", "five years";
            // hours someone holds are ("the first officer had flown 2,275 hours").
            if q.kind == QuantityKind::Number
                && unit.is_none()
                && words
                    .first()
                    .is_some_and(|w| DURATIONS.contains(&w.as_str()))
                && framed.as_ref().is_none_or(|(_, _, h)| h.is_none())
            {
                continue;
            }
            let phrase = words.join(" ");
            if words.last().is_some_and(|h| table.is_none(h)) || table.is_none(&phrase) {
                continue;
            }
            let from_parse = framed.is_some();
            // "dozens of people", "hundreds of rescues": a vague count is kept, never compared
            // (it would open every toll's series).
            let vague = q.text.split_whitespace().next().is_some_and(|w| {
                matches!(
                    w.to_lowercase().as_str(),
                    "dozens" | "hundreds" | "thousands" | "scores" | "millions" | "tens"
                )
            });
            let framed = framed.filter(|_| !vague);
            // The nearest cue, read only when the parse does not say what the number counts.
            let cue = if framed.is_none() {
                table.cue_near(&toks, (q_start, noun_at.max(next)), applies)
            } else {
                None
            };
            let mut from_table = cue.is_some();
            let mut surface_start = q.range.start;
            if words.is_empty() && q.kind != QuantityKind::Money && unit.is_none() {
                let (before, start) = measure_before(&toks, q_start);
                if !before.is_empty() {
                    words = before;
                    surface_start = toks[start].range.start;
                }
            }
            let phrase = words.join(" ");
            // "50 of the injured" counts a part of another figure: kept, never grouped.
            let partitive = q.kind == QuantityKind::Number
                && unit.is_none()
                && toks.get(noun_at).and_then(|t| t.word()) == Some("of");
            // The canonical measure: with a parse, what the frame says the number counts; else
            // the cue's, qualified by a counted noun that is neither generic nor a cue word of
            // that measure, or the noun phrase itself.
            let mut holder = None;
            let measure_key = if let Some((key, key_from_table, h)) = framed {
                if key.is_empty() && phrase.is_empty() {
                    continue;
                }
                from_table = key_from_table;
                holder = h;
                if words.is_empty() {
                    words = key
                        .split(": ")
                        .next()
                        .map(str::to_string)
                        .into_iter()
                        .collect();
                }
                key
            } else {
                match (&cue, unit) {
                    _ if partitive => String::new(),
                    (Some(f), _) => {
                        let cue_words: Vec<String> = (f.toks.0..f.toks.1)
                            .filter_map(|k| toks[k].word().map(str::to_string))
                            .collect();
                        let inside = words.iter().all(|w| cue_words.contains(w))
                            || table.cue_word_of(&f.measure, &phrase);
                        // "homes destroyed" names its noun already.
                        let named = words.last().is_some_and(|h| {
                            f.measure
                                .split_whitespace()
                                .any(|m| m == h || format!("{m}s") == *h || format!("{h}s") == m)
                        });
                        if phrase.is_empty() || table.is_generic(&phrase) || inside || named {
                            f.measure.clone()
                        } else if table.is_cumulative(&f.measure) {
                            // "10 children were killed": a part of the toll, apart from it.
                            format!("{}: {phrase}", f.measure)
                        } else {
                            // "45 countries attended": the cue is about someone else.
                            from_table = false;
                            crate::compare::measure_key(&phrase, text)
                        }
                    }
                    (None, Some(_)) => String::new(),
                    (None, None) if phrase.is_empty() => continue,
                    // "500 people" says nothing of what happened to them: kept, never grouped.
                    (None, None) if table.is_generic(&phrase) => String::new(),
                    (None, None) => crate::compare::measure_key(&phrase, text),
                }
            };
            // Wire style: "5.2 mln dlrs vs 3.1 mln dlrs" -- the figure after "vs" is the
            // prior period's.
            let prior = q_start > 0 && matches!(toks[q_start - 1].word(), Some("vs" | "versus"));
            let measure_key = if vague {
                String::new()
            } else if prior && !measure_key.is_empty() {
                format!("{measure_key} (prior period)")
            } else {
                measure_key
            };
            if unit.is_some() || words.is_empty() {
                // A measured quantity is named by what it measures, or its dimension.
                words = match (&cue, unit) {
                    (Some(f), _) => vec![f.measure.clone()],
                    (None, Some((u, _))) => vec![u.dimension.clone()],
                    (None, None) => continue,
                };
            }
            if let Some((u, n)) = unit {
                q.unit = u.canonical.clone();
                // The surface runs over the unit's words.
                let last = (next + n).min(toks.len()) - 1;
                q.text = text[q.range.start..toks[last].range.end].to_string();
            }
            drafts.push(Draft {
                from_table,
                from_parse,
                q_tok: (q_start, next),
                dimension: unit.map(|(u, _)| u.dimension.clone()),
                q,
                words,
                measure_key,
                np_end,
                surface_start,
                subject: None,
                holder,
            });
        }
        toll_parts(&mut drafts, &toks, table);
        if parse.is_some() {
            parts_and_increments(&mut drafts, &toks, table, &out);
        }
        subjects(
            &mut drafts,
            &toks,
            text,
            &mentions,
            sent.range.start,
            parse.is_some(),
        );
        // Coordination: neighbours joined only by "and", ",", qualifiers share subject and anchor.
        let n = drafts.len();
        let mut group = vec![0usize; n];
        for k in 1..n {
            let gap = &toks[drafts[k - 1].np_end.min(drafts[k].q_tok.0)..drafts[k].q_tok.0];
            let joined = gap.len() <= 3
                && gap.iter().all(|t| {
                    t.tk == Tk::Sym(',') || t.word().is_some_and(|w| w == "and" || w == "with")
                });
            group[k] = if joined { group[k - 1] } else { k };
        }
        for g in 0..n {
            let members: Vec<usize> = (0..n).filter(|&k| group[k] == g).collect();
            if members.is_empty() {
                continue;
            }
            let subject = members.iter().find_map(|&k| drafts[k].subject);
            let last_end = drafts[*members.last().unwrap_or(&g)].np_end;
            let first_start = drafts[members[0]].q_tok.0;
            let next_group_start = (0..n)
                .find(|&k| k > *members.last().unwrap_or(&g) && group[k] != g)
                .map(|k| drafts[k].q_tok.0);
            let after = anchors.iter().find(|a| {
                let at = tok_at(a.range.start);
                at >= last_end && next_group_start.is_none_or(|s| at < s)
            });
            let before = anchors
                .iter()
                .rev()
                .find(|a| tok_end(a.range.end) <= first_start);
            let anchor = after.or(before);
            for &k in &members {
                let d = &drafts[k];
                let np_end_byte = toks[d.np_end - 1].range.end;
                let local = d.surface_start..np_end_byte.max(d.q.range.end);
                let range = sent.range.start + local.start..sent.range.start + local.end;
                let (o_start, _) = doc.offsets(&range);
                let mut q = d.q.clone();
                q.range = sent.range.start + q.range.start..sent.range.start + q.range.end;
                let subj = d.subject.or(subject);
                let surface = doc.surface(&range).to_string();
                out.push(Claim {
                    id: format!("claim:{}:{}", doc.meta.doc_id, o_start),
                    sentence: si,
                    range,
                    quantity: q,
                    measure: d.words.join(" "),
                    measure_key: d.measure_key.clone(),
                    measure_from_table: d.from_table,
                    measure_from_parse: d.from_parse,
                    dimension: d.dimension.clone(),
                    subject_mention: subj,
                    subject_id: None,
                    subject: subj.map(|m| doc.slice(&doc.mentions[m].range).to_string()),
                    as_of: anchor.and_then(|a| a.date.clone()),
                    as_of_text: anchor.map(|a| a.text.clone()),
                    holder: d.holder.as_ref().map(|(_, h)| h.clone()),
                    surface,
                });
            }
        }
    }
    number_votes(&mut out);
    out
}

/// A claim being read, before its subject and date are settled.
struct Draft {
    q: Quantity,
    q_tok: (usize, usize),
    words: Vec<String>,
    measure_key: String,
    from_table: bool,
    from_parse: bool,
    dimension: Option<String>,
    np_end: usize,
    /// Local byte where the surface starts (before the number when the measure is).
    surface_start: usize,
    subject: Option<usize>,
    /// The holder the parse names: word's view byte range and its phrase key.
    holder: Option<(Range<usize>, String)>,
}

/// Vote tallies: "by a 230-197 margin", "voted 230-197", "adopted by 230 to 197": the first
/// figure is the votes for, the second the votes against, when the sentence speaks of a vote.
fn vote_tallies(toks: &[Tok], quants: &[(Quantity, usize)]) -> Vec<Option<&'static str>> {
    let tok_at = |byte: usize| toks.partition_point(|t| t.range.start < byte);
    let mut tally: Vec<Option<&'static str>> = vec![None; quants.len()];
    // A vote word anywhere in the sentence: "The votes ... were 230-197-1 on the first
    // charge, 229-198-1 on the second."
    let vote_word = |w: &str| w.starts_with("vot") || matches!(w, "margin" | "tally");
    if !toks.iter().any(|t| t.word().is_some_and(vote_word)) {
        return tally;
    }
    for k in 0..quants.len().saturating_sub(1) {
        let (a, a_next) = (&quants[k].0, quants[k].1);
        let b = &quants[k + 1].0;
        // "230-197", "adopted by 230 to 197"
        let joined = toks
            .get(a_next)
            .is_some_and(|t| t.is_sym('-') && !t.space_before || t.is_word("to"))
            && tok_at(b.range.start) == a_next + 1
            && a.kind == QuantityKind::Number
            && b.kind == QuantityKind::Number
            && a.value >= b.value;
        if joined {
            tally[k] = Some("votes for");
            tally[k + 1] = Some("votes against");
        }
    }
    tally
}

/// "84 people are dead, including two Americans and 10 children": a figure brought in by
/// "including" (or joined by "and" to one that is) is a part of the toll before it.
fn toll_parts(drafts: &mut [Draft], toks: &[Tok], table: &MeasureTable) {
    let mut part_of: Option<String> = None;
    for k in 0..drafts.len() {
        let (qs, _) = drafts[k].q_tok;
        let word_before = |n: usize| qs.checked_sub(n).and_then(|p| toks[p].word());
        let included = matches!(word_before(1), Some("including"))
            || (word_before(1) == Some("and")
                && part_of.is_some()
                && k > 0
                && drafts[k - 1].np_end + 1 >= qs);
        if !included {
            part_of = None;
        }
        if included && !drafts[k].from_table {
            if part_of.is_none() {
                part_of = drafts[..k]
                    .iter()
                    .rev()
                    .find(|d| {
                        d.from_table
                            && table.is_cumulative(&d.measure_key)
                            && !d.measure_key.contains(':')
                    })
                    .map(|d| d.measure_key.clone());
            }
            if let Some(base) = &part_of {
                let phrase = drafts[k].words.join(" ");
                if drafts[k].from_parse {
                    // The parse's key is the counted noun in its class: "deaths: american".
                    if !drafts[k].measure_key.is_empty() {
                        drafts[k].measure_key = format!("{base}: {}", drafts[k].measure_key);
                        drafts[k].from_table = true;
                    }
                } else if !phrase.is_empty() && !table.is_generic(&phrase) {
                    drafts[k].measure_key = format!("{base}: {phrase}");
                    drafts[k].from_table = true;
                }
            }
        }
    }
}

/// Parts and increments are other measures than the whole: "a total of 20,000 flying hours,
/// including 6,100 in the Airbus", "the first two fatalities", "three more deaths", "about
/// 150 more had to wait". `earlier`: the document's claims of the sentences before.
fn parts_and_increments(
    drafts: &mut [Draft],
    toks: &[Tok],
    table: &MeasureTable,
    earlier: &[Claim],
) {
    for k in 0..drafts.len() {
        let (qs, qe) = drafts[k].q_tok;
        let before = qs.checked_sub(1).and_then(|p| toks[p].word());
        let after = toks.get(qe).and_then(|t| t.word());
        let key = drafts[k].measure_key.clone();
        if key.is_empty() {
            continue;
        }
        let part_of_earlier =
            before == Some("including") && drafts[..k].iter().any(|d| d.measure_key == key);
        let ordinal = matches!(before, Some("first" | "last"));
        if part_of_earlier || ordinal {
            drafts[k].measure_key = format!("{key} (part)");
        } else if matches!(after, Some("more" | "additional" | "extra" | "new"))
            // "200 more victims are hurt" adds the hurt to the dead, not to the hurt.
            && !toks
                .get(qe + 1)
                .and_then(|t| t.word())
                .is_some_and(|w| table.is_generic(w))
            && (earlier.iter().any(|c: &Claim| c.measure_key == key)
                || drafts[..k].iter().any(|d| d.measure_key == key))
        {
            drafts[k].measure_key = format!("{key} (more)");
        }
    }
}

/// Subjects: the holder the parse names (an entity when a mention covers it); without a
/// parse, three rules by distance (a possessive right before, "in China" right after the
/// measure, the clause subject right before a verb). `mentions`: the sentence's, as local
/// byte ranges; `sent_start`: the sentence's view byte.
fn subjects(
    drafts: &mut [Draft],
    toks: &[Tok],
    text: &str,
    mentions: &[(Range<usize>, usize)],
    sent_start: usize,
    parsed: bool,
) {
    let tok_at = |byte: usize| toks.partition_point(|t| t.range.start < byte);
    let tok_end = |byte: usize| toks.partition_point(|t| t.range.end <= byte);
    for d in drafts.iter_mut() {
        let (qs, _) = d.q_tok;
        if let Some((r, _)) = &d.holder {
            let at = r.start - sent_start;
            d.subject = mentions
                .iter()
                .find(|(m, _)| m.start <= at && at < m.end)
                .map(|(_, mi)| *mi);
            if d.subject.is_some() {
                d.holder = None;
            }
            continue;
        }
        // Without a parse: 1. possessive right before: "China's 670 million", "China's
        // death toll rose to"
        if parsed {
            continue;
        }
        let ss = tok_at(d.surface_start);
        for (r, mi) in mentions {
            let Some(p) = POSSESSIVES.iter().find(|p| text[r.end..].starts_with(*p)) else {
                continue;
            };
            let me = tok_end(r.end + p.len());
            if ss >= me && ss - me <= 3 {
                d.subject = Some(*mi);
            }
        }
        // With a parse, the subject is the holder it names (above); "in China" and the
        // clause subject are read by distance only without one: they name where and who
        // reported as often as whose figure it is.
        // 2. "in China" right after the measure (only prepositions and articles between)
        if d.subject.is_none() {
            let mut k = d.np_end;
            while toks.get(k).and_then(|t| t.word()).is_some_and(|w| {
                matches!(
                    w,
                    "in" | "of" | "across" | "throughout" | "for" | "the" | "at"
                )
            }) {
                k += 1;
            }
            if k > d.np_end {
                if let Some(b) = toks.get(k).map(|t| t.range.start) {
                    if let Some((_, mi)) = mentions.iter().find(|(r, _)| r.start == b) {
                        d.subject = Some(*mi);
                    }
                }
            }
        }
        // 3. clause subject: "China had 668 million"; "In China, 670 million"
        if d.subject.is_none() {
            let before: Vec<&(Range<usize>, usize)> = mentions
                .iter()
                .filter(|(r, _)| tok_end(r.end) <= qs)
                .collect();
            if let Some((r, mi)) = before.last() {
                let me = tok_end(r.end);
                let between = &toks[me..qs];
                // "China had", "Port Ellis handled", "Norland will spend": up to three
                // lower-case words, the first a verb (listed, or a past or present form).
                let lower = |t: &Tok| {
                    t.word().is_some_and(|w| {
                        text[t.range.clone()]
                            .chars()
                            .next()
                            .is_some_and(char::is_lowercase)
                            && !matches!(w, "and" | "or" | "but" | "of" | "the")
                    })
                };
                let verb = |t: &Tok| {
                    t.word().is_some_and(|w| {
                        VERBS_BEFORE_NUMBER.contains(&w)
                            || (w.len() > 4 && (w.ends_with("ed") || w.ends_with('s')))
                    })
                };
                let all_verbish = !between.is_empty()
                    && between.len() <= 3
                    && between.iter().all(lower)
                    && verb(&between[0]);
                let in_comma = between.len() == 1
                    && between[0].tk == Tk::Sym(',')
                    && tok_at(r.start).checked_sub(1).and_then(|p| toks[p].word()) == Some("in");
                if all_verbish || in_comma {
                    d.subject = Some(*mi);
                }
            }
        }
    }
}

/// A document that reports several votes ("230-197 on the first article, 229-198 on the
/// second") reports them in order: its tallies are numbered, so that each outlet's first vote
/// is compared with the others' first.
fn number_votes(claims: &mut [Claim]) {
    for measure in ["votes for", "votes against"] {
        let n = claims.iter().filter(|c| c.measure_key == measure).count();
        if n < 2 {
            continue;
        }
        let mut k = 0;
        for c in claims.iter_mut().filter(|c| c.measure_key == measure) {
            k += 1;
            c.measure_key = format!("{measure} (vote {k})");
        }
    }
}

#[cfg(test)]
mod tests;
