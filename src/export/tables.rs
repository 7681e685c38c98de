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
    let schema: Vec<_> = Graph::schema(nodes.iter().map(|n| &n.props))
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "id" | "type" | "label"))
        .collect();
    let mut w = csv_writer(path)?;
    let mut header = vec!["id", "type", "label"];
    header.extend(schema.iter().map(|(k, _)| *k));
    w.write_record(&header).map_err(csv_err(path))?;
    for n in nodes {
        let mut row = vec![n.id.clone(), n.kind.as_str().to_string(), n.label.clone()];
        row.extend(schema.iter().map(|(k, _)| prop(&n.props, k)));
        w.write_record(&row).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// `edges.csv`: id, type, from, to, weight, then every property.
pub fn write_edges_csv(g: &Graph, path: &Path) -> Result<()> {
    let edges = g.edges();
    let schema: Vec<_> = Graph::schema(edges.iter().map(|e| &e.props))
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
            e.from.clone(),
            e.to.clone(),
            format_float(e.weight),
        ];
        row.extend(schema.iter().map(|(k, _)| prop(&e.props, k)));
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
    "subject",
    "subject_id",
    "measure",
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
            c.subject.clone().unwrap_or_default(),
            c.subject_id.clone().unwrap_or_default(),
            c.measure.clone(),
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

/// `claims_compare.csv`: one row per group and claim.
pub fn write_compare(claims: &[ClaimRecord], groups: &[Group], path: &Path) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record([
        "group_id",
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
        "surface",
        "verdict",
        "spread",
        "notes",
    ])
    .map_err(csv_err(path))?;
    for g in groups {
        for &i in &g.members {
            let c = &claims[i];
            w.write_record([
                g.id.clone(),
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
                c.surface.clone(),
                g.verdict.as_str().to_string(),
                format!("{:.6}", g.spread),
                g.notes.join("; "),
            ])
            .map_err(csv_err(path))?;
        }
    }
    w.flush().map_err(|e| Error::io(path, e))
}
