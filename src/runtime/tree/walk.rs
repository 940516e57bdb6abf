//! Walk normalization: the seed's `normalize_walked_path`, with the same
//! output on every ordinary walk (ids, `review-N` stubs and their texts,
//! `yes_next`/`no_next`/`next` edges, root id), and an error naming the step
//! instead of silent data loss where the seed goes wrong:
//!
//! - two steps with the same id (the seed's later one overwrites the earlier);
//! - a step id equal to a generated `review-N` stub id;
//! - a question that is not the last step without a yes/no answer (its real
//!   next node becomes unreachable);
//! - an empty or null id (the seed names the node one way, the edge another).
//!
//! Hidden `meta` entries are dropped first, as the seed does.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::{json, Map, Value};

/// A walk normalization refuses, naming the step (its index in the walk as
/// given, counting from 0, `meta` entries included).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WalkError {
    pub step: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    pub message: String,
}

const UNEXPLORED: &str = "Branch not explored during the originating call.";
const WALK_ENDED: &str = "Walk ended here before a terminal step was reached.";

/// Normalizes a walk (a JSON list of steps) into `{id, nodes}`.
pub fn normalize(walk: &Value) -> Result<Value, WalkError> {
    let steps = real_steps(walk)?;
    let mut nodes = Map::new();
    if steps.is_empty() {
        nodes.insert(
            "root".into(),
            json!({"id": "root", "node_type": "needs_review", "text": "Empty walk — needs authoring."}),
        );
        return Ok(json!({"id": "root", "nodes": nodes}));
    }
    let ids = step_ids(&steps)?;
    let mut stubs = Stubs::default();
    for (k, (i, step)) in steps.iter().enumerate() {
        let node = step_node(*i, step, &ids[k], ids.get(k + 1), &mut stubs, &mut nodes)?;
        nodes.insert(ids[k].clone(), Value::Object(node));
    }
    // A step id equal to a generated stub id: one would overwrite the other.
    if let Some((k, id)) = ids
        .iter()
        .enumerate()
        .find(|(_, id)| stubs.ids.contains(*id))
    {
        let i = steps[k].0;
        return Err(WalkError {
            step: i,
            id: Some(json!(id)),
            message: format!(
                "step {i} has the id `{id}`, which normalization gives to a review stub; rename the step"
            ),
        });
    }
    Ok(json!({"id": ids[0], "nodes": nodes}))
}

/// A real step of a walk and its index in the walk as given.
type Step<'a> = (usize, &'a Map<String, Value>);

/// The real steps of a walk, `meta` entries dropped, each with its index
/// in the walk as given.
fn real_steps(walk: &Value) -> Result<Vec<Step<'_>>, WalkError> {
    let Some(all) = walk.as_array() else {
        return Err(WalkError {
            step: 0,
            id: None,
            message: "a walk is a JSON list of steps".to_owned(),
        });
    };
    let mut steps = Vec::with_capacity(all.len());
    for (i, step) in all.iter().enumerate() {
        let Some(object) = step.as_object() else {
            return Err(WalkError {
                step: i,
                id: None,
                message: format!("step {i} is not a JSON object"),
            });
        };
        if object.get("node_type").and_then(Value::as_str) != Some("meta") {
            steps.push((i, object));
        }
    }
    Ok(steps)
}

/// Each step's id: absent means generated (`n{k+1}`), as the seed; present
/// but empty, null or not a string is refused (the seed's node and edge
/// would disagree), and so is an id used twice.
fn step_ids(steps: &[Step<'_>]) -> Result<Vec<String>, WalkError> {
    let mut ids: Vec<String> = Vec::with_capacity(steps.len());
    let mut first_step: HashMap<String, usize> = HashMap::with_capacity(steps.len());
    for (k, (i, step)) in steps.iter().enumerate() {
        let id = match step.get("id") {
            None => format!("n{}", k + 1),
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(
                other @ (Value::Number(_) | Value::Bool(_) | Value::Array(_) | Value::Object(_)),
            ) => {
                return Err(WalkError {
                    step: *i,
                    id: Some(other.clone()),
                    message: format!("step {i} has an id that is not a string"),
                })
            }
            Some(other) => {
                return Err(WalkError {
                    step: *i,
                    id: Some(other.clone()),
                    message: format!(
                        "step {i} has an empty or null id; give it an id or leave `id` out"
                    ),
                })
            }
        };
        if let Some(first) = first_step.get(&id) {
            return Err(WalkError {
                step: *i,
                id: Some(Value::String(id.clone())),
                message: format!(
                    "step {i} repeats the id `{id}` of step {first}; the later step would overwrite the earlier"
                ),
            });
        }
        first_step.insert(id.clone(), *i);
        ids.push(id);
    }
    Ok(ids)
}

/// The `review-N` stubs generated so far.
#[derive(Default)]
struct Stubs {
    seq: usize,
    ids: HashSet<String>,
}

impl Stubs {
    /// Adds the next stub node, with `text`, and returns its id.
    fn add(&mut self, nodes: &mut Map<String, Value>, text: &str) -> String {
        self.seq += 1;
        let stub = format!("review-{}", self.seq);
        nodes.insert(
            stub.clone(),
            json!({"id": stub, "node_type": "needs_review", "text": text}),
        );
        self.ids.insert(stub.clone());
        stub
    }
}

/// The node of step `i` (id `id`, followed by `next`): a question gets its
/// yes/no edges (the branch not taken goes to a review stub), an
/// instruction its `next`.
fn step_node(
    i: usize,
    step: &Map<String, Value>,
    id: &str,
    next: Option<&String>,
    stubs: &mut Stubs,
    nodes: &mut Map<String, Value>,
) -> Result<Map<String, Value>, WalkError> {
    let node_type = match step.get("node_type") {
        None => "question".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let text = match step.get("text") {
        None => Value::String(String::new()),
        Some(t) => t.clone(),
    };
    let mut node = Map::new();
    node.insert("id".into(), json!(id));
    node.insert("node_type".into(), json!(node_type));
    node.insert("text".into(), text);
    if let Some(reason) = step.get("reason_category").filter(|r| truthy(r)) {
        node.insert("reason_category".into(), reason.clone());
    }
    if node_type == "question" {
        let answer = step
            .get("answer")
            .and_then(Value::as_str)
            .map(str::to_lowercase)
            .unwrap_or_default();
        if next.is_some() && answer != "yes" && answer != "no" {
            return Err(WalkError {
                step: i,
                id: Some(json!(id)),
                message: format!(
                    "question `{id}` (step {i}) is not the last step but has no yes/no answer, so the step after it would be unreachable"
                ),
            });
        }
        let stub = stubs.add(nodes, UNEXPLORED);
        let traversed = match next {
            Some(n) => n.clone(),
            None => stubs.add(nodes, WALK_ENDED),
        };
        node.insert(
            "yes_next".into(),
            json!(if answer == "yes" { &traversed } else { &stub }),
        );
        node.insert(
            "no_next".into(),
            json!(if answer == "no" { &traversed } else { &stub }),
        );
    } else if node_type == "instruction" {
        node.insert("next".into(), json!(next));
    }
    Ok(node)
}

/// Python truthiness, as the seed's `if step.get("reason_category")` and
/// `if ans`.
pub(super) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}
