//! Page metadata when no manifest gives it: `<title>`, Open Graph and `article:` meta tags, the
//! canonical link, and schema.org JSON-LD (`NewsArticle` and its kin: headline, datePublished,
//! publisher, author, articleBody).
use super::dom::Dom;
use serde_json::Value;

/// What a page says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    pub title: Option<String>,
    pub outlet: Option<String>,
    /// As the page gives it (ISO 8601 usually); see [`PageMeta::published_date`].
    pub published: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    /// schema.org `articleBody`, used to find the article's blocks (never as text itself).
    pub article_body: Option<String>,
}

impl PageMeta {
    /// `published` as `YYYY-MM-DD`, if it starts with a valid date.
    pub fn published_date(&self) -> Option<String> {
        let p = self.published.as_deref()?.trim();
        let d = p.get(..10)?;
        crate::claims::parse_iso_date(d).map(|_| d.to_string())
    }
}

fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BlogPosting",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "Report",
    "LiveBlogPosting",
];

fn is_article(v: &Value) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
        Some(Value::Array(ts)) => ts
            .iter()
            .any(|t| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t))),
        _ => false,
    }
}

/// Every JSON object in a JSON-LD value, `@graph` and arrays flattened.
fn objects<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| objects(i, out)),
        Value::Object(map) => {
            out.push(v);
            if let Some(g) = map.get("@graph") {
                objects(g, out);
            }
        }
        _ => {}
    }
}

/// A name from a string, an object with `name`, or the first of an array of those.
fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => clean(s),
        Value::Object(m) => m.get("name").and_then(name_of),
        Value::Array(items) => items.iter().find_map(name_of),
        _ => None,
    }
}

/// The string value of the first `"key": "..."` in text that is not valid JSON as a whole.
fn lenient_string(raw: &str, key: &str) -> Option<String> {
    let at = raw.find(&format!("\"{key}\""))?;
    let rest = raw[at + key.len() + 2..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    if !rest.starts_with('"') {
        return None;
    }
    // The literal ends at the first quote not escaped by a backslash.
    let mut escaped = false;
    let end = rest[1..].char_indices().find_map(|(i, c)| {
        let end = !escaped && c == '"';
        escaped = !escaped && c == '\\';
        end.then_some(i + 2)
    })?;
    serde_json::from_str::<String>(&rest[..end])
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// Read the metadata of a parsed page.
pub fn read(dom: &Dom) -> PageMeta {
    let mut m = PageMeta::default();
    let mut og_title = None;
    let mut html_title = None;
    for (id, e) in dom.elements() {
        match e.name.as_str() {
            "title" if html_title.is_none() => html_title = clean(&dom.text_of(id)),
            "meta" => {
                let key = e
                    .attr("property")
                    .or_else(|| e.attr("name"))
                    .or_else(|| e.attr("itemprop"))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let Some(content) = e.attr("content").and_then(clean) else {
                    continue;
                };
                match key.as_str() {
                    "og:site_name" | "application-name" if m.outlet.is_none() => {
                        m.outlet = Some(content)
                    }
                    "og:title" | "twitter:title" if og_title.is_none() => og_title = Some(content),
                    "article:published_time"
                    | "datepublished"
                    | "pubdate"
                    | "publishdate"
                    | "date"
                    | "dc.date"
                    | "dc.date.issued"
                    | "sailthru.date"
                        if m.published.is_none() =>
                    {
                        m.published = Some(content)
                    }
                    "og:url" if m.url.is_none() => m.url = Some(content),
                    "author" | "article:author" | "byl" if m.author.is_none() => {
                        m.author = Some(content.trim_start_matches("By ").to_string())
                    }
                    _ => {}
                }
            }
            "link" => {
                let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
                if rel.split_whitespace().any(|r| r == "canonical") {
                    if let Some(href) = e.attr("href").and_then(clean) {
                        m.url = Some(href); // the canonical link wins over og:url
                    }
                }
            }
            "script"
                if e.attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                let raw = dom.text_of(id);
                let Ok(v) = serde_json::from_str::<Value>(raw.trim()) else {
                    // Invalid JSON (pages put `// comments` in it): take the string fields.
                    if raw.contains("Article") || raw.contains("BlogPosting") {
                        let field = |k| lenient_string(&raw, k);
                        m.article_body = m.article_body.take().or_else(|| field("articleBody"));
                        og_title = og_title.or_else(|| field("headline"));
                        m.published = m.published.take().or_else(|| field("datePublished"));
                    }
                    continue;
                };
                let mut objs = Vec::new();
                objects(&v, &mut objs);
                for o in objs.into_iter().filter(|o| is_article(o)) {
                    let s = |k: &str| o.get(k).and_then(Value::as_str).and_then(clean);
                    if m.article_body.is_none() {
                        m.article_body = o
                            .get("articleBody")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .filter(|b| !b.trim().is_empty());
                    }
                    if og_title.is_none() {
                        og_title = s("headline");
                    }
                    if m.published.is_none() {
                        m.published = s("datePublished");
                    }
                    if m.outlet.is_none() {
                        m.outlet = o.get("publisher").and_then(name_of);
                    }
                    if m.author.is_none() {
                        m.author = o.get("author").and_then(name_of);
                    }
                    if m.url.is_none() {
                        m.url = s("url");
                    }
                }
            }
            _ => {}
        }
    }
    m.title = og_title.or(html_title);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_meta_tags_and_json_ld() {
        let html = r#"<html><head><title>Page | Site</title>
<meta property="og:site_name" content="The Daily Example">
<meta property="article:published_time" content="2019-11-19T10:00:00Z">
<link rel="canonical" href="https://example.com/a">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite"},
{"@type":"NewsArticle","headline":"A headline","author":[{"@type":"Person","name":"Ann Smith"}],
"articleBody":"Body text."}]}</script></head><body><p>x</p></body></html>"#;
        let m = read(&Dom::parse(html));
        assert_eq!(m.outlet.as_deref(), Some("The Daily Example"));
        assert_eq!(m.published_date().as_deref(), Some("2019-11-19"));
        assert_eq!(m.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(m.title.as_deref(), Some("A headline"));
        assert_eq!(m.author.as_deref(), Some("Ann Smith"));
        assert_eq!(m.article_body.as_deref(), Some("Body text."));
    }

    #[test]
    fn json_ld_with_comments_still_gives_its_strings() {
        let html = r#"<script type="application/ld+json">{"@type": "NewsArticle",
  "articleBody": "He said \"yes\" today.", // will be empty for branded publishing
  "datePublished": "2019-11-19T02:46:42Z"}</script>"#;
        let m = read(&Dom::parse(html));
        assert_eq!(m.article_body.as_deref(), Some("He said \"yes\" today."));
        assert_eq!(m.published_date().as_deref(), Some("2019-11-19"));
    }
}
