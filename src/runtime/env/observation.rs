//! What an agent sees, and the episode state. The parts of an observation
//! that never change within an episode (ticket, knowledge base, allowed
//! values) are shared, so a step copies only what moves.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action::ActionError;
use crate::spec::{KnowledgeSnippet, TicketSpec};

/// The allowed values of every enumerated field, so an agent never guesses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Allowed {
    pub action_types: Vec<String>,
    pub queues: Vec<String>,
    pub priorities: Vec<String>,
    pub issue_types: Vec<String>,
    pub statuses: Vec<String>,
    pub resolution_codes: Vec<String>,
    pub fields: Vec<String>,
}

/// The parts of an observation fixed for a task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TaskView {
    pub task_id: String,
    pub title: String,
    pub difficulty: crate::spec::Difficulty,
    pub objective: String,
    pub ticket: TicketSpec,
    pub knowledge_base: Vec<KnowledgeSnippet>,
    /// Shared by every task of a domain.
    pub allowed: Arc<Allowed>,
    pub max_steps: u32,
}

/// The case as the agent has shaped it so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Workspace {
    pub queue: Option<String>,
    pub priority: Option<String>,
    pub issue_type: Option<String>,
    pub status: Option<String>,
    pub resolution_code: Option<String>,
    /// Every field requested so far, in first-request order.
    pub requested_fields: Vec<String>,
    pub replies: Vec<String>,
    /// The messages sent with `request_info` (the customer reads them too).
    #[serde(default)]
    pub request_messages: Vec<String>,
    pub notes: Vec<String>,
}

/// One observation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Observation {
    #[serde(flatten)]
    pub task: Arc<TaskView>,
    /// Actions taken so far (valid or not).
    pub step: u32,
    pub sla_minutes_left: i64,
    /// True once the SLA minutes have run out (and from then on: whether
    /// the case reached its queue in time is part of the grade, not shown).
    pub sla_breached: bool,
    pub workspace: Workspace,
    /// Customer messages received so far (the follow-up, once requested).
    pub customer_messages: Vec<String>,
    /// What was wrong with the last action, if it was invalid.
    pub last_action_error: Option<ActionError>,
    pub done: bool,
}

/// The score broken into the contract's components, each in [0, 1].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Breakdown {
    pub queue: f64,
    pub priority: f64,
    pub issue_type: f64,
    pub status: f64,
    pub resolution_code: f64,
    pub info_requests: f64,
    pub reply: f64,
    pub note: f64,
    pub process: f64,
}

impl Breakdown {
    /// `(name, value)` in the contract's order.
    pub fn components(&self) -> [(&'static str, f64); 9] {
        [
            ("queue", self.queue),
            ("priority", self.priority),
            ("issue_type", self.issue_type),
            ("status", self.status),
            ("resolution_code", self.resolution_code),
            ("info_requests", self.info_requests),
            ("reply", self.reply),
            ("note", self.note),
            ("process", self.process),
        ]
    }
}

/// A gate that caps the score as the episode stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FiredGate {
    pub name: String,
    pub cap: f64,
    /// What fired it, where that is a text: the phrase or act said, the
    /// marker and the word that negated it, the language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

/// What a step reports beside the observation: the grader's view, for
/// authors (`taskc run`). A server sends it to an agent only with the last
/// step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Info {
    /// The score so far (the final score on the last step).
    pub score: f64,
    pub breakdown: Breakdown,
    /// The gates that cap the score as the episode stands.
    pub gates: Vec<FiredGate>,
    /// The texts so far that met no group, and why.
    pub voided: Vec<super::Voided>,
    /// Whether the action was valid.
    pub valid: bool,
}

/// The result of `reset` or `step`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StepResult {
    pub observation: Observation,
    pub reward: f64,
    pub done: bool,
    pub info: Info,
}

/// The episode's full state (for debugging and servers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct State {
    pub episode_id: String,
    pub task_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub step_count: u32,
    pub max_steps: u32,
    pub done: bool,
    pub score: f64,
    pub breakdown: Breakdown,
    pub gates: Vec<FiredGate>,
    pub voided: Vec<super::Voided>,
    pub sla_minutes_left: i64,
    pub workspace: Workspace,
    pub customer_messages: Vec<String>,
    /// The step of the request that brought the follow-up.
    pub follow_up_at: Option<u32>,
    /// Fields requested after the follow-up arrived.
    pub requested_after_follow_up: Vec<String>,
    pub last_action_error: Option<ActionError>,
}
