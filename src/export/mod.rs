//! Writing a run's output directory. Everything is written into a fresh temporary directory
//! beside the target and renamed into place at the end, so an interrupted run never leaves a
//! half-written output, and an existing output is replaced only with `--force`.
mod graphml;
mod neo4j;
pub mod report;
mod tables;

pub use graphml::write_graphml;
pub use neo4j::write_neo4j;
pub use tables::{
    read_claims_jsonl, write_claims, write_compare, write_edges_csv, write_groups, write_nodes_csv,
    write_stories,
};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::pipeline::Output;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Create `path` and write `f`'s output into it through a buffered writer.
pub(crate) fn write_file(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w).map_err(|e| Error::io(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))
}

/// Fail early with a clear message when the output directory cannot be used.
pub fn check_output(out: &Path, force: bool) -> Result<()> {
    if out.exists() {
        if !out.is_dir() {
            return Err(Error::output(out, "exists and is not a directory"));
        }
        let non_empty = std::fs::read_dir(out)
            .map_err(|e| Error::io(out, e))?
            .next()
            .is_some();
        if non_empty && !force {
            return Err(Error::output(
                out,
                "is not empty; pass --force to replace it",
            ));
        }
    }
    Ok(())
}

/// The path `.NAME.WHAT-PID` beside `out` (its parent created), after removing what runs
/// that are no longer alive left there.
pub(crate) fn beside(out: &Path, what: &str) -> Result<PathBuf> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    remove_stale(parent, &name);
    Ok(parent.join(format!(".{name}.{what}-{}", std::process::id())))
}

/// A temporary directory next to `out` (same filesystem, so the final rename is atomic).
pub fn staging_dir(out: &Path) -> Result<PathBuf> {
    let tmp = beside(out, "tmp")?;
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    Ok(tmp)
}

/// Remove what killed runs on `name` left beside it: staging and replaced directories
/// (`.NAME.tmp-PID`, `.NAME.old-PID`) and spilled records (`.NAME.records-PID.jsonl`) of
/// processes that no longer exist. Only where /proc tells which processes live; elsewhere they
/// stay.
fn remove_stale(parent: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = [".tmp-", ".old-", ".records-"].iter().find_map(|k| {
            let rest = file.strip_prefix(&format!(".{name}{k}"))?;
            rest.strip_suffix(".jsonl")
                .unwrap_or(rest)
                .parse::<u32>()
                .ok()
        });
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
                let path = e.path();
                let _ = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
            }
        }
    }
}

/// Move the finished staging directory to `out`, replacing what is there.
pub fn commit(tmp: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        let old = out.with_file_name(format!(
            ".{}.old-{}",
            out.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        std::fs::rename(tmp, out).map_err(|e| Error::io(out, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(tmp, out).map_err(|e| Error::io(out, e))?;
    }
    Ok(())
}

/// Write every output file of a run into `dir`.
pub fn write_all(o: &Output, config: &Config, dir: &Path, total_seconds: f64) -> Result<()> {
    write_graphml(&o.graph, &dir.join("graph.graphml"))?;
    write_nodes_csv(&o.graph, &dir.join("nodes.csv"))?;
    write_edges_csv(&o.graph, &dir.join("edges.csv"))?;
    write_neo4j(&o.graph, &dir.join("neo4j"))?;
    write_mentions(o, &dir.join("mentions.jsonl"))?;
    write_documents(o, &dir.join("documents.jsonl"))?;
    write_claims(
        &o.claims,
        &dir.join("claims.csv"),
        &dir.join("claims.jsonl"),
    )?;
    write_compare(&o.claims, &o.groups, &dir.join("claims_compare.csv"))?;
    write_groups(&o.claims, &o.groups, &dir.join("claim_groups.csv"))?;
    write_stories(&o.docs, &o.stories, &dir.join("stories.csv"))?;
    let view = report::ViewGraph::from_graph(&o.graph, &o.groups);
    // The headings come from `stories.csv` as written, as `newsgraph compare` reads them.
    let labels = report::read_story_labels(dir);
    report::write_reports(&o.claims, &o.groups, &labels, &view, dir)?;
    write_run_json(o, config, &dir.join("run.json"), total_seconds)
}

/// One document as `documents.jsonl` and `newsgraph text --json` write it: metadata, the kept
/// spans of the file (code points, end-exclusive) and the kept text analysis reads.
pub fn document_record(d: &crate::doc::Document) -> serde_json::Value {
    json!({
        "doc_id": d.meta.doc_id,
        "path": d.meta.path,
        "outlet": d.meta.outlet,
        "url": d.meta.url,
        "published": d.meta.published,
        "title": d.meta.title,
        "author": d.meta.author,
        "format": d.meta.format,
        "kept_spans": d.view.kept_spans().iter().map(|&(s, e)| [s, e]).collect::<Vec<_>>(),
        "text": d.view.text,
    })
}

fn write_documents(o: &Output, path: &Path) -> Result<()> {
    write_file(path, |w| {
        for d in &o.docs {
            serde_json::to_writer(&mut *w, &document_record(d))?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

fn write_mentions(o: &Output, path: &Path) -> Result<()> {
    write_file(path, |w| {
        for d in &o.docs {
            for m in &d.mentions {
                let (start, end) = d.offsets(&m.range);
                let sentence = &d.sentences[m.sentence];
                let row = json!({
                    "doc_id": d.meta.doc_id,
                    "outlet": d.meta.outlet,
                    "entity_id": m.entity,
                    "type": m.etype.as_str(),
                    "surface": d.mention_surface(m),
                    "text": d.slice(&m.range),
                    "start": start,
                    "end": end,
                    "sentence_index": m.sentence,
                    "sentence": d.slice(&sentence.range),
                    "score": (m.score as f64 * 1e4).round() / 1e4,
                    "model": o.model_name,
                });
                serde_json::to_writer(&mut *w, &row)?;
                w.write_all(b"\n")?;
            }
        }
        Ok(())
    })
}

/// The process's peak resident memory so far (Linux `VmHWM`), in MB; null elsewhere.
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024)
}

fn write_run_json(o: &Output, config: &Config, path: &Path, total_seconds: f64) -> Result<()> {
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for n in o.graph.nodes() {
        *kinds.entry(n.kind().as_str()).or_default() += 1;
    }
    let mut ekinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for (_, _, kind, _) in o.graph.edge_ends() {
        *ekinds.entry(kind.as_str()).or_default() += 1;
    }
    let warnings: Vec<serde_json::Value> = o
        .docs
        .iter()
        .flat_map(|d| {
            d.warnings
                .iter()
                .map(move |w| json!({"doc_id": d.meta.doc_id, "warning": w}))
        })
        .chain(
            o.stories
                .iter()
                .filter(|s| !s.given && s.docs.len() > crate::stories::LARGE_STORY)
                .map(|s| {
                    json!({"story_id": s.id, "warning": format!(
                        "a story of {} documents ({} to {}): more than a reader can check; its figures are compared as one event",
                        s.docs.len(),
                        s.first.as_deref().unwrap_or("?"),
                        s.last.as_deref().unwrap_or("?"),
                    )})
                }),
        )
        .collect();
    let v = json!({
        "newsgraph": env!("CARGO_PKG_VERSION"),
        "inputs": {
            "corpus": config.corpus.display().to_string(),
            "manifest": config.manifest.as_ref().map(|p| p.display().to_string()),
            "aliases": config.aliases.as_ref().map(|p| p.display().to_string()),
        },
        "model": {"name": o.model_name, "path": config.model.display().to_string(), "device": o.device, "backend": o.backend, "backend_reason": o.backend_reason},
        "counts": {
            "documents": o.docs.len(),
            "skipped": o.skipped.len(),
            "sentences": o.docs.iter().map(|d| d.sentences.len()).sum::<usize>(),
            "parsed_sentences": o.docs.iter().map(|d| d.syntax.len()).sum::<usize>(),
            "mentions": o.docs.iter().map(|d| d.mentions.len()).sum::<usize>(),
            "entities": o.entities.len(),
            "claims": o.claims.len(),
            "claim_groups": o.groups.len(),
            "stories": o.stories.len(),
            "relations": o.docs.iter().map(|d| d.relations.len()).sum::<usize>(),
            "nodes": o.graph.node_count(),
            "edges": o.graph.edge_count(),
            "nodes_by_label": kinds,
            "edges_by_type": ekinds,
        },
        "skipped": o.skipped,
        "warnings": warnings,
        "timings_seconds": o.timings.iter().map(|(k, v)| (k.to_string(), json!((v * 1000.0).round() / 1000.0))).collect::<serde_json::Map<_, _>>(),
        "total_seconds": (total_seconds * 1000.0).round() / 1000.0,
        "peak_memory_mb": peak_memory_mb(),
        "threads": config.threads,
    });
    write_file(path, |w| {
        serde_json::to_writer_pretty(&mut *w, &v)?;
        w.write_all(b"\n")
    })
}
