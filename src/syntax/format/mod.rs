//! `taskc fmt`: one canonical layout for `.task` files, the shipped
//! tasks'. It works on the tokens of a file that parses (so it can only
//! change whitespace between tokens, and inside `"""` texts only the
//! indentation of their lines, which the compiler strips): two spaces per
//! block level; in a run of consecutive one-line fields of a block, values
//! aligned (and every column, for a table of same-shaped lines such as the
//! gates); trailing comments of consecutive lines aligned; a list continued
//! on the next line aligned under its first value; `"""` texts re-indented
//! two spaces under their field; a one-line list longer than the width
//! wrapped after its commas. Line breaks the author chose inside a
//! statement are kept, at most one blank line is kept between lines, and
//! every comment stays where it was.

use super::lex::{self, Kind, Token};

/// What the layout depends on (`[fmt]` in `taskc.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// The width a one-line list is wrapped at.
    pub width: usize,
}

impl Style {
    pub const DEFAULT_WIDTH: usize = 100;
}

impl Default for Style {
    fn default() -> Self {
        Style {
            width: Style::DEFAULT_WIDTH,
        }
    }
}

/// One line of the output, before its layout.
struct Line {
    /// Indices into the tokens.
    tokens: Vec<usize>,
    /// The block level (two spaces each).
    depth: usize,
    /// A blank line comes before it.
    blank_before: bool,
    /// It continues the statement of the line before.
    continuation: bool,
    /// Its statement goes on to the next line (a continuation follows, or
    /// it holds a multi-line text).
    continued: bool,
}

/// The file in the canonical layout. `source` must parse (the caller
/// checks): a file with a syntax error is never formatted. A byte-order
/// mark is dropped; the file's line ends are kept when every one of them is
/// CRLF, else they become LF.
pub fn format(source: &str, style: Style) -> String {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let crlf =
        source.contains("\r\n") && source.matches('\n').count() == source.matches("\r\n").count();
    let text = if crlf {
        source.replace("\r\n", "\n")
    } else {
        source.to_owned()
    };
    let tokens = lex::tokens(&text);
    let mut lines = split_lines(&text, &tokens);
    wrap_long_lists(&text, &tokens, &mut lines, style);
    let out = layout(&text, &tokens, &lines);
    if crlf {
        out.replace('\n', "\r\n")
    } else {
        out
    }
}

/// Groups the tokens by line, with each line's block level and whether it
/// continues a statement.
fn split_lines(text: &str, tokens: &[Token]) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut depth: usize = 0;
    let mut previous_end: Option<usize> = None;
    // The last line with more than a comment.
    let mut last_content: Option<usize> = None;
    for (i, t) in tokens.iter().enumerate() {
        if t.line_start || lines.is_empty() {
            let blank_before =
                previous_end.is_some_and(|end| text[end..t.span.start].matches('\n').count() >= 2);
            let continuation = last_content.is_some_and(|l| {
                let last = &lines[l];
                ends_open(text, tokens, last)
                    || (starts_continuation(text, t) && !ends_block(tokens, last))
            });
            if let Some(l) = last_content.filter(|_| continuation) {
                lines[l].continued = true;
            }
            let closing = t.is(b'}');
            lines.push(Line {
                tokens: Vec::new(),
                depth: if closing {
                    depth.saturating_sub(1)
                } else {
                    depth
                },
                blank_before: blank_before && !lines.is_empty(),
                continuation,
                continued: false,
            });
        }
        let n = lines.len() - 1;
        let line = &mut lines[n];
        line.tokens.push(i);
        if !t.is_comment() {
            last_content = Some(n);
        }
        if t.is(b'{') {
            depth += 1;
        } else if t.is(b'}') {
            depth = depth.saturating_sub(1);
        }
        if matches!(t.kind, Kind::Text { triple: true, .. }) && t.text(text).contains('\n') {
            line.continued = true;
        }
        previous_end = Some(t.span.end);
    }
    lines
}

/// Whether a line's last content token opens or closes a block.
fn ends_block(tokens: &[Token], line: &Line) -> bool {
    line.tokens
        .iter()
        .rev()
        .find(|&&i| !tokens[i].is_comment())
        .is_some_and(|&i| tokens[i].is(b'{') || tokens[i].is(b'}'))
}

/// Whether a line leaves its statement open: it ends with `,`, `|`, `:` or
/// `or` (comments aside).
fn ends_open(text: &str, tokens: &[Token], line: &Line) -> bool {
    let Some(&last) = line.tokens.iter().rev().find(|&&i| !tokens[i].is_comment()) else {
        return false;
    };
    let t = &tokens[last];
    t.is(b',') || t.is(b'|') || t.is(b':') || (t.kind == Kind::Word && t.text(text) == "or")
}

/// Whether a line's first token can only continue a statement: no
/// statement starts with a text, a separator, `or`, `unless` or `negated`.
fn starts_continuation(text: &str, t: &Token) -> bool {
    t.is(b'|')
        || t.is(b',')
        || matches!(t.kind, Kind::Text { .. })
        || (t.kind == Kind::Word && matches!(t.text(text), "or" | "unless" | "negated"))
}

/// The width of tokens joined by [`gap`]s.
fn joined_width(text: &str, tokens: &[Token], indices: &[usize]) -> usize {
    let mut width = 0;
    for (k, &i) in indices.iter().enumerate() {
        if k > 0 {
            width += gap(&tokens[indices[k - 1]], &tokens[i]).len();
        }
        width += tokens[i].text(text).chars().count();
    }
    width
}

/// The space between two tokens of one line.
fn gap(a: &Token, b: &Token) -> &'static str {
    if b.is(b',') || b.is(b':') || (a.is(b'{') && b.is(b'}')) {
        ""
    } else if b.is_comment() {
        "  "
    } else {
        " "
    }
}

/// Splits a one-line statement longer than the width after its commas,
/// filling each line; the rest goes under the first value.
fn wrap_long_lists(text: &str, tokens: &[Token], lines: &mut Vec<Line>, style: Style) {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines.drain(..) {
        let simple = !line.continuation
            && !line.continued
            && line.tokens.len() > 3
            && tokens[line.tokens[0]].kind == Kind::Word
            && !line.tokens.iter().any(|&i| {
                let t = &tokens[i];
                t.is_comment() || t.is(b'{') || t.is(b'}')
            })
            && line.tokens.iter().any(|&i| tokens[i].is(b','));
        let width = 2 * line.depth + joined_width(text, tokens, &line.tokens);
        if !simple || width <= style.width {
            out.push(line);
            continue;
        }
        // Under the first value: the keyword, a space.
        let head = tokens[line.tokens[0]].text(text).chars().count() + 1;
        let column = 2 * line.depth + head;
        let mut pieces: Vec<Vec<usize>> = vec![Vec::new()];
        let mut current = 2 * line.depth;
        for (k, &i) in line.tokens.iter().enumerate() {
            let piece = pieces.last_mut().expect("a piece");
            let w = tokens[i].text(text).chars().count();
            let sep = if piece.is_empty() {
                0
            } else {
                gap(&tokens[line.tokens[k - 1]], &tokens[i]).len()
            };
            // Break before an item (never before its comma) that would
            // pass the width, once the line holds an item.
            let after_comma = k > 0 && tokens[line.tokens[k - 1]].is(b',');
            if after_comma && piece.len() > 1 && current + sep + w > style.width {
                pieces.push(vec![i]);
                current = column + w;
                continue;
            }
            piece.push(i);
            current += sep + w;
        }
        let n = pieces.len();
        for (p, piece) in pieces.into_iter().enumerate() {
            out.push(Line {
                tokens: piece,
                depth: line.depth,
                blank_before: p == 0 && line.blank_before,
                continuation: p > 0,
                continued: p + 1 < n,
            });
        }
    }
    *lines = out;
}

/// Whether a line can be aligned with its neighbours: a field of a block
/// (a name or keyword, then its value) on one line, or the first line of a
/// list, and no block of its own.
fn alignable(text: &str, tokens: &[Token], line: &Line) -> bool {
    let multiline_text = line.tokens.iter().any(|&i| {
        matches!(tokens[i].kind, Kind::Text { triple: true, .. })
            && tokens[i].text(text).contains('\n')
    });
    // The first line of a list that goes on below aligns with its run (the
    // rest of the list goes under its first value).
    let list_head = content(tokens, line)
        .last()
        .is_some_and(|&i| tokens[i].is(b','));
    !line.continuation
        && (!line.continued || (list_head && !multiline_text))
        && line.tokens.len() >= 2
        && tokens[line.tokens[0]].kind == Kind::Word
        && !tokens[line.tokens[1]].is_comment()
        && !line
            .tokens
            .iter()
            .any(|&i| tokens[i].is(b'{') || tokens[i].is(b'}'))
        && !tokens[line.tokens[0]].text(text).is_empty()
}

/// The content tokens of a line (its trailing comment aside).
fn content<'l>(tokens: &[Token], line: &'l Line) -> &'l [usize] {
    match line.tokens.last() {
        Some(&last) if tokens[last].is_comment() && line.tokens.len() > 1 => {
            &line.tokens[..line.tokens.len() - 1]
        }
        _ => &line.tokens,
    }
}

/// The column each content token of each line starts at, relative to the
/// line's indentation: aligned runs padded, other lines joined by gaps.
fn columns(text: &str, tokens: &[Token], lines: &[Line]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = lines
        .iter()
        .map(|line| plain_columns(text, tokens, content(tokens, line)))
        .collect();
    let mut i = 0;
    while i < lines.len() {
        if !alignable(text, tokens, &lines[i]) {
            i += 1;
            continue;
        }
        // The run: alignable lines at one level, a list's continuation
        // lines passed over.
        let mut members = vec![i];
        let mut j = i + 1;
        while j < lines.len() {
            if lines[j].continuation && !lines[j].blank_before {
                j += 1;
                continue;
            }
            if alignable(text, tokens, &lines[j])
                && !lines[j].blank_before
                && lines[j].depth == lines[i].depth
            {
                members.push(j);
                j += 1;
                continue;
            }
            break;
        }
        if members.len() >= 2 {
            let run: Vec<&Line> = members.iter().map(|&m| &lines[m]).collect();
            let mut rows: Vec<Vec<usize>> = members.iter().map(|&m| out[m].clone()).collect();
            align_run(text, tokens, &run, &mut rows);
            for (&m, row) in members.iter().zip(rows) {
                out[m] = row;
            }
        }
        i = j;
    }
    out
}

fn plain_columns(text: &str, tokens: &[Token], indices: &[usize]) -> Vec<usize> {
    let mut columns = Vec::with_capacity(indices.len());
    let mut at = 0;
    for (k, &i) in indices.iter().enumerate() {
        if k > 0 {
            at += gap(&tokens[indices[k - 1]], &tokens[i]).len();
        }
        columns.push(at);
        at += tokens[i].text(text).chars().count();
    }
    columns
}

/// Aligns a run: every column for a table (the same first word, the same
/// number of tokens, no texts or lists), else the values after the first
/// word.
fn align_run(text: &str, tokens: &[Token], run: &[&Line], out: &mut [Vec<usize>]) {
    let rows: Vec<&[usize]> = run.iter().map(|l| content(tokens, l)).collect();
    let first = |r: &[usize]| tokens[r[0]].text(text);
    let table = run.len() >= 3
        && rows
            .iter()
            .all(|r| r.len() == rows[0].len() && first(r) == first(rows[0]))
        && rows.iter().flat_map(|r| r.iter()).all(|&i| {
            let t = &tokens[i];
            t.kind == Kind::Word
        });
    let width = |i: usize| tokens[i].text(text).chars().count();
    if table {
        let n = rows[0].len();
        let mut starts = vec![0; n];
        for c in 1..n {
            let widest = rows.iter().map(|r| width(r[c - 1])).max().unwrap_or(0);
            starts[c] = starts[c - 1] + widest + 1;
        }
        for row in out.iter_mut() {
            row.copy_from_slice(&starts);
        }
        return;
    }
    let key = rows.iter().map(|r| width(r[0])).max().unwrap_or(0);
    for row in out.iter_mut() {
        let shift = key + 1 - row[1];
        for c in row.iter_mut().skip(1) {
            *c += shift;
        }
    }
}

/// Writes the lines out.
fn layout(text: &str, tokens: &[Token], lines: &[Line]) -> String {
    let columns = columns(text, tokens, lines);
    // Each line's indentation, and where its content ends.
    let mut indents = vec![0usize; lines.len()];
    let mut ends = vec![0usize; lines.len()];
    // The column continuation lines of the current statement go to.
    let mut hang = 0;
    for (n, line) in lines.iter().enumerate() {
        let indent = if line.continuation {
            hang
        } else {
            let base = 2 * line.depth;
            let c = &columns[n];
            let row = content(tokens, line);
            // A list goes on under its first value; anything else hangs.
            hang = if row.len() >= 2
                && tokens[*row.last().expect("tokens")].is(b',')
                && !matches!(tokens[row[1]].kind, Kind::Text { triple: true, .. })
            {
                base + c[1]
            } else {
                base + 2
            };
            base
        };
        indents[n] = indent;
        let row = content(tokens, line);
        let last = *row.last().expect("a line has a token");
        // Where the line ends as written out: a `"""` text that spans
        // lines ends where its reindented last line does.
        ends[n] = match tokens[last].kind {
            Kind::Text { triple: true, .. } if tokens[last].text(text).contains('\n') => {
                last_line_width(&reindent(tokens[last].text(text), indent))
            }
            _ => indent + columns[n][row.len() - 1] + last_line_width(tokens[last].text(text)),
        };
    }
    // Trailing comments of consecutive lines share a column.
    let mut comment_at = vec![0usize; lines.len()];
    let trailing =
        |l: &Line| l.tokens.len() > 1 && tokens[*l.tokens.last().expect("tokens")].is_comment();
    let mut i = 0;
    while i < lines.len() {
        if !trailing(&lines[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < lines.len() && trailing(&lines[j]) && !lines[j].blank_before {
            j += 1;
        }
        let at = (i..j).map(|k| ends[k]).max().unwrap_or(0) + 2;
        for c in &mut comment_at[i..j] {
            *c = at;
        }
        i = j;
    }

    let mut out = String::with_capacity(text.len());
    for (n, line) in lines.iter().enumerate() {
        if line.blank_before {
            out.push('\n');
        }
        let mut column = 0;
        let pad = |out: &mut String, column: &mut usize, to: usize| {
            while *column < to {
                out.push(' ');
                *column += 1;
            }
        };
        pad(&mut out, &mut column, indents[n]);
        let row = content(tokens, line);
        for (k, &i) in row.iter().enumerate() {
            pad(&mut out, &mut column, indents[n] + columns[n][k]);
            let t = &tokens[i];
            let piece = match t.kind {
                Kind::Text { triple: true, .. } => reindent(t.text(text), indents[n]),
                Kind::Comment => t.text(text).trim_end().to_owned(),
                _ => t.text(text).to_owned(),
            };
            column = if piece.contains('\n') {
                last_line_width(&piece)
            } else {
                column + piece.chars().count()
            };
            out.push_str(&piece);
        }
        if row.len() < line.tokens.len() {
            let comment = &tokens[*line.tokens.last().expect("tokens")];
            pad(&mut out, &mut column, comment_at[n]);
            out.push_str(comment.text(text).trim_end());
        }
        out.push('\n');
    }
    out
}

/// The width of a token's last line (a `"""` text spans lines).
fn last_line_width(piece: &str) -> usize {
    piece.rsplit('\n').next().unwrap_or(piece).chars().count()
}

/// The width leading whitespace takes (a tab counts as 4).
fn indentation(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// A `"""` text with its lines re-indented two spaces under `indent`
/// (relative indentation kept), blank lines emptied, and the closing quotes
/// on their own line at `indent` when they were on their own line.
fn reindent(token: &str, indent: usize) -> String {
    if !token.contains('\n') {
        return token.to_owned();
    }
    let inner = token
        .strip_prefix("\"\"\"")
        .and_then(|t| t.strip_suffix("\"\"\""))
        .unwrap_or(token);
    let mut parts: Vec<&str> = inner.split('\n').collect();
    let first = parts.remove(0);
    let last = parts.pop().unwrap_or("");
    let closing_alone = last.trim().is_empty();
    let mut body: Vec<&str> = parts;
    if !closing_alone {
        body.push(last);
    }
    let common = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indentation(l))
        .min()
        .unwrap_or(0);
    let mut out = String::from("\"\"\"");
    out.push_str(first.trim_end());
    for line in &body {
        out.push('\n');
        if line.trim().is_empty() {
            continue;
        }
        let own = indentation(line) - common;
        out.extend(std::iter::repeat_n(' ', indent + 2 + own));
        out.push_str(line.trim());
    }
    if closing_alone {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', indent));
    }
    out.push_str("\"\"\"");
    out
}

#[cfg(test)]
mod invariants;

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        format(s, Style::default())
    }

    #[test]
    fn indents_aligns_and_keeps_comments() {
        let source = "task t {\n\ttitle \"T\"   # the title\n  difficulty    easy # how hard\n\n\n   ticket {\n customer \"A\"\n  tier pro\n }\n}\n";
        assert_eq!(
            fmt(source),
            "task t {\n  title      \"T\"   # the title\n  difficulty easy  # how hard\n\n  ticket {\n    customer \"A\"\n    tier     pro\n  }\n}\n"
        );
    }

    #[test]
    fn a_comment_after_a_text_is_placed_once() {
        // The closing quotes off their column, then a comment: the comment
        // goes where the reindented quotes end, and a second run agrees.
        let source = "task t {\n  objective \"\"\"\n    Text.\n          \"\"\"   # why\n}\n";
        let once = fmt(source);
        assert_eq!(
            once,
            "task t {\n  objective \"\"\"\n    Text.\n  \"\"\"  # why\n}\n"
        );
        assert_eq!(fmt(&once), once);
    }

    #[test]
    fn texts_are_reindented_under_their_field() {
        let source = "task t {\n  objective \"\"\"\n        First line,\n          indented more.\n\n        Second paragraph.\n      \"\"\"\n}\n";
        assert_eq!(
            fmt(source),
            "task t {\n  objective \"\"\"\n    First line,\n      indented more.\n\n    Second paragraph.\n  \"\"\"\n}\n"
        );
    }

    #[test]
    fn continued_lists_go_under_the_first_value_and_long_ones_wrap() {
        let source = "domain d {\n  fields a,\n      b, c\n}\n";
        assert_eq!(fmt(source), "domain d {\n  fields a,\n         b, c\n}\n");
        let long = format!(
            "domain d {{\n  fields {}\n}}\n",
            (0..30)
                .map(|i| format!("field_{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let out = format(&long, Style { width: 60 });
        assert!(out.lines().all(|l| l.chars().count() <= 60), "{out}");
        assert_eq!(format(&out, Style { width: 60 }), out);
        assert_eq!(
            out.lines().nth(2).map(|l| l.find('f')),
            Some(Some(9)),
            "{out}"
        );
    }

    #[test]
    fn tables_align_every_column() {
        let source = "g {\n  gate a cap 0.5 when forbidden\n  gate no_reply cap 0.6 when no_reply\n  gate b cap 0.6 when x\n}\n";
        assert_eq!(
            fmt(source),
            "g {\n  gate a        cap 0.5 when forbidden\n  gate no_reply cap 0.6 when no_reply\n  gate b        cap 0.6 when x\n}\n"
        );
    }

    #[test]
    fn crlf_throughout_is_kept_and_a_bom_dropped() {
        assert_eq!(fmt("\u{feff}a {\r\n b c\r\n}\r\n"), "a {\r\n  b c\r\n}\r\n");
        assert_eq!(fmt("a {\r\n b c\n}\n"), "a {\n  b c\n}\n");
    }
}
