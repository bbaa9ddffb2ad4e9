//! The label scheme: labels, relations and attributes (DESIGN.md §4).
//! Found as `claimtag.yaml` by walking up from the opened path.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::Direction;
use crate::sentences::{SentenceConfig, SentenceRules, unknown_languages};

use crate::error::{Error, Result};

pub const SCHEME_FILE: &str = "claimtag.yaml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub name: String,
    /// The key that tags a selection with this label.
    pub key: char,
    /// A colour name (`red`, `light-blue`, …) or `#rrggbb`; when left out,
    /// the next of a fixed palette. `color:` is accepted too, as brat,
    /// doccano and Label Studio users write it.
    #[serde(default, alias = "color")]
    pub colour: String,
    #[serde(default)]
    pub description: String,
    /// The annotation guideline for this label: longer text than the
    /// one-line description, shown under the cursor and in help.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guideline: String,
    /// Example phrases that take this label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
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
    /// Which languages' sentence rules apply, and words to add to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentences: Option<SentenceConfig>,
    /// Paragraph direction of the corpus's articles (over the user's config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Paragraph direction per article, by file name relative to this file's
    /// folder (over `direction:`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub directions: BTreeMap<String, Direction>,
    /// Cue pattern files for `claimtag suggest`, by language: `en: builtin:en`,
    /// `fa: patterns/dari.jsonl` (relative to the scheme file's folder).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub patterns: BTreeMap<String, String>,
}

impl Default for Scheme {
    fn default() -> Self {
        let label = |name: &str, key, colour: &str, description: &str| Label {
            name: name.into(),
            key,
            colour: colour.into(),
            description: description.into(),
            guideline: String::new(),
            examples: Vec::new(),
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
            sentences: None,
            direction: None,
            directions: BTreeMap::new(),
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

    /// The sentence rules of the corpus's languages.
    pub fn sentence_rules(&self) -> Arc<SentenceRules> {
        match &self.sentences {
            Some(cfg) => Arc::new(SentenceRules::from_config(cfg)),
            None => SentenceRules::default_rules(),
        }
    }

    /// The paragraph direction asked for an article (by its file name
    /// relative to the scheme's folder), if the scheme names one.
    pub fn direction_of(&self, relative_name: &str) -> Option<Direction> {
        self.directions
            .get(relative_name)
            .copied()
            .or(self.direction)
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
        // Parsed again for the places of names, keys and colours, so a
        // problem of meaning is reported at its line like a syntax error.
        let places: Places =
            serde_saphyr::from_str_with_options(yaml, crate::format::read_options())
                .map_err(|e| Error::yaml(path, &e))?;
        s.validate().map_err(|(place, message)| {
            let (line, column) = places.locate(place);
            Error::Yaml {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        })?;
        Ok(s)
    }

    /// Problems of meaning, each with the place it is about.
    fn validate(&self) -> std::result::Result<(), (Place, String)> {
        if self.labels.is_empty() {
            return Err((Place::Labels, "labels: at least one label is needed".into()));
        }
        let mut names = std::collections::BTreeSet::new();
        let mut keys = std::collections::BTreeSet::new();
        for (i, l) in self.labels.iter().enumerate() {
            if !plain_name(&l.name) {
                return Err((
                    Place::Label(i, Field::Name),
                    format!(
                        "labels: name {:?} must be non-empty, without control characters or spaces at either end",
                        l.name
                    ),
                ));
            }
            if !names.insert(&l.name) {
                return Err((
                    Place::Label(i, Field::Name),
                    format!("labels: name {:?} is used twice", l.name),
                ));
            }
            if l.key.is_control() || l.key == ' ' {
                return Err((
                    Place::Label(i, Field::Key),
                    format!(
                        "labels: key {:?} of {:?} is not a printable key",
                        l.key, l.name
                    ),
                ));
            }
            if !keys.insert(l.key) {
                return Err((
                    Place::Label(i, Field::Key),
                    format!("labels: key {:?} of {:?} is used twice", l.key, l.name),
                ));
            }
            if crate::colour::parse(&l.colour).is_none() {
                return Err((
                    Place::Label(i, Field::Colour),
                    format!(
                        "labels: colour {:?} of {:?} is not a colour name or #rrggbb",
                        l.colour, l.name
                    ),
                ));
            }
        }
        for (i, a) in self.attributes.iter().enumerate() {
            // An attribute is stored as a key of the annotation: it may not
            // take the name of one the format already has.
            const TAKEN: &[&str] = &[
                "id", "label", "start", "end", "text", "prefix", "suffix", "links", "created",
                "from", "orphan",
            ];
            if !plain_name(&a.name) || TAKEN.contains(&a.name.as_str()) {
                return Err((
                    Place::Attribute(i),
                    format!(
                        "attributes: {:?} is empty or a key annotations already have",
                        a.name
                    ),
                ));
            }
        }
        if let Some(cfg) = &self.sentences {
            let unknown = unknown_languages(cfg);
            if !unknown.is_empty() {
                let known: Vec<&str> = crate::sentences::built_in()
                    .keys()
                    .map(String::as_str)
                    .collect();
                return Err((
                    Place::Sentences,
                    format!(
                        "sentences.languages: {} not built in (known: {})",
                        unknown.join(", "),
                        known.join(", ")
                    ),
                ));
            }
        }
        for (i, r) in self.relations.iter().enumerate() {
            if !plain_name(&r.name) {
                return Err((
                    Place::Relation(i, Field::Name),
                    format!(
                        "relations: name {:?} must be non-empty, without control characters or spaces at either end",
                        r.name
                    ),
                ));
            }
            for (field, list) in [(Field::From, &r.from), (Field::To, &r.to)] {
                if let Some(l) = list.iter().find(|l| !names.contains(l)) {
                    return Err((
                        Place::Relation(i, field),
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
            // Anything by that name counts: a directory, FIFO or broken link
            // is an error, never silently replaced by the default scheme.
            if std::fs::symlink_metadata(&candidate).is_ok() {
                let (text, _) =
                    crate::reading::read_text_capped(&candidate, crate::reading::MAX_SCHEME_BYTES)?;
                return Ok((Scheme::parse(&candidate, &text)?, Some(candidate)));
            }
            dir = d.parent();
        }
        Ok((Scheme::default(), None))
    }
}

/// A name shown in lists and written into sidecars: one line, no padding.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(char::is_control) && name.trim() == name
}

/// Which part of the scheme a problem is about.
#[derive(Debug, Clone, Copy)]
enum Place {
    Labels,
    Label(usize, Field),
    Relation(usize, Field),
    Attribute(usize),
    Sentences,
}

#[derive(Debug, Clone, Copy)]
enum Field {
    Name,
    Key,
    Colour,
    From,
    To,
}

type At = Option<serde_saphyr::Spanned<serde::de::IgnoredAny>>;

/// Where the parts of a scheme stand in its file (read leniently: the typed
/// parse has already refused what does not fit).
#[derive(Deserialize)]
struct Places {
    #[serde(default)]
    labels: Option<serde_saphyr::Spanned<Vec<LabelPlaces>>>,
    #[serde(default)]
    relations: Vec<RelationPlaces>,
    #[serde(default)]
    attributes: Vec<AttributePlaces>,
    #[serde(default)]
    sentences: At,
}

#[derive(Deserialize)]
struct LabelPlaces {
    #[serde(default)]
    name: At,
    #[serde(default)]
    key: At,
    #[serde(default, alias = "color")]
    colour: At,
}

#[derive(Deserialize)]
struct RelationPlaces {
    #[serde(default)]
    name: At,
    #[serde(default)]
    from: At,
    #[serde(default)]
    to: At,
}

#[derive(Deserialize)]
struct AttributePlaces {
    #[serde(default)]
    name: At,
}

impl Places {
    /// Line and column of a place, falling back to the item, then to 1:1.
    fn locate(&self, place: Place) -> (u64, u64) {
        let labels = self.labels.as_ref();
        let at = match place {
            Place::Labels => labels.map(|l| l.referenced),
            Place::Label(i, field) => labels.and_then(|l| l.value.get(i)).and_then(|l| {
                match field {
                    Field::Key => l.key.as_ref(),
                    Field::Colour => l.colour.as_ref(),
                    _ => None,
                }
                .or(l.name.as_ref())
                .map(|s| s.referenced)
            }),
            Place::Relation(i, field) => self.relations.get(i).and_then(|r| {
                match field {
                    Field::From => r.from.as_ref(),
                    Field::To => r.to.as_ref(),
                    _ => None,
                }
                .or(r.name.as_ref())
                .map(|s| s.referenced)
            }),
            Place::Attribute(i) => self
                .attributes
                .get(i)
                .and_then(|a| a.name.as_ref())
                .map(|s| s.referenced),
            Place::Sentences => self.sentences.as_ref().map(|s| s.referenced),
        };
        at.map(|l| (l.line(), l.column())).unwrap_or((1, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_directions_are_read() {
        let y = "labels:\n- {name: x, key: c}\nsentences:\n  languages: [fa]\n  abbreviations: [Brig]\ndirection: rtl\ndirections:\n  en.txt: ltr\n";
        let s = Scheme::parse(Path::new("s.yaml"), y).unwrap();
        assert!(s.sentence_rules().is_abbreviation("brig"));
        assert!(!s.sentence_rules().is_abbreviation("gen"));
        assert_eq!(s.direction_of("en.txt"), Some(Direction::Ltr));
        assert_eq!(s.direction_of("da.txt"), Some(Direction::Rtl));
        let y = "labels:\n- {name: x, key: c}\nsentences: {languages: [klingon]}\n";
        let e = Scheme::parse(Path::new("s.yaml"), y)
            .unwrap_err()
            .to_string();
        assert!(e.contains("klingon") && e.starts_with("s.yaml"), "{e}");
    }

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

    fn err(yaml: &str) -> String {
        Scheme::parse(Path::new("claimtag.yaml"), yaml)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn labels_carry_a_guideline_and_examples() {
        let y = "labels:\n- name: claim\n  key: c\n  description: an assertion\n  guideline: |\n    Tag the whole assertion,\n    not the attribution.\n  examples:\n  - the leaders were transferred\n  - ISIS was eliminated\n";
        let s = Scheme::parse(Path::new("claimtag.yaml"), y).unwrap();
        let l = &s.labels[0];
        assert_eq!(
            l.guideline,
            "Tag the whole assertion,\nnot the attribution.\n"
        );
        assert_eq!(
            l.examples,
            ["the leaders were transferred", "ISIS was eliminated"]
        );
        // unknown keys beside them are still refused at their line
        let bad = "labels:\n- name: claim\n  key: c\n  guideline: g\n  exmples: [x]\n";
        assert!(err(bad).starts_with("claimtag.yaml:5:"), "{}", err(bad));
    }

    #[test]
    fn color_is_accepted_as_well_as_colour() {
        let s = Scheme::parse(
            Path::new("c.yaml"),
            "labels:\n- {name: a, key: a, color: blue}\n",
        )
        .unwrap();
        assert_eq!(s.labels[0].colour, "blue");
    }

    #[test]
    fn problems_of_meaning_have_line_and_column() {
        let two = "labels:\n- name: a\n  key: a\n- name: a\n  key: b\n";
        assert!(
            err(two).starts_with("claimtag.yaml:4:9: labels: name \"a\" is used twice"),
            "{}",
            err(two)
        );
        let keys = "labels:\n- name: a\n  key: a\n- name: b\n  key: a\n";
        assert!(
            err(keys).starts_with("claimtag.yaml:5:8: labels: key 'a'"),
            "{}",
            err(keys)
        );
        let colour = "labels:\n- name: a\n  key: a\n  colour: nope\n";
        assert!(
            err(colour).starts_with("claimtag.yaml:4:11:"),
            "{}",
            err(colour)
        );
        let rel = "labels:\n- {name: a, key: a}\nrelations:\n- name: r\n  from: [a]\n  to: [zz]\n";
        assert!(
            err(rel).starts_with("claimtag.yaml:6:7: relations: \"r\" names unknown label \"zz\""),
            "{}",
            err(rel)
        );
        assert!(
            err("labels: []\n").starts_with("claimtag.yaml:1:9: labels: at least one"),
            "{}",
            err("labels: []\n")
        );
    }

    #[test]
    fn label_names_with_control_characters_are_refused() {
        for name in ["\"a\\nb\"", "\"a\\tb\"", "\"\\u0007\"", "\" a\""] {
            let e = err(&format!("labels:\n- name: {name}\n  key: a\n"));
            assert!(e.starts_with("claimtag.yaml:2:9: labels: name"), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn a_scheme_that_is_not_a_regular_file_is_an_error_not_the_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(SCHEME_FILE)).unwrap();
        let e = Scheme::discover(dir.path()).unwrap_err().to_string();
        assert!(
            e.ends_with("claimtag.yaml: is a directory, not a regular file"),
            "{e}"
        );
    }

    #[test]
    fn a_scheme_not_utf8_gives_the_byte_offset() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SCHEME_FILE), b"labels:\n- name: \xe9\n").unwrap();
        let e = Scheme::discover(dir.path()).unwrap_err().to_string();
        assert!(
            e.ends_with("claimtag.yaml: not valid UTF-8 at byte offset 16"),
            "{e}"
        );
    }
}
