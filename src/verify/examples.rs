//! A task's examples behave as their author says: a `pass` text meets every
//! group of its section (and is not voided, says nothing banned, negates
//! no marker); a `fail` text does not; an episode's score lands in its
//! range. Each example that does not is an error at the example (E1003)
//! saying which group was met or missed, or which rule fired.

use std::sync::Arc;

use crate::diagnostic::{Code, Cx};
use crate::runtime::env::{gold, TaskRuntime};
use crate::validate::CheckedExample;

pub(crate) fn check(cx: &mut Cx, rt: &Arc<TaskRuntime>, examples: &[CheckedExample]) {
    for example in examples {
        match example {
            CheckedExample::Text {
                reply,
                pass,
                text,
                span,
            } => {
                let verdict = judge(rt, *reply, text);
                let section = if *reply { "reply" } else { "note" };
                match (pass, verdict) {
                    (true, Err(why)) => cx.push(
                        cx.error(
                            Code::ExampleMisbehaves,
                            *span,
                            format!("this {section} should pass, but {why}"),
                        )
                        .with_label("expected to meet every group")
                        .with_help(format!(
                            "reword the example, or widen the {section}'s groups so that it passes"
                        )),
                    ),
                    (false, Ok(())) => cx.push(
                        cx.error(
                            Code::ExampleMisbehaves,
                            *span,
                            format!("this {section} should fail, but it meets every group"),
                        )
                        .with_label("expected to miss a group or be ruled out")
                        .with_help(
                            "narrow the groups, forbid what the example says, or add a `says` gate",
                        ),
                    ),
                    _ => {}
                }
            }
            CheckedExample::Episode {
                name,
                low,
                high,
                actions,
                span,
            } => {
                let (info, _) = gold::outcome(rt.clone(), actions);
                let score = info.score;
                if score < low - 1e-9 || score > high + 1e-9 {
                    let gates: Vec<&str> = info.gates.iter().map(|g| g.name.as_str()).collect();
                    let short: Vec<String> = info
                        .breakdown
                        .components()
                        .iter()
                        .filter(|(_, v)| *v < 1.0 - 1e-9)
                        .map(|(n, v)| format!("{n} {}", super::gaming::round(*v)))
                        .collect();
                    cx.push(
                        cx.error(
                            Code::ExampleMisbehaves,
                            *span,
                            format!(
                                "the episode \"{name}\" scores {}, outside {low} to {high}",
                                super::gaming::round(score)
                            ),
                        )
                        .with_label(format!(
                            "short: {}; gates: {}",
                            if short.is_empty() {
                                "none".into()
                            } else {
                                short.join(", ")
                            },
                            if gates.is_empty() {
                                "none".into()
                            } else {
                                gates.join(", ")
                            }
                        ))
                        .with_help("run the actions with `taskc run` to see every step"),
                    );
                }
            }
        }
    }
}

/// Whether a text, sent alone, meets every group of its section with
/// nothing ruled out; else why not.
fn judge(rt: &Arc<TaskRuntime>, reply: bool, text: &str) -> Result<(), String> {
    let reading = rt.read(reply, text);
    if let Some(reason) = reading.voided {
        return Err(format!("it meets no group ({reason})"));
    }
    if reply {
        if let Some(what) = rt.forbidden_in(text) {
            return Err(format!("it says a forbidden or banned phrase: {what}"));
        }
    }
    if let Some(c) = reading.contradicted.first() {
        return Err(format!(
            "it negates a required marker: \"{}\" is negated by \"{}\" (the `contradicted` rule)",
            c.marker, c.trigger
        ));
    }
    let groups = if reply {
        &rt.spec.required_reply_markers
    } else {
        &rt.spec.required_note_markers
    };
    let missed: Vec<String> = groups
        .iter()
        .zip(&reading.met)
        .filter(|(_, met)| !**met)
        .map(|(g, _)| {
            let alts: Vec<String> = g.iter().map(|a| format!("\"{a}\"")).collect();
            alts.join(" | ")
        })
        .collect();
    if missed.is_empty() {
        Ok(())
    } else {
        Err(format!("it misses the group {}", missed.join("; and ")))
    }
}
