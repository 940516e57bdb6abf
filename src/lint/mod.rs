//! Lint rules over compiled sources: problems an author wants to know about
//! that do not stop a task from compiling. The context resolves what every
//! rule needs once (marker groups with their sets expanded, declarations and
//! their uses); each rule lives in its own file under `rules/`.

pub mod config;
pub mod registry;
mod rules;

use std::collections::BTreeMap;

use crate::compile::Compilation;
use crate::diagnostic::{Diagnostic, Severity, Uses};
use crate::matching;
use crate::source::Span;
use crate::source::{FileId, Sources};
use crate::spec::MatchMode;
use crate::syntax::ast::{self, Alternative, Item, MarkerRule, TaskValue};

pub use config::Config;
pub use registry::{Level, RuleInfo, RULES};

/// One alternative of a group after marker sets are expanded.
#[derive(Clone, Debug)]
pub struct Alt {
    pub text: String,
    /// The mode it matches with (the section default when none is written).
    pub mode: MatchMode,
    /// Whether the mode is written (`word`, `substring`) rather than the
    /// section's default.
    pub explicit: bool,
    /// Where it is written (the set's name when it comes from a set).
    pub span: Span,
    /// The set it comes from, if any.
    pub via: Option<String>,
}

impl Alt {
    /// Its normalized text.
    pub fn normalized(&self) -> String {
        matching::normalize_pattern(&self.text)
    }
}

/// A `require` group (or a marker set's own group).
#[derive(Clone, Debug)]
pub struct Group {
    pub file: FileId,
    pub span: Span,
    pub alts: Vec<Alt>,
}

/// The marker rules of one task.
#[derive(Clone, Debug)]
pub struct TaskMarkers {
    pub file: FileId,
    pub id: String,
    pub reply: Vec<Group>,
    pub note: Vec<Group>,
    pub forbidden: Vec<Alt>,
    pub forbidden_file: FileId,
}

/// What the rules look at.
pub struct LintContext<'a> {
    pub sources: &'a Sources,
    /// The compiled spec, when the sources compiled without error.
    pub document: Option<&'a crate::spec::Document>,
    pub asts: &'a [(FileId, ast::File)],
    /// What validation recorded as used.
    pub uses: &'a Uses,
    pub tasks: Vec<TaskMarkers>,
    /// Marker sets by name, with their own group.
    pub sets: BTreeMap<String, Group>,
}

impl<'a> LintContext<'a> {
    /// Every floor declared, with its file.
    pub fn floors(&self) -> impl Iterator<Item = (FileId, &'a ast::Floor)> {
        self.asts.iter().flat_map(|(file, ast)| {
            ast.items.iter().filter_map(move |item| match item {
                ast::Item::Floor(floor) => Some((*file, floor)),
                _ => None,
            })
        })
    }

    pub fn new(
        sources: &'a Sources,
        asts: &'a [(FileId, ast::File)],
        uses: &'a Uses,
        document: Option<&'a crate::spec::Document>,
    ) -> Self {
        let mut sets = BTreeMap::new();
        for (file, ast) in asts {
            for item in &ast.items {
                if let Item::MarkerSet(set) = item {
                    let alts = set
                        .group
                        .node
                        .iter()
                        .filter_map(|a| match a {
                            Alternative::Marker(m) => {
                                Some(marker_alt(m, MatchMode::MARKER_DEFAULT, None))
                            }
                            Alternative::Set(_) => None,
                        })
                        .collect();
                    sets.entry(set.name.node.clone()).or_insert(Group {
                        file: *file,
                        span: set.group.span,
                        alts,
                    });
                }
            }
        }
        let mut cx = LintContext {
            sources,
            document,
            asts,
            uses,
            tasks: Vec::new(),
            sets,
        };
        for (file, ast) in asts {
            for item in &ast.items {
                if let Item::Task(task) = item {
                    let markers = cx.task_markers(*file, task);
                    cx.tasks.push(markers);
                }
            }
        }
        cx
    }

    fn task_markers(&self, file: FileId, task: &ast::Task) -> TaskMarkers {
        let mut out = TaskMarkers {
            file,
            id: task.id.node.clone(),
            reply: Vec::new(),
            note: Vec::new(),
            forbidden: Vec::new(),
            forbidden_file: file,
        };
        for field in &task.fields {
            let (rules, is_reply) = match &field.value {
                TaskValue::Reply(rules) => (rules, true),
                TaskValue::Note(rules) => (rules, false),
                _ => continue,
            };
            for rule in rules {
                match rule {
                    MarkerRule::Require(group) => {
                        let group = Group {
                            file,
                            span: group.span,
                            alts: self.expand(&group.node, MatchMode::MARKER_DEFAULT),
                        };
                        if is_reply {
                            out.reply.push(group);
                        } else {
                            out.note.push(group);
                        }
                    }
                    MarkerRule::Forbid(list) => {
                        let alts: Vec<Alternative> =
                            list.node.iter().map(|f| f.alternative.clone()).collect();
                        out.forbidden
                            .extend(self.expand(&alts, MatchMode::FORBIDDEN_DEFAULT));
                    }
                    // Acts are matched by verb and object, not as phrases.
                    MarkerRule::ForbidAct(_) => {}
                }
            }
        }
        out
    }

    /// Alternatives with marker sets expanded (unknown sets are the
    /// compiler's error), each with its mode (`default` where none is written).
    fn expand(&self, alts: &[Alternative], default: MatchMode) -> Vec<Alt> {
        let mut out = Vec::new();
        for alt in alts {
            match alt {
                Alternative::Marker(m) => out.push(marker_alt(m, default, None)),
                Alternative::Set(name) => {
                    if let Some(set) = self.sets.get(&name.node) {
                        out.extend(set.alts.iter().map(|a| Alt {
                            span: name.span,
                            via: Some(name.node.clone()),
                            mode: if a.explicit { a.mode } else { default },
                            ..a.clone()
                        }));
                    }
                }
            }
        }
        out
    }

    /// A warning of `rule` at `span` in `file`.
    pub fn warning(
        &self,
        rule: &RuleInfo,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::warning(rule.code, file, span, message)
    }
}

/// An alternative written out in a marker (or phrase), with its mode.
pub fn marker_alt(m: &ast::Marker, default: MatchMode, via: Option<String>) -> Alt {
    Alt {
        text: m.text.node.clone(),
        mode: m.mode.as_ref().map_or(default, |m| m.node),
        explicit: m.mode.is_some(),
        span: m.span,
        via,
    }
}

/// Whether every text that `narrow` matches is also matched by `broad`:
/// `broad` then makes `narrow` redundant (or shadows it).
pub fn covers(broad: &Alt, narrow: &Alt) -> bool {
    match broad.mode {
        MatchMode::Substring => {
            matching::occurs_in(&broad.text, MatchMode::Substring, &narrow.text)
        }
        // A whole-word pattern inside a substring one could sit inside a
        // longer word of the text, so only word inside word is certain.
        MatchMode::Word => {
            narrow.mode == MatchMode::Word
                && matching::occurs_in(&broad.text, MatchMode::Word, &narrow.text)
        }
        // A word start inside a text matched at a word start is a word
        // start of the text; a substring match may start mid-word.
        MatchMode::Start | MatchMode::Loose => {
            narrow.mode != MatchMode::Substring
                && matching::occurs_in(&broad.text, broad.mode, &narrow.text)
        }
    }
}

/// Runs every rule at its configured level and returns the findings in
/// source order (rules at `allow` are skipped, `deny` findings are errors).
pub fn lint(sources: &Sources, compilation: &Compilation, config: &Config) -> Vec<Diagnostic> {
    let cx = LintContext::new(
        sources,
        &compilation.asts,
        &compilation.uses,
        compilation.document.as_ref(),
    );
    let mut out = Vec::new();
    for rule in RULES {
        let level = config.level(rule);
        if level == Level::Allow {
            continue;
        }
        let mut found = Vec::new();
        (rule.check)(&cx, &mut found);
        for mut d in found {
            if level == Level::Deny {
                d.severity = Severity::Error;
            }
            out.push(d);
        }
    }
    crate::diagnostic::sort(&mut out);
    out
}
