//! The score (contract v3): a weighted sum of the components, each in
//! [0, 1], partial credit being the fraction of a component's parts that are
//! met, then capped by the lowest cap of the gates that fire. Parts that
//! reward abstention (nothing requested, never over-escalated, deadlines
//! met, no group to meet) count only once the case has been routed (a queue
//! set), so doing nothing scores exactly 0.

use super::{Breakdown, FiredGate, Progress, TaskRuntime};
use crate::spec::{FollowUpOutcome, GateCondition, Weights};

pub(super) fn score(w: &Weights, b: &Breakdown, gates: &[FiredGate]) -> f64 {
    let s: f64 = b
        .components()
        .iter()
        .map(|(name, value)| w.get(name).unwrap_or(0.0) * value)
        .sum();
    let cap = gates.iter().map(|g| g.cap).fold(1.0, f64::min);
    without_float_noise(s.min(cap).clamp(0.0, 1.0))
}

/// A weighted sum that is a round number up to floating-point noise is that
/// number: 0.8999999999999999 is 0.9, which a threshold of 0.9 must see
/// (0.6666666666666666 stays as it is).
fn without_float_noise(x: f64) -> f64 {
    let round = (x * 1e9).round() / 1e9;
    if (x - round).abs() < 1e-12 {
        round
    } else {
        x
    }
}

/// The gates of the task that fire on the episode as it stands. Gates read
/// the whole history (contract v3, rule 1): a status the task forbids caps
/// the score even if the case was reopened.
pub(super) fn gates(rt: &TaskRuntime, p: &Progress) -> Vec<FiredGate> {
    let status_name = |s: u16| rt.domain.statuses.get(s as usize).cloned();
    rt.grading
        .gates
        .iter()
        .enumerate()
        .filter_map(|(i, gate)| {
            let because: Option<Option<String>> = match &gate.when {
                GateCondition::Forbidden => p.forbidden_seen.clone().map(Some),
                // A reply answers when the replies together meet at least
                // half of the required groups: one group of three in a
                // holding line ("we got your message about the refund")
                // is an acknowledgement, not an answer.
                GateCondition::NoReply => {
                    let met = p.reply_groups_met.iter().filter(|m| **m).count();
                    let of = p.reply_groups_met.len();
                    if p.replies_counted == 0 {
                        Some(None)
                    } else {
                        (met * 2 < of).then(|| {
                            Some(format!("the replies meet {met} of {of} required groups"))
                        })
                    }
                }
                GateCondition::Contradicted => p
                    .contradicted
                    .as_ref()
                    .map(|c| Some(format!("\"{}\" negated by \"{}\"", c.marker, c.trigger))),
                // An unset *final* status is a wrong status: before the end,
                // a status not set yet is not a wrong one.
                GateCondition::WrongStatus => match p.status {
                    Some(s) => (s != rt.gold[3]).then(|| status_name(s)),
                    None => p.done.then(|| Some("no status set".into())),
                },
                GateCondition::QueueHopping => (p.wrong_queues.len() >= 2).then_some(None),
                GateCondition::StatusHopping => {
                    if p.wrong_statuses.len() >= 2 {
                        let names: Vec<String> = p
                            .wrong_statuses
                            .iter()
                            .filter_map(|s| status_name(*s))
                            .collect();
                        Some(Some(format!("set to {}", names.join(", "))))
                    } else {
                        p.status_guessed.map(|(from, to)| {
                            Some(format!(
                                "{} replaced by {} with nothing done in between",
                                status_name(from).unwrap_or_default(),
                                status_name(to).unwrap_or_default()
                            ))
                        })
                    }
                }
                GateCondition::OverRequested => {
                    let extra = p
                        .requested
                        .iter()
                        .filter(|f| !rt.required_fields.contains(f))
                        .count();
                    (extra >= 2 && extra > rt.required_fields.len()).then_some(None)
                }
                GateCondition::OverEscalated => p.over_escalated.then_some(None),
                // Judged at the end, as an unset status is: the case ended
                // without asking for anything the task needs.
                GateCondition::MissedRequest => (p.done
                    && !rt.required_fields.is_empty()
                    && !p.requested.iter().any(|f| rt.required_fields.contains(f)))
                .then(|| {
                    Some(format!(
                        "none of the {} needed fields was requested",
                        rt.required_fields.len()
                    ))
                }),
                // The queue gates hold while the case is away from its queue
                // (they cap nothing a gold episode earns: it routes first).
                GateCondition::MissedQueue => p.routed_to_gold_at.is_none().then_some(None),
                GateCondition::WrongQueue => {
                    (p.routed_to_gold_at.is_some() && p.queue != Some(rt.gold[0])).then(|| {
                        p.queue
                            .and_then(|q| rt.domain.queues.get(q as usize).cloned())
                    })
                }
                GateCondition::ForeignLanguage => p.foreign.clone().map(Some),
                GateCondition::Status { status } => p
                    .statuses
                    .iter()
                    .any(|s| rt.domain.statuses.get(*s as usize) == Some(status))
                    .then(|| Some(format!("set to {status}"))),
                GateCondition::Says { .. } => p.says_seen.get(i).cloned().flatten().map(Some),
            };
            because.map(|because| FiredGate {
                name: gate.name.clone(),
                cap: gate.cap,
                because,
            })
        })
        .collect()
}

fn equal(value: Option<u16>, gold: u16) -> f64 {
    if value == Some(gold) {
        1.0
    } else {
        0.0
    }
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn fraction(met: usize, of: usize) -> f64 {
    if of == 0 {
        1.0
    } else {
        met as f64 / of as f64
    }
}

fn mean(parts: &[f64]) -> f64 {
    parts.iter().sum::<f64>() / parts.len() as f64
}

/// The fraction of a section's groups met; a section with no group is met
/// once the case is routed.
fn groups(met: &[bool], routed: bool) -> f64 {
    if met.is_empty() {
        return flag(routed);
    }
    fraction(met.iter().filter(|m| **m).count(), met.len())
}

pub(super) fn breakdown(rt: &TaskRuntime, p: &Progress) -> Breakdown {
    let routed = p.first_queue.is_some();
    Breakdown {
        queue: equal(p.queue, rt.gold[0]),
        priority: equal(p.priority, rt.gold[1]),
        issue_type: equal(p.issue_type, rt.gold[2]),
        status: equal(p.status, rt.gold[3]),
        resolution_code: equal(p.resolution, rt.gold[4]),
        info_requests: info_requests(rt, p, routed),
        reply: if p.forbidden_seen.is_some() {
            0.0
        } else {
            groups(&p.reply_groups_met, routed)
        },
        note: groups(&p.note_groups_met, routed),
        process: process(rt, p, routed),
    }
}

/// Recall, precision and (with a follow-up) its handling; with no required
/// fields, full credit exactly when nothing was requested. Precision, and
/// the credit for requesting nothing, count only once the case is routed.
fn info_requests(rt: &TaskRuntime, p: &Progress, routed: bool) -> f64 {
    let required = &rt.required_fields;
    if required.is_empty() {
        return flag(routed && p.requested.is_empty());
    }
    let hits = p.requested.iter().filter(|f| required.contains(f)).count();
    let recall = fraction(hits, required.len());
    // Nothing requested means nothing else was requested either.
    let precision = if routed {
        fraction(hits, p.requested.len())
    } else {
        0.0
    };
    let handling = match rt.spec.follow_up_outcome {
        FollowUpOutcome::None => return mean(&[recall, precision]),
        _ if p.follow_up_at.is_none() => 0.0,
        // After a complete follow-up: nothing asked again.
        FollowUpOutcome::Complete => flag(p.requested_after_follow_up.is_empty()),
        // After a partial or incorrect one: exactly the missing fields asked
        // again (the overlap over the union of asked and missing).
        FollowUpOutcome::Partial | FollowUpOutcome::Incorrect => {
            let missing = &rt.missing_after_follow_up;
            let asked = &p.requested_after_follow_up;
            let both = asked.iter().filter(|f| missing.contains(f)).count();
            let union = missing.len() + asked.len() - both;
            fraction(both, union)
        }
    };
    mean(&[recall, precision, handling])
}

/// Once routed: the first queue set was the gold queue; never routed to an
/// over-escalation queue (a part only where the task lists some); routed to
/// the gold queue by the deadline (where the task sets one) and before the
/// SLA ran out. Before routing, nothing.
fn process(rt: &TaskRuntime, p: &Progress, routed: bool) -> f64 {
    if !routed {
        return 0.0;
    }
    let spec = &rt.spec;
    let mut parts = vec![flag(p.first_queue == Some(rt.gold[0]))];
    if !rt.over_escalation.is_empty() {
        parts.push(flag(!p.over_escalated));
    }
    if let Some(deadline) = spec.under_escalation_deadline_step {
        parts.push(flag(p.routed_to_gold_at.is_some_and(|k| k <= deadline)));
    }
    parts.push(flag(p.routed_to_gold_at.is_some_and(|k| {
        k as u64 * spec.sla_step_cost as u64 <= spec.ticket.sla_minutes_remaining as u64
    })));
    mean(&parts)
}
