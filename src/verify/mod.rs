//! Compiled task → what running it proves. Each check here runs the real
//! runtime on a task that compiled cleanly against a sound domain: that its
//! gold episode scores 1.0 ([`solvability`], E1001), that no stock exploit
//! games it ([`gaming`], E1002), and that its examples behave as stated
//! ([`examples`], E1003). What needs every task of the project (the
//! off-topic rule applied to each gold text, the exploit that sends every
//! task's markers) runs once all tasks are known ([`project`]).

mod examples;
mod gaming;
mod solvability;

use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Code, Cx, Diagnostic};
use crate::runtime::env::{exploits, gold, DomainRuntime, ProjectMarkers, TaskGroups, TaskRuntime};
use crate::source::{FileId, Span};
use crate::spec::{DomainSpec, TaskMatching};
use crate::syntax::ast;
use crate::validate::ValidTask;

/// Where the parts of a task that its proofs speak of are written, for the
/// labels of their errors (an unsolvable task points at its task name and
/// at the line that makes it so).
#[derive(Clone, Debug, Default)]
pub(crate) struct Places {
    pub id: Span,
    pub max_steps: Option<Span>,
    pub sla_step_cost: Option<Span>,
    pub sla_minutes: Option<Span>,
    pub gold_reply: Option<Span>,
    pub gold_note: Option<Span>,
    /// Each `require` line of `reply`, then of `note`, in order (the order
    /// of the spec's groups).
    pub reply_groups: Vec<Span>,
    pub note_groups: Vec<Span>,
}

impl Places {
    pub fn of(task: &ast::Task) -> Self {
        let mut places = Places {
            id: task.id.span,
            ..Places::default()
        };
        for field in &task.fields {
            let line = |value: Span| Some(field.keyword.span.cover(value));
            match &field.value {
                ast::TaskValue::MaxSteps(n) => places.max_steps = line(n.span),
                ast::TaskValue::SlaStepCost(n) => places.sla_step_cost = line(n.span),
                ast::TaskValue::Ticket(fields) => {
                    for f in fields {
                        if let ast::TicketValue::SlaMinutes(n) = &f.value {
                            places.sla_minutes = Some(f.keyword.span.cover(n.span));
                        }
                    }
                }
                ast::TaskValue::Expect(fields) => {
                    for f in fields {
                        let line = |t: &ast::Text| Some(f.keyword.span.cover(t.span));
                        match &f.value {
                            ast::ExpectValue::Reply(t) => places.gold_reply = line(t),
                            ast::ExpectValue::Note(t) => places.gold_note = line(t),
                            _ => {}
                        }
                    }
                }
                ast::TaskValue::Reply(rules) => places.reply_groups = requires(rules),
                ast::TaskValue::Note(rules) => places.note_groups = requires(rules),
                _ => {}
            }
        }
        places
    }
}

/// The span of each `require` line's alternatives, in order.
fn requires(rules: &[ast::MarkerRule]) -> Vec<Span> {
    rules
        .iter()
        .filter_map(|r| match r {
            ast::MarkerRule::Require(group) => Some(group.span),
            ast::MarkerRule::Forbid(_) => None,
        })
        .collect()
}

/// Runs tasks of one domain; built once per compilation.
pub(crate) struct Verifier {
    shared: Arc<DomainRuntime>,
    /// Whether to play the stock exploits (E1002).
    exploits: bool,
}

/// What the project-wide check needs of one verified task: its groups and
/// the texts its gold episode sends (kept small: a large project holds one
/// per task until every task is known).
pub(crate) struct Summary {
    file: FileId,
    at: Span,
    task_id: String,
    reply: Vec<Vec<String>>,
    note: Vec<Vec<String>>,
    /// Only where a required marker does not use the default mode.
    matching: Option<TaskMatching>,
    off_topic_groups: u32,
    text_budget: u32,
    marker_density: f64,
    gaming_threshold: f64,
    /// What the no-reply exploit scores: at least what the every-task-text
    /// exploit can score where that text is voided for this task (a voided
    /// reply counts as no reply, and a voided note earns less than the gold
    /// one).
    void_score: f64,
    /// `("reply" | "note", text)`, in order.
    gold_texts: Vec<(&'static str, String)>,
}

impl Verifier {
    pub fn new(domain: &DomainSpec, exploits: bool) -> Self {
        Self {
            shared: DomainRuntime::new(domain),
            exploits,
        }
    }

    /// Proves everything this stage proves of one task on its own,
    /// reporting at `at` (the task's id) what does not hold, and returns
    /// what the project-wide check needs of it.
    pub fn task(&self, cx: &mut Cx, places: &Places, task: ValidTask) -> Summary {
        let at = places.id;
        let ValidTask {
            spec,
            matching,
            grading,
            examples,
        } = task;
        let rt = TaskRuntime::from_spec(spec, &self.shared, Some(&matching), Some(&grading));
        let rt = Arc::new(rt);
        // A task that cannot be solved is reported as such; its exploits,
        // built from its gold episode, would say nothing more.
        // The no-reply exploit's score bounds what any episode with a
        // voided reply earns (for the project-wide every-task-text check).
        let mut void_score = 0.0;
        if solvability::check(cx, places, rt.clone()) && self.exploits {
            void_score = gaming::check(cx, at, &rt);
        }
        examples::check(cx, &rt, &examples);
        let gold_texts = gold::actions(&rt)
            .iter()
            .filter_map(|a| match a["action_type"].as_str() {
                Some("reply") => Some(("reply", a["message"].as_str()?.to_owned())),
                Some("add_note") => Some(("note", a["text"].as_str()?.to_owned())),
                _ => None,
            })
            .collect();
        let modes = TaskMatching {
            required_reply_markers: matching.required_reply_markers,
            required_note_markers: matching.required_note_markers,
            ..TaskMatching::default()
        };
        Summary {
            file: cx.file,
            at,
            task_id: rt.spec.task_id.clone(),
            reply: rt.spec.required_reply_markers.clone(),
            note: rt.spec.required_note_markers.clone(),
            matching: (!modes.is_empty()).then_some(modes),
            off_topic_groups: rt.grading.off_topic_groups,
            gaming_threshold: rt.grading.gaming_threshold,
            text_budget: rt.grading.text_budget,
            marker_density: rt.grading.marker_density,
            void_score,
            gold_texts,
        }
    }
}

/// Whether a normalized text is a marker salad for a task, as the grader
/// would judge it (two markers or more, and more than the task's
/// `marker_density` of its words marker words).
fn is_salad(s: &Summary, normalized: &str) -> bool {
    use crate::matching::MatchMode;
    let mode = |m: &str, reply: bool| {
        s.matching.as_ref().map_or(MatchMode::MARKER_DEFAULT, |t| {
            if reply {
                t.reply_mode(m)
            } else {
                t.note_mode(m)
            }
        })
    };
    // Every required marker of the task, as the grader scans a text.
    let patterns: Vec<(&str, MatchMode)> = s
        .reply
        .iter()
        .flatten()
        .map(|m| (m.as_str(), mode(m, true)))
        .chain(
            s.note
                .iter()
                .flatten()
                .map(|m| (m.as_str(), mode(m, false))),
        )
        .collect();
    let matcher = crate::matching::Matcher::new(patterns);
    let mut hits = Vec::new();
    let mut distinct = std::collections::HashSet::new();
    matcher.scan_normalized(normalized, |p, start, end| {
        distinct.insert(p);
        hits.push((start, end));
    });
    distinct.len() >= 2
        && s.marker_density < 1.0
        && crate::runtime::env::salad(
            &crate::matching::word_spans(normalized),
            &hits,
            s.marker_density,
        )
        .is_some()
}

/// The project-wide checks: no gold text is off-topic (meets more required
/// groups of other tasks than its task allows), and the exploit that sends
/// one text holding every task's markers does not game any task: where that
/// text is off-topic or a salad for a task, it meets no group there and
/// scores at most the task's void score; where it is neither, the task is
/// reported. `summaries` are every verified task's.
pub(crate) fn project(summaries: &[Summary], exploits: bool) -> Vec<Diagnostic> {
    if summaries.len() < 2 {
        return Vec::new();
    }
    // The table (one automaton of every task's markers, built on one
    // thread) and the every-task text are independent.
    let (table, (every_normalized, every_chars)) = rayon::join(
        || {
            ProjectMarkers::for_check(summaries.iter().map(|s| TaskGroups {
                task_id: &s.task_id,
                reply: &s.reply,
                note: &s.note,
                matching: s.matching.as_ref(),
            }))
        },
        || {
            let every = exploits::every_task_text(
                summaries.iter().flat_map(|s| s.reply.iter().chain(&s.note)),
            );
            let normalized = crate::matching::normalize_pattern(&every);
            // Counted once: the text holds every task's markers, so it grows
            // with the project (counting it per task made this quadratic).
            let chars = every.chars().count();
            (normalized, chars)
        },
    );
    // Each task is judged on its own (the table is shared, read-only).
    summaries
        .par_iter()
        .flat_map_iter(|s| {
            let mut out = Vec::new();
            let own = s
                .reply
                .iter()
                .chain(&s.note)
                .flatten()
                .map(|m| crate::matching::normalize_pattern(m))
                .collect();
            let limit = s.off_topic_groups as usize;
            let voided = every_chars > s.text_budget as usize
                || is_salad(s, &every_normalized)
                || table.foreign_groups(&s.task_id, &own, &every_normalized, limit) > limit;
            let bound = if voided { s.void_score } else { 1.0 };
            if exploits && bound > s.gaming_threshold + 1e-9 {
                out.push(
                    Diagnostic::error(
                        Code::Gameable,
                        s.file,
                        s.at,
                        format!(
                            "task `{}` can be gamed: the `every_task_text` exploit can score up to \
                             {}, above the gaming threshold {}",
                            s.task_id,
                            gaming::round(bound),
                            gaming::round(s.gaming_threshold)
                        ),
                    )
                    .with_label("one text with every task's markers")
                    .with_help(gaming::remedy("every_task_text")),
                );
            }
            for (section, text) in &s.gold_texts {
                let normalized = crate::matching::normalize_pattern(text);
                let foreign = table.foreign_groups(&s.task_id, &own, &normalized, limit);
                if foreign > limit {
                    out.push(
                        Diagnostic::error(
                            Code::Unsolvable,
                            s.file,
                            s.at,
                            format!(
                                "task `{}` cannot reach a score of 1.0: its gold {section} is \
                                 off-topic (it meets more than {} required groups of other tasks)",
                                s.task_id, s.off_topic_groups
                            ),
                        )
                        .with_label(format!("the gold {section} meets no group"))
                        .with_help(format!(
                            "write the {section} in `expect` so that it speaks of this task only, \
                             or raise `off_topic` in the task's `grading`"
                        )),
                    );
                }
            }
            out
        })
        .collect()
}
