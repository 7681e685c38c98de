//! Reading a saved web page: parse it with a standards-following tokenizer ([`dom`]), keep the
//! article's own text ([`extract`]), and read what the page says about itself ([`meta`]).
//! Every kept character maps back to its code points in the original file; HTML character
//! references are decoded (one view character maps to the whole reference).
pub mod dom;
pub mod extract;
pub mod meta;

pub use extract::Hints;
pub use meta::PageMeta;

use crate::doc::{View, ViewBuilder};

/// A page as newsgraph reads it.
#[derive(Debug, Clone)]
pub struct Page {
    pub view: View,
    pub meta: PageMeta,
    /// How the article text was found: `json-ld` or `container`.
    pub method: &'static str,
    /// Why the page is not usable as an article, if it is not: nothing kept, a few words only,
    /// or an index page (many link lists, almost no prose).
    pub problem: Option<String>,
}

/// Fewer kept words than this and the page is reported as not an article.
pub const MIN_WORDS: usize = 25;

/// Read one page.
pub fn read(html: &str, hints: &Hints) -> Page {
    let dom = dom::Dom::parse(html);
    let mut meta = meta::read(&dom);
    let ex = extract::extract(
        &dom,
        hints,
        meta.article_body.as_deref(),
        meta.title.as_deref(),
    );
    let mut b = ViewBuilder::default();
    for block in &ex.blocks {
        if !b.is_empty() {
            let at = block.map.first().map_or(0, |r| r.0 as usize);
            b.push_separator('\n', at);
            b.push_separator('\n', at);
        }
        for (c, &(s, e)) in block.text.chars().zip(block.map.iter()) {
            b.push_mapped(c, s, e);
        }
    }
    let view = b.finish();
    if meta.author.is_none() {
        meta.author = ex.byline.clone();
    }
    let words = view.text.split_whitespace().count();
    let prose_kept = ex
        .blocks
        .iter()
        .filter(|b| b.text.split_whitespace().count() >= 8)
        .count();
    let problem = if words == 0 {
        Some("no article text found in the page".to_string())
    } else if words < MIN_WORDS {
        Some(format!(
            "only {words} words of article text found (fewer than {MIN_WORDS}): not an article page?"
        ))
    } else if ex.page_link_blocks >= 40 && prose_kept < 3 && words < 50 {
        Some(format!(
            "looks like an index page, not an article: {} link lines, {} prose paragraphs",
            ex.page_link_blocks, ex.page_prose_blocks
        ))
    } else {
        None
    };
    Page {
        view,
        meta,
        method: ex.method,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(src: &str, r: (usize, usize)) -> String {
        src.chars().skip(r.0).take(r.1 - r.0).collect()
    }

    const PAGE: &str = r##"<!DOCTYPE html><html><head><title>Flood | Herald</title>
<script>for (var i = 0; i < n.length; i++) { x("</div>"); }</script></head>
<body><form id="aspnetForm"><nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li></ul></nav>
<div class="page"><article class="story"><h1>Flood hits the coast</h1>
<div class="byline">By A. Writer</div>
<div class="story-body">
<p>Heavy rain flooded the coastal town of Port Ellis on Monday, and 40 people were evacuated from their homes, officials said.</p>
<figure><img src="a.jpg"><figcaption>Water in the main street. Photo: X</figcaption></figure>
<p>Trending</p>
<p>The mayor, Ana Ruiz, said the clean-up would take weeks &amp; cost at least $3 million, according to early estimates.</p>
<div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div>
<p>Residents were allowed back on Tuesday evening, when the water had fallen below the quay walls again.</p>
</div></article>
<div class="related-stories"><h3>More news</h3><ul><li><a href="/1">Storm warning for the north, officials say in a new statement today.</a></li></ul></div>
<div id="comments"><p>I live there and this is terrible, the town should have built the wall years ago, honestly.</p></div>
</div><footer>© Herald</footer></form></body></html>"##;

    #[test]
    fn keeps_the_article_and_nothing_else() {
        let page = read(PAGE, &Hints::builtin());
        let t = &page.view.text;
        assert!(t.starts_with("Heavy rain flooded"), "{t}");
        assert!(t.contains("weeks & cost"));
        assert!(
            t.contains("The mayor"),
            "a lone chrome word cut the article: {t}"
        );
        assert!(t.ends_with("quay walls again."), "{t}");
        for junk in [
            "Home",
            "By A.",
            "Photo",
            "Share",
            "Storm",
            "terrible",
            "Herald",
            "Flood hits",
        ] {
            assert!(!t.contains(junk), "{junk} kept: {t}");
        }
        assert_eq!(page.problem, None);
        assert_eq!(page.meta.title.as_deref(), Some("Flood | Herald"));
        // Every kept character slices back to itself (or its reference) in the file.
        let amp = t.find('&').unwrap();
        assert_eq!(slice(PAGE, page.view.to_original(amp..amp + 1)), "&amp;");
        let m = t.find("Ana Ruiz").unwrap();
        assert_eq!(slice(PAGE, page.view.to_original(m..m + 8)), "Ana Ruiz");
    }

    #[test]
    fn empty_and_index_pages_are_problems() {
        let page = read(
            "<html><body><nav>Home</nav></body></html>",
            &Hints::builtin(),
        );
        assert!(page.problem.unwrap().contains("no article text"));
        let mut index = String::from("<html><body><ul>");
        for i in 0..60 {
            index.push_str(&format!(
                "<li><a href='/{i}'>Headline number {i} here</a></li>"
            ));
        }
        index.push_str(
            "</ul><p>Copyright the publisher, all rights reserved, 2024.</p></body></html>",
        );
        let page = read(&index, &Hints::builtin());
        assert!(page.problem.is_some(), "{:?}", page.view.text);
    }

    #[test]
    fn hints_come_from_data_a_user_can_extend() {
        let page = r#"<html><body><article><p>The harbour master said on Monday that 40 ships had been delayed by the storm.</p>
<div class="whatsapp-strip"><p>Harbour webcams show the queue of ships at the outer moorings from the lighthouse.</p></div>
<p>Ferries to the islands will run again on Wednesday morning, the operator said.</p></article></body></html>"#;
        let builtin = read(page, &Hints::builtin());
        assert!(builtin.view.text.contains("Harbour webcams"));
        let mut tsv = include_str!("../../../data/html-hints.tsv").to_string();
        tsv.push_str("drop\twhatsapp\n");
        let custom = read(page, &Hints::parse(&tsv).unwrap());
        assert!(!custom.view.text.contains("Harbour webcams"));
        assert!(custom.view.text.contains("Ferries to the islands"));
        assert!(Hints::parse("keep\tx\n")
            .unwrap_err()
            .contains("unknown kind"));
    }

    /// Paragraphs of about `n` words that read as prose.
    fn prose(topic: &str, n: usize) -> String {
        let mut s = format!("The {topic} was discussed again on Tuesday, officials said,");
        let filler = [
            "and", "the", "council", "members", "agreed", "that", "more", "work", "was", "needed",
        ];
        let mut i = 0;
        while s.split_whitespace().count() < n {
            s.push(' ');
            s.push_str(filler[i % filler.len()]);
            i += 1;
        }
        s.push('.');
        s
    }

    #[test]
    fn a_2008_table_layout_is_read() {
        // No `</head>`, layout tables, text straight in a `<td>` with `<br>` paragraphs and
        // `<font>`, a navigation column of links, a title never closed.
        let page = format!(
            r#"<HTML><HEAD><TITLE>Daily Courier - Local<META name="x" content="y">
<TABLE width="100%"><TR><TD width="150" valign="top"><A href="/">Home</A><BR><A href="/s">Sports</A><BR><A href="/w">Weather</A></TD>
<TD valign="top"><FONT face="Verdana" size="2"><B>Bridge reopens</B><BR>
{}<BR><BR>{}<BR><BR>{}
</FONT></TD></TR></TABLE>
<TABLE><TR><TD><FONT size="1"><A href="/about">About us</A> | <A href="/c">Contact</A></FONT></TD></TR></TABLE>
</BODY></HTML>"#,
            prose("bridge", 40),
            prose("river", 35),
            prose("budget", 30)
        );
        let got = read(&page, &Hints::builtin());
        assert_eq!(got.problem, None, "{:?}", got.view.text);
        let t = &got.view.text;
        assert!(t.contains("The bridge was discussed"), "{t}");
        assert!(t.contains("The budget was discussed"), "{t}");
        for junk in ["Sports", "Weather", "About us", "Contact"] {
            assert!(!t.contains(junk), "{junk} kept: {t}");
        }
    }

    #[test]
    fn div_soup_without_paragraphs_is_read() {
        let page = format!(
            r#"<html><head><title>x</title></head><body><div id="wrap"><div class="menu"><a href="/">Home</a> <a href="/n">News</a></div>
<div><div>{}<br><br>{}</div><div>{}</div></div></div></body></html>"#,
            prose("harbour", 30),
            prose("ferry", 30),
            prose("storm", 30)
        );
        let got = read(&page, &Hints::builtin());
        assert_eq!(got.problem, None);
        assert!(got.view.text.contains("The ferry was discussed"));
        assert!(got.view.text.contains("The storm was discussed"));
        assert!(!got.view.text.contains("Home"));
    }

    #[test]
    fn class_hints_that_drop_every_box_fall_back_to_the_densest_prose() {
        // A page builder whose every box is a "widget" (a drop word), with the article split
        // over two widgets and comments taking a third of the prose.
        let page = format!(
            r#"<html><body><div class="site"><div class="builder-widget-wrap"><div class="builder-widget post-content"><p>{}</p><p>{}</p></div>
<div class="builder-widget"><p>{}</p><p>{}</p></div></div>
<div class="comment-list"><p>{}</p><p>{}</p></div></div></body></html>"#,
            prose("plan", 40),
            prose("school", 40),
            prose("road", 40),
            prose("park", 40),
            prose("comment", 30),
            prose("reply", 30)
        );
        let got = read(&page, &Hints::builtin());
        assert_eq!(got.problem, None, "{:?}", got.view.text);
        assert_eq!(got.method, "densest");
        let t = &got.view.text;
        assert!(
            t.contains("The plan was") && t.contains("The park was"),
            "{t}"
        );
    }

    #[test]
    fn a_teaser_article_body_does_not_cut_the_article() {
        // The page's JSON-LD `articleBody` holds the first two paragraphs only.
        let (a, b, c, d) = (
            prose("vaccine", 30),
            prose("clinic", 30),
            prose("trial", 30),
            prose("result", 30),
        );
        let page = format!(
            r#"<html><head><script type="application/ld+json">{{"@type":"NewsArticle","headline":"H","articleBody":"{a} {b}"}}</script></head>
<body><article><div class="article-body"><p>{a}</p><p>{b}</p><p>{c}</p><p>{d}</p></div></article></body></html>"#
        );
        let got = read(&page, &Hints::builtin());
        assert!(
            got.view.text.contains("The result was"),
            "{}",
            got.view.text
        );
        // A full articleBody still decides.
        let page = format!(
            r#"<html><head><script type="application/ld+json">{{"@type":"NewsArticle","articleBody":"{a} {b} {c} {d}"}}</script></head>
<body><div class="x"><p>{a}</p><p>{b}</p><p>{c}</p><p>{d}</p></div><div class="y"><p>{}</p></div></body></html>"#,
            "Buy one advert and get a second one free: our offer for every reader, every week, in print or online, until the end of the year."
        );
        let got = read(&page, &Hints::builtin());
        assert_eq!(got.method, "json-ld");
        assert!(!got.view.text.contains("advert"));
    }

    #[test]
    fn credit_lines_and_bylines_are_metadata() {
        let page = format!(
            r#"<html><body><article><p>By JOHN SMITH, Associated Press Writer</p><p>{}</p><p>{}</p>
<p>{} (Additional reporting by Ann Lee)</p><p>Associated Press writers Bo Kim and Al Roy contributed to this report.</p>
<p>Copyright 2008 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.</p><p>&copy; AFP</p></article></body></html>"#,
            prose("dam", 30),
            prose("lake", 30),
            prose("copyright law", 30)
        );
        let got = read(&page, &Hints::builtin());
        let t = &got.view.text;
        assert!(t.starts_with("The dam was"), "{t}");
        assert!(t.ends_with("(Additional reporting by Ann Lee)"), "{t}");
        for junk in ["JOHN SMITH", "contributed to this", "Copyright 2008", "AFP"] {
            assert!(!t.contains(junk), "{junk} kept: {t}");
        }
        assert_eq!(got.meta.author.as_deref(), Some("JOHN SMITH"));
        // The page's own author metadata wins over a byline.
        let with_meta = page.replace(
            "<html><body>",
            r#"<html><head><meta name="author" content="Jane Roe"></head><body>"#,
        );
        assert_eq!(
            read_page(&with_meta).meta.author.as_deref(),
            Some("Jane Roe")
        );
    }

    fn read_page(src: &str) -> Page {
        read(src, &Hints::builtin())
    }
}
