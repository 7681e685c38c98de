//! Copies are not confirmations: which agency a document credits (`data/credits.tsv`), and
//! which claims sit in a sentence copied from another outlet's earlier sentence. Both set a
//! claim's `source`, so that a comparison counts independent sources, not outlets.
use crate::compare::ClaimRecord;
use crate::doc::Document;
use crate::stories::find;
use std::collections::{BTreeMap, HashMap};

/// Credit-line patterns: (text, agency).
#[derive(Debug, Clone, Default)]
pub struct Credits {
    rules: Vec<(String, String)>,
}

/// Characters at each end of a document searched for a credit line.
const CREDIT_REACH: usize = 1500;

/// Two sentences whose word 4-grams overlap at least this much (Jaccard) are copies.
const COPY_JACCARD: f64 = 0.5;

impl Credits {
    /// Parse the TSV format of `data/credits.tsv` (`text<TAB>agency`), adding to this table.
    pub fn extend(&mut self, tsv: &str) -> Result<(), String> {
        for (i, line) in tsv.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') || line.starts_with("text\t") {
                continue;
            }
            match line.split_once('\t') {
                Some((t, a)) if !t.is_empty() && !a.trim().is_empty() => {
                    self.rules.push((t.to_string(), a.trim().to_string()))
                }
                _ => return Err(format!("line {}: expected `text<TAB>agency`", i + 1)),
            }
        }
        Ok(())
    }

    /// The shipped table.
    pub fn builtin() -> Credits {
        let mut c = Credits::default();
        let _ = c.extend(include_str!("../data/credits.tsv"));
        c
    }

    /// The shipped table plus the rows of `path` (`--credits`).
    pub fn load_with(path: &std::path::Path) -> crate::error::Result<Credits> {
        let mut c = Credits::builtin();
        let text = std::fs::read_to_string(path).map_err(|e| crate::error::Error::io(path, e))?;
        c.extend(&text)
            .map_err(|e| crate::error::Error::input(path, e))?;
        Ok(c)
    }

    /// The agency a document credits, if any: the first rule whose text stands in the first or
    /// last characters of the original file.
    pub fn credit_of(&self, doc: &Document) -> Option<String> {
        let text = &doc.text;
        let n = text.chars().count();
        let head_end = text
            .char_indices()
            .nth(CREDIT_REACH)
            .map_or(text.len(), |(b, _)| b);
        let tail_start = if n > CREDIT_REACH {
            text.char_indices()
                .nth(n - CREDIT_REACH)
                .map_or(0, |(b, _)| b)
        } else {
            0
        };
        let (head, tail) = (&text[..head_end], &text[tail_start..]);
        self.rules
            .iter()
            .find(|(t, _)| head.contains(t.as_str()) || tail.contains(t.as_str()))
            .map(|(_, a)| a.clone())
    }
}

/// Word 4-grams of a sentence, lower case (the whole sentence when it is shorter), as ids into
/// `seen` (each distinct shingle is stored once), sorted and distinct.
fn shingles(sentence: &str, seen: &mut HashMap<String, u32>) -> Vec<u32> {
    let words: Vec<String> = sentence
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let grams: Vec<String> = if words.len() < 4 {
        vec![words.join(" ")]
    } else {
        words.windows(4).map(|w| w.join(" ")).collect()
    };
    let mut ids: Vec<u32> = grams
        .into_iter()
        .map(|g| {
            let next = seen.len() as u32;
            *seen.entry(g).or_insert(next)
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Set each claim's `source` (credited agency, else outlet) and `copy_of` (the earliest claim
/// of the same story and value, from another source, whose sentence this one's copies).
/// `credits` maps doc ids to the agency their document credits.
pub fn mark(records: &mut [ClaimRecord], credits: &HashMap<String, String>) {
    for r in records.iter_mut() {
        r.source = credits
            .get(&r.doc_id)
            .cloned()
            .unwrap_or_else(|| r.outlet.clone());
        r.copy_of = None;
    }
    // Earliest first: by publication date (undated last), then doc id and position.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |r: &ClaimRecord| {
            (
                r.published.is_none(),
                r.published.clone(),
                r.doc_id.clone(),
                r.start,
            )
        };
        key(&records[a]).cmp(&key(&records[b]))
    });
    let mut seen = HashMap::new();
    let sets: Vec<Vec<u32>> = records
        .iter()
        .map(|r| shingles(&r.sentence, &mut seen))
        .collect();
    drop(seen);
    let mut rank = vec![0usize; records.len()];
    for (k, &i) in order.iter().enumerate() {
        rank[i] = k;
    }
    let mut link: Vec<usize> = (0..records.len()).collect();
    // Shingles of the claims seen so far, per story.
    let mut index: HashMap<String, HashMap<u32, Vec<usize>>> = HashMap::new();
    for &i in &order {
        let story = index
            .entry(records[i].story.clone().unwrap_or_default())
            .or_default();
        let mut overlap: BTreeMap<usize, usize> = BTreeMap::new();
        for sh in &sets[i] {
            for &j in story.get(sh).into_iter().flatten() {
                *overlap.entry(j).or_default() += 1;
            }
        }
        // The earliest claim of another outlet with the same figure in a near-identical
        // sentence.
        let copied = overlap
            .into_iter()
            .filter(|&(j, common)| {
                let union = sets[i].len() + sets[j].len() - common;
                records[j].doc_id != records[i].doc_id
                    && records[j].outlet != records[i].outlet
                    && records[j].value == records[i].value
                    && common as f64 / union.max(1) as f64 >= COPY_JACCARD
            })
            .min_by_key(|&(j, _)| rank[j]);
        if let Some((j, _)) = copied {
            records[i].copy_of = Some(records[j].claim_id.clone());
            let (ri, rj) = (find(&mut link, i), find(&mut link, j));
            // The earlier claim's root stays the root.
            link[ri] = rj;
        }
        for sh in &sets[i] {
            story.entry(*sh).or_default().push(i);
        }
    }
    // Claims joined by copies share one source: an agency one of them credits, else the
    // earliest claim's.
    let mut source_of: HashMap<usize, String> = HashMap::new();
    for &i in &order {
        let r = find(&mut link, i);
        let credited = records[i].source != records[i].outlet;
        let s = source_of
            .entry(r)
            .or_insert_with(|| records[i].source.clone());
        if credited && *s == records[r].outlet {
            *s = records[i].source.clone();
        }
    }
    for (i, rec) in records.iter_mut().enumerate() {
        let r = find(&mut link, i);
        if let Some(s) = source_of.get(&r) {
            rec.source = s.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, doc: &str, outlet: &str, published: &str, sentence: &str) -> ClaimRecord {
        ClaimRecord {
            claim_id: id.into(),
            doc_id: doc.into(),
            outlet: outlet.into(),
            story: Some("story:x".into()),
            published: Some(published.into()),
            subject: None,
            subject_id: None,
            measure: "people".into(),
            measure_key: "deaths".into(),
            measure_from_table: true,
            measure_from_parse: false,
            cumulative: true,
            reads_as_update: false,
            elsewhere: None,
            dimension: None,
            value: 84.0,
            lower: None,
            upper: None,
            lower_inclusive: None,
            upper_inclusive: None,
            approximate: false,
            kind: "number".into(),
            unit: "count".into(),
            currency: None,
            as_of: None,
            as_of_text: None,
            source: String::new(),
            copy_of: None,
            surface: String::new(),
            sentence: sentence.into(),
            sentence_index: 0,
            start: 0,
            end: 0,
        }
    }

    #[test]
    fn a_copied_sentence_counts_as_its_source() {
        let s =
            "At least 84 people were killed when a truck drove into a crowd in Nice on Thursday.";
        let mut rs = vec![
            rec("c2", "b.txt", "Daily B", "2016-07-15", s),
            rec("c1", "a.txt", "Wire A", "2016-07-14", s),
            rec(
                "c3",
                "c.txt",
                "Paper C",
                "2016-07-15",
                "Officials said 84 people died in the attack.",
            ),
        ];
        let credits: HashMap<String, String> = [("a.txt".to_string(), "Agency".to_string())]
            .into_iter()
            .collect();
        mark(&mut rs, &credits);
        assert_eq!(rs[1].source, "Agency");
        assert_eq!(rs[0].copy_of.as_deref(), Some("c1"));
        assert_eq!(rs[0].source, "Agency");
        assert_eq!(
            (rs[2].copy_of.as_deref(), rs[2].source.as_str()),
            (None, "Paper C")
        );
        // A copy credited to an agency makes the agency the source of the copied claim too.
        let mut rs = vec![
            rec("c1", "a.txt", "Paper A", "2016-07-14", s),
            rec("c2", "b.txt", "Paper B", "2016-07-15", s),
        ];
        let credits: HashMap<String, String> = [("b.txt".to_string(), "Agency".to_string())]
            .into_iter()
            .collect();
        mark(&mut rs, &credits);
        assert_eq!(
            (rs[0].source.as_str(), rs[1].source.as_str()),
            ("Agency", "Agency")
        );
    }
}
