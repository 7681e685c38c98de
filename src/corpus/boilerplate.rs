//! Boilerplate removal, line by line over a view: paywall and subscription blocks (everything
//! after the trigger goes), end-of-article furniture ("Leave a Reply", "Most Popular", related
//! links: everything after goes), and single lines of navigation crumbs, prices, datelines and
//! share buttons. Newlines are kept, so a removed line leaves a paragraph break, and every kept
//! character keeps its original offset.
use crate::doc::{View, ViewBuilder};

/// Phrases that open a paywall or subscription block: the line and everything after it go.
const PAYWALL: &[&str] = &[
    "you've reached your limit",
    "you have reached your limit",
    "subscribe now for unlimited",
    "subscribe to read",
    "subscribe to continue",
    "to continue reading",
    "already subscribed?",
    "already a subscriber",
    "this article is for subscribers",
    "this content is for subscribers",
    "create a free account to continue",
    "sign in to read the full",
    "log in to read the full",
    "register to read",
];

/// Whole lines that start the end-of-article furniture: the line and everything after it go.
const TAIL: &[&str] = &[
    "leave a reply",
    "leave a comment",
    "comments",
    "most popular",
    "most read",
    "most viewed",
    "related articles",
    "relevant articles",
    "related stories",
    "related news",
    "related",
    "read more",
    "recommended",
    "recommended for you",
    "you may also like",
    "more from this section",
    "trending",
    "hot topics",
    "share this article",
    "about the author",
];

/// Whole lines dropped wherever they are.
const DROP_LINE: &[&str] = &[
    "advertisement",
    "advert",
    "ad",
    "sponsored",
    "tell us what you think",
    "share",
    "print",
    "email",
    "tweet",
    "subscribe",
    "sign up",
    "log in",
    "sign in",
    "follow us",
    "click here",
    "skip to content",
    "skip to main content",
];

fn normalise(line: &str) -> String {
    line.trim()
        .replace(['\u{2019}', '\u{2018}'], "'")
        .trim_end_matches([':', '.', '!', '|', '»', '>', '-', ' '])
        .to_lowercase()
}

fn is_paywall(line: &str) -> bool {
    let n = normalise(line);
    PAYWALL.iter().any(|p| n.contains(p))
}

/// Why a line goes, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    DropLine,
    CutToEnd,
}

/// Classify one line of text.
pub fn classify(line: &str) -> Verdict {
    if line.trim().is_empty() {
        return Verdict::Keep;
    }
    if !line.chars().any(char::is_alphabetic) {
        return Verdict::DropLine; // separators, "|", ". . . .", bare prices
    }
    let n = normalise(line);
    if is_paywall(line) {
        return Verdict::CutToEnd;
    }
    if TAIL.contains(&n.as_str()) {
        return Verdict::CutToEnd;
    }
    if DROP_LINE.contains(&n.as_str()) || n.starts_with("(read more") || n.starts_with("read more:")
    {
        return Verdict::DropLine;
    }
    let words = n.split_whitespace().count();
    let ends_like_sentence = n.ends_with(['.', '!', '?', '"', '\u{201d}']);
    // Prices and plan durations: "₹300/Month", "3 Months", "$4.99 per month".
    if words <= 4 && (n.contains("/month") || n.contains("/year") || n.contains("per month")) {
        return Verdict::DropLine;
    }
    if words <= 2
        && n.split_whitespace()
            .next()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        && ["month", "months", "year", "years", "week", "weeks"]
            .iter()
            .any(|u| n.ends_with(u))
    {
        return Verdict::DropLine;
    }
    // Navigation crumbs: "World / Latest news", "index > News Center", "Home » Tech".
    if !ends_like_sentence
        && words <= 8
        && [" / ", " > ", " » ", " | "].iter().any(|s| n.contains(s))
    {
        return Verdict::DropLine;
    }
    // Datelines and source lines: "Updated: 2015-12-17 16:44", "Source:Xinhua 2015...".
    let meta_line = [
        "updated:",
        "published:",
        "source:",
        "posted:",
        "last updated",
    ]
    .iter()
    .any(|p| n.starts_with(p) || (words <= 6 && n.contains(p)));
    if meta_line && !ends_like_sentence {
        return Verdict::DropLine;
    }
    Verdict::Keep
}

/// A line of article prose: eight words or more, ending like a sentence.
fn is_prose(line: &str) -> bool {
    let t = line
        .trim()
        .trim_end_matches(['"', '\u{201d}', '\'', '\u{2019}', ')']);
    t.split_whitespace().count() >= 8 && t.ends_with(['.', '!', '?', ':'])
}

/// A line that reads like page furniture: a known one, or a few words that are no sentence
/// (a list of headlines, a menu).
fn is_chrome(line: &str) -> bool {
    let t = line.trim();
    classify(t) != Verdict::Keep
        || (t.split_whitespace().count() <= 6 && !t.ends_with(['.', '!', '?', '"', '\u{201d}']))
}

/// Whether a tail line ("Related", "Read more", "Comments") really starts the end of the page:
/// the next line is furniture too, or fewer than two lines of prose follow at all. A single chrome word inside an article only loses its own line.
fn tail_is_real(rest: &[&str]) -> bool {
    let lines: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines.first().is_some_and(|l| is_chrome(l)) || lines.iter().filter(|l| is_prose(l)).count() < 2
}

/// Remove boilerplate lines from a view.
pub fn strip_boilerplate(view: &View) -> View {
    let mut b = ViewBuilder::default();
    let text = &view.text;
    let lines: Vec<&str> = text.split('\n').collect();
    let mut pos = 0;
    for (i, line) in lines.iter().enumerate() {
        let line_end = pos + line.len();
        let verdict = match classify(line) {
            Verdict::CutToEnd if is_paywall(line) || tail_is_real(&lines[i + 1..]) => {
                Verdict::CutToEnd
            }
            Verdict::CutToEnd => Verdict::DropLine,
            v => v,
        };
        match verdict {
            Verdict::Keep => b.push_from(view, pos..line_end),
            Verdict::DropLine => {}
            Verdict::CutToEnd => break,
        }
        if line_end < text.len() {
            b.push_from(view, line_end..line_end + 1);
        }
        pos = line_end + 1;
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_furniture() {
        assert_eq!(
            classify("You\u{2019}ve reached your limit of {{free_limit}} free articles"),
            Verdict::CutToEnd
        );
        assert_eq!(classify("Leave a Reply"), Verdict::CutToEnd);
        assert_eq!(classify("Most Popular"), Verdict::CutToEnd);
        assert_eq!(classify("Relevant articles"), Verdict::CutToEnd);
        assert_eq!(classify("World / Latest news"), Verdict::DropLine);
        assert_eq!(classify("index > News Center"), Verdict::DropLine);
        assert_eq!(
            classify("(Xinhua) Updated: 2015-12-17 16:44"),
            Verdict::DropLine
        );
        assert_eq!(classify("\u{20b9}300/Month"), Verdict::DropLine);
        assert_eq!(classify("3 Months"), Verdict::DropLine);
        assert_eq!(classify(". . . . . . . ."), Verdict::DropLine);
        assert_eq!(
            classify("Xi said the Internet should be open."),
            Verdict::Keep
        );
        assert_eq!(
            classify("No nation should have hegemony over internet: Xi Jinping"),
            Verdict::Keep
        );
        assert_eq!(
            classify("Comments from the minister followed on Monday."),
            Verdict::Keep
        );
    }

    #[test]
    fn keeps_offsets_of_kept_text() {
        let text = "index > News Center\nXi spoke.\nLeave a Reply\nBuy now";
        let v = strip_boilerplate(&View::identity(text));
        assert_eq!(v.text, "\nXi spoke.\n");
        let at = v.text.find("Xi").unwrap();
        assert_eq!(v.to_original(at..at + 2), (20, 22));
    }

    #[test]
    fn a_lone_chrome_word_does_not_cut_the_article() {
        let article = "The council met on Monday and voted to close the bridge for repairs.\n\
Trending\n\
The repairs will take six weeks, the engineer in charge of the works said.\n\
Read more\n\
Traffic will go through the town centre until the bridge opens again in June.\n\
Buses will stop at the market square instead of the station for the whole time.\n";
        let v = strip_boilerplate(&View::identity(article));
        assert!(!v.text.contains("Trending") && !v.text.contains("Read more"));
        assert!(v.text.contains("six weeks") && v.text.contains("opens again in June."));
        // A real tail: headlines after "Related", or nothing but a line of prose.
        let tail = "The council voted to close the bridge for repairs on Monday night.\n\
Related\nBridge closed\nMayor resigns\nNew park opens in the north of the town\n";
        let v = strip_boilerplate(&View::identity(tail));
        assert_eq!(
            v.text.trim(),
            "The council voted to close the bridge for repairs on Monday night."
        );
        let comments = "The council voted to close the bridge for repairs on Monday night.\n\
Comments\nI think this is a scandal and the mayor should go, frankly.\n";
        let v = strip_boilerplate(&View::identity(comments));
        assert!(!v.text.contains("scandal"));
    }
}
