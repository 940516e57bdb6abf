//! Checking a whole tree (`{id, nodes: {id: node}}`, as normalization
//! produces or an author writes): every problem, each with its node.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::node::{self, Violation};
use super::Validator;

/// Node types that end a path.
const TERMINAL: [&str; 3] = ["resolved", "escalate", "needs_review"];

/// One problem of a tree.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TreeProblem {
    /// `malformed`, `missing_root`, `id_mismatch`, `dangling_edge`,
    /// `unreachable`, `cycle`, `too_deep`, `non_terminal_leaf`,
    /// `missing_branch`, or `node`.
    pub kind: &'static str,
    /// The node at fault (absent for problems of the whole tree).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub message: String,
    /// The node check's violations, for `kind: node`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
}

/// Whether a tree is valid, and every problem.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TreeReport {
    pub valid: bool,
    /// Nodes on the longest root-to-leaf path before its leaf.
    pub depth: usize,
    pub problems: Vec<TreeProblem>,
}

fn problem(kind: &'static str, node: Option<&str>, message: String) -> TreeProblem {
    TreeProblem {
        kind,
        node: node.map(str::to_owned),
        message,
        violations: Vec::new(),
    }
}

/// The edges of a node: (`yes_next`, target) ... in a fixed order.
fn edges(node: &Map<String, Value>) -> Vec<(&'static str, Option<&str>)> {
    ["yes_next", "no_next", "next"]
        .into_iter()
        .filter_map(|k| node.get(k).map(|v| (k, v.as_str())))
        .collect()
}

pub fn check_tree(v: &Validator, tree: &Value) -> TreeReport {
    let mut problems = Vec::new();
    let root = tree.get("id").and_then(Value::as_str);
    let Some(nodes) = tree.get("nodes").and_then(Value::as_object) else {
        problems.push(problem(
            "malformed",
            None,
            "a tree is a JSON object with `id` (the root) and `nodes` (an object of nodes by id)"
                .into(),
        ));
        return TreeReport {
            valid: false,
            depth: 0,
            problems,
        };
    };
    let mut objects: BTreeMap<&str, &Map<String, Value>> = BTreeMap::new();
    for (id, node) in nodes {
        match node.as_object() {
            Some(o) => {
                objects.insert(id, o);
            }
            None => problems.push(problem(
                "malformed",
                Some(id),
                format!("node `{id}` is not a JSON object"),
            )),
        }
    }
    for (id, node) in &objects {
        check_node(v, id, node, nodes, &mut problems);
    }
    let depth = check_paths(v, root, &objects, &mut problems);
    problems.sort_by(|a, b| (&a.node, a.kind, &a.message).cmp(&(&b.node, b.kind, &b.message)));
    TreeReport {
        valid: problems.is_empty(),
        depth,
        problems,
    }
}

/// The problems of one node on its own: its id, the node check, its edges,
/// its branches, and whether a leaf ends a path properly.
fn check_node(
    v: &Validator,
    id: &str,
    node: &Map<String, Value>,
    nodes: &Map<String, Value>,
    problems: &mut Vec<TreeProblem>,
) {
    if let Some(own) = node.get("id") {
        if own.as_str() != Some(id) {
            problems.push(problem(
                "id_mismatch",
                Some(id),
                format!("node `{id}` says its id is {own}"),
            ));
        }
    }
    let report = node::check(v, &Value::Object(node.clone()), &["needs_review"]);
    if !report.accepted {
        problems.push(TreeProblem {
            kind: "node",
            node: Some(id.to_string()),
            message: format!("node `{id}` fails the node check"),
            violations: report.violations,
        });
    }
    let node_type = node.get("node_type").and_then(Value::as_str).unwrap_or("");
    let out = edges(node);
    for (edge, target) in &out {
        match target {
            Some(t) if nodes.contains_key(*t) => {}
            Some(t) => problems.push(problem(
                "dangling_edge",
                Some(id),
                format!("`{edge}` of `{id}` points at `{t}`, which is not a node"),
            )),
            None if node_type == "instruction" && *edge == "next" => {}
            None => problems.push(problem(
                "dangling_edge",
                Some(id),
                format!("`{edge}` of `{id}` is not a node id"),
            )),
        }
    }
    if node_type == "question" {
        for branch in ["yes_next", "no_next"] {
            if node.get(branch).and_then(Value::as_str).is_none() {
                problems.push(problem(
                    "missing_branch",
                    Some(id),
                    format!("question `{id}` has no `{branch}`"),
                ));
            }
        }
    }
    let leaf = out.iter().all(|(_, t)| t.is_none());
    if leaf && !TERMINAL.contains(&node_type) && node_type != "question" {
        problems.push(problem(
            "non_terminal_leaf",
            Some(id),
            format!(
                "`{id}` ({node_type}) ends a path but is not resolved, escalate or needs_review"
            ),
        ));
    }
}

/// The problems of the tree's paths from its root (a missing root, cycles,
/// unreachable nodes, a path deeper than the cap); returns the depth.
fn check_paths(
    v: &Validator,
    root: Option<&str>,
    objects: &BTreeMap<&str, &Map<String, Value>>,
    problems: &mut Vec<TreeProblem>,
) -> usize {
    let r = match root {
        Some(r) if objects.contains_key(r) => r,
        Some(r) => {
            problems.push(problem(
                "missing_root",
                None,
                format!("the root `{r}` is not a node"),
            ));
            return 0;
        }
        None => {
            problems.push(problem(
                "missing_root",
                None,
                "the tree has no root `id`".into(),
            ));
            return 0;
        }
    };
    let (reached, cycles, longest) = walk(r, objects);
    for (from, to) in cycles {
        problems.push(problem(
            "cycle",
            Some(&from),
            format!("the edge from `{from}` back to `{to}` closes a cycle"),
        ));
    }
    for id in objects.keys().filter(|id| !reached.contains(**id)) {
        problems.push(problem(
            "unreachable",
            Some(id),
            format!("`{id}` cannot be reached from the root `{r}`"),
        ));
    }
    if longest > v.policy.max_depth as usize {
        problems.push(problem(
            "too_deep",
            None,
            format!(
                "a path has {longest} steps before its leaf; the policy's cap is {}",
                v.policy.max_depth
            ),
        ));
    }
    longest
}

/// Depth-first from the root: the nodes reached, the back edges (cycles),
/// and the most nodes on a path before its leaf (cycles cut).
fn walk(
    root: &str,
    nodes: &BTreeMap<&str, &Map<String, Value>>,
) -> (BTreeSet<String>, Vec<(String, String)>, usize) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: BTreeMap<String, Mark> = BTreeMap::new();
    let mut longest: BTreeMap<String, usize> = BTreeMap::new();
    let mut cycles = Vec::new();
    // Iterative DFS: (node, next edge index).
    let mut stack: Vec<(String, usize)> = vec![(root.to_owned(), 0)];
    marks.insert(root.to_owned(), Mark::Open);
    while let Some((id, i)) = stack.pop() {
        let targets: Vec<String> = nodes
            .get(id.as_str())
            .map(|n| {
                edges(n)
                    .into_iter()
                    .filter_map(|(_, t)| t.map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if i < targets.len() {
            stack.push((id.clone(), i + 1));
            let t = &targets[i];
            if !nodes.contains_key(t.as_str()) {
                continue;
            }
            match marks.get(t) {
                Some(Mark::Open) => cycles.push((id.clone(), t.clone())),
                Some(Mark::Done) => {}
                None => {
                    marks.insert(t.clone(), Mark::Open);
                    stack.push((t.clone(), 0));
                }
            }
        } else {
            // All children done: this node's depth is 1 + the deepest child's,
            // 0 for a leaf (a path counts the nodes before its leaf).
            let best = targets
                .iter()
                .filter(|t| marks.get(*t) == Some(&Mark::Done))
                .filter_map(|t| longest.get(t).map(|d| d + 1))
                .max()
                .unwrap_or(0);
            longest.insert(id.clone(), best);
            marks.insert(id, Mark::Done);
        }
    }
    let reached = marks.keys().cloned().collect();
    (reached, cycles, longest.get(root).copied().unwrap_or(0))
}
