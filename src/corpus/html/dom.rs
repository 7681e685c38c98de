//! A small element tree built from the WHATWG tokenizer of the `html5gum` crate, keeping for every
//! decoded text character the code-point range of the original file it came from.
//!
//! The tokenizer does the hard part (entities, attributes, comments, `<script>` and `<style>` as
//! raw text, CR/LF normalisation). Tree construction here is the simplified form scrapers use:
//! void elements never open, a block start closes an open `<p>`, `<li>`/`<dt>`/`<dd>`/`<tr>`/
//! `<td>`/`<option>` close their open siblings, and an end tag closes up to the nearest open
//! element of its name (a stray end tag is ignored).
use html5gum::{DefaultEmitter, State, Token, Tokenizer};

/// Index of a node in [`Dom::nodes`].
pub type NodeId = usize;

/// One element or text run.
#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    /// Decoded text; `map[i]` is the original code-point range of its `i`-th character.
    Text {
        text: String,
        map: Vec<(u32, u32)>,
    },
}

#[derive(Debug, Clone)]
pub struct Element {
    /// Lower-case tag name.
    pub name: String,
    /// Attributes, names lower case, in source order of their names.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<NodeId>,
    pub parent: Option<NodeId>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The parsed page. Node 0 is the root (a synthetic `#root` element).
#[derive(Debug, Clone)]
pub struct Dom {
    pub nodes: Vec<Node>,
}

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen",
];

/// Start tags that close an open `<p>` (HTML's "close a p element" list, abridged).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// Elements that belong in `<head>`. Any other start tag, or text that is not white space, ends
/// an open head (HTML's "in head" insertion mode): pages of the 2000s often never close it, and
/// without this rule their whole body would be read as part of the head.
const IN_HEAD: &[&str] = &[
    "head", "title", "meta", "link", "style", "script", "base", "noscript", "template", "basefont",
    "bgsound",
];

/// For an element that closes an open sibling of the same kind: the names it closes and the
/// names that bound the search (a nested list is not closed by an inner `<li>`).
fn implied_close(name: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match name {
        "li" => (&["li"], &["ul", "ol", "menu"]),
        "dt" | "dd" => (&["dt", "dd"], &["dl"]),
        "tr" => (&["tr", "td", "th"], &["table", "tbody", "thead", "tfoot"]),
        "td" | "th" => (&["td", "th"], &["tr", "table"]),
        "option" => (&["option"], &["select", "datalist"]),
        _ => return None,
    })
}

/// Walks byte offsets of `src` forward, counting code points; offsets must not go backwards.
struct CodePoints<'a> {
    src: &'a str,
    byte: usize,
    cp: u32,
}

impl CodePoints<'_> {
    fn at(&mut self, byte: usize) -> u32 {
        let byte = byte.min(self.src.len());
        if byte < self.byte {
            // Not expected from the tokenizer; recount from the start rather than guess.
            self.byte = 0;
            self.cp = 0;
        }
        let mut b = self.byte;
        while b < byte {
            let Some(c) = self.src[b..].chars().next() else {
                break;
            };
            b += c.len_utf8();
            self.cp += 1;
        }
        self.byte = b;
        self.cp
    }
}

/// Byte offset of the last ASCII-case-insensitive occurrence of `needle` (ASCII) in `hay`.
fn last_index_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?)
        .rev()
        .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn lossy(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// Map each decoded character of a text token to its original code points. `raw` is the
/// token's source text, starting at code point `start`. Characters are matched one for one;
/// a character reference (`&amp;`, `&#8220;`, `&nbsp`) maps to the whole reference, and a CR
/// dropped by newline normalisation is skipped. Where the two cannot be aligned the remaining
/// characters map to the rest of the token, so a range never leaves its token.
fn align(decoded: &str, raw: &str, start: u32) -> Vec<(u32, u32)> {
    let raw: Vec<char> = raw.chars().collect();
    let end = start + raw.len() as u32;
    let mut map = Vec::with_capacity(decoded.len());
    let mut i = 0usize;
    let dec: Vec<char> = decoded.chars().collect();
    let mut j = 0usize;
    while j < dec.len() {
        let c = dec[j];
        if i >= raw.len() {
            map.push((end, end));
            j += 1;
            continue;
        }
        if raw[i] == '\r' && c != '\r' {
            i += 1;
            continue;
        }
        // A character reference: `&`, then `#x?[0-9a-f]+` or a name, then an optional `;`.
        let mut k = i + 1;
        if raw.get(k) == Some(&'#') {
            k += 1;
            if matches!(raw.get(k), Some('x' | 'X')) {
                k += 1;
            }
        }
        while raw.get(k).is_some_and(|ch| ch.is_ascii_alphanumeric()) {
            k += 1;
        }
        if raw.get(k) == Some(&';') {
            k += 1;
        }
        // An unknown reference stays as written (`&bogus;`): the characters match one for one.
        let literal = dec.get(j..j + (k - i)) == raw.get(i..k);
        if raw[i] == '&' && !literal && (c != '&' || looks_like_reference(&raw[i..])) {
            // A legacy reference without `;` ends where the rest lines up again: "&nbspmore"
            // decodes to a no-break space and "more".
            let agrees = |e: usize| {
                let m = 4.min(dec.len() - (j + 1)).min(raw.len().saturating_sub(e));
                m > 0 && raw[e..e + m] == dec[j + 1..j + 1 + m]
            };
            if raw.get(k - 1) != Some(&';') && j + 1 < dec.len() && !agrees(k) {
                if let Some(e) = (i + 2..k).find(|&e| agrees(e)) {
                    k = e;
                }
            }
            let r = (start + i as u32, start + k as u32);
            map.push(r);
            j += 1;
            // A reference can decode to two characters (`&NotEqualTilde;`).
            while j < dec.len() && raw.get(k) != Some(&dec[j]) && dec.len() - j > raw.len() - k {
                map.push(r);
                j += 1;
            }
            i = k;
            continue;
        }
        if raw[i] == c {
            map.push((start + i as u32, start + i as u32 + 1));
            i += 1;
            j += 1;
            continue;
        }
        // Out of step: skip raw characters the tokenizer dropped, if the decoded character
        // comes soon; else map the rest to the rest of the token.
        if let Some(skip) = (1..12).find(|&d| raw.get(i + d) == Some(&c)) {
            i += skip;
            continue;
        }
        let at = start + i as u32;
        for _ in j..dec.len() {
            map.push((at, end));
        }
        break;
    }
    map
}

fn looks_like_reference(raw: &[char]) -> bool {
    raw.get(1)
        .is_some_and(|c| *c == '#' || c.is_ascii_alphabetic())
}

impl Dom {
    /// Parse a page. Never fails: HTML has no syntax errors a reader must stop at.
    pub fn parse(src: &str) -> Dom {
        let mut emitter = DefaultEmitter::<usize>::new_with_span();
        emitter.naively_switch_states(true);
        let mut tokens = Tokenizer::new_with_emitter(src, emitter);
        // `<title>` and `<textarea>` hold text only, up to their end tag. A page that never
        // closes one (saved pages of the 2000s do) would hide the rest of itself in it, so after
        // the last end tag of that name the tokenizer reads their content as markup.
        let last_end = |name: &str| last_index_ci(src, name);
        let (title_end, textarea_end) = (last_end("</title"), last_end("</textarea"));
        let mut dom = Dom {
            nodes: vec![Node::Element(Element {
                name: "#root".into(),
                attrs: Vec::new(),
                children: Vec::new(),
                parent: None,
            })],
        };
        let mut stack: Vec<NodeId> = vec![0];
        // Where an open `<head>` sits on the stack (checked before use: it may have closed).
        let mut head_at: Option<usize> = None;
        let mut cps = CodePoints {
            src,
            byte: 0,
            cp: 0,
        };
        while let Some(token) = tokens.next() {
            let Ok(token) = token;
            match token {
                Token::StartTag(tag) => {
                    let name = lossy(&tag.name).to_ascii_lowercase();
                    let unclosed = match name.as_str() {
                        "title" => title_end.is_none_or(|e| e < tag.span.end),
                        "textarea" => textarea_end.is_none_or(|e| e < tag.span.end),
                        _ => false,
                    };
                    if unclosed {
                        tokens.set_state(State::Data);
                    }
                    if !IN_HEAD.contains(&name.as_str()) {
                        dom.close_head(&mut stack, &mut head_at);
                    }
                    if CLOSES_P.contains(&name.as_str()) {
                        dom.close_in_scope(&mut stack, &["p"], &["div", "td", "li", "blockquote"]);
                    }
                    if let Some((closes, bounds)) = implied_close(&name) {
                        dom.close_in_scope(&mut stack, closes, bounds);
                    }
                    let parent = *stack.last().unwrap_or(&0);
                    let id = dom.nodes.len();
                    dom.nodes.push(Node::Element(Element {
                        attrs: tag
                            .attributes
                            .iter()
                            .map(|(k, v)| (lossy(k).to_ascii_lowercase(), lossy(&v.value)))
                            .collect(),
                        name: name.clone(),
                        children: Vec::new(),
                        parent: Some(parent),
                    }));
                    dom.push_child(parent, id);
                    if !tag.self_closing && !VOID.contains(&name.as_str()) {
                        if name == "head" {
                            head_at = Some(stack.len());
                        }
                        stack.push(id);
                    }
                }
                Token::EndTag(tag) => {
                    let name = lossy(&tag.name).to_ascii_lowercase();
                    if let Some(pos) = stack
                        .iter()
                        .rposition(|&n| dom.element(n).is_some_and(|e| e.name == name))
                    {
                        if pos > 0 {
                            stack.truncate(pos);
                        }
                    }
                }
                Token::String(s) => {
                    let start = cps.at(s.span.start);
                    let raw = src.get(s.span.start..s.span.end).unwrap_or("");
                    let text = lossy(&s.value);
                    if !text.trim().is_empty()
                        && stack
                            .last()
                            .and_then(|&n| dom.element(n))
                            .is_some_and(|e| e.name == "head")
                    {
                        dom.close_head(&mut stack, &mut head_at);
                    }
                    let map = align(&text, raw, start);
                    let parent = *stack.last().unwrap_or(&0);
                    let id = dom.nodes.len();
                    dom.nodes.push(Node::Text { text, map });
                    dom.push_child(parent, id);
                }
                Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
            }
        }
        dom
    }

    /// Close an open `<head>` and everything opened inside it.
    fn close_head(&self, stack: &mut Vec<NodeId>, head_at: &mut Option<usize>) {
        if let Some(pos) = head_at.take() {
            let open = stack
                .get(pos)
                .and_then(|&n| self.element(n))
                .is_some_and(|e| e.name == "head");
            if open && pos > 0 {
                stack.truncate(pos);
            }
        }
    }

    fn push_child(&mut self, parent: NodeId, child: NodeId) {
        if let Some(Node::Element(e)) = self.nodes.get_mut(parent) {
            e.children.push(child);
        }
    }

    /// Pop the stack down past the nearest open element named in `names`, unless an element
    /// named in `bounds` comes first.
    fn close_in_scope(&self, stack: &mut Vec<NodeId>, names: &[&str], bounds: &[&str]) {
        for pos in (1..stack.len()).rev() {
            let Some(e) = self.element(stack[pos]) else {
                continue;
            };
            if names.contains(&e.name.as_str()) {
                stack.truncate(pos);
                return;
            }
            if bounds.contains(&e.name.as_str()) {
                return;
            }
        }
    }

    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match self.nodes.get(id) {
            Some(Node::Element(e)) => Some(e),
            _ => None,
        }
    }

    /// The first element named `name`, in document order.
    pub fn find(&self, name: &str) -> Option<NodeId> {
        (0..self.nodes.len()).find(|&n| self.element(n).is_some_and(|e| e.name == name))
    }

    /// Every element, in document order.
    pub fn elements(&self) -> impl Iterator<Item = (NodeId, &Element)> {
        self.nodes.iter().enumerate().filter_map(|(i, n)| match n {
            Node::Element(e) => Some((i, e)),
            _ => None,
        })
    }

    /// All text under `id`, concatenated as it stands in the source (raw text of scripts too).
    pub fn text_of(&self, id: NodeId) -> String {
        let mut out = String::new();
        let mut todo = vec![id];
        while let Some(n) = todo.pop() {
            match &self.nodes[n] {
                Node::Text { text, .. } => out.push_str(text),
                Node::Element(e) => todo.extend(e.children.iter().rev()),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(src: &str, r: (u32, u32)) -> String {
        src.chars()
            .skip(r.0 as usize)
            .take((r.1 - r.0) as usize)
            .collect()
    }

    #[test]
    fn script_with_less_than_hides_nothing_after_it() {
        let src =
            "<body><script>for(i=0;i<n.length;i++){}</script><p>After é &amp; more</p></body>";
        let dom = Dom::parse(src);
        let p = dom.find("p").unwrap();
        assert_eq!(dom.text_of(p), "After é & more");
        let Node::Text { text, map } = &dom.nodes[dom.element(p).unwrap().children[0]] else {
            panic!("text expected");
        };
        let amp = text.chars().position(|c| c == '&').unwrap();
        assert_eq!(slice(src, map[amp]), "&amp;");
        let e = text.chars().position(|c| c == 'é').unwrap();
        assert_eq!(slice(src, map[e]), "é");
    }

    #[test]
    fn implied_ends_build_siblings() {
        let dom = Dom::parse("<ul><li>a<li>b</ul><p>one<p>two<div>three</div>");
        let ul = dom.find("ul").unwrap();
        assert_eq!(dom.element(ul).unwrap().children.len(), 2);
        let ps: Vec<_> = dom.elements().filter(|(_, e)| e.name == "p").collect();
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[1].1.parent, Some(0));
        let div = dom.find("div").unwrap();
        assert_eq!(dom.element(div).unwrap().parent, Some(0));
    }

    #[test]
    fn an_unclosed_head_ends_where_the_body_begins() {
        // A 2008 page: `<head>` never closed, the layout table straight after the title.
        let dom = Dom::parse(
            "<html><head><title>T</title><meta name=x><table><tr><td><font>Story text.</font></td></tr></table>",
        );
        let head = dom.find("head").unwrap();
        let table = dom.find("table").unwrap();
        assert!(dom.element(head).unwrap().children.len() == 2);
        assert_ne!(dom.element(table).unwrap().parent, Some(head));
        // Text straight after the head's elements ends it too.
        let dom = Dom::parse("<head><title>T</title>Story text.<p>more</p>");
        let head = dom.find("head").unwrap();
        assert_eq!(dom.element(head).unwrap().children.len(), 1);
    }

    #[test]
    fn an_unclosed_title_does_not_swallow_the_page() {
        let src = "<html><head><title>Sport<script>x()</script></head><body><p>India have withdrawn their threat.</p></body>";
        let dom = Dom::parse(src);
        let p = dom.find("p").unwrap();
        assert_eq!(dom.text_of(p), "India have withdrawn their threat.");
        // A closed title stays text only, markup-looking content included.
        let dom = Dom::parse("<title>a <b> c</title><p>x</p>");
        assert!(dom.find("b").is_none());
        assert_eq!(dom.text_of(dom.find("title").unwrap()), "a <b> c");
    }

    #[test]
    fn references_and_crlf_align() {
        let src = "a&nbsp;b&#8220;c\r\nd &copy e & f";
        let dom = Dom::parse(src);
        let Node::Text { text, map } = &dom.nodes[1] else {
            panic!("text expected");
        };
        assert_eq!(text, "a\u{a0}b\u{201c}c\nd \u{a9} e & f");
        let pieces: Vec<String> = map.iter().map(|&r| slice(src, r)).collect();
        assert_eq!(pieces[1], "&nbsp;");
        assert_eq!(pieces[3], "&#8220;");
        assert_eq!(pieces[5], "\n");
        assert_eq!(pieces[8], "&copy");
        assert_eq!(pieces[12], "&");
    }

    #[test]
    fn legacy_and_unknown_references_align() {
        for (src, decoded, first) in [
            ("&nbspmore words", "\u{a0}more words", "&nbsp"),
            ("a &bogus; b\r\n", "a &bogus; b\n", "a"),
        ] {
            let dom = Dom::parse(src);
            let Node::Text { text, map } = &dom.nodes[1] else {
                panic!("text expected");
            };
            assert_eq!(text, decoded);
            assert_eq!(slice(src, map[0]), first);
            for (c, &r) in text.chars().zip(map).skip(1) {
                let orig = slice(src, r);
                assert!(orig == c.to_string() || c == '\n', "{c:?} -> {orig:?}");
            }
        }
    }
}
