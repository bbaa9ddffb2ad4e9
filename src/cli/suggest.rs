//! `claimtag suggest`: writes suggestions from cue patterns (and from another
//! annotator's tags, `--like`) as the sidecars of a suggestion set, and
//! `--report` tells per pattern how its suggestions fared.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use claimtag_model::corpus::{CorpusIndex, Source};
use claimtag_model::format::valid_annotator;
use claimtag_model::store::{self, Article};
use claimtag_model::suggest::{self, Matcher, Pattern, PatternStats};
use claimtag_model::{Document, Scheme};

use super::{Context, Failure, SuggestArgs};

pub fn run(ctx: &Context, args: SuggestArgs) -> Result<(), Failure> {
    let set = args.set.as_str();
    if !valid_annotator(set) {
        return Err(Failure::usage(format!(
            "--as {set:?}: not 1-32 of A-Za-z0-9_-"
        )));
    }
    let index = CorpusIndex::scan(&args.paths)?;
    let sources = &index.sources();
    index.trouble()?;
    if sources.is_empty() {
        return Err(Failure::usage(
            "suggest: no .txt or .md files under the PATHs",
        ));
    }
    if args.report {
        return report(ctx, &args, sources);
    }
    let first = args
        .paths
        .first()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("."));
    let (scheme, scheme_path) = Scheme::discover(first)?;
    let me = ctx.annotator().ok();
    if set == "gold" || me.as_deref() == Some(set) || args.like.as_deref() == Some(set) {
        return Err(Failure::usage(format!(
            "--as {set}: that is a person's or the gold set; suggestions go to a set of their own (default `suggest`)"
        )));
    }
    let patterns = load_patterns(&args, &scheme, scheme_path.as_deref())?;
    let matcher = Matcher::new(&patterns)?;
    let examples = match &args.like {
        Some(name) => Some(like_examples(name, sources)?),
        None => None,
    };
    let mut problems = Vec::new();
    let (mut added, mut files) = (0usize, 0usize);
    for source in sources {
        match suggest_one(
            source,
            set,
            &matcher,
            args.like.as_deref(),
            examples.as_deref(),
        ) {
            Ok(0) => {}
            Ok(n) => {
                added += n;
                files += 1;
            }
            Err(e) => problems.push(e),
        }
    }
    eprintln!(
        "claimtag: {added} new suggestion(s) as annotator {set} in {files} of {} article(s)",
        sources.len()
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::problems(problems))
    }
}

/// `--patterns`, else the files the scheme names under `patterns:`.
fn load_patterns(
    args: &SuggestArgs,
    scheme: &Scheme,
    scheme_path: Option<&Path>,
) -> Result<Vec<Pattern>, Failure> {
    let specs: Vec<String> = if !args.patterns.is_empty() {
        args.patterns.clone()
    } else {
        let base = scheme_path.and_then(Path::parent).unwrap_or(Path::new("."));
        scheme
            .patterns
            .values()
            .map(|spec| {
                if spec.starts_with(suggest::pattern::BUILTIN_PREFIX) {
                    spec.clone()
                } else {
                    base.join(spec).to_string_lossy().into_owned()
                }
            })
            .collect()
    };
    if specs.is_empty() && args.like.is_none() {
        return Err(Failure::usage(
            "suggest: give --patterns FILE|builtin:en, --like ANNOTATOR, or name pattern files under `patterns:` in claimtag.yaml",
        ));
    }
    let mut all: Vec<Pattern> = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let labels: Vec<&str> = scheme.label_names().collect();
    for spec in &specs {
        for p in suggest::load(spec)? {
            let at = format!("{}:{}", p.file.display(), p.line);
            if !labels.contains(&p.label.as_str()) {
                return Err(Failure::usage(format!(
                    "{at}: label {:?} is not in the scheme ({})",
                    p.label,
                    labels.join(", ")
                )));
            }
            if let Some(other) = ids.insert(p.id.clone(), at.clone()) {
                return Err(Failure::usage(format!(
                    "{at}: id {:?} is used by {other} too",
                    p.id
                )));
            }
            all.push(p);
        }
    }
    Ok(all)
}

/// Every (label, text) the annotator tagged, over the whole corpus.
fn like_examples(name: &str, sources: &[Source]) -> Result<Vec<(String, String)>, Failure> {
    if !valid_annotator(name) {
        return Err(Failure::usage(format!(
            "--like {name:?}: not 1-32 of A-Za-z0-9_-"
        )));
    }
    let mut seen = BTreeSet::new();
    let mut found_any = false;
    for s in sources.iter().filter(|s| s.has(name)) {
        if let Some(sidecar) = store::read_sidecar_only(&s.sidecar_path(name))? {
            found_any = true;
            for ex in suggest::examples_of(&sidecar.annotations) {
                seen.insert(ex);
            }
        }
    }
    if !found_any {
        return Err(Failure::usage(format!(
            "--like {name}: no sidecars of {name} under the PATHs"
        )));
    }
    Ok(seen.into_iter().collect())
}

/// Suggestions for one article, added to its sidecar of `set`. Returns how
/// many were new; an error is one line naming the file.
fn suggest_one(
    source: &Source,
    set: &str,
    matcher: &Matcher,
    like: Option<&str>,
    examples: Option<&[(String, String)]>,
) -> Result<usize, String> {
    let doc = std::sync::Arc::new(Document::load(&source.path).map_err(|e| e.to_string())?);
    let mut article = Article::with_doc(&source.path, std::sync::Arc::clone(&doc), set);
    if let Some(why) = &article.read_only {
        return Err(format!("{why} (not changed)"));
    }
    if let Some(human) = article
        .sidecar
        .annotations
        .iter()
        .find(|a| suggest::pattern_of(a).is_none())
    {
        return Err(format!(
            "{}: annotation {} has no `pattern:`; this is not a suggestion set, not changed",
            article.sidecar_path.display(),
            human.id
        ));
    }
    let mut found = suggest::find(&doc, matcher);
    if let (Some(name), Some(examples)) = (like, examples) {
        let theirs = if source.has(name) {
            store::read_sidecar_only(&source.sidecar_path(name))
                .map_err(|e| e.to_string())?
                .map(|s| s.annotations)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        found.extend(suggest::like_suggestions(
            suggest::like(&doc, examples, &theirs),
            name,
        ));
    }
    let added = suggest::merge_into(&mut article.sidecar, &doc, &found);
    if added > 0 || article.anchor.changed() {
        article.save().map_err(|e| e.to_string())?;
    }
    Ok(added)
}

fn report(ctx: &Context, args: &SuggestArgs, sources: &[Source]) -> Result<(), Failure> {
    let me = ctx.annotator()?;
    let set = args.set.as_str();
    let mut stats: BTreeMap<String, PatternStats> = BTreeMap::new();
    let mut problems = Vec::new();
    for source in sources.iter().filter(|s| s.has(set)) {
        let read = |name: &str| store::read_sidecar_only(&source.sidecar_path(name));
        let suggestions = match read(set) {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        let own = match source.has(&me).then(|| read(&me)).transpose() {
            Ok(o) => o.flatten(),
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        suggest::tally(set, &suggestions.annotations, own.as_ref(), &mut stats);
    }
    let rows: Vec<PatternStats> = stats.into_values().collect();
    let out = if args.json {
        let json = serde_json::json!({
            "set": set,
            "annotator": me,
            "patterns": rows,
        });
        serde_json::to_string_pretty(&json)
            .map_err(|e| Failure::usage(format!("suggest: cannot write JSON: {e}")))?
            + "\n"
    } else {
        table(set, &me, &rows)
    };
    super::agree::emit(&out)?;
    for p in &problems {
        eprintln!("claimtag: {p}");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::problems(vec![format!(
            "{} sidecar(s) could not be read (above)",
            problems.len()
        )]))
    }
}

fn table(set: &str, me: &str, rows: &[PatternStats]) -> String {
    let width = rows
        .iter()
        .map(|r| r.pattern.chars().count())
        .max()
        .unwrap_or(0)
        .max("pattern".len());
    let mut out = format!("suggestions of {set}, decided by {me}\n");
    out += &format!(
        "{:<width$}  {:<9} {:>9} {:>8} {:>8} {:>6} {:>9}\n",
        "pattern", "label", "suggested", "accepted", "rejected", "left", "precision"
    );
    let mut total = PatternStats::default();
    for r in rows {
        out += &row(r, width);
        total.suggested += r.suggested;
        total.accepted += r.accepted;
        total.rejected += r.rejected;
        total.left += r.left;
    }
    let decided = total.accepted + total.rejected;
    total.precision = (decided > 0).then(|| total.accepted as f64 / decided as f64);
    total.pattern = "all".into();
    out += &row(&total, width);
    out
}

fn row(r: &PatternStats, width: usize) -> String {
    let precision = match r.precision {
        Some(p) => format!("{p:.2}"),
        None => "n/a".into(),
    };
    format!(
        "{:<width$}  {:<9} {:>9} {:>8} {:>8} {:>6} {:>9}\n",
        r.pattern, r.label, r.suggested, r.accepted, r.rejected, r.left, precision
    )
}
