//! Diagnostics → text for people, like rustc: code and message,
//! `file:line:col`, the source line with the span underlined and labelled,
//! then help. Rendering goes through miette with a fixed, colourless theme
//! so the output is byte-stable.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::source::{SourceFile, Sources, Span};

/// Renders one diagnostic (no colour, 100 columns).
pub fn human(sources: &Sources, diagnostic: &Diagnostic) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false)
        // miette counts columns in bytes; the location is ours (in
        // characters, as rustc and editors count), given as the name.
        .without_primary_span_start();
    let mut report = Rendered::new(diagnostic, sources);
    // Locations in other files follow as notes of their own: miette would
    // put an empty "Advice:" header above each.
    let notes = std::mem::take(&mut report.related);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = handler.render_report(&mut out, &report);
    for note in &notes {
        let _ = handler.render_report(&mut out, note);
    }
    out
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
}
