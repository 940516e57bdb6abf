//! Property tests: the compiler never panics on random text or on the
//! shipped files mutated at random (truncated, quotes and braces inserted,
//! lines swapped, typos), and every diagnostic's span lies inside its file
//! on character boundaries, so `file:line:col` is always real.

use proptest::prelude::*;
use taskc::source::{SourceFile, Sources};

const SHIPPED: [(&str, &str); 6] = [
    (
        "tasks/supportdesk.task",
        include_str!("../tasks/supportdesk.task"),
    ),
    ("tasks/l1.task", include_str!("../tasks/l1.task")),
    (
        "tasks/billing_refund_easy.task",
        include_str!("../tasks/billing_refund_easy.task"),
    ),
    (
        "tasks/account_takeover_medium.task",
        include_str!("../tasks/account_takeover_medium.task"),
    ),
    (
        "tasks/api_incident_hard.task",
        include_str!("../tasks/api_incident_hard.task"),
    ),
    (
        "tasks/regulated_export_exception_hard.task",
        include_str!("../tasks/regulated_export_exception_hard.task"),
    ),
];

/// Compiles and checks every diagnostic's location; renders each one. What
/// `check` keeps (diagnostics only) must report exactly the same.
fn check_invariants(sources: &Sources) -> usize {
    let compilation = taskc::compile(sources);
    let checked =
        taskc::compile::compile_keeping(sources, Vec::new(), taskc::compile::Keep::Diagnostics);
    assert_eq!(checked.diagnostics, compilation.diagnostics);
    assert!(checked.document.is_none());
    for d in &compilation.diagnostics {
        let text = &sources.get(d.file).text;
        assert!(d.span.start <= d.span.end, "{d:?}");
        assert!(d.span.end <= text.len(), "{d:?} beyond {}", text.len());
        assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
        for rel in &d.related {
            let text = &sources.get(rel.file).text;
            assert!(rel.span.end <= text.len() && text.is_char_boundary(rel.span.start));
        }
        let rendered = taskc::report::human(sources, d);
        let (line, col) = sources.get(d.file).line_col(d.span.start);
        assert!(
            rendered.contains(&format!("{}:{line}:{col}", sources.get(d.file).name)),
            "{rendered}"
        );
    }
    compilation.diagnostics.len()
}

#[derive(Clone, Debug)]
enum Mutation {
    Truncate(usize),
    Insert(usize, char),
    SwapLines(usize, usize),
    Typo(usize),
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (
            any::<usize>(),
            prop::sample::select(vec![
                '"', '{', '}', '|', ',', '#', '\n', 'x', ':', '\\', 'é', '\u{200b}'
            ])
        )
            .prop_map(|(i, c)| Mutation::Insert(i, c)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<usize>().prop_map(Mutation::Typo),
        (any::<usize>(), 0usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
    ]
}

fn boundary(text: &str, i: usize) -> usize {
    let mut i = i % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    match *m {
        Mutation::Truncate(i) => text[..boundary(text, i)].to_owned(),
        Mutation::Insert(i, c) => {
            let i = boundary(text, i);
            format!("{}{c}{}", &text[..i], &text[i..])
        }
        Mutation::SwapLines(a, b) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.len() > 1 {
                let (a, b) = (a % lines.len(), b % lines.len());
                lines.swap(a, b);
            }
            lines.join("\n")
        }
        Mutation::Typo(i) => {
            // Double a letter of a word: `priority` becomes `prioriity`.
            let i = boundary(text, i);
            match text[i..]
                .char_indices()
                .find(|(_, c)| c.is_ascii_alphabetic())
            {
                Some((j, c)) => format!("{}{c}{}", &text[..i + j], &text[i + j..]),
                None => text.to_owned(),
            }
        }
        Mutation::Delete(i, n) => {
            let start = boundary(text, i);
            let end = boundary(text, start.saturating_add(n).min(text.len()));
            format!("{}{}", &text[..start], &text[end.max(start)..])
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,400}") {
        let sources = Sources { files: vec![SourceFile::new("random.task", text)] };
        check_invariants(&sources);
    }

    #[test]
    fn grammar_shaped_noise_never_panics(
        words in prop::collection::vec(prop::sample::select(vec![
            "task", "domain", "markers", "floor", "tree", "{", "}", "\"x\"", "\"\"\"", "|", ",", ":",
            "title", "ticket", "expect", "queue", "require", "forbid", "word", "1", "-2", "3.5",
            "follow_up", "partial", "provides", "request", "\n", "#", "billing_ops", "\\u{D800}",
        ]), 0..80)
    ) {
        let text = words.join(" ");
        let sources = Sources { files: vec![SourceFile::new("noise.task", text)] };
        check_invariants(&sources);
    }

    #[test]
    fn mutated_shipped_files_never_panic(
        file in 0usize..SHIPPED.len(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut files: Vec<SourceFile> =
            SHIPPED.iter().map(|(name, text)| SourceFile::new(*name, *text)).collect();
        let mut text = files[file].text.to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        let changed = text != *files[file].text;
        files[file] = SourceFile::new(SHIPPED[file].0, text);
        let count = check_invariants(&Sources { files });
        // A change need not be an error (a typo inside a text is fine), but
        // an unchanged file must stay clean.
        if !changed {
            prop_assert_eq!(count, 0);
        }
    }
}

#[test]
fn huge_input_is_handled() {
    let mut text = String::from("task huge {\n");
    text.push_str(&"  title \"x\"\n".repeat(200_000));
    let sources = Sources {
        files: vec![SourceFile::new("huge.task", text)],
    };
    // Every repeated title is reported, none lost.
    let compilation = taskc::compile(&sources);
    let duplicates = compilation
        .diagnostics
        .iter()
        .filter(|d| d.code == "E0002" || d.code == "E0204")
        .count();
    assert!(duplicates >= 1);
}

#[test]
fn same_input_same_diagnostics() {
    let files: Vec<SourceFile> = SHIPPED
        .iter()
        .map(|(name, text)| {
            // Typos in a task, not in the domain that declares the names.
            let text = if name.contains("billing_refund") {
                text.replace("billing_ops", "biling_ops")
                    .replace("high", "hihg")
            } else {
                text.to_string()
            };
            SourceFile::new(*name, text)
        })
        .collect();
    let sources = Sources { files };
    let a: Vec<String> = taskc::compile(&sources)
        .diagnostics
        .iter()
        .map(|d| taskc::report::human(&sources, d))
        .collect();
    let b: Vec<String> = taskc::compile(&sources)
        .diagnostics
        .iter()
        .map(|d| taskc::report::human(&sources, d))
        .collect();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

/// A generated file with one enormous line: every problem is still shown
/// (no panic: miette's renderer gives up past 65,535 columns), each with an
/// excerpt of the line around it rather than the whole line, at its true
/// `file:line:col`.
#[test]
fn problems_far_into_a_long_line_render_as_excerpts() {
    let line = format!(
        "task huge {{{} title \"x\" title \"y\" }}",
        " ".repeat(80_000)
    );
    let sources = Sources {
        files: vec![SourceFile::new("tasks/huge.task", line)],
    };
    let compilation = taskc::compile(&sources);
    assert!(!compilation.diagnostics.is_empty());
    let given_twice = compilation
        .diagnostics
        .iter()
        .find(|d| d.code == "E0204")
        .expect("the second title is reported");
    let rendered = taskc::report::human(&sources, given_twice);
    assert!(rendered.contains("tasks/huge.task:1:80023"), "{rendered}");
    assert!(rendered.contains(" 1 │ …"), "{rendered}");
    assert!(rendered.contains("title \"x\" title \"y\" }"), "{rendered}");
    for d in &compilation.diagnostics {
        let rendered = taskc::report::human(&sources, d);
        assert!(rendered.len() < 2_000, "{rendered}");
    }
}
