//! Compiled task → what running it proves. Each check here runs the real
//! runtime on a task that compiled cleanly against a sound domain: that its
//! gold episode scores 1.0 ([`solvability`], E1001). What needs every task
//! of the project (the off-topic rule applied to each gold episode's texts)
//! runs once all tasks are known ([`project`]).

mod solvability;

use std::sync::Arc;

use crate::diagnostic::{Code, Cx, Diagnostic};
use crate::runtime::env::{gold, Allowed, ProjectMarkers, TaskRuntime};
use crate::source::{FileId, Span};
use crate::spec::{DomainSpec, TaskMatching, TaskSpec};
use crate::validate::ValidTask;

/// Runs tasks of one domain; built once per compilation.
pub(crate) struct Verifier {
    domain: Arc<DomainSpec>,
    allowed: Arc<Allowed>,
}

/// What the project-wide check needs of one verified task: its groups and
/// the texts its gold episode sends.
pub(crate) struct Summary {
    file: FileId,
    at: Span,
    spec: TaskSpec,
    matching: TaskMatching,
    off_topic_groups: u32,
    /// `("reply" | "note", text)`, in order.
    gold_texts: Vec<(&'static str, String)>,
}

impl Verifier {
    pub fn new(domain: &DomainSpec) -> Self {
        let domain = Arc::new(domain.clone());
        let allowed = TaskRuntime::allowed(&domain);
        Self { domain, allowed }
    }

    /// Proves everything this stage proves of one task on its own,
    /// reporting at `at` (the task's id) what does not hold, and returns
    /// what the project-wide check needs of it.
    pub fn task(&self, cx: &mut Cx, at: Span, task: ValidTask) -> Summary {
        let ValidTask {
            spec,
            matching,
            grading,
        } = task;
        // The summary keeps only the groups, not the texts of the ticket.
        let groups_only = TaskSpec {
            ticket: crate::spec::TicketSpec {
                body: String::new(),
                business_impact: String::new(),
                ..spec.ticket.clone()
            },
            knowledge_base: Vec::new(),
            objective: String::new(),
            follow_up_message: String::new(),
            ..spec.clone()
        };
        let rt = TaskRuntime::from_spec(
            spec,
            self.domain.clone(),
            self.allowed.clone(),
            Some(&matching),
            Some(&grading),
        );
        let rt = Arc::new(rt);
        solvability::check(cx, at, rt.clone());
        let gold_texts = gold::actions(&rt)
            .iter()
            .filter_map(|a| match a["action_type"].as_str() {
                Some("reply") => Some(("reply", a["message"].as_str()?.to_owned())),
                Some("add_note") => Some(("note", a["text"].as_str()?.to_owned())),
                _ => None,
            })
            .collect();
        Summary {
            file: cx.file,
            at,
            spec: groups_only,
            matching,
            off_topic_groups: rt.grading.off_topic_groups,
            gold_texts,
        }
    }
}

/// The project-wide check: no gold text is off-topic (meets more required
/// groups of other tasks than its task allows). `summaries` are every
/// verified task's.
pub(crate) fn project(summaries: &[Summary]) -> Vec<Diagnostic> {
    if summaries.len() < 2 {
        return Vec::new();
    }
    let table = ProjectMarkers::new(summaries.iter().map(|s| (&s.spec, Some(&s.matching))));
    let mut out = Vec::new();
    for s in summaries {
        let own = s
            .spec
            .required_reply_markers
            .iter()
            .chain(&s.spec.required_note_markers)
            .flatten()
            .map(|m| crate::matching::normalize_pattern(m))
            .collect();
        for (section, text) in &s.gold_texts {
            let normalized = crate::matching::normalize_pattern(text);
            let foreign = table.foreign_groups(&s.spec.task_id, &own, &normalized);
            if foreign > s.off_topic_groups as usize {
                out.push(
                    Diagnostic::error(
                        Code::Unsolvable,
                        s.file,
                        s.at,
                        format!(
                            "task `{}` cannot reach a score of 1.0: its gold {section} is off-topic \
                             (it meets {foreign} required groups of other tasks, more than {})",
                            s.spec.task_id, s.off_topic_groups
                        ),
                    )
                    .with_label(format!("the gold {section} meets no group"))
                    .with_help(format!(
                        "write the {section} in `expect` so that it speaks of this task only, or \
                         raise `off_topic` in the task's `grading`"
                    )),
                );
            }
        }
    }
    out
}
