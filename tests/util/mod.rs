//! A small harness for running the real `newsgraph` binary on real inputs.
#![allow(dead_code)]
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsgraph"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn demo_corpus() -> PathBuf {
    repo().join("data/demo")
}

pub fn shipped_model() -> PathBuf {
    repo().join("models").join(newsgraph::config::DEFAULT_MODEL)
}

/// `../shared/<rel>` when the shared data is present. Under CI (`CI` set) the shared data is
/// always there, so its absence fails the test instead of skipping it.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared").join(rel);
    if !p.exists() && std::env::var_os("CI").is_some() {
        panic!("{} is missing, and CI always has ../shared", p.display());
    }
    p.exists().then_some(p)
}

/// Run `cmd`, expecting exit code 0 (every input used). Tests of skipped inputs (exit code 2)
/// and errors (1) say so with [`run_code`] and [`run_fails`].
pub fn run_ok(cmd: &mut Command) -> Output {
    run_code(cmd, 0)
}

/// Run `cmd`, expecting exit code `code`.
pub fn run_code(cmd: &mut Command, code: i32) -> Output {
    let out = cmd.output().expect("newsgraph runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "newsgraph exited with {} instead of {code}:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Run `cmd`, expecting it to fail with exit code 1 and `needle` in its error output.
pub fn run_fails(cmd: &mut Command, needle: &str) -> Output {
    let out = cmd.output().expect("newsgraph runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(needle), "expected `{needle}` in:\n{err}");
    out
}

/// Run the pipeline on `corpus` into a new temporary directory.
pub fn run_pipeline(corpus: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf, Output) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let o = run_ok(
        bin()
            .arg("run")
            .arg(corpus)
            .arg("--out")
            .arg(&out)
            .args(extra),
    );
    (tmp, out, o)
}

pub fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("read jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

pub fn csv_rows(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let h: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|x| {
            let x = x.expect("record");
            h.iter().cloned().zip(x.iter().map(String::from)).collect()
        })
        .collect();
    (h, rows)
}

/// The original text of a document as newsgraph reads it: the file, or a JSONL line's `text`.
pub fn original_text(corpus: &Path, doc_id: &str, docs_csv: &[BTreeMap<String, String>]) -> String {
    let row = docs_csv
        .iter()
        .find(|r| r["doc_id"] == doc_id)
        .expect("document row");
    let path = corpus.join(&row["path"]);
    let raw = String::from_utf8_lossy(&std::fs::read(&path).expect("read doc")).into_owned();
    if row["format"] == "jsonl" {
        for line in raw.lines() {
            let v: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(_) => continue,
            };
            let id = v.get("id").and_then(|x| x.as_str()).map(String::from);
            let line_no = raw.lines().position(|l| l == line).unwrap_or(0) + 1;
            let this_id = id.unwrap_or_else(|| format!("{}#{}", row["path"], line_no));
            if this_id == doc_id {
                return v["text"].as_str().unwrap_or_default().to_string();
            }
        }
        panic!("jsonl document {doc_id} not found");
    }
    raw
}

/// A group id without its story: `group:STORY:SUBJECT:MEASURE:UNIT` -> `group:SUBJECT:MEASURE:UNIT`.
pub fn group_key(id: &str) -> String {
    let mut parts = id.splitn(3, ':');
    let (g, _story, rest) = (parts.next(), parts.next(), parts.next());
    format!("{}:{}", g.unwrap_or(""), rest.unwrap_or(""))
}

/// Slice by code points, as Python would.
pub fn cp_slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// One pipeline run on `../shared/<rel>` shared by the tests of a file (None when absent).
pub struct SharedRun {
    _dir: tempfile::TempDir,
    pub out: PathBuf,
}

/// The run of `cell`, made on first use; it must exit 0.
pub fn shared_run(
    cell: &'static std::sync::OnceLock<Option<SharedRun>>,
    rel: &str,
) -> Option<&'static SharedRun> {
    cell.get_or_init(|| {
        let corpus = shared(rel)?;
        let (dir, out, _) = run_pipeline(&corpus, &[]);
        Some(SharedRun { _dir: dir, out })
    })
    .as_ref()
}

/// Names starting with `.` in `dir`: the staging directories a run left behind.
pub fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// The first number between 0 and 1 on the line of the shipped model card that contains `key`
/// (the figures the card states, which tests hold the binary to).
pub fn card_value(key: &str) -> f64 {
    let card = std::fs::read_to_string(shipped_model().join("MODEL_CARD.md")).expect("model card");
    let line = card
        .lines()
        .find(|l| l.contains(key))
        .unwrap_or_else(|| panic!("the model card states `{key}`"));
    line.split_whitespace()
        .filter_map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_digit() && c != '.')
                .parse::<f64>()
                .ok()
        })
        .find(|v| *v > 0.0 && *v < 1.0)
        .expect("a score")
}
