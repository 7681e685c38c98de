//! `report.md` and `report.html`: the comparison, outlet by outlet, for a newsroom. The HTML is
//! one self-contained file (no network): tables with discrepancies highlighted and an SVG view
//! of the graph laid out by a small force simulation; clicking a node shows its provenance.
use crate::compare::{ClaimRecord, Group, Verdict};
use crate::error::{Error, Result};
use crate::graph::{format_float, Graph};
use serde::Serialize;
use std::collections::BTreeMap;

use std::path::Path;

/// The part of the graph the HTML view shows: entities, outlets, documents, claims, groups;
/// at most [`MAX_VIEW_NODES`] of them.
#[derive(Debug, Default, Serialize)]
pub struct ViewGraph {
    pub nodes: Vec<ViewNode>,
    pub edges: Vec<(usize, usize, String)>,
    /// How many nodes of the shown kinds the graph has (more than `nodes` when capped).
    pub total: usize,
}

#[derive(Debug, Serialize)]
pub struct ViewNode {
    pub id: String,
    pub label: String,
    pub kind: String,
    pub props: BTreeMap<String, String>,
}

const SHOWN: &[&str] = &[
    "Outlet",
    "Document",
    "Person",
    "Location",
    "Organization",
    "Misc",
    "Claim",
    "ClaimGroup",
];

/// The view lays nodes out in the browser with a quadratic force simulation: past about a
/// thousand nodes it no longer finishes, so a larger graph shows its outlets and claim groups,
/// then the claims compared in groups, then the most connected of the rest (ties by id). The
/// files for Gephi and Neo4j always hold the whole graph.
pub const MAX_VIEW_NODES: usize = 1000;

impl ViewGraph {
    pub fn from_graph(g: &Graph) -> ViewGraph {
        let nodes = g
            .nodes()
            .into_iter()
            .map(|n| {
                (
                    n.id.clone(),
                    n.label.clone(),
                    n.kind().as_str().to_string(),
                    n,
                )
            })
            .collect();
        let edges = g
            .edge_ends()
            .map(|(a, b, k)| (a.to_string(), b.to_string(), k.as_str().to_string()))
            .collect();
        ViewGraph::from_rows(nodes, edges, |n| {
            n.props()
                .into_iter()
                .filter(|(_, v)| v.type_name().is_some())
                .map(|(k, v)| (k.to_string(), v.render()))
                .collect()
        })
    }

    /// Build from rows `(id, label, kind, handle)` and edges `(from, to, kind)`; `props` gives
    /// the properties of a node that is shown.
    pub fn from_rows<P>(
        nodes: Vec<(String, String, String, P)>,
        edges: Vec<(String, String, String)>,
        props: impl Fn(&P) -> BTreeMap<String, String>,
    ) -> ViewGraph {
        let nodes: Vec<_> = nodes
            .into_iter()
            .filter(|n| SHOWN.contains(&n.2.as_str()))
            .collect();
        let index: std::collections::HashMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.0.as_str(), i))
            .collect();
        let edges: Vec<(usize, usize, String)> = edges
            .into_iter()
            .filter(|e| e.2 != "CO_OCCURS")
            .filter_map(|(a, b, k)| Some((*index.get(a.as_str())?, *index.get(b.as_str())?, k)))
            .collect();
        let mut keep = vec![true; nodes.len()];
        if nodes.len() > MAX_VIEW_NODES {
            let mut degree = vec![0usize; nodes.len()];
            let mut grouped = vec![false; nodes.len()];
            for (a, b, k) in &edges {
                degree[*a] += 1;
                degree[*b] += 1;
                if k == "IN_GROUP" {
                    grouped[*a] = true;
                }
            }
            let tier = |i: usize| match nodes[i].2.as_str() {
                "Outlet" | "ClaimGroup" => 0,
                "Claim" if grouped[i] => 1,
                _ => 2,
            };
            let mut order: Vec<usize> = (0..nodes.len()).collect();
            order.sort_by(|&a, &b| {
                (tier(a), std::cmp::Reverse(degree[a]), &nodes[a].0).cmp(&(
                    tier(b),
                    std::cmp::Reverse(degree[b]),
                    &nodes[b].0,
                ))
            });
            keep = vec![false; nodes.len()];
            for &i in order.iter().take(MAX_VIEW_NODES) {
                keep[i] = true;
            }
        }
        let mut v = ViewGraph {
            total: nodes.len(),
            ..ViewGraph::default()
        };
        let mut at = vec![usize::MAX; nodes.len()];
        for (i, (id, label, kind, handle)) in nodes.iter().enumerate() {
            if keep[i] {
                at[i] = v.nodes.len();
                v.nodes.push(ViewNode {
                    id: id.clone(),
                    label: label.clone(),
                    kind: kind.clone(),
                    props: props(handle),
                });
            }
        }
        v.edges = edges
            .into_iter()
            .filter(|(a, b, _)| keep[*a] && keep[*b])
            .map(|(a, b, k)| (at[a], at[b], k))
            .collect();
        v.edges.sort();
        v
    }

    /// Read `nodes.csv` and `edges.csv` of an output directory.
    pub fn read(dir: &Path) -> Result<ViewGraph> {
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
        let (_, erows) = read("edges.csv")?;
        let nodes = nrows
            .into_iter()
            .map(|r| (r[0].clone(), r[2].clone(), r[1].clone(), r))
            .collect();
        let edges = erows
            .into_iter()
            .map(|r| (r[2].clone(), r[3].clone(), r[1].clone()))
            .collect();
        Ok(ViewGraph::from_rows(nodes, edges, |r| {
            nh.iter()
                .zip(r)
                .skip(3)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }))
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

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
    let graph_json = serde_json::to_string(view)
        .map_err(|e| Error::output(dir, e.to_string()))?
        .replace("</", "<\\/");
    super::write_file(&dir.join("report.html"), |w| {
        writeln!(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>newsgraph report</title>")?;
        writeln!(w, "<style>{CSS}</style></head><body>")?;
        writeln!(w, "<h1>Numeric claims across outlets</h1>")?;
        writeln!(
            w,
            "<p id=\"summary\">{} claims; {} groups compared.</p>",
            claims.len(),
            groups.len()
        )?;
        writeln!(w, "<section id=\"tables\">")?;
        let mut story: Option<&str> = None;
        for g in groups {
            if story != Some(g.story.as_deref().unwrap_or("")) {
                story = Some(g.story.as_deref().unwrap_or(""));
                writeln!(
                    w,
                    "<h2 class=\"story\">Story: {}</h2>",
                    html(&story_title(g, labels))
                )?;
            }
            let verdict_class = g.verdict.as_str().replace(' ', "-");
            writeln!(w, "<div class=\"group {}\" data-group=\"{}\"><h3>{} — {} <span class=\"verdict\">{}</span></h3>", verdict_class, html(&g.id), html(g.subject.as_deref().unwrap_or("(no subject)")), html(&g.measure), g.verdict.as_str())?;
            writeln!(
                w,
                "<p>Spread {:.1} %. Independent sources ({}): {}. {}</p>",
                g.spread * 100.0,
                g.sources.len(),
                html(&g.sources.join(", ")),
                html(&g.notes.join("; "))
            )?;
            if !g.series.is_empty() {
                writeln!(
                    w,
                    "<p class=\"timeline\">Timeline: {}</p>",
                    html(&timeline(g))
                )?;
            }
            writeln!(w, "<table class=\"claims\"><thead><tr><th>outlet</th><th>document</th><th>figure</th><th>reading</th><th>as of</th><th>sentence</th></tr></thead><tbody>")?;
            let values: Vec<f64> = g.members.iter().map(|&i| claims[i].value).collect();
            let mode = values
                .iter()
                .fold(BTreeMap::new(), |mut m: BTreeMap<String, usize>, v| {
                    *m.entry(format_float(*v)).or_default() += 1;
                    m
                });
            let common = mode
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(v, _)| v.clone())
                .unwrap_or_default();
            for &i in &g.members {
                let c = &claims[i];
                let odd = format_float(c.value) != common || g.verdict == Verdict::Conflict;
                writeln!(w, "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", if odd { "differs" } else { "same" }, html(&c.outlet), html(&c.doc_id), html(&c.surface), html(&bound(c)), html(c.as_of.as_deref().unwrap_or("")), html(&c.sentence))?;
            }
            writeln!(w, "</tbody></table></div>")?;
        }
        if groups.is_empty() {
            writeln!(w, "<p>No claim was reported by more than one document.</p>")?;
        }
        writeln!(w, "</section>")?;
        writeln!(w, "<h1>Graph</h1>")?;
        if view.total > view.nodes.len() {
            writeln!(w, "<p id=\"capped\">Showing {} of {} nodes: the outlets and claim groups, the claims compared, then the most connected. <code>graph.graphml</code> (Gephi) and <code>neo4j/</code> hold the whole graph.</p>", view.nodes.len(), view.total)?;
        }
        writeln!(w, "<div id=\"graphwrap\"><svg id=\"graph\" width=\"900\" height=\"640\" viewBox=\"0 0 900 640\"></svg><aside id=\"details\">Click a node to see its provenance.</aside></div>")?;
        writeln!(
            w,
            "<script>const GRAPH = {graph_json};\n{JS}</script></body></html>"
        )
    })
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;font-size:.9em}tr.differs td{background:#ffe3e0}.group.conflict h3 .verdict{background:#c0392b;color:#fff}.group.compatible h3 .verdict{background:#f39c12;color:#fff}.group.agree h3 .verdict{background:#27ae60;color:#fff}.group.updated h3 .verdict{background:#2980b9;color:#fff}.group.single-source h3 .verdict{background:#7f8c8d;color:#fff}.timeline{font-weight:600}.verdict{padding:.1em .4em;border-radius:.3em;font-size:.7em}#graphwrap{display:flex;gap:1em}#graph{border:1px solid #ccc;background:#fafafa}#details{width:22em;font-size:.85em;white-space:pre-wrap;word-break:break-word}circle{stroke:#fff;stroke-width:1;cursor:pointer}line{stroke:#bbb}text{font-size:9px;pointer-events:none}";

const JS: &str = r#"
(function(){
const colors={Outlet:'#8e44ad',Document:'#7f8c8d',Person:'#2980b9',Location:'#27ae60',Organization:'#e67e22',Misc:'#95a5a6',Claim:'#c0392b',ClaimGroup:'#f1c40f'};
const N=GRAPH.nodes, E=GRAPH.edges, W=900, H=640, svg=document.getElementById('graph'), NS='http://www.w3.org/2000/svg';
// Fruchterman-Reingold from a deterministic start (nodes on a circle in id order).
const k=Math.sqrt(W*H/Math.max(1,N.length))*0.9;
N.forEach((n,i)=>{const a=2*Math.PI*i/Math.max(1,N.length);n.x=W/2+W/3*Math.cos(a);n.y=H/2+H/3*Math.sin(a);});
for(let it=0,temp=W/10;it<400;it++,temp*=0.985){
  N.forEach(n=>{n.dx=0;n.dy=0;});
  for(let i=0;i<N.length;i++)for(let j=i+1;j<N.length;j++){const a=N[i],b=N[j];let dx=a.x-b.x,dy=a.y-b.y,d=Math.sqrt(dx*dx+dy*dy)+0.01,f=k*k/d;a.dx+=dx/d*f;a.dy+=dy/d*f;b.dx-=dx/d*f;b.dy-=dy/d*f;}
  E.forEach(([s,t])=>{const a=N[s],b=N[t];const dx=a.x-b.x,dy=a.y-b.y,d=Math.sqrt(dx*dx+dy*dy)+0.01,f=d*d/k;a.dx-=dx/d*f;a.dy-=dy/d*f;b.dx+=dx/d*f;b.dy+=dy/d*f;});
  N.forEach(n=>{n.dx+=(W/2-n.x)*0.05*k/50;n.dy+=(H/2-n.y)*0.05*k/50;const d=Math.sqrt(n.dx*n.dx+n.dy*n.dy)+0.01,m=Math.min(d,temp);n.x=Math.max(12,Math.min(W-12,n.x+n.dx/d*m));n.y=Math.max(12,Math.min(H-12,n.y+n.dy/d*m));});
}
E.forEach(([s,t])=>{const l=document.createElementNS(NS,'line');l.setAttribute('x1',N[s].x);l.setAttribute('y1',N[s].y);l.setAttribute('x2',N[t].x);l.setAttribute('y2',N[t].y);svg.appendChild(l);});
const details=document.getElementById('details');
N.forEach((n,i)=>{const c=document.createElementNS(NS,'circle');c.setAttribute('cx',n.x);c.setAttribute('cy',n.y);c.setAttribute('r',n.kind==='Claim'?4:6);c.setAttribute('fill',colors[n.kind]||'#999');c.setAttribute('class','node');c.setAttribute('data-id',n.id);
  c.addEventListener('click',()=>{const p=n.props;details.textContent=n.kind+': '+n.label+'\n\n'+Object.keys(p).map(k=>k+': '+p[k]).join('\n');});
  const t=document.createElementNS(NS,'title');t.textContent=n.kind+': '+n.label;c.appendChild(t);svg.appendChild(c);
  if(n.kind!=='Claim'&&n.kind!=='Document'){const tx=document.createElementNS(NS,'text');tx.setAttribute('x',n.x+7);tx.setAttribute('y',n.y+3);tx.textContent=n.label.slice(0,24);svg.appendChild(tx);}
});
document.body.setAttribute('data-rendered',N.length+' nodes');
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the cap the view keeps outlets and groups, then grouped claims, then the most
    /// connected, and only the edges between what it keeps.
    #[test]
    fn a_large_graph_is_cut_to_the_cap_by_rank() {
        let mut nodes = vec![
            (
                "outlet:a".to_string(),
                "A".to_string(),
                "Outlet".to_string(),
                (),
            ),
            ("group:g".into(), "G".into(), "ClaimGroup".into(), ()),
            ("claim:1".into(), "1".into(), "Claim".into(), ()),
            ("claim:2".into(), "2".into(), "Claim".into(), ()),
            ("doc:d".into(), "D".into(), "Document".into(), ()),
            ("role:x".into(), "X".into(), "Role".into(), ()),
        ];
        let mut edges = vec![
            (
                "claim:1".to_string(),
                "group:g".to_string(),
                "IN_GROUP".to_string(),
            ),
            ("doc:d".into(), "outlet:a".into(), "PUBLISHED_BY".into()),
        ];
        for i in 0..1200 {
            let id = format!("per:{i:04}");
            // per:0000 is named by the document twice over (two edges), the others once;
            // per:1199 is named by nothing.
            if i < 1199 {
                edges.push(("doc:d".into(), id.clone(), "MENTIONS".into()));
            }
            if i == 0 {
                edges.push((id.clone(), "outlet:a".into(), "AFFILIATED_WITH".into()));
            }
            nodes.push((id, format!("P{i}"), "Person".into(), ()));
        }
        // Callers give nodes in id order (`Graph::nodes`, nodes.csv).
        nodes.sort_by(|a, b| a.0.cmp(&b.0));
        let v = ViewGraph::from_rows(nodes, edges, |_| BTreeMap::new());
        assert_eq!(v.total, 1205, "roles are never shown");
        assert_eq!(v.nodes.len(), MAX_VIEW_NODES);
        let ids: Vec<&str> = v.nodes.iter().map(|n| n.id.as_str()).collect();
        for id in ["outlet:a", "group:g", "claim:1", "doc:d", "per:0000"] {
            assert!(ids.contains(&id), "{id} dropped");
        }
        assert!(
            !ids.contains(&"per:1199"),
            "an isolated node kept over connected ones"
        );
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "nodes stay in id order");
        assert!(v
            .edges
            .iter()
            .all(|(a, b, _)| *a < v.nodes.len() && *b < v.nodes.len()));
        assert_eq!(
            v.edges.len(),
            2 + (v.nodes.len() - 4) + 1,
            "in-group, published-by, a mention of each kept person, one affiliation"
        );
    }

    #[test]
    fn a_small_graph_is_shown_whole() {
        let nodes = vec![
            ("a".to_string(), "A".to_string(), "Person".to_string(), 1),
            ("b".into(), "B".into(), "Location".into(), 2),
        ];
        let edges = vec![
            ("a".to_string(), "b".to_string(), "LOCATED_IN".to_string()),
            ("a".into(), "b".into(), "CO_OCCURS".into()),
        ];
        let v = ViewGraph::from_rows(nodes, edges, |n| {
            BTreeMap::from([("n".to_string(), n.to_string())])
        });
        assert_eq!((v.total, v.nodes.len()), (2, 2));
        assert_eq!(v.edges, vec![(0, 1, "LOCATED_IN".to_string())]);
        assert_eq!(v.nodes[1].props["n"], "2");
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
