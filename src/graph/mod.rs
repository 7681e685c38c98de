//! The knowledge graph: a private petgraph graph whose node and edge weights are typed records
//! with stable ids. Ids come from the domain (entity type + canonical name, doc_id, claim id),
//! never from `NodeIndex`, and every listing is sorted by id, so output does not depend on the
//! order in which documents were processed.
mod build;
mod schema;

pub use build::{build_graph, doc_node_id, outlet_id};
pub use schema::{
    ClaimGroupNode, DocumentNode, EdgeData, EntityNode, NodeData, Prov, RelationEdge, StoryNode,
};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef as _;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// A typed property value. Strings are shared: every edge of a sentence holds the same
/// sentence text, not a copy of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(std::sync::Arc<str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
}

impl Value {
    /// The type name used in GraphML (`attr.type`) and Neo4j headers.
    pub fn type_name(&self) -> Option<&'static str> {
        match self {
            Value::Str(_) => Some("string"),
            Value::Int(_) => Some("long"),
            Value::Float(_) => Some("double"),
            Value::Bool(_) => Some("boolean"),
            Value::Null => None,
        }
    }
    /// Text form for CSV and GraphML (empty for null).
    pub fn render(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
        }
    }
}

/// Shortest exact decimal for a float; integral values print without a fraction.
pub fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s.into())
    }
}
impl From<std::sync::Arc<str>> for Value {
    fn from(s: std::sync::Arc<str>) -> Self {
        Value::Str(s)
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(v as i64)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Node kinds (the Neo4j label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Document,
    Outlet,
    Person,
    Location,
    Organization,
    Misc,
    Claim,
    ClaimGroup,
    Role,
    Quote,
    Story,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Document => "Document",
            NodeKind::Outlet => "Outlet",
            NodeKind::Person => "Person",
            NodeKind::Location => "Location",
            NodeKind::Organization => "Organization",
            NodeKind::Misc => "Misc",
            NodeKind::Claim => "Claim",
            NodeKind::ClaimGroup => "ClaimGroup",
            NodeKind::Role => "Role",
            NodeKind::Quote => "Quote",
            NodeKind::Story => "Story",
        }
    }
    pub const ALL: [NodeKind; 11] = [
        NodeKind::Document,
        NodeKind::Outlet,
        NodeKind::Person,
        NodeKind::Location,
        NodeKind::Organization,
        NodeKind::Misc,
        NodeKind::Claim,
        NodeKind::ClaimGroup,
        NodeKind::Role,
        NodeKind::Quote,
        NodeKind::Story,
    ];
}

/// Edge kinds (the Neo4j relationship type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    PublishedBy,
    Mentions,
    CoOccurs,
    Claims,
    About,
    InGroup,
    HasRole,
    HeadOf,
    AffiliatedWith,
    LocatedIn,
    Said,
    InStory,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::PublishedBy => "PUBLISHED_BY",
            EdgeKind::Mentions => "MENTIONS",
            EdgeKind::CoOccurs => "CO_OCCURS",
            EdgeKind::Claims => "CLAIMS",
            EdgeKind::About => "ABOUT",
            EdgeKind::InGroup => "IN_GROUP",
            EdgeKind::HasRole => "HAS_ROLE",
            EdgeKind::HeadOf => "HEAD_OF",
            EdgeKind::AffiliatedWith => "AFFILIATED_WITH",
            EdgeKind::LocatedIn => "LOCATED_IN",
            EdgeKind::Said => "SAID",
            EdgeKind::InStory => "IN_STORY",
        }
    }

    /// Kinds that come from the relation rules: one edge per statement, so their ids name
    /// where it was stated.
    pub fn is_relation(self) -> bool {
        matches!(
            self,
            EdgeKind::HasRole
                | EdgeKind::HeadOf
                | EdgeKind::AffiliatedWith
                | EdgeKind::LocatedIn
                | EdgeKind::Said
        )
    }

    /// The edge id written to every export: `KIND:from->to`; a relation adds its document and
    /// start offset (`HEAD_OF:a->b:doc:120`); `PUBLISHED_BY:doc:..` names only the document,
    /// which has one outlet.
    pub fn id(self, from: &str, to: &str, data: &EdgeData) -> String {
        let k = self.as_str();
        match (self, data.prov()) {
            (EdgeKind::PublishedBy, _) => format!("{k}:{from}"),
            (k2, Some(p)) if k2.is_relation() => {
                format!("{k}:{from}->{to}:{}:{}", p.doc_id, p.start)
            }
            _ => format!("{k}:{from}->{to}"),
        }
    }
}

pub type Props = BTreeMap<&'static str, Value>;

/// A node: its id (stable, from the domain), kind, display label and typed record.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub data: NodeData,
}

impl Node {
    /// The node's kind (its Neo4j label), from its record.
    pub fn kind(&self) -> NodeKind {
        self.data.kind()
    }

    /// The node's properties, as every export writes them (see `schema.rs`).
    pub fn props(&self) -> Props {
        self.data.props()
    }
}

/// An edge as stored: its kind, weight and typed record; its ends are node indices.
#[derive(Debug, Clone)]
struct Edge {
    kind: EdgeKind,
    weight: f64,
    data: EdgeData,
}

/// An edge as the exports read it: ends by node id, and its id (derived from kind, ends and,
/// for relations, where it was said; see [`EdgeKind::id`]).
#[derive(Debug, Clone)]
pub struct EdgeRef<'g> {
    pub id: String,
    pub kind: EdgeKind,
    pub from: &'g str,
    pub to: &'g str,
    pub weight: f64,
    pub data: &'g EdgeData,
}

impl EdgeRef<'_> {
    pub fn props(&self) -> Props {
        self.data.props()
    }
}

/// What makes two edges the same edge: kind, ends, and for relations the document and offset
/// where the relation was stated.
type EdgeKey = (EdgeKind, u32, u32, Option<(Arc<str>, usize)>);

/// The knowledge graph.
#[derive(Default)]
pub struct Graph {
    g: DiGraph<Node, Edge>,
    index: HashMap<String, NodeIndex>,
    edge_keys: HashSet<EdgeKey>,
}

impl Graph {
    /// Add a node; a node whose id is already there keeps its first record.
    pub fn add_node(&mut self, id: &str, label: &str, data: NodeData) {
        if self.index.contains_key(id) {
            return;
        }
        let ix = self.g.add_node(Node {
            id: id.to_string(),
            label: label.to_string(),
            data,
        });
        self.index.insert(id.to_string(), ix);
    }

    /// Add an edge between existing nodes; the same edge (see [`EdgeKey`]) is added once.
    /// Returns false (and adds nothing) if an end is missing.
    pub fn add_edge(
        &mut self,
        kind: EdgeKind,
        from: &str,
        to: &str,
        weight: f64,
        data: EdgeData,
    ) -> bool {
        let (Some(&a), Some(&b)) = (self.index.get(from), self.index.get(to)) else {
            return false;
        };
        let at = kind
            .is_relation()
            .then(|| data.prov().map(|p| (p.doc_id.clone(), p.start)))
            .flatten();
        if !self
            .edge_keys
            .insert((kind, a.index() as u32, b.index() as u32, at))
        {
            return true;
        }
        self.g.add_edge(a, b, Edge { kind, weight, data });
        true
    }

    /// Nodes sorted by id.
    pub fn nodes(&self) -> Vec<&Node> {
        let mut v: Vec<&Node> = self.g.node_weights().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// Edges sorted by (kind, from, to, id).
    pub fn edges(&self) -> Vec<EdgeRef<'_>> {
        let mut v: Vec<EdgeRef> = self
            .g
            .edge_references()
            .map(|e| {
                let w = e.weight();
                let from = self.g[e.source()].id.as_str();
                let to = self.g[e.target()].id.as_str();
                EdgeRef {
                    id: w.kind.id(from, to, &w.data),
                    kind: w.kind,
                    from,
                    to,
                    weight: w.weight,
                    data: &w.data,
                }
            })
            .collect();
        v.sort_by(|a, b| (a.kind, a.from, a.to, &a.id).cmp(&(b.kind, b.from, b.to, &b.id)));
        v
    }

    /// Every edge's ends (node ids), kind and record, unsorted, without building ids.
    pub fn edge_ends(&self) -> impl Iterator<Item = (&str, &str, EdgeKind, &EdgeData)> + '_ {
        self.g.edge_references().map(|e| {
            (
                self.g[e.source()].id.as_str(),
                self.g[e.target()].id.as_str(),
                e.weight().kind,
                &e.weight().data,
            )
        })
    }

    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.g.edge_count()
    }

    /// Property keys and their types over a set of nodes or edges, sorted by key. A key's type
    /// is that of its first non-null value (`string` when every value is null).
    pub fn schema(props: impl Iterator<Item = Props>) -> Vec<(&'static str, &'static str)> {
        let mut keys: BTreeMap<&'static str, &'static str> = BTreeMap::new();
        for p in props {
            for (k, v) in p {
                let t = v.type_name().unwrap_or("");
                let e = keys.entry(k).or_insert(t);
                if e.is_empty() {
                    *e = t;
                }
            }
        }
        keys.into_iter()
            .map(|(k, t)| (k, if t.is_empty() { "string" } else { t }))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> NodeData {
        NodeData::Entity(Box::new(EntityNode {
            kind: NodeKind::Person,
            first: None,
            name: name.into(),
            aliases: String::new(),
            mention_count: 1,
            document_count: 1,
            ambiguous: false,
            ner_types: "PER=1".into(),
        }))
    }

    fn prov(doc: &str, start: usize) -> Prov {
        Prov {
            doc_id: doc.into(),
            outlet: "Wire".into(),
            start,
            end: start + 3,
            sentence: Some((0, "A met B.".into())),
        }
    }

    #[test]
    fn ids_are_stable_and_edges_need_both_ends() {
        let mut g = Graph::default();
        g.add_node("b", "B", person("B"));
        g.add_node("a", "A", person("A"));
        let co = |start| EdgeData::CoOccurs {
            prov: prov("d1", start),
            documents: 1,
            weight: 2,
        };
        assert!(g.add_edge(EdgeKind::CoOccurs, "a", "b", 2.0, co(0)));
        assert!(!g.add_edge(EdgeKind::CoOccurs, "a", "zzz", 1.0, co(0)));
        // The same co-occurrence seen again is the same edge, wherever it was seen.
        assert!(g.add_edge(EdgeKind::CoOccurs, "a", "b", 2.0, co(5)));
        assert_eq!(
            g.nodes().iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert_eq!(g.edge_count(), 1);
        assert_eq!(g.edges()[0].id, "CO_OCCURS:a->b");
        // A relation stated twice, in two places, is two edges with their own ids.
        let rel = |start| {
            EdgeData::Relation(Box::new(RelationEdge {
                prov: prov("d1", start),
                rule: "appositive".into(),
                role: None,
            }))
        };
        assert!(g.add_edge(EdgeKind::AffiliatedWith, "a", "b", 1.0, rel(0)));
        assert!(g.add_edge(EdgeKind::AffiliatedWith, "a", "b", 1.0, rel(0)));
        assert!(g.add_edge(EdgeKind::AffiliatedWith, "a", "b", 1.0, rel(9)));
        let ids: Vec<String> = g.edges().into_iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            vec![
                "CO_OCCURS:a->b",
                "AFFILIATED_WITH:a->b:d1:0",
                "AFFILIATED_WITH:a->b:d1:9"
            ]
        );
    }

    #[test]
    fn a_column_takes_the_type_of_its_first_value_that_is_not_null() {
        let mut a = Props::new();
        a.insert("lower", Value::Null);
        let mut b = Props::new();
        b.insert("lower", 1.5.into());
        b.insert("unit", "%".into());
        assert_eq!(
            Graph::schema([a, b].into_iter()),
            vec![("lower", "double"), ("unit", "string")]
        );
    }

    #[test]
    fn floats_render_exactly() {
        assert_eq!(format_float(670000000.0), "670000000");
        assert_eq!(format_float(93.5), "93.5");
        assert_eq!(format_float(4.13e6), "4130000");
    }
}
