//! The review screen: theirs beside ours (filled in with the review model).

use std::ops::Range;

use super::app::{App, Effect};
use super::keymap::Command;

#[derive(Debug, Clone)]
pub struct Review {
    pub theirs: String,
    pub into: Option<String>,
    pub ours: String,
    /// Target articles are slots 0..articles; theirs are articles..2*articles.
    pub articles: usize,
    pub theirs_slot: usize,
    pub locked: bool,
}

impl Review {
    pub fn is_adjudicating(&self) -> bool {
        self.into.is_some()
    }
    pub fn invalidate(&mut self) {}
    pub fn open(&mut self, slot: usize) {
        self.theirs_slot = slot + self.articles;
    }
    pub fn target_name(&self, annotator: &str) -> String {
        self.into.clone().unwrap_or_else(|| annotator.to_string())
    }
    pub fn status(&self, _app: &App) -> String {
        String::new()
    }
    pub fn remaining_label(&self, _app: &App, _slot: usize) -> String {
        String::new()
    }
    pub fn visible_diffs(&self, _app: &App, _pane: usize, _vis: Range<usize>) -> Vec<Range<usize>> {
        vec![]
    }
}

pub fn command(_app: &mut App, _c: Command) -> Vec<Effect> {
    vec![]
}

pub fn sync_scroll(_app: &mut App) {}

pub fn open_article(_app: &mut App, _slot: usize) {}
