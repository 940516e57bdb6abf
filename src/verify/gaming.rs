//! Every task resists the stock exploits: each exploit policy
//! ([`crate::runtime::env::exploits`]) is played through the runtime, and a
//! task where one scores above the domain's gaming threshold is an error
//! (E1002) naming the exploit, its score, and what would stop it.

use std::sync::Arc;

use crate::diagnostic::{Code, Cx, Diagnostic};
use crate::runtime::env::exploits::{self, Outcome};
use crate::runtime::env::TaskRuntime;
use crate::source::{FileId, Span};

/// Plays the exploits of one task (all but the one that needs every task
/// of the project) and reports the task if one games it. Returns the
/// no-reply exploit's score.
pub(crate) fn check(cx: &mut Cx, at: Span, rt: &Arc<TaskRuntime>) -> f64 {
    let outcomes = exploits::probe(rt, None);
    if let Some(d) = report(cx.file, at, rt, &outcomes) {
        cx.push(d);
    }
    outcomes
        .iter()
        .find(|o| o.kind == "no_reply")
        .map_or(1.0, |o| o.score)
}

/// The diagnostic for the exploits above the threshold, if any.
pub(crate) fn report(
    file: FileId,
    at: Span,
    rt: &TaskRuntime,
    outcomes: &[Outcome],
) -> Option<Diagnostic> {
    let threshold = rt.grading.gaming_threshold;
    let mut above: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.score > threshold + 1e-9)
        .collect();
    above.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.kind.cmp(b.kind)));
    let worst = above.first()?;
    let all: Vec<String> = above
        .iter()
        .map(|o| format!("{} {}", o.kind, round(o.score)))
        .collect();
    Some(
        Diagnostic::error(
            Code::Gameable,
            file,
            at,
            format!(
                "task `{}` can be gamed: the `{}` exploit scores {}, above the gaming threshold {}",
                rt.spec.task_id,
                worst.kind,
                round(worst.score),
                round(threshold)
            ),
        )
        .with_label(format!("exploits above the threshold: {}", all.join(", ")))
        .with_help(remedy(worst.kind)),
    )
}

/// The gate or rule that stops an exploit.
pub(crate) fn remedy(kind: &str) -> String {
    match kind {
        "marker_salad" => {
            "keep the `no_reply` gate (a salad reply does not count) and `marker_density` at most 0.6"
        }
        "every_task_text" => "keep `off_topic` low and the `no_reply` gate on",
        "negated_reply" => "keep the `contradicted` gate (`gate contradicted cap 0.5 when contradicted`)",
        "no_reply" => "keep the `no_reply` gate (`gate no_reply cap 0.6 when no_reply`)",
        "inverted_status" => {
            "keep the `wrong_status` gate, or add `gate NAME cap 0.4 when status STATUS` for the status the objective rules out"
        }
        "over_escalate_then_gold" => "keep the `over_escalated` gate (`gate over_escalated cap 0.6 when over_escalated`)",
        "request_every_field" => "keep the `over_requested` gate (`gate over_requested cap 0.6 when over_requested`)",
        "banned_separator" | "banned_accent" | "banned_split" | "banned_in_request" => {
            "keep the `forbidden_phrase` gate, or give the phrase's `says` gate a cap of at most the threshold"
        }
        "queues_in_order" => "keep the `queue_hopping` gate (`gate queue_hopping cap 0.6 when queue_hopping`)",
        "reward_guided" => {
            "keep the `no_reply` and `queue_hopping` gates: routing alone must not pay more than the threshold"
        }
        _ => "run `taskc probe` to see each exploit's actions and breakdown",
    }
    .to_owned()
}

pub(crate) fn round(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
