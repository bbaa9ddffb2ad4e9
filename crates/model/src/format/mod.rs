//! The `claimtag/1` sidecar format: serde types, validation and deterministic
//! YAML output (DESIGN.md §2).
//!
//! Reading takes one of three roads to the same [`Wire`] record, which is
//! then validated in one place. A sidecar in the block layout claimtag writes
//! is read line by line ([`lines`]); one of the plain shape written another
//! way (comments, flow mappings, other indentation) in one pass over the YAML
//! parser's events ([`events`]); anything else (keys this version does not
//! know, anchors, tags, ambiguous plain scalars, an error) goes through
//! serde-saphyr, which parses twice: once into typed structs (so errors carry
//! line and column), once untyped to keep unknown keys, which are written
//! back on save. The roads give the same result where they overlap (tests in
//! [`roads`] compare them on random and edited sidecars).
//!
//! Writing takes two: the block layout written directly ([`block_writer`]),
//! byte for byte what serde-saphyr writes, or serde-saphyr itself where the
//! direct writer is not sure (keys this version does not know, strings that
//! might read as numbers or timestamps).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

mod block_writer;
mod events;
mod lines;
#[cfg(test)]
mod roads;
mod shape;
mod special_bytes;

pub const FORMAT: &str = "claimtag/1";
/// Sidecars larger than this are refused before parsing.
pub const MAX_SIDECAR_BYTES: u64 = 64 * 1024 * 1024;
/// Context kept on each side of a span for re-anchoring, in code points.
pub const CONTEXT_CHARS: usize = 32;

pub type Extra = BTreeMap<String, Value>;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Link {
    pub rel: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Annotation {
    pub id: String,
    pub label: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub prefix: String,
    pub suffix: String,
    pub claimant: Option<String>,
    pub links: Vec<Link>,
    pub note: Option<String>,
    pub created: String,
    pub from: Option<String>,
    /// Set when the source changed and the span could not be found again: the
    /// annotation is kept (offsets as they were) and flagged, never dropped.
    pub orphan: bool,
    pub extra: Extra,
}

impl Annotation {
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
    fn sort_key(&self) -> (usize, usize, &str, &str) {
        (self.start, self.end, &self.label, &self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceRef {
    /// File name relative to the sidecar's folder.
    pub file: String,
    pub sha256: String,
    pub chars: usize,
    pub extra: Extra,
}

/// The annotator's progress on an article: the extension key `status`
/// (DESIGN.md §2), which other readers may ignore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Todo,
    InProgress,
    Done,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::InProgress => "in-progress",
            Status::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "todo" => Some(Status::Todo),
            "in-progress" => Some(Status::InProgress),
            "done" => Some(Status::Done),
            _ => None,
        }
    }
}

/// Where the parser found things in a sidecar's YAML, as 1-based lines, for
/// messages that point into the file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    pub annotator: Option<usize>,
    pub file: Option<usize>,
    pub sha256: Option<usize>,
    pub chars: Option<usize>,
    /// Annotation id -> the line of its `id:`.
    pub ids: std::collections::HashMap<String, usize>,
}

impl Places {
    pub fn id(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }
}

/// One annotator's annotations of one source file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sidecar {
    pub source: SourceRef,
    pub annotator: String,
    pub updated: String,
    /// Next number for an `a<N>` id, so deleted ids are never reused. Written as
    /// `next_id`, an extension other readers may ignore.
    pub next_id: u64,
    /// `status:`, written after `next_id` when set.
    pub status: Option<Status>,
    pub annotations: Vec<Annotation>,
    pub extra: Extra,
}

/// Whether a name is a valid annotator name: 1–32 of `A-Za-z0-9_-`.
pub fn valid_annotator(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Current UTC time as `2026-11-24T10:31:05Z`.
pub fn now_utc() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

impl Sidecar {
    pub fn new(annotator: &str, source_file: &str, sha256: &str, chars: usize) -> Sidecar {
        Sidecar {
            source: SourceRef {
                file: source_file.to_string(),
                sha256: sha256.to_string(),
                chars,
                extra: Extra::new(),
            },
            annotator: annotator.to_string(),
            updated: now_utc(),
            next_id: 1,
            ..Sidecar::default()
        }
    }

    /// A fresh id: time-ordered, random per instance (see [`crate::id`]),
    /// never one already in this file.
    pub fn fresh_id(&mut self) -> String {
        let anns = &self.annotations;
        crate::id::fresh(|id| anns.iter().any(|a| a.id == id))
    }

    fn max_used_id(&self) -> u64 {
        self.annotations
            .iter()
            .filter_map(|a| a.id.strip_prefix('a').and_then(|n| n.parse::<u64>().ok()))
            .max()
            .unwrap_or(0)
    }

    /// Sorts annotations into file order: start, end, label, id.
    pub fn sort(&mut self) {
        self.annotations
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    /// Per-label counts.
    pub fn counts(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for a in &self.annotations {
            *m.entry(a.label.as_str()).or_insert(0) += 1;
        }
        m
    }

    /// Parses and validates sidecar YAML. `path` is only used in errors.
    pub fn parse(path: &Path, yaml: &str) -> Result<Sidecar> {
        Self::parse_placed(path, yaml).map(|(sidecar, _)| sidecar)
    }

    /// Parses like [`Sidecar::parse`] and also says on which line the parser
    /// found each key a message may point at, and each annotation's id.
    pub fn parse_placed(path: &Path, yaml: &str) -> Result<(Sidecar, Places)> {
        let wire = match lines::read(yaml).or_else(|| events::read(yaml)) {
            Some(wire) => wire,
            None => Wire::parse_with_serde(path, yaml)?,
        };
        let places = wire.places();
        Ok((Self::from_wire(path, wire)?, places))
    }

    fn from_wire(path: &Path, w: Wire) -> Result<Sidecar> {
        let at = |place: &Place, message: String| Error::Yaml {
            path: path.to_path_buf(),
            line: place.line,
            column: place.column,
            message,
        };
        if w.format.value != FORMAT {
            return Err(at(
                &w.format.place,
                format!("unknown format {:?}, expected {FORMAT:?}", w.format.value),
            ));
        }
        if !valid_annotator(&w.annotator.value) {
            return Err(at(
                &w.annotator.place,
                format!(
                    "annotator {:?} is not 1-32 of A-Za-z0-9_-",
                    w.annotator.value
                ),
            ));
        }
        let status = match &w.status {
            None => None,
            Some(v) => Some(Status::parse(&v.value).ok_or_else(|| {
                at(
                    &v.place,
                    format!(
                        "status {:?} is not one of todo, in-progress or done",
                        v.value
                    ),
                )
            })?),
        };
        let mut ids = BTreeSet::new();
        let mut annotations = Vec::with_capacity(w.annotations.len());
        for WireAnn {
            id_place,
            annotation: mut a,
        } in w.annotations
        {
            if a.id.is_empty() || !ids.insert(a.id.clone()) {
                return Err(at(
                    &id_place,
                    format!("annotation id {:?} is empty or used twice", a.id),
                ));
            }
            if a.start > a.end {
                return Err(at(
                    &id_place,
                    format!(
                        "annotation {}: start {} is after end {}",
                        a.id, a.start, a.end
                    ),
                ));
            }
            if a.label.trim().is_empty() {
                return Err(at(&id_place, format!("annotation {}: empty label", a.id)));
            }
            for optional in [&mut a.claimant, &mut a.note, &mut a.from] {
                optional.take_if(|s| s.is_empty());
            }
            annotations.push(a);
        }
        let mut sidecar = Sidecar {
            source: SourceRef {
                file: w.file.value,
                sha256: w.sha256.map(|s| s.value).unwrap_or_default(),
                chars: w.chars.map(|s| s.value).unwrap_or_default(),
                extra: w.source_extra,
            },
            annotator: w.annotator.value,
            updated: w.updated,
            next_id: w.next_id.unwrap_or(1),
            status,
            annotations,
            extra: w.extra,
        };
        sidecar.next_id = sidecar.next_id.max(sidecar.max_used_id() + 1);
        sidecar.sort();
        Ok(sidecar)
    }

    /// Deterministic YAML: fixed key order, annotations sorted, strings that
    /// YAML 1.1 readers would retype are quoted.
    pub fn to_yaml(&self) -> String {
        block_writer::write(self).unwrap_or_else(|| self.to_yaml_through_serde())
    }

    /// [`Sidecar::to_yaml`] through serde-saphyr, for what the block writer
    /// is not sure of.
    fn to_yaml_through_serde(&self) -> String {
        let mut anns: Vec<&Annotation> = self.annotations.iter().collect();
        anns.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let wire = WireFileOut {
            format: FORMAT,
            source: WireSourceOut {
                file: &self.source.file,
                sha256: &self.source.sha256,
                chars: self.source.chars,
                extra: &self.source.extra,
            },
            annotator: &self.annotator,
            updated: &self.updated,
            next_id: self.next_id,
            status: self.status.map(Status::as_str),
            annotations: anns
                .into_iter()
                .map(|a| WireAnnOut {
                    id: &a.id,
                    label: &a.label,
                    start: a.start,
                    end: a.end,
                    text: &a.text,
                    prefix: &a.prefix,
                    suffix: &a.suffix,
                    claimant: a.claimant.as_deref(),
                    links: sorted_links(&a.links),
                    note: a.note.as_deref(),
                    created: &a.created,
                    from: a.from.as_deref(),
                    orphan: a.orphan,
                    extra: &a.extra,
                })
                .collect(),
            extra: &self.extra,
        };
        // Serialising plain data structures cannot fail; an error here would be a
        // bug in the serializer, so fall back to JSON, which is valid YAML too.
        serde_saphyr::to_string_with_options(&wire, write_options())
            .unwrap_or_else(|_| serde_json::to_string_pretty(&wire).unwrap_or_default() + "\n")
    }
}

fn sorted_links(links: &[Link]) -> Vec<Link> {
    let mut v = links.to_vec();
    v.sort();
    v.dedup();
    v
}

const FILE_KEYS: &[&str] = &[
    "format",
    "source",
    "annotator",
    "updated",
    "next_id",
    "status",
    "annotations",
];
const SOURCE_KEYS: &[&str] = &["file", "sha256", "chars"];
const ANNOTATION_KEYS: &[&str] = &[
    "id", "label", "start", "end", "text", "prefix", "suffix", "claimant", "links", "note",
    "created", "from", "orphan",
];

fn unknown_keys(v: Option<&Value>, known: &[&str]) -> Extra {
    match v.and_then(Value::as_object) {
        Some(map) => map
            .iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        None => Extra::new(),
    }
}

/// Where the parser found a value: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    line: u64,
    column: u64,
}

impl Place {
    fn of(location: &serde_saphyr::Location) -> Place {
        Place {
            line: location.line(),
            column: location.column(),
        }
    }
}

/// A value and where it was found.
#[derive(Debug, Clone, PartialEq)]
struct At<T> {
    value: T,
    place: Place,
}

impl<T> At<T> {
    fn from_spanned(s: Sp<T>) -> At<T> {
        At {
            place: Place::of(&s.referenced),
            value: s.value,
        }
    }
}

/// A sidecar as read, before validation: what both roads of reading give.
#[derive(Debug, Clone, PartialEq)]
struct Wire {
    format: At<String>,
    file: At<String>,
    sha256: Option<At<String>>,
    chars: Option<At<usize>>,
    source_extra: Extra,
    annotator: At<String>,
    updated: String,
    next_id: Option<u64>,
    status: Option<At<String>>,
    annotations: Vec<WireAnn>,
    extra: Extra,
}

/// One annotation as read, before validation: its fields, and where its id
/// was found (for messages that point at it).
#[derive(Debug, Clone, PartialEq)]
struct WireAnn {
    id_place: Place,
    annotation: Annotation,
}

impl Wire {
    /// The general road: serde-saphyr, typed for places and errors, untyped
    /// for the keys this version does not know.
    fn parse_with_serde(path: &Path, yaml: &str) -> Result<Wire> {
        let typed: WireFileIn = serde_saphyr::from_str_with_options(yaml, read_options())
            .map_err(|e| Error::yaml(path, &e))?;
        let untyped: Value = serde_saphyr::from_str_with_options(yaml, read_options())
            .map_err(|e| Error::yaml(path, &e))?;
        let untyped_anns = untyped
            .get("annotations")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(Wire {
            format: At::from_spanned(typed.format),
            file: At::from_spanned(typed.source.file),
            sha256: typed.source.sha256.map(At::from_spanned),
            chars: typed.source.chars.map(At::from_spanned),
            source_extra: unknown_keys(untyped.get("source"), SOURCE_KEYS),
            annotator: At::from_spanned(typed.annotator),
            updated: typed.updated,
            next_id: typed.next_id,
            status: typed.status.map(At::from_spanned),
            annotations: typed
                .annotations
                .into_iter()
                .enumerate()
                .map(|(i, a)| WireAnn {
                    id_place: Place::of(&a.id.referenced),
                    annotation: Annotation {
                        id: a.id.value,
                        label: a.label,
                        start: a.start,
                        end: a.end,
                        text: a.text,
                        prefix: a.prefix,
                        suffix: a.suffix,
                        claimant: a.claimant,
                        links: a.links,
                        note: a.note,
                        created: a.created,
                        from: a.from,
                        orphan: a.orphan,
                        extra: unknown_keys(untyped_anns.get(i), ANNOTATION_KEYS),
                    },
                })
                .collect(),
            extra: unknown_keys(Some(&untyped), FILE_KEYS),
        })
    }

    fn places(&self) -> Places {
        let line = |p: &Place| usize::try_from(p.line).ok().filter(|&n| n > 0);
        Places {
            annotator: line(&self.annotator.place),
            file: line(&self.file.place),
            sha256: self.sha256.as_ref().and_then(|s| line(&s.place)),
            chars: self.chars.as_ref().and_then(|s| line(&s.place)),
            ids: self
                .annotations
                .iter()
                .filter_map(|a| Some((a.annotation.id.clone(), line(&a.id_place)?)))
                .collect(),
        }
    }
}

/// Parser limits: a hostile sidecar is an error, not a hang.
pub fn read_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 4_000_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_depth: 64,
        },
    }
}

fn write_options() -> serde_saphyr::SerializerOptions {
    // Block scalars would fold long lines and normalise CR/LF; quoted scalars keep
    // every character exactly.
    serde_saphyr::ser_options! {
        prefer_block_scalars: false,
    }
}

type Sp<T> = serde_saphyr::Spanned<T>;

#[derive(Deserialize)]
struct WireFileIn {
    format: Sp<String>,
    source: WireSourceIn,
    annotator: Sp<String>,
    #[serde(default)]
    updated: String,
    #[serde(default)]
    next_id: Option<u64>,
    #[serde(default)]
    status: Option<Sp<String>>,
    #[serde(default)]
    annotations: Vec<WireAnnIn>,
}

#[derive(Deserialize)]
struct WireSourceIn {
    file: Sp<String>,
    #[serde(default)]
    sha256: Option<Sp<String>>,
    #[serde(default)]
    chars: Option<Sp<usize>>,
}

#[derive(Deserialize)]
struct WireAnnIn {
    id: Sp<String>,
    label: String,
    start: usize,
    end: usize,
    #[serde(default)]
    text: String,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    suffix: String,
    #[serde(default)]
    claimant: Option<String>,
    #[serde(default)]
    links: Vec<Link>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    created: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    orphan: bool,
}

#[derive(Serialize)]
struct WireFileOut<'a> {
    format: &'a str,
    source: WireSourceOut<'a>,
    annotator: &'a str,
    updated: &'a str,
    next_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    annotations: Vec<WireAnnOut<'a>>,
    #[serde(flatten)]
    extra: &'a Extra,
}

#[derive(Serialize)]
struct WireSourceOut<'a> {
    file: &'a str,
    sha256: &'a str,
    chars: usize,
    #[serde(flatten)]
    extra: &'a Extra,
}

#[derive(Serialize)]
struct WireAnnOut<'a> {
    id: &'a str,
    label: &'a str,
    start: usize,
    end: usize,
    text: &'a str,
    prefix: &'a str,
    suffix: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    claimant: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    created: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    orphan: bool,
    #[serde(flatten)]
    extra: &'a Extra,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Sidecar {
        let mut s = Sidecar::new("alice", "001.txt", "ab12", 100);
        s.updated = "2026-11-24T10:31:05Z".into();
        for (i, (label, start, end, text)) in [
            ("claim", 10, 20, "no"),
            ("denial", 0, 5, "2022-02-03"),
            ("evidence", 10, 20, "it's \"quoted\"\r\nnext"),
        ]
        .into_iter()
        .enumerate()
        {
            let id = s.fresh_id();
            s.annotations.push(Annotation {
                id,
                label: label.into(),
                start,
                end,
                text: text.into(),
                prefix: "yes".into(),
                suffix: " 1e3 ".into(),
                claimant: (i == 0).then(|| "on".to_string()),
                links: if i == 1 {
                    vec![Link {
                        rel: "denies".into(),
                        to: "a1".into(),
                    }]
                } else {
                    vec![]
                },
                note: None,
                created: "2026-11-24T10:30:00Z".into(),
                from: None,
                orphan: false,
                extra: Extra::new(),
            });
        }
        s
    }

    #[test]
    fn round_trip_is_exact_and_deterministic() {
        let s = sample();
        let y = s.to_yaml();
        let back = Sidecar::parse(Path::new("x.yaml"), &y).unwrap();
        let mut sorted = s.clone();
        sorted.sort();
        assert_eq!(back, sorted);
        assert_eq!(back.to_yaml(), y);
        assert!(y.starts_with("format: claimtag/1\nsource:\n"), "{y}");
    }

    #[test]
    fn yaml11_lookalikes_are_quoted() {
        let y = sample().to_yaml();
        for bad in [
            "text: no\n",
            "prefix: yes\n",
            "claimant: on\n",
            "text: 2022-02-03\n",
        ] {
            assert!(!y.contains(bad), "unquoted {bad:?} in\n{y}");
        }
    }

    #[test]
    fn unknown_keys_survive() {
        let mut y = sample().to_yaml();
        y = y.replacen("annotator: alice\n", "annotator: alice\nproject: x\n", 1);
        y = y.replacen(
            "  label: denial\n",
            "  label: denial\n  confidence: 0.5\n",
            1,
        );
        let s = Sidecar::parse(Path::new("x.yaml"), &y).unwrap();
        assert_eq!(s.extra.get("project"), Some(&Value::from("x")));
        assert_eq!(
            s.annotations[0].extra.get("confidence"),
            Some(&Value::from(0.5))
        );
        let again = s.to_yaml();
        assert!(again.contains("project: x"));
        assert!(again.contains("confidence: 0.5"));
    }

    #[test]
    fn errors_have_location() {
        let y = "format: claimtag/1\nsource: {file: a.txt}\nannotator: bob\nannotations:\n- id: a1\n  label: claim\n  start: 5\n  end: 2\n";
        let e = Sidecar::parse(Path::new("s.yaml"), y)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.yaml:5:"), "{e}");
        assert!(e.contains("start 5 is after end 2"), "{e}");
        let e = Sidecar::parse(
            Path::new("s.yaml"),
            "format: claimtag/9\nsource: {file: a}\nannotator: b\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("s.yaml:1:") && e.contains("unknown format"),
            "{e}"
        );
        let e = Sidecar::parse(
            Path::new("s.yaml"),
            "format: claimtag/1\nformat: claimtag/1\nsource: {file: a}\nannotator: b\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("s.yaml:2:1: duplicate"), "{e}");
        assert!(!e.contains("Options") && !e.contains(" at line "), "{e}");
        let e = Sidecar::parse(Path::new("s.yaml"), "format: [")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.yaml:"), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }

    #[test]
    fn places_come_from_the_parser() {
        // Keys in flow style and on shared lines, ids quoted or not: the
        // parser knows where each is, whatever the layout.
        let y = "format: claimtag/1\nsource: {file: a.txt,\n  sha256: ab}\nannotator: bob\n\
                 annotations:\n- id: a1\n  label: claim\n  start: 0\n  end: 1\n\
                 - {label: claim, start: 0, end: 1,\n   id: 'a2'}\n";
        let (_, places) = Sidecar::parse_placed(Path::new("x"), y).unwrap();
        assert_eq!(places.file, Some(2));
        assert_eq!(places.sha256, Some(3));
        assert_eq!(places.chars, None);
        assert_eq!(places.annotator, Some(4));
        assert_eq!(places.id("a1"), Some(6));
        assert_eq!(places.id("a2"), Some(11));
        assert_eq!(places.id("a3"), None);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut y = String::from("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..12 {
            let p = i - 1;
            y += &format!(
                "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
            );
        }
        assert!(Sidecar::parse(Path::new("bomb.yaml"), &y).is_err());
    }

    #[test]
    fn new_ids_are_fresh_and_old_ones_kept() {
        let mut s = sample();
        for (i, a) in s.annotations.iter_mut().enumerate() {
            a.id = format!("a{}", i + 1);
        }
        let mut old: Vec<String> = s.annotations.iter().map(|a| a.id.clone()).collect();
        old.sort();
        assert_eq!(old, ["a1", "a2", "a3"]);
        let id = s.fresh_id();
        assert_eq!(id.len(), crate::id::ID_LEN);
        assert!(!old.contains(&id));
        let mut a = s.annotations[0].clone();
        a.id = id.clone();
        s.annotations.push(a);
        let back = Sidecar::parse(Path::new("x"), &s.to_yaml()).unwrap();
        let mut ids: Vec<_> = back.annotations.iter().map(|a| a.id.clone()).collect();
        ids.sort();
        assert_eq!(ids, [id.as_str(), "a1", "a2", "a3"]);
    }

    #[test]
    fn status_is_typed_kept_and_written_before_annotations() {
        let mut y = sample().to_yaml();
        y = y.replacen("annotations:\n", "status: in-progress\nannotations:\n", 1);
        let s = Sidecar::parse(Path::new("x.yaml"), &y).unwrap();
        assert_eq!(s.status, Some(Status::InProgress));
        assert!(
            !s.extra.contains_key("status"),
            "status is typed, not an extra key"
        );
        let mut done = s.clone();
        done.status = Some(Status::Done);
        let out = done.to_yaml();
        let (head, _) = out.split_once("annotations:").unwrap();
        // New ids are not numbered: next_id stays after the highest `a<N>` (none).
        assert!(head.ends_with("next_id: 1\nstatus: done\n"), "{out}");
        assert_eq!(
            Sidecar::parse(Path::new("x"), &out).unwrap().status,
            Some(Status::Done)
        );
        // Absent stays absent; an unknown value is an error with its line.
        assert!(!sample().to_yaml().contains("status:"));
        let bad = y.replacen("status: in-progress", "status: finished", 1);
        let e = Sidecar::parse(Path::new("s.yaml"), &bad)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("s.yaml:") && e.contains("todo, in-progress or done"),
            "{e}"
        );
    }

    proptest! {
        #[test]
        fn any_text_round_trips(text in "\\PC*|[\r\n\t \u{85}\u{2028}\u{feff}'\":#&*!|>%@`-]{0,20}", note in "\\PC{0,40}") {
            let mut s = sample();
            s.annotations[0].text = text.clone();
            s.annotations[1].note = if note.is_empty() { None } else { Some(note.clone()) };
            let y = s.to_yaml();
            let back = Sidecar::parse(Path::new("x.yaml"), &y).unwrap();
            prop_assert_eq!(back.to_yaml(), y);
            prop_assert!(back.annotations.iter().any(|a| a.text == text));
        }
    }
}
