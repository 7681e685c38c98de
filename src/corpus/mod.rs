//! Reading a corpus: walk the directory in sorted order, decode each file, turn each format into
//! a [`View`](crate::doc::View) of its visible text, drop boilerplate, and attach metadata from the
//! manifest. After this stage the document text is frozen.
//!
//! A file that cannot be used is reported as [`Skipped`] and the rest goes on.
mod boilerplate;
pub mod html;
mod markdown;

pub use boilerplate::strip_boilerplate;

use crate::doc::{DocMeta, Document, View};
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File extensions newsgraph reads.
pub const EXTENSIONS: &[&str] = &["txt", "md", "markdown", "html", "htm", "jsonl"];

/// A file (or JSONL line) left out of the run, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// One manifest row.
#[derive(Debug, Clone, Default)]
pub struct ManifestEntry {
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
    pub story: Option<String>,
}

/// Manifest rows by corpus-relative path.
pub type Manifest = BTreeMap<String, ManifestEntry>;

/// Read a manifest CSV with the header `path,outlet,url,published,title[,story]` (only `path`
/// is required; other columns may be missing or empty). A bad row is returned as [`Skipped`]
/// (`manifest.csv#LINE`) and the other rows are used; a file that cannot be read or has no
/// `path` column is an error.
pub fn read_manifest(path: &Path) -> Result<(Manifest, Vec<Skipped>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::input(path, format!("cannot read manifest: {e}")))?;
    let headers = rdr
        .headers()
        .map_err(|e| Error::input(path, format!("bad manifest header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(path_col) = col("path") else {
        return Err(Error::input(path, "manifest has no `path` column"));
    };
    let (outlet, url, published, title, story) = (
        col("outlet"),
        col("url"),
        col("published"),
        col("title"),
        col("story"),
    );
    let mut out = Manifest::new();
    let mut skipped = Vec::new();
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    for (i, rec) in rdr.records().enumerate() {
        let row = |reason: String| Skipped {
            path: format!("{name}#{}", i + 2),
            reason: format!("manifest row not used: {reason}"),
        };
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                skipped.push(row(e.to_string()));
                continue;
            }
        };
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let Some(p) = get(Some(path_col)) else {
            skipped.push(row("empty path".into()));
            continue;
        };
        if let Some(d) = get(published) {
            if crate::claims::parse_iso_date(&d).is_none() {
                skipped.push(row(format!("published `{d}` is not a YYYY-MM-DD date")));
                continue;
            }
        }
        out.insert(
            p.trim_start_matches("./").to_string(),
            ManifestEntry {
                outlet: get(outlet),
                url: get(url),
                published: get(published),
                title: get(title),
                story: get(story),
            },
        );
    }
    Ok((out, skipped))
}

/// All readable files under `root`, sorted by their relative path.
pub fn list_files(root: &Path) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in rd {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let ft = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if ft.is_dir() {
                walk(&path, out)?;
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                out.push(path);
            }
        }
        Ok(())
    }
    if root.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    if !root.is_dir() {
        return Err(Error::input(root, "corpus is not a directory"));
    }
    let mut out = Vec::new();
    walk(root, &mut out)?;
    out.sort();
    Ok(out)
}

/// Corpus-relative path with `/` separators (the file name when the corpus is one file).
fn rel_path(root: &Path, path: &Path) -> String {
    if root == path {
        return path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Outlet fallback: the first folder under the root, else the file stem.
fn outlet_from_path(rel: &str) -> String {
    match rel.split_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => {
            let file = rel.rsplit('/').next().unwrap_or(rel);
            file.rsplit_once('.').map_or(file, |(s, _)| s).to_string()
        }
    }
}

/// Load every document under `root`. Documents come back in corpus order (sorted path, then
/// JSONL line); unusable files come back as [`Skipped`].
pub fn load(
    root: &Path,
    manifest: &Manifest,
    hints: &html::Hints,
) -> Result<(Vec<Document>, Vec<Skipped>)> {
    let files = list_files(root)?;
    let results: Vec<(Vec<Document>, Vec<Skipped>)> = files
        .par_iter()
        .map(|path| {
            let rel = rel_path(root, path);
            match load_file(path, &rel, manifest.get(&rel), hints) {
                Ok(r) => r,
                Err(e) => (
                    Vec::new(),
                    vec![Skipped {
                        path: rel,
                        reason: strip_path_prefix(&e.to_string(), path),
                    }],
                ),
            }
        })
        .collect();
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (d, s) in results {
        docs.extend(d);
        skipped.extend(s);
    }
    Ok((docs, skipped))
}

fn strip_path_prefix(msg: &str, path: &Path) -> String {
    let p = format!("{}: ", path.display());
    msg.strip_prefix(&p).unwrap_or(msg).to_string()
}

/// Decode UTF-16 with a byte-order mark (the mark itself is dropped, so offsets count from the
/// first character after it); unpaired surrogates become replacement characters.
fn decode_utf16(bytes: &[u8], little: bool) -> (String, usize) {
    let units = bytes[2..].chunks(2).map(|c| {
        let pair = [c[0], *c.get(1).unwrap_or(&0)];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut bad = 0;
    let text = char::decode_utf16(units)
        .map(|r| {
            r.unwrap_or_else(|_| {
                bad += 1;
                '\u{FFFD}'
            })
        })
        .collect();
    (text, bad + (bytes.len() % 2))
}

/// Decode a file: UTF-16 with a byte-order mark, else UTF-8 (lossily if needed, with a
/// warning; a UTF-8 byte-order mark is kept as the first character, so offsets count it).
/// Binary data is an error.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(String, Option<String>)> {
    for (bom, little, name) in [
        ([0xFF, 0xFE], true, "UTF-16LE"),
        ([0xFE, 0xFF], false, "UTF-16BE"),
    ] {
        if bytes.starts_with(&bom) {
            let (text, bad) = decode_utf16(bytes, little);
            let warning = format!(
                "decoded as {name} (byte-order mark); offsets count characters after the mark"
            ) + &if bad > 0 {
                format!(", {bad} replacement characters")
            } else {
                String::new()
            };
            return Ok((text, Some(warning)));
        }
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(Error::input(path, "binary file (NUL bytes), skipped"));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), None)),
        Err(e) => {
            // A page that declares another charset (`<meta charset="windows-1252">`).
            if let Some(enc) = declared_charset(head).filter(|e| *e != encoding_rs::UTF_8) {
                let (text, had_errors) = enc.decode_without_bom_handling(bytes);
                let mut warning = format!(
                    "decoded as {} (declared in the file); offsets count decoded characters",
                    enc.name()
                );
                if had_errors {
                    warning.push_str(", with replacement characters");
                }
                return Ok((text.into_owned(), Some(warning)));
            }
            let text = String::from_utf8_lossy(bytes).into_owned();
            let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
            if bad * 10 > text.chars().count().max(1) {
                return Err(Error::input(
                    path,
                    "not text (mostly invalid UTF-8), skipped",
                ));
            }
            Ok((
                text,
                Some(format!(
                    "invalid UTF-8 at byte {}: decoded lossily ({bad} replacement characters); offsets count them",
                    e.valid_up_to()
                )),
            ))
        }
    }
}

/// The encoding a file declares in its first bytes (`charset=...` of an HTML meta tag or an
/// XML declaration's `encoding="..."`), if encoding_rs knows its label.
fn declared_charset(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = String::from_utf8_lossy(&head[..head.len().min(4096)]).to_ascii_lowercase();
    ["charset=", "encoding="].iter().find_map(|key| {
        let at = head.find(key)? + key.len();
        let label: String = head[at..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
            .collect();
        encoding_rs::Encoding::for_label(label.as_bytes())
    })
}

/// Load one file on its own (no manifest): what `newsgraph text` prints. A file that cannot
/// be used comes back as [`Skipped`], named `rel`.
pub fn load_one(path: &Path, rel: &str, hints: &html::Hints) -> (Vec<Document>, Vec<Skipped>) {
    load_file(path, rel, None, hints).unwrap_or_else(|e| {
        (
            Vec::new(),
            vec![Skipped {
                path: rel.to_string(),
                reason: strip_path_prefix(&e.to_string(), path),
            }],
        )
    })
}

fn load_file(
    path: &Path,
    rel: &str,
    entry: Option<&ManifestEntry>,
    hints: &html::Hints,
) -> Result<(Vec<Document>, Vec<Skipped>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (text, warning) = decode(path, &bytes)?;
    if text.trim().is_empty() {
        return Err(Error::input(path, "empty file (no text), skipped"));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let base = DocMeta {
        doc_id: rel.to_string(),
        path: rel.to_string(),
        outlet: entry
            .and_then(|e| e.outlet.clone())
            .unwrap_or_else(|| outlet_from_path(rel)),
        url: entry.and_then(|e| e.url.clone()),
        published: entry.and_then(|e| e.published.clone()),
        title: entry.and_then(|e| e.title.clone()),
        author: None,
        story: entry.and_then(|e| e.story.clone()),
        format: ext.clone(),
    };
    if ext == "jsonl" {
        return Ok(load_jsonl(
            &text,
            base,
            entry.and_then(|e| e.outlet.clone()),
            warning,
        ));
    }
    let view = match ext.as_str() {
        "html" | "htm" => {
            let page = html::read(&text, hints);
            if let Some(problem) = page.problem {
                return Err(Error::input(path, problem));
            }
            let mut meta = base;
            let m = page.meta;
            if entry.and_then(|e| e.outlet.as_ref()).is_none() {
                if let Some(o) = m.outlet.clone() {
                    meta.outlet = o;
                }
            }
            meta.url = meta.url.or(m.url.clone());
            meta.published = meta.published.or_else(|| m.published_date());
            meta.title = meta.title.or(m.title.clone());
            meta.author = m.author.clone();
            let doc = make_doc(meta, text, page.view, warning);
            return Ok((vec![doc], Vec::new()));
        }
        "md" | "markdown" => markdown::visible_text(&text),
        _ => View::identity(&text),
    };
    let doc = make_doc(base, text, view, warning);
    if doc.view.text.trim().is_empty() {
        return Err(Error::input(
            path,
            "nothing left once boilerplate is removed, skipped",
        ));
    }
    Ok((vec![doc], Vec::new()))
}

fn make_doc(meta: DocMeta, text: String, view: View, warning: Option<String>) -> Document {
    let view = strip_boilerplate(&view);
    Document {
        meta,
        text,
        view,
        warnings: warning.into_iter().collect(),
        ..Document::default()
    }
}

fn load_jsonl(
    text: &str,
    base: DocMeta,
    manifest_outlet: Option<String>,
    warning: Option<String>,
) -> (Vec<Document>, Vec<Skipped>) {
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let where_ = format!("{}#{}", base.path, i + 1);
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                skipped.push(Skipped {
                    path: where_,
                    reason: format!("invalid JSON: {e}"),
                });
                continue;
            }
        };
        let field = |k: &str| {
            value
                .get(k)
                .and_then(|v| match v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .filter(|s| !s.trim().is_empty())
        };
        let Some(body) = field("text") else {
            skipped.push(Skipped {
                path: where_,
                reason: "no `text` field".into(),
            });
            continue;
        };
        if let Some(d) = field("published") {
            if crate::claims::parse_iso_date(&d).is_none() {
                skipped.push(Skipped {
                    path: where_,
                    reason: format!("`published` value `{d}` is not a YYYY-MM-DD date"),
                });
                continue;
            }
        }
        let meta = DocMeta {
            doc_id: field("id").unwrap_or_else(|| where_.clone()),
            outlet: manifest_outlet
                .clone()
                .or_else(|| field("outlet"))
                .unwrap_or_else(|| base.outlet.clone()),
            url: field("url").or_else(|| base.url.clone()),
            published: field("published").or_else(|| base.published.clone()),
            title: field("title").or_else(|| base.title.clone()),
            author: field("author"),
            story: field("story").or_else(|| base.story.clone()),
            ..base.clone()
        };
        let view = View::identity(&body);
        let doc = make_doc(meta, body, view, warning.clone());
        if doc.view.text.trim().is_empty() {
            skipped.push(Skipped {
                path: where_,
                reason: "nothing left once boilerplate is removed".into(),
            });
            continue;
        }
        docs.push(doc);
    }
    (docs, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlet_fallbacks() {
        assert_eq!(outlet_from_path("dailyplanet/a.txt"), "dailyplanet");
        assert_eq!(outlet_from_path("reuters.txt"), "reuters");
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let p = Path::new("x.txt");
        let text = "Caf\u{e9} owners said 200 jobs \u{1F600} were at risk.";
        for little in [true, false] {
            let mut bytes = if little {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in text.encode_utf16() {
                bytes.extend(if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                });
            }
            let (t, w) = decode(p, &bytes).unwrap();
            assert_eq!(t, text);
            assert!(w.unwrap().contains("UTF-16"));
        }
    }

    #[test]
    fn a_declared_legacy_charset_is_honoured() {
        let p = Path::new("page.html");
        let page = b"<html><head><meta charset=\"windows-1252\"></head><body><p>Caf\xe9 owners \x93said\x94 so.</p></body></html>";
        let (t, w) = decode(p, page).unwrap();
        assert!(
            t.contains("Caf\u{e9} owners \u{201c}said\u{201d} so."),
            "{t}"
        );
        assert!(w.unwrap().contains("windows-1252"));
    }

    #[test]
    fn binary_is_rejected_and_bad_utf8_is_lossy() {
        let p = Path::new("x.txt");
        assert!(decode(p, b"ab\0cd").is_err());
        let (t, w) = decode(p, b"caf\xe9 au lait, a fine drink for all").unwrap();
        assert!(t.contains('\u{FFFD}'));
        assert!(w.unwrap().contains("byte 3"));
    }

    #[test]
    fn jsonl_lines_become_documents() {
        let base = DocMeta {
            doc_id: "feed.jsonl".into(),
            path: "feed.jsonl".into(),
            outlet: "feed".into(),
            ..DocMeta::default()
        };
        let text = "{\"text\":\"Hello there.\",\"outlet\":\"Wire\"}\nnot json\n{\"id\":\"x1\",\"text\":\"Bye.\"}\n";
        let (docs, skipped) = load_jsonl(text, base, None, None);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].meta.doc_id, "feed.jsonl#1");
        assert_eq!(docs[0].meta.outlet, "Wire");
        assert_eq!(docs[1].meta.doc_id, "x1");
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].path, "feed.jsonl#2");
    }
}
