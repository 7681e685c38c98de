//! The records of the per-document stages: what `extract` writes one per input line, what
//! `assemble` reads back in any order, and what `run` spills to disk while the model works.
use crate::corpus::{self, html::Hints, Skipped};
use crate::doc::Document;
use crate::error::{Error, Result};
use crate::pipeline::{DocPipeline, Timings, CHUNK_DOCS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One line of `newsgraph extract`'s output: a document's record, or why the input line gave
/// none.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record {
    /// The input's `id` (absent when the line was not JSON).
    pub id: Option<String>,
    /// The input's `seq`, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    pub ok: bool,
    /// The model that tagged the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<Box<Document>>,
    /// Where a failed input came from (`path#line`) and why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The records of a corpus, as `assemble` gathers them.
#[derive(Default)]
pub struct Records {
    pub docs: Vec<Document>,
    pub skipped: Vec<Skipped>,
    pub models: BTreeSet<String>,
}

impl Records {
    pub fn add(&mut self, r: Record) {
        if let Some(m) = r.model {
            self.models.insert(m);
        }
        match (r.ok, r.doc) {
            (true, Some(d)) => self.docs.push(*d),
            _ => self.skipped.push(Skipped {
                path: r.path.or(r.id).unwrap_or_else(|| "(unknown input)".into()),
                reason: r
                    .error
                    .unwrap_or_else(|| "no document in the record".into()),
            }),
        }
    }

    /// Read record files (`extract` output), in any order; a line that is not a record is
    /// reported as skipped (`FILE#LINE`) and the rest goes on.
    pub fn read(&mut self, path: &std::path::Path) -> Result<()> {
        use std::io::BufRead;
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let name = path.display().to_string();
        for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
            let line = line.map_err(|e| Error::io(path, e))?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Record>(&line) {
                Ok(r) => self.add(r),
                Err(e) => self.skipped.push(Skipped {
                    path: format!("{name}#{}", i + 1),
                    reason: format!("not a newsgraph extract record: {e}"),
                }),
            }
        }
        Ok(())
    }

    /// Sort by document id (then path), so the output does not depend on arrival order.
    pub fn sort(&mut self) {
        self.docs
            .sort_by(|a, b| (&a.meta.doc_id, &a.meta.path).cmp(&(&b.meta.doc_id, &b.meta.path)));
        self.skipped
            .sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
    }
}

// ----------------------------------------------------------------------------- extract

/// An input line of `extract`: its id and seq, and its document or (path, reason).
type Pending = (
    Option<String>,
    Option<u64>,
    std::result::Result<corpus::RawDoc, (String, String)>,
);

/// What `extract` did.
#[derive(Debug, Default)]
pub struct ExtractStats {
    pub lines: u64,
    pub ok: u64,
    pub failed: u64,
}

/// `newsgraph extract --jsonl`: read corpus JSONL lines from `input` and write exactly one
/// [`Record`] per line to `output`, in input order, a chunk at a time (flushed after each).
/// A line that yields no document is a record with `ok: false` and the reason; only I/O and
/// model errors are errors. `name` is the input's name for lines without a `path`.
pub fn extract_stream(
    input: impl std::io::BufRead,
    mut output: impl std::io::Write,
    pipeline: &DocPipeline,
    model_name: &str,
    hints: &Hints,
    name: &str,
) -> Result<ExtractStats> {
    let base = corpus::line_base(name);
    let mut stats = ExtractStats::default();
    let mut lines = input.split(b'\n');
    let mut timings = Timings::default();
    loop {
        let mut chunk: Vec<Pending> = Vec::new();
        for line in lines.by_ref() {
            let line = line.map_err(|e| Error::io(std::path::Path::new(name), e))?;
            stats.lines += 1;
            let line = String::from_utf8_lossy(&line).into_owned();
            // Parsed once: the echoed id and seq, and the document, come from the same value.
            let parsed = serde_json::from_str::<serde_json::Value>(&line);
            let get = |k: &str| parsed.as_ref().ok().and_then(|v| v.get(k));
            let id = get("id").and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
            let seq = get("seq").and_then(serde_json::Value::as_u64);
            let where_ = format!("{name}#{}", seq.map_or(stats.lines, |s| s + 1));
            // An input `newsgraph lines` could not read carries its reason.
            let given_error = get("error").and_then(|e| e.as_str()).map(String::from);
            let raw = match given_error {
                Some(e) => Err((
                    get("path")
                        .and_then(|p| p.as_str())
                        .map_or_else(|| where_.clone(), String::from),
                    e,
                )),
                None if line.trim().is_empty() => Err((where_.clone(), "empty line".into())),
                None => match &parsed {
                    Ok(v) => corpus::parse_value(v, &where_, &base, None),
                    Err(e) => Err(format!("invalid JSON: {e}")),
                }
                .map_err(|e| (where_.clone(), e)),
            };
            chunk.push((id, seq, raw));
            if chunk.len() == CHUNK_DOCS {
                break;
            }
        }
        if chunk.is_empty() {
            return Ok(stats);
        }
        let mut slots = Vec::with_capacity(chunk.len());
        let mut raws = Vec::new();
        for (id, seq, raw) in chunk {
            match raw {
                Ok(r) => {
                    raws.push(r);
                    slots.push((id, seq, Ok(())));
                }
                Err(e) => slots.push((id, seq, Err(e))),
            }
        }
        let built = corpus::build_all(raws, hints);
        let mut docs = Vec::new();
        let mut results = Vec::new();
        for b in built {
            match b {
                Ok(d) => {
                    results.push(Ok(docs.len()));
                    docs.push(d);
                }
                Err(s) => results.push(Err((s.path, s.reason))),
            }
        }
        pipeline.run(&mut docs, &mut timings)?;
        let mut docs = docs.into_iter().map(Some).collect::<Vec<_>>();
        let mut results = results.into_iter();
        for (id, seq, slot) in slots {
            let outcome = match slot {
                Ok(()) => results
                    .next()
                    .unwrap_or(Err((String::new(), "lost".into()))),
                Err(e) => Err(e),
            };
            let rec = match outcome {
                Ok(i) => {
                    stats.ok += 1;
                    Record {
                        id,
                        seq,
                        ok: true,
                        model: Some(model_name.to_string()),
                        doc: docs[i].take().map(Box::new),
                        path: None,
                        error: None,
                    }
                }
                Err((path, error)) => {
                    stats.failed += 1;
                    Record {
                        id,
                        seq,
                        ok: false,
                        model: None,
                        doc: None,
                        path: Some(path),
                        error: Some(error),
                    }
                }
            };
            serde_json::to_writer(&mut output, &rec)
                .map_err(|e| Error::Config(format!("writing a record: {e}")))?;
            output
                .write_all(b"\n")
                .map_err(|e| Error::io(std::path::Path::new("stdout"), e))?;
        }
        output
            .flush()
            .map_err(|e| Error::io(std::path::Path::new("stdout"), e))?;
    }
}

/// The records of a run's finished chunks, in a file beside the output directory (removed
/// when dropped, whatever happens).
pub(crate) struct Spill {
    path: std::path::PathBuf,
    w: Option<std::io::BufWriter<std::fs::File>>,
}

impl Spill {
    pub(crate) fn create(out: &std::path::Path) -> Result<Spill> {
        let mut path = crate::export::beside(out, "records")?.into_os_string();
        path.push(".jsonl");
        let path = std::path::PathBuf::from(path);
        let f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Spill {
            w: Some(std::io::BufWriter::new(f)),
            path,
        })
    }

    pub(crate) fn write(&mut self, docs: Vec<Document>) -> Result<()> {
        use std::io::Write;
        let Some(w) = self.w.as_mut() else {
            return Ok(());
        };
        for d in docs {
            let r = Record {
                id: None,
                seq: None,
                ok: true,
                model: None,
                doc: Some(Box::new(d)),
                path: None,
                error: None,
            };
            serde_json::to_writer(&mut *w, &r)
                .map_err(std::io::Error::from)
                .and_then(|_| w.write_all(b"\n"))
                .map_err(|e| Error::io(&self.path, e))?;
        }
        Ok(())
    }

    pub(crate) fn read_into(&mut self, records: &mut Records) -> Result<()> {
        use std::io::Write;
        if let Some(mut w) = self.w.take() {
            w.flush().map_err(|e| Error::io(&self.path, e))?;
        }
        records.read(&self.path)
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.w = None;
        let _ = std::fs::remove_file(&self.path);
    }
}
