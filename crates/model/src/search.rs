//! Search as a reader means it: by default `/` folds Unicode case, straight
//! and curly quotes and apostrophes, and the Arabic-script letter variants
//! (ي/ی/ى, ك/ک) that Dari, Pashto, Urdu and Arabic keyboards type
//! differently, and it looks through ZWNJ and tatweel. `\C` anywhere in the
//! query searches for exactly what was typed.

use std::ops::Range;

/// What turns folding off, anywhere in a query (as in vim).
pub const EXACT_MARK: &str = "\\C";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// What the user typed, without [`EXACT_MARK`].
    text: String,
    /// The folded characters to match (folded mode).
    folded: Vec<char>,
    exact: bool,
}

impl Query {
    /// A query from what was typed; None when there is nothing to look for.
    pub fn parse(typed: &str) -> Option<Query> {
        let exact = typed.contains(EXACT_MARK);
        let text = typed.replace(EXACT_MARK, "");
        let folded: Vec<char> = text.chars().flat_map(fold).collect();
        let empty = if exact {
            text.is_empty()
        } else {
            folded.is_empty()
        };
        (!empty).then_some(Query {
            text,
            folded,
            exact,
        })
    }

    /// The query as typed (without the exact mark), for messages.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// The first match starting at or after byte `from`.
    pub fn find(&self, hay: &str, from: usize) -> Option<Range<usize>> {
        let from = crate::text::ceil_char_boundary(hay, from.min(hay.len()));
        if self.exact {
            let n = self.text.len();
            return memchr::memmem::find(&hay.as_bytes()[from..], self.text.as_bytes())
                .map(|i| from + i..from + i + n);
        }
        hay[from..]
            .char_indices()
            .find_map(|(i, _)| self.match_at(hay, from + i))
    }

    /// The last match starting before byte `before`.
    pub fn rfind(&self, hay: &str, before: usize) -> Option<Range<usize>> {
        let before = crate::text::floor_char_boundary(hay, before.min(hay.len()));
        if self.exact {
            let n = self.text.len();
            let end = crate::text::floor_char_boundary(hay, (before + n).saturating_sub(1));
            return memchr::memmem::rfind(&hay.as_bytes()[..end], self.text.as_bytes())
                .map(|i| i..i + n);
        }
        hay[..before]
            .char_indices()
            .rev()
            .find_map(|(i, _)| self.match_at(hay, i))
    }

    /// The folded query matched at byte `at`: the end of the match. A match
    /// starts on a character that counts (not on an ignored one).
    fn match_at(&self, hay: &str, at: usize) -> Option<Range<usize>> {
        let mut want = self.folded.iter();
        let mut next = want.next()?;
        for (j, c) in hay[at..].char_indices() {
            if is_ignored(c) {
                if j == 0 {
                    return None;
                }
                continue;
            }
            let mut any = false;
            for f in fold(c) {
                any = true;
                if f != *next {
                    return None;
                }
                match want.next() {
                    Some(n) => next = n,
                    None => return Some(at..at + j + c.len_utf8()),
                }
            }
            if !any {
                return None;
            }
        }
        None
    }
}

/// Characters a folded search looks through: ZWNJ (which Dari and Persian
/// write inside words, or not) and tatweel (a stretching of the line).
fn is_ignored(c: char) -> bool {
    matches!(c, '\u{200c}' | '\u{0640}')
}

/// One character as a folded search compares it: lower case (Unicode), one
/// straight quote for every quote and apostrophe, one letter for each
/// Arabic-script variant; nothing for an ignored character.
fn fold(c: char) -> impl Iterator<Item = char> {
    let one = match c {
        c if is_ignored(c) => None,
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '\u{02bc}' | '`' => {
            Some('\'')
        }
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '«' | '»' => Some('"'),
        // ARABIC YEH, ALEF MAKSURA -> FARSI YEH; ARABIC KAF -> KEHEH
        '\u{064a}' | '\u{0649}' => Some('\u{06cc}'),
        '\u{0643}' => Some('\u{06a9}'),
        _ => Some(c),
    };
    one.into_iter().flat_map(char::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hits(q: &str, hay: &str) -> Vec<String> {
        let q = Query::parse(q).unwrap();
        let mut out = vec![];
        let mut from = 0;
        while let Some(r) = q.find(hay, from) {
            out.push(hay[r.clone()].to_string());
            from = r.end.max(r.start + 1);
        }
        out
    }

    #[test]
    fn straight_apostrophe_finds_curly_and_case_folds() {
        assert_eq!(
            hits("Taliban's", "the Taliban’s men, TALIBAN'S"),
            ["Taliban’s", "TALIBAN'S"]
        );
        assert_eq!(
            hits("«kabul»", "“Kabul” and \"KABUL\""),
            ["“Kabul”", "\"KABUL\""]
        );
        // Unicode, not only ASCII
        assert_eq!(hits("ÉTÉ", "un été"), ["été"]);
    }

    #[test]
    fn arabic_script_variants_zwnj_and_tatweel() {
        // Arabic yeh and kaf find the Farsi letters and back
        assert_eq!(hits("كابل", "در کابل"), ["کابل"]);
        assert_eq!(hits("علی", "علي و على"), ["علي", "على"]);
        // ZWNJ and tatweel are looked through, on either side
        assert_eq!(hits("میروند", "آنها می\u{200c}روند"), ["می\u{200c}روند"]);
        assert_eq!(hits("می\u{200c}روند", "آنها میروند"), ["میروند"]);
        assert_eq!(hits("کابل", "کـــابل"), ["کـــابل"]);
    }

    #[test]
    fn exact_search_with_backslash_capital_c() {
        let q = Query::parse("Taliban's\\C").unwrap();
        assert!(q.is_exact());
        assert_eq!(q.text(), "Taliban's");
        assert_eq!(q.find("Taliban’s Taliban's", 0), Some(12..21));
        assert_eq!(hits("\\Ckabul", "Kabul kabul"), ["kabul"]);
        assert!(Query::parse("\\C").is_none());
        assert!(Query::parse("\u{200c}").is_none());
    }

    #[test]
    fn backwards() {
        let q = Query::parse("ab").unwrap();
        let hay = "AB xx ab xx Ab";
        assert_eq!(q.rfind(hay, hay.len()), Some(12..14));
        assert_eq!(q.rfind(hay, 12), Some(6..8));
        assert_eq!(q.rfind(hay, 6), Some(0..2));
        assert_eq!(q.rfind(hay, 0), None);
        let q = Query::parse("ab\\C").unwrap();
        assert_eq!(q.rfind(hay, hay.len()), Some(6..8));
        assert_eq!(q.rfind(hay, 7), Some(6..8));
        assert_eq!(q.rfind(hay, 6), None);
    }

    proptest! {
        #[test]
        fn matches_are_on_char_boundaries_and_fold_equal(
            hay in "[aAbB’'\u{064a}\u{06cc}\u{200c}\u{0640} ]{0,40}",
            q in "[abB'\u{06cc}\u{200c}]{1,4}",
            at in 0usize..60,
        ) {
            if let Some(query) = Query::parse(&q) {
                for r in [query.find(&hay, at), query.rfind(&hay, at)].into_iter().flatten() {
                    prop_assert!(hay.is_char_boundary(r.start) && hay.is_char_boundary(r.end));
                    let a: String = hay[r].chars().flat_map(fold).collect();
                    let b: String = q.chars().flat_map(fold).collect();
                    prop_assert_eq!(a, b);
                }
            }
        }
    }
}
