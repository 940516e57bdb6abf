//! `taskc play TASK_ID`: an episode in the terminal for content authors.
//! Shows the ticket and knowledge base, takes actions in a short syntax (or
//! JSON), and shows each reward, the breakdown, the marker groups still
//! unmet and the final summary. At a terminal it edits lines and keeps a
//! history (rustyline); through a pipe it reads lines and echoes them.
//!
//! An action the environment would reject (an unknown queue, a missing
//! field) is refused at the prompt with the environment's own message and
//! did-you-mean, and costs no step; `send ACTION` sends it anyway, to see
//! what an agent that makes the mistake gets.

use std::io::{BufRead, IsTerminal, Write};

use serde_json::{json, Value};

use super::args::PlayArgs;
use super::{load_task, summary, Outcome};
use taskc::runtime::env::{action, Episode, StepResult, TaskRuntime};

const HELP: &str = "\
actions (or a JSON action on one line):
  classify [queue=]Q [priority=]P [issue_type=]I   any of the three; bare values are recognised
  request FIELD [FIELD ...]                        ask the customer for fields
  reply TEXT                                       a customer-facing reply
  note TEXT                                        an internal note
  status STATUS [RESOLUTION]                       set the status (and resolution code)
  submit                                           end the episode
  send ACTION                                      send an action even if it is invalid
other commands: help, ticket, groups (the marker groups still unmet), state, quit";

/// Where lines come from: an editor at a terminal, else standard input.
enum Input {
    Editor(Box<rustyline::DefaultEditor>),
    Piped(std::io::StdinLock<'static>),
}

impl Input {
    fn open() -> Self {
        if std::io::stdin().is_terminal() {
            if let Ok(editor) = rustyline::DefaultEditor::new() {
                return Input::Editor(Box::new(editor));
            }
        }
        Input::Piped(std::io::stdin().lock())
    }

    /// The next line, `None` at the end (Ctrl-D or Ctrl-C at a terminal).
    fn line(&mut self, prompt: &str) -> Result<Option<String>, String> {
        match self {
            Input::Editor(editor) => match editor.readline(prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                    }
                    Ok(Some(line))
                }
                Err(rustyline::error::ReadlineError::Eof)
                | Err(rustyline::error::ReadlineError::Interrupted) => Ok(None),
                Err(e) => Err(format!("cannot read input: {e}")),
            },
            Input::Piped(stdin) => {
                let mut raw = Vec::new();
                match stdin.read_until(b'\n', &mut raw) {
                    Ok(0) => Ok(None),
                    Ok(_) => Ok(Some(String::from_utf8_lossy(&raw).into_owned())),
                    Err(e) => Err(format!("cannot read input: {e}")),
                }
            }
        }
    }

    fn is_editor(&self) -> bool {
        matches!(self, Input::Editor(_))
    }
}

pub fn run(args: &PlayArgs) -> Outcome {
    let rt = match load_task(&args.tasks, &args.task_id) {
        Ok(rt) => rt,
        Err(outcome) => return outcome,
    };
    let mut input = Input::open();
    let interactive = input.is_editor();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut episode, _) = Episode::reset(rt.clone(), None, None);
    let _ = writeln!(out, "{}\n\n{HELP}\n", ticket(&rt));
    // Customer messages already shown, and the invalid actions sent.
    let mut shown = episode.observation().customer_messages.len();
    let mut invalid: Vec<(u32, String)> = Vec::new();
    loop {
        let prompt = format!(
            "step {}/{} > ",
            episode.observation().step + 1,
            rt.spec.max_steps
        );
        let line = match input.line(&prompt) {
            Ok(Some(line)) => line.trim().to_owned(),
            Ok(None) => break,
            Err(message) => return Outcome::Failed(message),
        };
        if line.is_empty() {
            continue;
        }
        if !interactive {
            let _ = writeln!(out, "> {line}");
        }
        let (forced, line) = match line.strip_prefix("send ") {
            Some(rest) => (true, rest.trim()),
            None => (false, line.as_str()),
        };
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
            "groups" => {
                let groups = summary::unmet_groups(&episode)
                    .unwrap_or_else(|| "  every marker group is met".to_owned());
                let _ = writeln!(out, "{groups}");
                continue;
            }
            "state" => {
                let state = serde_json::to_string_pretty(&episode.state()).unwrap_or_default();
                let _ = writeln!(out, "{state}");
                continue;
            }
            _ => match parse(line, &rt) {
                Ok(action) => action,
                Err(message) => {
                    let _ = writeln!(out, "  ? {message} (type `help`)");
                    continue;
                }
            },
        };
        // What the environment would say, before it costs a step.
        if !forced {
            if let Err(e) = action::parse(&action, &rt.domain) {
                let _ = writeln!(
                    out,
                    "  ? {} (not sent: fix it, or `send ...` to send it as it is)",
                    e.message
                );
                continue;
            }
        }
        match episode.step(&action) {
            Ok(result) => {
                if let Some(e) = &result.observation.last_action_error {
                    invalid.push((result.observation.step, e.message.clone()));
                }
                let _ = writeln!(out, "{}", describe(&result, &mut shown));
                if matches!(action["action_type"].as_str(), Some("reply" | "add_note")) {
                    if let Some(groups) = summary::unmet_groups(&episode) {
                        let _ = writeln!(out, "  still unmet:\n{groups}");
                    }
                }
                if result.done {
                    let _ = writeln!(out, "\n{}", summary::summary(&episode, &invalid));
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
        "\nstopped before the end:\n{}",
        summary::summary(&episode, &invalid)
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

/// One step, readably: reward, score, breakdown, errors, and the customer
/// messages not shown yet (`shown` counts those already printed).
fn describe(r: &StepResult, shown: &mut usize) -> String {
    let mut s = format!(
        "  reward {}   score {}   SLA minutes left {}{}",
        summary::reward(r.reward),
        summary::score(r.info.score),
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
    let messages = &r.observation.customer_messages;
    for m in messages.iter().skip(*shown) {
        s.push_str(&format!("\n  customer: {m}"));
    }
    *shown = messages.len();
    s.push_str(&format!("\n  {}", summary::breakdown(&r.info)));
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
                    None => {
                        let all = || {
                            d.queues
                                .iter()
                                .chain(&d.priorities)
                                .chain(&d.issue_types)
                                .map(String::as_str)
                        };
                        // `billing` for `billing_ops`: a value it starts, else a near one.
                        let near = all()
                            .find(|v| v.starts_with(word))
                            .or_else(|| taskc::suggest::closest(word, all()));
                        return Err(match near {
                            Some(n) => format!(
                                "`{word}` is not a queue, priority or issue type; did you mean `{n}`?"
                            ),
                            None => format!("`{word}` is not a queue, priority or issue type"),
                        });
                    }
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
                "classify", "request", "reply", "note", "status", "submit", "send", "help",
                "ticket", "groups", "state", "quit",
            ];
            Err(match taskc::suggest::closest(other, verbs) {
                Some(v) => format!("unknown command `{other}`; did you mean `{v}`?"),
                None => format!("unknown command `{other}`"),
            })
        }
    }
}
