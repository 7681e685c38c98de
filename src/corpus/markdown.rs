//! Visible text of a Markdown file, mapped back to the source: heading, quote and list markers,
//! emphasis marks, code ticks, images and link targets are removed; link texts stay.
use crate::doc::{View, ViewBuilder};

pub fn visible_text(md: &str) -> View {
    let chars: Vec<char> = md.chars().collect();
    let mut b = ViewBuilder::default();
    let mut i = 0usize;
    let mut in_fence = false;
    while i < chars.len() {
        // One line at a time.
        let end = (i..chars.len())
            .find(|&k| chars[k] == '\n')
            .unwrap_or(chars.len());
        let line: String = chars[i..end].iter().collect();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence && !is_rule(trimmed) {
            // Skip block markers at the line start.
            let mut k = i;
            while k < end && chars[k] == ' ' {
                k += 1;
            }
            loop {
                let rest: String = chars[k..end.min(k + 4)].iter().collect();
                if rest.starts_with('#') {
                    while k < end && chars[k] == '#' {
                        k += 1;
                    }
                } else if rest.starts_with("> ")
                    || rest == ">"
                    || rest.starts_with("- ")
                    || rest.starts_with("* ")
                    || rest.starts_with("+ ")
                {
                    k += 1;
                } else {
                    let digits = chars[k..end]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .count();
                    if digits > 0
                        && digits < 4
                        && chars.get(k + digits) == Some(&'.')
                        && chars.get(k + digits + 1) == Some(&' ')
                    {
                        k += digits + 1;
                    } else {
                        break;
                    }
                }
                while k < end && chars[k] == ' ' {
                    k += 1;
                }
            }
            inline(&chars, k, end, &mut b);
        }
        if end < chars.len() {
            b.push_mapped('\n', end as u32, end as u32 + 1);
        }
        i = end + 1;
    }
    b.finish()
}

fn is_rule(t: &str) -> bool {
    let t = t.trim();
    t.len() >= 3
        && (t.chars().all(|c| c == '-' || c == ' ')
            || t.chars().all(|c| c == '*' || c == ' ')
            || t.chars().all(|c| c == '_' || c == ' '))
}

fn inline(chars: &[char], mut k: usize, end: usize, b: &mut ViewBuilder) {
    while k < end {
        let c = chars[k];
        match c {
            '!' if chars.get(k + 1) == Some(&'[') => {
                // Image: drop alt text and target.
                if let Some(close) = find(chars, k + 2, end, ']') {
                    if chars.get(close + 1) == Some(&'(') {
                        if let Some(p) = find(chars, close + 2, end, ')') {
                            k = p + 1;
                            continue;
                        }
                    }
                }
                b.push_mapped(c, k as u32, k as u32 + 1);
            }
            '[' => {
                if let Some(close) = find(chars, k + 1, end, ']') {
                    if chars.get(close + 1) == Some(&'(') {
                        if let Some(p) = find(chars, close + 2, end, ')') {
                            inline(chars, k + 1, close, b);
                            k = p + 1;
                            continue;
                        }
                    }
                }
                b.push_mapped(c, k as u32, k as u32 + 1);
            }
            '*' | '`' => {}
            '_' if k == 0
                || !chars[k - 1].is_alphanumeric()
                || chars.get(k + 1).is_none_or(|n| !n.is_alphanumeric()) => {}
            _ => b.push_mapped(c, k as u32, k as u32 + 1),
        }
        k += 1;
    }
}

fn find(chars: &[char], from: usize, end: usize, target: char) -> Option<usize> {
    (from..end).find(|&k| chars[k] == target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markup_keeps_offsets() {
        let md = "# Big news\n\n**Xi** met [Obama](http://x.y) in snake_case ![img](a.png) town.\n- item one";
        let v = visible_text(md);
        assert_eq!(
            v.text,
            "Big news\n\nXi met Obama in snake_case  town.\nitem one"
        );
        let at = v.text.find("Obama").unwrap();
        let (s, e) = v.to_original(at..at + 5);
        assert_eq!(md.chars().skip(s).take(e - s).collect::<String>(), "Obama");
    }
}
