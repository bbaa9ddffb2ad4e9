//! Search: the prompt's query, stepping to the next or previous match.

use std::sync::Arc;

use super::App;

impl App {
    pub(super) fn search_step(&mut self, forward: bool) {
        let Some(q) = self.search.clone() else {
            let search = self.key_for(crate::command::Command::Search);
            self.info(format!("no search yet: {search} searches"));
            return;
        };
        let f = self.focus;
        let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) else {
            return;
        };
        let cur = self.panes[f].cursor;
        let found = if forward {
            find(doc.text(), &q, doc.next_grapheme(cur)).or_else(|| find(doc.text(), &q, 0))
        } else {
            rfind(doc.text(), &q, cur).or_else(|| rfind(doc.text(), &q, doc.len_bytes()))
        };
        match found {
            Some(b) => {
                let wrapped = if forward { b <= cur } else { b >= cur };
                self.panes[f].cursor = b;
                self.panes[f].want_x = None;
                self.scroll_to_cursor(f);
                if wrapped {
                    self.info(format!("/{q} (wrapped)"));
                } else {
                    self.info(format!("/{q}"));
                }
            }
            None => self.warn(format!("not found: {q}")),
        }
    }
}

/// First match of `q` at or after `from`; case-insensitive (ASCII) when `q` has
/// no capital letter.
pub fn find(hay: &str, q: &str, from: usize) -> Option<usize> {
    if q.is_empty() || from > hay.len() || q.len() > hay.len() - from {
        return None;
    }
    let smart = !q.chars().any(char::is_uppercase);
    let h = hay.as_bytes();
    let n = q.as_bytes();
    if !smart {
        return memchr::memmem::find(&h[from..], n).map(|i| i + from);
    }
    let lower = q.to_ascii_lowercase();
    let n = lower.as_bytes();
    (from..=h.len().saturating_sub(n.len()))
        .find(|&i| hay.is_char_boundary(i) && h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Last match of `q` starting before `before`.
pub fn rfind(hay: &str, q: &str, before: usize) -> Option<usize> {
    if q.is_empty() || q.len() > hay.len() {
        return None;
    }
    let smart = !q.chars().any(char::is_uppercase);
    let h = hay.as_bytes();
    let n = q.as_bytes();
    let last = before.min(h.len().saturating_sub(n.len()) + 1);
    (0..last).rev().find(|&i| {
        i + n.len() <= h.len()
            && hay.is_char_boundary(i)
            && if smart {
                h[i..i + n.len()].eq_ignore_ascii_case(n)
            } else {
                &h[i..i + n.len()] == n
            }
    })
}
