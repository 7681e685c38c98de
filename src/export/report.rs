//! `report.md` and `report.html`: the comparison, outlet by outlet, for a newsroom. The HTML is
//! one self-contained file that opens from disk with no network: an index of stories (those with
//! conflicting or updated figures first), and a page per story with its documents on a timeline,
//! a chart of each claim group's figures (one mark per claim: a point, an interval's bar or an
//! open-ended arrow, coloured by verdict; copies hollow), the rise of an updated figure as a step
//! line, and the story's graph laid out by fCoSE in Cytoscape.js (vendored), with zoom, search,
//! node types to toggle, labels that never overlap, and each node's provenance on click. The data
//! is one JSON block the page's script (`assets/report.js`) draws from.
use crate::compare::{ClaimRecord, Group, Verdict};
use crate::error::{Error, Result};
use crate::graph::{format_float, EdgeKind, Graph};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use std::path::Path;

/// What `report.html` shows of the graph: the stories in the order a reader cares about, each
/// with its documents, its claim groups and the part of the graph its documents state (every
/// edge whose provenance is one of them, and the ends of those edges), and the nodes these
/// refer to, with their properties.
#[derive(Debug, Default, Serialize)]
pub struct ViewGraph {
    pub nodes: Vec<ViewNode>,
    pub stories: Vec<StoryView>,
    /// Stories past [`MAX_STORIES`], listed in `stories.csv` and `report.md` only.
    pub stories_left_out: usize,
}

#[derive(Debug, Serialize)]
pub struct ViewNode {
    pub id: String,
    pub label: String,
    pub kind: String,
    pub props: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct StoryView {
    pub id: String,
    pub label: String,
    /// Its documents (indices into `nodes`), by publication date, outlet and id.
    pub docs: Vec<usize>,
    /// Its claim groups (indices into the groups given), in [`verdict_rank`] order, larger
    /// first.
    pub groups: Vec<usize>,
    /// Its graph; `None` once [`MAX_GRAPH_NODES`] are spent on the stories before it.
    pub graph: Option<StoryGraph>,
}

#[derive(Debug, Serialize)]
pub struct StoryGraph {
    /// Indices into `nodes`.
    pub nodes: Vec<usize>,
    /// Ends as indices into this graph's `nodes`, and the kind; one edge per kind and pair.
    pub edges: Vec<(usize, usize, String)>,
    /// How many nodes the story's documents state (more than `nodes` when cut to the cap).
    pub total: usize,
}

/// A story's graph is laid out in the browser (fCoSE); past a few hundred nodes nobody reads it,
/// so a larger one keeps its story, outlets, documents and claim groups, then the claims
/// compared in groups, then names, then the rest, the most connected first (ties by id).
/// Claims compared in no group are never drawn (`claims.csv` and the graph files have them).
pub const MAX_STORY_NODES: usize = 300;
/// Nodes of all story graphs together, which keeps the page quick to open.
pub const MAX_GRAPH_NODES: usize = 60_000;
/// Stories listed in the page (the interesting first); the rest are in `stories.csv`.
pub const MAX_STORIES: usize = 5_000;
/// Longest property value the page carries (the files keep them whole).
const MAX_PROP_CHARS: usize = 240;
/// The properties a node shows on click: its provenance and what it is (the files have all).
const SHOWN_PROPS: &[&str] = &[
    "doc_id",
    "outlet",
    "start",
    "end",
    "sentence",
    "title",
    "url",
    "published",
    "first_published",
    "last_published",
    "aliases",
    "ner_types",
    "mention_count",
    "document_count",
    "surface",
    "value",
    "lower",
    "upper",
    "unit",
    "measure",
    "subject",
    "verdict",
    "spread",
    "role",
    "text",
    "speaker_id",
];

/// How much a verdict matters to a reader: conflicts and updates (the larger group first, so
/// a story's headline toll leads), then figures that are compatible, that agree, that have one
/// source.
pub fn verdict_rank(v: Verdict) -> usize {
    match v {
        Verdict::Conflict | Verdict::Updated => 0,
        Verdict::Compatible => 1,
        Verdict::Agree => 2,
        Verdict::SingleSource => 3,
    }
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_PROP_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

impl ViewGraph {
    pub fn from_graph(g: &Graph, groups: &[Group]) -> ViewGraph {
        let nodes = g
            .nodes()
            .into_iter()
            .map(|n| (n.id.as_str(), n.label.as_str(), n.kind().as_str(), n))
            .collect();
        let edges = g
            .edge_ends()
            .filter(|(_, _, k, _)| *k != EdgeKind::CoOccurs)
            .map(|(a, b, k, d)| (a, b, k.as_str(), d.prov().map_or("", |p| &*p.doc_id)))
            .collect();
        ViewGraph::from_rows(nodes, edges, groups, |n| {
            n.props()
                .into_iter()
                .filter(|(k, v)| v.type_name().is_some() && *k != "label")
                .map(|(k, v)| (k.to_string(), v.render()))
                .filter(|(_, v)| !v.is_empty())
                .collect()
        })
    }

    /// Build from rows `(id, label, kind, handle)` in id order and edges `(from, to, kind,
    /// doc_id)`; `props` gives the properties of a node that is shown.
    pub fn from_rows<'a, P>(
        nodes: Vec<(&'a str, &'a str, &'a str, P)>,
        edges: Vec<(&'a str, &'a str, &'a str, &'a str)>,
        groups: &[Group],
        props: impl Fn(&P) -> BTreeMap<String, String>,
    ) -> ViewGraph {
        let index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.0, i)).collect();
        let kind = |i: usize| nodes[i].2;
        let mut resolved: Vec<(usize, usize, &str, &str)> = edges
            .iter()
            .filter(|e| e.2 != "CO_OCCURS")
            .filter_map(|&(a, b, k, d)| Some((*index.get(a)?, *index.get(b)?, k, d)))
            .collect();
        resolved.sort_unstable();
        resolved.dedup_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2));
        let (docs_of, story_of) = stories_and_documents(&resolved, &kind, |i| {
            let p = props(&nodes[i].3);
            let get = |k: &str| p.get(k).cloned().unwrap_or_default();
            (get("published"), get("outlet"))
        });
        let groups_of = groups_by_story(groups, |s| {
            index.get(s).copied().filter(|s| docs_of.contains_key(s))
        });
        let mut order: Vec<Option<usize>> = docs_of.keys().map(|&s| Some(s)).collect();
        if groups_of.contains_key(&None) {
            order.push(None);
        }
        // Stories with conflicts, then updates, then more groups, then more documents.
        order.sort_by_cached_key(|&s| {
            let gs = groups_of.get(&s).map(Vec::as_slice).unwrap_or(&[]);
            let count = |v: Verdict| gs.iter().filter(|&&g| groups[g].verdict == v).count();
            (
                std::cmp::Reverse(count(Verdict::Conflict)),
                std::cmp::Reverse(count(Verdict::Updated)),
                std::cmp::Reverse(gs.len()),
                std::cmp::Reverse(s.and_then(|s| docs_of.get(&s)).map_or(0, Vec::len)),
                s.map(|s| nodes[s].0),
            )
        });
        let stories_left_out = order.len().saturating_sub(MAX_STORIES);
        order.truncate(MAX_STORIES);
        // Each story's edges: those whose provenance is one of its documents.
        let mut edges_of: HashMap<usize, Vec<(usize, usize, &str)>> = HashMap::new();
        for &(a, b, k, d) in &resolved {
            if let Some(&s) = story_of.get(d) {
                edges_of.entry(s).or_default().push((a, b, k));
            }
        }
        let mut used = vec![false; nodes.len()];
        let mut spent = 0usize;
        let mut stories = Vec::new();
        for s in order {
            let docs = s.and_then(|s| docs_of.get(&s)).cloned().unwrap_or_default();
            let graph = s.and_then(|s| {
                let edges = edges_of.get(&s).map(Vec::as_slice).unwrap_or(&[]);
                let g = story_graph(s, &docs, edges, &kind, |i| nodes[i].0);
                (spent + g.nodes.len() <= MAX_GRAPH_NODES).then_some(g)
            });
            if let Some(g) = &graph {
                spent += g.nodes.len();
                g.nodes.iter().for_each(|&i| used[i] = true);
            }
            docs.iter().for_each(|&i| used[i] = true);
            if let Some(s) = s {
                used[s] = true;
            }
            stories.push((s, docs, graph));
        }
        // Keep the nodes referred to, in id order, and renumber.
        let mut at = vec![usize::MAX; nodes.len()];
        let mut view = ViewGraph {
            stories_left_out,
            ..ViewGraph::default()
        };
        for (i, (id, label, kind, handle)) in nodes.iter().enumerate() {
            if used[i] {
                at[i] = view.nodes.len();
                view.nodes.push(ViewNode {
                    id: id.to_string(),
                    label: clip(label),
                    kind: kind.to_string(),
                    props: props(handle)
                        .into_iter()
                        .filter(|(k, _)| SHOWN_PROPS.contains(&k.as_str()))
                        .map(|(k, v)| (k, clip(&v)))
                        .collect(),
                });
            }
        }
        for (s, docs, graph) in stories {
            view.stories.push(StoryView {
                id: s.map(|s| nodes[s].0.to_string()).unwrap_or_default(),
                label: s.map_or_else(|| "(no story)".to_string(), |s| nodes[s].1.to_string()),
                docs: docs.iter().map(|&i| at[i]).collect(),
                groups: groups_of.get(&s).cloned().unwrap_or_default(),
                graph: graph.map(|mut g| {
                    g.nodes.iter_mut().for_each(|i| *i = at[*i]);
                    g
                }),
            });
        }
        view
    }

    /// Read `nodes.csv` and `edges.csv` of an output directory.
    pub fn read(dir: &Path, groups: &[Group]) -> Result<ViewGraph> {
        let read = |name: &str| -> Result<(Vec<String>, Vec<Vec<String>>)> {
            let p = dir.join(name);
            let mut r = csv::Reader::from_path(&p).map_err(|e| Error::input(&p, e.to_string()))?;
            let h: Vec<String> = r
                .headers()
                .map_err(|e| Error::input(&p, e.to_string()))?
                .iter()
                .map(String::from)
                .collect();
            let rows = r
                .records()
                .map(|x| {
                    x.map(|x| x.iter().map(String::from).collect())
                        .map_err(|e| Error::input(&p, e.to_string()))
                })
                .collect::<Result<Vec<Vec<String>>>>()?;
            Ok((h, rows))
        };
        let (nh, nrows) = read("nodes.csv")?;
        let (eh, erows) = read("edges.csv")?;
        let short = |p: &str| Error::input(dir.join(p), "a row with fewer columns than its header");
        if nrows.iter().any(|r| r.len() < 3) {
            return Err(short("nodes.csv"));
        }
        let doc_col = eh.iter().position(|h| h == "doc_id");
        if erows.iter().any(|r| r.len() < 4) {
            return Err(short("edges.csv"));
        }
        let mut nodes: Vec<_> = nrows
            .iter()
            .map(|r| (r[0].as_str(), r[2].as_str(), r[1].as_str(), r))
            .collect();
        nodes.sort_by(|a, b| a.0.cmp(b.0));
        let edges = erows
            .iter()
            .map(|r| {
                let d = doc_col.and_then(|c| r.get(c)).map_or("", String::as_str);
                (r[2].as_str(), r[3].as_str(), r[1].as_str(), d)
            })
            .collect();
        Ok(ViewGraph::from_rows(nodes, edges, groups, |r| {
            nh.iter()
                .zip(r.iter())
                .skip(3)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }))
    }
}

/// The documents of each story (by publication date, outlet and id; `date_outlet` reads them
/// of a document) and the story of each document id, from the IN_STORY edges (whose
/// provenance is the document).
fn stories_and_documents<'a, 'e>(
    edges: &[(usize, usize, &str, &'e str)],
    kind: &impl Fn(usize) -> &'a str,
    date_outlet: impl Fn(usize) -> (String, String),
) -> (BTreeMap<usize, Vec<usize>>, HashMap<&'e str, usize>) {
    let mut docs_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut story_of = HashMap::new();
    for &(a, b, k, d) in edges {
        if k == "IN_STORY" && kind(a) == "Document" && kind(b) == "Story" {
            docs_of.entry(b).or_default().push(a);
            story_of.insert(d, b);
        }
    }
    for d in docs_of.values_mut() {
        let mut keyed: Vec<((String, String), usize)> =
            d.iter().map(|&i| (date_outlet(i), i)).collect();
        keyed.sort();
        *d = keyed.into_iter().map(|k| k.1).collect();
    }
    (docs_of, story_of)
}

/// The groups of each story (`story` finds a group's story node; `None` gathers the groups of
/// no known story), in [`verdict_rank`] order, larger first, then by id.
fn groups_by_story(
    groups: &[Group],
    story: impl Fn(&str) -> Option<usize>,
) -> BTreeMap<Option<usize>, Vec<usize>> {
    let mut out: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for (gi, g) in groups.iter().enumerate() {
        out.entry(g.story.as_deref().and_then(&story))
            .or_default()
            .push(gi);
    }
    for v in out.values_mut() {
        v.sort_by_key(|&g| {
            let g = &groups[g];
            (
                verdict_rank(g.verdict),
                std::cmp::Reverse(g.members.len()),
                g.id.as_str(),
            )
        });
    }
    out
}

/// One story's graph from its edges: the story, its documents and every end, cut to
/// [`MAX_STORY_NODES`] by rank (see there).
fn story_graph<'a>(
    story: usize,
    docs: &[usize],
    edges: &[(usize, usize, &str)],
    kind: &impl Fn(usize) -> &'a str,
    id: impl Fn(usize) -> &'a str,
) -> StoryGraph {
    // A claim compared in no group is in the files, not in the picture.
    let grouped: std::collections::HashSet<usize> = edges
        .iter()
        .filter(|e| e.2 == "IN_GROUP")
        .map(|e| e.0)
        .collect();
    let shown = |i: usize| kind(i) != "Claim" || grouped.contains(&i);
    let edges: Vec<(usize, usize, &str)> = edges
        .iter()
        .copied()
        .filter(|&(a, b, _)| shown(a) && shown(b))
        .collect();
    let mut degree: BTreeMap<usize, usize> = BTreeMap::new();
    degree.insert(story, 0);
    for &d in docs {
        degree.insert(d, 0);
    }
    for &(a, b, _) in &edges {
        *degree.entry(a).or_default() += 1;
        *degree.entry(b).or_default() += 1;
    }
    let total = degree.len();
    let tier = |i: usize| match kind(i) {
        "Story" | "Outlet" | "Document" | "ClaimGroup" => 0,
        "Claim" => 1,
        "Person" | "Organization" | "Location" | "Misc" => 2,
        _ => 3,
    };
    let mut keep: Vec<usize> = degree.keys().copied().collect();
    if keep.len() > MAX_STORY_NODES {
        keep.sort_by(|&a, &b| {
            (tier(a), std::cmp::Reverse(degree[&a]), id(a)).cmp(&(
                tier(b),
                std::cmp::Reverse(degree[&b]),
                id(b),
            ))
        });
        keep.truncate(MAX_STORY_NODES);
        keep.sort_unstable();
    }
    let local: HashMap<usize, usize> = keep.iter().enumerate().map(|(l, &i)| (i, l)).collect();
    let mut out: Vec<(usize, usize, String)> = edges
        .iter()
        .filter_map(|&(a, b, k)| Some((*local.get(&a)?, *local.get(&b)?, k.to_string())))
        .collect();
    out.sort();
    out.dedup();
    StoryGraph {
        nodes: keep,
        edges: out,
        total,
    }
}

fn bound(c: &ClaimRecord) -> String {
    let mut s = String::new();
    match (c.lower, c.upper) {
        (Some(l), Some(u)) => s.push_str(&format!(
            "{}{}, {}{}",
            if c.lower_inclusive == Some(false) {
                "("
            } else {
                "["
            },
            format_float(l),
            format_float(u),
            if c.upper_inclusive == Some(false) {
                ")"
            } else {
                "]"
            }
        )),
        (Some(l), None) => s.push_str(&format!(
            "{} {}",
            if c.lower_inclusive == Some(false) {
                ">"
            } else {
                ">="
            },
            format_float(l)
        )),
        (None, Some(u)) => s.push_str(&format!(
            "{} {}",
            if c.upper_inclusive == Some(false) {
                "<"
            } else {
                "<="
            },
            format_float(u)
        )),
        (None, None) => s.push_str(&format!("= {}", format_float(c.value))),
    }
    if c.approximate {
        s.push_str(" (approx.)");
    }
    s
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Story headings by id, from a run's `stories.csv` (empty when there is none): the label, how
/// many documents and outlets, and the span of publication ("Fort Hood / Navy Yard: 14
/// documents, 6 outlets, 2013-09-16 to 2013-09-17, 2 days").
pub fn read_story_labels(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(mut r) = csv::Reader::from_path(dir.join("stories.csv")) {
        for rec in r.records().flatten() {
            let Some(id) = rec.get(0) else { continue };
            let label = rec.get(1).unwrap_or(id);
            let size = match (rec.get(5), rec.get(6)) {
                (Some(d), Some(o)) if !d.is_empty() => {
                    let plural = |n: &str, w: &str| {
                        if n == "1" {
                            format!("{n} {w}")
                        } else {
                            format!("{n} {w}s")
                        }
                    };
                    let mut s = format!(": {}, {}", plural(d, "document"), plural(o, "outlet"));
                    match (rec.get(2), rec.get(3), rec.get(4)) {
                        (Some(a), Some(b), Some(days)) if !a.is_empty() && a != b => {
                            s.push_str(&format!(", {a} to {b}, {}", plural(days, "day")))
                        }
                        (Some(a), _, _) if !a.is_empty() => s.push_str(&format!(", {a}")),
                        _ => {}
                    }
                    s
                }
                _ => String::new(),
            };
            out.insert(id.to_string(), format!("{label}{size}"));
        }
    }
    out
}

/// A figure's timeline: `2016-07-14: 40, 77 -> 2016-07-15: 84`.
fn timeline(g: &Group) -> String {
    g.series
        .iter()
        .map(|(d, vs)| {
            let vs: Vec<String> = vs.iter().map(|v| format_float(*v)).collect();
            format!("{d}: {}", vs.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

fn story_title(g: &Group, labels: &BTreeMap<String, String>) -> String {
    match g.story.as_deref() {
        Some(id) => labels.get(id).cloned().unwrap_or_else(|| id.to_string()),
        None => "(no story)".to_string(),
    }
}

/// `report.md` and `report.html`: the comparison by story, then the graph.
pub fn write_reports(
    claims: &[ClaimRecord],
    groups: &[Group],
    labels: &BTreeMap<String, String>,
    view: &ViewGraph,
    dir: &Path,
) -> Result<()> {
    super::write_file(&dir.join("report.md"), |w| {
        writeln!(w, "# Numeric claims across outlets\n")?;
        let n = |v: Verdict| groups.iter().filter(|g| g.verdict == v).count();
        writeln!(
            w,
            "{} claims, {} groups compared within their stories: {} agree, {} compatible, {} conflict, {} updated, {} single source.\n",
            claims.len(),
            groups.len(),
            n(Verdict::Agree),
            n(Verdict::Compatible),
            n(Verdict::Conflict),
            n(Verdict::Updated),
            n(Verdict::SingleSource)
        )?;
        let mut story: Option<&str> = None;
        for g in groups {
            if story != Some(g.story.as_deref().unwrap_or("")) {
                story = Some(g.story.as_deref().unwrap_or(""));
                writeln!(w, "## Story: {}\n", story_title(g, labels))?;
            }
            writeln!(
                w,
                "### {} — {} ({})\n",
                g.subject.as_deref().unwrap_or("(no subject)"),
                g.measure,
                g.unit
            )?;
            writeln!(
                w,
                "Verdict: **{}**, spread {:.1} %, {} independent source(s): {}.{}{}\n",
                g.verdict.as_str(),
                g.spread * 100.0,
                g.sources.len(),
                g.sources.join(", "),
                if g.series.is_empty() {
                    String::new()
                } else {
                    format!(" Timeline: {}.", timeline(g))
                },
                if g.notes.is_empty() {
                    String::new()
                } else {
                    format!(" Note: {}.", g.notes.join("; "))
                }
            )?;
            writeln!(
                w,
                "| outlet | document | figure | reading | as of | sentence |"
            )?;
            writeln!(w, "|---|---|---|---|---|---|")?;
            for &i in &g.members {
                let c = &claims[i];
                writeln!(
                    w,
                    "| {} | {} | {} | {} | {} | {} |",
                    md_cell(&c.outlet),
                    md_cell(&c.doc_id),
                    md_cell(&c.surface),
                    md_cell(&bound(c)),
                    c.as_of.as_deref().unwrap_or(""),
                    md_cell(&c.sentence)
                )?;
            }
            writeln!(w)?;
        }
        Ok(())
    })?;
    let page = Page::new(claims, groups, view);
    let data = serde_json::to_string(&page)
        .map_err(|e| Error::output(dir, e.to_string()))?
        .replace("</", "<\\/");
    super::write_file(&dir.join("report.html"), |w| {
        writeln!(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>newsgraph report</title>")?;
        writeln!(w, "<style>{CSS}</style></head><body>")?;
        writeln!(w, "<main id=\"app\"><h1>Numeric claims across outlets</h1><noscript>This page draws its charts and graphs with JavaScript; <code>report.md</code> holds the same comparison as text.</noscript></main>")?;
        writeln!(
            w,
            "<script type=\"application/json\" id=\"data\">{data}</script>"
        )?;
        // The graph layout library, vendored (see assets/vendor/README.md for versions and
        // licences), then the page's own script.
        for lib in VENDORED {
            writeln!(w, "<script>{lib}</script>")?;
        }
        writeln!(w, "<script>{JS}</script></body></html>")
    })
}

/// What `report.html` carries: the groups, the claims in them, the stories and their graphs.
#[derive(Serialize)]
struct Page<'a> {
    claims_total: usize,
    verdicts: BTreeMap<&'static str, usize>,
    graph: &'a ViewGraph,
    /// In the order given; stories refer to them by index.
    groups: Vec<PageGroup<'a>>,
    /// The claims of the groups, each once.
    claims: Vec<PageClaim<'a>>,
}

#[derive(Serialize)]
struct PageGroup<'a> {
    id: &'a str,
    subject: Option<&'a str>,
    measure: &'a str,
    unit: &'a str,
    kind: &'a str,
    verdict: &'static str,
    spread: f64,
    sources: &'a [String],
    notes: &'a [String],
    series: &'a [(String, Vec<f64>)],
    /// Indices into the page's claims.
    claims: Vec<usize>,
}

#[derive(Serialize)]
struct PageClaim<'a> {
    id: &'a str,
    doc: &'a str,
    outlet: &'a str,
    surface: &'a str,
    reading: String,
    value: f64,
    lower: Option<f64>,
    upper: Option<f64>,
    lower_inclusive: Option<bool>,
    upper_inclusive: Option<bool>,
    approximate: bool,
    as_of: Option<&'a str>,
    /// The date the figure stands for (its as-of date, else its document's).
    date: Option<&'a str>,
    /// The independent source behind it (an outlet or a credited agency).
    source: &'a str,
    /// The outlet of the claim whose sentence this one copies.
    copy_of: Option<&'a str>,
    sentence: &'a str,
}

impl<'a> Page<'a> {
    fn new(claims: &'a [ClaimRecord], groups: &'a [Group], view: &'a ViewGraph) -> Page<'a> {
        let by_id: HashMap<&str, &ClaimRecord> =
            claims.iter().map(|c| (c.claim_id.as_str(), c)).collect();
        let mut at: HashMap<usize, usize> = HashMap::new();
        let mut page_claims = Vec::new();
        let mut verdicts = BTreeMap::new();
        let page_groups = groups
            .iter()
            .map(|g| {
                *verdicts.entry(g.verdict.as_str()).or_insert(0) += 1;
                let members = g
                    .members
                    .iter()
                    .map(|&i| {
                        *at.entry(i).or_insert_with(|| {
                            let c = &claims[i];
                            page_claims.push(PageClaim {
                                id: &c.claim_id,
                                doc: &c.doc_id,
                                outlet: &c.outlet,
                                surface: &c.surface,
                                reading: bound(c),
                                value: c.value,
                                lower: c.lower,
                                upper: c.upper,
                                lower_inclusive: c.lower_inclusive,
                                upper_inclusive: c.upper_inclusive,
                                approximate: c.approximate,
                                as_of: c.as_of.as_deref(),
                                date: c.date(),
                                source: c.source_key(),
                                copy_of: c
                                    .copy_of
                                    .as_deref()
                                    .map(|o| by_id.get(o).map_or(o, |o| o.outlet.as_str())),
                                sentence: &c.sentence,
                            });
                            page_claims.len() - 1
                        })
                    })
                    .collect();
                PageGroup {
                    id: &g.id,
                    subject: g.subject.as_deref(),
                    measure: &g.measure,
                    unit: &g.unit,
                    kind: &g.kind,
                    verdict: g.verdict.as_str(),
                    spread: g.spread,
                    sources: &g.sources,
                    notes: &g.notes,
                    series: &g.series,
                    claims: members,
                }
            })
            .collect();
        Page {
            claims_total: claims.len(),
            verdicts,
            graph: view,
            groups: page_groups,
            claims: page_claims,
        }
    }
}

const CSS: &str = include_str!("../../assets/report.css");
const JS: &str = include_str!("../../assets/report.js");
/// In load order: each library reads the one before it from the page's globals.
const VENDORED: [&str; 4] = [
    include_str!("../../assets/vendor/layout-base.js"),
    include_str!("../../assets/vendor/cose-base.js"),
    include_str!("../../assets/vendor/cytoscape-fcose.js"),
    include_str!("../../assets/vendor/cytoscape.min.js"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, kind: &str) -> Row {
        (
            id.to_string(),
            id.to_uppercase(),
            kind.to_string(),
            id.to_string(),
        )
    }

    fn edge(a: &str, b: &str, kind: &str, doc: &str) -> Row {
        (a.into(), b.into(), kind.into(), doc.into())
    }

    fn group(id: &str, story: &str, verdict: Verdict, members: usize) -> Group {
        Group {
            id: id.into(),
            story: Some(story.into()),
            subject: None,
            subject_id: None,
            measure: "deaths".into(),
            kind: "count".into(),
            unit: "count".into(),
            members: (0..members).collect(),
            verdict,
            spread: 0.0,
            sources: vec![],
            series: vec![],
            notes: vec![],
        }
    }

    type Row = (String, String, String, String);

    fn view(nodes: &[Row], edges: &[Row], groups: &[Group]) -> ViewGraph {
        let nodes = nodes
            .iter()
            .map(|n| (n.0.as_str(), n.1.as_str(), n.2.as_str(), ()))
            .collect();
        let edges = edges
            .iter()
            .map(|e| (e.0.as_str(), e.1.as_str(), e.2.as_str(), e.3.as_str()))
            .collect();
        ViewGraph::from_rows(nodes, edges, groups, |_| BTreeMap::new())
    }

    fn ids(v: &ViewGraph, s: &StoryView) -> Vec<String> {
        let g = s.graph.as_ref().expect("a graph");
        g.nodes.iter().map(|&i| v.nodes[i].id.clone()).collect()
    }

    /// A story's graph is every edge its documents state and their ends; a name two stories
    /// mention is in both, co-occurrence is not drawn, and stories with conflicts come first.
    #[test]
    fn a_story_graph_is_what_its_documents_state() {
        let mut nodes = vec![
            node("story:a", "Story"),
            node("story:b", "Story"),
            node("doc:d1", "Document"),
            node("doc:d2", "Document"),
            node("doc:d3", "Document"),
            node("outlet:o", "Outlet"),
            node("per:x", "Person"),
            node("per:y", "Person"),
            node("org:z", "Organization"),
        ];
        nodes.sort();
        let edges = vec![
            edge("doc:d1", "story:a", "IN_STORY", "d1"),
            edge("doc:d2", "story:a", "IN_STORY", "d2"),
            edge("doc:d3", "story:b", "IN_STORY", "d3"),
            edge("doc:d1", "outlet:o", "PUBLISHED_BY", "d1"),
            edge("doc:d1", "per:x", "MENTIONS", "d1"),
            edge("doc:d3", "per:x", "MENTIONS", "d3"),
            edge("doc:d3", "per:y", "MENTIONS", "d3"),
            edge("per:x", "org:z", "HEAD_OF", "d1"),
            edge("per:x", "org:z", "HEAD_OF", "d1"),
            edge("per:y", "per:x", "CO_OCCURS", "d1"),
        ];
        let groups = vec![
            group("g1", "story:a", Verdict::Agree, 2),
            group("g2", "story:b", Verdict::Conflict, 2),
            group("g3", "story:b", Verdict::Agree, 3),
            group("g4", "story:b", Verdict::Conflict, 3),
        ];
        let v = view(&nodes, &edges, &groups);
        let order: Vec<&str> = v.stories.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            order,
            ["story:b", "story:a"],
            "the story with a conflict first"
        );
        assert_eq!(
            v.stories[0].groups,
            [3, 1, 2],
            "conflicts first, larger first"
        );
        let a = &v.stories[1];
        assert_eq!(
            ids(&v, a),
            ["doc:d1", "doc:d2", "org:z", "outlet:o", "per:x", "story:a"]
        );
        let g = a.graph.as_ref().unwrap();
        let kinds: Vec<&str> = g.edges.iter().map(|e| e.2.as_str()).collect();
        assert_eq!(g.edges.len(), 5, "one HEAD_OF, no CO_OCCURS: {kinds:?}");
        assert!(!kinds.contains(&"CO_OCCURS"));
        assert_eq!(
            ids(&v, &v.stories[0]),
            ["doc:d3", "per:x", "per:y", "story:b"]
        );
        let docs: Vec<&str> = a.docs.iter().map(|&i| v.nodes[i].id.as_str()).collect();
        assert_eq!(docs, ["doc:d1", "doc:d2"]);
    }

    /// Past the cap a story keeps its story, documents, outlets and groups, then the claims in
    /// groups, then the most connected names.
    #[test]
    fn a_large_story_graph_is_cut_to_the_cap_by_rank() {
        let mut nodes = vec![
            node("story:a", "Story"),
            node("doc:d", "Document"),
            node("group:g", "ClaimGroup"),
            node("claim:c", "Claim"),
            node("claim:lone", "Claim"),
            node("quote:q", "Quote"),
        ];
        let mut edges = vec![
            edge("doc:d", "story:a", "IN_STORY", "d"),
            edge("doc:d", "claim:c", "CLAIMS", "d"),
            edge("doc:d", "claim:lone", "CLAIMS", "d"),
            edge("claim:c", "group:g", "IN_GROUP", "d"),
            edge("per:0000", "quote:q", "SAID", "d"),
        ];
        for i in 0..400 {
            let id = format!("per:{i:04}");
            edges.push(edge("doc:d", &id, "MENTIONS", "d"));
            if i < 5 {
                edges.push(edge(&id, "per:0399", "LOCATED_IN", "d"));
            }
            nodes.push(node(&id, "Person"));
        }
        nodes.sort();
        let v = view(&nodes, &edges, &[]);
        let s = &v.stories[0];
        let g = s.graph.as_ref().unwrap();
        assert_eq!(
            (g.total, g.nodes.len()),
            (405, MAX_STORY_NODES),
            "the claim in no group is not counted"
        );
        let kept = ids(&v, s);
        for id in [
            "story:a", "doc:d", "group:g", "claim:c", "per:0399", "per:0000",
        ] {
            assert!(kept.contains(&id.to_string()), "{id} dropped");
        }
        for id in ["claim:lone", "quote:q", "per:0395"] {
            assert!(!kept.contains(&id.to_string()), "{id} kept over names");
        }
        assert!(g
            .edges
            .iter()
            .all(|(a, b, _)| *a < g.nodes.len() && *b < g.nodes.len()));
    }

    #[test]
    fn story_headings_say_how_big_and_how_long() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("stories.csv"),
            "story_id,label,first_published,last_published,days,documents,outlets,doc_ids,outlet_names,given\n\
             story:a,Navy Yard / Aaron Alexis,2013-09-16,2013-09-17,2,14,6,x,y,false\n\
             story:b,Bahia,1987-02-26,1987-02-26,1,1,1,z,Reuters,false\n",
        )
        .unwrap();
        let l = read_story_labels(dir.path());
        assert_eq!(
            l["story:a"],
            "Navy Yard / Aaron Alexis: 14 documents, 6 outlets, 2013-09-16 to 2013-09-17, 2 days"
        );
        assert_eq!(l["story:b"], "Bahia: 1 document, 1 outlet, 1987-02-26");
    }
}
