//! From a cue to what is suggested: the sentence holding it, the cue itself,
//! or the nearest quotation; and the claimant's name beside the cue.

use std::ops::Range;

use super::pattern::ClaimantSide;
use super::tokens::Token;

/// Capitalised words that start sentences or clauses but are not names.
const NOT_NAMES: &[&str] = &[
    "A",
    "An",
    "The",
    "This",
    "That",
    "These",
    "Those",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Its",
    "Their",
    "Our",
    "In",
    "On",
    "At",
    "By",
    "For",
    "From",
    "To",
    "With",
    "But",
    "And",
    "Or",
    "However",
    "Meanwhile",
    "According",
    "There",
    "Here",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "Since",
    "As",
    "Also",
    "Some",
    "Many",
    "Most",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// How far from the cue a claimant is looked for, in tokens.
const CLAIMANT_REACH: usize = 10;

fn is_name_word(t: &Token) -> bool {
    t.is_capitalised() && !NOT_NAMES.contains(&t.text)
}

/// A hyphen or apostrophe joining two parts of one name ("Al-Emarah").
fn is_joiner(t: &Token) -> bool {
    matches!(t.text, "-" | "‐" | "'" | "’")
}

/// The capitalised name nearest the cue on one side, within its sentence:
/// its token range.
pub fn claimant(
    tokens: &[Token],
    sentence_of: &[usize],
    cue: Range<usize>,
    side: ClaimantSide,
) -> Option<Range<usize>> {
    let same_sentence = |i: usize, j: usize| sentence_of.get(i) == sentence_of.get(j);
    match side {
        ClaimantSide::Before => {
            let last = (cue.start.saturating_sub(CLAIMANT_REACH)..cue.start)
                .rev()
                .take_while(|&i| same_sentence(i, cue.start))
                .find(|&i| is_name_word(&tokens[i]))?;
            let mut first = last;
            loop {
                if first >= 1
                    && tokens[first - 1].is_capitalised()
                    && same_sentence(first - 1, last)
                {
                    first -= 1;
                } else if first >= 2
                    && is_joiner(&tokens[first - 1])
                    && tokens[first - 2].is_capitalised()
                    && tokens[first - 2].bytes.end == tokens[first - 1].bytes.start
                {
                    first -= 2;
                } else {
                    break;
                }
            }
            // A sentence's first word is capitalised anyway: not part of a name
            // when it is a function word.
            while first < last && NOT_NAMES.contains(&tokens[first].text) {
                first += 1;
            }
            Some(first..last + 1)
        }
        ClaimantSide::After => {
            let anchor = cue.end.checked_sub(1)?;
            let first = (cue.end..(cue.end + CLAIMANT_REACH).min(tokens.len()))
                .take_while(|&i| same_sentence(i, anchor))
                .find(|&i| is_name_word(&tokens[i]))?;
            let mut end = first + 1;
            loop {
                if end < tokens.len() && tokens[end].is_capitalised() && same_sentence(end, first) {
                    end += 1;
                } else if end + 1 < tokens.len()
                    && is_joiner(&tokens[end])
                    && tokens[end + 1].is_capitalised()
                    && tokens[end].bytes.end == tokens[end + 1].bytes.start
                {
                    end += 2;
                } else {
                    break;
                }
            }
            Some(first..end)
        }
    }
}

/// The insides of quotations in `para` (byte ranges of `text`, trimmed, not
/// empty): “…”, «…», „…“, "…" and 「…」. An unclosed quotation runs to the
/// end of the paragraph.
pub fn quotations(text: &str, para: Range<usize>) -> Vec<Range<usize>> {
    let Some(body) = text.get(para.clone()) else {
        return vec![];
    };
    let mut out = Vec::new();
    let mut open: Option<(usize, &[char])> = None;
    for (i, c) in body.char_indices() {
        let at = para.start + i;
        match open {
            Some((start, closers)) if closers.contains(&c) => {
                out.push(start..at);
                open = None;
            }
            Some(_) => {}
            None => {
                let closers: &[char] = match c {
                    '“' => &['”'],
                    '«' => &['»'],
                    '„' => &['“', '”'],
                    '"' => &['"'],
                    '「' => &['」'],
                    _ => continue,
                };
                open = Some((at + c.len_utf8(), closers));
            }
        }
    }
    if let Some((start, _)) = open {
        out.push(start..para.end);
    }
    out.into_iter().filter_map(|r| trim(text, r)).collect()
}

fn trim(text: &str, r: Range<usize>) -> Option<Range<usize>> {
    let s = text.get(r.clone())?;
    let lead = s.len() - s.trim_start().len();
    let tail = s.len() - s.trim_end().len();
    let t = r.start + lead..r.end - tail;
    (t.start < t.end).then_some(t)
}

/// The quotation nearest `cue` (bytes): one holding or touching it first,
/// then the smallest gap; on a tie the one after the cue.
pub fn nearest_quotation(quotes: &[Range<usize>], cue: &Range<usize>) -> Option<Range<usize>> {
    quotes
        .iter()
        .min_by_key(|q| {
            let (gap, before) = if q.end <= cue.start {
                (cue.start - q.end, true)
            } else if q.start >= cue.end {
                (q.start - cue.end, false)
            } else {
                (0, false)
            };
            (gap, before)
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn name(text: &str, cue: &str, side: ClaimantSide) -> Option<String> {
        let toks = tokenize(text);
        let i = toks.iter().position(|t| t.text == cue).unwrap();
        let sent = vec![0; toks.len()];
        claimant(&toks, &sent, i..i + 1, side)
            .map(|r| text[toks[r.start].bytes.start..toks[r.end - 1].bytes.end].to_string())
    }

    #[test]
    fn claimant_before_and_after() {
        use ClaimantSide::*;
        assert_eq!(
            name("Taliban spokesman Zabihullah Mujahid said", "said", Before).as_deref(),
            Some("Zabihullah Mujahid")
        );
        assert_eq!(
            name(
                "Waheed Faqiri, a regional affairs expert, told reporters",
                "told",
                Before
            )
            .as_deref(),
            Some("Waheed Faqiri")
        );
        assert_eq!(
            name("On Al-Emarah, the site reported", "reported", Before).as_deref(),
            Some("Al-Emarah")
        );
        assert_eq!(
            name("The Taliban said", "said", Before).as_deref(),
            Some("Taliban")
        );
        assert_eq!(name("they said", "said", Before), None);
        assert_eq!(
            name(
                "according to the Ministry of Defence today",
                "according",
                After
            )
            .as_deref(),
            Some("Ministry")
        );
        assert_eq!(
            name("said Zabihullah Mujahid, adding", "said", After).as_deref(),
            Some("Zabihullah Mujahid")
        );
    }

    #[test]
    fn quotations_and_the_nearest() {
        let t = "He said: “It is false.” Then \"no\" and «non» and “open";
        let q = quotations(t, 0..t.len());
        let got: Vec<&str> = q.iter().map(|r| &t[r.clone()]).collect();
        assert_eq!(got, ["It is false.", "no", "non", "open"]);
        let said = 3..7;
        assert_eq!(
            nearest_quotation(&q, &said).map(|r| &t[r]),
            Some("It is false.")
        );
        assert_eq!(nearest_quotation(&[], &said), None);
    }
}
