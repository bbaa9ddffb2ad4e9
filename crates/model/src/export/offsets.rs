//! Offset units. claimtag stores code points; other tools count UTF-16 code
//! units (JavaScript, Java, Label Studio) or bytes. Converting is where
//! annotation tools classically break, so every conversion goes through here.

use crate::text::Document;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OffsetUnit {
    /// Unicode code points (Python `str` indexes): claimtag's own unit.
    Codepoint,
    /// UTF-16 code units (JavaScript / Java string indexes).
    Utf16,
    /// UTF-8 bytes of the decoded text (BOM excluded).
    Byte,
}

impl OffsetUnit {
    /// The name written in exports and read back on import.
    pub fn name(self) -> &'static str {
        match self {
            OffsetUnit::Codepoint => "codepoint",
            OffsetUnit::Utf16 => "utf16",
            OffsetUnit::Byte => "byte",
        }
    }

    pub fn from_name(name: &str) -> Option<OffsetUnit> {
        match name {
            "codepoint" => Some(OffsetUnit::Codepoint),
            "utf16" => Some(OffsetUnit::Utf16),
            "byte" => Some(OffsetUnit::Byte),
            _ => None,
        }
    }
}

/// Converts code point offsets of one document to and from another unit.
///
/// UTF-16 positions are derived from the code point positions of the
/// characters outside the Basic Multilingual Plane (each is two UTF-16 units),
/// so a conversion is a binary search, not a walk over the text.
pub struct OffsetMap<'a> {
    doc: &'a Document,
    /// Code point index of every character that takes two UTF-16 units.
    astral: Vec<usize>,
    /// UTF-16 offset of each of those characters (`astral[j] + j`).
    astral_utf16: Vec<usize>,
}

impl<'a> OffsetMap<'a> {
    pub fn new(doc: &'a Document) -> OffsetMap<'a> {
        let astral = doc
            .text()
            .chars()
            .enumerate()
            .filter(|(_, c)| c.len_utf16() == 2)
            .map(|(i, _)| i)
            .collect::<Vec<usize>>();
        let astral_utf16 = astral.iter().enumerate().map(|(j, a)| a + j).collect();
        OffsetMap {
            doc,
            astral,
            astral_utf16,
        }
    }

    /// Code point offset `cp` in `unit`. Offsets past the end are clamped.
    pub fn from_codepoint(&self, cp: usize, unit: OffsetUnit) -> usize {
        let cp = cp.min(self.doc.len_chars());
        match unit {
            OffsetUnit::Codepoint => cp,
            OffsetUnit::Byte => self.doc.char_to_byte(cp),
            OffsetUnit::Utf16 => cp + self.astral.partition_point(|&a| a < cp),
        }
    }

    /// The code point offset of `offset` given in `unit`, or None when it is
    /// past the end or falls inside a character (between the two halves of a
    /// surrogate pair, or inside a multi-byte UTF-8 sequence).
    pub fn to_codepoint(&self, offset: usize, unit: OffsetUnit) -> Option<usize> {
        self.locate(offset, unit).ok()
    }

    /// Like [`OffsetMap::to_codepoint`], with the reason an offset does not
    /// fit, and also refusing an offset inside a grapheme cluster (between
    /// a letter and its combining mark, inside a flag or an emoji sequence):
    /// a span cut there is almost always counted in another unit.
    pub fn locate_grapheme(&self, offset: usize, unit: OffsetUnit) -> Result<usize, Misfit> {
        let cp = self.locate(offset, unit)?;
        if self.doc.is_grapheme_boundary(self.doc.char_to_byte(cp)) {
            Ok(cp)
        } else {
            Err(Misfit::InsideGrapheme)
        }
    }

    /// The code point offset of `offset` given in `unit`, or why there is none.
    pub fn locate(&self, offset: usize, unit: OffsetUnit) -> Result<usize, Misfit> {
        match unit {
            OffsetUnit::Codepoint => {
                if offset <= self.doc.len_chars() {
                    Ok(offset)
                } else {
                    Err(Misfit::PastEnd)
                }
            }
            OffsetUnit::Byte => {
                let text = self.doc.text();
                if offset > text.len() {
                    Err(Misfit::PastEnd)
                } else if !text.is_char_boundary(offset) {
                    Err(Misfit::InsideUtf8)
                } else {
                    Ok(self.doc.byte_to_char(offset))
                }
            }
            OffsetUnit::Utf16 => {
                let before = self.astral_utf16.partition_point(|&u| u < offset);
                if before > 0 && self.astral_utf16[before - 1] + 1 == offset {
                    return Err(Misfit::InsideSurrogatePair);
                }
                match offset.checked_sub(before) {
                    Some(cp) if cp <= self.doc.len_chars() => Ok(cp),
                    _ => Err(Misfit::PastEnd),
                }
            }
        }
    }
}

/// Why an offset does not fit a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misfit {
    PastEnd,
    InsideSurrogatePair,
    InsideUtf8,
    InsideGrapheme,
}

impl Misfit {
    pub fn describe(self) -> &'static str {
        match self {
            Misfit::PastEnd => "is past the end of the text",
            Misfit::InsideSurrogatePair => {
                "falls inside a surrogate pair (between the two UTF-16 halves of one character)"
            }
            Misfit::InsideUtf8 => "falls inside the UTF-8 bytes of one character",
            Misfit::InsideGrapheme => {
                "falls inside a grapheme (a letter and its combining mark, a flag, an emoji sequence)"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(s: &str) -> Document {
        Document::from_string(s.to_string())
    }

    #[test]
    fn utf16_counts_match_encode_utf16() {
        let d = doc("a😀b🇦🇫c");
        let m = OffsetMap::new(&d);
        // 'b' is code point 2; before it "a😀" is 3 UTF-16 units.
        assert_eq!(m.from_codepoint(2, OffsetUnit::Utf16), 3);
        assert_eq!(m.from_codepoint(2, OffsetUnit::Byte), 5);
        assert_eq!(m.to_codepoint(3, OffsetUnit::Utf16), Some(2));
        assert_eq!(m.to_codepoint(2, OffsetUnit::Utf16), None, "inside 😀");
        assert_eq!(m.to_codepoint(3, OffsetUnit::Byte), None, "inside 😀");
        let total: usize = d.text().encode_utf16().count();
        assert_eq!(m.from_codepoint(d.len_chars(), OffsetUnit::Utf16), total);
        assert_eq!(
            m.to_codepoint(total, OffsetUnit::Utf16),
            Some(d.len_chars())
        );
        assert_eq!(m.to_codepoint(total + 1, OffsetUnit::Utf16), None);
    }

    proptest! {
        #[test]
        fn conversions_agree_with_std(s in "[a-z😀👨‍👩‍👧🇦🇫\u{627}-\u{63a}\r\n\u{feff}é]{0,40}", cp in 0usize..60) {
            let d = doc(&s);
            let m = OffsetMap::new(&d);
            let cp = cp.min(d.len_chars());
            let prefix: String = d.text().chars().take(cp).collect();
            let u16 = m.from_codepoint(cp, OffsetUnit::Utf16);
            let b = m.from_codepoint(cp, OffsetUnit::Byte);
            prop_assert_eq!(u16, prefix.encode_utf16().count());
            prop_assert_eq!(b, prefix.len());
            prop_assert_eq!(m.to_codepoint(u16, OffsetUnit::Utf16), Some(cp));
            prop_assert_eq!(m.to_codepoint(b, OffsetUnit::Byte), Some(cp));
        }
    }
}
