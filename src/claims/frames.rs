//! Claims read through the sentence's dependency tree (the syntax layer, [`crate::syntax`]):
//! what a number counts, what happened to it and whose figure it is, from heads and labels
//! rather than from word distances. Each rule below reads one pattern of the tree and is named
//! for it; [`read`] puts them together.
//!
//! The measure a claim is grouped by ([`Reading::key`]) is open-vocabulary:
//! - a cue of the measure table inside the number's frame names what happened ("killed",
//!   "death toll", "in critical condition" -> `deaths`, `critically injured`), and a counted
//!   noun that is neither generic nor the cue qualifies it ("10 children were killed" ->
//!   `deaths: child`);
//! - otherwise the counted noun with its modifiers is the measure, in its synonym class
//!   (`data/synonyms.tsv`: "14 European nations" and "14 EU countries" -> `eu country`),
//!   whatever the noun: no table needs to know it;
//! - a generic noun ("3,000 people work") takes the predicate's lemma (`work`).
//!
//! The table and the synonyms are hints: a noun that neither lists is still a measure.
use super::measures::MeasureTable;
use crate::compare::singular;
use crate::syntax::{frame::Frame, Parse};
use std::collections::HashMap;
use std::ops::Range;

/// The key of a number that counts page furniture ("16 of 26 Photos"): no claim.
pub const FURNITURE: &str = "-none";

/// What the parse says about one number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// The measure of a table cue in the number's frame ("deaths").
    pub event: Option<String>,
    /// Whether the event's cue is the counted noun itself ("84 dead", "14 deaths").
    pub cue_is_noun: bool,
    /// The lemma of the predicate that governs the number ("expel", "work").
    pub predicate: Option<String>,
    /// The counted noun's modifiers and the noun itself, singular, lower-case, each in its
    /// synonym class: `["eu", "country"]`. Empty when nothing is counted in words.
    pub noun: Vec<String>,
    /// Whether the counted noun is generic ("people"): it says nothing by itself.
    pub generic: bool,
    /// Whose figure it is: the possessor of the counted thing, or the subject of a verb of
    /// having (`-holder` rows of the measure table): word index.
    pub holder: Option<usize>,
    /// Someone's own, named by a pronoun ("their two children"), or a part of people named
    /// by one ("three of them children"): never the story's figure.
    pub aside: bool,
    /// No claim at all: a counter of page furniture (the number or what it is a part of is a
    /// `-none` noun of the measure table: "16 of 26 Photos"), or someone's age set off by
    /// commas after them ("Another man, 81, died"; see [`age_aside`]).
    pub furniture: bool,
}

impl Reading {
    /// The measure key: see the module docs. Empty when the parse says nothing that could be
    /// compared (a bare number under a verb of saying); [`FURNITURE`] for no claim.
    pub fn key(&self) -> String {
        if self.furniture {
            return FURNITURE.to_string();
        }
        let key = self.bare_key();
        if self.aside && !key.is_empty() {
            return format!("{key} (aside)");
        }
        key
    }

    fn bare_key(&self) -> String {
        let noun = (!self.generic && !self.cue_is_noun).then(|| self.noun.join(" "));
        let noun = noun.filter(|n| !n.is_empty());
        match (&self.event, noun) {
            // "10 children were killed", "788,916 homes without power", "45 countries
            // attended": what happened, to what.
            (Some(e), Some(n)) => format!("{e}: {n}"),
            (Some(e), None) => e.clone(),
            (None, Some(n)) => n,
            (None, None) => self.predicate.clone().unwrap_or_default(),
        }
    }
}

/// Synonym classes of counted nouns and their modifiers (`data/synonyms.tsv`).
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Word or phrase (lower-case, singular) -> its class.
    class: HashMap<String, String>,
    /// Longest phrase, in words.
    longest: usize,
}

impl Synonyms {
    /// Parse the TSV format of `data/synonyms.tsv`: a class, then the words and phrases that
    /// mean it, tab-separated.
    pub fn parse(tsv: &str) -> Result<Synonyms, String> {
        let mut s = Synonyms::default();
        for (i, line) in tsv.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            s.extend(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        }
        Ok(s)
    }

    /// Add one row: a class, then its words and phrases, tab-separated.
    pub fn extend(&mut self, row: &str) -> Result<(), String> {
        let cols: Vec<&str> = row.split('\t').map(str::trim).collect();
        if cols.len() < 2 || cols.iter().any(|c| c.is_empty()) {
            return Err("a class and at least one synonym, tab-separated".into());
        }
        let class = cols[0].to_lowercase();
        for phrase in &cols[1..] {
            let words: Vec<String> = phrase
                .split_whitespace()
                .map(|w| singular(&w.to_lowercase()))
                .collect();
            self.longest = self.longest.max(words.len());
            self.class.insert(words.join(" "), class.clone());
        }
        Ok(())
    }

    /// The shipped classes.
    pub fn builtin() -> Synonyms {
        Synonyms::parse(include_str!("../../data/synonyms.tsv")).unwrap_or_default()
    }

    /// The words with every listed phrase replaced by its class (longest phrase first).
    pub fn classes(&self, words: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        let mut k = 0;
        while k < words.len() {
            let hit = (1..=self.longest.min(words.len() - k))
                .rev()
                .find_map(|n| self.class.get(&words[k..k + n].join(" ")).map(|c| (c, n)));
            match hit {
                Some((c, n)) => {
                    if out.last() != Some(c) {
                        out.push(c.clone());
                    }
                    k += n;
                }
                None => {
                    out.push(words[k].clone());
                    k += 1;
                }
            }
        }
        out
    }
}

/// The word that carries a quantity spanning view bytes `range`: of the words inside it, the
/// one whose head lies outside ("more than 80" -> "80", "1.8 million" -> "million").
pub fn number_word(p: &Parse, range: &Range<usize>) -> Option<usize> {
    let inside = words_inside(p, range);
    inside
        .iter()
        .copied()
        .filter(|&k| p.head(k).is_none_or(|h| !inside.contains(&h)))
        .find(|&k| p.words[k].upos == "NUM" || p.words[k].upos == "NOUN" || inside.len() == 1)
        .or_else(|| inside.last().copied())
}

/// The words that lie inside view bytes `range`.
fn words_inside(p: &Parse, range: &Range<usize>) -> Vec<usize> {
    (0..p.words.len())
        .filter(|&k| {
            let w = &p.words[k];
            (w.start as usize) >= range.start && (w.end as usize) <= range.end
        })
        .collect()
}

/// Whether word `c` is brought in by one of the prepositions `case` ("of", "among").
fn brought_in_by(p: &Parse, text: &str, c: usize, case: &[&str]) -> bool {
    p.child_with(c, "case")
        .is_some_and(|k| case.contains(&form(p, text, k).as_str()))
}

/// Lower-case form of word `k`.
fn form(p: &Parse, text: &str, k: usize) -> String {
    text.get(p.words[k].range()).unwrap_or("").to_lowercase()
}

/// A verb's stem for grouping, from its form: "plucked", "plucking" -> "pluck"; "expelled" ->
/// "expel". Consistent rather than correct: two forms of one verb meet on one stem.
pub fn stem(w: &str) -> String {
    let w = w.to_lowercase();
    let cut = |w: &str, n: usize| w[..w.len() - n].to_string();
    let base = if w.len() > 4 && w.ends_with("ied") {
        format!("{}y", cut(&w, 3))
    } else if w.len() > 5 && w.ends_with("ing") {
        cut(&w, 3)
    } else if w.len() > 4 && w.ends_with("ed") {
        cut(&w, 2)
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        cut(&w, 1)
    } else {
        w.clone()
    };
    // "expell" -> "expel", "stopp" -> "stop"; "adopte" -> "adopt"
    let b = base.as_bytes();
    if b.len() > 3
        && b[b.len() - 1] == b[b.len() - 2]
        && !matches!(b[b.len() - 1], b's' | b'l' | b'e')
        || b.len() > 3 && b[b.len() - 1] == b'l' && b[b.len() - 2] == b'l' && w.ends_with("lled")
    {
        return base[..base.len() - 1].to_string();
    }
    // "adopte" (a wrong lemma) -> "adopt", but "use" stays
    match base.strip_suffix('e') {
        Some(b) if b.len() > 3 && !w.ends_with('e') => b.to_string(),
        _ => base,
    }
}

/// The partitive phrase of a number ("52 of the injured", "two of those killed"): the
/// nominal brought in by "of" or "among"; its words say what the number is a part of, not what
/// it counts.
fn partitive_of(p: &Parse, text: &str, i: usize) -> Option<usize> {
    p.children(i)
        .find(|&c| p.words[c].base_rel() == "nmod" && brought_in_by(p, text, c, &["of", "among"]))
}

/// Words under `root` in the tree (itself included).
fn subtree(p: &Parse, root: usize) -> Vec<usize> {
    let mut out = vec![root];
    let mut k = 0;
    while k < out.len() && out.len() <= p.words.len() {
        let at = out[k];
        out.extend(
            p.children(at)
                .filter(|c| !out.contains(c))
                .collect::<Vec<_>>(),
        );
        k += 1;
    }
    out
}

/// What a number counts when the tree gives it no noun: the nominal it is the subject of
/// ("Seven of the people on board are crew members"), or the noun right after it when the
/// parser left the number hanging ("There were 788,916 homes": `dep`).
fn counted_fallback(p: &Parse, text: &str, f: &Frame) -> Option<usize> {
    let i = f.number;
    let rel = p.words[i].base_rel();
    if rel == "nsubj" {
        let v = f.predicate?;
        let nominal =
            matches!(p.words[v].upos.as_str(), "NOUN") && p.child_with(v, "cop").is_some();
        return nominal.then_some(v);
    }
    // "About 9,700 National Guard troops": the number hangs on the noun as `dep`.
    if let Some(h) = p.head(i) {
        if matches!(rel, "dep" | "compound" | "amod" | "appos")
            && h > i
            && h - i <= 4
            && p.words[h].upos == "NOUN"
        {
            return Some(h);
        }
    }
    if matches!(rel, "dep" | "root" | "parataxis" | "appos" | "list") {
        let mut k = i + 1;
        while k < p.words.len() && matches!(p.words[k].upos.as_str(), "ADJ" | "PROPN") {
            k += 1;
        }
        let noun = k < p.words.len() && p.words[k].upos == "NOUN" && !form(p, text, k).is_empty();
        return noun.then_some(k);
    }
    None
}

/// The counted noun's own qualifiers: adjectives and compounds before it that are not
/// numbers or words of quantity ("Russian diplomats", "EU countries", "hotshot firefighters").
fn counted_modifiers(p: &Parse, text: &str, n: usize, skip: &[usize]) -> Vec<usize> {
    p.children(n)
        .filter(|&c| c < n && !skip.contains(&c))
        .filter(|&c| matches!(p.words[c].base_rel(), "amod" | "compound"))
        .filter(|&c| p.words[c].upos != "NUM")
        .filter(|&c| {
            !matches!(
                form(p, text, c).as_str(),
                "more" | "other" | "additional" | "total" | "least" | "some" | "several" | "few"
            )
        })
        .collect()
}

/// The words that can say what happened to the counted thing: the number and its own
/// dependents ("84 dead"), the counted noun with its modifiers and the clauses that describe
/// it ("people killed", "people who died"), the predicate with its complements ("were in
/// critical condition"), and the subject of a level verb ("the death toll rose to 84").
fn frame_words(p: &Parse, text: &str, f: &Frame) -> Vec<usize> {
    let mut excluded = partitive_of(p, text, f.number).map_or(Vec::new(), |c| subtree(p, c));
    // "Of the people on board the passenger jet, 155 are Indonesian, three are South Korean":
    // a fronted partitive says what the numbers are parts of.
    if let Some(v) = f.predicate {
        for c in p.children(v) {
            let partitive =
                p.words[c].base_rel() == "obl" && brought_in_by(p, text, c, &["of", "among"]);
            if partitive {
                excluded.extend(subtree(p, c));
            }
        }
    }
    let mut out = frame_words_all(p, f);
    out.retain(|k| !excluded.contains(k));
    out
}

fn frame_words_all(p: &Parse, f: &Frame) -> Vec<usize> {
    let mut out = vec![f.number];
    out.extend(
        p.children(f.number)
            .filter(|&c| matches!(p.words[c].base_rel(), "amod" | "acl" | "nmod" | "conj")),
    );
    if let Some(n) = f.counted {
        out.push(n);
        // "162 people aboard", "84 people dead": a word right after the counted noun that
        // says where or how they are is theirs, wherever the parser attached it.
        if let Some(next) = p.words.get(n + 1) {
            if matches!(next.upos.as_str(), "ADV" | "ADJ" | "VERB") && next.base_rel() != "amod" {
                out.push(n + 1);
            }
        }
        for c in p.children(n) {
            match p.words[c].base_rel() {
                "amod" | "compound" => out.push(c),
                // "people killed", "people who died", "people on board"
                "acl" | "nmod" | "advmod" => {
                    out.push(c);
                    out.extend(p.children(c).filter(|&g| p.words[g].base_rel() == "amod"));
                }
                _ => {}
            }
        }
    }
    if let Some(v) = f.predicate {
        out.push(v);
        for c in p.children(v) {
            let rel = p.words[c].base_rel();
            // "were in critical condition", "were left dead", "remain hospitalized"
            if matches!(rel, "xcomp" | "advmod" | "compound" | "amod")
                || (rel == "obl" && p.words[c].upos == "NOUN")
            {
                out.push(c);
                out.extend(p.children(c).filter(|&g| p.words[g].base_rel() == "amod"));
            }
            // "the death toll rose to 84", "bringing the death toll to 11": the subject or
            // object names the measure when the number is the level it reached.
            let level = matches!(
                p.words[f.counted.unwrap_or(f.number)].base_rel(),
                "obl" | "xcomp" | "advcl" | "ccomp"
            );
            let argument = rel == "nsubj" || (level && rel == "obj");
            if argument && Some(c) != f.counted && p.words[c].upos == "NOUN" {
                out.push(c);
                out.extend(
                    p.children(c)
                        .filter(|&g| p.words[g].base_rel() == "compound"),
                );
            }
        }
        // A predicate that is itself an adjective or participle modifying a noun.
        if let Some(h) = p.head(v) {
            if p.words[v].base_rel() == "conj" && p.words[h].upos == "VERB" {
                out.push(h);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A table cue whose words stand in the sentence with at least one of them in the frame:
/// the cue's measure, and whether the cue is the counted noun itself. Cues on the predicate
/// win over cues elsewhere in the frame.
fn cue_in_frame(
    table: &MeasureTable,
    p: &Parse,
    text: &str,
    f: &Frame,
    words: &[usize],
    applies: &str,
) -> Option<(String, bool)> {
    // Cues are matched over the words without punctuation: `in "serious condition"`.
    let kept: Vec<usize> = (0..p.words.len())
        .filter(|&k| p.words[k].upos != "PUNCT")
        .collect();
    let forms: Vec<String> = kept.iter().map(|&k| form(p, text, k)).collect();
    // "killing all 150 people on board": what all of them were is the noun's own cue.
    let all = f.counted.is_some_and(|n| {
        p.children(n)
            .any(|c| form(p, text, c) == "all" && p.words[c].base_rel() == "det")
    });
    let on_noun = |k: usize| {
        f.counted.is_some_and(|n| {
            k == n || p.head(k) == Some(n) || p.head(k).and_then(|h| p.head(h)) == Some(n)
        })
    };
    let with_phrase = f
        .counted
        .is_some_and(|n| brought_in_by(p, text, n, &["with"]));
    let mut best: Option<(u8, String, bool)> = None;
    for (measure, cue) in table.cues_for(applies) {
        for start in 0..forms.len() {
            let Some(end) = table.cue_matches(cue, &forms, start) else {
                continue;
            };
            let covered: Vec<usize> = (start..end)
                .map(|j| kept[j])
                .filter(|k| words.contains(k))
                .collect();
            if covered.is_empty() {
                continue;
            }
            // "the plane, which went missing with 162 people aboard": the predicate is the
            // plane's, not the people's.
            if with_phrase && covered.iter().all(|&k| Some(k) == f.predicate) {
                continue;
            }
            let rank = if all
                && covered
                    .iter()
                    .any(|&k| on_noun(k) || Some(k) != f.predicate)
            {
                0
            } else if covered.iter().any(|&k| Some(k) == f.predicate) {
                1
            } else if covered
                .iter()
                .any(|&k| Some(k) == f.counted || k == f.number)
            {
                2
            } else {
                3
            };
            // "14 deaths", "52 were in critical condition": the counted noun is the cue's.
            let is_noun = f.counted.is_some_and(|n| covered.contains(&n));
            if best.as_ref().is_none_or(|b| rank < b.0) {
                best = Some((rank, measure.to_string(), is_noun));
            }
        }
    }
    best.map(|(_, m, n)| (m, n))
}

/// Whose figure it is: the possessor of the counted noun ("the captain's 6,100 hours"), or the
/// subject of a verb of having when the number is in its object ("the first officer had flown
/// 2,275 hours"). Returned with its modifiers as a phrase key ("first officer").
fn holder_of(p: &Parse, text: &str, f: &Frame, table: &MeasureTable, toll: bool) -> Option<usize> {
    let noun = |k: &usize| matches!(p.words[*k].upos.as_str(), "NOUN" | "PROPN");
    // "their two children" are someone's, not the event's: a pronoun holds them too.
    if let Some(h) = f.counted.and_then(|n| p.child_with(n, "nmod:poss")) {
        return Some(h);
    }
    // "4.13 million websites in China": the named place a count is of (not a toll's: "10
    // deaths in North Carolina" is a part of the storm's).
    if !toll {
        let scope = f.counted.and_then(|n| {
            p.children(n).find(|&c| {
                p.words[c].base_rel() == "nmod"
                    && p.words[c].upos == "PROPN"
                    && brought_in_by(p, text, c, &["in", "across", "throughout"])
            })
        });
        if scope.is_some() {
            return scope;
        }
    }
    let v = f.predicate?;
    let verb = p.lemma(v, text).to_lowercase();
    if table.is_holder_verb(&verb) || table.is_holder_verb(&form(p, text, v)) {
        return p.child_with(v, "nsubj").filter(noun);
    }
    // "Canada expelled seven", "Port Ellis handled 12 million containers": a name that does
    // what the object counts holds the figure; not a verb of saying ("CBS reported 77
    // dead", "Winkelmann confirmed the 16 students"), not a toll ("the gunman killed 84").
    if table.is_light_verb(&verb) || table.is_light_verb(&stem(&form(p, text, v))) || toll {
        return None;
    }
    f.holder.filter(|&s| p.words[s].upos == "PROPN")
}

/// The key of a holder word: its compounds and adjectives with it ("first officer").
pub fn holder_phrase(p: &Parse, text: &str, h: usize) -> String {
    // "the first officer", "the AirAsia jet" -> "jet": a name before a common noun is the
    // owner's, not the holder's kind.
    let mut ws: Vec<usize> = p
        .children(h)
        .filter(|&c| c < h && matches!(p.words[c].base_rel(), "amod" | "compound"))
        .filter(|&c| p.words[h].upos == "PROPN" || p.words[c].upos != "PROPN")
        .collect();
    ws.push(h);
    ws.iter()
        .map(|&k| singular(&form(p, text, k)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A whole number under 130 standing alone between commas right after a noun or a name
/// ("Another man, 81, died", "Smith, 45, was"): the age news writing puts there, read from
/// the words' order and not from the label the parser gave it (`appos` in one reading,
/// `nsubj` of the verb in another).
fn age_aside(p: &Parse, text: &str, i: usize) -> bool {
    let comma = |k: Option<usize>| k.is_some_and(|k| form(p, text, k) == ",");
    let before = i.checked_sub(2);
    let after_noun = before.is_some_and(|b| matches!(p.words[b].upos.as_str(), "NOUN" | "PROPN"));
    // Closed by a comma, other punctuation but a hyphen, or the sentence's end.
    let closed = p.words.get(i + 1).is_none_or(|w| {
        let f = form(p, text, i + 1);
        f == "," || (w.upos == "PUNCT" && f != "-")
    });
    let small = form(p, text, i)
        .parse::<u32>()
        .is_ok_and(|n| (1..130).contains(&n));
    let alone = p.children(i).all(|c| p.words[c].upos == "PUNCT");
    small && alone && after_noun && comma(i.checked_sub(1)) && closed
}

/// Read the number carried by the quantity at view bytes `range`: see [`Reading`].
pub fn read(
    p: &Parse,
    text: &str,
    range: &Range<usize>,
    applies: &str,
    table: &MeasureTable,
) -> Option<Reading> {
    let i = number_word(p, range)?;
    let mut f = Frame::of_number(p, text, i);
    // "left 80 people dead and 100 injured": a number followed by an adjective or participle
    // counts what that word says, wherever the parser attached the number.
    if let Some(next) = p.words.get(i + 1) {
        let quantity_word = matches!(
            form(p, text, i + 1).as_str(),
            "more" | "other" | "additional" | "fewer" | "less" | "new" | "extra"
        );
        // "14 European nations": an adjective before the counted noun is its modifier.
        let own = matches!(next.upos.as_str(), "ADJ" | "VERB")
            && !quantity_word
            && f.counted
                .is_some_and(|n| n < i || (n > i + 1 && p.head(i + 1) != Some(n)));
        if own {
            f = Frame {
                number: i,
                predicate: Some(i + 1),
                ..Default::default()
            };
        }
    }
    // "killing at least 84", a number hung on its verb by any label: the verb is its predicate.
    if f.predicate.is_none() && f.counted.is_none() {
        f.predicate = p.head(i).filter(|&h| p.words[h].upos == "VERB");
    }
    if f.counted.is_none() {
        f.counted = counted_fallback(p, text, &f);
        if f.predicate.is_none() {
            f.predicate = f.counted.and_then(|n| p.head(n));
        }
    }
    let words = frame_words(p, text, &f);
    let (event, mut cue_is_noun) = match cue_in_frame(table, p, text, &f, &words, applies) {
        Some((m, n)) => (Some(m), n),
        None => (None, false),
    };
    // "3,000 delegates came": a noun that is itself a cue of the event adds nothing to it.
    if let (Some(e), Some(n)) = (&event, f.counted) {
        cue_is_noun |= table.cue_word_of(e, &form(p, text, n));
    }
    let mut noun = Vec::new();
    let mut generic = true;
    // Money and percents count no noun: "$4.5 billion" is a sum, "$" no thing counted.
    // "100 injured": a number the parser hangs on an adjective counts no noun.
    let counted = f
        .counted
        .filter(|&n| applies == "count" && matches!(p.words[n].upos.as_str(), "NOUN" | "PROPN"));
    if let Some(n) = counted {
        let inside = words_inside(p, range);
        let head = singular(&form(p, text, n));
        generic = table.is_generic(&head) || table.is_generic(&form(p, text, n));
        let mut raw: Vec<String> = counted_modifiers(p, text, n, &inside)
            .into_iter()
            .map(|k| singular(&form(p, text, k)))
            .collect();
        raw.push(head);
        noun = table.synonyms.classes(&raw);
    }
    let predicate = f
        .predicate
        .filter(|&v| matches!(p.words[v].upos.as_str(), "VERB" | "ADJ" | "NOUN"))
        .filter(|&v| !table.is_light_verb(&p.lemma(v, text).to_lowercase()))
        .map(|v| stem(&form(p, text, v)));
    let toll = event.as_deref().is_some_and(|e| table.is_cumulative(e));
    let mut holder = holder_of(p, text, &f, table, toll);
    let pronoun = |k: usize| matches!(p.words[k].upos.as_str(), "PRON" | "DET");
    let bare = |k: usize| p.children(k).all(|g| p.words[g].base_rel() == "case");
    let aside = holder.is_some_and(pronoun)
        || partitive_of(p, text, i).is_some_and(|c| pronoun(c) && bare(c));
    if holder.is_some_and(pronoun) {
        holder = None;
    }
    let furniture = age_aside(p, text, i)
        || partitive_of(p, text, i)
            .into_iter()
            .chain(f.counted)
            .any(|k| table.is_none(&form(p, text, k)));
    Some(Reading {
        event,
        cue_is_noun,
        predicate,
        noun,
        generic,
        holder,
        aside,
        furniture,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::conllu::parsed;

    fn key_of(conllu_text: &str, number: &str) -> (String, Option<String>) {
        let (p, text) = parsed(conllu_text);
        let at = text.find(number).expect("number in sentence");
        let t = MeasureTable::builtin();
        let r = read(&p, &text, &(at..at + number.len()), "count", &t).expect("a reading");
        let holder = r.holder.map(|h| holder_phrase(&p, &text, h));
        (r.key(), holder)
    }

    /// Rows: id, form, lemma, upos, head, deprel.
    fn rows(rows: &[(&str, &str, &str, u32, &str)]) -> String {
        rows.iter()
            .enumerate()
            .map(|(i, (f, l, u, h, r))| format!("{}\t{f}\t{l}\t{u}\t_\t_\t{h}\t{r}\t_\t_\n", i + 1))
            .collect()
    }

    #[test]
    fn the_object_of_a_verb_of_killing_is_a_death_toll() {
        // "... a satirical newspaper that killed 12 people Wednesday" (USA Today, Charlie Hebdo)
        let s = rows(&[
            ("newspaper", "newspaper", "NOUN", 0, "root"),
            ("that", "that", "PRON", 3, "nsubj"),
            ("killed", "kill", "VERB", 1, "acl:relcl"),
            ("12", "12", "NUM", 5, "nummod"),
            ("people", "people", "NOUN", 3, "obj"),
            ("Wednesday", "Wednesday", "PROPN", 3, "obl:tmod"),
        ]);
        assert_eq!(key_of(&s, "12").0, "deaths");
    }

    #[test]
    fn a_counted_noun_no_table_lists_is_its_own_measure_in_its_synonym_class() {
        // "14 European nations expelled ..." against "14 EU countries" (Russian diplomats, 2018)
        let a = rows(&[
            ("14", "14", "NUM", 3, "nummod"),
            ("European", "European", "ADJ", 3, "amod"),
            ("nations", "nation", "NOUN", 4, "nsubj"),
            ("expelled", "expel", "VERB", 0, "root"),
            ("diplomats", "diplomat", "NOUN", 4, "obj"),
        ]);
        let b = rows(&[
            ("14", "14", "NUM", 3, "nummod"),
            ("EU", "EU", "PROPN", 3, "compound"),
            ("countries", "country", "NOUN", 4, "nsubj"),
            ("expelled", "expel", "VERB", 0, "root"),
            ("diplomats", "diplomat", "NOUN", 4, "obj"),
        ]);
        assert_eq!(key_of(&a, "14").0, "eu country");
        assert_eq!(key_of(&b, "14").0, "eu country");
    }

    #[test]
    fn whose_hours_they_are_is_the_subject_of_the_verb_of_having() {
        // "... the plane's captain had a total of 6,100 flying hours, while the first officer
        // had flown 2,275 hours." (AirAsia QZ8501, Fox News)
        let s = rows(&[
            ("the", "the", "DET", 2, "det"),
            ("plane", "plane", "NOUN", 4, "nmod:poss"),
            ("'s", "'s", "PART", 2, "case"),
            ("captain", "captain", "NOUN", 5, "nsubj"),
            ("had", "have", "VERB", 0, "root"),
            ("a", "a", "DET", 7, "det"),
            ("total", "total", "NOUN", 5, "obj"),
            ("of", "of", "ADP", 11, "case"),
            ("6,100", "6,100", "NUM", 11, "nummod"),
            ("flying", "fly", "VERB", 11, "compound"),
            ("hours", "hour", "NOUN", 7, "nmod"),
            (",", ",", "PUNCT", 18, "punct"),
            ("while", "while", "SCONJ", 18, "mark"),
            ("the", "the", "DET", 16, "det"),
            ("first", "first", "ADJ", 16, "amod"),
            ("officer", "officer", "NOUN", 18, "nsubj"),
            ("had", "have", "AUX", 18, "aux"),
            ("flown", "fly", "VERB", 5, "conj"),
            ("2,275", "2,275", "NUM", 20, "nummod"),
            ("hours", "hour", "NOUN", 18, "obj"),
        ]);
        let (k1, h1) = key_of(&s, "6,100");
        let (k2, h2) = key_of(&s, "2,275");
        assert_eq!(k1, "flight hour");
        assert_eq!(h1.as_deref(), Some("captain"));
        assert_eq!(k2, "hour");
        assert_eq!(h2.as_deref(), Some("first officer"));
    }

    #[test]
    fn a_generic_noun_takes_the_predicate() {
        // "about 3,000 people work at the yard" (Navy Yard shooting)
        let s = rows(&[
            ("about", "about", "ADV", 2, "advmod"),
            ("3,000", "3,000", "NUM", 3, "nummod"),
            ("people", "people", "NOUN", 4, "nsubj"),
            ("work", "work", "VERB", 0, "root"),
            ("at", "at", "ADP", 7, "case"),
            ("the", "the", "DET", 7, "det"),
            ("yard", "yard", "NOUN", 4, "obl"),
        ]);
        assert_eq!(key_of(&s, "3,000").0, "work");
    }

    #[test]
    fn the_subject_of_a_level_verb_names_the_measure() {
        // "The death toll remains 84, he says" (Breitbart, Nice)
        let s = rows(&[
            ("The", "the", "DET", 3, "det"),
            ("death", "death", "NOUN", 3, "compound"),
            ("toll", "toll", "NOUN", 4, "nsubj"),
            ("remains", "remain", "VERB", 0, "root"),
            ("84", "84", "NUM", 4, "xcomp"),
        ]);
        assert_eq!(key_of(&s, "84").0, "deaths");
    }

    #[test]
    fn a_number_followed_by_its_own_adjective_counts_what_it_says() {
        // "... which left more than 80 people dead and 100 injured, ..." (Breitbart, Nice):
        // the parser hung 100 on "people"; the word after it says what it counts.
        let s = rows(&[
            ("which", "which", "PRON", 2, "nsubj"),
            ("left", "leave", "VERB", 0, "root"),
            ("80", "80", "NUM", 4, "nummod"),
            ("people", "people", "NOUN", 2, "obj"),
            ("dead", "dead", "ADJ", 2, "xcomp"),
            ("and", "and", "CCONJ", 8, "cc"),
            ("100", "100", "NUM", 4, "nummod"),
            ("injured", "injured", "ADJ", 4, "amod"),
        ]);
        assert_eq!(key_of(&s, "80").0, "deaths");
        assert_eq!(key_of(&s, "100").0, "injured");
    }

    #[test]
    fn a_predicate_of_something_else_names_no_measure() {
        // "the plane, which went missing with 162 people aboard" (CNN, AirAsia QZ8501): the
        // plane went missing; the people were aboard.
        let s = rows(&[
            ("which", "which", "PRON", 2, "nsubj"),
            ("went", "go", "VERB", 0, "root"),
            ("missing", "missing", "ADJ", 2, "xcomp"),
            ("with", "with", "ADP", 6, "case"),
            ("162", "162", "NUM", 6, "nummod"),
            ("people", "people", "NOUN", 3, "obl"),
            ("aboard", "aboard", "ADV", 2, "advmod"),
        ]);
        assert_eq!(key_of(&s, "162").0, "on board");
    }

    #[test]
    fn someone_s_own_and_parts_of_a_pronoun_stay_aside() {
        // "... his wife and their two children." (CNN, AirAsia QZ8501)
        let s = rows(&[
            ("their", "their", "PRON", 3, "nmod:poss"),
            ("two", "two", "NUM", 3, "nummod"),
            ("children", "child", "NOUN", 0, "root"),
        ]);
        assert_eq!(key_of(&s, "two").0, "child (aside)");
        // "... who lost seven family members, three of them children" (Fox News)
        let s = rows(&[
            ("three", "three", "NUM", 4, "nsubj"),
            ("of", "of", "ADP", 3, "case"),
            ("them", "they", "PRON", 1, "nmod"),
            ("children", "child", "NOUN", 0, "root"),
        ]);
        assert!(key_of(&s, "three").0.ends_with("(aside)"));
    }

    #[test]
    fn a_name_that_does_what_the_object_counts_holds_it() {
        // "Canada expelled seven" (Russian diplomats expelled, 2018); not a toll: "the
        // gunman killed 12" is no gunman's figure.
        let s = rows(&[
            ("Canada", "Canada", "PROPN", 2, "nsubj"),
            ("expelled", "expel", "VERB", 0, "root"),
            ("seven", "seven", "NUM", 2, "obj"),
        ]);
        assert_eq!(key_of(&s, "seven"), ("expel".into(), Some("canada".into())));
        let s = rows(&[
            ("Alexis", "Alexis", "PROPN", 2, "nsubj"),
            ("killed", "kill", "VERB", 0, "root"),
            ("12", "12", "NUM", 2, "obj"),
        ]);
        assert_eq!(key_of(&s, "12"), ("deaths".into(), None));
    }

    #[test]
    fn an_age_between_commas_is_no_claim_whatever_its_label() {
        // "Another man, 81, died Friday ..." (Fox News, Florence): two readings of the same
        // sentence by the parser, the age as `appos` of "man" and as a second subject of "died".
        for (head, rel) in [(2, "appos"), (6, "nsubj")] {
            let s = rows(&[
                ("Another", "another", "DET", 2, "det"),
                ("man", "man", "NOUN", 6, "nsubj"),
                (",", ",", "PUNCT", 4, "punct"),
                ("81", "81", "NUM", head, rel),
                (",", ",", "PUNCT", 2, "punct"),
                ("died", "die", "VERB", 0, "root"),
                ("Friday", "Friday", "PROPN", 6, "obl:tmod"),
            ]);
            assert_eq!(key_of(&s, "81").0, FURNITURE, "{rel}");
        }
        // A count in a list stays one: "... killed 84 people, 10 of them children".
        let s = rows(&[
            ("killed", "kill", "VERB", 0, "root"),
            ("84", "84", "NUM", 3, "nummod"),
            ("people", "people", "NOUN", 1, "obj"),
            (",", ",", "PUNCT", 5, "punct"),
            ("10", "10", "NUM", 3, "appos"),
            ("of", "of", "ADP", 7, "case"),
            ("them", "they", "PRON", 5, "nmod"),
            ("children", "child", "NOUN", 5, "dep"),
        ]);
        assert_ne!(key_of(&s, "10").0, FURNITURE);
    }
}
