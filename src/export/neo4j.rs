//! Neo4j files: one node CSV per label and one relationship CSV per type in neo4j-admin import
//! format (`id:ID`, `:LABEL`, typed `name:long` headers; `:START_ID`, `:END_ID`, `:TYPE`),
//! `import.sh` with the neo4j-admin command for Neo4j 5, and `load.cypher` for LOAD CSV.
//! Every node also gets the label `Node` so relationships can be matched by id in LOAD CSV.
use crate::error::{Error, Result};
use crate::graph::{format_float, EdgeKind, Graph, NodeKind};
use std::collections::BTreeMap;

use std::path::Path;

fn neo_type(t: &str) -> &'static str {
    match t {
        "long" => "long",
        "double" => "double",
        "boolean" => "boolean",
        _ => "string",
    }
}

fn cypher_value(col: &str, t: &str) -> String {
    let r = format!("row.`{col}`");
    match t {
        "long" => format!("toInteger({r})"),
        "double" => format!("toFloat({r})"),
        "boolean" => {
            format!("CASE {r} WHEN 'true' THEN true WHEN 'false' THEN false ELSE null END")
        }
        _ => r,
    }
}

pub fn write_neo4j(g: &Graph, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let nodes = g.nodes();
    let edges = g.edges();
    let mut node_files: Vec<FileSchema<NodeKind>> = Vec::new();
    let mut rel_files: Vec<FileSchema<EdgeKind>> = Vec::new();
    for kind in NodeKind::ALL {
        let of: Vec<_> = nodes.iter().filter(|n| n.kind() == kind).collect();
        if of.is_empty() {
            continue;
        }
        let schema: Vec<(&str, &str)> = Graph::schema(of.iter().map(|n| n.props()))
            .into_iter()
            .filter(|(k, _)| *k != "id" && *k != "label")
            .collect();
        let file = format!("nodes_{}.csv", kind.as_str());
        let path = dir.join(&file);
        let mut w =
            csv::Writer::from_path(&path).map_err(|e| Error::output(&path, e.to_string()))?;
        let mut header = vec![
            "id:ID".to_string(),
            ":LABEL".to_string(),
            "label".to_string(),
        ];
        header.extend(schema.iter().map(|(k, t)| format!("{k}:{}", neo_type(t))));
        w.write_record(&header)
            .map_err(|e| Error::output(&path, e.to_string()))?;
        for n in of {
            let props = n.props();
            let mut row = vec![
                n.id.clone(),
                format!("{};Node", kind.as_str()),
                n.label.clone(),
            ];
            row.extend(
                schema
                    .iter()
                    .map(|(k, _)| props.get(k).map(|v| v.render()).unwrap_or_default()),
            );
            w.write_record(&row)
                .map_err(|e| Error::output(&path, e.to_string()))?;
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
        node_files.push((file, kind, schema));
    }
    let mut by_kind: BTreeMap<EdgeKind, Vec<_>> = BTreeMap::new();
    for e in &edges {
        by_kind.entry(e.kind).or_default().push(e);
    }
    for (kind, of) in by_kind {
        let schema: Vec<(&str, &str)> = Graph::schema(of.iter().map(|e| e.props()))
            .into_iter()
            .filter(|(k, _)| *k != "weight" && *k != "eid")
            .collect();
        let file = format!("rels_{}.csv", kind.as_str());
        let path = dir.join(&file);
        let mut w =
            csv::Writer::from_path(&path).map_err(|e| Error::output(&path, e.to_string()))?;
        let mut header = vec![
            ":START_ID".to_string(),
            ":END_ID".to_string(),
            ":TYPE".to_string(),
            "eid".to_string(),
            "weight:double".to_string(),
        ];
        header.extend(schema.iter().map(|(k, t)| format!("{k}:{}", neo_type(t))));
        w.write_record(&header)
            .map_err(|e| Error::output(&path, e.to_string()))?;
        for e in of {
            let props = e.props();
            let mut row = vec![
                e.from.to_string(),
                e.to.to_string(),
                kind.as_str().to_string(),
                e.id.clone(),
                format_float(e.weight),
            ];
            row.extend(
                schema
                    .iter()
                    .map(|(k, _)| props.get(k).map(|v| v.render()).unwrap_or_default()),
            );
            w.write_record(&row)
                .map_err(|e| Error::output(&path, e.to_string()))?;
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
        rel_files.push((file, kind, schema));
    }
    write_import_sh(dir, &node_files, &rel_files)?;
    write_load_cypher(dir, &node_files, &rel_files)
}

/// One written file: its name, the label or type it holds, and its typed columns.
type FileSchema<'a, K> = (String, K, Vec<(&'a str, &'a str)>);
type Files<'a, K> = [FileSchema<'a, K>];

fn write_import_sh(dir: &Path, nodes: &Files<NodeKind>, rels: &Files<EdgeKind>) -> Result<()> {
    let path = dir.join("import.sh");
    super::write_file(&path, |w| {
        writeln!(w, "#!/bin/sh")?;
        writeln!(
            w,
            "# Import this graph into a new, stopped Neo4j 5 database with neo4j-admin."
        )?;
        writeln!(w, "# Usage: NEO4J_HOME=/path/to/neo4j sh import.sh [DATABASE]   (default database: neo4j)")?;
        writeln!(w, "# Neo4j 3.x/4.x take the same files: bin/neo4j-admin import --database=graph.db --id-type=STRING \\")?;
        writeln!(w, "#   --nodes=FILE ... --relationships=FILE ...   (or bin/neo4j-import --into DIR ... on 3.x).")?;
        writeln!(w, "set -eu")?;
        writeln!(w, "DIR=$(cd \"$(dirname \"$0\")\" && pwd)")?;
        writeln!(w, "DB=${{1:-neo4j}}")?;
        writeln!(w, "\"${{NEO4J_HOME:?set NEO4J_HOME to your Neo4j installation}}/bin/neo4j-admin\" database import full \"$DB\" \\")?;
        writeln!(
            w,
            "  --overwrite-destination=true --id-type=STRING --bad-tolerance=0 \\"
        )?;
        for (f, _, _) in nodes {
            writeln!(w, "  --nodes=\"$DIR/{f}\" \\")?;
        }
        for (i, (f, _, _)) in rels.iter().enumerate() {
            let cont = if i + 1 < rels.len() { " \\" } else { "" };
            writeln!(w, "  --relationships=\"$DIR/{f}\"{cont}")?;
        }
        Ok(())
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

fn write_load_cypher(dir: &Path, nodes: &Files<NodeKind>, rels: &Files<EdgeKind>) -> Result<()> {
    super::write_file(&dir.join("load.cypher"), |w| {
        writeln!(w, "// Load the graph with LOAD CSV: copy the CSV files of this directory into Neo4j's import")?;
        writeln!(
            w,
            "// directory, then run: cypher-shell -u neo4j -p PASSWORD -f load.cypher"
        )?;
        writeln!(
            w,
            "CREATE INDEX node_id IF NOT EXISTS FOR (n:Node) ON (n.id);"
        )?;
        for (f, kind, schema) in nodes {
            writeln!(w, "LOAD CSV WITH HEADERS FROM 'file:///{f}' AS row")?;
            write!(
                w,
                "CREATE (n:{}:Node {{id: row.`id:ID`, label: row.label",
                kind.as_str()
            )?;
            for (k, t) in schema {
                write!(
                    w,
                    ", {k}: {}",
                    cypher_value(&format!("{k}:{}", neo_type(t)), t)
                )?;
            }
            writeln!(w, "}});")?;
        }
        for (f, kind, schema) in rels {
            writeln!(w, "LOAD CSV WITH HEADERS FROM 'file:///{f}' AS row")?;
            writeln!(
                w,
                "MATCH (a:Node {{id: row.`:START_ID`}}), (b:Node {{id: row.`:END_ID`}})"
            )?;
            write!(
                w,
                "CREATE (a)-[r:{} {{eid: row.eid, weight: toFloat(row.`weight:double`)",
                kind.as_str()
            )?;
            for (k, t) in schema {
                write!(
                    w,
                    ", {k}: {}",
                    cypher_value(&format!("{k}:{}", neo_type(t)), t)
                )?;
            }
            writeln!(w, "}}]->(b);")?;
        }
        Ok(())
    })
}
