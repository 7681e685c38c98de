//! Quantities: every number in a text with its value, interval, approximation, kind and currency.
//!
//! A small lexer turns text into tokens (numbers, words, symbols); a parser reads, at each
//! position, an optional qualifier (`more than`, `around`, `between`...), an optional currency,
//! a number in digits or words with its scale (`670 million`, `2.7million`, `half a million`),
//! an optional range end (`2,000-3,000`, `to 3,000`), and a unit (`%`, `per cent`, `yuan`).
//! Years, dates, times, ordinals, phone numbers, ids and versions are not quantities; years and
//! dates are kept as time anchors (see [`super::time`]).
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// What a quantity measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuantityKind {
    Number,
    Percent,
    Money,
}

impl QuantityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuantityKind::Number => "number",
            QuantityKind::Percent => "percent",
            QuantityKind::Money => "money",
        }
    }
}

/// A quantity with its interval reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub text: String,
    /// Byte range in the scanned text (converted to code points at output).
    #[serde(skip)]
    pub range: Range<usize>,
    pub value: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub lower_inclusive: Option<bool>,
    pub upper_inclusive: Option<bool>,
    pub approximate: bool,
    pub kind: QuantityKind,
    pub currency: Option<String>,
    /// `percent` or `percentage points` for percents, the currency for money, else `count`.
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tk {
    /// Digits: value, whether it had thousands separators or decimals, integer digit count.
    Num {
        value: f64,
        grouped: bool,
        decimal: bool,
        digits: usize,
    },
    Word(String),
    Sym(char),
}

#[derive(Debug, Clone)]
pub(crate) struct Tok {
    pub tk: Tk,
    pub range: Range<usize>,
    pub space_before: bool,
}

impl Tok {
    pub fn word(&self) -> Option<&str> {
        match &self.tk {
            Tk::Word(w) => Some(w),
            _ => None,
        }
    }
    pub(crate) fn is_word(&self, w: &str) -> bool {
        self.word() == Some(w)
    }
    pub(crate) fn is_sym(&self, c: char) -> bool {
        self.tk == Tk::Sym(c)
    }
}

/// Lower-cased words, numbers and single symbols with byte ranges.
pub(crate) fn lex(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut space = true;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            space = true;
            i += c.len_utf8();
            continue;
        }
        let start = i;
        if c.is_ascii_digit()
            || (c == '.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) && space)
        {
            // Integer part with optional thousands groups.
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let int_digits = j - i;
            let mut grouped = false;
            if int_digits <= 3 {
                while j + 3 < b.len() + 1
                    && b.get(j) == Some(&b',')
                    && b.get(j + 1..j + 4)
                        .is_some_and(|g| g.iter().all(u8::is_ascii_digit))
                    && !b.get(j + 4).is_some_and(u8::is_ascii_digit)
                {
                    grouped = true;
                    j += 4;
                }
            }
            let mut decimal = false;
            if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
                decimal = true;
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let digits_text: String = text[i..j].chars().filter(|&c| c != ',').collect();
            let value = digits_text.parse::<f64>().unwrap_or(0.0);
            out.push(Tok {
                tk: Tk::Num {
                    value,
                    grouped,
                    decimal,
                    digits: int_digits,
                },
                range: start..j,
                space_before: space,
            });
            space = false;
            i = j;
            continue;
        }
        if c.is_alphabetic() {
            let mut j = i;
            while let Some(ch) = text[j..].chars().next() {
                let joiner = (ch == '-' || ch == '\'' || ch == '\u{2019}')
                    && text[j + ch.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_alphanumeric());
                if ch.is_alphanumeric() || joiner {
                    j += ch.len_utf8();
                } else {
                    break;
                }
            }
            out.push(Tok {
                tk: Tk::Word(text[i..j].to_lowercase()),
                range: start..j,
                space_before: space,
            });
            space = false;
            i = j;
            continue;
        }
        out.push(Tok {
            tk: Tk::Sym(c),
            range: start..i + c.len_utf8(),
            space_before: space,
        });
        space = false;
        i += c.len_utf8();
    }
    out
}

const UNITS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: &[&str] = &[
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn scale_word(w: &str) -> Option<f64> {
    Some(match w {
        "thousand" | "k" => 1e3,
        "million" | "mn" | "mln" | "millions" => 1e6,
        "billion" | "bn" | "bln" | "billions" => 1e9,
        "trillion" | "tn" | "trn" | "trillions" => 1e12,
        _ => return None,
    })
}

fn small_word(w: &str) -> Option<f64> {
    if let Some(i) = UNITS.iter().position(|u| *u == w) {
        return Some(i as f64);
    }
    TENS.iter()
        .position(|t| *t == w)
        .map(|i| (i as f64 + 2.0) * 10.0)
}

/// Value of a compound word such as `twenty-one`.
fn word_value(w: &str) -> Option<f64> {
    if let Some((a, b)) = w.split_once('-') {
        let t = TENS.iter().position(|t| *t == a)?;
        let u = UNITS
            .iter()
            .position(|u| *u == b)
            .filter(|&u| (1..10).contains(&u))?;
        return Some((t as f64 + 2.0) * 10.0 + u as f64);
    }
    small_word(w)
}

/// Qualifiers before a number: (words, effect).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Qual {
    LowerOpen,
    LowerClosed,
    UpperOpen,
    UpperClosed,
    Approx,
    ApproxUpper,
    Between,
    From,
}

const QUALIFIERS: &[(&str, Qual)] = &[
    ("more than", Qual::LowerOpen),
    ("over", Qual::LowerOpen),
    ("above", Qual::LowerOpen),
    ("exceeding", Qual::LowerOpen),
    ("in excess of", Qual::LowerOpen),
    ("upwards of", Qual::LowerOpen),
    ("greater than", Qual::LowerOpen),
    ("at least", Qual::LowerClosed),
    ("no fewer than", Qual::LowerClosed),
    ("no less than", Qual::LowerClosed),
    ("a minimum of", Qual::LowerClosed),
    ("fewer than", Qual::UpperOpen),
    ("less than", Qual::UpperOpen),
    ("under", Qual::UpperOpen),
    ("below", Qual::UpperOpen),
    ("up to", Qual::UpperClosed),
    ("at most", Qual::UpperClosed),
    ("no more than", Qual::UpperClosed),
    ("as many as", Qual::UpperClosed),
    ("as much as", Qual::UpperClosed),
    ("a maximum of", Qual::UpperClosed),
    ("around", Qual::Approx),
    ("about", Qual::Approx),
    ("some", Qual::Approx),
    ("roughly", Qual::Approx),
    ("approximately", Qual::Approx),
    ("approx", Qual::Approx),
    ("an estimated", Qual::Approx),
    ("estimated", Qual::Approx),
    ("close to", Qual::Approx),
    ("circa", Qual::Approx),
    ("nearly", Qual::ApproxUpper),
    ("almost", Qual::ApproxUpper),
    ("just under", Qual::ApproxUpper),
    ("between", Qual::Between),
    ("from", Qual::From),
];

fn match_words(toks: &[Tok], i: usize, phrase: &str) -> Option<usize> {
    let mut k = i;
    for w in phrase.split(' ') {
        if !toks.get(k)?.is_word(w) {
            return None;
        }
        k += 1;
    }
    // "approx." may carry a dot
    if phrase == "approx" && toks.get(k).is_some_and(|t| t.is_sym('.')) {
        k += 1;
    }
    Some(k)
}

/// Month number of an English month name or abbreviation.
pub(crate) fn month_number(w: &str) -> Option<u32> {
    Some(match w {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

/// A number read at a position: value, how many tokens, and flags.
struct Read {
    value: f64,
    end: usize,
    approximate: bool,
    /// `dozens of`, `hundreds of`, `several thousand`: the value is a lower bound.
    lower_only: bool,
    from_digits: bool,
}

/// `N/D pct` at `i` (wire style), with N < D <= 64.
fn simple_fraction_percent(toks: &[Tok], i: usize) -> bool {
    let num = |k: usize| match toks.get(k).map(|t| &t.tk) {
        Some(Tk::Num {
            value,
            decimal: false,
            grouped: false,
            ..
        }) => Some(*value),
        _ => None,
    };
    let (Some(n), Some(d)) = (num(i), num(i + 2)) else {
        return false;
    };
    toks.get(i + 1)
        .is_some_and(|t| t.is_sym('/') && !t.space_before)
        && toks.get(i + 2).is_some_and(|t| !t.space_before)
        && n < d
        && d <= 64.0
        && toks
            .get(i + 3)
            .is_some_and(|t| t.is_sym('%') || matches!(t.word(), Some("pct" | "percent")))
}

fn read_number(toks: &[Tok], i: usize, currency: bool) -> Option<Read> {
    let t = toks.get(i)?;
    match &t.tk {
        Tk::Num { value, .. } => {
            let mut v = *value;
            let mut end = i + 1;
            // Wire-style mixed fractions: "9-1/8 pct", "132-1/2".
            let attached_num = |k: usize| {
                toks.get(k)
                    .filter(|n| !n.space_before)
                    .and_then(|n| match n.tk {
                        Tk::Num {
                            value,
                            decimal: false,
                            grouped: false,
                            ..
                        } => Some(value),
                        _ => None,
                    })
            };
            // A plain fraction of a percent: "5/8 pct".
            if simple_fraction_percent(toks, i) {
                if let Some(den) = attached_num(end + 1) {
                    v /= den;
                    end += 2;
                }
            }
            if toks
                .get(end)
                .is_some_and(|n| n.is_sym('-') && !n.space_before)
                && toks
                    .get(end + 2)
                    .is_some_and(|n| n.is_sym('/') && !n.space_before)
            {
                if let (Some(num), Some(den)) = (attached_num(end + 1), attached_num(end + 3)) {
                    if den > num && den > 0.0 && den <= 64.0 {
                        v += num / den;
                        end += 4;
                    }
                }
            }
            // Negative sign directly before.
            if i > 0
                && toks[i - 1].is_sym('-')
                && !t.space_before
                && toks[i - 1].space_before
                && !(i > 1 && matches!(toks[i - 2].tk, Tk::Num { .. }))
            {
                v = -v;
            }
            // Attached or following scale word: 2.7million, 10k, $5bn, 670 million.
            if let Some(n) = toks.get(end) {
                if let Some(w) = n.word() {
                    let attached = !n.space_before;
                    let s = scale_word(w).or(match (w, attached && currency) {
                        ("m", true) => Some(1e6),
                        ("b", true) => Some(1e9),
                        _ => None,
                    });
                    if let Some(s) = s {
                        if attached || !matches!(w, "k") {
                            v *= s;
                            end += 1;
                        }
                    } else if w == "hundred" {
                        v *= 100.0;
                        end += 1;
                        if let Some(s) = toks.get(end).and_then(|n| n.word()).and_then(scale_word) {
                            v *= s;
                            end += 1;
                        }
                    }
                }
            }
            Some(Read {
                value: v,
                end,
                approximate: false,
                lower_only: false,
                from_digits: true,
            })
        }
        Tk::Word(w) => read_number_words(toks, i, w),
        _ => None,
    }
}

fn read_number_words(toks: &[Tok], i: usize, first: &str) -> Option<Read> {
    let next = |k: usize| toks.get(k).and_then(|t| t.word());
    // Vague plurals: "dozens of", "hundreds of", "thousands of", "tens of thousands of".
    let vague = |w: &str| match w {
        "dozens" => Some(24.0),
        "hundreds" => Some(200.0),
        "thousands" => Some(2000.0),
        "millions" => Some(2e6),
        "billions" => Some(2e9),
        _ => None,
    };
    if first == "tens" && next(i + 1) == Some("of") {
        if let Some(v) = next(i + 2).and_then(vague) {
            let end = if next(i + 3) == Some("of") {
                i + 4
            } else {
                i + 3
            };
            return Some(Read {
                value: v * 10.0 / 2.0,
                end,
                approximate: true,
                lower_only: true,
                from_digits: false,
            });
        }
    }
    if let Some(v) = vague(first) {
        if next(i + 1) == Some("of") {
            return Some(Read {
                value: v,
                end: i + 2,
                approximate: true,
                lower_only: true,
                from_digits: false,
            });
        }
        return None;
    }
    if matches!(first, "several" | "a few" | "few") {
        let s = next(i + 1).and_then(|w| scale_word(w).or((w == "hundred").then_some(100.0)))?;
        return Some(Read {
            value: 3.0 * s,
            end: i + 2,
            approximate: true,
            lower_only: true,
            from_digits: false,
        });
    }
    if first == "half" {
        // half a million
        if matches!(next(i + 1), Some("a" | "an")) {
            let s = next(i + 2).and_then(|w| {
                scale_word(w)
                    .or((w == "dozen").then_some(12.0))
                    .or((w == "hundred").then_some(100.0))
            })?;
            return Some(Read {
                value: 0.5 * s,
                end: i + 3,
                approximate: false,
                lower_only: false,
                from_digits: false,
            });
        }
        return None;
    }
    if matches!(first, "a" | "an") {
        let w = next(i + 1)?;
        let (v, approx) = match w {
            "dozen" => (12.0, true),
            "hundred" => (100.0, false),
            "thousand" => (1e3, false),
            "million" => (1e6, false),
            "billion" => (1e9, false),
            "trillion" => (1e12, false),
            _ => return None,
        };
        // "a hundred thousand"
        let mut end = i + 2;
        let mut value = v;
        if let Some(s) = next(end).and_then(scale_word) {
            if s > v {
                value *= s;
                end += 1;
            }
        }
        return Some(Read {
            value,
            end,
            approximate: approx,
            lower_only: false,
            from_digits: false,
        });
    }
    // Compound number words: "one hundred and sixty-one", "three dozen", "twenty-one million".
    word_value(first)?;
    let mut total = 0.0;
    let mut current = 0.0;
    let mut k = i;
    let mut last_good = i;
    let mut any = false;
    while let Some(w) = next(k) {
        if let Some(v) = word_value(w) {
            current += v;
            any = true;
            k += 1;
            last_good = k;
        } else if w == "hundred" && any {
            current *= 100.0;
            k += 1;
            last_good = k;
        } else if w == "dozen" && any {
            current *= 12.0;
            k += 1;
            last_good = k;
        } else if let Some(s) = scale_word(w).filter(|_| any) {
            total += current * s;
            current = 0.0;
            k += 1;
            last_good = k;
        } else if w == "and"
            && any
            && k > i
            && matches!(
                next(k - 1),
                Some("hundred" | "thousand" | "million" | "billion" | "trillion")
            )
            && next(k + 1).and_then(word_value).is_some()
        {
            k += 1;
        } else {
            break;
        }
    }
    Some(Read {
        value: total + current,
        end: last_good,
        approximate: false,
        lower_only: false,
        from_digits: false,
    })
}

fn currency_symbol(toks: &[Tok], i: usize) -> Option<(String, usize)> {
    let t = toks.get(i)?;
    let code = |c: &str| Some((c.to_string(), i + 1));
    match &t.tk {
        Tk::Sym('$') => code("USD"),
        Tk::Sym('\u{20b9}') => code("INR"),
        Tk::Sym('€') => code("EUR"),
        Tk::Sym('£') => code("GBP"),
        Tk::Sym('¥') => code("CNY"),
        Tk::Word(w) => {
            let dollar_next = toks
                .get(i + 1)
                .is_some_and(|n| n.is_sym('$') && !n.space_before);
            match w.as_str() {
                "us" | "u.s" if dollar_next => Some(("USD".into(), i + 2)),
                "hk" if dollar_next => Some(("HKD".into(), i + 2)),
                "c" | "ca" if dollar_next => Some(("CAD".into(), i + 2)),
                "a" | "au" if dollar_next => Some(("AUD".into(), i + 2)),
                "s" if dollar_next => Some(("SGD".into(), i + 2)),
                "rs" => {
                    let k = if toks.get(i + 1).is_some_and(|n| n.is_sym('.')) {
                        i + 2
                    } else {
                        i + 1
                    };
                    toks.get(k)
                        .filter(|n| matches!(n.tk, Tk::Num { .. }))
                        .map(|_| ("INR".into(), k))
                }
                "rmb" | "usd" | "eur" | "gbp" | "inr" | "cny" | "jpy"
                    if toks
                        .get(i + 1)
                        .is_some_and(|n| matches!(n.tk, Tk::Num { .. })) =>
                {
                    Some((
                        if w == "rmb" {
                            "CNY".into()
                        } else {
                            w.to_uppercase()
                        },
                        i + 1,
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn currency_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "yuan" | "renminbi" | "rmb" => "CNY",
        "dollars" | "dollar" => "USD",
        "euros" | "euro" => "EUR",
        "rupees" | "rupee" => "INR",
        "pounds" | "pound" | "stg" | "sterling" => "GBP",
        "dlrs" | "dlr" => "USD",
        "yen" => "JPY",
        _ => return None,
    })
}

/// Time-zone abbreviations after a time of day.
const TIME_ZONES: &[&str] = &[
    "gmt", "utc", "bst", "cet", "cest", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt",
    "et", "ct", "pt", "hst", "akst", "ist", "jst", "aest", "wib", "sgt", "hkt",
];

/// Whether the number at `i` is part of a date, time, year, ordinal, phone number, id or version.
fn excluded(toks: &[Tok], i: usize) -> bool {
    let t = &toks[i];
    let Tk::Num {
        value,
        grouped,
        decimal,
        digits,
    } = t.tk
    else {
        return false;
    };
    let prev = |k: usize| i.checked_sub(k).and_then(|p| toks.get(p));
    let next = |k: usize| toks.get(i + k);
    let attached = |k: usize| next(k).is_some_and(|n| !n.space_before);
    // Ordinals and attached letters that are not scales: 21st, 4G, 10am.
    if let Some(n) = next(1).filter(|_| attached(1)) {
        if let Some(w) = n.word() {
            if matches!(w, "st" | "nd" | "rd" | "th" | "am" | "pm" | "s")
                || (scale_word(w).is_none() && !matches!(w, "m" | "b" | "k"))
            {
                return true;
            }
        }
    }
    // Ages ("a 62-year-old woman", "3-month-old") and vulgar fractions ("1½ feet").
    if next(1).is_some_and(|n| n.is_sym('-') && !n.space_before) {
        if let Some(w) = next(2).and_then(|n| n.word()) {
            let span = matches!(
                w.split('-').next().unwrap_or(""),
                "year" | "years" | "month" | "months" | "week" | "weeks" | "day" | "days"
            );
            let old = w.ends_with("-old")
                || (1..=3).any(|k| next(2 + k).is_some_and(|n| n.is_word("old")));
            if span && old {
                return true;
            }
        }
    }
    if next(1).is_some_and(|n| {
        !n.space_before && matches!(n.tk, Tk::Sym('½' | '¼' | '¾' | '⅓' | '⅔' | '⅛'))
    }) {
        return true;
    }
    // Times of day: "11 p.m.", "1430 EST", "0935 BST".
    if let Some(w) = next(1).and_then(|n| n.word()) {
        let clock = matches!(w, "a.m" | "p.m" | "am" | "pm")
            || (matches!(w, "a" | "p")
                && next(2).is_some_and(|n| n.is_sym('.') && !n.space_before)
                && next(3).is_some_and(|n| n.is_word("m")));
        if clock || TIME_ZONES.contains(&w) {
            return true;
        }
    }
    // Versions and dotted ids: 2.3.1
    if next(1).is_some_and(|n| n.is_sym('.'))
        && attached(1)
        && next(2).is_some_and(|n| matches!(n.tk, Tk::Num { .. }) && !n.space_before)
    {
        return true;
    }
    if prev(1).is_some_and(|p| p.is_sym('.') && !t.space_before && !p.space_before)
        && prev(2).is_some_and(|p| matches!(p.tk, Tk::Num { .. } | Tk::Word(_)))
    {
        return true;
    }
    if simple_fraction_percent(toks, i) {
        return false;
    }
    // Times 16:44, dates 12/06/1996, fractions 24/7.
    for sep in [':', '/'] {
        if next(1).is_some_and(|n| n.is_sym(sep))
            && attached(1)
            && next(2).is_some_and(|n| matches!(n.tk, Tk::Num { .. }) && !n.space_before)
        {
            return true;
        }
        if prev(1).is_some_and(|p| p.is_sym(sep))
            && !t.space_before
            && prev(2).is_some_and(|p| matches!(p.tk, Tk::Num { .. }))
        {
            return true;
        }
    }
    // ISO dates, phone numbers and year ranges joined by hyphens: 1996-12-06, 555-1234, 2012-13.
    let hyphen_num = |a: Option<&Tok>, b: Option<&Tok>| {
        a.is_some_and(|h| (h.is_sym('-') || h.is_sym('\u{2013}')) && !h.space_before)
            && b.is_some_and(|n| matches!(n.tk, Tk::Num { .. }) && !n.space_before)
    };
    let is_year = |v: f64, d: usize, g: bool, dec: bool| {
        !g && !dec && d == 4 && (1800.0..=2100.0).contains(&v)
    };
    if hyphen_num(next(1), next(2)) {
        if let Some(Tk::Num {
            value: v2,
            digits: d2,
            ..
        }) = next(2).map(|n| &n.tk)
        {
            let year_range = is_year(value, digits, grouped, decimal) && (*d2 == 2 || *d2 == 4);
            // "1996-12-06", "12-06-1996", "555-123-4567" are no quantities; a vote tally
            // "230-197-1" is.
            let third_digits = match next(4).map(|n| &n.tk) {
                Some(Tk::Num { digits, .. }) => *digits,
                _ => 0,
            };
            let chained = hyphen_num(next(3), next(4))
                && (is_year(value, digits, grouped, decimal) || digits <= 2 || third_digits >= 4);
            let phone = digits >= 3 && *d2 >= 4 && !grouped;
            if year_range || chained || phone || (digits == 4 && *d2 == 2 && *v2 <= 12.0) {
                return true;
            }
        }
    }
    if hyphen_num(prev(1), Some(t)) {
        if let Some(Tk::Num {
            value: v0,
            digits: d0,
            grouped: g0,
            decimal: dec0,
        }) = prev(2).map(|p| &p.tk)
        {
            if is_year(*v0, *d0, *g0, *dec0)
                || hyphen_num(prev(3), prev(2))
                || (*d0 >= 3 && digits >= 4 && !grouped)
            {
                return true;
            }
        }
    }
    // "No. 1", "#1", "number 3", "version 2", "page 4", "P4" (a word, never lexed as number).
    if let Some(p) = prev(1) {
        if p.is_sym('#') && !t.space_before {
            return true;
        }
        if p.is_sym('.') && prev(2).is_some_and(|q| q.is_word("no") || q.is_word("nos")) {
            return true;
        }
        if matches!(
            p.word(),
            Some(
                "version"
                    | "v"
                    | "number"
                    | "page"
                    | "chapter"
                    | "article"
                    | "section"
                    | "room"
                    | "flight"
                    | "route"
                    | "model"
                    | "phase"
                    | "grade"
                    | "level"
            )
        ) {
            return true;
        }
    }
    // Phone-like: (555) 123-4567, +86 10 1234 5678
    if prev(1).is_some_and(|p| p.is_sym('+') && !t.space_before) {
        return true;
    }
    // Years: bare 4-digit 1800..2100 with no unit or scale.
    if is_year(value, digits, grouped, decimal) {
        let unit_follows = next(1).is_some_and(|n| {
            n.is_sym('%')
                || n.word().is_some_and(|w| {
                    scale_word(w).is_some() || w == "percent" || currency_word(w).is_some()
                })
        });
        let money_before =
            prev(1).is_some_and(|p| matches!(p.tk, Tk::Sym('$' | '€' | '£' | '¥' | '\u{20b9}')));
        if !unit_follows && !money_before {
            return true;
        }
    }
    // Day of month next to a month name: "17 December", "December 17", "Dec. 17".
    if !grouped && !decimal && digits <= 2 && (1.0..=31.0).contains(&value) {
        let month_after = next(1)
            .and_then(|n| n.word())
            .and_then(month_number)
            .is_some();
        let month_before = prev(1)
            .and_then(|p| p.word())
            .and_then(month_number)
            .is_some()
            || (prev(1).is_some_and(|p| p.is_sym('.'))
                && prev(2)
                    .and_then(|p| p.word())
                    .and_then(month_number)
                    .is_some());
        if month_after || month_before {
            return true;
        }
    }
    // CJK dates: 2015年12月17日
    if next(1).is_some_and(|n| matches!(n.tk, Tk::Word(ref w) if w.starts_with(['年', '月', '日'])))
    {
        return true;
    }
    false
}

/// All quantities in `text`.
pub fn scan(text: &str) -> Vec<Quantity> {
    let toks = lex(text);
    scan_tokens(text, &toks)
        .into_iter()
        .map(|(q, _)| q)
        .collect()
}

/// Byte ranges of web and e-mail addresses: numbers inside them are no quantities
/// (`?q=30%25`, `joe123@example.com`).
pub(crate) fn link_spans(text: &str) -> Vec<Range<usize>> {
    static LINKS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let links = LINKS.get_or_init(|| {
        regex::Regex::new(r"(?i)(?:[a-z][a-z0-9+.-]*://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+")
            .expect("link pattern")
    });
    links.find_iter(text).map(|m| m.range()).collect()
}

/// Quantities with the index of the token after each (for claim building).
pub(crate) fn scan_tokens(text: &str, toks: &[Tok]) -> Vec<(Quantity, usize)> {
    // A quantity's number starts at most MAX_LEAD tokens after the quantity (a three-word
    // qualifier, then a two-token currency), so parsing is tried only that close to a token that
    // can start a number: most text is skipped without looking at qualifiers at all.
    const MAX_LEAD: usize = 5;
    let mut next_start = vec![usize::MAX; toks.len() + 1];
    for k in (0..toks.len()).rev() {
        next_start[k] = if may_start_number(&toks[k]) {
            k
        } else {
            next_start[k + 1]
        };
    }
    let blocked = link_spans(text);
    let in_link = |b: usize| blocked.iter().any(|r| r.contains(&b));
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let n = next_start[i];
        if n == usize::MAX {
            break;
        }
        if n > i + MAX_LEAD {
            i = n - MAX_LEAD;
            continue;
        }
        match parse_at(text, toks, i) {
            Some((q, next)) => {
                if !in_link(q.range.start) {
                    out.push((q, next));
                }
                i = next;
            }
            None => i += 1,
        }
    }
    out
}

/// Whether `read_number` can succeed at this token.
fn may_start_number(t: &Tok) -> bool {
    match &t.tk {
        Tk::Num { .. } => true,
        Tk::Word(w) => {
            matches!(
                w.as_str(),
                "tens"
                    | "dozens"
                    | "hundreds"
                    | "thousands"
                    | "millions"
                    | "billions"
                    | "several"
                    | "few"
                    | "half"
                    | "a"
                    | "an"
            ) || word_value(w).is_some()
        }
        Tk::Sym(_) => false,
    }
}

pub(crate) fn parse_at(text: &str, toks: &[Tok], i: usize) -> Option<(Quantity, usize)> {
    let mut j = i;
    let mut qual = None;
    for (phrase, q) in QUALIFIERS {
        if let Some(k) = match_words(toks, j, phrase) {
            qual = Some(*q);
            j = k;
            break;
        }
    }
    let (mut currency, after_cur) = match currency_symbol(toks, j) {
        Some((c, k)) => (Some(c), k),
        None => (None, j),
    };
    j = after_cur;
    if matches!(toks.get(j).map(|t| &t.tk), Some(Tk::Num { .. })) && excluded(toks, j) {
        return None;
    }
    let start_tok = j;
    let read = read_number(toks, j, currency.is_some())?;
    // A lone small number word is not a quantity in "one of", "the two", "no one".
    if !read.from_digits {
        let w = toks[start_tok].word().unwrap_or("");
        let prev = start_tok.checked_sub(1).and_then(|p| toks[p].word());
        let next = toks.get(read.end).and_then(|t| t.word());
        let small = read.value < 10.0 && read.end == start_tok + 1;
        // "Two of those killed were police officers" is a claim; "one of thousands" is not.
        let of_one = next == Some("of") && read.value == 1.0;
        if small
            && (of_one
                || matches!(next, Some("another" | "day" | "time"))
                || matches!(
                    prev,
                    Some("the" | "no" | "these" | "those" | "which" | "any" | "every")
                ))
            || w == "one"
                && read.end == start_tok + 1
                && !matches!(next, Some(n) if n.ends_with('s') || n == "person")
        {
            return None;
        }
    }
    // A qualifier only counts when a number follows it.
    if qual.is_some() && start_tok == i {
        qual = None;
    }
    let mut value = read.value;
    let mut end = read.end;
    let mut approximate = read.approximate;
    let (mut lower, mut upper, mut lower_inc, mut upper_inc) = (None, None, None, None);
    // Range end: 2,000-3,000 ; 2,000 to 3,000 ; between 2,000 and 3,000 ; from 2 to 3 million.
    let range_word = match toks.get(end) {
        Some(t) if (t.is_sym('-') || t.is_sym('\u{2013}')) && read.from_digits => Some(end + 1),
        Some(t)
            if t.is_word("to") && read.from_digits
                || t.is_word("to") && qual == Some(Qual::From) =>
        {
            Some(end + 1)
        }
        Some(t) if t.is_word("and") && qual == Some(Qual::Between) => Some(end + 1),
        _ => None,
    };
    if let Some(k) = range_word {
        let k = currency_symbol(toks, k).map_or(k, |(_, k2)| k2);
        let ok = !matches!(toks.get(k).map(|t| &t.tk), Some(Tk::Num { .. })) || !excluded(toks, k);
        if let Some(r2) = ok
            .then(|| read_number(toks, k, currency.is_some()))
            .flatten()
        {
            let mut lo = value;
            let hi = r2.value;
            // "2-3 million": the scale of the second number applies to the first.
            if r2.end > k + 1 && read.end == start_tok + 1 {
                if let Some(Tk::Num { value: raw, .. }) = toks.get(k).map(|t| &t.tk) {
                    if *raw > 0.0 && hi / raw > 1.0 {
                        lo *= hi / raw;
                    }
                }
            }
            if hi >= lo {
                lower = Some(lo);
                upper = Some(hi);
                lower_inc = Some(true);
                upper_inc = Some(true);
                value = (lo + hi) / 2.0;
                end = r2.end;
            }
        }
    }
    // Unit after the number.
    let mut kind = if currency.is_some() {
        QuantityKind::Money
    } else {
        QuantityKind::Number
    };
    let mut unit = currency.clone().unwrap_or_else(|| "count".into());
    if let Some(t) = toks.get(end) {
        if t.is_sym('%') {
            kind = QuantityKind::Percent;
            unit = "percent".into();
            end += 1;
        } else if let Some(w) = t.word() {
            if w == "percent" || w == "pct" {
                kind = QuantityKind::Percent;
                unit = "percent".into();
                end += 1;
            } else if w == "per" && toks.get(end + 1).is_some_and(|n| n.is_word("cent")) {
                kind = QuantityKind::Percent;
                unit = "percent".into();
                end += 2;
            } else if w == "percentage"
                && toks
                    .get(end + 1)
                    .and_then(|n| n.word())
                    .is_some_and(|n| n.starts_with("point"))
            {
                kind = QuantityKind::Percent;
                unit = "percentage points".into();
                end += 2;
            } else if matches!(w, "cts" | "cents" | "cent") {
                // Wire style: "50 cts a share".
                kind = QuantityKind::Money;
                currency = Some("USD".into());
                unit = "USD".into();
                value *= 0.01;
                lower = lower.map(|v| v * 0.01);
                upper = upper.map(|v| v * 0.01);
                end += 1;
            } else if let Some(code) = currency_word(w).filter(|_| {
                // "5,200 pounds of water vapor" weighs; "5 mln pounds" of money does not.
                !(w.starts_with("pound") && toks.get(end + 1).is_some_and(|n| n.is_word("of")))
            }) {
                kind = QuantityKind::Money;
                currency = Some(code.to_string());
                unit = code.to_string();
                end += 1;
            } else if (w == "us" || w == "u.s")
                && toks
                    .get(end + 1)
                    .and_then(|n| n.word())
                    .and_then(currency_word)
                    == Some("USD")
            {
                kind = QuantityKind::Money;
                currency = Some("USD".into());
                unit = "USD".into();
                end += 2;
            }
        }
    }
    // Trailing qualifiers: "or more", "or less", "plus".
    let mut post = None;
    if toks.get(end).is_some_and(|t| t.is_word("or")) {
        match toks.get(end + 1).and_then(|t| t.word()) {
            Some("more" | "over" | "above") => post = Some(Qual::LowerClosed),
            Some("less" | "fewer" | "under" | "below") => post = Some(Qual::UpperClosed),
            _ => {}
        }
        if post.is_some() {
            end += 2;
        }
    }
    if read.lower_only {
        lower = Some(value);
        lower_inc = Some(true);
    }
    match qual.or(post) {
        Some(Qual::LowerOpen) => (lower, lower_inc) = (Some(value), Some(false)),
        Some(Qual::LowerClosed) => (lower, lower_inc) = (Some(value), Some(true)),
        Some(Qual::UpperOpen) => (upper, upper_inc) = (Some(value), Some(false)),
        Some(Qual::UpperClosed) => (upper, upper_inc) = (Some(value), Some(true)),
        Some(Qual::Approx) => approximate = true,
        Some(Qual::ApproxUpper) => {
            approximate = true;
            (upper, upper_inc) = (Some(value), Some(false));
        }
        Some(Qual::Between) | Some(Qual::From) if lower.is_none() => {
            // "from 5" without a range end: not a qualifier; start at the number.
        }
        _ => {}
    }
    let start_byte = if matches!(qual, Some(Qual::Between | Qual::From)) && lower.is_none() {
        toks[after_cur.min(start_tok)]
            .range
            .start
            .min(toks[start_tok].range.start)
    } else {
        toks[i].range.start
    };
    let start_byte = if matches!(qual, Some(Qual::From | Qual::Between)) && upper.is_none() {
        toks[if currency.is_some() && after_cur > i {
            after_cur - 1
        } else {
            start_tok
        }]
        .range
        .start
    } else {
        start_byte
    };
    let end_byte = toks[end - 1].range.end;
    Some((
        Quantity {
            text: text[start_byte..end_byte].to_string(),
            range: start_byte..end_byte,
            value,
            lower,
            upper,
            lower_inclusive: lower_inc,
            upper_inclusive: upper_inc,
            approximate,
            kind,
            currency: if kind == QuantityKind::Money {
                currency
            } else {
                None
            },
            unit,
        },
        end,
    ))
}
