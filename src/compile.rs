//! The compile driver: sources → [`Compilation`]. It runs the stages in
//! order — parse ([`crate::syntax`]), validate ([`crate::validate`]),
//! verify ([`crate::verify`]) — and assembles the [`Document`] when no
//! stage found an error. Every diagnostic comes back in source order.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diagnostic::{self, Cx, Diagnostic, Uses};
use crate::source::{FileId, Sources};
use crate::spec::Document;
use crate::syntax::{self, ast};
use crate::validate::{self, Declared, ValidTask};
use crate::verify::{self, Verifier};

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
    /// What the declarations refer to, for the linter (with
    /// [`Keep::Everything`]).
    pub uses: Uses,
}

impl Compilation {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// What a compilation keeps besides its diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The spec (when there is no error) and the ASTs: for `compile`, the
    /// linter and the runtime.
    Everything,
    /// Diagnostics only (for `check`): each task's spec and AST are dropped
    /// as soon as it has been verified, which keeps peak memory (and the
    /// time the OS spends handing out fresh pages) down on large projects.
    Diagnostics,
}

/// Compiles every source: parse (in parallel), validate the declarations,
/// validate and verify every task (in parallel), and collect every
/// diagnostic in source order.
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
///    declarations validated;
/// 2. every other file holds only tasks: each is parsed, its tasks validated
///    and verified, and its AST dropped (unless kept), on one thread, in
///    parallel. Memory stays near the size of the sources however many
///    tasks there are, and fresh memory is what large runs spend most on.
///
/// Which files go first is decided by a conservative scan of their text for
/// the declaring keywords; were a declaration ever found in the second
/// pass, the compilation starts again with every file in the first.
pub fn compile_keeping(sources: &Sources, diagnostics: Vec<Diagnostic>, keep: Keep) -> Compilation {
    compile_checking(sources, diagnostics, keep, true)
}

/// [`compile_with`] without playing the stock exploits (E1002): for
/// `taskc probe`, which shows them to the author of a task that fails them.
pub fn compile_without_exploits(sources: &Sources, diagnostics: Vec<Diagnostic>) -> Compilation {
    compile_checking(sources, diagnostics, Keep::Everything, false)
}

fn compile_checking(
    sources: &Sources,
    diagnostics: Vec<Diagnostic>,
    keep: Keep,
    exploits: bool,
) -> Compilation {
    match compile_in_passes(sources, diagnostics.clone(), keep, false, exploits) {
        Some(compilation) => compilation,
        None => compile_in_passes(sources, diagnostics, keep, true, exploits)
            .expect("with every file in the first pass, none can surprise the second"),
    }
}

/// The keywords that start a declaration other than a task.
const DECLARING_KEYWORDS: [&str; 5] = ["domain", "extend", "markers", "floor", "tree"];

/// Whether `text` may declare anything but tasks: it contains a declaring
/// keyword anywhere (in a comment or a text too: this only decides the
/// order of work).
pub fn may_declare(text: &str) -> bool {
    // Leftmost semantics let the automaton use its SIMD (Teddy) prefilter.
    static SCAN: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(DECLARING_KEYWORDS)
            .expect("five literal keywords")
    });
    SCAN.is_match(text)
}

/// One task validated (and verified): what the rest of the compilation
/// needs of it.
struct CheckedTask {
    file: FileId,
    id: ast::Name,
    /// Boxed: with [`Keep::Diagnostics`] it is always `None`, and 10,000
    /// inline specs would cost megabytes of nothing.
    out: Option<Box<ValidTask>>,
    /// What the project-wide verification needs of it, when it was verified.
    summary: Option<Box<verify::Summary>>,
    diagnostics: Vec<Diagnostic>,
    /// Empty unless kept ([`Keep::Everything`]).
    uses: Uses,
}

/// How every task is checked: the validated declarations, and a verifier
/// when the domain and marker sets are sound enough to run episodes.
struct TaskChecker<'a> {
    sources: &'a Sources,
    declared: &'a Declared,
    verifier: Option<Verifier>,
    keep: Keep,
}

impl TaskChecker<'_> {
    /// Validates one task and, when it compiled cleanly, verifies it.
    fn check(&self, file: FileId, t: &ast::Task) -> CheckedTask {
        let mut cx = Cx::new(file);
        let out = validate::task(&mut cx, &self.declared.scope, self.sources.get(file), t);
        let clean = !cx.diagnostics.iter().any(Diagnostic::is_error);
        let (kept, summary) = match (out, &self.verifier) {
            (Some(task), Some(verifier)) if clean => match self.keep {
                Keep::Everything => {
                    let summary = verifier.task(&mut cx, &verify::Places::of(t), task.clone());
                    (Some(task), Some(Box::new(summary)))
                }
                Keep::Diagnostics => {
                    let summary = verifier.task(&mut cx, &verify::Places::of(t), task);
                    (None, Some(Box::new(summary)))
                }
            },
            (out, _) => (out, None),
        };
        CheckedTask {
            file,
            id: t.id.clone(),
            out: kept.filter(|_| self.keep == Keep::Everything).map(Box::new),
            summary,
            diagnostics: cx.diagnostics,
            uses: match self.keep {
                Keep::Everything => cx.uses,
                Keep::Diagnostics => Uses::new(),
            },
        }
    }
}

/// One file of the second pass: parsed, its tasks checked.
struct TaskFile {
    id: FileId,
    ast: Option<ast::File>,
    parse_diagnostics: Vec<Diagnostic>,
    tasks: Vec<CheckedTask>,
    /// It declared more than tasks, which the first pass should have seen.
    surprise: bool,
}

/// See [`compile_keeping`]. `None` when a file of the second pass turned out
/// to declare more than tasks.
fn compile_in_passes(
    sources: &Sources,
    mut diagnostics: Vec<Diagnostic>,
    keep: Keep,
    all_first: bool,
    exploits: bool,
) -> Option<Compilation> {
    let declaring: Vec<bool> = sources
        .files
        .par_iter()
        .map(|f| all_first || may_declare(&f.text))
        .collect();
    let (first, second): (Vec<FileId>, Vec<FileId>) = sources.ids().partition(|id| declaring[id.0]);

    // Pass 1: parse the declaring files; validate the declarations.
    let mut files = parse_files(sources, first, &mut diagnostics);
    let decls = validate::collect(sources, &files, &mut diagnostics);
    let declared = validate::declarations(&decls, &mut diagnostics);
    let checker = TaskChecker {
        sources,
        declared: &declared,
        // Episodes need a sound domain and marker sets.
        verifier: match &declared.scope.domain {
            Some(domain) if declared.scope_is_sound => Some(Verifier::new(domain, exploits)),
            _ => None,
        },
        keep,
    };
    let mut checked: Vec<CheckedTask> = decls
        .tasks
        .par_iter()
        .map(|(file, t)| checker.check(*file, t))
        .collect();
    drop(decls);

    // Pass 2: each task-only file parsed, checked and (unless kept) dropped
    // on one thread.
    let task_files: Vec<TaskFile> = second
        .into_par_iter()
        .map(|id| check_task_file(&checker, id))
        .collect();
    for f in task_files {
        if f.surprise {
            return None;
        }
        diagnostics.extend(f.parse_diagnostics);
        checked.extend(f.tasks);
        files.extend(f.ast.map(|ast| (f.id, ast)));
    }
    files.sort_by_key(|(id, _)| *id);
    checked.sort_by_key(|t| (t.file, t.id.span.start));

    // Across tasks: ids are unique, tasks need a domain, and no gold text
    // is off-topic for the project.
    let summaries: Vec<verify::Summary> = checked
        .iter_mut()
        .filter_map(|t| t.summary.take().map(|s| *s))
        .collect();
    diagnostics.extend(verify::project(&summaries, exploits));
    drop(summaries);
    validate::duplicate_tasks(
        sources,
        checked.iter().map(|t| (t.file, &t.id)),
        &mut diagnostics,
    );
    if declared.scope.domain.is_none() {
        if let Some(t) = checked.first() {
            diagnostics.push(validate::missing_domain((t.file, &t.id)));
        }
    }

    let task_count = checked.len();
    let mut uses = Uses::new();
    if keep == Keep::Everything {
        uses.extend(declared.uses.iter().cloned());
        for t in &mut checked {
            uses.append(&mut t.uses);
        }
    }
    let document = assemble(declared, checked, &mut diagnostics, keep);
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
        uses,
    })
}

/// Parses `ids` in parallel; the diagnostics go into `diagnostics`, the
/// ASTs of the files that parsed come back in order.
fn parse_files(
    sources: &Sources,
    ids: Vec<FileId>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(FileId, ast::File)> {
    let parsed: Vec<(FileId, Option<ast::File>, Vec<Diagnostic>)> = ids
        .into_par_iter()
        .map(|id| {
            let (ast, diags) = syntax::parse(id, &sources.get(id).text);
            (id, ast, diags)
        })
        .collect();
    let mut files = Vec::with_capacity(parsed.len());
    for (id, ast, diags) in parsed {
        diagnostics.extend(diags);
        files.extend(ast.map(|ast| (id, ast)));
    }
    files
}

/// Parses a task-only file and checks its tasks.
fn check_task_file(checker: &TaskChecker<'_>, id: FileId) -> TaskFile {
    let (ast, parse_diagnostics) = syntax::parse(id, &checker.sources.get(id).text);
    let mut tasks = Vec::new();
    let mut surprise = false;
    for item in ast.iter().flat_map(|f| &f.items) {
        match item {
            ast::Item::Task(t) => tasks.push(checker.check(id, t)),
            _ => surprise = true,
        }
    }
    TaskFile {
        id,
        ast: ast.filter(|_| checker.keep == Keep::Everything),
        parse_diagnostics,
        tasks,
        surprise,
    }
}

/// The spec, when nothing found an error and the caller keeps it. Moves
/// every task's diagnostics into `diagnostics`.
fn assemble(
    declared: Declared,
    checked: Vec<CheckedTask>,
    diagnostics: &mut Vec<Diagnostic>,
    keep: Keep,
) -> Option<Document> {
    let mut tasks = BTreeMap::new();
    let mut matching = BTreeMap::new();
    let mut grading = BTreeMap::new();
    for t in checked {
        diagnostics.extend(t.diagnostics);
        if let Some(task) = t.out.map(|out| *out) {
            let id = task.spec.task_id.clone();
            if !task.matching.is_empty() {
                matching.insert(id.clone(), task.matching);
            }
            if !task.grading.is_empty() {
                grading.insert(id.clone(), task.grading);
            }
            tasks.entry(id).or_insert(task.spec);
        }
    }
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let Declared {
        scope,
        floors,
        trees,
        ..
    } = declared;
    // A project needs a domain when it declares tasks (E-code above when
    // it does not); tree policies and floors alone compile without one.
    let domain_needed = !tasks.is_empty();
    match scope.domain {
        domain
            if !has_errors && keep == Keep::Everything && (domain.is_some() || !domain_needed) =>
        {
            Some(Document {
                contract: Default::default(),
                domain,
                marker_sets: scope
                    .marker_sets
                    .into_iter()
                    .map(|(k, v)| (k, v.into_iter().map(|(text, _)| text).collect()))
                    .collect(),
                floors,
                trees,
                tasks,
                matching,
                grading,
            })
        }
        _ => None,
    }
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
        let grammar = include_str!("../grammar/task.pest");
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
                let phased = compile_in_passes(&sources, Vec::new(), keep, false, true).unwrap();
                let one = compile_in_passes(&sources, Vec::new(), keep, true, true).unwrap();
                assert_eq!(phased.diagnostics, one.diagnostics, "{paths:?}");
                assert_eq!(phased.task_count, one.task_count);
                assert_eq!(phased.asts, one.asts);
                let json = |c: &Compilation| serde_json::to_string(&c.document).unwrap();
                assert_eq!(json(&phased), json(&one));
            }
        }
    }
}
