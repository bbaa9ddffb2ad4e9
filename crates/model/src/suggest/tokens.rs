//! Tokens for pattern matching: UAX #29 word segments (unicode-segmentation),
//! whitespace and control characters dropped. "ISIS-K" is three tokens
//! (`ISIS`, `-`, `K`), "Pakistan's" one, a ZWJ emoji sequence one, each
//! punctuation mark one. Offsets are byte ranges into the text.

use std::ops::Range;
use std::sync::LazyLock;

use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'t> {
    pub bytes: Range<usize>,
    pub text: &'t str,
    pub lower: String,
}

impl Token<'_> {
    /// spaCy's `IS_PUNCT`: every character is Unicode punctuation (`\p{P}`).
    pub fn is_punct(&self) -> bool {
        static PUNCT: LazyLock<Option<regex::Regex>> =
            LazyLock::new(|| regex::Regex::new(r"^\p{P}+$").ok());
        PUNCT.as_ref().is_some_and(|re| re.is_match(self.text))
    }

    /// spaCy's `IS_TITLE` (Python's `str.istitle`): at least one cased
    /// letter, upper case only after an uncased character, lower case only
    /// after a cased one ("Kabul", "O'Neil"; not "ISIS", "McDonald").
    pub fn is_title(&self) -> bool {
        let mut cased_seen = false;
        let mut prev_cased = false;
        for c in self.text.chars() {
            if c.is_uppercase() {
                if prev_cased {
                    return false;
                }
                prev_cased = true;
                cased_seen = true;
            } else if c.is_lowercase() {
                if !prev_cased {
                    return false;
                }
                prev_cased = true;
                cased_seen = true;
            } else {
                prev_cased = false;
            }
        }
        cased_seen
    }

    /// Starts with an upper-case letter ("ISIS", "McDonald", "Al"): what a
    /// claimant's name is made of.
    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

/// The tokens of `text`, in order.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    text.split_word_bound_indices()
        .filter(|(_, seg)| seg.chars().any(|c| !c.is_whitespace() && !c.is_control()))
        .map(|(i, seg)| Token {
            bytes: i..i + seg.len(),
            text: seg,
            lower: seg.to_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_punctuation_and_emoji() {
        assert_eq!(
            texts("ISIS-K's leader, \"said\"\r\nno 👨‍👩‍👧 🇦🇫."),
            [
                "ISIS",
                "-",
                "K's",
                "leader",
                ",",
                "\"",
                "said",
                "\"",
                "no",
                "👨‍👩‍👧",
                "🇦🇫",
                "."
            ]
        );
    }

    #[test]
    fn offsets_are_exact_slices() {
        let s = "طالبان گفتند: «نه».\r\n";
        for t in tokenize(s) {
            assert_eq!(&s[t.bytes.clone()], t.text);
        }
        assert_eq!(texts(s), ["طالبان", "گفتند", ":", "«", "نه", "»", "."]);
    }

    #[test]
    fn title_and_punct() {
        fn t(s: &str) -> Token<'_> {
            tokenize(s).remove(0)
        }
        assert!(t("Kabul").is_title());
        assert!(!t("ISIS").is_title());
        assert!(!t("kabul").is_title());
        assert!(!t("2024").is_title());
        assert!(t("ISIS").is_capitalised());
        assert!(t("—").is_punct());
        assert!(t("«").is_punct());
        assert!(!t("👨‍👩‍👧").is_punct());
        assert!(!t("$").is_punct()); // a symbol, not punctuation, as in spaCy
    }
}
