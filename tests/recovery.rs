//! Syntax error recovery, as a property: in a file made of the shipped
//! files, each mutated (or not) at random in a way that keeps its braces
//! and texts balanced, every syntax error reported lies in a mutated part,
//! every mutated part that does not parse on its own gets at least one
//! error, and errors come in source order with no location twice. Recovery
//! never invents an error and never misses a broken part.

use proptest::prelude::*;
use taskc::source::FileId;

const SHIPPED: [&str; 6] = [
    include_str!("../tasks/supportdesk.task"),
    include_str!("../tasks/l1.task"),
    include_str!("../tasks/billing_refund_easy.task"),
    include_str!("../tasks/account_takeover_medium.task"),
    include_str!("../tasks/api_incident_hard.task"),
    include_str!("../tasks/regulated_export_exception_hard.task"),
];

/// What is done to one line: its first word replaced, deleted, misspelt,
/// left alone with the rest of the line dropped, or followed by junk.
#[derive(Clone, Debug)]
enum Mutation {
    Replace(&'static str),
    Delete,
    Typo,
    KeepFirstWord,
    InsertAfterFirstWord(&'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let words = vec![
        "titel",
        "qeue",
        "requir",
        "wrod",
        "priority",
        "x",
        "“x”",
        "/* x */",
        ";",
        "\"quoted\"",
        "12",
        "task",
        "unles",
    ];
    let junk = vec![
        ",", "|", ";", "/", "x", "\"t\"", "“t”", "or", "12", "require", "/* c */", "--",
    ];
    prop_oneof![
        prop::sample::select(words).prop_map(Mutation::Replace),
        Just(Mutation::Delete),
        Just(Mutation::Typo),
        Just(Mutation::KeepFirstWord),
        prop::sample::select(junk).prop_map(Mutation::InsertAfterFirstWord),
    ]
}

/// The lines a mutation may touch: outside multi-line texts, with no brace
/// and no `"""` (so every block and text stays closed), and not blank or a
/// comment.
fn mutable_lines(text: &str) -> Vec<usize> {
    let mut inside = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let triples = line.matches("\"\"\"").count();
        let trimmed = line.trim_start();
        if !inside
            && triples == 0
            && !line.contains(['{', '}'])
            && !trimmed.is_empty()
            && !trimmed.starts_with(['#', '/'])
        {
            out.push(i);
        }
        if triples % 2 == 1 {
            inside = !inside;
        }
    }
    out
}

fn mutate_line(line: &str, m: &Mutation) -> String {
    let indent = &line[..line.len() - line.trim_start().len()];
    let rest = line.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (first, after) = rest.split_at(end);
    match m {
        Mutation::Replace(w) => format!("{indent}{w}{after}"),
        Mutation::Delete => format!("{indent}{after}"),
        Mutation::Typo => match first.chars().next() {
            Some(c) => format!("{indent}{c}{first}{after}"),
            None => line.to_owned(),
        },
        Mutation::KeepFirstWord => format!("{indent}{first}"),
        Mutation::InsertAfterFirstWord(j) => format!("{indent}{first} {j}{after}"),
    }
}

fn apply(text: &str, line_choice: usize, m: &Mutation) -> String {
    let lines = mutable_lines(text);
    let target = lines[line_choice % lines.len()];
    let mut out: Vec<String> = text.lines().map(str::to_owned).collect();
    out[target] = mutate_line(&out[target], m);
    out.join("\n") + "\n"
}

fn syntax_errors(text: &str) -> Vec<taskc::Diagnostic> {
    let (_, diagnostics) = taskc::syntax::parse(FileId(0), text);
    diagnostics
        .into_iter()
        .filter(|d| d.code == "E0002")
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn recovery_reports_each_broken_part_and_nothing_else(
        mutations in prop::collection::vec(
            (0usize..SHIPPED.len(), any::<usize>(), mutation()),
            0..4,
        )
    ) {
        // The parts, mutated; and where each sits in the whole file.
        let mut parts: Vec<String> = SHIPPED.iter().map(|s| s.to_string()).collect();
        let mut mutated = vec![false; parts.len()];
        for (part, line, m) in &mutations {
            if mutated[*part] {
                continue;
            }
            parts[*part] = apply(&parts[*part], *line, m);
            mutated[*part] = true;
        }
        let mut whole = String::new();
        let mut spans = Vec::new();
        for part in &parts {
            let start = whole.len();
            whole.push_str(part);
            spans.push(start..whole.len());
            whole.push('\n');
        }

        let errors = syntax_errors(&whole);
        // Nothing invented: every error is in a mutated part.
        for d in &errors {
            let part = spans.iter().position(|s| s.contains(&d.span.start) || s.end == d.span.start);
            prop_assert!(
                part.is_some_and(|p| mutated[p]),
                "an error outside every mutated part: {} at {:?}\n{}",
                d.message, d.span, &whole[d.span.start.saturating_sub(80)..(d.span.end + 80).min(whole.len())]
            );
        }
        // Nothing missed: a part that fails alone has an error of its own.
        for (i, part) in parts.iter().enumerate() {
            if mutated[i] && !syntax_errors(part).is_empty() {
                prop_assert!(
                    errors.iter().any(|d| spans[i].contains(&d.span.start)),
                    "part {i} is broken but has no error:\n{part}"
                );
            }
        }
        // In source order, none twice.
        for pair in errors.windows(2) {
            prop_assert!(pair[0].span.start < pair[1].span.start, "{:?}", errors);
        }
    }
}

/// Valid files never go through recovery: no error, whatever their layout.
#[test]
fn valid_files_report_nothing() {
    for text in SHIPPED {
        assert!(syntax_errors(text).is_empty());
    }
}
