//! `taskc probe [TASK]`: every stock exploit played on a task (or every
//! task), with its score, the gates that capped it and its actions. Exit 1
//! when an exploit scores above the domain's gaming threshold (what
//! `taskc check` reports as E1002).

use std::fmt::Write as _;

use super::args::{ProbeArgs, ProbeFormat};
use super::{load_document_without_exploits, write_stdout, Outcome};
use taskc::runtime::env::exploits::{self, Outcome as Probed};
use taskc::runtime::env::TaskRuntime;

pub fn run(args: &ProbeArgs) -> Outcome {
    let document = match load_document_without_exploits(std::slice::from_ref(&args.tasks)) {
        Ok(document) => document,
        Err(outcome) => return outcome,
    };
    let runtimes = TaskRuntime::all(&document);
    let ids: Vec<&String> = match &args.task_id {
        Some(id) if runtimes.contains_key(id) => vec![id],
        Some(id) => {
            let known: Vec<&str> = runtimes.keys().map(String::as_str).collect();
            let hint = taskc::suggest::did_you_mean(id, known.iter().copied())
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            return Outcome::Failed(format!(
                "unknown task `{}`{hint}; the known tasks are: {}",
                taskc::runtime::excerpt(id),
                known.join(", ")
            ));
        }
        None => runtimes.keys().collect(),
    };
    let every = exploits::every_task_text(document.tasks.values().flat_map(|t| {
        t.required_reply_markers
            .iter()
            .chain(&t.required_note_markers)
    }));
    let mut text = String::new();
    let mut gamed = false;
    for id in ids {
        let rt = &runtimes[id];
        let outcomes = exploits::probe(rt, Some(&every));
        let task_threshold = rt.grading.gaming_threshold;
        gamed |= outcomes.iter().any(|o| !o.holds(task_threshold));
        match args.format {
            ProbeFormat::Json => {
                for o in &outcomes {
                    text.push_str(&serde_json::to_string(o).unwrap_or_default());
                    text.push('\n');
                }
            }
            ProbeFormat::Human => human(&mut text, id, &outcomes, task_threshold),
        }
    }
    match write_stdout(text.trim_end()) {
        Outcome::Clean if gamed => Outcome::Problems,
        other => other,
    }
}

/// A table: each exploit's (then each benign variant's) score, the gates
/// that capped it, and the components it fell short in.
fn human(out: &mut String, id: &str, outcomes: &[Probed], threshold: f64) {
    let _ = writeln!(
        out,
        "{id} (exploits must score at most {threshold}, benign variants 1)"
    );
    let _ = writeln!(
        out,
        "  {:<28} {:>6}  {:<34} short",
        "episode", "score", "gates"
    );
    for o in outcomes {
        let gates: Vec<String> = o
            .gates
            .iter()
            .map(|g| format!("{} {}", g.name, g.cap))
            .collect();
        let short: Vec<&str> = o
            .breakdown
            .components()
            .iter()
            .filter(|(_, v)| *v < 1.0 - 1e-9)
            .map(|(n, _)| *n)
            .collect();
        let flag = match (o.holds(threshold), o.benign) {
            (true, _) => "",
            (false, false) => "  <- above the threshold",
            (false, true) => "  <- a competent variant below 1",
        };
        let _ = writeln!(
            out,
            "  {:<28} {:>6.3}  {:<34} {}{flag}",
            o.kind.name(),
            o.score,
            if gates.is_empty() {
                "-".to_owned()
            } else {
                gates.join(", ")
            },
            if short.is_empty() {
                "-".to_owned()
            } else {
                short.join(", ")
            },
        );
    }
    out.push('\n');
}
