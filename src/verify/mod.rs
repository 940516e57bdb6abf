//! Compiled task → what running it proves. Each check here runs the real
//! runtime on a task that compiled cleanly against a sound domain: that its
//! gold episode scores 1.0 ([`solvability`], E1001). What needs every task
//! of the project (the off-topic rule applied to each gold episode's texts)
//! runs once all tasks are known ([`project`]).

mod solvability;

use std::sync::Arc;

use crate::diagnostic::{Code, Cx, Diagnostic};
use crate::runtime::env::{gold, DomainRuntime, ProjectMarkers, TaskGroups, TaskRuntime};
use crate::source::{FileId, Span};
use crate::spec::{DomainSpec, TaskMatching};
use crate::validate::ValidTask;

/// Runs tasks of one domain; built once per compilation.
pub(crate) struct Verifier {
    shared: Arc<DomainRuntime>,
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
    /// `("reply" | "note", text)`, in order.
    gold_texts: Vec<(&'static str, String)>,
}

impl Verifier {
    pub fn new(domain: &DomainSpec) -> Self {
        Self {
            shared: DomainRuntime::new(domain),
        }
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
        let rt = TaskRuntime::from_spec(spec, &self.shared, Some(&matching), Some(&grading));
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
    let table = ProjectMarkers::new(summaries.iter().map(|s| TaskGroups {
        task_id: &s.task_id,
        reply: &s.reply,
        note: &s.note,
        matching: s.matching.as_ref(),
    }));
    let mut out = Vec::new();
    for s in summaries {
        let own = s
            .reply
            .iter()
            .chain(&s.note)
            .flatten()
            .map(|m| crate::matching::normalize_pattern(m))
            .collect();
        for (section, text) in &s.gold_texts {
            let normalized = crate::matching::normalize_pattern(text);
            let limit = s.off_topic_groups as usize;
            let foreign = table.foreign_groups(&s.task_id, &own, &normalized, limit);
            if foreign > s.off_topic_groups as usize {
                out.push(
                    Diagnostic::error(
                        Code::Unsolvable,
                        s.file,
                        s.at,
                        format!(
                            "task `{}` cannot reach a score of 1.0: its gold {section} is off-topic \
                             (it meets more than {} required groups of other tasks)",
                            s.task_id, s.off_topic_groups
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
