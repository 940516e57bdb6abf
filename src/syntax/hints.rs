//! Hints for the syntax errors authors actually make: habits from other
//! languages (typographic quotes, `/* */` comments, `;`), list punctuation
//! (a trailing or missing `,`, `|` and `,` swapped), a quoted name, an empty
//! `require`, and a block left open. Each reads the tokens around where pest
//! stopped and returns the help line (and where to point) when it knows
//! what happened; [`super::errors`] falls back to did-you-mean otherwise.

use super::errors::{is_keyword, starts_statement, Expected};
use super::lex::{Kind, Token};
use crate::source::Span;
use crate::suggest;

/// What a hint adds to a syntax error.
pub(crate) struct Hint {
    pub help: String,
    /// Where the error should point instead of the token pest stopped at.
    pub span: Option<Span>,
    /// The message and label there, when the hint knows better than
    /// "expected ..., found ...".
    pub message: Option<(String, String)>,
    /// Secondary labels.
    pub related: Vec<(Span, String)>,
}

impl Hint {
    fn help(help: impl Into<String>) -> Self {
        Hint {
            help: help.into(),
            span: None,
            message: None,
            related: Vec::new(),
        }
    }

    fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    fn says(mut self, span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.message = Some((message.into(), label.into()));
        self
    }

    fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
}

/// The tokens around the error: `found` starts where pest stopped (none at
/// the end of the file), `before` is the last one ending before it
/// (comments skipped).
struct Around<'a> {
    text: &'a str,
    tokens: &'a [Token],
    found: Option<usize>,
    before: Option<usize>,
}

impl Around<'_> {
    fn token(&self, i: Option<usize>) -> Option<&Token> {
        i.map(|i| &self.tokens[i])
    }

    fn word(&self, i: Option<usize>) -> Option<&str> {
        let t = self.token(i)?;
        (t.kind == Kind::Word).then(|| t.text(self.text))
    }

    /// The non-comment token before token `i`.
    fn previous(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|&j| !self.tokens[j].is_comment())
    }

    fn line(&self, offset: usize) -> usize {
        self.text[..offset].matches('\n').count() + 1
    }
}

pub(crate) fn hint(text: &str, tokens: &[Token], pos: usize, expected: &Expected) -> Option<Hint> {
    let k = tokens.partition_point(|t| t.span.end <= pos);
    let found = (k < tokens.len() && tokens[k].span.start == pos).then_some(k);
    let cx = Around {
        text,
        tokens,
        found,
        before: (0..k).rev().find(|&j| !tokens[j].is_comment()),
    };
    [
        unclosed_block,
        typographic_quotes,
        swapped_separator,
        foreign_comment,
        empty_section,
        trailing_comma,
        missing_comma,
        missing_bar,
        floor_group_colon,
        quoted_name,
        misspelt_match_mode,
    ]
    .iter()
    .find_map(|h| h(&cx, expected))
}

/// A block left open. Either the file ends where a `}` was expected, or a
/// statement of the enclosing block (or a new declaration) comes where the
/// open block's fields were expected ([`missing_brace`]). Points at the
/// `{` that lacks its `}`.
fn unclosed_block(cx: &Around<'_>, expected: &Expected) -> Option<Hint> {
    let closing = expected.has("`}`");
    let (open, help) = match cx.found {
        None if closing => {
            let open = unclosed_opener(cx, cx.text.len())?;
            let (head, line) = (block_head(cx, open), cx.line(cx.tokens[open].span.start));
            (
                open,
                format!("`{head} {{` on line {line} is not closed: add its `}}`"),
            )
        }
        None => return None,
        Some(k) => {
            let missing = missing_brace(cx.text, cx.tokens, k, closing)?;
            let open = missing.open;
            let (head, line) = (block_head(cx, open), cx.line(cx.tokens[open].span.start));
            let help = match missing.belongs_to {
                None => format!(
                    "`{head} {{` on line {line} is not closed before this declaration: add its `}}`"
                ),
                Some(parent) => format!(
                    "`{head} {{` on line {line} is not closed: `{}` belongs to {}; add the `}}` before it",
                    missing.keyword,
                    home(parent)
                ),
            };
            (open, help)
        }
    };
    Some(Hint::help(help).related(cx.tokens[open].span, "this `{` is never closed"))
}

/// A `}` missing before token `k`, found by what comes there.
pub(crate) struct MissingBrace {
    /// The `{` to close.
    pub open: usize,
    /// Where a `}` would go: the start of the line that needs it (for
    /// recovery, which inserts it and carries on).
    pub insert_at: usize,
    /// The keyword that shows the block ended.
    pub keyword: String,
    /// The block that keyword belongs to (`None`: it starts a declaration).
    pub belongs_to: Option<&'static str>,
}

/// Whether token `k`, where pest stopped, shows that the innermost open
/// block lacks its `}`: it is a declaration at column 0, a field keyword
/// of the enclosing block that the open block does not have (`request`
/// inside `expect`), or the `{` of a block of the enclosing block (`reply {`
/// inside `expect`, where `reply` takes a text), at the open block's
/// indentation. A keyword counts only where a `}` could have come
/// (`closing`).
pub(crate) fn missing_brace(
    text: &str,
    tokens: &[Token],
    k: usize,
    closing: bool,
) -> Option<MissingBrace> {
    let t = tokens.get(k)?;
    let open = open_blocks(tokens, k);
    let &innermost = open.last()?;
    let (word_at, declaration) = if t.kind == Kind::Word && t.line_start && closing {
        (k, t.at_column_zero(text) && is_declaration(t.text(text)))
    } else if t.is(b'{') {
        let p = (0..k).rev().find(|&j| !tokens[j].is_comment())?;
        (p, false)
    } else {
        return None;
    };
    let word = tokens[word_at].text(text);
    let insert_at = text[..tokens[word_at].span.start]
        .rfind('\n')
        .map_or(0, |p| p + 1);
    if declaration {
        // The block that seems not closed, by indentation.
        let cx = Around {
            text,
            tokens,
            found: Some(k),
            before: None,
        };
        return Some(MissingBrace {
            open: unclosed_opener(&cx, t.span.start).unwrap_or(innermost),
            insert_at,
            keyword: word.to_owned(),
            belongs_to: None,
        });
    }
    // The keyword must sit where the enclosing block's fields do: at the
    // open block's own indentation or less (an indented `task` inside a
    // tree is a misplaced word, not a missing `}`).
    if !tokens[word_at].line_start
        || indentation(text, tokens[word_at].span.start)
            > indentation(text, tokens[innermost].span.start)
    {
        return None;
    }
    let current = fields_of(head_keyword(text, tokens, innermost)?);
    let parent_head = match open.len() {
        0 | 1 => "file",
        n => head_keyword(text, tokens, open[n - 2])?,
    };
    let parent = fields_of(parent_head);
    let belongs = parent.contains(&word)
        && if t.is(b'{') {
            BLOCKS.iter().any(|(b, _)| *b == word)
        } else {
            !current.contains(&word)
        };
    belongs.then(|| MissingBrace {
        open: innermost,
        insert_at,
        keyword: word.to_owned(),
        belongs_to: BLOCKS
            .iter()
            .find(|(b, _)| *b == parent_head)
            .map(|(b, _)| *b),
    })
}

/// The `{` still open before token `k`, outermost first.
fn open_blocks(tokens: &[Token], k: usize) -> Vec<usize> {
    let mut open = Vec::new();
    for (i, t) in tokens[..k].iter().enumerate() {
        if t.is(b'{') {
            open.push(i);
        } else if t.is(b'}') {
            open.pop();
        }
    }
    open
}

/// The keyword that opened the block of the `{` at token `i`: the first
/// word of the line it is on (`task`, `ticket`, `follow_up`...).
fn head_keyword<'t>(text: &'t str, tokens: &[Token], i: usize) -> Option<&'t str> {
    let first = (0..=i).rev().find(|&j| tokens[j].line_start)?;
    (tokens[first].kind == Kind::Word).then(|| tokens[first].text(text))
}

/// The keywords that start a field of each kind of block, by the keyword
/// that opens it (`file`: the top level). Tested against the grammar.
const BLOCKS: &[(&str, &[&str])] = &[
    (
        "file",
        &["domain", "extend", "floor", "markers", "task", "tree"],
    ),
    (
        "domain",
        &[
            "fields",
            "grading",
            "issue_types",
            "priorities",
            "queues",
            "resolution_codes",
            "risk_flags",
            "scoring",
            "statuses",
            "tiers",
        ],
    ),
    (
        "extend",
        &[
            "fields",
            "issue_types",
            "negation_pseudo",
            "negation_triggers",
            "negation_verbs",
            "queues",
            "resolution_codes",
            "risk_flags",
            "statuses",
            "tiers",
            "verbs",
        ],
    ),
    (
        "task",
        &[
            "difficulty",
            "examples",
            "expect",
            "follow_up",
            "grading",
            "kb",
            "max_steps",
            "note",
            "objective",
            "over_escalation",
            "reply",
            "request",
            "risk",
            "sla_step_cost",
            "ticket",
            "title",
            "under_escalation_deadline",
        ],
    ),
    (
        "ticket",
        &[
            "affected_users",
            "attachment",
            "body",
            "company",
            "concern",
            "customer",
            "impact",
            "region",
            "sla_minutes",
            "subject",
            "tier",
        ],
    ),
    (
        "expect",
        &[
            "issue_type",
            "note",
            "priority",
            "queue",
            "reply",
            "resolution",
            "status",
        ],
    ),
    ("follow_up", &["message", "provides", "sends"]),
    ("reply", &["forbid", "require"]),
    ("note", &["require"]),
    ("examples", &["episode", "note", "reply"]),
    (
        "grading",
        &[
            "gaming_threshold",
            "gate",
            "languages",
            "marker_density",
            "negation_conditionals",
            "negation_post",
            "negation_pseudo",
            "negation_stops",
            "negation_triggers",
            "negation_verbs",
            "negation_window",
            "note_marker_density",
            "off_topic",
            "reward",
            "text_budget",
            "verbs",
        ],
    ),
    (
        "tree",
        &[
            "attempts",
            "depth_cap_text",
            "escalation",
            "failure_text",
            "floors",
            "max_depth",
            "node_types",
            "role",
            "scope",
            "shape",
        ],
    ),
    // Their entries are names, not keywords (a floor's reasons; its
    // `verbs` classes).
    ("scoring", &[]),
    ("floor", &["verbs"]),
    ("markers", &[]),
];

pub(crate) fn fields_of(block: &str) -> &'static [&'static str] {
    BLOCKS
        .iter()
        .find(|(b, _)| *b == block)
        .map_or(&[], |(_, fields)| fields)
}

/// How a block is written, to say where a keyword goes.
pub(crate) fn home(block: &str) -> String {
    match block {
        "file" => "the top level of a file".to_owned(),
        "task" => "`task ID { ... }`".to_owned(),
        "domain" | "tree" | "markers" | "floor" => format!("`{block} NAME {{ ... }}`"),
        "extend" => "`extend domain NAME { ... }`".to_owned(),
        "follow_up" => "`follow_up OUTCOME { ... }`".to_owned(),
        _ => format!("`{block} {{ ... }}`"),
    }
}

/// The blocks a keyword is a field of.
pub(crate) fn homes(keyword: &str) -> Vec<&'static str> {
    BLOCKS
        .iter()
        .filter(|(_, fields)| fields.contains(&keyword))
        .map(|(b, _)| *b)
        .collect()
}

/// Every field keyword of every block.
pub(crate) fn field_keywords() -> impl Iterator<Item = &'static str> {
    BLOCKS.iter().flat_map(|(_, fields)| fields.iter().copied())
}

/// The `{` that most likely lacks its `}` before `upto`: the first whose
/// `}` sits at another indentation than its own line (a `}` meant for an
/// outer block closed it), else the innermost one left open.
fn unclosed_opener(cx: &Around<'_>, upto: usize) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut misclosed: Option<usize> = None;
    for (i, t) in cx.tokens.iter().enumerate() {
        if t.span.start >= upto {
            break;
        }
        if t.is(b'{') {
            open.push(i);
        } else if t.is(b'}') {
            if let Some(o) = open.pop() {
                let opener = &cx.tokens[o];
                if misclosed.is_none()
                    && t.line_start
                    && indentation(cx.text, t.span.start) != indentation(cx.text, opener.span.start)
                {
                    misclosed = Some(o);
                }
            }
        }
    }
    misclosed.or_else(|| open.last().copied())
}

/// The first word on the line of token `i` (`ticket`, `task billing`...).
fn block_head(cx: &Around<'_>, i: usize) -> String {
    let brace = cx.tokens[i].span.start;
    let line_start = cx.text[..brace].rfind('\n').map_or(0, |p| p + 1);
    let head = cx.text[line_start..brace].trim();
    if head.is_empty() {
        "this block".to_owned()
    } else {
        head.to_owned()
    }
}

fn indentation(text: &str, offset: usize) -> usize {
    let line_start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    text[line_start..]
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count()
}

/// The keywords that start a top-level declaration.
pub(crate) fn is_declaration(word: &str) -> bool {
    fields_of("file").contains(&word)
}

/// `“Charged twice”`: a text in typographic quotes.
fn typographic_quotes(cx: &Around<'_>, _: &Expected) -> Option<Hint> {
    const OPENING: &[char] = &['“', '”', '„', '‟', '«', '»', '‘', '’', '‚', '＂'];
    let t = cx.token(cx.found)?;
    let Kind::Other(c) = t.kind else { return None };
    if !OPENING.contains(&c) {
        return None;
    }
    let rest = &cx.text[t.span.end..];
    let line = rest.split('\n').next().unwrap_or("");
    let close = line.find(|c: char| OPENING.contains(&c));
    let (span, help) = match close {
        Some(end) => {
            let inner = &line[..end];
            let closing = line[end..].chars().next().map_or(0, char::len_utf8);
            (
                Span::new(t.span.start, t.span.end + end + closing),
                format!("use straight double quotes: `\"{inner}\"`"),
            )
        }
        None => (
            t.span,
            "use straight double quotes `\"` around a text".to_owned(),
        ),
    };
    Some(
        Hint::help(format!(
            "{help} (`{c}` is a typographic quote, which does not delimit a text)"
        ))
        .at(span),
    )
}

/// `/* ... */`, `<!-- -->`, `;` or `--` where a comment or nothing belongs.
fn foreign_comment(cx: &Around<'_>, _: &Expected) -> Option<Hint> {
    let t = cx.token(cx.found)?;
    let text = t.text(cx.text);
    let what = match t.kind {
        Kind::ForeignComment if text.starts_with("/*") => "`/* ... */` is not a comment here",
        Kind::ForeignComment => "`<!-- ... -->` is not a comment here",
        Kind::Other(';') => {
            "`;` neither ends a field nor starts a comment: a field ends with its value"
        }
        Kind::Other('-') if cx.text[t.span.start..].starts_with("--") => {
            "`--` does not start a comment here"
        }
        Kind::Other('/') => "a single `/` does not start a comment",
        _ => return None,
    };
    Some(Hint::help(format!(
        "{what}; comments start with `#` or `//` and run to the end of the line"
    )))
}

/// A field with nothing after it. Either pest meets the next statement
/// (`require` then `}`), or it reads the next line's keyword as the missing
/// value (`difficulty` then `max_steps 6`: `max_steps` is taken as the
/// difficulty, and pest stops at `6`).
fn empty_section(cx: &Around<'_>, _: &Expected) -> Option<Hint> {
    let before = cx.before?;
    let alone = |i: usize| -> Option<&str> {
        let w = cx.word(Some(i))?;
        (cx.tokens[i].line_start && is_keyword(w) && starts_statement(w)).then_some(w)
    };
    let found = cx.token(cx.found);
    let next_starts = found.is_some_and(|t| {
        t.is(b'}') || (t.line_start && t.kind == Kind::Word && is_keyword(t.text(cx.text)))
    });
    let (keyword_at, swallowed) = match alone(before) {
        Some("require" | "forbid") if next_starts => (before, None),
        Some(name) => {
            let kw_at = cx.previous(before)?;
            alone(kw_at)?;
            (kw_at, Some(name))
        }
        None => return None,
    };
    let keyword = cx.word(Some(keyword_at))?;
    let span = cx.tokens[keyword_at].span;
    let section = matches!(keyword, "require" | "forbid");
    let help = match keyword {
        "require" => "give `require` at least one marker, e.g. `require \"refund\" | \"refunded\"`, or remove the line",
        "forbid" => "give `forbid` at least one marker, e.g. `forbid \"chargeback\", \"legal action\"`, or remove the line",
        _ => "write the value on the same line as its keyword",
    };
    let (message, label) = if section {
        (format!("`{keyword}` lists no marker"), "no marker after it")
    } else {
        (format!("`{keyword}` has no value"), "no value after it")
    };
    let mut hint = Hint::help(help).says(span, message, label);
    if let Some(name) = swallowed {
        let what = if section {
            "the name of a marker set"
        } else {
            "its value"
        };
        hint = hint.related(
            cx.tokens[before].span,
            format!("`{name}` was read as {what}"),
        );
    }
    Some(hint)
}

/// `require "a", "b"` or `forbid "a" | "b"`, or a separator from
/// elsewhere (`/`, `or`, `;`) between the alternatives of `require`.
fn swapped_separator(cx: &Around<'_>, expected: &Expected) -> Option<Hint> {
    let t = cx.token(cx.found)?;
    let section = statement_keyword(cx, cx.found?)?;
    let text = t.text(cx.text);
    let foreign = matches!(t.kind, Kind::Other('/' | ';' | '&')) || text == "or" || text == "OR";
    if section == "require" && expected.has("`|`") && (t.is(b',') || foreign) {
        let mut help = format!(
            "`require` separates its alternatives with `|`, not `{text}` (any one meets the group)"
        );
        if t.is(b',') {
            help.push_str(
                "; to require several things, write one `require` line each \
                 (`,` separates the markers of `forbid`)",
            );
        }
        return Some(Hint::help(help));
    }
    if section == "forbid" && (t.is(b'|') || matches!(t.kind, Kind::Other('/' | ';'))) {
        return Some(Hint::help(format!(
            "`forbid` separates its markers with `,`, not `{text}` (each one is forbidden); \
             `|` separates the alternatives of `require`"
        )));
    }
    None
}

/// The keyword that starts the statement holding token `i`: the first
/// token of the nearest line, at or before `i`, that starts with a keyword.
fn statement_keyword<'t>(cx: &Around<'t>, i: usize) -> Option<&'t str> {
    (0..=i).rev().find_map(|j| {
        let t = &cx.tokens[j];
        if t.is(b'{') || t.is(b'}') {
            return Some(None);
        }
        let w = t.text(cx.text);
        (t.line_start && t.kind == Kind::Word && is_keyword(w) && starts_statement(w))
            .then_some(Some(w))
    })?
}

/// A `,` at the end of a line with nothing to continue: either pest stops
/// at what follows, or the next line's keyword was read as a list item.
fn trailing_comma(cx: &Around<'_>, expected: &Expected) -> Option<Hint> {
    let found = cx.found;
    // `sla_step_cost 10,` or `queues a, b,` then `}`: the `,` itself is found.
    if let Some(t) = cx.token(found).filter(|t| t.is(b',')) {
        if expected.has("`,`") {
            return None;
        }
        let next = cx.tokens[found? + 1..].iter().find(|t| !t.is_comment());
        return Some(if next.is_none_or(|n| n.line_start || n.is(b'}')) {
            Hint::help(
                "remove this `,`: a field ends with its value, and a list with its last item",
            )
            .at(t.span)
        } else {
            Hint::help("this field takes one value; `,` separates the items of a list").at(t.span)
        });
    }
    // `queues a, b,` then `priorities low`: `priorities` became an item and
    // pest stops at `low`.
    let before = cx.before?;
    let item = &cx.tokens[before];
    let word = cx.word(Some(before))?;
    if !item.line_start || !is_keyword(word) || !starts_statement(word) {
        return None;
    }
    let comma = cx.previous(before)?;
    if !cx.tokens[comma].is(b',') {
        return None;
    }
    Some(
        Hint::help(format!(
            "remove the `,` at the end of line {}: it continues the list, so `{word}` was read as one of its items",
            cx.line(cx.tokens[comma].span.start)
        ))
        .related(cx.tokens[comma].span, "a trailing `,`"),
    )
}

/// `queues a b`: two items with no `,` between them.
fn missing_comma(cx: &Around<'_>, expected: &Expected) -> Option<Hint> {
    if !expected.has("`,`") {
        return None;
    }
    let t = cx.token(cx.found)?;
    let before = cx.token(cx.before)?;
    if !matches!(t.kind, Kind::Word | Kind::Text { .. }) {
        return None;
    }
    if before.kind != t.kind || is_keyword(t.text(cx.text)) {
        return None;
    }
    Some(Hint::help(format!(
        "separate the items of a list with `,`: `{}, {}`",
        before.text(cx.text),
        t.text(cx.text)
    )))
}

/// `require "a" "b"`: two alternatives with no `|` between them.
fn missing_bar(cx: &Around<'_>, expected: &Expected) -> Option<Hint> {
    if !expected.has("`|`") {
        return None;
    }
    let found = cx.found?;
    let t = cx.token(Some(found))?;
    let before = cx.token(cx.before)?;
    let text = |t: &Token| matches!(t.kind, Kind::Text { closed: true, .. });
    if !text(before) || statement_keyword(cx, found)? != "require" {
        return None;
    }
    // The alternative that follows: a text, or a match mode and its text.
    let next = if text(t) {
        t.text(cx.text).to_owned()
    } else {
        let mode = t.text(cx.text);
        let quoted = cx.tokens.get(found + 1).filter(|n| text(n))?;
        if !matches!(mode, "word" | "substring") {
            return None;
        }
        format!("{mode} {}", quoted.text(cx.text))
    };
    Some(Hint::help(format!(
        "separate the alternatives of `require` with `|`: `{} | {next}` (any one meets the \
         group); to require both, write one `require` line each",
        before.text(cx.text),
    )))
}

/// `queue "billing_ops"`: a name in quotes.
fn quoted_name(cx: &Around<'_>, expected: &Expected) -> Option<Hint> {
    if !expected.has("a name") {
        return None;
    }
    let t = cx.token(cx.found)?;
    if !matches!(
        t.kind,
        Kind::Text {
            triple: false,
            closed: true
        }
    ) {
        return None;
    }
    let inner = t.text(cx.text).trim_matches('"');
    let bare = !inner.is_empty()
        && inner.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    Some(
        Hint::help(if bare {
            format!("a name is written without quotes: `{inner}`")
        } else {
            "a name is written without quotes, and holds only letters, digits and `_`".to_owned()
        })
        .at(t.span),
    )
}

/// `registry "regedit"` in a floor: a text right after a group's reason is
/// its description (what the model is told), and the colon must follow.
fn floor_group_colon(cx: &Around<'_>, expected: &Expected) -> Option<Hint> {
    if !expected.has("`:`") {
        return None;
    }
    let t = cx.token(cx.found)?;
    if !matches!(t.kind, Kind::Text { .. }) {
        return None;
    }
    let reason = cx.word(cx.before)?;
    let text = t.text(cx.text);
    Some(
        Hint::help(format!(
            "write `{reason}: {text}`; a text before the colon is the group's description, what the model is told it must never do: `{reason} \"edit the registry\": {text}`"
        ))
        .says(
            t.span,
            format!("a `:` must come between the floor group `{reason}` and its phrases"),
            "a phrase with no `:` before it",
        ),
    )
}

/// `wrod "refund"`: a misspelt match mode is read as a marker-set name, and
/// pest stops at the text after it.
fn misspelt_match_mode(cx: &Around<'_>, _: &Expected) -> Option<Hint> {
    let t = cx.token(cx.found)?;
    if !matches!(t.kind, Kind::Text { .. }) {
        return None;
    }
    let word = cx.word(cx.before)?;
    let mode = suggest::closest(word, ["word", "substring"])?;
    Some(
        Hint::help(format!(
            "did you mean `{mode}`? A match mode comes right before its marker: `{mode} {}`",
            t.text(cx.text)
        ))
        .related(
            cx.tokens[cx.before?].span,
            "read as the name of a marker set",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::BLOCKS;

    /// The rules of the grammar, by name: `name = { body }`.
    fn rules(grammar: &str) -> std::collections::BTreeMap<&str, &str> {
        grammar
            .lines()
            .filter_map(|l| l.split_once(" = "))
            .filter(|(name, _)| !name.starts_with(['/', ' ']))
            .collect()
    }

    /// The keywords that can start `rule`: its first `k_` token, through
    /// silent choices.
    fn first_keywords<'g>(
        rules: &std::collections::BTreeMap<&str, &'g str>,
        rule: &str,
        out: &mut Vec<&'g str>,
    ) {
        let body = rules
            .get(rule)
            .unwrap_or_else(|| panic!("no rule `{rule}`"));
        let inner = body[body.find('{').unwrap() + 1..].trim_start();
        // The first element: a rule, or a parenthesized choice.
        let first = match inner.strip_prefix('(') {
            Some(group) => &group[..group.find(')').unwrap()],
            None if inner.contains(" ~ ") => inner.split(" ~ ").next().unwrap(),
            None => inner.trim_end().trim_end_matches('}'),
        };
        for alt in first.split('|').map(str::trim) {
            match alt.strip_prefix("k_") {
                Some(k) => {
                    let literal = rules[format!("k_{k}").as_str()];
                    out.push(literal.split('"').nth(1).unwrap());
                }
                None => first_keywords(rules, alt, out),
            }
        }
    }

    /// Each block's field keywords are the grammar's: for the block opened
    /// by `k_X`, the first keywords of what its braces may repeat.
    #[test]
    fn blocks_are_the_grammars() {
        let grammar = include_str!("../../grammar/task.pest");
        // Multi-line rules (`task_field`) are joined first.
        let joined = grammar
            .replace("\n  |", " |")
            .replace("{\n    ", "{ ")
            .replace("\n}", " }");
        let rules = rules(&joined);
        for (block, fields) in BLOCKS {
            let mut expected: Vec<&str> = Vec::new();
            if *block == "file" {
                first_keywords(&rules, "item", &mut expected);
            } else {
                // Every rule that opens this block's braces with its keyword.
                for (_, body) in rules.iter() {
                    let Some(rest) = body.strip_prefix(&format!("{{ k_{block} ~ ")) else {
                        continue;
                    };
                    let Some(open) = rest.find("\"{\" ~ ") else {
                        continue;
                    };
                    let inside = &rest[open + 6..rest.rfind("\"}\"").unwrap()];
                    for part in inside.split(['(', ')', '|', '*', '?', ' ', '~']) {
                        if rules.contains_key(part)
                            && part != "ident"
                            && part != "weight"
                            && part != "floor_group"
                            && part != "marker_group"
                        {
                            first_keywords(&rules, part, &mut expected);
                        }
                    }
                }
            }
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(&expected, fields, "{block}");
        }
    }
}
