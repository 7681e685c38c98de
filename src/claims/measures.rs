//! The measure table (`data/measures.tsv`): which words around a number say what was counted and
//! what happened to it ("84 people were killed", "the death toll rose to 84" -> `deaths`), which
//! counted nouns say nothing by themselves (`people`), which make no claim (`photos`), and the
//! units of measurement (`feet`, `mph`).
use super::quantity::{Tk, Tok};
use std::collections::HashSet;

/// Where a cue stands relative to its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Before,
    After,
    Either,
    Noun,
}

#[derive(Debug, Clone)]
struct Cue {
    measure: String,
    applies: String,
    place: Where,
    words: Vec<String>,
}

/// A unit of measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub dimension: String,
    pub canonical: String,
    words: Vec<String>,
}

/// The parsed table.
#[derive(Debug, Clone, Default)]
pub struct MeasureTable {
    cues: Vec<Cue>,
    generic: HashSet<String>,
    none: HashSet<String>,
    cumulative: HashSet<String>,
    update: HashSet<String>,
    holder: HashSet<String>,
    light: HashSet<String>,
    /// Synonym classes of counted nouns (`data/synonyms.tsv`, and `=CLASS` rows).
    pub synonyms: super::frames::Synonyms,
    units: Vec<Unit>,
}

/// A cue found near a number: the measure, and how far from the number it stands (in tokens).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub measure: String,
    pub distance: usize,
    /// Token range of the cue.
    pub toks: (usize, usize),
}

/// Where a cue's words end when they start at word `at` (`word(k)`: the k-th word, if it is
/// one).
fn cue_end<'a>(
    cue: &[String],
    word: impl Fn(usize) -> Option<&'a str>,
    at: usize,
) -> Option<usize> {
    let mut k = at;
    for w in cue {
        if !word_matches(w, word(k)?) {
            return None;
        }
        k += 1;
    }
    Some(k)
}

fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(stem) => word.starts_with(stem),
        None => pattern == word,
    }
}

impl MeasureTable {
    /// Parse the TSV format of `data/measures.tsv`, adding to this table.
    pub fn extend(&mut self, tsv: &str) -> Result<(), String> {
        for (i, line) in tsv.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') || line.starts_with("measure\t") {
                continue;
            }
            // "=CLASS<TAB>word<TAB>word": a synonym class, as in data/synonyms.tsv.
            if let Some(row) = line.strip_prefix('=') {
                self.synonyms
                    .extend(row)
                    .map_err(|e| format!("line {}: {e}", i + 1))?;
                continue;
            }
            let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
            let [measure, applies, place, cue] = cols[..] else {
                return Err(format!(
                    "line {}: expected 4 tab-separated columns, found {}",
                    i + 1,
                    cols.len()
                ));
            };
            let words: Vec<String> = cue.split_whitespace().map(str::to_lowercase).collect();
            if words.is_empty() {
                return Err(format!("line {}: empty cue", i + 1));
            }
            match measure {
                "unit" => self.units.push(Unit {
                    dimension: applies.to_string(),
                    canonical: place.to_string(),
                    words,
                }),
                "-generic" => {
                    self.generic.insert(words.join(" "));
                }
                "-none" => {
                    self.none.insert(words.join(" "));
                }
                "-cumulative" => {
                    self.cumulative.insert(words.join(" "));
                }
                "-update" => {
                    self.update.insert(words.join(" "));
                }
                "-holder" => {
                    self.holder.insert(words.join(" "));
                }
                "-light" => {
                    self.light.insert(words.join(" "));
                }
                _ => {
                    let place = match place {
                        "before" => Where::Before,
                        "after" => Where::After,
                        "either" => Where::Either,
                        "noun" => Where::Noun,
                        other => {
                            return Err(format!(
                            "line {}: `where` must be before, after, either or noun, not `{other}`",
                            i + 1
                        ))
                        }
                    };
                    self.cues.push(Cue {
                        measure: measure.to_string(),
                        applies: applies.to_string(),
                        place,
                        words,
                    });
                }
            }
        }
        // Longest units first, so "miles per hour" wins over "miles".
        self.units.sort_by_key(|u| std::cmp::Reverse(u.words.len()));
        Ok(())
    }

    pub fn parse(tsv: &str) -> Result<MeasureTable, String> {
        let mut t = MeasureTable::default();
        t.extend(tsv)?;
        Ok(t)
    }

    /// The shipped table.
    pub fn builtin() -> MeasureTable {
        let mut t =
            MeasureTable::parse(include_str!("../../data/measures.tsv")).unwrap_or_default();
        t.synonyms = super::frames::Synonyms::builtin();
        t
    }

    /// The shipped table plus the rows of `path` (`--measures`).
    pub fn load_with(path: &std::path::Path) -> crate::error::Result<MeasureTable> {
        let mut t = MeasureTable::builtin();
        let text = std::fs::read_to_string(path).map_err(|e| crate::error::Error::io(path, e))?;
        t.extend(&text)
            .map_err(|e| crate::error::Error::input(path, e))?;
        Ok(t)
    }

    pub fn is_generic(&self, noun: &str) -> bool {
        self.generic.contains(noun)
    }

    /// Whether `phrase` (a counted noun) is itself a cue of `measure` ("84 dead", "14 deaths").
    pub fn cue_word_of(&self, measure: &str, phrase: &str) -> bool {
        self.cues
            .iter()
            .any(|c| c.measure == measure && c.words.join(" ") == phrase)
    }

    /// A measure that only grows while a story unfolds (`deaths`; `deaths: children` too).
    pub fn is_cumulative(&self, measure_key: &str) -> bool {
        let base = measure_key.split(':').next().unwrap_or(measure_key);
        self.cumulative.contains(base)
    }

    /// Whether a sentence reads as a new reading of a rising count ("the toll rose to 80").
    pub fn reads_as_update(&self, sentence: &str) -> bool {
        sentence
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| self.update.contains(&w.to_lowercase()))
    }

    /// A verb whose subject holds what its object counts ("the captain had 6,100 hours").
    pub fn is_holder_verb(&self, verb: &str) -> bool {
        self.holder.contains(verb)
    }

    /// A verb that says nothing of what a generic noun counts ("were", "said", "included").
    pub fn is_light_verb(&self, verb: &str) -> bool {
        self.light.contains(verb)
    }

    /// The cues that apply to `applies`, with their measures.
    pub(crate) fn cues_for<'a>(
        &'a self,
        applies: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a [String])> + 'a {
        self.cues
            .iter()
            .filter(move |c| c.applies == applies || c.applies == "any")
            .map(|c| (c.measure.as_str(), c.words.as_slice()))
    }

    /// Where the cue `words` ends when it starts at `forms[start]` (lower-case word forms).
    pub(crate) fn cue_matches(
        &self,
        words: &[String],
        forms: &[String],
        start: usize,
    ) -> Option<usize> {
        cue_end(words, |k| forms.get(k).map(String::as_str), start)
    }

    /// A counted noun that makes no claim ("40 Photos").
    pub fn is_none(&self, noun: &str) -> bool {
        self.none.contains(noun)
    }

    /// The unit spelled by the words starting at `words[0]`, and how many words it takes.
    pub fn unit_at(&self, words: &[&str]) -> Option<(&Unit, usize)> {
        self.units.iter().find_map(|u| {
            (words.len() >= u.words.len() && u.words.iter().zip(words).all(|(a, b)| a == b))
                .then_some((u, u.words.len()))
        })
    }

    /// The nearest cue for a quantity whose tokens are `q.0..q.1`, among the cues that apply to
    /// `applies` (`count`, `money`, `percent` or a unit's dimension). The window runs eight
    /// tokens each way and stops at clause punctuation and at another number.
    pub(crate) fn cue_near(&self, toks: &[Tok], q: (usize, usize), applies: &str) -> Option<Found> {
        const WINDOW: usize = 8;
        let stops = |t: &Tok| {
            matches!(t.tk, Tk::Num { .. })
                || matches!(t.tk, Tk::Sym(c) if matches!(c, '.' | ';' | ':' | '(' | ')' | '?' | '!' | '\u{2014}'))
        };
        let words: Vec<Option<&str>> = toks.iter().map(Tok::word).collect();
        let matches_at =
            |cue: &Cue, at: usize| cue_end(&cue.words, |k| words.get(k).copied().flatten(), at);
        let applicable = |c: &&Cue| c.applies == applies || c.applies == "any";
        let mut best: Option<Found> = None;
        let mut consider = |f: Found| {
            if best.as_ref().is_none_or(|b| f.distance < b.distance) {
                best = Some(f);
            }
        };
        // After: from the end of the quantity; a comma ends the clause after it, and so does
        // another number, unless a preposition brings it in as a modifier ("2,000 people from
        // over 120 countries attended").
        let modifier = |k: usize| {
            (k.saturating_sub(3).max(q.1)..k).any(|j| {
                matches!(
                    words[j],
                    Some("from" | "in" | "across" | "of" | "representing")
                )
            })
        };
        let mut k = q.1;
        while k < toks.len()
            && k - q.1 < WINDOW
            && !(stops(&toks[k]) && !(matches!(toks[k].tk, Tk::Num { .. }) && modifier(k)))
            && !toks[k].is_sym(',')
        {
            for c in self.cues.iter().filter(applicable) {
                if matches!(c.place, Where::After | Where::Either) {
                    if let Some(end) = matches_at(c, k) {
                        consider(Found {
                            measure: c.measure.clone(),
                            distance: k - q.1,
                            toks: (k, end),
                        });
                    }
                }
            }
            k += 1;
        }
        // Before: back from the start of the quantity, within the clause (a comma ends it:
        // "11 were wounded, including four").
        // A figure compared with "vs" shares the measure before it: "profit 5.2 mln vs 3.1 mln".
        let versus = |k: usize| (k..q.0).any(|j| matches!(words[j], Some("vs" | "versus")));
        let mut k = q.0;
        while k > 0
            && q.0 - k < WINDOW + 4
            && !(stops(&toks[k - 1]) && !(matches!(toks[k - 1].tk, Tk::Num { .. }) && versus(k)))
            && !toks[k - 1].is_sym(',')
            && !matches!(toks[k - 1].word(), Some("including" | "among"))
        {
            k -= 1;
            for c in self.cues.iter().filter(applicable) {
                if matches!(c.place, Where::Before | Where::Either) {
                    if let Some(end) = matches_at(c, k).filter(|&e| e <= q.0) {
                        // A tie goes to the cue after the number.
                        consider(Found {
                            measure: c.measure.clone(),
                            distance: q.0 - end + 1,
                            toks: (k, end),
                        });
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::super::quantity::lex;
    use super::*;

    fn cue(text: &str, number: &str, applies: &str) -> Option<String> {
        let toks = lex(text);
        let at = toks
            .iter()
            .position(|t| &text[t.range.clone()] == number)
            .expect("number in text");
        MeasureTable::builtin()
            .cue_near(&toks, (at, at + 1), applies)
            .map(|f| f.measure)
    }

    #[test]
    fn the_nearest_cue_in_the_clause_names_the_measure() {
        assert_eq!(
            cue("84 people were killed", "84", "count").as_deref(),
            Some("deaths")
        );
        assert_eq!(
            cue("the death toll rose to 84", "84", "count").as_deref(),
            Some("deaths")
        );
        assert_eq!(
            cue("84 dead and 200 injured", "84", "count").as_deref(),
            Some("deaths")
        );
        assert_eq!(
            cue("84 dead and 200 injured", "200", "count").as_deref(),
            Some("injured")
        );
        assert_eq!(
            cue("killing 84 and injuring 200 others", "200", "count").as_deref(),
            Some("injured")
        );
        assert_eq!(
            cue("5 million people were affected", "5", "count").as_deref(),
            Some("affected")
        );
        assert_eq!(
            cue("the plane carrying 162 people", "162", "count").as_deref(),
            Some("on board")
        );
        assert_eq!(
            cue("losses estimated at 3 billion", "3", "money").as_deref(),
            Some("damage")
        );
        assert_eq!(
            cue("ready to lend up to 200 million", "200", "money").as_deref(),
            Some("loan")
        );
        assert_eq!(
            cue("winds of 90 mph", "90", "speed").as_deref(),
            Some("wind speed")
        );
        // Not across a sentence or a clause, and not for another kind of quantity.
        assert_eq!(cue("They were killed. 40 people came", "40", "count"), None);
        assert_eq!(
            cue("40 people came, and two were killed", "40", "count"),
            None
        );
        assert_eq!(cue("84 people were killed", "84", "money"), None);
    }

    #[test]
    fn units_and_nouns() {
        let t = MeasureTable::builtin();
        assert_eq!(
            t.unit_at(&["miles", "per", "hour"]).unwrap().0.canonical,
            "mph"
        );
        assert_eq!(t.unit_at(&["miles", "west"]).unwrap().0.canonical, "mi");
        assert!(t.unit_at(&["people"]).is_none());
        assert!(t.is_generic("people") && t.is_none("photos"));
        assert!(MeasureTable::parse("deaths\tcount\tsomewhere\tkilled\n").is_err());
    }
}
