//! The user's configuration file (DESIGN.md §4): annotator name, theme and key
//! bindings over the defaults. A bad file is an error naming file, line and key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::format::valid_annotator;

pub const CONFIG_FILE: &str = "config.yaml";

/// One key or a list of keys, as written by the user (`ctrl-s`, `[c, F2]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// A key binding entry with where it stands in the file, for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub action: String,
    pub keys: Vec<String>,
    pub line: u64,
    pub column: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub annotator: Option<String>,
    /// Built-in theme name: `dark` (default), `light` or `mono`.
    pub theme: Option<String>,
    /// Label colour overrides: label name → colour.
    pub colours: BTreeMap<String, String>,
    /// Key bindings that replace the defaults of the named actions.
    pub keys: Vec<Binding>,
    /// Trim whitespace around selections (default true).
    pub trim_selections: bool,
    /// Who puts right-to-left text in display order (`bidi:`).
    pub bidi: Option<BidiMode>,
    /// Paragraph direction of every article (`direction:`), unless the scheme
    /// names one for the article.
    pub direction: Option<Direction>,
    /// An annotator's set shown as suggestions in the annotating screen
    /// (`suggest_from:`; `--suggest-from` wins). Default: `suggest`.
    pub suggest_from: Option<String>,
    pub path: Option<PathBuf>,
}

/// Who reorders right-to-left text for display (UAX #9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BidiMode {
    /// claimtag reorders each screen row and asks the terminal (BiDi draft's
    /// explicit mode) not to reorder again.
    #[default]
    App,
    /// The text is sent in logical order for a terminal that reorders itself.
    Terminal,
    /// Logical order, nothing reordered by anyone claimtag can ask.
    Off,
}

/// A paragraph's base direction: from its first strong character (UAX #9
/// P2/P3), or forced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Auto,
    Ltr,
    Rtl,
}

impl std::str::FromStr for BidiMode {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "app" => Ok(BidiMode::App),
            "terminal" => Ok(BidiMode::Terminal),
            "off" => Ok(BidiMode::Off),
            _ => Err(format!("bidi: {s:?} is not one of app, terminal, off")),
        }
    }
}

impl std::str::FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(Direction::Auto),
            "ltr" => Ok(Direction::Ltr),
            "rtl" => Ok(Direction::Rtl),
            _ => Err(format!("direction: {s:?} is not one of auto, ltr, rtl")),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    annotator: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    theme: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    colours: BTreeMap<String, serde_saphyr::Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<String, serde_saphyr::Spanned<KeyList>>,
    #[serde(default)]
    trim_selections: Option<bool>,
    #[serde(default)]
    bidi: Option<BidiMode>,
    #[serde(default)]
    direction: Option<Direction>,
    suggest_from: Option<serde_saphyr::Spanned<String>>,
}

pub const THEMES: &[&str] = &["dark", "light", "mono"];

impl Config {
    pub fn parse(path: &Path, yaml: &str) -> Result<Config> {
        let f: ConfigFile =
            serde_saphyr::from_str_with_options(yaml, crate::format::read_options())
                .map_err(|e| Error::yaml(path, &e))?;
        let at = |loc: &serde_saphyr::Location, msg: String| Error::Yaml {
            path: path.to_path_buf(),
            line: loc.line(),
            column: loc.column(),
            message: msg,
        };
        if let Some(a) = &f.annotator
            && !valid_annotator(&a.value)
        {
            return Err(at(
                &a.referenced,
                format!("annotator: {:?} is not 1-32 of A-Za-z0-9_-", a.value),
            ));
        }
        if let Some(t) = &f.theme
            && !THEMES.contains(&t.value.as_str())
        {
            return Err(at(
                &t.referenced,
                format!("theme: {:?} is not one of {}", t.value, THEMES.join(", ")),
            ));
        }
        if let Some(a) = &f.suggest_from
            && !valid_annotator(&a.value)
        {
            return Err(at(
                &a.referenced,
                format!("suggest_from: {:?} is not 1-32 of A-Za-z0-9_-", a.value),
            ));
        }
        for (label, c) in &f.colours {
            if crate::colour::parse(&c.value).is_none() {
                return Err(at(
                    &c.referenced,
                    format!(
                        "colours.{label}: {:?} is not a colour name or #rrggbb",
                        c.value
                    ),
                ));
            }
        }
        Ok(Config {
            annotator: f.annotator.map(|a| a.value),
            theme: f.theme.map(|t| t.value),
            colours: f.colours.into_iter().map(|(k, v)| (k, v.value)).collect(),
            keys: f
                .keys
                .into_iter()
                .map(|(action, k)| Binding {
                    action,
                    keys: k.value.keys().into_iter().map(str::to_string).collect(),
                    line: k.referenced.line(),
                    column: k.referenced.column(),
                })
                .collect(),
            trim_selections: f.trim_selections.unwrap_or(true),
            bidi: f.bidi,
            direction: f.direction,
            suggest_from: f.suggest_from.map(|a| a.value),
            path: Some(path.to_path_buf()),
        })
    }

    /// Loads the config: `explicit` (from `--config` or `CLAIMTAG_CONFIG`) must
    /// exist; otherwise the platform config dir is tried and may be absent.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match default_path() {
                // Anything there by that name is read (a directory or FIFO
                // is an error, not silently skipped).
                Some(p) if std::fs::symlink_metadata(&p).is_ok() => p,
                _ => {
                    return Ok(Config {
                        trim_selections: true,
                        ..Config::default()
                    });
                }
            },
        };
        let (text, _) = crate::reading::read_text_capped(&path, crate::reading::MAX_CONFIG_BYTES)?;
        Config::parse(&path, &text)
    }
}

/// `config.yaml` in the platform config dir (`~/.config/claimtag/` on Linux).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "claimtag").map(|d| d.config_dir().join(CONFIG_FILE))
}

/// Where the annotator name came from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotatorSource {
    Flag,
    Env,
    Config,
    User,
}

/// The annotator: `--annotator`, else `CLAIMTAG_ANNOTATOR`, else the config
/// file, else `$USER` (made valid by replacing other characters with `_`).
pub fn resolve_annotator(
    flag: Option<&str>,
    env: Option<&str>,
    config: &Config,
    user: Option<&str>,
) -> std::result::Result<(String, AnnotatorSource), String> {
    let pick = flag
        .map(|s| (s.to_string(), AnnotatorSource::Flag))
        .or_else(|| {
            env.filter(|s| !s.is_empty())
                .map(|s| (s.to_string(), AnnotatorSource::Env))
        })
        .or_else(|| {
            config
                .annotator
                .clone()
                .map(|s| (s, AnnotatorSource::Config))
        });
    if let Some((name, src)) = pick {
        if valid_annotator(&name) {
            return Ok((name, src));
        }
        let from = match src {
            AnnotatorSource::Flag => "--annotator",
            AnnotatorSource::Env => "CLAIMTAG_ANNOTATOR",
            _ => "the config file",
        };
        return Err(format!(
            "annotator name {name:?} (from {from}) must be 1-32 of A-Za-z0-9_-"
        ));
    }
    let user: String = user
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(32)
        .collect();
    if user.is_empty() {
        return Err("no annotator name: use --annotator NAME or set CLAIMTAG_ANNOTATOR".into());
    }
    Ok((user, AnnotatorSource::User))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_and_reports_bad_values() {
        let c = Config::parse(
            Path::new("c.yaml"),
            "annotator: alice\nkeys:\n  save: [ctrl-s, F2]\n  quit: Q\n",
        )
        .unwrap();
        assert_eq!(c.annotator.as_deref(), Some("alice"));
        assert_eq!(c.keys.len(), 2);
        assert_eq!(c.keys[0].action, "quit");
        assert_eq!(c.keys[1].keys, ["ctrl-s", "F2"]);
        assert_eq!(c.keys[1].line, 3);
        let e = Config::parse(Path::new("c.yaml"), "theme: neon\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.yaml:1:") && e.contains("theme"), "{e}");
        let c = Config::parse(Path::new("c.yaml"), "bidi: terminal\ndirection: rtl\n").unwrap();
        assert_eq!(c.bidi, Some(BidiMode::Terminal));
        assert_eq!(c.direction, Some(Direction::Rtl));
        let e = Config::parse(Path::new("c.yaml"), "bidi: both\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.yaml:1:"), "{e}");
        let e = Config::parse(Path::new("c.yaml"), "annotater: x\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.yaml:1:"), "{e}");
    }

    #[test]
    fn annotator_precedence() {
        let cfg = Config {
            annotator: Some("carol".into()),
            ..Config::default()
        };
        let r = |f, e, u| resolve_annotator(f, e, &cfg, u).map(|x| x.0);
        assert_eq!(r(Some("alice"), Some("bob"), Some("u")), Ok("alice".into()));
        assert_eq!(r(None, Some("bob"), Some("u")), Ok("bob".into()));
        assert_eq!(r(None, None, Some("u")), Ok("carol".into()));
        assert!(r(Some("bad name"), None, None).is_err());
        let none = Config::default();
        assert_eq!(
            resolve_annotator(None, None, &none, Some("john.doe"))
                .unwrap()
                .0,
            "john_doe"
        );
    }
}
