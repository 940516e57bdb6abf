//! Text → a flat list of tokens, for the parts of the front end that must
//! read a file pest rejected: error recovery (where a broken statement
//! starts and ends) and the hints for what authors type from other
//! languages. It never fails: anything it does not know is one `Other`
//! character, and a text or comment left open runs to where it would end.

use crate::source::Span;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A name, a bare value or a number: `billing_ops`, `ap-south-1`, `0.15`.
    Word,
    /// A quoted text; `closed` is false when it runs to the end of its line
    /// (one-line) or of the file (`"""`).
    Text { triple: bool, closed: bool },
    /// One of `{ } , | :`.
    Punct(u8),
    /// `# ...` or `// ...`.
    Comment,
    /// A comment of another language: `/* ... */` or `<!-- ... -->`.
    ForeignComment,
    /// Any other character (a `/`, a `;`, a typographic quote...).
    Other(char),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub span: Span,
    /// Whether it is the first token on its line.
    pub line_start: bool,
}

impl Token {
    pub fn is(&self, punct: u8) -> bool {
        self.kind == Kind::Punct(punct)
    }

    pub fn text<'t>(&self, source: &'t str) -> &'t str {
        &source[self.span.start..self.span.end]
    }

    /// Whether it starts its line, with no indentation.
    pub fn at_column_zero(&self, source: &str) -> bool {
        self.span.start == 0 || source.as_bytes()[self.span.start - 1] == b'\n'
    }

    /// Comments are skipped by everything that reads tokens for structure.
    pub fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::Comment | Kind::ForeignComment)
    }
}

/// Splits `text` into tokens (comments included, whitespace dropped).
pub(crate) fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let rest = &text[i..];
        let kind = if b == b'#' || rest.starts_with("//") {
            i = line_end(text, i);
            Kind::Comment
        } else if rest.starts_with("/*") {
            i = rest.find("*/").map_or(text.len(), |j| start + j + 2);
            Kind::ForeignComment
        } else if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(text.len(), |j| start + j + 3);
            Kind::ForeignComment
        } else if let Some(body) = rest.strip_prefix("\"\"\"") {
            let close = body.find("\"\"\"");
            i = close.map_or(text.len(), |j| start + 3 + j + 3);
            Kind::Text {
                triple: true,
                closed: close.is_some(),
            }
        } else if b == b'"' {
            let (end, closed) = one_line_text(text, i);
            i = end;
            Kind::Text {
                triple: false,
                closed,
            }
        } else if is_word_byte(b) || (b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
            while i < bytes.len() && (is_word_byte(bytes[i]) || matches!(bytes[i], b'-' | b'.')) {
                i += 1;
            }
            Kind::Word
        } else if matches!(b, b'{' | b'}' | b',' | b'|' | b':') {
            i += 1;
            Kind::Punct(b)
        } else {
            let c = rest.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            i += c.len_utf8();
            Kind::Other(c)
        };
        out.push(Token {
            kind,
            span: Span::new(start, i),
            line_start,
        });
        // Only a line break (read above) makes the next token first on its
        // line; a text or comment over several lines does not.
        line_start = false;
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |j| from + j)
}

/// The end of a one-line text starting at `from` (its `"`), and whether it
/// is closed before the end of its line.
fn one_line_text(text: &str, from: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut i = from + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return (i + 1, true),
            b'\n' => return (i, false),
            _ => i += 1,
        }
    }
    (text.len(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str, bool)> {
        tokens(text)
            .into_iter()
            .map(|t| (t.kind, t.text(text), t.line_start))
            .collect()
    }

    #[test]
    fn splits_what_the_grammar_has() {
        let text = "queues a, b-1 # note\n  require \"x \\\" y\" | m\n\"\"\"\nz\"\"\" }";
        assert_eq!(
            kinds(text),
            vec![
                (Kind::Word, "queues", true),
                (Kind::Word, "a", false),
                (Kind::Punct(b','), ",", false),
                (Kind::Word, "b-1", false),
                (Kind::Comment, "# note", false),
                (Kind::Word, "require", true),
                (
                    Kind::Text {
                        triple: false,
                        closed: true
                    },
                    "\"x \\\" y\"",
                    false
                ),
                (Kind::Punct(b'|'), "|", false),
                (Kind::Word, "m", false),
                (
                    Kind::Text {
                        triple: true,
                        closed: true
                    },
                    "\"\"\"\nz\"\"\"",
                    true
                ),
                (Kind::Punct(b'}'), "}", false),
            ]
        );
    }

    #[test]
    fn open_texts_and_foreign_comments_end_where_they_would() {
        let text = "title \"abc\n/* a\n b */ x “y” -5";
        let got = kinds(text);
        assert_eq!(
            got[1],
            (
                Kind::Text {
                    triple: false,
                    closed: false
                },
                "\"abc",
                false
            )
        );
        assert_eq!(got[2], (Kind::ForeignComment, "/* a\n b */", true));
        assert_eq!(got[3], (Kind::Word, "x", false));
        assert_eq!(got[4], (Kind::Other('“'), "“", false));
        assert_eq!(got[7], (Kind::Word, "-5", false));
        let open = kinds("a \"\"\" never closed\n b");
        assert_eq!(
            open[1].0,
            Kind::Text {
                triple: true,
                closed: false
            }
        );
        assert_eq!(open.len(), 2);
    }
}
