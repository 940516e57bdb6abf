//! Every task resists the stock exploits and keeps full credit on the
//! benign variants of its gold episode (contract v3, "Proving it, both
//! ways"): each ([`crate::runtime::env::exploits`]) is played through the
//! runtime; an exploit above the domain's gaming threshold, or a benign
//! variant below 1.0, is an error (E1002) naming it, its score, the gates
//! that fired and what fired them, and the remedy its kind carries.

use std::sync::Arc;

use crate::diagnostic::{Code, Cx, Diagnostic};
use crate::runtime::env::exploits::{self, Outcome};
use crate::runtime::env::TaskRuntime;
use crate::source::{FileId, Span};

/// Plays the exploits and benign variants of one task (all but the one
/// that needs the project) and reports the task where one does not hold.
pub(crate) fn check(cx: &mut Cx, at: Span, rt: &Arc<TaskRuntime>) {
    let outcomes = exploits::probe(rt, None);
    if let Some(d) = report(cx.file, at, rt, &outcomes) {
        cx.push(d);
    }
}

/// What fired on an outcome, for messages: `gate (because)` each.
pub(crate) fn fired(o: &Outcome) -> String {
    if o.gates.is_empty() {
        return "no gate fired".into();
    }
    let gates: Vec<String> = o
        .gates
        .iter()
        .map(|g| match &g.because {
            Some(why) => format!("`{}` ({why})", g.name),
            None => format!("`{}`", g.name),
        })
        .collect();
    format!("gates {}", gates.join(", "))
}

/// The diagnostic for the outcomes that do not hold, if any: exploits
/// first (the highest score first), then benign variants.
pub(crate) fn report(
    file: FileId,
    at: Span,
    rt: &TaskRuntime,
    outcomes: &[Outcome],
) -> Option<Diagnostic> {
    let threshold = rt.grading.gaming_threshold;
    let mut failing: Vec<&Outcome> = outcomes.iter().filter(|o| !o.holds(threshold)).collect();
    failing.sort_by(|a, b| {
        a.benign
            .cmp(&b.benign)
            .then(b.score.total_cmp(&a.score))
            .then(a.kind.cmp(&b.kind))
    });
    let worst = failing.first()?;
    let all: Vec<String> = failing
        .iter()
        .map(|o| format!("{} {}", o.kind.name(), round(o.score)))
        .collect();
    let message = if worst.benign {
        format!(
            "task `{}` punishes a competent reply: the benign variant `{}` of its gold episode \
             scores {}, not 1 ({})",
            rt.spec.task_id,
            worst.kind.name(),
            round(worst.score),
            fired(worst)
        )
    } else {
        format!(
            "task `{}` can be gamed: the `{}` exploit scores {}, above the gaming threshold {} ({})",
            rt.spec.task_id,
            worst.kind.name(),
            round(worst.score),
            round(threshold),
            fired(worst)
        )
    };
    Some(
        Diagnostic::error(Code::Gameable, file, at, message)
            .with_label(format!("not holding: {}", all.join(", ")))
            .with_help(format!(
                "{}; `taskc probe {}` shows its actions and breakdown",
                worst.kind.remedy(),
                rt.spec.task_id
            )),
    )
}

pub(crate) fn round(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
