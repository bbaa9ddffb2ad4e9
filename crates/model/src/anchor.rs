//! Building span context and re-anchoring spans after the source text changed.

use std::ops::Range;

use crate::format::{Annotation, CONTEXT_CHARS};
use crate::text::Document;

/// Up to [`CONTEXT_CHARS`] code points before and after a code point range.
pub fn context(doc: &Document, start: usize, end: usize) -> (String, String) {
    let pre = doc
        .slice_chars(start.saturating_sub(CONTEXT_CHARS), start)
        .unwrap_or("");
    let suf = doc
        .slice_chars(end, (end + CONTEXT_CHARS).min(doc.len_chars()))
        .unwrap_or("");
    (pre.to_string(), suf.to_string())
}

/// Fills `text`, `prefix` and `suffix` of an annotation from the document.
pub fn fill_from(doc: &Document, a: &mut Annotation) {
    if let Some(t) = doc.slice_chars(a.start, a.end) {
        a.text = t.to_string();
        let (p, s) = context(doc, a.start, a.end);
        a.prefix = p;
        a.suffix = s;
    }
}

/// A new annotation over a byte range of the document.
pub fn new_annotation(doc: &Document, bytes: Range<usize>, label: &str, id: String) -> Annotation {
    let r = doc.clamp_range(bytes);
    let mut a = Annotation {
        id,
        label: label.to_string(),
        start: doc.byte_to_char(r.start),
        end: doc.byte_to_char(r.end),
        created: crate::format::now_utc(),
        ..Annotation::default()
    };
    fill_from(doc, &mut a);
    a
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AnchorReport {
    /// Annotations whose text still stands at their offsets.
    pub in_place: usize,
    /// Annotations found again elsewhere by quote and context.
    pub moved: usize,
    /// Annotations that could not be found: kept, flagged `orphan`.
    pub orphaned: usize,
}

impl AnchorReport {
    pub fn changed(&self) -> bool {
        self.moved > 0 || self.orphaned > 0
    }
}

/// Most candidate positions weighed for one quote, so a one-letter quote in a
/// huge file stays cheap.
const MAX_CANDIDATES: usize = 10_000;

/// Checks every annotation against the text and moves the ones whose quote no
/// longer stands at its offsets to the best match by quote and context (nearest
/// to the old place on a tie). What cannot be found is flagged, never dropped.
pub fn reanchor(doc: &Document, anns: &mut [Annotation]) -> AnchorReport {
    let mut report = AnchorReport::default();
    for a in anns.iter_mut() {
        if doc.slice_chars(a.start, a.end) == Some(a.text.as_str()) && !a.text.is_empty() {
            a.orphan = false;
            report.in_place += 1;
            continue;
        }
        if a.text.is_empty() {
            // Nothing to search for: keep it where it was, inside the text.
            // An empty span (a point) has no quote to lose: it stays, clamped.
            let was = (a.start, a.end);
            a.start = a.start.min(doc.len_chars());
            a.end = a.end.clamp(a.start, doc.len_chars());
            a.orphan = false;
            fill_from(doc, a);
            if (a.start, a.end) == was && a.start == a.end {
                report.in_place += 1;
            } else {
                report.moved += 1;
            }
            continue;
        }
        match best_match(doc, a) {
            Some(start_byte) => {
                let start = doc.byte_to_char(start_byte);
                a.start = start;
                a.end = start + a.text.chars().count();
                a.orphan = false;
                fill_from(doc, a);
                report.moved += 1;
            }
            None => {
                a.orphan = true;
                report.orphaned += 1;
            }
        }
    }
    report
}

fn best_match(doc: &Document, a: &Annotation) -> Option<usize> {
    let text = doc.text();
    let old = doc.char_to_byte(a.start);
    let mut best: Option<(usize, usize, usize)> = None; // (context score, -distance, pos)
    for (pos, _) in text.match_indices(a.text.as_str()).take(MAX_CANDIDATES) {
        let before = &text[..pos];
        let after = &text[pos + a.text.len()..];
        let score = common_suffix_chars(before, &a.prefix) + common_prefix_chars(after, &a.suffix);
        let dist = pos.abs_diff(old);
        let better = match best {
            None => true,
            Some((s, d, _)) => score > s || (score == s && dist < d),
        };
        if better {
            best = Some((score, dist, pos));
        }
    }
    best.map(|(_, _, pos)| pos)
}

fn common_prefix_chars(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

fn common_suffix_chars(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ann(doc: &Document, s: usize, e: usize) -> Annotation {
        let mut a = Annotation {
            id: "a1".into(),
            label: "claim".into(),
            start: s,
            end: e,
            ..Default::default()
        };
        fill_from(doc, &mut a);
        a
    }

    #[test]
    fn moves_with_inserted_text_and_picks_context() {
        let old = Document::from_string("x said yes. y said yes. z".into());
        let mut a = ann(&old, 19, 22); // second "yes"
        let new = Document::from_string("NEW TEXT. x said yes. y said yes. z".into());
        let r = reanchor(&new, std::slice::from_mut(&mut a));
        assert_eq!(r.moved, 1);
        assert_eq!(new.slice_chars(a.start, a.end), Some("yes"));
        assert_eq!(a.start, 29);
    }

    #[test]
    fn empty_spans_stay_where_they_are() {
        let doc = Document::from_string("abc".into());
        let mut a = Annotation {
            start: 2,
            end: 2,
            ..Default::default()
        };
        let r = reanchor(&doc, std::slice::from_mut(&mut a));
        assert_eq!(r.in_place, 1);
        assert!(!a.orphan);
        assert_eq!((a.start, a.end), (2, 2));
    }

    #[test]
    fn lost_spans_are_flagged_not_dropped() {
        let old = Document::from_string("the leadership moved".into());
        let mut a = ann(&old, 4, 14);
        let new = Document::from_string("nothing like it".into());
        let r = reanchor(&new, std::slice::from_mut(&mut a));
        assert_eq!(r.orphaned, 1);
        assert!(a.orphan);
        assert_eq!(a.text, "leadership");
    }

    proptest! {
        #[test]
        fn reanchors_after_prefix_insertion(body in "[a-z 😀\u{627}-\u{63a}\r\n]{5,80}", ins in "[A-Z🇦🇫]{0,10}", s in 0usize..80, len in 1usize..20) {
            let old = Document::from_string(body.clone());
            let n = old.len_chars();
            prop_assume!(n > 1);
            let s = s % (n - 1);
            let e = (s + len).min(n);
            let mut a = ann(&old, s, e);
            let new = Document::from_string(format!("{ins}{body}"));
            reanchor(&new, std::slice::from_mut(&mut a));
            prop_assert!(!a.orphan);
            prop_assert_eq!(new.slice_chars(a.start, a.end), Some(a.text.as_str()));
        }
    }
}
