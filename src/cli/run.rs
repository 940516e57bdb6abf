//! `taskc run TASK_ID`: one episode from JSON Lines actions; one JSON object
//! per step on stdout, the reset first (step 0). Same input, same bytes.

use std::io::Write;

use serde::Serialize;

use super::args::RunArgs;
use super::{input, load_task, write_failed, Outcome};
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
    if let Err(e) = print(&mut out, &first) {
        return write_failed(e);
    }
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
        if let Err(e) = print(&mut out, &result) {
            return write_failed(e);
        }
    }
    if let Err(e) = out.flush() {
        return write_failed(e);
    }
    if !episode.is_done() {
        eprintln!(
            "note: the actions ran out before the episode ended (step {}, no submit)",
            episode.observation().step
        );
    }
    Outcome::Clean
}
