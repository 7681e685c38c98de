//! Wire style on real Reuters stories (`../shared/corpora/reuters-21578`): "mln dlrs", "cts",
//! "stg" and "pct" are money and percents as Reuters writes them, "vs" is no measure, and the
//! figure after "vs" is the prior period's.
mod util;
use newsgraph::claims::{self, MeasureTable, QuantityKind};
use newsgraph::doc::{DocMeta, Document, View};
use regex::Regex;
use util::*;

#[test]
fn reuters_money_and_percents_parse() {
    let Some(path) = shared("corpora/reuters-21578/reuters-all.jsonl") else {
        eprintln!("../shared/corpora/reuters-21578 is absent: skipping");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let table = MeasureTable::builtin();
    let money = Regex::new(r"\d(\.\d+)? (mln|bln) (dlrs|stg)\b").unwrap();
    let pct = Regex::new(r"\d(\.\d+)? pct\b").unwrap();
    let (mut money_seen, mut money_read, mut pct_seen, mut pct_read, mut claims_n) =
        (0, 0, 0, 0, 0);
    for line in text.lines().take(1000) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let body = v["text"].as_str().unwrap_or_default().to_string();
        let qs = claims::scan(&body);
        let covered = |at: usize, kind: QuantityKind| {
            qs.iter()
                .any(|q| q.kind == kind && q.range.start <= at && at < q.range.end)
        };
        for m in money.find_iter(&body) {
            money_seen += 1;
            money_read += covered(m.start(), QuantityKind::Money) as usize;
        }
        for m in pct.find_iter(&body) {
            pct_seen += 1;
            pct_read += covered(m.start(), QuantityKind::Percent) as usize;
        }
        let mut d = Document::new(DocMeta::default(), body.clone(), View::identity(&body));
        d.sentences = newsgraph::segment::split(&body);
        for c in claims::extract(&d, &table) {
            claims_n += 1;
            assert!(
                !c.measure.split_whitespace().any(|w| w == "vs"),
                "`vs` in the measure of `{}`",
                c.quantity.text
            );
        }
    }
    assert!(
        money_seen > 300 && pct_seen > 300,
        "{money_seen} {pct_seen}"
    );
    assert!(
        money_read * 100 >= money_seen * 99,
        "money {money_read}/{money_seen}"
    );
    assert!(
        pct_read * 100 >= pct_seen * 99,
        "percent {pct_read}/{pct_seen}"
    );
    assert!(claims_n > 1000);
}
