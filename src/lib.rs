//! # newsgraph
//!
//! Turns a folder of news articles into a knowledge graph with provenance. The pipeline:
//!
//! 1. [`corpus`]: walk, decode, strip markup and boilerplate into a [`doc::View`] that maps every
//!    kept character back to the original file;
//! 2. [`segment`](mod@segment): sentences;
//! 3. [`ner`]: a rust-bert token classifier on tch/libtorch, batched across documents;
//! 4. [`claims`]: numeric claims by rules (value, interval, unit, measure, subject, as-of);
//! 5. [`relations`] and [`resolve`]: typed relations and one id per real entity;
//! 6. [`compare`]: claims grouped across outlets with verdicts;
//! 7. [`graph`] and [`export`]: a petgraph graph written as GraphML, CSV, Neo4j import files,
//!    JSONL and reports.
//!
//! Offsets in every output are Unicode code points, 0-based, end-exclusive, into the original
//! file text:
//!
//! ```
//! let qs = newsgraph::claims::scan("around 670 million users and over 4.13 million websites");
//! assert_eq!(qs[0].value, 670e6);
//! assert!(qs[0].approximate);
//! assert_eq!((qs[1].lower, qs[1].lower_inclusive), (Some(4.13e6), Some(false)));
//! ```
pub mod claims;
pub mod commands;
pub mod compare;
pub mod config;
pub mod corpus;
pub mod doc;
pub mod error;
pub mod export;
pub mod graph;
pub mod ner;
pub mod pipeline;
pub mod records;
pub mod relations;
pub mod resolve;
pub mod segment;
pub mod sources;
pub mod stories;
pub mod syntax;

pub use error::{Error, Result};
