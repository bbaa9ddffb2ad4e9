//! The annotation editor (Enter on an annotation): label, claimant, note, the
//! scheme's other attributes and links, with a picker for new links.

use claimtag_model::format::Link;
use claimtag_model::relabel;

use super::{App, Effect, Overlay, Slot, short};
use crate::command::Command;
use crate::edit::LineEdit;

/// Attributes the editor has fields of its own for.
pub const BUILT_IN_ATTRIBUTES: &[&str] = &["claimant", "note"];

#[derive(Debug, Clone)]
pub struct EditForm {
    pub slot: usize,
    pub id: String,
    /// The scheme's label chosen; None while the annotation's own label is
    /// one the scheme does not know (it is kept unless the user picks one).
    pub label: Option<usize>,
    /// The annotation's label as it was, shown when the scheme lacks it.
    pub original_label: String,
    pub claimant: LineEdit,
    pub note: LineEdit,
    /// The scheme's other attributes (name, value), kept as extra keys of the
    /// annotation.
    pub attrs: Vec<(String, LineEdit)>,
    pub links: Vec<Link>,
    /// 0 label, 1 claimant, 2 note, then the attributes, the links, and last
    /// "add a link".
    pub field: usize,
    pub picker: Option<LinkPicker>,
    /// Claimants already used in the loaded articles, most used first.
    pub known_claimants: Vec<String>,
    /// A suggestion was just taken: the next Tab/↓ moves on.
    pub suggestion_taken: bool,
    /// Editing a suggested span (issue 16) before accepting it: saving the
    /// form accepts it.
    pub suggestion: Option<Box<claimtag_model::Annotation>>,
}

#[derive(Debug, Clone)]
pub struct LinkPicker {
    /// (relation, target id, what to show)
    pub options: Vec<(String, String, String)>,
    /// A row of the candidates the filter keeps.
    pub selected: usize,
    /// Typed text: only candidates whose row contains it (any case) are shown.
    pub filter: LineEdit,
}

impl LinkPicker {
    /// The options the filter keeps, as indexes into `options`.
    pub fn shown(&self) -> Vec<usize> {
        let f = self.filter.text.to_lowercase();
        self.options
            .iter()
            .enumerate()
            .filter(|(_, (_, _, desc))| desc.to_lowercase().contains(&f))
            .map(|(i, _)| i)
            .collect()
    }
}

impl EditForm {
    /// A form filled from an annotation (or a suggestion).
    pub fn for_annotation(
        scheme: &claimtag_model::Scheme,
        slot: usize,
        a: &claimtag_model::Annotation,
        known_claimants: Vec<String>,
    ) -> EditForm {
        EditForm {
            slot,
            id: a.id.clone(),
            label: scheme.labels.iter().position(|l| l.name == a.label),
            original_label: a.label.clone(),
            claimant: LineEdit::new(a.claimant.as_deref().unwrap_or("")),
            note: LineEdit::new(a.note.as_deref().unwrap_or("")),
            attrs: scheme
                .attributes
                .iter()
                .filter(|at| !BUILT_IN_ATTRIBUTES.contains(&at.name.as_str()))
                .map(|at| {
                    let value = match a.extra.get(&at.name) {
                        Some(serde_json::Value::String(v)) => v.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    (at.name.clone(), LineEdit::new(&value))
                })
                .collect(),
            links: a.links.clone(),
            field: 0,
            picker: None,
            known_claimants,
            suggestion_taken: false,
            suggestion: None,
        }
    }

    /// Copies the form's claimant, note, attributes and links into `a`.
    pub fn fill(&self, a: &mut claimtag_model::Annotation) {
        let opt = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        a.claimant = opt(&self.claimant.text);
        a.note = opt(&self.note.text);
        for (name, edit) in &self.attrs {
            match opt(&edit.text) {
                Some(v) => {
                    a.extra.insert(name.clone(), serde_json::Value::String(v));
                }
                None => {
                    a.extra.remove(name);
                }
            }
        }
        a.links = self.links.clone();
    }

    pub fn fields(&self) -> usize {
        self.add_link_field() + 1
    }
    /// Field index of the first link.
    pub fn first_link_field(&self) -> usize {
        3 + self.attrs.len()
    }
    pub fn add_link_field(&self) -> usize {
        self.first_link_field() + self.links.len()
    }
    pub fn on_link(&self) -> bool {
        self.field >= self.first_link_field() && self.field < self.add_link_field()
    }
    pub fn on_text_field(&self) -> bool {
        self.field >= 1 && self.field < self.first_link_field()
    }
    pub fn text_field_mut(&mut self) -> Option<&mut LineEdit> {
        match self.field {
            1 => Some(&mut self.claimant),
            2 => Some(&mut self.note),
            n if n >= 3 => self.attrs.get_mut(n - 3).map(|(_, e)| e),
            _ => None,
        }
    }
    /// Known claimants that fuzzily match what is typed in the claimant
    /// field, best first (at most `max`); none for an empty field or once a
    /// suggestion was taken.
    pub fn claimant_suggestions(&self, max: usize) -> Vec<String> {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        let typed = self.claimant.text.trim();
        if typed.is_empty() || self.suggestion_taken {
            return vec![];
        }
        let pattern = Pattern::parse(typed, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        // match_list sorts by score, stably, so ties keep the most used first.
        pattern
            .match_list(self.known_claimants.iter(), &mut matcher)
            .into_iter()
            .map(|(c, _)| c.clone())
            .filter(|c| c != typed)
            .take(max)
            .collect()
    }

    /// The label's name as the form has it now.
    pub fn label_name<'a>(&'a self, scheme: &'a claimtag_model::Scheme) -> &'a str {
        match self.label {
            Some(i) => scheme.labels.get(i).map(|l| l.name.as_str()).unwrap_or(""),
            None => &self.original_label,
        }
    }
}

impl App {
    pub(super) fn open_editor(&mut self) {
        let f = self.focus;
        let slot = self.panes[f].slot;
        // On a suggestion (and no tag of one's own): edit it before accepting.
        if self.edit_suggestion() {
            return;
        }
        if !self.editable(slot) {
            return;
        }
        let cur = self.panes[f].cursor;
        let Some(d) = self.doc_of(f) else { return };
        let Some(&i) = d.at(cur).first() else {
            // Every label of the scheme, with the key the keymap gives it.
            let tags: Vec<String> = self
                .scheme
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{} {}", self.key_for(Command::Tag(i)), l.name))
                .collect();
            self.info(format!(
                "no annotation under the cursor (tag one with {})",
                tags.join(", ")
            ));
            return;
        };
        let a = d.annotations()[i].clone();
        let form = EditForm::for_annotation(&self.scheme, slot, &a, self.known_claimants());
        self.overlay = Overlay::Edit(Box::new(form));
    }

    /// Every claimant in the loaded articles (any pane, any annotator shown),
    /// most used first, then by name.
    pub(crate) fn known_claimants(&self) -> Vec<String> {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for d in self.slots.iter().filter_map(Slot::doc) {
            for a in d.annotations() {
                if let Some(c) = a
                    .claimant
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                {
                    *counts.entry(c).or_default() += 1;
                }
            }
        }
        let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.into_iter().map(|(c, _)| c.to_string()).collect()
    }

    fn link_options(&self, form: &EditForm) -> Vec<(String, String, String)> {
        let Some(d) = self.slots.get(form.slot).and_then(Slot::doc) else {
            return vec![];
        };
        let from_label = form.label_name(&self.scheme);
        let mut out = Vec::new();
        for other in d.annotations() {
            if other.id == form.id {
                continue;
            }
            for rel in self.scheme.relations_between(from_label, &other.label) {
                if form
                    .links
                    .iter()
                    .any(|l| l.rel == rel.name && l.to == other.id)
                {
                    continue;
                }
                // The line tells apart claims that start alike.
                let line = d
                    .doc()
                    .line_of(d.doc().char_to_byte(other.start.min(d.doc().len_chars())))
                    + 1;
                out.push((
                    rel.name.clone(),
                    other.id.clone(),
                    format!(
                        "{} → {} {} line {line} “{}”",
                        rel.name,
                        other.id,
                        other.label,
                        short(&other.text, 40)
                    ),
                ));
            }
        }
        out
    }

    /// Carries out a command of the editor or its link picker.
    pub(super) fn editor_command(&mut self, c: Command) -> Vec<Effect> {
        let Overlay::Edit(form) = &self.overlay else {
            return vec![];
        };
        let mut form = form.clone();
        let nlabels = self.scheme.labels.len().max(1);
        if let Some(picker) = &mut form.picker {
            let shown = picker.shown();
            match c {
                Command::PickerCancel => form.picker = None,
                Command::PickerDown => {
                    picker.selected = (picker.selected + 1).min(shown.len().saturating_sub(1))
                }
                Command::PickerUp => picker.selected = picker.selected.saturating_sub(1),
                Command::ListChoose => {
                    // Only a candidate on screen is linked: none when the
                    // filter keeps nothing.
                    if let Some((rel, to, _)) = shown
                        .get(picker.selected)
                        .and_then(|&i| picker.options.get(i))
                    {
                        form.links.push(Link {
                            rel: rel.clone(),
                            to: to.clone(),
                        });
                        form.picker = None;
                    }
                }
                c if c.modes().contains(&crate::command::Mode::TextField) => {
                    picker.filter.apply(c);
                    picker.selected = 0;
                }
                _ => {}
            }
            self.overlay = Overlay::Edit(form);
            return vec![];
        }
        match c {
            Command::EditorCancel => {
                self.overlay = Overlay::None;
                self.info("edit cancelled");
                return vec![];
            }
            Command::EditorSave => {
                self.apply_edit(&form);
                return vec![];
            }
            Command::EditorEnter if form.field == form.add_link_field() => {
                let options = self.link_options(&form);
                if options.is_empty() {
                    self.info("no span this one can link to (the scheme's relations decide)");
                } else {
                    form.picker = Some(LinkPicker {
                        options,
                        selected: 0,
                        filter: LineEdit::default(),
                    });
                }
            }
            Command::EditorEnter => {
                self.apply_edit(&form);
                return vec![];
            }
            // On the claimant, Tab or ↓ takes the best suggestion first.
            Command::NextField if form.field == 1 && !form.claimant_suggestions(1).is_empty() => {
                if let Some(best) = form.claimant_suggestions(1).into_iter().next() {
                    form.claimant = LineEdit::new(&best);
                    form.suggestion_taken = true;
                }
            }
            Command::NextField => form.field = (form.field + 1) % form.fields(),
            Command::PrevField => form.field = (form.field + form.fields() - 1) % form.fields(),
            // From a label the scheme lacks, ← and → start at the ends.
            Command::PrevLabel => {
                form.label = Some(
                    form.label
                        .map_or(nlabels - 1, |l| (l + nlabels - 1) % nlabels),
                )
            }
            Command::NextLabel => form.label = Some(form.label.map_or(0, |l| (l + 1) % nlabels)),
            Command::Unlink if form.on_link() => {
                form.links.remove(form.field - form.first_link_field());
                form.field = form.field.min(form.fields() - 1);
            }
            c => {
                if let Some(edit) = form.text_field_mut() {
                    edit.apply(c);
                }
                form.suggestion_taken = false;
            }
        }
        self.overlay = Overlay::Edit(form);
        vec![]
    }

    fn apply_edit(&mut self, form: &EditForm) {
        self.overlay = Overlay::None;
        let label = form.label_name(&self.scheme).to_string();
        let scheme = self.scheme.clone();
        let Some(d) = self.doc_mut(form.slot) else {
            return;
        };
        if let Some(s) = &form.suggestion {
            let mut a = (**s).clone();
            if !label.is_empty() {
                a.label = label;
            }
            form.fill(&mut a);
            d.begin_change();
            let id = crate::suggest::accept_edited(d, s, a);
            d.end_change();
            self.info(format!(
                "{id}: accepted the suggestion as edited (u undoes)"
            ));
            return;
        }
        let Some(i) = d.annotations().iter().position(|a| a.id == form.id) else {
            return;
        };
        let mut a = d.annotations()[i].clone();
        // Written only when the user changed it: a label the scheme does not
        // know survives an edit of the note. Changed last, by `relabel`, which
        // also removes the links the scheme no longer allows.
        let new_label = (label != form.original_label && !label.is_empty() && label != a.label)
            .then_some(label);
        form.fill(&mut a);
        if a == d.annotations()[i] && new_label.is_none() {
            self.info("no change");
            return;
        }
        d.begin_change();
        d.article.sidecar.annotations[i] = a;
        let removed = match &new_label {
            Some(l) => {
                relabel::relabel(&mut d.article.sidecar, &form.id, l, &scheme).unwrap_or_default()
            }
            None => Vec::new(),
        };
        d.end_change();
        if removed.is_empty() {
            self.info(format!("updated {}", form.id));
        } else {
            let undo = self.key_for(Command::Undo);
            self.warn(format!(
                "updated {}; {} ({undo} undoes)",
                form.id,
                relabel::describe(&removed)
            ));
        }
    }
}
