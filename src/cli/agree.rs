//! `claimtag agree`: parses arguments, measures with `claimtag_model::agree`, prints
//! a table or JSON; `--partial` also writes the shard's additive statistics and
//! `--combine` adds such files up. Definitions: docs/agreement.md.

use std::path::PathBuf;

use claimtag_model::Scheme;
use claimtag_model::agree::{self, AgreeError, Report, Stats};
use claimtag_model::corpus::CorpusIndex;
use claimtag_model::output::write_output;
use claimtag_model::store;

use super::{AgreeArgs, Context, Failure};

pub fn run(ctx: &Context, args: AgreeArgs) -> Result<(), Failure> {
    if let Some(min) = args.min
        && !min.is_finite()
    {
        return Err(Failure::usage(format!(
            "--min {min}: expected a finite number"
        )));
    }
    let stats = if args.combine.is_empty() {
        measure(ctx, &args)?
    } else {
        combine(&args.combine)?
    };
    if let Some(out) = &args.partial {
        let json = serde_json::to_string(&stats)
            .map_err(|e| Failure::usage(format!("agree: cannot write JSON: {e}")))?;
        write_output(out, (json + "\n").as_bytes())?;
        eprintln!(
            "claimtag: wrote the statistics of {} article(s) to {} (add shards up with agree --combine)",
            stats.documents,
            out.display()
        );
    }
    let report = agree::report(&stats);
    for n in &report.notes {
        eprintln!("claimtag: {n}");
    }
    if args.json {
        // What was left out goes to stderr too: stdout is for the program.
        for w in &report.left_out {
            eprintln!("claimtag: {w}");
        }
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

/// Loads the corpus under the PATHs and counts what the measures need.
fn measure(ctx: &Context, args: &AgreeArgs) -> Result<Stats, Failure> {
    let first = args
        .paths
        .first()
        .ok_or_else(|| Failure::usage("agree: give at least one PATH (or --combine PART...)"))?;
    let (scheme, _) = Scheme::discover(first)?;
    // A configured suggestion set is nobody's judgement: left out by default.
    let excluded: Vec<String> = ctx.config.suggest_from.iter().cloned().collect();
    let index = CorpusIndex::scan(&args.paths)?;
    let scheme_labels: Vec<String> = scheme.label_names().map(str::to_string).collect();
    let stats = agree::measure_streaming(
        &index,
        &args.annotators,
        &excluded,
        args.done_only,
        &scheme_labels,
    )
    .map_err(not_measured)?;
    index.trouble()?;
    Ok(stats)
}

/// Says why articles were left out before saying that none is left.
fn not_measured(e: AgreeError) -> Failure {
    let mut messages = match &e {
        AgreeError::NoCommonArticle { warnings, .. } | AgreeError::NothingDone { warnings, .. } => {
            warnings.clone()
        }
        _ => Vec::new(),
    };
    messages.push(e.to_string());
    Failure { code: 2, messages }
}

/// Reads and adds up files written by `--partial`.
fn combine(parts: &[PathBuf]) -> Result<Stats, Failure> {
    let mut read = Vec::with_capacity(parts.len());
    for p in parts {
        let (bytes, _) = store::read_capped(p, 1 << 30)?;
        let stats: Stats = serde_json::from_slice(&bytes).map_err(|e| {
            Failure::usage(format!(
                "{}:{}:{}: not agree --partial output: {e}",
                p.display(),
                e.line(),
                e.column()
            ))
        })?;
        read.push((p.display().to_string(), stats));
    }
    agree::combine(read).map_err(|e| Failure::usage(e.to_string()))
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

/// What was compared and what was left out, first, so a changed comparison is
/// never silent.
fn compared(r: &Report) -> String {
    let mut out = format!(
        "Compared {} annotators ({}) over {} article(s){}.\n",
        r.annotators.len(),
        r.annotators.join(", "),
        r.documents,
        if r.done_only {
            ", only articles everyone marked done"
        } else {
            ""
        }
    );
    if r.left_out.is_empty() {
        out.push_str("Left out: none.\n");
    } else {
        out.push_str(&format!("Left out ({}):\n", r.left_out.len()));
        for w in &r.left_out {
            out.push_str(&format!("- {w}\n"));
        }
    }
    if r.untouched > 0 {
        out.push_str(&format!(
            "Not annotated by any of them: {} article(s).\n",
            r.untouched
        ));
    }
    out
}

/// The readable table: one row per label, metric columns, span counts per
/// annotator, then the notes explaining every `n/a`.
fn table(r: &Report) -> String {
    let mut out = compared(r);
    out.push_str(&format!(
        "Units: {} non-whitespace code points (kappa, alpha_c, F1), {} grapheme clusters (alpha_u).\n",
        r.units, r.graphemes
    ));
    if r.kappa_kind == "cohen" {
        out.push_str(
            "kappa: Cohen's kappa; alpha_c: Krippendorff's alpha for coding (nominal), per character; \
             alpha_u: Krippendorff's unitizing alpha.\n",
        );
    } else {
        let pairs = r.annotators.len() * (r.annotators.len() - 1) / 2;
        out.push_str(&format!(
            "kappa: MEAN of Cohen's kappa over the {pairs} annotator pairs; \
             alpha_c (coding, per character) and alpha_u (unitizing): over all {}; F1: mean over pairs.\n",
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
        "{:<label_width$}  {:>6}  {:>7}  {:>7}  {:>8}  {:>10}",
        "label", "kappa", "alpha_c", "alpha_u", "F1 exact", "F1 overlap"
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
            "{:<label_width$}  {:>6}  {:>7}  {:>7}  {:>8}  {:>10}",
            label,
            cell(l.kappa),
            cell(l.alpha_coding),
            cell(l.alpha_u),
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
