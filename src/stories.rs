//! Stories: the documents that report one real-world event. Figures are compared only within a
//! story, since a corpus holds many events.
//!
//! Documents are TF-IDF vectors of their content words and the resolved entities they mention
//! (entities weigh double); words of table rows (wire earnings and market tables: "Shr 20 cts
//! vs 15 cts") are left out, since a table is not an event. Candidate pairs come from an
//! inverted index over each document's most distinctive features, so the work grows with the
//! corpus, not its square; a pair counts when its cosine is at least `threshold` and its
//! documents were published within `window_days` of each other.
//!
//! Stories are then grown by average linkage over those pairs ([`cluster`]): the two closest
//! stories merge while the mean cosine of all their cross pairs is at least `threshold` and
//! the merged story spans at most `window_days` of publication dates. A story therefore never
//! chains through common names ("United States", "Japan") the way connected pairs did: a
//! document joins a story only when it is close to the story as a whole. A `story` given in the
//! manifest or a JSONL line puts a document in that story and no other.
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

impl Story {
    /// The days from the first to the last publication date, both counted (1 for a story of
    /// one day), when both are full dates.
    pub fn days(&self) -> Option<i64> {
        let first = day_number(self.first.as_deref()?)?;
        let last = day_number(self.last.as_deref()?)?;
        Some(last - first + 1)
    }
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
    // Prose lines: not rows of a table, nor the notes under one ("NOTE: 1986 net excludes a
    // gain of..." and every line after it).
    let (mut has_table, mut after_figures, mut in_notes) = (false, false, false);
    let mut prose: Vec<&str> = Vec::new();
    for l in d.view.text.lines().filter(|l| !l.trim().is_empty()) {
        if is_table_row(l) {
            has_table = true;
            // A row of figures (a label line such as "Nine mths" inside the table keeps it).
            after_figures |= l.chars().any(|c| c.is_ascii_digit());
        } else {
            // The notes start right under the table ("Chen: ..." further down a live blog
            // is a quote, not a note).
            in_notes |= after_figures && is_footnote(l);
            after_figures = false;
            if !in_notes {
                prose.push(l);
            }
        }
    }
    let prose_words: usize = prose.iter().map(|l| l.split_whitespace().count()).sum();
    if has_table && prose_words < MIN_PROSE_WORDS {
        // A table with a caption (an earnings report, a dividend notice) is no event of its
        // own: such a document stays a story by itself.
        return Vec::new();
    }
    for line in prose {
        for w in line
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        {
            add(w.to_lowercase());
        }
    }
    // Names found inside table rows ("Oper", "Avg" read as names in an earnings table) are
    // table words too.
    let mut tables: Vec<std::ops::Range<usize>> = Vec::new();
    let mut at = 0;
    for line in d.view.text.split_inclusive('\n') {
        if is_table_row(line) {
            tables.push(at..at + line.len());
        }
        at += line.len();
    }
    for m in &d.mentions {
        if tables.iter().any(|t| t.contains(&m.range.start)) {
            continue;
        }
        if let Some(e) = &m.entity {
            add(format!("\u{1}{e}"));
        }
    }
    f.into_iter().collect()
}

/// The first line of the notes under a table: one word of letters as its label, then a colon
/// ("NOTE: ...", "Note:", "X: ..."); read as such only right under a row of figures.
fn is_footnote(line: &str) -> bool {
    line.trim_start().split_once(':').is_some_and(|(label, _)| {
        let label = label.trim_end();
        (1..=10).contains(&label.chars().count()) && label.chars().all(char::is_alphabetic)
    })
}

/// Words of prose (outside table rows) a document with a table needs to be linked to others;
/// a short report without a table is linked as any other.
const MIN_PROSE_WORDS: usize = 20;

/// A row of a table rather than a sentence: a short line (at most 12 words) with two or more
/// numbers that make at least a third of its words, or that sets figures against each other
/// with "vs" ("Shr 20 cts vs 15 cts", "Revs 12.3 mln vs 10.1 mln", "Oper net 1,234 vs 987");
/// or a label line of at most four words that does not end a sentence ("Nine mths", "Pay
/// April 1").
pub fn is_table_row(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() || words.len() > 12 {
        return false;
    }
    if words.len() <= 4 && !line.trim_end().ends_with(['.', '!', '?', '"', '\u{201d}']) {
        return true;
    }
    let numbers = words
        .iter()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()) && !w.chars().any(char::is_alphabetic))
        .count();
    numbers >= 2
        && (numbers * 3 >= words.len() || words.iter().any(|w| w.eq_ignore_ascii_case("vs")))
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

/// Average-linkage clustering over candidate `links` (pairs of document indices): returns a
/// union-find forest whose roots are the stories. Two stories merge, closest first, while the
/// mean cosine over all their cross pairs (computed exactly from the stories' summed vectors,
/// since the vectors are unit length) is at least `opts.threshold` and the merged story spans
/// at most `opts.window_days` days of known dates. Ties break by the smaller story index, so
/// the result depends on neither thread count nor input order.
fn cluster(
    vectors: &[Vector],
    days: &[Option<i64>],
    links: &[(usize, usize)],
    opts: StoryOptions,
) -> Vec<usize> {
    struct Group {
        size: usize,
        sum: Vector,
        span: Option<(i64, i64)>,
        version: u32,
        alive: bool,
        neighbours: BTreeSet<usize>,
    }
    #[derive(PartialEq)]
    struct Candidate(f64, usize, usize, u32, u32);
    impl Eq for Candidate {}
    impl PartialOrd for Candidate {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Candidate {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            // Highest similarity first, then the smallest indices.
            self.0
                .total_cmp(&o.0)
                .then(o.1.cmp(&self.1))
                .then(o.2.cmp(&self.2))
        }
    }
    let n = vectors.len();
    let mut groups: Vec<Group> = (0..n)
        .map(|i| Group {
            size: 1,
            sum: vectors[i].clone(),
            span: days[i].map(|d| (d, d)),
            version: 0,
            alive: true,
            neighbours: BTreeSet::new(),
        })
        .collect();
    for &(a, b) in links {
        groups[a].neighbours.insert(b);
        groups[b].neighbours.insert(a);
    }
    let mean = |g: &[Group], a: usize, b: usize| {
        cosine(&g[a].sum, &g[b].sum) / (g[a].size * g[b].size) as f64
    };
    let mut heap = std::collections::BinaryHeap::new();
    for &(a, b) in links {
        heap.push(Candidate(mean(&groups, a, b), a.min(b), a.max(b), 0, 0));
    }
    let mut parent: Vec<usize> = (0..n).collect();
    while let Some(Candidate(sim, a, b, va, vb)) = heap.pop() {
        if sim < opts.threshold {
            break;
        }
        if !groups[a].alive
            || !groups[b].alive
            || groups[a].version != va
            || groups[b].version != vb
        {
            continue;
        }
        let span = match (groups[a].span, groups[b].span) {
            (Some((x0, x1)), Some((y0, y1))) => Some((x0.min(y0), x1.max(y1))),
            (s, None) | (None, s) => s,
        };
        if span.is_some_and(|(lo, hi)| hi - lo > opts.window_days) {
            continue;
        }
        // b joins a.
        let gb = std::mem::replace(
            &mut groups[b],
            Group {
                size: 0,
                sum: Vec::new(),
                span: None,
                version: 0,
                alive: false,
                neighbours: BTreeSet::new(),
            },
        );
        parent[b] = a;
        let ga = &mut groups[a];
        ga.sum = add(&ga.sum, &gb.sum);
        ga.size += gb.size;
        ga.span = span;
        ga.version += 1;
        ga.neighbours.extend(gb.neighbours);
        ga.neighbours.remove(&a);
        ga.neighbours.remove(&b);
        let around: Vec<usize> = ga.neighbours.iter().copied().collect();
        for c in around {
            let gc = &mut groups[c];
            gc.neighbours.remove(&b);
            gc.neighbours.insert(a);
            let (x, y) = (a.min(c), a.max(c));
            let sim = mean(&groups, a, c);
            heap.push(Candidate(sim, x, y, groups[x].version, groups[y].version));
        }
    }
    parent
}

/// The sum of two sparse vectors.
fn add(a: &Vector, b: &Vector) -> Vector {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                out.push((x.0, x.1 + y.1));
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                out.push(*x);
                i += 1;
            }
            (Some(x), None) => {
                out.push(*x);
                i += 1;
            }
            (_, Some(y)) => {
                out.push(*y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
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

/// Documents in a found story beyond which `run.json` warns that it is more than a reader can
/// check (a real event rarely has more reports in a week; a bigger story is likely a mix).
pub const LARGE_STORY: usize = 300;

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
    let links: Vec<(usize, usize)> = pairs
        .into_iter()
        .filter(|&(a, b)| {
            let near = match (days[a], days[b]) {
                (Some(x), Some(y)) => (x - y).abs() <= opts.window_days,
                _ => true,
            };
            near && cosine(&vectors[a], &vectors[b]) >= opts.threshold
        })
        .collect();
    let mut parent = cluster(&vectors, &days, &links, opts);
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

    fn doc(id: &str, day: &str, text: &str) -> Document {
        let mut d = Document::new(
            crate::doc::DocMeta {
                doc_id: id.into(),
                published: Some(day.into()),
                ..Default::default()
            },
            text.into(),
            crate::doc::View::identity(text),
        );
        d.sentences = crate::segment::split(text);
        d
    }

    fn story_sets(docs: &[Document], days: i64) -> Vec<Vec<String>> {
        let opts = StoryOptions {
            window_days: days,
            ..Default::default()
        };
        let mut out: Vec<Vec<String>> = find_stories(docs, &HashMap::new(), opts)
            .into_iter()
            .map(|s| {
                s.docs
                    .iter()
                    .map(|&i| docs[i].meta.doc_id.clone())
                    .collect()
            })
            .collect();
        out.sort();
        out
    }

    /// `w` ten times: enough prose to be linked.
    fn words(w: &str) -> String {
        [w; 10].join(" ")
    }

    #[test]
    fn stories_do_not_chain_through_shared_words() {
        // a shares words with b, b with c, c with d; a and d share nothing of their own.
        let docs = vec![
            doc(
                "a",
                "2020-01-01",
                &format!("{} {}", words("harbour"), words("ferry")),
            ),
            doc(
                "b",
                "2020-01-01",
                &format!("{} {}", words("ferry"), words("strike")),
            ),
            doc(
                "c",
                "2020-01-01",
                &format!("{} {}", words("strike"), words("airport")),
            ),
            doc(
                "d",
                "2020-01-01",
                &format!("{} {}", words("airport"), words("snowfall")),
            ),
        ];
        let sets = story_sets(&docs, 7);
        assert!(
            sets.iter().all(|s| s.len() < 4),
            "a chain of pairs is not one story: {sets:?}"
        );
    }

    #[test]
    fn a_story_spans_at_most_the_window() {
        // The same event reported every day for ten days: no story spans more than 3 days.
        let docs: Vec<Document> = (1..=10)
            .map(|d| {
                doc(
                    &format!("d{d:02}"),
                    &format!("2020-01-{d:02}"),
                    &words("eruption volcano lava"),
                )
            })
            .collect();
        let sets = story_sets(&docs, 3);
        for s in &sets {
            let days: Vec<i64> = s.iter().map(|id| id[1..].parse::<i64>().unwrap()).collect();
            assert!(
                days.iter().max().unwrap() - days.iter().min().unwrap() <= 3,
                "{sets:?}"
            );
        }
        assert!(sets.iter().any(|s| s.len() > 1), "{sets:?}");
    }

    #[test]
    fn wire_tables_are_not_events() {
        assert!(is_table_row("Shr 20 cts vs 15 cts"));
        assert!(is_table_row("Revs 112.7 mln vs 93.8 mln"));
        assert!(is_table_row("Nine mths"));
        assert!(is_table_row("Pay April 1"));
        assert!(!is_table_row(
            "The company said net income rose 12 pct in 1986 to 3.1 mln dlrs."
        ));
        // Two earnings reports of different companies share only their table words: each is a
        // story of its own.
        let table = "Shr 28 cts vs 14 cts\nNet 3,110,000 vs 1,286,000\nRevs 112.7 mln vs 93.8 mln\nAvg shrs 11.2 mln vs 9,148,000\nNine mths\nShr 58 cts vs 15 cts\nNet 6,377,000 vs 1,332,000\n";
        let docs = vec![
            doc(
                "x",
                "1987-10-19",
                &format!("{table}NOTE: Company owned by Primerica Corp."),
            ),
            doc(
                "y",
                "1987-10-19",
                &format!("{table}NOTE: Company owned by Acme Holdings."),
            ),
        ];
        assert_eq!(
            story_sets(&docs, 7),
            vec![vec!["x".to_string()], vec!["y".to_string()]]
        );
    }

    #[test]
    fn the_footnotes_of_a_table_are_the_table() {
        // Reuters earnings reports of 1987-03-19 (Belvedere, Western Tele-Communications): the
        // notes under the tables share their wording, not an event.
        let a = "Oper shr loss 21 cts vs loss 95 cts\nOper net loss 666,000 vs loss 2,184,000\nAvg shrs 3,181,805 vs 2,310,200\nYear\nNOTE: Net excludes realized investment gains of 666,000 dlrs vs 289,000 dlrs in quarter and 2,274,000 dlrs vs 1,468,000 dlrs in year, and losses from discontinued operations.";
        let b = "Oper shr 31 cts vs 34 cts\nOper net 3,005,000 vs 2,835,000\nRevs 13.1 mln vs 9,478,000\nYear\nNote: Oper net excludes loss from discontinued operations of 726,000 dlrs vs gain of 737,000 dlrs for qtr and realized investment gains of 581,000 dlrs vs 2,350,000 dlrs for year.\nResults restated for discontinued operations and realized investment gains.";
        assert!(is_footnote("NOTE: Net excludes realized investment gains"));
        assert!(!is_footnote(
            "Shares rose 10 pct: the biggest gain this year."
        ));
        let docs = vec![doc("x", "1987-03-19", a), doc("y", "1987-03-19", b)];
        assert_eq!(
            story_sets(&docs, 7),
            vec![vec!["x".to_string()], vec!["y".to_string()]]
        );
        // A live blog's "Update 2110 BST (1610 EST)" is a row of figures, but a quote further
        // down ("Chen: ...") is prose, not a note.
        let blog = doc(
            "z",
            "2016-07-14",
            "Update 2110 BST (1610 EST)\nThe attack killed dozens of people on the promenade tonight, officials said.\nChen: We can call this terrorism if we call drone strikes terrorism.",
        );
        let mut vocab = HashMap::new();
        assert!(!features(&blog, &mut vocab).is_empty());
        assert!(vocab.contains_key("drone"), "{vocab:?}");
        // The same notes under no table are prose, and link the two.
        let strip = |t: &str| t.lines().skip(4).collect::<Vec<_>>().join("\n");
        let docs = vec![
            doc("x", "1987-03-19", &strip(a)),
            doc("y", "1987-03-19", &strip(b)),
        ];
        assert_eq!(story_sets(&docs, 7).len(), 1);
    }

    #[test]
    fn names_read_in_table_rows_do_not_link_documents() {
        // Two reports of different companies whose only common ground is a table word the
        // model took for a name ("Oper"): two stories.
        let table = "Oper shr 20 cts vs 15 cts\n".repeat(5);
        let mut docs: Vec<Document> = [
            ("x", "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango."),
            ("y", "umbrella violin whiskey xylophone yankee zulu anchor bottle candle dagger easel falcon garnet harbor igloo jacket kettle lantern marble nectar."),
        ]
        .iter()
        .map(|(id, prose)| doc(id, "1987-03-02", &format!("{prose}\n{table}")))
        .collect();
        for d in &mut docs {
            let text = d.view.text.clone();
            for (at, _) in text.match_indices("Oper") {
                d.mentions.push(crate::doc::Mention {
                    range: at..at + 4,
                    sentence: 0,
                    etype: crate::doc::EntityType::Organization,
                    score: 1.0,
                    entity: Some("org:oper".into()),
                    surface: None,
                });
            }
        }
        assert_eq!(
            story_sets(&docs, 7),
            vec![vec!["x".to_string()], vec!["y".to_string()]]
        );
    }
}
