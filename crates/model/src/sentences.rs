//! Which full stops end a sentence, per language, as data: the built-in
//! `data/sentence_rules.yaml` (English, Dari, Pashto, Urdu, Arabic) and what a
//! corpus adds in its scheme under `sentences:`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

const BUILT_IN: &str = include_str!("../data/sentence_rules.yaml");

/// One language's rules as written in the data file or a scheme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageRules {
    /// Words after which a full stop never ends a sentence (without the
    /// stop, compared without case).
    #[serde(default)]
    pub abbreviations: Vec<String>,
    /// Words that start a new sentence even after an acronym or an initial.
    #[serde(default)]
    pub sentence_starters: Vec<String>,
}

/// The scheme's `sentences:` key: which built-in languages apply (all when
/// left out) and words to add.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SentenceConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abbreviations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentence_starters: Vec<String>,
}

/// The rules in force: the union of the chosen languages and the additions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentenceRules {
    abbreviations: BTreeSet<String>,
    starters: BTreeSet<String>,
}

/// The built-in languages, by code (`en`, `fa`, `ps`, `ur`, `ar`).
pub fn built_in() -> &'static BTreeMap<String, LanguageRules> {
    static DATA: OnceLock<BTreeMap<String, LanguageRules>> = OnceLock::new();
    // The file ships inside the binary and a unit test parses it, so an
    // error here cannot come from a user; no rules is the safe fallback.
    DATA.get_or_init(|| serde_saphyr::from_str(BUILT_IN).unwrap_or_default())
}

impl SentenceRules {
    /// Every built-in language at once: what a document uses unless the
    /// corpus scheme says otherwise.
    pub fn default_rules() -> Arc<SentenceRules> {
        static RULES: OnceLock<Arc<SentenceRules>> = OnceLock::new();
        Arc::clone(RULES.get_or_init(|| Arc::new(SentenceRules::from_config(&Default::default()))))
    }

    /// The rules a scheme's `sentences:` asks for. Unknown language codes are
    /// reported by [`unknown_languages`].
    pub fn from_config(config: &SentenceConfig) -> SentenceRules {
        let mut rules = SentenceRules::default();
        for (code, lang) in built_in() {
            let chosen = config
                .languages
                .as_ref()
                .is_none_or(|l| l.iter().any(|c| c == code));
            if chosen {
                rules.add(lang.abbreviations.iter(), lang.sentence_starters.iter());
            }
        }
        rules.add(config.abbreviations.iter(), config.sentence_starters.iter());
        rules
    }

    fn add<'a>(
        &mut self,
        abbreviations: impl Iterator<Item = &'a String>,
        starters: impl Iterator<Item = &'a String>,
    ) {
        self.abbreviations
            .extend(abbreviations.map(|a| a.trim_end_matches('.').to_lowercase()));
        self.starters.extend(starters.cloned());
    }

    /// Whether a full stop after `word` never ends a sentence.
    pub fn is_abbreviation(&self, word: &str) -> bool {
        self.abbreviations.contains(&word.to_lowercase())
    }

    /// Whether `word` starts a new sentence even after an acronym.
    pub fn is_starter(&self, word: &str) -> bool {
        self.starters.contains(word)
    }
}

/// Language codes in a `sentences:` key that are not built in.
pub fn unknown_languages(config: &SentenceConfig) -> Vec<String> {
    config
        .languages
        .iter()
        .flatten()
        .filter(|c| !built_in().contains_key(c.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_data_parses_with_every_language() {
        let data: BTreeMap<String, LanguageRules> = serde_saphyr::from_str(BUILT_IN).unwrap();
        let codes: Vec<&str> = data.keys().map(String::as_str).collect();
        assert_eq!(codes, ["ar", "en", "fa", "ps", "ur"]);
        assert!(data.values().all(|l| !l.abbreviations.is_empty()));
        let r = SentenceRules::default_rules();
        assert!(r.is_abbreviation("Gen") && r.is_abbreviation("ه.ش"));
        assert!(r.is_starter("The"));
    }

    #[test]
    fn languages_choose_and_additions_add() {
        let only_dari = SentenceConfig {
            languages: Some(vec!["fa".into()]),
            abbreviations: vec!["Brig.".into()],
            sentence_starters: vec![],
        };
        let r = SentenceRules::from_config(&only_dari);
        assert!(!r.is_abbreviation("gen"));
        assert!(r.is_abbreviation("brig"));
        assert!(r.is_abbreviation("ق.م"));
        let bad = SentenceConfig {
            languages: Some(vec!["xx".into(), "en".into()]),
            ..Default::default()
        };
        assert_eq!(unknown_languages(&bad), ["xx"]);
    }
}
