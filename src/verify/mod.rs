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

use crate::diagnostic::{Cx, Diagnostic};
use crate::runtime::env::{exploits, DomainRuntime, TaskRuntime};
use crate::source::{FileId, Span};
use crate::spec::DomainSpec;
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
            ast::MarkerRule::Forbid(_) | ast::MarkerRule::ForbidAct(_) => None,
        })
        .collect()
}

/// Runs tasks of one domain; built once per compilation.
pub(crate) struct Verifier {
    shared: Arc<DomainRuntime>,
    /// Whether to play the stock exploits (E1002).
    exploits: bool,
}

/// What the project-wide check needs of one verified task: the task, to
/// play the every-task exploit on it.
pub(crate) struct Summary {
    file: FileId,
    at: Span,
    rt: Arc<TaskRuntime>,
    /// Whether its gold episode scored 1.0 (the exploit is derived from it).
    solvable: bool,
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
        let solvable = solvability::check(cx, places, rt.clone());
        if solvable && self.exploits {
            gaming::check(cx, at, &rt);
        }
        examples::check(cx, &rt, &examples);
        Summary {
            file: cx.file,
            at,
            rt,
            solvable,
        }
    }
}

/// The project-wide check: the exploit that sends one text holding the
/// required markers of this task and of the tasks beside it (contract v3,
/// rule 8: a text written for every task at once must still fail) is
/// played on each task through the runtime, which grades it on the task
/// alone. The text takes the markers of up to [`NEIGHBOURS`] other tasks,
/// in id order after this one, so it stays a real reply's length in a
/// project of thousands.
pub(crate) fn project(summaries: &[Summary], exploits: bool) -> Vec<Diagnostic> {
    if summaries.len() < 2 || !exploits {
        return Vec::new();
    }
    summaries
        .par_iter()
        .enumerate()
        .filter(|(_, s)| s.solvable)
        .filter_map(|(i, s)| {
            let others = (1..summaries.len())
                .map(|k| &summaries[(i + k) % summaries.len()])
                .take(NEIGHBOURS);
            let groups = std::iter::once(s).chain(others).flat_map(|o| {
                o.rt.spec
                    .required_reply_markers
                    .iter()
                    .chain(&o.rt.spec.required_note_markers)
            });
            let every = exploits::every_task_text(groups);
            let outcome = exploits::every_task_outcome(&s.rt, &every);
            gaming::report(s.file, s.at, &s.rt, std::slice::from_ref(&outcome))
        })
        .collect()
}

/// How many other tasks' markers the every-task text holds.
const NEIGHBOURS: usize = 8;
