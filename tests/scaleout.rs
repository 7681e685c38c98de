//! `extract` and `assemble`: the per-document stages and the corpus stages in separate
//! processes give the same bytes as `run`, however the corpus is split.
mod util;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use util::*;

/// `newsgraph lines CORPUS`.
fn lines(corpus: &Path) -> Vec<String> {
    let out = run_ok(bin().arg("lines").arg(corpus));
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(String::from)
        .collect()
}

/// `newsgraph extract --jsonl` over `input`, with its stdout and stderr.
fn extract(input: &str, extra: &[&str]) -> (Vec<serde_json::Value>, String) {
    let mut child = bin()
        .args(["extract", "--jsonl", "--threads", "1"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("extract starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_string();
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("extract runs");
    feeder.join().expect("feeder").expect("input written");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each stdout line is one JSON record"))
        .collect();
    (records, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every output file of two output directories, but run.json (timings, paths).
fn same_outputs(a: &Path, b: &Path) {
    fn files(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir.join(rel)).expect("output dir") {
            let e = e.expect("entry");
            let r = rel.join(e.file_name());
            if e.path().is_dir() {
                files(dir, &r, out);
            } else if r != Path::new("run.json") {
                out.push(r);
            }
        }
    }
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    files(a, Path::new(""), &mut fa);
    files(b, Path::new(""), &mut fb);
    fa.sort();
    fb.sort();
    assert_eq!(fa, fb, "the same files");
    assert!(fa.len() >= 10, "{fa:?}");
    for f in &fa {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{} differs", f.display());
    }
}

/// Split the corpus lines into `parts` interleaved parts, extract each in its own process, and
/// assemble the record files in reverse order: the bytes of `run`.
fn split_extract_assemble_is_run(corpus: &Path, parts: usize) {
    let (_t, run_out, _) = run_pipeline(corpus, &[]);
    let all = lines(corpus);
    assert!(!all.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    let recs = tmp.path().join("records");
    std::fs::create_dir(&recs).unwrap();
    for p in 0..parts {
        let input: String = all
            .iter()
            .enumerate()
            .filter(|(i, _)| i % parts == p)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let (records, _) = extract(&input, &[]);
        assert_eq!(records.len(), input.lines().count(), "one record per line");
        let text: String = records.iter().map(|r| format!("{r}\n")).collect();
        // Reverse names, so assemble reads the parts in another order than they were cut.
        std::fs::write(recs.join(format!("part-{}", parts - p)), text).unwrap();
    }
    let asm = tmp.path().join("asm");
    run_ok(bin().arg("assemble").arg(&recs).arg("--out").arg(&asm));
    same_outputs(&run_out, &asm);
}

#[test]
fn extract_then_assemble_gives_the_bytes_of_run_on_the_demo() {
    split_extract_assemble_is_run(&demo_corpus(), 2);
}

#[test]
fn extract_then_assemble_gives_the_bytes_of_run_on_the_seeds() {
    let Some(seeds) = shared("seeds") else {
        eprintln!("skipped: ../shared/seeds is not here");
        return;
    };
    split_extract_assemble_is_run(&seeds, 3);
}

#[test]
fn extract_writes_one_record_per_line_in_order_and_reports_bad_articles_as_data() {
    let article = "Prime Minister Elena Marsh said 84 people were killed in Port Ellis on Tuesday.";
    let input = [
        serde_json::json!({"id": "a1", "seq": 7, "outlet": "Wire", "text": article}).to_string(),
        "{not json".to_string(),
        serde_json::json!({"id": "a2", "outlet": "Wire"}).to_string(),
        String::new(),
        serde_json::json!({"id": "a3", "format": "html", "text": "<html><body><nav>Home</nav></body></html>"})
            .to_string(),
        serde_json::json!({"text": article, "published": "2024-05-14"}).to_string(),
    ]
    .join("\n")
        + "\n";
    let (records, stderr) = extract(&input, &["--name", "feed.jsonl"]);
    assert_eq!(records.len(), 6, "one record per input line: {records:?}");
    let ok: Vec<bool> = records.iter().map(|r| r["ok"].as_bool().unwrap()).collect();
    assert_eq!(ok, [true, false, false, false, false, true]);
    // The input's id and seq come back; a line without an id is named by its line.
    assert_eq!(records[0]["id"], "a1");
    assert_eq!(records[0]["seq"], 7);
    assert_eq!(records[5]["doc"]["meta"]["doc_id"], "feed.jsonl#6");
    assert_eq!(records[5]["doc"]["meta"]["outlet"], "feed");
    // What the per-document stages found is in the record, with the model's name.
    let doc = &records[0]["doc"];
    assert!(records[0]["model"]
        .as_str()
        .unwrap()
        .starts_with(newsgraph::config::DEFAULT_MODEL));
    let mentions = doc["mentions"].as_array().unwrap();
    assert!(
        mentions
            .iter()
            .any(|m| m["etype"] == "Person" && m["range"]["start"] == 15),
        "{mentions:?}"
    );
    assert_eq!(doc["claims"].as_array().unwrap().len(), 1, "{doc}");
    assert!(doc.get("text").is_none(), "the original text is dropped");
    // Failures say why.
    assert!(records[1]["error"]
        .as_str()
        .unwrap()
        .contains("invalid JSON"));
    assert_eq!(records[1]["path"], "feed.jsonl#2");
    assert!(records[2]["error"]
        .as_str()
        .unwrap()
        .contains("no `text` field"));
    assert_eq!(records[3]["error"], "empty line");
    assert!(records[4]["id"] == "a3" && records[4]["error"].as_str().unwrap() != "");
    assert!(
        stderr.contains("6 lines, 2 documents, 4 without one"),
        "{stderr}"
    );
}

#[test]
fn assemble_names_a_line_that_is_not_a_record_and_goes_on() {
    let article = "Officials said 12 people died in Port Ellis.";
    let input = serde_json::json!({"id": "x", "text": article}).to_string() + "\n";
    let (records, _) = extract(&input, &[]);
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("recs.jsonl");
    std::fs::write(&f, format!("{}\ngarbage\n", records[0])).unwrap();
    let out = tmp.path().join("out");
    let o = run_code(bin().arg("assemble").arg(&f).arg("--out").arg(&out), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("recs.jsonl#2: not a newsgraph extract record"),
        "{err}"
    );
    let docs = jsonl(&out.join("documents.jsonl"));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["doc_id"], "x");
}
