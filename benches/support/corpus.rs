//! A generated corpus of tasks for benchmarks and the Python comparison:
//! the shipped tasks repeated under new ids (`billing_refund_easy_00042`),
//! with the shipped domain and floors beside them. Each copy's marker
//! words are its own (`password` becomes `passwordkeba` in every text of
//! task 42), as in a real project where tasks speak of different things:
//! the project-wide checks then see thousands of distinct markers, not the
//! same few dozen.

use std::path::Path;

/// The shipped task files, read from `tasks/`.
pub struct Templates {
    pub shared: Vec<(String, String)>,
    pub tasks: Vec<(String, String)>,
}

impl Templates {
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let mut shared = Vec::new();
        let mut tasks = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "task") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if text.contains(&format!("task {stem} {{")) {
                tasks.push((stem, text));
            } else {
                shared.push((stem, text));
            }
        }
        Ok(Self { shared, tasks })
    }

    /// `(file name, text)` of `n` tasks plus the shared files.
    pub fn corpus(&self, n: usize) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .shared
            .iter()
            .map(|(stem, text)| (format!("{stem}.task"), text.clone()))
            .collect();
        for i in 0..n {
            let (stem, text) = &self.tasks[i % self.tasks.len()];
            let id = format!("{stem}_{i:05}");
            let text = text.replacen(&format!("task {stem} {{"), &format!("task {id} {{"), 1);
            out.push((format!("{id}.task"), vary(&text, i)));
        }
        out
    }
}

/// `text` with every word of four letters or more that its `require` lines
/// mention (in any case) suffixed with a syllable pair made from `i`, inside every string
/// literal of the file (so the gold texts and examples still meet the
/// groups they met, and the markers differ from task to task).
fn vary(text: &str, i: usize) -> String {
    let suffix = {
        let (mut n, mut s) = (i, String::new());
        for _ in 0..3 {
            s.push(b"bdfgklmnprstvz"[n % 14] as char);
            n /= 14;
            s.push(b"aeiou"[n % 5] as char);
            n /= 5;
        }
        s
    };
    let marker_words: std::collections::BTreeSet<String> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("require"))
        .flat_map(|l| l.split('"').skip(1).step_by(2))
        .flat_map(|m| m.split(|c: char| !c.is_ascii_alphabetic()))
        .filter(|w| w.len() >= 4)
        .map(str::to_ascii_lowercase)
        .collect();
    let mut out = String::with_capacity(text.len() + 256);
    let mut in_string = false;
    let mut word = String::new();
    // A hyphenated compound is left alone: a loose phrase (`forbid
    // "chargeback"`) may spell it without its hyphen.
    let flush = |word: &mut String, out: &mut String, in_string: bool, next: char| {
        let compound = next == '-' || out.ends_with('-');
        out.push_str(word);
        if in_string && !compound && marker_words.contains(&word.to_ascii_lowercase()) {
            out.push_str(&suffix);
        }
        word.clear();
    };
    for line in text.lines() {
        let mut chars = line.char_indices();
        while let Some((at, c)) = chars.next() {
            if c.is_ascii_alphabetic() {
                word.push(c);
                continue;
            }
            flush(&mut word, &mut out, in_string, c);
            if c == '#' && !in_string {
                // A comment, to the end of the line.
                out.push_str(&line[at..]);
                break;
            }
            if c == '\\' && in_string {
                // An escape: the next character is not a quote that ends.
                out.push(c);
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
                continue;
            }
            if c == '"' {
                in_string = !in_string;
            }
            out.push(c);
        }
        flush(&mut word, &mut out, in_string, '\n');
        out.push('\n');
    }
    out
}
