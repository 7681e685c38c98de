//! Stories: the documents that report one real-world event. Figures are compared only within a
//! story, since a corpus holds many events.
//!
//! Two documents are linked when they were published within `window_days` of each other (when
//! both dates are known) and their TF-IDF vectors are close: content words and the resolved
//! entities they mention (entities weigh double), cosine at least `threshold`. Stories are the
//! connected groups of linked documents. Candidate pairs come from an inverted index over each
//! document's most distinctive features, so the work grows with the corpus, not its square. A
//! `story` given in the manifest or a JSONL line puts a document in that story and no other.
//!
//! Deterministic: documents are taken in doc-id order, ties broken by id, and the result does
//! not depend on thread count or file order.
use crate::doc::{Document, EntityType, Mention};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How stories are found.
#[derive(Debug, Clone, Copy)]
pub struct StoryOptions {
    /// Most days between the publication dates of two linked documents.
    pub window_days: i64,
    /// Least cosine similarity of two linked documents.
    pub threshold: f64,
}

impl Default for StoryOptions {
    fn default() -> Self {
        StoryOptions {
            window_days: 7,
            threshold: 0.2,
        }
    }
}

/// One story.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// `story:` and a slug of the label.
    pub id: String,
    /// The entities most documents of the story mention (or the first title).
    pub label: String,
    /// Indices into the document list, in doc-id order.
    pub docs: Vec<usize>,
    /// Earliest and latest publication date (`YYYY-MM-DD`), when known.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Outlets, sorted.
    pub outlets: Vec<String>,
    /// Set by a `story` field rather than found.
    pub given: bool,
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (civil calendar).
fn day_number(iso: &str) -> Option<i64> {
    let d = crate::claims::parse_iso_date(iso)?;
    let (y, m, day) = (d.year as i64, d.month? as i64, d.day? as i64);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The first and last day (days since 1970-01-01) a `YYYY-MM-DD`, `YYYY-MM` or `YYYY` date
/// covers.
pub fn date_range(iso: &str) -> Option<(i64, i64)> {
    let d = crate::claims::parse_iso_date(iso)?;
    let day = |y: i32, m: u32, dd: u32| day_number(&format!("{y:04}-{m:02}-{dd:02}"));
    match (d.month, d.day) {
        (Some(m), Some(dd)) => day(d.year, m, dd).map(|x| (x, x)),
        (Some(m), None) => {
            let first = day(d.year, m, 1)?;
            let next = if m == 12 {
                day(d.year + 1, 1, 1)?
            } else {
                day(d.year, m + 1, 1)?
            };
            Some((first, next - 1))
        }
        _ => Some((day(d.year, 1, 1)?, day(d.year, 12, 31)?)),
    }
}

/// Sparse, L2-normalised feature vector, sorted by feature index.
type Vector = Vec<(u32, f64)>;

/// Content words (4+ letters, lower-cased) and resolved entities (prefixed with U+0001) of a
/// document, counted, as ids into `vocab` (each feature string is stored once).
fn features(d: &Document, vocab: &mut HashMap<String, u32>) -> Vec<(u32, f64)> {
    let mut f: HashMap<u32, f64> = HashMap::new();
    let mut add = |key: String| {
        let next = vocab.len() as u32;
        let id = *vocab.entry(key).or_insert(next);
        *f.entry(id).or_default() += 1.0;
    };
    for w in d
        .view
        .text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
    {
        add(w.to_lowercase());
    }
    for m in &d.mentions {
        if let Some(e) = &m.entity {
            add(format!("\u{1}{e}"));
        }
    }
    f.into_iter().collect()
}

fn cosine(a: &Vector, b: &Vector) -> f64 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// The root of `x` in a union-find forest, compressing the path.
pub(crate) fn find(parent: &mut [usize], x: usize) -> usize {
    let mut r = x;
    while parent[r] != r {
        r = parent[r];
    }
    let mut x = x;
    while parent[x] != r {
        let next = parent[x];
        parent[x] = r;
        x = next;
    }
    r
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // The smaller root wins, so the result does not depend on the order of unions.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi] = lo;
    }
}

/// Features per document used to find candidate pairs.
const TOP_FEATURES: usize = 20;
/// Documents sharing a feature that are all paired with each other, at most.
const FULL_LIST: usize = 16;
/// In a longer list, how many next documents each one is paired with.
const LONG_LIST_REACH: usize = 8;

/// Group `docs` into stories. `names` maps entity ids to display names (for labels).
pub fn find_stories(
    docs: &[Document],
    names: &HashMap<&str, &str>,
    opts: StoryOptions,
) -> Vec<Story> {
    let n = docs.len();
    // Work in doc-id order whatever order the documents come in.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| docs[a].meta.doc_id.cmp(&docs[b].meta.doc_id));
    let mut vocab: HashMap<String, u32> = HashMap::new();
    let raw: Vec<Vec<(u32, f64)>> = order
        .iter()
        .map(|&i| features(&docs[i], &mut vocab))
        .collect();
    let mut df = vec![0usize; vocab.len()];
    for f in &raw {
        for (k, _) in f {
            df[*k as usize] += 1;
        }
    }
    // Feature index = rank of the feature string, so ties break the same way whatever order
    // the features were met in.
    let mut keys: Vec<(&str, u32)> = vocab.iter().map(|(k, &i)| (k.as_str(), i)).collect();
    keys.sort_unstable();
    let mut rank = vec![0u32; keys.len()];
    let mut entity = vec![false; keys.len()];
    for (r, (k, i)) in keys.iter().enumerate() {
        rank[*i as usize] = r as u32;
        entity[*i as usize] = k.starts_with('\u{1}');
    }
    drop(keys);
    drop(vocab);
    let idf = |k: u32| ((n as f64 + 1.0) / (df[k as usize] as f64 + 1.0)).ln() + 1.0;
    let vectors: Vec<Vector> = raw
        .into_iter()
        .map(|f| {
            let mut v: Vector = f
                .into_iter()
                .map(|(k, c)| {
                    let w = (1.0 + c.ln()) * idf(k) * if entity[k as usize] { 2.0 } else { 1.0 };
                    (rank[k as usize], w)
                })
                .collect();
            v.sort_unstable_by_key(|&(k, _)| k);
            let norm = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt().max(1e-12);
            v.iter_mut().for_each(|(_, w)| *w /= norm);
            v
        })
        .collect();
    let days: Vec<Option<i64>> = order
        .iter()
        .map(|&i| docs[i].meta.published.as_deref().and_then(day_number))
        .collect();
    let given: Vec<Option<&str>> = order
        .iter()
        .map(|&i| docs[i].meta.story.as_deref())
        .collect();

    // Candidate pairs: documents that share one of their most distinctive features.
    let mut postings: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, v) in vectors.iter().enumerate() {
        if given[i].is_some() {
            continue;
        }
        let mut top: Vec<&(u32, f64)> = v.iter().collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for (k, _) in top.into_iter().take(TOP_FEATURES) {
            postings.entry(*k).or_default().push(i);
        }
    }
    // Pairs within a short list; a long list (a feature many documents share) pairs each
    // document only with its next few in doc-id order, so pairs grow with the corpus, not its
    // square. A feature half the corpus shares is no evidence of one event.
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for list in postings.values() {
        if list.len() < 2 || (n >= 20 && list.len() * 2 > n) {
            continue;
        }
        let reach = if list.len() <= FULL_LIST {
            list.len()
        } else {
            LONG_LIST_REACH
        };
        for a in 0..list.len() {
            for b in a + 1..list.len().min(a + 1 + reach) {
                pairs.insert((list[a], list[b]));
            }
        }
    }
    let mut parent: Vec<usize> = (0..n).collect();
    for (a, b) in pairs {
        if let (Some(x), Some(y)) = (days[a], days[b]) {
            if (x - y).abs() > opts.window_days {
                continue;
            }
        }
        if cosine(&vectors[a], &vectors[b]) >= opts.threshold {
            union(&mut parent, a, b);
        }
    }
    // Given stories: one per value.
    let mut by_given: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, g) in given.iter().enumerate() {
        if let Some(s) = *g {
            let first = *by_given.entry(s).or_insert(i);
            union(&mut parent, first, i);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        groups.entry(find(&mut parent, i)).or_default().push(i);
    }
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for members in groups.into_values() {
        let idx: Vec<usize> = members.iter().map(|&m| order[m]).collect();
        let given_name = given[members[0]];
        let label = match given_name {
            Some(s) => s.to_string(),
            None => label(docs, &idx, names),
        };
        let base = format!(
            "story:{}",
            crate::resolve::slug(&label)
                .chars()
                .take(60)
                .collect::<String>()
        );
        // Stories with the same label are numbered in order: `story:x`, `story:x-2`...
        let count = used.entry(base.clone()).or_insert(0);
        *count += 1;
        let id = if *count == 1 {
            base
        } else {
            format!("{base}-{count}")
        };
        let dates: BTreeSet<&str> = idx
            .iter()
            .filter_map(|&i| docs[i].meta.published.as_deref())
            .collect();
        let outlets: BTreeSet<String> = idx.iter().map(|&i| docs[i].meta.outlet.clone()).collect();
        out.push(Story {
            id,
            label,
            docs: idx,
            first: dates.first().map(|s| s.to_string()),
            last: dates.last().map(|s| s.to_string()),
            outlets: outlets.into_iter().collect(),
            given: given_name.is_some(),
        });
    }
    out
}

/// The three entities most documents of the story mention, by document count, then mention
/// count, then name; the first title when there are none.
fn label(docs: &[Document], idx: &[usize], names: &HashMap<&str, &str>) -> String {
    let mut count: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for &i in idx {
        let mut seen = BTreeSet::new();
        for m in &docs[i].mentions {
            if let Some(e) = m.entity.as_deref() {
                let c = count.entry(e).or_default();
                c.1 += 1;
                if seen.insert(e) {
                    c.0 += 1;
                }
            }
        }
    }
    let mut ranked: Vec<(&str, (usize, usize))> = count.into_iter().collect();
    ranked.sort_by(|a, b| (b.1).cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<&str> = ranked
        .iter()
        .take(3)
        .map(|(e, _)| names.get(e).copied().unwrap_or(e))
        .collect();
    if top.is_empty() {
        idx.first()
            .map(|&i| {
                docs[i]
                    .meta
                    .title
                    .clone()
                    .unwrap_or_else(|| docs[i].meta.doc_id.clone())
            })
            .unwrap_or_else(|| "untitled".into())
    } else {
        top.join(" / ")
    }
}

/// Mark the claims that are about another event than their story's: their sentence dates them
/// before the story's days (MH370 "in March" in a December story; a death toll "in 1981"), or names only places that
/// no other document of the story names and its own document names nowhere else ("308 people
/// died in Baghdad" in a live blog of the Nice attack).
pub fn mark_elsewhere(
    records: &mut [crate::compare::ClaimRecord],
    docs: &[Document],
    list: &[Story],
    window: i64,
) {
    let by_id: HashMap<&str, &Document> =
        docs.iter().map(|d| (d.meta.doc_id.as_str(), d)).collect();
    let mut places: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    // The first day of each story: a claim dated before it (less the window) is another event's.
    let mut first_day: HashMap<&str, i64> = HashMap::new();
    for s in list {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &s.docs {
            let named: BTreeSet<&str> = docs[i]
                .mentions
                .iter()
                .filter(|m| m.etype == EntityType::Location)
                .filter_map(|m| m.entity.as_deref())
                .collect();
            for e in named {
                *count.entry(e).or_default() += 1;
            }
        }
        // The story's places: named by more than half of its documents.
        let min_docs = (s.docs.len() / 2 + 1).max(1);
        places.insert(
            s.id.as_str(),
            count
                .into_iter()
                .filter(|&(_, n)| n >= min_docs)
                .map(|(e, _)| e)
                .collect(),
        );
        if let Some((day, _)) = s.first.as_deref().and_then(date_range) {
            first_day.insert(s.id.as_str(), day);
        }
    }
    for r in records.iter_mut() {
        let Some(story) = r.story.as_deref() else {
            continue;
        };
        if let (Some(range), Some(&first)) = (
            r.as_of.as_deref().and_then(date_range),
            first_day.get(story),
        ) {
            // Only the past: "by 2030" is a target. A bare year is a statistic's period ("12
            // million containers in 2023") unless the figure is an event's (a toll "in 1981").
            let before = range.1 < first - window;
            let precise = r.as_of.as_deref().is_some_and(|a| a.len() >= 7);
            if before && (precise || r.measure_from_table) {
                r.elsewhere = Some(format!(
                    "dated {} in its sentence, outside the story's days",
                    r.as_of.as_deref().unwrap_or_default()
                ));
                continue;
            }
        }
        let (Some(d), Some(known)) = (by_id.get(r.doc_id.as_str()), places.get(story)) else {
            continue;
        };
        // Places the sentence sets something in: "in Baghdad", not "officials from Russia".
        let located = |m: &&Mention| {
            let before = d.view.text[..m.range.start].trim_end();
            let last = before
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_lowercase();
            matches!(last.as_str(), "in" | "at" | "near" | "outside")
        };
        let placed: Vec<&Mention> = d
            .mentions
            .iter()
            .filter(|m| m.sentence == r.sentence_index && m.etype == EntityType::Location)
            .filter(located)
            .collect();
        let named: BTreeSet<&str> = placed.iter().filter_map(|m| m.entity.as_deref()).collect();
        // A passing reference: the places are not the story's, and the document names them
        // nowhere else.
        let elsewhere_in_doc = d.mentions.iter().any(|m| {
            m.sentence != r.sentence_index && m.entity.as_deref().is_some_and(|e| named.contains(e))
        });
        if !named.is_empty() && named.is_disjoint(known) && !elsewhere_in_doc {
            let names: Vec<&str> = placed.iter().map(|m| d.slice(&m.range)).collect();
            r.elsewhere = Some(format!(
                "its sentence names only places the story's other documents do not: {}",
                names.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(
            day_number("2015-03-24").unwrap() - day_number("2015-02-24").unwrap(),
            28
        );
        assert_eq!(
            day_number("2016-03-01").unwrap() - day_number("2016-02-28").unwrap(),
            2
        );
        assert_eq!(day_number("2015-03"), None);
    }
}
