//! The graph's schema: one typed record per node kind and per edge kind, and the properties
//! each writes. Every export (GraphML, Neo4j, nodes.csv, edges.csv, the HTML view) reads these
//! properties, so this file is the one place that says what a column means.
//!
//! Provenance ([`Prov`]) is on every node and edge: `doc_id`, `outlet`, `start`, `end` (code
//! points, end-exclusive, into the original file) and, where the evidence is one sentence,
//! `sentence_index` and `sentence`. Strings shared by many records (document ids, outlets,
//! sentences) are shared, not copied.
use super::{NodeKind, Props};
use crate::compare::ClaimRecord;
use std::sync::Arc;

/// Where a node or edge comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Prov {
    pub doc_id: Arc<str>,
    pub outlet: Arc<str>,
    pub start: usize,
    pub end: usize,
    /// The sentence (index in its document, text) when the evidence is one sentence.
    pub sentence: Option<(usize, Arc<str>)>,
}

impl Prov {
    fn put(&self, p: &mut Props) {
        p.insert("doc_id", self.doc_id.clone().into());
        p.insert("outlet", self.outlet.clone().into());
        p.insert("start", self.start.into());
        p.insert("end", self.end.into());
        if let Some((i, text)) = &self.sentence {
            p.insert("sentence_index", (*i).into());
            p.insert("sentence", text.clone().into());
        }
    }
}

/// Node records, by kind (the Neo4j label).
#[derive(Debug, Clone)]
pub enum NodeData {
    /// `Document`: one per article; provenance is the whole file.
    Document(Box<DocumentNode>),
    /// `Outlet`: `name`, `documents` (how many), and the first document as provenance
    /// (`doc_id`, `outlet`).
    Outlet {
        name: Arc<str>,
        documents: usize,
        first_doc: Arc<str>,
    },
    /// `Person`, `Location`, `Organization`, `Misc`: a resolved entity.
    Entity(Box<EntityNode>),
    /// `Claim`: a numeric claim, as in `claims.csv`.
    Claim(Box<ClaimRecord>),
    /// `ClaimGroup`: claims of one story about the same thing, compared.
    ClaimGroup(Box<ClaimGroupNode>),
    /// `Role`: a title someone holds (`name`), first seen at `prov`.
    Role { prov: Prov, name: String },
    /// `Quote`: what a speaker said (`text`, `speaker_id`), where.
    Quote {
        prov: Prov,
        text: String,
        speaker_id: String,
    },
    /// `Story`: documents on one event.
    Story(Box<StoryNode>),
}

#[derive(Debug, Clone)]
pub struct DocumentNode {
    /// Whole file: `start` 0, `end` its length.
    pub prov: Prov,
    pub path: String,
    pub url: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
    pub format: String,
    pub sentences: usize,
    pub mentions: usize,
    pub claims: usize,
}

#[derive(Debug, Clone)]
pub struct EntityNode {
    pub kind: NodeKind,
    /// The first mention (in document-id order), when any mention survived resolution.
    pub first: Option<Prov>,
    pub name: String,
    /// Every surface form, ` | `-separated.
    pub aliases: String,
    pub mention_count: usize,
    pub document_count: usize,
    /// A short name shared by several full names, left unresolved.
    pub ambiguous: bool,
    /// NER votes before the type was decided, `PER=3 ORG=1`.
    pub ner_types: String,
}

#[derive(Debug, Clone)]
pub struct ClaimGroupNode {
    /// Its first member claim's evidence (no sentence).
    pub prov: Prov,
    pub subject: Option<String>,
    pub subject_id: Option<String>,
    pub measure: String,
    pub kind: String,
    pub unit: String,
    /// `agree`, `differ`, `updated`, ... (see the README).
    pub verdict: &'static str,
    /// Relative spread of the values, rounded to 1e-6.
    pub spread: f64,
    pub claims: usize,
    pub outlets: usize,
    pub notes: String,
}

#[derive(Debug, Clone)]
pub struct StoryNode {
    pub label: String,
    pub first_published: Option<String>,
    pub last_published: Option<String>,
    pub documents: usize,
    pub outlets: usize,
    /// Set by a `story` field of the input rather than found.
    pub given: bool,
    /// The story's first document, whole.
    pub prov: Option<Prov>,
}

impl NodeData {
    pub fn kind(&self) -> NodeKind {
        match self {
            NodeData::Document(_) => NodeKind::Document,
            NodeData::Outlet { .. } => NodeKind::Outlet,
            NodeData::Entity(e) => e.kind,
            NodeData::Claim(_) => NodeKind::Claim,
            NodeData::ClaimGroup(_) => NodeKind::ClaimGroup,
            NodeData::Role { .. } => NodeKind::Role,
            NodeData::Quote { .. } => NodeKind::Quote,
            NodeData::Story(_) => NodeKind::Story,
        }
    }

    /// The properties every export writes for this node.
    pub fn props(&self) -> Props {
        let mut p = Props::new();
        match self {
            NodeData::Document(d) => {
                d.prov.put(&mut p);
                p.insert("path", d.path.as_str().into());
                p.insert("url", d.url.as_deref().into());
                p.insert("published", d.published.as_deref().into());
                p.insert("title", d.title.as_deref().into());
                p.insert("format", d.format.as_str().into());
                p.insert("sentences", d.sentences.into());
                p.insert("mentions", d.mentions.into());
                p.insert("claims", d.claims.into());
            }
            NodeData::Outlet {
                name,
                documents,
                first_doc,
            } => {
                p.insert("name", name.clone().into());
                p.insert("documents", (*documents).into());
                p.insert("doc_id", first_doc.clone().into());
                p.insert("outlet", name.clone().into());
            }
            NodeData::Entity(e) => {
                if let Some(f) = &e.first {
                    f.put(&mut p);
                }
                p.insert("name", e.name.as_str().into());
                p.insert("aliases", e.aliases.as_str().into());
                p.insert("mention_count", e.mention_count.into());
                p.insert("document_count", e.document_count.into());
                p.insert("ambiguous", e.ambiguous.into());
                p.insert("ner_types", e.ner_types.as_str().into());
            }
            NodeData::Claim(c) => {
                p.insert("claim_id", c.claim_id.as_str().into());
                p.insert("doc_id", c.doc_id.as_str().into());
                p.insert("outlet", c.outlet.as_str().into());
                p.insert("subject", c.subject.as_deref().into());
                p.insert("subject_id", c.subject_id.as_deref().into());
                p.insert("measure", c.measure.as_str().into());
                p.insert("value", c.value.into());
                p.insert("lower", c.lower.into());
                p.insert("upper", c.upper.into());
                p.insert("lower_inclusive", c.lower_inclusive.into());
                p.insert("upper_inclusive", c.upper_inclusive.into());
                p.insert("approximate", c.approximate.into());
                p.insert("kind", c.kind.as_str().into());
                p.insert("unit", c.unit.as_str().into());
                p.insert("as_of", c.as_of.as_deref().into());
                p.insert("surface", c.surface.as_str().into());
                p.insert("sentence", c.sentence.as_str().into());
                p.insert("sentence_index", c.sentence_index.into());
                p.insert("start", c.start.into());
                p.insert("end", c.end.into());
            }
            NodeData::ClaimGroup(g) => {
                g.prov.put(&mut p);
                p.insert("subject", g.subject.as_deref().into());
                p.insert("subject_id", g.subject_id.as_deref().into());
                p.insert("measure", g.measure.as_str().into());
                p.insert("kind", g.kind.as_str().into());
                p.insert("unit", g.unit.as_str().into());
                p.insert("verdict", g.verdict.into());
                p.insert("spread", g.spread.into());
                p.insert("claims", g.claims.into());
                p.insert("outlets", g.outlets.into());
                p.insert("notes", g.notes.as_str().into());
            }
            NodeData::Role { prov, name } => {
                prov.put(&mut p);
                p.insert("name", name.as_str().into());
            }
            NodeData::Quote {
                prov,
                text,
                speaker_id,
            } => {
                prov.put(&mut p);
                p.insert("text", text.as_str().into());
                p.insert("speaker_id", speaker_id.as_str().into());
            }
            NodeData::Story(s) => {
                if let Some(f) = &s.prov {
                    f.put(&mut p);
                }
                p.insert("label", s.label.as_str().into());
                p.insert("first_published", s.first_published.as_deref().into());
                p.insert("last_published", s.last_published.as_deref().into());
                p.insert("documents", s.documents.into());
                p.insert("outlets", s.outlets.into());
                p.insert("given", s.given.into());
            }
        }
        p
    }
}

/// Edge records. Which kinds use which record:
/// - `PUBLISHED_BY` (document to outlet), `IN_STORY` (document to story): `Provenance`, the
///   whole document;
/// - `CLAIMS` (document to claim), `ABOUT` (claim to its subject): `Provenance`, the claim's
///   span and sentence; `IN_GROUP` (claim to group): the claim's span;
/// - `MENTIONS` (document to entity): `Mentions`;
/// - `CO_OCCURS` (entity pairs named in one sentence): `CoOccurs`;
/// - `HAS_ROLE`, `HEAD_OF`, `AFFILIATED_WITH`, `LOCATED_IN`, `SAID`: `Relation`.
#[derive(Debug, Clone)]
pub enum EdgeData {
    Provenance(Prov),
    /// The first mention as provenance; `count` mentions in the document with a `mean_score`.
    Mentions {
        prov: Prov,
        count: usize,
        mean_score: f64,
    },
    /// The first sentence naming both as provenance; `weight` sentences in `documents`
    /// documents.
    CoOccurs {
        prov: Prov,
        documents: usize,
        weight: usize,
    },
    Relation(Box<RelationEdge>),
}

#[derive(Debug, Clone)]
pub struct RelationEdge {
    pub prov: Prov,
    /// The rule that found it.
    pub rule: String,
    /// For a `HAS_ROLE` edge to a `Role` node: the role, and the organisation it is held at
    /// (name and id) when the sentence says.
    pub role: Option<(String, Option<String>, Option<String>)>,
}

impl EdgeData {
    pub fn prov(&self) -> Option<&Prov> {
        Some(match self {
            EdgeData::Provenance(p) => p,
            EdgeData::Mentions { prov, .. } | EdgeData::CoOccurs { prov, .. } => prov,
            EdgeData::Relation(r) => &r.prov,
        })
    }

    /// The properties every export writes for this edge (`weight` is the edge's own).
    pub fn props(&self) -> Props {
        let mut p = Props::new();
        match self {
            EdgeData::Provenance(prov) => prov.put(&mut p),
            EdgeData::Mentions {
                prov,
                count,
                mean_score,
            } => {
                prov.put(&mut p);
                p.insert("count", (*count).into());
                p.insert("mean_score", (*mean_score).into());
            }
            EdgeData::CoOccurs {
                prov,
                documents,
                weight,
            } => {
                prov.put(&mut p);
                p.insert("documents", (*documents).into());
                p.insert("weight", (*weight).into());
            }
            EdgeData::Relation(r) => {
                r.prov.put(&mut p);
                p.insert("rule", r.rule.as_str().into());
                if let Some((role, org, org_id)) = &r.role {
                    p.insert("role", role.as_str().into());
                    p.insert("org", org.as_deref().into());
                    p.insert("org_id", org_id.as_deref().into());
                }
            }
        }
        p
    }
}
