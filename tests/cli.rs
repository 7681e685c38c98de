//! The binary on the demo corpus with the shipped model: every output file, headers, offsets
//! that slice back, stable ids, determinism across thread counts, and error handling.
mod util;
use std::collections::BTreeMap;
use std::path::Path;
use util::*;

fn documents(out: &Path) -> Vec<BTreeMap<String, String>> {
    let (_, rows) = csv_rows(&out.join("neo4j/nodes_Document.csv"));
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .map(|(k, v)| (k.split(':').next().unwrap_or("").to_string(), v))
                .collect()
        })
        .collect()
}

#[test]
fn demo_run_writes_every_file_with_true_offsets() {
    let (_t, out, o) = run_pipeline(&demo_corpus(), &["--threads", "2"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("read 5 documents (0 skipped)"), "{stderr}");
    for f in [
        "graph.graphml",
        "nodes.csv",
        "edges.csv",
        "mentions.jsonl",
        "claims.csv",
        "claims.jsonl",
        "claims_compare.csv",
        "report.md",
        "report.html",
        "run.json",
        "neo4j/import.sh",
        "neo4j/load.cypher",
        "neo4j/nodes_Document.csv",
        "neo4j/rels_MENTIONS.csv",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let (h, _) = csv_rows(&out.join("nodes.csv"));
    assert_eq!(&h[..3], ["id", "type", "label"]);
    let (h, _) = csv_rows(&out.join("edges.csv"));
    assert_eq!(&h[..5], ["id", "type", "from", "to", "weight"]);
    for f in ["nodes.csv", "edges.csv", "claims.csv", "claims_compare.csv"] {
        let (h, _) = csv_rows(&out.join(f));
        let unique: std::collections::BTreeSet<&String> = h.iter().collect();
        assert_eq!(unique.len(), h.len(), "{f} repeats a column: {h:?}");
    }
    let (h, _) = csv_rows(&out.join("claims.csv"));
    for c in [
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
        "as_of",
        "surface",
        "sentence",
        "start",
        "end",
    ] {
        assert!(h.iter().any(|x| x == c), "claims.csv lacks {c}");
    }
    let (h, _) = csv_rows(&out.join("neo4j/nodes_Person.csv"));
    assert_eq!(&h[..2], ["id:ID", ":LABEL"]);
    assert!(
        h.contains(&"mention_count:long".to_string())
            && h.contains(&"ambiguous:boolean".to_string()),
        "{h:?}"
    );
    let (h, _) = csv_rows(&out.join("neo4j/rels_MENTIONS.csv"));
    assert_eq!(&h[..3], [":START_ID", ":END_ID", ":TYPE"]);
    assert!(h.contains(&"count:long".to_string()));

    // Every mention and claim slices back to its surface in the original text (code points).
    let docs = documents(&out);
    let corpus = demo_corpus();
    let mentions = jsonl(&out.join("mentions.jsonl"));
    assert!(mentions.len() > 20, "too few mentions: {}", mentions.len());
    for m in &mentions {
        let text = original_text(&corpus, m["doc_id"].as_str().unwrap(), &docs);
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(cp_slice(&text, s, e), m["surface"].as_str().unwrap(), "{m}");
        assert!(m["entity_id"].is_string() && m["score"].as_f64().unwrap() > 0.0);
    }
    let claims = jsonl(&out.join("claims.jsonl"));
    assert!(claims.len() >= 15, "too few claims: {}", claims.len());
    for c in &claims {
        let text = original_text(&corpus, c["doc_id"].as_str().unwrap(), &docs);
        assert_eq!(
            cp_slice(
                &text,
                c["start"].as_u64().unwrap() as usize,
                c["end"].as_u64().unwrap() as usize
            ),
            c["surface"].as_str().unwrap()
        );
    }
    // Boilerplate never yields anything: the paywall of the Coastal Times piece, "Leave a Reply",
    // the HTML navigation and "Most Popular" aside.
    for row in mentions.iter().chain(&claims) {
        let s = row["sentence"].as_str().unwrap();
        for bad in [
            "Subscribe",
            "4.99",
            "Comment as",
            "Prices rise",
            "storms expected",
            "Wednesday edition",
        ] {
            assert!(!s.contains(bad), "boilerplate leaked: {s}");
        }
    }
    // The manifest names outlets; JSONL lines carry their own.
    let outlets: std::collections::BTreeSet<&str> =
        docs.iter().map(|d| d["outlet"].as_str()).collect();
    assert_eq!(
        outlets.into_iter().collect::<Vec<_>>(),
        [
            "Bay Observer",
            "Coastal Times",
            "Harbour Herald",
            "Meridian Wire",
            "Norland Daily"
        ]
    );
    // HTML <title> fills a missing manifest title.
    assert!(docs
        .iter()
        .any(|d| d["title"] == "Harbour forum: Marsh sets 2030 goal"));
}

/// Copy a directory tree creating its files in reverse order (so the directory order on disk
/// differs from the sorted order).
fn copy_reversed(from: &Path, to: &Path) {
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries.reverse();
    std::fs::create_dir_all(to).unwrap();
    for p in entries {
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_reversed(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn output_is_identical_for_any_thread_count_and_file_order() {
    let shuffled = tempfile::tempdir().unwrap();
    let corpus2 = shuffled.path().join("demo");
    copy_reversed(&demo_corpus(), &corpus2);
    let (_a, out1, _) = run_pipeline(&demo_corpus(), &["--threads", "1"]);
    let (_b, out2, _) = run_pipeline(&corpus2, &["--threads", "2"]);
    let mut files = Vec::new();
    fn walk(dir: &Path, base: &Path, files: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, files);
            } else {
                files.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    walk(&out1, &out1, &mut files);
    files.sort();
    assert!(files.len() >= 15);
    for f in files.iter().filter(|f| *f != "run.json") {
        let a = std::fs::read(out1.join(f)).unwrap();
        let b = std::fs::read(out2.join(f)).unwrap_or_default();
        assert!(
            a == b,
            "{f} differs between --threads 1 and --threads 2 on a copy made in reverse order"
        );
    }
}

#[test]
fn node_ids_are_stable_and_derived_from_names() {
    let (_t, out, _) = run_pipeline(&demo_corpus(), &[]);
    let (_, nodes) = csv_rows(&out.join("nodes.csv"));
    let ids: std::collections::BTreeSet<&str> = nodes.iter().map(|r| r["id"].as_str()).collect();
    assert!(ids.contains("doc:harbour-herald/forum-opens.txt"));
    assert!(ids.contains("outlet:harbour-herald"));
    assert!(ids.contains("per:elena-marsh"), "{ids:?}");
    assert!(ids.contains("loc:port-ellis"), "{ids:?}");
    // "PORT ELLIS, May 14" (a dateline) and the head word "Port" tagged apart are Port Ellis too.
    assert!(
        !ids.contains("loc:ellis") && !ids.contains("org:port"),
        "{ids:?}"
    );
    // Every edge end is a node.
    let (_, edges) = csv_rows(&out.join("edges.csv"));
    for e in &edges {
        assert!(
            ids.contains(e["from"].as_str()) && ids.contains(e["to"].as_str()),
            "dangling edge {e:?}"
        );
    }
}

#[test]
fn bad_inputs_are_skipped_with_reasons_and_the_run_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let c = t.path().join("corpus");
    std::fs::create_dir_all(c.join("wire")).unwrap();
    std::fs::write(
        c.join("good.txt"),
        "Prime Minister Elena Marsh visited Port Ellis on Monday. More than 3,000 people came.",
    )
    .unwrap();
    std::fs::write(c.join("binary.txt"), b"\x00\x01\x02PNG\x00data").unwrap();
    // A page whose article text a script once hid (`i<n` read as a tag) is read whole; a page
    // with nothing but a menu is reported, never passed silently.
    std::fs::write(
        c.join("page.html"),
        "<html><head><script>for(i=0;i<n.length;i++){}</script></head><body><nav>Home</nav>\
<article><p>Prime Minister Elena Marsh opened the new terminal in Calder on Tuesday, and 40 ships \
are expected in its first month, the port authority said in a statement.</p></article></body></html>",
    )
    .unwrap();
    std::fs::write(
        c.join("menu.html"),
        "<html><body><nav><a href='/'>Home</a></nav><div><a href='/a'>World</a></div></body></html>",
    )
    .unwrap();
    std::fs::write(
        c.join("latin1.txt"),
        b"Caf\xe9 owners in Port Ellis said 200 jobs were at risk.",
    )
    .unwrap();
    std::fs::write(
        c.join("wire/feed.jsonl"),
        "{\"text\": \"Marsh spoke in Calder.\"}\n{not json\n{\"title\": \"no text\"}\n",
    )
    .unwrap();
    let out = t.path().join("out");
    let o = bin()
        .arg("run")
        .arg(&c)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "skips give exit code 2: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("skipped binary.txt: binary file"), "{err}");
    assert!(
        err.contains("skipped menu.html: no article text found in the page"),
        "{err}"
    );
    assert!(
        err.contains("skipped wire/feed.jsonl#2: invalid JSON"),
        "{err}"
    );
    assert!(
        err.contains("skipped wire/feed.jsonl#3: no `text` field"),
        "{err}"
    );
    assert!(err.contains("warning: latin1.txt: invalid UTF-8"), "{err}");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["counts"]["documents"], 4);
    assert_eq!(run["skipped"].as_array().unwrap().len(), 4);
    // documents.jsonl: what was read of each document, with its spans in the file.
    let docs = jsonl(&out.join("documents.jsonl"));
    let page = docs.iter().find(|d| d["doc_id"] == "page.html").unwrap();
    let text = page["text"].as_str().unwrap();
    assert!(text.starts_with("Prime Minister Elena Marsh") && text.ends_with("statement."));
    let raw = std::fs::read_to_string(c.join("page.html")).unwrap();
    let spans = page["kept_spans"].as_array().unwrap();
    assert_eq!(spans.len(), 1);
    let (a, b) = (spans[0][0].as_u64().unwrap(), spans[0][1].as_u64().unwrap());
    assert_eq!(cp_slice(&raw, a as usize, b as usize), text);
    // A second run into the same directory is refused without --force, and nothing is lost.
    let before = std::fs::read(out.join("nodes.csv")).unwrap();
    run_fails(
        bin().arg("run").arg(&c).arg("--out").arg(&out),
        "is not empty; pass --force",
    );
    assert_eq!(std::fs::read(out.join("nodes.csv")).unwrap(), before);
    // With --force it is replaced, and no staging directory is left behind, not even one a
    // killed run left (a process id above any Linux pid_max is never alive).
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let stale = out.with_file_name(format!(".{name}.tmp-4000000000"));
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("nodes.csv"), "half-written").unwrap();
    let o = bin()
        .arg("run")
        .arg(&c)
        .arg("--out")
        .arg(&out)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // `newsgraph text` prints what a run reads of a file, and names a file it cannot use.
    let o = bin()
        .arg("text")
        .arg(c.join("page.html"))
        .arg(c.join("menu.html"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim_end(), text);
    assert!(String::from_utf8_lossy(&o.stderr).contains("menu.html: no article text"));
    let left = leftovers(t.path());
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_empty_corpus_gives_an_empty_graph_and_a_warning() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir(t.path().join("corpus")).unwrap();
    std::fs::write(t.path().join("corpus/notes.pdf"), b"%PDF").unwrap();
    let o = bin()
        .arg("run")
        .arg(t.path().join("corpus"))
        .arg("--out")
        .arg(t.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning: no documents in"));
    let (header, rows) = csv_rows(&t.path().join("out/nodes.csv"));
    assert!(header.iter().any(|h| h == "id") && rows.is_empty());
}

#[test]
fn missing_corpus_and_bad_model_are_clear_errors() {
    run_fails(
        bin().args(["run", "/nonexistent/corpus"]),
        "/nonexistent/corpus: corpus directory not found",
    );
    let t = tempfile::tempdir().unwrap();
    run_fails(
        bin()
            .arg("run")
            .arg(demo_corpus())
            .arg("--model")
            .arg(t.path())
            .arg("--out")
            .arg(t.path().join("o")),
        "missing config.json",
    );
    assert!(!t.path().join("o").exists());
    // A corrupt config and a label map of no known entity type: one clear error, no output.
    let model = t.path().join("model");
    std::fs::create_dir_all(&model).unwrap();
    for f in ["vocab.txt", "rust_model.ot"] {
        std::os::unix::fs::symlink(shipped_model().join(f), model.join(f)).unwrap();
    }
    let config = std::fs::read_to_string(shipped_model().join("config.json")).unwrap();
    std::fs::write(model.join("config.json"), &config[..config.len() / 2]).unwrap();
    let run = |m: &Path| {
        let mut c = bin();
        c.arg("run")
            .arg(demo_corpus())
            .arg("--model")
            .arg(m)
            .arg("--out")
            .arg(t.path().join("o"));
        c
    };
    run_fails(&mut run(&model), "config.json: invalid JSON");
    let mut v: serde_json::Value = serde_json::from_str(&config).unwrap();
    for (_, l) in v["id2label"].as_object_mut().unwrap().iter_mut() {
        *l = serde_json::json!(format!("X-{}", l.as_str().unwrap().len()));
    }
    std::fs::write(model.join("config.json"), v.to_string()).unwrap();
    run_fails(&mut run(&model), "names none of the entity types");
    assert!(!t.path().join("o").exists());
    // --device cuda on a machine without a GPU (these test machines have none).
    if !tch::Cuda::is_available() {
        run_fails(
            bin()
                .arg("run")
                .arg(demo_corpus())
                .arg("--device")
                .arg("cuda")
                .arg("--out")
                .arg(t.path().join("o")),
            "--device cuda: no CUDA device is available",
        );
        assert!(!t.path().join("o").exists());
    }
}

#[test]
fn ner_and_quantities_commands_print_offsets() {
    let text = "Prime Minister Elena Marsh opened the forum in Port Ellis.";
    let o = run_ok(bin().args(["ner", "--json", text]));
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v.iter().any(|e| e["text"] == "Elena Marsh"
            && e["type"] == "PER"
            && e["start"] == 15
            && e["end"] == 26),
        "{v:?}"
    );
    let o = run_ok(bin().args([
        "quantities",
        "--json",
        "Über 2,000 people and around 670 million users",
    ]));
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[1]["text"], "around 670 million");
    assert_eq!(
        (v[1]["start"].as_u64(), v[1]["end"].as_u64()),
        (Some(22), Some(40))
    );
    assert_eq!(v[1]["approximate"], true);
}

#[test]
fn a_story_field_puts_documents_in_one_story() {
    let t = tempfile::tempdir().unwrap();
    let c = t.path().join("corpus");
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(
        c.join("feed.jsonl"),
        "{\"id\": \"a\", \"outlet\": \"Wire A\", \"published\": \"2024-05-14\", \"story\": \"harbour\", \"text\": \"Prime Minister Elena Marsh opened the harbour forum in Port Ellis, where 3,000 delegates attended.\"}\n\
{\"id\": \"b\", \"outlet\": \"Wire B\", \"published\": \"2024-09-01\", \"story\": \"harbour\", \"text\": \"The football season in Calder began with a win for the home side before 20,000 fans.\"}\n\
{\"id\": \"c\", \"outlet\": \"Wire C\", \"published\": \"2024-09-01\", \"text\": \"Farmers in the north expect a late harvest after a wet summer, the ministry said.\"}\n",
    )
    .unwrap();
    let (_t2, out, _) = run_pipeline(&c, &[]);
    let (_, stories) = csv_rows(&out.join("stories.csv"));
    assert_eq!(stories.len(), 2, "{stories:?}");
    let given = stories.iter().find(|s| s["given"] == "true").unwrap();
    assert_eq!(given["story_id"], "story:harbour");
    assert_eq!(given["doc_ids"], "a; b");
    assert_eq!(
        (
            given["first_published"].as_str(),
            given["last_published"].as_str()
        ),
        ("2024-05-14", "2024-09-01")
    );
}

/// A file the user may not read is skipped with the system's reason, and the rest goes on. Root
/// reads everything, so under root (as in CI) the run gives up the capabilities that let it
/// (`setpriv`: no CAP_DAC_OVERRIDE, no CAP_DAC_READ_SEARCH) and the file's mode applies.
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_skipped_and_named() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let open = |p: &std::path::Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    open(t.path(), 0o755);
    let c = t.path().join("corpus");
    std::fs::create_dir_all(&c).unwrap();
    open(&c, 0o755);
    let article = "Prime Minister Elena Marsh visited Port Ellis on Monday.";
    std::fs::write(c.join("good.txt"), article).unwrap();
    open(&c.join("good.txt"), 0o644);
    std::fs::write(c.join("secret.txt"), article).unwrap();
    open(&c.join("secret.txt"), 0o000);
    let outs = t.path().join("outs");
    std::fs::create_dir_all(&outs).unwrap();
    open(&outs, 0o777);
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--bounding-set", "-dac_override,-dac_read_search", "--"])
            .arg(env!("CARGO_BIN_EXE_newsgraph"));
        c
    } else {
        bin()
    };
    let o = run_code(
        cmd.arg("run")
            .arg(&c)
            .arg("--out")
            .arg(outs.join("out"))
            .args(["--threads", "2"]),
        2,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("skipped secret.txt: ") && err.contains("ermission denied"),
        "{err}"
    );
    let docs = jsonl(&outs.join("out/documents.jsonl"));
    let ids: Vec<&str> = docs.iter().map(|d| d["doc_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["good.txt"]);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(outs.join("out/run.json")).unwrap()).unwrap();
    assert_eq!(
        run["skipped"][0]["path"], "secret.txt",
        "{}",
        run["skipped"]
    );
}

#[test]
fn hostile_inputs_are_named_and_the_run_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let c = t.path().join("corpus");
    std::fs::create_dir_all(c.join("sub")).unwrap();
    let article =
        "Prime Minister Elena Marsh visited Port Ellis on Monday, where 300 people met her.";
    std::fs::write(c.join("good.txt"), article).unwrap();
    // Empty, only boilerplate, CRLF, a UTF-8 byte-order mark, UTF-16 with one.
    std::fs::write(c.join("empty.txt"), "").unwrap();
    std::fs::write(c.join("chrome.txt"), "Advertisement\nShare\n").unwrap();
    std::fs::write(c.join("crlf.txt"), article.replace(", ", ",\r\n")).unwrap();
    std::fs::write(c.join("bom.txt"), format!("\u{feff}{article}")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in article.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    std::fs::write(c.join("utf16.txt"), utf16).unwrap();
    // A symlink loop and a 10,000-word sentence with no punctuation.
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", c.join("sub/loop")).unwrap();
    std::fs::write(c.join("long.txt"), "word ".repeat(10_000)).unwrap();
    // Files that cannot be read: a link to nothing, and a named pipe (reading it would wait
    // forever for a writer).
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/nonexistent/article.txt", c.join("gone.txt")).unwrap();
        let fifo = std::ffi::CString::new(c.join("pipe.txt").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo only creates a file system entry at a valid C string path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    }
    // A manifest with one bad row: the row is named, the others are used.
    std::fs::write(
        c.join("manifest.csv"),
        "path,outlet,published\ngood.txt,Good Paper,2024-05-14\nbom.txt,Bom Paper,2024-13-45\n",
    )
    .unwrap();
    let out = t.path().join("out");
    let o = run_code(bin().arg("run").arg(&c).arg("--out").arg(&out), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("skipped empty.txt: empty file"), "{err}");
    assert!(err.contains("skipped chrome.txt: nothing left"), "{err}");
    #[cfg(unix)]
    {
        assert!(err.contains("skipped gone.txt: "), "{err}");
        assert!(
            err.contains("skipped pipe.txt: not a regular file"),
            "{err}"
        );
    }
    assert!(
        err.contains("skipped manifest.csv#3: manifest row not used: published `2024-13-45`"),
        "{err}"
    );
    let docs = jsonl(&out.join("documents.jsonl"));
    let ids: Vec<&str> = docs.iter().map(|d| d["doc_id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["bom.txt", "crlf.txt", "good.txt", "long.txt", "utf16.txt"]
    );
    let good = docs.iter().find(|d| d["doc_id"] == "good.txt").unwrap();
    assert_eq!(
        (good["outlet"].as_str(), good["published"].as_str()),
        (Some("Good Paper"), Some("2024-05-14"))
    );
    // The same article in every encoding gives the same text, and offsets slice it back.
    let (_, mentions) = (0, jsonl(&out.join("mentions.jsonl")));
    for d in ["bom.txt", "crlf.txt", "good.txt", "utf16.txt"] {
        let m = mentions
            .iter()
            .find(|m| m["doc_id"] == d && m["surface"] == "Elena Marsh")
            .unwrap_or_else(|| panic!("Elena Marsh in {d}"));
        let text = if d == "utf16.txt" {
            article.to_string()
        } else {
            std::fs::read_to_string(c.join(d)).unwrap()
        };
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(cp_slice(&text, s, e), "Elena Marsh", "{d}");
    }
    // An output inside the corpus is refused before any work.
    run_fails(
        bin().arg("run").arg(&c).arg("--out").arg(c.join("sub/out")),
        "is inside the corpus",
    );
    assert!(!c.join("sub/out").exists());
}

/// `--backend auto` says which backend it took and why; without the ONNX files it warns that
/// it falls back to torch and names the command that makes them, on stderr and in run.json.
#[test]
fn auto_backend_reports_its_choice_and_the_torch_fallback() {
    let t = tempfile::tempdir().unwrap();
    let model = t.path().join("model");
    std::fs::create_dir_all(&model).unwrap();
    for f in std::fs::read_dir(shipped_model()).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".onnx") && !name.ends_with(".recipe") && f.is_file() {
            std::os::unix::fs::symlink(&f, model.join(&name)).unwrap();
        }
    }
    let out = t.path().join("out");
    let o = run_ok(
        bin()
            .arg("run")
            .arg(demo_corpus())
            .arg("--out")
            .arg(&out)
            .arg("--model")
            .arg(&model),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("warning: backend torch (auto:"), "{err}");
    assert!(err.contains("bash scripts/setup"), "{err}");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["model"]["backend"], "torch");
    assert!(run["model"]["backend_reason"]
        .as_str()
        .unwrap()
        .contains("falls back to torch"));
    // With the ONNX files: the int8 graph, and why.
    let out2 = t.path().join("out2");
    let o = run_ok(bin().arg("run").arg(demo_corpus()).arg("--out").arg(&out2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("newsgraph: backend onnx-int8 (auto:"), "{err}");
    assert!(!err.contains("warning: backend"), "{err}");
}

/// Structures nested past any stack: 200,000 nested `<div>`s, 100,000 unclosed `<b>` tags and
/// a JSONL line nested 100,000 deep, each beside a normal article that is still read; the
/// deep page's text is read flat, the JSONL line is skipped with its reason.
#[test]
fn deeply_nested_inputs_cannot_stop_a_run() {
    let t = tempfile::tempdir().unwrap();
    let c = t.path().join("corpus");
    std::fs::create_dir_all(&c).unwrap();
    let para = "<p>Prime Minister Elena Marsh visited Port Ellis on Monday, where 300 people met \
                her and the council, and the visit went on until the evening without a break.</p>";
    let deep = format!(
        "<html><body>{}{para}{}</body></html>",
        "<div>".repeat(200_000),
        "</div>".repeat(200_000)
    );
    std::fs::write(c.join("deep.html"), deep).unwrap();
    let bold = format!("<html><body>{}{para}</body></html>", "<b>".repeat(100_000));
    std::fs::write(c.join("bold.html"), bold).unwrap();
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(
        c.join("lines.jsonl"),
        format!(
            "{{\"id\":\"deep\",\"text\":{nested}}}\n{{\"id\":\"ok\",\"text\":\"Elena Marsh met 300 people in Port Ellis.\"}}\n"
        ),
    )
    .unwrap();
    let out = t.path().join("out");
    let o = run_code(bin().arg("run").arg(&c).arg("--out").arg(&out), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("skipped lines.jsonl#1: invalid JSON"), "{err}");
    let docs = jsonl(&out.join("documents.jsonl"));
    let ids: Vec<&str> = docs.iter().map(|d| d["doc_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["bold.html", "deep.html", "ok"], "{err}");
    let mentions = jsonl(&out.join("mentions.jsonl"));
    for d in ["bold.html", "deep.html", "ok"] {
        assert!(
            mentions
                .iter()
                .any(|m| m["doc_id"] == d && m["surface"] == "Elena Marsh"),
            "Elena Marsh in {d}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_signal_during_a_forced_run_leaves_the_previous_output_intact() {
    use std::os::unix::process::CommandExt;
    let Some(corpus) = shared("corpora/multioutlet-dev") else {
        eprintln!("../shared/corpora/multioutlet-dev is absent: skipping");
        return;
    };
    let (t, out, _) = run_pipeline(&demo_corpus(), &[]);
    let before = std::fs::read(out.join("nodes.csv")).unwrap();
    for signal in ["TERM", "INT"] {
        // In its own process group, so the signal reaches the run itself, and with SIGINT
        // at its default (a shell running this test in the background ignores it, and an
        // ignored signal is inherited).
        let mut cmd = bin();
        cmd.arg("run")
            .arg(&corpus)
            .arg("--out")
            .arg(&out)
            .arg("--force")
            .process_group(0);
        // SAFETY: between fork and exec only async-signal-safe calls: signal(2).
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGTERM, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = cmd.stderr(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2500));
        let pgid = format!("-{}", child.id());
        let k = std::process::Command::new("kill")
            .args([&format!("-{signal}"), "--", &pgid])
            .status()
            .unwrap();
        assert!(k.success());
        let status = child.wait().unwrap();
        assert!(!status.success(), "the run was still going when signalled");
        assert_eq!(
            std::fs::read(out.join("nodes.csv")).unwrap(),
            before,
            "SIG{signal}"
        );
    }
    // The next run removes the staging directories the killed runs left.
    run_ok(
        bin()
            .arg("run")
            .arg(demo_corpus())
            .arg("--out")
            .arg(&out)
            .arg("--force"),
    );
    let left = leftovers(t.path());
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_single_jsonl_file_is_a_corpus() {
    let feed = demo_corpus().join("wires/feed.jsonl");
    let (_t, out, _) = run_pipeline(&feed, &[]);
    let docs = jsonl(&out.join("documents.jsonl"));
    let ids: Vec<&str> = docs.iter().map(|d| d["doc_id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["observer-0515-forum", "wire-0514-ports"],
        "sorted by document id, whatever the line order"
    );
    run_fails(
        bin().arg("run").arg(demo_corpus().join("manifest.csv")),
        "a corpus is a directory or a .jsonl file",
    );
}
