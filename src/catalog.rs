//! The code catalog: one Markdown page per diagnostic code, compiler errors
//! (`E…`) and lint rules (`L…`) alike, in `docs/codes/CODE.md`. A page has
//! a title (`# CODE: summary`) and four sections: `## What it means`,
//! `## Why`, `## Example` (an erroneous example) and `## Fix`. Examples are
//! fenced blocks (`task`, or `toml` for `taskc.toml`) that `tests/codes.rs`
//! compiles: the erroneous one must produce exactly its code, the fixed one
//! nothing.
//!
//! Pages are compiled into the binary (see [`crate::diagnostic::Code`] and
//! the lint registry's `rule!`); this module reads them for `taskc rules`,
//! `taskc explain`, SARIF rule metadata and the code tables of the docs.

use crate::diagnostic::Code;
use crate::lint::registry::{Level, RULES};

/// The sections of every page, in order.
pub const SECTIONS: [&str; 4] = ["What it means", "Why", "Example", "Fix"];

/// One code of the catalog.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub code: &'static str,
    /// The kebab-case name of a lint rule (accepted wherever its code is).
    pub name: Option<&'static str>,
    /// How it is reported by default: `error`, `warning` or `allow`.
    pub level: &'static str,
    pub page: &'static str,
}

impl Entry {
    /// One line saying what the code means: the page's title.
    pub fn summary(&self) -> &'static str {
        title(self.page)
    }
}

/// Every code: compiler errors, then lint rules, each sorted by code.
pub fn entries() -> Vec<Entry> {
    let errors = Code::ALL.iter().map(|c| Entry {
        code: c.as_str(),
        name: None,
        level: "error",
        page: c.page(),
    });
    let rules = RULES.iter().map(|r| Entry {
        code: r.code,
        name: Some(r.name),
        level: match r.default_level {
            Level::Allow => "allow",
            Level::Warn => "warning",
            Level::Deny => "error",
        },
        page: r.page,
    });
    errors.chain(rules).collect()
}

/// An entry by code (any case) or lint rule name.
pub fn find(key: &str) -> Option<Entry> {
    entries()
        .into_iter()
        .find(|e| e.code.eq_ignore_ascii_case(key) || e.name == Some(key))
}

/// The summary in a page's title line (`# E0101: a name is not declared`).
pub fn title(page: &str) -> &str {
    let first = page.lines().next().unwrap_or_default();
    first.split_once(": ").map_or(first, |(_, t)| t.trim())
}

/// The text of section `name` (between its `## ` heading and the next).
pub fn section<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let heading = format!("\n## {name}\n");
    let start = page.find(&heading)? + heading.len();
    let end = page[start..]
        .find("\n## ")
        .map_or(page.len(), |i| start + i);
    Some(page[start..end].trim())
}

/// A fenced example of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example<'a> {
    /// The fence's language: `task` or `toml`.
    pub language: &'a str,
    /// The file name it is compiled as (`file=NAME`), if the page sets one.
    pub file: Option<&'a str>,
    /// `standalone`: compiled alone, not beside the shipped domain and floors.
    pub standalone: bool,
    /// `bytes`: `\xNN` in the text stands for that byte (for E0001).
    pub bytes: bool,
    pub text: &'a str,
}

/// The fenced blocks of a section, in order.
pub fn examples(section: &str) -> Vec<Example<'_>> {
    let mut out = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let Some(line_end) = after.find('\n') else {
            break;
        };
        let mut info = after[..line_end].split_whitespace();
        let language = info.next().unwrap_or_default();
        let (mut file, mut standalone, mut bytes) = (None, false, false);
        for option in info {
            match option {
                "standalone" => standalone = true,
                "bytes" => bytes = true,
                _ => file = option.strip_prefix("file=").or(file),
            }
        }
        let body = &after[line_end + 1..];
        let Some(close) = body.find("\n```") else {
            break;
        };
        out.push(Example {
            language,
            file,
            standalone,
            bytes,
            text: &body[..close + 1],
        });
        rest = &body[close + 4..];
    }
    out
}

/// What `taskc explain CODE` prints: the code, its summary (and for a lint
/// rule its name and default level), then the page's sections.
pub fn explain(entry: &Entry) -> String {
    let head = match entry.name {
        Some(name) => format!(
            "{} ({name}, {} by default): {}",
            entry.code,
            entry.level,
            entry.summary()
        ),
        None => format!("{}: {}", entry.code, entry.summary()),
    };
    let body = entry
        .page
        .split_once('\n')
        .map_or("", |(_, body)| body)
        .trim();
    format!("{head}\n\n{body}")
}

/// Text folded onto one line: Markdown line breaks become single spaces.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The table of every code, as the README and LANGUAGE.md show it (between
/// `<!-- codes -->` and `<!-- /codes -->`; a test keeps them equal).
pub fn markdown_table() -> String {
    let mut out = String::from("| code | level | meaning |\n|---|---|---|\n");
    for e in entries() {
        let code = match e.name {
            Some(name) => format!("{} `{name}`", e.code),
            None => e.code.to_owned(),
        };
        out.push_str(&format!("| {code} | {} | {} |\n", e.level, e.summary()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_page_with_every_section_and_one_example_each() {
        let entries = entries();
        assert_eq!(entries.len(), Code::ALL.len() + RULES.len());
        for e in &entries {
            assert!(
                e.page.starts_with(&format!("# {}: ", e.code)),
                "{}: the title is `# {}: summary`",
                e.code,
                e.code
            );
            assert!(!e.summary().is_empty(), "{}", e.code);
            let mut last = 0;
            for name in SECTIONS {
                let at = e
                    .page
                    .find(&format!("\n## {name}\n"))
                    .unwrap_or_else(|| panic!("{} lacks `## {name}`", e.code));
                assert!(at > last, "{}: `## {name}` out of order", e.code);
                last = at;
            }
            for name in ["Example", "Fix"] {
                let blocks = examples(section(e.page, name).expect("present"));
                assert_eq!(blocks.len(), 1, "{} {name}: one fenced example", e.code);
            }
        }
    }

    /// No page is left without a code: every file in docs/codes is one.
    #[test]
    fn every_page_belongs_to_a_code() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes");
        let codes: Vec<&str> = entries().iter().map(|e| e.code).collect();
        for file in std::fs::read_dir(dir).expect("docs/codes") {
            let name = file.expect("entry").file_name();
            let name = name.to_string_lossy();
            let code = name.strip_suffix(".md").expect("only .md pages");
            assert!(codes.contains(&code), "docs/codes/{name} has no code");
        }
    }

    #[test]
    fn examples_read_their_fence_options() {
        let text =
            "x\n```task file=a.task standalone\ntask a {}\n```\nmore\n```toml\n[lint]\n```\n";
        let found = examples(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].file, Some("a.task"));
        assert!(found[0].standalone && !found[0].bytes);
        assert_eq!(found[0].text, "task a {}\n");
        assert_eq!(found[1].language, "toml");
        assert_eq!(found[1].text, "[lint]\n");
    }

    #[test]
    fn lookups_by_code_and_name() {
        assert_eq!(find("e0101").map(|e| e.code), Some("E0101"));
        assert_eq!(find("redundant-alternative").map(|e| e.code), Some("L001"));
        assert!(find("E9999").is_none());
        assert_eq!(one_line(" a\n  b "), "a b");
    }
}
