//! Time anchors in a sentence ("by July 2015", "in September", "21 years ago", "last year"),
//! resolved against the article's publication date when it is known.
use super::quantity::{month_number, Tk, Tok};
use std::ops::Range;

/// A calendar date, possibly partial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl Date {
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

/// Parse `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`), optionally followed by a time.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let date = s.split(['T', ' ']).next()?;
    let mut parts = date.split('-');
    let year: i32 = parts
        .next()?
        .parse()
        .ok()
        .filter(|y| (1000..=9999).contains(y))?;
    let month = match parts.next() {
        Some(m) => Some(m.parse::<u32>().ok().filter(|m| (1..=12).contains(m))?),
        None => None,
    };
    let day = match parts.next() {
        Some(d) => Some(d.parse::<u32>().ok().filter(|d| (1..=31).contains(d))?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Date { year, month, day })
}

/// A time expression found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub range: Range<usize>,
    /// Resolved ISO date (`2015-07`), or None when it needs a publication date we lack.
    pub date: Option<String>,
    pub text: String,
}

fn year_of(t: &Tok) -> Option<i32> {
    match t.tk {
        Tk::Num {
            value,
            grouped: false,
            decimal: false,
            digits: 4,
        } if (1800.0..=2100.0).contains(&value) => Some(value as i32),
        _ => None,
    }
}

/// Every time anchor in the tokens of `text`.
pub(crate) fn anchors(text: &str, toks: &[Tok], published: Option<Date>) -> Vec<Anchor> {
    let mut out = Vec::new();
    let mut i = 0;
    let word = |k: usize| toks.get(k).and_then(|t| t.word());
    while i < toks.len() {
        let start = i;
        let mut end = i;
        let mut date: Option<Option<String>> = None;
        if let Some(m) = word(i).and_then(month_number) {
            // "July 2015", "December 17, 2015", "September" (needs a year), "Dec. 17"
            let mut k = i + 1;
            if toks.get(k).is_some_and(|t| t.tk == Tk::Sym('.')) {
                k += 1;
            }
            let mut day = None;
            if let Some(Tk::Num { value, digits, .. }) = toks.get(k).map(|t| &t.tk) {
                if *digits <= 2 && (1.0..=31.0).contains(value) {
                    day = Some(*value as u32);
                    k += 1;
                    if toks.get(k).is_some_and(|t| t.tk == Tk::Sym(','))
                        && toks.get(k + 1).and_then(year_of).is_some()
                    {
                        k += 1;
                    }
                }
            }
            let is_may_verb =
                word(i) == Some("may") && day.is_none() && toks.get(k).and_then(year_of).is_none();
            if !is_may_verb {
                if let Some(y) = toks.get(k).and_then(year_of) {
                    end = k + 1;
                    date = Some(Some(
                        Date {
                            year: y,
                            month: Some(m),
                            day,
                        }
                        .iso(),
                    ));
                } else if toks[i].range.start > 0
                    || day.is_some()
                    || word(i.wrapping_sub(1)).is_some_and(|p| {
                        matches!(p, "in" | "by" | "since" | "until" | "last" | "this" | "on")
                    })
                {
                    end = k;
                    date = Some(published.map(|p| {
                        // A month later than publication month refers to the previous year.
                        let year = if p.month.is_some_and(|pm| m > pm) {
                            p.year - 1
                        } else {
                            p.year
                        };
                        Date {
                            year,
                            month: Some(m),
                            day,
                        }
                        .iso()
                    }));
                }
            }
        } else if let Some(y) = toks.get(i).and_then(year_of) {
            let prev = word(i.wrapping_sub(1));
            // Skip years inside year ranges (2012-13) and numbers already part of quantities.
            if !toks
                .get(i + 1)
                .is_some_and(|t| t.tk == Tk::Sym('-') && !t.space_before)
                || prev.is_some()
            {
                end = i + 1;
                date = Some(Some(
                    Date {
                        year: y,
                        month: None,
                        day: None,
                    }
                    .iso(),
                ));
            }
        } else if let (Some(Tk::Num { value, .. }), Some("years" | "year"), Some("ago")) =
            (toks.get(i).map(|t| &t.tk), word(i + 1), word(i + 2))
        {
            end = i + 3;
            date = Some(published.map(|p| {
                Date {
                    year: p.year - *value as i32,
                    month: None,
                    day: None,
                }
                .iso()
            }));
        } else if matches!(word(i), Some("last" | "this" | "next")) && word(i + 1) == Some("year") {
            end = i + 2;
            let delta = match word(i) {
                Some("last") => -1,
                Some("next") => 1,
                _ => 0,
            };
            date = Some(published.map(|p| {
                Date {
                    year: p.year + delta,
                    month: None,
                    day: None,
                }
                .iso()
            }));
        } else if matches!(word(i), Some("yesterday" | "today")) {
            end = i + 1;
            date = Some(published.map(|p| p.iso()));
        }
        if let Some(d) = date {
            // Include a leading preposition in the anchor text ("by July 2015").
            let s = if matches!(
                word(start.wrapping_sub(1)),
                Some("by" | "in" | "as" | "since" | "until" | "on" | "of")
            ) {
                start - 1
            } else {
                start
            };
            let range = toks[s].range.start..toks[end - 1].range.end;
            out.push(Anchor {
                text: text[range.clone()].to_string(),
                range,
                date: d,
            });
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::quantity::lex;
    use super::*;

    fn run(text: &str, published: Option<&str>) -> Vec<(String, Option<String>)> {
        let toks = lex(text);
        anchors(text, &toks, published.and_then(parse_iso_date))
            .into_iter()
            .map(|a| (a.text, a.date))
            .collect()
    }

    #[test]
    fn resolves_anchors() {
        assert_eq!(
            run("668 million users by July 2015, up", None),
            vec![("by July 2015".into(), Some("2015-07".into()))]
        );
        assert_eq!(
            run("In September, Xi met Obama", Some("2015-12-17")),
            vec![("In September".into(), Some("2015-09".into()))]
        );
        assert_eq!(
            run("access 21 years ago, China", Some("2015-12-17")),
            vec![("21 years ago".into(), Some("1994".into()))]
        );
        assert_eq!(
            run("access 21 years ago, China", None),
            vec![("21 years ago".into(), None)]
        );
        assert_eq!(
            run("on December 17, 2015 it", None),
            vec![("on December 17, 2015".into(), Some("2015-12-17".into()))]
        );
        assert!(run("You may go", None).is_empty());
    }

    #[test]
    fn parses_iso_dates() {
        assert_eq!(
            parse_iso_date("2015-12-17").map(|d| d.iso()),
            Some("2015-12-17".into())
        );
        assert_eq!(
            parse_iso_date("2015-12-17T10:00:00Z").map(|d| d.iso()),
            Some("2015-12-17".into())
        );
        assert!(parse_iso_date("17/12/2015").is_none());
        assert!(parse_iso_date("2015-13-01").is_none());
    }
}
