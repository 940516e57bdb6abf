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
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{self, Code, Diagnostic};
use crate::runtime::env::TaskRuntime;
use crate::source::{FileId, Sources};
use crate::spec::{Document, DomainSpec, MatchMode, TaskMatching, TaskSpec};
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
    /// The ASTs of the files that parsed, for the linter (with
    /// [`Keep::Everything`]).
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

/// What a compilation keeps besides its diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The spec (when there is no error) and the ASTs: for `compile`, the
    /// linter and the runtime.
    Everything,
    /// Diagnostics only (for `check`): each task's spec and AST are dropped
    /// as soon as it has been proven solvable, which keeps peak memory (and
    /// the time the OS spends handing out fresh pages) down on large projects.
    Diagnostics,
}

/// Compiles every source: parse (in parallel), resolve declarations, check
/// every task (in parallel), and collect every diagnostic in source order.
pub fn compile(sources: &Sources) -> Compilation {
    compile_with(sources, Vec::new())
}

/// [`compile`], starting from diagnostics found while reading the files
/// (invalid UTF-8).
pub fn compile_with(sources: &Sources, diagnostics: Vec<Diagnostic>) -> Compilation {
    compile_keeping(sources, diagnostics, Keep::Everything)
}

/// [`compile_with`], keeping only what `keep` asks for. The diagnostics are
/// the same either way.
///
/// Files are compiled in two passes so that task ASTs never pile up:
///
/// 1. the files that may declare what tasks are checked against (a domain,
///    marker sets; also floors and trees) are parsed, in parallel, and their
///    declarations checked;
/// 2. every other file holds only tasks: each is parsed, its tasks checked
///    and proven solvable, and its AST dropped (unless kept), on one thread,
///    in parallel. Memory stays near the size of the sources however many
///    tasks there are, and fresh memory is what large runs spend most on.
///
/// Which files go first is decided by a conservative scan of their text for
/// the declaring keywords; were a declaration ever found in the second
/// pass, the compilation starts again with every file in the first.
pub fn compile_keeping(sources: &Sources, diagnostics: Vec<Diagnostic>, keep: Keep) -> Compilation {
    match compile_in_passes(sources, diagnostics.clone(), keep, false) {
        Some(compilation) => compilation,
        None => compile_in_passes(sources, diagnostics, keep, true)
            .expect("with every file in the first pass, none can surprise the second"),
    }
}

/// The keywords that start a declaration other than a task.
const DECLARING_KEYWORDS: [&str; 4] = ["domain", "markers", "floor", "tree"];

/// Whether `text` may declare anything but tasks: it contains a declaring
/// keyword anywhere (in a comment or a text too: this only decides the
/// order of work).
fn may_declare(text: &str) -> bool {
    // Leftmost semantics let the automaton use its SIMD (Teddy) prefilter.
    static SCAN: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(DECLARING_KEYWORDS)
            .expect("four literal keywords")
    });
    SCAN.is_match(text)
}

/// One task checked: what the rest of the compilation needs of it.
struct CheckedTask {
    file: FileId,
    id: ast::Name,
    /// Boxed: with [`Keep::Diagnostics`] it is always `None`, and 10,000
    /// inline specs would cost megabytes of nothing.
    out: Option<Box<(TaskSpec, TaskMatching)>>,
    diagnostics: Vec<Diagnostic>,
}

/// See [`compile_keeping`]. `None` when a file of the second pass turned out
/// to declare more than tasks.
fn compile_in_passes(
    sources: &Sources,
    mut diagnostics: Vec<Diagnostic>,
    keep: Keep,
    all_first: bool,
) -> Option<Compilation> {
    let declaring: Vec<bool> = sources
        .files
        .par_iter()
        .map(|f| all_first || may_declare(&f.text))
        .collect();
    let (first, second): (Vec<FileId>, Vec<FileId>) = sources.ids().partition(|id| declaring[id.0]);

    // Pass 1: declarations.
    let parsed: Vec<(FileId, Option<ast::File>, Vec<Diagnostic>)> = first
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

    // What tasks depend on (one domain, marker sets): any error there makes
    // a solvability run meaningless.
    let errors_before = diagnostics.iter().filter(|d| d.is_error()).count();
    let decls = declarations::collect(sources, &files, &mut diagnostics);
    let (domain, declared) = match decls.domain {
        Some((file, domain)) => {
            let mut cx = Cx::new(file);
            let spec = domain::check(&mut cx, domain);
            diagnostics.extend(cx.diagnostics);
            (Some(spec.0), spec.1)
        }
        None => (None, Vec::new()),
    };
    let mut marker_sets = BTreeMap::new();
    for (file, set) in &decls.marker_sets {
        let mut cx = Cx::new(*file);
        marker_sets.insert(set.name.node.clone(), markers::check_set(&mut cx, set));
        diagnostics.extend(cx.diagnostics);
    }
    let scope_errors = diagnostics.iter().filter(|d| d.is_error()).count() - errors_before;
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

    // Pass 2: tasks. Solvability runs the environment, so it needs a sound
    // domain and marker sets, and a task that compiled cleanly.
    let runnable = match &scope.domain {
        Some(domain) if scope_errors == 0 => {
            let domain = Arc::new(domain.clone());
            let allowed = TaskRuntime::allowed(&domain);
            Some((domain, allowed))
        }
        _ => None,
    };
    let check_task = |file: FileId, t: &ast::Task| {
        let mut cx = Cx::new(file);
        let out = task::check(&mut cx, &scope, sources.get(file), t);
        let clean = !cx.diagnostics.iter().any(Diagnostic::is_error);
        let out = match (out, &runnable) {
            (Some((spec, task_matching)), Some((domain, allowed))) if clean => {
                let (domain, allowed) = (domain.clone(), allowed.clone());
                let (rt, kept) = match keep {
                    Keep::Everything => {
                        let rt = TaskRuntime::new(&spec, domain, allowed, Some(&task_matching));
                        (rt, Some((spec, task_matching)))
                    }
                    Keep::Diagnostics => {
                        let rt =
                            TaskRuntime::from_spec(spec, domain, allowed, Some(&task_matching));
                        (rt, None)
                    }
                };
                solvability::check(&mut cx, t.id.span, Arc::new(rt));
                kept
            }
            (out, _) => out,
        };
        CheckedTask {
            file,
            id: t.id.clone(),
            out: out.filter(|_| keep == Keep::Everything).map(Box::new),
            diagnostics: cx.diagnostics,
        }
    };
    let mut checked: Vec<CheckedTask> = decls
        .tasks
        .par_iter()
        .map(|(file, t)| check_task(*file, t))
        .collect();
    // Each file parsed, checked and (unless kept) dropped on one thread.
    let task_files: Vec<_> = second
        .into_par_iter()
        .map(|id| {
            let (ast, parse_diagnostics) = syntax::parse(id, &sources.get(id).text);
            let mut tasks = Vec::new();
            let mut surprise = false;
            for item in ast.iter().flat_map(|f| &f.items) {
                match item {
                    ast::Item::Task(t) => tasks.push(check_task(id, t)),
                    _ => surprise = true,
                }
            }
            let ast = ast.filter(|_| keep == Keep::Everything);
            (id, ast, parse_diagnostics, tasks, surprise)
        })
        .collect();
    drop(decls);
    for (id, ast, parse_diagnostics, tasks, surprise) in task_files {
        if surprise {
            return None;
        }
        diagnostics.extend(parse_diagnostics);
        checked.extend(tasks);
        files.extend(ast.map(|ast| (id, ast)));
    }
    files.sort_by_key(|(id, _)| *id);
    checked.sort_by_key(|t| (t.file, t.id.span.start));

    declarations::duplicate_tasks(
        sources,
        checked.iter().map(|t| (t.file, &t.id)),
        &mut diagnostics,
    );
    if scope.domain.is_none() {
        if let Some(t) = checked.first() {
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingDomain,
                    t.file,
                    t.id.span,
                    "no `domain` is declared, so this task's names cannot be checked",
                )
                .with_label("this task needs a domain")
                .with_help(
                    "check the file that declares `domain NAME { ... }` together with the tasks \
                     (e.g. `taskc check tasks`)",
                ),
            );
        }
    }

    let task_count = checked.len();
    let mut tasks = BTreeMap::new();
    let mut matching = BTreeMap::new();
    for t in checked {
        diagnostics.extend(t.diagnostics);
        if let Some((spec, task_matching)) = t.out.map(|out| *out) {
            if !task_matching.is_empty() {
                matching.insert(spec.task_id.clone(), task_matching);
            }
            tasks.entry(spec.task_id.clone()).or_insert(spec);
        }
    }

    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let document = match scope.domain {
        Some(domain) if !has_errors && keep == Keep::Everything => Some(Document {
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
    diagnostic::sort(&mut diagnostics);
    Some(Compilation {
        document,
        diagnostics,
        task_count,
        asts: if keep == Keep::Everything {
            files
        } else {
            Vec::new()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{collect_paths, read_files};

    fn sources(paths: &[&str]) -> Sources {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let paths: Vec<_> = paths.iter().map(|p| root.join(p)).collect();
        read_files(&collect_paths(&paths).unwrap()).unwrap().0
    }

    #[test]
    fn only_files_with_a_declaring_keyword_go_first() {
        assert!(may_declare("domain supportdesk {"));
        assert!(may_declare("task x { }\nfloor l1 {"));
        // Anywhere, even in a text: this only orders work.
        assert!(may_declare("task x { title \"street trees\" }"));
        assert!(!may_declare("task x { title \"Refund\" }"));
    }

    /// The scan knows every declaration the grammar has: the keyword that
    /// starts each alternative of `item` but `task` (read from the grammar,
    /// so a new declaration cannot be forgotten here).
    #[test]
    fn declaring_keywords_are_the_grammars() {
        let grammar = include_str!("../../grammar/task.pest");
        let rule = |name: &str| -> &str {
            grammar
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name} = ")))
                .unwrap_or_else(|| panic!("rule `{name}` in the grammar"))
        };
        let items = rule("item");
        let items = &items[items.find('{').unwrap() + 1..items.rfind('}').unwrap()];
        let mut keywords: Vec<String> = items
            .split('|')
            .map(str::trim)
            .filter(|item| *item != "task")
            .map(|item| {
                let body = rule(item);
                let k = body.split_whitespace().nth(1).expect("`{ k_NAME ~ ...`");
                let k = k
                    .strip_prefix("k_")
                    .expect("a declaration starts with its keyword");
                let literal = rule(&format!("k_{k}"));
                literal
                    .split('"')
                    .nth(1)
                    .expect("a keyword is a literal")
                    .to_owned()
            })
            .collect();
        keywords.sort();
        let mut ours: Vec<&str> = DECLARING_KEYWORDS.to_vec();
        ours.sort();
        assert_eq!(keywords, ours);
    }

    /// The two passes give what one pass over every file gives, whatever
    /// file declares what (shipped tasks; fixtures that mix a domain and
    /// tasks, or split a duplicate across files).
    #[test]
    fn two_passes_equal_one() {
        for paths in [
            &["tasks"][..],
            &["tests/fixtures/valid"],
            &[
                "tasks",
                "tests/fixtures/invalid/semantic/duplicate_task_across_files",
            ],
            &[
                "tasks/supportdesk.task",
                "tests/fixtures/invalid/semantic/unsolvable_max_steps.task",
            ],
            &["tests/fixtures/invalid/semantic/missing_domain.task"],
        ] {
            let sources = sources(paths);
            for keep in [Keep::Everything, Keep::Diagnostics] {
                let phased = compile_in_passes(&sources, Vec::new(), keep, false).unwrap();
                let one = compile_in_passes(&sources, Vec::new(), keep, true).unwrap();
                assert_eq!(phased.diagnostics, one.diagnostics, "{paths:?}");
                assert_eq!(phased.task_count, one.task_count);
                assert_eq!(phased.asts, one.asts);
                let json = |c: &Compilation| serde_json::to_string(&c.document).unwrap();
                assert_eq!(json(&phased), json(&one));
            }
        }
    }
}
