//! Search: the prompt's query, stepping to the next or previous match. The
//! matching (folded by default, exact with `\\C`) is the model's
//! [`claimtag_model::search::Query`].

use std::ops::Range;
use std::sync::Arc;

use claimtag_model::search::Query;

use super::App;

impl App {
    pub(super) fn search_step(&mut self, forward: bool) {
        let Some(q) = self.search.clone() else {
            self.info("no search yet: / searches");
            return;
        };
        let f = self.focus;
        let Some(doc) = self.doc_of(f).map(|d| Arc::clone(d.doc())) else {
            return;
        };
        self.search_shown = true;
        let cur = self.panes[f].cursor;
        let found = if forward {
            find(doc.text(), &q, doc.next_grapheme(cur)).or_else(|| find(doc.text(), &q, 0))
        } else {
            rfind(doc.text(), &q, cur).or_else(|| rfind(doc.text(), &q, doc.len_bytes()))
        };
        match found {
            Some(m) => {
                let b = m.start;
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

/// First match of the typed query `q` starting at or after `from` (folded:
/// case, quotes, Arabic-script variants, ZWNJ and tatweel; `\\C` for exact).
pub fn find(hay: &str, q: &str, from: usize) -> Option<Range<usize>> {
    Query::parse(q)?.find(hay, from)
}

/// Last match of the typed query `q` starting before `before`.
pub fn rfind(hay: &str, q: &str, before: usize) -> Option<Range<usize>> {
    Query::parse(q)?.rfind(hay, before)
}
