//! The annotation editor (Enter on an annotation): label, claimant, note, the
//! scheme's other attributes and links, with a picker for new links.

use claimtag_model::format::Link;

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
    /// Editing a suggestion before accepting it: saving the form accepts it.
    pub suggestion: Option<Box<claimtag_model::Annotation>>,
}

#[derive(Debug, Clone)]
pub struct LinkPicker {
    /// (relation, target id, what to show)
    pub options: Vec<(String, String, String)>,
    pub selected: usize,
}

impl EditForm {
    /// A form filled from an annotation (or a suggestion).
    pub fn for_annotation(
        scheme: &claimtag_model::Scheme,
        slot: usize,
        a: &claimtag_model::Annotation,
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
            let tags: Vec<String> = (0..self.scheme.labels.len().min(3))
                .map(|i| self.key_for(Command::Tag(i)))
                .collect();
            self.info(format!(
                "no annotation under the cursor (tag one with {})",
                tags.join(", ")
            ));
            return;
        };
        let a = d.annotations()[i].clone();
        let form = EditForm::for_annotation(&self.scheme, slot, &a);
        self.overlay = Overlay::Edit(Box::new(form));
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
                out.push((
                    rel.name.clone(),
                    other.id.clone(),
                    format!(
                        "{} → {} {} “{}”",
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
            match c {
                Command::ListClose => form.picker = None,
                Command::ListDown => {
                    picker.selected =
                        (picker.selected + 1).min(picker.options.len().saturating_sub(1))
                }
                Command::ListUp => picker.selected = picker.selected.saturating_sub(1),
                Command::ListChoose => {
                    if let Some((rel, to, _)) = picker.options.get(picker.selected) {
                        form.links.push(Link {
                            rel: rel.clone(),
                            to: to.clone(),
                        });
                    }
                    form.picker = None;
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
                    });
                }
            }
            Command::EditorEnter => {
                self.apply_edit(&form);
                return vec![];
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
            }
        }
        self.overlay = Overlay::Edit(form);
        vec![]
    }

    fn apply_edit(&mut self, form: &EditForm) {
        self.overlay = Overlay::None;
        let label = form.label_name(&self.scheme).to_string();
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
        // know survives an edit of the note.
        if label != form.original_label && !label.is_empty() {
            a.label = label;
        }
        form.fill(&mut a);
        if a == d.annotations()[i] {
            self.info("no change");
            return;
        }
        d.begin_change();
        d.article.sidecar.annotations[i] = a;
        d.end_change();
        self.info(format!("updated {}", form.id));
    }
}
