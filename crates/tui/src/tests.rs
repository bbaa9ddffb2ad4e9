//! Behaviour of the pure update and the drawing, without a terminal.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use claimtag_model::{Article, Scheme};

use super::app::{Action, App, Effect, Overlay, Slot};
use super::keymap::Keymap;
use super::theme::Theme;

const ARTICLE: &str = "Taliban: ISIS-K Leadership Transferred to Pakistan\n\nOn Al-Emarah, the chief Taliban spokesperson, Zabihullah Mujahid, wrote: “After ISIS was eliminated, the leaders were transferred to Balochistan.” Pakistan's Foreign Office denied the claim. Mr. Baloch said the U.S. Army has no evidence.\n\nA third paragraph follows here.\n";

struct Fixture {
    _dir: tempfile::TempDir,
    app: App,
}

fn fixture_with(files: &[(&str, &str)], size: (u16, u16)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        paths.push(p);
    }
    let scheme = Scheme::default();
    let keymap = Keymap::defaults(&scheme);
    let theme = Theme::new(None, false, &scheme, &Default::default());
    let mut app = App::new(scheme, keymap, theme, "alice".into(), paths.clone(), true);
    for (i, p) in paths.iter().enumerate() {
        app.update(Action::Loaded(
            i,
            Box::new(Article::open(p, "alice").map_err(|e| e.to_string())),
        ));
    }
    app.update(Action::Resize(size.0, size.1));
    Fixture { _dir: dir, app }
}

fn fixture(text: &str, size: (u16, u16)) -> Fixture {
    fixture_with(&[("001.txt", text)], size)
}

/// Types keys written like `s c <C-s> <Esc> <S-Right>`.
fn keys(app: &mut App, spec: &str) -> Vec<Effect> {
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

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

fn terminal(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    t
}

fn screen(app: &App) -> String {
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

fn annotations(app: &App) -> Vec<(String, String)> {
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
    insta::assert_snapshot!("selection", screen(&f.app));
    keys(&mut f.app, "c ) d");
    insta::assert_snapshot!("annotated", screen(&f.app));
    let t = terminal(&f.app);
    let buf = t.backend().buffer();
    // "On Al-Emarah" is the first claim: yellow background; the cursor's cell differs
    assert_eq!(buf[(1, 3)].bg, Color::Yellow);
}

#[test]
fn overlapping_spans_are_all_visible() {
    let mut f = fixture(ARTICLE, (60, 12));
    keys(&mut f.app, "j j p e g j j s c");
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
fn save_and_quit_are_effects() {
    let mut f = fixture(ARTICLE, (80, 20));
    assert_eq!(keys(&mut f.app, "s c <C-s>"), vec![Effect::Save(vec![0])]);
    assert_eq!(keys(&mut f.app, "q"), vec![Effect::SaveAndQuit]);
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
    screen(&f.app);
    for (w, h) in [(1, 1), (0, 0), (3, 2), (20, 5), (200, 3)] {
        f.app.update(Action::Resize(w, h));
        let _ = Terminal::new(TestBackend::new(w, h))
            .unwrap()
            .draw(|fr| fr.render_widget(&f.app, fr.area()));
    }
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
    assert!(s.contains("denies → a1"), "{s}");
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
    assert_eq!(a.links[0].to, "a1");
}

#[test]
fn empty_file_and_huge_line() {
    let mut f = fixture("", (30, 6));
    keys(&mut f.app, "j k w b ) ( } { G g s c v l e x u");
    assert!(annotations(&f.app).is_empty());
    screen(&f.app);
    let long = "word ".repeat(4_000);
    let mut f = fixture(&long, (40, 10));
    keys(&mut f.app, "G");
    let s = screen(&f.app);
    assert!(s.contains("1:20001"), "{s}");
    keys(&mut f.app, "g <PgDn> <PgDn> j j");
    assert!(f.app.focused().cursor > 0);
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

mod review_screen {
    use super::*;
    use crate::app::Pane;
    use crate::review::Review;
    use claimtag_model::anchor::new_annotation;
    use claimtag_model::review::rejected;

    /// alice and bob tagged the same article; the review goes into `gold`.
    fn review_fixture() -> (tempfile::TempDir, App) {
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
            vec![p.clone(), p.clone()],
            true,
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
        app.review = Some(Review {
            theirs: "bob".into(),
            into: Some("gold".into()),
            ours: "alice".into(),
            articles: 1,
            locked: true,
        });
        app.panes = vec![Pane::new(0), Pane::new(1)];
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
        let status = app.review.clone().unwrap().status(&app);
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
        assert_eq!(find("xAbC", "abc", 0), Some(1));
        assert_eq!(rfind("abc abc", "abc", 7), Some(4));
    }
}

/// The key table of README.md, as the help screen shows it.
fn readme_key_table() -> String {
    let scheme = Scheme::default();
    let map = Keymap::defaults(&scheme);
    let mut out = String::from(
        "| keys | action (name for `keys:` in config.yaml) | what it does |\n| --- | --- | --- |\n",
    );
    for (keys, name, desc) in map.help_rows(&scheme, true) {
        let keys = keys.replace('|', "\\|");
        out.push_str(&format!("| `{keys}` | `{name}` | {desc} |\n"));
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
    // and it survives a save and a reload
    let yaml = f.app.doc_of(0).unwrap().article.sidecar.to_yaml();
    assert!(yaml.contains("source_type: website"), "{yaml}");
}

/// Suggestions through the pure update: shown, stepped, accepted, rejected,
/// all accepted after confirmation, proposed from a tag; every step undoable.
mod suggestions {
    use super::*;
    use claimtag_model::suggest;

    /// The fixture with the built-in cues' suggestions handed to the state as
    /// the event loop would.
    fn with_suggestions() -> Fixture {
        let mut f = fixture(ARTICLE, (100, 20));
        let Some(Slot::Ready(d)) = f.app.slots.first() else {
            panic!("not loaded")
        };
        let doc = d.doc().clone();
        let p = suggest::load("builtin:en").unwrap();
        let m = suggest::Matcher::new(&p).unwrap();
        let mut set =
            claimtag_model::Sidecar::new("suggest", "001.txt", doc.sha256(), doc.len_chars());
        suggest::merge_into(&mut set, &doc, &suggest::find(&doc, &m));
        assert!(set.annotations.len() >= 3, "{:?}", set.annotations);
        f.app
            .update(Action::SuggestionsLoaded(0, Box::new(Ok(set.annotations))));
        f
    }

    fn left(f: &Fixture) -> usize {
        f.app.slots[0].doc().unwrap().suggestions.left()
    }

    fn own(f: &Fixture) -> &claimtag_model::Sidecar {
        &f.app.slots[0].doc().unwrap().article.sidecar
    }

    #[test]
    fn accept_reject_undo_and_accept_all() {
        let mut f = with_suggestions();
        let n = left(&f);
        keys(&mut f.app, "> a");
        assert_eq!(left(&f), n - 1);
        let a = &own(&f).annotations[0];
        assert!(a.from.as_deref().unwrap().starts_with("suggest:"), "{a:?}");
        keys(&mut f.app, "> r");
        assert_eq!(left(&f), n - 2);
        assert_eq!(suggest::rejected(own(&f), "suggest").len(), 1);
        keys(&mut f.app, "u");
        assert_eq!(left(&f), n - 1);
        assert!(suggest::rejected(own(&f), "suggest").is_empty());
        keys(&mut f.app, "<C-r>");
        assert_eq!(left(&f), n - 2);
        // A asks first; another key says no
        keys(&mut f.app, "A x");
        assert_eq!(left(&f), n - 2);
        keys(&mut f.app, "A y");
        assert_eq!(left(&f), 0);
        assert_eq!(own(&f).annotations.len(), n - 1);
        // one undo takes all of them back
        keys(&mut f.app, "u");
        assert_eq!(left(&f), n - 2);
        keys(&mut f.app, "A A");
        assert_eq!(left(&f), 0);
        assert!(f.app.slots[0].doc().unwrap().dirty);
    }

    #[test]
    fn ghosts_are_drawn_without_background_and_counted() {
        let mut f = with_suggestions();
        let n = left(&f);
        let (_, ghost) = f.app.slots[0].doc().unwrap().suggestions.ghosts[0].clone();
        let mut t = Terminal::new(TestBackend::new(100, 20)).unwrap();
        t.draw(|fr| fr.render_widget(&f.app, fr.area())).unwrap();
        let buf = t.backend().buffer().clone();
        let status: String = (0..100)
            .map(|x| buf[(x, 19)].symbol().to_string())
            .collect();
        assert!(status.contains(&format!("{n} suggested")), "{status}");
        // find the ghost's first character on screen: underlined, no background
        let doc = f.app.slots[0].doc().unwrap().doc().clone();
        let first = doc.text()[ghost.clone()]
            .chars()
            .nth(1)
            .unwrap()
            .to_string();
        let cell = (0..19u16)
            .flat_map(|y| (0..100u16).map(move |x| (x, y)))
            .map(|p| &buf[p])
            .find(|c| {
                c.symbol() == first && c.modifier.contains(ratatui::style::Modifier::UNDERLINED)
            })
            .expect("an underlined ghost cell");
        assert_eq!(cell.bg, Color::Reset);
        // accepting the first one turns it into a tag (a background)
        keys(&mut f.app, "> a");
        assert_eq!(left(&f), n - 1);
    }

    #[test]
    fn enter_edits_before_accepting_and_esc_leaves_it() {
        let mut f = with_suggestions();
        let n = left(&f);
        keys(&mut f.app, "> <Enter>");
        assert!(matches!(f.app.overlay, Overlay::Edit(_)));
        keys(&mut f.app, "<Esc>");
        assert_eq!(left(&f), n);
        assert!(own(&f).annotations.is_empty());
        keys(&mut f.app, "<Enter> e <Enter>");
        assert_eq!(left(&f), n - 1);
        assert_eq!(own(&f).annotations[0].label, "evidence");
        assert!(
            own(&f).annotations[0]
                .from
                .as_deref()
                .unwrap()
                .starts_with("suggest:")
        );
    }

    #[test]
    fn star_proposes_other_occurrences_and_undo_takes_them_back() {
        let text = "Mastung camp is large. They left.\n\nThe Mastung camp was empty.\n";
        let mut f = fixture(text, (80, 10));
        f.app
            .update(Action::SuggestionsLoaded(0, Box::new(Ok(vec![]))));
        keys(&mut f.app, "v l l l l l l l l l l l c");
        assert_eq!(own(&f).annotations[0].text, "Mastung camp");
        keys(&mut f.app, "*");
        assert_eq!(left(&f), 1);
        keys(&mut f.app, "> a");
        assert_eq!(own(&f).annotations.len(), 2);
        assert_eq!(
            own(&f).annotations[1].from.as_deref(),
            Some("suggest:like:alice")
        );
        keys(&mut f.app, "u u");
        assert_eq!(left(&f), 0, "the proposal is undone too");
    }
}
