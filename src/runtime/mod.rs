//! The runtime, driven by compiled specs only (never AST or pest types).
//! `matching` is the one text-matching engine the grader and the tree
//! validator share.

pub mod env;
pub mod matching;
pub mod tree;

/// How a JSON value is named in messages ("a string", "a list", ...).
pub fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
