//! Display order of right-to-left text: the Unicode Bidirectional Algorithm
//! (UAX #9, by `unicode-bidi`) for the screen only. Offsets stay logical.
//!
//! Levels are resolved once per paragraph (a logical line, or a bounded block
//! of a huge one) and cached; the layout wraps in logical order first and then
//! reorders each screen row (L1-L2 by the crate, L3 by keeping graphemes whole,
//! L4 by `unicode-bidi-mirroring`). A row's visual order is a permutation of
//! its graphemes, kept with its inverse for drawing, the cursor and the mouse.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use unicode_bidi::{BidiClass, Level, ParagraphBidiInfo};

use claimtag_model::text::Document;

use crate::layout::RowCache;

pub use claimtag_model::config::{BidiMode, Direction};

/// How far the first strong character of a paragraph is looked for (P2): a
/// paragraph of digits and spaces longer than this counts as left-to-right.
const BASE_DIRECTION_SCAN: usize = 64 * 1024;
/// Paragraph blocks whose levels are kept.
const CACHE_BLOCKS: usize = 64;

/// The terminal-wg BiDi draft's explicit mode (ECMA-48 BDSM, mode 8, reset:
/// the draft turns ECMA's sense upside down) with a left-to-right character
/// path (SCP 1): the terminal shows cells as sent, never reordering again.
pub const EXPLICIT_MODE: &str = "\x1b[8l\x1b[1 k";
/// Back to the draft's defaults at exit: implicit mode (BDSM set) and the
/// default character path (SCP 0).
pub const IMPLICIT_MODE: &str = "\x1b[8h\x1b[0 k";

/// What to send to the terminal when the screen opens, for a bidi mode.
pub fn terminal_enter(mode: BidiMode) -> &'static str {
    match mode {
        BidiMode::App => EXPLICIT_MODE,
        BidiMode::Terminal | BidiMode::Off => "",
    }
}

/// What to send when the screen closes: the draft's default again.
pub fn terminal_exit(mode: BidiMode) -> &'static str {
    match mode {
        BidiMode::App => IMPLICIT_MODE,
        BidiMode::Terminal | BidiMode::Off => "",
    }
}

/// Whether a paragraph is right-to-left: forced, or from its first strong
/// character outside isolates (UAX #9 P2/P3). `text` starts at the paragraph
/// start; the look stops at the first paragraph separator.
pub fn paragraph_is_rtl(text: &str, direction: Direction) -> bool {
    match direction {
        Direction::Ltr => false,
        Direction::Rtl => true,
        Direction::Auto => {
            let end = claimtag_model::text::floor_char_boundary(text, BASE_DIRECTION_SCAN);
            unicode_bidi::get_base_direction(&text[..end]) == unicode_bidi::Direction::Rtl
        }
    }
}

/// Embedding levels of one paragraph (or block of one), resolved once.
#[derive(Debug, Clone)]
pub struct Resolved {
    classes: Vec<BidiClass>,
    levels: Vec<Level>,
    paragraph: Level,
    pure_ltr: bool,
}

impl Resolved {
    /// Resolves `text` as one paragraph of the given base direction.
    pub fn new(text: &str, rtl: bool) -> Resolved {
        let base = if rtl { Level::rtl() } else { Level::ltr() };
        let info = ParagraphBidiInfo::new(text, Some(base));
        Resolved {
            pure_ltr: info.is_pure_ltr && !rtl,
            classes: info.original_classes,
            levels: info.levels,
            paragraph: info.paragraph_level,
        }
    }

    pub fn is_rtl(&self) -> bool {
        self.paragraph.is_rtl()
    }

    /// True when nothing in the paragraph moves: a left-to-right paragraph
    /// without right-to-left characters.
    pub fn is_identity(&self) -> bool {
        self.pure_ltr
    }

    /// Visual order of the graphemes of one row. `row` is a byte range of the
    /// paragraph's `text`; `units` are the graphemes' byte ranges inside it, in
    /// logical order. Levels come from the whole paragraph; L1 (trailing and
    /// tab-adjacent whitespace back to the paragraph level) is applied to the
    /// row alone, as UAX #9 says for a line.
    pub fn order_row(&self, text: &str, row: Range<usize>, units: &[Range<usize>]) -> RowOrder {
        let n = units.len();
        if self.pure_ltr || n == 0 {
            return RowOrder::identity(n, self.paragraph);
        }
        let row = clamp(row, self.levels.len(), text);
        // A row all at the paragraph level (a line of Dari words in a
        // right-to-left paragraph): L1 changes nothing and the row is its
        // graphemes in order, or reversed.
        if self.levels[row.clone()]
            .iter()
            .all(|&l| l == self.paragraph)
        {
            let mut order = RowOrder::identity(n, self.paragraph);
            if self.paragraph.is_rtl() {
                order.visual.reverse();
                order.logical.reverse();
            }
            return order;
        }
        self.order_row_by_runs(text, row, units)
    }

    /// [`Resolved::order_row`] by the crate's run machinery (L1, L2), for
    /// any row; `row` is clamped already.
    fn order_row_by_runs(&self, text: &str, row: Range<usize>, units: &[Range<usize>]) -> RowOrder {
        let line = ParagraphBidiInfo {
            text: &text[row.clone()],
            original_classes: self.classes[row.clone()].to_vec(),
            levels: self.levels[row.clone()].to_vec(),
            paragraph_level: self.paragraph,
            is_pure_ltr: false,
        };
        let line_levels = line.reordered_levels(0..row.len());
        // One level per grapheme, from its first byte: a base letter and its
        // combining marks move together (L3 as terminals need it).
        let levels: Vec<Level> = units
            .iter()
            .map(|u| {
                u.start
                    .checked_sub(row.start)
                    .and_then(|i| line_levels.get(i))
                    .copied()
                    .unwrap_or(self.paragraph)
            })
            .collect();
        let visual = ParagraphBidiInfo::reorder_visual(&levels);
        RowOrder::new(visual, levels)
    }
}

fn clamp(row: Range<usize>, len: usize, text: &str) -> Range<usize> {
    let end = claimtag_model::text::floor_char_boundary(text, row.end.min(len));
    let start = claimtag_model::text::floor_char_boundary(text, row.start.min(end));
    start..end
}

/// A row's visual order: `visual[v]` is the logical index of the grapheme
/// shown `v`-th from the left, `logical[l]` its inverse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOrder {
    visual: Vec<usize>,
    logical: Vec<usize>,
    levels: Vec<Level>,
}

impl RowOrder {
    fn identity(n: usize, level: Level) -> RowOrder {
        RowOrder {
            visual: (0..n).collect(),
            logical: (0..n).collect(),
            levels: vec![level; n],
        }
    }

    fn new(visual: Vec<usize>, levels: Vec<Level>) -> RowOrder {
        let mut logical = vec![0; visual.len()];
        for (v, &l) in visual.iter().enumerate() {
            if let Some(slot) = logical.get_mut(l) {
                *slot = v;
            }
        }
        RowOrder {
            visual,
            logical,
            levels,
        }
    }

    /// Logical indexes from left to right.
    pub fn visual(&self) -> &[usize] {
        &self.visual
    }

    /// Visual position of each logical index.
    pub fn logical(&self) -> &[usize] {
        &self.logical
    }

    /// Whether logical unit `i` is shown right-to-left (its glyph mirrors).
    pub fn is_rtl(&self, i: usize) -> bool {
        self.levels.get(i).is_some_and(|l| l.is_rtl())
    }
}

/// The mirrored form of a one-character grapheme on a right-to-left run
/// (brackets, quotes with a mirror, `<` `>`), per BidiMirroring.txt.
pub fn mirrored(grapheme: &str) -> Option<char> {
    let mut chars = grapheme.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    unicode_bidi_mirroring::get_mirrored(c)
}

/// What a pane's layout needs: the cache its rows are kept in, and the
/// article's direction when the app shows rows in display order (None:
/// logical order, with bidi off or left to the terminal).
#[derive(Debug, Clone)]
pub struct BidiView {
    pub cache: Arc<BidiCache>,
    pub direction: Option<Direction>,
}

/// Which paragraph block's levels are kept: the document (by its
/// [`Document::id`], so a reloaded document is never served stale levels),
/// the block and the direction asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    doc: u64,
    block: (usize, usize),
    direction: Direction,
}

/// Resolved paragraphs, most recently used first, and the rows laid out from
/// them. Shared by every frame of a pane, so levels are resolved once per
/// paragraph, and only for paragraphs that are laid out (the visible ones and
/// those the cursor moves through); a block is wrapped (and reordered) once
/// per width and direction, and later frames draw the rows kept. Rows in
/// logical order are kept here too.
#[derive(Debug, Default)]
pub struct BidiCache {
    entries: Mutex<VecDeque<(Key, Arc<Resolved>)>>,
    /// Blocks wrapped and put in display order (see [`crate::layout`]).
    pub(crate) rows: RowCache,
}

impl BidiCache {
    pub fn new() -> BidiCache {
        BidiCache::default()
    }

    /// The levels of `block` of `text` (a paragraph or a piece of one whose
    /// paragraph starts at `paragraph_start`), resolved now or taken from the
    /// cache.
    pub fn resolve(
        &self,
        doc: &Document,
        paragraph_start: usize,
        block: Range<usize>,
        direction: Direction,
    ) -> Arc<Resolved> {
        let key = Key {
            doc: doc.id(),
            block: (block.start, block.end),
            direction,
        };
        let text = doc.text();
        if let Ok(mut entries) = self.entries.lock()
            && let Some(i) = entries.iter().position(|(k, _)| *k == key)
            && let Some(hit) = entries.remove(i)
        {
            let r = Arc::clone(&hit.1);
            entries.push_front(hit);
            return r;
        }
        let start = paragraph_start.min(block.start);
        let rtl = paragraph_is_rtl(text.get(start..).unwrap_or(""), direction);
        let resolved = Arc::new(Resolved::new(text.get(block).unwrap_or(""), rtl));
        if let Ok(mut entries) = self.entries.lock() {
            entries.push_front((key, Arc::clone(&resolved)));
            entries.truncate(CACHE_BLOCKS);
        }
        resolved
    }

    /// How many paragraph blocks are cached (for tests and benches).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn units(s: &str) -> Vec<Range<usize>> {
        s.grapheme_indices(true)
            .map(|(i, g)| i..i + g.len())
            .collect()
    }

    /// The row as shown, left to right, with mirrored brackets.
    fn shown(s: &str, rtl: bool) -> String {
        let r = Resolved::new(s, rtl);
        let u = units(s);
        let o = r.order_row(s, 0..s.len(), &u);
        o.visual()
            .iter()
            .map(|&l| {
                let g = &s[u[l].clone()];
                match (o.is_rtl(l), mirrored(g)) {
                    (true, Some(m)) => m.to_string(),
                    _ => g.to_string(),
                }
            })
            .collect()
    }

    #[test]
    fn base_direction_from_first_strong_character() {
        assert!(paragraph_is_rtl("«۱۲» کابل Kabul", Direction::Auto));
        assert!(!paragraph_is_rtl("12 Kabul کابل", Direction::Auto));
        assert!(!paragraph_is_rtl("کابل", Direction::Ltr));
        assert!(paragraph_is_rtl("Kabul", Direction::Rtl));
        // an isolate is skipped (P2)
        assert!(paragraph_is_rtl(
            "\u{2066}Kabul\u{2069} کابل",
            Direction::Auto
        ));
        assert!(!paragraph_is_rtl("123 ...", Direction::Auto));
    }

    #[test]
    fn dari_sentence_with_english_name_and_number_reads_right_to_left() {
        // "Ahmad said (Reuters) 25 people" in Dari, logical order.
        let s = "احمد گفت (Reuters) ۲۵ نفر.";
        assert_eq!(shown(s, true), ".رفن ۲۵ (Reuters) تفگ دمحا");
        // English keeps its order, digits keep theirs, brackets mirror back
        // so they still open towards the name.
        let s = "گفت Kabul 2021";
        assert_eq!(shown(s, true), "Kabul 2021 تفگ");
    }

    #[test]
    fn ltr_paragraph_with_a_dari_word() {
        assert_eq!(
            shown("the word کابل means Kabul", false),
            "the word لباک means Kabul"
        );
        let r = Resolved::new("plain text", false);
        assert!(r.is_identity());
    }

    #[test]
    fn combining_marks_stay_with_their_letter() {
        let s = "بِسم"; // BEH + KASRA + SEEN + MEEM
        let u = units(s);
        assert_eq!(u.len(), 3);
        let o = Resolved::new(s, true).order_row(s, 0..s.len(), &u);
        assert_eq!(o.visual(), &[2, 1, 0]);
    }

    #[test]
    fn trailing_space_goes_to_the_paragraph_side() {
        // L1: the row's trailing space takes the paragraph level (RTL: left).
        let s = "Kabul کابل ";
        let u = units(s);
        let o = Resolved::new(s, true).order_row(s, 0..s.len(), &u);
        assert_eq!(o.visual()[0], u.len() - 1);
    }

    #[test]
    fn rows_are_reordered_with_paragraph_levels() {
        // The second row alone holds only Latin; its level comes from the
        // paragraph (embedded in RTL), not from itself.
        let s = "کابل Kabul city";
        let r = Resolved::new(s, true);
        let row = s.find("Kabul").unwrap()..s.len();
        let u: Vec<Range<usize>> = s[row.clone()]
            .grapheme_indices(true)
            .map(|(i, g)| row.start + i..row.start + i + g.len())
            .collect();
        let o = r.order_row(s, row, &u);
        let got: String = o.visual().iter().map(|&l| &s[u[l].clone()]).collect();
        assert_eq!(got, "Kabul city");
    }

    #[test]
    fn cache_resolves_each_block_once() {
        let c = BidiCache::new();
        let t = &Document::from_string("کابل\nKabul".into());
        let a = c.resolve(t, 0, 0..8, Direction::Auto);
        let b = c.resolve(t, 0, 0..8, Direction::Auto);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(a.is_rtl());
        let l = c.resolve(t, 9, 9..14, Direction::Auto);
        assert!(!l.is_rtl());
        assert_eq!(c.len(), 2);
        let forced = c.resolve(t, 9, 9..14, Direction::Rtl);
        assert!(forced.is_rtl());
    }

    proptest::proptest! {
        #[test]
        fn single_level_rows_take_the_short_way_to_the_same_order(
            s in "[a-z0-9 ()«»\u{0627}-\u{064a}\u{06cc}\u{06f0}-\u{06f9}\u{200c}\u{064b}.]{0,60}",
            rtl in proptest::bool::ANY,
            cut in 0usize..60,
        ) {
            let r = Resolved::new(&s, rtl);
            let cut = claimtag_model::text::floor_char_boundary(&s, cut.min(s.len()));
            for row in [0..s.len(), 0..cut, cut..s.len()] {
                let u: Vec<Range<usize>> = s[row.clone()]
                    .grapheme_indices(true)
                    .map(|(i, g)| row.start + i..row.start + i + g.len())
                    .collect();
                let got = r.order_row(&s, row.clone(), &u);
                if !r.is_identity() && !u.is_empty() {
                    proptest::prop_assert_eq!(&got, &r.order_row_by_runs(&s, row, &u));
                }
            }
        }
    }

    #[test]
    fn terminal_sequences() {
        // terminal-wg draft: explicit is CSI 8 l, implicit (default) CSI 8 h
        assert!(terminal_enter(BidiMode::App).starts_with("\x1b[8l"));
        assert!(terminal_exit(BidiMode::App).starts_with("\x1b[8h"));
        assert_eq!(terminal_enter(BidiMode::Terminal), "");
        assert_eq!(terminal_exit(BidiMode::Off), "");
    }
}
