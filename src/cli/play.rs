//! `taskc play TASK_ID`: an episode in the terminal for content authors.
//! Shows the ticket and knowledge base, takes actions in a short syntax (or
//! JSON), and shows each reward, the breakdown and the final score. Works at
//! a terminal (with a prompt) and through a pipe (without one).

use std::io::{BufRead, IsTerminal, Write};

use serde_json::{json, Value};

use super::args::PlayArgs;
use super::{load_task, Outcome};
use taskc::runtime::env::{Episode, StepResult, TaskRuntime};

const HELP: &str = "\
actions (or a JSON action on one line):
  classify [queue=]Q [priority=]P [issue_type=]I   any of the three; bare values are recognised
  request FIELD [FIELD ...]                        ask the customer for fields
  reply TEXT                                       a customer-facing reply
  note TEXT                                        an internal note
  status STATUS [RESOLUTION]                       set the status (and resolution code)
  submit                                           end the episode
other commands: help, ticket, state, quit";

pub fn run(args: &PlayArgs) -> Outcome {
    let rt = match load_task(&args.tasks, &args.task_id) {
        Ok(rt) => rt,
        Err(outcome) => return outcome,
    };
    let interactive = std::io::stdin().is_terminal();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut episode, _) = Episode::reset(rt.clone(), None, None);
    let _ = writeln!(out, "{}\n\n{HELP}\n", ticket(&rt));
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut raw = Vec::new();
    loop {
        if interactive {
            let _ = write!(
                out,
                "step {}/{} > ",
                episode.observation().step + 1,
                rt.spec.max_steps
            );
            let _ = out.flush();
        }
        raw.clear();
        match input.read_until(b'\n', &mut raw) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Outcome::Failed(format!("cannot read input: {e}")),
        }
        let line = String::from_utf8_lossy(&raw).trim().to_owned();
        if line.is_empty() {
            continue;
        }
        if !interactive {
            let _ = writeln!(out, "> {line}");
        }
        let action = match line.split_whitespace().next().unwrap_or("") {
            "quit" | "exit" => break,
            "help" => {
                let _ = writeln!(out, "{HELP}");
                continue;
            }
            "ticket" => {
                let _ = writeln!(out, "{}", ticket(&rt));
                continue;
            }
            "state" => {
                let state = serde_json::to_string_pretty(&episode.state()).unwrap_or_default();
                let _ = writeln!(out, "{state}");
                continue;
            }
            _ => match parse(&line, &rt) {
                Ok(action) => action,
                Err(message) => {
                    let _ = writeln!(out, "  ? {message} (type `help`)");
                    continue;
                }
            },
        };
        match episode.step(&action) {
            Ok(result) => {
                let _ = writeln!(out, "{}", describe(&result));
                if result.done {
                    let _ = writeln!(out, "\nepisode over: final score {:.3}", result.info.score);
                    return Outcome::Clean;
                }
            }
            Err(e) => {
                let _ = writeln!(out, "  ! {e}");
                return Outcome::Problems;
            }
        }
    }
    let _ = writeln!(
        out,
        "\nstopped before the end: score so far {:.3}",
        episode.state().score
    );
    Outcome::Clean
}

/// The ticket, knowledge base and objective, for reading.
fn ticket(rt: &TaskRuntime) -> String {
    let t = &rt.spec;
    let k = &t.ticket;
    let mut s = format!(
        "== {} ({:?}, at most {} steps, {} SLA minutes per step)\n\nobjective: {}\n\n\
         ticket from {} ({}, {} tier), {} users, region {}, SLA {} min\n  subject: {}\n  {}\n  impact: {}\n",
        t.title, t.difficulty, t.max_steps, t.sla_step_cost, t.objective, k.customer_name, k.company,
        k.customer_tier, k.affected_users, k.region, k.sla_minutes_remaining, k.subject, k.body,
        k.business_impact
    );
    for c in &k.secondary_concerns {
        s.push_str(&format!("  also: {c}\n"));
    }
    for a in &k.attachments {
        s.push_str(&format!("  attachment: {a}\n"));
    }
    s.push_str("\nknowledge base:\n");
    for kb in &t.knowledge_base {
        s.push_str(&format!(
            "  [{}] {}: {}\n",
            kb.article_id, kb.title, kb.content
        ));
    }
    let d = &rt.domain;
    s.push_str(&format!(
        "\nqueues: {}\npriorities: {}\nissue types: {}\nstatuses: {}\nresolution codes: {}\nfields: {}",
        d.queues.join(", "),
        d.priorities.join(", "),
        d.issue_types.join(", "),
        d.statuses.join(", "),
        d.resolution_codes.join(", "),
        d.fields.join(", ")
    ));
    s
}

/// One step, readably: reward, score, breakdown, errors, new messages.
fn describe(r: &StepResult) -> String {
    let mut s = format!(
        "  reward {:+.3}   score {:.3}   SLA minutes left {}{}",
        r.reward,
        r.info.score,
        r.observation.sla_minutes_left,
        if r.observation.sla_breached {
            " (breached)"
        } else {
            ""
        }
    );
    if let Some(e) = &r.observation.last_action_error {
        s.push_str(&format!("\n  invalid action: {}", e.message));
    }
    if r.observation.step > 0 {
        if let Some(m) = r.observation.customer_messages.last() {
            s.push_str(&format!("\n  customer: {m}"));
        }
    }
    let parts: Vec<String> = r
        .info
        .breakdown
        .components()
        .iter()
        .map(|(n, v)| format!("{n} {v:.2}"))
        .collect();
    s.push_str(&format!("\n  {}", parts.join("  ")));
    s
}

/// The short syntax (or JSON) → a JSON action for the environment, which
/// does the real checking.
fn parse(line: &str, rt: &TaskRuntime) -> Result<Value, String> {
    if line.starts_with('{') {
        return serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"));
    }
    let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let words = || rest.split([' ', ',']).filter(|w| !w.is_empty());
    let d = &rt.domain;
    match verb {
        "classify" => {
            let mut action = json!({"action_type": "classify"});
            for word in words() {
                let (key, value) = match word.split_once('=') {
                    Some((k, v)) => (k.to_owned(), v.to_owned()),
                    None if d.queues.iter().any(|q| q == word) => ("queue".into(), word.into()),
                    None if d.priorities.iter().any(|q| q == word) => {
                        ("priority".into(), word.into())
                    }
                    None if d.issue_types.iter().any(|q| q == word) => {
                        ("issue_type".into(), word.into())
                    }
                    None => return Err(format!("`{word}` is not a queue, priority or issue type")),
                };
                action[key] = json!(value);
            }
            Ok(action)
        }
        "request" | "request_info" => {
            Ok(json!({"action_type": "request_info", "fields": words().collect::<Vec<_>>()}))
        }
        "reply" => Ok(json!({"action_type": "reply", "message": rest})),
        "note" | "add_note" => Ok(json!({"action_type": "add_note", "text": rest})),
        "status" | "set_status" => {
            let mut w = words();
            let mut action = json!({"action_type": "set_status"});
            if let Some(status) = w.next() {
                action["status"] = json!(status);
            }
            if let Some(resolution) = w.next() {
                action["resolution_code"] = json!(resolution);
            }
            Ok(action)
        }
        "submit" => Ok(json!({"action_type": "submit"})),
        other => {
            let verbs = [
                "classify", "request", "reply", "note", "status", "submit", "help", "ticket",
                "state", "quit",
            ];
            Err(match taskc::suggest::closest(other, verbs) {
                Some(v) => format!("unknown command `{other}`; did you mean `{v}`?"),
                None => format!("unknown command `{other}`"),
            })
        }
    }
}
