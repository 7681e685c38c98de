//! report.html in a real browser: headless Chromium opens the file from disk (no server, no
//! network), clicks into every story of the demo run from the index, and checks its charts,
//! timeline and graph; screenshots prove by pixels that charts and graph draw something.
mod util;
use util::browser::*;
use util::*;

#[test]
fn report_opens_every_story_with_charts_and_a_readable_graph() {
    let (_t, out, _) = run_pipeline(&demo_corpus(), &[]);
    let t = check_report(&out);
    let stories = t["stories"].as_array().unwrap();
    let groups: u64 = stories.iter().map(|s| s["groups"].as_u64().unwrap()).sum();
    assert!(groups >= 3, "the demo corpus has several groups: {t}");
    let first = stories[0]["id"].as_str().unwrap().to_string();
    check_pixels(&out, 0, &first);
    // The report's data is one JSON block with the groups of claims_compare.csv.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let compared = std::fs::read_to_string(out.join("claims_compare.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or("").to_string())
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(compared.len() as u64, groups);
    for g in &compared {
        assert!(html.contains(&format!("\"id\":\"{g}\"")), "{g} in the page");
    }
    assert!(
        !html.contains("<script src") && !html.contains("<link"),
        "the page loads nothing from elsewhere"
    );
}
