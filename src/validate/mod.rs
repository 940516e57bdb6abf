//! AST → [`Document`]. Every check family has its own file; each reports
//! into a [`Cx`] and carries on, so one run reports every problem. At the end
//! diagnostics are sorted into source order.

mod declarations;
mod domain;
mod fields;
mod floors;
mod follow_up;
mod markers;
mod names;
mod solvability;
mod task;
mod tree;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diagnostic::{self, Code, Diagnostic};
use crate::source::{FileId, Sources};
use crate::spec::{Document, DomainSpec, MatchMode};
use crate::syntax::{self, ast, Span};

/// The result of compiling a set of sources.
#[derive(Debug)]
pub struct Compilation {
    /// The spec, present when no error was found.
    pub document: Option<Document>,
    /// Every diagnostic, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many tasks were declared (valid or not).
    pub task_count: usize,
    /// The ASTs of the files that parsed, for the linter.
    pub asts: Vec<(FileId, ast::File)>,
}

impl Compilation {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// Where diagnostics go while one file's declarations are checked.
pub(crate) struct Cx {
    pub file: FileId,
    pub diagnostics: Vec<Diagnostic>,
}

impl Cx {
    pub fn new(file: FileId) -> Self {
        Self {
            file,
            diagnostics: Vec::new(),
        }
    }

    /// Adds an error and returns it for labels and help.
    pub fn error(&mut self, code: Code, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(code, self.file, span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }
}

/// Builder-style setters on a diagnostic already pushed.
pub(crate) trait Decorate {
    fn label(&mut self, label: impl Into<String>) -> &mut Self;
    fn help(&mut self, help: impl Into<String>) -> &mut Self;
    fn related(&mut self, file: FileId, span: Span, label: impl Into<String>) -> &mut Self;
}

impl Decorate for Diagnostic {
    fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = label.into();
        self
    }
    fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    fn related(&mut self, file: FileId, span: Span, label: impl Into<String>) -> &mut Self {
        self.related.push(diagnostic::Related {
            file,
            span,
            label: label.into(),
        });
        self
    }
}

/// What every task is checked against: the domain and the shared declarations.
pub(crate) struct Scope {
    pub domain: Option<DomainSpec>,
    /// Which vocabularies the domain declared (a missing one is not checked).
    pub declared: Vec<ast::Vocabulary>,
    pub marker_sets: BTreeMap<String, Vec<(String, Option<MatchMode>)>>,
}

impl Scope {
    pub fn vocabulary(&self, vocabulary: ast::Vocabulary) -> Option<&[String]> {
        let domain = self.domain.as_ref()?;
        if !self.declared.contains(&vocabulary) {
            return None;
        }
        Some(match vocabulary {
            ast::Vocabulary::Queues => &domain.queues,
            ast::Vocabulary::Priorities => &domain.priorities,
            ast::Vocabulary::Statuses => &domain.statuses,
            ast::Vocabulary::IssueTypes => &domain.issue_types,
            ast::Vocabulary::ResolutionCodes => &domain.resolution_codes,
            ast::Vocabulary::Tiers => &domain.tiers,
            ast::Vocabulary::Fields => &domain.fields,
            ast::Vocabulary::RiskFlags => &domain.risk_flags,
        })
    }
}

/// Compiles every source: parse (in parallel), resolve declarations, check
/// every task (in parallel), and collect every diagnostic in source order.
pub fn compile(sources: &Sources) -> Compilation {
    compile_with(sources, Vec::new())
}

/// [`compile`], starting from diagnostics found while reading the files
/// (invalid UTF-8).
pub fn compile_with(sources: &Sources, mut diagnostics: Vec<Diagnostic>) -> Compilation {
    let parsed: Vec<(FileId, Option<ast::File>, Vec<Diagnostic>)> = sources
        .ids()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|id| {
            let (ast, diags) = syntax::parse(id, &sources.get(id).text);
            (id, ast, diags)
        })
        .collect();
    let mut files = Vec::with_capacity(parsed.len());
    for (id, ast, diags) in parsed {
        diagnostics.extend(diags);
        if let Some(ast) = ast {
            files.push((id, ast));
        }
    }

    let decls = declarations::collect(sources, &files, &mut diagnostics);
    let (domain, declared) = match decls.domain {
        Some((file, domain)) => {
            let mut cx = Cx::new(file);
            let spec = domain::check(&mut cx, domain);
            diagnostics.extend(cx.diagnostics);
            (Some(spec.0), spec.1)
        }
        None => {
            if let Some((file, task)) = decls.tasks.first() {
                diagnostics.push(
                    Diagnostic::error(
                        Code::MissingDomain,
                        *file,
                        task.id.span,
                        "no `domain` is declared, so this task's names cannot be checked",
                    )
                    .with_label("this task needs a domain")
                    .with_help(
                        "check the file that declares `domain NAME { ... }` together with the tasks \
                         (e.g. `taskc check tasks`)",
                    ),
                );
            }
            (None, Vec::new())
        }
    };

    let mut marker_sets = BTreeMap::new();
    for (file, set) in &decls.marker_sets {
        let mut cx = Cx::new(*file);
        marker_sets.insert(set.name.node.clone(), markers::check_set(&mut cx, set));
        diagnostics.extend(cx.diagnostics);
    }
    let scope = Scope {
        domain,
        declared,
        marker_sets,
    };

    let mut floor_specs = BTreeMap::new();
    for (file, floor) in &decls.floors {
        let mut cx = Cx::new(*file);
        floor_specs.insert(floor.name.node.clone(), floors::check(&mut cx, floor));
        diagnostics.extend(cx.diagnostics);
    }
    let mut tree_specs = BTreeMap::new();
    for (file, tree) in &decls.trees {
        let mut cx = Cx::new(*file);
        if let Some(policy) = tree::check(&mut cx, tree, &decls.floor_names) {
            tree_specs.insert(tree.name.node.clone(), policy);
        }
        diagnostics.extend(cx.diagnostics);
    }

    let task_count = decls.tasks.len();
    let checked: Vec<_> = decls
        .tasks
        .par_iter()
        .map(|(file, t)| {
            let mut cx = Cx::new(*file);
            let out = task::check(&mut cx, &scope, sources.get(*file), t);
            (out, cx.diagnostics)
        })
        .collect();
    let mut tasks = BTreeMap::new();
    let mut matching = BTreeMap::new();
    for (out, diags) in checked {
        diagnostics.extend(diags);
        if let Some((spec, task_matching)) = out {
            if !task_matching.is_empty() {
                matching.insert(spec.task_id.clone(), task_matching);
            }
            tasks.entry(spec.task_id.clone()).or_insert(spec);
        }
    }

    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let mut document = match scope.domain {
        Some(domain) if !has_errors => Some(Document {
            domain,
            marker_sets: scope
                .marker_sets
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().map(|(text, _)| text).collect()))
                .collect(),
            floors: floor_specs,
            trees: tree_specs,
            tasks,
            matching,
        }),
        _ => None,
    };

    // Solvability runs the environment, so it needs a valid spec.
    if let Some(doc) = &document {
        use crate::runtime::env::TaskRuntime;
        // Each task's runtime is built, run and dropped: nothing is kept.
        let domain = std::sync::Arc::new(doc.domain.clone());
        let allowed = TaskRuntime::allowed(&domain);
        let found: Vec<Diagnostic> = decls
            .tasks
            .par_iter()
            .filter_map(|(file, t)| doc.tasks.get(&t.id.node).map(|spec| (file, t, spec)))
            .flat_map_iter(|(file, t, spec)| {
                let rt = std::sync::Arc::new(TaskRuntime::new(
                    spec,
                    domain.clone(),
                    allowed.clone(),
                    doc.matching.get(&spec.task_id),
                ));
                let mut cx = Cx::new(*file);
                solvability::check(&mut cx, t.id.span, &rt);
                cx.diagnostics
            })
            .collect();
        if !found.is_empty() {
            document = None;
        }
        diagnostics.extend(found);
    }
    diagnostic::sort(&mut diagnostics);
    drop(decls);
    Compilation {
        document,
        diagnostics,
        task_count,
        asts: files,
    }
}
