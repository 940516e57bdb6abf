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
/// report per line, streamed: lines are read, checked and reported in
/// turn, and a line that is not UTF-8 or not JSON is reported on its own.
fn check_node(validator: &Validator, input: &str) -> Outcome {
    let reader = match input::open(input) {
        Ok(reader) => reader,
        Err(message) => return Outcome::Failed(message),
    };
    let mut lines = input::Lines::new(reader);
    let first = match next_line(&mut lines) {
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
        Ok(node) => match next_line(&mut lines) {
            // One node on one line.
            None => return report_one(validator, &node),
            Some(next) => pending.extend([Ok(first), next]),
        },
        Err(_) => {
            // Maybe one node over several lines: gather (bounded) and try.
            let mut whole = first.1.clone();
            pending.push(Ok(first));
            let mut complete = true;
            while let Some(line) = next_line(&mut lines) {
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
    json_lines(validator, pending, lines)
}

type Line = Result<(usize, Vec<u8>), input::LineError>;

/// The next line that is not blank.
fn next_line(lines: &mut input::Lines<input::Reader>) -> Option<Line> {
    lines.find(|line| !matches!(line, Ok((_, bytes)) if bytes.iter().all(u8::is_ascii_whitespace)))
}

fn report_one(validator: &Validator, node: &Value) -> Outcome {
    let report = validator.check_node(node);
    let accepted = report.accepted;
    emit(&report, accepted)
}

/// At most this many lines, or about this many bytes, are checked at once.
const BATCH_LINES: usize = 4096;
const BATCH_BYTES: usize = 8 << 20;

/// One line's report, rendered.
struct Checked {
    report: Vec<u8>,
    rejected: bool,
    malformed: bool,
}

/// Checks one line of JSON Lines and renders its report line.
fn check_line(validator: &Validator, number: usize, bytes: &[u8]) -> Checked {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let entry = json!({"line": number, "error": format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to())});
            return Checked {
                report: format!("{entry}\n").into_bytes(),
                rejected: false,
                malformed: true,
            };
        }
    };
    // A line that is not JSON is the model's raw output.
    let node =
        serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned()));
    let report = validator.check_node(&node);
    if report.accepted {
        // Most lines: the bytes `json!` would write, without building a
        // tree for them.
        return Checked {
            report: format!("{{\"accepted\":true,\"line\":{number},\"violations\":[]}}\n")
                .into_bytes(),
            rejected: false,
            malformed: false,
        };
    }
    let mut entry = json!({"line": number, "accepted": false, "violations": report.violations});
    if report.omitted > 0 {
        entry["omitted"] = json!(report.omitted);
    }
    Checked {
        report: format!("{entry}\n").into_bytes(),
        rejected: true,
        malformed: false,
    }
}

/// Reports every line of JSON Lines, in order, as it is read: lines already
/// read are checked in parallel batches; before waiting for more input (a
/// pipe), the batch in hand is finished and its reports flushed, so a
/// caller feeding one node at a time gets each report at once.
fn json_lines(
    validator: &Validator,
    pending: Vec<Line>,
    mut lines: input::Lines<input::Reader>,
) -> Outcome {
    use rayon::prelude::*;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let (mut rejected, mut malformed) = (0, 0);
    let mut stopped = None;
    let mut pending = pending.into_iter();
    let mut batch: Vec<(usize, Vec<u8>)> = Vec::new();
    loop {
        batch.clear();
        let (mut size, mut ended) = (0, false);
        while batch.len() < BATCH_LINES && size < BATCH_BYTES {
            let line = match pending.next() {
                Some(line) => Some(line),
                None if !batch.is_empty() && !lines.line_ready() => break,
                None => next_line(&mut lines),
            };
            match line {
                None => {
                    ended = true;
                    break;
                }
                Some(Err(e)) => {
                    stopped = Some(e.to_string());
                    ended = true;
                    break;
                }
                Some(Ok(line)) => {
                    size += line.1.len();
                    batch.push(line);
                }
            }
        }
        let checked: Vec<Checked> = if batch.len() < 64 {
            batch
                .iter()
                .map(|(n, bytes)| check_line(validator, *n, bytes))
                .collect()
        } else {
            batch
                .par_iter()
                .map(|(n, bytes)| check_line(validator, *n, bytes))
                .collect()
        };
        for line in checked {
            rejected += usize::from(line.rejected);
            malformed += usize::from(line.malformed);
            if let Err(e) = out.write_all(&line.report) {
                return write_failed(e);
            }
        }
        if let Err(e) = out.flush() {
            return write_failed(e);
        }
        if ended {
            break;
        }
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
