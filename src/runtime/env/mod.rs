//! The SupportDesk environment (docs/ENVIRONMENT.md, contract version 2): a
//! task's spec compiled once into a [`TaskRuntime`] (vocabulary indices,
//! marker matchers, its grading rules, the shared part of observations), and
//! [`Episode`]s driven by actions. With `reward dense` each step's reward is
//! the change in score, from 0 before the first step; with `reward final`
//! it is 0 until the last step, which carries the score. Either way an
//! episode's rewards sum to its final score.

pub mod action;
pub mod exploits;
pub mod gold;
mod grade;
pub mod observation;
mod texts;

use std::sync::Arc;

use serde_json::Value;

use texts::Section;

use crate::matching::{normalize_pattern, word_spans, Languages, MatchMode, Matcher, Negation};
use crate::spec::{
    Act, Document, DomainSpec, FollowUpOutcome, GateCondition, Grading, RewardMode, TaskGrading,
    TaskMatching, TaskSpec, Weights,
};

pub use action::{Action, ActionError, Checked, ACTION_TYPES};
pub use observation::{
    Allowed, Breakdown, FiredGate, Info, Observation, State, StepResult, TaskView, Workspace,
};
pub use texts::{Contradiction, TextReading, Voided};

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

/// Which section and group a required marker serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Reply(usize),
    Note(usize),
}

/// What a banned phrase (a forbidden marker or variant, or a phrase of a
/// `says` gate) stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Banned {
    Forbidden,
    /// The index of the gate in the task's grading.
    Gate(usize),
}

/// A task's matchers: one for the required markers of its reply and note
/// groups (a text is scanned once, each hit credited to its own section),
/// one for everything banned from customer-facing texts.
#[derive(Clone, Debug)]
struct Markers {
    required: Matcher,
    owner: Vec<Owner>,
    reply_groups: usize,
    note_groups: usize,
    banned: Matcher,
    /// Per banned pattern: what it stands for, whether a negated
    /// occurrence is allowed, and the phrase as the author wrote it.
    banned_owner: Vec<(Banned, bool, String)>,
    /// Forbidden acts, and acts of `says` gates.
    acts: Vec<ActRule>,
    /// Every stem of every act verb, matched at word starts, and for each
    /// verb the indices of its stems: the quick "no act here" test.
    act_filter: (Matcher, Vec<Vec<usize>>),
}

/// The quick test for acts: the first letters of every verb stem as a
/// word-start pattern, and each verb's stems by index. Not the whole stem:
/// an inflection may change its end ("give" is given as "giving").
fn act_filter(acts: &[ActRule]) -> (Matcher, Vec<Vec<usize>>) {
    const PREFIX: usize = 3;
    let mut stems: Vec<&str> = Vec::new();
    let mut verbs = Vec::new();
    for verb in acts.iter().flat_map(|a| &a.verbs) {
        let mut indices = Vec::new();
        for stem in verb {
            let stem = stem
                .char_indices()
                .nth(PREFIX)
                .map_or(stem.as_str(), |(i, _)| &stem[..i]);
            let i = stems.iter().position(|s| *s == stem).unwrap_or_else(|| {
                stems.push(stem);
                stems.len() - 1
            });
            indices.push(i);
        }
        verbs.push(indices);
    }
    let matcher = Matcher::new(stems.iter().map(|s| (*s, MatchMode::Start)));
    (matcher, verbs)
}

/// The stems of words that name the act of checking, which an act may
/// wait for: a promise made on one of these is not the act. Not who checks
/// ("compliance", "legal"), nor what ("identity"): "once our compliance
/// team receives the IDs, engineering will switch the block off" waits for
/// a formality.
static CHECKS: std::sync::LazyLock<crate::matching::WordSet<String>> =
    std::sync::LazyLock::new(|| {
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        [
            "verify",
            "verified",
            "verification",
            "approve",
            "approval",
            "review",
            "authorize",
            "authorise",
            "authorization",
            "authorisation",
            "clearance",
            "cleared",
            "validate",
            "validation",
            "check",
            "vet",
            "vetted",
            "confirm",
            "confirmed",
            "confirmation",
        ]
        .iter()
        .map(|w| stemmer.stem(w).into_owned())
        .collect()
    });

/// How many words may stand between a two-word verb and its particle.
const PARTICLE_WORDS: usize = 5;

/// A forbidden act compiled: its verbs and objects as sequences of stems.
#[derive(Clone, Debug)]
struct ActRule {
    verbs: Vec<Vec<String>>,
    objects: Vec<Vec<String>>,
    owner: Banned,
    harmful_when_negated: bool,
    /// The verb class (`disable`), for messages.
    class: String,
}

impl ActRule {
    fn new(act: &Act, grading: &Grading, negation: &Negation, owner: Banned) -> Self {
        let stems = |phrase: &str| negation.phrase_stems(phrase);
        let forms = grading.verbs.get(&act.verbs).cloned().unwrap_or_default();
        ActRule {
            verbs: forms
                .iter()
                .map(|f| stems(f))
                .filter(|v| !v.is_empty())
                .collect(),
            objects: act
                .objects
                .iter()
                .map(|o| stems(o))
                .filter(|o| !o.is_empty())
                .collect(),
            owner,
            harmful_when_negated: act.harmful_when_negated,
            class: act.verbs.clone(),
        }
    }

    /// Where the act is done in a read text: the byte ranges of the verb
    /// and of the object.
    fn find(
        &self,
        stems: &[String],
        reading: &crate::matching::Reading,
    ) -> Option<((usize, usize), (usize, usize))> {
        let words = &reading.words;
        let at = |i: usize, seq: &[String]| {
            stems.len() >= i + seq.len() && stems[i..i + seq.len()] == *seq
        };
        for (i, w) in words.iter().enumerate() {
            for verb in &self.verbs {
                // The verb, its particle next to it or a few words on
                // ("switched SSO enforcement off", "giving your admin their
                // access back"), in the same statement.
                let matched = at(i, verb)
                    || (verb.len() == 2
                        && stems[i] == verb[0]
                        && (i + 2..(i + 2 + PARTICLE_WORDS).min(stems.len())).any(|j| {
                            stems[j] == verb[1]
                                && reading.statement(w.0) == reading.statement(words[j].0)
                        }));
                if !matched {
                    continue;
                }
                let (start, end) = reading.statement(w.0);
                let object = (0..stems.len()).find_map(|j| {
                    if words[j].0 < start || words[j].1 > end {
                        return None;
                    }
                    let o = self.objects.iter().find(|o| at(j, o))?;
                    Some((words[j].0, words[j + o.len() - 1].1))
                });
                let Some(object) = object else {
                    continue;
                };
                if reading.reported(w.0) || necessary(stems, reading, i) {
                    continue;
                }
                // A promise that waits for a check is not the act ("we will
                // restore access once your identity is verified", "once
                // compliance approves, the block can be lifted"); one that
                // waits for a formality is ("as soon as you send your
                // workspace ID we'll unlock the account").
                // An act after "before" in its clause comes later: it waits
                // for what the clause puts first ("I'll ask you for details
                // to verify your identity before access is restored").
                let condition = reading
                    .condition(w.0)
                    .or_else(|| after_before(stems, reading, i).then(|| reading.clause(w.0)));
                if let Some((cs, ce)) = condition {
                    // A check the customer does is a formality: "once you
                    // confirm your workspace ID" ("once we've verified that
                    // you own it", "I'll ask you for details to verify
                    // your identity" are ours).
                    // Unless the customer is who is checked: "once you're
                    // verified", "once you have been verified" (passive).
                    let checked = |from: usize, to: usize| {
                        let mut you: Option<usize> = None;
                        let mut passive = false;
                        for (k, (x, stem)) in words.iter().zip(stems).enumerate() {
                            if x.0 < from || x.1 > to {
                                continue;
                            }
                            if CHECKS.contains(stem) {
                                return passive || you.is_none_or(|y| k - y > 2);
                            }
                            if matches!(stem.as_str(), "you" | "you'v" | "you'r" | "you'll") {
                                you = Some(k);
                                passive = stem == "you'r";
                            } else if you.is_some() {
                                passive |=
                                    matches!(stem.as_str(), "are" | "be" | "been" | "get" | "got");
                            }
                        }
                        false
                    };
                    let (clause_start, clause_end) = reading.clause(w.0);
                    if checked(cs, ce) || checked(clause_start, clause_end) {
                        continue;
                    }
                    // A condition that is no step of the customer's ("once
                    // exports work again", "only after the fix is
                    // deployed") waits for something real: only the
                    // customer's formality ("as soon as you send your
                    // workspace ID", "once your billing email arrives")
                    // makes the promise the act.
                    let waits_for_time =
                        condition_words(stems, reading, (cs, ce), i).is_some_and(|(from, to)| {
                            !words.iter().zip(stems).any(|(x, stem)| {
                                x.0 >= from
                                    && x.1 <= to
                                    && matches!(
                                        stem.as_str(),
                                        "you"
                                            | "you'v"
                                            | "you'r"
                                            | "you'll"
                                            | "you'd"
                                            | "your"
                                            | "yours"
                                    )
                            })
                        });
                    if waits_for_time {
                        continue;
                    }
                }
                if !self.harmful_when_negated && reading.negated(w.0, w.1) {
                    continue;
                }
                return Some((*w, object));
            }
        }
        None
    }
}

/// The words that state the time an act at word `i` waits for, as a byte
/// range, when its condition is one of time ("once", "after", "when",
/// "before", "as soon as", "until"): from that word to the verb when it
/// comes first, or to the end of the condition when it comes after. `None`
/// for an `if` condition ("if it's faster, file a claim with your bank"
/// still tells the customer to do it).
fn condition_words(
    stems: &[String],
    reading: &crate::matching::Reading,
    (cs, ce): (usize, usize),
    i: usize,
) -> Option<(usize, usize)> {
    let words = &reading.words;
    let verb = words[i].0;
    let (p, stem) = words.iter().zip(stems).find(|(w, stem)| {
        w.0 >= cs && w.1 <= ce && (reading.preconditions.contains(&w.0) || stem.as_str() == "befor")
    })?;
    if matches!(stem.as_str(), "if" | "unless" | "whether") {
        return None;
    }
    Some(if p.0 < verb { (p.0, verb) } else { (p.0, ce) })
}

/// Whether the act at word `i` is named as what waits for a necessary
/// condition, which promises nothing: "we need the time of your last
/// login **before we can** restore access", "access is restored **only
/// after** verification". (A sufficient condition, "once you send your
/// workspace ID we'll unlock the account", promises the act: it is spared
/// only when the condition is a check of ours.)
fn necessary(stems: &[String], reading: &crate::matching::Reading, i: usize) -> bool {
    let words = &reading.words;
    let (start, _) = reading.clause(words[i].0);
    (0..i).rev().take_while(|&k| words[k].0 >= start).any(|k| {
        // "only once", "only after", "only when", "only if".
        let only = k > 0 && stems[k - 1] == "onli" && reading.preconditions.contains(&words[k].0);
        // "before we can", "before anyone is able to": what cannot be done
        // yet (a plain "before" puts the act first).
        let able = stems[k] == "befor"
            && stems[k + 1..(k + 4).min(i)]
                .iter()
                .any(|s| matches!(s.as_str(), "can" | "could" | "abl" | "may"));
        only || able
    })
}

/// Whether a "before" comes ahead of word `i` in its clause.
fn after_before(stems: &[String], reading: &crate::matching::Reading, i: usize) -> bool {
    let words = &reading.words;
    let (start, _) = reading.clause(words[i].0);
    (0..i)
        .rev()
        .take_while(|&k| words[k].0 >= start)
        .any(|k| stems[k] == "befor")
}

impl Markers {
    fn new(
        task: &TaskSpec,
        matching: &TaskMatching,
        grading: &Grading,
        negation: &Negation,
    ) -> Self {
        let mut patterns: Vec<(&str, MatchMode)> = Vec::new();
        let mut owner = Vec::new();
        for (g, group) in task.required_reply_markers.iter().enumerate() {
            for m in group {
                patterns.push((m, matching.reply_mode(m)));
                owner.push(Owner::Reply(g));
            }
        }
        for (g, group) in task.required_note_markers.iter().enumerate() {
            for m in group {
                patterns.push((m, matching.note_mode(m)));
                owner.push(Owner::Note(g));
            }
        }
        let mut banned: Vec<(&str, MatchMode)> = Vec::new();
        let mut banned_owner = Vec::new();
        for m in &task.forbidden_reply_markers {
            let mode = matching.forbidden_mode(m);
            // Since contract v3 a negated forbidden phrase is no violation
            // unless the author says it is harmful even negated.
            let negatable = !matching.harmful_when_negated.contains(m);
            let variants = matching.forbidden_variants.get(m).into_iter().flatten();
            for text in std::iter::once(m).chain(variants) {
                banned.push((text, mode));
                banned_owner.push((Banned::Forbidden, negatable, m.clone()));
            }
        }
        let mut acts: Vec<ActRule> = matching
            .forbidden_acts
            .iter()
            .map(|a| ActRule::new(a, grading, negation, Banned::Forbidden))
            .collect();
        for (i, gate) in grading.gates.iter().enumerate() {
            if let GateCondition::Says {
                phrases,
                acts: gate_acts,
            } = &gate.when
            {
                for p in phrases {
                    for text in std::iter::once(&p.text).chain(&p.variants) {
                        banned.push((text, p.mode));
                        banned_owner.push((
                            Banned::Gate(i),
                            !p.harmful_when_negated,
                            p.text.clone(),
                        ));
                    }
                }
                acts.extend(
                    gate_acts
                        .iter()
                        .map(|a| ActRule::new(a, grading, negation, Banned::Gate(i))),
                );
            }
        }
        Markers {
            required: Matcher::new(patterns),
            owner,
            reply_groups: task.required_reply_markers.len(),
            note_groups: task.required_note_markers.len(),
            banned: Matcher::new(banned),
            banned_owner,
            act_filter: act_filter(&acts),
            acts,
        }
    }
}

/// A task compiled for running: everything that does not change per step.
#[derive(Debug)]
pub struct TaskRuntime {
    pub spec: TaskSpec,
    pub domain: Arc<DomainSpec>,
    pub weights: Weights,
    /// The domain's grading with the task's own on top.
    pub grading: Grading,
    /// The texts a competent agent sends, where the task declares them.
    pub gold_reply: Option<String>,
    pub gold_note: Option<String>,
    /// The gold reply and note normalized, once needed.
    gold_normalized: (std::sync::OnceLock<String>, std::sync::OnceLock<String>),
    /// The acts the gold reply does, once known.
    gold_acts: std::sync::OnceLock<Vec<(Banned, String)>>,
    /// The verdicts of the gold reply and note as first texts, once known.
    gold_verdicts: (
        std::sync::OnceLock<texts::Verdict>,
        std::sync::OnceLock<texts::Verdict>,
    ),
    negation: Arc<Negation>,
    /// The languages the task's customers are answered in.
    languages: Arc<Languages>,
    /// The stems of the content words of the task's own texts (ticket,
    /// knowledge base, objective, rules, gold texts): what a relevant text
    /// shares words with (contract v3, rule 8).
    vocabulary: crate::matching::WordSet<String>,
    /// Hashes of every run of [`texts::ECHO_WORDS`] words of the ticket,
    /// knowledge base and objective: a reply sentence that copies one
    /// quotes the task instead of answering it.
    material: crate::matching::WordSet<u64>,
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

/// What every task of a domain shares at run time, built once: the domain,
/// its allowed values (shown in every observation) and its negation
/// detector.
#[derive(Debug)]
pub struct DomainRuntime {
    pub domain: Arc<DomainSpec>,
    pub allowed: Arc<Allowed>,
    negation: Arc<Negation>,
    languages: Arc<Languages>,
}

impl DomainRuntime {
    pub fn new(domain: &DomainSpec) -> Arc<Self> {
        Arc::new(DomainRuntime {
            allowed: Arc::new(Allowed {
                action_types: action::ACTION_TYPES.iter().map(|s| s.to_string()).collect(),
                queues: domain.queues.clone(),
                priorities: domain.priorities.clone(),
                issue_types: domain.issue_types.clone(),
                statuses: domain.statuses.clone(),
                resolution_codes: domain.resolution_codes.clone(),
                fields: domain.fields.clone(),
            }),
            negation: Arc::new(Negation::new(&domain.grading.negation_rules())),
            languages: Arc::new(Languages::new(&domain.grading.languages)),
            domain: Arc::new(domain.clone()),
        })
    }
}

impl TaskRuntime {
    /// The parts of every observation of this task that never change.
    pub fn view(&self) -> &TaskView {
        &self.view
    }

    /// Compiles a task of a validated document, with what sits beside it
    /// there (its matching and grading, where it has any).
    pub fn new(
        task: &TaskSpec,
        shared: &DomainRuntime,
        matching: Option<&TaskMatching>,
        grading: Option<&TaskGrading>,
    ) -> Self {
        Self::from_spec(task.clone(), shared, matching, grading)
    }

    /// [`TaskRuntime::new`], taking the spec itself (no copy).
    pub fn from_spec(
        task: TaskSpec,
        shared: &DomainRuntime,
        matching: Option<&TaskMatching>,
        task_grading: Option<&TaskGrading>,
    ) -> Self {
        let domain = shared.domain.clone();
        let allowed = shared.allowed.clone();
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
        let grading = d.grading.for_task(task_grading);
        let markers = Markers::new(
            &task,
            matching.unwrap_or(&empty),
            &grading,
            &shared.negation,
        );
        let languages = if grading.languages == d.grading.languages {
            shared.languages.clone()
        } else {
            Arc::new(Languages::new(&grading.languages))
        };
        let vocabulary = vocabulary(&task, task_grading, &shared.negation);
        let material = texts::material(&task);
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
            negation: shared.negation.clone(),
            languages,
            vocabulary,
            material,
            grading,
            gold_reply: task_grading.and_then(|g| g.gold_reply.clone()),
            gold_note: task_grading.and_then(|g| g.gold_note.clone()),
            gold_verdicts: Default::default(),
            gold_acts: Default::default(),
            gold_normalized: Default::default(),
            markers,
            view,
            spec: task,
            domain,
        }
    }

    /// A reply or note normalized (the gold ones once per task).
    fn normalized(&self, section: Section, text: &str) -> String {
        let (gold, cell) = match section {
            Section::Reply => (self.gold_reply.as_deref(), &self.gold_normalized.0),
            Section::Note => (self.gold_note.as_deref(), &self.gold_normalized.1),
        };
        if gold == Some(text) {
            cell.get_or_init(|| normalize_pattern(text)).clone()
        } else {
            normalize_pattern(text)
        }
    }

    /// Whether `text` says something banned from customer-facing texts (a
    /// forbidden marker, or a phrase of a `says` gate), as grading sees it.
    pub fn contains_forbidden(&self, text: &str) -> bool {
        self.forbidden_in(text).is_some()
    }

    /// The first banned phrase or act `text` says, as grading sees it.
    pub fn forbidden_in(&self, text: &str) -> Option<String> {
        let normalized = normalize_pattern(text);
        self.banned_in(&normalized)
            .into_iter()
            .map(|(_, phrase)| format!("\"{phrase}\""))
            .chain(self.acts_in(&normalized).into_iter().map(|(_, act)| act))
            .next()
    }

    /// What is banned in a normalized customer-facing text: each
    /// occurrence's owner, negated occurrences of phrases allowed when
    /// negated left out.
    fn banned_in(&self, normalized: &str) -> Vec<(Banned, String)> {
        let mut hits = Vec::new();
        self.markers
            .banned
            .scan_normalized(normalized, |p, start, end| hits.push((p, start, end)));
        self.banned_owners(hits, normalized)
    }

    /// The owners of banned occurrences `(pattern, start, end)` in a
    /// normalized text, negated occurrences of phrases allowed when negated
    /// left out.
    fn banned_owners(
        &self,
        hits: Vec<(usize, usize, usize)>,
        normalized: &str,
    ) -> Vec<(Banned, String)> {
        let owner = |p: usize| &self.markers.banned_owner[p];
        let reading = self.negation.read(normalized);
        // Not a violation: a negated occurrence (unless `even negated`), or
        // the customer's own request said back ("you asked us to ...").
        let mut out: Vec<(Banned, String)> = hits
            .into_iter()
            .filter(|&(p, start, end)| {
                !((owner(p).1 && reading.negated(start, end)) || reading.reported(start))
            })
            .map(|(p, _, _)| (owner(p).0, owner(p).2.clone()))
            .collect();
        out.dedup();
        out
    }

    /// The acts done in a normalized customer-facing text: each one's
    /// owner and a description.
    fn acts_in(&self, normalized: &str) -> Vec<(Banned, String)> {
        if self.markers.acts.is_empty() {
            return Vec::new();
        }
        // Most texts hold no verb of an act: a stem is the start of every
        // inflection, so a verb whose stems do not all start a word of the
        // text is not there, found without reading or stemming anything.
        let (filter, verbs) = &self.markers.act_filter;
        let seen = filter.matched_normalized(normalized);
        if !verbs.iter().any(|words| words.iter().all(|&w| seen[w])) {
            return Vec::new();
        }
        let reading = self.negation.read(normalized);
        let stems: Vec<String> = reading
            .words
            .iter()
            .map(|&(s, e)| self.negation.stem_cached(&normalized[s..e]))
            .collect();
        self.markers
            .acts
            .iter()
            .filter_map(|act| {
                let ((vs, ve), (os, oe)) = act.find(&stems, &reading)?;
                Some((
                    act.owner,
                    format!(
                        "act `{}` (\"{}\" … \"{}\")",
                        act.class,
                        &normalized[vs..ve],
                        &normalized[os..oe]
                    ),
                ))
            })
            .collect()
    }

    /// Compiles every task of a document, by id (each graded on its own:
    /// contract v3, rule 8).
    pub fn all(document: &Document) -> std::collections::BTreeMap<String, Arc<TaskRuntime>> {
        let Some(domain) = &document.domain else {
            return std::collections::BTreeMap::new();
        };
        let shared = DomainRuntime::new(domain);
        document
            .tasks
            .keys()
            .filter_map(|id| Some((id.clone(), Arc::new(Self::of(document, id, &shared)?))))
            .collect()
    }

    /// Compiles one task of a document (without the project table).
    pub fn of(document: &Document, task_id: &str, shared: &DomainRuntime) -> Option<Self> {
        let task = document.tasks.get(task_id)?;
        Some(TaskRuntime::new(
            task,
            shared,
            document.matching.get(task_id),
            document.grading.get(task_id),
        ))
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
    /// Every status the case was set to, in order of first setting.
    statuses: Vec<u16>,
    /// The distinct statuses other than the gold one the case was set to.
    wrong_statuses: Vec<u16>,
    /// Whether a valid action other than a status change came since the
    /// last status was set.
    acted_since_status: bool,
    /// The first status replaced by another with nothing done in between
    /// (a guess), and its replacement.
    status_guessed: Option<(u16, u16)>,
    resolution: Option<u16>,
    requested: Vec<u16>,
    requested_after_follow_up: Vec<u16>,
    follow_up_at: Option<u32>,
    routed_to_gold_at: Option<u32>,
    /// The first queue the case was routed to.
    first_queue: Option<u16>,
    /// The distinct queues other than the gold one the case was routed to.
    wrong_queues: Vec<u16>,
    over_escalated: bool,
    reply_groups_met: Vec<bool>,
    /// The first forbidden phrase or act said, if any.
    forbidden_seen: Option<String>,
    /// Per gate of the task's grading: the first of its `says` phrases or
    /// acts said, if any.
    says_seen: Vec<Option<String>>,
    note_groups_met: Vec<bool>,
    replies: Vec<String>,
    notes: Vec<String>,
    /// The messages of `request_info` actions that had one.
    request_messages: Vec<String>,
    /// Every customer-facing text so far, normalized, one per line: the
    /// thread in which a phrase split over two messages is found; and its
    /// compact form, grown message by message, for loose phrases.
    thread: String,
    thread_compact: crate::matching::Compact,
    /// Normalized replies and notes so far (to tell a repeat).
    seen_replies: Vec<String>,
    seen_notes: Vec<String>,
    voided: Vec<Voided>,
    /// Replies that met a required group (or, for a task without reply
    /// groups, were not voided): replies that answer.
    replies_counted: usize,
    /// The first required reply group a reply met only negated.
    contradicted: Option<Contradiction>,
    /// The first language other than the task's a reply sentence was
    /// confidently in.
    foreign: Option<String>,
    messages: Vec<String>,
    /// Bytes of the texts the episode has kept (replies, notes, request
    /// messages), against [`Grading::MAX_EPISODE_TEXT_BYTES`].
    text_bytes: usize,
    last_error: Option<ActionError>,
    score: f64,
    breakdown: Breakdown,
    gates: Vec<FiredGate>,
}

/// An action whose text is over [`Grading::MAX_TEXT_BYTES`], or would take
/// the episode's texts over [`Grading::MAX_EPISODE_TEXT_BYTES`], is invalid.
fn within_text_limits(action: Checked, used: usize) -> Result<Checked, ActionError> {
    const MAX_TEXT_BYTES: usize = Grading::MAX_TEXT_BYTES;
    const MAX_EPISODE_TEXT_BYTES: usize = Grading::MAX_EPISODE_TEXT_BYTES;
    let Some(text) = action.text() else {
        return Ok(action);
    };
    let field = action.text_field();
    let message = if text.len() > MAX_TEXT_BYTES {
        format!(
            "`{field}` has {} bytes; a text may have at most {MAX_TEXT_BYTES}",
            text.len()
        )
    } else if used + text.len() > MAX_EPISODE_TEXT_BYTES {
        format!(
            "the episode's texts would reach {} bytes; an episode keeps at most {MAX_EPISODE_TEXT_BYTES}",
            used + text.len()
        )
    } else {
        return Ok(action);
    };
    Err(ActionError {
        message,
        field: Some(field.to_owned()),
        allowed: None,
        suggestion: None,
    })
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
            says_seen: vec![None; rt.grading.gates.len()],
            ..Progress::default()
        };
        let mut episode = Episode {
            rt,
            episode_id,
            seed,
            p,
        };
        // The potential before the first step counts as 0: no free credit.
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

    pub fn episode_id(&self) -> &str {
        &self.episode_id
    }

    /// Steps taken so far (valid or not).
    pub fn step_count(&self) -> u32 {
        self.p.step
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
        let valid = action.is_ok();
        let reward = self.advance(action);
        self.result(reward, valid)
    }

    /// One step from a JSON action, returning only its reward: for playing
    /// episodes whose observations nobody reads (the compiler's proofs).
    pub fn step_quietly(&mut self, action: &Value) -> Result<f64, EnvError> {
        if self.p.done {
            return Err(EnvError::EpisodeEnded { steps: self.p.step });
        }
        let checked = action::parse(action, &self.rt.domain);
        Ok(self.advance(checked))
    }

    /// The grader's view as the episode stands.
    pub fn info(&self) -> Info {
        Info {
            score: self.p.score,
            breakdown: self.p.breakdown,
            gates: self.p.gates.clone(),
            voided: self.p.voided.clone(),
            valid: self.p.last_error.is_none(),
        }
    }

    /// The required marker groups no counted text has met yet, reply groups
    /// first, each as its section, its index among that section's groups
    /// (the order of the `require` lines) and its alternatives (for authors
    /// play-testing a task, and the compiler's solvability proof).
    pub fn unmet_groups(&self) -> Vec<(&'static str, usize, &[String])> {
        let spec = &self.rt.spec;
        let reply = spec
            .required_reply_markers
            .iter()
            .zip(&self.p.reply_groups_met);
        let note = spec
            .required_note_markers
            .iter()
            .zip(&self.p.note_groups_met);
        reply
            .enumerate()
            .map(|(i, g)| ("reply", i, g))
            .chain(note.enumerate().map(|(i, g)| ("note", i, g)))
            .filter(|(_, _, (_, met))| !**met)
            .map(|(section, i, (group, _))| (section, i, group.as_slice()))
            .collect()
    }

    /// Applies one action and grades; returns the step's reward.
    fn advance(&mut self, action: Result<Checked, ActionError>) -> f64 {
        let rt = self.rt.clone();
        let p = &mut self.p;
        p.step += 1;
        let step = p.step;
        p.last_error = None;
        let action = action.and_then(|a| within_text_limits(a, p.text_bytes));
        if let Ok(text) = action.as_ref().map(Checked::text) {
            p.text_bytes += text.map_or(0, str::len);
        }
        if matches!(&action, Ok(a) if !matches!(a, Checked::SetStatus { .. })) {
            p.acted_since_status = true;
        }
        match action {
            Err(e) => p.last_error = Some(e),
            Ok(Checked::Classify {
                queue,
                priority,
                issue_type,
            }) => {
                if let Some(q) = queue {
                    p.queue = Some(q);
                    p.first_queue.get_or_insert(q);
                    if q != rt.gold[0] && !p.wrong_queues.contains(&q) {
                        p.wrong_queues.push(q);
                    }
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
            Ok(Checked::RequestInfo { fields, message }) => {
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
                if let Some(message) = message {
                    say(&rt, p, &normalize_pattern(&message));
                    p.request_messages.push(message);
                }
                if p.follow_up_at.is_none() && rt.spec.follow_up_outcome != FollowUpOutcome::None {
                    p.follow_up_at = Some(step);
                    p.messages.push(rt.spec.follow_up_message.clone());
                }
            }
            Ok(Checked::Reply(message)) => {
                let normalized = rt.normalized(Section::Reply, &message);
                say(&rt, p, &normalized);
                // A reply that takes back what was sent ("please disregard
                // my previous message") withdraws the credit of every reply
                // before it, and of its own text up to the retraction.
                let verdict = match texts::retraction(&rt, &normalized) {
                    Some(after) => {
                        p.reply_groups_met.fill(false);
                        p.replies_counted = 0;
                        let rest = &normalized[after..];
                        texts::grade(&rt, Section::Reply, rest, rest, &p.seen_replies)
                    }
                    None => {
                        texts::grade(&rt, Section::Reply, &message, &normalized, &p.seen_replies)
                    }
                };
                credit(&rt, p, step, Section::Reply, verdict);
                p.seen_replies.push(normalized);
                p.replies.push(message);
            }
            Ok(Checked::AddNote(text)) => {
                let normalized = rt.normalized(Section::Note, &text);
                let verdict = texts::grade(&rt, Section::Note, &text, &normalized, &p.seen_notes);
                credit(&rt, p, step, Section::Note, verdict);
                p.seen_notes.push(normalized);
                p.notes.push(text);
            }
            Ok(Checked::SetStatus { status, resolution }) => {
                if let Some(before) = p.status {
                    if before != status && !p.acted_since_status && p.status_guessed.is_none() {
                        p.status_guessed = Some((before, status));
                    }
                }
                p.acted_since_status = false;
                p.status = Some(status);
                if !p.statuses.contains(&status) {
                    p.statuses.push(status);
                }
                if status != rt.gold[3] && !p.wrong_statuses.contains(&status) {
                    p.wrong_statuses.push(status);
                }
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
        p.gates = grade::gates(&rt, p);
        p.score = grade::score(&rt.weights, &p.breakdown, &p.gates);
        match rt.grading.reward {
            RewardMode::Dense => p.score - before,
            RewardMode::Final if p.done => p.score,
            RewardMode::Final => 0.0,
        }
    }

    fn result(&self, reward: f64, valid: bool) -> StepResult {
        StepResult {
            observation: self.observation(),
            reward,
            done: self.p.done,
            info: Info {
                score: self.p.score,
                breakdown: self.p.breakdown,
                gates: self.p.gates.clone(),
                voided: self.p.voided.clone(),
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
            request_messages: self.p.request_messages.clone(),
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
            // The minutes ran out: once true, always true, and nothing of
            // the grade (whether the case reached its queue) in it.
            sla_breached: left < 0,
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
            gates: self.p.gates.clone(),
            voided: self.p.voided.clone(),
            sla_minutes_left: self.sla_minutes_left(),
            workspace: self.workspace(),
            customer_messages: self.p.messages.clone(),
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

/// A customer-facing text joins the thread; what the thread now says that is
/// banned is recorded (a phrase split over two messages included).
fn say(rt: &TaskRuntime, p: &mut Progress, normalized: &str) {
    if !p.thread.is_empty() {
        p.thread.push('\n');
    }
    p.thread.push_str(normalized);
    let banned = &rt.markers.banned;
    let mut hits = Vec::new();
    if banned.has_loose() {
        // Only a phrase the new message completes can be new: scan from one
        // pattern's length before the old end of the thread.
        let from = p
            .thread_compact
            .len()
            .saturating_sub(banned.longest_loose());
        p.thread_compact.push(normalized);
        banned.scan_compact(&p.thread_compact, from, |pat, s, e| hits.push((pat, s, e)));
    }
    if banned.has_plain() {
        banned.scan_plain(&p.thread, |pat, s, e| hits.push((pat, s, e)));
    }
    // The gold reply is said in most of the compiler's episodes: what acts
    // it does is found once.
    let mut said =
        if rt.gold_reply.is_some() && rt.gold_normalized.0.get().is_some_and(|g| g == normalized) {
            rt.gold_acts.get_or_init(|| rt.acts_in(normalized)).clone()
        } else {
            rt.acts_in(normalized)
        };
    if !hits.is_empty() {
        said.extend(rt.banned_owners(hits, &p.thread));
    }
    for (banned, what) in said {
        let slot = match banned {
            Banned::Forbidden => &mut p.forbidden_seen,
            Banned::Gate(i) => &mut p.says_seen[i],
        };
        slot.get_or_insert(what);
    }
}

/// Credits the groups a text meets, or records why it meets none.
fn credit(
    rt: &TaskRuntime,
    p: &mut Progress,
    step: u32,
    section: Section,
    verdict: texts::Verdict,
) {
    match verdict {
        texts::Verdict::Meets {
            groups,
            contradicted,
            foreign,
        } => {
            if section == Section::Reply {
                // A reply answers when it meets a required group (contract
                // v3, rule 2).
                if !groups.is_empty() || rt.markers.reply_groups == 0 {
                    p.replies_counted += 1;
                }
                if p.contradicted.is_none() {
                    p.contradicted = contradicted.into_iter().next();
                }
                if p.foreign.is_none() {
                    p.foreign = foreign;
                }
            }
            let met = match section {
                Section::Reply => &mut p.reply_groups_met,
                Section::Note => &mut p.note_groups_met,
            };
            for g in groups {
                met[g] = true;
            }
        }
        texts::Verdict::Void { reason, foreign } => {
            if section == Section::Reply && p.foreign.is_none() {
                p.foreign = foreign;
            }
            p.voided.push(Voided {
                step,
                section: section.name().into(),
                reason,
            })
        }
    }
}

/// The stems of the content words of a task's own texts.
fn vocabulary(
    task: &TaskSpec,
    grading: Option<&TaskGrading>,
    negation: &Negation,
) -> crate::matching::WordSet<String> {
    let t = &task.ticket;
    let mut texts: Vec<&str> = vec![
        &task.title,
        &task.objective,
        &t.customer_name,
        &t.company,
        &t.subject,
        &t.body,
        &t.region,
        &t.business_impact,
        &task.follow_up_message,
        &task.gold_queue,
        &task.gold_issue_type,
        &task.gold_resolution_code,
    ];
    texts.extend(t.secondary_concerns.iter().map(String::as_str));
    texts.extend(t.attachments.iter().map(String::as_str));
    for kb in &task.knowledge_base {
        texts.push(&kb.title);
        texts.push(&kb.content);
    }
    for group in task
        .required_reply_markers
        .iter()
        .chain(&task.required_note_markers)
    {
        texts.extend(group.iter().map(String::as_str));
    }
    // Not the forbidden phrases and acts: they name what must not be said,
    // not what the ticket is about.
    texts.extend(task.required_requested_fields.iter().map(String::as_str));
    if let Some(g) = grading {
        texts.extend(g.gold_reply.as_deref());
        texts.extend(g.gold_note.as_deref());
    }
    let mut out = crate::matching::WordSet::default();
    for text in texts {
        let norm = normalize_pattern(&text.replace('_', " "));
        for (s, e) in word_spans(&norm) {
            let word = &norm[s..e];
            if word.chars().count() >= 3 && !texts::is_function_word(word) {
                out.insert(negation.stem_cached(word));
            }
        }
    }
    out
}
