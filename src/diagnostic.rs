//! Diagnostics: every problem the compiler finds, with a stable code, the
//! exact span, a label and help. Rendering goes through miette with a fixed,
//! colourless theme so the output is byte-stable.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use crate::source::Span;
use crate::source::{FileId, SourceFile, Sources};

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

/// The miette view of a [`Diagnostic`] (or of one of its related locations).
#[derive(Debug)]
struct Rendered {
    code: String,
    severity: Option<miette::Severity>,
    message: String,
    source: Window,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Rendered>,
}

impl Rendered {
    fn new(diag: &Diagnostic, sources: &Sources) -> Self {
        let file = sources.get(diag.file);
        let (line, col) = file.line_col(diag.span.start);
        // A location in the same file is a second label on the same
        // snippet; one in another file gets its own snippet.
        let same_file: Vec<&Related> = diag
            .related
            .iter()
            .filter(|r| r.file == diag.file)
            .collect();
        let mut spans = vec![diag.span];
        spans.extend(same_file.iter().map(|r| r.span));
        let (source, moved) = Window::new(file, format!("{}:{line}:{col}", file.name), &spans);
        let label = (!diag.label.is_empty()).then(|| diag.label.clone());
        let mut labels = vec![LabeledSpan::new_primary_with_span(label, moved[0])];
        for (rel, span) in same_file.iter().zip(&moved[1..]) {
            labels.push(LabeledSpan::new(Some(rel.label.clone()), span.0, span.1));
        }
        let related = diag
            .related
            .iter()
            .filter(|r| r.file != diag.file)
            .map(|rel| {
                let rel_file = sources.get(rel.file);
                let (line, col) = rel_file.line_col(rel.span.start);
                let (source, moved) = Window::new(
                    rel_file,
                    format!("{}:{line}:{col}", rel_file.name),
                    &[rel.span],
                );
                Rendered {
                    code: String::new(),
                    severity: Some(miette::Severity::Advice),
                    message: rel.label.clone(),
                    source,
                    labels: vec![LabeledSpan::new(
                        Some(rel.label.clone()),
                        moved[0].0,
                        moved[0].1,
                    )],
                    help: None,
                    related: Vec::new(),
                }
            })
            .collect();
        Rendered {
            code: diag.code.to_string(),
            severity: Some(match diag.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            }),
            message: diag.message.clone(),
            source,
            labels,
            help: diag.help.clone(),
            related,
        }
    }
}

/// Longest line shown whole, in bytes. A longer one (a generated or
/// minified file) is clipped around its labels: a diagnostic in a 2 MB
/// one-line file shows an excerpt, not the megabytes, and miette's column
/// arithmetic stays far from where it panics (65,535 columns).
const LONG_LINE: usize = 240;
/// What a clipped line keeps on each side of its labels, in bytes.
const CLIP_MARGIN: usize = 60;

/// The lines of a file a snippet shows (those its labels touch, and one
/// line of context around them), with their true line numbers: miette is
/// given only these, so rendering costs the same in any file.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    /// 0-based line number of the window's first line.
    first_line: usize,
}

/// One line of a [`Window`]: the original range kept and where it went.
struct Piece {
    line_start: usize,
    line_end: usize,
    kept_start: usize,
    kept_end: usize,
    at: usize,
}

impl Window {
    /// The window of `file` that shows `spans`, and each span moved into it
    /// as (offset, length).
    fn new(file: &SourceFile, name: String, spans: &[Span]) -> (Window, Vec<(usize, usize)>) {
        let text = file.text.as_str();
        let first = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let last = spans.iter().map(|s| s.end).max().unwrap_or(0);
        let first_line = file.line_of(first).saturating_sub(1);
        let last_line = (file.line_of(last) + 1).min(file.line_count().saturating_sub(1));
        let mut out = String::new();
        let mut pieces: Vec<Piece> = Vec::new();
        for line in first_line..=last_line.max(first_line) {
            let (line_start, line_end) = file.line_range(line);
            let (kept_start, kept_end) = if line_end - line_start <= LONG_LINE {
                (line_start, line_end)
            } else {
                clip(text, line_start, line_end, spans)
            };
            if kept_start > line_start {
                out.push('…');
            }
            let at = out.len();
            out.push_str(&text[kept_start..kept_end]);
            if kept_end < line_end {
                out.push('…');
            }
            // The line's own break (`\n`, `\r\n`, or none at the end), so
            // miette sees the lines exactly as they are in the file.
            let next_start = if line + 1 < file.line_count() {
                file.line_range(line + 1).0
            } else {
                text.len()
            };
            out.push_str(&text[line_end..next_start]);
            pieces.push(Piece {
                line_start,
                line_end,
                kept_start,
                kept_end,
                at,
            });
        }
        let place = |offset: usize| -> usize {
            // The line holding `offset` (its break counts as its end).
            let piece = pieces
                .iter()
                .find(|p| offset <= p.line_end)
                .or(pieces.last())
                .expect("a window has at least one line");
            let offset = offset.clamp(piece.kept_start, piece.kept_end);
            piece.at + (offset - piece.kept_start)
        };
        let moved = spans
            .iter()
            .map(|s| {
                let start = place(s.start.max(pieces[0].line_start));
                (start, place(s.end).max(start) - start)
            })
            .collect();
        (
            Window {
                name,
                text: out,
                first_line,
            },
            moved,
        )
    }
}

/// The part of a long line to keep: around the labels on it (or its start,
/// for a context line), cut on character boundaries.
fn clip(text: &str, line_start: usize, line_end: usize, spans: &[Span]) -> (usize, usize) {
    let on_line = spans
        .iter()
        .filter(|s| s.start <= line_end && s.end >= line_start);
    let from = on_line.clone().map(|s| s.start.max(line_start)).min();
    let to = on_line.map(|s| s.end.min(line_end)).max();
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from.saturating_sub(CLIP_MARGIN), to + CLIP_MARGIN),
        _ => (line_start, line_start + CLIP_MARGIN),
    };
    let start = floor_boundary(text, from.max(line_start));
    let end = floor_boundary(text, to.min(line_end).min(start + LONG_LINE)).max(start);
    (start, end)
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
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
