//! The runtime, driven by compiled specs only (never AST or pest types):
//! the SupportDesk environment (`env`) and the L1 tree validator (`tree`),
//! both matching text with [`crate::matching`].

pub mod env;
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

/// A client's value as quoted back in a message: whole if short, else its
/// first [`EXCERPT_CHARS`] characters and its size, so an error about a huge
/// value stays small.
pub fn excerpt(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(EXCERPT_CHARS) {
        None => value.into(),
        Some((cut, _)) => format!("{}… ({} bytes)", &value[..cut], value.len()).into(),
    }
}

/// How many characters of a client's value a message quotes.
pub const EXCERPT_CHARS: usize = 60;
