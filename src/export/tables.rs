//! Plain CSV and JSONL tables: nodes, edges, claims and the comparison.
use crate::compare::{ClaimRecord, Group};
use crate::error::{Error, Result};
use crate::graph::{format_float, Graph, Props};
use std::path::Path;

fn csv_writer(path: &Path) -> Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).map_err(|e| Error::output(path, e.to_string()))
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::output(path, e.to_string())
}

fn prop(p: &Props, k: &str) -> String {
    p.get(k).map(|v| v.render()).unwrap_or_default()
}

/// `nodes.csv`: id, type, label, then every property (union over nodes, sorted).
pub fn write_nodes_csv(g: &Graph, path: &Path) -> Result<()> {
    let nodes = g.nodes();
    let schema: Vec<_> = Graph::schema(nodes.iter().map(|n| n.props()))
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "id" | "type" | "label"))
        .collect();
    let mut w = csv_writer(path)?;
    let mut header = vec!["id", "type", "label"];
    header.extend(schema.iter().map(|(k, _)| *k));
    w.write_record(&header).map_err(csv_err(path))?;
    for n in nodes {
        let mut row = vec![n.id.clone(), n.kind().as_str().to_string(), n.label.clone()];
        let props = n.props();
        row.extend(schema.iter().map(|(k, _)| prop(&props, k)));
        w.write_record(&row).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// `edges.csv`: id, type, from, to, weight, then every property.
pub fn write_edges_csv(g: &Graph, path: &Path) -> Result<()> {
    let edges = g.edges();
    let schema: Vec<_> = Graph::schema(edges.iter().map(|e| e.props()))
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "id" | "type" | "from" | "to" | "weight"))
        .collect();
    let mut w = csv_writer(path)?;
    let mut header = vec!["id", "type", "from", "to", "weight"];
    header.extend(schema.iter().map(|(k, _)| *k));
    w.write_record(&header).map_err(csv_err(path))?;
    for e in edges {
        let mut row = vec![
            e.id.clone(),
            e.kind.as_str().to_string(),
            e.from.to_string(),
            e.to.to_string(),
            format_float(e.weight),
        ];
        let props = e.props();
        row.extend(schema.iter().map(|(k, _)| prop(&props, k)));
        w.write_record(&row).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

fn opt_f(v: Option<f64>) -> String {
    v.map(format_float).unwrap_or_default()
}

fn opt_b(v: Option<bool>) -> String {
    v.map(|b| b.to_string()).unwrap_or_default()
}

pub const CLAIM_COLUMNS: &[&str] = &[
    "claim_id",
    "doc_id",
    "outlet",
    "story",
    "published",
    "subject",
    "subject_id",
    "measure",
    "measure_key",
    "dimension",
    "value",
    "lower",
    "upper",
    "lower_inclusive",
    "upper_inclusive",
    "approximate",
    "kind",
    "unit",
    "currency",
    "as_of",
    "as_of_text",
    "source",
    "copy_of",
    "elsewhere",
    "surface",
    "sentence",
    "sentence_index",
    "start",
    "end",
];

/// `claims.csv` and `claims.jsonl`, one row per claim.
pub fn write_claims(claims: &[ClaimRecord], csv_path: &Path, jsonl_path: &Path) -> Result<()> {
    let mut w = csv_writer(csv_path)?;
    w.write_record(CLAIM_COLUMNS).map_err(csv_err(csv_path))?;
    for c in claims {
        w.write_record([
            c.claim_id.clone(),
            c.doc_id.clone(),
            c.outlet.clone(),
            c.story.clone().unwrap_or_default(),
            c.published.clone().unwrap_or_default(),
            c.subject.clone().unwrap_or_default(),
            c.subject_id.clone().unwrap_or_default(),
            c.measure.clone(),
            c.measure_key.clone(),
            c.dimension.clone().unwrap_or_default(),
            format_float(c.value),
            opt_f(c.lower),
            opt_f(c.upper),
            opt_b(c.lower_inclusive),
            opt_b(c.upper_inclusive),
            c.approximate.to_string(),
            c.kind.clone(),
            c.unit.clone(),
            c.currency.clone().unwrap_or_default(),
            c.as_of.clone().unwrap_or_default(),
            c.as_of_text.clone().unwrap_or_default(),
            c.source_key().to_string(),
            c.copy_of.clone().unwrap_or_default(),
            c.elsewhere.clone().unwrap_or_default(),
            c.surface.clone(),
            c.sentence.clone(),
            c.sentence_index.to_string(),
            c.start.to_string(),
            c.end.to_string(),
        ])
        .map_err(csv_err(csv_path))?;
    }
    w.flush().map_err(|e| Error::io(csv_path, e))?;
    super::write_file(jsonl_path, |out| {
        for c in claims {
            serde_json::to_writer(&mut *out, c)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// Read `claims.jsonl` back (for `newsgraph compare`). A bad line is an error naming it.
pub fn read_claims_jsonl(path: &Path) -> Result<Vec<ClaimRecord>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::input(path, format!("line {}: {e}", i + 1)))
        })
        .collect()
}

/// `claim_groups.csv`: one row per group, with its sources and, for a figure updated over
/// time, its series (`DATE: VALUES` joined by ` -> `).
pub fn write_groups(claims: &[ClaimRecord], groups: &[Group], path: &Path) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record([
        "group_id",
        "story",
        "subject",
        "subject_id",
        "measure",
        "kind",
        "unit",
        "verdict",
        "claims",
        "documents",
        "outlets",
        "independent_sources",
        "sources",
        "min",
        "max",
        "spread",
        "series",
        "notes",
    ])
    .map_err(csv_err(path))?;
    for g in groups {
        let docs: std::collections::BTreeSet<&str> = g
            .members
            .iter()
            .map(|&i| claims[i].doc_id.as_str())
            .collect();
        let outlets: std::collections::BTreeSet<&str> = g
            .members
            .iter()
            .map(|&i| claims[i].outlet.as_str())
            .collect();
        let values: Vec<f64> = g.members.iter().map(|&i| claims[i].value).collect();
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let series: Vec<String> = g
            .series
            .iter()
            .map(|(d, vs)| {
                format!(
                    "{d}: {}",
                    vs.iter()
                        .map(|v| format_float(*v))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        w.write_record([
            g.id.clone(),
            g.story.clone().unwrap_or_default(),
            g.subject.clone().unwrap_or_default(),
            g.subject_id.clone().unwrap_or_default(),
            g.measure.clone(),
            g.kind.clone(),
            g.unit.clone(),
            g.verdict.as_str().to_string(),
            g.members.len().to_string(),
            docs.len().to_string(),
            outlets.len().to_string(),
            g.sources.len().to_string(),
            g.sources.join("; "),
            format_float(min),
            format_float(max),
            format!("{:.6}", g.spread),
            series.join(" -> "),
            g.notes.join("; "),
        ])
        .map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// `stories.csv`: one row per story.
pub fn write_stories(
    docs: &[crate::doc::Document],
    stories: &[crate::stories::Story],
    path: &Path,
) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record([
        "story_id",
        "label",
        "first_published",
        "last_published",
        "days",
        "documents",
        "outlets",
        "doc_ids",
        "outlet_names",
        "given",
    ])
    .map_err(csv_err(path))?;
    for s in stories {
        w.write_record([
            s.id.clone(),
            s.label.clone(),
            s.first.clone().unwrap_or_default(),
            s.last.clone().unwrap_or_default(),
            s.days().map(|d| d.to_string()).unwrap_or_default(),
            s.docs.len().to_string(),
            s.outlets.len().to_string(),
            s.docs
                .iter()
                .map(|&i| docs[i].meta.doc_id.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            s.outlets.join("; "),
            s.given.to_string(),
        ])
        .map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// `claims_compare.csv`: one row per group and claim; the group's own columns are short, so
/// the file grows with the number of claims (the series and sources are in claim_groups.csv).
pub fn write_compare(claims: &[ClaimRecord], groups: &[Group], path: &Path) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record([
        "group_id",
        "story",
        "subject",
        "subject_id",
        "measure",
        "outlet",
        "doc_id",
        "claim_id",
        "value",
        "lower",
        "upper",
        "lower_inclusive",
        "upper_inclusive",
        "approximate",
        "as_of",
        "published",
        "source",
        "copy_of",
        "surface",
        "verdict",
        "independent_sources",
        "spread",
    ])
    .map_err(csv_err(path))?;
    for g in groups {
        for &i in &g.members {
            let c = &claims[i];
            w.write_record([
                g.id.clone(),
                g.story.clone().unwrap_or_default(),
                g.subject.clone().unwrap_or_default(),
                g.subject_id.clone().unwrap_or_default(),
                g.measure.clone(),
                c.outlet.clone(),
                c.doc_id.clone(),
                c.claim_id.clone(),
                format_float(c.value),
                opt_f(c.lower),
                opt_f(c.upper),
                opt_b(c.lower_inclusive),
                opt_b(c.upper_inclusive),
                c.approximate.to_string(),
                c.as_of.clone().unwrap_or_default(),
                c.published.clone().unwrap_or_default(),
                c.source_key().to_string(),
                c.copy_of.clone().unwrap_or_default(),
                c.surface.clone(),
                g.verdict.as_str().to_string(),
                g.sources.len().to_string(),
                format!("{:.6}", g.spread),
            ])
            .map_err(csv_err(path))?;
        }
    }
    w.flush().map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::compare;

    /// `n` dated claims of one measure from `n` outlets, each on its own day.
    fn claims(n: usize) -> Vec<ClaimRecord> {
        (0..n)
            .map(|i| ClaimRecord {
                claim_id: format!("claim:{i}"),
                doc_id: format!("doc{i}"),
                outlet: format!("Outlet {i}"),
                story: Some("story:s".into()),
                published: Some(format!("2020-{:02}-{:02}", 1 + i / 28 % 12, 1 + i % 28)),
                as_of: Some(format!("2020-{:02}-{:02}", 1 + i / 28 % 12, 1 + i % 28)),
                measure: "ships".into(),
                measure_key: "ship".into(),
                measure_from_table: true,
                measure_from_parse: false,
                value: (i % 7) as f64,
                kind: "number".into(),
                unit: "count".into(),
                surface: "3 ships".into(),
                sentence: "Three ships arrived.".into(),
                ..ClaimRecord::default()
            })
            .collect()
    }

    fn compare_bytes(n: usize) -> usize {
        let cs = claims(n);
        let groups = compare(&cs, 0.02);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("claims_compare.csv");
        write_compare(&cs, &groups, &path).unwrap();
        std::fs::metadata(&path).unwrap().len() as usize
    }

    #[test]
    fn claims_compare_grows_linearly_with_a_groups_size() {
        let (small, big) = (compare_bytes(100), compare_bytes(1000));
        // Ten times the claims in one group: about ten times the bytes, not a hundred.
        assert!(
            big < small * 12,
            "{small} bytes for 100 claims, {big} for 1,000"
        );
    }
}
