//! Finding patterns in tokens, in time linear in the text.
//!
//! Phrase patterns are found all at once by one Aho-Corasick automaton over
//! the lower-cased tokens joined by a separator that no token contains, so a
//! phrase only matches whole tokens. Token patterns run as a Thompson NFA
//! (one state per token spec, `+` expanded to one then `*`) stepped once per
//! token: O(tokens × pattern length), never backtracking.
//!
//! Semantics, after spaCy's Matcher: every pattern reports its matches
//! independently (patterns may overlap each other). Unlike spaCy's default,
//! which lists every length a quantifier allows, a pattern keeps one match
//! per start, the longest (spaCy's `greedy="LONGEST"`), and drops a match
//! that lies inside another match of the same pattern. One more rule of
//! claimtag's: a match never crosses a sentence boundary, so a `*` cannot run
//! from one sentence into the next.

use std::collections::BTreeMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

use super::pattern::{Body, Pattern, Quantifier, TokenSpec};
use super::tokens::Token;
use crate::error::{Error, Result};

/// Joins tokens in the phrase haystack; tokens never hold control characters.
const SEP: char = '\u{1f}';

/// A match: which pattern, which tokens (half-open token indexes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub pattern: usize,
    pub tokens: Range<usize>,
}

#[derive(Debug)]
struct Step<'p> {
    spec: &'p TokenSpec,
    /// `*`: may repeat (after the first step of a `+`, too).
    repeat: bool,
    /// `?` or `*`: may be skipped.
    skippable: bool,
}

#[derive(Debug)]
pub struct Matcher<'p> {
    patterns: &'p [Pattern],
    phrases: Option<AhoCorasick>,
    /// Needle index → (pattern index, tokens in the phrase).
    phrase_of: Vec<(usize, usize)>,
    nfas: Vec<(usize, Vec<Step<'p>>)>,
}

impl<'p> Matcher<'p> {
    pub fn new(patterns: &'p [Pattern]) -> Result<Matcher<'p>> {
        let mut needles = Vec::new();
        let mut phrase_of = Vec::new();
        let mut nfas = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            match &p.body {
                Body::Phrase(words) => {
                    let mut needle = String::from(SEP);
                    for w in words {
                        needle.push_str(w);
                        needle.push(SEP);
                    }
                    needles.push(needle);
                    phrase_of.push((i, words.len()));
                }
                Body::Tokens(specs) => nfas.push((i, compile(specs))),
            }
        }
        let phrases = if needles.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&needles)
                    .map_err(|e| {
                        let file = patterns.first().map(|p| p.file.clone()).unwrap_or_default();
                        Error::invalid(file, format!("cannot build the phrase matcher: {e}"))
                    })?,
            )
        };
        Ok(Matcher {
            patterns,
            phrases,
            phrase_of,
            nfas,
        })
    }

    pub fn patterns(&self) -> &'p [Pattern] {
        self.patterns
    }

    /// Every match in `tokens`; `sentence_of[i]` numbers the sentence of
    /// token i. Sorted by token start, then pattern.
    pub fn find(&self, tokens: &[Token], sentence_of: &[usize]) -> Vec<Match> {
        let facts = TokenFacts::of(tokens);
        let mut out = Vec::new();
        self.find_phrases(tokens, sentence_of, &mut out);
        for (pattern, steps) in &self.nfas {
            let found = run_nfa(steps, tokens, &facts, sentence_of);
            out.extend(keep_longest(found).into_iter().map(|tokens| Match {
                pattern: *pattern,
                tokens,
            }));
        }
        out.sort_by_key(|a| (a.tokens.start, a.pattern));
        out
    }

    fn find_phrases(&self, tokens: &[Token], sentence_of: &[usize], out: &mut Vec<Match>) {
        let Some(ac) = &self.phrases else {
            return;
        };
        let mut hay = String::with_capacity(tokens.iter().map(|t| t.lower.len() + 1).sum());
        // Byte position in `hay` of the separator before each token.
        let mut sep_at = Vec::with_capacity(tokens.len());
        for t in tokens {
            sep_at.push(hay.len());
            hay.push(SEP);
            hay.push_str(&t.lower);
        }
        hay.push(SEP);
        let mut found: BTreeMap<usize, Vec<Range<usize>>> = BTreeMap::new();
        for m in ac.find_overlapping_iter(&hay) {
            let Ok(first) = sep_at.binary_search(&m.start()) else {
                continue;
            };
            let Some(&(pattern, len)) = self.phrase_of.get(m.pattern().as_usize()) else {
                continue;
            };
            let last = first + len - 1;
            if sentence_of.get(first) == sentence_of.get(last) {
                found.entry(pattern).or_default().push(first..last + 1);
            }
        }
        for (pattern, ranges) in found {
            out.extend(
                keep_longest(ranges)
                    .into_iter()
                    .map(|tokens| Match { pattern, tokens }),
            );
        }
    }
}

fn compile(specs: &[TokenSpec]) -> Vec<Step<'_>> {
    let mut steps = Vec::with_capacity(specs.len());
    for spec in specs {
        let (first, then_repeat) = match spec.op {
            Quantifier::One => ((false, false), false),
            Quantifier::Optional => ((false, true), false),
            Quantifier::ZeroOrMore => ((true, true), false),
            Quantifier::OneOrMore => ((false, false), true),
        };
        steps.push(Step {
            spec,
            repeat: first.0,
            skippable: first.1,
        });
        if then_repeat {
            steps.push(Step {
                spec,
                repeat: true,
                skippable: true,
            });
        }
    }
    steps
}

/// Attributes computed once per token rather than once per test.
struct TokenFacts {
    punct: Vec<bool>,
    title: Vec<bool>,
}

impl TokenFacts {
    fn of(tokens: &[Token]) -> TokenFacts {
        TokenFacts {
            punct: tokens.iter().map(Token::is_punct).collect(),
            title: tokens.iter().map(Token::is_title).collect(),
        }
    }
}

fn spec_accepts(spec: &TokenSpec, t: &Token, punct: bool, title: bool) -> bool {
    spec.lower.as_ref().is_none_or(|x| x.accepts(&t.lower))
        && spec.text.as_ref().is_none_or(|x| x.accepts(t.text))
        && spec.is_punct.is_none_or(|x| x == punct)
        && spec.is_title.is_none_or(|x| x == title)
}

/// Puts a thread in `state` (and every state reachable by skipping) unless a
/// thread that started earlier is there already: two threads in one state
/// have the same future, so the later one could only find a match inside
/// the earlier one's.
fn enter(states: &mut [Option<usize>], steps: &[Step], mut state: usize, start: usize) {
    loop {
        match states[state] {
            Some(s) if s <= start => return,
            _ => states[state] = Some(start),
        }
        match steps.get(state) {
            Some(step) if step.skippable => state += 1,
            _ => return,
        }
    }
}

/// Token ranges where the pattern matches (possibly several ends per start).
fn run_nfa(
    steps: &[Step],
    tokens: &[Token],
    facts: &TokenFacts,
    sentence_of: &[usize],
) -> Vec<Range<usize>> {
    let accept = steps.len();
    let mut states: Vec<Option<usize>> = vec![None; accept + 1];
    let mut next: Vec<Option<usize>> = vec![None; accept + 1];
    let mut found = Vec::new();
    for (j, t) in tokens.iter().enumerate() {
        if j > 0 && sentence_of.get(j) != sentence_of.get(j - 1) {
            states.iter_mut().for_each(|s| *s = None);
        }
        enter(&mut states, steps, 0, j);
        next.iter_mut().for_each(|s| *s = None);
        let (punct, title) = (facts.punct[j], facts.title[j]);
        for (i, step) in steps.iter().enumerate() {
            let Some(start) = states[i] else {
                continue;
            };
            if spec_accepts(step.spec, t, punct, title) {
                let to = if step.repeat { i } else { i + 1 };
                enter(&mut next, steps, to, start);
                if step.repeat {
                    enter(&mut next, steps, i + 1, start);
                }
            }
        }
        std::mem::swap(&mut states, &mut next);
        if let Some(start) = states[accept] {
            found.push(start..j + 1);
            states[accept] = None;
        }
    }
    found
}

/// One range per start (the longest), then only ranges not inside another.
fn keep_longest(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    let mut reach = 0;
    for r in ranges {
        // Starts only grow, so a range ending within the furthest end so far
        // lies inside an earlier range.
        if !out.is_empty() && r.end <= reach {
            continue;
        }
        reach = r.end;
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::pattern::parse_jsonl;
    use super::super::tokens::tokenize;
    use super::*;
    use std::path::Path;

    /// The matched texts of `patterns` (JSONL) in `text`, one sentence.
    fn found(patterns: &str, text: &str) -> Vec<String> {
        let p = parse_jsonl(Path::new("t.jsonl"), patterns).unwrap();
        let m = Matcher::new(&p).unwrap();
        let toks = tokenize(text);
        let sent = vec![0; toks.len()];
        m.find(&toks, &sent)
            .into_iter()
            .map(|x| {
                let b = toks[x.tokens.start].bytes.start..toks[x.tokens.end - 1].bytes.end;
                text[b].to_string()
            })
            .collect()
    }

    fn tok(pattern: &str) -> String {
        format!(r#"{{"label": "claim", "pattern": {pattern}}}"#)
    }

    #[test]
    fn phrase_is_case_insensitive_and_whole_tokens() {
        let p = r#"{"label": "denial", "pattern": "Rejected the claim"}"#;
        assert_eq!(
            found(p, "They REJECTED  the\r\nclaim; rejected the claims."),
            ["REJECTED  the\r\nclaim"]
        );
        // inside a longer word: no match
        assert!(found(r#"{"label": "c", "pattern": "said"}"#, "unsaid saids").is_empty());
    }

    #[test]
    fn lower_text_and_in() {
        assert_eq!(
            found(&tok(r#"[{"LOWER": "said"}]"#), "Said said SAID"),
            ["Said", "said", "SAID"]
        );
        assert_eq!(
            found(&tok(r#"[{"TEXT": "Said"}]"#), "Said said SAID"),
            ["Said"]
        );
        assert_eq!(
            found(&tok(r#"[{"ORTH": "SAID"}]"#), "Said said SAID"),
            ["SAID"]
        );
        assert_eq!(
            found(
                &tok(r#"[{"LOWER": {"IN": ["says", "said"]}}]"#),
                "he says, she said, it saw"
            ),
            ["says", "said"]
        );
        assert_eq!(
            found(
                &tok(r#"[{"LOWER": "no"}, {"LOWER": {"NOT_IN": ["doubt"]}}]"#),
                "no doubt, no evidence"
            ),
            ["no evidence"]
        );
    }

    #[test]
    fn is_punct_and_is_title() {
        assert_eq!(
            found(
                &tok(r#"[{"LOWER": "said"}, {"IS_PUNCT": true}]"#),
                "said: said it said—"
            ),
            ["said:", "said—"]
        );
        assert_eq!(
            found(
                &tok(r#"[{"IS_TITLE": true}, {"LOWER": "said"}]"#),
                "Ahmad said, ISIS said, he said"
            ),
            ["Ahmad said"]
        );
        assert_eq!(
            found(
                &tok(r#"[{"IS_TITLE": false}, {"LOWER": "said"}]"#),
                "Ahmad said, ISIS said"
            ),
            ["ISIS said"]
        );
    }

    #[test]
    fn operators() {
        let opt = tok(r#"[{"LOWER": "has"}, {"LOWER": "not", "OP": "?"}, {"LOWER": "denied"}]"#);
        assert_eq!(
            found(&opt, "has denied; has not denied; has not not denied"),
            ["has denied", "has not denied"]
        );
        let star = tok(r#"[{"LOWER": "dismissed"}, {"OP": "*"}, {"LOWER": "as"}]"#);
        // longest per start
        assert_eq!(
            found(&star, "dismissed the report as false as ever"),
            ["dismissed the report as false as"]
        );
        assert_eq!(found(&star, "dismissed as"), ["dismissed as"]);
        let plus = tok(r#"[{"IS_TITLE": true, "OP": "+"}, {"LOWER": "said"}]"#);
        // the longest, not the ones inside it
        assert_eq!(
            found(&plus, "Zabihullah Mujahid said; said"),
            ["Zabihullah Mujahid said"]
        );
        let lead = tok(r#"[{"LOWER": "not", "OP": "*"}, {"LOWER": "true"}]"#);
        assert_eq!(found(&lead, "not not true, true"), ["not not true", "true"]);
    }

    #[test]
    fn overlapping_patterns_all_reported() {
        let p = format!(
            "{}\n{}\n{}",
            r#"{"label": "evidence", "pattern": "according to"}"#,
            r#"{"label": "evidence", "pattern": "to documents", "id": "b"}"#,
            tok(r#"[{"LOWER": "according"}]"#).replace("}]}", r#"}], "id": "c"}"#)
        );
        assert_eq!(
            found(&p, "according to documents"),
            ["according to", "according", "to documents"]
        );
        // a phrase that overlaps itself
        assert_eq!(
            found(r#"{"label": "c", "pattern": "no no"}"#, "no no no"),
            ["no no", "no no"]
        );
    }

    #[test]
    fn never_across_sentences() {
        let p = parse_jsonl(
            Path::new("t"),
            &format!(
                "{}\n{}",
                tok(r#"[{"LOWER": "dismissed"}, {"OP": "*"}, {"LOWER": "as"}]"#),
                r#"{"label": "c", "pattern": "said so"}"#
            ),
        )
        .unwrap();
        let m = Matcher::new(&p).unwrap();
        let text = "He dismissed it. As said. So said so.";
        let toks = tokenize(text);
        // sentence numbers by the full stops
        let mut n = 0;
        let sent: Vec<usize> = toks
            .iter()
            .map(|t| {
                let s = n;
                if t.text == "." {
                    n += 1;
                }
                s
            })
            .collect();
        let got: Vec<&str> = m
            .find(&toks, &sent)
            .iter()
            .map(|x| &text[toks[x.tokens.start].bytes.start..toks[x.tokens.end - 1].bytes.end])
            .collect();
        assert_eq!(got, ["said so"]);
    }

    #[test]
    fn emoji_and_arabic_script_offsets() {
        let text = "🇦🇫 طالبان گفتند «این ادعا را رد کردند» 👨‍👩‍👧 said";
        let p = format!(
            "{}\n{}",
            r#"{"label": "denial", "pattern": "رد کردند"}"#,
            tok(r#"[{"TEXT": "👨‍👩‍👧"}, {"LOWER": "said"}]"#)
        );
        assert_eq!(found(&p, text), ["رد کردند", "👨‍👩‍👧 said"]);
    }
}
