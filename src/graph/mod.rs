//! The knowledge graph: a private petgraph graph whose node and edge weights are typed records
//! with stable ids. Ids come from the domain (entity type + canonical name, doc_id, claim id),
//! never from `NodeIndex`, and every listing is sorted by id, so output does not depend on the
//! order in which documents were processed.
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, HashMap};

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
}

pub type Props = BTreeMap<&'static str, Value>;

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    pub props: Props,
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub id: String,
    pub kind: EdgeKind,
    pub from: String,
    pub to: String,
    pub weight: f64,
    pub props: Props,
}

/// The knowledge graph.
#[derive(Default)]
pub struct Graph {
    g: DiGraph<Node, Edge>,
    index: HashMap<String, NodeIndex>,
    edge_ids: HashMap<String, petgraph::graph::EdgeIndex>,
}

impl Graph {
    /// Add a node, or merge `props` into the existing node with that id (existing values win).
    pub fn add_node(&mut self, id: &str, kind: NodeKind, label: &str, props: Props) {
        if let Some(&ix) = self.index.get(id) {
            let n = &mut self.g[ix];
            for (k, v) in props {
                n.props.entry(k).or_insert(v);
            }
            return;
        }
        let ix = self.g.add_node(Node {
            id: id.to_string(),
            kind,
            label: label.to_string(),
            props,
        });
        self.index.insert(id.to_string(), ix);
    }

    pub fn has_node(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// Add an edge between existing nodes; an edge with the same id is added once. Returns
    /// false (and adds nothing) if an end is missing.
    pub fn add_edge(
        &mut self,
        id: String,
        kind: EdgeKind,
        from: &str,
        to: &str,
        weight: f64,
        props: Props,
    ) -> bool {
        let (Some(&a), Some(&b)) = (self.index.get(from), self.index.get(to)) else {
            return false;
        };
        if self.edge_ids.contains_key(&id) {
            return true;
        }
        let e = self.g.add_edge(
            a,
            b,
            Edge {
                id: id.clone(),
                kind,
                from: from.to_string(),
                to: to.to_string(),
                weight,
                props,
            },
        );
        self.edge_ids.insert(id, e);
        true
    }

    /// Nodes sorted by id.
    pub fn nodes(&self) -> Vec<&Node> {
        let mut v: Vec<&Node> = self.g.node_weights().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// Edges sorted by (kind, from, to, id).
    pub fn edges(&self) -> Vec<&Edge> {
        let mut v: Vec<&Edge> = self.g.edge_weights().collect();
        v.sort_by(|a, b| (a.kind, &a.from, &a.to, &a.id).cmp(&(b.kind, &b.from, &b.to, &b.id)));
        v
    }

    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.g.edge_count()
    }

    /// Degree of each node id (in + out), for sizing in the HTML view.
    pub fn degrees(&self) -> HashMap<&str, usize> {
        let mut out = HashMap::new();
        for ix in self.g.node_indices() {
            out.insert(
                self.g[ix].id.as_str(),
                self.g.neighbors_undirected(ix).count(),
            );
        }
        out
    }

    /// Property keys and their types for a set of nodes or edges, in a stable order.
    pub fn schema<'a>(props: impl Iterator<Item = &'a Props>) -> Vec<(&'static str, &'static str)> {
        let mut keys: BTreeMap<&'static str, &'static str> = BTreeMap::new();
        for p in props {
            for (k, v) in p {
                if let Some(t) = v.type_name() {
                    keys.entry(k).or_insert(t);
                } else {
                    keys.entry(k).or_insert("");
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

    #[test]
    fn ids_are_stable_and_edges_need_both_ends() {
        let mut g = Graph::default();
        g.add_node("b", NodeKind::Person, "B", Props::new());
        g.add_node("a", NodeKind::Person, "A", Props::new());
        assert!(g.add_edge("e1".into(), EdgeKind::CoOccurs, "a", "b", 2.0, Props::new()));
        assert!(!g.add_edge(
            "e2".into(),
            EdgeKind::CoOccurs,
            "a",
            "zzz",
            1.0,
            Props::new()
        ));
        assert!(g.add_edge("e1".into(), EdgeKind::CoOccurs, "a", "b", 2.0, Props::new()));
        assert_eq!(
            g.nodes().iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert_eq!(g.edge_count(), 1);
    }

    #[test]
    fn floats_render_exactly() {
        assert_eq!(format_float(670000000.0), "670000000");
        assert_eq!(format_float(93.5), "93.5");
        assert_eq!(format_float(4.13e6), "4130000");
    }
}
