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
    /// The grading contract the runtime implements, and its grader.
    #[serde(default)]
    pub contract: Contract,
    /// The domain; absent only in a project that declares no tasks (tree
    /// policies and floors alone need none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainSpec>,
    /// Named marker sets, each one group of alternatives.
    pub marker_sets: BTreeMap<String, Vec<String>>,
    /// Hard-floor pattern sets by name.
    pub floors: BTreeMap<String, FloorSpec>,
    /// Tree policies by name.
    pub trees: BTreeMap<String, TreePolicy>,
    /// Tasks by id, in the seed's shape.
    pub tasks: BTreeMap<String, TaskSpec>,
    /// Per task, how its markers match where that differs from the
    /// defaults (modes, forbidden variants, markers allowed when negated).
    /// Tasks whose markers all use the defaults are absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub matching: BTreeMap<String, TaskMatching>,
    /// Per task, its own grading (gates, thresholds, gold texts) where it
    /// declares any. Tasks that declare none are absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub grading: BTreeMap<String, TaskGrading>,
}

/// Which grading contract a compiled spec is graded under
/// (docs/ENVIRONMENT.md), and by which grader.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub version: u32,
    /// `lexical`: markers, negation, acts, language and structure read
    /// from the words; it cannot see meaning outside them (the docs list
    /// what it cannot see).
    pub grader: String,
}

impl Default for Contract {
    fn default() -> Self {
        Contract {
            version: Contract::VERSION,
            grader: "lexical".to_owned(),
        }
    }
}

impl Contract {
    pub const VERSION: u32 = 3;
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
    /// How episodes are graded beyond the weights (contract v2); every task
    /// may override the thresholds and gates.
    #[serde(default)]
    pub grading: Grading,
}

/// What the agent is rewarded with at each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RewardMode {
    /// The change in score the step caused (potential-based shaping).
    Dense,
    /// 0 on every step, the final score on the last.
    Final,
}

/// The domain's grading rules (contract v2). Every field has a default, so a
/// domain that declares no `grading` block gets exactly these.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Grading {
    pub reward: RewardMode,
    /// A customer-facing text (or note) longer than this, in characters,
    /// meets no group.
    pub text_budget: u32,
    /// A reply with two markers or more (of one group or several) whose
    /// words are more than this fraction marker words meets no group (a
    /// marker salad).
    pub marker_density: f64,
    /// The same limit for internal notes; 1 (off) by default, since notes
    /// are terse by nature ("Duplicate charge; refund approved.").
    pub note_marker_density: f64,
    /// A text more than this fraction of whose content words lie in
    /// clauses that share no word with the task's own texts is off-topic
    /// and meets no group (contract v3, rule 8; 1 switches it off).
    pub off_topic: f64,
    pub negation: NegationSpec,
    /// The languages customers are answered in (ISO 639-3 codes, `eng`):
    /// a reply sentence confidently in another language earns nothing and
    /// fires the `foreign_language` condition.
    pub languages: Vec<String>,
    /// Verb classes for forbidden acts (`disable`: disable, switch off,
    /// ...), by name; each form is matched in any inflection.
    pub verbs: BTreeMap<String, Vec<String>>,
    /// Conditions that cap the score; the lowest cap of those that fired
    /// applies.
    pub gates: Vec<Gate>,
    /// `taskc check` reports a task where a stock exploit scores above this.
    pub gaming_threshold: f64,
}

impl Default for Grading {
    fn default() -> Self {
        Grading {
            reward: RewardMode::Dense,
            text_budget: 1500,
            marker_density: 0.75,
            note_marker_density: 1.0,
            off_topic: 0.3,
            languages: vec!["eng".to_owned()],
            verbs: default_verbs(),
            negation: NegationSpec::default(),
            gates: vec![
                Gate {
                    name: "forbidden_phrase".into(),
                    cap: 0.5,
                    when: GateCondition::Forbidden,
                },
                Gate {
                    name: "no_reply".into(),
                    cap: 0.6,
                    when: GateCondition::NoReply,
                },
                Gate {
                    name: "over_escalated".into(),
                    cap: 0.6,
                    when: GateCondition::OverEscalated,
                },
                Gate {
                    name: "contradicted".into(),
                    cap: 0.5,
                    when: GateCondition::Contradicted,
                },
                Gate {
                    name: "wrong_status".into(),
                    cap: 0.6,
                    when: GateCondition::WrongStatus,
                },
                Gate {
                    name: "over_requested".into(),
                    cap: 0.6,
                    when: GateCondition::OverRequested,
                },
                Gate {
                    name: "queue_hopping".into(),
                    cap: 0.6,
                    when: GateCondition::QueueHopping,
                },
                Gate {
                    name: "status_hopping".into(),
                    cap: 0.6,
                    when: GateCondition::StatusHopping,
                },
                Gate {
                    name: "missed_queue".into(),
                    cap: 0.5,
                    when: GateCondition::MissedQueue,
                },
                Gate {
                    name: "wrong_queue".into(),
                    cap: 0.5,
                    when: GateCondition::WrongQueue,
                },
                Gate {
                    name: "missed_request".into(),
                    cap: 0.6,
                    when: GateCondition::MissedRequest,
                },
                Gate {
                    name: "foreign_language".into(),
                    cap: 0.5,
                    when: GateCondition::ForeignLanguage,
                },
            ],
            gaming_threshold: 0.6,
        }
    }
}

/// The verb classes the domain ships by default (contract v3, rule 6).
pub fn default_verbs() -> BTreeMap<String, Vec<String>> {
    let class = |name: &str, forms: &[&str]| {
        (
            name.to_owned(),
            forms.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        )
    };
    BTreeMap::from([
        class(
            "disable",
            &[
                "disable",
                "switch off",
                "turn off",
                "deactivate",
                "lift",
                "bypass",
                "suspend",
                "remove",
                "waive",
                "override",
                "overrode",
                "overridden",
                "circumvent",
                "shut off",
                "skip",
                "pause",
                "relax",
                "loosen",
                "exempt",
                "carve out",
                "work around",
                "get around",
                "sidestep",
                "unblock",
                "unlock",
                "patch",
                "whitelist",
                "white-list",
                "allowlist",
                "allow-list",
                "allow list",
                "safelist",
                "evade",
                "dodge",
                "skirt",
                "push through",
                "wave through",
                "let through",
                "force through",
                "release",
            ],
        ),
        class(
            "close",
            &[
                "close",
                "shut",
                "wrap up",
                "shelve",
                "mark done",
                "mark resolved",
                "mark closed",
                "mark complete",
                "mark fixed",
            ],
        ),
        class("erase", &["delete", "erase", "purge", "wipe", "destroy"]),
        class(
            "reverse_payment",
            &[
                "dispute",
                "reverse",
                "charge back",
                "chargeback",
                "claw back",
                "contest",
                "reclaim",
                "recall",
                "pull back",
                "recover",
                "open claim",
                "file claim",
                "raise claim",
                "lodge claim",
                "submit claim",
            ],
        ),
        class(
            "restore_access",
            &[
                "unlock",
                "restore",
                "reinstate",
                "reactivate",
                "re-enable",
                "give back",
                "gave back",
                "given back",
                "hand back",
                "unblock",
                "unfreeze",
                "unsuspend",
                "reopen",
                "unfroze",
                "unfrozen",
                "grant",
                "regrant",
                "re-grant",
                "bring back",
                "put back",
                "let you back",
                "let them back",
                "reissue",
                "re-issue",
                "readmit",
                "unban",
                "unbar",
                "switch back on",
                "turn back on",
            ],
        ),
    ])
}

impl Grading {
    /// The longest text (reply, note or request message) an action may
    /// carry, in bytes: past it the action is invalid. A real support reply
    /// is a few hundred; `text_budget` (characters) is at most this.
    pub const MAX_TEXT_BYTES: usize = 16 * 1024;

    /// The most text one episode keeps, in bytes, all its replies, notes and
    /// request messages together: what a session holds in memory and what an
    /// observation echoes back stays bounded whatever a client sends.
    pub const MAX_EPISODE_TEXT_BYTES: usize = 64 * 1024;

    /// The rules of one task: the domain's, with the task's thresholds and
    /// gates on top (a task gate replaces the domain gate of its name; a
    /// gate switched `off` is dropped).
    pub fn for_task(&self, task: Option<&TaskGrading>) -> Grading {
        let Some(t) = task else {
            return self.clone();
        };
        let mut g = self.clone();
        g.text_budget = t.text_budget.unwrap_or(g.text_budget);
        g.marker_density = t.marker_density.unwrap_or(g.marker_density);
        g.note_marker_density = t.note_marker_density.unwrap_or(g.note_marker_density);
        g.off_topic = t.off_topic.unwrap_or(g.off_topic);
        if let Some(languages) = &t.languages {
            g.languages = languages.clone();
        }
        g.gates.retain(|gate| {
            !t.gates_off.contains(&gate.name) && !t.gates.iter().any(|own| own.name == gate.name)
        });
        g.gates.extend(t.gates.iter().cloned());
        g
    }

    /// The negation rules, for [`crate::matching::Negation`].
    pub fn negation_rules(&self) -> crate::matching::NegationRules<'_> {
        crate::matching::NegationRules {
            triggers: &self.negation.triggers,
            post_triggers: &self.negation.post_triggers,
            pseudo_triggers: &self.negation.pseudo_triggers,
            terminators: &self.negation.terminators,
            verbs: &self.negation.verbs,
            conditionals: &self.negation.conditionals,
            window: self.negation.window as usize,
        }
    }
}

/// How texts are read (contract v3, rule 3): triggers negate to the end
/// of their clause (at most `window` words), refusal `verbs` are triggers in
/// any inflection, post-triggers look backward, terminators end a clause,
/// pseudo-triggers look like triggers but negate nothing, and
/// `conditionals` open a clause that states a condition, not a commitment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NegationSpec {
    pub window: u32,
    pub triggers: Vec<String>,
    pub post_triggers: Vec<String>,
    pub pseudo_triggers: Vec<String>,
    pub terminators: Vec<String>,
    #[serde(default)]
    pub verbs: Vec<String>,
    #[serde(default)]
    pub conditionals: Vec<String>,
}

impl Default for NegationSpec {
    /// The English defaults (what `tasks/supportdesk.task` writes out).
    fn default() -> Self {
        let texts = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        NegationSpec {
            window: 100,
            triggers: texts(&[
                "not",
                "no",
                "never",
                "nothing",
                "none",
                "nobody",
                "neither",
                "nor",
                "cannot",
                "can't",
                "cant",
                "won't",
                "wont",
                "don't",
                "dont",
                "doesn't",
                "doesnt",
                "didn't",
                "didnt",
                "isn't",
                "isnt",
                "aren't",
                "arent",
                "wasn't",
                "wasnt",
                "weren't",
                "werent",
                "shouldn't",
                "shouldnt",
                "wouldn't",
                "wouldnt",
                "couldn't",
                "couldnt",
                "haven't",
                "havent",
                "hasn't",
                "hasnt",
                "hadn't",
                "hadnt",
                "needn't",
                "neednt",
                "mightn't",
                "mightnt",
                "oughtn't",
                "oughtnt",
                "mustn't",
                "mustnt",
                "without",
                "unable",
                "impossible",
                "no longer",
                "ain't",
                "aint",
                "shan't",
                "shant",
                "unwilling",
                "fail to",
                "failed to",
                "fails to",
                "turn down",
                "turned down",
                "turns down",
                "hold off",
                "held off",
                "holding off",
                "zero chance",
                "ineligible",
                "no-go",
                "rule out",
                "rules out",
                "ruled out",
                "ruling out",
                "decide against",
                "decided against",
                "decides against",
                "turn away",
                "turned away",
                "rather than",
                "instead of",
                "on hold",
                "nope",
                "nah",
                // Negation in the languages a reply may slip in.
                "non",
                "pas",
                "inte",
                "ikke",
                "nicht",
                "kein",
                "keine",
                "keinen",
                "keiner",
                "nein",
                "weder",
                "niemals",
                "jamais",
                "nunca",
                "jamás",
                "ningún",
                "ninguna",
                "nada",
                "niet",
                "geen",
                "nooit",
            ]),
            post_triggers: texts(&[
                "is not needed",
                "are not needed",
                "not required",
                "is unnecessary",
                "off the table",
                "out of the question",
                "not going to happen",
            ]),
            pseudo_triggers: texts(&[
                "no problem",
                "not a problem",
                "no worries",
                "not to worry",
                "no doubt",
                "not only",
                "not just",
                "no later than",
                "no more than",
                "not hesitate",
                "don't hesitate",
                "dont hesitate",
                "without delay",
                "without further delay",
                "without hesitation",
                "if you haven't already",
                "if you havent already",
                "if you have not already",
                "if not already",
                "no matter",
                "never mind",
                "nothing else",
                "not least",
                "don't wait to",
                "dont wait to",
                "do not wait to",
                "don't wait on us",
                "dont wait on us",
                "do not wait on us",
                "don't wait for us",
                "dont wait for us",
                "do not wait for us",
                "don't delay",
                "dont delay",
                "do not delay",
                "don't forget",
                "dont forget",
                "do not forget",
                "no reason we can't",
                "no reason we cant",
                "no reason we cannot",
                "no reason why we can't",
                "no reason not to",
                "nothing against",
                "nothing stopping",
                "nothing stops",
                "nothing prevents",
                "nothing preventing",
                "not impossible",
                "no objection to",
                "no objections to",
            ]),
            terminators: texts(&[
                ".",
                ";",
                ":",
                "!",
                "?",
                ",",
                "but",
                "however",
                "although",
                "though",
                "whereas",
                "except",
                "instead",
                "meanwhile",
                // A coordinated clause with its own subject.
                "and there",
                "and we",
                "and you",
                "and i",
                "and it",
                "so we",
                "so you",
                "than",
                "while",
                "because",
                "since",
                "until",
            ]),
            verbs: texts(&[
                "decline",
                "reject",
                "refuse",
                "deny",
                "denial",
                "forfeit",
                "skip",
                "withhold",
                "withheld",
                "revoke",
                "void",
                "refrain",
                "prohibit",
                "veto",
                "nix",
                "scrap",
                "discard",
                "dismiss",
                "prevent",
                "preclude",
                "disallow",
                "forbid",
                "forbade",
                "forbidden",
                "rebuff",
                "overrule",
                "disqualify",
            ]),
            conditionals: texts(&[
                "if",
                "unless",
                "whether",
                "in case",
                "in the event",
                "assuming",
                "supposing",
                "as long as",
                "so long as",
                "provided that",
                "providing that",
                "should",
            ]),
        }
    }
}

/// A condition that caps the score when it holds at the end of an episode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    pub name: String,
    /// The highest score an episode can have when the gate fires.
    pub cap: f64,
    pub when: GateCondition,
}

/// When a gate fires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "condition")]
pub enum GateCondition {
    /// A forbidden marker of the task in a customer-facing text (alone or
    /// in the thread they form).
    Forbidden,
    /// No reply that counted was sent (a reply that met no group because
    /// it was a salad, a repeat, off-topic or over budget does not count),
    /// or the replies together meet fewer than half of the required groups.
    NoReply,
    /// A reply says the opposite of the task: a required reply marker of
    /// the task occurs inside a negation scope ("we will not refund you").
    Contradicted,
    /// The case was routed to an over-escalation queue.
    OverEscalated,
    /// The case never reached the gold queue.
    MissedQueue,
    /// The case ends with another status than the gold one, or none.
    WrongStatus,
    /// More fields that are not required were requested than fields that
    /// are, and at least two (fishing for fields).
    OverRequested,
    /// The case was routed to two queues or more that are not the gold
    /// queue (trying queues until the reward moves).
    QueueHopping,
    /// The case was set to two statuses or more that are not the gold
    /// status, or a status was replaced by another with nothing done in
    /// between (trying statuses until the reward moves).
    StatusHopping,
    /// The case was set to this status at any step (a reopened case
    /// included).
    Status { status: String },
    /// A customer-facing text says one of these phrases (matched like
    /// forbidden markers) or does one of these acts.
    Says {
        phrases: Vec<GatePhrase>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        acts: Vec<Act>,
    },
    /// The case ends in another queue than the gold one.
    WrongQueue,
    /// A reply has a sentence confidently in a language the task does not
    /// answer in.
    ForeignLanguage,
    /// The episode ended without requesting any of the fields the task
    /// needs from the customer (a task that needs none never fires it).
    MissedRequest,
}

/// The grading a task declares for itself; the domain's applies elsewhere.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskGrading {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_budget: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker_density: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_marker_density: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_topic: Option<f64>,
    /// The languages this task's customers are answered in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    /// Gates added, or replacing the domain's gate of the same name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<Gate>,
    /// Domain gates switched off for this task.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates_off: Vec<String>,
    /// The reply a competent agent sends, for the solvability proof.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gold_reply: Option<String>,
    /// The note a competent agent writes, for the solvability proof.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gold_note: Option<String>,
}

impl TaskGrading {
    pub fn is_empty(&self) -> bool {
        *self == TaskGrading::default()
    }
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

/// How one task's markers match, where it differs from the defaults (the
/// seed does not model matching, so this sits beside the task): each
/// section's markers written with another mode than the section's default
/// (required: [`MatchMode::MARKER_DEFAULT`], forbidden:
/// [`MatchMode::FORBIDDEN_DEFAULT`]), the extra variants of forbidden
/// markers, and the forbidden markers allowed when negated. Marker texts are
/// as they appear in the task.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskMatching {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub required_reply_markers: BTreeMap<String, MatchMode>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub required_note_markers: BTreeMap<String, MatchMode>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub forbidden_reply_markers: BTreeMap<String, MatchMode>,
    /// Other ways of writing a forbidden marker, each forbidden like it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub forbidden_variants: BTreeMap<String, Vec<String>>,
    /// Forbidden markers written `unless negated` (since contract v3 every
    /// forbidden marker is allowed when negated; kept as written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_when_negated: Vec<String>,
    /// Forbidden markers that count even inside a negation scope (`even
    /// negated`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub harmful_when_negated: Vec<String>,
    /// Forbidden acts: a verb class meeting an object in one clause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbidden_acts: Vec<Act>,
}

/// A forbidden act (contract v3, rule 6): a verb of the class `verbs` (any
/// inflection) and one of `objects` in one clause, not negated (unless
/// `harmful_when_negated`) and not in a sentence that states a condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Act {
    pub verbs: String,
    pub objects: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub harmful_when_negated: bool,
}

/// A phrase of a `says` gate: its text, extra variants, whether a negated
/// occurrence is allowed, and its match mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatePhrase {
    pub text: String,
    pub mode: MatchMode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allowed_when_negated: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub harmful_when_negated: bool,
}

impl TaskMatching {
    pub fn is_empty(&self) -> bool {
        *self == TaskMatching::default()
    }

    /// The mode of a required reply marker.
    pub fn reply_mode(&self, marker: &str) -> MatchMode {
        self.required_reply_markers
            .get(marker)
            .copied()
            .unwrap_or(MatchMode::MARKER_DEFAULT)
    }

    /// The mode of a required note marker.
    pub fn note_mode(&self, marker: &str) -> MatchMode {
        self.required_note_markers
            .get(marker)
            .copied()
            .unwrap_or(MatchMode::MARKER_DEFAULT)
    }

    /// The mode of a forbidden marker.
    pub fn forbidden_mode(&self, marker: &str) -> MatchMode {
        self.forbidden_reply_markers
            .get(marker)
            .copied()
            .unwrap_or(MatchMode::FORBIDDEN_DEFAULT)
    }
}

/// A named set of hard-floor phrases, grouped by reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FloorSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The verb classes the floor's acts use (its own `verbs`, else the
    /// default classes), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub verbs: BTreeMap<String, Vec<String>>,
    /// Reasons in declaration order.
    pub groups: Vec<FloorGroup>,
}

/// The phrases of one reason (registry, destructive, security, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FloorGroup {
    pub reason: String,
    /// What the model is told it must never do (`taskc tree prompt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub phrases: Vec<Phrase>,
    /// Acts: a verb of a class (any inflection) and one of its objects in
    /// one statement, not negated, not asked about and not a condition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acts: Vec<Act>,
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
    /// The words the model is told (`taskc tree prompt`).
    #[serde(default, skip_serializing_if = "PromptSpec::is_empty")]
    pub prompt: PromptSpec,
}

/// What a tree policy tells the model beside its floors' descriptions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptSpec {
    /// Who the model is and what it produces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The steps it may produce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// When it must escalate instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<String>,
    /// The JSON the model returns, by node type (compact, keys sorted);
    /// node types without one get [`TreePolicy::default_shape`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub shapes: BTreeMap<String, String>,
}

impl PromptSpec {
    pub fn is_empty(&self) -> bool {
        self == &PromptSpec::default()
    }
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

    /// The JSON a node type is shown as when the policy gives no `shape`
    /// (the seed's prompt's, for its four types).
    pub fn default_shape(node_type: &str) -> String {
        let placeholder = match node_type {
            "question" => "<yes/no question>",
            "instruction" => "<one safe reversible action>",
            "resolved" => "<confirmation the issue is fixed>",
            "escalate" => {
                return r#"{"node_type":"escalate","reason_category":"exhausted_safe_steps","text":"<why>"}"#
                    .to_owned()
            }
            _ => "<text>",
        };
        serde_json::json!({"node_type": node_type, "text": placeholder}).to_string()
    }
}

/// The JSON Schema of the compiled form.
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(Document)
}
