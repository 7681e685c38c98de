//! Cross-outlet comparison of numeric claims: grouping and verdicts.
//!
//! **Grouping.** Claims from different documents fall in one group when they have the same
//! subject entity (after resolution), the same measure key, and the same kind and unit. The
//! measure key lower-cases and singularises each word (`countries and regions` -> `country and
//! region`); a bare generic audience noun (`users`, `subscribers`, `netizens`) becomes `internet
//! user` when its sentence mentions the Internet, so `670 million users ... in China` meets
//! `668 million Internet users`. Claims without a subject group only with other subject-less
//! claims of the same measure in the corpus (one run is taken as one event corpus), and the group
//! says so. Only groups with claims from at least two documents are compared.
//!
//! **Verdicts.** Each claim reads as an interval: an exact figure is a point; `more than 2,000`
//! is (2000, inf); `around 670 million` is 670 million +/- the tolerance (default 2 %); `nearly
//! 2,000` is [1960, 2000). A group *agrees* when all readings are identical, is *compatible* when
//! every pair of intervals overlaps, and *conflicts* otherwise. The spread is (max - min) / max
//! of the point values. Groups whose time anchors differ are annotated, not split.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One claim as written to `claims.jsonl` (and read back by `newsgraph compare`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClaimRecord {
    pub claim_id: String,
    pub doc_id: String,
    pub outlet: String,
    pub subject: Option<String>,
    pub subject_id: Option<String>,
    pub measure: String,
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
    pub surface: String,
    pub sentence: String,
    pub sentence_index: usize,
    pub start: usize,
    pub end: usize,
}

/// How the claims of a group relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Agree,
    Compatible,
    Conflict,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::Compatible => "compatible",
            Verdict::Conflict => "conflict",
        }
    }
}

/// A group of comparable claims.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub subject: Option<String>,
    pub subject_id: Option<String>,
    pub measure: String,
    pub kind: String,
    pub unit: String,
    /// Indices into the claim list, sorted by (outlet, doc_id, start).
    pub members: Vec<usize>,
    pub verdict: Verdict,
    pub spread: f64,
    pub notes: Vec<String>,
}

fn singular(w: &str) -> String {
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

/// Group and judge claims.
pub fn compare(claims: &[ClaimRecord], tolerance: f64) -> Vec<Group> {
    let mut buckets: BTreeMap<(String, String, String, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        let key = (
            c.subject_id.clone().unwrap_or_default(),
            measure_key(&c.measure, &c.sentence),
            c.kind.clone(),
            c.unit.clone(),
        );
        buckets.entry(key).or_default().push(i);
    }
    let mut out = Vec::new();
    for ((subject_id, mkey, kind, unit), mut members) in buckets {
        let docs: std::collections::BTreeSet<&str> =
            members.iter().map(|&i| claims[i].doc_id.as_str()).collect();
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
        let first = &claims[members[0]];
        let all_same = members.iter().all(|&i| same_reading(&claims[i], first));
        let all_overlap = members.iter().enumerate().all(|(k, &i)| {
            members[k + 1..].iter().all(|&j| {
                overlaps(
                    interval(&claims[i], tolerance),
                    interval(&claims[j], tolerance),
                )
            })
        });
        let verdict = if all_same {
            Verdict::Agree
        } else if all_overlap {
            Verdict::Compatible
        } else {
            Verdict::Conflict
        };
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
            notes.push("no subject stated: grouped by measure across the corpus".to_string());
        }
        let anchors: std::collections::BTreeSet<String> = members
            .iter()
            .map(|&i| claims[i].as_of.clone().unwrap_or_else(|| "undated".into()))
            .collect();
        if anchors.len() > 1 {
            let detail: Vec<String> = members
                .iter()
                .map(|&i| {
                    format!(
                        "{} ({})",
                        claims[i].as_of.as_deref().unwrap_or("undated"),
                        claims[i].outlet
                    )
                })
                .collect();
            notes.push(format!("time anchors differ: {}", detail.join(", ")));
        }
        let subj_slug = if subject_id.is_empty() {
            "none".to_string()
        } else {
            subject_id.replace(':', "-")
        };
        out.push(Group {
            id: format!(
                "group:{}:{}:{}",
                subj_slug,
                crate::resolve::slug(&mkey),
                crate::resolve::slug(&unit)
            ),
            subject: first.subject.clone().filter(|_| !subject_id.is_empty()),
            subject_id: (!subject_id.is_empty()).then_some(subject_id),
            measure: mkey,
            kind,
            unit,
            members,
            verdict,
            spread,
            notes,
        });
    }
    out
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
            subject: None,
            subject_id: None,
            measure: "people".into(),
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
}
