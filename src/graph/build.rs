//! Assemble the knowledge graph from the corpus stages' results: documents and outlets,
//! entities and their mentions and co-occurrences, claims and claim groups, typed relations,
//! stories. Every record carries its provenance (see `schema.rs`).
use super::schema::{
    ClaimGroupNode, DocumentNode, EdgeData, EntityNode, NodeData, Prov, RelationEdge, StoryNode,
};
use super::{EdgeKind, Graph, NodeKind};
use crate::compare::{ClaimRecord, Group};
use crate::doc::{Document, EntityType, Mention};
use crate::relations::{RelationType, Target};
use crate::resolve::{self, Entity};
use crate::stories::Story;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

pub fn outlet_id(outlet: &str) -> String {
    format!("outlet:{}", resolve::slug(outlet))
}

pub fn doc_node_id(doc_id: &str) -> String {
    format!("doc:{doc_id}")
}

fn node_kind(t: EntityType) -> NodeKind {
    match t {
        EntityType::Person => NodeKind::Person,
        EntityType::Location => NodeKind::Location,
        EntityType::Organization => NodeKind::Organization,
        EntityType::Misc => NodeKind::Misc,
    }
}

/// The id and outlet of each document, shared by every record that cites it.
struct Cite {
    doc_id: Arc<str>,
    outlet: Arc<str>,
}

impl Cite {
    fn of(d: &Document) -> Cite {
        Cite {
            doc_id: d.meta.doc_id.as_str().into(),
            outlet: d.meta.outlet.as_str().into(),
        }
    }

    /// A span of the document's view, with its sentence.
    fn span(&self, d: &Document, range: &Range<usize>, sentence: usize) -> Prov {
        let (start, end) = d.offsets(range);
        Prov {
            doc_id: self.doc_id.clone(),
            outlet: self.outlet.clone(),
            start,
            end,
            sentence: Some((sentence, d.sentence_text(sentence))),
        }
    }

    /// A claim's span, with its sentence or without.
    fn claim(&self, c: &ClaimRecord, sentence: bool) -> Prov {
        Prov {
            doc_id: self.doc_id.clone(),
            outlet: self.outlet.clone(),
            start: c.start,
            end: c.end,
            sentence: sentence.then(|| (c.sentence_index, c.sentence.as_str().into())),
        }
    }

    /// The whole file.
    fn whole(&self, d: &Document) -> Prov {
        Prov {
            doc_id: self.doc_id.clone(),
            outlet: self.outlet.clone(),
            start: 0,
            end: d.chars,
            sentence: None,
        }
    }
}

/// Assemble the knowledge graph.
pub fn build_graph(
    docs: &[Document],
    entities: &[Entity],
    claims: &[ClaimRecord],
    groups: &[Group],
    stories: &[Story],
) -> Graph {
    let mut g = Graph::default();
    let cites: Vec<Cite> = docs.iter().map(Cite::of).collect();
    add_documents(&mut g, docs, &cites);
    add_entities(&mut g, docs, &cites, entities);
    add_claims(&mut g, claims, groups);
    add_relations(&mut g, docs, &cites, entities);
    add_stories(&mut g, docs, &cites, stories);
    g
}

/// Outlets, documents, and which outlet published each.
fn add_documents(g: &mut Graph, docs: &[Document], cites: &[Cite]) {
    let mut outlet_docs: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        outlet_docs
            .entry(d.meta.outlet.as_str())
            .or_default()
            .push(i);
    }
    for (outlet, ds) in &outlet_docs {
        let c = &cites[ds[0]];
        let data = NodeData::Outlet {
            name: c.outlet.clone(),
            documents: ds.len(),
            first_doc: c.doc_id.clone(),
        };
        g.add_node(&outlet_id(outlet), outlet, data);
    }
    for (d, c) in docs.iter().zip(cites) {
        let m = &d.meta;
        let did = doc_node_id(&m.doc_id);
        let data = NodeData::Document(Box::new(DocumentNode {
            prov: c.whole(d),
            path: m.path.clone(),
            url: m.url.clone(),
            published: m.published.clone(),
            title: m.title.clone(),
            format: m.format.clone(),
            sentences: d.sentences.len(),
            mentions: d.mentions.len(),
            claims: d.claims.len(),
        }));
        g.add_node(&did, m.title.as_deref().unwrap_or(&m.doc_id), data);
        g.add_edge(
            EdgeKind::PublishedBy,
            &did,
            &outlet_id(&m.outlet),
            1.0,
            EdgeData::Provenance(c.whole(d)),
        );
    }
}

/// Entities (provenance: their first mention), MENTIONS per document and entity, CO_OCCURS per
/// pair of entities named in one sentence.
fn add_entities(g: &mut Graph, docs: &[Document], cites: &[Cite], entities: &[Entity]) {
    let mut first: HashMap<&str, (usize, &Mention)> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        for m in &d.mentions {
            if let Some(e) = m.entity.as_deref() {
                first.entry(e).or_insert((i, m));
            }
        }
    }
    for e in entities {
        let data = NodeData::Entity(Box::new(EntityNode {
            kind: node_kind(e.etype),
            first: first
                .get(e.id.as_str())
                .map(|&(i, m)| cites[i].span(&docs[i], &m.range, m.sentence)),
            name: e.name.clone(),
            aliases: e.aliases.iter().cloned().collect::<Vec<_>>().join(" | "),
            mention_count: e.mention_count,
            document_count: e.document_count,
            ambiguous: e.ambiguous,
            ner_types: e
                .type_votes
                .iter()
                .map(|(t, n)| format!("{}={n}", t.short()))
                .collect::<Vec<_>>()
                .join(" "),
        }));
        g.add_node(&e.id, &e.name, data);
    }
    // Pairs: (first sentence as provenance, sentences, documents).
    let mut co: BTreeMap<(&str, &str), (Prov, usize, BTreeSet<&str>)> = BTreeMap::new();
    for (d, c) in docs.iter().zip(cites) {
        let did = doc_node_id(&d.meta.doc_id);
        let mut per: BTreeMap<&str, (usize, &Mention, f32)> = BTreeMap::new();
        for m in &d.mentions {
            if let Some(e) = m.entity.as_deref() {
                let x = per.entry(e).or_insert((0, m, 0.0));
                x.0 += 1;
                x.2 += m.score;
            }
        }
        for (e, (count, m, score_sum)) in per {
            let data = EdgeData::Mentions {
                prov: c.span(d, &m.range, m.sentence),
                count,
                mean_score: ((score_sum / count as f32) as f64 * 1e4).round() / 1e4,
            };
            g.add_edge(EdgeKind::Mentions, &did, e, count as f64, data);
        }
        let mut by_sentence: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
        for m in &d.mentions {
            if let Some(e) = m.entity.as_deref() {
                by_sentence.entry(m.sentence).or_default().insert(e);
            }
        }
        for (si, ids) in by_sentence {
            let ids: Vec<&str> = ids.into_iter().collect();
            for a in 0..ids.len() {
                for b in a + 1..ids.len() {
                    let x = co.entry((ids[a], ids[b])).or_insert_with(|| {
                        (c.span(d, &d.sentences[si].range, si), 0, BTreeSet::new())
                    });
                    x.1 += 1;
                    x.2.insert(d.meta.doc_id.as_str());
                }
            }
        }
    }
    for ((a, b), (prov, n, ds)) in co {
        let data = EdgeData::CoOccurs {
            prov,
            documents: ds.len(),
            weight: n,
        };
        g.add_edge(EdgeKind::CoOccurs, a, b, n as f64, data);
    }
}

/// Claims (CLAIMS from their document, ABOUT their subject) and claim groups (IN_GROUP).
fn add_claims<'a>(g: &mut Graph, claims: &'a [ClaimRecord], groups: &[Group]) {
    // Claims carry their document's id and outlet as text: share one copy a document.
    let mut cites: HashMap<&str, Cite> = HashMap::new();
    let mut prov = |c: &'a ClaimRecord, sentence: bool| {
        cites
            .entry(c.doc_id.as_str())
            .or_insert_with(|| Cite {
                doc_id: c.doc_id.as_str().into(),
                outlet: c.outlet.as_str().into(),
            })
            .claim(c, sentence)
    };
    for c in claims {
        g.add_node(
            &c.claim_id,
            &c.surface,
            NodeData::Claim(Box::new(c.clone())),
        );
        let evidence = prov(c, true);
        let did = doc_node_id(&c.doc_id);
        let data = EdgeData::Provenance(evidence.clone());
        g.add_edge(EdgeKind::Claims, &did, &c.claim_id, 1.0, data);
        if let Some(s) = &c.subject_id {
            let data = EdgeData::Provenance(evidence);
            g.add_edge(EdgeKind::About, &c.claim_id, s, 1.0, data);
        }
    }
    for gr in groups {
        let f = &claims[gr.members[0]];
        let outlets: BTreeSet<&str> = gr
            .members
            .iter()
            .map(|&i| claims[i].outlet.as_str())
            .collect();
        let data = NodeData::ClaimGroup(Box::new(ClaimGroupNode {
            prov: prov(f, false),
            subject: gr.subject.clone(),
            subject_id: gr.subject_id.clone(),
            measure: gr.measure.clone(),
            kind: gr.kind.clone(),
            unit: gr.unit.clone(),
            verdict: gr.verdict.as_str(),
            spread: (gr.spread * 1e6).round() / 1e6,
            claims: gr.members.len(),
            outlets: outlets.len(),
            notes: gr.notes.join("; "),
        }));
        let label = format!(
            "{} {}",
            gr.subject.as_deref().unwrap_or("(no subject)"),
            gr.measure
        );
        g.add_node(&gr.id, &label, data);
        for &i in &gr.members {
            let c = &claims[i];
            let data = EdgeData::Provenance(prov(c, false));
            g.add_edge(EdgeKind::InGroup, &c.claim_id, &gr.id, 1.0, data);
        }
    }
}

/// Typed relations; a role or a quote becomes a node of its own.
fn add_relations(g: &mut Graph, docs: &[Document], cites: &[Cite], entities: &[Entity]) {
    let ent: HashMap<&str, &Entity> = entities.iter().map(|e| (e.id.as_str(), e)).collect();
    for (d, c) in docs.iter().zip(cites) {
        for r in &d.relations {
            let Some(from) = d.mentions[r.from].entity.as_deref() else {
                continue;
            };
            let prov = c.span(d, &r.range, r.sentence);
            let mut role = None;
            let (kind, to) = match (&r.rtype, &r.to) {
                (RelationType::HasRole, Target::Role(name)) => {
                    let rid = format!("role:{}", resolve::slug(name));
                    let data = NodeData::Role {
                        prov: prov.clone(),
                        name: name.clone(),
                    };
                    g.add_node(&rid, name, data);
                    let org = r.org.and_then(|o| d.mentions[o].entity.clone());
                    let org_name = org
                        .as_deref()
                        .and_then(|o| ent.get(o))
                        .map(|e| e.name.clone());
                    role = Some((name.clone(), org_name, org));
                    (EdgeKind::HasRole, rid)
                }
                (RelationType::Said, Target::Quote(q)) => {
                    let (qs, _) = d.offsets(q);
                    let qid = format!("quote:{}:{qs}", d.meta.doc_id);
                    let text = d.slice(q);
                    let label: String = text.chars().take(60).collect();
                    let data = NodeData::Quote {
                        prov: c.span(d, q, r.sentence),
                        text: text.to_string(),
                        speaker_id: from.to_string(),
                    };
                    g.add_node(&qid, &label, data);
                    (EdgeKind::Said, qid)
                }
                (t, Target::Mention(m)) => {
                    let Some(to) = d.mentions[*m].entity.clone() else {
                        continue;
                    };
                    let kind = match t {
                        RelationType::HeadOf => EdgeKind::HeadOf,
                        RelationType::AffiliatedWith => EdgeKind::AffiliatedWith,
                        RelationType::LocatedIn => EdgeKind::LocatedIn,
                        RelationType::HasRole => EdgeKind::HasRole,
                        RelationType::Said => EdgeKind::Said,
                    };
                    (kind, to)
                }
                _ => continue,
            };
            if to == from {
                continue;
            }
            let data = EdgeData::Relation(Box::new(RelationEdge {
                prov,
                rule: r.rule.to_string(),
                role,
            }));
            g.add_edge(kind, from, &to, 1.0, data);
        }
    }
}

/// Stories (provenance: their first document, whole) and IN_STORY.
fn add_stories(g: &mut Graph, docs: &[Document], cites: &[Cite], stories: &[Story]) {
    for s in stories {
        let data = NodeData::Story(Box::new(StoryNode {
            label: s.label.clone(),
            first_published: s.first.clone(),
            last_published: s.last.clone(),
            documents: s.docs.len(),
            outlets: s.outlets.len(),
            given: s.given,
            prov: s.docs.first().map(|&i| cites[i].whole(&docs[i])),
        }));
        g.add_node(&s.id, &s.label, data);
        for &i in &s.docs {
            let did = doc_node_id(&docs[i].meta.doc_id);
            let data = EdgeData::Provenance(cites[i].whole(&docs[i]));
            g.add_edge(EdgeKind::InStory, &did, &s.id, 1.0, data);
        }
    }
}
