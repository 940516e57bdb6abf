//! The L1 decision-tree validator (TREE.md), driven by a declared tree
//! policy and its floors: check a node against the hard floors, choose among
//! the candidates of successive attempts, cap the depth, normalize a walk
//! into a tree, and check a whole tree. The model call stays outside: callers
//! hand candidate nodes and walks as JSON.

mod acts;
mod check;
mod node;
mod prompt;
mod walk;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::matching::{Matcher, Strategy};
use crate::spec::{Document, MatchMode, TreePolicy};

pub use check::{check_tree, TreeProblem, TreeReport};
pub use node::{NodeReport, Violation};
pub use prompt::{context, extract_node, Rule, DEFAULT_ROLE};
pub use walk::{normalize, WalkError};

/// A tree policy compiled with its floors into one matcher.
#[derive(Debug)]
pub struct Validator {
    pub name: String,
    pub policy: TreePolicy,
    matcher: Matcher,
    /// For each pattern: (floor, reason, phrase).
    phrases: Vec<(String, String, String)>,
    /// The floor groups, in the policy's order, for the prompt.
    rules: Vec<Rule>,
    /// The floors' acts, if they have any.
    acts: Option<acts::Acts>,
}

impl Validator {
    /// Compiles the policy `name` of a document.
    pub fn new(document: &Document, name: &str) -> Option<Validator> {
        let policy = document.trees.get(name)?.clone();
        let mut phrases = Vec::new();
        let mut patterns: Vec<(String, MatchMode)> = Vec::new();
        let mut rules = Vec::new();
        for floor_name in &policy.floors {
            let Some(floor) = document.floors.get(floor_name) else {
                continue;
            };
            for group in &floor.groups {
                rules.push(Rule {
                    floor: floor_name.clone(),
                    reason: group.reason.clone(),
                    description: group.description.clone(),
                    phrases: group.phrases.iter().map(|p| p.text.clone()).collect(),
                });
                for phrase in &group.phrases {
                    phrases.push((
                        floor_name.clone(),
                        group.reason.clone(),
                        phrase.text.clone(),
                    ));
                    patterns.push((phrase.text.clone(), phrase.mode));
                }
            }
        }
        // Built once per policy and run on every node: the DFA, the
        // fastest scan (`benches/tree.rs`).
        let matcher = Matcher::with_strategy(
            patterns.iter().map(|(t, m)| (t.as_str(), *m)),
            Strategy::Dfa,
        );
        let acts = acts::Acts::new(document, &policy.floors);
        Some(Validator {
            name: name.to_owned(),
            policy,
            matcher,
            phrases,
            rules,
            acts,
        })
    }

    /// Every validator of a document, by name.
    pub fn all(document: &Document) -> BTreeMap<String, Validator> {
        document
            .trees
            .keys()
            .filter_map(|name| Validator::new(document, name).map(|v| (name.clone(), v)))
            .collect()
    }

    /// Checks one candidate node: a node object, or the model's raw
    /// output as a JSON string (the node is taken out of it first; output
    /// with none is rejected as `unparsable`).
    pub fn check_node(&self, node: &Value) -> NodeReport {
        self.candidate(node).1
    }

    /// A candidate's node (parsed out of raw output) and its report.
    fn candidate<'a>(
        &self,
        candidate: &'a Value,
    ) -> (Option<std::borrow::Cow<'a, Value>>, NodeReport) {
        let Value::String(raw) = candidate else {
            return (
                Some(std::borrow::Cow::Borrowed(candidate)),
                node::check(self, candidate, &[]),
            );
        };
        match extract_node(raw) {
            Ok(node) => {
                let report = node::check(self, &node, &[]);
                (Some(std::borrow::Cow::Owned(node)), report)
            }
            Err(message) => (
                None,
                NodeReport {
                    accepted: false,
                    violations: vec![Violation::Unparsable { message }],
                    omitted: 0,
                },
            ),
        }
    }

    /// Real steps of a walk: hidden `meta` entries do not count.
    pub fn depth(walk: &[Value]) -> usize {
        walk.iter()
            .filter(|s| s.get("node_type").and_then(Value::as_str) != Some("meta"))
            .count()
    }

    /// The next node: the depth-cap escalation for a walk at or over the cap;
    /// else the first acceptable candidate among the first `attempts`; else
    /// the fallback escalation.
    pub fn next(&self, walk: &[Value], candidates: &[Value]) -> Next {
        let depth = Self::depth(walk);
        if depth >= self.policy.max_depth as usize {
            return Next {
                node: escalate("depth_cap", &self.policy.depth_cap_text),
                source: "depth_cap",
                attempt: None,
                depth,
                rejected: Vec::new(),
            };
        }
        let mut rejected = Vec::new();
        for (i, candidate) in candidates
            .iter()
            .take(self.policy.attempts as usize)
            .enumerate()
        {
            let (node, report) = self.candidate(candidate);
            if let (true, Some(node)) = (report.accepted, node) {
                return Next {
                    node: node.into_owned(),
                    source: "candidate",
                    attempt: Some(i + 1),
                    depth,
                    rejected,
                };
            }
            rejected.push(report);
        }
        Next {
            node: escalate("generation_failed", &self.policy.failure_text),
            source: "generation_failed",
            attempt: None,
            depth,
            rejected,
        }
    }

    /// Adds the hard-floor violations of a string a node carries (`field`:
    /// its JSON pointer, `None` for `text`) to `found`, up to
    /// [`MAX_REPORTED_VIOLATIONS`] in all; returns how many it holds.
    /// Linear in the text: character offsets are counted once, forward.
    pub(crate) fn scan(
        &self,
        text: &str,
        field: Option<&str>,
        found: &mut Vec<Violation>,
    ) -> usize {
        let folded = crate::matching::normalize_pattern(text);
        let matches = self.matcher.find_all_folded(text, &folded);
        let total = matches.len();
        let ascii = text.is_ascii();
        let room = MAX_REPORTED_VIOLATIONS.saturating_sub(found.len());
        // Matches come sorted by start: count characters up to each start
        // from the previous one, and to its end from its start.
        let (mut byte, mut chars) = (0, 0);
        found.extend(matches.into_iter().take(room).map(|m| {
            let (start, end) = if ascii {
                (m.start, m.end)
            } else {
                chars += text[byte..m.start].chars().count();
                byte = m.start;
                (chars, chars + text[m.start..m.end].chars().count())
            };
            let (floor, reason, phrase) = &self.phrases[m.pattern];
            Violation::HardFloor {
                floor: floor.clone(),
                reason: reason.clone(),
                phrase: phrase.clone(),
                field: field.map(str::to_owned),
                start,
                end,
                matched: text[m.start..m.end].to_owned(),
            }
        }));
        let Some(acts) = &self.acts else {
            return total;
        };
        let hit = |floor: &str, reason: &str| {
            found.iter().any(|v| {
                matches!(v, Violation::HardFloor { floor: f, reason: r, .. } if f == floor && r == reason)
            })
        };
        let done = acts.find(text, &folded, hit);
        let room = MAX_REPORTED_VIOLATIONS.saturating_sub(found.len());
        found.extend(done.iter().take(room).map(|f| {
            let start = text[..f.start].chars().count();
            Violation::HardFloor {
                floor: f.floor.to_owned(),
                reason: f.reason.to_owned(),
                phrase: f.label.to_owned(),
                field: field.map(str::to_owned),
                start,
                end: start + text[f.start..f.end].chars().count(),
                matched: text[f.start..f.end].to_owned(),
            }
        }));
        total + done.len()
    }
}

/// At most this many hard-floor violations are listed for one text (the
/// rest are counted in `omitted`): one answer stays small whatever the text.
pub const MAX_REPORTED_VIOLATIONS: usize = 100;

fn escalate(reason: &str, text: &str) -> Value {
    json!({"node_type": "escalate", "reason_category": reason, "text": text})
}

/// The outcome of choosing the next node.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Next {
    /// The chosen node.
    pub node: Value,
    /// `candidate`, `depth_cap` or `generation_failed`.
    pub source: &'static str,
    /// Which attempt was accepted (1-based), for a candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<usize>,
    /// The walk's depth (hidden `meta` entries excluded).
    pub depth: usize,
    /// Why each earlier candidate was rejected.
    pub rejected: Vec<NodeReport>,
}
