//! Reference episodes of a task: the gold episode (what the compiler runs to
//! prove a task solvable) and the do-nothing episode (`submit` alone).

use serde_json::{json, Value};

use super::{Episode, StepResult, TaskRuntime};
use crate::spec::FollowUpOutcome;

/// The gold episode's actions: classify to gold, request exactly the
/// required fields, ask again for what a partial or incorrect follow-up
/// left missing, send the task's gold reply and note (its `expect { reply
/// "..." note "..." }`; without them, one alternative of every group), set
/// the gold status and resolution, submit. `submit` is left out when the
/// episode reaches `max_steps` without it (the episode ends there anyway).
pub fn actions(rt: &TaskRuntime) -> Vec<Value> {
    let t = &rt.spec;
    let mut out = vec![json!({
        "action_type": "classify",
        "queue": t.gold_queue,
        "priority": t.gold_priority,
        "issue_type": t.gold_issue_type,
    })];
    if !t.required_requested_fields.is_empty() {
        out.push(json!({"action_type": "request_info", "fields": t.required_requested_fields}));
        if matches!(
            t.follow_up_outcome,
            FollowUpOutcome::Partial | FollowUpOutcome::Incorrect
        ) {
            let missing: Vec<&String> = t
                .required_requested_fields
                .iter()
                .filter(|f| !t.follow_up_provided_fields.contains(f))
                .collect();
            out.push(json!({"action_type": "request_info", "fields": missing}));
        }
    }
    let pick = |group: &Vec<String>| -> String {
        // The first alternative that carries nothing banned, as the grader
        // sees them.
        group
            .iter()
            .find(|alt| !rt.contains_forbidden(alt))
            .unwrap_or(&group[0])
            .clone()
    };
    // The texts the task declares; without them, its markers joined (which
    // the grader takes for a marker salad wherever there is more than a
    // word or two, so the proof fails and asks the author for the texts).
    // One group: a sentence around its marker (a bare marker has no
    // sentence structure); several: their markers joined, a salad.
    let reply = rt.gold_reply.clone().or_else(|| {
        let parts: Vec<String> = t.required_reply_markers.iter().map(pick).collect();
        match parts.as_slice() {
            [] => None,
            [one] => Some(format!("We can confirm {one} for you.")),
            _ => Some(format!("{}.", parts.join(". "))),
        }
    });
    if let Some(message) = reply {
        out.push(json!({"action_type": "reply", "message": message}));
    }
    let note = rt.gold_note.clone().or_else(|| {
        (!t.required_note_markers.is_empty()).then(|| {
            let parts: Vec<String> = t
                .required_note_markers
                .iter()
                .map(|g| g[0].clone())
                .collect();
            format!("{}.", parts.join(". "))
        })
    });
    if let Some(text) = note {
        out.push(json!({"action_type": "add_note", "text": text}));
    }
    out.push(json!({
        "action_type": "set_status",
        "status": t.gold_status,
        "resolution_code": t.gold_resolution_code,
    }));
    out.push(json!({"action_type": "submit"}));
    if out.len() > t.max_steps as usize && out.len() - 1 == t.max_steps as usize {
        out.pop();
    }
    out
}

/// How many steps the gold episode needs (without a final `submit`).
pub fn steps_needed(rt: &TaskRuntime) -> usize {
    let actions = actions(rt);
    let ends_with_submit = actions.last().is_some_and(|a| a["action_type"] == "submit");
    actions.len() - usize::from(ends_with_submit)
}

/// The do-nothing episode.
pub fn do_nothing() -> Vec<Value> {
    vec![json!({"action_type": "submit"})]
}

/// Runs actions from reset until the episode ends or they run out, without
/// building observations; returns the grader's final view and the sum of
/// the rewards.
pub fn outcome(rt: std::sync::Arc<TaskRuntime>, actions: &[Value]) -> (super::Info, f64) {
    let (episode, rewards) = played(rt, actions);
    (episode.info(), rewards)
}

/// [`outcome`], keeping the episode (to ask it which groups are unmet).
pub fn played(rt: std::sync::Arc<TaskRuntime>, actions: &[Value]) -> (Episode, f64) {
    let (mut episode, _) = Episode::reset(rt, None, None);
    let mut rewards = 0.0;
    for action in actions {
        match episode.step_quietly(action) {
            Ok(reward) => rewards += reward,
            Err(_) => break,
        }
    }
    (episode, rewards)
}

/// Runs actions from reset until the episode ends or they run out; returns
/// every step's result (the reset first).
pub fn run(rt: std::sync::Arc<TaskRuntime>, actions: &[Value]) -> Vec<StepResult> {
    let (mut episode, first) = Episode::reset(rt, None, None);
    let mut out = vec![first];
    for action in actions {
        match episode.step(action) {
            Ok(result) => out.push(result),
            Err(_) => break,
        }
    }
    out
}
