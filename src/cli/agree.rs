//! `claimtag agree`: parses arguments, measures with `claimtag_model::agree`, prints
//! a table or JSON. Definitions: docs/agreement.md.

use claimtag_model::Scheme;
use claimtag_model::agree::{self, AgreeError, Report};

use super::{AgreeArgs, Context, Failure};

pub fn run(ctx: &Context, args: AgreeArgs) -> Result<(), Failure> {
    if let Some(min) = args.min
        && !min.is_finite()
    {
        return Err(Failure::usage(format!(
            "--min {min}: expected a finite number"
        )));
    }
    let first = args
        .paths
        .first()
        .ok_or_else(|| Failure::usage("agree: give at least one PATH"))?;
    let (scheme, _) = Scheme::discover(first)?;
    let excluded: Vec<String> = ctx.config.suggest_from.iter().cloned().collect();
    let corpus =
        agree::load_corpus_excluding(&args.paths, &args.annotators, &excluded).map_err(|e| {
            // Say why articles were left out before saying that none is left.
            let mut messages = match &e {
                AgreeError::NoCommonArticle { warnings, .. } => warnings.clone(),
                _ => Vec::new(),
            };
            messages.push(e.to_string());
            Failure { code: 2, messages }
        })?;
    for w in &corpus.warnings {
        for line in w.lines() {
            eprintln!("claimtag: {line}");
        }
    }
    let labels = agree::labels_to_report(&scheme, &corpus);
    let report = agree::measure(&corpus, &labels);
    for n in &report.notes {
        eprintln!("claimtag: {n}");
    }
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::usage(format!("agree: cannot write JSON: {e}")))?;
        emit(&(json + "\n"))?;
    } else {
        emit(&table(&report))?;
    }
    match args.min {
        Some(min) => {
            let below = report.below(min);
            if below.is_empty() {
                Ok(())
            } else {
                Err(Failure::problems(below))
            }
        }
        None => Ok(()),
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends output quietly.
pub(super) fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::usage(format!("stdout: {e}"))),
    }
}

fn cell(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{v:.3}"),
        None => "n/a".to_string(),
    }
}

/// The readable table: one row per label, metric columns, span counts per
/// annotator, then the notes explaining every `n/a`.
fn table(r: &Report) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Agreement of {} over {} article(s), {} units (non-whitespace code points) per label.\n",
        r.annotators.join(", "),
        r.documents,
        r.units
    ));
    if r.kappa_kind == "cohen" {
        out.push_str("kappa: Cohen's kappa; alpha: Krippendorff's alpha (nominal).\n");
    } else {
        let pairs = r.annotators.len() * (r.annotators.len() - 1) / 2;
        out.push_str(&format!(
            "kappa: MEAN of Cohen's kappa over the {pairs} annotator pairs; \
             alpha: Krippendorff's alpha (nominal) over all {}; F1: mean over pairs.\n",
            r.annotators.len()
        ));
    }
    out.push('\n');
    let label_width = r
        .label_order
        .iter()
        .map(|l| l.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    let mut header = format!(
        "{:<label_width$}  {:>6}  {:>6}  {:>8}  {:>10}",
        "label", "kappa", "alpha", "F1 exact", "F1 overlap"
    );
    let widths: Vec<usize> = r
        .annotators
        .iter()
        .map(|a| a.chars().count().max(5))
        .collect();
    for (a, w) in r.annotators.iter().zip(&widths) {
        header.push_str(&format!("  {a:>w$}"));
    }
    out.push_str(header.trim_end());
    out.push('\n');
    let mut notes = Vec::new();
    for label in &r.label_order {
        let Some(l) = r.labels.get(label) else {
            continue;
        };
        let mut row = format!(
            "{:<label_width$}  {:>6}  {:>6}  {:>8}  {:>10}",
            label,
            cell(l.kappa),
            cell(l.alpha),
            cell(l.f1_exact),
            cell(l.f1_overlap)
        );
        for (a, w) in r.annotators.iter().zip(&widths) {
            let n = l.spans.get(a).copied().unwrap_or(0);
            row.push_str(&format!("  {n:>w$}"));
        }
        out.push_str(&row);
        out.push('\n');
        notes.extend(l.notes.iter().map(|n| format!("{label}: {n}")));
    }
    out.push_str("(last columns: spans per annotator)\n");
    if !notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in notes {
            out.push_str(&format!("- {n}\n"));
        }
    }
    out
}
