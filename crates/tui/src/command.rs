//! The command table: every command is declared once, with its name (used in
//! `keys:` of config.yaml), the screens (modes) it works in, its default keys,
//! whether a count repeats it, and its description (help and README). The
//! `Command` enum and [`COMMANDS`] are generated from the same list, so neither
//! can miss an entry; dispatch is an exhaustive `match` on `Command`.

use claimtag_model::Scheme;

/// A screen or overlay with keys of its own. Each has its own keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// The article panes.
    Annotate,
    /// The review screen: its keys first, then the annotating keys.
    Review,
    Help,
    Corpus,
    Differences,
    /// The list of unanchored annotations.
    Orphans,
    Editor,
    LinkPicker,
    /// Choosing a link's target in the text (`L`).
    LinkTarget,
    /// The relations a picked target allows, when there are several.
    RelationMenu,
    Conflict,
    /// The unresolved merge conflicts of an article.
    Conflicts,
    /// The corpus status screen (`claimtag status`).
    Status,
    /// The question before taking over an article open elsewhere.
    TakeOver,
    /// The search prompt.
    Prompt,
    /// Editing keys of text fields (search prompt, claimant, note, …).
    TextField,
}

impl Mode {
    pub const ALL: [Mode; 16] = [
        Mode::Annotate,
        Mode::Review,
        Mode::Help,
        Mode::Corpus,
        Mode::Differences,
        Mode::Orphans,
        Mode::Editor,
        Mode::LinkPicker,
        Mode::LinkTarget,
        Mode::RelationMenu,
        Mode::Conflict,
        Mode::Conflicts,
        Mode::Status,
        Mode::TakeOver,
        Mode::Prompt,
        Mode::TextField,
    ];

    /// The keymaps a key is looked up in, first match wins.
    pub fn layers(self) -> &'static [Mode] {
        match self {
            Mode::Review => &[Mode::Review, Mode::Annotate],
            Mode::Prompt => &[Mode::Prompt, Mode::TextField],
            Mode::Editor => &[Mode::Editor, Mode::TextField],
            Mode::Annotate => &[Mode::Annotate],
            Mode::Help => &[Mode::Help],
            Mode::Corpus => &[Mode::Corpus],
            Mode::Differences => &[Mode::Differences],
            Mode::Orphans => &[Mode::Orphans],
            Mode::LinkPicker => &[Mode::LinkPicker, Mode::TextField],
            Mode::LinkTarget => &[Mode::LinkTarget, Mode::Annotate],
            Mode::RelationMenu => &[Mode::RelationMenu],
            Mode::Conflict => &[Mode::Conflict],
            Mode::Conflicts => &[Mode::Conflicts],
            Mode::Status => &[Mode::Status],
            Mode::TakeOver => &[Mode::TakeOver],
            Mode::TextField => &[Mode::TextField],
        }
    }

    /// The heading of this mode's keys in help and the README.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Annotate => "Annotating",
            Mode::Review => "Review screen (before the annotating keys)",
            Mode::Help => "Help screen",
            Mode::Corpus => "Corpus list",
            Mode::Differences => "Differences list (review)",
            Mode::Orphans => "Unanchored annotations list",
            Mode::Editor => "Annotation editor",
            Mode::LinkPicker => "Link picker (in the editor)",
            Mode::LinkTarget => {
                "Choosing a link target in the text (after L; the motions, ] and [ move)"
            }
            Mode::RelationMenu => "Relation menu (a target the scheme allows several relations to)",
            Mode::Conflict => "Changed-on-disk prompt",
            Mode::Conflicts => "Merge conflicts list",
            Mode::Status => "Corpus status screen",
            Mode::TakeOver => "Take-over question (an article open elsewhere)",
            Mode::Prompt => "Search prompt",
            Mode::TextField => {
                "Text fields (search prompt, claimant, note, attributes, link picker filter)"
            }
        }
    }
}

/// What the table knows about a command.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub command: Command,
    pub name: &'static str,
    pub modes: &'static [Mode],
    pub keys: &'static [&'static str],
    /// A count before it (`5j`) repeats it.
    pub repeats: bool,
    pub description: &'static str,
}

macro_rules! commands {
    ($( $variant:ident $name:literal [$($mode:ident),+] [$($key:literal),*] $repeats:literal $desc:literal ;)*) => {
        /// Everything a key can do. `Tag(i)` tags with the scheme's label `i`;
        /// its keys come from the scheme.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command {
            Tag(usize),
            $($variant,)*
        }

        /// Every command but `Tag`, in help order.
        pub const COMMANDS: &[Spec] = &[
            $(Spec {
                command: Command::$variant,
                name: $name,
                modes: &[$(Mode::$mode),+],
                keys: &[$($key),*],
                repeats: $repeats,
                description: $desc,
            },)*
        ];
    };
}

commands! {
    ToggleSelect "select" [Annotate] ["v"] false "start/stop a selection at the cursor";
    SelectSentence "select-sentence" [Annotate] ["s"] false "select the sentence under the cursor";
    SelectParagraph "select-paragraph" [Annotate] ["p"] false "select the paragraph under the cursor";
    ExtendLeft "extend-left" [Annotate] ["shift-left"] true "extend the selection left";
    ExtendRight "extend-right" [Annotate] ["shift-right"] true "extend the selection right";
    ExtendUp "extend-up" [Annotate] ["shift-up"] true "extend the selection up";
    ExtendDown "extend-down" [Annotate] ["shift-down"] true "extend the selection down";
    SwapEnds "swap-ends" [Annotate] ["o"] false "go to the other end of the selection (to move its start)";
    Escape "escape" [Annotate] ["esc"] false "clear the selection, a count or a pending key";
    EditAnnotation "edit" [Annotate] ["enter"] false "edit the annotation here (label, claimant, note, links)";
    DeleteAnnotation "delete" [Annotate] ["x"] false "delete the annotation under the cursor";
    Guideline "guideline" [Annotate] ["K"] false "the guideline of the label under the cursor (its description and examples)";
    NextAnnotation "next-annotation" [Annotate] ["]"] true "next annotation";
    PrevAnnotation "prev-annotation" [Annotate] ["["] true "previous annotation";
    CycleStatus "status" [Annotate] ["M"] false "mark this article todo, in progress or done (yours, kept in the sidecar)";
    Unanchored "unanchored" [Annotate] ["U"] false "list the annotations whose text was not found after the source changed";
    ConflictList "conflicts" [Annotate, Corpus] ["C"] false "list the unresolved merge conflicts of this article (in the corpus list: of the article under the cursor)";
    StartLink "link" [Annotate] ["L"] false "link the annotation under the cursor: move to the target (motions, ] and [), Enter picks it";
    TakeOver "take-over" [Annotate] ["T"] false "take over an article another instance has open (read-only here; asks first)";
    Undo "undo" [Annotate] ["u"] true "undo";
    Redo "redo" [Annotate] ["ctrl-r"] true "redo";
    Save "save" [Annotate] ["ctrl-s"] false "save now (autosave saves within 2 s of any change)";
    Search "search" [Annotate] ["/"] false "search";
    SearchNext "search-next" [Annotate] ["n"] true "next match";
    SearchPrev "search-prev" [Annotate] ["N"] true "previous match";
    CorpusList "corpus" [Annotate] ["F", "ctrl-p"] false "corpus list: every article with its counts";
    SplitPane "split" [Annotate] ["ctrl-w v"] false "split: open another article beside this one";
    ClosePane "close-pane" [Annotate] ["ctrl-w q"] false "close this pane";
    NextPane "next-pane" [Annotate] ["tab", "ctrl-w w"] false "next pane";
    Redraw "redraw" [Annotate] ["ctrl-l"] false "repaint the whole screen";
    Help "help" [Annotate, Help] ["?"] false "this help (closes it too)";
    Quit "quit" [Annotate] ["q"] false "save and quit";
    Left "left" [Annotate] ["h", "left"] true "move left";
    Right "right" [Annotate] ["l", "right"] true "move right";
    Up "up" [Annotate] ["k", "up"] true "move up a row";
    Down "down" [Annotate] ["j", "down"] true "move down a row";
    WordNext "word-next" [Annotate] ["w"] true "next word";
    WordPrev "word-prev" [Annotate] ["b"] true "previous word";
    SentenceNext "sentence-next" [Annotate] [")"] true "next sentence";
    SentencePrev "sentence-prev" [Annotate] ["("] true "previous sentence";
    ParagraphNext "paragraph-next" [Annotate] ["}"] true "next paragraph";
    ParagraphPrev "paragraph-prev" [Annotate] ["{"] true "previous paragraph";
    Top "top" [Annotate] ["g", "home"] false "top of the article";
    Bottom "bottom" [Annotate] ["G", "end"] false "bottom of the article";
    PageUp "page-up" [Annotate] ["pgup"] true "page up";
    PageDown "page-down" [Annotate] ["pgdn"] true "page down";
    HalfPageUp "half-page-up" [Annotate] ["ctrl-u"] true "half page up";
    HalfPageDown "half-page-down" [Annotate] ["ctrl-d"] true "half page down";
    NextSuggestion "next-suggestion" [Annotate] [">"] true "next suggestion (ghost span)";
    PrevSuggestion "prev-suggestion" [Annotate] ["<"] true "previous suggestion";
    AcceptSuggestion "accept-suggestion" [Annotate] ["a"] false "accept the suggestion under the cursor (Enter edits it first)";
    RejectSuggestion "reject-suggestion" [Annotate] ["r"] false "reject the suggestion under the cursor (it never comes back)";
    AcceptAllSuggestions "accept-all-suggestions" [Annotate] ["A"] false "accept every suggestion of this article (asks first: y)";
    ProposeLike "propose-like" [Annotate] ["*"] false "from a tagged span: propose its label on every other occurrence of its text";
    NextDiff "next-difference" [Review] ["]"] true "next difference (on into the next article)";
    PrevDiff "prev-difference" [Review] ["["] true "previous difference";
    Accept "accept" [Review] ["a"] false "accept theirs for the difference under the cursor";
    Reject "reject" [Review] ["r"] false "reject it (keep yours, mark settled)";
    AcceptAll "accept-all" [Review] ["A"] false "accept all of theirs in this article";
    DiffList "differences" [Review, Differences] ["D"] false "list the differences of this article (closes the list too)";
    ListDown "list-down" [Help, Corpus, Differences, Orphans, Conflicts, Status, RelationMenu] ["j", "down"] false "next row (help, status: scroll down)";
    ListUp "list-up" [Help, Corpus, Differences, Orphans, Conflicts, Status, RelationMenu] ["k", "up"] false "previous row (help, status: scroll up)";
    ListPageDown "list-page-down" [Help, Corpus, Differences, Conflicts, Status] ["pgdn", "space"] false "ten rows down";
    ListPageUp "list-page-up" [Help, Corpus, Differences, Conflicts, Status] ["pgup"] false "ten rows up";
    ListFirst "list-first" [Help, Corpus, Differences, Conflicts, Status] ["g", "home"] false "first row";
    ListLast "list-last" [Help, Corpus, Differences, Conflicts, Status] ["G", "end"] false "last row";
    CorpusFilter "corpus-filter" [Corpus] ["f"] false "show all articles, or only those todo, in progress or done";
    CorpusStatus "corpus-status" [Corpus] ["s"] false "the corpus status: progress per annotator and article, as `claimtag status`";
    ListChoose "list-choose" [Help, Corpus, Differences, Orphans, Conflicts, LinkPicker, RelationMenu] ["enter"] false "take the row: open the article, go to the difference, the conflict or the old position, add the link (help: close)";
    Reattach "reattach" [Orphans] ["r"] false "re-attach it to the text selected in the pane (undoable)";
    ListClose "list-close" [Help, Corpus, Differences, Orphans, Conflicts, Status, RelationMenu] ["esc", "q"] false "close";
    SettleYours "settle-yours" [Conflicts] ["y"] false "settle the conflict under the cursor: keep yours (undoable)";
    SettleTheirs "settle-theirs" [Conflicts] ["t"] false "settle it: keep theirs";
    SettleBoth "settle-both" [Conflicts] ["b"] false "settle it: keep both (theirs gets a new id)";
    LinkPick "link-pick" [LinkTarget] ["enter"] false "take the annotation under the cursor as the target: the relation at once when the scheme allows one, else a menu";
    LinkCancel "link-cancel" [LinkTarget] ["esc"] false "cancel the link (in the relation menu, Esc goes back to the target)";
    PickerDown "picker-down" [LinkPicker] ["down", "ctrl-n"] false "next candidate (letters filter the list: id, label, line, text)";
    PickerUp "picker-up" [LinkPicker] ["up", "ctrl-p"] false "previous candidate";
    PickerCancel "picker-cancel" [LinkPicker] ["esc"] false "close the picker";
    NextField "next-field" [Editor] ["down", "tab"] false "next field (on the claimant: first take the best of the claimants offered)";
    PrevField "prev-field" [Editor] ["up", "backtab"] false "previous field";
    PrevLabel "prev-label" [Editor] ["left"] false "on the label: the previous label (a label's key picks it)";
    NextLabel "next-label" [Editor] ["right", "space"] false "on the label: the next label";
    Unlink "unlink" [Editor] ["x", "delete", "backspace"] false "on a link: remove it";
    EditorEnter "editor-enter" [Editor] ["enter"] false "save the edit (on “+ add a link”: choose a link)";
    EditorSave "editor-save" [Editor] ["ctrl-s"] false "save the edit";
    EditorCancel "editor-cancel" [Editor] ["esc"] false "cancel the edit";
    MergeTheirs "merge" [Conflict] ["enter", "m"] false "merge (the default): both sides' work kept, conflicts listed to settle";
    KeepMine "keep-mine" [Conflict] ["k", "o"] false "keep mine: overwrite the file on disk (theirs go to a recovery file first)";
    ReloadTheirs "reload-theirs" [Conflict] ["r"] false "reload theirs (mine go to a recovery file first)";
    DecideLater "decide-later" [Conflict] ["esc", "l"] false "decide later (not saved; Ctrl-s asks again)";
    TakeOverYes "take-over-yes" [TakeOver] ["y"] false "take it over: editable here (the other instance's saves then meet the changed-on-disk prompt)";
    TakeOverNo "take-over-no" [TakeOver] ["n", "esc"] false "leave it read-only";
    PromptAccept "prompt-accept" [Prompt] ["enter"] false "search for it";
    PromptCancel "prompt-cancel" [Prompt] ["esc"] false "cancel the search";
    FieldLeft "field-left" [TextField] ["left"] false "caret left";
    FieldRight "field-right" [TextField] ["right"] false "caret right";
    FieldStart "field-start" [TextField] ["home", "ctrl-a"] false "caret to the start";
    FieldEnd "field-end" [TextField] ["end", "ctrl-e"] false "caret to the end";
    FieldDeleteBack "field-delete-back" [TextField] ["backspace"] false "delete before the caret";
    FieldDelete "field-delete" [TextField] ["delete"] false "delete after the caret";
    FieldClear "field-clear" [TextField] ["ctrl-u"] false "clear the field";
}

impl Command {
    /// The table entry; None for `Tag`, whose entries come from the scheme.
    pub fn spec(self) -> Option<&'static Spec> {
        COMMANDS.iter().find(|s| s.command == self)
    }

    /// Every command of a scheme: its tags first, then the table.
    pub fn all(scheme: &Scheme) -> Vec<Command> {
        (0..scheme.labels.len())
            .map(Command::Tag)
            .chain(COMMANDS.iter().map(|s| s.command))
            .collect()
    }

    pub fn modes(self) -> &'static [Mode] {
        match self.spec() {
            Some(s) => s.modes,
            None => &[Mode::Annotate],
        }
    }

    /// Whether a count before it repeats it (motions do; tagging does not).
    pub fn repeats(self) -> bool {
        self.spec().is_some_and(|s| s.repeats)
    }

    /// Whether, on the main screen, it works on the article in the focused
    /// pane: the others (help, quitting, the corpus list, panes, saving)
    /// work while that article is still loading.
    pub fn needs_article(self) -> bool {
        use Command::*;
        !matches!(
            self,
            Help | Quit | CorpusList | NextPane | SplitPane | ClosePane | Escape | Save | Redraw
        )
    }

    /// The name used in `keys:` of the config file.
    pub fn name(self, scheme: &Scheme) -> String {
        match self {
            Command::Tag(i) => format!("tag-{}", label_name(scheme, i)),
            c => c.spec().map(|s| s.name).unwrap_or("?").to_string(),
        }
    }

    pub fn description(self, scheme: &Scheme) -> String {
        match self {
            Command::Tag(i) => format!(
                "tag the selection (or the sentence) as {}",
                label_name(scheme, i)
            ),
            c => c.spec().map(|s| s.description).unwrap_or("").to_string(),
        }
    }
}

fn label_name(scheme: &Scheme, i: usize) -> &str {
    scheme.labels.get(i).map(|l| l.name.as_str()).unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_command_has_a_mode_and_a_key() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|s| s.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a command name is used twice");
        for s in COMMANDS {
            assert!(!s.modes.is_empty() && !s.keys.is_empty(), "{}", s.name);
            assert!(!s.description.is_empty(), "{}", s.name);
        }
    }
}
