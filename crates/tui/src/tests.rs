//! Behaviour of the pure update and the drawing, without a terminal.

mod bidi;
mod corpus_list;
mod dispatch;
mod editor;
mod first_hour;
mod linking;
mod loader;
mod open_claims;
mod persist;
mod session;
mod suggestions;
mod team;
mod typeahead;

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use claimtag_model::{Article, Scheme};

use super::app::{Action, App, Effect, Overlay, Slot};
use super::keymap::Keymap;
use super::theme::Theme;

pub(crate) const ARTICLE: &str = "Taliban: ISIS-K Leadership Transferred to Pakistan\n\nOn Al-Emarah, the chief Taliban spokesperson, Zabihullah Mujahid, wrote: “After ISIS was eliminated, the leaders were transferred to Balochistan.” Pakistan's Foreign Office denied the claim. Mr. Baloch said the U.S. Army has no evidence.\n\nA third paragraph follows here.\n";

pub(crate) struct Fixture {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) app: App,
}

pub(crate) fn fixture_with(files: &[(&str, &str)], size: (u16, u16)) -> Fixture {
    // The same annotation ids on every run, so screens can be compared.
    claimtag_model::id::fixed_clock_on_this_thread();
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        paths.push(p);
    }
    fixture_at(dir, &paths, size)
}

/// The app over files already written in `dir`.
pub(crate) fn fixture_at(
    dir: tempfile::TempDir,
    paths: &[std::path::PathBuf],
    size: (u16, u16),
) -> Fixture {
    fixture_at_with_scheme(dir, paths, size, Scheme::default())
}

/// The app over files in `dir` under `scheme`, loaded by the jobs `annotate`
/// runs.
pub(crate) fn fixture_at_with_scheme(
    dir: tempfile::TempDir,
    paths: &[std::path::PathBuf],
    size: (u16, u16),
    scheme: Scheme,
) -> Fixture {
    let paths = paths.to_vec();
    let keymap = Keymap::defaults(&scheme);
    let theme = Theme::new(None, false, &scheme, &Default::default());
    let mut app = App::new(scheme, keymap, theme, "alice".into(), paths.clone(), true);
    for (i, p) in paths.iter().enumerate() {
        let job = crate::open_job(
            i,
            p.clone(),
            "alice".into(),
            app.scheme.sentence_rules(),
            true,
        );
        for (slot, result) in job() {
            app.update(Action::Loaded(slot, Box::new(result)));
        }
    }
    app.update(Action::Resize(size.0, size.1));
    Fixture { _dir: dir, app }
}

pub(crate) fn fixture(text: &str, size: (u16, u16)) -> Fixture {
    fixture_with(&[("001.txt", text)], size)
}

/// Types keys written like `s c <C-s> <Esc> <S-Right>`.
pub(crate) fn keys(app: &mut App, spec: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for k in spec.split(' ').filter(|k| !k.is_empty()) {
        let ev = match k {
            "<Esc>" => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
            "<Enter>" => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
            "<Tab>" => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
            "<Down>" => KeyEvent::new(KeyCode::Down, KeyModifiers::NONE),
            "<Right>" => KeyEvent::new(KeyCode::Right, KeyModifiers::NONE),
            "<S-Right>" => KeyEvent::new(KeyCode::Right, KeyModifiers::SHIFT),
            "<PgDn>" => KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
            "<Space>" => KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE),
            k if k.starts_with("<C-") => {
                let c = k.chars().nth(3).unwrap();
                KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
            }
            k => {
                let c = k.chars().next().unwrap();
                let m = if c.is_uppercase() {
                    KeyModifiers::SHIFT
                } else {
                    KeyModifiers::NONE
                };
                KeyEvent::new(KeyCode::Char(c), m)
            }
        };
        effects.extend(app.update(Action::Key(ev)));
    }
    effects
}

pub(crate) fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

pub(crate) fn terminal(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    t
}

/// The id of the `n`th annotation (in file order) of the first pane: ids are
/// time-ordered and opaque, so tests name annotations by position.
pub(crate) fn id_at(app: &App, n: usize) -> String {
    app.doc_of(0).unwrap().annotations()[n].id.clone()
}

pub(crate) fn screen(app: &App) -> String {
    let t = terminal(app);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            // The cells behind a wide character are not part of the text.
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The screen with each cell's style: every row of text is followed by a row
/// of letters, one per cell, naming its style in the legend below (`.` is the
/// plain style). A lost highlight, colour or underline changes the snapshot.
pub(crate) fn styled(app: &App) -> String {
    let t = terminal(app);
    let buf = t.backend().buffer();
    let mut legend: Vec<String> = Vec::new();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut text = String::new();
        let mut marks = String::new();
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            text.push_str(cell.symbol());
            let st = format!("fg {:?} bg {:?} {:?}", cell.fg, cell.bg, cell.modifier);
            let mark = if st == "fg Reset bg Reset NONE" {
                '.'
            } else {
                let i = legend.iter().position(|l| *l == st).unwrap_or_else(|| {
                    legend.push(st);
                    legend.len() - 1
                });
                (b'A' + i as u8) as char
            };
            marks.push(mark);
        }
        out.push_str(&format!(
            "{}\n{}\n",
            text.trim_end(),
            marks.trim_end_matches('.')
        ));
    }
    out.push_str("\nlegend:\n");
    for (i, l) in legend.iter().enumerate() {
        out.push_str(&format!("{} {l}\n", (b'A' + i as u8) as char));
    }
    out
}

pub(crate) fn annotations(app: &App) -> Vec<(String, String)> {
    app.doc_of(app.focus)
        .unwrap()
        .annotations()
        .iter()
        .map(|a| (a.label.clone(), a.text.clone()))
        .collect()
}

#[test]
fn seed_article_screen() {
    let f = fixture(ARTICLE, (60, 12));
    insta::assert_snapshot!(screen(&f.app));
}

#[test]
fn tag_sentence_under_cursor_without_selection() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "j j w c");
    let anns = annotations(&f.app);
    assert_eq!(anns.len(), 1);
    assert_eq!(anns[0].0, "claim");
    assert!(
        anns[0]
            .1
            .starts_with("On Al-Emarah, the chief Taliban spokesperson"),
        "{:?}",
        anns[0].1
    );
    assert!(anns[0].1.ends_with("Balochistan.”"), "{:?}", anns[0].1);
    assert!(f.app.doc_of(0).unwrap().dirty);
}

#[test]
fn abbreviations_do_not_split_sentences() {
    let mut f = fixture(ARTICLE, (80, 20));
    // to "Mr. Baloch ...": third sentence of the paragraph
    keys(&mut f.app, "j j ) ) s d");
    let anns = annotations(&f.app);
    assert_eq!(
        anns[0],
        (
            "denial".into(),
            "Mr. Baloch said the U.S. Army has no evidence.".into()
        )
    );
}

#[test]
fn visual_selection_with_motions_and_shift_arrows() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "v w w e");
    assert_eq!(
        annotations(&f.app)[0],
        ("evidence".into(), "Taliban: ISIS-K".into())
    );
    keys(&mut f.app, "g <S-Right> <S-Right> <S-Right> c");
    assert!(annotations(&f.app).contains(&("claim".into(), "Tali".into())));
}

#[test]
fn selection_screen_and_colours() {
    let mut f = fixture(ARTICLE, (60, 12));
    keys(&mut f.app, "j j s");
    insta::assert_snapshot!("selection_styled", styled(&f.app));
    keys(&mut f.app, "c ) d");
    insta::assert_snapshot!("annotated_styled", styled(&f.app));
    let t = terminal(&f.app);
    let buf = t.backend().buffer();
    // "On Al-Emarah" is the first claim: yellow background; the cursor's cell differs
    assert_eq!(buf[(1, 3)].bg, Color::Yellow);
}

#[test]
fn overlapping_spans_are_all_visible() {
    let mut f = fixture(ARTICLE, (60, 12));
    keys(&mut f.app, "j j p e g j j s c");
    insta::assert_snapshot!("overlaps_styled", styled(&f.app));
    let t = terminal(&f.app);
    let buf = t.backend().buffer();
    let cell = &buf[(3, 3)];
    // the innermost span (claim) colours the cell; the overlap is underlined
    assert_eq!(cell.bg, Color::Yellow);
    assert!(cell.modifier.contains(ratatui::style::Modifier::UNDERLINED));
}

#[test]
fn delete_undo_redo() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "s c");
    assert_eq!(annotations(&f.app).len(), 1);
    keys(&mut f.app, "x");
    assert_eq!(annotations(&f.app).len(), 0);
    keys(&mut f.app, "u");
    assert_eq!(annotations(&f.app).len(), 1);
    keys(&mut f.app, "<C-r>");
    assert_eq!(annotations(&f.app).len(), 0);
    keys(&mut f.app, "u");
    assert_eq!(annotations(&f.app)[0].0, "claim");
}

#[test]
fn next_and_previous_annotation() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "s c j j s d G [");
    let doc = f.app.doc_of(0).unwrap();
    let second = doc.spans[1].clone().unwrap();
    assert_eq!(f.app.focused().cursor, second.start);
    keys(&mut f.app, "[");
    assert_eq!(f.app.focused().cursor, 0);
    keys(&mut f.app, "]");
    assert_eq!(f.app.focused().cursor, second.start);
}

#[test]
fn search_next_previous() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "/");
    type_text(&mut f.app, "pakistan");
    keys(&mut f.app, "<Enter>");
    let text = f.app.doc_of(0).unwrap().doc().text().to_string();
    let first = text.find("Pakistan").unwrap();
    assert_eq!(f.app.focused().cursor, first);
    keys(&mut f.app, "n");
    assert_eq!(
        f.app.focused().cursor,
        text[first + 1..].find("Pakistan").unwrap() + first + 1
    );
    keys(&mut f.app, "N");
    assert_eq!(f.app.focused().cursor, first);
}

#[test]
fn help_lists_every_command_from_the_keymap() {
    let mut f = fixture(ARTICLE, (100, 60));
    keys(&mut f.app, "?");
    assert!(matches!(f.app.overlay, Overlay::Help { .. }));
    let s = screen(&f.app);
    for needle in [
        "tag the selection (or the sentence) as claim",
        "Ctrl-w v",
        "undo",
        "Ctrl-s",
    ] {
        assert!(s.contains(needle), "{needle} missing in\n{s}");
    }
    insta::assert_snapshot!("help", s);
    keys(&mut f.app, "<Esc>");
    assert!(matches!(f.app.overlay, Overlay::None));
}

#[test]
fn corpus_list_opens_article_in_focused_pane() {
    let mut f = fixture_with(
        &[("a.txt", "First article."), ("b.txt", "Second article.")],
        (70, 10),
    );
    keys(&mut f.app, "s c <C-p>");
    insta::assert_snapshot!("corpus", screen(&f.app));
    keys(&mut f.app, "j <Enter>");
    assert_eq!(f.app.focused().slot, 1);
    keys(&mut f.app, "<C-w> v");
    assert_eq!(f.app.panes.len(), 2);
    assert_eq!(f.app.panes[1].slot, 0);
    assert_eq!(f.app.focus, 1);
    keys(&mut f.app, "<Tab>");
    assert_eq!(f.app.focus, 0);
    keys(&mut f.app, "<C-w> q");
    assert_eq!(f.app.panes.len(), 1);
}

#[test]
fn tiny_terminal_draws() {
    let mut f = fixture(ARTICLE, (20, 5));
    insta::assert_snapshot!("tiny", screen(&f.app));
    keys(&mut f.app, "G ? <Esc> <C-p>");
    assert!(matches!(f.app.overlay, Overlay::Corpus { .. }));
    assert!(screen(&f.app).contains("001.txt"), "{}", screen(&f.app));
    keys(&mut f.app, "<Esc>");
    for (w, h) in [(1, 1), (3, 2), (20, 5), (200, 3)] {
        f.app.update(Action::Resize(w, h));
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|fr| fr.render_widget(&f.app, fr.area())).unwrap();
        // the status line is drawn on the last row, whatever the size
        let buf = t.backend().buffer();
        let last: String = (0..w).map(|x| buf[(x, h - 1)].symbol()).collect();
        if w >= 20 {
            assert!(!last.trim().is_empty(), "{w}x{h}: empty status row");
        }
        assert!(
            buf[(0, h - 1)].bg != Color::Reset,
            "{w}x{h}: status not styled"
        );
    }
    // a zero-sized terminal draws nothing and does not panic
    f.app.update(Action::Resize(0, 0));
    let mut t = Terminal::new(TestBackend::new(0, 0)).unwrap();
    t.draw(|fr| fr.render_widget(&f.app, fr.area())).unwrap();
}

#[test]
fn unicode_lines_screen() {
    let text = "Family 👨‍👩‍👧 flags 🇦🇫 🇵🇰.\n中文字符测试，ISIS-K 在阿富汗。\nطالبان گفتند که رهبری داعش خراسان به پاکستان منتقل شده است.\nCafe\u{301}\tnai\u{308}ve.\n";
    let mut f = fixture(text, (40, 8));
    insta::assert_snapshot!("unicode", screen(&f.app));
    // moving right never lands inside a grapheme
    let doc = f.app.doc_of(0).unwrap().doc().clone();
    for _ in 0..40 {
        keys(&mut f.app, "l");
        assert!(doc.is_grapheme_boundary(f.app.focused().cursor));
    }
    // tagging a selection inside the family emoji takes the whole emoji
    keys(&mut f.app, "g l l l l l l l v e");
    assert_eq!(annotations(&f.app)[0].1, "👨‍👩‍👧");
}

#[test]
fn mouse_drag_selects() {
    let mut f = fixture(ARTICLE, (80, 20));
    let ev = |kind, column, row| {
        Action::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // row 1 is the first text row (row 0 is the title)
    f.app
        .update(ev(MouseEventKind::Down(MouseButton::Left), 0, 1));
    f.app
        .update(ev(MouseEventKind::Drag(MouseButton::Left), 6, 1));
    f.app
        .update(ev(MouseEventKind::Up(MouseButton::Left), 6, 1));
    keys(&mut f.app, "d");
    assert_eq!(annotations(&f.app)[0], ("denial".into(), "Taliban".into()));
}

#[test]
fn editor_sets_claimant_note_and_link() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "j j s c ) d");
    keys(&mut f.app, "<Enter> <Down>");
    type_text(&mut f.app, "Foreign Office");
    keys(&mut f.app, "<Down>");
    type_text(&mut f.app, "no");
    keys(&mut f.app, "<Down> <Enter>");
    let s = screen(&f.app);
    assert!(s.contains("denies → 000000001000"), "{s}");
    keys(&mut f.app, "<Enter> <C-s>");
    let d = f.app.doc_of(0).unwrap();
    let a = d
        .annotations()
        .iter()
        .find(|a| a.label == "denial")
        .unwrap();
    assert_eq!(a.claimant.as_deref(), Some("Foreign Office"));
    assert_eq!(a.note.as_deref(), Some("no"));
    assert_eq!(a.links.len(), 1);
    assert_eq!(a.links[0].rel, "denies");
    assert_eq!(a.links[0].to, "000000001000");
}

#[test]
fn empty_file_and_huge_line() {
    let mut f = fixture("", (30, 6));
    keys(&mut f.app, "j k w b ) ( } { G g s c v l e x u");
    assert!(annotations(&f.app).is_empty());
    assert!(screen(&f.app).contains("(empty file)"));
    let long = "word ".repeat(4_000);
    let mut f = fixture(&long, (40, 10));
    keys(&mut f.app, "G");
    let s = screen(&f.app);
    assert!(s.contains("1:20001"), "{s}");
    keys(&mut f.app, "g <PgDn> <PgDn> j j");
    // two pages of 6 rows (8 text rows less 2 kept) and two rows down, at
    // the start of that row as laid out from the top
    let d = f.app.doc_of(0).unwrap().doc().clone();
    let rows = crate::layout::Layout::new(&d, 40).rows_from(Default::default(), 20);
    assert_eq!(f.app.focused().cursor, rows[14].1.start);
}

#[test]
fn bad_sidecar_opens_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.txt");
    std::fs::write(&p, "Some text here.").unwrap();
    std::fs::write(
        dir.path().join("x.txt.alice.ann.yaml"),
        "format: claimtag/1\nannotations: [\n",
    )
    .unwrap();
    let scheme = Scheme::default();
    let mut app = App::new(
        scheme.clone(),
        Keymap::defaults(&scheme),
        Theme::new(None, true, &scheme, &Default::default()),
        "alice".into(),
        vec![p.clone()],
        true,
    );
    app.update(Action::Loaded(
        0,
        Box::new(Article::open(&p, "alice").map_err(|e| e.to_string())),
    ));
    app.update(Action::Resize(80, 6));
    keys(&mut app, "s c");
    assert!(app.doc_of(0).unwrap().annotations().is_empty());
    let s = screen(&app);
    assert!(s.contains("read-only"), "{s}");
    assert!(s.contains("x.txt.alice.ann.yaml:"), "{s}");
    assert!(matches!(app.slots[0], Slot::Ready(_)));
    assert!(Path::new(&dir.path().join("x.txt.alice.ann.yaml")).exists());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const KEYS: &[&str] = &[
        "h",
        "j",
        "k",
        "l",
        "w",
        "b",
        ")",
        "(",
        "}",
        "{",
        "g",
        "G",
        "<PgDn>",
        "v",
        "s",
        "p",
        "c",
        "d",
        "e",
        "x",
        "u",
        "<C-r>",
        "]",
        "[",
        "<Esc>",
        "<S-Right>",
        "<Enter>",
        "<Down>",
        "<Tab>",
        "<C-p>",
        "?",
        "/",
        "n",
        "N",
        "<C-w>",
        "<Space>",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_keys_never_panic(seq in proptest::collection::vec(0..KEYS.len(), 1..60),
                                   text in "\\PC{0,80}|[a-z \n.😀中\u{627}]{0,120}",
                                   w in 1u16..50, h in 1u16..12) {
            let mut f = fixture(&text, (w, h));
            for i in seq {
                keys(&mut f.app, KEYS[i]);
                let _ = screen(&f.app);
                let p = f.app.focused();
                let doc = f.app.doc_of(f.app.focus).unwrap().doc();
                prop_assert!(doc.is_grapheme_boundary(p.cursor));
            }
        }
    }
}

pub(crate) mod review_screen {
    use super::*;
    use crate::review::Review;
    use claimtag_model::anchor::new_annotation;
    use claimtag_model::review::rejected;

    /// alice and bob tagged the same article; the review goes into `gold`.
    pub(crate) fn review_fixture() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, ARTICLE).unwrap();
        let text = ARTICLE;
        let tag = |who: &str, spans: &[(&str, &str)]| {
            let mut art = Article::open(&p, who).unwrap();
            for (quote, label) in spans {
                let s = text.find(quote).unwrap();
                let id = art.sidecar.fresh_id();
                let a = new_annotation(&art.doc, s..s + quote.len(), label, id);
                art.sidecar.annotations.push(a);
            }
            art.save().unwrap();
        };
        tag(
            "alice",
            &[
                ("Pakistan's Foreign Office denied the claim.", "denial"),
                ("A third paragraph", "claim"),
            ],
        );
        tag(
            "bob",
            &[
                ("Pakistan's Foreign Office denied the claim.", "claim"),
                ("Mr. Baloch said", "evidence"),
            ],
        );
        let scheme = Scheme::default();
        let mut app = App::new(
            scheme.clone(),
            Keymap::defaults(&scheme),
            Theme::new(None, false, &scheme, &Default::default()),
            "alice".into(),
            vec![p.clone()],
            true,
        );
        app.start_review(
            Review::new("bob".into(), Some("gold".into()), "alice".into()),
            0,
        );
        let doc = std::sync::Arc::new(claimtag_model::Document::load(&p).unwrap());
        let alice = Article::with_doc(&p, doc.clone(), "alice");
        let mut gold = Article::with_doc(&p, doc.clone(), "gold");
        gold.sidecar = claimtag_model::review::adjudicated_copy(&alice.sidecar, "gold", "alice");
        app.update(Action::Loaded(0, Box::new(Ok(gold))));
        app.update(Action::Loaded(
            1,
            Box::new(Ok(Article::with_doc(&p, doc, "bob"))),
        ));
        app.update(Action::Resize(120, 30));
        (dir, app)
    }

    #[test]
    fn step_accept_reject_and_provenance() {
        let (_dir, mut app) = review_fixture();
        let s = screen(&app);
        assert!(
            s.contains("gold (target)") && s.contains("bob (theirs, read-only)"),
            "{s}"
        );
        keys(&mut app, "]");
        let msg = app.message.clone().unwrap().text;
        assert!(
            msg.contains("yours: denial") && msg.contains("bob: claim"),
            "{msg}"
        );
        let status = app.review_status();
        assert_eq!(status, "diff 1/3: same range, another label");
        keys(&mut app, "a");
        let gold = app.doc_of(0).unwrap().annotations().to_vec();
        let taken = gold
            .iter()
            .find(|a| a.text.starts_with("Pakistan's"))
            .unwrap();
        assert_eq!(taken.label, "claim");
        assert_eq!(taken.from.as_deref(), Some("bob"));
        keys(&mut app, "]");
        assert!(
            app.message.clone().unwrap().text.contains("only bob"),
            "{:?}",
            app.message
        );
        keys(&mut app, "r");
        let d = app.doc_of(0).unwrap();
        assert_eq!(rejected(&d.article.sidecar, "bob").len(), 1);
        keys(&mut app, "]");
        assert!(
            app.message.clone().unwrap().text.contains("only yours"),
            "{:?}",
            app.message
        );
        // bob's pane is read-only
        keys(&mut app, "<Tab> s c");
        assert!(app.message.clone().unwrap().text.contains("read-only"));
        assert_eq!(app.doc_of(1).unwrap().annotations().len(), 2);
        // a new tag in the gold set carries the reviewer as provenance
        keys(&mut app, "<Tab> g s e");
        let gold = app.doc_of(0).unwrap().annotations().to_vec();
        let fresh = gold
            .iter()
            .find(|a| a.label == "evidence" && a.text.starts_with("Taliban"))
            .unwrap();
        assert_eq!(fresh.from.as_deref(), Some("alice"));
        // undo takes back the new tag, then the rejection
        keys(&mut app, "u u");
        assert!(rejected(&app.doc_of(0).unwrap().article.sidecar, "bob").is_empty());
    }

    #[test]
    fn differences_list_jumps() {
        let (_dir, mut app) = review_fixture();
        keys(&mut app, "D");
        let s = screen(&app);
        assert!(s.contains("Differences"), "{s}");
        assert!(s.contains("same range, another label"), "{s}");
        assert!(
            s.contains("only in theirs") && s.contains("only in ours"),
            "{s}"
        );
        insta::assert_snapshot!("review_differences", s);
        keys(&mut app, "<Esc>");
        insta::assert_snapshot!("review_differences_styled", styled(&app));
        keys(&mut app, "D");
        keys(&mut app, "j <Enter>");
        assert!(matches!(app.overlay, Overlay::None));
        let msg = app.message.clone().unwrap().text;
        assert!(msg.contains("only bob"), "{msg}");
    }

    #[test]
    fn accept_all_then_nothing_left() {
        let (_dir, mut app) = review_fixture();
        keys(&mut app, "A");
        let gold: Vec<(String, String)> = app
            .doc_of(0)
            .unwrap()
            .annotations()
            .iter()
            .map(|a| (a.label.clone(), a.text.clone()))
            .collect();
        let bob: Vec<(String, String)> = app
            .doc_of(1)
            .unwrap()
            .annotations()
            .iter()
            .map(|a| (a.label.clone(), a.text.clone()))
            .collect();
        assert_eq!(gold, bob);
        keys(&mut app, "]");
        assert_eq!(app.message.clone().unwrap().text, "no more differences");
        insta::assert_snapshot!("review_settled", screen(&app));
    }
}

#[test]
fn undo_back_to_saved_state_is_not_a_change() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "s c");
    assert!(f.app.doc_of(0).unwrap().dirty);
    keys(&mut f.app, "u");
    assert!(
        !f.app.doc_of(0).unwrap().dirty,
        "nothing to save after undoing everything"
    );
    assert!(f.app.dirty_slots().is_empty());
}

#[test]
fn counts_repeat_motions_and_o_moves_the_other_end() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "5 l");
    assert_eq!(f.app.focused().cursor, 5);
    keys(&mut f.app, "1 2 l");
    assert_eq!(f.app.focused().cursor, 17);
    keys(&mut f.app, "g j j s o 3 w");
    // the selection's start moved three words right: "the chief Taliban ..."
    keys(&mut f.app, "c");
    let a = annotations(&f.app);
    assert!(
        a[0].1.starts_with("the chief Taliban spokesperson"),
        "{a:?}"
    );
    assert!(a[0].1.ends_with("Balochistan.”"), "{a:?}");
}

mod search {
    use crate::app::{find, rfind};

    #[test]
    fn needle_longer_than_haystack() {
        assert_eq!(find("", "abc", 0), None);
        assert_eq!(find("ab", "abc", 0), None);
        assert_eq!(find("xabc", "ABC", 2), None);
        assert_eq!(rfind("ab", "abc", 2), None);
        assert_eq!(find("xAbC", "abc", 0), Some(1..4));
        assert_eq!(rfind("abc abc", "abc", 7), Some(4..7));
        // issue 12 item 10: case is folded whatever the query's case, and
        // `\C` searches exactly
        assert_eq!(find("xAbC", "ABC", 0), Some(1..4));
        assert_eq!(find("xAbC abc", "abc\\C", 0), Some(5..8));
    }

    #[test]
    fn matches_are_looked_for_in_the_visible_window_only() {
        use crate::ui::visible_matches;
        let text = "ééé needle ééé needle ééé";
        // one straddling the window's start, one inside, none found outside
        let first = text.find("needle").unwrap();
        let second = text.rfind("needle").unwrap();
        assert_eq!(
            visible_matches(text, "needle", first + 3..second + 2),
            [first..first + 6, second..second + 6]
        );
        assert_eq!(
            visible_matches(text, "NEEDLE\\C", 0..text.len()),
            Vec::<std::ops::Range<usize>>::new()
        );
        assert_eq!(visible_matches(text, "NEEDLE", 0..text.len()).len(), 2);
        // window edges inside a multi-byte character are widened, not split
        assert_eq!(visible_matches(text, "é", 1..2).len(), 1);
        // a match far past the window is not found (nothing scans that far)
        let far = format!("{}needle", "x".repeat(10_000));
        assert!(visible_matches(&far, "needle", 0..100).is_empty());
    }
}

/// The key tables of README.md, as the help screen shows them.
pub(crate) fn readme_key_table() -> String {
    let scheme = Scheme::default();
    let map = Keymap::defaults(&scheme);
    let mut out = String::new();
    for section in map.help_sections(&scheme, true) {
        out.push_str(&format!(
            "#### {}\n\n| keys | action (name for `keys:` in config.yaml) | what it does |\n| --- | --- | --- |\n",
            section.mode.title()
        ));
        for row in section.rows {
            let keys = row.keys.replace('|', "\\|");
            out.push_str(&format!(
                "| `{keys}` | `{}` | {} |\n",
                row.name, row.description
            ));
        }
        out.push('\n');
    }
    out
}

#[test]
fn readme_key_table_matches_the_keymap() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let table = readme_key_table();
    assert!(
        readme.contains(&table),
        "README.md's key table is out of date; it should read:\n{table}"
    );
}

#[test]
fn select_on_a_blank_line_drops_the_old_selection() {
    let mut f = fixture(ARTICLE, (80, 20));
    keys(&mut f.app, "s G s c");
    assert!(annotations(&f.app).is_empty(), "{:?}", annotations(&f.app));
    assert!(f.app.focused().anchor.is_none());
}

#[test]
fn huge_selections_are_not_tagged() {
    let text = "word ".repeat(5_000) + ".";
    let mut f = fixture(&text, (80, 20));
    keys(&mut f.app, "v G c");
    assert!(annotations(&f.app).is_empty());
    assert!(f.app.message.clone().unwrap().text.contains("not tagged"));
}

#[test]
fn scheme_attributes_are_edited_as_extra_keys() {
    let mut f = fixture(ARTICLE, (100, 30));
    f.app
        .scheme
        .attributes
        .push(claimtag_model::scheme::Attribute {
            name: "source_type".into(),
            description: "where it was said".into(),
        });
    keys(&mut f.app, "s c <Enter> <Down> <Down> <Down>");
    type_text(&mut f.app, "website");
    let s = screen(&f.app);
    assert!(s.contains("source_type") && s.contains("website"), "{s}");
    keys(&mut f.app, "<Enter>");
    let a = &f.app.doc_of(0).unwrap().annotations()[0];
    assert_eq!(
        a.extra.get("source_type"),
        Some(&serde_json::Value::from("website"))
    );
    // and it survives a save and a reload from disk
    let effects = keys(&mut f.app, "<C-s>");
    assert_eq!(effects.len(), 1);
    for e in effects {
        for a in crate::worker::perform(e) {
            f.app.update(a);
        }
    }
    assert!(!f.app.doc_of(0).unwrap().dirty);
    let source = f.app.doc_of(0).unwrap().article.source.clone();
    let again = Article::open(&source, "alice").unwrap();
    assert!(again.read_only.is_none());
    assert_eq!(
        again.sidecar.annotations[0].extra.get("source_type"),
        Some(&serde_json::Value::from("website"))
    );
}

#[test]
fn review_pane_titles_keep_their_roles_at_40_columns() {
    let (_dir, mut app) = review_screen::review_fixture();
    app.update(Action::Resize(40, 12));
    let s = screen(&app);
    let title = s.lines().next().unwrap();
    assert!(
        title.contains("(target)") && title.contains("(theirs"),
        "{title}"
    );
}

#[test]
fn a_claim_and_a_denial_on_the_same_range_both_show() {
    let mut f = fixture(ARTICLE, (60, 12));
    keys(&mut f.app, "j j s c s d");
    insta::assert_snapshot!("same_range_styled", styled(&f.app));
    let t = terminal(&f.app);
    let buf = t.backend().buffer();
    let bgs: std::collections::BTreeSet<String> =
        (2..12).map(|x| format!("{:?}", buf[(x, 3)].bg)).collect();
    assert!(
        bgs.contains("Yellow") && bgs.contains("Red"),
        "both label colours in the row: {bgs:?}"
    );
}

#[test]
fn no_color_cursor_on_a_leading_space_is_visible() {
    let mut f = fixture(" leading space\n", (40, 6));
    let scheme = Scheme::default();
    f.app.theme = Theme::new(None, true, &scheme, &Default::default());
    let t = terminal(&f.app);
    let buf = t.backend().buffer();
    let cell = &buf[(0, 1)];
    let plain = &buf[(5, 1)];
    assert_ne!(
        (cell.fg, cell.bg, cell.modifier),
        (plain.fg, plain.bg, plain.modifier),
        "the cursor cell looks like plain text"
    );
    assert!(
        cell.modifier.contains(ratatui::style::Modifier::REVERSED),
        "{cell:?}"
    );
}

#[test]
fn guideline_of_the_label_under_the_cursor_and_in_help() {
    let mut f = fixture(ARTICLE, (100, 40));
    f.app.scheme.labels[0].guideline = "Tag the assertion,\nnot who said it.".into();
    f.app.scheme.labels[0].examples = vec!["the leaders were transferred".into()];
    keys(&mut f.app, "j j s c K");
    let m = f.app.message.as_ref().unwrap().text.clone();
    assert!(
        m.contains("an assertion someone makes")
            && m.contains("Tag the assertion, not who said it.")
            && m.contains("“the leaders were transferred”"),
        "{m}"
    );
    keys(&mut f.app, "?");
    keys(&mut f.app, "G");
    let s = screen(&f.app);
    assert!(
        s.contains("Labels (guidelines)")
            && s.contains("not who said it.")
            && s.contains("e.g. “the leaders were transferred”"),
        "{s}"
    );
}

#[test]
fn a_long_note_scrolls_and_keeps_the_caret_in_the_box() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "j j s c <Enter> <Down> <Down>");
    let note = "a very long note that goes on and on past the edge of the editor box, and then some more 末尾ZZ";
    type_text(&mut f.app, note);
    let s = screen(&f.app);
    let row = s.lines().find(|l| l.contains("note")).unwrap();
    assert!(row.contains("末尾ZZ▏"), "{row}");
    // the row stays inside the box: its right border is still drawn
    assert!(row.trim_end().ends_with('│'), "{row}");
}

#[test]
fn field_window_is_grapheme_and_width_correct() {
    use crate::ui::field_window;
    let t = "漢字かな👍🏽سلام";
    // caret at the end, 6 columns: “…” then whole graphemes that fit
    let (l, r) = field_window(t, t.len(), 6);
    assert_eq!((l.as_str(), r.as_str()), ("…سلام", ""));
    let (l, r) = field_window(t, 0, 6);
    assert_eq!(l, "");
    assert_eq!(r, "漢字…");
    let cut = t.find('👍').unwrap();
    let (l, r) = field_window(t, cut, 7);
    assert_eq!((l.as_str(), r.as_str()), ("…字かな", ""));
    assert!(unicode_width::UnicodeWidthStr::width(format!("{l}{r}").as_str()) <= 7);
    assert_eq!(field_window("short", 2, 20), ("sh".into(), "ort".into()));
}

#[test]
fn claimants_used_before_are_offered_as_you_type() {
    let mut f = fixture_with(
        &[("001.txt", ARTICLE), ("002.txt", "Another article here.\n")],
        (100, 30),
    );
    // a claimant used in the first article
    keys(&mut f.app, "j j s c <Enter> <Down>");
    type_text(&mut f.app, "Zabihullah Mujahid");
    keys(&mut f.app, "<Enter>");
    // a new tag: typing a fuzzy part offers it; Tab takes it, Tab again moves on
    keys(&mut f.app, ") d <Enter> <Down>");
    type_text(&mut f.app, "zmuj");
    let s = screen(&f.app);
    assert!(s.contains(" Zabihullah Mujahid "), "{s}");
    keys(&mut f.app, "<Tab>");
    let Overlay::Edit(form) = &f.app.overlay else {
        panic!("editor closed")
    };
    assert_eq!(form.claimant.text, "Zabihullah Mujahid");
    assert_eq!(form.field, 1);
    keys(&mut f.app, "<Down>");
    let Overlay::Edit(form) = &f.app.overlay else {
        panic!("editor closed")
    };
    assert_eq!(form.field, 2);
    keys(&mut f.app, "<Enter>");
    let claimants: Vec<_> = f
        .app
        .doc_of(0)
        .unwrap()
        .annotations()
        .iter()
        .map(|a| a.claimant.clone())
        .collect();
    let z = Some("Zabihullah Mujahid".to_string());
    assert_eq!(claimants, [z.clone(), z]);
}

/// Issue 10 item 7: relabelling the target of a link to a label the scheme
/// does not allow there removes the link, says so, and undo brings it back;
/// what is saved passes `check`.
#[test]
fn relabel_that_breaks_a_link_removes_it_and_says_so() {
    let mut f = fixture(ARTICLE, (100, 30));
    keys(&mut f.app, "j j s c ) d");
    keys(&mut f.app, "<Enter> <Down>");
    type_text(&mut f.app, "x");
    keys(&mut f.app, "<Down> <Down> <Enter>");
    let (claim, denial) = (id_at(&f.app, 0), id_at(&f.app, 1));
    assert!(
        screen(&f.app).contains(&format!("denies → {claim}")),
        "{}",
        screen(&f.app)
    );
    keys(&mut f.app, "<Enter> <C-s>");
    let linked = |app: &App| {
        app.doc_of(0)
            .unwrap()
            .annotations()
            .iter()
            .map(|a| a.links.len())
            .sum::<usize>()
    };
    assert_eq!(linked(&f.app), 1, "{}", screen(&f.app));
    // Back to the claim, and make it a denial.
    keys(&mut f.app, "G [ [");
    keys(&mut f.app, "<Enter> <Right> <Enter>");
    let s = screen(&f.app);
    assert!(
        s.contains(&format!("removed the link {denial} denies {claim}")),
        "{s}"
    );
    assert_eq!(linked(&f.app), 0);
    let d = f.app.doc_of(0).unwrap();
    assert!(
        claimtag_model::check::structure_problems(&d.article.sidecar, &f.app.scheme).is_empty()
    );
    keys(&mut f.app, "u");
    assert_eq!(linked(&f.app), 1);
}
