//! Pest pairs → AST. Each AST type has one `from_pair`, in the file named
//! after its part of the AST, and starts by checking the rule it was handed.
//! Helpers for the leaves (names, texts, numbers) live here.

mod domain;
mod file;
mod floor;
mod grading;
mod markers;
mod task;
mod tree;

use pest::iterators::Pair;

use super::ast::{Field, Name, Number, Spanned, Text};
use super::Rule;
pub(crate) use crate::diagnostic::Cx;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// Where a pair stands in the file. A rule that ends with a repetition or
/// an option matching nothing (`require "a"`: no `| ...`) also holds the
/// whitespace and comments pest skipped before trying it; they are left
/// out (down the last pairs: the last of a list may end so too), so the
/// span ends with the pair's last token.
pub(crate) fn span(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    // What pest skips ends with whitespace (a comment ends at a line break),
    // but at the end of the file: most pairs need no look inside.
    let ends_bare = s.end() < s.get_input().len()
        && !s
            .as_str()
            .as_bytes()
            .last()
            .is_some_and(u8::is_ascii_whitespace);
    if ends_bare {
        return Span::new(s.start(), s.end());
    }
    let end = pair
        .clone()
        .into_inner()
        .next_back()
        .map(|last| span(&last).end)
        .filter(|&last| only_skipped(&s.get_input()[last..s.end()]))
        .unwrap_or(s.end());
    Span::new(s.start(), end)
}

/// Whether `gap` holds nothing but what the grammar skips between tokens:
/// whitespace, and comments from `#` or `//` to the end of a line.
fn only_skipped(gap: &str) -> bool {
    let mut rest = gap.trim_start();
    while !rest.is_empty() {
        let Some(comment) = rest.strip_prefix('#').or_else(|| rest.strip_prefix("//")) else {
            return false;
        };
        rest = comment
            .find('\n')
            .map_or("", |n| &comment[n..])
            .trim_start();
    }
    true
}

pub(crate) fn name(pair: Pair<'_, Rule>) -> Name {
    debug_assert!(matches!(pair.as_rule(), Rule::ident));
    Spanned::new(pair.as_str().to_owned(), span(&pair))
}

pub(crate) fn number(pair: Pair<'_, Rule>) -> Number {
    debug_assert_eq!(pair.as_rule(), Rule::number);
    Spanned::new(pair.as_str().to_owned(), span(&pair))
}

pub(crate) fn names(pair: Pair<'_, Rule>) -> Vec<Name> {
    debug_assert_eq!(pair.as_rule(), Rule::ident_list);
    pair.into_inner().map(name).collect()
}

/// A `string` or a bare `word`, as a text.
pub(crate) fn text(pair: Pair<'_, Rule>, cx: &mut Cx) -> Text {
    let whole = span(&pair);
    match pair.as_rule() {
        Rule::word => Spanned::new(pair.as_str().to_owned(), whole),
        Rule::string => {
            let inner = pair.into_inner().next().expect("a string has one form");
            match inner.as_rule() {
                Rule::quoted_string => {
                    let body = inner.into_inner().next().expect("quoted body");
                    Spanned::new(unescape(body, cx), whole)
                }
                Rule::triple_string => {
                    let body = inner.into_inner().next().expect("triple body");
                    Spanned::new(fold(body.as_str()), whole)
                }
                other => unreachable!("a string is quoted or triple-quoted, not {other:?}"),
            }
        }
        other => unreachable!("a text is a string or a word, not {other:?}"),
    }
}

/// Decodes the escapes of a one-line text.
fn unescape(body: Pair<'_, Rule>, cx: &mut Cx) -> String {
    let raw = body.as_str();
    if !raw.contains('\\') {
        return raw.to_owned();
    }
    let base = body.as_span().start();
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw.char_indices();
    while let Some((i, c)) = rest.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match rest.next().map(|(_, c)| c) {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                // The grammar guarantees `{HEX}` follows.
                let close = raw[i..].find('}').map_or(raw.len(), |j| i + j);
                let hex = &raw[i + 3..close];
                for _ in hex.chars().chain(['{', '}']) {
                    rest.next();
                }
                match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => {
                        out.push(char::REPLACEMENT_CHARACTER);
                        cx.diagnostics.push(
                            Diagnostic::error(
                                Code::InvalidEscape,
                                cx.file,
                                Span::new(base + i, base + close + 1),
                                format!("`\\u{{{hex}}}` is not a character"),
                            )
                            .with_label("not a Unicode scalar value")
                            .with_help("write the character itself, or a code below 10FFFF that is not a surrogate"),
                        );
                    }
                }
            }
            // The grammar admits no other escape.
            _ => out.push(char::REPLACEMENT_CHARACTER),
        }
    }
    out
}

/// Folds a multi-line text: the common indentation goes, blank lines at the
/// start and end go, the lines of a paragraph join with one space, and a
/// blank line between paragraphs becomes one line break.
pub(crate) fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    // What separates the next line from the text so far: nothing at the
    // start, a space within a paragraph, a line break after a blank line.
    let mut separator: Option<char> = None;
    for line in raw.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !out.is_empty() {
                separator = Some('\n');
            }
            continue;
        }
        if let Some(sep) = separator {
            out.push(sep);
        }
        out.push_str(line);
        separator = Some(' ');
    }
    out
}

/// A field whose first inner pair is its keyword: the keyword's span, and the
/// remaining pairs for `value` to lower.
pub(crate) fn field<'i, T>(
    pair: Pair<'i, Rule>,
    keyword: &'static str,
    value: impl FnOnce(pest::iterators::Pairs<'i, Rule>) -> T,
) -> Field<T> {
    let mut inner = pair.into_inner();
    let kw = inner.next().expect("a field starts with its keyword");
    Field {
        keyword: Spanned::new(keyword, span(&kw)),
        value: value(inner),
    }
}

#[cfg(test)]
mod tests {
    use super::fold;
    use crate::syntax::ast::{Item, MarkerRule, TaskValue};

    /// The text of each `require` group's span, and of each `forbid` list's.
    fn rule_spans(text: &str) -> Vec<&str> {
        let (file, diagnostics) = crate::syntax::parse(crate::source::FileId(0), text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let mut out = Vec::new();
        for item in file.expect("parsed").items {
            let Item::Task(task) = item else { continue };
            for field in task.fields {
                let TaskValue::Reply(rules) = field.value else {
                    continue;
                };
                for rule in rules {
                    let span = match rule {
                        MarkerRule::Require(group) => group.span,
                        MarkerRule::Forbid(list) => list.span,
                        MarkerRule::ForbidAct(act) => act.span,
                    };
                    out.push(&text[span.start..span.end]);
                }
            }
        }
        out
    }

    #[test]
    fn spans_end_with_their_last_token_not_the_whitespace_and_comments_after() {
        let text = "task t {\n  reply {\n    require \"a\"   # why\n    // more\n\n    \
                    require \"b\" | word \"c\"\n    forbid \"x\" unless negated\n    \
                    forbid \"y\"\n  }\n}\n";
        assert_eq!(
            rule_spans(text),
            [
                "\"a\"",
                "\"b\" | word \"c\"",
                "\"x\" unless negated",
                "\"y\""
            ]
        );
    }

    #[test]
    fn fold_strips_indentation_and_joins_lines() {
        let raw = "\n    Triage a ticket,\n    then reply.\n\n    Second paragraph.\n  ";
        assert_eq!(fold(raw), "Triage a ticket, then reply.\nSecond paragraph.");
        assert_eq!(fold("one line"), "one line");
        assert_eq!(fold("\n   \n"), "");
    }
}
