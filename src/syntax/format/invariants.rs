//! What `fmt` promises, on every `.task` file of the repository (shipped
//! tasks, fixtures) and on whitespace mutations of them: idempotence, the
//! same compilation, every comment kept next to the same tokens, and one
//! canonical output whatever the input's whitespace.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::{format, Style};
use crate::source::{FileId, SourceFile, Sources};
use crate::syntax::lex::{self, Kind};

/// Every `.task` file under the folders that hold them, with its text.
fn corpus() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("a folder")
            .map(|e| e.expect("an entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "task") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path, text));
                }
            }
        }
    }
    let mut out = Vec::new();
    for dir in ["tasks", "tests/fixtures"] {
        walk(Path::new(dir), &mut out);
    }
    out
}

fn parses(text: &str) -> bool {
    crate::syntax::parse(FileId(0), text.strip_prefix('\u{feff}').unwrap_or(text))
        .0
        .is_some()
}

/// What a file compiles to beside the shipped domain and floors: the
/// document, and each diagnostic's code, message, label and help (not its
/// place, which formatting moves).
fn compiled(name: &Path, text: &str) -> String {
    let mut sources = Sources::default();
    for shared in ["tasks/supportdesk.task", "tasks/l1.task"] {
        if name != Path::new(shared) && !text.starts_with("# fixture: standalone") {
            let shared_text = std::fs::read_to_string(shared).expect("shipped");
            sources.files.push(SourceFile::new(shared, shared_text));
        }
    }
    sources
        .files
        .push(SourceFile::new(name.display().to_string(), text.to_owned()));
    let compilation = crate::compile::compile(&sources);
    let diagnostics: Vec<String> = compilation
        .diagnostics
        .iter()
        .map(|d| format!("{} {} | {} | {:?}", d.code, d.message, d.label, d.help))
        .collect();
    format!(
        "{}\n{}",
        serde_json::to_string(&compilation.document).expect("serializes"),
        diagnostics.join("\n")
    )
}

/// Each comment with the number of other tokens before it and whether it
/// ends a line of code.
fn comments(text: &str) -> Vec<(usize, bool, String)> {
    let tokens = lex::tokens(text);
    let mut before = 0;
    let mut out = Vec::new();
    for t in &tokens {
        if t.kind == Kind::Comment {
            out.push((before, !t.line_start, t.text(text).trim_end().to_owned()));
        } else {
            before += 1;
        }
    }
    out
}

fn check(name: &Path, text: &str) {
    let style = Style::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let once = format(text, style);
    assert_eq!(
        format(&once, style),
        once,
        "{}: not idempotent",
        name.display()
    );
    assert!(
        parses(&once),
        "{}: the output does not parse:\n{once}",
        name.display()
    );
    assert_eq!(
        compiled(name, &once),
        compiled(name, text),
        "{}: formatting changed the meaning",
        name.display()
    );
    assert_eq!(
        comments(&once),
        comments(text),
        "{}: a comment moved",
        name.display()
    );
}

#[test]
fn every_file_keeps_its_meaning_and_comments_and_formats_once() {
    let corpus = corpus();
    let formattable: Vec<_> = corpus.iter().filter(|(_, t)| parses(t)).collect();
    assert!(formattable.len() > 80, "{}", formattable.len());
    for (path, text) in formattable {
        check(path, text);
    }
}

#[test]
fn the_shipped_tasks_are_formatted() {
    for (path, text) in corpus().iter().filter(|(p, _)| p.starts_with("tasks")) {
        assert_eq!(
            &format(text, Style::default()),
            text,
            "{}: run `taskc fmt tasks`",
            path.display()
        );
    }
}

/// The shipped files, whose whitespace the property test varies.
fn shipped() -> Vec<(PathBuf, String)> {
    corpus()
        .into_iter()
        .filter(|(p, _)| p.starts_with("tasks") || p.starts_with("tests/fixtures/valid"))
        .filter(|(_, t)| parses(t))
        .collect()
}

/// Whitespace the property test may change: the start of each line
/// outside `"""` texts, the space between two tokens of one line, the
/// end of a line, and the number of blank lines where there is one.
#[derive(Clone, Debug)]
enum Change {
    Indent(usize, String),
    Spaces(usize, usize),
    Blank(usize),
    Trailing(usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (
            any::<usize>(),
            prop::sample::select(vec!["", " ", "\t", "      ", "\t  ", "          "])
        )
            .prop_map(|(l, s)| Change::Indent(l, s.to_owned())),
        (any::<usize>(), 1usize..6).prop_map(|(t, n)| Change::Spaces(t, n)),
        any::<usize>().prop_map(Change::Blank),
        any::<usize>().prop_map(Change::Trailing),
    ]
}

/// Applies the changes; tokens and line breaks stay.
fn mutate(text: &str, changes: &[Change]) -> String {
    let tokens = lex::tokens(text);
    // Where each line starts, and whether it starts inside a `"""` text.
    let mut inside = vec![false; text.len() + 1];
    for t in &tokens {
        if matches!(t.kind, Kind::Text { triple: true, .. }) {
            for flag in &mut inside[t.span.start + 1..t.span.end] {
                *flag = true;
            }
        }
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&s| s < text.len() && !inside[s])
        .collect();
    let blank: Vec<usize> = text
        .match_indices("\n\n")
        .map(|(i, _)| i + 1)
        .filter(|&i| !inside[i])
        .collect();
    // Edits as (start, end, replacement), applied from the end.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for c in changes {
        match c {
            Change::Indent(l, s) if !starts.is_empty() => {
                let start = starts[l % starts.len()];
                let end = start + text[start..].len()
                    - text[start..].trim_start_matches([' ', '\t']).len();
                edits.push((start, end, s.clone()));
            }
            // More blank lines where there is one: at most one is kept.
            Change::Blank(l) if !blank.is_empty() => {
                let at = blank[l % blank.len()];
                edits.push((at, at, "\n".into()));
            }
            Change::Trailing(l) if !starts.is_empty() => {
                let start = starts[l % starts.len()];
                let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
                if !inside[end.min(text.len())]
                    && !tokens
                        .iter()
                        .any(|t| t.span.start < end && end < t.span.end)
                {
                    edits.push((end, end, "   ".into()));
                }
            }
            Change::Spaces(t, n) if tokens.len() > 1 => {
                let k = t % (tokens.len() - 1);
                let (a, b) = (&tokens[k], &tokens[k + 1]);
                if !b.line_start && a.kind != Kind::Comment {
                    edits.push((a.span.end, b.span.start, " ".repeat(*n)));
                }
            }
            _ => {}
        }
    }
    edits.sort_by(|x, y| y.0.cmp(&x.0).then(y.1.cmp(&x.1)));
    let mut out = text.to_owned();
    let mut last = usize::MAX;
    for (start, end, with) in edits {
        // Overlapping edits: keep the first applied.
        if end > last {
            continue;
        }
        out.replace_range(start..end, &with);
        last = start;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn whitespace_does_not_change_the_output(
        file in any::<prop::sample::Index>(),
        changes in prop::collection::vec(change(), 1..12),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let files = shipped();
        let (path, text) = &files[file.index(files.len())];
        let mut mutated = mutate(text, &changes);
        if crlf {
            mutated = mutated.replace('\n', "\r\n");
        }
        if bom {
            mutated.insert(0, '\u{feff}');
        }
        let style = Style::default();
        let expected = format(text, style);
        let got = format(&mutated, style);
        prop_assert_eq!(got.replace("\r\n", "\n"), expected.clone(), "{}", path.display());
        prop_assert_eq!(got.contains('\r'), crlf);
        check(path, &mutated.replace("\r\n", "\n"));
    }
}
