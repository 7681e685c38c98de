//! Entity resolution: one id per real entity.
//!
//! 1. Each mention gets a canonical name: titles and roles stripped (`President`, `Chinese
//!    President`, `Mr.`), possessives, quotes and a leading `the` removed, company suffixes
//!    (`Inc.`, `Corp.`, `Ltd.`) dropped, then the alias table applied (`US` -> `United States`).
//! 2. Within a document, a short person name (`Xi`, `Schwab`) links to the one earlier full name
//!    it is part of; when two earlier names share it (`Ma` after Jack Ma and Pony Ma) it stays
//!    unresolved and is marked ambiguous.
//! 3. Across the corpus, a short person name with no full name in its own document links to the
//!    one full name in the corpus that contains it, if there is exactly one.
//! 4. Mentions with the same canonical name are one entity, whatever their NER type; the
//!    entity's type is the majority vote of its mentions (ties: Person, Location, Organization,
//!    Misc). Its id is derived from type and canonical name, never from processing order.
use crate::doc::{Document, EntityType};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Titles and role words stripped from the front of person names (lower case).
const TITLES: &[&str] = &[
    "president",
    "vice",
    "prime",
    "minister",
    "premier",
    "chancellor",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "general",
    "gen",
    "secretary",
    "secretary-general",
    "under-secretary-general",
    "chairman",
    "chairwoman",
    "executive",
    "chief",
    "ceo",
    "founder",
    "king",
    "queen",
    "prince",
    "princess",
    "senator",
    "sen",
    "governor",
    "gov",
    "mayor",
    "ambassador",
    "deputy",
    "first",
    "foreign",
    "state",
    "councillor",
    "premier",
    "spokesman",
    "spokeswoman",
    "director",
    "judge",
    "justice",
    "rep",
    "representative",
    "pope",
    "consul",
    "emperor",
    "sheikh",
    "colonel",
    "col",
    "captain",
    "capt",
    "lt",
    "sgt",
    "admiral",
    "commissioner",
    "and",
    "the",
    "of",
    "former",
    "late",
    "acting",
];
/// Nationality adjectives that often lead a title ("Chinese President Xi Jinping").
fn is_nationality(w: &str) -> bool {
    let l = w.to_lowercase();
    [
        "chinese",
        "american",
        "russian",
        "pakistani",
        "kazakh",
        "kyrgyz",
        "tajik",
        "uzbek",
        "british",
        "french",
        "german",
        "indian",
        "japanese",
        "us",
        "u.s.",
    ]
    .contains(&l.as_str())
        || (l.len() > 4
            && (l.ends_with("ese") || l.ends_with("ian") || l.ends_with("ish"))
            && w.chars().next().is_some_and(char::is_uppercase))
}

const COMPANY_SUFFIXES: &[&str] = &[
    "inc",
    "inc.",
    "corp",
    "corp.",
    "corporation",
    "ltd",
    "ltd.",
    "co",
    "co.",
    "llc",
    "plc",
    "limited",
];

/// The alias table: lower-cased alias -> canonical name.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    map: HashMap<String, String>,
}

impl Aliases {
    /// Read a TSV file of `alias<TAB>canonical` lines (`#` starts a comment).
    pub fn load(path: &Path) -> Result<Aliases> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Aliases::parse(&text)
            .map_err(|(line, msg)| Error::input(path, format!("line {line}: {msg}")))
    }

    pub fn parse(text: &str) -> std::result::Result<Aliases, (usize, String)> {
        let mut map = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((alias, canonical)) = line.split_once('\t') else {
                return Err((i + 1, "expected `alias<TAB>canonical`".into()));
            };
            let (alias, canonical) = (alias.trim(), canonical.trim());
            if alias.is_empty() || canonical.is_empty() {
                return Err((i + 1, "empty alias or canonical name".into()));
            }
            map.insert(alias.to_lowercase(), canonical.to_string());
            map.entry(canonical.to_lowercase())
                .or_insert_with(|| canonical.to_string());
        }
        Ok(Aliases { map })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(&name.to_lowercase()).map(String::as_str)
    }
}

/// Canonical form of a mention's surface text.
pub fn canonical_name(surface: &str, etype: EntityType, aliases: &Aliases) -> String {
    let mut s = surface
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')')
        .to_string();
    for p in ["'s", "\u{2019}s", "'", "\u{2019}"] {
        if let Some(x) = s.strip_suffix(p) {
            s = x.to_string();
        }
    }
    if let Some(a) = aliases.get(&s) {
        return a.to_string();
    }
    let mut words: Vec<&str> = s.split_whitespace().collect();
    if etype == EntityType::Person {
        while words.len() > 1 {
            let w = words[0].trim_end_matches('.').to_lowercase();
            if TITLES.contains(&w.as_str()) || is_nationality(words[0]) {
                words.remove(0);
            } else {
                break;
            }
        }
    } else {
        if words.len() > 1 && words[0].eq_ignore_ascii_case("the") {
            words.remove(0);
        }
        // "Zhejiang Province" and "Zhejiang" are one place.
        let admin = ["province", "prefecture", "county"];
        if etype == EntityType::Location
            && words.len() > 1
            && words
                .last()
                .is_some_and(|w| admin.contains(&w.to_lowercase().as_str()))
        {
            words.pop();
        }
        if words.len() > 1
            && words
                .last()
                .is_some_and(|w| COMPANY_SUFFIXES.contains(&w.to_lowercase().trim_end_matches(',')))
        {
            words.pop();
            if let Some(l) = words.last_mut() {
                *l = l.trim_end_matches(',');
            }
        }
    }
    let name = words.join(" ");
    // Names written in capitals ("PRESIDENT Xi") keep their own case; all-caps words of more
    // than four letters are title-cased so `XI JINPING` and `Xi Jinping` meet.
    let name = name
        .split(' ')
        .map(|w| {
            if w.chars().count() > 4
                && w.chars().all(|c| !c.is_lowercase())
                && w.chars().any(char::is_alphabetic)
            {
                let mut cs = w.chars();
                cs.next()
                    .map(|f| f.to_string() + &cs.as_str().to_lowercase())
                    .unwrap_or_default()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    aliases.get(&name).map(str::to_string).unwrap_or(name)
}

/// A resolved entity.
#[derive(Debug, Clone)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub etype: EntityType,
    pub aliases: BTreeSet<String>,
    pub mention_count: usize,
    pub document_count: usize,
    /// A short name shared by several full names, left unresolved.
    pub ambiguous: bool,
    /// Mentions per NER type (before the vote).
    pub type_votes: BTreeMap<EntityType, usize>,
}

/// Lower-case, alphanumeric-and-dash form of a name for ids.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn tokens(name: &str) -> Vec<String> {
    name.split_whitespace().map(|w| w.to_lowercase()).collect()
}

/// Whether `short` is a contiguous part of the longer name `full`.
fn part_of(short: &[String], full: &[String]) -> bool {
    !short.is_empty() && full.len() > short.len() && full.windows(short.len()).any(|w| w == short)
}

/// Resolve every mention of `docs`, setting `Mention::entity`, and return the entities sorted
/// by id.
pub fn resolve(docs: &mut [Document], aliases: &Aliases) -> Vec<Entity> {
    // canonical name per mention
    let mut canon: Vec<Vec<String>> = docs
        .iter()
        .map(|d| {
            d.mentions
                .iter()
                .map(|m| canonical_name(d.slice(&m.range), m.etype, aliases))
                .collect()
        })
        .collect();
    let mut ambiguous: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<(usize, usize)> = Vec::new();
    // 2. within-document short names
    for (di, d) in docs.iter().enumerate() {
        let mut fulls: Vec<Vec<String>> = Vec::new();
        let mut full_names: Vec<String> = Vec::new();
        for (mi, m) in d.mentions.iter().enumerate() {
            if m.etype != EntityType::Person {
                continue;
            }
            let toks = tokens(&canon[di][mi]);
            let cands: BTreeSet<usize> = fulls
                .iter()
                .enumerate()
                .filter(|(_, f)| part_of(&toks, f))
                .map(|(i, _)| i)
                .collect();
            let distinct: BTreeSet<&String> = cands.iter().map(|&i| &full_names[i]).collect();
            match distinct.len() {
                1 => canon[di][mi] = distinct.into_iter().next().cloned().unwrap_or_default(),
                0 if toks.len() == 1 => pending.push((di, mi)),
                0 => {}
                _ => {
                    ambiguous.insert(canon[di][mi].to_lowercase());
                }
            }
            if toks.len() > 1 && !fulls.contains(&toks) {
                fulls.push(toks);
                full_names.push(canon[di][mi].clone());
            }
        }
    }
    // 3. corpus-level short names
    let corpus_fulls: BTreeSet<String> = docs
        .iter()
        .enumerate()
        .flat_map(|(di, d)| {
            d.mentions
                .iter()
                .enumerate()
                .filter(|(_, m)| m.etype == EntityType::Person)
                .map(move |(mi, _)| (di, mi))
        })
        .map(|(di, mi)| canon[di][mi].clone())
        .filter(|n| n.split_whitespace().count() > 1)
        .collect();
    for (di, mi) in pending {
        let short = canon[di][mi].clone();
        if ambiguous.contains(&short.to_lowercase()) {
            continue;
        }
        let st = tokens(&short);
        let cands: Vec<&String> = corpus_fulls
            .iter()
            .filter(|f| part_of(&st, &tokens(f)))
            .collect();
        if cands.len() == 1 {
            canon[di][mi] = cands[0].clone();
        } else if cands.len() > 1 {
            ambiguous.insert(short.to_lowercase());
        }
    }
    // 4. group by canonical key
    struct Acc {
        names: BTreeMap<String, usize>,
        aliases: BTreeSet<String>,
        votes: BTreeMap<EntityType, usize>,
        docs: BTreeSet<usize>,
        mentions: usize,
    }
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    for (di, d) in docs.iter().enumerate() {
        for (mi, m) in d.mentions.iter().enumerate() {
            let key = canon[di][mi].to_lowercase();
            let a = groups.entry(key).or_insert_with(|| Acc {
                names: BTreeMap::new(),
                aliases: BTreeSet::new(),
                votes: BTreeMap::new(),
                docs: BTreeSet::new(),
                mentions: 0,
            });
            *a.names.entry(canon[di][mi].clone()).or_default() += 1;
            a.aliases.insert(d.slice(&m.range).trim().to_string());
            *a.votes.entry(m.etype).or_default() += 1;
            a.docs.insert(di);
            a.mentions += 1;
        }
    }
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut entities = Vec::new();
    for (key, a) in groups {
        let etype = a
            .votes
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(t, _)| *t)
            .unwrap_or(EntityType::Misc);
        let name = a
            .names
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        let id = format!("{}:{}", etype.short().to_lowercase(), slug(&name));
        ids.insert(key.clone(), id.clone());
        entities.push(Entity {
            id,
            name,
            etype,
            aliases: a.aliases,
            mention_count: a.mentions,
            document_count: a.docs.len(),
            ambiguous: ambiguous.contains(&key),
            type_votes: a.votes,
        });
    }
    for (di, d) in docs.iter_mut().enumerate() {
        for (mi, m) in d.mentions.iter_mut().enumerate() {
            m.entity = ids.get(&canon[di][mi].to_lowercase()).cloned();
        }
    }
    // Two keys could slug to one id ("U.S." and "U S"): merge them deterministically.
    entities.sort_by(|a, b| a.id.cmp(&b.id));
    let mut merged: Vec<Entity> = Vec::new();
    for e in entities {
        match merged.last_mut() {
            Some(last) if last.id == e.id => {
                last.aliases.extend(e.aliases);
                last.mention_count += e.mention_count;
                last.document_count = last.document_count.max(e.document_count);
                last.ambiguous |= e.ambiguous;
                for (t, n) in e.type_votes {
                    *last.type_votes.entry(t).or_default() += n;
                }
            }
            _ => merged.push(e),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::test_doc;

    #[test]
    fn canonical_names_strip_titles_and_aliases() {
        let al = Aliases::parse("US\tUnited States\nU.S.\tUnited States\n").unwrap();
        assert_eq!(
            canonical_name("Chinese President Xi Jinping", EntityType::Person, &al),
            "Xi Jinping"
        );
        assert_eq!(
            canonical_name("PRESIDENT Xi Jinping", EntityType::Person, &al),
            "Xi Jinping"
        );
        assert_eq!(canonical_name("Xi's", EntityType::Person, &al), "Xi");
        assert_eq!(
            canonical_name("U.S.", EntityType::Location, &al),
            "United States"
        );
        assert_eq!(
            canonical_name("Apple Inc.", EntityType::Organization, &al),
            "Apple"
        );
        assert_eq!(
            canonical_name("Zhejiang Province", EntityType::Location, &al),
            "Zhejiang"
        );
        assert_eq!(
            canonical_name("the United Nations", EntityType::Organization, &al),
            "United Nations"
        );
    }

    #[test]
    fn short_names_link_or_stay_ambiguous() {
        let p = EntityType::Person;
        let mut docs = vec![
            test_doc(
                "President Xi Jinping spoke. Xi said so. Jack Ma and Pony Ma came. Ma left.",
                &[
                    ("President Xi Jinping", p),
                    ("Xi", p),
                    ("Jack Ma", p),
                    ("Pony Ma", p),
                    ("Ma", p),
                ],
            ),
            test_doc("Xi lashed out.", &[("Xi", p)]),
        ];
        let ents = resolve(&mut docs, &Aliases::default());
        let xi: Vec<_> = ents.iter().filter(|e| e.name == "Xi Jinping").collect();
        assert_eq!(xi.len(), 1);
        assert_eq!(xi[0].mention_count, 3);
        assert_eq!(xi[0].document_count, 2);
        assert!(xi[0].aliases.contains("Xi") && xi[0].aliases.contains("President Xi Jinping"));
        assert_eq!(
            docs[1].mentions[0].entity.as_deref(),
            Some("per:xi-jinping")
        );
        let ma = ents.iter().find(|e| e.name == "Ma").unwrap();
        assert!(ma.ambiguous);
        assert!(
            ents.iter().any(|e| e.id == "per:jack-ma")
                && ents.iter().any(|e| e.id == "per:pony-ma")
        );
    }

    #[test]
    fn type_is_majority_vote_and_nothing_dropped() {
        let mut docs = vec![test_doc(
            "China here. China there. China again.",
            &[
                ("China", EntityType::Location),
                ("China", EntityType::Organization),
                ("China", EntityType::Location),
            ],
        )];
        let ents = resolve(&mut docs, &Aliases::default());
        assert_eq!(ents.len(), 1);
        assert_eq!(ents[0].etype, EntityType::Location);
        assert_eq!(ents[0].mention_count, 3);
        assert!(docs[0]
            .mentions
            .iter()
            .all(|m| m.entity.as_deref() == Some("loc:china")));
    }
}
