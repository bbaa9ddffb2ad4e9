//! A one-line text field for prompts and forms (search, claimant, note).

use crate::command::Command;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    pub text: String,
    /// Byte offset of the cursor, on a grapheme boundary.
    pub cursor: usize,
}

impl LineEdit {
    pub fn new(text: &str) -> Self {
        LineEdit {
            text: text.to_string(),
            cursor: text.len(),
        }
    }

    fn prev(&self) -> usize {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map(|(i, _)| i)
            .unwrap_or(0)
    }

    fn next(&self) -> usize {
        self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map(|g| self.cursor + g.len())
            .unwrap_or(self.text.len())
    }

    /// Types a character at the caret.
    pub fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Carries out a text-field command; false when it is not one.
    pub fn apply(&mut self, c: Command) -> bool {
        match c {
            Command::FieldClear => {
                self.text.clear();
                self.cursor = 0;
            }
            Command::FieldStart => self.cursor = 0,
            Command::FieldEnd => self.cursor = self.text.len(),
            Command::FieldDeleteBack => {
                let p = self.prev();
                self.text.replace_range(p..self.cursor, "");
                self.cursor = p;
            }
            Command::FieldDelete => {
                let n = self.next();
                self.text.replace_range(self.cursor..n, "");
            }
            Command::FieldLeft => self.cursor = self.prev(),
            Command::FieldRight => self.cursor = self.next(),
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_by_grapheme() {
        let mut e = LineEdit::new("ab👨‍👩‍👧");
        e.apply(Command::FieldDeleteBack);
        assert_eq!(e.text, "ab");
        e.apply(Command::FieldLeft);
        e.insert('é');
        assert_eq!(e.text, "aéb");
        e.apply(Command::FieldStart);
        e.apply(Command::FieldDelete);
        assert_eq!(e.text, "éb");
        assert!(!e.apply(Command::Quit));
    }
}
