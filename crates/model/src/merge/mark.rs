//! How an unresolved merge conflict is written into a sidecar, so the file
//! still parses and every reader can list and settle it (DESIGN.md §2: the
//! `conflict: {side: ours|theirs, ...}` extension key).
//!
//! - Changed differently on both sides (or added twice under one id with
//!   different content): both versions are kept, as `<id>~ours` and
//!   `<id>~theirs`, each marked `conflict: {side, id: <id>, fields: [...]}`.
//!   Ids must stay unique in a file, and the suffixes keep the two versions
//!   symmetric; links to `<id>` stay meaningful through `conflict.id`.
//! - Changed on one side, deleted on the other: the changed version is kept
//!   under its own id, marked `conflict: {side, other: deleted}`.
//! - A file-level extension key (not `status`, which takes the less advanced
//!   value) changed differently: the key is left
//!   out and the file gets `conflict: {<key>: {ours: .., theirs: ..}}`.

use std::fmt;

use serde_json::{Map, Value};

use crate::format::{Annotation, Sidecar};

/// The extension key marking a conflict, on an annotation or on the file.
pub const CONFLICT_KEY: &str = "conflict";

/// One of the two sides of a merge. `Ours` is the version being merged into
/// (git's `%A`), `Theirs` the one merged in (`%B`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Ours,
    Theirs,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Theirs => "theirs",
        }
    }
    pub fn other(self) -> Side {
        match self {
            Side::Ours => Side::Theirs,
            Side::Theirs => Side::Ours,
        }
    }
    fn parse(s: &str) -> Option<Side> {
        match s {
            "ours" => Some(Side::Ours),
            "theirs" => Some(Side::Theirs),
            _ => None,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The id one side's version of a conflicting annotation gets.
pub fn versioned_id(id: &str, side: Side) -> String {
    format!("{id}~{}", side.name())
}

/// What a `conflict:` key on an annotation says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Whose version this annotation is.
    pub side: Side,
    /// The annotation's id before the merge (the id links point to).
    pub id: String,
    /// Set when the other side deleted the annotation.
    pub other_deleted: bool,
    /// The fields the two sides changed differently.
    pub fields: Vec<String>,
}

impl Mark {
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("side".into(), Value::from(self.side.name()));
        if self.other_deleted {
            m.insert("other".into(), Value::from("deleted"));
        } else {
            m.insert("id".into(), Value::from(self.id.as_str()));
            m.insert(
                "fields".into(),
                Value::Array(
                    self.fields
                        .iter()
                        .map(|f| Value::from(f.as_str()))
                        .collect(),
                ),
            );
        }
        Value::Object(m)
    }

    /// The mark on an annotation, if it has a well-formed one.
    pub fn of(a: &Annotation) -> Option<Mark> {
        let v = a.extra.get(CONFLICT_KEY)?.as_object()?;
        let side = Side::parse(v.get("side")?.as_str()?)?;
        let other_deleted = v.get("other").and_then(Value::as_str) == Some("deleted");
        let id = match v.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => a.id.clone(),
        };
        let fields = v
            .get("fields")
            .and_then(Value::as_array)
            .map(|fs| {
                fs.iter()
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Some(Mark {
            side,
            id,
            other_deleted,
            fields,
        })
    }
}

/// Whether an annotation carries a `conflict:` key (well-formed or not).
pub fn is_marked(a: &Annotation) -> bool {
    a.extra.contains_key(CONFLICT_KEY)
}

/// One unresolved conflict in a sidecar, as a reader lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Open {
    /// The id the settled annotation will have.
    pub id: String,
    pub ours: Option<Annotation>,
    pub theirs: Option<Annotation>,
    /// The fields that differ (empty when one side deleted it).
    pub fields: Vec<String>,
}

/// A file-level key the two sides set differently.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenKey {
    pub key: String,
    pub ours: Value,
    pub theirs: Value,
}

/// The unresolved annotation conflicts of a sidecar, by id.
pub fn open_conflicts(sidecar: &Sidecar) -> Vec<Open> {
    let mut by_id: std::collections::BTreeMap<String, Open> = Default::default();
    for a in &sidecar.annotations {
        let Some(mark) = Mark::of(a) else { continue };
        let entry = by_id.entry(mark.id.clone()).or_insert_with(|| Open {
            id: mark.id.clone(),
            ours: None,
            theirs: None,
            fields: mark.fields.clone(),
        });
        match mark.side {
            Side::Ours => entry.ours = Some(a.clone()),
            Side::Theirs => entry.theirs = Some(a.clone()),
        }
    }
    by_id.into_values().collect()
}

/// The unresolved file-level key conflicts of a sidecar.
pub fn open_key_conflicts(sidecar: &Sidecar) -> Vec<OpenKey> {
    let Some(map) = sidecar.extra.get(CONFLICT_KEY).and_then(Value::as_object) else {
        return vec![];
    };
    map.iter()
        .map(|(key, v)| OpenKey {
            key: key.clone(),
            ours: v.get("ours").cloned().unwrap_or(Value::Null),
            theirs: v.get("theirs").cloned().unwrap_or(Value::Null),
        })
        .collect()
}

/// How many unresolved conflicts (annotation and file-level) a sidecar has.
pub fn count_open(sidecar: &Sidecar) -> usize {
    open_conflicts(sidecar).len() + open_key_conflicts(sidecar).len()
}

/// How to settle a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Ours,
    Theirs,
    /// Keep both versions: ours keeps the id, theirs gets a fresh one.
    Both,
}

/// Why a conflict could not be settled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettleError {
    #[error("no unresolved conflict on {0}")]
    NotFound(String),
}

/// Settles the conflict on annotation `id` (the id before the merge). The
/// chosen version gets the id back and loses its mark; links keep pointing
/// to it. Returns the ids of the annotations that remain.
pub fn settle(sidecar: &mut Sidecar, id: &str, choice: Choice) -> Result<Vec<String>, SettleError> {
    let open = open_conflicts(sidecar)
        .into_iter()
        .find(|o| o.id == id)
        .ok_or_else(|| SettleError::NotFound(id.to_string()))?;
    sidecar.annotations.retain(|a| match Mark::of(a) {
        Some(m) => m.id != id,
        None => true,
    });
    let unmark = |mut a: Annotation, new_id: String| {
        a.extra.remove(CONFLICT_KEY);
        a.id = new_id;
        a
    };
    let mut kept = Vec::new();
    let (first, second) = match choice {
        Choice::Ours => (open.ours, None),
        Choice::Theirs => (open.theirs, None),
        Choice::Both => (open.ours, open.theirs),
    };
    // With one side deleted, "both" and the surviving side keep it; the
    // deleting side's choice drops it.
    let (first, second) = match (first, second) {
        (None, Some(s)) => (Some(s), None),
        pair => pair,
    };
    if let Some(a) = first {
        sidecar.annotations.push(unmark(a, id.to_string()));
        kept.push(id.to_string());
    }
    if let Some(a) = second {
        let fresh = sidecar.fresh_id();
        sidecar.annotations.push(unmark(a, fresh.clone()));
        kept.push(fresh);
    }
    sidecar.sort();
    Ok(kept)
}

/// Settles a file-level key conflict: the chosen side's value is set (a null
/// value removes the key).
pub fn settle_key(sidecar: &mut Sidecar, key: &str, side: Side) -> Result<(), SettleError> {
    let open = open_key_conflicts(sidecar)
        .into_iter()
        .find(|o| o.key == key)
        .ok_or_else(|| SettleError::NotFound(key.to_string()))?;
    let value = match side {
        Side::Ours => open.ours,
        Side::Theirs => open.theirs,
    };
    if let Some(Value::Object(map)) = sidecar.extra.get_mut(CONFLICT_KEY) {
        map.remove(key);
        if map.is_empty() {
            sidecar.extra.remove(CONFLICT_KEY);
        }
    }
    if value.is_null() {
        sidecar.extra.remove(key);
    } else {
        sidecar.extra.insert(key.to_string(), value);
    }
    Ok(())
}
