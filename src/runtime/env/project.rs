//! Every task's required marker groups in one table, for the off-topic rule
//! (contract v2, rule 7): a text that meets more than a few required groups
//! of *other* tasks of the project is off-topic and meets no group of its
//! own. A group another task shares with this one (an alternative both
//! list) never counts: meeting it is on topic for both.

use std::collections::{BTreeMap, HashSet};

use crate::matching::{normalize_pattern, MatchMode, Matcher, Strategy};
use crate::spec::{Document, TaskMatching, TaskSpec};

/// What the table needs of one task: its id, its required groups, and how
/// its markers match.
#[derive(Clone, Copy, Debug)]
pub struct TaskGroups<'a> {
    pub task_id: &'a str,
    pub reply: &'a [Vec<String>],
    pub note: &'a [Vec<String>],
    pub matching: Option<&'a TaskMatching>,
}

impl<'a> TaskGroups<'a> {
    pub fn of(task: &'a TaskSpec, matching: Option<&'a TaskMatching>) -> Self {
        TaskGroups {
            task_id: &task.task_id,
            reply: &task.required_reply_markers,
            note: &task.required_note_markers,
            matching,
        }
    }
}

/// One group of one task.
#[derive(Clone, Debug)]
struct GroupInfo {
    task: u32,
    /// Its alternatives, normalized (to tell a shared group).
    alternatives: Vec<String>,
}

/// The required groups of every task of a project, searchable at once.
#[derive(Debug)]
pub struct ProjectMarkers {
    matcher: Matcher,
    /// For each distinct pattern, the groups it belongs to.
    owners: Vec<Vec<u32>>,
    /// For each distinct pattern, its text normalized.
    normalized: Vec<String>,
    groups: Vec<GroupInfo>,
    tasks: BTreeMap<String, u32>,
}

impl ProjectMarkers {
    /// The table of `tasks`.
    pub fn new<'a>(tasks: impl IntoIterator<Item = TaskGroups<'a>>) -> Self {
        let empty = TaskMatching::default();
        let mut patterns: Vec<(String, MatchMode)> = Vec::new();
        let mut index: BTreeMap<(String, MatchMode), usize> = BTreeMap::new();
        let mut owners: Vec<Vec<u32>> = Vec::new();
        let mut groups = Vec::new();
        let mut ids = BTreeMap::new();
        for (t, task) in tasks.into_iter().enumerate() {
            let matching = task.matching.unwrap_or(&empty);
            ids.insert(task.task_id.to_owned(), t as u32);
            let sections = task
                .reply
                .iter()
                .map(|g| (g, true))
                .chain(task.note.iter().map(|g| (g, false)));
            for (group, is_reply) in sections {
                let g = groups.len() as u32;
                groups.push(GroupInfo {
                    task: t as u32,
                    alternatives: group.iter().map(|a| normalize_pattern(a)).collect(),
                });
                for alt in group {
                    let mode = if is_reply {
                        matching.reply_mode(alt)
                    } else {
                        matching.note_mode(alt)
                    };
                    let key = (alt.clone(), mode);
                    let p = *index.entry(key.clone()).or_insert_with(|| {
                        patterns.push(key);
                        owners.push(Vec::new());
                        patterns.len() - 1
                    });
                    if !owners[p].contains(&g) {
                        owners[p].push(g);
                    }
                }
            }
        }
        // A DFA scans fastest, but its size grows with the patterns: past a
        // few thousand (a project of hundreds of tasks), the compact NFA.
        let strategy = if patterns.len() <= Self::DFA_MAX_PATTERNS {
            Strategy::Dfa
        } else {
            Strategy::Automaton
        };
        let normalized = patterns.iter().map(|(t, _)| normalize_pattern(t)).collect();
        ProjectMarkers {
            normalized,
            matcher: Matcher::with_strategy(
                patterns.iter().map(|(t, m)| (t.as_str(), *m)),
                strategy,
            ),
            owners,
            groups,
            tasks: ids,
        }
    }

    /// Up to this many distinct patterns the table is a DFA.
    pub const DFA_MAX_PATTERNS: usize = 2000;

    /// The table of a compiled document.
    pub fn of(document: &Document) -> Self {
        Self::new(
            document
                .tasks
                .iter()
                .map(|(id, t)| TaskGroups::of(t, document.matching.get(id))),
        )
    }

    /// How many required groups of tasks other than `task_id` a normalized
    /// text meets, leaving out groups that share an alternative with `own`
    /// (the normalized alternatives of `task_id`); counting stops past
    /// `limit`, which is all the off-topic rule needs to know.
    pub fn foreign_groups(
        &self,
        task_id: &str,
        own: &HashSet<String>,
        normalized: &str,
        limit: usize,
    ) -> usize {
        let this = self.tasks.get(task_id).copied();
        let mut met: Vec<u32> = Vec::new();
        self.matcher.scan_normalized(normalized, |p, _, _| {
            // A pattern of this task's own makes every group holding it
            // shared: nothing to count.
            if met.len() > limit || own.contains(&self.normalized[p]) {
                return;
            }
            for &g in &self.owners[p] {
                let info = &self.groups[g as usize];
                if Some(info.task) != this
                    && !met.contains(&g)
                    && !info.alternatives.iter().any(|a| own.contains(a))
                {
                    met.push(g);
                    if met.len() > limit {
                        return;
                    }
                }
            }
        });
        met.len()
    }
}
