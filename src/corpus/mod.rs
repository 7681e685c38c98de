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
use std::io::BufRead;
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

/// Load every document under `root` at once (for small corpora and tests; `run` streams
/// through a [`Reader`]). Documents come back in corpus order (sorted path, then line).
pub fn load(
    root: &Path,
    manifest: &Manifest,
    hints: &html::Hints,
) -> Result<(Vec<Document>, Vec<Skipped>)> {
    Ok(Reader::open(root, manifest)?.read_all(hints))
}

/// A document as read, before its text is turned into a view: what a corpus JSONL line holds
/// (`newsgraph lines` writes these, `newsgraph extract` reads them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct RawDoc {
    pub meta: DocMeta,
    /// The decoded text of the file or of the line's `text` field.
    pub text: String,
    pub warning: Option<String>,
    /// Whether the outlet was given (manifest, JSONL field) rather than derived from the path;
    /// a page's own site name is used only when it was not.
    pub outlet_given: bool,
}

impl RawDoc {
    /// The corpus JSONL line of this document: `id`, `path`, `format`, `text` and the
    /// metadata that was given.
    pub fn to_line(&self) -> serde_json::Value {
        let m = &self.meta;
        let mut v = serde_json::json!({"id": m.doc_id, "path": m.path, "format": m.format});
        let o = v.as_object_mut().expect("an object");
        let mut put = |k: &str, x: &Option<String>| {
            if let Some(x) = x {
                o.insert(k.into(), x.clone().into());
            }
        };
        put("outlet", &self.outlet_given.then(|| m.outlet.clone()));
        put("url", &m.url);
        put("published", &m.published);
        put("title", &m.title);
        put("author", &m.author);
        put("story", &m.story);
        put("warning", &self.warning);
        o.insert("text".into(), self.text.clone().into());
        v
    }
}

/// Build the documents of a chunk in parallel, in order; a failure names its path.
pub fn build_all(
    raw: Vec<RawDoc>,
    hints: &html::Hints,
) -> Vec<std::result::Result<Document, Skipped>> {
    raw.into_par_iter()
        .map(|r| {
            let path = r.meta.path.clone();
            let id = r.meta.doc_id.clone();
            build(r, hints).map_err(|reason| Skipped {
                // A JSONL line is named by its id (`file.jsonl#N` unless the line gave one).
                path: if id == path || id.starts_with(&format!("{path}#")) {
                    id
                } else {
                    format!("{path} ({id})")
                },
                reason,
            })
        })
        .collect()
}

/// Build a chunk's documents in parallel, in order; those that cannot be built are added to
/// the chunk's `skipped` inputs.
pub fn build_chunk(
    raw: Vec<RawDoc>,
    mut skipped: Vec<Skipped>,
    hints: &html::Hints,
) -> (Vec<Document>, Vec<Skipped>) {
    let mut docs = Vec::with_capacity(raw.len());
    for r in build_all(raw, hints) {
        match r {
            Ok(d) => docs.push(d),
            Err(s) => skipped.push(s),
        }
    }
    (docs, skipped)
}

/// Turn a document's text into its view according to its format: a web page is read for its
/// article and metadata, Markdown for its visible text, anything else as plain text; then
/// boilerplate lines go. A document with nothing left is an error (the reason).
pub fn build(raw: RawDoc, hints: &html::Hints) -> std::result::Result<Document, String> {
    let RawDoc {
        mut meta,
        text,
        warning,
        outlet_given,
    } = raw;
    if text.trim().is_empty() {
        return Err("empty (no text), skipped".into());
    }
    let view = match meta.format.as_str() {
        "html" | "htm" => {
            let page = html::read(&text, hints);
            if let Some(problem) = page.problem {
                return Err(problem);
            }
            let m = page.meta;
            if !outlet_given {
                if let Some(o) = m.outlet.clone() {
                    meta.outlet = o;
                }
            }
            meta.url = meta.url.or(m.url.clone());
            meta.published = meta.published.or_else(|| m.published_date());
            meta.title = meta.title.or(m.title.clone());
            meta.author = meta.author.or(m.author.clone());
            page.view
        }
        "md" | "markdown" => markdown::visible_text(&text),
        _ => View::identity(&text),
    };
    let doc = make_doc(meta, text, view, warning);
    if doc.view.text.trim().is_empty() {
        return Err("nothing left once boilerplate is removed, skipped".into());
    }
    Ok(doc)
}

/// Reads a corpus (a directory or one `.jsonl` file) a chunk at a time, in corpus order:
/// sorted path, then line. JSONL files are streamed line by line, so no more than a chunk of
/// documents is held.
pub struct Reader<'a> {
    root: PathBuf,
    files: std::vec::IntoIter<PathBuf>,
    manifest: &'a Manifest,
    lines: Option<LineStream>,
    /// The name of a one-file corpus (else paths are relative to the root).
    name: Option<String>,
}

struct LineStream {
    input: Box<dyn BufRead + Send>,
    base: DocMeta,
    manifest_outlet: Option<String>,
    line_no: usize,
}

impl<'a> Reader<'a> {
    pub fn open(root: &Path, manifest: &'a Manifest) -> Result<Reader<'a>> {
        Ok(Reader {
            root: root.to_path_buf(),
            files: list_files(root)?.into_iter(),
            manifest,
            lines: None,
            name: None,
        })
    }

    /// Every document left, built, with the inputs skipped.
    pub fn read_all(mut self, hints: &html::Hints) -> (Vec<Document>, Vec<Skipped>) {
        let (mut docs, mut skipped) = (Vec::new(), Vec::new());
        while let Some((raw, s)) = self.next_chunk(1024) {
            let (d, s) = build_chunk(raw, s, hints);
            docs.extend(d);
            skipped.extend(s);
        }
        (docs, skipped)
    }

    /// The next documents, about `max` of them, with the inputs skipped on the way; `None`
    /// once the corpus is read.
    pub fn next_chunk(&mut self, max: usize) -> Option<(Vec<RawDoc>, Vec<Skipped>)> {
        let (mut raw, mut skipped) = (Vec::new(), Vec::new());
        let mut files = Vec::new();
        while raw.len() + files.len() < max {
            if let Some(stream) = self.lines.as_mut() {
                let mut buf = Vec::new();
                match stream.input.read_until(b'\n', &mut buf) {
                    Ok(0) => self.lines = None,
                    Ok(_) => {
                        stream.line_no += 1;
                        let where_ = format!("{}#{}", stream.base.path, stream.line_no);
                        let line = String::from_utf8(buf)
                            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                        if line.trim().is_empty() {
                            continue;
                        }
                        match parse_line(
                            &line,
                            &where_,
                            &stream.base,
                            stream.manifest_outlet.as_deref(),
                        ) {
                            Ok(r) => raw.push(r),
                            Err(reason) => skipped.push(Skipped {
                                path: where_,
                                reason,
                            }),
                        }
                    }
                    Err(e) => {
                        skipped.push(Skipped {
                            path: stream.base.path.clone(),
                            reason: format!("read error after line {}: {e}", stream.line_no),
                        });
                        self.lines = None;
                    }
                }
                continue;
            }
            let Some(path) = self.files.next() else {
                break;
            };
            let rel = self
                .name
                .clone()
                .unwrap_or_else(|| rel_path(&self.root, &path));
            let is_jsonl = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
            if !is_jsonl {
                files.push((path, rel));
                continue;
            }
            match open_jsonl(&path, &rel, self.manifest.get(&rel)) {
                Ok(stream) => self.lines = Some(stream),
                Err(e) => skipped.push(Skipped {
                    path: rel,
                    reason: strip_path_prefix(&e.to_string(), &path),
                }),
            }
        }
        let read: Vec<std::result::Result<RawDoc, Skipped>> = files
            .into_par_iter()
            .map(|(path, rel)| {
                read_file(&path, &rel, self.manifest.get(&rel)).map_err(|e| Skipped {
                    reason: strip_path_prefix(&e.to_string(), &path),
                    path: rel,
                })
            })
            .collect();
        // Files come before the lines of a JSONL file that followed them.
        let mut out = Vec::new();
        for r in read {
            match r {
                Ok(d) => out.push(d),
                Err(s) => skipped.push(s),
            }
        }
        out.extend(raw);
        if out.is_empty() && skipped.is_empty() && self.lines.is_none() {
            return None;
        }
        Some((out, skipped))
    }
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
    let empty = Manifest::new();
    let reader = Reader {
        root: path.to_path_buf(),
        files: vec![path.to_path_buf()].into_iter(),
        manifest: &empty,
        lines: None,
        name: Some(rel.to_string()),
    };
    reader.read_all(hints)
}

/// The metadata lines read from a stream named `name` start from (`newsgraph extract`).
pub fn line_base(name: &str) -> DocMeta {
    base_meta(name, None, "jsonl".into())
}

/// `newsgraph lines`: write a corpus as corpus JSONL, one line per document (the decoded text
/// and the metadata given for it), and one `{"id", "path", "error"}` line per input that could
/// not be read. Returns the number of documents and of failed inputs.
pub fn write_lines(
    root: &Path,
    manifest: &Manifest,
    manifest_skips: Vec<Skipped>,
    mut out: impl std::io::Write,
) -> Result<(usize, usize)> {
    let mut reader = Reader::open(root, manifest)?;
    let (mut n, mut failed) = (0, 0);
    let put = |v: serde_json::Value, out: &mut dyn std::io::Write| -> Result<()> {
        serde_json::to_writer(&mut *out, &v)
            .map_err(|e| Error::Config(format!("writing a line: {e}")))?;
        out.write_all(b"\n")
            .map_err(|e| Error::io(Path::new("stdout"), e))
    };
    for s in manifest_skips {
        failed += 1;
        put(
            serde_json::json!({"id": s.path, "path": s.path, "error": s.reason}),
            &mut out,
        )?;
    }
    while let Some((raw, skipped)) = reader.next_chunk(256) {
        for s in skipped {
            failed += 1;
            put(
                serde_json::json!({"id": s.path, "path": s.path, "error": s.reason}),
                &mut out,
            )?;
        }
        for r in raw {
            n += 1;
            put(r.to_line(), &mut out)?;
        }
    }
    out.flush().map_err(|e| Error::io(Path::new("stdout"), e))?;
    Ok((n, failed))
}

/// Read and decode one file that is not JSONL.
fn read_file(path: &Path, rel: &str, entry: Option<&ManifestEntry>) -> Result<RawDoc> {
    regular_file(path)?;
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
    Ok(RawDoc {
        meta: base_meta(rel, entry, ext),
        text,
        warning,
        outlet_given: entry.is_some_and(|e| e.outlet.is_some()),
    })
}

fn base_meta(rel: &str, entry: Option<&ManifestEntry>, format: String) -> DocMeta {
    DocMeta {
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
        format,
    }
}

/// A named pipe, socket or device would block or never end: only regular files are read (a
/// link is followed; a link to nothing is an error naming the file).
fn regular_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(Error::input(
            path,
            "not a regular file (a named pipe, socket or device), skipped",
        ))
    }
}

/// Open a JSONL file for streaming. A file with a UTF-16 byte-order mark is decoded whole
/// first; a binary file is an error.
fn open_jsonl(path: &Path, rel: &str, entry: Option<&ManifestEntry>) -> Result<LineStream> {
    regular_file(path)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut input = std::io::BufReader::with_capacity(1 << 16, file);
    let head = input.fill_buf().map_err(|e| Error::io(path, e))?.to_vec();
    let input: Box<dyn BufRead + Send> =
        if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let (text, _) = decode(path, &bytes)?;
            Box::new(std::io::Cursor::new(text.into_bytes()))
        } else {
            if head[..head.len().min(8192)].contains(&0) {
                return Err(Error::input(path, "binary file (NUL bytes), skipped"));
            }
            Box::new(input)
        };
    Ok(LineStream {
        input,
        base: base_meta(rel, entry, "jsonl".into()),
        manifest_outlet: entry.and_then(|e| e.outlet.clone()),
        line_no: 0,
    })
}

/// One corpus JSONL line: `text` is required; `id`, `path`, `format` (txt, md, html...),
/// `outlet`, `url`, `published` (YYYY-MM-DD), `title`, `author` and `story` are optional, and
/// what is missing comes from `base` (the file's manifest row and path). The reason is returned
/// when the line cannot be used.
pub fn parse_line(
    line: &str,
    where_: &str,
    base: &DocMeta,
    manifest_outlet: Option<&str>,
) -> std::result::Result<RawDoc, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    parse_value(&value, where_, base, manifest_outlet)
}

/// [`parse_line`] of a line already parsed as JSON.
pub fn parse_value(
    value: &serde_json::Value,
    where_: &str,
    base: &DocMeta,
    manifest_outlet: Option<&str>,
) -> std::result::Result<RawDoc, String> {
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
    let Some(text) = field("text") else {
        return Err("no `text` field".into());
    };
    if let Some(d) = field("published") {
        if crate::claims::parse_iso_date(&d).is_none() {
            return Err(format!("`published` value `{d}` is not a YYYY-MM-DD date"));
        }
    }
    let path = field("path").unwrap_or_else(|| base.path.clone());
    let given = manifest_outlet
        .map(String::from)
        .or_else(|| field("outlet"));
    let meta = DocMeta {
        doc_id: field("id").unwrap_or_else(|| where_.to_string()),
        outlet: given.clone().unwrap_or_else(|| {
            if path == base.path {
                base.outlet.clone()
            } else {
                outlet_from_path(&path)
            }
        }),
        url: field("url").or_else(|| base.url.clone()),
        published: field("published").or_else(|| base.published.clone()),
        title: field("title").or_else(|| base.title.clone()),
        author: field("author"),
        story: field("story").or_else(|| base.story.clone()),
        format: field("format")
            .map(|f| f.to_ascii_lowercase())
            .unwrap_or_else(|| base.format.clone()),
        path,
    };
    Ok(RawDoc {
        meta,
        text,
        warning: field("warning"),
        outlet_given: given.is_some(),
    })
}

fn make_doc(meta: DocMeta, text: String, view: View, warning: Option<String>) -> Document {
    let view = strip_boilerplate(&view);
    Document {
        meta,
        chars: text.chars().count(),
        text,
        view,
        warnings: warning.into_iter().collect(),
        ..Document::default()
    }
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
        let dir = tempfile::tempdir().unwrap();
        let text = "{\"text\":\"Hello there.\",\"outlet\":\"Wire\"}\nnot json\n\n{\"id\":\"x1\",\"text\":\"Bye.\",\"format\":\"html\"}\n{\"id\":\"x2\",\"text\":\"<p>Hi &amp; bye, said the man who was leaving the town that day after a long stay there with friends and family, and he would come back next summer with his children.</p>\",\"format\":\"html\"}\n";
        std::fs::write(dir.path().join("feed.jsonl"), text).unwrap();
        let (docs, skipped) = load(dir.path(), &Manifest::new(), &html::Hints::builtin()).unwrap();
        let ids: Vec<&str> = docs.iter().map(|d| d.meta.doc_id.as_str()).collect();
        assert_eq!(ids, ["feed.jsonl#1", "x2"]);
        assert_eq!(docs[0].meta.outlet, "Wire");
        assert_eq!(docs[1].meta.outlet, "feed");
        // A line in HTML is read as a page: the entity is one view character.
        assert!(
            docs[1].view.text.starts_with("Hi & bye"),
            "{}",
            docs[1].view.text
        );
        assert_eq!(docs[1].view.to_original(0..4), (3, 11));
        let paths: Vec<&str> = skipped.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["feed.jsonl#2", "feed.jsonl (x1)"], "{skipped:?}");
    }

    /// A line written by `RawDoc::to_line` reads back as the same document.
    #[test]
    fn corpus_lines_round_trip() {
        let raw = RawDoc {
            meta: base_meta("wire/a.html", None, "html".into()),
            text: "<p>Text</p>".into(),
            warning: Some("decoded as UTF-16LE".into()),
            outlet_given: false,
        };
        let line = raw.to_line().to_string();
        let stdin = DocMeta {
            path: "stdin".into(),
            outlet: "stdin".into(),
            format: "jsonl".into(),
            ..DocMeta::default()
        };
        assert_eq!(parse_line(&line, "stdin#1", &stdin, None).unwrap(), raw);
        let given = RawDoc {
            outlet_given: true,
            meta: DocMeta {
                outlet: "The Wire".into(),
                published: Some("2024-01-02".into()),
                ..raw.meta.clone()
            },
            ..raw
        };
        let line = given.to_line().to_string();
        assert_eq!(parse_line(&line, "stdin#1", &stdin, None).unwrap(), given);
    }
}
