//! Help, the README table and dispatch stay in step: every command of the
//! table, in every mode it belongs to, is reached by each of its keys through
//! the real key resolution (`App::resolve`, what `update` uses), starting from
//! the screen a user would be on.

use claimtag_model::Scheme;
use claimtag_model::config::Binding;
use claimtag_model::format::Link;

use super::review_screen::review_fixture;
use super::{ARTICLE, fixture, keys, screen};
use crate::action::{Action, SaveFailure};
use crate::app::{App, Overlay, Resolved};
use crate::command::{Command, Mode};
use crate::keymap::Keymap;

/// The app in `mode`, reached the way a user gets there.
fn enter(mode: Mode, c: Command) -> (Option<tempfile::TempDir>, App) {
    if matches!(mode, Mode::Review | Mode::Differences) {
        let (dir, mut app) = review_fixture();
        if mode == Mode::Differences {
            keys(&mut app, "D");
        }
        return (Some(dir), app);
    }
    let f = fixture(ARTICLE, (100, 30));
    let (dir, mut app) = (f._dir, f.app);
    match mode {
        Mode::Help => {
            keys(&mut app, "?");
        }
        Mode::Corpus => {
            keys(&mut app, "<C-p>");
        }
        Mode::Prompt | Mode::TextField => {
            keys(&mut app, "/ a b <Left>");
        }
        Mode::Editor | Mode::LinkPicker => {
            // a claim and a denial, so the denial can link to the claim
            keys(&mut app, "s c ) s d <Enter>");
            if mode == Mode::LinkPicker {
                keys(&mut app, "<Down> <Down> <Down> <Enter>");
            } else if c == Command::Unlink
                && let Overlay::Edit(form) = &mut app.overlay
            {
                form.links.push(Link {
                    rel: "denies".into(),
                    to: "a1".into(),
                });
                form.field = form.first_link_field();
            }
        }
        Mode::Orphans => {
            // an annotation whose text was not found: what the list shows
            if let crate::app::Slot::Ready(d) = &mut app.slots[0] {
                let doc = std::sync::Arc::clone(d.doc());
                let mut a =
                    claimtag_model::anchor::new_annotation(&doc, 60..80, "claim", "a1".into());
                a.orphan = true;
                d.article.sidecar.annotations.push(a);
                d.reindex();
            }
            keys(&mut app, "U");
        }
        Mode::Conflict => {
            keys(&mut app, "s c");
            app.update(Action::Saved {
                slot: 0,
                revision: 1,
                result: Err(SaveFailure {
                    changed_on_disk: true,
                    disk_unparsable: None,
                    message: "changed on disk".into(),
                }),
            });
        }
        Mode::Conflicts => {
            // a claim both sides relabelled differently, as a merge leaves it
            keys(&mut app, "s c");
            if let crate::app::Slot::Ready(d) = &mut app.slots[0] {
                let base = d.article.sidecar.clone();
                let (mut ours, mut theirs) = (base.clone(), base.clone());
                ours.annotations[0].label = "denial".into();
                theirs.annotations[0].label = "evidence".into();
                d.article.sidecar =
                    claimtag_model::merge::merge(Some(&base), &ours, &theirs, |_| None).sidecar;
                d.reindex();
            }
            keys(&mut app, "C");
        }
        Mode::Status => {
            keys(&mut app, "<C-p>");
            app.update(Action::StatusTable(Ok(vec!["a row".into(); 30])));
        }
        Mode::TakeOver => {
            if let crate::app::Slot::Ready(d) = &mut app.slots[0] {
                d.article.read_only = Some(format!(
                    "x.ann.yaml: {}process 1 on elsewhere",
                    crate::open_lock::OPEN_ELSEWHERE
                ));
            }
            keys(&mut app, "T");
        }
        Mode::LinkTarget | Mode::RelationMenu => {
            // a claim and evidence: evidence supports or refutes a claim
            keys(&mut app, "s c ) s e L [");
            if mode == Mode::RelationMenu {
                keys(&mut app, "<Enter>");
            }
        }
        Mode::Annotate | Mode::Review | Mode::Differences => {}
    }
    (Some(dir), app)
}

#[test]
fn every_command_is_reached_by_its_keys_in_each_of_its_modes() {
    let scheme = Scheme::default();
    let mut reached = 0;
    for c in Command::all(&scheme) {
        for &mode in c.modes() {
            let (_dir, app) = enter(mode, c);
            let at = if mode == Mode::TextField {
                Mode::Prompt
            } else {
                mode
            };
            assert_eq!(app.mode(), at, "could not reach {mode:?} for {c:?}");
            let seqs = app.keymap.sequences_in(mode, c);
            assert!(!seqs.is_empty(), "{c:?} has no key in {mode:?}");
            for seq in seqs {
                let (_dir, mut app) = enter(mode, c);
                let (last, prefix) = seq.split_last().unwrap();
                for k in prefix {
                    app.update(Action::Key(k.to_event()));
                }
                assert_eq!(
                    app.resolve(&last.to_event()),
                    Resolved::Command(c),
                    "{} in {mode:?}",
                    crate::keymap::sequence_label(&seq)
                );
                // and it runs
                app.update(Action::Key(last.to_event()));
                let _ = screen(&app);
                reached += 1;
            }
        }
    }
    assert!(reached > 100, "only {reached} bindings walked");
}

#[test]
fn help_lists_every_mode_and_command_with_its_keys() {
    let scheme = Scheme::default();
    let map = Keymap::defaults(&scheme);
    let sections = map.help_sections(&scheme, true);
    assert_eq!(
        sections.iter().map(|s| s.mode).collect::<Vec<_>>(),
        Mode::ALL.to_vec()
    );
    for c in Command::all(&scheme) {
        for mode in c.modes() {
            let section = sections.iter().find(|s| s.mode == *mode).unwrap();
            let row = section
                .rows
                .iter()
                .find(|r| r.name == c.name(&scheme))
                .unwrap_or_else(|| panic!("{c:?} missing in help of {mode:?}"));
            assert_eq!(row.keys, map.keys_in(*mode, c).join(", "));
        }
    }
    // the two the issue found missing
    let table = super::readme_key_table();
    assert!(table.contains("| `Ctrl-l` | `redraw` |"), "{table}");
    assert!(table.contains("| `D` | `differences` |"), "{table}");
}

fn rebound(action: &str, key: &str) -> Keymap {
    let b = Binding {
        action: action.into(),
        keys: vec![key.into()],
        line: 1,
        column: 1,
    };
    Keymap::build(&Scheme::default(), "claimtag.yaml", &[b], "config.yaml").unwrap()
}

#[test]
fn a_rebound_key_shows_in_the_hint_lines() {
    let mut f = fixture(ARTICLE, (100, 30));
    f.app.keymap = rebound("editor-cancel", "ctrl-g");
    keys(&mut f.app, "s c <Enter>");
    let s = screen(&f.app);
    assert!(s.contains("Ctrl-g cancel"), "{s}");
    assert!(!s.contains("Esc cancel"), "{s}");
    // and it works: Esc is no longer the editor's cancel key
    keys(&mut f.app, "<C-g>");
    assert!(matches!(f.app.overlay, Overlay::None));

    let mut f = fixture(ARTICLE, (100, 30));
    f.app.keymap = rebound("help", "F1");
    assert!(screen(&f.app).contains("F1 help"));

    let mut f = fixture(ARTICLE, (100, 30));
    f.app.keymap = rebound("list-close", "ctrl-q");
    keys(&mut f.app, "<C-p>");
    let s = screen(&f.app);
    assert!(
        s.contains("Enter opens, f filters, s status, C conflicts, Ctrl-q closes"),
        "{s}"
    );
}
