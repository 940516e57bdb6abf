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
    /// A hard-floor phrase occurs in the text, or in another string the
    /// node carries (`field`, a JSON pointer such as `/reason_category`;
    /// absent for `text`). `start`/`end` are character offsets into that
    /// string; `matched` is the string there.
    HardFloor {
        floor: String,
        reason: String,
        phrase: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
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
    let mut found = Vec::new();
    let mut total = 0;
    match object.get("text").and_then(Value::as_str) {
        Some(text) if !text.trim().is_empty() => total += v.scan(text, None, &mut found),
        _ => violations.push(Violation::MissingText),
    }
    // Nothing unchecked leaves with the node: every other string it
    // carries (`reason_category`, an extra `command` or `details`, the
    // names of fields outside the node's schema) is checked too.
    for (key, value) in object {
        if key == "text" {
            continue;
        }
        let pointer = format!("/{}", escape(key));
        if !SCHEMA.contains(&key.as_str()) {
            total += v.scan(key, Some(&pointer), &mut found);
        }
        total += strings(v, value, &pointer, &mut found);
    }
    let omitted = total - found.len();
    violations.extend(found);
    NodeReport {
        accepted: violations.is_empty(),
        violations,
        omitted,
    }
}

/// The fields of a node: their names are not checked, their values are.
const SCHEMA: [&str; 8] = [
    "id",
    "node_type",
    "text",
    "yes_next",
    "no_next",
    "next",
    "reason_category",
    "answer",
];

/// Checks every string inside `value` (at JSON pointer `at`): values, and
/// the keys of objects. Returns how many violations there are in all.
fn strings(v: &Validator, value: &Value, at: &str, found: &mut Vec<Violation>) -> usize {
    match value {
        Value::String(s) => v.scan(s, Some(at), found),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| strings(v, item, &format!("{at}/{i}"), found))
            .sum(),
        Value::Object(map) => map
            .iter()
            .map(|(key, item)| {
                let pointer = format!("{at}/{}", escape(key));
                v.scan(key, Some(&pointer), found) + strings(v, item, &pointer, found)
            })
            .sum(),
        _ => 0,
    }
}

/// A key as a JSON pointer token (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
