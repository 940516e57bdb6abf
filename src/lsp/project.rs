//! The folder an editor opens, as `taskc check` sees it: the project's
//! files (`paths` in `taskc.toml` at the root, else `tasks/` if there is
//! one, else the root), with the editor's unsaved texts in place of the
//! files on disk, compiled and linted as one. What the editor asks about
//! is read off the last analysis.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::compile::{compile_with, Compilation};
use crate::diagnostic::{Code, Diagnostic};
use crate::lint::Config;
use crate::source::{self, FileId, SourceFile, Sources, Span};
use crate::syntax::ast::{DomainValue, Item};

/// A declared name: what it is, and where.
#[derive(Clone, Debug)]
pub struct Declaration {
    /// `marker set`, `floor`, `tree policy`, `task`, or the domain value's
    /// kind (`queue`, `priority`, ...).
    pub kind: &'static str,
    pub file: PathBuf,
    pub span: Span,
    /// What hover shows of it beside its kind.
    pub detail: String,
}

/// The last compilation of the project.
pub struct Analysis {
    /// The files, by [`FileId`] order.
    pub files: Vec<(PathBuf, Arc<String>)>,
    /// Diagnostics (compiler and lint) by file.
    pub diagnostics: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// Declarations by name.
    pub declarations: BTreeMap<String, Vec<Declaration>>,
    /// The domain's values by vocabulary keyword (`queues`, ...).
    pub vocabularies: BTreeMap<&'static str, Vec<String>>,
    /// The code catalog (`docs/codes/`) at the root, if the project has it.
    pub codes: Option<PathBuf>,
}

impl Analysis {
    pub fn text(&self, path: &Path) -> Option<&Arc<String>> {
        self.files.iter().find(|(p, _)| p == path).map(|(_, t)| t)
    }
}

#[derive(Clone)]
pub struct Project {
    pub root: PathBuf,
    /// The editor's texts of the documents it has open.
    pub open: BTreeMap<PathBuf, String>,
    config: Config,
    paths: Vec<PathBuf>,
}

impl Project {
    pub fn new(root: PathBuf) -> Project {
        let config = Config::find(&root)
            .and_then(|path| {
                let text = std::fs::read_to_string(&path).ok()?;
                Some(Config::parse(&path, FileId(usize::MAX), &text).0)
            })
            .unwrap_or_default();
        let paths = if !config.paths.is_empty() {
            config.paths.clone()
        } else if root.join("tasks").is_dir() {
            vec![root.join("tasks")]
        } else {
            vec![root.clone()]
        };
        Project {
            root,
            open: BTreeMap::new(),
            config,
            paths,
        }
    }

    /// The layout `taskc fmt` gives files here (`[fmt]` of the project's
    /// `taskc.toml`).
    pub fn style(&self) -> crate::syntax::format::Style {
        crate::syntax::format::Style {
            width: self
                .config
                .width
                .unwrap_or(crate::syntax::format::Style::DEFAULT_WIDTH),
        }
    }

    /// The project's files and the open documents, sorted.
    fn paths(&self) -> Vec<PathBuf> {
        // An entry that cannot be read (a FIFO named `.task`, a symlink
        // loop) is left out, said in the editor's log, and the other files
        // are still read.
        let (mut paths, skipped) = source::collect_paths_skipping(&self.paths);
        for e in skipped {
            eprintln!("taskc lsp: skipped {e}");
        }
        for open in self.open.keys() {
            if !paths.contains(open) {
                paths.push(open.clone());
            }
        }
        paths.sort();
        paths.dedup();
        paths
    }

    /// Compiles and lints everything. A file that cannot be read (deleted,
    /// a folder) is left out; one that is not UTF-8 gets E0001.
    pub fn analyze(&self) -> Analysis {
        let (files, sources, read) = self.read(self.paths());
        let compilation = compile_with(&sources, read);
        let mut all = compilation.diagnostics.clone();
        all.extend(crate::lint::lint(&sources, &compilation, &self.config));
        let mut diagnostics: BTreeMap<PathBuf, Vec<Diagnostic>> =
            files.iter().map(|(p, _)| (p.clone(), Vec::new())).collect();
        for d in all {
            if let Some((path, _)) = files.get(d.file.0) {
                diagnostics.entry(path.clone()).or_default().push(d);
            }
        }
        let (declarations, vocabularies) = declarations(&files, &compilation);
        Analysis {
            files,
            diagnostics,
            declarations,
            vocabularies,
            codes: Some(self.root.join("docs/codes")).filter(|d| d.is_dir()),
        }
    }

    /// After an edit of one file that declares nothing but tasks (before
    /// and after): that file compiled and linted beside the files that
    /// declare (the domain, marker sets, floors, trees), and its
    /// diagnostics put in place of its old ones; every other file keeps
    /// its own. What crosses task files (a task id used twice, a text
    /// off-topic for another task) waits for the next full analysis.
    /// `None` when the edit needs one now.
    pub fn analyze_file(&self, previous: &mut Analysis, path: &Path) -> Option<()> {
        let text = self.open.get(path)?;
        if crate::compile::may_declare(text) {
            return None;
        }
        let old = previous.text(path)?;
        if crate::compile::may_declare(old) {
            return None;
        }
        let mut paths: Vec<PathBuf> = previous
            .files
            .iter()
            .filter(|(p, t)| p != path && crate::compile::may_declare(t))
            .map(|(p, _)| p.clone())
            .collect();
        paths.push(path.to_path_buf());
        paths.sort();
        let (files, sources, read) = self.read(paths);
        let id = files.iter().position(|(p, _)| p == path)?;
        let compilation = compile_with(&sources, read);
        let mut mine: Vec<Diagnostic> = compilation
            .diagnostics
            .iter()
            .filter(|d| d.file.0 == id)
            .cloned()
            .collect();
        mine.extend(
            crate::lint::lint(&sources, &compilation, &self.config)
                .into_iter()
                .filter(|d| d.file.0 == id),
        );
        // Renumber into the previous analysis's files.
        let at = previous.files.iter().position(|(p, _)| p == path)?;
        for d in &mut mine {
            d.file = FileId(at);
            for r in &mut d.related {
                let related = files.get(r.file.0).map(|(p, _)| p.clone());
                if let Some(j) =
                    related.and_then(|p| previous.files.iter().position(|(q, _)| *q == p))
                {
                    r.file = FileId(j);
                }
            }
        }
        previous.files[at].1 = files[id].1.clone();
        previous.diagnostics.insert(path.to_path_buf(), mine);
        Some(())
    }

    /// Reads files (the editor's text for open ones).
    fn read(&self, paths: Vec<PathBuf>) -> Read {
        let mut sources = Sources::default();
        let mut read = Vec::new();
        let mut files = Vec::new();
        for path in paths {
            let text = match self.open.get(&path) {
                Some(text) => text.clone(),
                None => match std::fs::read(&path) {
                    Err(_) => continue,
                    Ok(bytes) => match String::from_utf8(bytes) {
                        Ok(text) => text,
                        Err(e) => {
                            let bad = e.utf8_error().valid_up_to();
                            read.push(
                                Diagnostic::error(
                                    Code::InvalidUtf8,
                                    FileId(sources.files.len()),
                                    Span::new(bad, bad + 1),
                                    "this file is not valid UTF-8",
                                )
                                .with_label("this byte does not start a UTF-8 character"),
                            );
                            String::from_utf8_lossy(e.as_bytes()).into_owned()
                        }
                    },
                },
            };
            let shown = path
                .strip_prefix(&self.root)
                .unwrap_or(&path)
                .display()
                .to_string();
            let file = SourceFile::new(shown, text);
            files.push((path, file.text.clone()));
            sources.files.push(file);
        }
        (files, sources, read)
    }
}

/// Files read: each path with its text, the sources to compile, and the
/// diagnostics of reading (E0001).
type Read = (Vec<(PathBuf, Arc<String>)>, Sources, Vec<Diagnostic>);

type Declared = (
    BTreeMap<String, Vec<Declaration>>,
    BTreeMap<&'static str, Vec<String>>,
);

/// Every declared name of the files that parsed.
fn declarations(files: &[(PathBuf, Arc<String>)], compilation: &Compilation) -> Declared {
    let mut out: BTreeMap<String, Vec<Declaration>> = BTreeMap::new();
    let mut vocabularies: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let document = compilation.document.as_ref();
    for (file, ast) in &compilation.asts {
        let path = &files[file.0].0;
        let mut add = |name: &str, kind: &'static str, span: Span, detail: String| {
            out.entry(name.to_owned()).or_default().push(Declaration {
                kind,
                file: path.clone(),
                span,
                detail,
            });
        };
        for item in &ast.items {
            match item {
                Item::MarkerSet(set) => {
                    let alternatives = document
                        .and_then(|d| d.marker_sets.get(&set.name.node))
                        .map(|alts| {
                            alts.iter()
                                .map(|a| format!("\"{a}\""))
                                .collect::<Vec<_>>()
                                .join(" | ")
                        })
                        .unwrap_or_default();
                    add(&set.name.node, "marker set", set.name.span, alternatives);
                }
                Item::Floor(floor) => {
                    let groups = floor
                        .groups
                        .iter()
                        .map(|g| {
                            let phrases: Vec<String> = g
                                .phrases
                                .iter()
                                .map(|p| format!("\"{}\"", p.text.node))
                                .collect();
                            let words = g
                                .description
                                .as_ref()
                                .map(|d| format!(" ({})", d.node))
                                .unwrap_or_default();
                            format!("- `{}`{words}: {}", g.reason.node, phrases.join(", "))
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                    add(&floor.name.node, "floor", floor.name.span, groups);
                }
                Item::Tree(tree) => {
                    let floors = document
                        .and_then(|d| d.trees.get(&tree.name.node))
                        .map(|t| format!("floors: {}", t.floors.join(", ")))
                        .unwrap_or_default();
                    add(&tree.name.node, "tree policy", tree.name.span, floors);
                }
                Item::Task(task) => add(&task.id.node, "task", task.id.span, String::new()),
                Item::Domain(_) | Item::Extension(_) => {
                    let (fields, detail) = match item {
                        Item::Domain(d) => {
                            (&d.fields, format!("declared by domain `{}`", d.name.node))
                        }
                        Item::Extension(e) => (
                            &e.fields,
                            format!("added by `extend domain {}`", e.name.node),
                        ),
                        _ => continue,
                    };
                    for field in fields {
                        if let DomainValue::List(vocabulary, names) = &field.value {
                            for name in names {
                                vocabularies
                                    .entry(vocabulary.keyword())
                                    .or_default()
                                    .push(name.node.clone());
                                add(&name.node, vocabulary.singular(), name.span, detail.clone());
                            }
                        }
                    }
                }
            }
        }
    }
    (out, vocabularies)
}
