//! `taskc run TASK_ID`: one episode from JSON Lines actions; one JSON object
//! per step on stdout, the reset first (step 0), scores exact. Same input,
//! same bytes. With `--summary`, the episode for people instead
//! ([`super::summary`]).

use std::io::Write;

use serde::Serialize;

use super::args::RunArgs;
use super::{input, load_task, summary, write_failed, Outcome};
use taskc::runtime::env::{Episode, Info, Observation, StepResult};

#[derive(Serialize)]
struct Line<'a> {
    step: u32,
    reward: f64,
    done: bool,
    observation: &'a Observation,
    info: &'a Info,
}

fn print(out: &mut impl Write, result: &StepResult) -> std::io::Result<()> {
    let line = Line {
        step: result.observation.step,
        reward: result.reward,
        done: result.done,
        observation: &result.observation,
        info: &result.info,
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

pub fn run(args: &RunArgs) -> Outcome {
    let rt = match load_task(&args.tasks, &args.task_id) {
        Ok(rt) => rt,
        Err(outcome) => return outcome,
    };
    let input = match input::open(&args.actions) {
        Ok(input) => input,
        Err(message) => return Outcome::Failed(message),
    };
    let (mut episode, first) = Episode::reset(rt, None, None);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let printed = if args.summary {
        writeln!(
            out,
            "task {} (at most {} steps)",
            args.task_id, first.observation.task.max_steps
        )
    } else {
        print(&mut out, &first)
    };
    if let Err(e) = printed {
        return write_failed(e);
    }
    let mut invalid: Vec<(u32, String)> = Vec::new();
    for line in input::Lines::new(input) {
        let (line_no, raw) = match line {
            Ok(line) => line,
            Err(e) => {
                let _ = out.flush();
                return Outcome::Failed(e.to_string());
            }
        };
        // Invalid UTF-8 is kept (lossily) and becomes an invalid action.
        let line = String::from_utf8_lossy(&raw);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if episode.is_done() {
            let _ = out.flush();
            eprintln!(
                "error: line {line_no}: an action after the episode ended (it ended at step {})",
                episode.observation().step
            );
            return Outcome::Problems;
        }
        let result = match episode.step_text(line) {
            Ok(result) => result,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        if let Some(e) = &result.observation.last_action_error {
            invalid.push((result.observation.step, e.message.clone()));
        }
        let printed = if args.summary {
            writeln!(out, "{}", summary::step_line(&result, line))
        } else {
            print(&mut out, &result)
        };
        if let Err(e) = printed {
            return write_failed(e);
        }
    }
    if args.summary {
        if let Err(e) = writeln!(out, "\n{}", summary::summary(&episode, &invalid)) {
            return write_failed(e);
        }
    }
    if let Err(e) = out.flush() {
        return write_failed(e);
    }
    if !args.summary && !invalid.is_empty() {
        // In JSON the errors are in the steps; say so where a person looks.
        eprintln!(
            "warning: {} invalid action{} (first at step {}: {}); see `last_action_error`, or run with --summary",
            invalid.len(),
            if invalid.len() == 1 { "" } else { "s" },
            invalid[0].0,
            invalid[0].1
        );
    }
    if !episode.is_done() {
        eprintln!(
            "note: the actions ran out before the episode ended (step {}, no submit)",
            episode.observation().step
        );
    }
    Outcome::Clean
}
