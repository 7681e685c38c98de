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

/// Headless Chromium, for the report's browser tests.
pub mod browser {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    pub fn chromium() -> PathBuf {
        for p in [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ] {
            if Path::new(p).exists() {
                return p.into();
            }
        }
        panic!("Chromium is not installed: scripts/test installs the Debian package `chromium`");
    }

    /// A headless browser with a profile of its own, opening `report` (a file, no server, no
    /// network) at `hash`.
    fn open(report: &Path, hash: &str, args: &[String]) -> std::process::Output {
        let profile = tempfile::tempdir().unwrap();
        let out = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--virtual-time-budget=30000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .arg(format!("file://{}{hash}", report.display()))
            .output()
            .expect("chromium runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// The page's DOM once its scripts have run.
    pub fn dom(report: &Path, hash: &str) -> String {
        String::from_utf8_lossy(&open(report, hash, &["--dump-dom".into()]).stdout).into_owned()
    }

    /// The value of the first `name="..."` attribute in `dom`, unescaped.
    pub fn attribute(dom: &str, name: &str) -> Option<String> {
        let v = dom.split(&format!("{name}=\"")).nth(1)?.split('"').next()?;
        Some(
            v.replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&nbsp;", "\u{a0}")
                .replace("&amp;", "&"),
        )
    }

    /// What the page's self-test found, opening every story from the index by clicking its
    /// link (see `assets/report.js`).
    pub fn selftest(report: &Path) -> serde_json::Value {
        let dom = dom(report, "#selftest");
        let json = attribute(&dom, "data-selftest").expect("the self-test finished");
        serde_json::from_str(&json).expect("the self-test wrote JSON")
    }

    /// A screenshot of the page at `hash`, as RGBA pixels.
    pub fn screenshot(
        report: &Path,
        hash: &str,
        (w, h): (u32, u32),
        keep: Option<&Path>,
    ) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("shot.png");
        open(
            report,
            hash,
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={w},{h}"),
            ],
        );
        if let Some(keep) = keep {
            std::fs::copy(&png, keep).expect("copy the screenshot");
        }
        let decoder = png::Decoder::new(std::fs::File::open(&png).expect("a screenshot"));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("a PNG frame");
        buf.truncate(info.buffer_size());
        let channels = info.color_type.samples();
        buf.chunks(channels)
            .flat_map(|p| match channels {
                1 | 2 => vec![p[0], p[0], p[0], 255],
                3 => vec![p[0], p[1], p[2], 255],
                _ => p.to_vec(),
            })
            .collect()
    }

    /// How many pixels of two screenshots of one size differ.
    pub fn differing(a: &[u8], b: &[u8]) -> usize {
        assert_eq!(a.len(), b.len(), "screenshots of one size");
        a.chunks(4).zip(b.chunks(4)).filter(|(x, y)| x != y).count()
    }

    /// Open every story of the run in `out` from the report's index and hold each to what a
    /// reader needs: a chart for every claim group with one mark per claim, a step line for
    /// every updated figure, every document on the timeline, and a graph whose nodes all lie in
    /// the frame and whose drawn labels do not overlap. Returns the self-test's findings.
    pub fn check_report(out: &Path) -> serde_json::Value {
        let report = out.join("report.html");
        let t = selftest(&report);
        let stories = std::fs::read_to_string(out.join("stories.csv"))
            .unwrap()
            .lines()
            .count()
            - 1;
        assert_eq!(t["errors"], serde_json::json!([]), "no script error");
        let opened = t["stories"].as_array().expect("stories opened");
        assert_eq!(
            t["index_links"].as_u64(),
            Some(stories as u64),
            "one link per story"
        );
        assert_eq!(opened.len(), stories.min(12), "each story opened: {t}");
        let n = |s: &serde_json::Value, k: &str| s[k].as_u64().unwrap_or(u64::MAX);
        for s in opened {
            assert!(
                s["title"].as_str().is_some_and(|t| !t.is_empty()),
                "the story page has its title: {s}"
            );
            assert_eq!(n(s, "boxes"), n(s, "groups"), "every group shown: {s}");
            assert_eq!(n(s, "charts"), n(s, "groups"), "a chart per group: {s}");
            assert_eq!(n(s, "marks_ok"), n(s, "groups"), "a mark per claim: {s}");
            assert_eq!(
                n(s, "steps"),
                n(s, "updated"),
                "a step line per update: {s}"
            );
            assert_eq!(
                n(s, "timeline_docs"),
                n(s, "docs"),
                "every document on the timeline: {s}"
            );
            let g = &s["graph"];
            assert!(
                n(g, "visible") >= 5 && n(g, "visible") <= n(g, "nodes"),
                "{s}"
            );
            assert_eq!(n(g, "outside"), 0, "every node inside the frame: {s}");
            assert_eq!(n(g, "overlaps"), 0, "no two labels overlap: {s}");
            assert!(n(g, "labels") >= 3, "names are labelled: {s}");
        }
        // A name found from the index opens its story focused on it and its neighbours.
        let f = &t["name_search"];
        assert!(n(f, "links") >= 1, "the name is found: {f}");
        assert_eq!(f["selected"], f["name"], "its story opens on it: {f}");
        assert!(n(f, "faded") > 0, "the rest of the graph steps back: {f}");
        assert!(
            f["details"]
                .as_str()
                .is_some_and(|d| d.ends_with(f["name"].as_str().unwrap_or("?"))),
            "its provenance is shown: {f}"
        );
        t
    }

    /// A chart draws: one group's chart differs from the same chart without its marks and from
    /// a blank page, by pixels; the graph of the first story differs from a blank page.
    pub fn check_pixels(out: &Path, group: usize, story: &str) {
        let report = out.join("report.html");
        let size = (900, 420);
        let blank = screenshot(&report, "#view=blank", size, None);
        let chart = screenshot(&report, &format!("#view=chart&group={group}"), size, None);
        let bare = screenshot(
            &report,
            &format!("#view=chart&group={group}&marks=0"),
            size,
            None,
        );
        let marks = differing(&chart, &bare);
        assert!(marks > 100, "the chart's marks draw: {marks} pixels");
        assert!(differing(&chart, &blank) > marks, "axes and labels draw");
        let size = (900, 700);
        let story = story.replace(':', "%3A");
        let graph = screenshot(&report, &format!("#view=graph&story={story}"), size, None);
        let blank = screenshot(&report, "#view=blank", size, None);
        let drawn = differing(&graph, &blank);
        assert!(
            drawn > 900 * 700 / 50,
            "the graph draws on its canvas: {drawn} pixels"
        );
    }
}
