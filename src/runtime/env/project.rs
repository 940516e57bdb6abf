//! Every task's required marker groups in one table, for the off-topic rule
//! (contract v2, rule 7): a text that meets more than a few required groups
//! of *other* tasks of the project is off-topic and meets no group of its
//! own. A group another task shares with this one (an alternative both
//! list) never counts: meeting it is on topic for both.

use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// Its alternatives, as indices into the table's patterns (whose
    /// normalized texts tell a shared group).
    alternatives: Vec<u32>,
}

/// The required groups of every task of a project, searchable at once.
#[derive(Debug)]
pub struct ProjectMarkers {
    /// The automata, each over a run of the patterns, with the index of its
    /// first pattern: one for the runtime; for the compiler, one per thread,
    /// built in parallel.
    matchers: Vec<(usize, Matcher)>,
    /// For each distinct pattern, the groups it belongs to.
    owners: Vec<Vec<u32>>,
    /// For each distinct pattern, its text normalized.
    normalized: Vec<String>,
    groups: Vec<GroupInfo>,
    tasks: BTreeMap<String, u32>,
}

impl ProjectMarkers {
    /// The table of `tasks`, for a runtime that scans every text sent.
    pub fn new<'a>(tasks: impl IntoIterator<Item = TaskGroups<'a>>) -> Self {
        Self::build(tasks, Strategy::Automaton, 1)
    }

    /// The table of `tasks`, for the compiler, which scans only the gold
    /// texts: past [`Self::DFA_MAX_PATTERNS`], the automaton quickest to
    /// build, split in one automaton per thread built in parallel (on a
    /// project of thousands of tasks, building the table was the longest
    /// step of `check` on one thread, and the build grows faster than the
    /// patterns: 0.2 s for 127,505 patterns, 1.2 s for 382,505).
    pub fn for_check<'a>(tasks: impl IntoIterator<Item = TaskGroups<'a>>) -> Self {
        Self::build(tasks, Strategy::QuickBuild, rayon::current_num_threads())
    }

    /// The table, with `large` past [`Self::DFA_MAX_PATTERNS`], in up to
    /// `parts` automata.
    fn build<'a>(
        tasks: impl IntoIterator<Item = TaskGroups<'a>>,
        large: Strategy,
        parts: usize,
    ) -> Self {
        let empty = TaskMatching::default();
        // Borrowed keys: a project of thousands of tasks has hundreds of
        // thousands of alternatives, most of them repeated.
        let mut patterns: Vec<(&'a str, MatchMode)> = Vec::new();
        let mut index: HashMap<(&'a str, MatchMode), u32> = HashMap::new();
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
                let mut alternatives = Vec::with_capacity(group.len());
                for alt in group {
                    let mode = if is_reply {
                        matching.reply_mode(alt)
                    } else {
                        matching.note_mode(alt)
                    };
                    let key = (alt.as_str(), mode);
                    let p = *index.entry(key).or_insert_with(|| {
                        patterns.push(key);
                        owners.push(Vec::new());
                        (patterns.len() - 1) as u32
                    });
                    // Groups come in order: a repeat within this group is
                    // the last owner (a marker shared by thousands of
                    // tasks has thousands of owners).
                    let owned = &mut owners[p as usize];
                    if owned.last() != Some(&g) {
                        owned.push(g);
                    }
                    alternatives.push(p);
                }
                groups.push(GroupInfo {
                    task: t as u32,
                    alternatives,
                });
            }
        }
        // A DFA scans fastest, but its size grows with the patterns: past a
        // few thousand (a project of hundreds of tasks), `large`, in parts.
        let (strategy, parts) = if patterns.len() <= Self::DFA_MAX_PATTERNS {
            (Strategy::Dfa, 1)
        } else {
            (large, parts.max(1))
        };
        let normalized = patterns.iter().map(|(t, _)| normalize_pattern(t)).collect();
        ProjectMarkers {
            normalized,
            matchers: Self::automata(&patterns, strategy, parts),
            owners,
            groups,
            tasks: ids,
        }
    }

    /// `patterns` in `parts` automata of consecutive patterns, built in
    /// parallel, each with the index of its first pattern.
    fn automata(
        patterns: &[(&str, MatchMode)],
        strategy: Strategy,
        parts: usize,
    ) -> Vec<(usize, Matcher)> {
        use rayon::prelude::*;
        let size = patterns.len().div_ceil(parts).max(1);
        patterns
            .par_chunks(size)
            .enumerate()
            .map(|(i, chunk)| {
                (
                    i * size,
                    Matcher::with_strategy(chunk.iter().copied(), strategy),
                )
            })
            .collect()
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
        for (first, matcher) in &self.matchers {
            // Which group is met first does not change the count, capped
            // past `limit`: the automata can be scanned one after another.
            if met.len() > limit {
                break;
            }
            matcher.scan_normalized(normalized, |p, _, _| {
                let p = first + p;
                // A pattern of this task's own makes every group holding it
                // shared: nothing to count.
                if met.len() > limit || own.contains(&self.normalized[p]) {
                    return;
                }
                for &g in &self.owners[p] {
                    let info = &self.groups[g as usize];
                    if Some(info.task) != this
                        && !met.contains(&g)
                        && !info
                            .alternatives
                            .iter()
                            .any(|&a| own.contains(&self.normalized[a as usize]))
                    {
                        met.push(g);
                        if met.len() > limit {
                            return;
                        }
                    }
                }
            });
        }
        met.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` tasks of three reply groups each: one of its own words, one
    /// shared with the task beside it, and one every task lists. (Numbers
    /// end in `x`: under word-start matching `pair1` would meet `pair10`.)
    fn project(n: usize) -> Vec<(String, Vec<Vec<String>>)> {
        (0..n)
            .map(|i| {
                let own = vec![format!("topic{i}x alpha"), format!("topic{i}x beta")];
                let pair = vec![format!("pair{}x", i / 2)];
                let common = vec!["thank you".to_owned()];
                (format!("task_{i}"), vec![own, pair, common])
            })
            .collect()
    }

    fn table(
        tasks: &[(String, Vec<Vec<String>>)],
        strategy: Strategy,
        parts: usize,
    ) -> ProjectMarkers {
        ProjectMarkers::build(
            tasks.iter().map(|(id, groups)| TaskGroups {
                task_id: id,
                reply: groups,
                note: &[],
                matching: None,
            }),
            strategy,
            parts,
        )
    }

    fn own(groups: &[Vec<String>]) -> HashSet<String> {
        groups
            .iter()
            .flatten()
            .map(|m| normalize_pattern(m))
            .collect()
    }

    /// A text naming the topics of tasks `a` and `b` and pair `c`, and
    /// how many groups foreign to task `i` it meets.
    fn text(i: usize, a: usize, b: usize, c: usize) -> (String, usize) {
        let mut foreign: Vec<usize> = [a, b].into_iter().filter(|&t| t != i).collect();
        foreign.dedup();
        // Pair `c` is two groups (tasks 2c and 2c + 1), or one's own.
        let pair = if c == i / 2 { 0 } else { 2 };
        (
            format!("topic{a}x alpha, topic{b}x beta, pair{c}x, topic{i}x alpha, thank you"),
            foreign.len() + pair,
        )
    }

    #[test]
    fn foreign_groups_count_other_tasks_groups_not_shared_ones() {
        let tasks = project(6);
        let t = table(&tasks, Strategy::Automaton, 1);
        let count = |i: usize, text: &str, limit| {
            t.foreign_groups(&tasks[i].0, &own(&tasks[i].1), text, limit)
        };
        // Its own topic, its pair and the common group: nothing foreign.
        assert_eq!(count(0, "topic0x beta, pair0x, thank you", 10), 0);
        // Tasks 1's and 3's topics; pair 0 is task 0's own group.
        let (t1, n) = text(0, 1, 3, 0);
        assert_eq!((count(0, &t1, 10), n), (2, 2));
        // For task 2: topics 0, 1 and 3, and pair 0 (tasks 0 and 1).
        assert_eq!(count(2, &t1, 10), 5);
        // Counting stops one past the limit.
        assert_eq!(count(2, &t1, 1), 2);
    }

    /// The compiler's table (automata built apart, in parallel) counts
    /// what the runtime's single automaton counts, and what the project
    /// says, on a project large enough to be split.
    #[test]
    fn a_table_in_parts_counts_what_one_automaton_counts() {
        let n = 1200;
        let tasks = project(n);
        let one = table(&tasks, Strategy::Automaton, 1);
        let parts = table(&tasks, Strategy::QuickBuild, 3);
        assert!(one.normalized.len() > ProjectMarkers::DFA_MAX_PATTERNS);
        assert_eq!(parts.matchers.len(), 3);
        for i in (0..n).step_by(7) {
            let mine = own(&tasks[i].1);
            let cases = [
                text(i, (i * 7 + 1) % n, (i * 11 + 5) % n, (i + 2) / 2 % (n / 2)),
                text(i, i, i, i / 2),
                text(i, n - 1 - i, n - 1 - i, (i * 3) % (n / 2)),
            ];
            for (text, expected) in cases {
                for limit in [0, 1, 2, 5] {
                    let want = expected.min(limit + 1);
                    assert_eq!(
                        one.foreign_groups(&tasks[i].0, &mine, &text, limit),
                        want,
                        "{text}"
                    );
                    assert_eq!(
                        parts.foreign_groups(&tasks[i].0, &mine, &text, limit),
                        want,
                        "{text}"
                    );
                }
            }
        }
    }
}
