//! `taskc tree check-node | next | normalize | check | prompt | context`:
//! the tree validator over JSON, and the model's prompt and context. Exit
//! codes: 0 accepted/valid, 1 rejected/invalid/refused or the tasks do not
//! compile, 2 usage, I/O or malformed JSON (raw model output that holds no
//! node is a rejected candidate, exit 1, not malformed input).

use std::io::Write;

use serde_json::{json, Value};

use super::args::TreeCommand;
use super::{input, load_document, plural, write_failed, write_stdout, Outcome};
use taskc::runtime::tree::{self, Validator};

pub fn run(command: &TreeCommand) -> Outcome {
    let (args, op) = match command {
        TreeCommand::CheckNode(a) => (a, Op::CheckNode),
        TreeCommand::Next(a) => (a, Op::Next),
        TreeCommand::Normalize(a) => (a, Op::Normalize),
        TreeCommand::Check(a) => (a, Op::Check),
        TreeCommand::Prompt(a) => {
            return match validator(&a.tree, &a.tasks) {
                Ok(v) => write_stdout(v.prompt().trim_end()),
                Err(outcome) => outcome,
            }
        }
        TreeCommand::Context(a) => return context(&a.input),
    };
    let validator = match validator(&args.tree, &args.tasks) {
        Ok(v) => v,
        Err(outcome) => return outcome,
    };
    match op {
        Op::CheckNode => check_node(&validator, &args.input),
        Op::Next => {
            let input = match read_json(&args.input) {
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
            let input = match read_json(&args.input) {
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
            let input = match read_json(&args.input) {
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

/// `tree context`: the seed's user message for a walk.
fn context(input: &str) -> Outcome {
    let input = match read_json(input) {
        Ok(v) => v,
        Err(o) => return o,
    };
    let usage = "the input of `tree context` is {\"problem\": \"...\", \"category\": \"...\", \"walk\": [...]}";
    let (Some(problem), Some(category)) = (
        input.get("problem").and_then(Value::as_str),
        input.get("category").and_then(Value::as_str),
    ) else {
        return Outcome::Failed(usage.into());
    };
    let walk = match input.get("walk") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(walk)) => walk.as_slice(),
        Some(_) => return Outcome::Failed(usage.into()),
    };
    match tree::context(problem, category, walk) {
        Ok(text) => write_stdout(&text),
        Err(message) => Outcome::Failed(message),
    }
}

fn validator(tree: &Option<String>, tasks: &std::path::Path) -> Result<Validator, Outcome> {
    let document = load_document(&[tasks.to_path_buf()])?;
    let names: Vec<&str> = document.trees.keys().map(String::as_str).collect();
    let name = match (tree, names.as_slice()) {
        (Some(name), _) => name.as_str(),
        (None, [only]) => only,
        (None, []) => {
            return Err(Outcome::Failed(format!(
                "no `tree` policy is declared in `{}`",
                tasks.display()
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

/// The whole input (bounded), as one JSON value.
fn read_json(input: &str) -> Result<Value, Outcome> {
    let bytes = input::read_all(input).map_err(Outcome::Failed)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Outcome::Failed(format!(
            "`{input}` is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    serde_json::from_str(&text)
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

/// One JSON node (which may span lines), or JSON Lines of nodes, one
/// report per line, streamed: each line is read, checked and reported in
/// turn, and a line that is not UTF-8 or not JSON is reported on its own.
fn check_node(validator: &Validator, input: &str) -> Outcome {
    let reader = match input::open(input) {
        Ok(reader) => reader,
        Err(message) => return Outcome::Failed(message),
    };
    let mut lines = input::Lines::new(reader).filter(
        |line| !matches!(line, Ok((_, bytes)) if bytes.iter().all(u8::is_ascii_whitespace)),
    );
    let first = match lines.next() {
        None => {
            return Outcome::Failed(
                "the input is empty: expected a JSON node, or JSON Lines of nodes".into(),
            )
        }
        Some(Err(e)) => return Outcome::Failed(e.to_string()),
        Some(Ok(first)) => first,
    };
    let mut pending = Vec::new();
    match serde_json::from_slice::<Value>(&first.1) {
        Ok(node) => match lines.next() {
            // One node on one line.
            None => return report_one(validator, &node),
            Some(next) => pending.extend([Ok(first), next]),
        },
        Err(_) => {
            // Maybe one node over several lines: gather (bounded) and try.
            let mut whole = first.1.clone();
            pending.push(Ok(first));
            let mut complete = true;
            for line in lines.by_ref() {
                match &line {
                    Ok((_, bytes)) => {
                        whole.push(b'\n');
                        whole.extend_from_slice(bytes);
                    }
                    Err(_) => complete = false,
                }
                pending.push(line);
                if !complete || whole.len() as u64 > input::MAX_INPUT_BYTES {
                    complete = false;
                    break;
                }
            }
            if complete {
                if let Ok(node) = serde_json::from_slice::<Value>(&whole) {
                    return report_one(validator, &node);
                }
                // Not JSON at all: the model's raw output, as one candidate.
                if let Ok(raw) = String::from_utf8(whole) {
                    return report_one(validator, &Value::String(raw));
                }
            }
        }
    }
    json_lines(validator, pending.into_iter().chain(lines))
}

fn report_one(validator: &Validator, node: &Value) -> Outcome {
    let report = validator.check_node(node);
    let accepted = report.accepted;
    emit(&report, accepted)
}

/// Reports every line of JSON Lines as it is read.
fn json_lines(
    validator: &Validator,
    lines: impl Iterator<Item = Result<(usize, Vec<u8>), input::LineError>>,
) -> Outcome {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut rejected, mut malformed) = (0, 0);
    let mut stopped = None;
    for line in lines {
        let (number, bytes) = match line {
            Ok(line) => line,
            Err(e) => {
                stopped = Some(e.to_string());
                break;
            }
        };
        let entry = match std::str::from_utf8(&bytes) {
            Err(e) => {
                malformed += 1;
                json!({"line": number, "error": format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to())})
            }
            Ok(text) => {
                // A line that is not JSON is the model's raw output.
                let node = serde_json::from_str::<Value>(text)
                    .unwrap_or_else(|_| Value::String(text.to_owned()));
                let report = validator.check_node(&node);
                rejected += usize::from(!report.accepted);
                let mut entry = json!({"line": number, "accepted": report.accepted, "violations": report.violations});
                if report.omitted > 0 {
                    entry["omitted"] = json!(report.omitted);
                }
                entry
            }
        };
        let written = serde_json::to_writer(&mut out, &entry)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        if let Err(e) = written {
            return write_failed(e);
        }
    }
    if let Err(e) = out.flush() {
        return write_failed(e);
    }
    if let Some(message) = stopped {
        return Outcome::Failed(message);
    }
    if malformed > 0 {
        Outcome::Failed(format!(
            "{} of the input {} not UTF-8",
            plural(malformed, "line", "lines"),
            if malformed == 1 { "is" } else { "are" }
        ))
    } else if rejected > 0 {
        Outcome::Problems
    } else {
        Outcome::Clean
    }
}
