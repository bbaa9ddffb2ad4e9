//! A whole import, a window of records at a time, with the writing of one
//! window overlapped with the reading and planning of the next.
//!
//! Writing is bound by the filesystem (creating each file, a sync per batch)
//! and reading by one core's JSON parsing; in turn they took the sum of both
//! (issue 14). The writer runs on a thread of its own, one window behind, so
//! sidecars are still written in input order and the messages come out in
//! the order a serial run gives.

use std::path::PathBuf;
use std::sync::mpsc;

use super::OffsetUnit;
use super::import::{self, ImportFormat, ImportTarget, Planner};
use crate::batch_write::{BatchWriter, FileToWrite};
use crate::error::Result;

/// Windows prepared but not yet written; one is being written meanwhile.
const QUEUED: usize = 1;

/// What a whole import did.
#[derive(Debug, Default)]
pub struct Imported {
    /// Records read (not counting those that could not be read).
    pub records: usize,
    pub written: usize,
    /// Records that could not be read, in input order.
    pub failed: usize,
    pub discontinuous: usize,
    pub not_carried: usize,
    /// One line per problem: the input's first, then each window's
    /// planning problems followed by its writing problems.
    pub problems: Vec<String>,
    /// Spans kept though questionable, one line each, in input order.
    pub notes: Vec<String>,
}

/// Imports `files` into `target` a `window` of records at a time. An input
/// that cannot be read at all stops the import before anything is written
/// (see [`import::read_input_windows`]).
pub fn import_windows(
    format: ImportFormat,
    files: &[PathBuf],
    offsets: Option<OffsetUnit>,
    window: usize,
    target: &mut ImportTarget,
    planner: &mut Planner,
    force: bool,
) -> Result<Imported> {
    // Each window's planning problems and notes, in window order.
    let mut planning: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut records = 0;
    let (read, writing) = std::thread::scope(|scope| {
        let (to_writer, queued) = mpsc::sync_channel::<Vec<FileToWrite>>(QUEUED);
        // Each window is one batch: synced while the next is written, put
        // in place after.
        let writer = scope.spawn(move || {
            let mut writer = BatchWriter::default();
            let mut windows: Vec<(usize, Vec<String>)> = queued
                .into_iter()
                .filter_map(|files| writer.write(&files))
                .map(import::tally)
                .collect();
            windows.extend(writer.finish().map(import::tally));
            windows
        });
        let read = import::read_input_windows(format, files, offsets, window, &mut |w| {
            records += w.len();
            let (planned, mut problems) = planner.plan(&w, target);
            // The sources the sidecars were checked against can go.
            target.forget_documents();
            // Made into files here, not by the writer: the writer's thread
            // is the one that waits on the filesystem.
            let (files, mut refused) = import::prepare(&planned, force);
            problems.append(&mut refused);
            let notes = planned.into_iter().flat_map(|p| p.notes).collect();
            planning.push((problems, notes));
            // Fails only if the writer panicked, which join reports below.
            let _ = to_writer.send(files);
        });
        drop(to_writer);
        let writing = match writer.join() {
            Ok(writing) => writing,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        (read, writing)
    });
    let read = read?;
    let mut imported = Imported {
        records,
        failed: read.failed,
        discontinuous: read.discontinuous,
        not_carried: read.not_carried,
        problems: read.problems,
        ..Imported::default()
    };
    for ((planning, notes), (written, writing)) in planning.into_iter().zip(writing) {
        imported.written += written;
        imported.problems.extend(planning);
        imported.problems.extend(writing);
        imported.notes.extend(notes);
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::import::{Checks, read_input_windows};
    use std::path::Path;

    /// A corpus of 40 sources, some of whose sidecars exist already and
    /// cannot be read, and an input of 60 records: some name missing
    /// sources, some repeat one, some hold a bad span or a label not in
    /// the scheme (kept, with a note).
    fn corpus_and_input(dir: &Path) -> PathBuf {
        let mut lines = String::new();
        for i in 0..60 {
            if i < 40 {
                std::fs::write(dir.join(format!("{i:02}.txt")), "Hello world").unwrap();
            }
            if i % 7 == 3 {
                std::fs::write(dir.join(format!("{i:02}.txt.imp.ann.yaml")), "{{{").unwrap();
            }
            let source = match i {
                _ if i >= 40 => format!("missing{i}.txt"),
                _ if i % 5 == 4 => format!("{:02}.txt", i - 1),
                _ => format!("{i:02}.txt"),
            };
            let end = if i % 11 == 6 { 50 } else { 5 };
            let label = if i % 4 == 1 { "rumour" } else { "claim" };
            lines.push_str(&format!(
                "{{\"source\":\"{source}\",\"spans\":[{{\"id\":\"a1\",\"start\":0,\"end\":{end},\"label\":\"{label}\"}}]}}\n"
            ));
        }
        let input = dir.join("in.jsonl");
        std::fs::write(&input, lines).unwrap();
        input
    }

    /// Each window planned and written before the next is read.
    fn one_after_another(dir: &Path, checks: &Checks, force: bool) -> Imported {
        let input = corpus_and_input(dir);
        let mut target = ImportTarget::new(dir).unwrap();
        let mut planner = Planner::new("imp", checks);
        let mut imported = Imported::default();
        let mut window_problems = Vec::new();
        let read = read_input_windows(ImportFormat::Jsonl, &[input], None, 4, &mut |w| {
            imported.records += w.len();
            let (planned, mut problems) = planner.plan(&w, &mut target);
            let (written, mut more) = import::write(&planned, force);
            imported.written += written;
            window_problems.append(&mut problems);
            window_problems.append(&mut more);
            imported
                .notes
                .extend(planned.into_iter().flat_map(|p| p.notes));
        })
        .unwrap();
        imported.problems = read.problems;
        imported.problems.append(&mut window_problems);
        imported
    }

    fn files(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let text = std::fs::read_to_string(e.path()).unwrap();
                // The time of the import is in each sidecar.
                let text: String = text.lines().filter(|l| !l.contains("\"20")).collect();
                (e.file_name().to_string_lossy().into_owned(), text)
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn overlapped_windows_give_what_one_after_another_gives() {
        let checks = Checks {
            keep_unknown_labels: true,
            ..Checks::default()
        };
        for force in [false, true] {
            let (serial_dir, overlapped_dir) =
                (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let serial = one_after_another(serial_dir.path(), &checks, force);
            let input = corpus_and_input(overlapped_dir.path());
            let mut target = ImportTarget::new(overlapped_dir.path()).unwrap();
            let mut planner = Planner::new("imp", &checks);
            let overlapped = import_windows(
                ImportFormat::Jsonl,
                &[input],
                None,
                4,
                &mut target,
                &mut planner,
                force,
            )
            .unwrap();
            let strip = |problems: &[String], dir: &Path| -> Vec<String> {
                let prefix = dir.display().to_string();
                problems.iter().map(|p| p.replace(&prefix, "DIR")).collect()
            };
            assert_eq!(overlapped.records, 60);
            assert_eq!(
                (overlapped.records, overlapped.written),
                (serial.records, serial.written)
            );
            assert!(overlapped.written > 20, "{overlapped:?}");
            assert!(overlapped.problems.len() > 25, "{overlapped:?}");
            assert_eq!(
                strip(&overlapped.problems, overlapped_dir.path()),
                strip(&serial.problems, serial_dir.path())
            );
            assert!(!overlapped.notes.is_empty());
            assert_eq!(
                strip(&overlapped.notes, overlapped_dir.path()),
                strip(&serial.notes, serial_dir.path())
            );
            assert_eq!(files(overlapped_dir.path()), files(serial_dir.path()));
        }
    }
}
