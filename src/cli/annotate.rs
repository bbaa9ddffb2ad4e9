use std::path::PathBuf;

use claimtag_model::Scheme;
use claimtag_model::config::{BidiMode, Direction};
use claimtag_model::corpus::CorpusIndex;
use claimtag_model::session;

use super::{AnnotateArgs, Context, Failure};
use claimtag_tui::app::App;
use claimtag_tui::keymap::Keymap;
use claimtag_tui::theme::Theme;
use claimtag_tui::{self as tui, LoadJob};

/// What the annotating and review screens share: sources, scheme, keys, theme.
pub struct Setup {
    pub annotator: String,
    pub sources: Vec<PathBuf>,
    /// The one walk of the paths: sources and their annotators.
    pub index: CorpusIndex,
    pub scheme: Scheme,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Who reorders right-to-left text, and each source's paragraph
    /// direction (scheme's `directions:`, else its `direction:`, else the
    /// config's, else auto).
    pub bidi: BidiMode,
    pub directions: Vec<Direction>,
}

pub fn setup(ctx: &Context, paths: &[PathBuf]) -> Result<Setup, Failure> {
    let annotator = ctx.annotator()?;
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let index = CorpusIndex::scan(&paths)?;
    let sources = index.source_paths();
    index.trouble()?;
    if sources.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Failure::usage(format!(
            "{}: no *.txt or *.md files found",
            shown.join(", ")
        )));
    }
    let (scheme, scheme_path) = Scheme::discover(&paths[0])?;
    let scheme_dir = scheme_path
        .as_ref()
        .and_then(|p| p.parent())
        .and_then(|d| std::fs::canonicalize(d).ok());
    // Only a source named in `directions:` is looked up there: making every
    // path canonical took most of a second on 100,000 articles.
    let named: std::collections::BTreeSet<&str> = scheme
        .directions
        .keys()
        .filter_map(|k| k.rsplit('/').next())
        .collect();
    let directions = sources
        .iter()
        .map(|src| {
            let is_named = src
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| named.contains(n));
            // The scheme names articles relative to its own folder.
            let rel = scheme_dir.as_ref().filter(|_| is_named).and_then(|d| {
                let src = std::fs::canonicalize(src).ok()?;
                let rel = src.strip_prefix(d).ok()?;
                Some(rel.to_string_lossy().replace('\\', "/"))
            });
            rel.and_then(|r| scheme.direction_of(&r))
                .or(scheme.direction)
                .or(ctx.config.direction)
                .unwrap_or_default()
        })
        .collect();
    let scheme_name = scheme_path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the default scheme".into());
    let config_name = ctx
        .config
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "config.yaml".into());
    let keymap = Keymap::build(&scheme, &scheme_name, &ctx.config.keys, &config_name)
        .map_err(Failure::usage)?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::new(
        ctx.config.theme.as_deref(),
        no_color,
        &scheme,
        &ctx.config.colours,
    );
    Ok(Setup {
        annotator,
        sources,
        index,
        scheme,
        keymap,
        theme,
        bidi: ctx.bidi(),
        directions,
    })
}

pub fn run(ctx: &Context, args: AnnotateArgs) -> Result<(), Failure> {
    let s = setup(ctx, &args.paths)?;
    let rules = s.scheme.sentence_rules();
    let opened = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let key = session::corpus_key(&opened);
    let file = session::state_dir().map(|d| session::session_file(&d, &key));
    let (restored, focus, warning) = match &file {
        Some(f) if !args.no_restore => match session::load(f, &key) {
            Ok(Some(saved)) => (restored_panes(&saved, &s.sources), saved.focus, None),
            Ok(None) => (vec![], 0, None),
            Err(e) => (
                vec![],
                0,
                Some(format!("session not restored, file ignored: {e}")),
            ),
        },
        _ => (vec![], 0, None),
    };
    // The restored articles load first, so they are on screen at once.
    let mut order: Vec<usize> = Vec::new();
    for &(slot, _) in &restored {
        if !order.contains(&slot) {
            order.push(slot);
        }
    }
    let on_screen = if order.is_empty() { 1 } else { order.len() };
    order.extend((0..s.sources.len()).filter(|i| !restored.iter().any(|(slot, _)| slot == i)));
    // The articles shown at once are marked open as they load; the others
    // when they come on screen (a lock file each keeps a file open).
    let jobs: Vec<LoadJob> = order
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let (source, annotator) = (s.sources[i].clone(), s.annotator.clone());
            tui::open_job(i, source, annotator, rules.clone(), n < on_screen)
        })
        .collect();
    let suggest_from = args
        .suggest_from
        .or_else(|| ctx.config.suggest_from.clone())
        .unwrap_or_else(|| claimtag_model::suggest::DEFAULT_SET.to_string());
    if !claimtag_model::format::valid_annotator(&suggest_from) {
        return Err(Failure::usage(format!(
            "--suggest-from {suggest_from:?}: not 1-32 of A-Za-z0-9_-"
        )));
    }
    if suggest_from == s.annotator {
        return Err(Failure::usage(format!(
            "--suggest-from {suggest_from}: that is you; name another annotator's set"
        )));
    }
    let mut app = App::new(
        s.scheme,
        s.keymap,
        s.theme,
        s.annotator,
        s.sources,
        ctx.config.trim_selections,
    )
    .with_bidi(s.bidi, s.directions)
    .annotating();
    if let Some(f) = file {
        app = app.with_session(f, key);
    }
    app.restore(&restored, focus);
    if let Some(w) = warning {
        app.warn(w);
    }
    app.suggest_from = suggest_from;
    super::finish(tui::run(app, jobs))
}

/// The slot and cursor of each saved pane whose article is still a source
/// of the corpus (articles since removed are left out).
fn restored_panes(saved: &session::Session, sources: &[PathBuf]) -> Vec<(usize, usize)> {
    saved
        .panes
        .iter()
        .take(session::MAX_PANES)
        .filter_map(|p| {
            // Sources of the same file name are looked at first: making
            // every path canonical took most of a second on 100,000
            // articles. The others only when none is it (a link by another
            // name).
            let is_it = |s: &PathBuf| std::fs::canonicalize(s).is_ok_and(|c| c == p.article);
            let name = p.article.file_name();
            let slot = sources
                .iter()
                .position(|s| s.file_name() == name && is_it(s))
                .or_else(|| {
                    sources
                        .iter()
                        .position(|s| s.file_name() != name && is_it(s))
                })?;
            Some((slot, p.cursor))
        })
        .collect()
}
