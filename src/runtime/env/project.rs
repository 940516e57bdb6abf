//! Every task's required marker groups in one table, for the off-topic rule
//! (contract v2, rule 7): a text that meets more than a few required groups
//! of *other* tasks of the project is off-topic and meets no group of its
//! own. A group another task shares with this one (an alternative both
//! list) never counts: meeting it is on topic for both.

use std::collections::{BTreeMap, HashSet};

use crate::matching::{normalize_pattern, MatchMode, Matcher};
use crate::spec::{Document, TaskMatching, TaskSpec};

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
    groups: Vec<GroupInfo>,
    tasks: BTreeMap<String, u32>,
}

impl ProjectMarkers {
    /// The table of `tasks` (each with its matching modes, if any).
    pub fn new<'a>(
        tasks: impl IntoIterator<Item = (&'a TaskSpec, Option<&'a TaskMatching>)>,
    ) -> Self {
        let empty = TaskMatching::default();
        let mut patterns: Vec<(String, MatchMode)> = Vec::new();
        let mut index: BTreeMap<(String, MatchMode), usize> = BTreeMap::new();
        let mut owners: Vec<Vec<u32>> = Vec::new();
        let mut groups = Vec::new();
        let mut ids = BTreeMap::new();
        for (t, (spec, matching)) in tasks.into_iter().enumerate() {
            let matching = matching.unwrap_or(&empty);
            ids.insert(spec.task_id.clone(), t as u32);
            let sections = spec
                .required_reply_markers
                .iter()
                .map(|g| (g, true))
                .chain(spec.required_note_markers.iter().map(|g| (g, false)));
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
        ProjectMarkers {
            matcher: Matcher::new(patterns.iter().map(|(t, m)| (t.as_str(), *m))),
            owners,
            groups,
            tasks: ids,
        }
    }

    /// The table of a compiled document.
    pub fn of(document: &Document) -> Self {
        Self::new(
            document
                .tasks
                .iter()
                .map(|(id, t)| (t, document.matching.get(id))),
        )
    }

    /// How many required groups of tasks other than `task_id` a normalized
    /// text meets, leaving out groups that share an alternative with
    /// `own` (the normalized alternatives of `task_id`).
    pub fn foreign_groups(&self, task_id: &str, own: &HashSet<String>, normalized: &str) -> usize {
        let this = self.tasks.get(task_id).copied();
        let mut met: Vec<u32> = Vec::new();
        self.matcher.scan_normalized(normalized, |p, _, _| {
            for &g in &self.owners[p] {
                let info = &self.groups[g as usize];
                if Some(info.task) != this
                    && !met.contains(&g)
                    && !info.alternatives.iter().any(|a| own.contains(a))
                {
                    met.push(g);
                }
            }
        });
        met.len()
    }
}
