//! Top-level declarations across all files: one domain, uniquely named
//! marker sets, floors and trees, and unique task ids (a duplicate is
//! reported at the later one, with the first shown beside it). Task ids are
//! checked apart ([`duplicate_tasks`]), once every file's tasks are known.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::source::{FileId, Sources};
use crate::syntax::ast::{self, Item};

pub(crate) struct Declarations<'a> {
    pub domain: Option<(FileId, &'a ast::Domain)>,
    pub marker_sets: Vec<(FileId, &'a ast::MarkerSet)>,
    pub floors: Vec<(FileId, &'a ast::Floor)>,
    pub floor_names: BTreeSet<String>,
    pub trees: Vec<(FileId, &'a ast::Tree)>,
    pub tasks: Vec<(FileId, &'a ast::Task)>,
}

pub(crate) fn collect<'a>(
    sources: &Sources,
    files: &'a [(FileId, ast::File)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Declarations<'a> {
    let mut decls = Declarations {
        domain: None,
        marker_sets: Vec::new(),
        floors: Vec::new(),
        floor_names: BTreeSet::new(),
        trees: Vec::new(),
        tasks: Vec::new(),
    };
    let mut seen = Seen::default();
    let mut first =
        |kind: &'static str, name: &'a ast::Name, file: FileId, diags: &mut Vec<Diagnostic>| {
            seen.first(sources, kind, name, file, diags)
        };
    for (file, ast) in files {
        for item in &ast.items {
            match item {
                Item::Domain(domain) => match decls.domain {
                    None => decls.domain = Some((*file, domain)),
                    Some((first_file, first)) => diagnostics.push(
                        Diagnostic::error(
                            Code::DuplicateDeclaration,
                            *file,
                            domain.name.span,
                            format!(
                                "a second domain `{}` is declared; tasks are checked against one domain",
                                domain.name.node
                            ),
                        )
                        .with_label("second domain")
                        .with_related(first_file, first.name.span, "the domain in use")
                        .with_help("merge the two domains into one declaration"),
                    ),
                },
                Item::MarkerSet(set) => {
                    if first("marker set", &set.name, *file, diagnostics) {
                        decls.marker_sets.push((*file, set));
                    }
                }
                Item::Floor(floor) => {
                    if first("floor", &floor.name, *file, diagnostics) {
                        decls.floor_names.insert(floor.name.node.clone());
                        decls.floors.push((*file, floor));
                    }
                }
                Item::Tree(tree) => {
                    if first("tree", &tree.name, *file, diagnostics) {
                        decls.trees.push((*file, tree));
                    }
                }
                Item::Task(task) => decls.tasks.push((*file, task)),
            }
        }
    }
    decls
}

/// Reports each task id used a second time, at the later one. `tasks` are in
/// source order (file, then position). A duplicate is still checked, so its
/// own problems show too.
pub(crate) fn duplicate_tasks<'a>(
    sources: &Sources,
    tasks: impl IntoIterator<Item = (FileId, &'a ast::Name)>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen = Seen::default();
    for (file, id) in tasks {
        seen.first(sources, "task", id, file, diagnostics);
    }
}

/// The first declaration of each kind and name.
#[derive(Default)]
struct Seen<'a> {
    first: BTreeMap<(&'static str, &'a str), (FileId, Span)>,
}

impl<'a> Seen<'a> {
    /// Whether `name` is the first of its kind; if not, reports it.
    fn first(
        &mut self,
        sources: &Sources,
        kind: &'static str,
        name: &'a ast::Name,
        file: FileId,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> bool {
        let Some(&(first_file, first_span)) = self.first.get(&(kind, name.node.as_str())) else {
            self.first
                .insert((kind, name.node.as_str()), (file, name.span));
            return true;
        };
        let (code, message) = if kind == "task" {
            (
                Code::DuplicateTask,
                format!("task id `{}` is used twice", name.node),
            )
        } else {
            (
                Code::DuplicateDeclaration,
                format!("{kind} `{}` is declared twice", name.node),
            )
        };
        let (line, _) = sources.get(first_file).line_col(first_span.start);
        diagnostics.push(
            Diagnostic::error(code, file, name.span, message)
                .with_label("declared again here")
                .with_related(first_file, first_span, "first declared here")
                .with_help(format!(
                    "rename one of them; the first is in {} at line {line}",
                    sources.get(first_file).name
                )),
        );
        false
    }
}
