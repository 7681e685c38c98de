//! The syntax layer with the shipped model: its scores on the UD English EWT test set (the
//! figures the model card states), the backends agree, `parse`
//! prints CoNLL-U whose offsets slice the text, the layer reaches the records, and a claim
//! frame is read from a real news sentence.
mod util;
use newsgraph::syntax::frame::Frame;
use newsgraph::syntax::Parse;
use util::*;

#[test]
fn ewt_test_scores_match_the_model_card() {
    let Some(test) = shared("data/ud-ewt/en_ewt-ud-test.conllu") else {
        eprintln!("../shared/data/ud-ewt is absent: skipping");
        return;
    };
    let o = run_ok(
        bin()
            .arg("eval-parse")
            .arg(&test)
            .args(["--json", "--backend", "torch"]),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let get = |k: &str| v[k].as_f64().unwrap();
    assert_eq!(v["sentences"], 2077);
    // The shipped head's floors (the model card's figures, rounded down): below the issue's
    // goals of LAS 0.88 and UAS 0.91, which need the encoder fine-tuned for syntax.
    assert!(get("las") >= 0.84, "LAS {}", get("las"));
    assert!(get("uas") >= 0.87, "UAS {}", get("uas"));
    assert!(get("upos") >= 0.955, "UPOS {}", get("upos"));
    assert!(get("lemma") >= 0.95, "lemma {}", get("lemma"));
    for (k, card) in [
        ("las", "test LAS (newsgraph eval-parse)"),
        ("uas", "test UAS (newsgraph eval-parse)"),
    ] {
        assert!(
            (get(k) - card_value(card)).abs() < 0.0005,
            "{k} {} vs the model card's {}",
            get(k),
            card_value(card)
        );
    }
    let nsubj = &v["per_label"]["nsubj"];
    assert!(nsubj["f1"].as_f64().unwrap() > 0.9, "{nsubj}");
}

fn parse_json(text: &str, backend: &str) -> serde_json::Value {
    let o = run_ok(
        bin()
            .args(["parse", "--json", "--backend", backend])
            .arg(text),
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

const TEXT: &str = "The airline's statement added that the plane's captain had a total of \
6,100 flying hours, while the first officer had flown 2,275 hours. \
Mr. Lee didn't say when the U.S. Navy would leave.";

#[test]
fn backends_agree_and_offsets_slice_the_text() {
    let torch = parse_json(TEXT, "torch");
    let fp32 = parse_json(TEXT, "onnx");
    assert_eq!(torch, fp32, "onnx fp32 parses as torch does");
    let int8 = parse_json(TEXT, "onnx-int8");
    let heads = |v: &serde_json::Value| -> Vec<(u64, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["words"].as_array().unwrap().clone())
            .map(|w| {
                (
                    w["head"].as_u64().unwrap(),
                    w["deprel"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (a, b) = (heads(&torch), heads(&int8));
    assert_eq!(a.len(), b.len());
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    assert!(
        same * 10 >= a.len() * 9,
        "int8 keeps 90 % of arcs: {same}/{}",
        a.len()
    );
    let chars: Vec<char> = TEXT.chars().collect();
    for s in torch.as_array().unwrap() {
        let words = s["words"].as_array().unwrap();
        assert_eq!(
            words.iter().filter(|w| w["head"] == 0).count(),
            1,
            "one root"
        );
        for w in words {
            let (st, en) = (
                w["start"].as_u64().unwrap() as usize,
                w["end"].as_u64().unwrap() as usize,
            );
            let slice: String = chars[st..en].iter().collect();
            assert_eq!(slice, w["form"].as_str().unwrap());
        }
    }
    let forms: Vec<&str> = torch[1]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["form"].as_str().unwrap())
        .collect();
    assert_eq!(&forms[..5], ["Mr.", "Lee", "did", "n't", "say"]);
    // CoNLL-U: ten columns, offsets in MISC.
    let o = run_ok(bin().arg("parse").arg(TEXT));
    let out = String::from_utf8(o.stdout).unwrap();
    let line = out.lines().find(|l| l.starts_with("1\t")).unwrap();
    assert_eq!(line.split('\t').count(), 10, "{line}");
    assert!(line.ends_with("Start=0|End=3"), "{line}");
}

/// The parse of the sentence of `text` that holds `needle`, through `newsgraph parse --json`.
fn parse_sentence(text: &str, needle: &str) -> (Parse, Vec<String>) {
    let v = parse_json(text, "auto");
    let s = v
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["text"].as_str().unwrap().contains(needle))
        .expect("the sentence");
    let words = s["words"].as_array().unwrap();
    let parse = Parse {
        sentence: 0,
        words: words
            .iter()
            .map(|w| newsgraph::syntax::Word {
                head: w["head"].as_u64().unwrap() as u32,
                rel: w["deprel"].as_str().unwrap().into(),
                upos: w["upos"].as_str().unwrap().into(),
                lemma: w["lemma"].as_str().unwrap().into(),
                ..Default::default()
            })
            .collect(),
    };
    let forms = words
        .iter()
        .map(|w| w["form"].as_str().unwrap().to_string())
        .collect();
    (parse, forms)
}

#[test]
fn a_claim_frame_is_read_from_a_real_sentence() {
    // AirAsia QZ8501 in ../shared/corpora/multioutlet-dev: the captain's and the first
    // officer's hours are two holders' figures, not one measure.
    let Some(dir) = shared("corpora/multioutlet-dev/airasia-8501-2014-12") else {
        return;
    };
    let needle = "captain had a total of 6,100 flying hours";
    let text = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .find(|t| t.contains(needle))
        .expect("a report with the captain's hours");
    let at = text.find(needle).unwrap();
    let start = text[..at].rfind(". ").map_or(0, |i| i + 2);
    let end = at + text[at..].find(". ").unwrap() + 1;
    let sentence = &text[start..end];
    let (p, forms) = parse_sentence(sentence, needle);
    let idx = |f: &str| forms.iter().position(|w| w == f).unwrap();
    let hours6100 = Frame::of_number(&p, "", idx("6,100"));
    let lemma = |i: Option<usize>| i.map(|i| p.words[i].lemma.clone());
    // (The words' lemmas came in the JSON, so no text is needed to read them.)
    assert_eq!(
        lemma(hours6100.counted),
        Some("hour".into()),
        "{hours6100:?}"
    );
    assert_eq!(
        lemma(hours6100.holder).as_deref(),
        Some("captain"),
        "{hours6100:?}"
    );
    let hours2275 = Frame::of_number(&p, "", idx("2,275"));
    assert_eq!(lemma(hours2275.counted), Some("hour".into()));
    assert_eq!(
        hours2275.predicate.map(|i| forms[i].as_str()),
        Some("flown")
    );
    assert_eq!(lemma(hours2275.holder).as_deref(), Some("officer"));
}

/// Runs the whole pipeline on one article written to `name` and returns its `edges.csv` rows.
fn edges_of_article(name: &str, text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let (_t, out, _) = run_pipeline(dir.path(), &[]);
    csv_rows(&out.join("edges.csv")).1
}

/// The SAID edges as (speaker, rule, sentence).
fn said_edges(
    edges: &[std::collections::BTreeMap<String, String>],
) -> Vec<(String, String, String)> {
    edges
        .iter()
        .filter(|e| e["type"] == "SAID")
        .map(|e| (e["from"].clone(), e["rule"].clone(), e["sentence"].clone()))
        .collect()
}

/// The rule that gave `who` the quote of the sentence holding `words`.
fn rule_of_quote(said: &[(String, String, String)], who: &str, words: &str) -> Option<String> {
    said.iter()
        .find(|(f, _, s)| f == who && s.contains(words))
        .map(|(_, r, _)| r.clone())
}

/// Quotes of real news (Navy Yard, Yarnell Hill, Russian diplomats, Chicago teachers, as the
/// outlets wrote them) get their speaker from the parse: the subject of the verb that reports
/// the quote, with a title or honorific before the name, a USA Today quote closed with two
/// apostrophes, and the quote that follows in the same paragraph.
#[test]
fn quotes_get_their_speaker_from_the_reporting_verb() {
    let edges = edges_of_article(
        "quotes.txt",
        "Officials spoke to reporters on Monday evening after the shooting at the Navy Yard.\n\n\
         \"This is a horrific tragedy,'' Washington Mayor Vincent Gray said.\n\n\
         \"We have been preparing for this kind of fire for years,\" Gov. Jan Brewer said. \"Nobody could have stopped it.\"\n\n\
         \"The United States will not stand by while our allies are attacked,\" White House press secretary Sarah Huckabee Sanders said in a statement.\n\n\
         \"I decided to go in to work a little late this morning,\" Mr. Lee said. \"I guess God was with me.\"\n",
    );
    let said = said_edges(&edges);
    let find = |who: &str, words: &str| rule_of_quote(&said, who, words);
    assert_eq!(
        find("per:vincent-gray", "horrific tragedy").as_deref(),
        Some("reporting_verb_subject"),
        "{said:#?}"
    );
    assert_eq!(
        find("per:jan-brewer", "preparing").as_deref(),
        Some("reporting_verb_subject"),
        "{said:#?}"
    );
    assert_eq!(
        find("per:jan-brewer", "Nobody could").as_deref(),
        Some("continued_quote"),
        "{said:#?}"
    );
    assert_eq!(
        find("per:sarah-huckabee-sanders", "stand by").as_deref(),
        Some("reporting_verb_subject"),
        "{said:#?}"
    );
    assert!(find("per:lee", "God was with me").is_some(), "{said:#?}");
    assert_eq!(said.len(), 6, "{said:#?}");
}

/// Roles of real news (Beirut embassy bombing, jobs report, Navy Yard, Chicago teachers, as the
/// outlets wrote them) come from the parse, whatever the role noun: titles before the name,
/// appositions with the organisation after "at" or "with", "the leader of X, NAME", a
/// predicate noun with its employer, and an outlet's possessive. A name used as a modifier
/// ("the Barack Obama administration") is no role holder.
#[test]
fn roles_come_from_the_parse_whatever_the_noun() {
    let edges = edges_of_article(
        "roles.txt",
        "Senior Hezbollah official Mahmoud Komati told reporters at the scene that the attacks were a direct result of the defeats.\n\n\
         \"The numbers are encouraging,\" said Heather Boushey, senior economist at the left-leaning Center for American Progress.\n\n\
         Just last week, the leader of Hezbollah, Hassan Nasrallah, said that the group would continue to send its militiamen to Syria.\n\n\
         Aaron Alexis, 34, a contractor from Fort Worth, was identified by officials as the shooter.\n\n\
         At the time of the rampage, Alexis was an employee with The Experts, a company that was a Defense Department subcontractor, authorities said.\n\n\
         Republican presidential nominee Mitt Romney said Chicago teachers are turning their backs on thousands of students.\n\n\
         Officials of the Barack Obama administration said the report was encouraging.\n\n\
         CNN's Nick Paton Walsh reported from Beirut.\n\n\
         \"The shooter had legitimate access,\" said Valerie Parlave, assistant director in charge of the Washington FBI Field Office.\n\n\
         Associated Press writers Laurie Kellman, Matthew Daly and Alan Fram contributed to this report.\n\n\
         Sen. Dick Durbin, D-Ill., said the strike would end soon.\n\n\
         However, Chicago Teachers Union President Karen Lewis said teachers had no choice but to strike.\n\n\
         Britain blamed Moscow for the poisoning of the former double agent, Sergei Skripal, and his daughter in Salisbury.\n",
    );
    let rel: Vec<(String, String, String, String, String)> = edges
        .iter()
        .filter(|e| {
            matches!(
                e["type"].as_str(),
                "HAS_ROLE" | "HEAD_OF" | "AFFILIATED_WITH"
            )
        })
        .map(|e| {
            (
                e["type"].clone(),
                e["from"].clone(),
                e["to"].clone(),
                e["role"].clone(),
                e["rule"].clone(),
            )
        })
        .collect();
    let has = |t: &str, who: &str, to: &str, rule: &str| {
        rel.iter()
            .any(|(a, b, c, _, r)| a == t && b == who && c.contains(to) && r == rule)
    };
    assert!(
        has(
            "HAS_ROLE",
            "per:mahmoud-komati",
            "official",
            "title_compound"
        ),
        "{rel:#?}"
    );
    // (Whether Hezbollah is then an affiliation depends on the tagger's type for it, which
    // changes with the document around it: organisation or nationality-like MISC.)
    assert!(
        has("HAS_ROLE", "per:heather-boushey", "economist", "apposition"),
        "{rel:#?}"
    );
    assert!(
        has(
            "AFFILIATED_WITH",
            "per:heather-boushey",
            "center",
            "apposition"
        ),
        "{rel:#?}"
    );
    assert!(
        has("HEAD_OF", "per:hassan-nasrallah", "hezbollah", "apposition"),
        "{rel:#?}"
    );
    assert!(
        has("HAS_ROLE", "per:aaron-alexis", "contractor", "apposition"),
        "{rel:#?}"
    );
    assert!(
        has("HAS_ROLE", "per:aaron-alexis", "employee", "copula"),
        "{rel:#?}"
    );
    assert!(
        has("HAS_ROLE", "per:mitt-romney", "nominee", "title_compound"),
        "{rel:#?}"
    );
    assert!(
        has(
            "AFFILIATED_WITH",
            "per:nick-paton-walsh",
            "cnn",
            "possessive_affiliation"
        ),
        "{rel:#?}"
    );
    assert!(
        !rel.iter().any(|(_, b, _, _, _)| b == "per:barack-obama"),
        "{rel:#?}"
    );
    // "a contractor from Fort Worth": where he is from, not whom he works for.
    assert!(
        !rel.iter().any(|(a, b, c, _, _)| a == "AFFILIATED_WITH"
            && b == "per:aaron-alexis"
            && c.contains("fort-worth")),
        "{rel:#?}"
    );
    // A list under one plural title shares it.
    assert!(
        has(
            "AFFILIATED_WITH",
            "per:matthew-daly",
            "associated-press",
            "shared_title"
        ),
        "{rel:#?}"
    );
    // A title the tagger kept inside the name is still a role, written out in full.
    assert!(
        has("HAS_ROLE", "per:dick-durbin", "senator", "title_in_name"),
        "{rel:#?}"
    );
    // A union's president heads it; "the former double agent, Sergei Skripal, and his
    // daughter" gives the role "former double agent", not "and".
    assert!(
        has(
            "HEAD_OF",
            "per:karen-lewis",
            "chicago-teachers-union",
            "title_compound"
        ),
        "{rel:#?}"
    );
    assert!(
        rel.iter()
            .filter(|(a, b, _, _, _)| a == "HAS_ROLE" && b == "per:sergei-skripal")
            .all(|(_, _, _, role, _)| role == "former double agent"),
        "{rel:#?}"
    );
    // Whoever is in charge of an office heads it, "assistant" or not.
    assert!(
        rel.iter().any(|(a, b, c, _, _)| a == "HEAD_OF"
            && b == "per:valerie-parlave"
            && c.contains("field-office")),
        "{rel:#?}"
    );
}

/// Places of real news (Beirut, Navy Yard, Russian diplomats, Chicago teachers): a place after
/// a comma is in the place before it unless the parse makes it a conjunct of a list or another
/// noun's modifier; "X's Y" puts Y in X; "in the Southeast quadrant" is no place "Southeast".
#[test]
fn places_are_placed_by_the_parse() {
    let edges = edges_of_article(
        "places.txt",
        "A pair of bombs ripped through neighborhoods near mosques in Tripoli, Lebanon, with ties to Syrian rebels.\n\n\
         It was the same type of rifle used in last year's mass shooting at a Newtown, Conn., elementary school.\n\n\
         Officials spoke of the poisoning of Sergei Skripal and his daughter in Salisbury, England, an attack on America's closest ally.\n\n\
         Teachers protested outside a school on Chicago's South Side on Monday.\n\n\
         Russia supported civil strife in Ukraine, Georgia, Moldova and other neighboring countries, she said.\n\n\
         Eight people were killed in the shooting at the Washington Navy Yard, Washington Mayor Vincent Gray told reporters.\n\n\
         The skies around the Navy complex on the Anacostia River in the Southeast quadrant of the city were dark.\n",
    );
    let located: Vec<(String, String)> = edges
        .iter()
        .filter(|e| e["type"] == "LOCATED_IN")
        .map(|e| (e["from"].clone(), e["to"].clone()))
        .collect();
    let has = |a: &str, b: &str| located.iter().any(|(x, y)| x == a && y == b);
    assert!(has("loc:tripoli", "loc:lebanon"), "{located:?}");
    assert!(has("loc:newtown", "loc:conn"), "{located:?}");
    assert!(has("loc:salisbury", "loc:england"), "{located:?}");
    assert!(has("loc:south-side", "loc:chicago"), "{located:?}");
    assert!(!has("loc:georgia", "loc:moldova"), "{located:?}");
    assert!(
        !located.iter().any(|(_, y)| y == "loc:washington"),
        "{located:?}"
    );
    assert!(
        !located.iter().any(|(x, _)| x.contains("anacostia")),
        "{located:?}"
    );
}

/// "she said" is no man's: the pronoun goes to the last person named whose gender (Mr., Mrs.,
/// Ms. or the first-name table) does not differ; a statement "saying" a quote is its issuer's;
/// a quote after a long attribution goes on with that speaker.
#[test]
fn pronouns_and_statements_find_their_speaker() {
    let edges = edges_of_article(
        "said.txt",
        "Gov. Jan Brewer visited the site on Monday with Mike Reichling of the state forestry division.\n\n\
         \"For now, we mourn,\" she said.\n\n\
         \"They're anti-Iran, anti-Arab, anti-Israeli, anti-Turkish,\" said Rami Khouri, director of the Issam Fares Institute of Public Policy and International Affairs at the American University of Beirut. \"They are the big threat, and they are getting into the business of bombing embassies.\"\n\n\
         Mitt Romney, meanwhile, swiftly issued a statement saying the report was \"a sad reminder that the economy is at a virtual standstill.\"\n",
    );
    let said = said_edges(&edges);
    let find = |who: &str, words: &str| rule_of_quote(&said, who, words);
    assert_eq!(
        find("per:jan-brewer", "we mourn").as_deref(),
        Some("pronoun"),
        "{said:#?}"
    );
    assert_eq!(
        find("per:rami-khouri", "big threat").as_deref(),
        Some("continued_quote"),
        "{said:#?}"
    );
    assert_eq!(
        find("per:mitt-romney", "sad reminder").as_deref(),
        Some("reporting_verb_subject"),
        "{said:#?}"
    );
    assert!(
        !said.iter().any(|(f, _, _)| f == "per:mike-reichling"),
        "{said:#?}"
    );
}

/// A name "of" an organisation is affiliated with it (Chicago teachers strike, NPR).
#[test]
fn a_name_of_an_organisation_is_affiliated_with_it() {
    let edges = edges_of_article(
        "of.txt",
        "Becky Vevea, of member station WBEZ, reports that school leaders want big changes.\n",
    );
    assert!(
        edges.iter().any(|e| e["type"] == "AFFILIATED_WITH"
            && e["from"] == "per:becky-vevea"
            && e["to"] == "org:wbez"
            && e["rule"] == "name_of_org"),
        "{edges:#?}"
    );
}

/// A caption that ends on a name ("Turned: Rick Gates", Daily Mail) has no word after the
/// name for the apposition rule to read: the relation rules keep the document's layer.
#[test]
fn a_sentence_that_ends_on_a_name_keeps_its_relations() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("caption.txt"),
        "Turned: Rick Gates\n\nRick Gates, a former campaign aide, told prosecutors about the meetings.\n",
    )
    .unwrap();
    let (_t, out, o) = run_pipeline(dir.path(), &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("internal error"), "{stderr}");
    let edges = csv_rows(&out.join("edges.csv")).1;
    assert!(
        edges
            .iter()
            .any(|e| e["type"] == "HAS_ROLE" && e["from"] == "per:rick-gates"),
        "{edges:#?}"
    );
}
