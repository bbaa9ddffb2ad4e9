//! `claimtag check PATH... [--fix]`: validates every sidecar under PATH and,
//! with `--fix`, re-anchors the ones whose source changed.
//!
//! Problems are one line each, naming the file and, where known, the line (the
//! annotation's `id:` line, or the YAML error's line and column). Exit 0 when
//! clean, 1 when problems remain, 2 when a path or file cannot be read.
//! A sidecar that does not parse is reported and never rewritten.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use claimtag::format::Annotation;
use claimtag::scheme::Scheme;
use claimtag::store::{self, DiskStamp};
use claimtag::{Document, Error, Sidecar, anchor};

use super::{CheckArgs, Context, Failure};

pub fn run(_ctx: &Context, args: CheckArgs) -> Result<(), Failure> {
    let sidecars = collect_sidecars(&args.paths)?;
    let mut schemes: BTreeMap<PathBuf, Scheme> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut unreadable = Vec::new();
    let mut fixed = 0usize;
    for path in &sidecars {
        let dir = folder_of(path);
        if !schemes.contains_key(&dir) {
            let (scheme, _) = Scheme::discover(&dir)?;
            schemes.insert(dir.clone(), scheme);
        }
        let scheme = schemes.get(&dir).cloned().unwrap_or_default();
        let outcome = check_one(path, &scheme, args.fix);
        for line in &outcome.fixed {
            println!("{line}");
        }
        fixed += outcome.fixed.len();
        problems.extend(outcome.problems);
        unreadable.extend(outcome.unreadable);
    }
    if !unreadable.is_empty() {
        let mut messages = problems;
        messages.extend(unreadable);
        return Err(Failure { code: 2, messages });
    }
    if problems.is_empty() {
        println!(
            "checked {} sidecar(s): no problems{}",
            sidecars.len(),
            if fixed > 0 {
                format!(" after fixing {fixed}")
            } else {
                String::new()
            }
        );
        Ok(())
    } else {
        Err(Failure::problems(problems))
    }
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Sidecars under the paths: folders are searched recursively (hidden folders
/// skipped) for `*.ann.yaml`; a source file brings its sidecars; a sidecar
/// given by name is itself. A path that cannot be read is a usage error.
fn collect_sidecars(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else if is_sidecar_name(p) {
            out.push(p.clone());
        } else {
            out.extend(
                store::annotators_of(p)
                    .iter()
                    .map(|a| store::sidecar_path(p, a)),
            );
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn is_sidecar_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(store::SIDECAR_SUFFIX))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_sidecar_name(&path) {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Default)]
struct Outcome {
    problems: Vec<String>,
    /// Problems that mean the input could not be read at all (exit 2).
    unreadable: Vec<String>,
    fixed: Vec<String>,
}

fn check_one(path: &Path, scheme: &Scheme, fix: bool) -> Outcome {
    let mut out = Outcome::default();
    let shown = path.display().to_string();
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((source_name, annotator)) = store::parse_sidecar_name(&file_name) else {
        out.problems.push(format!(
            "{shown}: not named <source>.<annotator>.ann.yaml (annotator: 1-32 of A-Za-z0-9_-)"
        ));
        return out;
    };
    let (sidecar, stamp) = match store::read_sidecar(path) {
        Ok(Some(found)) => found,
        Ok(None) => {
            out.unreadable.push(format!("{shown}: no such file"));
            return out;
        }
        Err(e @ Error::Io { .. }) => {
            out.unreadable.push(e.to_string());
            return out;
        }
        // Parse errors, unknown format, bad UTF-8, too large: reported with
        // their place; the file is never rewritten.
        Err(e) => {
            out.problems.push(e.to_string());
            return out;
        }
    };
    let yaml = std::fs::read_to_string(path).unwrap_or_default();
    let lines = Lines::of(&yaml);
    let at = |line: Option<usize>| match line {
        Some(l) => format!("{shown}:{l}"),
        None => shown.clone(),
    };

    let mut metadata_wrong = false;
    if sidecar.annotator != annotator {
        metadata_wrong = true;
        out.problems.push(format!(
            "{}: annotator {:?} differs from the file name's {annotator:?}",
            at(lines.key("annotator")),
            sidecar.annotator
        ));
    }
    if sidecar.source.file != source_name {
        metadata_wrong = true;
        out.problems.push(format!(
            "{}: source.file {:?} differs from the file name's {source_name:?}",
            at(lines.key("file")),
            sidecar.source.file
        ));
    }
    let source = folder_of(path).join(source_name);
    if !source.exists() {
        out.problems.push(format!(
            "{shown}: its source file {} is missing",
            source.display()
        ));
        return out;
    }
    let doc = match Document::load(&source) {
        Ok(d) => d,
        Err(e @ Error::Io { .. }) => {
            out.unreadable.push(e.to_string());
            return out;
        }
        Err(e) => {
            out.problems.push(format!("{e} (source of {shown})"));
            return out;
        }
    };

    let stale = sidecar.source.sha256 != doc.sha256();
    let anchors_wrong = sidecar
        .annotations
        .iter()
        .any(|a| !a.orphan && doc.slice_chars(a.start, a.end) != Some(a.text.as_str()));
    let chars_wrong = sidecar.source.chars != doc.len_chars();

    if fix && (stale || anchors_wrong || chars_wrong || metadata_wrong) {
        let mut repaired = sidecar.clone();
        let report = anchor::reanchor(&doc, &mut repaired.annotations);
        repaired.annotator = annotator.to_string();
        repaired.source.file = source_name.to_string();
        repaired.source.sha256 = doc.sha256().to_string();
        repaired.source.chars = doc.len_chars();
        repaired.updated = claimtag::format::now_utc();
        repaired.sort();
        match save(path, &repaired, &stamp) {
            Ok(()) => {
                out.fixed.push(format!(
                    "fixed {shown}: {} in place, {} moved, {} orphaned{}",
                    report.in_place,
                    report.moved,
                    report.orphaned,
                    if report.orphaned > 0 {
                        " (kept, flagged `orphan: true`)"
                    } else {
                        ""
                    }
                ));
                // What is left to report is what the repaired file still has.
                let yaml = repaired.to_yaml();
                let lines = Lines::of(&yaml);
                out.problems = validate(&shown, &repaired, &doc, scheme, &lines);
                return out;
            }
            Err(e) => {
                out.problems.push(format!("{e} (not fixed)"));
            }
        }
    }

    if stale {
        let mut trial = sidecar.annotations.clone();
        let report = anchor::reanchor(&doc, &mut trial);
        out.problems.push(format!(
            "{}: stale: source.sha256 {} differs from the source's {} (the source changed); \
             re-anchoring would keep {} in place, move {}, orphan {} (run `claimtag check --fix`)",
            at(lines.key("sha256")),
            short(&sidecar.source.sha256),
            short(doc.sha256()),
            report.in_place,
            report.moved,
            report.orphaned
        ));
        // Offsets of a stale sidecar are expected to be off: the per-span
        // lines would only repeat the line above.
        out.problems
            .extend(validate_structure(&shown, &sidecar, scheme, &lines));
        for a in sidecar.annotations.iter().filter(|a| a.orphan) {
            out.problems.push(orphan_line(&shown, a, &lines));
        }
    } else {
        if chars_wrong {
            out.problems.push(format!(
                "{}: source.chars {} but the source has {} code points",
                at(lines.key("chars")),
                sidecar.source.chars,
                doc.len_chars()
            ));
        }
        out.problems
            .extend(validate(&shown, &sidecar, &doc, scheme, &lines));
    }
    out
}

fn save(path: &Path, sidecar: &Sidecar, stamp: &DiskStamp) -> Result<(), Error> {
    store::save_sidecar(path, sidecar, Some(stamp)).map(|_| ())
}

fn short(hash: &str) -> &str {
    if hash.is_empty() {
        return "(empty)";
    }
    hash.get(..12).unwrap_or(hash)
}

fn orphan_line(shown: &str, a: &Annotation, lines: &Lines) -> String {
    format!(
        "{}: span {} ({} {}..{}) is orphaned: its text {:?} was not found in the source",
        lines.at_id(shown, &a.id),
        a.id,
        a.label,
        a.start,
        a.end,
        clip(&a.text)
    )
}

/// Offsets, text, orphans, labels and links of a sidecar whose source hash
/// matches.
fn validate(
    shown: &str,
    sidecar: &Sidecar,
    doc: &Document,
    scheme: &Scheme,
    lines: &Lines,
) -> Vec<String> {
    let mut problems = Vec::new();
    let len = doc.len_chars();
    for a in &sidecar.annotations {
        let at = lines.at_id(shown, &a.id);
        if a.orphan {
            problems.push(orphan_line(shown, a, lines));
        } else if a.end > len {
            problems.push(format!(
                "{at}: span {}: offsets {}..{} are beyond the source's {len} code points",
                a.id, a.start, a.end
            ));
        } else if let Some(found) = doc.slice_chars(a.start, a.end)
            && found != a.text
        {
            problems.push(format!(
                "{at}: span {}: text at {}..{} is {:?} in the source but {:?} in the sidecar",
                a.id,
                a.start,
                a.end,
                clip(found),
                clip(&a.text)
            ));
        }
    }
    problems.extend(validate_structure(shown, sidecar, scheme, lines));
    problems
}

/// Labels and links: what does not depend on the source text.
fn validate_structure(
    shown: &str,
    sidecar: &Sidecar,
    scheme: &Scheme,
    lines: &Lines,
) -> Vec<String> {
    let mut problems = Vec::new();
    let by_id: BTreeMap<&str, &Annotation> = sidecar
        .annotations
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let known: BTreeSet<&str> = scheme.label_names().collect();
    for a in &sidecar.annotations {
        let at = lines.at_id(shown, &a.id);
        if !known.contains(a.label.as_str()) {
            problems.push(format!(
                "{at}: span {}: label {:?} is not in the scheme ({})",
                a.id,
                a.label,
                known.iter().copied().collect::<Vec<_>>().join(", ")
            ));
        }
        for link in &a.links {
            match by_id.get(link.to.as_str()) {
                None => problems.push(format!(
                    "{at}: span {}: link {} -> {}: no annotation has id {:?}",
                    a.id, link.rel, link.to, link.to
                )),
                Some(target) => {
                    if !scheme.relations.iter().any(|r| r.name == link.rel) {
                        problems.push(format!(
                            "{at}: span {}: relation {:?} is not in the scheme",
                            a.id, link.rel
                        ));
                    } else if !scheme
                        .relations_between(&a.label, &target.label)
                        .any(|r| r.name == link.rel)
                    {
                        problems.push(format!(
                            "{at}: span {}: the scheme does not allow {} from {} to {} ({})",
                            a.id, link.rel, a.label, target.label, link.to
                        ));
                    }
                }
            }
        }
    }
    problems
}

fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

/// Where keys and annotation ids are in the YAML text, for messages. The
/// sidecar writer puts each on its own line; hand-written files usually do too,
/// and when they do not the message simply has no line number.
struct Lines {
    ids: BTreeMap<String, usize>,
    keys: BTreeMap<String, usize>,
}

impl Lines {
    fn of(yaml: &str) -> Lines {
        let mut ids = BTreeMap::new();
        let mut keys = BTreeMap::new();
        for (i, line) in yaml.lines().enumerate() {
            let t = line.trim_start().trim_start_matches("- ");
            if let Some((k, v)) = t.split_once(':') {
                let k = k.trim();
                let v = v.trim().trim_matches(|c| c == '\'' || c == '"');
                if k == "id" {
                    ids.entry(v.to_string()).or_insert(i + 1);
                } else if !k.is_empty() && !k.contains(' ') {
                    keys.entry(k.to_string()).or_insert(i + 1);
                }
            }
        }
        Lines { ids, keys }
    }

    fn key(&self, k: &str) -> Option<usize> {
        self.keys.get(k).copied()
    }

    fn at_id(&self, shown: &str, id: &str) -> String {
        match self.ids.get(id) {
            Some(l) => format!("{shown}:{l}"),
            None => shown.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_finds_ids_and_keys() {
        let y = "format: claimtag/1\nsource:\n  file: a.txt\n  sha256: ab\nannotations:\n- id: a1\n  label: claim\n- id: 'a2'\n";
        let l = Lines::of(y);
        assert_eq!(l.key("sha256"), Some(4));
        assert_eq!(l.at_id("f", "a1"), "f:6");
        assert_eq!(l.at_id("f", "a2"), "f:8");
        assert_eq!(l.at_id("f", "a3"), "f");
    }

    #[test]
    fn clip_never_splits_a_code_point() {
        let s = "😀".repeat(50);
        assert_eq!(clip(&s).chars().count(), 41);
    }
}
