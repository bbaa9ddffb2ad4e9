//! Carries out the disk effects (save, recovery copies, reload, the check for
//! changes by others) on a thread of its own and sends the results back as
//! actions, so a slow or failing disk never holds up the screen. Effects run
//! one at a time, in the order they were asked for.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};

use claimtag_model::{Article, Error, Scheme};

use crate::action::{Action, DiskProbe, Effect, SaveFailure, Saved};

/// Starts the worker; effects sent on the returned channel are carried out
/// and answered on `answers`.
pub fn spawn(answers: Sender<Action>) -> Sender<Effect> {
    let (tx, rx) = channel::<Effect>();
    std::thread::spawn(move || serve(&rx, &answers));
    tx
}

fn serve(effects: &Receiver<Effect>, answers: &Sender<Action>) {
    for effect in effects {
        for action in perform(effect) {
            if answers.send(action).is_err() {
                return;
            }
        }
    }
}

/// Carries out one disk effect; the actions that report it.
pub fn perform(effect: Effect) -> Vec<Action> {
    match effect {
        Effect::Save {
            slot,
            revision,
            mut article,
            scheme,
            overwrite,
        } => {
            let result = if overwrite {
                keep_mine(&mut article, &scheme).map(Some)
            } else {
                article.save_checked(&scheme).map(|()| None)
            };
            let result = match result {
                Ok(kept) => match article.stamp.take() {
                    Some(stamp) => Ok(Box::new(Saved {
                        sidecar: article.sidecar,
                        stamp,
                        overwrote: overwrite.then_some(kept.flatten()),
                    })),
                    None => Err(SaveFailure {
                        changed_on_disk: false,
                        disk_unparsable: None,
                        message: "not saved: no stamp after writing".into(),
                    }),
                },
                Err(e @ Error::ChangedOnDisk { .. }) => Err(SaveFailure {
                    changed_on_disk: true,
                    disk_unparsable: article.disk_version_error(),
                    message: e.to_string(),
                }),
                Err(e) => Err(SaveFailure {
                    changed_on_disk: false,
                    disk_unparsable: None,
                    message: format!("not saved: {e}"),
                }),
            };
            vec![Action::Saved {
                slot,
                revision,
                result,
            }]
        }
        Effect::Recover {
            slot,
            revision,
            sidecar_path,
            yaml,
            reuse,
            then,
        } => vec![Action::Recovered {
            slot,
            revision,
            result: write_recovery_file(&sidecar_path, &yaml, reuse.as_deref()),
            then,
        }],
        Effect::Reload {
            slot,
            source,
            doc,
            annotator,
            kept,
        } => vec![Action::Reloaded {
            slot,
            article: Box::new(Article::with_doc(&source, doc, &annotator)),
            kept,
        }],
        Effect::CheckDisk(probes) => {
            let mut out: Vec<Action> = probes
                .into_iter()
                .filter(changed_on_disk)
                .map(|p| Action::DiskChanged {
                    slot: p.slot,
                    article: Box::new(Article::with_doc(&p.source, p.doc, &p.annotator)),
                })
                .collect();
            out.push(Action::DiskChecked);
            out
        }
        Effect::RetryReadOnly(articles) => vec![Action::ReadOnlyRetried(
            articles
                .into_iter()
                .filter_map(|(slot, mut article)| {
                    writable_again(&mut article).then_some((slot, article))
                })
                .collect(),
        )],
        Effect::ReadTheirs { slot, sidecar_path } => vec![Action::TheirsRead {
            slot,
            result: claimtag_model::store::read_sidecar(&sidecar_path).map_err(|e| e.to_string()),
        }],
        Effect::StatusTable(sources) => vec![Action::StatusTable(status_table(&sources))],
        Effect::TakeOver { slot, article } => vec![Action::TakenOver {
            slot,
            result: crate::open_lock::take_over(&article).map(Box::new),
        }],
        Effect::Load {
            slot,
            source,
            annotator,
            rules,
            suggestions,
        } => {
            let job = crate::open_job(slot, source, annotator, rules, true);
            job()
                .into_iter()
                .flat_map(|(slot, r)| crate::loaded_actions(slot, r, suggestions.as_deref()))
                .collect()
        }
        Effect::Claim { slot, sidecar } => vec![Action::Claimed {
            slot,
            elsewhere: crate::open_lock::claim_path(&sidecar),
        }],
        Effect::Release(markers) => {
            drop(markers);
            vec![]
        }
        Effect::ClearScreen | Effect::Quit => vec![],
    }
}

/// `claimtag status` of the given sources, as lines, paths relative to their
/// common folder (as `claimtag status FOLDER` shows them).
fn status_table(sources: &[PathBuf]) -> Result<Vec<String>, String> {
    let dashboard = claimtag_model::status::dashboard(sources).map_err(|e| e.to_string())?;
    let root = crate::app::common_folder(sources);
    Ok(claimtag_model::status::table(&dashboard, &root)
        .lines()
        .map(str::to_string)
        .collect())
}

/// "Keep mine": the version on disk is copied to a recovery file first, then
/// ours overwrites it; never a file that does not parse (the model refuses).
/// Where theirs was kept (None: there was no file on disk).
fn keep_mine(article: &mut Article, scheme: &Scheme) -> Result<Option<PathBuf>, Error> {
    if let Some(why) = article.disk_version_error() {
        return Err(Error::invalid(
            &article.sidecar_path,
            format!("the file on disk does not parse, so it is not overwritten ({why})"),
        ));
    }
    // What `check` rejects is not written, conflict or not.
    let problems = claimtag_model::check::structure_problems(&article.sidecar, scheme);
    if let Some(first) = problems.iter().find(|p| p.blocks_save()) {
        return Err(Error::invalid(&article.sidecar_path, first.to_string()));
    }
    let theirs = theirs_path(&article.sidecar_path);
    let theirs = std::path::absolute(&theirs).unwrap_or(theirs);
    let copied = article.copy_of_disk_version(&theirs)?;
    article.save_overwriting()?;
    Ok(copied.then_some(theirs))
}

/// Where "keep mine" keeps the version on disk it overwrites.
pub fn theirs_path(sidecar: &Path) -> PathBuf {
    let mine = recovery_path(sidecar);
    let mut name = mine.file_name().unwrap_or_default().to_os_string();
    name.push("-theirs");
    mine.with_file_name(name)
}

/// Whether a read-only article's reason went away (the sidecar was fixed,
/// made writable, or the other instance closed it); the article is re-read
/// and its sidecar marked open by us when so.
fn writable_again(article: &mut Article) -> bool {
    // Open elsewhere: only once that instance has let go (the lock is then
    // ours); the file itself parses, so it is read again below.
    let elsewhere = article
        .read_only
        .as_deref()
        .is_some_and(|r| r.contains(crate::open_lock::OPEN_ELSEWHERE));
    if elsewhere && !crate::open_lock::reclaim(article) {
        return false;
    }
    if !article.retry_read_only() {
        return false;
    }
    crate::open_lock::claim(article);
    article.read_only.is_none()
}

/// Whether a sidecar differs from what we last read or wrote. Length and
/// modification time are compared first; the file is read and hashed only
/// when they differ (a same-size rewrite within the clock's resolution is
/// caught on the next save, which compares hashes).
fn changed_on_disk(p: &DiskProbe) -> bool {
    let meta = std::fs::metadata(&p.sidecar_path);
    match (&p.stamp, meta) {
        (None, Err(_)) => false,
        (Some(stamp), Ok(meta))
            if meta.len() == stamp.len && meta.modified().ok() == stamp.modified =>
        {
            false
        }
        (stamp, _) => match claimtag_model::store::stamp_of(&p.sidecar_path) {
            Ok(now) => now.map(|s| s.sha256) != stamp.as_ref().map(|s| s.sha256.clone()),
            Err(_) => false,
        },
    }
}

/// Where a recovery copy of a sidecar goes: beside it, named so no tool takes
/// it for a sidecar.
pub fn recovery_path(sidecar: &Path) -> PathBuf {
    let stamp = claimtag_model::format::now_utc().replace([':', '-'], "");
    let name = sidecar
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    sidecar.with_file_name(format!("{name}.recovered-{stamp}"))
}

/// Writes a recovery copy: over `reuse` when given (one file per article),
/// else beside the sidecar, else in the user's data folder.
pub fn write_recovery_file(
    sidecar_path: &Path,
    yaml: &str,
    reuse: Option<&Path>,
) -> Result<PathBuf, String> {
    if let Some(path) = reuse {
        return claimtag_model::store::write_atomic(path, yaml.as_bytes())
            .map(|()| path.to_path_buf())
            .map_err(|e| e.to_string());
    }
    let path = recovery_path(sidecar_path);
    // Printed for the user: absolute, so it can be found from anywhere.
    let path = std::path::absolute(&path).unwrap_or(path);
    match claimtag_model::store::write_atomic(&path, yaml.as_bytes()) {
        Ok(()) => Ok(path),
        Err(first) => {
            // The corpus folder is not writable: use the user's data folder.
            let dir = directories::ProjectDirs::from("", "", "claimtag")
                .map(|d| d.data_dir().to_path_buf())
                .ok_or_else(|| first.to_string())?;
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let fallback = dir.join(path.file_name().unwrap_or_default());
            claimtag_model::store::write_atomic(&fallback, yaml.as_bytes())
                .map_err(|e| e.to_string())?;
            Ok(fallback)
        }
    }
}
