//! AST → spec pieces, with their diagnostics. Every check family has its
//! own file; each reports into a [`Cx`] and carries on, so one run reports
//! every problem. Nothing here runs the runtime: what is proven by running
//! an episode lives in [`crate::verify`], and the order of the stages in
//! [`crate::compile`].

mod declarations;
mod domain;
mod examples;
mod fields;
mod floors;
mod follow_up;
mod grading;
mod markers;
mod names;
mod task;
mod tree;

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Cx, Diagnostic, Uses};
use crate::source::{FileId, SourceFile};
use crate::spec::{
    DomainSpec, FloorSpec, MatchMode, TaskGrading, TaskMatching, TaskSpec, TreePolicy,
};
use crate::syntax::ast;

pub(crate) use declarations::{collect, duplicate_tasks, Declarations};
pub(crate) use examples::CheckedExample;
pub use markers::MARKER_SET;
pub use tree::FLOOR;

/// What every task is checked against: the domain and the shared declarations.
pub(crate) struct Scope {
    pub domain: Option<DomainSpec>,
    /// Which vocabularies the domain declared (a missing one is not checked).
    pub declared: Vec<ast::Vocabulary>,
    pub marker_sets: BTreeMap<String, Vec<(String, Option<MatchMode>)>>,
    /// The domain's reader of negation, built on first use (every task with
    /// a forbidden marker needs it; building it is a DFA).
    pub negation: std::sync::OnceLock<crate::matching::Negation>,
}

impl Scope {
    /// The domain's negation reader (the defaults without a domain).
    pub fn negation(&self) -> &crate::matching::Negation {
        self.negation.get_or_init(|| {
            let default = crate::spec::Grading::default();
            let grading = self.domain.as_ref().map_or(&default, |d| &d.grading);
            crate::matching::Negation::new(&grading.negation_rules())
        })
    }

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

/// The project-wide declarations, validated: what tasks are checked
/// against ([`Scope`]) and the floors and tree policies.
pub(crate) struct Declared {
    pub scope: Scope,
    /// Whether the domain and the marker sets are free of errors: only then
    /// can a task's episodes be run meaningfully.
    pub scope_is_sound: bool,
    pub floors: BTreeMap<String, FloorSpec>,
    pub trees: BTreeMap<String, TreePolicy>,
    /// What the declarations refer to (trees name floors).
    pub uses: Uses,
}

/// Validates the domain, marker sets, floors and trees that `decls` found.
pub(crate) fn declarations(
    decls: &Declarations<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Declared {
    let errors = |d: &Vec<Diagnostic>| d.iter().filter(|d| d.is_error()).count();
    let errors_before = errors(diagnostics);
    let (mut domain, mut declared) = match decls.domain {
        Some((file, domain)) => {
            let mut cx = Cx::new(file);
            let (spec, declared) = domain::check(&mut cx, domain);
            diagnostics.extend(cx.diagnostics);
            (Some(spec), declared)
        }
        None => (None, Vec::new()),
    };
    domain::extend(
        decls.domain,
        domain.as_mut(),
        &decls.extensions,
        diagnostics,
    );
    if decls.ambiguous {
        // No vocabulary is checked, and no episode run, against a domain
        // the author may not have meant.
        declared.clear();
    }
    let mut marker_sets = BTreeMap::new();
    for (file, set) in &decls.marker_sets {
        let mut cx = Cx::new(*file);
        marker_sets.insert(set.name.node.clone(), markers::check_set(&mut cx, set));
        diagnostics.extend(cx.diagnostics);
    }
    let scope_is_sound = errors(diagnostics) == errors_before && !decls.ambiguous;

    let mut floors = BTreeMap::new();
    for (file, floor) in &decls.floors {
        let mut cx = Cx::new(*file);
        floors.insert(floor.name.node.clone(), floors::check(&mut cx, floor));
        diagnostics.extend(cx.diagnostics);
    }
    let mut trees = BTreeMap::new();
    let mut uses = Uses::new();
    for (file, t) in &decls.trees {
        let mut cx = Cx::new(*file);
        if let Some(policy) = tree::check(&mut cx, t, &decls.floor_names) {
            trees.insert(t.name.node.clone(), policy);
        }
        diagnostics.extend(cx.diagnostics);
        uses.extend(cx.uses);
    }
    Declared {
        scope: Scope {
            domain,
            declared,
            marker_sets,
            negation: std::sync::OnceLock::new(),
        },
        scope_is_sound,
        floors,
        trees,
        uses,
    }
}

/// One task validated: its spec in the seed's shape, and what sits beside
/// it in the document (how its markers match, its own grading).
#[derive(Clone, Debug)]
pub(crate) struct ValidTask {
    pub spec: TaskSpec,
    pub matching: TaskMatching,
    pub grading: TaskGrading,
    /// The task's examples, which the verify stage plays (they are tests,
    /// not part of the spec).
    pub examples: Vec<CheckedExample>,
}

/// Checks one task against the scope. Returns it when the task itself has
/// no error.
pub(crate) fn task(
    cx: &mut Cx,
    scope: &Scope,
    file: &SourceFile,
    t: &ast::Task,
) -> Option<ValidTask> {
    task::check(cx, scope, file, t)
}

/// The error when tasks were given but no domain: reported once, at the
/// first task (`first`: its file and id).
pub(crate) fn missing_domain(first: (FileId, &ast::Name)) -> Diagnostic {
    let (file, id) = first;
    Diagnostic::error(
        Code::MissingDomain,
        file,
        id.span,
        "no `domain` is declared, so this task's names cannot be checked",
    )
    .with_label("this task needs a domain")
    .with_help(
        "check the file that declares `domain NAME { ... }` together with the tasks \
         (e.g. `taskc check tasks`)",
    )
}
