//! Linking in the text (issue 12, item 1): `L` from the annotation under the
//! cursor, motions and `]`/`[` to the target, Enter; the relation at once or
//! from a menu; refused when the scheme allows none; Esc cancels; undoable.

use claimtag_model::Scheme;
use claimtag_model::format::Link;
use ratatui::style::Modifier;

use super::{ARTICLE, fixture, id_at, keys, terminal};
use crate::app::{App, Overlay};
use crate::command::Mode;
use crate::theme::Theme;

fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn links_of(app: &App, n: usize) -> Vec<Link> {
    app.doc_of(0).unwrap().annotations()[n].links.clone()
}

#[test]
fn a_denial_is_linked_to_the_claim_picked_in_the_text_and_undo_removes_it() {
    let mut f = fixture(ARTICLE, (100, 30));
    // A claim, then a denial after it; the cursor on the denial.
    keys(&mut f.app, "j j s c ) s d");
    let (claim, denial) = (id_at(&f.app, 0), id_at(&f.app, 1));
    assert_eq!(f.app.doc_of(0).unwrap().annotations()[1].label, "denial");
    keys(&mut f.app, "L");
    assert_eq!(f.app.mode(), Mode::LinkTarget);
    assert!(message(&f.app).contains(&denial), "{}", message(&f.app));
    // Tagging keys do nothing while choosing a target.
    keys(&mut f.app, "c");
    assert_eq!(f.app.doc_of(0).unwrap().annotations().len(), 2);
    keys(&mut f.app, "[");
    assert_eq!(f.app.link_target(), Some(0));
    keys(&mut f.app, "<Enter>");
    // denial → claim: the scheme allows one relation, taken at once.
    assert!(matches!(f.app.overlay, Overlay::None));
    assert_eq!(
        links_of(&f.app, 1),
        [Link {
            rel: "denies".into(),
            to: claim.clone()
        }]
    );
    assert!(message(&f.app).contains("linked"), "{}", message(&f.app));
    assert!(f.app.doc_of(0).unwrap().dirty);
    keys(&mut f.app, "u");
    assert!(links_of(&f.app, 1).is_empty());
    keys(&mut f.app, "<C-r>");
    assert_eq!(links_of(&f.app, 1).len(), 1);
}

#[test]
fn several_allowed_relations_are_chosen_from_a_menu() {
    let mut f = fixture(ARTICLE, (100, 30));
    // A claim, then evidence (supports or refutes a claim).
    keys(&mut f.app, "j j s c ) ) s e");
    let claim = id_at(&f.app, 0);
    assert_eq!(f.app.doc_of(0).unwrap().annotations()[1].label, "evidence");
    keys(&mut f.app, "L [ <Enter>");
    assert_eq!(f.app.mode(), Mode::RelationMenu);
    let screen = super::screen(&f.app);
    assert!(
        screen.contains("supports") && screen.contains("refutes"),
        "{screen}"
    );
    // Esc in the menu goes back to the target; Enter opens it again.
    keys(&mut f.app, "<Esc>");
    assert_eq!(f.app.mode(), Mode::LinkTarget);
    keys(&mut f.app, "<Enter> <Down> <Enter>");
    assert_eq!(
        links_of(&f.app, 1),
        [Link {
            rel: "refutes".into(),
            to: claim
        }]
    );
    assert_eq!(f.app.mode(), Mode::Annotate);
}

#[test]
fn a_target_the_scheme_allows_no_relation_to_is_refused_and_esc_cancels() {
    let mut f = fixture(ARTICLE, (100, 30));
    // Evidence, then a denial: a denial may only deny a claim.
    keys(&mut f.app, "j j s e ) s d");
    keys(&mut f.app, "L [ <Enter>");
    let m = message(&f.app);
    assert!(
        m.contains("allows no relation from denial to evidence"),
        "{m}"
    );
    assert_eq!(f.app.mode(), Mode::LinkTarget);
    // Enter on the source itself: no target there.
    keys(&mut f.app, "] <Enter>");
    assert!(
        message(&f.app).contains("no other annotation"),
        "{}",
        message(&f.app)
    );
    keys(&mut f.app, "<Esc>");
    assert_eq!(f.app.mode(), Mode::Annotate);
    assert!(message(&f.app).contains("cancelled"));
    assert!(links_of(&f.app, 0).is_empty() && links_of(&f.app, 1).is_empty());
    // A claim links to nothing in the default scheme: refused at once.
    keys(&mut f.app, ") s c L");
    assert_eq!(f.app.mode(), Mode::Annotate);
    assert!(
        message(&f.app).contains("no link from a claim"),
        "{}",
        message(&f.app)
    );
    // No annotation under the cursor: nothing to link from.
    keys(&mut f.app, "g L");
    assert_eq!(f.app.mode(), Mode::Annotate);
    assert!(message(&f.app).contains("no annotation under the cursor"));
}

/// The text of the cells of the panes (not the title or status rows) that
/// look like a link target.
fn cells_with(app: &App, is_target: impl Fn(&ratatui::buffer::Cell) -> bool) -> String {
    let t = terminal(app);
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 1..buf.area.height - 1 {
        for x in 0..buf.area.width {
            if is_target(&buf[(x, y)]) {
                s.push_str(buf[(x, y)].symbol());
            }
        }
    }
    s
}

#[test]
fn the_target_is_highlighted_unlike_selection_and_spans_also_without_colour() {
    for no_color in [false, true] {
        let mut f = fixture(ARTICLE, (120, 20));
        f.app.theme = Theme::new(None, no_color, &Scheme::default(), &Default::default());
        keys(&mut f.app, "j j s c ) s d");
        let t = f.app.theme.link_target;
        assert_ne!(t, f.app.theme.selection);
        assert_ne!(t, f.app.theme.cursor);
        assert!(!f.app.theme.labels.contains(&t));
        let marker = |c: &ratatui::buffer::Cell| {
            if no_color {
                // (The cursor, blinking, on an italic denial is not one.)
                c.modifier.contains(Modifier::ITALIC | Modifier::REVERSED)
                    && !c.modifier.contains(Modifier::SLOW_BLINK)
            } else {
                c.bg == ratatui::style::Color::LightCyan
            }
        };
        assert_eq!(cells_with(&f.app, marker), "", "no target before linking");
        keys(&mut f.app, "L [");
        let marked = cells_with(&f.app, marker);
        // The claim's text but for the cursor on its first letter.
        assert!(
            marked.contains("Al-Emarah, the chief Taliban spokesperson"),
            "no_color {no_color}: {marked:?}"
        );
        assert!(!marked.contains("Pakistan's Foreign Office"), "{marked:?}");
        let status = super::screen(&f.app);
        assert!(status.contains("LINK from"), "{status}");
        keys(&mut f.app, "<Esc>");
        assert_eq!(cells_with(&f.app, marker), "");
    }
}
