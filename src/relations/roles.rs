//! Roles read from the sentence's dependency parse, open-vocabulary: a common noun the parse
//! ties to a person's name is a role of that person, whatever the noun.
//!
//! | rule | pattern (heads and labels) | example |
//! |---|---|---|
//! | `title_compound` | role noun before the name, name `appos`/`flat`/`compound` of it or it `compound`/`nmod:desc` of the name | "Hezbollah lawmaker Ali Mikdad" |
//! | `apposition` | role noun `appos` of the name, or the name `appos` of it, across a comma | "Heather Boushey, senior economist at the Center for American Progress" |
//! | `copula` | name `nsubj` of a role noun that has a `cop` child | "Alexis was an employee with The Experts" |
//! | `shared_title` | a later conjunct of a name under a plural title | "presidential candidates Barack Obama and Mitt Romney" |
//! | `possessive_affiliation` | an organisation `nmod:poss`/`nmod:desc` of the name, with `'s` | "CNN's Nick Paton Walsh" |
//! | `title_in_name` | the first word of a name is an abbreviated title of the table | "Sen. Dick Durbin" |
//! | `name_of_org` | an organisation `nmod` of the name with an `org_case` preposition | "Becky Vevea, of member station WBEZ" |
//!
//! The role's words are the noun and its adjective and compound modifiers that are no entity;
//! its organisation is an entity among those modifiers or the noun's `nmod` ("at", "of",
//! "with"...). `data/roles.tsv` says which titles head their organisation (HEAD_OF rather than
//! AFFILIATED_WITH) and which nouns describe a person by something other than a post.
use super::{Relation, RelationType, Target};
use crate::doc::{Document, EntityType};
use crate::syntax::Parse;
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

/// The rows of `data/roles.tsv`, by kind.
#[derive(Debug, Default)]
pub(crate) struct RoleTable {
    pub head: HashSet<String>,
    pub subordinate: HashSet<String>,
    pub not_role: HashSet<String>,
    pub title: HashSet<String>,
    pub org_case: HashSet<String>,
    /// Abbreviated titles and what they stand for ("sen." -> "senator").
    pub abbrev: std::collections::HashMap<String, String>,
}

impl RoleTable {
    pub fn parse(tsv: &str) -> Result<RoleTable, String> {
        let mut t = RoleTable::default();
        for (i, line) in tsv.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') || line == "kind\tword" {
                continue;
            }
            let Some((kind, word)) = line.split_once('\t') else {
                return Err(format!("line {}: expected KIND<TAB>WORD", i + 1));
            };
            if kind == "abbrev" {
                let Some((short, long)) = word.split_once('\t') else {
                    return Err(format!(
                        "line {}: expected abbrev<TAB>SHORT<TAB>LONG",
                        i + 1
                    ));
                };
                t.abbrev
                    .insert(short.trim().to_lowercase(), long.trim().to_lowercase());
                continue;
            }
            let set = match kind {
                "head" => &mut t.head,
                "subordinate" => &mut t.subordinate,
                "not_role" => &mut t.not_role,
                "title" => &mut t.title,
                "org_case" => &mut t.org_case,
                other => return Err(format!("line {}: unknown kind {other:?}", i + 1)),
            };
            set.insert(word.trim().to_lowercase());
        }
        Ok(t)
    }

    pub fn builtin() -> &'static RoleTable {
        static T: OnceLock<RoleTable> = OnceLock::new();
        T.get_or_init(|| {
            RoleTable::parse(include_str!("../../data/roles.tsv"))
                .expect("data/roles.tsv is well formed (tested)")
        })
    }
}

/// One sentence's words and the mentions over them.
struct Sentence<'a> {
    doc: &'a Document,
    p: &'a Parse,
    /// For each word, the mention (index into `doc.mentions`) that holds it.
    mention_of: Vec<Option<usize>>,
}

impl Sentence<'_> {
    /// Word `w`'s text; empty past the sentence's end (a name that ends it has no word after).
    fn text(&self, w: usize) -> &str {
        self.p
            .words
            .get(w)
            .and_then(|x| self.doc.view.text.get(x.range()))
            .unwrap_or("")
    }

    fn lemma(&self, w: usize) -> String {
        self.p.lemma(w, &self.doc.view.text).to_lowercase()
    }

    fn etype(&self, w: usize) -> Option<EntityType> {
        self.mention_of[w].map(|m| self.doc.mentions[m].etype)
    }

    /// A plural noun ("candidates", "leaders"): its lemma is not the word, or, where the
    /// lemma head left a common noun in -s as it is ("writers"), its ending says so.
    fn is_plural(&self, w: usize) -> bool {
        let text = self.text(w).to_lowercase();
        let unchanged = self.lemma(w) == text;
        text.ends_with('s')
            && (!unchanged
                || (self.p.words[w].upos == "NOUN"
                    && !["ss", "us", "is"].iter().any(|e| text.ends_with(e))))
    }

    /// A word that can name a post: a common noun outside every entity, or a title from the
    /// table the tagger read as a proper noun; never one with digits ("34-year-old").
    fn is_role_noun(&self, w: usize, table: &RoleTable) -> bool {
        let word = &self.p.words[w];
        let text = self.text(w);
        if text.chars().any(|c| c.is_ascii_digit()) || !text.chars().any(char::is_alphabetic) {
            return false;
        }
        // Not a post: a noun of the table's, or an event named by a gerund ("poisoning").
        let lemma = self.lemma(w);
        if table.not_role.contains(&lemma) || (lemma.len() > 5 && lemma.ends_with("ing")) {
            return false;
        }
        match word.upos.as_str() {
            "NOUN" => self.mention_of[w].is_none(),
            "PROPN" => {
                table.title.contains(&text.to_lowercase())
                    && self.etype(w) != Some(EntityType::Person)
            }
            _ => false,
        }
    }
}

/// A role found for a person: the role noun (word index) and the rule.
struct Found {
    noun: usize,
    rule: &'static str,
}

/// Role nouns next to each other are one title read in pieces ("Secretary - General",
/// "consul general"): the last is the head, the others its words.
fn merge_adjacent(s: &Sentence, mut found: Vec<Found>) -> Vec<(Found, Vec<usize>)> {
    found.sort_by_key(|f| f.noun);
    found.dedup_by_key(|f| f.noun);
    let mut out: Vec<(Found, Vec<usize>)> = Vec::new();
    for f in found {
        if let Some((last, extra)) = out.last_mut() {
            let n = last.noun;
            if f.noun == n + 1 || (f.noun == n + 2 && s.text(n + 1) == "-") {
                extra.push(n);
                last.noun = f.noun;
                continue;
            }
        }
        out.push((f, Vec::new()));
    }
    out
}

/// HAS_ROLE (with HEAD_OF or AFFILIATED_WITH when the role names its organisation) for every
/// person of sentence `si` (whose mentions are `in_sentence`) that the parse ties to a role
/// noun; returns the person mentions that got one.
pub(super) fn roles_from_parse(
    doc: &Document,
    si: usize,
    in_sentence: &[usize],
    p: &Parse,
    table: &RoleTable,
    out: &mut Vec<Relation>,
) -> HashSet<usize> {
    let mention_of: Vec<Option<usize>> = p
        .words
        .iter()
        .map(|w| {
            let r = w.range();
            in_sentence.iter().copied().find(|&m| {
                let mr = &doc.mentions[m].range;
                mr.start <= r.start && r.end <= mr.end
            })
        })
        .collect();
    let s = Sentence { doc, p, mention_of };
    let mut covered = HashSet::new();
    // A caption or credit line ("toggle caption Justin Sullivan/Getty Images") has no verb: no
    // role is read from it.
    let clause = p
        .words
        .iter()
        .any(|w| matches!(w.upos.as_str(), "VERB" | "AUX"));
    for &m in in_sentence {
        if doc.mentions[m].etype != EntityType::Person
            || !named_like_a_person(doc, m)
            || doc.view.text[doc.mentions[m].range.end..].starts_with('/')
        {
            // "Sitthixay Ditthavong/AP": a photo credit, not a person at work.
            continue;
        }
        let name: Vec<usize> = (0..p.words.len())
            .filter(|&w| s.mention_of[w] == Some(m))
            .collect();
        // The name's head: the word of the name whose head lies outside it.
        let Some(&h) = name
            .iter()
            .find(|&&w| p.head(w).is_none_or(|x| !name.contains(&x)))
        else {
            continue;
        };
        let name_start = doc.mentions[m].range.start;
        let before = |w: usize| (p.words[w].end as usize) <= name_start;
        let base = p.words[h].base_rel();
        let mut found: Vec<Found> = Vec::new();
        // Several people may share a plural title; one person is no "union leaders".
        let coordinated = base == "conj" || p.children(h).any(|c| p.words[c].base_rel() == "conj");
        let fits = |x: usize| s.is_role_noun(x, table) && (coordinated || !s.is_plural(x));
        if let Some(x) = p.head(h).filter(|_| clause) {
            if fits(x) {
                let comma = comma_between(&s, x, h);
                if before(x)
                    && !comma
                    && bare_title(&s, x)
                    && matches!(base, "appos" | "flat" | "compound")
                {
                    // "Republican presidential nominee Mitt Romney".
                    found.push(Found {
                        noun: x,
                        rule: "title_compound",
                    });
                } else if base == "appos" && comma {
                    // "the leader of Hezbollah, Hassan Nasrallah"; never "the Obama
                    // administration" (the name before the noun, no comma).
                    found.push(Found {
                        noun: x,
                        rule: "apposition",
                    });
                } else if base == "nsubj" && p.child_with(x, "cop").is_some() {
                    found.push(Found {
                        noun: x,
                        rule: "copula",
                    });
                }
            }
            // "presidential candidates Barack Obama and Mitt Romney": the title of the first
            // conjunct, when plural, is the later ones' too.
            if base == "conj" {
                // The plural title is the first conjunct's head ("candidates <- Obama") or its
                // modifier before it ("Associated Press writers Laurie Kellman, Matthew Daly
                // and Alan Fram": writers a compound of Kellman).
                let plural_title =
                    |t: usize| s.is_role_noun(t, table) && s.is_plural(t) && bare_title(&s, t);
                let above = p.head(x).filter(|&t| {
                    plural_title(t)
                        && matches!(p.words[x].base_rel(), "appos" | "flat" | "compound")
                });
                let before_first = p.children(x).find(|&t| {
                    t < x
                        && plural_title(t)
                        && matches!(p.words[t].base_rel(), "compound" | "nmod" | "appos")
                });
                if let Some(t) = above.or(before_first) {
                    found.push(Found {
                        noun: t,
                        rule: "shared_title",
                    });
                }
            }
        }
        // Titles hang on any word of the name ("Lt. Col." on "Marc" of "Jean-Marc Meninchini").
        let name_children: Vec<usize> = name.iter().flat_map(|&w| p.children(w)).collect();
        for c in name_children.into_iter().filter(|_| clause) {
            if name.contains(&c) || !fits(c) {
                continue;
            }
            let comma = comma_between(&s, c, h);
            match p.words[c].base_rel() {
                "appos" if comma || (before(c) && bare_title(&s, c)) => found.push(Found {
                    noun: c,
                    rule: if before(c) && !comma {
                        "title_compound"
                    } else {
                        "apposition"
                    },
                }),
                // "nmod:desc" of a title before the name ("Hezbollah official Mahmoud").
                "compound" | "nmod"
                    if before(c)
                        && !comma
                        && bare_title(&s, c)
                        && (p.words[c].base_rel() == "compound"
                            || p.words[c].rel == "nmod:desc") =>
                {
                    found.push(Found {
                        noun: c,
                        rule: "title_compound",
                    });
                }
                _ => {}
            }
        }
        // The parser may hang an apposition on the verb ("said Harm Bandholz, economist at
        // Unicredit Markets": economist as the verb's complement): a noun phrase right after
        // "NAME," whose head is the name's head is read as one too.
        // Or a title right before the name as the name's sibling ("Senior Hezbollah official
        // Mahmoud Komati told": official and Mahmoud both subjects of "told").
        if found.is_empty() && clause {
            if let Some(x) = loose_apposition(&s, &name, h) {
                if fits(x) {
                    found.push(Found {
                        noun: x,
                        rule: "apposition",
                    });
                }
            }
            let first = *name.iter().min().unwrap_or(&h);
            if let Some(x) = first.checked_sub(1) {
                if fits(x)
                    && p.head(x).is_some()
                    && p.head(x) == p.head(h)
                    && bare_title(&s, x)
                    && p.words[x].end < p.words[first].start
                    && !comma_between(&s, x, first)
                {
                    found.push(Found {
                        noun: x,
                        rule: "title_compound",
                    });
                }
            }
        }
        // "Sen. Dick Durbin" tagged as one name: its first word is the title.
        let name_text = doc.slice(&doc.mentions[m].range);
        let mut words_of_name = name_text.split_whitespace();
        if let (Some(first), true) = (
            words_of_name.next(),
            name_text.split_whitespace().count() > 2,
        ) {
            if let Some(long) = table.abbrev.get(&first.to_lowercase()) {
                let start = doc.mentions[m].range.start;
                out.push(Relation {
                    rtype: RelationType::HasRole,
                    from: m,
                    to: Target::Role(long.clone()),
                    org: None,
                    range: start..doc.mentions[m].range.end,
                    sentence: si,
                    rule: Cow::Borrowed("title_in_name"),
                });
                covered.insert(m);
            }
        }
        let merged = merge_adjacent(&s, found);
        // Whether one of the person's titles here heads what it names ("Chairman Adam Schiff").
        let heads = merged
            .iter()
            .any(|(f, _)| table.head.contains(&s.lemma(f.noun)));
        let orgs_before = out.len();
        for (f, extra) in merged {
            if emit(&s, si, m, &f, &extra, table, out) {
                covered.insert(m);
            }
        }
        // "Becky Vevea, of member station WBEZ", "Chairman Adam Schiff, D-Calif., of the
        // Intelligence Committee": an organisation the name itself is "of", "at" or "with".
        let already: Vec<usize> = out[orgs_before..]
            .iter()
            .filter_map(|r| match r.to {
                Target::Mention(o) => Some(o),
                _ => None,
            })
            .collect();
        // Any noun after the name with its own "of": the parser labels the same phrase `nmod`,
        // `appos` or `list` from one reading to the next, and the case word says what it is.
        for c in p
            .children(h)
            .filter(|&c| c > h && matches!(p.words[c].upos.as_str(), "NOUN" | "PROPN"))
        {
            // "of member station WBEZ": the name right after the noun names it.
            let Some(o) = s.mention_of[c].or_else(|| s.mention_of.get(c + 1).copied().flatten())
            else {
                continue;
            };
            let of_case = p
                .children(c)
                .any(|k| table.org_case.contains(&s.text(k).to_lowercase()));
            if !of_case || already.contains(&o) || doc.mentions[o].etype != EntityType::Organization
            {
                continue;
            }
            out.push(Relation {
                rtype: if heads {
                    RelationType::HeadOf
                } else {
                    RelationType::AffiliatedWith
                },
                from: m,
                to: Target::Mention(o),
                org: None,
                range: doc.mentions[m].range.start..doc.mentions[o].range.end,
                sentence: si,
                rule: Cow::Borrowed("name_of_org"),
            });
        }
        // "CNN's Nick Paton Walsh", "Fox News' Joseph Weber": the outlet or organisation a
        // person speaks for, as the name's possessive (in the parse, or written right before
        // the name where the parse reads the pair otherwise).
        let mut owner = p.children(h).find_map(|c| {
            let r = p.words[c].rel.as_str();
            let has_s = p
                .children(c)
                .any(|k| matches!(s.text(k), "'s" | "\u{2019}s" | "'" | "\u{2019}"));
            ((r == "nmod:poss" || r == "nmod:desc") && before(c) && has_s)
                .then_some(s.mention_of[c])
                .flatten()
        });
        if owner.is_none() {
            owner = in_sentence.iter().copied().find(|&o| {
                let end = doc.mentions[o].range.end;
                end <= name_start
                    && matches!(
                        doc.view.text[end..name_start].trim(),
                        "'s" | "\u{2019}s" | "'" | "\u{2019}"
                    )
            });
        }
        if let Some(o) = owner.filter(|&o| doc.mentions[o].etype == EntityType::Organization) {
            out.push(Relation {
                rtype: RelationType::AffiliatedWith,
                from: m,
                to: Target::Mention(o),
                org: None,
                range: doc.mentions[o].range.start..doc.mentions[m].range.end,
                sentence: si,
                rule: Cow::Borrowed("possessive_affiliation"),
            });
        }
    }
    covered
}

/// A person mention of one word counts only when a longer person name of the document holds
/// it ("Alexis" after "Aaron Alexis"): a place or a thing the tagger typed as a person
/// ("Prescott", "Novichok") is nobody's role holder.
fn named_like_a_person(doc: &Document, m: usize) -> bool {
    let name = doc.slice(&doc.mentions[m].range);
    if name.split_whitespace().count() > 1 {
        return name.chars().next().is_some_and(char::is_alphabetic);
    }
    doc.mentions.iter().any(|o| {
        o.etype == EntityType::Person && {
            let other = doc.slice(&o.range);
            other.split_whitespace().count() > 1 && other.split_whitespace().any(|w| w == name)
        }
    })
}

/// A title before a name stands bare: no article or possessive of its own ("Senior Hezbollah
/// official Mahmoud Komati", not "the identities Ruslan Boshirov" or "his one-time protege
/// Putin"; with an article the name is an apposition, set off by commas).
fn bare_title(s: &Sentence, w: usize) -> bool {
    !s.p.children(w).any(|c| {
        let rel = s.p.words[c].rel.as_str();
        rel == "det" || (rel == "nmod:poss" && s.p.words[c].upos.as_str() == "PRON")
    })
}

/// The head of a noun phrase that follows the name after a comma and hangs on the name's own
/// head: "NAME, (a|the) (adjectives) NOUN".
fn loose_apposition(s: &Sentence, name: &[usize], h: usize) -> Option<usize> {
    let p = s.p;
    let last = *name.iter().max()?;
    if s.text(last + 1) != "," {
        return None;
    }
    let mut k = last + 2;
    while k < p.words.len()
        && s.mention_of[k].is_none()
        && matches!(p.words[k].upos.as_str(), "DET" | "ADJ" | "NOUN")
    {
        // The phrase's head: the first noun whose head is not a later word of the phrase.
        let head_later = p.head(k).is_some_and(|x| x > k && x <= k + 4);
        if p.words[k].upos.as_str() == "NOUN" && !head_later {
            let x = p.head(k);
            return (x == p.head(h) && p.words[k].base_rel() != "conj").then_some(k);
        }
        k += 1;
    }
    None
}

/// Whether punctuation that ends a phrase stands between words `a` and `b`: a comma (an
/// apposition, not a title) or a colon, dash or bracket ("No nation should have hegemony over
/// internet: Xi Jinping" is no title).
fn comma_between(s: &Sentence, a: usize, b: usize) -> bool {
    let (lo, hi) = (a.min(b), a.max(b));
    let text = &s.doc.view.text;
    let gap = text
        .get(s.p.words[lo].end as usize..s.p.words[hi].start as usize)
        .unwrap_or("");
    gap.contains([',', ':', ';', '(', ')', '\u{2014}', '\u{2013}'])
}

/// The relations of one role found for person mention `m`; false when it gives none.
fn emit(
    s: &Sentence,
    si: usize,
    m: usize,
    f: &Found,
    extra: &[usize],
    table: &RoleTable,
    out: &mut Vec<Relation>,
) -> bool {
    let p = s.p;
    let doc = s.doc;
    // The role's words: the noun and its modifiers before it (adjectives, compounds) that are
    // no entity, each with its own modifiers; entities among them are organisation candidates.
    let mut words = vec![f.noun];
    words.extend_from_slice(extra);
    let mut orgs: Vec<(u8, usize)> = Vec::new();
    let mut todo = words.clone();
    // "assistant director in charge of the Washington FBI Field Office": whoever is in charge
    // of an organisation heads it, whatever the title.
    let mut in_charge = false;
    for c in p.children(f.noun) {
        if p.words[c].base_rel() == "nmod"
            && s.lemma(c) == "charge"
            && p.children(c).any(|k| s.text(k).eq_ignore_ascii_case("in"))
        {
            for g in p.children(c) {
                if let Some(o) = s.mention_of[g].filter(|&o| o != m) {
                    if p.words[g].base_rel() == "nmod"
                        && doc.mentions[o].etype == EntityType::Organization
                    {
                        orgs.push((0, o));
                        in_charge = true;
                    }
                }
            }
        }
    }
    while let Some(w) = todo.pop() {
        for c in p.children(w) {
            let rel = p.words[c].base_rel();
            if let Some(o) = s.mention_of[c] {
                if o == m || doc.mentions[o].etype == EntityType::Person {
                    continue;
                }
                let near = c < f.noun && matches!(rel, "compound" | "amod" | "nmod" | "flat");
                // (Whatever label the parse gives it: "at Miller, Tabak & Co." comes out as a
                // compound.)
                let of = c > f.noun
                    && matches!(rel, "nmod" | "compound" | "obl" | "appos")
                    && p.children(c)
                        .any(|k| table.org_case.contains(&s.text(k).to_lowercase()));
                if near || of {
                    // The organisation after the noun ("economist at X") comes first, then one
                    // before it ("Hezbollah official"), organisations before places.
                    let rank = u8::from(!of) * 2
                        + u8::from(doc.mentions[o].etype != EntityType::Organization);
                    orgs.push((rank, o));
                }
                continue;
            }
            // Modifiers before the noun, and an adjective right after it ("consul general").
            let after = w == f.noun && c == f.noun + 1 && rel == "amod";
            if (c < f.noun && matches!(rel, "amod" | "compound")) || after {
                let t = s.text(c);
                if t.chars().any(|ch| ch.is_ascii_digit()) || !t.chars().any(char::is_alphabetic) {
                    continue;
                }
                words.push(c);
                todo.push(c);
            }
        }
    }
    words.sort_unstable();
    words.dedup();
    let mut role = String::new();
    for (i, &w) in words.iter().enumerate() {
        if i > 0 {
            let prev = words[i - 1];
            // "eighth-grade": words that touch in the text stay together.
            let joined = prev + 1 == w && p.words[prev].end == p.words[w].start;
            let hyphen = prev + 2 == w
                && s.text(prev + 1) == "-"
                && p.words[prev].end == p.words[prev + 1].start
                && p.words[prev + 1].end == p.words[w].start;
            if hyphen {
                role.push('-');
            } else if !joined {
                role.push(' ');
            }
        }
        let word = s.text(w).to_lowercase();
        role.push_str(table.abbrev.get(&word).map_or(&word, |long| long));
    }
    if role.is_empty() {
        return false;
    }
    // "European Council President Donald Tusk" parsed with the council as the verb's subject:
    // an organisation written right before the title is the title's.
    // An organisation written inside the title ("Senior Hezbollah official") is the title's
    // too, however the parse hangs it.
    if orgs.is_empty() {
        for w in (f.noun.saturating_sub(4)..f.noun).rev() {
            let upos = p.words[w].upos.as_str();
            if let Some(o) = s.mention_of[w] {
                if doc.mentions[o].etype == EntityType::Organization {
                    orgs.push((1, o));
                }
                break;
            }
            if !matches!(upos, "ADJ" | "NOUN" | "PROPN") {
                break;
            }
        }
    }
    if orgs.is_empty() {
        let first = *words.iter().min().unwrap_or(&f.noun);
        if let Some(o) = first.checked_sub(1).and_then(|w| s.mention_of[w]) {
            let end = doc.mentions[o].range.end;
            if doc.mentions[o].etype == EntityType::Organization
                && doc.view.text[end..p.words[first].start as usize]
                    .trim()
                    .is_empty()
            {
                orgs.push((1, o));
            }
        }
    }
    orgs.sort_unstable();
    let org = orgs.first().map(|&(_, o)| o);
    // "Alexis was a nice guy": a predicate noun is a post only when it names whom it is with
    // ("an employee with The Experts", "a full-time Navy reservist").
    if f.rule == "copula" && org.is_none() {
        return false;
    }
    let name = &doc.mentions[m].range;
    let mut range: Range<usize> = name.clone();
    for &w in words.iter().chain(&[f.noun]) {
        range.start = range.start.min(p.words[w].start as usize);
        range.end = range.end.max(p.words[w].end as usize);
    }
    if let Some(o) = org {
        range.start = range.start.min(doc.mentions[o].range.start);
        range.end = range.end.max(doc.mentions[o].range.end);
    }
    out.push(Relation {
        rtype: RelationType::HasRole,
        from: m,
        to: Target::Role(role),
        org,
        range: range.clone(),
        sentence: si,
        rule: Cow::Borrowed(f.rule),
    });
    let Some(o) = org else { return true };
    // "director of United States research at Barclays": the post heads the research, not
    // the bank.
    let of_something_else = p.children(f.noun).any(|c| {
        p.words[c].base_rel() == "nmod"
            && s.mention_of[c] != Some(o)
            && p.children(c).any(|k| s.text(k).eq_ignore_ascii_case("of"))
    });
    let head = in_charge
        || (table.head.contains(&s.lemma(f.noun))
            && !of_something_else
            && !words
                .iter()
                .any(|&w| w != f.noun && table.subordinate.contains(&s.text(w).to_lowercase())));
    // A place is affiliation ("White House press secretary"), never headship; a nationality
    // or a party ("Chinese President", "Republican presidential nominee") stays the role's
    // `org` only.
    let etype = doc.mentions[o].etype;
    if !matches!(etype, EntityType::Organization | EntityType::Location) {
        return true;
    }
    let rtype = if head && etype == EntityType::Organization {
        RelationType::HeadOf
    } else {
        RelationType::AffiliatedWith
    };
    out.push(Relation {
        rtype,
        from: m,
        to: Target::Mention(o),
        org: None,
        range,
        sentence: si,
        rule: Cow::Borrowed(f.rule),
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_role_table_parses() {
        let t = RoleTable::builtin();
        assert!(t.head.contains("president") && t.subordinate.contains("vice"));
        assert!(t.org_case.contains("at") && !t.org_case.contains("from"));
        assert_eq!(t.abbrev.get("sen.").map(String::as_str), Some("senator"));
        assert!(RoleTable::parse("boss\tx\n")
            .unwrap_err()
            .contains("unknown kind"));
    }
}
