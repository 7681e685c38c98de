//! Visible text of an HTML page, mapped back to the raw HTML. Scripts, styles, navigation,
//! headers, footers, asides and forms are dropped; block elements become line breaks; entities
//! are decoded (one view character maps to the whole entity); whitespace runs collapse.
use crate::doc::{View, ViewBuilder};

/// Elements whose content is never visible article text. (`<head>` holds no visible text but
/// its `<title>`, which is read as metadata.)
const HIDDEN: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
    "template", "button", "select", "figure",
];
/// Elements that break lines.
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
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "hr",
    "main",
    "dd",
    "dt",
    "pre",
    "title",
];

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let v = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse().ok()?
        };
        return char::from_u32(v);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "rsquo" => '\u{2019}',
        "lsquo" => '\u{2018}',
        "rdquo" => '\u{201d}',
        "ldquo" => '\u{201c}',
        "mdash" => '\u{2014}',
        "ndash" => '\u{2013}',
        "hellip" => '\u{2026}',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "copy" => '©',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "oacute" => 'ó',
        "uuml" => 'ü',
        "ouml" => 'ö',
        "auml" => 'ä',
        "ccedil" => 'ç',
        "ntilde" => 'ñ',
        _ => return None,
    })
}

/// Returns the visible text as a view of `html`, and the `<title>` if any.
pub fn visible_text(html: &str) -> (View, Option<String>) {
    let chars: Vec<char> = html.chars().collect();
    let mut b = ViewBuilder::default();
    let mut i = 0usize;
    let mut hidden: Vec<String> = Vec::new();
    let mut pending_space = false;
    let mut title: Option<String> = None;
    let mut in_title = false;
    let lower_at = |i: usize, pat: &str| -> bool {
        pat.chars().enumerate().all(|(k, p)| {
            chars
                .get(i + k)
                .is_some_and(|c| c.to_ascii_lowercase() == p)
        })
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '<' {
            if lower_at(i, "<!--") {
                let mut j = i + 4;
                while j < chars.len()
                    && !(chars[j] == '>' && j >= 2 && chars[j - 1] == '-' && chars[j - 2] == '-')
                {
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            let mut j = i + 1;
            let mut quote: Option<char> = None;
            while j < chars.len() {
                match (quote, chars[j]) {
                    (None, '>') => break,
                    (None, q @ ('"' | '\'')) => quote = Some(q),
                    (Some(q), ch) if ch == q => quote = None,
                    _ => {}
                }
                j += 1;
            }
            let tag: String = chars[i + 1..j.min(chars.len())].iter().collect();
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let self_closing = tag.ends_with('/');
            if name == "title" {
                in_title = !closing;
            }
            if HIDDEN.contains(&name.as_str()) && !self_closing {
                if closing {
                    if let Some(pos) = hidden.iter().rposition(|h| *h == name) {
                        hidden.truncate(pos);
                    }
                } else {
                    hidden.push(name.clone());
                }
            }
            if hidden.is_empty() && BLOCK.contains(&name.as_str()) && !b.is_empty() {
                let brk = if name == "br" || name == "li" {
                    "\n"
                } else {
                    "\n\n"
                };
                let broken = b.ends_with("\n\n") || (brk == "\n" && b.ends_with("\n"));
                if !broken {
                    if b.ends_with("\n") {
                        b.push_separator('\n', i);
                    } else {
                        for ch in brk.chars() {
                            b.push_separator(ch, i);
                        }
                    }
                }
                pending_space = false;
            }
            i = j + 1;
            continue;
        }
        // Text content.
        let (ch, len) = if c == '&' {
            let mut j = i + 1;
            while j < chars.len()
                && j - i < 12
                && (chars[j].is_ascii_alphanumeric() || chars[j] == '#')
            {
                j += 1;
            }
            let name: String = chars[i + 1..j].iter().collect();
            match (chars.get(j), entity(&name)) {
                (Some(';'), Some(e)) => (e, j + 1 - i),
                _ => ('&', 1),
            }
        } else {
            (c, 1)
        };
        if in_title {
            title.get_or_insert_with(String::new).push(ch);
        }
        let inside_head_meta = in_title;
        if hidden.is_empty() && !inside_head_meta {
            if ch.is_whitespace() {
                pending_space = true;
            } else {
                if pending_space && !b.is_empty() && !b.ends_with("\n") {
                    b.push_separator(' ', i);
                }
                pending_space = false;
                b.push_mapped(ch, i as u32, (i + len) as u32);
            }
        }
        i += len;
    }
    let title = title
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty());
    (b.finish(), title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_visible_text_with_offsets() {
        let html = "<html><head><title>T &amp; A</title><script>var x=1;</script></head>\
<body><nav>Home</nav><p>AT&amp;T  said <b>hi</b>.</p><p>Second &#8220;q&#8221;</p></body></html>";
        let (v, title) = visible_text(html);
        assert_eq!(title.as_deref(), Some("T & A"));
        assert_eq!(
            v.text.trim_end(),
            "AT&T said hi.\n\nSecond \u{201c}q\u{201d}"
        );
        let (s, e) = v.to_original(0..4);
        let orig: String = html.chars().skip(s).take(e - s).collect();
        assert_eq!(orig, "AT&amp;T");
        let at = v.text.find("hi").unwrap();
        let (s, e) = v.to_original(at..at + 2);
        assert_eq!(html.chars().skip(s).take(e - s).collect::<String>(), "hi");
    }
}
