//! Diagnostics: every problem the compiler finds, with a stable code, the
//! exact span, a label and help. They are rendered by [`crate::report`].

use std::fmt;

use crate::source::FileId;
use crate::source::Span;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $summary:literal; )*) => {
        /// The stable code of each compiler diagnostic. Codes are never reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            /// Every code, sorted by its text.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }

            /// The longer explanation `taskc explain` prints.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc, "\n"),*)),* }
            }
        }
    };
}

codes! {
    /// The file is not valid UTF-8. `.task` files are UTF-8 text; the
    /// diagnostic points at the first byte that is not.
    InvalidUtf8 = "E0001", "the file is not valid UTF-8";
    /// The text does not follow the grammar: the diagnostic says what was
    /// expected at that place, and suggests a keyword when the word written
    /// is close to one.
    Syntax = "E0002", "syntax error";
    /// A backslash escape in a quoted text is not one the language knows:
    /// use `\"`, `\\`, `\n`, `\t` or `\u{HEX}` with a valid character code.
    InvalidEscape = "E0003", "invalid escape in a text";
    /// A name (queue, priority, status, issue type, resolution code, tier,
    /// field, risk flag, difficulty, follow-up outcome, scoring component)
    /// is not declared. The help names the closest declared one.
    UnknownName = "E0101", "a name is not declared";
    /// A `require` or `forbid` names a marker set that no `markers`
    /// declaration defines.
    UnknownMarkerSet = "E0102", "unknown marker set";
    /// A tree policy names a floor that no `floor` declaration defines.
    UnknownFloor = "E0103", "unknown floor";
    /// Two tasks have the same id, in one file or in two.
    DuplicateTask = "E0201", "duplicate task id";
    /// Two knowledge-base articles of one task have the same id.
    DuplicateKb = "E0202", "duplicate knowledge-base article id";
    /// The same alternative is written twice in one group, list or floor.
    DuplicateAlternative = "E0203", "duplicate alternative";
    /// A field is written twice in one block; only one value can hold.
    DuplicateField = "E0204", "field given twice";
    /// A domain value, marker set, floor or tree is declared twice, or a
    /// second domain is declared.
    DuplicateDeclaration = "E0205", "duplicate declaration";
    /// A task's id differs from its file's name: `task foo` lives in
    /// `foo.task`, so that the file of any task can be found from its id.
    TaskIdFileName = "E0206", "task id does not match its file name";
    /// A required field is missing; the message says which.
    MissingField = "E0301", "missing required field";
    /// No `domain` is declared in the files given, so no name can be checked.
    MissingDomain = "E0302", "no domain declared";
    /// A number is outside the range its field allows, or is not a whole
    /// number where one is needed.
    OutOfRange = "E0401", "number out of range";
    /// The follow-up does not agree with the requested fields: `none` has
    /// no message or fields, `partial` provides a proper non-empty subset of
    /// the requested fields, `complete` provides all of them, `incorrect`
    /// sends fields outside them; any follow-up needs requested fields.
    FollowUp = "E0501", "inconsistent follow-up";
    /// The gold queue is also listed as an over-escalation queue: the gold
    /// episode would be penalised for doing the right thing.
    GoldOverEscalation = "E0601", "gold queue listed as over-escalation";
    /// The scoring weights of the domain do not sum to 1.
    WeightsSum = "E0701", "scoring weights do not sum to 1";
    /// A marker group, marker set, floor group or marker text is empty.
    EmptyMarker = "E0801", "empty group or marker";
    /// Every alternative of a required group contains a forbidden marker,
    /// so the group can never be met without also forbidding the reply.
    UnmeetableGroup = "E0802", "required group can never be met";
    /// One marker text is given two match modes (`word` and `substring`)
    /// in the same section of a task.
    ConflictingMode = "E0803", "conflicting match modes";
    /// `taskc.toml` is not valid: it is TOML with a `[lint]` table holding
    /// `paths = ["tasks"]` and a `[lint.rules]` table mapping a rule code or
    /// name to `"allow"`, `"warn"` or `"deny"`.
    Config = "E0901", "invalid taskc.toml";
    /// The task's gold episode (classify to gold, request exactly the
    /// required fields, handle the follow-up, reply and note with one
    /// alternative of every group, set the gold status and resolution,
    /// submit) does not score 1.0 when run through the environment: no agent
    /// can earn full marks. The message says which component falls short
    /// and why, such as more steps needed than `max_steps` allows.
    Unsolvable = "E1001", "task cannot reach a score of 1.0";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location, shown after the main one ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    pub label: String,
}

/// One problem found in the sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code, as text (`E0101` for compiler errors, lint codes later).
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// An error of the compiler.
    pub fn error(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Self::new(code.as_str(), Severity::Error, file, span, message)
    }

    /// A warning of a lint rule (whose codes live in the lint registry).
    pub fn warning(
        code: &'static str,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self::new(code, Severity::Warning, file, span, message)
    }

    fn new(
        code: &'static str,
        severity: Severity,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            file,
            span,
            label: String::new(),
            help: None,
            related: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn with_related(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            span,
            label: label.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Where the diagnostics of one file go while it is lowered or checked:
/// each check reports here and carries on, so one run reports every problem.
pub(crate) struct Cx {
    pub file: FileId,
    pub diagnostics: Vec<Diagnostic>,
}

impl Cx {
    pub fn new(file: FileId) -> Self {
        Self {
            file,
            diagnostics: Vec::new(),
        }
    }

    /// An error in this file, to be decorated with the `with_*` builders
    /// and then [`Cx::push`]ed.
    pub fn error(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.file, span, message)
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// Sorts diagnostics into source order: by file, then position, then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file, a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.file,
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
}
