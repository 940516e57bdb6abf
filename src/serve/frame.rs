//! Step replies written straight to JSON text: the served form of
//! [`api::StepReply`] without building a `serde_json::Value` tree for it.
//!
//! Most of an observation never changes within a task (ticket, knowledge
//! base, allowed values, objective: ~2.5 KB of the ~3.3 KB a step sends), so
//! those parts are rendered once per task when the server starts and copied
//! into every reply as they are. The bytes are exactly those of the `Value`
//! route ([`super::observation_data`]), keys in the same (sorted) order;
//! a test holds the two to it on every kind of step.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::runtime::env::{Episode, StepResult, TaskRuntime, Workspace};

use super::api;

/// A task's unchanging observation parts, rendered once.
#[derive(Debug)]
pub struct TaskFrame {
    task_id: Box<RawValue>,
    title: Box<RawValue>,
    difficulty: Box<RawValue>,
    objective: Box<RawValue>,
    ticket: Box<RawValue>,
    knowledge_base: Box<RawValue>,
    allowed: Box<RawValue>,
    max_steps: u32,
}

/// Renders a value as the `Value` route does (object keys sorted).
fn rendered(value: &impl Serialize) -> Box<RawValue> {
    let text = serde_json::to_value(value)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| "null".to_owned());
    RawValue::from_string(text).unwrap_or_else(|_| Default::default())
}

impl TaskFrame {
    pub fn new(rt: &TaskRuntime) -> TaskFrame {
        let view = rt.view();
        TaskFrame {
            task_id: rendered(&view.task_id),
            title: rendered(&view.title),
            difficulty: rendered(&view.difficulty),
            objective: rendered(&view.objective),
            ticket: rendered(&view.ticket),
            knowledge_base: rendered(&view.knowledge_base),
            allowed: rendered(&view.allowed),
            max_steps: view.max_steps,
        }
    }

    /// One frame per task of the server.
    pub fn all(
        runtimes: &BTreeMap<String, std::sync::Arc<TaskRuntime>>,
    ) -> BTreeMap<String, TaskFrame> {
        runtimes
            .iter()
            .map(|(id, rt)| (id.clone(), TaskFrame::new(rt)))
            .collect()
    }
}

// The structs below list their fields in sorted order: the order in which
// a `Value` (a sorted map) writes them.

#[derive(Serialize)]
struct Frame<'a> {
    data: Data<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Data<'a> {
    done: bool,
    metadata: &'a Metadata<'a>,
    observation: Observation<'a>,
    reward: f64,
}

/// The step's metadata: before the end four plain fields; at the end, with
/// the grade, rendered through a `Value` (once per episode).
#[derive(Serialize)]
#[serde(untagged)]
enum Metadata<'a> {
    Plain {
        episode_id: &'a str,
        step: u32,
        task_id: &'a str,
        valid: bool,
    },
    Graded(Value),
}

#[derive(Serialize)]
struct Observation<'a> {
    allowed: &'a RawValue,
    customer_messages: &'a [String],
    difficulty: &'a RawValue,
    done: bool,
    knowledge_base: &'a RawValue,
    last_action_error: Option<Value>,
    max_steps: u32,
    metadata: &'a Metadata<'a>,
    objective: &'a RawValue,
    reward: f64,
    sla_breached: bool,
    sla_minutes_left: i64,
    step: u32,
    task_id: &'a RawValue,
    ticket: &'a RawValue,
    title: &'a RawValue,
    workspace: SortedWorkspace<'a>,
}

#[derive(Serialize)]
struct SortedWorkspace<'a> {
    issue_type: &'a Option<String>,
    notes: &'a [String],
    priority: &'a Option<String>,
    queue: &'a Option<String>,
    replies: &'a [String],
    request_messages: &'a [String],
    requested_fields: &'a [String],
    resolution_code: &'a Option<String>,
    status: &'a Option<String>,
}

impl<'a> From<&'a Workspace> for SortedWorkspace<'a> {
    fn from(w: &'a Workspace) -> Self {
        SortedWorkspace {
            issue_type: &w.issue_type,
            notes: &w.notes,
            priority: &w.priority,
            queue: &w.queue,
            replies: &w.replies,
            request_messages: &w.request_messages,
            requested_fields: &w.requested_fields,
            resolution_code: &w.resolution_code,
            status: &w.status,
        }
    }
}

/// A reset's or step's reply: `data` of an observation frame (and the body
/// of HTTP `/reset` and `/step`), or with `frame` the whole WebSocket frame
/// `{"data": ..., "type": "observation"}`.
pub fn step_reply(task: &TaskFrame, result: StepResult, episode: &Episode, frame: bool) -> String {
    let metadata = if result.done {
        let graded = api::StepMetadata::new(&result, episode);
        Metadata::Graded(serde_json::to_value(graded).unwrap_or(Value::Null))
    } else {
        Metadata::Plain {
            episode_id: episode.episode_id(),
            step: episode.step_count(),
            task_id: &episode.task().spec.task_id,
            valid: result.info.valid,
        }
    };
    let o = &result.observation;
    let data = Data {
        done: result.done,
        metadata: &metadata,
        observation: Observation {
            allowed: &task.allowed,
            customer_messages: &o.customer_messages,
            difficulty: &task.difficulty,
            done: o.done,
            knowledge_base: &task.knowledge_base,
            last_action_error: o
                .last_action_error
                .as_ref()
                .map(|e| serde_json::to_value(e).unwrap_or(Value::Null)),
            max_steps: task.max_steps,
            metadata: &metadata,
            objective: &task.objective,
            reward: result.reward,
            sla_breached: o.sla_breached,
            sla_minutes_left: o.sla_minutes_left,
            step: o.step,
            task_id: &task.task_id,
            ticket: &task.ticket,
            title: &task.title,
            workspace: SortedWorkspace::from(&o.workspace),
        },
        reward: result.reward,
    };
    let written = if frame {
        serde_json::to_string(&Frame {
            data,
            kind: "observation",
        })
    } else {
        serde_json::to_string(&data)
    };
    // Serializing strings, numbers and rendered parts cannot fail.
    written.unwrap_or_default()
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;
    use crate::runtime::env::{exploits, gold};

    /// Every kind of step (gold episodes, every stock exploit with its
    /// invalid actions, gates and voided texts, a step past the limits, and
    /// malformed actions) gives the same bytes as the `Value` route.
    #[test]
    fn frames_are_the_bytes_of_the_value_route() {
        let shared = crate::serve::shipped();
        let mut checked = 0;
        for rt in shared.runtimes.values() {
            let mut episodes = vec![gold::actions(rt)];
            episodes.extend(exploits::exploits(rt, None).into_iter().map(|e| e.actions));
            episodes.push(vec![
                json!({"action_type": "classify", "queue": "nowhere"}),
                json!({"action_type": "teleport"}),
                json!("not an object"),
                json!({"action_type": "reply", "message": "We will refund the \"duplicate\" charge — é\u{1F600}\n."}),
                json!({"action_type": "set_status"}),
            ]);
            for actions in episodes {
                let (mut episode, first) = Episode::reset(rt.clone(), None, Some(7));
                let mut results = vec![(first, episode.clone())];
                for action in &actions {
                    match episode.step(action) {
                        Ok(result) => results.push((result, episode.clone())),
                        Err(_) => break,
                    }
                }
                for (result, at) in results {
                    let expected = json!({"type": "observation", "data": super::super::observation_data(result.clone(), &at)});
                    assert_eq!(
                        shared.step_reply(result.clone(), &at, true),
                        expected.to_string()
                    );
                    assert_eq!(
                        shared.step_reply(result, &at, false),
                        expected["data"].to_string()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 200, "{checked} steps");
    }
}
