//! Every task must be solvable: its gold episode, run through the real
//! environment, scores 1.0. A task where it does not is an error at the
//! task, saying which component falls short and why.

use std::sync::Arc;

use super::Places;
use crate::diagnostic::{Code, Cx};
use crate::runtime::env::{gold, TaskRuntime};
use crate::source::Span;

/// Proves the task solvable; true when it is (else reports why not).
pub(crate) fn check(cx: &mut Cx, places: &Places, rt: Arc<TaskRuntime>) -> bool {
    let (episode, _) = gold::played(rt.clone(), &gold::actions(&rt));
    let info = episode.info();
    let score = info.score;
    if score >= 1.0 - 1e-9 {
        return true;
    }
    let t = &rt.spec;
    // The groups a gold text did not meet (a voided text is explained as
    // such instead: it met no group at all, whatever it says).
    let unmet: Vec<(&str, usize)> = episode
        .unmet_groups()
        .into_iter()
        .filter(|(section, _, _)| !info.voided.iter().any(|v| v.section == *section))
        .map(|(section, i, _)| (section, i))
        .collect();
    let groups = |section: &str| match section {
        "reply" => (t.required_reply_markers.len(), &places.reply_groups),
        _ => (t.required_note_markers.len(), &places.note_groups),
    };
    let needed = gold::steps_needed(&rt);
    let short: Vec<String> = info
        .breakdown
        .components()
        .iter()
        .filter(|(_, v)| *v < 1.0 - 1e-9)
        .map(|(name, v)| format!("{name} {}", round(*v)))
        .collect();
    let mut reasons = Vec::new();
    if needed > t.max_steps as usize {
        reasons.push(format!(
            "its gold episode needs {needed} steps but `max_steps` is {}",
            t.max_steps
        ));
    }
    if t.sla_step_cost > t.ticket.sla_minutes_remaining {
        reasons.push(format!(
            "routing at the first step already costs {} SLA minutes but the ticket has {}",
            t.sla_step_cost, t.ticket.sla_minutes_remaining
        ));
    }
    for v in &info.voided {
        reasons.push(format!(
            "its gold {} meets no group ({})",
            v.section, v.reason
        ));
    }
    for section in ["reply", "note"] {
        let missed = unmet.iter().filter(|(s, _)| *s == section).count();
        if missed > 0 {
            let (total, _) = groups(section);
            reasons.push(format!(
                "its gold {section} meets {} of the {total} required groups",
                total - missed
            ));
        }
    }
    for g in &info.gates {
        reasons.push(format!(
            "the gate `{}` caps its gold episode at {}",
            g.name,
            round(g.cap)
        ));
    }
    if reasons.is_empty() {
        reasons.push(format!("its gold episode scores {}", round(score)));
    }
    let declared = |section: &str| match section {
        "reply" => rt.gold_reply.is_some(),
        _ => rt.gold_note.is_some(),
    };
    let help = if needed > t.max_steps as usize {
        format!("raise `max_steps` to at least {needed}, or ask for less")
    } else if t.sla_step_cost > t.ticket.sla_minutes_remaining {
        "lower `sla_step_cost` or raise the ticket's `sla_minutes`".to_owned()
    } else if let Some(v) = info.voided.iter().find(|v| !declared(&v.section)) {
        format!(
            "the grader takes markers alone for a marker salad: write the {} a competent agent \
             would send in `expect`, e.g. `{} \"...\"`, meeting one alternative of every group",
            v.section, v.section
        )
    } else if let Some(v) = info.voided.first() {
        format!(
            "rewrite the `{}` in `expect` as a competent agent would write it ({})",
            v.section, v.reason
        )
    } else if let Some((section, _)) = unmet.first() {
        format!(
            "the `{section}` in `expect` must meet one alternative of every `require` of \
             `{section}`: say it there as a competent agent would, or change the group"
        )
    } else if let Some(g) = info.gates.first() {
        format!(
            "the gold episode must not fire gate `{}`: change the gold texts or the gate",
            g.name
        )
    } else {
        "run `taskc run` with the gold actions to see each step".to_owned()
    };
    // The lines that make it so, beside the task's name.
    let mut related: Vec<(Option<Span>, String)> = Vec::new();
    if needed > t.max_steps as usize {
        related.push((
            places.max_steps,
            format!("the gold episode needs {needed} steps"),
        ));
    }
    if t.sla_step_cost > t.ticket.sla_minutes_remaining {
        related.push((
            places.sla_step_cost,
            format!("each step costs {} SLA minutes", t.sla_step_cost),
        ));
        related.push((
            places.sla_minutes,
            format!("the ticket has only {}", t.ticket.sla_minutes_remaining),
        ));
    }
    for v in &info.voided {
        let place = match v.section.as_str() {
            "reply" => places.gold_reply,
            _ => places.gold_note,
        };
        related.push((place, format!("meets no group ({})", v.reason)));
    }
    for (section, i) in &unmet {
        let (total, spans) = groups(section);
        // Only when the lines are the spec's groups one for one.
        if spans.len() == total {
            related.push((
                spans.get(*i).copied(),
                format!("the gold {section} meets no alternative of this group"),
            ));
        }
    }
    let mut diagnostic = cx
        .error(
            Code::Unsolvable,
            places.id,
            format!(
                "task `{}` cannot reach a score of 1.0: {}",
                t.task_id,
                reasons.join("; ")
            ),
        )
        .with_label(format!(
            "the gold episode scores {} (short: {})",
            round(score),
            short.join(", ")
        ))
        .with_help(help);
    for (span, label) in related {
        if let Some(span) = span {
            diagnostic = diagnostic.with_related(cx.file, span, label);
        }
    }
    cx.push(diagnostic);
    false
}

fn round(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
