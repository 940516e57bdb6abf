//! The validated, serializable spec: what `taskc compile` emits and what the
//! runtime is driven by. No span or pest type reaches this module.
//!
//! Each task uses the seed's field names (`task_id`, `gold_queue`,
//! `ticket.customer_name`, ...) so the seed's Python dataclasses load a task
//! as is; how markers match, which the seed does not model, sits beside the
//! tasks in [`Document::matching`]. Maps are ordered so output is stable.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole compilation: the domain, the shared declarations and the tasks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub domain: DomainSpec,
    /// Named marker sets, each one group of alternatives.
    pub marker_sets: BTreeMap<String, Vec<String>>,
    /// Hard-floor pattern sets by name.
    pub floors: BTreeMap<String, FloorSpec>,
    /// Tree policies by name.
    pub trees: BTreeMap<String, TreePolicy>,
    /// Tasks by id, in the seed's shape.
    pub tasks: BTreeMap<String, TaskSpec>,
    /// Per task, the markers that do not use their section's default match
    /// mode. Tasks whose markers all use the defaults are absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub matching: BTreeMap<String, TaskMatching>,
}

/// The vocabularies and scoring weights every task is checked against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainSpec {
    pub name: String,
    pub queues: Vec<String>,
    /// Lowest first.
    pub priorities: Vec<String>,
    pub statuses: Vec<String>,
    pub issue_types: Vec<String>,
    pub resolution_codes: Vec<String>,
    pub tiers: Vec<String>,
    /// The field names an agent may request from a customer.
    pub fields: Vec<String>,
    pub risk_flags: Vec<String>,
    pub scoring: Weights,
}

/// The weight of each score component; they sum to 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weights {
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

impl Weights {
    /// The component names, in the order of the contract's table.
    pub const COMPONENTS: [&'static str; 9] = [
        "queue",
        "priority",
        "issue_type",
        "status",
        "resolution_code",
        "info_requests",
        "reply",
        "note",
        "process",
    ];

    /// The contract's default weights.
    pub const DEFAULT: Weights = Weights {
        queue: 0.15,
        priority: 0.075,
        issue_type: 0.075,
        status: 0.10,
        resolution_code: 0.05,
        info_requests: 0.15,
        reply: 0.20,
        note: 0.10,
        process: 0.10,
    };

    pub fn get(&self, component: &str) -> Option<f64> {
        Some(match component {
            "queue" => self.queue,
            "priority" => self.priority,
            "issue_type" => self.issue_type,
            "status" => self.status,
            "resolution_code" => self.resolution_code,
            "info_requests" => self.info_requests,
            "reply" => self.reply,
            "note" => self.note,
            "process" => self.process,
            _ => return None,
        })
    }

    pub fn set(&mut self, component: &str, value: f64) -> bool {
        let slot = match component {
            "queue" => &mut self.queue,
            "priority" => &mut self.priority,
            "issue_type" => &mut self.issue_type,
            "status" => &mut self.status,
            "resolution_code" => &mut self.resolution_code,
            "info_requests" => &mut self.info_requests,
            "reply" => &mut self.reply,
            "note" => &mut self.note,
            "process" => &mut self.process,
            _ => return false,
        };
        *slot = value;
        true
    }

    pub fn sum(&self) -> f64 {
        Self::COMPONENTS.iter().filter_map(|c| self.get(c)).sum()
    }
}

/// How hard a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

/// How the customer answers a request for information.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FollowUpOutcome {
    /// The customer never answers.
    None,
    /// Provides `follow_up_provided_fields` only.
    Partial,
    /// Provides every required field.
    Complete,
    /// Sends `follow_up_wrong_fields` instead.
    Incorrect,
}

/// One task, field for field the seed's `SupportTaskSpec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    pub task_id: String,
    pub difficulty: Difficulty,
    pub title: String,
    pub objective: String,
    pub ticket: TicketSpec,
    pub knowledge_base: Vec<KnowledgeSnippet>,
    pub gold_queue: String,
    pub gold_priority: String,
    pub gold_issue_type: String,
    pub gold_status: String,
    pub gold_resolution_code: String,
    pub required_requested_fields: Vec<String>,
    /// All of these groups; each group is any of its markers.
    pub required_reply_markers: Vec<Vec<String>>,
    pub required_note_markers: Vec<Vec<String>>,
    /// None of these may appear in a reply.
    pub forbidden_reply_markers: Vec<String>,
    pub risk_flags: Vec<String>,
    pub follow_up_outcome: FollowUpOutcome,
    pub follow_up_message: String,
    pub follow_up_provided_fields: Vec<String>,
    pub follow_up_wrong_fields: Vec<String>,
    pub sla_step_cost: u32,
    pub over_escalation_queues: Vec<String>,
    pub under_escalation_deadline_step: Option<u32>,
    pub max_steps: u32,
}

impl TaskSpec {
    /// `max_steps` when a task does not set it (the seed's default).
    pub const DEFAULT_MAX_STEPS: u32 = 6;
    /// `sla_step_cost` when a task does not set it (the seed's default).
    pub const DEFAULT_SLA_STEP_COST: u32 = 15;
}

/// The customer's ticket, field for field the seed's `SupportTicket`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketSpec {
    pub customer_name: String,
    pub customer_tier: String,
    pub company: String,
    pub subject: String,
    pub body: String,
    pub region: String,
    pub affected_users: u64,
    pub sla_minutes_remaining: u32,
    pub business_impact: String,
    pub secondary_concerns: Vec<String>,
    pub attachments: Vec<String>,
}

/// A knowledge-base article, field for field the seed's `KnowledgeSnippet`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeSnippet {
    pub article_id: String,
    pub title: String,
    pub content: String,
}

pub use crate::matching::MatchMode;

/// The markers of one task that use the other match mode than their
/// section's default (substring for reply and note markers). Each list holds
/// marker texts as they appear in the task.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskMatching {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_reply_markers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_note_markers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbidden_reply_markers: Vec<String>,
}

impl TaskMatching {
    pub fn is_empty(&self) -> bool {
        self.required_reply_markers.is_empty()
            && self.required_note_markers.is_empty()
            && self.forbidden_reply_markers.is_empty()
    }
}

/// A named set of hard-floor phrases, grouped by reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FloorSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Reasons in declaration order.
    pub groups: Vec<FloorGroup>,
}

/// The phrases of one reason (registry, destructive, security, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FloorGroup {
    pub reason: String,
    pub phrases: Vec<Phrase>,
}

/// One hard-floor phrase and how it matches (word boundaries by default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phrase {
    pub text: String,
    pub mode: MatchMode,
}

/// The policy of an L1 decision tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TreePolicy {
    /// A walk of this many real steps (hidden `meta` entries excluded) is escalated.
    pub max_depth: u32,
    /// Candidates tried before the fallback escalation.
    pub attempts: u32,
    /// Floors every node is checked against.
    pub floors: Vec<String>,
    /// The node types a generator may produce.
    pub node_types: Vec<String>,
    /// Text of the escalation node at the depth cap (`reason_category: depth_cap`).
    pub depth_cap_text: String,
    /// Text of the escalation node when no attempt was acceptable
    /// (`reason_category: generation_failed`).
    pub failure_text: String,
}

impl TreePolicy {
    /// `max_depth` when a tree does not set it (the seed's `MAX_DEPTH`).
    pub const DEFAULT_MAX_DEPTH: u32 = 12;
    /// `attempts` when a tree does not set it (the seed retries once).
    pub const DEFAULT_ATTEMPTS: u32 = 2;
    pub const DEFAULT_NODE_TYPES: [&'static str; 4] =
        ["question", "instruction", "resolved", "escalate"];
    pub const DEFAULT_DEPTH_CAP_TEXT: &'static str =
        "Reached the L1 troubleshooting depth limit — escalating to engineering.";
    pub const DEFAULT_FAILURE_TEXT: &'static str =
        "Could not generate a safe next step — escalating to engineering.";
}

/// The JSON Schema of the compiled form.
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(Document)
}
