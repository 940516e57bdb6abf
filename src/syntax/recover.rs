//! Error recovery: pest stops at the first error, so after each one the
//! broken statement is blanked out and the file parsed again, until it
//! parses or nothing is left to read. Every syntax error of a file is
//! reported in one run, in source order.
//!
//! Blanking replaces every byte but line breaks with a space, so offsets,
//! lines and columns of what follows stay those of the file. What is blanked
//! is one statement, found on the tokens ([`lex`]):
//!
//! - when pest expected a new statement where it stopped (the one before
//!   was complete), from the stray token to the next line that starts a
//!   statement (a field keyword or a misspelt one, a floor reason
//!   `name:`), the `}` of the enclosing block, or a declaration at column
//!   0 — with any block it opened skipped whole;
//! - otherwise the statement is broken inside: from its start (the nearest
//!   line before that starts a statement) to the same place;
//! - but when what comes shows that a block was left open (a field of the
//!   enclosing block, a declaration at column 0), a `}` is inserted before
//!   it instead, and taken back out of the spans of later errors.
//!
//! The AST of a file with a syntax error is not used (the file contributes
//! no declaration), so blanking can never make a semantic error appear.

use pest::Parser as _;

use super::errors::{self, is_keyword, starts_statement};
use super::hints::{self, is_declaration};
use super::lex::{self, Kind, Token};
use super::{Rule, TaskParser};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::suggest;

/// At most this many syntax errors are reported per file.
pub(crate) const MAX_ERRORS: usize = 50;

/// At most this many parses are made of a file with errors.
const MAX_ROUNDS: usize = 4 * MAX_ERRORS;

/// Every syntax error of `text`, the first being `first`.
pub(crate) fn all_errors(
    file: FileId,
    text: &str,
    first: pest::error::Error<Rule>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut work = Work {
        text: text.to_owned(),
        inserted: Vec::new(),
    };
    let mut error = first;
    let mut last: Option<usize> = None;
    for _ in 0..MAX_ROUNDS {
        let tokens = lex::tokens(&work.text);
        let failure = errors::failure(file, &work.text, &tokens, &error);
        let k = tokens.partition_point(|t| t.span.end <= failure.pos);
        // Each round edits text before the next error, so errors move
        // forward. One that does not (what was blanked did not reach the
        // token pest stops at) is not reported again: that token goes too.
        if last.is_some_and(|l| failure.pos <= l) {
            let Some(at) = tokens.get(k) else { break };
            let end = skip_statement(&work.text, &tokens, k);
            if end >= work.text.len() {
                break;
            }
            work.blank(at.span.start, end);
        } else {
            last = Some(failure.pos);
            // A hint may point before where pest stopped (at a `require`
            // with no marker, when pest stopped on the line after): the
            // statement to blank starts there at the latest.
            let pointed = failure.diagnostic.span.start;
            out.push(work.to_original(failure.diagnostic));
            if out.len() == MAX_ERRORS {
                break;
            }
            if let Some(missing) = hints::missing_brace(&work.text, &tokens, k, failure.boundary) {
                work.insert(missing.insert_at, "}\n");
            } else {
                let Some((start, end)) = resync(&work.text, &tokens, failure.pos, failure.boundary)
                else {
                    break;
                };
                // A list keyword whose first entry broke goes with it: left
                // alone, it would take the next line's keyword for a marker
                // set's name and report a second, earlier error.
                let keyword = k
                    .checked_sub(1)
                    .and_then(|i| tokens.get(i))
                    .filter(|t| {
                        let line = work.text[..t.span.start].rsplit('\n').next().unwrap_or("");
                        matches!(t.text(&work.text), "require" | "forbid")
                            && line.trim().is_empty()
                            && tokens.get(k).is_some_and(|n| n.span.start == failure.pos)
                    })
                    .map_or(usize::MAX, |t| t.span.start);
                work.blank(start.min(pointed).min(keyword), end);
            }
        }
        match TaskParser::parse(Rule::file, &work.text) {
            Ok(_) => break,
            Err(next) => error = next,
        }
    }
    out
}

/// The text as recovery has edited it: statements blanked (same length),
/// and `}` inserted where a block was left open, which [`Work::to_original`]
/// takes back out of every span.
struct Work {
    text: String,
    /// `(offset in the edited text, length)` of each insertion, in order.
    inserted: Vec<(usize, usize)>,
}

impl Work {
    fn blank(&mut self, start: usize, end: usize) {
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        for b in &mut bytes[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        self.text = String::from_utf8(bytes).expect("whole tokens are blanked");
    }

    /// Insertions only ever move forward, with the errors.
    fn insert(&mut self, at: usize, what: &str) {
        self.text.insert_str(at, what);
        self.inserted.push((at, what.len()));
    }

    fn offset(&self, edited: usize) -> usize {
        let mut shift = 0;
        for &(at, len) in &self.inserted {
            if edited >= at + len {
                shift += len;
            } else if edited > at {
                return at - shift;
            } else {
                break;
            }
        }
        edited - shift
    }

    fn span(&self, span: Span) -> Span {
        Span::new(self.offset(span.start), self.offset(span.end))
    }

    fn to_original(&self, mut d: Diagnostic) -> Diagnostic {
        if self.inserted.is_empty() {
            return d;
        }
        d.span = self.span(d.span);
        for r in &mut d.related {
            r.span = self.span(r.span);
        }
        d
    }
}

/// The range to blank after an error at `pos`, or `None` when nothing
/// after it can be read on its own (the file ends, or an open text or block
/// runs to its end).
fn resync(text: &str, tokens: &[Token], pos: usize, boundary: bool) -> Option<(usize, usize)> {
    let k = tokens.partition_point(|t| t.span.end <= pos);
    let at = tokens.get(k)?;
    let (start, end) = if boundary {
        (at.span.start, skip_statement(text, tokens, k))
    } else {
        let before = (0..k).rev().find(|&j| !tokens[j].is_comment());
        let start = before.map_or(at.span.start, |j| statement_start(text, tokens, j));
        let end = if at.is(b'}') || starts_here(text, tokens, k) {
            at.span.start
        } else {
            skip_statement(text, tokens, k)
        };
        (start, end)
    };
    (end < text.len() && start < end).then_some((start, end))
}

/// Where the statement starting (or broken) at token `k` ends: the start of
/// the next token that begins a statement at the same depth, the `}` of the
/// enclosing block, or a declaration at column 0.
fn skip_statement(text: &str, tokens: &[Token], k: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(k) {
        if t.is_comment() {
            continue;
        }
        if i > k {
            if t.line_start && t.at_column_zero(text) && is_declaration(t.text(text)) {
                return t.span.start;
            }
            if depth == 0
                && (t.is(b'}') || starts_here(text, tokens, i) || misspelt_start(text, tokens, i))
            {
                return t.span.start;
            }
        }
        if t.is(b'{') {
            depth += 1;
        } else if t.is(b'}') {
            depth = depth.saturating_sub(1);
        }
    }
    text.len()
}

/// The start of the statement that token `j` belongs to: walking back at
/// the same depth to the nearest token that starts a statement, or to just
/// after the `{` of the enclosing block.
fn statement_start(text: &str, tokens: &[Token], j: usize) -> usize {
    let mut depth = 0usize;
    for i in (0..=j).rev() {
        let t = &tokens[i];
        if t.is_comment() {
            continue;
        }
        if t.is(b'}') {
            depth += 1;
            continue;
        }
        if t.is(b'{') {
            if depth == 0 {
                return tokens[i + 1..]
                    .iter()
                    .find(|t| !t.is_comment())
                    .map_or(t.span.end, |t| t.span.start);
            }
            depth -= 1;
            continue;
        }
        if depth == 0 && starts_here(text, tokens, i) {
            return t.span.start;
        }
    }
    tokens.first().map_or(0, |t| t.span.start)
}

/// Whether token `i` is most likely a misspelt field keyword starting the
/// next statement (`priorty` under a broken `queue` line): first on its
/// line, close to a field keyword, and not a value continuing a list (the
/// line before does not end with `,` or `|`). Skipping a broken statement
/// stops there, so the typo is reported in the same run rather than
/// swallowed with the statement before it. Only the forward skip uses it:
/// walking back to a statement's start still wants a real keyword.
fn misspelt_start(text: &str, tokens: &[Token], i: usize) -> bool {
    let t = &tokens[i];
    if !t.line_start || t.kind != Kind::Word || is_keyword(t.text(text)) {
        return false;
    }
    let continues = tokens[..i]
        .iter()
        .rev()
        .find(|p| !p.is_comment())
        .is_some_and(|p| p.is(b',') || p.is(b'|'));
    !continues && suggest::closest(t.text(text), hints::field_keywords()).is_some()
}

/// Whether token `i` starts a statement: first on its line, and a keyword
/// that starts one, or a name followed by `:` (a floor's reason).
fn starts_here(text: &str, tokens: &[Token], i: usize) -> bool {
    let t = &tokens[i];
    if !t.line_start || t.kind != Kind::Word {
        return false;
    }
    let word = t.text(text);
    (is_keyword(word) && starts_statement(word)) || tokens.get(i + 1).is_some_and(|n| n.is(b':'))
}
