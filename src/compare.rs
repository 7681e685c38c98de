//! Cross-outlet comparison of numeric claims: grouping and verdicts.
//!
//! **Grouping.** Claims fall in one group when they belong to the same story (see
//! [`crate::stories`]), have the same canonical measure (`deaths`, `deaths: children`, `on board`
//! from the measure table; else the singularised noun phrase, `country and region`), the same
//! kind and unit, and the same subject entity. Within a story and measure, claims that name no
//! subject join the group of the one subject others name; when several subjects are named, they
//! stay apart. A measured quantity whose measure no cue explains ("34,000 feet") is never grouped.
//! Only groups with claims from at least two documents are compared.
//!
//! **Sources.** A claim's source is its outlet, or the agency its document credits ("(Xinhua)",
//! "Source: Xinhua", "(AP)"; see `data/credits.tsv`), or, when its sentence is a near copy of a
//! sentence of another outlet published no later, that sentence's source (`copy_of` names the
//! claim copied). A group counts its independent sources.
//!
//! **Verdicts.** Each claim reads as an interval: an exact figure is a point; `more than 2,000`
//! is (2000, inf); `around 670 million` is 670 million +/- the tolerance (default 2 %); `nearly
//! 2,000` is [1960, 2000). A group *agrees* when all readings are identical, is *compatible* when
//! every pair of intervals overlaps, and *conflicts* otherwise. A conflict between dates whose
//! figures only grow with time (a death toll rising by day) is *updated*, with the series. A
//! group whose claims all come from one independent source is *single source*, whatever its
//! figures say. The spread is (max - min) / max of the point values.
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One claim as written to `claims.jsonl` (and read back by `newsgraph compare`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClaimRecord {
    pub claim_id: String,
    pub doc_id: String,
    pub outlet: String,
    /// The story of the claim's document.
    #[serde(default)]
    pub story: Option<String>,
    /// The document's publication date.
    #[serde(default)]
    pub published: Option<String>,
    pub subject: Option<String>,
    pub subject_id: Option<String>,
    pub measure: String,
    /// The canonical measure groups are made of (empty: never grouped).
    #[serde(default)]
    pub measure_key: String,
    /// The measure came from a cue of the measure table (else from the noun phrase, and the
    /// claim is compared only with claims whose sentences share its context).
    #[serde(default)]
    pub measure_from_table: bool,
    /// The measure was read through the sentence's parse: compared as it is.
    #[serde(default)]
    pub measure_from_parse: bool,
    /// The measure only grows while a story unfolds (a death toll).
    #[serde(default)]
    pub cumulative: bool,
    /// The sentence reads as a new reading of a rising figure ("the toll rose to 80").
    #[serde(default)]
    pub reads_as_update: bool,
    /// Why the claim is about another event than its story's, if it is (another time or place
    /// named in its sentence): such claims are never compared.
    #[serde(default)]
    pub elsewhere: Option<String>,
    /// The dimension of a measured quantity's unit (`length`, `speed`...).
    #[serde(default)]
    pub dimension: Option<String>,
    pub value: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub lower_inclusive: Option<bool>,
    pub upper_inclusive: Option<bool>,
    pub approximate: bool,
    pub kind: String,
    pub unit: String,
    pub currency: Option<String>,
    pub as_of: Option<String>,
    pub as_of_text: Option<String>,
    /// The independent source behind the claim: its outlet, a credited agency, or the source
    /// of the sentence it copies.
    #[serde(default)]
    pub source: String,
    /// The claim whose sentence this claim's sentence copies (another outlet's, published no
    /// later).
    #[serde(default)]
    pub copy_of: Option<String>,
    pub surface: String,
    pub sentence: String,
    pub sentence_index: usize,
    pub start: usize,
    pub end: usize,
}

impl ClaimRecord {
    /// The source key, falling back to the outlet for records written without one.
    /// Whether the measure key is compared as it is: it came from the measure table or was
    /// read through the parse (else only claims whose sentences share context meet).
    pub fn compared_as_is(&self) -> bool {
        self.measure_from_table || self.measure_from_parse
    }

    pub fn source_key(&self) -> &str {
        if self.source.is_empty() {
            &self.outlet
        } else {
            &self.source
        }
    }

    /// The date a figure stands for: its full as-of date, else its document's date.
    pub fn date(&self) -> Option<&str> {
        self.as_of
            .as_deref()
            .filter(|d| d.len() == 10)
            .or(self.published.as_deref())
    }
}

/// How the claims of a group relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Agree,
    Compatible,
    Conflict,
    Updated,
    SingleSource,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::Compatible => "compatible",
            Verdict::Conflict => "conflict",
            Verdict::Updated => "updated",
            Verdict::SingleSource => "single source",
        }
    }
}

/// A group of comparable claims.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub story: Option<String>,
    pub subject: Option<String>,
    pub subject_id: Option<String>,
    pub measure: String,
    pub kind: String,
    pub unit: String,
    /// Indices into the claim list, sorted by (outlet, doc_id, start).
    pub members: Vec<usize>,
    pub verdict: Verdict,
    pub spread: f64,
    /// Independent sources (outlets, credited agencies, copies counted once).
    pub sources: Vec<String>,
    /// For `updated`: (date, values) in date order.
    pub series: Vec<(String, Vec<f64>)>,
    pub notes: Vec<String>,
}

pub fn singular(w: &str) -> String {
    match w {
        "people" | "news" | "series" | "species" | "data" => w.to_string(),
        "countries" | "cities" | "companies" | "economies" | "communities" | "bodies"
        | "universities" | "parties" | "agencies" | "facilities" => {
            format!("{}y", &w[..w.len() - 3])
        }
        _ if w.ends_with("sses")
            || w.ends_with("ches")
            || w.ends_with("shes")
            || w.ends_with("xes") =>
        {
            w[..w.len() - 2].to_string()
        }
        _ if w.ends_with('s') && !w.ends_with("ss") && w.len() > 3 => w[..w.len() - 1].to_string(),
        _ => w.to_string(),
    }
}

/// The key under which a claim's measure is grouped (see the module docs).
pub fn measure_key(measure: &str, sentence: &str) -> String {
    let words: Vec<String> = measure
        .split_whitespace()
        .map(|w| singular(&w.to_lowercase()))
        .collect();
    if words.len() == 1
        && matches!(
            words[0].as_str(),
            "user" | "subscriber" | "netizen" | "surfer"
        )
        && sentence.to_lowercase().contains("internet")
    {
        return "internet user".into();
    }
    words.join(" ")
}

/// Interval reading of a claim: (lo, lo_inclusive, hi, hi_inclusive).
pub fn interval(c: &ClaimRecord, tolerance: f64) -> (f64, bool, f64, bool) {
    let (mut lo, mut lo_inc, mut hi, mut hi_inc) = (c.value, true, c.value, true);
    if c.approximate {
        let d = c.value.abs() * tolerance;
        (lo, hi) = (c.value - d, c.value + d);
    }
    if let Some(l) = c.lower {
        lo = l;
        lo_inc = c.lower_inclusive.unwrap_or(true);
        if c.upper.is_none() {
            hi = f64::INFINITY;
            hi_inc = false;
        }
    }
    if let Some(u) = c.upper {
        hi = u;
        hi_inc = c.upper_inclusive.unwrap_or(true);
        if c.lower.is_none() && !c.approximate {
            lo = f64::NEG_INFINITY;
            lo_inc = false;
        }
    }
    (lo, lo_inc, hi, hi_inc)
}

/// Whether two interval readings overlap.
pub fn overlaps(a: (f64, bool, f64, bool), b: (f64, bool, f64, bool)) -> bool {
    let below =
        |hi: f64, hi_inc: bool, lo: f64, lo_inc: bool| hi < lo || (hi == lo && !(hi_inc && lo_inc));
    !(below(a.2, a.3, b.0, b.1) || below(b.2, b.3, a.0, a.1))
}

fn same_reading(a: &ClaimRecord, b: &ClaimRecord) -> bool {
    a.value == b.value
        && a.lower == b.lower
        && a.upper == b.upper
        && a.lower_inclusive == b.lower_inclusive
        && a.upper_inclusive == b.upper_inclusive
        && a.approximate == b.approximate
}

/// The verdict of a set of claims read as intervals: agree, compatible or conflict.
fn judge(claims: &[ClaimRecord], members: &[usize], tolerance: f64) -> Verdict {
    let first = &claims[members[0]];
    if members.iter().all(|&i| same_reading(&claims[i], first)) {
        return Verdict::Agree;
    }
    let all_overlap = members.iter().enumerate().all(|(k, &i)| {
        members[k + 1..].iter().all(|&j| {
            overlaps(
                interval(&claims[i], tolerance),
                interval(&claims[j], tolerance),
            )
        })
    });
    if all_overlap {
        Verdict::Compatible
    } else {
        Verdict::Conflict
    }
}

/// Readings by date: (date, distinct values).
type Series = Vec<(String, Vec<f64>)>;

/// The verdict of a cumulative figure (a death toll) whose claims conflict. A lower figure in a
/// document that states a higher one is an earlier reading when it is a lower bound ("at least
/// 40") or its sentence reads as an update ("the toll rose to 60"); else it is a partial count
/// ("10 were killed in the newsroom") and is left out. What remains is judged as usual; if it
/// still conflicts but the highest figure of each date never falls and the documents of the
/// last date agree on their highest figures, the figure was *updated*.
fn rising_toll(
    claims: &[ClaimRecord],
    members: &[usize],
    tolerance: f64,
) -> Option<(Verdict, Series, Vec<usize>)> {
    if !members.iter().all(|&i| claims[i].cumulative) {
        return None;
    }
    let mut top: BTreeMap<&str, f64> = BTreeMap::new();
    for &i in members {
        let t = top
            .entry(claims[i].doc_id.as_str())
            .or_insert(f64::NEG_INFINITY);
        *t = t.max(claims[i].value);
    }
    let (kept, partial): (Vec<usize>, Vec<usize>) = members.iter().partition(|&&i| {
        let c = &claims[i];
        c.value >= top[c.doc_id.as_str()] || c.lower.is_some() || c.reads_as_update
    });
    let verdict = judge(claims, &kept, tolerance);
    if verdict != Verdict::Conflict {
        return Some((verdict, Vec::new(), partial));
    }
    let mut by_date: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &kept {
        by_date.entry(claims[i].date()?).or_default().push(i);
    }
    let mut prev = f64::NEG_INFINITY;
    for ms in by_date.values() {
        let max = ms
            .iter()
            .map(|&i| claims[i].value)
            .fold(f64::NEG_INFINITY, f64::max);
        if max < prev {
            return None;
        }
        prev = max;
    }
    let last = by_date.values().last()?;
    let latest: Vec<usize> = last
        .iter()
        .copied()
        .filter(|&i| {
            let day_top = last
                .iter()
                .filter(|&&j| claims[j].doc_id == claims[i].doc_id)
                .map(|&j| claims[j].value)
                .fold(f64::NEG_INFINITY, f64::max);
            claims[i].value == day_top
        })
        .collect();
    if judge(claims, &latest, tolerance) == Verdict::Conflict {
        return None;
    }
    let series = by_date
        .into_iter()
        .map(|(d, ms)| {
            let mut vs: Vec<f64> = ms.iter().map(|&i| claims[i].value).collect();
            vs.sort_by(f64::total_cmp);
            vs.dedup();
            (d.to_string(), vs)
        })
        .collect();
    Some((Verdict::Updated, series, partial))
}

/// Claims whose measure is only a noun phrase ("three aircraft") are compared only when their
/// sentences share context: linked when they share at least three content words (four letters
/// or more, beside the measure's own), grouped by links. Table measures stay whole.
fn by_context(claims: &[ClaimRecord], members: Vec<usize>) -> Vec<Vec<usize>> {
    if members.iter().all(|&i| claims[i].compared_as_is()) {
        return vec![members];
    }
    let words: Vec<BTreeSet<String>> = members
        .iter()
        .map(|&i| {
            let c = &claims[i];
            let own: BTreeSet<String> = c
                .measure
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
            c.sentence
                .split(|ch: char| !ch.is_alphanumeric())
                .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
                .map(str::to_lowercase)
                .filter(|w| !own.contains(w))
                .collect()
        })
        .collect();
    let n = members.len();
    let mut comp: Vec<usize> = (0..n).collect();
    for a in 0..n {
        for b in a + 1..n {
            if words[a].intersection(&words[b]).count() >= 3 {
                let (ca, cb) = (comp[a], comp[b]);
                let (lo, hi) = (ca.min(cb), ca.max(cb));
                comp.iter_mut().filter(|c| **c == hi).for_each(|c| *c = lo);
            }
        }
    }
    let mut parts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, &i) in members.iter().enumerate() {
        parts.entry(comp[k]).or_default().push(i);
    }
    parts.into_values().collect()
}

/// A measure key's parts: the event before ": " (empty for a noun alone), the modifiers and
/// the head noun.
fn key_parts<'a>(key: &'a str, events: &BTreeSet<&str>) -> (&'a str, BTreeSet<&'a str>, &'a str) {
    let (event, noun) = match key.split_once(": ") {
        Some((e, n)) => (e, n),
        None if events.contains(key) => (key, ""),
        None => ("", key),
    };
    let mut words: Vec<&str> = noun.split_whitespace().collect();
    let head = words.pop().unwrap_or("");
    (event, words.into_iter().collect(), head)
}

/// The key each claim is grouped under, after one story's wordings of one measure are joined.
/// Two keys are one measure when they can mean the same thing (the same head noun, the same
/// event or one without, the modifiers of one among the other's: "students", "German
/// students" and `deaths: student`; "hours" and "flying hours") and no document states both
/// with different figures (then they are two measures: "18 countries" and "14 EU countries").
/// Keys join only when every pair of them can: a bare "countries" never chains "EU countries"
/// to "non-EU countries". The group takes the most specific key.
fn joined_keys(claims: &[ClaimRecord]) -> Vec<String> {
    let mut out: Vec<String> = claims.iter().map(|c| c.measure_key.clone()).collect();
    // The joinable claims of each (story, kind, unit).
    let mut scopes: BTreeMap<(&str, &str, &str), Vec<usize>> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        if !c.measure_key.is_empty() && c.compared_as_is() && c.elsewhere.is_none() {
            let story = c.story.as_deref().unwrap_or_default();
            scopes
                .entry((story, c.kind.as_str(), c.unit.as_str()))
                .or_default()
                .push(i);
        }
    }
    for members in scopes.values() {
        let keys: BTreeSet<&str> = members
            .iter()
            .map(|&i| claims[i].measure_key.as_str())
            .collect();
        // Values each document states under each key, about each subject.
        let mut st: BTreeMap<(&str, &str, &str), BTreeSet<u64>> = BTreeMap::new();
        for &i in members {
            let c = &claims[i];
            st.entry((
                c.doc_id.as_str(),
                c.subject_id.as_deref().unwrap_or(""),
                c.measure_key.as_str(),
            ))
            .or_default()
            .insert(c.value.to_bits());
        }
        let events: BTreeSet<&str> = keys
            .iter()
            .filter_map(|k| k.split_once(": ").map(|(e, _)| e))
            .collect();
        let parts: BTreeMap<&str, _> = keys.iter().map(|&k| (k, key_parts(k, &events))).collect();
        let same = |a: &str, b: &str| {
            let (ea, ma, ha) = &parts[a];
            let (eb, mb, hb) = &parts[b];
            !ha.is_empty()
                && ha == hb
                && (ea.is_empty() || eb.is_empty() || ea == eb)
                && (ma.is_subset(mb) || mb.is_subset(ma))
        };
        // One document states both, about one subject, with different figures.
        let apart = |a: &str, b: &str| {
            st.iter().any(|((d, s, k), va)| {
                *k == a
                    && st
                        .get(&(*d, *s, b))
                        .is_some_and(|vb| va.iter().any(|v| !vb.contains(v)))
            })
        };
        let joins = |a: &str, b: &str| same(a, b) && !apart(a, b) && !apart(b, a);
        let mut comp: Vec<BTreeSet<&str>> = keys.iter().map(|&k| BTreeSet::from([k])).collect();
        let find = |comp: &Vec<BTreeSet<&str>>, k: &str| comp.iter().position(|c| c.contains(k));
        let list: Vec<&str> = keys.iter().copied().collect();
        for (x, &a) in list.iter().enumerate() {
            for &b in &list[x + 1..] {
                if !joins(a, b) {
                    continue;
                }
                let (Some(ca), Some(cb)) = (find(&comp, a), find(&comp, b)) else {
                    continue;
                };
                if ca == cb
                    || !comp[ca]
                        .iter()
                        .all(|&p| comp[cb].iter().all(|&q| joins(p, q)))
                {
                    continue;
                }
                let moved = std::mem::take(&mut comp[cb]);
                comp[ca].extend(moved);
            }
        }
        let mut target: BTreeMap<&str, &str> = BTreeMap::new();
        for c in comp.iter().filter(|c| c.len() > 1) {
            let specificity = |k: &str| {
                let (e, m, _) = &parts[k];
                usize::from(!e.is_empty()) + m.len()
            };
            let best = c
                .iter()
                .copied()
                .max_by(|a, b| specificity(a).cmp(&specificity(b)).then(b.cmp(a)))
                .unwrap_or_default();
            for &k in c {
                target.insert(k, best);
            }
        }
        for &i in members {
            if let Some(t) = target.get(claims[i].measure_key.as_str()) {
                out[i] = t.to_string();
            }
        }
    }
    out
}

/// Group and judge claims.
pub fn compare(claims: &[ClaimRecord], tolerance: f64) -> Vec<Group> {
    // (story, measure, kind, unit) -> subject -> members
    type Key = (String, String, String, String);
    let mut buckets: BTreeMap<Key, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    let keys = joined_keys(claims);
    for (i, c) in claims.iter().enumerate() {
        if c.measure_key.is_empty() || c.elsewhere.is_some() {
            continue;
        }
        let key = (
            c.story.clone().unwrap_or_default(),
            keys[i].clone(),
            c.kind.clone(),
            c.unit.clone(),
        );
        buckets
            .entry(key)
            .or_default()
            .entry(c.subject_id.clone().unwrap_or_default())
            .or_default()
            .push(i);
    }
    let mut out = Vec::new();
    for ((story, mkey, kind, unit), mut by_subject) in buckets {
        // Claims that name no subject belong to the one entity the others name, if one, and
        // so do claims whose holder is only a common noun ("the government would spend" where
        // others say "Norland will spend"); with no entity, to the one holder named, if one
        // (the captain's hours and the first officer's stay apart).
        let entities: Vec<String> = by_subject
            .keys()
            .filter(|k| !k.is_empty() && !k.starts_with("holder:"))
            .cloned()
            .collect();
        let holders: Vec<String> = by_subject
            .keys()
            .filter(|k| k.starts_with("holder:"))
            .cloned()
            .collect();
        let (target, moved): (Option<&String>, Vec<String>) = match (&entities[..], &holders[..]) {
            ([e], _) => (
                Some(e),
                holders.iter().cloned().chain([String::new()]).collect(),
            ),
            ([], [h]) => (Some(h), vec![String::new()]),
            _ => (None, Vec::new()),
        };
        if let Some(t) = target {
            for m in moved {
                if let Some(ms) = by_subject.remove(&m) {
                    by_subject.entry(t.clone()).or_default().extend(ms);
                }
            }
        }
        let mut parts: Vec<(String, Vec<usize>)> = Vec::new();
        for (subject_id, members) in by_subject {
            for part in by_context(claims, members) {
                parts.push((subject_id.clone(), part));
            }
        }
        for (subject_id, mut members) in parts {
            let docs: BTreeSet<&str> = members.iter().map(|&i| claims[i].doc_id.as_str()).collect();
            if docs.len() < 2 {
                continue;
            }
            members.sort_by(|&a, &b| {
                (&claims[a].outlet, &claims[a].doc_id, claims[a].start).cmp(&(
                    &claims[b].outlet,
                    &claims[b].doc_id,
                    claims[b].start,
                ))
            });
            let sources: BTreeSet<&str> = members.iter().map(|&i| claims[i].source_key()).collect();
            let mut verdict = judge(claims, &members, tolerance);
            let mut series = Vec::new();
            let mut partial = Vec::new();
            if verdict == Verdict::Conflict {
                if let Some((v, s, p)) = rising_toll(claims, &members, tolerance) {
                    (verdict, series, partial) = (v, s, p);
                }
            }
            if sources.len() < 2 {
                verdict = Verdict::SingleSource;
            }
            let values: Vec<f64> = members.iter().map(|&i| claims[i].value).collect();
            let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
            let spread = if max.abs() > 0.0 {
                (max - min) / max.abs()
            } else {
                0.0
            };
            let mut notes = Vec::new();
            if subject_id.is_empty() {
                notes.push("no subject stated: grouped by measure within the story".to_string());
            }
            let anchors: BTreeSet<&str> = members
                .iter()
                .map(|&i| claims[i].as_of.as_deref().unwrap_or("undated"))
                .collect();
            if anchors.len() > 1 && verdict != Verdict::Updated {
                // Distinct anchors only, at most five: the note stays short in big groups.
                let shown: Vec<&str> = anchors.iter().copied().take(5).collect();
                let more = if anchors.len() > 5 { ", ..." } else { "" };
                notes.push(format!("time anchors differ: {}{more}", shown.join(", ")));
            }
            if !partial.is_empty() {
                let mut vs: Vec<f64> = partial.iter().map(|&i| claims[i].value).collect();
                vs.sort_by(f64::total_cmp);
                vs.dedup();
                let vs: Vec<String> = vs.iter().map(|v| crate::graph::format_float(*v)).collect();
                notes.push(format!(
                    "partial counts left out of the verdict: {}",
                    vs.join(", ")
                ));
            }
            let copies = members
                .iter()
                .filter(|&&i| claims[i].copy_of.is_some())
                .count();
            if copies > 0 {
                notes.push(format!(
                    "{copies} of {} claims copy another outlet's sentence",
                    members.len()
                ));
            }
            let slug = |s: &str| crate::resolve::slug(s);
            let subj_slug = if subject_id.is_empty() {
                "none".to_string()
            } else {
                slug(&subject_id)
            };
            let story_slug = story.strip_prefix("story:").unwrap_or(&story);
            out.push(Group {
                id: format!(
                    "group:{story_slug}:{subj_slug}:{}:{}",
                    slug(&mkey),
                    slug(&unit)
                ),
                story: (!story.is_empty()).then(|| story.clone()),
                subject: members
                    .iter()
                    .find_map(|&i| claims[i].subject.clone())
                    .filter(|_| !subject_id.is_empty()),
                subject_id: (!subject_id.is_empty()).then_some(subject_id),
                measure: mkey.clone(),
                kind: kind.clone(),
                unit: unit.clone(),
                members,
                verdict,
                spread,
                sources: sources.into_iter().map(String::from).collect(),
                series,
                notes,
            });
        }
    }
    // Groups split by context share a key: number them.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for g in out.iter_mut() {
        let n = seen.entry(g.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            g.id = format!("{}-{n}", g.id);
        }
    }
    out
}

/// A claim's row of the claim table; its subject id is its subject mention's entity.
pub fn claim_record(d: &crate::doc::Document, c: &crate::claims::Claim) -> ClaimRecord {
    let (start, end) = d.offsets(&c.range);
    let q = &c.quantity;
    // The subject entity, else the holder the parse named ("first officer").
    let subject_entity = c
        .subject_mention
        .and_then(|m| d.mentions[m].entity.clone())
        .or_else(|| c.holder.as_ref().map(|h| format!("holder:{h}")));
    ClaimRecord {
        claim_id: c.id.clone(),
        doc_id: d.meta.doc_id.clone(),
        outlet: d.meta.outlet.clone(),
        subject: c.subject.clone().or_else(|| c.holder.clone()),
        subject_id: subject_entity,
        measure: c.measure.clone(),
        measure_key: c.measure_key.clone(),
        measure_from_table: c.measure_from_table,
        measure_from_parse: c.measure_from_parse,
        cumulative: false,
        reads_as_update: false,
        elsewhere: None,
        dimension: c.dimension.clone(),
        story: None,
        published: d.meta.published.clone(),
        source: String::new(),
        copy_of: None,
        value: q.value,
        lower: q.lower,
        upper: q.upper,
        lower_inclusive: q.lower_inclusive,
        upper_inclusive: q.upper_inclusive,
        approximate: q.approximate,
        kind: q.kind.as_str().to_string(),
        unit: q.unit.clone(),
        currency: q.currency.clone(),
        as_of: c.as_of.clone(),
        as_of_text: c.as_of_text.clone(),
        surface: c.surface.clone(),
        sentence: d.slice(&d.sentences[c.sentence].range).to_string(),
        sentence_index: c.sentence,
        start,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(
        doc: &str,
        value: f64,
        lower: Option<(f64, bool)>,
        upper: Option<(f64, bool)>,
        approx: bool,
    ) -> ClaimRecord {
        ClaimRecord {
            claim_id: format!("c:{doc}"),
            doc_id: doc.into(),
            outlet: doc.into(),
            story: None,
            published: None,
            subject: None,
            subject_id: None,
            measure: "people".into(),
            measure_key: "people".into(),
            measure_from_table: true,
            measure_from_parse: false,
            cumulative: false,
            reads_as_update: false,
            elsewhere: None,
            dimension: None,
            source: String::new(),
            copy_of: None,
            value,
            lower: lower.map(|l| l.0),
            upper: upper.map(|u| u.0),
            lower_inclusive: lower.map(|l| l.1),
            upper_inclusive: upper.map(|u| u.1),
            approximate: approx,
            kind: "number".into(),
            unit: "count".into(),
            currency: None,
            as_of: None,
            as_of_text: None,
            surface: String::new(),
            sentence: String::new(),
            sentence_index: 0,
            start: 0,
            end: 0,
        }
    }

    #[test]
    fn interval_logic() {
        let more = interval(
            &claim("a", 2000.0, Some((2000.0, false)), None, false),
            0.02,
        );
        let some = interval(&claim("b", 2000.0, None, None, true), 0.02);
        let exact_low = interval(&claim("c", 1990.0, None, None, false), 0.02);
        let exact_2000 = interval(&claim("d", 2000.0, None, None, false), 0.02);
        assert!(overlaps(more, some));
        assert!(!overlaps(more, exact_low));
        assert!(
            !overlaps(more, exact_2000),
            "more than 2,000 excludes exactly 2,000"
        );
        let at_least = interval(&claim("e", 2000.0, Some((2000.0, true)), None, false), 0.02);
        assert!(overlaps(at_least, exact_2000));
        let nearly = interval(&claim("f", 2000.0, None, Some((2000.0, false)), true), 0.02);
        assert_eq!(nearly, (1960.0, true, 2000.0, false));
        assert!(!overlaps(nearly, exact_2000));
        let between = interval(
            &claim(
                "g",
                2500.0,
                Some((2000.0, true)),
                Some((3000.0, true)),
                false,
            ),
            0.02,
        );
        assert!(overlaps(between, exact_2000));
    }

    #[test]
    fn verdicts_and_spread() {
        let claims = vec![
            claim("a", 2000.0, Some((2000.0, false)), None, false),
            claim("b", 2000.0, None, None, true),
            claim("c", 2000.0, Some((2000.0, false)), None, false),
        ];
        let g = compare(&claims, 0.02);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].verdict, Verdict::Compatible);
        assert_eq!(g[0].spread, 0.0);
        assert!(g[0].notes[0].starts_with("no subject"));
        let claims = vec![
            claim("a", 670e6, None, None, true),
            claim("b", 668e6, None, None, false),
        ];
        let g = compare(&claims, 0.02);
        assert_eq!(g[0].verdict, Verdict::Compatible);
        assert!((g[0].spread - 0.002985).abs() < 1e-5);
        let claims = vec![
            claim("a", 670e6, None, None, false),
            claim("b", 500e6, None, None, false),
        ];
        assert_eq!(compare(&claims, 0.02)[0].verdict, Verdict::Conflict);
        let claims = vec![
            claim("a", 5.0, None, None, false),
            claim("a", 5.0, None, None, false),
        ];
        assert!(
            compare(&claims, 0.02).is_empty(),
            "one document is no comparison"
        );
    }

    #[test]
    fn measure_keys() {
        assert_eq!(
            measure_key("users", "With 670 million users, the Internet grew"),
            "internet user"
        );
        assert_eq!(measure_key("users", "The app has 5 million users"), "user");
        assert_eq!(measure_key("Internet users", ""), "internet user");
        assert_eq!(
            measure_key("countries and regions", ""),
            "country and region"
        );
        assert_eq!(measure_key("people", ""), "people");
    }

    fn dated(doc: &str, value: f64, published: &str, sentence: &str) -> ClaimRecord {
        let mut c = claim(doc, value, None, None, false);
        c.measure_key = "deaths".into();
        c.cumulative = true;
        c.published = Some(published.into());
        c.sentence = sentence.into();
        c.reads_as_update = sentence.contains("toll");
        c
    }

    #[test]
    fn a_toll_rising_by_day_is_an_update_not_a_conflict() {
        let claims = vec![
            dated("a", 40.0, "2016-07-14", "At least 40 dead, the toll says."),
            dated("b", 77.0, "2016-07-14", "The toll rose to 77."),
            dated("c", 84.0, "2016-07-15", "84 people were killed."),
            dated("d", 84.0, "2016-07-15", "84 people died."),
        ];
        let g = compare(&claims, 0.02);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].verdict, Verdict::Updated);
        let series: Vec<(&str, Vec<f64>)> = g[0]
            .series
            .iter()
            .map(|(d, v)| (d.as_str(), v.clone()))
            .collect();
        assert_eq!(
            series,
            vec![("2016-07-14", vec![40.0, 77.0]), ("2016-07-15", vec![84.0])]
        );
        // A figure that falls the next day is a conflict.
        let mut falling = claims.clone();
        falling.push(dated("e", 60.0, "2016-07-16", "60 people died."));
        assert_eq!(compare(&falling, 0.02)[0].verdict, Verdict::Conflict);
        // A lower figure that is no reading of the toll, beside the toll in its document, is
        // a partial count: left out, and the rest agree.
        let partial = vec![
            dated("a", 12.0, "2015-01-07", "12 people were killed."),
            dated(
                "a",
                10.0,
                "2015-01-07",
                "The gunmen killed 10 people in the newsroom.",
            ),
            dated("b", 12.0, "2015-01-07", "12 people died."),
        ];
        let g = compare(&partial, 0.02);
        assert_eq!(g[0].verdict, Verdict::Agree);
        assert!(g[0]
            .notes
            .iter()
            .any(|n| n.contains("partial counts left out")));
    }

    #[test]
    fn copies_are_not_confirmations_and_stories_never_mix() {
        let mut a = claim("a", 84.0, None, None, false);
        let mut b = claim("b", 84.0, None, None, false);
        a.source = "Agency".into();
        b.source = "Agency".into();
        assert_eq!(
            compare(&[a.clone(), b.clone()], 0.02)[0].verdict,
            Verdict::SingleSource
        );
        b.source = "b".into();
        assert_eq!(
            compare(&[a.clone(), b.clone()], 0.02)[0].verdict,
            Verdict::Agree
        );
        b.story = Some("story:other".into());
        assert!(
            compare(&[a, b], 0.02).is_empty(),
            "no group spans two stories"
        );
    }

    /// The wordings of one measure in one story (Russian diplomats expelled, 2018): "14 EU
    /// countries" and "14 European nations" are one key already; "countries" alone joins the
    /// more specific key unless a document states both with different figures ("18
    /// countries" against "14 EU countries" in one article); a noun alone joins the one event
    /// that names it ("two police officers" -> `deaths: police officer`).
    #[test]
    fn wordings_of_one_measure_join_unless_one_document_tells_them_apart() {
        let keyed = |doc: &str, key: &str, value: f64| {
            let mut c = claim(doc, value, None, None, false);
            c.measure_key = key.into();
            c.measure_from_table = false;
            c.measure_from_parse = true;
            c.story = Some("story:s".into());
            c
        };
        let claims = vec![
            keyed("a", "eu country", 14.0),
            keyed("a", "country", 18.0),
            keyed("b", "eu country", 14.0),
            keyed("c", "country", 18.0),
            keyed("d", "police officer", 2.0),
            keyed("e", "deaths: police officer", 2.0),
            keyed("f", "hour", 2275.0),
            keyed("g", "flight hour", 2275.0),
        ];
        let keys = joined_keys(&claims);
        assert_eq!(keys[1], "country", "told apart by document a");
        assert_eq!(keys[3], "country");
        assert_eq!(keys[4], "deaths: police officer");
        assert_eq!(keys[6], "flight hour");
        let groups = compare(&claims, 0.02);
        let measures: BTreeSet<&str> = groups.iter().map(|g| g.measure.as_str()).collect();
        assert_eq!(
            measures,
            [
                "country",
                "deaths: police officer",
                "eu country",
                "flight hour"
            ]
            .into()
        );
    }
}
