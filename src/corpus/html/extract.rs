//! Main-content extraction in the spirit of readability: drop what is never article text
//! (scripts, navigation, forms controls, captions, and elements whose class or id names page
//! furniture), cut the rest into text blocks, score the containers of prose paragraphs, keep the
//! best container and the sibling blocks that read like it, and drop link lists and the headline.
//! When the page carries a schema.org `articleBody`, the blocks that repeat it are preferred.
use super::dom::{Dom, Element, Node, NodeId};
use std::collections::HashSet;

/// Class/id word lists (see `data/html-hints.tsv`).
#[derive(Debug, Clone, Default)]
pub struct Hints {
    drop: HashSet<String>,
    body: HashSet<String>,
    weak: HashSet<String>,
    /// Lower-case phrases that make a short block at either end of the article a credit line.
    credit: Vec<String>,
    /// Names that make a block a credit line when it says little else ("The Associated Press").
    agency: Vec<String>,
    /// Words that open a byline ("By").
    byline: Vec<String>,
    /// Lower-case phrases that make a short block at either end of the article a promotion
    /// ("Follow him on Twitter", "Join our forums"), wherever they stand in it.
    promo: Vec<String>,
}

impl Hints {
    /// Parse the TSV format of `data/html-hints.tsv` (`kind<TAB>word`, `#` comments).
    pub fn parse(tsv: &str) -> Result<Hints, String> {
        let mut h = Hints::default();
        for (i, line) in tsv.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line == "kind\tword" {
                continue;
            }
            let Some((kind, word)) = line.split_once('\t') else {
                return Err(format!("line {}: expected `kind<TAB>word`", i + 1));
            };
            let word = word.trim().to_lowercase();
            match kind.trim() {
                "drop" => h.drop.insert(word),
                "body" => h.body.insert(word),
                "weak" => h.weak.insert(word),
                "credit" => {
                    h.credit.push(word);
                    true
                }
                "agency" => {
                    h.agency.push(word);
                    true
                }
                "byline" => {
                    h.byline.push(word);
                    true
                }
                "promo" => {
                    h.promo.push(word);
                    true
                }
                other => return Err(format!("line {}: unknown kind `{other}`", i + 1)),
            };
        }
        Ok(h)
    }

    /// The shipped lists (`data/html-hints.tsv`).
    pub fn builtin() -> Hints {
        Hints::parse(include_str!("../../../data/html-hints.tsv")).unwrap_or_default()
    }

    /// Read a hints file (`--html-hints`).
    pub fn load(path: &std::path::Path) -> crate::error::Result<Hints> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::error::Error::io(path, e))?;
        Hints::parse(&text).map_err(|e| crate::error::Error::input(path, e))
    }

    fn words(e: &Element) -> Vec<String> {
        let mut out = Vec::new();
        for name in ["class", "id"] {
            let Some(v) = e.attr(name) else { continue };
            let mut prev_part: Option<String> = None;
            for part in v.split(|c: char| !c.is_ascii_alphanumeric()) {
                // camelCase humps: "PromoSmall" -> promo, small; also the whole part.
                let mut cur = String::new();
                let mut prev_lower = false;
                for c in part.chars() {
                    if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                        out.push(std::mem::take(&mut cur).to_ascii_lowercase());
                    }
                    prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
                    cur.push(c);
                }
                if !cur.is_empty() {
                    let whole = part.to_ascii_lowercase();
                    // Two parts run together: "read-more" -> readmore.
                    if let Some(prev) = prev_part.take() {
                        out.push(format!("{prev}{whole}"));
                    }
                    prev_part = Some(whole.clone());
                    let last = cur.to_ascii_lowercase();
                    if whole != last {
                        out.push(whole);
                    }
                    out.push(last);
                }
            }
        }
        out
    }

    fn is_drop(&self, w: &str) -> bool {
        self.drop.contains(w)
            || self
                .drop
                .iter()
                .any(|d| d.len() >= 5 && w.len() > d.len() && w.starts_with(d.as_str()))
    }
}

/// Elements that never hold article text.
const NEVER: &[&str] = &[
    "head",
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "button",
    "select",
    "textarea",
    "input",
    "label",
    "nav",
    "footer",
    "aside",
    "figure",
    "figcaption",
    "picture",
    "video",
    "audio",
    "header",
    "dialog",
    "menu",
    "form-control",
];

/// ARIA roles of page regions that are not the article.
const NEVER_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "dialog",
    "alertdialog",
    "search",
    "menu",
    "menubar",
    "toolbar",
];

/// Elements that start a new text block.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "blockquote",
    "hr",
    "main",
    "pre",
    "body",
    "address",
    "center",
    "details",
    "summary",
];

/// One run of text between block boundaries.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Text with whitespace runs collapsed to one space, trimmed.
    pub text: String,
    /// Original code-point range of each character of `text`.
    pub map: Vec<(u32, u32)>,
    /// Characters inside links.
    link_chars: usize,
    /// The nearest block-level element holding the text.
    container: NodeId,
    /// Inside `h1`..`h6`.
    heading: Option<u8>,
    /// Inside `li`.
    list_item: bool,
}

impl Block {
    fn chars(&self) -> usize {
        self.map.len()
    }
    fn link_density(&self) -> f32 {
        self.link_chars as f32 / self.chars().max(1) as f32
    }
    fn words(&self) -> usize {
        self.text.split_whitespace().count()
    }
    /// Reads like a sentence of prose: long enough, ends like a sentence or holds a comma, not
    /// mostly links.
    fn is_prose(&self) -> bool {
        let t = self
            .text
            .trim_end_matches(['"', '\u{201d}', '\'', '\u{2019}', ')']);
        self.heading.is_none()
            && self.words() >= 8
            && self.link_density() < 0.5
            && (t.ends_with(['.', '!', '?', ':', '…']) || self.text.contains(','))
    }
}

/// What was kept, and how it was chosen.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub blocks: Vec<Block>,
    /// `container` (readability-style scoring) or `json-ld` (blocks repeating `articleBody`).
    pub method: &'static str,
    /// Prose blocks on the whole page, and link-list blocks (for index-page detection).
    pub page_prose_blocks: usize,
    pub page_link_blocks: usize,
    /// Credit lines and bylines taken out of the text, in page order.
    pub credit_lines: Vec<String>,
    /// The name of a byline ("By Dan Muse" -> "Dan Muse"), if one was taken out.
    pub byline: Option<String>,
}

struct Walker<'a> {
    dom: &'a Dom,
    dropped: Vec<bool>,
    blocks: Vec<Block>,
    cur: Block,
    pending_space: Option<(u32, u32)>,
}

impl Walker<'_> {
    fn flush(&mut self) {
        if !self.cur.text.is_empty() {
            let b = std::mem::take(&mut self.cur);
            self.blocks.push(b);
        }
        self.pending_space = None;
    }

    /// Walk the tree under `root` in document order, gathering text into blocks. Iterative
    /// (an explicit stack), so a page nested 200,000 deep walks like a flat one.
    fn walk(&mut self, root: NodeId) {
        enum Step {
            Enter(NodeId, Context),
            /// Leaving a block element: close its block.
            Close,
        }
        #[derive(Clone, Copy)]
        struct Context {
            container: NodeId,
            link: bool,
            heading: Option<u8>,
            li: bool,
        }
        let mut todo = vec![Step::Enter(
            root,
            Context {
                container: root,
                link: false,
                heading: None,
                li: false,
            },
        )];
        while let Some(step) = todo.pop() {
            let (id, cx) = match step {
                Step::Close => {
                    self.flush();
                    continue;
                }
                Step::Enter(id, cx) => (id, cx),
            };
            if self.dropped[id] {
                continue;
            }
            match &self.dom.nodes[id] {
                Node::Text { text, map } => {
                    self.text(text, map, cx.container, cx.link, cx.heading, cx.li)
                }
                Node::Element(e) => {
                    let block = BLOCK.contains(&e.name.as_str());
                    if block {
                        self.flush();
                        todo.push(Step::Close);
                    }
                    let inner = Context {
                        container: if block { id } else { cx.container },
                        heading: match e.name.as_bytes() {
                            [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
                            _ => cx.heading,
                        },
                        link: cx.link || e.name == "a",
                        li: cx.li || e.name == "li",
                    };
                    todo.extend(e.children.iter().rev().map(|&c| Step::Enter(c, inner)));
                }
            }
        }
    }

    fn text(
        &mut self,
        text: &str,
        map: &[(u32, u32)],
        container: NodeId,
        link: bool,
        heading: Option<u8>,
        li: bool,
    ) {
        for (c, &r) in text.chars().zip(map.iter()) {
            if c.is_whitespace() {
                if !self.cur.text.is_empty() && self.pending_space.is_none() {
                    self.pending_space = Some(r);
                }
                continue;
            }
            if self.cur.text.is_empty() {
                self.cur.container = container;
                self.cur.heading = heading;
                self.cur.list_item = li;
            }
            if let Some(sp) = self.pending_space.take() {
                self.cur.text.push(' ');
                self.cur.map.push(sp);
                if link {
                    self.cur.link_chars += 1;
                }
            }
            self.cur.text.push(c);
            self.cur.map.push(r);
            if link {
                self.cur.link_chars += 1;
            }
        }
    }
}

fn hidden_by_attrs(e: &Element) -> bool {
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = e.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    e.attr("role")
        .is_some_and(|r| NEVER_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
        || e.attr("itemprop").is_some_and(|p| {
            matches!(
                p.to_ascii_lowercase().as_str(),
                "author" | "publisher" | "datepublished" | "headline" | "caption"
            )
        })
}

fn is_body_element(e: &Element) -> bool {
    e.attr("itemprop")
        .is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
}

/// Structural drops: elements that never hold article text.
fn structural_drops(dom: &Dom) -> Vec<bool> {
    let mut dropped = vec![false; dom.nodes.len()];
    for (id, e) in dom.elements() {
        if NEVER.contains(&e.name.as_str()) || hidden_by_attrs(e) {
            dropped[id] = true;
        }
    }
    propagate(dom, &mut dropped);
    dropped
}

/// A dropped element drops everything under it.
fn propagate(dom: &Dom, dropped: &mut [bool]) {
    // Nodes are numbered in document order, parents before children.
    for id in 0..dom.nodes.len() {
        if dropped[id] {
            if let Node::Element(e) = &dom.nodes[id] {
                for &c in &e.children {
                    dropped[c] = true;
                }
            }
        }
    }
}

/// Prose characters under each node, given the blocks of the page.
fn prose_under(dom: &Dom, blocks: &[Block]) -> Vec<usize> {
    let mut prose = vec![0usize; dom.nodes.len()];
    for b in blocks.iter().filter(|b| b.is_prose()) {
        let mut n = Some(b.container);
        while let Some(id) = n {
            prose[id] += b.chars();
            n = dom.element(id).and_then(|e| e.parent);
        }
    }
    prose
}

fn blocks_of(dom: &Dom, dropped: &[bool]) -> Vec<Block> {
    let mut w = Walker {
        dom,
        dropped: dropped.to_vec(),
        blocks: Vec::new(),
        cur: Block::default(),
        pending_space: None,
    };
    w.walk(0);
    w.flush();
    w.blocks
}

fn ancestors(dom: &Dom, id: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut n = dom.element(id).and_then(|e| e.parent);
    while let Some(p) = n {
        out.push(p);
        n = dom.element(p).and_then(|e| e.parent);
    }
    out
}

fn is_under(dom: &Dom, id: NodeId, top: NodeId) -> bool {
    id == top || ancestors(dom, id).contains(&top)
}

/// Extract the article text of a parsed page. `body` is the page's schema.org `articleBody`,
/// if it has one; `title` its headline (a heading repeating it is dropped).
pub fn extract(dom: &Dom, hints: &Hints, body: Option<&str>, title: Option<&str>) -> Extraction {
    // 1. Structural drops, then the blocks of the whole page, to know where the prose is.
    let mut dropped = structural_drops(dom);
    let page = blocks_of(dom, &dropped);
    let prose = prose_under(dom, &page);
    let total_prose = prose[0].max(1);
    let page_prose_blocks = page.iter().filter(|b| b.is_prose()).count();
    let page_link_blocks = page
        .iter()
        .filter(|b| b.link_density() > 0.8 && b.words() <= 12)
        .count();

    // 2. Class/id drops, unless the element holds most of the page's prose.
    for (id, e) in dom.elements() {
        if dropped[id] || matches!(e.name.as_str(), "html" | "body" | "main" | "#root") {
            continue;
        }
        if is_body_element(e) {
            continue;
        }
        let words = Hints::words(e);
        if !words.iter().any(|w| hints.is_drop(w)) {
            continue;
        }
        let share = prose[id] as f32 / total_prose as f32;
        let bodyish = words.iter().any(|w| hints.body.contains(w));
        if share >= 0.8 || (share >= 0.5 && bodyish) {
            continue;
        }
        dropped[id] = true;
    }
    propagate(dom, &mut dropped);
    let blocks = blocks_of(dom, &dropped);

    // 3. Prefer the blocks that repeat a schema.org articleBody, unless that body is a
    //    teaser: the scored container holds every one of its blocks and more prose besides.
    let kept = by_container(dom, &blocks, &dropped, hints);
    if let Some(body) = body.filter(|b| b.split_whitespace().count() >= 40) {
        if let Some(by_body) = by_article_body(&blocks, body) {
            let starts: HashSet<Option<&(u32, u32)>> = kept.iter().map(|b| b.map.first()).collect();
            let words = |bs: &[Block]| bs.iter().map(Block::words).sum::<usize>();
            let teaser = by_body.iter().all(|b| starts.contains(&b.map.first()))
                && words(&kept) * 2 > words(&by_body) * 3;
            if !teaser {
                return finish(
                    by_body,
                    title,
                    hints,
                    "json-ld",
                    page_prose_blocks,
                    page_link_blocks,
                );
            }
        }
    }

    // 4. Readability-style container scoring.
    let kept_words: usize = kept.iter().map(Block::words).sum();
    // 5. Class hints can be wrong about a whole layout (a page builder whose every box is a
    //    "widget"): when they leave no article, score the page again with only the structural
    //    drops (scripts, navigation, hidden elements) and keep the densest region of prose.
    if kept_words < super::MIN_WORDS {
        let structural = structural_drops(dom);
        let again = by_container(dom, &page, &structural, hints);
        if again.iter().map(Block::words).sum::<usize>() > kept_words {
            return finish(
                again,
                title,
                hints,
                "densest",
                page_prose_blocks,
                page_link_blocks,
            );
        }
    }
    finish(
        kept,
        title,
        hints,
        "container",
        page_prose_blocks,
        page_link_blocks,
    )
}

/// The blocks of the best-scoring container, its twins and its prose siblings; every prose
/// block when no container scores.
fn by_container(dom: &Dom, blocks: &[Block], dropped: &[bool], hints: &Hints) -> Vec<Block> {
    let top = best_container(dom, blocks, hints);
    match top {
        Some(top) => {
            let parent = dom.element(top).and_then(|e| e.parent).unwrap_or(top);
            // Pages that cut the article into several boxes of one kind between pictures and
            // ads: every element with the container's tag and class is part of it.
            let twins: Vec<NodeId> = match dom.element(top) {
                Some(t) if t.attr("class").is_some_and(|c| !c.trim().is_empty()) => dom
                    .elements()
                    .filter(|(id, e)| {
                        *id != top
                            && !dropped[*id]
                            && e.name == t.name
                            && e.attr("class") == t.attr("class")
                    })
                    .map(|(id, _)| id)
                    .collect(),
                _ => Vec::new(),
            };
            blocks
                .iter()
                .filter(|b| {
                    if is_under(dom, b.container, top) {
                        return true;
                    }
                    if twins.iter().any(|&t| is_under(dom, b.container, t)) {
                        return true;
                    }
                    // A prose sibling next to the container (pages that split the article
                    // over several boxes under one parent).
                    b.is_prose() && b.chars() >= 120 && is_under(dom, b.container, parent)
                })
                .cloned()
                .collect()
        }
        None => blocks.iter().filter(|b| b.is_prose()).cloned().collect(),
    }
}

fn finish(
    kept: Vec<Block>,
    title: Option<&str>,
    hints: &Hints,
    method: &'static str,
    page_prose_blocks: usize,
    page_link_blocks: usize,
) -> Extraction {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let title = title.map(norm).unwrap_or_default();
    let blocks = kept
        .into_iter()
        .filter(|b| {
            // Link lists and link-only lines.
            if b.link_density() > 0.5 && !(b.is_prose() && b.link_density() < 0.8) {
                return false;
            }
            // The headline, and top-level headings.
            if b.heading == Some(1) {
                return false;
            }
            if b.heading.is_some() && !title.is_empty() {
                let t = norm(&b.text);
                if !t.is_empty() && (title.contains(&t) || t.contains(&title)) {
                    return false;
                }
            }
            true
        })
        .collect();
    let (blocks, credit_lines, byline) = credits_out(blocks, hints);
    Extraction {
        blocks,
        method,
        page_prose_blocks,
        page_link_blocks,
        credit_lines,
        byline,
    }
}

/// Blocks at each end of the article searched for credit lines and bylines.
const CREDIT_EDGE: (usize, usize) = (3, 4);
/// A credit line is short: a block of more words is article text whatever it says.
const CREDIT_MAX_WORDS: usize = 30;
/// An agency name alone, give or take a few words ("(c) 2008 The Associated Press").
const AGENCY_MAX_WORDS: usize = 6;
/// A byline: "By" and at most this many words, the names capitalised.
const BYLINE_MAX_WORDS: usize = 12;
/// A promotion line at the edge of the article is at most this long.
const PROMO_MAX_WORDS: usize = 45;
/// Words a credit phrase may follow in its block ("Fox News' Jessica Napoli contributed ...").
const CREDIT_LEAD_WORDS: usize = 12;

/// Lower case, words only, single-spaced, with a space at each end (for whole-word search).
fn phrase_form(s: &str) -> String {
    let words: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!(" {} ", words.join(" "))
}

/// What a block at the edge of the article is, if it is not article text: a byline (with the
/// name it gives) or a credit line.
enum Credit {
    Byline(String),
    Line,
}

fn credit_of_block(b: &Block, hints: &Hints) -> Option<Credit> {
    let words: Vec<&str> = b.text.split_whitespace().collect();
    if words.is_empty() || words.len() > CREDIT_MAX_WORDS.max(PROMO_MAX_WORDS) {
        return None;
    }
    let form = phrase_form(&b.text);
    // "By Dan Muse", "By Agencies", "By JOHN SMITH, Associated Press Writer".
    if words.len() >= 2
        && words.len() <= BYLINE_MAX_WORDS
        && hints.byline.contains(&words[0].to_lowercase())
    {
        let mut name = Vec::new();
        for w in &words[1..] {
            name.push(w.trim_end_matches([',', '|', '.', ';', ':']));
            if w.ends_with([',', '|', ';']) {
                break;
            }
        }
        let capitalised = name.iter().all(|w| {
            w.chars().next().is_some_and(|c| c.is_uppercase())
                || matches!(
                    *w,
                    "and" | "de" | "van" | "von" | "del" | "da" | "la" | "bin"
                )
        });
        if capitalised && name.len() <= 5 {
            return Some(Credit::Byline(name.join(" ")));
        }
    }
    // A credit phrase near the block's start: a paragraph of prose that ends with "(Additional
    // reporting by NAME)" stays.
    let credited = hints.credit.iter().any(|c| match c.strip_prefix('^') {
        Some(c) => form.starts_with(&format!(" {c} ")),
        None => form
            .find(&format!(" {c} "))
            .is_some_and(|at| form[..at].split_whitespace().count() <= CREDIT_LEAD_WORDS),
    });
    if credited && words.len() <= CREDIT_MAX_WORDS {
        return Some(Credit::Line);
    }
    if words.len() <= PROMO_MAX_WORDS
        && hints.promo.iter().any(|c| form.contains(&format!(" {c} ")))
    {
        return Some(Credit::Line);
    }
    // An agency name with little else: "© AP", "The Associated Press", "AFP/Getty".
    if words.len() <= AGENCY_MAX_WORDS
        && hints
            .agency
            .iter()
            .any(|a| form.contains(&format!(" {a} ")))
    {
        let rest = hints
            .agency
            .iter()
            .fold(form.clone(), |f, a| f.replace(&format!(" {a} "), " "));
        let other = rest
            .split_whitespace()
            .filter(|w| {
                !matches!(
                    *w,
                    "the" | "by" | "c" | "copyright" | "and" | "source" | "via"
                ) && !w.chars().all(|c| c.is_ascii_digit())
            })
            .count();
        if other <= 1 {
            return Some(Credit::Line);
        }
    }
    None
}

/// Take credit lines and bylines out of the first and last blocks of the article.
fn credits_out(blocks: Vec<Block>, hints: &Hints) -> (Vec<Block>, Vec<String>, Option<String>) {
    let n = blocks.len();
    let mut lines = Vec::new();
    let mut byline = None;
    let mut kept = Vec::with_capacity(n);
    for (i, b) in blocks.into_iter().enumerate() {
        let edge = i < CREDIT_EDGE.0 || i + CREDIT_EDGE.1 >= n;
        match edge.then(|| credit_of_block(&b, hints)).flatten() {
            Some(Credit::Byline(name)) => {
                byline.get_or_insert(name);
                lines.push(b.text);
            }
            Some(Credit::Line) => lines.push(b.text),
            None => kept.push(b),
        }
    }
    (kept, lines, byline)
}

/// Word trigrams, lower case.
fn trigrams(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.windows(3).map(|w| w.join(" ")).collect()
}

/// The blocks whose word trigrams mostly occur in `body`, if they cover most of it.
fn by_article_body(blocks: &[Block], body: &str) -> Option<Vec<Block>> {
    let body_grams: Vec<String> = trigrams(body);
    let set: HashSet<&str> = body_grams.iter().map(String::as_str).collect();
    let mut covered: HashSet<&str> = HashSet::new();
    let mut kept = Vec::new();
    for b in blocks {
        let grams = trigrams(&b.text);
        if grams.is_empty() {
            continue;
        }
        let hit = grams.iter().filter(|g| set.contains(g.as_str())).count();
        if hit * 10 >= grams.len() * 6 {
            for g in &grams {
                if let Some(s) = set.get(g.as_str()) {
                    covered.insert(s);
                }
            }
            kept.push(b.clone());
        }
    }
    (covered.len() * 10 >= set.len() * 7).then_some(kept)
}

/// The element whose prose paragraphs score highest (readability's scheme: a paragraph's score
/// goes whole to its container's parent and half to the grandparent; the total is weighed by
/// the element's link density and class hints).
fn best_container(dom: &Dom, blocks: &[Block], hints: &Hints) -> Option<NodeId> {
    let mut score = vec![0f32; dom.nodes.len()];
    let mut links = vec![(0usize, 0usize); dom.nodes.len()];
    for b in blocks {
        let mut n = Some(b.container);
        while let Some(id) = n {
            links[id].0 += b.link_chars;
            links[id].1 += b.chars();
            n = dom.element(id).and_then(|e| e.parent);
        }
    }
    for b in blocks.iter().filter(|b| b.is_prose() && b.chars() >= 25) {
        let commas = b.text.matches([',', '\u{ff0c}']).count() as f32;
        let s = 1.0 + commas + (b.chars() as f32 / 100.0).min(3.0);
        // Readability's dividers: the parent takes it whole, the grandparent half, the
        // next three ancestors a sixth, a ninth and a twelfth.
        for (level, &a) in ancestors(dom, b.container).iter().take(5).enumerate() {
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[a] += s / divider;
        }
    }
    let mut best: Option<(NodeId, f32)> = None;
    for (id, e) in dom.elements() {
        if score[id] <= 0.0 {
            continue;
        }
        let words = Hints::words(e);
        let mut weight = 0f32;
        if is_body_element(e) || words.iter().any(|w| hints.body.contains(w)) {
            weight += 25.0;
        }
        if words.iter().any(|w| hints.weak.contains(w)) {
            weight -= 25.0;
        }
        if e.name == "article" {
            weight += 10.0;
        }
        let (l, t) = links[id];
        let density = l as f32 / t.max(1) as f32;
        let s = (score[id] + weight) * (1.0 - density);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((id, s));
        }
    }
    let (mut top, top_score) = best?;
    // Several strong candidates under one ancestor: the article is split across them.
    let strong: Vec<NodeId> = dom
        .elements()
        .filter(|(id, _)| *id != top && score[*id] >= top_score * 0.75)
        .map(|(id, _)| id)
        .filter(|&id| !is_under(dom, id, top) && !is_under(dom, top, id))
        .collect();
    if strong.len() >= 2 {
        for p in ancestors(dom, top) {
            if strong.iter().filter(|&&s| is_under(dom, s, p)).count() >= 2 {
                top = p;
                break;
            }
        }
    }
    Some(top)
}
