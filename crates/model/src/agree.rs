//! Agreement measures (issue 4): Cohen's kappa, Krippendorff's alpha for coding
//! (nominal) over code point units, Krippendorff's unitizing alpha (in
//! [`crate::unitizing`], issue 11) and span F1 (exact and overlap), plus loading
//! a corpus of sidecars to measure. Definitions are in `docs/agreement.md`.
//!
//! The measures are pure functions of unit vectors or span lists. For large
//! corpora they are computed from small count tables ([`PairTable`],
//! [`AlphaTable`], [`SpanTable`]) that are filled one document at a time, so no
//! corpus-wide unit vector is ever held in memory.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::corpus::{CorpusIndex, GOLD, short_hash};
use crate::error::Error;
use crate::format::{Annotation, Sidecar, Status, valid_annotator};
use crate::parallel;
use crate::scheme::Scheme;
use crate::store;
use crate::text::Document;
use crate::unitizing::{Segment, UnitizingTable, units_of};

/// Why a measure has no value. Shown as the reason next to `n/a` / `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undefined {
    /// There are no units (or the vectors differ in length).
    NoUnits,
    /// Every unit has the same value from every annotator, so the agreement
    /// expected by chance is 1 and the ratio is 0/0.
    SingleValue,
    /// Neither annotator marked any span of the label.
    NoSpans,
    /// Fewer than two annotators.
    TooFewAnnotators,
    /// The unit vectors do not have the same length.
    LengthMismatch,
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Undefined::NoUnits => "there are no units",
            Undefined::SingleValue => {
                "every unit has the same value from every annotator (expected agreement is 1)"
            }
            Undefined::NoSpans => "no annotator marked a span of this label",
            Undefined::TooFewAnnotators => "fewer than two annotators",
            Undefined::LengthMismatch => "unit vectors differ in length",
        })
    }
}

/// A measure's value, or why it has none. Never NaN.
pub type Measure = Result<f64, Undefined>;

// ---------------------------------------------------------------------------
// Cohen's kappa
// ---------------------------------------------------------------------------

/// 2×2 contingency table of two annotators' binary unit values.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairTable {
    pub both: u64,
    pub only_a: u64,
    pub only_b: u64,
    pub neither: u64,
}

impl PairTable {
    /// Adds the units of one document.
    pub fn add(&mut self, a: &[bool], b: &[bool]) -> Result<(), Undefined> {
        if a.len() != b.len() {
            return Err(Undefined::LengthMismatch);
        }
        let both = count_true(a.iter().zip(b).map(|(&x, &y)| x & y));
        let (in_a, in_b) = (count_true(a.iter().copied()), count_true(b.iter().copied()));
        self.both += both;
        self.only_a += in_a - both;
        self.only_b += in_b - both;
        self.neither += a.len() as u64 - (in_a + in_b - both);
        Ok(())
    }

    pub fn units(&self) -> u64 {
        self.both + self.only_a + self.only_b + self.neither
    }

    /// Cohen's kappa, `(p_o - p_e) / (1 - p_e)`, computed from integer counts as
    /// `(n·agree - Σ a_c·b_c) / (n² - Σ a_c·b_c)` so it is exact up to the
    /// final division (the same formula scikit-learn uses).
    pub fn kappa(&self) -> Measure {
        let n = i128::from(self.units());
        if n == 0 {
            return Err(Undefined::NoUnits);
        }
        let agree = i128::from(self.both + self.neither);
        let a1 = i128::from(self.both + self.only_a);
        let b1 = i128::from(self.both + self.only_b);
        let chance = a1 * b1 + (n - a1) * (n - b1);
        let denominator = n * n - chance;
        if denominator == 0 {
            return Err(Undefined::SingleValue);
        }
        Ok(ratio(n * agree - chance, denominator))
    }
}

/// Cohen's kappa of two annotators' unit vectors.
pub fn cohen_kappa(a: &[bool], b: &[bool]) -> Measure {
    let mut t = PairTable::default();
    t.add(a, b)?;
    t.kappa()
}

/// How many of a text's units are true, counted as a 32-bit sum (the units
/// of one text fit), which the compiler vectorises four to a lane where
/// `filter().count()` takes two, and not unit by unit.
fn count_true(units: impl Iterator<Item = bool>) -> u64 {
    u64::from(units.map(u32::from).sum::<u32>())
}

// ---------------------------------------------------------------------------
// Krippendorff's alpha, nominal, binary values, every unit coded by everyone
// ---------------------------------------------------------------------------

/// Per-unit tallies for Krippendorff's alpha: `by_ones[k]` is the number of
/// units that exactly `k` of the annotators marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlphaTable {
    annotators: usize,
    by_ones: Vec<u64>,
}

impl AlphaTable {
    pub fn new(annotators: usize) -> AlphaTable {
        AlphaTable {
            annotators,
            by_ones: vec![0; annotators + 1],
        }
    }

    /// Adds the units of one document: one vector per annotator.
    pub fn add(&mut self, coders: &[&[bool]]) -> Result<(), Undefined> {
        if coders.len() != self.annotators {
            return Err(Undefined::TooFewAnnotators);
        }
        let Some(first) = coders.first() else {
            return Ok(());
        };
        if coders.iter().any(|c| c.len() != first.len()) {
            return Err(Undefined::LengthMismatch);
        }
        // Coder by coder over all units (vectorised), then one histogram.
        let mut ones = vec![0u32; first.len()];
        for coder in coders {
            for (n, &x) in ones.iter_mut().zip(coder.iter()) {
                *n += u32::from(x);
            }
        }
        // One vectorised count per number of annotators, not each unit
        // into the histogram in turn (every step waited on the last one's
        // store: a tenth of `agree`); the unmarked are what is left.
        let mut marked = 0u64;
        for (k, slot) in self.by_ones.iter_mut().enumerate().skip(1) {
            let k = k as u32;
            let n = count_true(ones.iter().map(|&n| n == k));
            *slot += n;
            marked += n;
        }
        self.by_ones[0] += first.len() as u64 - marked;
        Ok(())
    }

    pub fn units(&self) -> u64 {
        self.by_ones.iter().sum()
    }

    /// Krippendorff's alpha, nominal: `1 - (n-1)·D_o / D_e` from the coincidence
    /// matrix. With values 0/1 and `m` annotators coding every unit:
    /// `n = m·N`, `n_1 = Σ k·c_k`, observed off-diagonal coincidences
    /// `Σ c_k·2k(m-k)/(m-1)`, expected `2·n_0·n_1/(n-1)`.
    pub fn alpha(&self) -> Measure {
        let m = self.annotators as i128;
        if m < 2 {
            return Err(Undefined::TooFewAnnotators);
        }
        let units = i128::from(self.units());
        if units == 0 {
            return Err(Undefined::NoUnits);
        }
        let n = m * units;
        let mut n1 = 0i128;
        let mut disagreeing = 0i128; // Σ c_k·k(m-k)
        for (k, &count) in self.by_ones.iter().enumerate() {
            let k = k as i128;
            let c = i128::from(count);
            n1 += k * c;
            disagreeing += c * k * (m - k);
        }
        let n0 = n - n1;
        let expected = (m - 1) * n0 * n1;
        if expected == 0 {
            return Err(Undefined::SingleValue);
        }
        Ok(ratio(expected - (n - 1) * disagreeing, expected))
    }
}

/// Krippendorff's alpha (nominal) of several annotators' unit vectors.
pub fn krippendorff_alpha_nominal(coders: &[&[bool]]) -> Measure {
    if coders.len() < 2 {
        return Err(Undefined::TooFewAnnotators);
    }
    let mut t = AlphaTable::new(coders.len());
    t.add(coders)?;
    t.alpha()
}

/// `num / den` as f64 for integers whose quotient lies in a sane range. The
/// conversion to f64 rounds both, which is far below the 3 decimals shown.
fn ratio(num: i128, den: i128) -> f64 {
    num as f64 / den as f64
}

// ---------------------------------------------------------------------------
// Span F1
// ---------------------------------------------------------------------------

/// Half-open code point range of a span.
pub type Range = (usize, usize);

/// Whether two spans share at least one code point (an empty span overlaps
/// nothing).
pub fn spans_overlap(a: Range, b: Range) -> bool {
    a.0.max(b.0) < a.1.min(b.1)
}

/// Span counts of two annotators for one label, summed over documents.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanTable {
    pub a_spans: u64,
    pub b_spans: u64,
    /// Spans matched one to one with the same start and end (a multiset
    /// intersection: a span given twice by A matches at most two of B's).
    pub exact: u64,
    /// A's spans that overlap some span of B.
    pub a_overlapping: u64,
    /// B's spans that overlap some span of A.
    pub b_overlapping: u64,
}

impl SpanTable {
    /// Adds one document's spans (all of one label).
    pub fn add(&mut self, a: &[Range], b: &[Range]) {
        self.a_spans += a.len() as u64;
        self.b_spans += b.len() as u64;
        self.exact += exact_matches(a, b);
        self.a_overlapping += overlapping_count(a, b);
        self.b_overlapping += overlapping_count(b, a);
    }

    /// `2·matches / (|A| + |B|)`; undefined when neither has a span.
    pub fn f1_exact(&self) -> Measure {
        let total = self.a_spans + self.b_spans;
        if total == 0 {
            return Err(Undefined::NoSpans);
        }
        Ok(2.0 * self.exact as f64 / total as f64)
    }

    /// `P` = share of B's spans overlapping one of A, `R` = share of A's spans
    /// overlapping one of B, `F1 = 2PR/(P+R)`. When only one side has spans the
    /// F1 is 0 (nothing of it is found by the other); when neither has any it is
    /// undefined; when `P + R = 0` it is 0.
    pub fn f1_overlap(&self) -> Measure {
        if self.a_spans == 0 && self.b_spans == 0 {
            return Err(Undefined::NoSpans);
        }
        if self.a_spans == 0 || self.b_spans == 0 {
            return Ok(0.0);
        }
        let p = self.b_overlapping as f64 / self.b_spans as f64;
        let r = self.a_overlapping as f64 / self.a_spans as f64;
        if p + r == 0.0 {
            return Ok(0.0);
        }
        Ok(2.0 * p * r / (p + r))
    }
}

/// Exact span F1 of two span lists (one label).
pub fn f1_exact(a: &[Range], b: &[Range]) -> Measure {
    let mut t = SpanTable::default();
    t.add(a, b);
    t.f1_exact()
}

/// Overlap span F1 of two span lists (one label).
pub fn f1_overlap(a: &[Range], b: &[Range]) -> Measure {
    let mut t = SpanTable::default();
    t.add(a, b);
    t.f1_overlap()
}

/// One-to-one matches of identical ranges.
fn exact_matches(a: &[Range], b: &[Range]) -> u64 {
    let mut counts: BTreeMap<Range, u64> = BTreeMap::new();
    for r in b {
        *counts.entry(*r).or_insert(0) += 1;
    }
    let mut matches = 0;
    for r in a {
        if let Some(c) = counts.get_mut(r)
            && *c > 0
        {
            *c -= 1;
            matches += 1;
        }
    }
    matches
}

/// How many spans of `xs` overlap at least one span of `ys`. Sorts `ys` by start
/// and keeps a running maximum of their ends, so each lookup is a binary search.
fn overlapping_count(xs: &[Range], ys: &[Range]) -> u64 {
    let mut ys: Vec<Range> = ys.iter().copied().filter(|r| r.0 < r.1).collect();
    ys.sort_unstable();
    let mut max_end = Vec::with_capacity(ys.len());
    let mut running = 0;
    for r in &ys {
        running = running.max(r.1);
        max_end.push(running);
    }
    xs.iter()
        .filter(|x| {
            if x.0 >= x.1 {
                return false;
            }
            // ys[..k] are the spans starting before x ends; one of them overlaps
            // x exactly when the furthest of their ends lies beyond x's start.
            let k = ys.partition_point(|y| y.0 < x.1);
            k > 0 && max_end.get(k - 1).is_some_and(|&e| e > x.0)
        })
        .count() as u64
}

// ---------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------

/// Whether a code point is a unit: everything but Unicode `White_Space`
/// (Rust's `char::is_whitespace`).
pub fn is_unit(c: char) -> bool {
    !c.is_whitespace()
}

/// For each unit of `text` (its non-whitespace code points, in order): whether
/// it lies inside one of `spans` (code point ranges, clamped to the text).
pub fn unit_vector(text: &str, spans: &[Range]) -> Vec<bool> {
    Units::of(text).vector(spans)
}

/// Where a text's units are: how many come before each code point. Built
/// once a document, so each label and annotator's vector costs its spans,
/// not another walk over the text.
pub struct Units {
    /// `before[i]`: units among the first `i` code points (one entry more
    /// than the text has code points).
    before: Vec<u32>,
}

impl Units {
    pub fn of(text: &str) -> Units {
        let mut before = Vec::with_capacity(text.len() + 1);
        let mut n = 0u32;
        before.push(0);
        if text.is_ascii() {
            // Most of a corpus: no character to decode. The ASCII white
            // space of `char::is_whitespace` is tab to CR and the space.
            for &b in text.as_bytes() {
                n += u32::from(!matches!(b, b'\t'..=b'\r' | b' '));
                before.push(n);
            }
        } else {
            for c in text.chars() {
                n += u32::from(is_unit(c));
                before.push(n);
            }
        }
        Units { before }
    }

    /// Units in the text.
    pub fn count(&self) -> usize {
        self.before.last().map_or(0, |&n| n as usize)
    }

    /// [`unit_vector`] of this text.
    pub fn vector(&self, spans: &[Range]) -> Vec<bool> {
        let last = self.before.len() - 1;
        let mut out = vec![false; self.count()];
        for &(s, e) in spans {
            let (s, e) = (self.before[s.min(last)], self.before[e.min(last)]);
            if let Some(units) = out.get_mut(s as usize..e as usize) {
                units.fill(true);
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------

/// Why a corpus cannot be measured at all (bad usage or unreadable input).
#[derive(Debug, thiserror::Error)]
pub enum AgreeError {
    #[error(transparent)]
    Input(#[from] Error),
    #[error("no source files (*.txt, *.md) under the given paths")]
    NoSources,
    #[error("{0:?} is not a valid annotator name (1-32 of A-Za-z0-9_-)")]
    BadName(String),
    #[error("annotator {0} has no sidecar under the given paths")]
    UnknownAnnotator(String),
    #[error(
        "agreement needs at least two annotators, found {}",
        if .0.is_empty() { "none".to_string() } else { .0.join(", ") }
    )]
    TooFewAnnotators(Vec<String>),
    #[error("no article is marked done (status: done) by every one of {}", .annotators.join(", "))]
    NothingDone {
        annotators: Vec<String>,
        warnings: Vec<String>,
    },
    #[error("no article has a usable sidecar from every one of {}", .annotators.join(", "))]
    NoCommonArticle {
        annotators: Vec<String>,
        /// Why each candidate article was left out.
        warnings: Vec<String>,
    },
}

/// One article every compared annotator has a usable sidecar for.
#[derive(Debug)]
pub struct CorpusDoc {
    pub source: PathBuf,
    pub doc: Document,
    /// Annotator → sidecar, in the order of [`Corpus::annotators`].
    pub sidecars: BTreeMap<String, Sidecar>,
}

#[derive(Debug)]
pub struct Corpus {
    pub annotators: Vec<String>,
    pub documents: Vec<CorpusDoc>,
    /// Why articles or sidecars were left out: one line each, naming the file.
    pub warnings: Vec<String>,
    /// Articles none of the annotators has a sidecar for (not listed one by one).
    pub untouched: usize,
    /// Whether only articles marked done by everyone were kept ([`keep_done`]).
    pub done_only: bool,
}

impl Corpus {
    /// The articles of the index that every one of the annotators has a
    /// usable sidecar for, read on all cores in index order. `wanted` empty
    /// means every annotator found except `gold` and the suggestion set
    /// `suggest` (suggestions are nobody's judgement). Unreadable sources,
    /// unparsable sidecars and stale sidecars (whose `source.sha256` differs
    /// from the file's) are excluded with a warning.
    pub fn load(index: &CorpusIndex, wanted: &[String]) -> Result<Corpus, AgreeError> {
        Corpus::load_excluding(index, wanted, &[])
    }

    /// [`Corpus::load`], also leaving out the named sets when `wanted` is
    /// empty (the suggestion set configured with `suggest_from:`).
    pub fn load_excluding(
        index: &CorpusIndex,
        wanted: &[String],
        excluded: &[String],
    ) -> Result<Corpus, AgreeError> {
        let annotators = choose_annotators(index, wanted, excluded)?;
        let mut documents = Vec::new();
        let mut warnings = Vec::new();
        let mut untouched = 0usize;
        parallel::map_ordered(
            index.iter(),
            |source| open_source(source, &annotators),
            |_, loaded| match loaded {
                None => untouched += 1,
                Some(Ok(doc)) => documents.push(doc),
                Some(Err(why)) => warnings.push(why),
            },
        );
        if documents.is_empty() {
            return Err(no_common_article(annotators, warnings, untouched));
        }
        Ok(Corpus {
            annotators,
            documents,
            warnings,
            untouched,
            done_only: false,
        })
    }
}

/// The annotators to compare: `wanted`, or when empty every annotator found
/// except `gold`, the suggestion set and `excluded`; at least two.
fn choose_annotators(
    index: &CorpusIndex,
    wanted: &[String],
    excluded: &[String],
) -> Result<Vec<String>, AgreeError> {
    if index.is_empty() {
        return Err(AgreeError::NoSources);
    }
    let everyone = index.annotators();
    let annotators = if wanted.is_empty() {
        everyone
            .iter()
            .filter(|n| **n != GOLD && **n != crate::suggest::DEFAULT_SET)
            .filter(|n| !excluded.iter().any(|x| x == *n))
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
    } else {
        let mut chosen: Vec<String> = Vec::new();
        for name in wanted.iter().map(|n| n.trim().to_string()) {
            let name = &name;
            if !valid_annotator(name) {
                return Err(AgreeError::BadName(name.clone()));
            }
            if !everyone.contains(name.as_str()) {
                return Err(AgreeError::UnknownAnnotator(name.clone()));
            }
            if !chosen.contains(name) {
                chosen.push(name.clone());
            }
        }
        chosen
    };
    if annotators.len() < 2 {
        return Err(AgreeError::TooFewAnnotators(annotators));
    }

    Ok(annotators)
}

/// One source read for comparison: None when no compared annotator has a
/// sidecar for it, else the article or the warning line saying why it is
/// left out.
fn open_source(
    source: &crate::corpus::Source,
    annotators: &[String],
) -> Option<Result<CorpusDoc, String>> {
    let present: Vec<&String> = annotators.iter().filter(|a| source.has(a)).collect();
    if present.is_empty() {
        return None;
    }
    if present.len() < annotators.len() {
        let missing: Vec<&str> = annotators
            .iter()
            .filter(|a| !source.has(a))
            .map(String::as_str)
            .collect();
        return Some(Err(format!(
            "{}: skipped: no sidecar from {} (only {})",
            source.path.display(),
            missing.join(", "),
            present
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Some(load_article(&source.path, annotators))
}

/// Measures the articles of the index one at a time, on all cores, adding up
/// each article's statistics in index order, so memory holds a window of
/// articles and never the corpus (issue 14). Gives what [`Corpus::load_excluding`],
/// [`keep_done`] (when `done_only`) and [`collect`] give, with the labels of
/// [`labels_to_report`].
pub fn measure_streaming(
    index: &CorpusIndex,
    wanted: &[String],
    excluded: &[String],
    done_only: bool,
    scheme_labels: &[String],
) -> Result<Stats, AgreeError> {
    let annotators = choose_annotators(index, wanted, excluded)?;
    let mut total: Option<Stats> = None;
    let mut warnings = Vec::new();
    let mut untouched = 0usize;
    let mut done_left_out = Vec::new();
    let mut documents = 0usize;
    parallel::map_ordered(
        index.iter(),
        |source| {
            let loaded = open_source(source, &annotators)?;
            Some(loaded.map(|doc| {
                if done_only && let Some(why) = not_done(&doc, &annotators) {
                    return Err(why);
                }
                let one = Corpus {
                    annotators: annotators.clone(),
                    documents: vec![doc],
                    warnings: Vec::new(),
                    untouched: 0,
                    done_only,
                };
                let labels = with_labels_used(scheme_labels, &one);
                Ok(collect(&one, scheme_labels, &labels))
            }))
        },
        |_, measured| match measured {
            None => untouched += 1,
            Some(Ok(Ok(stats))) => {
                documents += 1;
                match &mut total {
                    // Measured alike, so adding cannot fail.
                    Some(t) => {
                        let _ = t.merge("", &stats);
                    }
                    None => total = Some(stats),
                }
            }
            Some(Ok(Err(why))) => done_left_out.push(why),
            Some(Err(why)) => warnings.push(why),
        },
    );
    let Some(mut stats) = total else {
        if !done_left_out.is_empty() {
            warnings.extend(done_left_out);
            return Err(AgreeError::NothingDone {
                annotators,
                warnings,
            });
        }
        return Err(no_common_article(annotators, warnings, untouched));
    };
    warnings.extend(done_left_out);
    stats.documents = documents as u64;
    stats.left_out = warnings
        .iter()
        .flat_map(|w| w.lines().map(str::to_string))
        .collect();
    stats.untouched = untouched as u64;
    stats.done_only = done_only;
    Ok(stats)
}

/// No article has a usable sidecar from every compared annotator; says how
/// many have none from any of them.
fn no_common_article(
    annotators: Vec<String>,
    mut warnings: Vec<String>,
    untouched: usize,
) -> AgreeError {
    if untouched > 0 {
        warnings.push(format!(
            "{untouched} article(s) have no sidecar from any of {}",
            annotators.join(", ")
        ));
    }
    AgreeError::NoCommonArticle {
        annotators,
        warnings,
    }
}

/// Why an article is left out by `--done-only`, or None when every compared
/// annotator marked it done.
fn not_done(d: &CorpusDoc, annotators: &[String]) -> Option<String> {
    let not_done: Vec<String> = annotators
        .iter()
        .filter_map(|name| match d.sidecars.get(name).and_then(|s| s.status) {
            Some(Status::Done) => None,
            Some(other) => Some(format!("{name}'s is {}", other.as_str())),
            None => Some(format!("{name}'s is not set")),
        })
        .collect();
    if not_done.is_empty() {
        return None;
    }
    Some(format!(
        "{}: left out by --done-only: status {}",
        d.source.display(),
        not_done.join(", ")
    ))
}

/// Keeps only the articles whose sidecars all carry `status: done`; the others
/// are left out with a line saying whose status is what.
pub fn keep_done(corpus: &mut Corpus) -> Result<(), AgreeError> {
    corpus.done_only = true;
    let documents = std::mem::take(&mut corpus.documents);
    for d in documents {
        match not_done(&d, &corpus.annotators) {
            None => corpus.documents.push(d),
            Some(why) => corpus.warnings.push(why),
        }
    }
    if corpus.documents.is_empty() {
        return Err(AgreeError::NothingDone {
            annotators: corpus.annotators.clone(),
            warnings: corpus.warnings.clone(),
        });
    }
    Ok(())
}

/// Reads one article and its sidecars; the error is the warning line to show.
fn load_article(source: &Path, annotators: &[String]) -> Result<CorpusDoc, String> {
    let doc = Document::load(source).map_err(|e| format!("{e}; article skipped"))?;
    let mut sidecars = BTreeMap::new();
    let mut problems = Vec::new();
    for name in annotators {
        let path = store::sidecar_path(source, name);
        match store::read_sidecar_only(&path) {
            Ok(Some(sidecar)) if sidecar.source.sha256 != doc.sha256() => {
                problems.push(format!(
                    "{}: stale: source.sha256 {} differs from the source file's {}; \
                     excluded (run `claimtag check --fix`)",
                    path.display(),
                    short_hash(&sidecar.source.sha256),
                    short_hash(doc.sha256())
                ));
            }
            Ok(Some(sidecar)) => {
                sidecars.insert(name.clone(), sidecar);
            }
            Ok(None) => problems.push(format!("{}: missing; excluded", path.display())),
            Err(e) => problems.push(format!("{e}; excluded")),
        }
    }
    if problems.is_empty() {
        Ok(CorpusDoc {
            source: source.to_path_buf(),
            doc,
            sidecars,
        })
    } else {
        // One line per problem, each saying what it costs.
        let skipped = format!(" (so {} is skipped)", source.display());
        Err(problems
            .iter()
            .map(|p| format!("{p}{skipped}"))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// Labels to report: the scheme's, in its order, then any other label used in
/// the corpus, sorted.
pub fn labels_to_report(scheme: &Scheme, corpus: &Corpus) -> Vec<String> {
    let scheme_labels: Vec<String> = scheme.label_names().map(str::to_string).collect();
    with_labels_used(&scheme_labels, corpus)
}

/// `scheme_labels`, then the other labels used in `corpus`, sorted.
fn with_labels_used(scheme_labels: &[String], corpus: &Corpus) -> Vec<String> {
    let others: BTreeSet<&str> = corpus
        .documents
        .iter()
        .flat_map(|d| d.sidecars.values())
        .flat_map(|s| s.annotations.iter().map(|a| a.label.as_str()))
        .filter(|l| !scheme_labels.iter().any(|s| s == l))
        .collect();
    let mut labels = scheme_labels.to_vec();
    labels.extend(others.into_iter().map(str::to_string));
    labels
}

// ---------------------------------------------------------------------------
// Statistics: additive, so shards of a corpus can be measured apart and added
// ---------------------------------------------------------------------------

/// The `format` of a file written by `agree --partial`.
pub const PARTIAL_FORMAT: &str = "claimtag-agree-partial/1";

/// Everything the measures of one label need, as counts that add up over
/// documents (and so over shards of a corpus).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelStats {
    /// One 2×2 table per annotator pair, in [`pairs`] order.
    pub kappa: Vec<PairTable>,
    pub alpha: AlphaTable,
    pub spans: Vec<SpanTable>,
    /// Spans per annotator.
    pub span_counts: Vec<u64>,
    /// Units (non-whitespace code points) marked per annotator.
    pub positives: Vec<u64>,
    pub unitizing: UnitizingTable,
}

/// The additive statistics of a measured corpus (or shard): what
/// `agree --partial` writes and `agree --combine` adds up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub format: String,
    pub annotators: Vec<String>,
    pub done_only: bool,
    /// The scheme's labels in its order (the report lists them first).
    pub scheme_labels: Vec<String>,
    pub documents: u64,
    /// Non-whitespace code points (the coding measures' units).
    pub units: u64,
    /// Grapheme clusters (αu's continuum).
    pub graphemes: u64,
    /// Document length in grapheme clusters → how many documents, so a label a
    /// shard never saw can be added as "nobody marked anything" exactly.
    pub document_lengths: BTreeMap<u64, u64>,
    pub labels: BTreeMap<String, LabelStats>,
    /// Notes about the data (spans ignored or clamped).
    pub notes: Vec<String>,
    /// Articles left out, one line each naming the file and why.
    pub left_out: Vec<String>,
    /// Articles no compared annotator has a sidecar for.
    pub untouched: u64,
}

/// Why partial statistics cannot be added up.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CombineError {
    #[error("{0}: not agree --partial output ({1})")]
    Format(String, String),
    #[error(
        "{path}: compares {theirs} but the first part compares {ours}; give every shard the same --annotators"
    )]
    Annotators {
        path: String,
        ours: String,
        theirs: String,
    },
    #[error("{0}: measured with a different label scheme than the first part")]
    Scheme(String),
    #[error("{0}: --done-only differs from the first part")]
    DoneOnly(String),
    #[error("no parts to combine")]
    Empty,
}

/// Annotator pairs `(i, j)`, `i < j`, in a fixed order.
pub fn pairs(annotators: usize) -> Vec<(usize, usize)> {
    (0..annotators)
        .flat_map(|i| (i + 1..annotators).map(move |j| (i, j)))
        .collect()
}

impl LabelStats {
    fn new(m: usize) -> LabelStats {
        let p = pairs(m).len();
        LabelStats {
            kappa: vec![PairTable::default(); p],
            alpha: AlphaTable::new(m),
            spans: vec![SpanTable::default(); p],
            span_counts: vec![0; m],
            positives: vec![0; m],
            unitizing: UnitizingTable::new(m),
        }
    }

    /// The statistics of a label nobody used, over documents with `units`
    /// units and the given grapheme lengths.
    fn unused(m: usize, units: u64, document_lengths: &BTreeMap<u64, u64>) -> LabelStats {
        let mut s = LabelStats::new(m);
        for t in &mut s.kappa {
            t.neither = units;
        }
        if let Some(zero) = s.alpha.by_ones.first_mut() {
            *zero = units;
        }
        for (&len, &count) in document_lengths {
            s.unitizing.length += len * count;
            *s.unitizing.gaps.entry(len).or_insert(0) += count * m as u64;
        }
        s
    }

    fn merge(&mut self, o: &LabelStats) {
        for (a, b) in self.kappa.iter_mut().zip(&o.kappa) {
            a.both += b.both;
            a.only_a += b.only_a;
            a.only_b += b.only_b;
            a.neither += b.neither;
        }
        for (a, b) in self.alpha.by_ones.iter_mut().zip(&o.alpha.by_ones) {
            *a += b;
        }
        for (a, b) in self.spans.iter_mut().zip(&o.spans) {
            a.a_spans += b.a_spans;
            a.b_spans += b.b_spans;
            a.exact += b.exact;
            a.a_overlapping += b.a_overlapping;
            a.b_overlapping += b.b_overlapping;
        }
        for (a, b) in self.span_counts.iter_mut().zip(&o.span_counts) {
            *a += b;
        }
        for (a, b) in self.positives.iter_mut().zip(&o.positives) {
            *a += b;
        }
        self.unitizing.merge(&o.unitizing);
    }
}

impl Stats {
    /// Adds the statistics of another shard measured the same way.
    pub fn merge(&mut self, path: &str, o: &Stats) -> Result<(), CombineError> {
        if o.format != PARTIAL_FORMAT {
            return Err(CombineError::Format(
                path.to_string(),
                format!("format {:?}", o.format),
            ));
        }
        if o.annotators != self.annotators {
            return Err(CombineError::Annotators {
                path: path.to_string(),
                ours: self.annotators.join(","),
                theirs: o.annotators.join(","),
            });
        }
        if o.scheme_labels != self.scheme_labels {
            return Err(CombineError::Scheme(path.to_string()));
        }
        if o.done_only != self.done_only {
            return Err(CombineError::DoneOnly(path.to_string()));
        }
        let m = self.annotators.len();
        let labels: BTreeSet<String> = self.labels.keys().chain(o.labels.keys()).cloned().collect();
        for label in labels {
            let theirs = match o.labels.get(&label) {
                Some(s) => s.clone(),
                None => LabelStats::unused(m, o.units, &o.document_lengths),
            };
            let (units, lengths) = (self.units, &self.document_lengths);
            self.labels
                .entry(label)
                .or_insert_with(|| LabelStats::unused(m, units, lengths))
                .merge(&theirs);
        }
        self.documents += o.documents;
        self.units += o.units;
        self.graphemes += o.graphemes;
        for (l, c) in &o.document_lengths {
            *self.document_lengths.entry(*l).or_insert(0) += c;
        }
        self.notes.extend(o.notes.iter().cloned());
        self.left_out.extend(o.left_out.iter().cloned());
        self.untouched += o.untouched;
        Ok(())
    }
}

/// Adds up partial statistics (name, stats) into one.
pub fn combine(parts: Vec<(String, Stats)>) -> Result<Stats, CombineError> {
    let mut it = parts.into_iter();
    let (first_path, mut total) = it.next().ok_or(CombineError::Empty)?;
    if total.format != PARTIAL_FORMAT {
        return Err(CombineError::Format(
            first_path,
            format!("format {:?}", total.format),
        ));
    }
    for (path, part) in it {
        total.merge(&path, &part)?;
    }
    Ok(total)
}

/// Code point offset of the start of each grapheme cluster of `text`.
fn grapheme_starts(text: &str) -> Vec<usize> {
    if text.is_ascii() {
        // Each ASCII character is a cluster of its own, but CR LF is one
        // (UAX #29 GB3): most of a corpus skips the segmenter.
        let b = text.as_bytes();
        return (0..b.len())
            .filter(|&i| !(b[i] == b'\n' && i > 0 && b[i - 1] == b'\r'))
            .collect();
    }
    let mut starts = Vec::new();
    let mut cp = 0;
    for g in text.graphemes(true) {
        starts.push(cp);
        cp += g.chars().count();
    }
    starts
}

/// A code point range as grapheme positions: widened to whole clusters.
fn to_graphemes(starts: &[usize], (s, e): Range) -> (u64, u64) {
    let first = starts.partition_point(|&b| b <= s).saturating_sub(1);
    let end = starts.partition_point(|&b| b < e);
    (first as u64, end as u64)
}

/// Counts everything the measures need over the corpus, one document at a time.
pub fn collect(corpus: &Corpus, scheme_labels: &[String], labels: &[String]) -> Stats {
    let names = &corpus.annotators;
    let m = names.len();
    let pairs = pairs(m);
    let mut notes = Vec::new();
    let mut stats = Stats {
        format: PARTIAL_FORMAT.to_string(),
        annotators: names.clone(),
        done_only: corpus.done_only,
        scheme_labels: scheme_labels.to_vec(),
        documents: corpus.documents.len() as u64,
        units: 0,
        graphemes: 0,
        document_lengths: BTreeMap::new(),
        labels: BTreeMap::new(),
        notes: Vec::new(),
        left_out: corpus
            .warnings
            .iter()
            .flat_map(|w| w.lines().map(str::to_string))
            .collect(),
        untouched: corpus.untouched as u64,
    };
    let mut accs: Vec<LabelStats> = labels.iter().map(|_| LabelStats::new(m)).collect();

    for d in &corpus.documents {
        let len = d.doc.len_chars();
        let text = d.doc.text();
        let unit_index = Units::of(text);
        let doc_units = unit_index.count() as u64;
        stats.units += doc_units;
        let starts = grapheme_starts(text);
        let doc_graphemes = starts.len() as u64;
        stats.graphemes += doc_graphemes;
        if doc_graphemes > 0 {
            *stats.document_lengths.entry(doc_graphemes).or_insert(0) += 1;
        }
        if doc_units == 0 {
            notes.push(format!(
                "{}: the text has no units (empty or only whitespace)",
                d.source.display()
            ));
        }
        // Spans per annotator, cleaned once per document.
        let mut usable: Vec<Vec<&Annotation>> = Vec::with_capacity(names.len());
        for name in names {
            let mut keep = Vec::new();
            if let Some(s) = d.sidecars.get(name) {
                for a in &s.annotations {
                    if a.orphan {
                        notes.push(format!(
                            "{}: {name}'s span {} is orphaned (its text was not found); ignored",
                            d.source.display(),
                            a.id
                        ));
                    } else {
                        if a.end > len {
                            notes.push(format!(
                                "{}: {name}'s span {} ends at {} past the text's {len} code points; clamped",
                                d.source.display(),
                                a.id,
                                a.end
                            ));
                        }
                        keep.push(a);
                    }
                }
            }
            usable.push(keep);
        }
        for (label, acc) in labels.iter().zip(accs.iter_mut()) {
            let ranges: Vec<Vec<Range>> = usable
                .iter()
                .map(|anns| {
                    anns.iter()
                        .filter(|a| &a.label == label)
                        .map(|a| (a.start.min(len), a.end.min(len)))
                        .collect()
                })
                .collect();
            let vectors: Vec<Vec<bool>> = ranges.iter().map(|r| unit_index.vector(r)).collect();
            let refs: Vec<&[bool]> = vectors.iter().map(Vec::as_slice).collect();
            // Lengths are equal by construction (same text), so these cannot fail.
            let _ = acc.alpha.add(&refs);
            for (p, &(i, j)) in pairs.iter().enumerate() {
                if let (Some(t), Some(a), Some(b)) =
                    (acc.kappa.get_mut(p), vectors.get(i), vectors.get(j))
                {
                    let _ = t.add(a, b);
                }
                if let (Some(t), Some(a), Some(b)) =
                    (acc.spans.get_mut(p), ranges.get(i), ranges.get(j))
                {
                    t.add(a, b);
                }
            }
            for (k, (r, v)) in ranges.iter().zip(&vectors).enumerate() {
                if let Some(c) = acc.span_counts.get_mut(k) {
                    *c += r.len() as u64;
                }
                if let Some(c) = acc.positives.get_mut(k) {
                    *c += count_true(v.iter().copied());
                }
            }
            let units: Vec<Vec<Segment>> = ranges
                .iter()
                .map(|r| {
                    // An empty span marks nothing, even inside a cluster.
                    let g = r
                        .iter()
                        .filter(|range| range.0 < range.1)
                        .map(|&range| to_graphemes(&starts, range))
                        .collect();
                    units_of(g, doc_graphemes)
                })
                .collect();
            acc.unitizing.add(doc_graphemes, &units);
        }
    }
    stats.labels = labels.iter().cloned().zip(accs).collect();
    stats.notes = notes;
    stats
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairValue {
    pub a: String,
    pub b: String,
    pub kappa: Option<f64>,
    pub f1_exact: Option<f64>,
    pub f1_overlap: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelReport {
    /// Cohen's kappa (two annotators) or the mean of the defined pairwise
    /// kappas (more than two: see `kappa_kind`).
    pub kappa: Option<f64>,
    /// Krippendorff's alpha for coding (nominal) over character units: each
    /// non-whitespace code point coded in or out of the label.
    pub alpha_coding: Option<f64>,
    /// Krippendorff's unitizing alpha over grapheme clusters.
    pub alpha_u: Option<f64>,
    pub f1_exact: Option<f64>,
    pub f1_overlap: Option<f64>,
    pub units: u64,
    /// Units marked by each annotator.
    pub positives: BTreeMap<String, u64>,
    /// Spans per annotator.
    pub spans: BTreeMap<String, u64>,
    pub pairs: Vec<PairValue>,
    /// Why a value is missing, or how it was averaged.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The annotators compared.
    pub annotators: Vec<String>,
    /// Articles compared.
    pub documents: u64,
    /// Only articles every compared annotator marked `status: done`.
    pub done_only: bool,
    /// Articles left out, one line each naming the file and why.
    pub left_out: Vec<String>,
    /// Articles none of the compared annotators has a sidecar for.
    pub untouched: u64,
    /// `cohen` for two annotators, `mean_pairwise_cohen` for more.
    pub kappa_kind: &'static str,
    /// Units per label of the coding measures: the non-whitespace code points
    /// of all documents.
    pub units: u64,
    /// Length of αu's continuum: the grapheme clusters of all documents.
    pub graphemes: u64,
    pub labels: BTreeMap<String, LabelReport>,
    /// Labels in report order (scheme first).
    pub label_order: Vec<String>,
    /// Notes about the data (spans ignored or clamped), one line each.
    pub notes: Vec<String>,
}

impl Report {
    /// Labels whose coding alpha is below `min` or undefined, as one line each.
    pub fn below(&self, min: f64) -> Vec<String> {
        self.label_order
            .iter()
            .filter_map(|l| {
                let r = self.labels.get(l)?;
                match r.alpha_coding {
                    Some(a) if a >= min => None,
                    Some(a) => Some(format!("{l}: alpha {a:.3} is below --min {min}")),
                    None => Some(format!(
                        "{l}: alpha is undefined, which counts as below --min {min}"
                    )),
                }
            })
            .collect()
    }
}

/// Measures agreement on every label of `labels` over the corpus.
pub fn measure(corpus: &Corpus, labels: &[String]) -> Report {
    report(&collect(corpus, labels, labels))
}

/// The report of collected (or combined) statistics.
pub fn report(stats: &Stats) -> Report {
    let names = &stats.annotators;
    let pairs = pairs(names.len());
    let mut label_order: Vec<String> = stats.scheme_labels.clone();
    label_order.extend(
        stats
            .labels
            .keys()
            .filter(|l| !stats.scheme_labels.contains(l))
            .cloned(),
    );
    let mut reports = BTreeMap::new();
    for label in &label_order {
        let unused;
        let acc = match stats.labels.get(label) {
            Some(acc) => acc,
            None => {
                unused = LabelStats::unused(names.len(), stats.units, &stats.document_lengths);
                &unused
            }
        };
        let mut label_notes = Vec::new();
        let pair_values: Vec<(String, String, Measure, Measure, Measure)> = pairs
            .iter()
            .zip(acc.kappa.iter().zip(&acc.spans))
            .map(|(&(i, j), (k, s))| {
                (
                    names.get(i).cloned().unwrap_or_default(),
                    names.get(j).cloned().unwrap_or_default(),
                    k.kappa(),
                    s.f1_exact(),
                    s.f1_overlap(),
                )
            })
            .collect();
        let kappa = mean_of(
            "kappa",
            pair_values.iter().map(|p| (&p.0, &p.1, p.2)),
            &mut label_notes,
        );
        let alpha = acc.alpha.alpha();
        if let Err(why) = alpha {
            label_notes.push(format!("alpha_coding n/a: {why}"));
        }
        let alpha_u = acc.unitizing.alpha();
        if let Err(why) = alpha_u {
            label_notes.push(format!("alpha_u n/a: {why}"));
        }
        let f1_exact = mean_of(
            "F1 exact",
            pair_values.iter().map(|p| (&p.0, &p.1, p.3)),
            &mut label_notes,
        );
        let f1_overlap = mean_of(
            "F1 overlap",
            pair_values.iter().map(|p| (&p.0, &p.1, p.4)),
            &mut label_notes,
        );
        if acc.span_counts.iter().all(|&c| c == 0) {
            label_notes.insert(0, "nobody used this label".to_string());
        }
        reports.insert(
            label.clone(),
            LabelReport {
                kappa,
                alpha_coding: alpha.ok(),
                alpha_u: alpha_u.ok(),
                f1_exact,
                f1_overlap,
                units: acc.alpha.units(),
                positives: names.iter().cloned().zip(acc.positives.clone()).collect(),
                spans: names.iter().cloned().zip(acc.span_counts.clone()).collect(),
                pairs: pair_values
                    .into_iter()
                    .map(|(a, b, k, fe, fo)| PairValue {
                        a,
                        b,
                        kappa: k.ok(),
                        f1_exact: fe.ok(),
                        f1_overlap: fo.ok(),
                    })
                    .collect(),
                notes: label_notes,
            },
        );
    }
    // Sorted, so shards added in any order give the same report.
    let mut notes = stats.notes.clone();
    notes.sort();
    let mut left_out = stats.left_out.clone();
    left_out.sort();
    Report {
        annotators: names.clone(),
        documents: stats.documents,
        done_only: stats.done_only,
        left_out,
        untouched: stats.untouched,
        kappa_kind: if names.len() == 2 {
            "cohen"
        } else {
            "mean_pairwise_cohen"
        },
        units: stats.units,
        graphemes: stats.graphemes,
        labels: reports,
        label_order,
        notes,
    }
}

/// Mean of the defined pair values; notes which pairs were undefined and why.
fn mean_of<'a>(
    what: &str,
    values: impl Iterator<Item = (&'a String, &'a String, Measure)>,
    notes: &mut Vec<String>,
) -> Option<f64> {
    let mut sum = 0.0;
    let mut defined = 0usize;
    let mut total = 0usize;
    let mut reasons: Vec<String> = Vec::new();
    for (a, b, m) in values {
        total += 1;
        match m {
            Ok(v) => {
                sum += v;
                defined += 1;
            }
            Err(why) => reasons.push(format!("{a}/{b}: {why}")),
        }
    }
    if defined == 0 {
        let why = if total == 1 {
            // One pair: its reason without the pair's names.
            reasons
                .first()
                .and_then(|r| r.split_once(": ").map(|(_, w)| w.to_string()))
                .unwrap_or_default()
        } else {
            reasons.join("; ")
        };
        notes.push(format!("{what} n/a: {why}"));
        return None;
    }
    if !reasons.is_empty() {
        notes.push(format!(
            "{what} is the mean over {defined} of {total} pairs; undefined for {}",
            reasons.join("; ")
        ));
    }
    Some(sum / defined as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bits(s: &str) -> Vec<bool> {
        s.bytes().map(|b| b == b'1').collect()
    }

    fn close(m: Measure, want: f64) {
        let got = m.unwrap_or_else(|e| panic!("undefined: {e}"));
        assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
    }

    #[test]
    fn kappa_hand_computed() {
        // a=1100110000, b=1000111000: both 3, only a 1, only b 1, neither 5.
        // p_o = 0.8; p_a1 = 0.4, p_b1 = 0.4; p_e = 0.16 + 0.36 = 0.52;
        // kappa = (0.8 - 0.52) / 0.48 = 0.58333…
        close(
            cohen_kappa(&bits("1100110000"), &bits("1000111000")),
            0.28 / 0.48,
        );
        // Perfect agreement with both values present.
        close(cohen_kappa(&bits("1010"), &bits("1010")), 1.0);
        // Perfect disagreement, balanced: p_o = 0, p_e = 0.5 → -1.
        close(cohen_kappa(&bits("1010"), &bits("0101")), -1.0);
    }

    #[test]
    fn kappa_degenerate() {
        // No positives at all: expected agreement 1.
        assert_eq!(
            cohen_kappa(&bits("0000"), &bits("0000")),
            Err(Undefined::SingleValue)
        );
        assert_eq!(
            cohen_kappa(&bits("1111"), &bits("1111")),
            Err(Undefined::SingleValue)
        );
        // One annotator all ones, the other mixed: p_e = p_b1, p_o = p_b1 → 0.
        close(cohen_kappa(&bits("1111"), &bits("1100")), 0.0);
        assert_eq!(cohen_kappa(&[], &[]), Err(Undefined::NoUnits));
        assert_eq!(
            cohen_kappa(&bits("1"), &bits("10")),
            Err(Undefined::LengthMismatch)
        );
    }

    #[test]
    fn alpha_hand_computed() {
        // Two coders, units (1,1) (1,0) (0,0) (0,0): n = 8, n1 = 3, n0 = 5,
        // one disagreeing unit: D_o pairs = 2·1·1/1 = 2, D_e = 2·5·3/7.
        // alpha = 1 - 2 / (30/7) = 1 - 14/30 = 0.5333…
        close(
            krippendorff_alpha_nominal(&[&bits("1100"), &bits("1000")]),
            1.0 - 14.0 / 30.0,
        );
        // Three coders, units with 3, 2, 0, 0 ones: n = 12, n1 = 5, n0 = 7.
        // Observed: unit with k=2 gives 2·2·1/2 = 2. Expected: 2·7·5/11 = 70/11.
        // alpha = 1 - 2·11/70 = 0.6857…
        close(
            krippendorff_alpha_nominal(&[&bits("1100"), &bits("1100"), &bits("1000")]),
            1.0 - 22.0 / 70.0,
        );
        close(krippendorff_alpha_nominal(&[&bits("10"), &bits("10")]), 1.0);
    }

    #[test]
    fn alpha_degenerate() {
        assert_eq!(
            krippendorff_alpha_nominal(&[&bits("000"), &bits("000")]),
            Err(Undefined::SingleValue)
        );
        assert_eq!(
            krippendorff_alpha_nominal(&[&bits("111"), &bits("111")]),
            Err(Undefined::SingleValue)
        );
        assert_eq!(
            krippendorff_alpha_nominal(&[&bits("10")]),
            Err(Undefined::TooFewAnnotators)
        );
        assert_eq!(
            krippendorff_alpha_nominal(&[&[], &[]]),
            Err(Undefined::NoUnits)
        );
        // One annotator all ones, other mixed: n = 8, n1 = 6, n0 = 2; two
        // disagreeing units: observed 4, expected 2·2·6/7 = 24/7 → 1 - 28/24.
        close(
            krippendorff_alpha_nominal(&[&bits("1111"), &bits("1100")]),
            1.0 - 28.0 / 24.0,
        );
    }

    #[test]
    fn tables_add_up_over_documents() {
        let mut k = PairTable::default();
        k.add(&bits("1100"), &bits("1000")).unwrap();
        k.add(&bits("110000"), &bits("100011")).unwrap();
        assert_eq!(
            k.kappa(),
            cohen_kappa(&bits("1100110000"), &bits("1000100011"))
        );
        let mut a = AlphaTable::new(2);
        a.add(&[&bits("1100"), &bits("1000")]).unwrap();
        a.add(&[&bits("110000"), &bits("100011")]).unwrap();
        assert_eq!(
            a.alpha(),
            krippendorff_alpha_nominal(&[&bits("1100110000"), &bits("1000100011")])
        );
    }

    #[test]
    fn span_f1() {
        let a = [(0, 10), (20, 30), (40, 50)];
        let b = [(0, 10), (25, 35), (60, 70), (0, 10)];
        // exact: (0,10) once → 2·1/7
        close(f1_exact(&a, &b), 2.0 / 7.0);
        // overlap: B overlapping A: (0,10),(25,35),(0,10) = 3/4; A overlapping B: 2/3.
        let (p, r) = (0.75, 2.0 / 3.0);
        close(f1_overlap(&a, &b), 2.0 * p * r / (p + r));
        close(f1_exact(&a, &a), 1.0);
        close(f1_overlap(&a, &a), 1.0);
        assert_eq!(f1_exact(&[], &[]), Err(Undefined::NoSpans));
        assert_eq!(f1_overlap(&[], &[]), Err(Undefined::NoSpans));
        close(f1_exact(&a, &[]), 0.0);
        close(f1_overlap(&[], &b), 0.0);
        // touching spans do not overlap; empty spans overlap nothing
        close(f1_overlap(&[(0, 5)], &[(5, 9)]), 0.0);
        close(f1_overlap(&[(0, 9)], &[(4, 4)]), 0.0);
        // nested spans overlap
        close(f1_overlap(&[(0, 100)], &[(10, 20), (30, 40)]), 1.0);
    }

    #[test]
    fn units_skip_whitespace_and_count_code_points() {
        // "a b😀\r\nc": units a, b, 😀, c (the emoji is one code point).
        let text = "a b😀\r\nc";
        assert_eq!(unit_vector(text, &[]), vec![false; 4]);
        assert_eq!(unit_vector(text, &[(2, 4)]), vec![false, true, true, false]);
        // overlapping spans, out-of-range ends clamped, empty spans ignored
        assert_eq!(unit_vector(text, &[(0, 3), (2, 99), (1, 1)]), vec![true; 4]);
        assert!(unit_vector("", &[(0, 5)]).is_empty());
        assert!(unit_vector(" \u{a0}\u{3000}\t", &[(0, 4)]).is_empty());
    }

    proptest! {
        /// The ASCII shortcut finds the clusters the segmenter finds.
        #[test]
        fn ascii_grapheme_starts_are_the_segmenters(text in "[a \r\n\t.]{0,40}") {
            let mut want = Vec::new();
            let mut cp = 0;
            for g in text.graphemes(true) {
                want.push(cp);
                cp += g.chars().count();
            }
            prop_assert_eq!(grapheme_starts(&text), want);
        }

        /// The unit index marks what a walk over the text marks, ASCII
        /// (every control character among it) or not.
        #[test]
        fn unit_vector_marks_what_a_walk_marks(
            text in "[a \u{a0}\u{3000}\t\n\u{627}\u{301}]{0,40}|[\x00-\x7f]{0,40}",
            spans in prop::collection::vec((0usize..50, 0usize..50), 0..5),
        ) {
            let chars: Vec<char> = text.chars().collect();
            let walked: Vec<bool> = chars
                .iter()
                .enumerate()
                .filter(|(_, c)| is_unit(**c))
                .map(|(i, _)| spans.iter().any(|&(s, e)| s <= i && i < e))
                .collect();
            prop_assert_eq!(unit_vector(&text, &spans), walked);
        }
    }

    /// Sample articles plus one with a label outside the scheme, one only
    /// alice tagged, and one nobody tagged.
    fn sample_corpus() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
        for e in std::fs::read_dir(samples).unwrap().flatten() {
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
        for (name, who) in [
            ("x.txt", &["alice", "bob"][..]),
            ("y.txt", &["alice"][..]),
            ("z.txt", &[][..]),
        ] {
            let text = "The spokesman said the talks had stalled. Officials denied it.";
            let src = dir.path().join(name);
            std::fs::write(&src, text).unwrap();
            for (i, w) in who.iter().enumerate() {
                let mut art = crate::store::Article::open(&src, w).unwrap();
                let label = if i == 0 { "rumour" } else { "claim" };
                let a = crate::anchor::new_annotation(
                    &art.doc,
                    (4 + i)..40,
                    label,
                    art.sidecar.fresh_id(),
                );
                art.sidecar.annotations.push(a);
                art.save().unwrap();
            }
        }
        dir
    }

    #[test]
    fn measuring_one_article_at_a_time_gives_what_loading_the_corpus_gives() {
        let dir = sample_corpus();
        let index = CorpusIndex::scan(&[dir.path().to_path_buf()]).unwrap();
        let scheme = Scheme::default();
        let scheme_labels: Vec<String> = scheme.label_names().map(str::to_string).collect();
        let wanted = vec!["alice".to_string(), "bob".to_string()];
        let corpus = Corpus::load(&index, &wanted).unwrap();
        let labels = labels_to_report(&scheme, &corpus);
        assert!(labels.iter().any(|l| l == "rumour"), "{labels:?}");
        let whole = collect(&corpus, &scheme_labels, &labels);
        let streamed = measure_streaming(&index, &wanted, &[], false, &scheme_labels).unwrap();
        assert_eq!(streamed, whole);
        assert!(
            !whole.left_out.is_empty() && whole.untouched == 1,
            "{whole:?}"
        );
    }

    #[test]
    fn min_fails_on_undefined_alpha() {
        let mut labels = BTreeMap::new();
        let base = LabelReport {
            kappa: None,
            alpha_coding: None,
            alpha_u: None,
            f1_exact: None,
            f1_overlap: None,
            units: 0,
            positives: BTreeMap::new(),
            spans: BTreeMap::new(),
            pairs: vec![],
            notes: vec![],
        };
        labels.insert(
            "claim".to_string(),
            LabelReport {
                alpha_coding: Some(0.7),
                ..base.clone()
            },
        );
        labels.insert("denial".to_string(), base);
        let r = Report {
            annotators: vec![],
            documents: 0,
            done_only: false,
            left_out: vec![],
            untouched: 0,
            kappa_kind: "cohen",
            units: 0,
            graphemes: 0,
            labels,
            label_order: vec!["claim".into(), "denial".into()],
            notes: vec![],
        };
        let below = r.below(0.6);
        assert_eq!(below.len(), 1);
        assert!(below[0].starts_with("denial: alpha is undefined"));
        assert_eq!(r.below(0.8).len(), 2);
    }

    proptest! {
        #[test]
        fn the_alpha_table_counts_each_unit_by_how_many_marked_it(
            rows in (0usize..80).prop_flat_map(|n| proptest::collection::vec(proptest::collection::vec(any::<bool>(), n), 1..5))
        ) {
            let refs: Vec<&[bool]> = rows.iter().map(Vec::as_slice).collect();
            let mut table = AlphaTable::new(refs.len());
            table.add(&refs).unwrap();
            table.add(&refs).unwrap();
            let mut want = vec![0u64; refs.len() + 1];
            for unit in 0..refs[0].len() {
                want[refs.iter().filter(|r| r[unit]).count()] += 2;
            }
            prop_assert_eq!(table.by_ones, want);
        }

        #[test]
        fn kappa_and_alpha_are_bounded_and_never_nan(
            rows in (1usize..40).prop_flat_map(|n| proptest::collection::vec(proptest::collection::vec(any::<bool>(), n), 2..5))
        ) {
            let refs: Vec<&[bool]> = rows.iter().map(Vec::as_slice).collect();
            let measures = [cohen_kappa(refs[0], refs[1]), krippendorff_alpha_nominal(&refs)];
            for v in measures.into_iter().flatten() {
                prop_assert!(!v.is_nan());
                prop_assert!((-1.0..=1.0).contains(&v), "{v}");
            }
            // A vector compared with itself agrees perfectly whenever defined.
            if let Ok(v) = cohen_kappa(refs[0], refs[0]) {
                prop_assert!((v - 1.0).abs() < 1e-12);
            }
        }

        #[test]
        fn span_f1_is_a_share(
            a in proptest::collection::vec((0usize..50, 0usize..20), 0..8),
            b in proptest::collection::vec((0usize..50, 0usize..20), 0..8),
        ) {
            let a: Vec<Range> = a.into_iter().map(|(s, l)| (s, s + l)).collect();
            let b: Vec<Range> = b.into_iter().map(|(s, l)| (s, s + l)).collect();
            for v in [f1_exact(&a, &b), f1_overlap(&a, &b)].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&v), "{v}");
            }
            // the sweep agrees with the plain definition
            let naive = a.iter().filter(|x| b.iter().any(|y| spans_overlap(**x, *y))).count() as u64;
            prop_assert_eq!(overlapping_count(&a, &b), naive);
        }
    }
}
