//! The code catalog's examples (docs/codes/CODE.md): every erroneous
//! example produces exactly its own code, every fix produces nothing. Task
//! examples are compiled the way a user's file is — read from disk, beside
//! the shipped domain and floors (`tasks/supportdesk.task`, `tasks/l1.task`)
//! unless marked `standalone` — and lint codes through the linter; the
//! `taskc.toml` examples through the configuration reader. Also: the code
//! tables of the README and LANGUAGE.md are the catalog's.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use taskc::catalog::{self, Example};
use taskc::source::{self, FileId};

/// `\xNN` escapes decoded to bytes (the `bytes` option, for E0001).
fn decode_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\x") && i + 4 <= bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 2..i + 4], 16) {
                out.push(b);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The file name an example is compiled as: its `file=`, else the id of its
/// first task, else `example.task`.
fn file_name(example: &Example<'_>) -> String {
    if let Some(file) = example.file {
        return file.to_owned();
    }
    let task_id = example.text.lines().find_map(|l| {
        l.strip_prefix("task ")
            .and_then(|rest| rest.split_whitespace().next())
    });
    format!("{}.task", task_id.unwrap_or("example"))
}

/// The codes an example produces in its own file.
fn codes_of(code: &str, example: &Example<'_>, dir: &Path) -> BTreeSet<String> {
    std::fs::create_dir_all(dir).expect("temp dir");
    let path = dir.join(file_name(example));
    let bytes = if example.bytes {
        decode_bytes(example.text)
    } else {
        example.text.as_bytes().to_vec()
    };
    std::fs::write(&path, bytes).expect("written");
    if example.language == "toml" {
        let (_, found) = taskc::lint::Config::parse(&path, FileId(0), example.text);
        return found.iter().map(|d| d.code.to_owned()).collect();
    }
    assert_eq!(
        example.language, "task",
        "{code}: a `task` or `toml` example"
    );
    let mut paths: Vec<PathBuf> = Vec::new();
    if !example.standalone {
        paths.extend(common::SHARED.iter().map(PathBuf::from));
    }
    let own = FileId(paths.len());
    paths.push(path);
    let (sources, read) = source::read_files(&paths).expect("readable");
    let compilation = taskc::compile::compile_with(&sources, read);
    let mut found: Vec<_> = compilation.diagnostics.clone();
    if code.starts_with('L') {
        found.extend(taskc::lint::lint(
            &sources,
            &compilation,
            &taskc::lint::Config::default(),
        ));
    }
    found
        .iter()
        .filter(|d| d.file == own)
        .map(|d| d.code.to_owned())
        .collect()
}

#[test]
fn every_example_produces_its_code_and_every_fix_nothing() {
    let root = std::env::temp_dir().join(format!("taskc-codes-{}", std::process::id()));
    let mut failures = Vec::new();
    for entry in catalog::entries() {
        for (section, expected) in [
            ("Example", BTreeSet::from([entry.code.to_owned()])),
            ("Fix", BTreeSet::new()),
        ] {
            let text = catalog::section(entry.page, section).expect("a section");
            let examples = catalog::examples(text);
            let example = examples.first().expect("one example");
            let dir = root.join(entry.code).join(section);
            let found = codes_of(entry.code, example, &dir);
            if found != expected {
                failures.push(format!(
                    "{} {section}: expected {expected:?}, got {found:?}",
                    entry.code
                ));
            }
        }
    }
    std::fs::remove_dir_all(&root).ok();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The block between `<!-- codes -->` and `<!-- /codes -->` of a doc.
fn table_in(doc: &str) -> String {
    let text = std::fs::read_to_string(doc).expect("readable doc");
    let start = text.find("<!-- codes -->\n").expect("a codes table") + "<!-- codes -->\n".len();
    let end = text.find("<!-- /codes -->").expect("the table's end");
    text[start..end].to_owned()
}

#[test]
fn the_docs_code_tables_are_the_catalogs() {
    for doc in ["README.md", "docs/LANGUAGE.md"] {
        assert_eq!(
            table_in(doc),
            catalog::markdown_table(),
            "{doc}: paste the output of `taskc rules --format markdown` between the markers"
        );
    }
}
