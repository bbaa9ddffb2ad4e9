//! Right-to-left display (issue 13), search folding and Esc (issue 12 item
//! 10): what is drawn, what a click or a key reaches, what a tag stores.

use std::collections::BTreeSet;

use ratatui::style::Color;

use super::*;

/// "Ahmad Shah told Reuters (Kabul) that 35 were killed." in Dari, with an
/// English name, a number, brackets and quotes; then an English line.
const DARI: &str =
    "احمد شاه به Reuters گفت که ۳۵ تن «کشته» شدند (Kabul).\nThe second line is English.\n";

fn click(app: &mut App, column: u16, row: u16) {
    let ev = |kind| {
        Action::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    app.update(ev(MouseEventKind::Down(MouseButton::Left)));
    app.update(ev(MouseEventKind::Up(MouseButton::Left)));
}

/// The screen cells (x, y) whose background is `bg`, in the text rows.
fn cells_with_bg(app: &App, bg: Color) -> Vec<(u16, u16)> {
    let t = terminal(app);
    let buf = t.backend().buffer();
    let mut out = vec![];
    for y in 1..buf.area.height.saturating_sub(1) {
        for x in 0..buf.area.width {
            if buf[(x, y)].bg == bg {
                out.push((x, y));
            }
        }
    }
    out
}

/// The bytes the highlighted cells stand for, found by hit-testing them as
/// a click would.
fn bytes_under(app: &App, cells: &[(u16, u16)]) -> BTreeSet<usize> {
    cells
        .iter()
        .filter_map(|&(x, y)| app.hit(x, y).map(|h| h.1))
        .collect()
}

/// Start bytes of the graphemes of `r`, but the one under the cursor (drawn
/// in the cursor's colour).
fn graphemes(text: &str, r: std::ops::Range<usize>, cursor: usize) -> BTreeSet<usize> {
    use unicode_segmentation::UnicodeSegmentation;
    text[r.clone()]
        .grapheme_indices(true)
        .map(|(i, _)| r.start + i)
        .filter(|&b| b != cursor)
        .collect()
}

#[test]
fn dari_sentence_with_english_name_and_number_reads_right_to_left() {
    let f = fixture(DARI, (40, 8));
    let s = screen(&f.app);
    let rows: Vec<&str> = s.lines().collect();
    // right-aligned, first word on the right, English and digits in their
    // own order, the full stop at the left end, brackets still enclosing Kabul
    assert!(
        rows[1].ends_with("احمد".chars().rev().collect::<String>().as_str()),
        "{s}"
    );
    assert!(rows[1].contains("Reuters"), "{s}");
    assert!(s.contains("(Kabul)"), "{s}");
    assert!(s.contains("۳۵"), "{s}");
    insta::assert_snapshot!(styled(&f.app));
}

#[test]
fn span_and_selection_across_a_direction_change() {
    let mut f = fixture(DARI, (40, 8));
    // tag "Reuters گفت" (English then Dari), select "شاه به Reuters"
    let text = DARI;
    let tag_start = text.find("Reuters").unwrap();
    let tag_end = text.find(" که").unwrap();
    f.app
        .place_cursor(text[..tag_end].char_indices().last().unwrap().0);
    f.app.panes[0].anchor = Some(tag_start);
    keys(&mut f.app, "e");
    assert_eq!(annotations(&f.app)[0].1, "Reuters گفت");
    let sel_start = text.find("شاه").unwrap();
    f.app.place_cursor(sel_start);
    keys(&mut f.app, "v");
    f.app.panes[0].cursor = tag_start + "Reuters".len() - 1;
    insta::assert_snapshot!(styled(&f.app));
    // every highlighted cell stands for a byte of the selection, and every
    // letter of the selection is highlighted: the logical range, shown in
    // pieces
    let selected = bytes_under(&f.app, &cells_with_bg(&f.app, Color::Blue));
    let want = graphemes(
        text,
        sel_start..tag_start + "Reuters".len(),
        f.app.focused().cursor,
    );
    assert_eq!(selected, want);
    // and the tag stores what was highlighted
    keys(&mut f.app, "c");
    let a = &annotations(&f.app);
    assert!(
        a.iter().any(|(l, t)| l == "claim" && t == "شاه به Reuters"),
        "{a:?}"
    );
    // the evidence span's cells are exactly its stored range
    let green = bytes_under(&f.app, &cells_with_bg(&f.app, Color::Green));
    assert_eq!(
        green,
        graphemes(text, tag_start..tag_end, f.app.focused().cursor)
    );
}

#[test]
fn narrow_pane_wraps_then_reorders_each_row() {
    let f = fixture(DARI, (16, 10));
    insta::assert_snapshot!(screen(&f.app));
}

#[test]
fn click_on_the_rightmost_word_selects_the_first_word() {
    let mut f = fixture(DARI, (80, 8));
    click(&mut f.app, 79, 1);
    keys(&mut f.app, "c");
    assert_eq!(annotations(&f.app)[0].1, "احمد");
}

#[test]
fn h_and_l_move_on_the_screen() {
    let mut f = fixture(DARI, (80, 8));
    // the cursor on the first letter, in the last column
    assert_eq!(f.app.focused().cursor, 0);
    let second = "ا".len();
    keys(&mut f.app, "h");
    assert_eq!(f.app.focused().cursor, second, "left is forward in Dari");
    keys(&mut f.app, "l");
    assert_eq!(f.app.focused().cursor, 0);
    // w stays logical: the next word in reading order
    keys(&mut f.app, "w");
    assert_eq!(f.app.focused().cursor, DARI.find("شاه").unwrap());
    // on the English line, left is back
    let line2 = DARI.find("The").unwrap();
    f.app.place_cursor(line2);
    keys(&mut f.app, "l l h");
    assert_eq!(f.app.focused().cursor, line2 + 1);
}

#[test]
fn bidi_off_and_terminal_draw_logical_order() {
    for mode in [crate::bidi::BidiMode::Off, crate::bidi::BidiMode::Terminal] {
        let mut f = fixture(DARI, (80, 8));
        f.app = std::mem::replace(&mut f.app, fixture("", (1, 1)).app).with_bidi(mode, vec![]);
        let s = screen(&f.app);
        assert!(s.lines().nth(1).unwrap().starts_with("احمد شاه"), "{s}");
    }
}

#[test]
fn review_screen_shows_dari_differences_in_display_order() {
    use crate::review::Review;
    use claimtag_model::anchor::new_annotation;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.txt");
    std::fs::write(&p, DARI).unwrap();
    for (who, quote) in [("alice", "احمد شاه"), ("bob", "۳۵ تن «کشته» شدند")] {
        let mut art = Article::open(&p, who).unwrap();
        let s = DARI.find(quote).unwrap();
        let id = art.sidecar.fresh_id();
        let a = new_annotation(&art.doc, s..s + quote.len(), "claim", id);
        art.sidecar.annotations.push(a);
        art.save().unwrap();
    }
    let scheme = Scheme::default();
    let mut app = App::new(
        scheme.clone(),
        Keymap::defaults(&scheme),
        Theme::new(None, false, &scheme, &Default::default()),
        "alice".into(),
        vec![p.clone()],
        true,
    );
    app.start_review(Review::new("bob".into(), None, "alice".into()), 0);
    for (slot, who) in [(0, "alice"), (1, "bob")] {
        app.update(Action::Loaded(
            slot,
            Box::new(Article::open(&p, who).map_err(|e| e.to_string())),
        ));
    }
    app.update(Action::Resize(90, 8));
    insta::assert_snapshot!(styled(&app));
}

#[test]
fn search_folds_and_esc_hides_the_highlight() {
    let mut f = fixture("The Taliban’s men. The TALIBAN'S men.\n", (60, 6));
    keys(&mut f.app, "/");
    type_text(&mut f.app, "taliban's");
    keys(&mut f.app, "<Enter>");
    assert_eq!(f.app.focused().cursor, 4);
    keys(&mut f.app, "n");
    assert_eq!(f.app.focused().cursor, "The Taliban’s men. The ".len());
    // both matches highlighted (9 cells each), but the cursor's cell
    let magenta = cells_with_bg(&f.app, Color::Magenta);
    assert_eq!(magenta.len(), 17, "both matches highlighted");
    keys(&mut f.app, "<Esc>");
    assert!(cells_with_bg(&f.app, Color::Magenta).is_empty());
    keys(&mut f.app, "n");
    assert_eq!(cells_with_bg(&f.app, Color::Magenta).len(), 17);
    // Arabic-script variants: Arabic kaf and yeh find the Dari letters
    let mut f = fixture("در کابل و کابلی\n", (60, 6));
    keys(&mut f.app, "/");
    type_text(&mut f.app, "كابلي");
    keys(&mut f.app, "<Enter>");
    assert_eq!(f.app.focused().cursor, "در کابل و ".len());
}
