//! Typed relations found by rules over each sentence and its entity mentions. Every relation
//! keeps the view range of its evidence and the rule that produced it.
//!
//! | type | from -> to | rule names |
//! |---|---|---|
//! | HAS_ROLE | Person -> Role (edge carries `org` when named) | from the parse ([`roles`]): `title_compound`, `apposition`, `copula`, `shared_title`; without one: `title_before_name`, `apposition` |
//! | HEAD_OF | Person -> Organization | a parse role whose title heads its organisation (its rule), `name_of_org`; `parallel_lists`, `respectively`, `apposition` |
//! | AFFILIATED_WITH | Person -> Organization/Location | a parse role's other organisation (its rule), `possessive_affiliation`, `name_of_org`; `role_with_org`, `fellow_with` |
//! | LOCATED_IN | Location -> Location | `of_in`, `possessive`, `comma` (the parse vetoes lists and modifiers) |
//! | SAID | Person -> Quote | `reporting_verb_subject`, `speaker_before_quote` (from the syntax layer), `quote_then_speaker`, `speaker_then_quote`, `pronoun`, `continued_quote` |
use crate::doc::{Document, EntityType, POSSESSIVES};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

mod roles;

/// Relation types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RelationType {
    HasRole,
    HeadOf,
    AffiliatedWith,
    LocatedIn,
    Said,
}

impl RelationType {
    pub fn as_str(self) -> &'static str {
        match self {
            RelationType::HasRole => "HAS_ROLE",
            RelationType::HeadOf => "HEAD_OF",
            RelationType::AffiliatedWith => "AFFILIATED_WITH",
            RelationType::LocatedIn => "LOCATED_IN",
            RelationType::Said => "SAID",
        }
    }
}

/// What a relation points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// Another mention of the document (index into `mentions`).
    Mention(usize),
    /// A role title (HAS_ROLE), lower case.
    Role(String),
    /// A quotation (SAID): its view range, without the quote marks.
    Quote(Range<usize>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    pub rtype: RelationType,
    /// Index of the source mention.
    pub from: usize,
    pub to: Target,
    /// For HAS_ROLE: the organization or country mention the role is of.
    pub org: Option<usize>,
    /// View range of the evidence.
    pub range: Range<usize>,
    pub sentence: usize,
    pub rule: Cow<'static, str>,
}

/// Role words (lower case); multi-word roles are sequences of these.
const ROLE_WORDS: &[&str] = &[
    "president",
    "vice",
    "prime",
    "minister",
    "premier",
    "chancellor",
    "secretary-general",
    "under-secretary-general",
    "secretary",
    "general",
    "chairman",
    "chairwoman",
    "chair",
    "executive",
    "chief",
    "ceo",
    "founder",
    "co-founder",
    "director",
    "head",
    "leader",
    "deputy",
    "first",
    "consul",
    "ambassador",
    "governor",
    "mayor",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "king",
    "queen",
    "senator",
    "professor",
    "editor",
    "fellow",
    "research",
    "member",
    "officer",
    "commissioner",
    "envoy",
    "adviser",
    "advisor",
    "and",
    "foreign",
    "state",
    "councillor",
];
const HEAD_ROLES: &[&str] = &[
    "head",
    "heads",
    "chief",
    "chiefs",
    "ceo",
    "ceos",
    "chairman",
    "chairmen",
    "leader",
    "leaders",
    "boss",
    "bosses",
    "founder",
    "founders",
    "president",
    "presidents",
    "chief executive",
    "chief executives",
];
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "added",
    "told",
    "stated",
    "noted",
    "stressed",
    "urged",
    "warned",
    "explained",
    "insisted",
    "declared",
    "remarked",
    "asked",
];
const PRONOUNS: &[&str] = &["he", "she"];

#[derive(Debug, Clone)]
struct W {
    range: Range<usize>,
    lower: String,
}

/// Words and punctuation of a text slice with absolute view ranges.
fn words(text: &str, base: usize) -> Vec<W> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        if c.is_alphanumeric() {
            while let Some(ch) = text[i..].chars().next() {
                let joins = (ch == '-' || ch == '.' || ch == '\'' || ch == '\u{2019}')
                    && text[i + ch.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric);
                if ch.is_alphanumeric() || joins {
                    i += ch.len_utf8();
                } else {
                    break;
                }
            }
        } else {
            i += c.len_utf8();
        }
        out.push(W {
            range: base + start..base + i,
            lower: text[start..i].to_lowercase(),
        });
    }
    out
}

/// Type policy where rules meet the model: a mention named like a person of the same document
/// ("Xi" beside "Xi Jinping") and a speaker are persons, the article's own outlet is an
/// organization, and the objects of a HEAD_OF list ("the
/// heads of Internet giants Alibaba, Tencent and Baidu") are organizations, whatever the model
/// said.
/// Applied before resolution, so the corrected types take part in the type vote.
pub fn apply_type_policy(doc: &mut Document) {
    let names = person_names(doc);
    let mut people: Vec<usize> = (0..doc.mentions.len())
        .filter(|&m| names.contains(doc.slice(&doc.mentions[m].range)))
        .collect();
    people.extend(
        doc.relations
            .iter()
            .filter(|r| r.rtype == RelationType::Said)
            .map(|r| r.from),
    );
    for m in people {
        doc.mentions[m].etype = EntityType::Person;
    }
    // The outlet named in its own article ("(Meridian Wire)" in a dateline) is an organization.
    let (outlet, text) = (&doc.meta.outlet, &doc.view.text);
    for m in doc.mentions.iter_mut() {
        if !outlet.is_empty() && text.get(m.range.clone()) == Some(outlet.as_str()) {
            m.etype = EntityType::Organization;
        }
    }
    let retype: Vec<usize> = doc
        .relations
        .iter()
        .filter(|r| r.rtype == RelationType::HeadOf)
        .filter_map(|r| match r.to {
            Target::Mention(m) => Some(m),
            _ => None,
        })
        .collect();
    for m in retype {
        doc.mentions[m].etype = EntityType::Organization;
    }
}

/// Names of people in a document, and their single words: a "Xi" the model typed MISC or ORG
/// next to a "Xi Jinping" typed PER is the same person.
fn person_names(doc: &Document) -> HashSet<&str> {
    let mut names = HashSet::new();
    for m in doc
        .mentions
        .iter()
        .filter(|m| m.etype == EntityType::Person)
    {
        let name = doc.slice(&m.range);
        names.insert(name);
        names.extend(name.split_whitespace());
    }
    names
}

/// All relations of one document (mentions must be set).
pub fn extract(doc: &Document) -> Vec<Relation> {
    let person_names = person_names(doc);
    let mut out = Vec::new();
    for (si, sent) in doc.sentences.iter().enumerate() {
        let ws = words(&doc.view.text[sent.range.clone()], sent.range.start);
        let ms: Vec<usize> = (0..doc.mentions.len())
            .filter(|&m| doc.mentions[m].sentence == si)
            .collect();
        let word_at = |byte: usize| ws.partition_point(|w| w.range.start < byte);
        let word_end = |byte: usize| ws.partition_point(|w| w.range.end <= byte);
        let mention_at_word = |k: usize| {
            ms.iter().copied().find(|&m| {
                ws.get(k)
                    .is_some_and(|w| doc.mentions[m].range.start == w.range.start)
            })
        };
        let etype = |m: usize| doc.mentions[m].etype;
        let is_org_or_loc =
            |m: usize| matches!(etype(m), EntityType::Organization | EntityType::Location);

        // Roles from the parse where the sentence has one; the word rules below are for the
        // people it gives none (and for models without a syntax head).
        let covered = match doc.parse_of(si) {
            Some(parse) => {
                roles::roles_from_parse(doc, si, &ms, parse, roles::RoleTable::builtin(), &mut out)
            }
            None => HashSet::new(),
        };
        for &p in ms
            .iter()
            .filter(|&&m| etype(m) == EntityType::Person && !covered.contains(&m))
        {
            let pr = doc.mentions[p].range.clone();
            let pw = word_at(pr.start);
            // Role title before the name: scan back over role words, org/loc mentions, "of", "the".
            let mut k = pw;
            let mut role: Vec<String> = Vec::new();
            let mut org: Option<usize> = None;
            // Start of each word or mention taken, leftmost first, and whether it is a connector.
            let mut taken: Vec<(usize, bool)> = Vec::new();
            while k > 0 {
                let w = &ws[k - 1];
                if let Some(m) = ms
                    .iter()
                    .copied()
                    .find(|&m| doc.mentions[m].range.end == w.range.end && m != p)
                {
                    // "Xi and US President Barack Obama": a person is no one's organisation.
                    let named_like_person =
                        person_names.contains(doc.slice(&doc.mentions[m].range));
                    if (is_org_or_loc(m) || etype(m) == EntityType::Misc) && !named_like_person {
                        // The nearest organisation, place or nationality ("Pakistani
                        // President"; the alias table makes a demonym its country).
                        if org.is_none() {
                            org = Some(m);
                        }
                        taken.insert(0, (doc.mentions[m].range.start, false));
                        // A mention starting inside a word ("moon" of "Ki-moon") must not
                        // stall the scan.
                        let next = word_at(doc.mentions[m].range.start);
                        if next >= k {
                            break;
                        }
                        k = next;
                        continue;
                    }
                    break;
                }
                // "of" joins a title to what follows it: "Minister of Uzbekistan Rustam Azimov".
                let joins = w.lower == "of" && (!role.is_empty() || org.is_some());
                if ROLE_WORDS.contains(&w.lower.as_str()) || joins {
                    role.insert(0, w.lower.clone());
                    taken.insert(0, (w.range.start, matches!(w.lower.as_str(), "and" | "of")));
                    k -= 1;
                    continue;
                }
                break;
            }
            // Trim dangling connectors, from the evidence too.
            while taken.first().is_some_and(|t| t.1) {
                taken.remove(0);
            }
            let start = taken.first().map_or(pr.start, |t| t.0);
            while role.first().is_some_and(|r| r == "and" || r == "of") {
                role.remove(0);
            }
            while role.last().is_some_and(|r| r == "and" || r == "of") {
                role.pop();
            }
            let role_title: Vec<&str> = role
                .iter()
                .map(String::as_str)
                .take_while(|r| *r != "of")
                .collect();
            if !role_title.is_empty()
                && role_title.iter().any(|r| {
                    !matches!(
                        *r,
                        "first"
                            | "and"
                            | "state"
                            | "research"
                            | "foreign"
                            | "general"
                            | "vice"
                            | "deputy"
                    )
                })
            {
                out.push(Relation {
                    rtype: RelationType::HasRole,
                    from: p,
                    to: Target::Role(role_title.join(" ")),
                    org,
                    range: start..pr.end,
                    sentence: si,
                    rule: Cow::Borrowed("title_before_name"),
                });
                if let Some(o) = org {
                    out.push(Relation {
                        rtype: RelationType::AffiliatedWith,
                        from: p,
                        to: Target::Mention(o),
                        org: None,
                        range: start..pr.end,
                        sentence: si,
                        rule: Cow::Borrowed("role_with_org"),
                    });
                }
            }
            // Apposition after the name: "Wu Hongbo, UN under-secretary-general for ...",
            // "Jia Xiudong, a research fellow with the China Institute ...".
            let after = word_end(pr.end);
            if ws.get(after).is_some_and(|w| w.lower == ",") {
                let mut k = after + 1;
                while ws
                    .get(k)
                    .is_some_and(|w| matches!(w.lower.as_str(), "a" | "an" | "the"))
                {
                    k += 1;
                }
                let mut org2: Option<usize> = None;
                if let Some(m) = mention_at_word(k).filter(|&m| is_org_or_loc(m)) {
                    org2 = Some(m);
                    k = word_end(doc.mentions[m].range.end);
                }
                let mut role2 = Vec::new();
                while let Some(w) = ws.get(k).filter(|w| ROLE_WORDS.contains(&w.lower.as_str())) {
                    role2.push(w.lower.clone());
                    k += 1;
                }
                // "A, Prime Minister of X B": the title belongs to the next name in a list.
                let mut j = k;
                if ws.get(j).is_some_and(|w| w.lower == "of") {
                    j += 1;
                    if let Some(m) = mention_at_word(j) {
                        j = word_end(doc.mentions[m].range.end);
                    }
                }
                let next_is_person =
                    mention_at_word(j).is_some_and(|m| etype(m) == EntityType::Person);
                if !role2.is_empty() && !next_is_person {
                    let mut end = ws[k - 1].range.end;
                    let mut rule = "apposition";
                    if ws
                        .get(k)
                        .is_some_and(|w| matches!(w.lower.as_str(), "of" | "with" | "at" | "for"))
                    {
                        let mut j = k + 1;
                        while ws.get(j).is_some_and(|w| w.lower == "the") {
                            j += 1;
                        }
                        if let Some(m) = mention_at_word(j).filter(|&m| is_org_or_loc(m)) {
                            if org2.is_none() {
                                org2 = Some(m);
                            }
                            end = doc.mentions[m].range.end;
                            if ws[k].lower == "with" || ws[k].lower == "at" {
                                rule = "fellow_with";
                            }
                        }
                    }
                    let title = role2.join(" ");
                    out.push(Relation {
                        rtype: RelationType::HasRole,
                        from: p,
                        to: Target::Role(title.clone()),
                        org: org2,
                        range: pr.start..end,
                        sentence: si,
                        rule: Cow::Borrowed("apposition"),
                    });
                    if let Some(o) = org2 {
                        let head = HEAD_ROLES.contains(&title.as_str())
                            || title.starts_with("head")
                            || title.starts_with("chief executive");
                        let rtype = if head && etype(o) == EntityType::Organization {
                            RelationType::HeadOf
                        } else {
                            RelationType::AffiliatedWith
                        };
                        out.push(Relation {
                            rtype,
                            from: p,
                            to: Target::Mention(o),
                            org: None,
                            range: pr.start..end,
                            sentence: si,
                            rule: Cow::Borrowed(rule),
                        });
                    }
                }
            }
        }

        // Parallel lists: "Jack Ma, Pony Ma and Li Yanhong, the heads of Internet giants
        // Alibaba, Tencent and Baidu respectively".
        for (k, w) in ws.iter().enumerate() {
            if !(HEAD_ROLES.contains(&w.lower.as_str())
                && ws.get(k + 1).is_some_and(|n| n.lower == "of"))
            {
                continue;
            }
            // People list ending at ", the heads"
            let mut j = k;
            while j > 0 && matches!(ws[j - 1].lower.as_str(), "the" | "a") {
                j -= 1;
            }
            if j == 0 || ws[j - 1].lower != "," {
                continue;
            }
            let people = list_before(doc, &ws, &ms, j - 1, EntityType::Person);
            // Organisations list after "of ..."
            let mut orgs = Vec::new();
            let mut i = k + 2;
            let mut last_end = ws[k + 1].range.end;
            while i < ws.len() && orgs.len() < 12 {
                // The model sometimes types company names as persons; the list position decides.
                if let Some(m) = mention_at_word(i)
                    .filter(|&m| !people.contains(&m) && etype(m) != EntityType::Misc)
                {
                    orgs.push(m);
                    last_end = doc.mentions[m].range.end;
                    i = word_end(last_end);
                    continue;
                }
                let lw = ws[i].lower.as_str();
                if orgs.is_empty() && lw.chars().all(char::is_alphabetic) && lw != "respectively" {
                    i += 1; // descriptors: "Internet giants"
                    continue;
                }
                if matches!(lw, "," | "and") && !orgs.is_empty() {
                    i += 1;
                    continue;
                }
                break;
            }
            let respectively = ws.get(i).is_some_and(|w| w.lower == "respectively")
                || ws.get(i + 1).is_some_and(|w| w.lower == "respectively");
            if people.len() == orgs.len() && !people.is_empty() {
                let start = doc.mentions[people[0]].range.start;
                for (p, o) in people.iter().zip(&orgs) {
                    out.push(Relation {
                        rtype: RelationType::HeadOf,
                        from: *p,
                        to: Target::Mention(*o),
                        org: None,
                        range: start..last_end,
                        sentence: si,
                        rule: Cow::Borrowed(if respectively {
                            "respectively"
                        } else {
                            "parallel_lists"
                        }),
                    });
                }
            }
        }

        // Locations: "Wuzhen of east China's Zhejiang Province", "Wuzhen in Zhejiang", "X, Y".
        let locs: Vec<usize> = ms
            .iter()
            .copied()
            .filter(|&m| etype(m) == EntityType::Location)
            .collect();
        for (a_i, &a) in locs.iter().enumerate() {
            let Some(&b) = locs.get(a_i + 1) else {
                continue;
            };
            let ae = word_end(doc.mentions[a].range.end);
            let bs = word_at(doc.mentions[b].range.start);
            let between: Vec<&str> = ws[ae..bs].iter().map(|w| w.lower.as_str()).collect();
            let descriptor = |w: &str| {
                matches!(
                    w,
                    "east"
                        | "west"
                        | "north"
                        | "south"
                        | "eastern"
                        | "western"
                        | "northern"
                        | "southern"
                        | "central"
                        | "northeast"
                        | "northwest"
                        | "southeast"
                        | "southwest"
                        | "the"
                        | "northeastern"
                        | "southwestern"
                        | "northwestern"
                        | "southeastern"
                )
            };
            let is_prep = between.first().is_some_and(|w| matches!(*w, "of" | "in"));
            // With a parse, the place after "in" must head its phrase: "the Anacostia River in
            // the Southeast quadrant" puts the river in the quadrant, not in "Southeast". (Where
            // the phrase hangs, on the place or on the noun before it, the parse often guesses.)
            let parse = doc.parse_of(si);
            let heads_its_phrase = |b: usize| parse.is_none_or(|p| !loc_is_modifier(doc, p, b));
            if is_prep && between[1..].iter().all(|w| descriptor(w)) {
                // Possessive chain: "east China's Zhejiang Province": a in c, c in b.
                let (target, inner) = match locs.get(a_i + 2) {
                    Some(&c) if possessive_between(doc, b, c) => (c, Some((c, b))),
                    _ => (b, None),
                };
                if !heads_its_phrase(target) {
                    continue;
                }
                let end = doc.mentions[target].range.end;
                out.push(Relation {
                    rtype: RelationType::LocatedIn,
                    from: a,
                    to: Target::Mention(target),
                    org: None,
                    range: doc.mentions[a].range.start..end,
                    sentence: si,
                    rule: Cow::Borrowed("of_in"),
                });
                if let Some((c, b)) = inner {
                    out.push(Relation {
                        rtype: RelationType::LocatedIn,
                        from: c,
                        to: Target::Mention(b),
                        org: None,
                        range: doc.mentions[b].range.start..end,
                        sentence: si,
                        rule: Cow::Borrowed("possessive"),
                    });
                }
            } else if between == [","] {
                // "Hangzhou, Zhejiang Province" (not a list: nothing but punctuation or the end after b)
                let be = word_end(doc.mentions[b].range.end);
                let list_follows = ws
                    .get(be)
                    .is_some_and(|w| w.lower == "," || w.lower == "and")
                    && locs.get(a_i + 2).is_some();
                let after_and = ws.get(ae.wrapping_sub(1)).is_some_and(|w| w.lower == "and");
                // With a parse, the parse decides: b hangs on a, and is no conjunct of a list
                // ("Ukraine, Georgia, Moldova": all three conjuncts of Ukraine; "the Washington
                // Navy Yard, Washington Mayor Vincent Gray": Washington is the mayor's).
                // Where the parse reads "Tripoli, Lebanon" or "a Newtown, Conn., school" some
                // other way, the list test decides, unless b is a conjunct or a modifier of
                // another noun than a's.
                let ok = match parse {
                    Some(p) => {
                        loc_attaches(doc, p, b, a)
                            || (!(list_follows || after_and)
                                && loc_head(doc, p, b)
                                    .is_some_and(|h| p.words[h].base_rel() != "conj")
                                && (!loc_is_modifier(doc, p, b)
                                    || loc_head(doc, p, a).and_then(|h| p.head(h))
                                        == loc_head(doc, p, b).and_then(|h| p.head(h))))
                    }
                    None => !(list_follows || after_and),
                };
                if ok {
                    out.push(Relation {
                        rtype: RelationType::LocatedIn,
                        from: a,
                        to: Target::Mention(b),
                        org: None,
                        range: doc.mentions[a].range.start..doc.mentions[b].range.end,
                        sentence: si,
                        rule: Cow::Borrowed("comma"),
                    });
                }
            }
        }
        // "Chicago's South Side": the place a place's possessive names holds it.
        for pair in locs.windows(2) {
            let (x, y) = (pair[0], pair[1]);
            let gap = doc.view.text[doc.mentions[x].range.end..doc.mentions[y].range.start].trim();
            let taken = out.iter().any(|r| {
                r.rtype == RelationType::LocatedIn
                    && r.from == y
                    && r.to == Target::Mention(x)
                    && r.sentence == si
            });
            if POSSESSIVES.contains(&gap) && !taken {
                out.push(Relation {
                    rtype: RelationType::LocatedIn,
                    from: y,
                    to: Target::Mention(x),
                    org: None,
                    range: doc.mentions[x].range.start..doc.mentions[y].range.end,
                    sentence: si,
                    rule: Cow::Borrowed("possessive"),
                });
            }
        }
    }
    // "consul general of Belarus in Shanghai": the place is the post's, not Belarus's.
    let role_orgs: Vec<(usize, usize)> = out
        .iter()
        .filter(|r| r.rtype == RelationType::HasRole)
        .filter_map(|r| r.org.map(|o| (r.sentence, o)))
        .collect();
    out.retain(|r| !(r.rule == "of_in" && role_orgs.contains(&(r.sentence, r.from))));
    out.extend(quotes(doc, &person_names));
    out
}

/// Whether word `w` of the parse lies inside mention `m`.
fn word_in(doc: &Document, p: &crate::syntax::Parse, w: usize, m: usize) -> bool {
    let r = &doc.mentions[m].range;
    let wr = p.words[w].range();
    r.start <= wr.start && wr.end <= r.end
}

/// The head word of mention `m` in the parse: its word whose head lies outside it.
fn loc_head(doc: &Document, p: &crate::syntax::Parse, m: usize) -> Option<usize> {
    (0..p.words.len())
        .find(|&w| word_in(doc, p, w, m) && p.head(w).is_none_or(|x| !word_in(doc, p, x, m)))
}

/// Whether location mention `b` hangs on location mention `a` in the parse: the head word of
/// `b` has its head inside `a`, by any relation but a conjunct's ("Salisbury, England":
/// England an apposition of Salisbury).
fn loc_attaches(doc: &Document, p: &crate::syntax::Parse, b: usize, a: usize) -> bool {
    loc_head(doc, p, b).is_some_and(|h| {
        p.words[h].base_rel() != "conj" && p.head(h).is_some_and(|x| word_in(doc, p, x, a))
    })
}

/// Whether location mention `b` only modifies another noun in the parse ("Southeast" of "the
/// Southeast quadrant"): its head word is a compound or adjective of a word outside every
/// location mention.
fn loc_is_modifier(doc: &Document, p: &crate::syntax::Parse, b: usize) -> bool {
    let Some(h) = loc_head(doc, p, b) else {
        return false;
    };
    let Some(x) = p.head(h) else { return false };
    matches!(p.words[h].base_rel(), "compound" | "amod")
        && !(0..doc.mentions.len())
            .any(|m| doc.mentions[m].etype == EntityType::Location && word_in(doc, p, x, m))
}

fn possessive_between(doc: &Document, b: usize, c: usize) -> bool {
    let gap = &doc.view.text[doc.mentions[b].range.end..doc.mentions[c].range.start];
    let g = gap.trim();
    POSSESSIVES.contains(&g) || g.is_empty() && doc.slice(&doc.mentions[b].range).ends_with("s")
}

/// Mentions of type `t` forming a list ("A, B and C") that ends right before word `end`.
fn list_before(doc: &Document, ws: &[W], ms: &[usize], end: usize, t: EntityType) -> Vec<usize> {
    let mut out = Vec::new();
    let mut k = end;
    while let Some(m) = ms.iter().copied().find(|&m| {
        doc.mentions[m].etype == t && k > 0 && doc.mentions[m].range.end == ws[k - 1].range.end
    }) {
        out.insert(0, m);
        let next = ws.partition_point(|w| w.range.start < doc.mentions[m].range.start);
        if next >= k {
            break; // the mention starts inside a word: no progress possible
        }
        k = next;
        if k > 0 && matches!(ws[k - 1].lower.as_str(), "," | "and") {
            k -= 1;
            if k > 0 && ws[k - 1].lower == "," {
                k -= 1;
            }
            continue;
        }
        break;
    }
    out
}

/// SAID relations: quotations and their speakers.
/// Words between a quote and the next one of its paragraph (the first one's attribution) for
/// the second to go on with the first one's speaker.
const CONTINUED_GAP_WORDS: usize = 14;

/// Who a quote's reporting verb names as its speaker.
enum Speaker {
    /// A person mention (index into `mentions`).
    Named(usize),
    /// "he said", "she told reporters": someone named before, of that gender.
    Pronoun(Gender),
}

/// The gender a pronoun or a name goes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

impl Gender {
    fn of_pronoun(word: &str) -> Option<Gender> {
        match word.to_lowercase().as_str() {
            "he" => Some(Gender::Male),
            "she" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// `data/first-names.tsv`: first names and the gender they most often go with.
fn first_names() -> &'static std::collections::HashMap<String, Gender> {
    static T: std::sync::OnceLock<std::collections::HashMap<String, Gender>> =
        std::sync::OnceLock::new();
    T.get_or_init(|| parse_first_names(include_str!("../../data/first-names.tsv")))
}

fn parse_first_names(tsv: &str) -> std::collections::HashMap<String, Gender> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && *l != "name\tgender")
        .filter_map(|l| {
            let (name, g) = l.split_once('\t')?;
            let g = match g.trim() {
                "m" => Gender::Male,
                "f" => Gender::Female,
                _ => return None,
            };
            Some((name.trim().to_lowercase(), g))
        })
        .collect()
}

/// The gender of person mention `m` as the document tells it: Mr., Mrs., Ms. or Miss before
/// any mention of the same surname, else the first name of the longest mention of it in the
/// first-name table; `None` when neither says.
fn gender_of(doc: &Document, m: usize) -> Option<Gender> {
    let surname = |r: &Range<usize>| {
        doc.slice(r)
            .split_whitespace()
            .next_back()
            .map(str::to_string)
    };
    let last = surname(&doc.mentions[m].range)?;
    let same: Vec<&crate::doc::Mention> = doc
        .mentions
        .iter()
        .filter(|o| o.etype == EntityType::Person && surname(&o.range).as_deref() == Some(&last))
        .collect();
    for o in &same {
        let before = doc.view.text[..o.range.start].trim_end();
        let honorific = before.rsplit(char::is_whitespace).next().unwrap_or("");
        match honorific.trim_end_matches('.') {
            "Mr" => return Some(Gender::Male),
            "Mrs" | "Ms" | "Miss" => return Some(Gender::Female),
            _ => {}
        }
    }
    let longest = same
        .iter()
        .map(|o| doc.slice(&o.range))
        .filter(|n| n.split_whitespace().count() > 1)
        .max_by_key(|n| (n.len(), *n))?;
    let first = longest.split_whitespace().next()?.to_lowercase();
    first_names().get(&first).copied()
}

/// The person a pronoun of gender `g` refers to: the first of `candidates` (the last person
/// named since the previous quote, the previous speaker, the last person named) whose gender
/// is not known to differ; else the latest person named before `at` whose gender is not known
/// to differ.
fn pronoun_speaker(
    doc: &Document,
    g: Option<Gender>,
    candidates: &[Option<usize>],
    at: usize,
    is_person: &dyn Fn(usize) -> bool,
) -> Option<usize> {
    let Some(g) = g else {
        return candidates.iter().flatten().next().copied();
    };
    let fits = |m: usize| gender_of(doc, m).is_none_or(|x| x == g);
    if let Some(m) = candidates.iter().flatten().copied().find(|&m| fits(m)) {
        return Some(m);
    }
    (0..doc.mentions.len())
        .rev()
        .filter(|&m| doc.mentions[m].range.end <= at && is_person(m))
        .find(|&m| fits(m))
}

/// Lemmas of verbs that report speech: a hint that lets a verb next to a quote report it even
/// when the parse does not tie the two together. A verb the parse ties to the quote (the quote
/// is its clausal complement, or it is a parenthetical of the quote) reports it whatever its
/// lemma.
const SPEECH_LEMMAS: &[&str] = &[
    "say",
    "tell",
    "add",
    "state",
    "note",
    "stress",
    "urge",
    "warn",
    "explain",
    "insist",
    "declare",
    "remark",
    "ask",
    "write",
    "recall",
    "acknowledge",
    "announce",
    "continue",
    "argue",
    "claim",
    "complain",
    "reply",
    "respond",
    "shout",
    "scream",
    "testify",
    "tweet",
    "accord",
    "conclude",
    "observe",
    "admit",
    "predict",
    "suggest",
    "vow",
];

/// The speaker of the quote at view range `q`, read from the parses of the sentences holding
/// its ends: a verb outside the quote that reports it (tied to a word inside by a clausal
/// complement or parenthetical, or a speech verb in the same sentence), and that verb's
/// subject, or the name inside it ("Gov. Jan Brewer", "press secretary Sarah Sanders"); for
/// "according to X", X.
fn speaker_from_parse(
    doc: &Document,
    q: Range<usize>,
    is_person: &dyn Fn(usize) -> bool,
) -> Option<Speaker> {
    let text = &doc.view.text;
    let inside =
        |w: &crate::syntax::Word| (w.start as usize) >= q.start && (w.end as usize) <= q.end;
    let mut sentences = Vec::new();
    for at in [q.end, q.start.saturating_sub(1)] {
        if let Some(s) = doc.sentence_at(at.min(text.len().saturating_sub(1))) {
            if !sentences.contains(&s) {
                sentences.push(s);
            }
        }
    }
    for s in sentences {
        let Some(p) = doc.parse_of(s) else { continue };
        let first_inside = p.words.iter().position(&inside);
        // Candidate verbs outside the quote, nearest to it first.
        let mut verbs: Vec<(usize, usize)> = Vec::new();
        for (v, w) in p.words.iter().enumerate() {
            if inside(w)
                || !matches!(w.upos.as_str(), "VERB" | "AUX") && p.lemma(v, text) != "accord"
            {
                continue;
            }
            let lemma = p.lemma(v, text).to_lowercase();
            // A speech verb above the quote in the tree: "Komati told reporters that the
            // attacks were a direct result of the "successive defeats ..."".
            let above = SPEECH_LEMMAS.contains(&lemma.as_str())
                && first_inside.is_some_and(|f| p.path_to_root(f).contains(&v));
            let tied = above
                || p.children(v).any(|c| {
                    inside(&p.words[c])
                        && matches!(
                            p.words[c].base_rel(),
                            "ccomp" | "parataxis" | "obj" | "xcomp"
                        )
                })
                || (matches!(w.base_rel(), "parataxis" | "ccomp" | "advcl")
                    && p.head(v).is_some_and(|h| inside(&p.words[h])));
            if !tied && !SPEECH_LEMMAS.contains(&lemma.as_str()) {
                continue;
            }
            let distance = if (w.start as usize) >= q.end {
                w.start as usize - q.end
            } else {
                q.start - w.end as usize
            };
            // An untied speech verb far from the quote reports something else.
            if !tied && distance > 80 {
                continue;
            }
            verbs.push((distance, v));
        }
        verbs.sort_unstable();
        for (_, v) in verbs {
            let subject = if p.lemma(v, text) == "accord" {
                p.child_with(v, "obl")
            } else {
                subject_of(p, v)
            };
            let Some(subj) = subject else { continue };
            if inside(&p.words[subj]) {
                continue;
            }
            let form = text.get(p.words[subj].range()).unwrap_or("").to_lowercase();
            if p.words[subj].upos.as_str() == "PRON" {
                return Gender::of_pronoun(&form).map(Speaker::Pronoun);
            }
            // The subject word, then the names tied to it (flat names, compounds, appositions).
            let mut todo = vec![(subj, 0)];
            while let Some((w, depth)) = todo.pop() {
                let r = p.words[w].range();
                let hit = doc
                    .mentions
                    .iter()
                    .position(|m| m.range.start <= r.start && r.end <= m.range.end);
                if let Some(m) = hit {
                    if is_person(m) {
                        return Some(Speaker::Named(m));
                    }
                }
                if depth < 2 {
                    for c in p.children(w) {
                        if matches!(
                            p.words[c].base_rel(),
                            "flat" | "compound" | "appos" | "nmod"
                        ) && !inside(&p.words[c])
                        {
                            todo.push((c, depth + 1));
                        }
                    }
                }
            }
            // A subject the parse found that names nobody ("the spokesman"): the quote's
            // speaker is not a person of the graph.
            return None;
        }
    }
    None
}

/// The subject of verb `v`, or of the verb it hangs from when it has none of its own ("Romney
/// issued a statement saying the report was "..."", "Ms. Lewis deemed the proposal a mess and
/// suggested that ..."): up through at most three conjuncts, clauses or nouns.
fn subject_of(p: &crate::syntax::Parse, v: usize) -> Option<usize> {
    let mut at = v;
    for _ in 0..4 {
        if let Some(s) = p.child_with(at, "nsubj") {
            return Some(s);
        }
        // A proper noun before the verb that the parser hung on it as a compound or an
        // unknown dependent ("Mitt Romney, meanwhile, swiftly issued"): its subject.
        if let Some(s) = p.children(at).find(|&c| {
            c < at
                && matches!(p.words[c].base_rel(), "compound" | "dep")
                && p.words[c].upos.as_str() == "PROPN"
        }) {
            return Some(s);
        }
        if !matches!(
            p.words[at].base_rel(),
            "conj" | "acl" | "advcl" | "xcomp" | "obj" | "obl" | "nmod"
        ) {
            return None;
        }
        at = p.head(at)?;
    }
    None
}

/// The speaker named by the sentence right before a quote that has no attribution of its own:
/// a sentence of the same paragraph whose main verb reports speech ("Patricia Ward, a
/// logistics specialist, said she was in the cafeteria. "I heard three shots.""), or one that
/// ends with a colon, in the paragraph before too ("John Galvin ... says in a statement that:").
fn speaker_of_sentence_before(
    doc: &Document,
    q: Range<usize>,
    is_person: &dyn Fn(usize) -> bool,
) -> Option<usize> {
    let text = &doc.view.text;
    let open_at = text[..q.start].char_indices().next_back()?.0;
    let before = text[..open_at].trim_end();
    let gap = &text[before.len()..open_at];
    let colon = before.ends_with(':');
    if !(colon || (before.ends_with(['.', '!', '?']) && !gap.contains('\n'))) {
        return None;
    }
    let s = doc.sentence_at(before.len().checked_sub(1)?)?;
    let p = doc.parse_of(s)?;
    let root = p.words.iter().position(|w| w.head == 0)?;
    let lemma = p.lemma(root, text).to_lowercase();
    if !SPEECH_LEMMAS.contains(&lemma.as_str()) {
        return None;
    }
    // Not when the sentence quotes someone itself: its own quote has its own speaker.
    let sentence = &text[doc.sentences[s].range.clone()];
    if !colon && sentence.contains(['"', '\u{201c}']) {
        return None;
    }
    let subj = p.child_with(root, "nsubj")?;
    let r = p.words[subj].range();
    let m = doc
        .mentions
        .iter()
        .position(|m| m.range.start <= r.start && r.end <= m.range.end)?;
    is_person(m).then_some(m)
}

fn quotes(doc: &Document, person_names: &HashSet<&str>) -> Vec<Relation> {
    let text = &doc.view.text;
    let mut out: Vec<Relation> = Vec::new();
    // Quote spans: curly pairs, or straight pairs, within a paragraph.
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        if c == '\n' && text[i + 1..].starts_with('\n') {
            open = None; // an unclosed quote ends with its paragraph
        }
        // USA Today closes a straight quote with two apostrophes: `"It's over,'' he said.`
        let closes_twice =
            c == '\'' && text[i + 1..].starts_with('\'') && matches!(open, Some((_, '"')));
        if closes_twice {
            if let Some((s, _)) = open {
                if i > s {
                    spans.push(s..i);
                }
            }
            open = None;
            continue;
        }
        match (open, c) {
            (None, '\u{201c}') => open = Some((i + c.len_utf8(), '\u{201d}')),
            (None, '"') => open = Some((i + 1, '"')),
            (Some((s, close)), ch) if ch == close => {
                if i > s {
                    spans.push(s..i);
                }
                open = None;
            }
            (Some(_), '\u{201c}') => open = Some((i + c.len_utf8(), '\u{201d}')),
            _ => {}
        }
    }
    // A name that does not start with a letter (". Smith") is a tagging accident, no speaker.
    let is_person = |m: usize| {
        let name = doc.slice(&doc.mentions[m].range);
        (doc.mentions[m].etype == EntityType::Person || person_names.contains(name))
            && name.chars().next().is_some_and(char::is_alphabetic)
    };
    let persons = |range: Range<usize>| -> Vec<usize> {
        (0..doc.mentions.len())
            .filter(|&m| {
                is_person(m)
                    && doc.mentions[m].range.start >= range.start
                    && doc.mentions[m].range.end <= range.end
            })
            .collect()
    };
    let mut last_speaker: Option<usize> = None;
    let mut last_person: Option<usize> = None;
    let mut cursor = 0;
    for q in spans {
        // Keep track of the last named person before this quote.
        let named = persons(cursor..q.start);
        if let Some(p) = named.last() {
            last_person = Some(*p);
        }
        // The last person named since the previous quote, not as a possessive ("Xi's
        // proposal"): who a following "he said" most likely refers to.
        let last_named = named.into_iter().rev().find(|&p| {
            let after = &text[doc.mentions[p].range.end..];
            !POSSESSIVES.iter().any(|s| after.starts_with(s))
        });
        cursor = q.end;
        let inner = &text[q.clone()];
        if inner.split_whitespace().count() < 3 {
            continue; // scare quotes: "double standards"
        }
        // After: `," Xi said.` / `," he said` / `," said Xi` / `," the president said`
        let close_len = text[q.end..].chars().next().map_or(1, char::len_utf8);
        let tail_end = text[q.end + close_len..]
            .find(['.', '\n', '\u{201c}', '"'])
            .map_or(text.len(), |k| q.end + close_len + k);
        let tail = &text[q.end + close_len..tail_end];
        let tail_ws = words(tail, q.end + close_len);
        let mut speaker = None;
        let mut rule = "quote_then_speaker";
        // The sentence's structure first: the subject of the verb that reports the quote.
        match speaker_from_parse(doc, q.clone(), &is_person) {
            Some(Speaker::Named(m)) => {
                speaker = Some(m);
                rule = "reporting_verb_subject";
            }
            Some(Speaker::Pronoun(g)) => {
                speaker = pronoun_speaker(
                    doc,
                    Some(g),
                    &[last_named, last_speaker, last_person],
                    q.start,
                    &is_person,
                );
                rule = "pronoun";
            }
            None => {}
        }
        let verb_pos = tail_ws
            .iter()
            .position(|w| SPEECH_VERBS.contains(&w.lower.as_str()));
        let inner_trim = inner.trim_end();
        let ends_open = inner_trim.ends_with(',')
            || tail.trim_start().starts_with(',')
            || inner_trim.ends_with(['.', '!', '?']);
        if let (Some(v), true, None) = (verb_pos, ends_open, speaker) {
            if v <= 6 {
                let ps = persons(q.end..tail_ws.last().map_or(q.end, |w| w.range.end));
                if let Some(p) = ps.first() {
                    speaker = Some(*p);
                } else if let Some(w) = tail_ws[..v].iter().find(|w| {
                    PRONOUNS.contains(&w.lower.as_str())
                        || w.lower == "president"
                        || w.lower == "minister"
                }) {
                    // "he said" after someone new is named ("Howard Goodison, a student,
                    // ...") is theirs, not the previous speaker's; "she said" is no man's.
                    speaker = pronoun_speaker(
                        doc,
                        Gender::of_pronoun(&w.lower),
                        &[last_named, last_speaker, last_person],
                        q.start,
                        &is_person,
                    );
                    rule = "pronoun";
                }
            }
        }
        // Before: `Xi said, "…"` / `Xi said: "…"`
        if speaker.is_none() {
            let sent_start = text[..q.start].rfind(['.', '\n']).map_or(0, |k| k + 1);
            let head = &text[sent_start..q.start];
            let hw = words(head, sent_start);
            if hw
                .iter()
                .rev()
                .take(4)
                .any(|w| SPEECH_VERBS.contains(&w.lower.as_str()))
            {
                if let Some(p) = persons(sent_start..q.start).last() {
                    speaker = Some(*p);
                    rule = "speaker_then_quote";
                }
            }
        }
        if speaker.is_none() {
            if let Some(m) = speaker_of_sentence_before(doc, q.clone(), &is_person) {
                speaker = Some(m);
                rule = "speaker_before_quote";
            }
        }
        // `"...," Gov. Jan Brewer said. "Nobody could have stopped it."`: a quote with no
        // attribution of its own, in the paragraph of a quote whose attribution stands between
        // the two, goes on with that speaker's words.
        if speaker.is_none() {
            if let Some(Relation {
                from,
                to: Target::Quote(prev_q),
                ..
            }) = out.last()
            {
                let open_at = text[..q.start]
                    .char_indices()
                    .next_back()
                    .map_or(q.start, |(i, _)| i);
                let gap = text.get(prev_q.end..open_at).unwrap_or("\n");
                let between = gap.trim_end();
                // However long the attribution ("said Khouri, director of the Issam Fares
                // Institute ... at the American University of Beirut."), when it names the
                // speaker and the new quote opens the next sentence.
                let attribution = doc.mentions[*from].range.start >= prev_q.end
                    && doc.mentions[*from].range.end <= open_at
                    && match (doc.sentence_at(prev_q.end), doc.sentence_at(q.start)) {
                        (Some(a), Some(b)) => b == a + 1,
                        _ => false,
                    };
                if !gap.contains('\n')
                    && (gap.split_whitespace().count() <= CONTINUED_GAP_WORDS || attribution)
                    && between.ends_with(['.', ':'])
                {
                    speaker = Some(*from);
                    rule = "continued_quote";
                }
            }
        }
        // A paragraph that is one quote, right after a paragraph whose quote has a speaker,
        // goes on with that speaker's words.
        if speaker.is_none() {
            if let Some(prev) = out.last() {
                let open_at = text[..q.start]
                    .char_indices()
                    .next_back()
                    .map_or(q.start, |(i, _)| i);
                let gap = text.get(prev.range.end..open_at).unwrap_or("x");
                let quote_ends_paragraph = text[q.end..]
                    .trim_start_matches(['"', '\u{201d}', ' ', '\t'])
                    .chars()
                    .next()
                    .is_none_or(|c| c == '\n');
                if gap.contains('\n')
                    && gap
                        .chars()
                        .all(|c| c.is_whitespace() || matches!(c, '.' | '"' | '\u{201d}'))
                    && quote_ends_paragraph
                {
                    speaker = Some(prev.from);
                    rule = "continued_quote";
                }
            }
        }
        if let Some(p) = speaker {
            last_speaker = Some(p);
            let sentence = doc.sentence_at(q.start).unwrap_or(0);
            out.push(Relation {
                rtype: RelationType::Said,
                from: p,
                to: Target::Quote(q.clone()),
                org: None,
                range: q.start..tail_end.max(q.end),
                sentence,
                rule: Cow::Borrowed(rule),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::test_doc;

    fn show(d: &Document, r: &Relation) -> String {
        let to = match &r.to {
            Target::Mention(m) => d.slice(&d.mentions[*m].range).to_string(),
            Target::Role(s) => format!("role:{s}"),
            Target::Quote(q) => format!("quote:{}", &d.view.text[q.clone()]),
        };
        let org = r
            .org
            .map(|o| format!(" @{}", d.slice(&d.mentions[o].range)))
            .unwrap_or_default();
        format!(
            "{} {} {}{}",
            d.slice(&d.mentions[r.from].range),
            r.rtype.as_str(),
            to,
            org
        )
    }

    use EntityType::*;

    #[test]
    fn roles_before_names() {
        let d = test_doc("Pakistani President Mamnoon Hussain and World Economic Forum founder and executive chairman Klaus Schwab spoke.", &[("Pakistani", Misc), ("Mamnoon Hussain", Person), ("World Economic Forum", Organization), ("Klaus Schwab", Person)]);
        let rs: Vec<String> = extract(&d).iter().map(|r| show(&d, r)).collect();
        assert!(
            rs.contains(&"Mamnoon Hussain HAS_ROLE role:president @Pakistani".to_string()),
            "{rs:?}"
        );
        assert!(
            rs.contains(
                &"Klaus Schwab HAS_ROLE role:founder and executive chairman @World Economic Forum"
                    .to_string()
            ),
            "{rs:?}"
        );
        assert!(
            rs.contains(&"Klaus Schwab AFFILIATED_WITH World Economic Forum".to_string()),
            "{rs:?}"
        );
        // The evidence is the title and the name, without the "and" that joins the two people.
        let evidence: Vec<&str> = extract(&d)
            .iter()
            .filter(|r| r.rtype == RelationType::HasRole)
            .map(|r| &d.view.text[r.range.clone()])
            .collect();
        assert_eq!(
            evidence,
            [
                "Pakistani President Mamnoon Hussain",
                "World Economic Forum founder and executive chairman Klaus Schwab"
            ]
        );
    }

    #[test]
    fn appositions() {
        let d = test_doc("Wu Hongbo, UN under-secretary-general for economic affairs, read it. Jia Xiudong, a research fellow with the China Institute of International Studies, said so.", &[("Wu Hongbo", Person), ("UN", Organization), ("Jia Xiudong", Person), ("China Institute of International Studies", Organization)]);
        let rs: Vec<String> = extract(&d).iter().map(|r| show(&d, r)).collect();
        assert!(
            rs.contains(&"Wu Hongbo HAS_ROLE role:under-secretary-general @UN".to_string()),
            "{rs:?}"
        );
        assert!(
            rs.contains(
                &"Jia Xiudong AFFILIATED_WITH China Institute of International Studies".to_string()
            ),
            "{rs:?}"
        );
    }

    #[test]
    fn mentions_inside_words_do_not_stall_the_scans() {
        // Spans from a poor model can start inside a hyphenated word.
        let d = test_doc(
            "President Ki-moon Smith and Jo-ann Lee, the heads of Acme, spoke.",
            &[
                ("moon", Location),
                ("Smith", Person),
                ("ann Lee", Person),
                ("Acme", Organization),
            ],
        );
        // The scans go on past the broken spans and still read the apposition.
        let rs: Vec<String> = extract(&d).iter().map(|r| show(&d, r)).collect();
        assert_eq!(rs, ["ann Lee HEAD_OF Acme"]);
    }

    #[test]
    fn respectively_lists_pair_in_order() {
        let d = test_doc("Jack Ma, Pony Ma and Li Yanhong, the heads of Internet giants Alibaba, Tencent and Baidu, respectively, were present.", &[("Jack Ma", Person), ("Pony Ma", Person), ("Li Yanhong", Person), ("Alibaba", Organization), ("Tencent", Organization), ("Baidu", Organization)]);
        let rs: Vec<String> = extract(&d)
            .iter()
            .filter(|r| r.rtype == RelationType::HeadOf)
            .map(|r| show(&d, r))
            .collect();
        assert_eq!(
            rs,
            vec![
                "Jack Ma HEAD_OF Alibaba",
                "Pony Ma HEAD_OF Tencent",
                "Li Yanhong HEAD_OF Baidu"
            ]
        );
    }

    #[test]
    fn located_in() {
        let d = test_doc(
            "The conference in Wuzhen of east China's Zhejiang Province opened.",
            &[
                ("Wuzhen", Location),
                ("China", Location),
                ("Zhejiang Province", Location),
            ],
        );
        let rs: Vec<String> = extract(&d).iter().map(|r| show(&d, r)).collect();
        assert!(
            rs.contains(&"Wuzhen LOCATED_IN Zhejiang Province".to_string()),
            "{rs:?}"
        );
        assert!(
            rs.contains(&"Zhejiang Province LOCATED_IN China".to_string()),
            "{rs:?}"
        );
    }

    #[test]
    fn quotes_attributed() {
        let text = "\"No country should pursue cyber hegemony,\" Xi said at the meeting.\n\n\"There should be no unilateralism,\" he said.";
        let d = test_doc(text, &[("Xi", Person)]);
        let rs: Vec<String> = extract(&d).iter().map(|r| show(&d, r)).collect();
        assert_eq!(
            rs,
            vec![
                "Xi SAID quote:No country should pursue cyber hegemony,",
                "Xi SAID quote:There should be no unilateralism,"
            ]
        );
    }

    #[test]
    fn a_quote_paragraph_continues_the_previous_speaker() {
        let text = "\"Cyberspace is not a place beyond the rule of law,\" Xi said.\n\n\
                    \"We should respect the rights of all Internet users.\"\n\n\
                    The forum ended.\n\n\"Nobody knows who wrote this line.\"";
        let d = test_doc(text, &[("Xi", Person)]);
        let rs: Vec<String> = extract(&d).iter().map(|r| show(&d, r)).collect();
        assert_eq!(
            rs,
            [
                "Xi SAID quote:Cyberspace is not a place beyond the rule of law,",
                "Xi SAID quote:We should respect the rights of all Internet users."
            ]
        );
        assert_eq!(extract(&d)[1].rule, "continued_quote");
    }

    #[test]
    fn he_said_goes_to_the_person_named_last() {
        // A newcomer named after the last quote takes "he said"; a possessive does not count.
        let text = "\"We need rules for cyberspace,\" Xi Jinping said.\n\nHoward Goodison, a student, \
                    liked Xi's proposal.\n\n\"Millions are lost to cybercrime every year,\" he said.\n\n\
                    Xi called on all nations to respect each other.\n\n\"No country should pursue \
                    hegemony,\" he said.";
        let mut d = test_doc(
            text,
            &[
                ("Xi Jinping", Person),
                ("Howard Goodison", Person),
                ("Xi", Misc),
                ("Xi", Misc),
            ],
        );
        let rs: Vec<String> = extract(&d).iter().map(|r| show(&d, r)).collect();
        assert_eq!(
            rs,
            vec![
                "Xi Jinping SAID quote:We need rules for cyberspace,",
                "Howard Goodison SAID quote:Millions are lost to cybercrime every year,",
                "Xi SAID quote:No country should pursue hegemony,"
            ]
        );
        // Each MISC "Xi" named like the person Xi Jinping becomes a person.
        d.relations = extract(&d);
        apply_type_policy(&mut d);
        assert_eq!(d.mentions[2].etype, Person);
        assert_eq!(d.mentions[3].etype, Person);
        // The article's own outlet is an organization.
        let mut d = test_doc(
            "PORT ELLIS, May 14 (Meridian Wire) - Ships left.",
            &[("Meridian Wire", Location)],
        );
        d.meta.outlet = "Meridian Wire".into();
        apply_type_policy(&mut d);
        assert_eq!(d.mentions[0].etype, Organization);
        // Not so in a document without a person of that name.
        let mut d = test_doc("Xi rose, said Xu.", &[("Xi", Misc)]);
        d.relations = extract(&d);
        apply_type_policy(&mut d);
        assert_eq!(d.mentions[0].etype, Misc);
    }
}
