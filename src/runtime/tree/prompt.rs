//! The model's half of the builder loop, driven by the policy: the system
//! prompt (the rules the validator enforces, in the words the policy gives),
//! the user message built from a walk (the seed's `_build_context`), and
//! the node inside raw model output (the seed's `parse_llm_json`: code
//! fences and prose around the JSON are tolerated).

use serde_json::Value;

use super::walk::truthy;
use super::Validator;
use crate::runtime::json_kind;
use crate::spec::TreePolicy;

/// The prompt's first lines when the policy gives no `role`.
pub const DEFAULT_ROLE: &str = "Given a problem and the steps already tried, produce the SINGLE next node of a yes/no decision tree.";

/// One floor group as the prompt tells it: its floor, reason, and words.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub floor: String,
    pub reason: String,
    /// The group's description; without one, the prompt lists its phrases.
    pub description: Option<String>,
    pub phrases: Vec<String>,
}

impl Validator {
    /// The system prompt: the role, the scope, one `NEVER` rule per floor
    /// naming every group the validator enforces, the escalation rule, and
    /// the JSON of each node type the policy allows.
    pub fn prompt(&self) -> String {
        let p = &self.policy.prompt;
        let mut out = String::new();
        out.push_str(p.role.as_deref().unwrap_or(DEFAULT_ROLE));
        out.push_str("\nHARD RULES:\n");
        if let Some(scope) = &p.scope {
            out.push_str(&format!("- {scope}\n"));
        }
        for floor in &self.policy.floors {
            let parts: Vec<String> = self
                .rules
                .iter()
                .filter(|r| &r.floor == floor)
                .map(|r| match &r.description {
                    Some(d) => d.clone(),
                    None => format!(
                        "contain {}",
                        r.phrases
                            .iter()
                            .map(|p| format!("\"{p}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
                .collect();
            if parts.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "- NEVER produce steps that: {}. These are out of scope.\n",
                series(&parts)
            ));
        }
        if let Some(escalation) = &p.escalation {
            out.push_str(&format!("- {escalation}\n"));
        }
        out.push_str("Return ONLY a JSON object for ONE node, one of:\n");
        for node_type in &self.policy.node_types {
            let shape = p
                .shapes
                .get(node_type)
                .cloned()
                .unwrap_or_else(|| TreePolicy::default_shape(node_type));
            out.push_str(&shape);
            out.push('\n');
        }
        out.push_str("No prose, no markdown fences.\n");
        out
    }
}

/// `a; b; or c`.
fn series(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}; or {last}", rest.join("; ")),
    }
}

/// A value as Python's `str()` writes it, for the scalars a walk holds
/// (the seed formats steps with f-strings). Lists and objects are written
/// as JSON.
fn python_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) if n.is_f64() => python_float(n.as_f64().unwrap_or_default()),
        other => other.to_string(),
    }
}

/// A float as Python's `repr` writes it: the shortest digits that read
/// back the same, in positional notation for decimal exponents from -4 to
/// 15 (`1000000000000000.0`, `0.0001`), else in scientific notation with a
/// signed exponent of at least two digits (`1e+16`, `1e-05`, `1e+308`).
fn python_float(f: f64) -> String {
    // Rust's `{:e}` gives the same shortest digits: `1.5e16`, `-1e-5`.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    if !(-4..16).contains(&exponent) {
        let e_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{e_sign}{:02}", exponent.abs());
    }
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if exponent < 0 {
        let zeros = "0".repeat((-exponent - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = exponent as usize + 1;
    if digits.len() <= point {
        format!("{sign}{digits}{}.0", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

/// The model's user message for a walk, exactly as the seed's
/// `_build_context` writes it: the problem, the category, and the steps so
/// far (hidden `meta` entries dropped), numbered, each with its answer.
pub fn context(problem: &str, category: &str, walk: &[Value]) -> Result<String, String> {
    let mut lines = vec![
        format!("PROBLEM: {problem}"),
        format!("CATEGORY: {category}"),
        "STEPS SO FAR:".to_owned(),
    ];
    let mut steps = Vec::new();
    for (i, step) in walk.iter().enumerate() {
        let Some(step) = step.as_object() else {
            return Err(format!(
                "step {i} of the walk is {}, not an object",
                json_kind(step)
            ));
        };
        if step.get("node_type").and_then(Value::as_str) != Some("meta") {
            steps.push(step);
        }
    }
    if steps.is_empty() {
        lines.push("(none yet — produce the first diagnostic question)".to_owned());
    }
    for (i, step) in steps.iter().enumerate() {
        let node_type = step.get("node_type").map_or("?".to_owned(), python_str);
        let text = step.get("text").map_or(String::new(), python_str);
        let suffix = match step.get("answer") {
            Some(answer) if truthy(answer) => format!(" -> {}", python_str(answer)),
            _ => String::new(),
        };
        lines.push(format!("{}. [{node_type}] {text}{suffix}", i + 1));
    }
    Ok(lines.join("\n"))
}

/// How many `{` a search for the node tries before giving up: the output
/// of a model is short, and a long text of braces stays linear.
const MAX_OBJECT_STARTS: usize = 64;

/// The node in raw model output: the whole text as JSON, else the first
/// fenced code block's, else the first JSON object in the text (prose
/// before and after is ignored). The error says why there is none.
pub fn extract_node(text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("the model output is empty".into());
    }
    let fenced = fenced_block(trimmed);
    for candidate in [Some(trimmed), fenced].into_iter().flatten() {
        if let Ok(value) = serde_json::from_str::<Value>(candidate.trim()) {
            return match value {
                Value::Object(_) => Ok(value),
                other => Err(format!(
                    "the model output is JSON but {}, not a node object",
                    json_kind(&other)
                )),
            };
        }
    }
    let haystack = fenced.unwrap_or(trimmed);
    // Each `{` is tried in turn, while the bytes the parser reads stay
    // within a budget linear in the text: 64 nested objects that never
    // close around a megabyte once cost 64 parses of the megabyte.
    let mut budget = 4 * haystack.len() + (64 << 10);
    let mut first_error = None;
    for (start, _) in haystack.match_indices('{').take(MAX_OBJECT_STARTS) {
        let rest = &haystack[start..];
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match values.next() {
            Some(Ok(value @ Value::Object(_))) => return Ok(value),
            Some(Err(e)) => {
                let read = offset_of(rest, e.line(), e.column());
                if first_error.is_none() {
                    first_error = Some(e.to_string());
                }
                match budget.checked_sub(read) {
                    Some(left) => budget = left,
                    None => break,
                }
            }
            _ => {}
        }
    }
    Err(match first_error {
        Some(e) => format!("the JSON object in the model output does not parse: {e}"),
        None => "the model output has no JSON object".into(),
    })
}

/// The byte offset of a 1-based line and column (in characters) of a
/// text, as a parse error gives them; the text's length past its end.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut at = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let within = l.char_indices().nth(column).map_or(l.len(), |(b, _)| b);
            return at + within;
        }
        at += l.len();
    }
    text.len()
}

/// The inside of the first ``` fenced block (its info string, like `json`,
/// dropped), if the text has one.
fn fenced_block(text: &str) -> Option<&str> {
    let open = text.find("```")?;
    let after = &text[open + 3..];
    let body = &after[after.find('\n')? + 1..];
    let close = body.find("```").unwrap_or(body.len());
    Some(&body[..close])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_search_for_the_node_reads_a_bounded_amount() {
        // 64 nested objects that never close around a megabyte: the first
        // attempts read to the end, then the budget is spent.
        let attack = format!("{}[{}", "{\"a\":".repeat(64), "1,".repeat(500_000));
        assert!(extract_node(&attack).is_err());
        let e = serde_json::from_str::<Value>(&attack).expect_err("unclosed");
        assert_eq!(offset_of(&attack, e.line(), e.column()), attack.len());
        // A brace in prose before the node is skipped.
        let text = r#"He said "hi {" then {"text": "a } inside", "node_type": "question"} ok"#;
        assert_eq!(
            extract_node(text).map(|v| v["text"].clone()),
            Ok(serde_json::json!("a } inside"))
        );
    }

    #[test]
    fn floats_are_written_as_python_writes_them() {
        for (f, python) in [
            (1e308, "1e+308"),
            (1e-300, "1e-300"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (3.0, "3.0"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (-1e-7, "-1e-07"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (0.0, "0.0"),
        ] {
            assert_eq!(python_float(f), python, "{f}");
        }
    }

    #[test]
    fn model_output_in_fences_or_prose_is_parsed() {
        let node = json!({"node_type": "question", "text": "Is the cable plugged in?"});
        for raw in [
            r#"{"node_type":"question","text":"Is the cable plugged in?"}"#,
            "```json\n{\"node_type\":\"question\",\"text\":\"Is the cable plugged in?\"}\n```",
            "```\n{\"node_type\":\"question\",\"text\":\"Is the cable plugged in?\"}\n```\n",
            "Here is the next node:\n{\"node_type\":\"question\",\"text\":\"Is the cable plugged in?\"}\nHope this helps {:)",
            "Sure! ```json\n{\"node_type\": \"question\", \"text\": \"Is the cable plugged in?\"}\n``` Done.",
            "  {\"node_type\":\"question\",\"text\":\"Is the cable plugged in?\"}  trailing",
        ] {
            assert_eq!(extract_node(raw), Ok(node.clone()), "{raw}");
        }
    }

    #[test]
    fn unparsable_model_output_says_why() {
        for (raw, says) in [
            ("", "empty"),
            ("I cannot help with that.", "no JSON object"),
            ("[1, 2]", "a list"),
            ("{\"node_type\": \"question\", \"text\": ", "does not parse"),
            ("```json\n\"just a string\"\n```", "a string"),
        ] {
            let e = extract_node(raw).expect_err(raw);
            assert!(e.contains(says), "{raw}: {e}");
        }
        // Many braces stay bounded.
        let braces = "{".repeat(100_000);
        assert!(extract_node(&braces).is_err());
    }

    #[test]
    fn context_follows_the_seed() {
        let walk = vec![
            json!({"node_type": "meta", "category": "email"}),
            json!({"node_type": "question", "text": "Is Outlook open?", "answer": "yes"}),
            json!({"text": "Restart Outlook.", "answer": ""}),
            json!({"node_type": "question", "text": null, "answer": true}),
        ];
        let text = context("Outlook asks for my password", "email", &walk).expect("a walk");
        assert_eq!(
            text,
            "PROBLEM: Outlook asks for my password\nCATEGORY: email\nSTEPS SO FAR:\n1. [question] Is Outlook open? -> yes\n2. [?] Restart Outlook.\n3. [question] None -> True"
        );
        let empty = context("p", "c", &[json!({"node_type": "meta"})]).expect("empty");
        assert!(empty.ends_with("(none yet — produce the first diagnostic question)"));
        assert!(context("p", "c", &[json!(1)]).is_err());
    }
}
