//! Pattern files: JSONL in the subset of spaCy's EntityRuler / Prodigy
//! pattern format that fits claimtag, one pattern per line:
//!
//! ```text
//! {"label": "denial", "pattern": "rejected the claim", "id": "rej-claim"}
//! {"label": "claim", "pattern": [{"LOWER": {"IN": ["said", "says"]}}], "id": "said", "claimant": "before"}
//! ```
//!
//! A string pattern is a phrase, matched case-insensitively token by token.
//! A list pattern has one object per token with the attributes `LOWER`,
//! `TEXT` (or its alias `ORTH`), `IS_PUNCT`, `IS_TITLE`, values given plainly
//! or as `{"IN": [...]}` / `{"NOT_IN": [...]}`, and `OP` `?`, `*` or `+`;
//! `{}` is any token. claimtag's own keys: `span` (`sentence`, the default;
//! `match`; `quote`) and `claimant` (`before` or `after`). Anything else is an
//! error naming the file and line, so a typo never silently matches nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The built-in English cue set, `builtin:en`.
pub const BUILTIN_EN: &str = include_str!("builtin_en.jsonl");
pub const BUILTIN_PREFIX: &str = "builtin:";

/// What a match suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpanMode {
    /// The sentence holding the match (the default).
    #[default]
    Sentence,
    /// The matched tokens themselves.
    Match,
    /// The nearest quotation in the paragraph (its inside), else the sentence.
    Quote,
}

/// Where to look for the claimant's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimantSide {
    Before,
    After,
}

/// How often a token spec may repeat (spaCy's `OP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    One,
    /// `?`
    Optional,
    /// `*`
    ZeroOrMore,
    /// `+`
    OneOrMore,
}

/// A string attribute's test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrTest {
    Is(String),
    In(BTreeSet<String>),
    NotIn(BTreeSet<String>),
}

impl StrTest {
    pub fn accepts(&self, s: &str) -> bool {
        match self {
            StrTest::Is(v) => v == s,
            StrTest::In(set) => set.contains(s),
            StrTest::NotIn(set) => !set.contains(s),
        }
    }
}

/// One token of a token pattern. Every attribute given must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpec {
    pub lower: Option<StrTest>,
    pub text: Option<StrTest>,
    pub is_punct: Option<bool>,
    pub is_title: Option<bool>,
    pub op: Quantifier,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Lower-cased tokens of a phrase pattern.
    Phrase(Vec<String>),
    Tokens(Vec<TokenSpec>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub id: String,
    pub label: String,
    pub body: Body,
    pub span: SpanMode,
    pub claimant: Option<ClaimantSide>,
    /// Where it was written, for messages.
    pub file: PathBuf,
    pub line: usize,
}

/// Loads `builtin:<lang>` or a JSONL file.
pub fn load(spec: &str) -> Result<Vec<Pattern>> {
    if let Some(lang) = spec.strip_prefix(BUILTIN_PREFIX) {
        return match lang {
            "en" => parse_jsonl(Path::new(spec), BUILTIN_EN),
            _ => Err(Error::invalid(
                spec,
                "no such built-in pattern set (there is builtin:en)",
            )),
        };
    }
    let path = Path::new(spec);
    let (bytes, _) = crate::store::read_capped(path, 16 * 1024 * 1024)?;
    let text = String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    parse_jsonl(path, &text)
}

/// Parses pattern JSONL. Blank lines are skipped; ids must be unique.
pub fn parse_jsonl(path: &Path, text: &str) -> Result<Vec<Pattern>> {
    let mut out: Vec<Pattern> = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let err = |message: String| Error::Line {
            path: path.to_path_buf(),
            line: n,
            message,
        };
        let value: Value = serde_json::from_str(line).map_err(|e| {
            let mut msg = e.to_string();
            // serde_json appends "at line 1 column C"; the line is ours.
            if let Some(k) = msg.rfind(" at line ") {
                msg.truncate(k);
                msg = format!("{msg} (column {})", e.column());
            }
            err(format!("not a JSON object: {msg}"))
        })?;
        let p = parse_pattern(&value, n).map_err(err)?;
        if !ids.insert(p.id.clone()) {
            return Err(err(format!("id {:?} is used twice", p.id)));
        }
        out.push(Pattern {
            file: path.to_path_buf(),
            ..p
        });
    }
    Ok(out)
}

const PATTERN_KEYS: &[&str] = &["label", "pattern", "id", "span", "claimant"];
const TOKEN_KEYS: &[&str] = &["LOWER", "TEXT", "ORTH", "IS_PUNCT", "IS_TITLE", "OP"];

fn parse_pattern(v: &Value, line: usize) -> std::result::Result<Pattern, String> {
    let obj = v.as_object().ok_or("a pattern must be a JSON object")?;
    if let Some(k) = obj.keys().find(|k| !PATTERN_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key {k:?} (known: {})",
            PATTERN_KEYS.join(", ")
        ));
    }
    let label = match obj.get("label") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(_) => return Err("\"label\" must be a non-empty string".into()),
        None => return Err("\"label\" is missing".into()),
    };
    let body = match obj.get("pattern") {
        Some(Value::String(s)) => {
            let toks: Vec<String> = super::tokens::tokenize(s)
                .into_iter()
                .map(|t| t.lower)
                .collect();
            if toks.is_empty() {
                return Err("\"pattern\" is an empty phrase".into());
            }
            Body::Phrase(toks)
        }
        Some(Value::Array(items)) => Body::Tokens(parse_tokens(items)?),
        Some(_) => return Err("\"pattern\" must be a string or a list of token objects".into()),
        None => return Err("\"pattern\" is missing".into()),
    };
    let id = match obj.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(_) => return Err("\"id\" must be a non-empty string".into()),
        // spaCy's id is optional; the report needs one, so the line names it.
        None => format!("{label}@{line}"),
    };
    let span = match obj.get("span").map(Value::as_str) {
        None => SpanMode::Sentence,
        Some(Some("sentence")) => SpanMode::Sentence,
        Some(Some("match")) => SpanMode::Match,
        Some(Some("quote")) => SpanMode::Quote,
        Some(_) => return Err("\"span\" must be \"sentence\", \"match\" or \"quote\"".into()),
    };
    let claimant = match obj.get("claimant").map(Value::as_str) {
        None => None,
        Some(Some("before")) => Some(ClaimantSide::Before),
        Some(Some("after")) => Some(ClaimantSide::After),
        Some(_) => return Err("\"claimant\" must be \"before\" or \"after\"".into()),
    };
    Ok(Pattern {
        id,
        label,
        body,
        span,
        claimant,
        file: PathBuf::new(),
        line,
    })
}

fn parse_tokens(items: &[Value]) -> std::result::Result<Vec<TokenSpec>, String> {
    if items.is_empty() {
        return Err("\"pattern\" is an empty list".into());
    }
    let mut specs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = |m: String| format!("token {}: {m}", i + 1);
        let obj = item
            .as_object()
            .ok_or_else(|| at("must be an object".into()))?;
        specs.push(parse_token(obj).map_err(at)?);
    }
    if specs
        .iter()
        .all(|s| s.op != Quantifier::One && s.op != Quantifier::OneOrMore)
    {
        // spaCy refuses these too: they would match nothing, everywhere.
        return Err("every token is optional; the pattern could match nothing".into());
    }
    Ok(specs)
}

fn parse_token(obj: &Map<String, Value>) -> std::result::Result<TokenSpec, String> {
    if let Some(k) = obj.keys().find(|k| !TOKEN_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown attribute {k:?} (known: {})",
            TOKEN_KEYS.join(", ")
        ));
    }
    if obj.contains_key("TEXT") && obj.contains_key("ORTH") {
        return Err("TEXT and ORTH are the same attribute; give one".into());
    }
    let lower = obj.get("LOWER").map(|v| str_test("LOWER", v)).transpose()?;
    if let Some(test) = &lower {
        let values: Vec<&String> = match test {
            StrTest::Is(v) => vec![v],
            StrTest::In(s) | StrTest::NotIn(s) => s.iter().collect(),
        };
        if let Some(v) = values.into_iter().find(|v| v.to_lowercase() != **v) {
            return Err(format!(
                "LOWER value {v:?} has upper case; it never matches"
            ));
        }
    }
    let text = obj
        .get("TEXT")
        .or_else(|| obj.get("ORTH"))
        .map(|v| str_test("TEXT", v))
        .transpose()?;
    let flag = |name: &str| -> std::result::Result<Option<bool>, String> {
        match obj.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(format!("{name} must be true or false")),
        }
    };
    let op = match obj.get("OP") {
        None => Quantifier::One,
        Some(Value::String(s)) => match s.as_str() {
            "?" => Quantifier::Optional,
            "*" => Quantifier::ZeroOrMore,
            "+" => Quantifier::OneOrMore,
            "!" => return Err("OP \"!\" is not supported (use NOT_IN)".into()),
            other => return Err(format!("OP {other:?} is not supported (use ?, * or +)")),
        },
        Some(_) => return Err("OP must be a string".into()),
    };
    Ok(TokenSpec {
        lower,
        text,
        is_punct: flag("IS_PUNCT")?,
        is_title: flag("IS_TITLE")?,
        op,
    })
}

fn str_test(name: &str, v: &Value) -> std::result::Result<StrTest, String> {
    let list = |items: &Value, op: &str| -> std::result::Result<BTreeSet<String>, String> {
        let arr = items
            .as_array()
            .ok_or_else(|| format!("{name}.{op} must be a list of strings"))?;
        arr.iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{name}.{op} must be a list of strings"))
            })
            .collect()
    };
    match v {
        Value::String(s) => Ok(StrTest::Is(s.clone())),
        Value::Object(m) if m.len() == 1 => {
            if let Some(items) = m.get("IN") {
                Ok(StrTest::In(list(items, "IN")?))
            } else if let Some(items) = m.get("NOT_IN") {
                Ok(StrTest::NotIn(list(items, "NOT_IN")?))
            } else {
                Err(format!(
                    "{name}: only IN and NOT_IN are supported, not {:?}",
                    m.keys().next().map(String::as_str).unwrap_or("")
                ))
            }
        }
        _ => Err(format!(
            "{name} must be a string or {{\"IN\": [...]}} / {{\"NOT_IN\": [...]}}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Pattern {
        parse_jsonl(Path::new("p.jsonl"), line).unwrap().remove(0)
    }

    fn error(text: &str) -> String {
        parse_jsonl(Path::new("p.jsonl"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn phrase_and_token_patterns() {
        let p = one(r#"{"label": "denial", "pattern": "Rejected the claim", "id": "rej"}"#);
        assert_eq!(
            p.body,
            Body::Phrase(vec!["rejected".into(), "the".into(), "claim".into()])
        );
        assert_eq!(
            (p.id.as_str(), p.span, p.claimant),
            ("rej", SpanMode::Sentence, None)
        );
        let p = one(
            r#"{"label": "claim", "pattern": [{"LOWER": {"IN": ["said", "says"]}}, {"IS_PUNCT": true, "OP": "?"}], "span": "quote", "claimant": "after"}"#,
        );
        assert_eq!(p.id, "claim@1");
        assert_eq!(p.span, SpanMode::Quote);
        assert_eq!(p.claimant, Some(ClaimantSide::After));
        let Body::Tokens(t) = p.body else {
            panic!("token pattern expected")
        };
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].op, Quantifier::Optional);
        assert_eq!(t[1].is_punct, Some(true));
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let ok = r#"{"label": "claim", "pattern": "said"}"#;
        for (text, want) in [
            (
                format!("{ok}\n\n{{\"label\": \"claim\"}}"),
                "p.jsonl:3: \"pattern\" is missing",
            ),
            (format!("{ok}\nnot json"), "p.jsonl:2: not a JSON object"),
            (
                r#"{"label": "claim", "pattern": "x", "colour": "red"}"#.into(),
                "p.jsonl:1: unknown key \"colour\"",
            ),
            (
                r#"{"label": "claim", "pattern": [{"POS": "VERB"}]}"#.into(),
                "p.jsonl:1: token 1: unknown attribute \"POS\"",
            ),
            (
                r#"{"label": "claim", "pattern": [{"LOWER": "Said"}]}"#.into(),
                "p.jsonl:1: token 1: LOWER value \"Said\" has upper case",
            ),
            (
                r#"{"label": "claim", "pattern": [{"LOWER": "a", "OP": "{2}"}]}"#.into(),
                "p.jsonl:1: token 1: OP \"{2}\" is not supported",
            ),
            (
                r#"{"label": "claim", "pattern": [{"LOWER": "a", "OP": "*"}]}"#.into(),
                "p.jsonl:1: every token is optional",
            ),
            (
                r#"{"label": "claim", "pattern": "x", "span": "paragraph"}"#.into(),
                "p.jsonl:1: \"span\" must be",
            ),
            (
                r#"{"label": "claim", "pattern": "x", "claimant": true}"#.into(),
                "p.jsonl:1: \"claimant\" must be",
            ),
            (
                r#"{"label": "claim", "pattern": "  "}"#.into(),
                "p.jsonl:1: \"pattern\" is an empty phrase",
            ),
            (
                r#"{"label": "claim", "pattern": [{"LOWER": {"REGEX": "x"}}]}"#.into(),
                "p.jsonl:1: token 1: LOWER: only IN and NOT_IN",
            ),
        ] {
            let e = error(&text);
            assert!(e.starts_with(want), "{e:?} should start with {want:?}");
            assert!(!e.contains('\n'), "{e:?}");
        }
        // ids given explicitly may repeat neither
        let e = error(&format!(
            "{}\n{}",
            r#"{"label": "claim", "pattern": "a", "id": "x"}"#,
            r#"{"label": "claim", "pattern": "b", "id": "x"}"#
        ));
        assert!(e.starts_with("p.jsonl:2: id \"x\" is used twice"), "{e}");
    }

    #[test]
    fn builtin_en_parses_and_unknown_builtins_are_errors() {
        let p = load("builtin:en").unwrap();
        assert!(p.len() > 30, "{}", p.len());
        for label in ["claim", "denial", "evidence"] {
            assert!(p.iter().any(|x| x.label == label), "{label}");
        }
        assert!(
            load("builtin:xx")
                .unwrap_err()
                .to_string()
                .contains("builtin:en")
        );
        let e = load("/nonexistent/p.jsonl").unwrap_err().to_string();
        assert!(e.starts_with("/nonexistent/p.jsonl:"), "{e}");
    }
}
