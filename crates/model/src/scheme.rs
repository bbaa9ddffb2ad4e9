//! The label scheme: labels, relations and attributes (DESIGN.md §4).
//! Found as `claimtag.yaml` by walking up from the opened path.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const SCHEME_FILE: &str = "claimtag.yaml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub name: String,
    /// The key that tags a selection with this label.
    pub key: char,
    /// A colour name (`red`, `light-blue`, …) or `#rrggbb`; when left out,
    /// the next of a fixed palette.
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub name: String,
    /// Labels a link of this kind may start from.
    pub from: Vec<String>,
    /// Labels it may point to.
    pub to: Vec<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub labels: Vec<Label>,
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// Free-text attributes an annotation may carry besides claimant and note.
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    /// Cue pattern files for `claimtag suggest`, by language: `en: builtin:en`,
    /// `fa: patterns/dari.jsonl` (relative to the scheme file's folder).
    #[serde(default)]
    pub patterns: std::collections::BTreeMap<String, String>,
}

impl Default for Scheme {
    fn default() -> Self {
        let label = |name: &str, key, colour: &str, description: &str| Label {
            name: name.into(),
            key,
            colour: colour.into(),
            description: description.into(),
        };
        let rel = |name: &str, from: &str, to: &str, description: &str| Relation {
            name: name.into(),
            from: vec![from.into()],
            to: vec![to.into()],
            description: description.into(),
        };
        Scheme {
            labels: vec![
                label("claim", 'c', "yellow", "an assertion someone makes"),
                label("denial", 'd', "red", "a rejection of a claim"),
                label(
                    "evidence",
                    'e',
                    "green",
                    "facts offered for or against a claim",
                ),
            ],
            relations: vec![
                rel("denies", "denial", "claim", "the denial rejects the claim"),
                rel(
                    "supports",
                    "evidence",
                    "claim",
                    "the evidence backs the claim",
                ),
                rel(
                    "refutes",
                    "evidence",
                    "claim",
                    "the evidence contradicts the claim",
                ),
            ],
            attributes: vec![
                Attribute {
                    name: "claimant".into(),
                    description: "who makes the claim or denial".into(),
                },
                Attribute {
                    name: "note".into(),
                    description: "free text".into(),
                },
            ],
            patterns: Default::default(),
        }
    }
}

impl Scheme {
    pub fn label(&self, name: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.name == name)
    }

    pub fn label_names(&self) -> impl Iterator<Item = &str> {
        self.labels.iter().map(|l| l.name.as_str())
    }

    /// Position of a label in scheme order; unknown labels sort last.
    pub fn label_index(&self, name: &str) -> usize {
        self.labels
            .iter()
            .position(|l| l.name == name)
            .unwrap_or(self.labels.len())
    }

    /// Relations allowed from a span of label `from` to one of label `to`.
    pub fn relations_between<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
    ) -> impl Iterator<Item = &'a Relation> {
        self.relations
            .iter()
            .filter(move |r| r.from.iter().any(|l| l == from) && r.to.iter().any(|l| l == to))
    }

    pub fn parse(path: &Path, yaml: &str) -> Result<Scheme> {
        let mut s: Scheme =
            serde_saphyr::from_str_with_options(yaml, crate::format::read_options())
                .map_err(|e| Error::yaml(path, &e))?;
        const PALETTE: &[&str] = &[
            "yellow",
            "red",
            "green",
            "cyan",
            "magenta",
            "blue",
            "light-red",
            "light-green",
        ];
        for (i, l) in s.labels.iter_mut().enumerate() {
            if l.colour.trim().is_empty() {
                l.colour = PALETTE[i % PALETTE.len()].to_string();
            }
        }
        s.validate(path)?;
        Ok(s)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        if self.labels.is_empty() {
            return Err(Error::invalid(path, "labels: at least one label is needed"));
        }
        let mut names = std::collections::BTreeSet::new();
        let mut keys = std::collections::BTreeSet::new();
        for l in &self.labels {
            if l.name.is_empty() || !names.insert(&l.name) {
                return Err(Error::invalid(
                    path,
                    format!("labels: name {:?} is empty or used twice", l.name),
                ));
            }
            if !keys.insert(l.key) {
                return Err(Error::invalid(
                    path,
                    format!("labels: key {:?} of {:?} is used twice", l.key, l.name),
                ));
            }
            if crate::colour::parse(&l.colour).is_none() {
                return Err(Error::invalid(
                    path,
                    format!(
                        "labels: colour {:?} of {:?} is not a colour name or #rrggbb",
                        l.colour, l.name
                    ),
                ));
            }
        }
        for a in &self.attributes {
            // An attribute is stored as a key of the annotation: it may not
            // take the name of one the format already has.
            const TAKEN: &[&str] = &[
                "id", "label", "start", "end", "text", "prefix", "suffix", "links", "created",
                "from", "orphan",
            ];
            if a.name.is_empty() || TAKEN.contains(&a.name.as_str()) {
                return Err(Error::invalid(
                    path,
                    format!(
                        "attributes: {:?} is empty or a key annotations already have",
                        a.name
                    ),
                ));
            }
        }
        for r in &self.relations {
            for l in r.from.iter().chain(&r.to) {
                if !names.contains(l) {
                    return Err(Error::invalid(
                        path,
                        format!("relations: {:?} names unknown label {:?}", r.name, l),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The scheme for a corpus: the first `claimtag.yaml` found walking up from
    /// `start`, else the default. Returns where it came from.
    pub fn discover(start: &Path) -> Result<(Scheme, Option<PathBuf>)> {
        let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir = if abs.is_dir() {
            Some(abs.as_path())
        } else {
            abs.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(SCHEME_FILE);
            if candidate.is_file() {
                let text =
                    std::fs::read_to_string(&candidate).map_err(|e| Error::io(&candidate, e))?;
                return Ok((Scheme::parse(&candidate, &text)?, Some(candidate)));
            }
            dir = d.parent();
        }
        Ok((Scheme::default(), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_may_not_take_format_keys() {
        let y = "labels:\n- {name: x, key: c, colour: red}\nattributes:\n- {name: start}\n";
        let e = Scheme::parse(Path::new("claimtag.yaml"), y)
            .unwrap_err()
            .to_string();
        assert!(e.contains("attributes: \"start\""), "{e}");
    }

    #[test]
    fn colour_may_be_left_out() {
        let s = Scheme::parse(
            Path::new("c.yaml"),
            "labels:\n- {name: a, key: a}\n- {name: b, key: b}\n",
        )
        .unwrap();
        assert_eq!(s.labels[0].colour, "yellow");
        assert_eq!(s.labels[1].colour, "red");
    }

    #[test]
    fn default_has_the_three_labels() {
        let s = Scheme::default();
        assert_eq!(
            s.label_names().collect::<Vec<_>>(),
            ["claim", "denial", "evidence"]
        );
        assert_eq!(s.relations_between("denial", "claim").count(), 1);
        assert_eq!(s.relations_between("evidence", "claim").count(), 2);
    }

    #[test]
    fn bad_scheme_names_file_and_place() {
        let e = Scheme::parse(
            Path::new("claimtag.yaml"),
            "labels:\n- name: x\n  key: c\n  colour: red\n  bogus: 1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("claimtag.yaml:5:"), "{e}");
        let e = Scheme::parse(
            Path::new("claimtag.yaml"),
            "labels:\n- {name: x, key: c, colour: nope}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("colour \"nope\""), "{e}");
    }
}
