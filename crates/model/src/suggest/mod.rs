//! Suggestions (issue 16): spans proposed by cue patterns, by another
//! annotator's set (a model's output imported as annotator `model`) or by
//! "the same text elsewhere", for a person to accept or reject.
//!
//! Suggestions are an annotator's sidecar like any other (`suggest` by
//! default), each annotation carrying `pattern: <id>`. Accepting copies one
//! into the person's own sidecar with `from: suggest:<id>` (or `from: NAME`
//! for a set without pattern ids); rejecting remembers its fingerprint in the
//! person's sidecar under `suggestions: {<set>: {rejected: [...]}}`, so it
//! never comes back, even after `claimtag suggest` runs again.

pub mod matcher;
pub mod pattern;
pub mod span;
pub mod tokens;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;
use serde_json::Value;

use crate::anchor;
use crate::format::{Annotation, Sidecar};
use crate::text::{Document, sha256_hex};
pub use matcher::Matcher;
pub use pattern::{Pattern, SpanMode, load};

/// The annotator name suggestions are written as by default.
pub const DEFAULT_SET: &str = "suggest";
/// Annotation key naming the pattern that made a suggestion.
pub const PATTERN_KEY: &str = "pattern";
/// Top-level key of a person's sidecar holding rejected suggestions.
pub const SUGGESTIONS_KEY: &str = "suggestions";
const REJECTED_KEY: &str = "rejected";

/// One suggestion found in a document, before it becomes an annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub label: String,
    pub pattern: String,
    /// What is suggested (bytes of the document's text).
    pub bytes: Range<usize>,
    /// The cue that matched (bytes).
    pub cue: Range<usize>,
    pub claimant: Option<String>,
}

/// Every suggestion the patterns make in `doc`, in text order.
///
/// Several patterns proposing the same span are one suggestion, whatever
/// their labels: the longest cue wins, then the earlier pattern (so "there
/// is no evidence" beats "said" in one sentence, and the built-in set lists
/// denials first). Of spans with one label, one inside another is dropped,
/// as spaCy's `filter_spans` keeps the longest.
pub fn find(doc: &Document, matcher: &Matcher) -> Vec<Suggestion> {
    let text = doc.text();
    let toks = tokens::tokenize(text);
    let sentences = doc.all_sentences();
    let sentence_of = sentence_numbers(&toks, &sentences);
    let patterns = matcher.patterns();
    // span → (cue length in tokens, pattern index, suggestion)
    let mut best: BTreeMap<(usize, usize), (usize, usize, Suggestion)> = BTreeMap::new();
    let mut quotes_by_para: BTreeMap<usize, Vec<Range<usize>>> = BTreeMap::new();
    for m in matcher.find(&toks, &sentence_of) {
        let Some(p) = patterns.get(m.pattern) else {
            continue;
        };
        let (Some(first), Some(last)) = (toks.get(m.tokens.start), toks.get(m.tokens.end - 1))
        else {
            continue;
        };
        let cue = first.bytes.start..last.bytes.end;
        let sentence = || {
            let s = sentences.get(sentence_of[m.tokens.start]);
            let e = sentences.get(sentence_of[m.tokens.end - 1]);
            match (s, e) {
                (Some(s), Some(e)) => s.start..e.end,
                _ => cue.clone(),
            }
        };
        let bytes = match p.span {
            SpanMode::Sentence => sentence(),
            SpanMode::Match => cue.clone(),
            SpanMode::Quote => {
                let para = doc.paragraph_at(cue.start);
                let quotes = quotes_by_para
                    .entry(para.start)
                    .or_insert_with(|| span::quotations(text, para));
                span::nearest_quotation(quotes, &cue).unwrap_or_else(sentence)
            }
        };
        let claimant = p.claimant.and_then(|side| {
            let r = span::claimant(&toks, &sentence_of, m.tokens.clone(), side)?;
            let (a, b) = (toks.get(r.start)?, toks.get(r.end - 1)?);
            text.get(a.bytes.start..b.bytes.end).map(str::to_string)
        });
        let len = m.tokens.len();
        let key = (bytes.start, bytes.end);
        let better = match best.get(&key) {
            Some((l, i, _)) => (len, std::cmp::Reverse(m.pattern)) > (*l, std::cmp::Reverse(*i)),
            None => true,
        };
        if better {
            let s = Suggestion {
                label: p.label.clone(),
                pattern: p.id.clone(),
                bytes,
                cue,
                claimant,
            };
            best.insert(key, (len, m.pattern, s));
        }
    }
    let mut out: Vec<Suggestion> = best.into_values().map(|(_, _, s)| s).collect();
    out.sort_by(|a, b| {
        (a.bytes.start, std::cmp::Reverse(a.bytes.end))
            .cmp(&(b.bytes.start, std::cmp::Reverse(b.bytes.end)))
    });
    let mut reach: BTreeMap<String, usize> = BTreeMap::new();
    out.retain(|s| {
        let r = reach.entry(s.label.clone()).or_insert(0);
        if s.bytes.end <= *r {
            return false;
        }
        *r = s.bytes.end;
        true
    });
    out
}

/// The sentence number of each token: its index in `sentences`, or a number
/// past them for a token outside every sentence.
fn sentence_numbers(toks: &[tokens::Token], sentences: &[Range<usize>]) -> Vec<usize> {
    let mut out = Vec::with_capacity(toks.len());
    let mut k = 0;
    for (i, t) in toks.iter().enumerate() {
        while k < sentences.len() && sentences[k].end <= t.bytes.start {
            k += 1;
        }
        match sentences.get(k) {
            Some(s) if s.start <= t.bytes.start => out.push(k),
            _ => out.push(sentences.len() + i),
        }
    }
    out
}

/// A suggestion as an annotation of the suggestion set.
pub fn to_annotation(doc: &Document, s: &Suggestion, id: String) -> Annotation {
    let mut a = anchor::new_annotation(doc, s.bytes.clone(), &s.label, id);
    a.claimant = s.claimant.clone();
    a.extra
        .insert(PATTERN_KEY.to_string(), Value::String(s.pattern.clone()));
    a
}

/// Adds suggestions to a suggestion set, skipping any it already holds (same
/// label and range): running `claimtag suggest` twice adds nothing. Returns
/// how many were added.
pub fn merge_into(set: &mut Sidecar, doc: &Document, found: &[Suggestion]) -> usize {
    let mut have: BTreeSet<(usize, usize, String)> = set
        .annotations
        .iter()
        .map(|a| (a.start, a.end, a.label.clone()))
        .collect();
    let mut added = 0;
    for s in found {
        let r = doc.clamp_range(s.bytes.clone());
        let key = (
            doc.byte_to_char(r.start),
            doc.byte_to_char(r.end),
            s.label.clone(),
        );
        if have.contains(&key) {
            continue;
        }
        let id = set.fresh_id();
        set.annotations.push(to_annotation(doc, s, id));
        have.insert(key);
        added += 1;
    }
    set.sort();
    added
}

/// The pattern id of a suggestion, when it has one.
pub fn pattern_of(a: &Annotation) -> Option<&str> {
    a.extra.get(PATTERN_KEY).and_then(Value::as_str)
}

/// What an accepted suggestion records in `from`: `suggest:<pattern>` (the
/// set's name and the pattern), or the set's name for a set without
/// pattern ids (a model's output).
pub fn provenance(set: &str, a: &Annotation) -> String {
    match pattern_of(a) {
        Some(p) => format!("{set}:{p}"),
        None => set.to_string(),
    }
}

/// A suggestion's fingerprint: its label, text and context, so it still
/// names the same suggestion after the sidecars are rewritten or the ids
/// change (`claimtag suggest` run again on a fresh set).
pub fn fingerprint(a: &Annotation) -> String {
    let canonical = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}",
        a.label, a.prefix, a.text, a.suffix
    );
    let hash = sha256_hex(canonical.as_bytes());
    format!("s-{}", hash.get(..16).unwrap_or(&hash))
}

/// Fingerprints of suggestions of `set` rejected in `own`.
pub fn rejected(own: &Sidecar, set: &str) -> BTreeSet<String> {
    own.extra
        .get(SUGGESTIONS_KEY)
        .and_then(|s| s.get(set))
        .and_then(|s| s.get(REJECTED_KEY))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn write_rejected(own: &mut Sidecar, set: &str, list: BTreeSet<String>) {
    let root = own
        .extra
        .entry(SUGGESTIONS_KEY.to_string())
        .or_insert_with(|| Value::Object(Default::default()));
    if !root.is_object() {
        *root = Value::Object(Default::default());
    }
    let Some(root) = root.as_object_mut() else {
        return;
    };
    if list.is_empty() {
        if let Some(entry) = root.get_mut(set).and_then(Value::as_object_mut) {
            entry.remove(REJECTED_KEY);
            if entry.is_empty() {
                root.remove(set);
            }
        }
    } else {
        let entry = root
            .entry(set.to_string())
            .or_insert_with(|| Value::Object(Default::default()));
        if !entry.is_object() {
            *entry = Value::Object(Default::default());
        }
        if let Some(entry) = entry.as_object_mut() {
            entry.insert(
                REJECTED_KEY.to_string(),
                Value::Array(list.into_iter().map(Value::String).collect()),
            );
        }
    }
    if root.is_empty() {
        own.extra.remove(SUGGESTIONS_KEY);
    }
}

/// Remembers a rejected suggestion in the person's sidecar (sorted, unique).
pub fn mark_rejected(own: &mut Sidecar, set: &str, fp: &str) {
    let mut list = rejected(own, set);
    list.insert(fp.to_string());
    write_rejected(own, set, list);
}

/// Forgets a rejection (undo).
pub fn unmark_rejected(own: &mut Sidecar, set: &str, fp: &str) {
    let mut list = rejected(own, set);
    list.remove(fp);
    write_rejected(own, set, list);
}

/// Whether the person already took this suggestion: an annotation of theirs
/// with its range and its label or its provenance.
pub fn is_accepted(own: &[Annotation], set: &str, s: &Annotation) -> bool {
    let from = provenance(set, s);
    own.iter().any(|a| {
        a.start == s.start
            && a.end == s.end
            && (a.label == s.label || a.from.as_deref() == Some(from.as_str()))
    })
}

/// Suggestions of `set` still to decide: neither rejected nor taken.
pub fn pending<'a>(suggestions: &'a [Annotation], own: &Sidecar, set: &str) -> Vec<&'a Annotation> {
    let rejected = rejected(own, set);
    suggestions
        .iter()
        .filter(|s| !s.orphan)
        .filter(|s| !rejected.contains(&fingerprint(s)))
        .filter(|s| !is_accepted(&own.annotations, set, s))
        .collect()
}

/// The annotation accepting a suggestion becomes (the caller gives the id).
pub fn accepted(doc: &Document, set: &str, s: &Annotation, id: String) -> Annotation {
    let mut a = Annotation {
        id,
        label: s.label.clone(),
        start: s.start,
        end: s.end,
        claimant: s.claimant.clone(),
        note: s.note.clone(),
        created: crate::format::now_utc(),
        from: Some(provenance(set, s)),
        ..Annotation::default()
    };
    anchor::fill_from(doc, &mut a);
    a
}

/// Other occurrences of tagged texts: for each example (label, text), every
/// place in `doc` where the same text stands as whole words and that
/// `taken` (the tagger's annotations of this document) does not already hold
/// with that label. Byte ranges with their label, in text order. One
/// Aho-Corasick pass over the document finds every text at once.
pub fn like(
    doc: &Document,
    examples: &[(String, String)],
    taken: &[Annotation],
) -> Vec<(String, Range<usize>)> {
    let text = doc.text();
    let mut labels_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (label, t) in examples {
        let t = t.trim();
        if !t.is_empty() {
            labels_of.entry(t).or_default().insert(label.as_str());
        }
    }
    let taken: BTreeSet<(usize, usize, &str)> = taken
        .iter()
        .map(|a| (a.start, a.end, a.label.as_str()))
        .collect();
    let needles: Vec<&str> = labels_of.keys().copied().collect();
    if needles.is_empty() {
        return vec![];
    }
    let Ok(ac) = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&needles)
    else {
        return vec![];
    };
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = Vec::new();
    for m in ac.find_iter(text) {
        let (s, e) = (m.start(), m.end());
        let before = text.get(..s).and_then(|x| x.chars().next_back());
        let after = text.get(e..).and_then(|x| x.chars().next());
        let Some(needle) = needles.get(m.pattern().as_usize()) else {
            continue;
        };
        let first = needle.chars().next();
        let last = needle.chars().next_back();
        if (word(first) && word(before)) || (word(last) && word(after)) {
            continue;
        }
        let (cs, ce) = (doc.byte_to_char(s), doc.byte_to_char(e));
        for label in labels_of.get(needle).into_iter().flatten() {
            if !taken.contains(&(cs, ce, label)) {
                out.push((label.to_string(), s..e));
            }
        }
    }
    out
}

/// The examples `like` looks for: (label, text) of each annotation.
pub fn examples_of(anns: &[Annotation]) -> Vec<(String, String)> {
    anns.iter()
        .filter(|a| !a.orphan)
        .map(|a| (a.label.clone(), a.text.clone()))
        .collect()
}

/// `like`'s finds as suggestions with pattern id `like:<name>`.
pub fn like_suggestions(found: Vec<(String, Range<usize>)>, name: &str) -> Vec<Suggestion> {
    found
        .into_iter()
        .map(|(label, bytes)| Suggestion {
            label,
            pattern: format!("like:{name}"),
            cue: bytes.clone(),
            bytes,
            claimant: None,
        })
        .collect()
}

/// Per pattern: how its suggestions fared with one annotator.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PatternStats {
    pub pattern: String,
    pub label: String,
    pub suggested: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub left: usize,
    /// accepted / (accepted + rejected); None before any decision.
    pub precision: Option<f64>,
}

/// Counts one article's suggestions of `set` into `stats` (keyed by
/// pattern id; suggestions without one count under `(none)`), judged
/// against `own` (the annotator's sidecar, None when they have none).
pub fn tally(
    set: &str,
    suggestions: &[Annotation],
    own: Option<&Sidecar>,
    stats: &mut BTreeMap<String, PatternStats>,
) {
    let rejected = own.map(|o| self::rejected(o, set)).unwrap_or_default();
    for s in suggestions {
        let id = pattern_of(s).unwrap_or("(none)").to_string();
        let e = stats.entry(id.clone()).or_insert_with(|| PatternStats {
            pattern: id,
            label: s.label.clone(),
            ..PatternStats::default()
        });
        e.suggested += 1;
        let from = provenance(set, s);
        let taken = own.is_some_and(|o| {
            o.annotations
                .iter()
                .any(|a| a.start == s.start && a.end == s.end && a.from.as_deref() == Some(&from))
        });
        if taken {
            e.accepted += 1;
        } else if rejected.contains(&fingerprint(s)) {
            e.rejected += 1;
        } else {
            e.left += 1;
        }
        let decided = e.accepted + e.rejected;
        e.precision = (decided > 0).then(|| e.accepted as f64 / decided as f64);
    }
}

#[cfg(test)]
mod tests;
