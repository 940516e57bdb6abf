//! Top-level declarations across all files: one domain (and the extensions
//! that add to it), uniquely named marker sets, floors and trees, and unique
//! task ids (a duplicate is reported at the later one, with the first shown
//! beside it). Task ids are checked apart ([`duplicate_tasks`]), once every
//! file's tasks are known.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::source::{FileId, Sources};
use crate::syntax::ast::{self, Item};

pub(crate) struct Declarations<'a> {
    pub domain: Option<(FileId, &'a ast::Domain)>,
    /// More than one `domain` was declared: tasks are not checked against
    /// any (which one the author meant is unknown), only the extra ones are
    /// reported.
    pub ambiguous: bool,
    /// `extend domain` declarations, in load order.
    pub extensions: Vec<(FileId, &'a ast::Extension)>,
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
        ambiguous: false,
        extensions: Vec::new(),
        marker_sets: Vec::new(),
        floors: Vec::new(),
        floor_names: BTreeSet::new(),
        trees: Vec::new(),
        tasks: Vec::new(),
    };
    let mut domains: Vec<(FileId, &ast::Domain)> = Vec::new();
    let mut seen = Seen::default();
    let mut first =
        |kind: &'static str, name: &'a ast::Name, file: FileId, diags: &mut Vec<Diagnostic>| {
            seen.first(sources, kind, name, file, diags)
        };
    for (file, ast) in files {
        for item in &ast.items {
            match item {
                Item::Domain(domain) => domains.push((*file, domain)),
                Item::Extension(extension) => decls.extensions.push((*file, extension)),
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
    decls.domain = one_domain(sources, &domains, diagnostics);
    decls.ambiguous = domains.len() > 1;
    decls
}

/// The domain in use: the one in the file named after it (as a task lives
/// in the file named after its id), else the first loaded. Every other one
/// is reported, at itself.
fn one_domain<'a>(
    sources: &Sources,
    domains: &[(FileId, &'a ast::Domain)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(FileId, &'a ast::Domain)> {
    let named = |(file, d): &&(FileId, &ast::Domain)| sources.get(*file).stem() == d.name.node;
    let &(in_use_file, in_use) = domains.iter().find(named).or(domains.first())?;
    for &(file, domain) in domains {
        if std::ptr::eq(domain, in_use) {
            continue;
        }
        let name = &in_use.name.node;
        diagnostics.push(
            Diagnostic::error(
                Code::DuplicateDeclaration,
                file,
                domain.name.span,
                format!(
                    "a second domain `{}` is declared; a project has one domain",
                    domain.name.node
                ),
            )
            .with_label("second domain")
            .with_related(in_use_file, in_use.name.span, "the domain in use")
            .with_help(format!(
                "to add values to `{name}` from this file, declare only the new ones: \
                 `extend domain {name} {{ queues new_queue }}`; until then no task is \
                 checked against a domain"
            )),
        );
    }
    Some((in_use_file, in_use))
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
