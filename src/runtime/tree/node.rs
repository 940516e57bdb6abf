//! Checking one node: a known node type, a text, and no hard-floor phrase.

use serde::Serialize;
use serde_json::Value;

use crate::runtime::json_kind;

use super::Validator;

/// One reason a node is rejected.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    /// The node is not a JSON object.
    NotAnObject { message: String },
    /// The model's raw output holds no node (no JSON object, or one that
    /// does not parse).
    Unparsable { message: String },
    /// `node_type` is missing or not one the policy allows.
    UnknownNodeType {
        node_type: Option<String>,
        allowed: Vec<String>,
    },
    /// `text` is missing, not a string, or empty.
    MissingText,
    /// A hard-floor phrase occurs in the text. `start`/`end` are character
    /// offsets into the original text; `matched` is the text there.
    HardFloor {
        floor: String,
        reason: String,
        phrase: String,
        start: usize,
        end: usize,
        matched: String,
    },
}

/// Whether a node is accepted, and every reason it is not.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NodeReport {
    pub accepted: bool,
    pub violations: Vec<Violation>,
    /// Hard-floor violations past the first
    /// [`super::MAX_REPORTED_VIOLATIONS`], counted but not listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Checks a node; `extra_types` are allowed beside the policy's node types
/// (a tree check allows the `needs_review` stubs normalization creates).
pub(crate) fn check(v: &Validator, node: &Value, extra_types: &[&str]) -> NodeReport {
    let mut violations = Vec::new();
    let Some(object) = node.as_object() else {
        violations.push(Violation::NotAnObject {
            message: format!("a node is a JSON object, not {}", json_kind(node)),
        });
        return NodeReport {
            accepted: false,
            violations,
            omitted: 0,
        };
    };
    let node_type = object.get("node_type").and_then(Value::as_str);
    let known = node_type
        .is_some_and(|t| v.policy.node_types.iter().any(|k| k == t) || extra_types.contains(&t));
    if !known {
        let mut allowed = v.policy.node_types.clone();
        allowed.extend(extra_types.iter().map(|s| s.to_string()));
        violations.push(Violation::UnknownNodeType {
            node_type: node_type
                .map(str::to_owned)
                .or_else(|| object.get("node_type").map(|x| x.to_string())),
            allowed,
        });
    }
    let mut omitted = 0;
    match object.get("text").and_then(Value::as_str) {
        Some(text) if !text.trim().is_empty() => {
            let (found, total) = v.scan(text);
            omitted = total - found.len();
            violations.extend(found);
        }
        _ => violations.push(Violation::MissingText),
    }
    NodeReport {
        accepted: violations.is_empty(),
        violations,
        omitted,
    }
}
