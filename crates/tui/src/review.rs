//! The review screen's state: whose sets are compared, and a cache of each
//! article's unsettled differences (with their fingerprints and byte ranges),
//! computed once per revision of the two sets instead of on every frame.
//! What the review keys do is in `app::review`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use claimtag_model::format::Annotation;
use claimtag_model::review::{self, Difference};
use claimtag_model::{Document, Sidecar};

#[derive(Debug, Clone)]
pub struct Review {
    pub theirs: String,
    /// The adjudicated set's name, when not reviewing into your own.
    pub into: Option<String>,
    pub ours: String,
    /// Target articles are slots `0..articles`; theirs are `articles..2*articles`.
    pub articles: usize,
    pub locked: bool,
    cache: RefCell<HashMap<usize, Rc<Unsettled>>>,
}

/// An article's unsettled differences, for one state of both sets.
#[derive(Debug)]
pub struct Unsettled {
    /// (uid, revision) of the target doc and of theirs.
    key: [u64; 4],
    pub diffs: Vec<Difference>,
    /// Byte ranges of `diffs`, sorted by start, for drawing.
    pub ranges: Vec<Range<usize>>,
    /// The longest range, so a window's overlaps are found by binary search.
    longest: usize,
    /// Whether their set has no annotations at all.
    pub theirs_empty: bool,
}

impl Unsettled {
    /// The ranges that touch `vis`: a binary search, then only those.
    pub fn visible(&self, vis: Range<usize>) -> Vec<Range<usize>> {
        let lo = self
            .ranges
            .partition_point(|r| r.start + self.longest < vis.start);
        let hi = self.ranges.partition_point(|r| r.start < vis.end);
        self.ranges[lo.min(hi)..hi]
            .iter()
            .filter(|r| r.end > vis.start)
            .cloned()
            .collect()
    }
}

impl Review {
    pub fn new(theirs: String, into: Option<String>, ours: String) -> Review {
        Review {
            theirs,
            into,
            ours,
            articles: 0,
            locked: true,
            cache: RefCell::default(),
        }
    }

    pub fn is_adjudicating(&self) -> bool {
        self.into.is_some()
    }

    pub fn target_name(&self, annotator: &str) -> String {
        self.into.clone().unwrap_or_else(|| annotator.to_string())
    }

    /// Whether a slot holds the colleague's (read-only) set.
    pub fn is_theirs(&self, slot: usize) -> bool {
        slot >= self.articles
    }

    /// The unsettled differences of article `target` for these two states of
    /// its sets (`key` names the states), computed at most once per state.
    pub fn unsettled(
        &self,
        target: usize,
        key: [u64; 4],
        doc: &Document,
        ours: &Sidecar,
        theirs: &[Annotation],
    ) -> Rc<Unsettled> {
        if let Some(u) = self.cache.borrow().get(&target)
            && u.key == key
        {
            return Rc::clone(u);
        }
        let oa = &ours.annotations;
        let done = review::rejected(ours, &self.theirs);
        let diffs = review::unsettled(review::differences(oa, theirs), oa, theirs, &done);
        let mut ranges: Vec<Range<usize>> = diffs
            .iter()
            .filter_map(|d| doc.char_range_to_bytes(d.start, d.end))
            .collect();
        ranges.sort_by_key(|r| r.start);
        let longest = ranges.iter().map(|r| r.len()).max().unwrap_or(0);
        let u = Rc::new(Unsettled {
            key,
            diffs,
            ranges,
            longest,
            theirs_empty: theirs.is_empty(),
        });
        self.cache.borrow_mut().insert(target, Rc::clone(&u));
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_ranges_are_those_touching_the_window() {
        let u = Unsettled {
            key: [0; 4],
            diffs: vec![],
            ranges: vec![0..5, 3..40, 10..12, 50..60, 70..71],
            longest: 37,
            theirs_empty: false,
        };
        assert_eq!(u.visible(11..52), [3..40, 10..12, 50..60]);
        assert_eq!(u.visible(41..50), []);
        assert_eq!(u.visible(0..1).first(), Some(&(0..5)));
        assert_eq!(u.visible(0..1).len(), 1);
    }
}
