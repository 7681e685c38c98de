//! report.html in a real browser: headless Chromium opens the file from disk (no server, no
//! network), and the DOM shows the comparison tables and the rendered graph. A screenshot is
//! taken into the run's temporary directory (NEWSGRAPH_SCREENSHOT=FILE keeps a copy).
mod util;
use std::process::Command;
use util::*;

fn chromium() -> std::path::PathBuf {
    for p in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if std::path::Path::new(p).exists() {
            return p.into();
        }
    }
    panic!("Chromium is not installed: scripts/test installs the Debian package `chromium`");
}

fn headless(profile: &std::path::Path) -> Command {
    let mut c = Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn report_renders_tables_and_graph_in_chromium() {
    let (_t, out, _) = run_pipeline(&demo_corpus(), &[]);
    let report = out.join("report.html");
    let url = format!("file://{}", report.display());
    let profile = tempfile::tempdir().unwrap();
    let dom = headless(profile.path())
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    let groups = std::fs::read_to_string(out.join("claims_compare.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or("").to_string())
        .collect::<std::collections::BTreeSet<_>>();
    assert!(
        groups.len() >= 3,
        "the demo corpus has several groups: {groups:?}"
    );
    assert_eq!(
        dom.matches("<table class=\"claims\">").count(),
        groups.len(),
        "one table per group"
    );
    assert!(
        dom.contains("class=\"differs\""),
        "discrepancies are highlighted"
    );
    let nodes = dom
        .split("data-rendered=\"")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("the graph script ran");
    assert!(nodes > 20, "{nodes} nodes rendered");
    assert_eq!(dom.matches("<circle").count(), nodes, "one circle per node");
    // A screenshot, in the run's temporary directory (set NEWSGRAPH_SCREENSHOT=FILE to keep a
    // copy for a person to look at).
    let png = out.join("report.png");
    let s = headless(profile.path())
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1400,2200")
        .arg(&url)
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    assert!(
        std::fs::metadata(&png)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "screenshot written"
    );
    if let Some(keep) = std::env::var_os("NEWSGRAPH_SCREENSHOT") {
        std::fs::copy(&png, keep).expect("copy the screenshot");
    }
}
