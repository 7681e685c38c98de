//! The NER stage with a tiny randomly initialised model written by the library's own helper in
//! the on-disk format of a trained model, and loaded through the same code.
mod util;
use newsgraph::ner::{self, write_random_model, NerModel};
use util::*;

#[test]
fn random_model_round_trips_through_the_loader() {
    let t = tempfile::tempdir().unwrap();
    write_random_model(t.path(), &["Port", "Ellis", "Marsh"], 7).unwrap();
    for f in ["config.json", "vocab.txt", "rust_model.ot"] {
        assert!(t.path().join(f).is_file());
    }
    let m = NerModel::load(t.path(), tch::Device::Cpu).unwrap();
    assert_eq!(m.labels.len(), 9);
    assert_eq!(m.labels[1], "B-PER");
}

#[test]
fn long_inputs_are_windowed_not_truncated() {
    let t = tempfile::tempdir().unwrap();
    write_random_model(t.path(), &[], 7).unwrap();
    let mut m = NerModel::load(t.path(), tch::Device::Cpu).unwrap();
    m.window = 50;
    m.overlap = 10;
    let text: String = (0..180)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let tok = m.tokenizer.tokenize(&text);
    assert_eq!(tok.words.len(), 180);
    assert!(tok.ids.len() > 150);
    let short = m.tokenizer.tokenize("w1 w2 w3");
    let tags = m.predict(&[tok.clone(), short.clone()], |_| {}).unwrap();
    assert_eq!(
        tags[0].len(),
        tok.ids.len(),
        "every piece of the long input is labelled"
    );
    assert_eq!(tags[1].len(), short.ids.len());
    // The first pieces take their labels from the first window: the same as running it alone.
    let head = ner::Tokenized {
        tokens: tok.tokens[..50].to_vec(),
        ids: tok.ids[..50].to_vec(),
        ..Default::default()
    };
    let alone = m.predict(&[head], |_| {}).unwrap();
    assert_eq!(
        alone[0][..20].iter().map(|t| t.label).collect::<Vec<_>>(),
        tags[0][..20].iter().map(|t| t.label).collect::<Vec<_>>()
    );
    // Word byte ranges slice back to the words.
    for (k, w) in tok.words.iter().enumerate() {
        assert_eq!(&text[w.clone()], format!("w{k}"));
    }
}

#[test]
fn pipeline_runs_with_the_random_model() {
    let t = tempfile::tempdir().unwrap();
    let model = t.path().join("tiny");
    write_random_model(&model, &["Port", "Ellis", "Marsh", "Norland"], 11).unwrap();
    let (_o, out, _) = run_pipeline(&demo_corpus(), &["--model", model.to_str().unwrap()]);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["counts"]["documents"], 5);
    assert_eq!(run["model"]["name"], "tiny");
    // Claims come from rules and do not depend on the model.
    assert!(run["counts"]["claims"].as_u64().unwrap() >= 15);
}

#[cfg(not(feature = "hub"))]
#[test]
fn hub_ids_need_the_hub_feature() {
    let e = NerModel::load(
        std::path::Path::new("dslim/bert-base-NER"),
        tch::Device::Cpu,
    )
    .err()
    .expect("no hub without the feature");
    let msg = e.to_string();
    assert!(
        msg.contains("dslim/bert-base-NER") && msg.contains("--features hub"),
        "{msg}"
    );
}

/// With the `hub` feature and no network (as on the build machines), loading a hub id fails with
/// a message that names the id and the cause.
#[cfg(feature = "hub")]
#[test]
fn hub_ids_fail_clearly_when_offline() {
    let e = NerModel::load(
        std::path::Path::new("dslim/bert-base-NER"),
        tch::Device::Cpu,
    )
    .err()
    .expect("offline");
    let msg = e.to_string();
    assert!(
        msg.contains("dslim/bert-base-NER") && msg.contains("cannot download config.json"),
        "{msg}"
    );
}
