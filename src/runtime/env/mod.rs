//! The SupportDesk environment (ENVIRONMENT.md): a task's spec compiled once
//! into a [`TaskRuntime`] (vocabulary indices, marker automata, the shared
//! part of observations), and [`Episode`]s driven by actions. Rewards are
//! potential-based: each is the change in score, from 0 before the first
//! step, so an episode's rewards sum to its final score.

pub mod action;
pub mod gold;
mod grade;
pub mod observation;

use std::sync::Arc;

use serde_json::Value;

use crate::runtime::matching::{normalize_pattern, Matcher};
use crate::spec::{
    Document, DomainSpec, FollowUpOutcome, MatchMode, TaskMatching, TaskSpec, Weights,
};

pub use action::{Action, ActionError, Checked};
pub use observation::{
    Allowed, Breakdown, Info, Observation, State, StepResult, TaskView, Workspace,
};

/// Why a step was refused (as opposed to an invalid action, which is data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvError {
    /// The episode has ended (submitted, or `max_steps` reached).
    EpisodeEnded { steps: u32 },
}

impl std::fmt::Display for EnvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvError::EpisodeEnded { steps } => write!(
                f,
                "the episode has ended after {steps} steps; reset to start a new one"
            ),
        }
    }
}

impl std::error::Error for EnvError {}

/// A marker group compiled into pattern indices of one automaton.
#[derive(Clone, Debug)]
struct Groups {
    matcher: Matcher,
    /// For each pattern: the group it belongs to, or `None` for a forbidden marker.
    owner: Vec<Option<usize>>,
    count: usize,
}

impl Groups {
    /// All alternatives of all groups, then the forbidden markers, in one
    /// automaton; each marker listed in a `words` list matches whole words.
    fn new(
        groups: &[Vec<String>],
        words: &[String],
        forbidden: &[String],
        forbidden_words: &[String],
    ) -> Self {
        let mode = |m: &String, words: &[String]| {
            if words.contains(m) {
                MatchMode::Word
            } else {
                MatchMode::Substring
            }
        };
        let mut patterns: Vec<(&str, MatchMode)> = Vec::new();
        let mut owner = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            for m in group {
                patterns.push((m, mode(m, words)));
                owner.push(Some(g));
            }
        }
        for m in forbidden {
            patterns.push((m, mode(m, forbidden_words)));
            owner.push(None);
        }
        Groups {
            matcher: Matcher::new(patterns),
            owner,
            count: groups.len(),
        }
    }
}

/// A task compiled for running: everything that does not change per step.
#[derive(Debug)]
pub struct TaskRuntime {
    pub spec: TaskSpec,
    pub domain: Arc<DomainSpec>,
    pub weights: Weights,
    view: Arc<TaskView>,
    gold: [u16; 5],
    over_escalation: Vec<u16>,
    required_fields: Vec<u16>,
    /// The fields still missing after the follow-up (what to ask again).
    missing_after_follow_up: Vec<u16>,
    reply: Groups,
    note: Groups,
}

fn index(list: &[String], value: &str) -> u16 {
    list.iter().position(|v| v == value).unwrap_or(usize::MAX) as u16
}

impl TaskRuntime {
    /// Compiles a task of a validated document.
    pub fn new(task: &TaskSpec, domain: Arc<DomainSpec>, matching: Option<&TaskMatching>) -> Self {
        let d = &domain;
        let required: Vec<u16> = task
            .required_requested_fields
            .iter()
            .map(|f| index(&d.fields, f))
            .collect();
        let provided: Vec<u16> = task
            .follow_up_provided_fields
            .iter()
            .map(|f| index(&d.fields, f))
            .collect();
        let missing_after_follow_up = match task.follow_up_outcome {
            FollowUpOutcome::Partial | FollowUpOutcome::Incorrect => required
                .iter()
                .copied()
                .filter(|f| !provided.contains(f))
                .collect(),
            _ => Vec::new(),
        };
        let empty = TaskMatching::default();
        let matching = matching.unwrap_or(&empty);
        let reply = Groups::new(
            &task.required_reply_markers,
            &matching.required_reply_markers,
            &task.forbidden_reply_markers,
            &matching.forbidden_reply_markers,
        );
        let note = Groups::new(
            &task.required_note_markers,
            &matching.required_note_markers,
            &[],
            &[],
        );
        let view = Arc::new(TaskView {
            task_id: task.task_id.clone(),
            title: task.title.clone(),
            difficulty: task.difficulty,
            objective: task.objective.clone(),
            ticket: task.ticket.clone(),
            knowledge_base: task.knowledge_base.clone(),
            allowed: Allowed {
                action_types: action::ACTION_TYPES.iter().map(|s| s.to_string()).collect(),
                queues: d.queues.clone(),
                priorities: d.priorities.clone(),
                issue_types: d.issue_types.clone(),
                statuses: d.statuses.clone(),
                resolution_codes: d.resolution_codes.clone(),
                fields: d.fields.clone(),
            },
            max_steps: task.max_steps,
        });
        TaskRuntime {
            gold: [
                index(&d.queues, &task.gold_queue),
                index(&d.priorities, &task.gold_priority),
                index(&d.issue_types, &task.gold_issue_type),
                index(&d.statuses, &task.gold_status),
                index(&d.resolution_codes, &task.gold_resolution_code),
            ],
            over_escalation: task
                .over_escalation_queues
                .iter()
                .map(|q| index(&d.queues, q))
                .collect(),
            required_fields: required,
            missing_after_follow_up,
            weights: d.scoring,
            reply,
            note,
            view,
            spec: task.clone(),
            domain,
        }
    }

    /// Compiles every task of a document, by id.
    pub fn all(document: &Document) -> std::collections::BTreeMap<String, Arc<TaskRuntime>> {
        let domain = Arc::new(document.domain.clone());
        document
            .tasks
            .iter()
            .map(|(id, task)| {
                let rt = TaskRuntime::new(task, domain.clone(), document.matching.get(id));
                (id.clone(), Arc::new(rt))
            })
            .collect()
    }
}

/// The mutable part of an episode.
#[derive(Clone, Debug, Default)]
struct Progress {
    step: u32,
    done: bool,
    queue: Option<u16>,
    priority: Option<u16>,
    issue_type: Option<u16>,
    status: Option<u16>,
    resolution: Option<u16>,
    requested: Vec<u16>,
    requested_after_follow_up: Vec<u16>,
    follow_up_at: Option<u32>,
    routed_to_gold_at: Option<u32>,
    over_escalated: bool,
    reply_groups_met: Vec<bool>,
    forbidden_seen: bool,
    note_groups_met: Vec<bool>,
    replies: Vec<String>,
    notes: Vec<String>,
    messages: Vec<String>,
    last_error: Option<ActionError>,
    score: f64,
    breakdown: Breakdown,
}

/// One episode of a task.
#[derive(Clone, Debug)]
pub struct Episode {
    rt: Arc<TaskRuntime>,
    episode_id: String,
    seed: Option<u64>,
    p: Progress,
}

impl Episode {
    /// Starts an episode; the first observation carries reward 0.
    pub fn reset(
        rt: Arc<TaskRuntime>,
        episode_id: Option<String>,
        seed: Option<u64>,
    ) -> (Episode, StepResult) {
        let episode_id =
            episode_id.unwrap_or_else(|| format!("{}-{}", rt.spec.task_id, seed.unwrap_or(0)));
        let p = Progress {
            reply_groups_met: vec![false; rt.reply.count],
            note_groups_met: vec![false; rt.note.count],
            ..Progress::default()
        };
        let mut episode = Episode {
            rt,
            episode_id,
            seed,
            p,
        };
        // The potential before the first step counts as 0.
        episode.p.breakdown = grade::breakdown(&episode.rt, &episode.p);
        let result = episode.result(0.0, true);
        (episode, result)
    }

    pub fn task(&self) -> &Arc<TaskRuntime> {
        &self.rt
    }

    pub fn is_done(&self) -> bool {
        self.p.done
    }

    /// One step from a JSON action. Invalid actions are consumed: the step
    /// counts, nothing else changes, and the observation says what was wrong.
    pub fn step(&mut self, action: &Value) -> Result<StepResult, EnvError> {
        if self.p.done {
            return Err(EnvError::EpisodeEnded { steps: self.p.step });
        }
        let checked = action::parse(action, &self.rt.domain);
        Ok(self.apply(checked))
    }

    /// One step from a line of text (which may not be JSON at all).
    pub fn step_text(&mut self, line: &str) -> Result<StepResult, EnvError> {
        if self.p.done {
            return Err(EnvError::EpisodeEnded { steps: self.p.step });
        }
        let checked = match serde_json::from_str::<Value>(line) {
            Ok(value) => action::parse(&value, &self.rt.domain),
            Err(e) => Err(ActionError {
                message: format!("the action is not JSON: {e}"),
                field: None,
                allowed: None,
                suggestion: None,
            }),
        };
        Ok(self.apply(checked))
    }

    /// One step from an already checked action (the fast path).
    pub fn step_checked(&mut self, action: Checked) -> Result<StepResult, EnvError> {
        if self.p.done {
            return Err(EnvError::EpisodeEnded { steps: self.p.step });
        }
        Ok(self.apply(Ok(action)))
    }

    fn apply(&mut self, action: Result<Checked, ActionError>) -> StepResult {
        let rt = self.rt.clone();
        let p = &mut self.p;
        p.step += 1;
        let step = p.step;
        p.last_error = None;
        let valid = action.is_ok();
        match action {
            Err(e) => p.last_error = Some(e),
            Ok(Checked::Classify {
                queue,
                priority,
                issue_type,
            }) => {
                if let Some(q) = queue {
                    p.queue = Some(q);
                    if rt.over_escalation.contains(&q) {
                        p.over_escalated = true;
                    }
                    if q == rt.gold[0] && p.routed_to_gold_at.is_none() {
                        p.routed_to_gold_at = Some(step);
                    }
                }
                if priority.is_some() {
                    p.priority = priority;
                }
                if issue_type.is_some() {
                    p.issue_type = issue_type;
                }
            }
            Ok(Checked::RequestInfo { fields }) => {
                if p.follow_up_at.is_some() {
                    for f in &fields {
                        if !p.requested_after_follow_up.contains(f) {
                            p.requested_after_follow_up.push(*f);
                        }
                    }
                }
                for f in fields {
                    if !p.requested.contains(&f) {
                        p.requested.push(f);
                    }
                }
                if p.follow_up_at.is_none() && rt.spec.follow_up_outcome != FollowUpOutcome::None {
                    p.follow_up_at = Some(step);
                    p.messages.push(rt.spec.follow_up_message.clone());
                }
            }
            Ok(Checked::Reply(message)) => {
                let normalized = normalize_pattern(&message);
                let mut seen = vec![false; rt.reply.owner.len()];
                rt.reply.matcher.matched_into(&normalized, &mut seen);
                for (pattern, hit) in seen.into_iter().enumerate() {
                    if hit {
                        match rt.reply.owner[pattern] {
                            Some(g) => p.reply_groups_met[g] = true,
                            None => p.forbidden_seen = true,
                        }
                    }
                }
                p.replies.push(message);
            }
            Ok(Checked::AddNote(text)) => {
                let mut seen = vec![false; rt.note.owner.len()];
                rt.note
                    .matcher
                    .matched_into(&normalize_pattern(&text), &mut seen);
                for (pattern, hit) in seen.into_iter().enumerate() {
                    if let (true, Some(g)) = (hit, rt.note.owner[pattern]) {
                        p.note_groups_met[g] = true;
                    }
                }
                p.notes.push(text);
            }
            Ok(Checked::SetStatus { status, resolution }) => {
                p.status = Some(status);
                if resolution.is_some() {
                    p.resolution = resolution;
                }
            }
            Ok(Checked::Submit) => p.done = true,
        }
        if p.step >= rt.spec.max_steps {
            p.done = true;
        }
        let before = p.score;
        p.breakdown = grade::breakdown(&rt, p);
        p.score = grade::score(&rt.weights, &p.breakdown);
        let reward = p.score - before;
        self.result(reward, valid)
    }

    fn result(&self, reward: f64, valid: bool) -> StepResult {
        StepResult {
            observation: self.observation(),
            reward,
            done: self.p.done,
            info: Info {
                score: self.p.score,
                breakdown: self.p.breakdown,
                valid,
            },
        }
    }

    fn sla_minutes_left(&self) -> i64 {
        self.rt.spec.ticket.sla_minutes_remaining as i64
            - self.p.step as i64 * self.rt.spec.sla_step_cost as i64
    }

    fn workspace(&self) -> Workspace {
        let d = &self.rt.domain;
        let name = |list: &[String], i: Option<u16>| i.and_then(|i| list.get(i as usize).cloned());
        Workspace {
            queue: name(&d.queues, self.p.queue),
            priority: name(&d.priorities, self.p.priority),
            issue_type: name(&d.issue_types, self.p.issue_type),
            status: name(&d.statuses, self.p.status),
            resolution_code: name(&d.resolution_codes, self.p.resolution),
            requested_fields: self
                .p
                .requested
                .iter()
                .map(|f| d.fields[*f as usize].clone())
                .collect(),
            replies: self.p.replies.clone(),
            notes: self.p.notes.clone(),
        }
    }

    /// The current observation.
    pub fn observation(&self) -> Observation {
        let left = self.sla_minutes_left();
        Observation {
            task: self.rt.view.clone(),
            step: self.p.step,
            sla_minutes_left: left,
            sla_breached: left < 0 && self.p.routed_to_gold_at.is_none(),
            workspace: self.workspace(),
            customer_messages: self.p.messages.clone(),
            last_action_error: self.p.last_error.clone(),
            done: self.p.done,
        }
    }

    /// The full state.
    pub fn state(&self) -> State {
        let d = &self.rt.domain;
        State {
            episode_id: self.episode_id.clone(),
            task_id: self.rt.spec.task_id.clone(),
            seed: self.seed,
            step_count: self.p.step,
            max_steps: self.rt.spec.max_steps,
            done: self.p.done,
            score: self.p.score,
            breakdown: self.p.breakdown,
            sla_minutes_left: self.sla_minutes_left(),
            workspace: self.workspace(),
            customer_messages: self.p.messages.clone(),
            routed_to_gold_at: self.p.routed_to_gold_at,
            over_escalated: self.p.over_escalated,
            follow_up_at: self.p.follow_up_at,
            requested_after_follow_up: self
                .p
                .requested_after_follow_up
                .iter()
                .map(|f| d.fields[*f as usize].clone())
                .collect(),
            last_action_error: self.p.last_error.clone(),
        }
    }
}
