//! Table-driven tests of quantities and claims. Each row: a phrase and the quantities expected,
//! written `VALUE[~] [%|pp|$CUR] [lo:Xo|lo:Xc] [hi:Xo|hi:Xc]` and separated by `;` (`~` means
//! approximate, `o`/`c` open/closed bound). An empty expectation means: no quantity at all.
use super::*;

const TABLE: &[(&str, &str)] = &[
    // digits, separators, decimals, negatives
    ("2,000 people", "2000"),
    ("1,234,567 votes", "1234567"),
    ("4.13 websites", "4.13"),
    ("93.5 percent of villages", "93.5 %"),
    ("a fall of -5 points", "-5"),
    ("temperatures of -12.5 degrees", "-12.5"),
    ("0.5 litres", "0.5"),
    ("12 ships", "12"),
    ("3 ships and 4 boats", "3; 4"),
    ("1, 234 listed", "1; 234"),
    ("in 1,000 towns", "1000"),
    ("100,000 fans", "100000"),
    ("7 million", "7e6"),
    ("2.5 billion", "2.5e9"),
    ("1.2 trillion", "1.2e12"),
    ("40 thousand", "40000"),
    ("5 hundred", "500"),
    // suffixes
    ("10k runners", "10000"),
    ("$5bn deal", "5e9 $USD"),
    ("2.7million users", "2.7e6"),
    ("1,783.9million yuan", "1783.9e6 $CNY"),
    ("$3m grant", "3e6 $USD"),
    ("5mn barrels", "5e6"),
    ("€2bn fund", "2e9 $EUR"),
    ("8tn economy", "8e12"),
    // scale and vague words
    ("a dozen eggs", "12~"),
    ("dozens of protesters", "24~ lo:24c"),
    ("hundreds of people", "200~ lo:200c"),
    ("thousands of workers", "2000~ lo:2000c"),
    ("millions of users", "2e6~ lo:2e6c"),
    ("several thousand fans", "3000~ lo:3000c"),
    ("several hundred houses", "300~ lo:300c"),
    ("tens of thousands of people", "1e4~ lo:1e4c"),
    ("a hundred villages", "100"),
    ("a thousand cranes", "1000"),
    ("a million visitors", "1e6"),
    ("a billion dollars", "1e9 $USD"),
    // number words
    ("two delegates", "2"),
    ("twenty-one countries", "21"),
    ("one hundred and sixty-one nations", "161"),
    ("three dozen roses", "36"),
    ("half a million people", "500000"),
    ("half a dozen firms", "6"),
    ("twelve ministers", "12"),
    ("ninety-nine problems", "99"),
    ("two hundred thousand homes", "200000"),
    ("three million users", "3e6"),
    ("forty-five countries", "45"),
    ("seven hundred staff", "700"),
    ("one thousand two hundred jobs", "1200"),
    ("fifteen percent", "15 %"),
    ("eleven people", "11"),
    // percent forms
    ("62%", "62 %"),
    ("62 %", "62 %"),
    ("58 percent", "58 %"),
    ("7 per cent", "7 %"),
    ("2.5 percentage points", "2.5 pp"),
    ("rose 3 pct", "3 %"),
    ("up 0.25 percentage point", "0.25 pp"),
    ("about 40% of voters", "40~ %"),
    ("more than 50 per cent", "50 % lo:50o"),
    ("nearly 100 percent", "100~ % hi:100o"),
    // money forms
    ("$4.5 billion", "4.5e9 $USD"),
    ("US$12 million", "12e6 $USD"),
    ("₹900", "900 $INR"),
    ("₹2,700 a year", "2700 $INR"),
    ("Rs. 500 fine", "500 $INR"),
    ("Rs 40,000", "40000 $INR"),
    ("£300", "300 $GBP"),
    ("€15", "15 $EUR"),
    ("HK$8 billion", "8e9 $HKD"),
    ("5 billion yuan", "5e9 $CNY"),
    ("4.2 billion dollars", "4.2e9 $USD"),
    ("300 euros", "300 $EUR"),
    ("60 rupees", "60 $INR"),
    ("10 million US dollars", "10e6 $USD"),
    ("2,000 yen", "2000 $JPY"),
    ("¥100 billion", "100e9 $CNY"),
    ("RMB 30 billion", "30e9 $CNY"),
    ("USD 40", "40 $USD"),
    ("about $2 million", "2e6~ $USD"),
    ("up to $10,000", "10000 $USD hi:10000c"),
    // ranges
    ("between 2,000 and 3,000 people", "2500 lo:2000c hi:3000c"),
    ("2,000-3,000 people", "2500 lo:2000c hi:3000c"),
    ("2,000 to 3,000 people", "2500 lo:2000c hi:3000c"),
    ("2,000–3,000 people", "2500 lo:2000c hi:3000c"),
    ("from 10 to 20 boats", "15 lo:10c hi:20c"),
    ("2-3 million users", "2.5e6 lo:2e6c hi:3e6c"),
    ("between 5 and 10 percent", "7.5 % lo:5c hi:10c"),
    ("$1-2 billion", "1.5e9 $USD lo:1e9c hi:2e9c"),
    ("between five and ten ships", "7.5 lo:5c hi:10c"),
    ("10 to 15 ships", "12.5 lo:10c hi:15c"),
    // lower bounds
    ("more than 2,000 people", "2000 lo:2000o"),
    ("over 120 countries", "120 lo:120o"),
    ("above 30 degrees", "30 lo:30o"),
    ("exceeding 500 tonnes", "500 lo:500o"),
    ("in excess of 40 hours", "40 lo:40o"),
    ("upwards of 200 firms", "200 lo:200o"),
    ("greater than 5 metres", "5 lo:5o"),
    ("at least 12 dead", "12 lo:12c"),
    ("no fewer than 300 boats", "300 lo:300c"),
    ("no less than 8 percent", "8 % lo:8c"),
    ("a minimum of 20 seats", "20 lo:20c"),
    ("500 or more people", "500 lo:500c"),
    ("over 4.13 million websites", "4.13e6 lo:4.13e6o"),
    ("more than half a million", "500000 lo:500000o"),
    ("More than 3,000 delegates", "3000 lo:3000o"),
    // upper bounds
    ("fewer than 100 cases", "100 hi:100o"),
    ("less than 5 percent", "5 % hi:5o"),
    ("under 30 people", "30 hi:30o"),
    ("below 2 percent", "2 % hi:2o"),
    ("up to 400 jobs", "400 hi:400c"),
    ("at most 10 players", "10 hi:10c"),
    ("no more than 50 guests", "50 hi:50c"),
    ("as many as 9,000 troops", "9000 hi:9000c"),
    ("as much as $3 billion", "3e9 $USD hi:3e9c"),
    ("a maximum of 25 boats", "25 hi:25c"),
    ("20 or fewer staff", "20 hi:20c"),
    ("100 or less", "100 hi:100c"),
    // approximations
    ("around 670 million users", "670e6~"),
    ("about 3,000 delegates", "3000~"),
    ("some 2,000 people", "2000~"),
    ("roughly 40 ships", "40~"),
    ("approximately 7 percent", "7~ %"),
    ("an estimated 10,000 fans", "10000~"),
    ("close to 90 countries", "90~"),
    ("circa 300 homes", "300~"),
    ("nearly 3,000 delegates", "3000~ hi:3000o"),
    ("almost 40 percent", "40~ % hi:40o"),
    ("just under 1,000 people", "1000~ hi:1000o"),
    ("Some 3,200 delegates", "3200~"),
    ("approx. 60 cars", "60~"),
    // coordination and several numbers
    (
        "668 million Internet users and over 4.13 million websites",
        "668e6; 4.13e6 lo:4.13e6o",
    ),
    (
        "more than 2,000 people from over 120 countries",
        "2000 lo:2000o; 120 lo:120o",
    ),
    (
        "12 million containers, and 62 percent of ships",
        "12e6; 62 %",
    ),
    ("between 1 and 2 and about 5", "1.5 lo:1c hi:2c; 5~"),
    // not quantities: years, dates, times, ordinals, phone numbers, ids, versions
    ("in 2015", ""),
    ("by July 2015", ""),
    ("1996-12-06", ""),
    ("2012-13 season", ""),
    ("2015-16", ""),
    ("on 17 December", ""),
    ("December 17, 2015", ""),
    ("Dec. 17", ""),
    ("at 16:44", ""),
    ("at 3pm", ""),
    ("10am meeting", ""),
    ("12/06/1996", ""),
    ("24/7 service", ""),
    ("the 21st century", ""),
    ("2nd place", ""),
    ("the 3rd time", ""),
    ("Second World Internet Conference", ""),
    ("the first time", ""),
    ("No. 1 seed", ""),
    ("#1 hit", ""),
    ("number 10", ""),
    ("version 2", ""),
    ("v2.3.1 release", ""),
    ("2.3.1", ""),
    ("call 555-1234", ""),
    ("+86 10 6512 3456", "10; 6512; 3456"),
    ("COVID-19 cases", ""),
    ("the A320 jet", ""),
    ("4G network", ""),
    ("P4 page", ""),
    ("the 1990s", ""),
    ("one of the two", ""),
    ("the two leaders", ""),
    ("no one came", ""),
    ("one day", ""),
    ("2015年12月17日", ""),
    ("G20 summit", ""),
    ("page 4", ""),
    ("Section 230", ""),
    ("MH370 flight", ""),
    ("Updated: 2015-12-17 16:44", ""),
    ("Windows 10", "10"),
];

/// value, approximate, kind, currency, lower (value, closed), upper (value, closed), unit
type Expect = (
    f64,
    bool,
    &'static str,
    Option<String>,
    Option<(f64, bool)>,
    Option<(f64, bool)>,
    Option<&'static str>,
);

fn parse_expect(spec: &str) -> Vec<Expect> {
    spec.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|q| {
            let mut parts = q.split_whitespace();
            let v = parts.next().unwrap();
            let approx = v.ends_with('~');
            let value: f64 = v.trim_end_matches('~').parse().unwrap();
            let (mut kind, mut cur, mut lo, mut hi, mut unit) = ("number", None, None, None, None);
            for p in parts {
                if p == "%" {
                    kind = "percent";
                    unit = Some("percent");
                } else if p == "pp" {
                    kind = "percent";
                    unit = Some("percentage points");
                } else if let Some(c) = p.strip_prefix('$') {
                    kind = "money";
                    cur = Some(c.to_string());
                } else if let Some(b) = p.strip_prefix("lo:").or(p.strip_prefix("hi:")) {
                    let closed = b.ends_with('c');
                    let x: f64 = b[..b.len() - 1].parse().unwrap();
                    if p.starts_with("lo:") {
                        lo = Some((x, closed));
                    } else {
                        hi = Some((x, closed));
                    }
                }
            }
            (value, approx, kind, cur, lo, hi, unit)
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn quantity_table() {
    assert!(TABLE.len() >= 150, "{} rows", TABLE.len());
    let mut failures = Vec::new();
    for (text, spec) in TABLE {
        let got = scan(text);
        let want = parse_expect(spec);
        let ok = got.len() == want.len()
            && got.iter().zip(&want).all(|(g, w)| {
                close(g.value, w.0)
                    && g.approximate == w.1
                    && g.kind.as_str() == w.2
                    && g.currency == w.3
                    && match w.4 {
                        Some((x, c)) => {
                            g.lower.is_some_and(|l| close(l, x)) && g.lower_inclusive == Some(c)
                        }
                        None => g.lower.is_none(),
                    }
                    && match w.5 {
                        Some((x, c)) => {
                            g.upper.is_some_and(|u| close(u, x)) && g.upper_inclusive == Some(c)
                        }
                        None => g.upper.is_none(),
                    }
                    && w.6.is_none_or(|u| g.unit == u)
            });
        if !ok {
            let got: Vec<String> = got
                .iter()
                .map(|q| {
                    format!(
                        "{:?} v={} lo={:?}/{:?} hi={:?}/{:?} ~{} {} {:?}",
                        q.text,
                        q.value,
                        q.lower,
                        q.lower_inclusive,
                        q.upper,
                        q.upper_inclusive,
                        q.approximate,
                        q.kind.as_str(),
                        q.currency
                    )
                })
                .collect();
            failures.push(format!("{text:?}: want {spec:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        TABLE.len(),
        failures.join("\n")
    );
}

#[test]
fn offsets_are_byte_ranges_of_the_phrase() {
    let t = "Über 2,000 people and around 670 million users";
    let q = scan(t);
    assert_eq!(&t[q[0].range.clone()], "2,000");
    assert_eq!(&t[q[1].range.clone()], "around 670 million");
}

fn doc_with(
    text: &str,
    published: Option<&str>,
    ents: &[(&str, crate::doc::EntityType)],
) -> Document {
    let mut d = crate::doc::test_doc(text, ents);
    d.meta.doc_id = "t".into();
    d.meta.published = published.map(String::from);
    d
}

fn show(d: &Document) -> Vec<String> {
    extract(d, &MeasureTable::builtin())
        .iter()
        .map(|c| {
            format!(
                "{}|{}|{}|{:?}|{:?}|{}",
                c.subject.as_deref().unwrap_or("-"),
                c.measure,
                graph_num(c.quantity.value),
                c.quantity.lower.map(graph_num),
                c.as_of,
                d.slice(&c.range)
            )
        })
        .collect()
}

fn graph_num(v: f64) -> String {
    crate::graph::format_float(v)
}

use crate::doc::EntityType::*;

/// (text, publication date, entities, claims as `show` prints them)
type ClaimCase = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, crate::doc::EntityType)],
    &'static [&'static str],
);

const CLAIM_CASES: &[ClaimCase] = &[
    (
        "China had 668 million Internet users and over 4.13 million websites by July 2015, the biggest number of any country.",
        None,
        &[("China", Location)],
        &[
            "China|internet users|668000000|None|Some(\"2015-07\")|668 million Internet users",
            "China|websites|4130000|Some(\"4130000\")|Some(\"2015-07\")|over 4.13 million websites",
        ],
    ),
    (
        "With around 670 million users and over 4.13 million websites in China, the Internet grew.",
        None,
        &[("China", Location)],
        &[
            "China|users|670000000|None|None|around 670 million users",
            "China|websites|4130000|Some(\"4130000\")|None|over 4.13 million websites",
        ],
    ),
    (
        "The conference is attended by more than 2,000 people from over 120 countries and regions.",
        None,
        &[],
        &[
            "-|people|2000|Some(\"2000\")|None|more than 2,000 people",
            "-|countries and regions|120|Some(\"120\")|None|over 120 countries and regions",
        ],
    ),
    (
        "All cities and 93.5 percent of villages have Internet access.",
        None,
        &[],
        &["-|villages|93.5|None|None|93.5 percent of villages"],
    ),
    (
        "China's 670 million netizens are online.",
        None,
        &[("China", Location)],
        &["China|netizens|670000000|None|None|670 million netizens"],
    ),
    // The measure before a level verb: the surface runs from it to the number.
    (
        "The death toll rose to 40 and attendance stood at about 2,500.",
        None,
        &[],
        &[
            "-|death toll|40|None|None|death toll rose to 40",
            "-|attendance|2500|None|None|attendance stood at about 2,500",
        ],
    ),
    (
        "Norland's container traffic reached 12 million.",
        None,
        &[("Norland", Location)],
        &["Norland|container traffic|12000000|None|None|container traffic reached 12 million"],
    ),
    (
        "In September, the firm sold 300 cars.",
        Some("2015-12-17"),
        &[],
        &["-|cars|300|None|Some(\"2015-09\")|300 cars"],
    ),
    (
        "The Second World Internet Conference lasted three days in 2015.",
        None,
        &[],
        &[],
    ),
    // A subject is not guessed from another sentence.
    (
        "China is big. 93.5 percent of villages have access.",
        None,
        &[("China", Location)],
        &["-|villages|93.5|None|None|93.5 percent of villages"],
    ),
];

#[test]
fn claims_with_subject_measure_and_time() {
    for (text, published, ents, want) in CLAIM_CASES {
        let d = doc_with(text, *published, ents);
        assert_eq!(show(&d), *want, "{text}");
    }
}

/// Every quantity found by trying a parse at every token, for checking the scanner's skipping.
fn scan_everywhere(text: &str) -> Vec<(Quantity, usize)> {
    let toks = quantity::lex(text);
    let links = quantity::link_spans(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match quantity::parse_at(text, &toks, i) {
            Some((q, next)) => {
                if !links.iter().any(|r| r.contains(&q.range.start)) {
                    out.push((q, next));
                }
                i = next;
            }
            None => i += 1,
        }
    }
    out
}

#[test]
fn skipping_loses_no_quantity() {
    let mut texts: Vec<String> = TABLE.iter().map(|(t, _)| t.to_string()).collect();
    texts.push(
        TABLE
            .iter()
            .map(|(t, _)| *t)
            .collect::<Vec<_>>()
            .join(" filler words here "),
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [root.join("data/demo"), root.join("../shared/seeds")] {
        for f in crate::corpus::list_files(&dir).unwrap_or_default() {
            texts.extend(std::fs::read_to_string(&f).ok());
        }
    }
    assert!(texts.len() > TABLE.len() + 4, "the demo corpus is readable");
    for t in &texts {
        let toks = quantity::lex(t);
        let fast = quantity::scan_tokens(t, &toks);
        let slow = scan_everywhere(t);
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{t}");
    }
}

/// (sentence, expected `measure_key|value|unit` of each claim; `-` for a claim never grouped)
const MEASURE_CASES: &[(&str, &[&str])] = &[
    // What happened to the people counted, whatever the wording.
    ("84 people were killed in the attack.", &["deaths|84|count"]),
    ("The attack left 84 dead.", &["deaths|84|count"]),
    ("The death toll rose to 84 on Friday.", &["deaths|84|count"]),
    ("At least 84 people lost their lives.", &["deaths|84|count"]),
    (
        "The truck plowed into the crowd, killing 84 people.",
        &["deaths|84|count"],
    ),
    ("At least 14 deaths were reported.", &["deaths|14|count"]),
    // Killed and affected are never one fact.
    ("The storm affected 5 million people.", &["-|5000000|count"]),
    (
        "About 5 million people were affected by the storm.",
        &["affected|5000000|count"],
    ),
    (
        "84 dead and 202 injured",
        &["deaths|84|count", "injured|202|count"],
    ),
    (
        "Officials said 200 people were evacuated.",
        &["evacuated|200|count"],
    ),
    ("The jet had 162 people on board.", &["on board|162|count"]),
    (
        "an AirAsia jet carrying 162 people vanished",
        &["on board|162|count"],
    ),
    // A part of the toll is its own measure; a part of another figure is not compared.
    ("10 children were killed.", &["deaths: children|10|count"]),
    (
        "At least 84 people are dead, including two Americans and 10 children.",
        &[
            "deaths|84|count",
            "deaths: americans|2|count",
            "deaths: children|10|count",
        ],
    ),
    (
        "Approximately 50 of the injured are in hospital.",
        &["-|50|count"],
    ),
    // "people" says nothing by itself.
    ("In New Bern, 500 people waited.", &["-|500|count"]),
    // Money takes its measure from its noun, before or after it.
    (
        "The storm caused $3 billion in damage.",
        &["damage|3000000000|USD"],
    ),
    (
        "Losses were estimated at $3 billion.",
        &["damage|3000000000|USD"],
    ),
    (
        "The government put the losses at $3bn.",
        &["damage|3000000000|USD"],
    ),
    (
        "The bank is ready to lend up to $200 million.",
        &["loan|200000000|USD"],
    ),
    (
        "Norland will spend $4.5 billion on ports.",
        &["spending|4500000000|USD"],
    ),
    // Percent of keeps its base.
    (
        "Some 40 percent of the population fled.",
        &["population|40|percent"],
    ),
    // Units are measured quantities, compared only when a cue says what they measure.
    ("The plane flew at 34,000 feet.", &["-|34000|ft"]),
    (
        "It reached its cruising altitude of 38,000 feet.",
        &["altitude|38000|ft"],
    ),
    ("Winds of 90 mph hit the coast.", &["wind speed|90|mph"]),
    ("Up to 40 inches of rain could fall.", &["rainfall|40|in"]),
    ("The storm was 40 miles west of the city.", &["-|40|mi"]),
    // Times of day, durations, ages and page furniture are no claims.
    ("The attack began at 10:30 BST and ended at 1430 EST.", &[]),
    ("It ended at 11 p.m. Wednesday.", &[]),
    ("Four minutes later the plane vanished.", &[]),
    ("Two weeks before, he had left.", &[]),
    ("A 62-year-old woman was hurt.", &[]),
    ("40 Photos", &[]),
    ("11 i View slideshow", &[]),
    // The measure stops at weekdays, verbs and abbreviations.
    (
        "Police arrested 12 people Wednesday.",
        &["arrested|12|count"],
    ),
    ("Three U.S. officials spoke.", &[]),
    // Wire style (Reuters): mln dlrs, cts, stg, pct, vs.
    (
        "Net profit was 5.2 mln dlrs vs 3.1 mln dlrs.",
        &["profit|5200000|USD", "profit (prior period)|3100000|USD"],
    ),
    (
        "The company raised its dividend to 50 cts a share.",
        &["dividend|0.5|USD"],
    ),
    ("Sales rose 12 pct.", &["sale|12|percent"]),
    ("The 9-1/8 pct debentures", &["debenture|9.125|percent"]),
    ("The fee is 5/8 pct of the issue.", &["issue|0.625|percent"]),
    // Numbers in web and e-mail addresses, phone numbers and ids are no quantities.
    (
        "See https://example.com/search?q=30%25&page=2 for 30 reports.",
        &["report|30|count"],
    ),
    (
        "Write to joe123@example.com or www.site.com/2015/12/17/story-4567.html today.",
        &[],
    ),
    ("Call +1 555-123-4567 or quote order AB-2024-99812.", &[]),
    ("Revenues were 3.5 mln stg.", &["revenue|3500000|GBP"]),
];

#[test]
fn measures_say_what_was_counted_and_what_happened_to_it() {
    let table = MeasureTable::builtin();
    for (text, want) in MEASURE_CASES {
        let d = doc_with(text, None, &[]);
        let got: Vec<String> = extract(&d, &table)
            .iter()
            .map(|c| {
                let key = if c.measure_key.is_empty() {
                    "-"
                } else {
                    c.measure_key.as_str()
                };
                format!("{key}|{}|{}", graph_num(c.quantity.value), c.quantity.unit)
            })
            .collect();
        assert_eq!(got, *want, "{text}");
    }
}
