use std::sync::Arc;

use claimtag_model::corpus::{CorpusIndex, GOLD};
use claimtag_model::format::valid_annotator;
use claimtag_model::review::adjudicated_copy;
use claimtag_model::{Article, Document};

use super::annotate::setup;
use super::{Context, Failure, ReviewArgs};
use claimtag_tui::app::App;
use claimtag_tui::review::Review;
use claimtag_tui::{self as tui, LoadJob};

pub fn run(ctx: &Context, args: ReviewArgs) -> Result<(), Failure> {
    let s = setup(ctx, &args.paths)?;
    let ours = s.annotator.clone();
    let target = args.into.clone().unwrap_or_else(|| ours.clone());
    let theirs = match args.theirs.clone() {
        Some(t) => t,
        None => only_other_annotator(&s.index, &[&ours, &target, GOLD])?,
    };
    for name in [&theirs, &target] {
        if !valid_annotator(name) {
            return Err(Failure::usage(format!(
                "annotator name {name:?} must be 1-32 of A-Za-z0-9_-"
            )));
        }
    }
    if theirs == target {
        return Err(Failure::usage(format!(
            "--theirs {theirs} is the set being reviewed into; choose another colleague or --into NAME"
        )));
    }
    let n = s.sources.len();
    let with_theirs: Vec<usize> = (0..n).filter(|&i| s.index.has(i, &theirs)).collect();
    let Some(&first) = with_theirs.first() else {
        return Err(Failure::usage(format!(
            "no sidecars by {theirs} next to the {n} article(s) given"
        )));
    };
    let into = args.into.clone();
    let mut jobs: Vec<LoadJob> = Vec::new();
    let rules = s.scheme.sentence_rules();
    for (i, source) in s.sources.iter().enumerate() {
        let (source, target, theirs, ours, into, rules) = (
            source.clone(),
            target.clone(),
            theirs.clone(),
            ours.clone(),
            into.clone(),
            rules.clone(),
        );
        jobs.push(Box::new(move || {
            let doc = match Document::load(&source) {
                Ok(d) => Arc::new(d.with_sentence_rules(rules)),
                Err(e) => return vec![(i, Err(e.to_string())), (n + i, Err(e.to_string()))],
            };
            let mut mine = Article::with_doc(&source, doc.clone(), &target);
            // A new adjudicated set starts as a copy of yours.
            if let Some(into) = &into
                && mine.stamp.is_none()
                && mine.read_only.is_none()
                && mine.sidecar.annotations.is_empty()
            {
                let yours = Article::with_doc(&source, doc.clone(), &ours);
                if yours.read_only.is_none() {
                    mine.sidecar = adjudicated_copy(&yours.sidecar, into, &ours);
                }
            }
            let other = Article::with_doc(&source, doc, &theirs);
            vec![(i, Ok(mine)), (n + i, Ok(other))]
        }));
    }
    // The first article to review loads before the first frame.
    let job = jobs.remove(first);
    jobs.insert(0, job);
    let mut app = App::new(
        s.scheme,
        s.keymap,
        s.theme,
        s.annotator,
        s.sources,
        ctx.config.trim_selections,
    )
    .with_bidi(s.bidi, s.directions);
    app.start_review(Review::new(theirs, into, ours), first);
    super::finish(tui::run(app, jobs))
}

/// The one annotator with sidecars beside the sources who is not `exclude`d.
fn only_other_annotator(index: &CorpusIndex, exclude: &[&str]) -> Result<String, Failure> {
    let others: Vec<String> = index
        .annotators()
        .into_iter()
        .filter(|a| !exclude.contains(a))
        .map(str::to_string)
        .collect();
    match others.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Failure::usage(
            "no colleague's sidecars found: nothing to review",
        )),
        many => Err(Failure::usage(format!(
            "whose tags? choose with --theirs NAME: {}",
            many.join(", ")
        ))),
    }
}
