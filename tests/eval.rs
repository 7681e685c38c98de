//! The shipped model on the CoNLL-2003 dev set (when ../shared is present): `eval-ner` reports
//! the F1 written in the model card, above the 0.88 floor.
mod util;
use util::*;

fn card_f1() -> f64 {
    card_value("dev F1 (newsgraph eval-ner)")
}

#[test]
fn dev_f1_matches_the_model_card() {
    let Some(dev) = shared("data/conll2003/dev.txt") else {
        eprintln!("../shared/data/conll2003/dev.txt is absent: skipping");
        return;
    };
    let o = run_ok(
        bin()
            .arg("eval-ner")
            .arg(&dev)
            .args(["--json", "--backend", "torch"]),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f1 = v["f1"].as_f64().unwrap();
    assert!(
        (f1 - card_f1()).abs() < 0.0005,
        "eval-ner F1 {f1} vs model card {}",
        card_f1()
    );
    assert!(
        f1 >= 0.935,
        "dev F1 {f1} is below the 0.935 floor (issue 14)"
    );
    for t in ["PER", "LOC", "ORG", "MISC"] {
        let s = &v["per_type"][t];
        assert!(
            s["f1"].as_f64().unwrap() > 0.7 && s["support"].as_u64().unwrap() > 500,
            "{t}: {s}"
        );
    }
    assert_eq!(v["sentences"], 3250);
}

/// Every shipped variant of the model on dev: onnx fp32 scores what torch scores; int8 loses at
/// most 0.2 points of F1 (the margin the model card states: the all-dynamic int8 graph lost
/// 0.38 and failed this); the default backend is one of them.
#[test]
fn onnx_variants_keep_the_dev_f1_of_the_model_card() {
    let Some(dev) = shared("data/conll2003/dev.txt") else {
        eprintln!("../shared/data/conll2003/dev.txt is absent: skipping");
        return;
    };
    let f1 = |backend: &str| {
        let o = run_ok(
            bin()
                .arg("eval-ner")
                .arg(&dev)
                .args(["--json", "--backend", backend]),
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (
            v["f1"].as_f64().unwrap(),
            v["model"].as_str().unwrap().to_string(),
        )
    };
    let card = card_f1();
    let (fp32, name) = f1("onnx");
    assert!(
        (fp32 - card).abs() < 0.0005,
        "onnx fp32 {fp32} vs card {card}"
    );
    assert!(name.ends_with("(onnx)"), "{name}");
    let (int8, _) = f1("onnx-int8");
    assert!(
        int8 >= card - 0.002 && int8 < card + 0.005,
        "onnx int8 {int8} vs card {card}"
    );
    let (auto, name) = f1("auto");
    assert!(
        name.ends_with("(onnx-int8)"),
        "the default on CPU is int8: {name}"
    );
    assert_eq!(auto, int8);
}

/// Headlines and wire slugs: the dev sentences with every word upper-cased keep at least 0.85
/// F1 (issue 14), because sentences written in capitals are lower-cased before tagging; with
/// that folding switched off in the model's config the same model scores less.
#[test]
fn upper_cased_dev_keeps_its_entities() {
    let Some(dev) = shared("data/conll2003/dev.txt") else {
        eprintln!("../shared/data/conll2003/dev.txt is absent: skipping");
        return;
    };
    let f1 = |model: &std::path::Path| {
        let o = run_ok(
            bin()
                .arg("eval-ner")
                .arg(&dev)
                .args(["--json", "--case", "upper", "--model"])
                .arg(model),
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["f1"].as_f64().unwrap()
    };
    let folded = f1(&shipped_model());
    assert!(folded >= 0.85, "upper-cased dev F1 {folded}");
    // The same weights without folding.
    let t = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(shipped_model()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_owned();
        if name == "config.json" {
            let mut cfg: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            cfg["newsgraph"]["fold_caps"] = serde_json::json!(false);
            std::fs::write(t.path().join(name), cfg.to_string()).unwrap();
        } else {
            std::os::unix::fs::symlink(&p, t.path().join(name)).unwrap();
        }
    }
    let raw = f1(t.path());
    assert!(raw < folded, "without folding {raw}, with {folded}");
}

/// Real headlines in capitals (53 Reuters-21578 titles we labelled, data/eval): the default
/// model keeps at least half of their entities (0.569 when measured; 0.208 before capitals
/// were folded).
#[test]
fn real_reuters_headlines_keep_half_their_entities() {
    let t = tempfile::tempdir().unwrap();
    let conll = t.path().join("headlines.conll");
    let o = std::process::Command::new(repo().join(".venv/bin/python"))
        .arg(repo().join("scripts/reuters_headlines.py"))
        .arg("--corpus")
        .arg(shared("corpora/reuters-21578/reuters-all.jsonl").expect("../shared is present"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(&conll, &o.stdout).unwrap();
    let o = run_ok(bin().arg("eval-ner").arg(&conll).arg("--json"));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sentences"], 53);
    let f1 = v["f1"].as_f64().unwrap();
    assert!(f1 >= 0.5, "headline F1 {f1}");
}

#[test]
fn eval_ner_rejects_a_malformed_file() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("bad.txt");
    std::fs::write(&p, "EU NNP B-ORG\nrejects\n").unwrap();
    run_fails(
        bin().arg("eval-ner").arg(&p),
        "bad.txt: line 2: expected `token ... tag`",
    );
}
