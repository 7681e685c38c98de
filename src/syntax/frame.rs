//! What a number in a sentence is about, read from the sentence's dependency tree: the thing
//! counted, its modifiers, the predicate that governs it, whose figure it is, and the places
//! or events the sentence ties it to. The claims rules read numbers through it
//! ([`crate::claims`]); every field is word indices into the [`Parse`].
use super::Parse;

/// The frame of one number word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frame {
    /// The number's word.
    pub number: usize,
    /// The noun the number counts ("14 firefighters": firefighters); `None` when the number
    /// stands alone ("Canada expelled seven").
    pub counted: Option<usize>,
    /// Adjectives and compounds of the counted noun ("Russian diplomats", "hotshot
    /// firefighters"), in sentence order.
    pub modifiers: Vec<usize>,
    /// The verb or predicate the counted phrase depends on ("were killed", "expelled").
    pub predicate: Option<usize>,
    /// Whose figure it is: a possessor of the counted noun ("the captain's 6,100 hours") or
    /// the subject of the predicate when the counted phrase is its object ("the captain had
    /// 6,100 hours").
    pub holder: Option<usize>,
    /// Nominals attached with a preposition to the predicate or the counted noun ("at Fort
    /// Hood", "in the newsroom").
    pub places: Vec<usize>,
}

/// Relations by which a phrase is an argument of its predicate.
const ARGUMENT: &[&str] = &["nsubj", "obj", "iobj", "obl", "csubj", "xcomp", "nmod"];

impl Frame {
    /// The frame of the number at word `i`; `text` is the text the words' ranges point into
    /// (the document's view).
    pub fn of_number(p: &Parse, text: &str, i: usize) -> Frame {
        let mut f = Frame {
            number: i,
            ..Default::default()
        };
        let Some(w) = p.words.get(i) else { return f };
        // The phrase the number belongs to: the noun it counts, or the number itself.
        let phrase = match w.base_rel() {
            "nummod" => {
                f.counted = p.head(i);
                p.head(i)
            }
            _ => Some(i),
        };
        let Some(phrase) = phrase else { return f };
        // A noun in a coordination takes its role from the first conjunct.
        let mut top = phrase;
        let mut seen = 0;
        while p.words[top].base_rel() == "conj" && seen < p.words.len() {
            match p.head(top) {
                Some(h) => top = h,
                None => break,
            }
            seen += 1;
        }
        // "a total of 6,100 hours", "the number of 60 diplomats": the phrase's role is the
        // quantity noun's.
        while p.words[top].base_rel() == "nmod"
            && p.child_with(top, "case")
                .is_some_and(|c| p.lemma(c, text).eq_ignore_ascii_case("of"))
        {
            match p.head(top) {
                Some(h) if p.words[h].upos == "NOUN" => top = h,
                _ => break,
            }
        }
        if let Some(n) = f.counted {
            f.modifiers = p
                .children(n)
                .filter(|&c| matches!(p.words[c].base_rel(), "amod" | "compound"))
                .collect();
            f.holder = p.child_with(n, "nmod:poss");
        }
        let rel = p.words[top].base_rel();
        if ARGUMENT.contains(&rel) {
            f.predicate = p.head(top);
        } else if rel == "root" {
            // "The toll was 84": the number is the predicate; its subject is the counted thing.
            f.predicate = Some(top);
            if f.counted.is_none() {
                f.counted = p.child_with(top, "nsubj");
            }
        }
        if f.holder.is_none() && rel == "obj" {
            f.holder = f.predicate.and_then(|v| p.child_with(v, "nsubj"));
        }
        for owner in [f.predicate, f.counted].into_iter().flatten() {
            for c in p.children(owner) {
                let r = p.words[c].base_rel();
                if (r == "obl" || r == "nmod") && p.child_with(c, "case").is_some() && c != top {
                    f.places.push(c);
                }
            }
        }
        f.places.sort_unstable();
        f.places.dedup();
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::conllu::parsed;

    #[test]
    fn counted_noun_predicate_and_holder() {
        // "The captain had 6,100 flying hours" (AirAsia 8501, as reported).
        let (p, text) = parsed(
            "1\tThe\tthe\tDET\t_\t_\t2\tdet\t_\t_\n2\tcaptain\tcaptain\tNOUN\t_\t_\t3\tnsubj\t_\t_\n3\thad\thave\tVERB\t_\t_\t0\troot\t_\t_\n4\t6,100\t6,100\tNUM\t_\t_\t6\tnummod\t_\t_\n5\tflying\tflying\tNOUN\t_\t_\t6\tcompound\t_\t_\n6\thours\thour\tNOUN\t_\t_\t3\tobj\t_\t_\n",
        );
        let f = Frame::of_number(&p, &text, 3);
        assert_eq!(f.counted, Some(5));
        assert_eq!(f.modifiers, vec![4]);
        assert_eq!(f.predicate, Some(2));
        assert_eq!(f.holder, Some(1));
    }
}
