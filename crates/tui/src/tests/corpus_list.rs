//! The corpus list of a folder with more articles than a screen row number
//! holds (65,535): the row chosen is the row shown, and a frame formats the
//! rows on screen, not all of them.

use crate::app::{Action, App};
use crate::keymap::Keymap;
use crate::theme::Theme;
use claimtag_model::Scheme;

use super::{keys, screen};

#[test]
fn the_last_of_70000_articles_is_shown_when_chosen() {
    let paths: Vec<std::path::PathBuf> = (0..70_000)
        .map(|i| std::path::PathBuf::from(format!("corpus/{i:06}.txt")))
        .collect();
    let scheme = Scheme::default();
    let keymap = Keymap::defaults(&scheme);
    let theme = Theme::new(None, false, &scheme, &Default::default());
    let mut app = App::new(scheme, keymap, theme, "alice".into(), paths, true);
    app.update(Action::Resize(80, 20));
    keys(&mut app, "F G");
    let shown = screen(&app);
    assert!(shown.contains("069999.txt"), "{shown}");
    assert!(
        !shown.contains("034"),
        "rows far from the chosen one: {shown}"
    );
    keys(&mut app, "k k");
    assert!(screen(&app).contains("069997.txt"));
    keys(&mut app, "g");
    assert!(screen(&app).contains("000000.txt"));
}
