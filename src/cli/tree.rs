//! `taskc tree check-node | next | normalize | check`: the tree validator
//! over JSON. Exit codes: 0 accepted/valid, 1 rejected/invalid/refused or
//! the tasks do not compile, 2 usage, I/O or malformed JSON.

use std::io::Read;

use serde_json::{json, Value};

use super::args::{TreeArgs, TreeCommand};
use super::{load_document, plural, write_stdout, Outcome};
use taskc::runtime::tree::{self, Validator};

pub fn run(command: &TreeCommand) -> Outcome {
    let (args, op) = match command {
        TreeCommand::CheckNode(a) => (a, Op::CheckNode),
        TreeCommand::Next(a) => (a, Op::Next),
        TreeCommand::Normalize(a) => (a, Op::Normalize),
        TreeCommand::Check(a) => (a, Op::Check),
    };
    let validator = match validator(args) {
        Ok(v) => v,
        Err(outcome) => return outcome,
    };
    let text = match read_input(&args.input) {
        Ok(text) => text,
        Err(outcome) => return outcome,
    };
    match op {
        Op::CheckNode => check_node(&validator, &text),
        Op::Next => {
            let input = match parse(&text) {
                Ok(v) => v,
                Err(o) => return o,
            };
            let (Some(walk), Some(candidates)) = (
                input.get("walk").and_then(Value::as_array),
                input.get("candidates").and_then(Value::as_array),
            ) else {
                return Outcome::Failed(
                    "the input of `tree next` is {\"walk\": [...], \"candidates\": [...]}".into(),
                );
            };
            emit(&validator.next(walk, candidates), true)
        }
        Op::Normalize => {
            let input = match parse(&text) {
                Ok(v) => v,
                Err(o) => return o,
            };
            // A bare list, or {"walk": [...]}.
            let walk = input.get("walk").cloned().unwrap_or(input);
            match tree::normalize(&walk) {
                Ok(tree) => emit(&tree, true),
                Err(e) => emit(&json!({ "error": e }), false),
            }
        }
        Op::Check => {
            let input = match parse(&text) {
                Ok(v) => v,
                Err(o) => return o,
            };
            let report = tree::check_tree(&validator, &input);
            let valid = report.valid;
            emit(&report, valid)
        }
    }
}

enum Op {
    CheckNode,
    Next,
    Normalize,
    Check,
}

fn validator(args: &TreeArgs) -> Result<Validator, Outcome> {
    let document = load_document(std::slice::from_ref(&args.tasks))?;
    let names: Vec<&str> = document.trees.keys().map(String::as_str).collect();
    let name = match (&args.tree, names.as_slice()) {
        (Some(name), _) => name.as_str(),
        (None, [only]) => only,
        (None, []) => {
            return Err(Outcome::Failed(format!(
                "no `tree` policy is declared in `{}`",
                args.tasks.display()
            )))
        }
        (None, _) => {
            return Err(Outcome::Failed(format!(
                "several tree policies are declared; choose one with --tree: {}",
                names.join(", ")
            )))
        }
    };
    Validator::new(&document, name).ok_or_else(|| {
        let hint = taskc::suggest::did_you_mean(name, names.iter().copied())
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        Outcome::Failed(format!(
            "unknown tree policy `{name}`{hint}; declared: {}",
            names.join(", ")
        ))
    })
}

fn read_input(input: &str) -> Result<String, Outcome> {
    let mut bytes = Vec::new();
    let result = if input == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(input)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map(|_| ())
    };
    result.map_err(|e| Outcome::Failed(format!("cannot read `{input}`: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        Outcome::Failed(format!(
            "`{input}` is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn parse(text: &str) -> Result<Value, Outcome> {
    serde_json::from_str(text)
        .map_err(|e| Outcome::Failed(format!("the input is not valid JSON: {e}")))
}

/// Prints a JSON value; the outcome is clean when `ok`, else "problems".
fn emit(value: &impl serde::Serialize, ok: bool) -> Outcome {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    match write_stdout(&text) {
        Outcome::Clean if !ok => Outcome::Problems,
        other => other,
    }
}

/// One JSON node, or JSON Lines of nodes (one report per line, for audits).
fn check_node(validator: &Validator, text: &str) -> Outcome {
    if let Ok(node) = serde_json::from_str::<Value>(text) {
        let report = validator.check_node(&node);
        let accepted = report.accepted;
        return emit(&report, accepted);
    }
    let mut lines = Vec::new();
    let (mut rejected, mut malformed) = (0, 0);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry = match serde_json::from_str::<Value>(line) {
            Ok(node) => {
                let report = validator.check_node(&node);
                rejected += usize::from(!report.accepted);
                json!({"line": i + 1, "accepted": report.accepted, "violations": report.violations})
            }
            Err(e) => {
                malformed += 1;
                json!({"line": i + 1, "error": format!("not valid JSON: {e}")})
            }
        };
        lines.push(serde_json::to_string(&entry).unwrap_or_default());
    }
    if lines.is_empty() {
        return Outcome::Failed(
            "the input is empty: expected a JSON node, or JSON Lines of nodes".into(),
        );
    }
    match write_stdout(&lines.join("\n")) {
        Outcome::Clean if malformed > 0 => Outcome::Failed(format!(
            "{} of the input are not valid JSON",
            plural(malformed, "line", "lines")
        )),
        Outcome::Clean if rejected > 0 => Outcome::Problems,
        other => other,
    }
}
