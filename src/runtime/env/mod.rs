//! The SupportDesk environment (ENVIRONMENT.md): a task's spec compiled once
//! into a [`TaskRuntime`] (vocabulary indices, a marker matcher, the shared
//! part of observations), and [`Episode`]s driven by actions. Rewards are
//! potential-based: each is the change in score, from 0 before the first
//! step, so an episode's rewards sum to its final score.

pub mod action;
pub mod gold;
mod grade;
pub mod observation;

use std::sync::Arc;

use serde_json::Value;

use crate::matching::{normalize_pattern, Matcher};
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

/// Which section and group a pattern of a task's matcher serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Reply(usize),
    Note(usize),
    Forbidden,
}

/// All of a task's markers (reply groups, note groups, forbidden markers)
/// in one matcher; a text is scanned once and each hit is credited to its
/// own section only.
#[derive(Clone, Debug)]
struct Markers {
    matcher: Matcher,
    owner: Vec<Owner>,
    reply_groups: usize,
    note_groups: usize,
}

impl Markers {
    fn new(task: &TaskSpec, matching: &TaskMatching) -> Self {
        let mode = |m: &String, words: &[String]| {
            if words.contains(m) {
                MatchMode::Word
            } else {
                MatchMode::MARKER_DEFAULT
            }
        };
        let mut patterns: Vec<(&str, MatchMode)> = Vec::new();
        let mut owner = Vec::new();
        for (g, group) in task.required_reply_markers.iter().enumerate() {
            for m in group {
                patterns.push((m, mode(m, &matching.required_reply_markers)));
                owner.push(Owner::Reply(g));
            }
        }
        for (g, group) in task.required_note_markers.iter().enumerate() {
            for m in group {
                patterns.push((m, mode(m, &matching.required_note_markers)));
                owner.push(Owner::Note(g));
            }
        }
        for m in &task.forbidden_reply_markers {
            patterns.push((m, mode(m, &matching.forbidden_reply_markers)));
            owner.push(Owner::Forbidden);
        }
        Markers {
            matcher: Matcher::new(patterns),
            owner,
            reply_groups: task.required_reply_markers.len(),
            note_groups: task.required_note_markers.len(),
        }
    }

    /// The owners of every pattern that occurs in `text`.
    fn hits(&self, text: &str) -> impl Iterator<Item = Owner> + '_ {
        let mut seen = vec![false; self.owner.len()];
        self.matcher
            .matched_into(&normalize_pattern(text), &mut seen);
        seen.into_iter()
            .zip(&self.owner)
            .filter_map(|(hit, owner)| hit.then_some(*owner))
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
    markers: Markers,
}

fn index(list: &[String], value: &str) -> u16 {
    list.iter().position(|v| v == value).unwrap_or(usize::MAX) as u16
}

impl TaskRuntime {
    /// The allowed values of a domain, built once and shared by its tasks.
    pub fn allowed(domain: &DomainSpec) -> Arc<Allowed> {
        Arc::new(Allowed {
            action_types: action::ACTION_TYPES.iter().map(|s| s.to_string()).collect(),
            queues: domain.queues.clone(),
            priorities: domain.priorities.clone(),
            issue_types: domain.issue_types.clone(),
            statuses: domain.statuses.clone(),
            resolution_codes: domain.resolution_codes.clone(),
            fields: domain.fields.clone(),
        })
    }

    /// Compiles a task of a validated document.
    pub fn new(
        task: &TaskSpec,
        domain: Arc<DomainSpec>,
        allowed: Arc<Allowed>,
        matching: Option<&TaskMatching>,
    ) -> Self {
        Self::from_spec(task.clone(), domain, allowed, matching)
    }

    /// [`TaskRuntime::new`], taking the spec itself (no copy).
    pub fn from_spec(
        task: TaskSpec,
        domain: Arc<DomainSpec>,
        allowed: Arc<Allowed>,
        matching: Option<&TaskMatching>,
    ) -> Self {
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
        let markers = Markers::new(&task, matching.unwrap_or(&empty));
        let view = Arc::new(TaskView {
            task_id: task.task_id.clone(),
            title: task.title.clone(),
            difficulty: task.difficulty,
            objective: task.objective.clone(),
            ticket: task.ticket.clone(),
            knowledge_base: task.knowledge_base.clone(),
            allowed,
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
            markers,
            view,
            spec: task,
            domain,
        }
    }

    /// Whether `text` contains a forbidden reply marker, as grading sees it.
    pub fn contains_forbidden(&self, text: &str) -> bool {
        self.markers
            .hits(text)
            .any(|owner| owner == Owner::Forbidden)
    }

    /// Compiles every task of a document, by id.
    pub fn all(document: &Document) -> std::collections::BTreeMap<String, Arc<TaskRuntime>> {
        let domain = Arc::new(document.domain.clone());
        let allowed = Self::allowed(&domain);
        document
            .tasks
            .iter()
            .map(|(id, task)| {
                let rt = TaskRuntime::new(
                    task,
                    domain.clone(),
                    allowed.clone(),
                    document.matching.get(id),
                );
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
            reply_groups_met: vec![false; rt.markers.reply_groups],
            note_groups_met: vec![false; rt.markers.note_groups],
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
                for owner in rt.markers.hits(&message) {
                    match owner {
                        Owner::Reply(g) => p.reply_groups_met[g] = true,
                        Owner::Forbidden => p.forbidden_seen = true,
                        Owner::Note(_) => {}
                    }
                }
                p.replies.push(message);
            }
            Ok(Checked::AddNote(text)) => {
                for owner in rt.markers.hits(&text) {
                    if let Owner::Note(g) = owner {
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
