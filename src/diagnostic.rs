//! Diagnostics: every problem the compiler finds, with a stable code, the
//! exact span, a label and help. Rendering goes through miette with a fixed,
//! colourless theme so the output is byte-stable.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use crate::source::{FileId, Sources};
use crate::syntax::Span;

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
    pub fn error(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Self {
            code: code.as_str(),
            severity: Severity::Error,
            message: message.into(),
            file,
            span,
            label: String::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// A warning of a lint rule (whose codes live in the lint registry).
    pub fn warning(
        code: &'static str,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            code,
            ..Self::error(Code::Syntax, file, span, message)
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

    /// Renders like rustc: code and message, `file:line:col`, the source
    /// line with the span underlined and labelled, then help. No colour.
    pub fn render(&self, sources: &Sources) -> String {
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false)
            // miette counts columns in bytes; the location is ours (in
            // characters, as rustc and editors count), given as the name.
            .without_primary_span_start();
        let report = Rendered::new(self, sources);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &report);
        out
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

/// The miette view of a [`Diagnostic`] (or of one of its related locations).
#[derive(Debug)]
struct Rendered {
    code: String,
    severity: Option<miette::Severity>,
    message: String,
    source: NamedSource<Arc<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Rendered>,
}

impl Rendered {
    fn new(diag: &Diagnostic, sources: &Sources) -> Self {
        let file = sources.get(diag.file);
        let (line, col) = file.line_col(diag.span.start);
        let label = (!diag.label.is_empty()).then(|| diag.label.clone());
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            label,
            (diag.span.start, diag.span.len()),
        )];
        let mut related = Vec::new();
        for rel in &diag.related {
            // A location in the same file is a second label on the same
            // snippet; one in another file gets its own snippet.
            if rel.file == diag.file {
                labels.push(LabeledSpan::new(
                    Some(rel.label.clone()),
                    rel.span.start,
                    rel.span.len(),
                ));
                continue;
            }
            let rel_file = sources.get(rel.file);
            let (line, col) = rel_file.line_col(rel.span.start);
            related.push(Rendered {
                code: String::new(),
                severity: Some(miette::Severity::Advice),
                message: rel.label.clone(),
                source: NamedSource::new(
                    format!("{}:{line}:{col}", rel_file.name),
                    rel_file.text.clone(),
                ),
                labels: vec![LabeledSpan::new(
                    Some(rel.label.clone()),
                    rel.span.start,
                    rel.span.len(),
                )],
                help: None,
                related: Vec::new(),
            });
        }
        Rendered {
            code: diag.code.to_string(),
            severity: Some(match diag.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            }),
            message: diag.message.clone(),
            source: NamedSource::new(format!("{}:{line}:{col}", file.name), file.text.clone()),
            labels,
            help: diag.help.clone(),
            related,
        }
    }
}

impl fmt::Display for Rendered {
    /// rustc's header: `error[E0101]: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.is_empty() {
            return f.write_str(&self.message);
        }
        let level = match self.severity {
            Some(miette::Severity::Warning) => "warning",
            _ => "error",
        };
        write!(f, "{level}[{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn severity(&self) -> Option<miette::Severity> {
        self.severity
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}
