//! GraphML with typed keys, as Gephi and the GraphML schema want them: every `<key>` has an id,
//! `for="node"` or `for="edge"`, `attr.name` and an `attr.type` (string, long, double,
//! boolean); `label` carries node names and `weight` edge weights. GraphML ids must be XML
//! NMTOKENs, so node ids are escaped there and the original id is kept in the `nid` attribute.
use crate::error::Result;
use crate::graph::{format_float, Graph};

use std::path::Path;

/// XML text with the five special characters escaped and characters XML forbids dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An NMTOKEN form of an id: letters, digits, `.`, `-`, `_`, `:` stay; anything else becomes
/// `_xHEX_`.
pub fn nmtoken(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':') {
            out.push(c);
        } else {
            out.push_str(&format!("_x{:X}_", c as u32));
        }
    }
    out
}

pub fn write_graphml(g: &Graph, path: &Path) -> Result<()> {
    let nodes = g.nodes();
    let edges = g.edges();
    let reserved = ["label", "x", "y", "z", "size", "r", "g", "b", "type", "nid"];
    let node_schema: Vec<(&str, &str)> = Graph::schema(nodes.iter().map(|n| n.props()))
        .into_iter()
        .filter(|(k, _)| !reserved.contains(k))
        .collect();
    let edge_schema: Vec<(&str, &str)> = Graph::schema(edges.iter().map(|e| e.props()))
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "weight" | "type" | "eid"))
        .collect();
    super::write_file(path, |w| {
        writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            w,
            r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
        )?;
        writeln!(
            w,
            r#"  <key id="label" for="node" attr.name="label" attr.type="string"/>"#
        )?;
        writeln!(
            w,
            r#"  <key id="type" for="node" attr.name="type" attr.type="string"/>"#
        )?;
        writeln!(
            w,
            r#"  <key id="nid" for="node" attr.name="nid" attr.type="string"/>"#
        )?;
        for (k, t) in &node_schema {
            writeln!(
                w,
                r#"  <key id="n_{k}" for="node" attr.name="{k}" attr.type="{t}"/>"#
            )?;
        }
        writeln!(
            w,
            r#"  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>"#
        )?;
        writeln!(
            w,
            r#"  <key id="etype" for="edge" attr.name="type" attr.type="string"/>"#
        )?;
        writeln!(
            w,
            r#"  <key id="eid" for="edge" attr.name="eid" attr.type="string"/>"#
        )?;
        for (k, t) in &edge_schema {
            writeln!(
                w,
                r#"  <key id="e_{k}" for="edge" attr.name="{k}" attr.type="{t}"/>"#
            )?;
        }
        writeln!(w, r#"  <graph id="newsgraph" edgedefault="directed">"#)?;
        for n in &nodes {
            writeln!(w, r#"    <node id="{}">"#, xml_escape(&nmtoken(&n.id)))?;
            writeln!(
                w,
                r#"      <data key="label">{}</data>"#,
                xml_escape(&n.label)
            )?;
            writeln!(w, r#"      <data key="type">{}</data>"#, n.kind().as_str())?;
            writeln!(w, r#"      <data key="nid">{}</data>"#, xml_escape(&n.id))?;
            let props = n.props();
            for (k, _) in &node_schema {
                if let Some(v) = props.get(k).filter(|v| v.type_name().is_some()) {
                    writeln!(
                        w,
                        r#"      <data key="n_{k}">{}</data>"#,
                        xml_escape(&v.render())
                    )?;
                }
            }
            writeln!(w, "    </node>")?;
        }
        for (i, e) in edges.iter().enumerate() {
            writeln!(
                w,
                r#"    <edge id="e{i}" source="{}" target="{}">"#,
                xml_escape(&nmtoken(e.from)),
                xml_escape(&nmtoken(e.to))
            )?;
            writeln!(
                w,
                r#"      <data key="weight">{}</data>"#,
                format_float(e.weight)
            )?;
            writeln!(w, r#"      <data key="etype">{}</data>"#, e.kind.as_str())?;
            writeln!(w, r#"      <data key="eid">{}</data>"#, xml_escape(&e.id))?;
            let props = e.props();
            for (k, _) in &edge_schema {
                if let Some(v) = props.get(k).filter(|v| v.type_name().is_some()) {
                    writeln!(
                        w,
                        r#"      <data key="e_{k}">{}</data>"#,
                        xml_escape(&v.render())
                    )?;
                }
            }
            writeln!(w, "    </edge>")?;
        }
        writeln!(w, "  </graph>")?;
        writeln!(w, "</graphml>")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_nmtokens() {
        assert_eq!(
            nmtoken("doc:seeds/000.txt#3"),
            "doc:seeds_x2F_000.txt_x23_3"
        );
        assert_eq!(nmtoken("per:xi-jinping"), "per:xi-jinping");
        assert_ne!(nmtoken("a b"), nmtoken("a_b"));
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
