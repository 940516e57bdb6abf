//! The score: a weighted sum of the contract's components, each in [0, 1],
//! partial credit being the fraction of a component's parts that are met.

use super::{Breakdown, Progress, TaskRuntime};
use crate::spec::{FollowUpOutcome, Weights};

pub(super) fn score(w: &Weights, b: &Breakdown) -> f64 {
    let s: f64 = b
        .components()
        .iter()
        .map(|(name, value)| w.get(name).unwrap_or(0.0) * value)
        .sum();
    s.clamp(0.0, 1.0)
}

fn equal(value: Option<u16>, gold: u16) -> f64 {
    if value == Some(gold) {
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

pub(super) fn breakdown(rt: &TaskRuntime, p: &Progress) -> Breakdown {
    Breakdown {
        queue: equal(p.queue, rt.gold[0]),
        priority: equal(p.priority, rt.gold[1]),
        issue_type: equal(p.issue_type, rt.gold[2]),
        status: equal(p.status, rt.gold[3]),
        resolution_code: equal(p.resolution, rt.gold[4]),
        info_requests: info_requests(rt, p),
        reply: if p.forbidden_seen {
            0.0
        } else {
            fraction(
                p.reply_groups_met.iter().filter(|m| **m).count(),
                p.reply_groups_met.len(),
            )
        },
        note: fraction(
            p.note_groups_met.iter().filter(|m| **m).count(),
            p.note_groups_met.len(),
        ),
        process: process(rt, p),
    }
}

/// Recall, precision and (with a follow-up) its handling; with no required
/// fields, full credit exactly when nothing was requested.
fn info_requests(rt: &TaskRuntime, p: &Progress) -> f64 {
    let required = &rt.required_fields;
    if required.is_empty() {
        return if p.requested.is_empty() { 1.0 } else { 0.0 };
    }
    let hits = p.requested.iter().filter(|f| required.contains(f)).count();
    let recall = fraction(hits, required.len());
    // Nothing requested means nothing else was requested either.
    let precision = fraction(hits, p.requested.len());
    let handling = match rt.spec.follow_up_outcome {
        FollowUpOutcome::None => return mean(&[recall, precision]),
        _ if p.follow_up_at.is_none() => 0.0,
        // After a complete follow-up: nothing asked again.
        FollowUpOutcome::Complete => {
            if p.requested_after_follow_up.is_empty() {
                1.0
            } else {
                0.0
            }
        }
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

/// Never over-escalated; routed to the gold queue by the deadline (where the
/// task sets one); routed to the gold queue before the SLA ran out.
fn process(rt: &TaskRuntime, p: &Progress) -> f64 {
    let spec = &rt.spec;
    let mut parts = vec![if p.over_escalated { 0.0 } else { 1.0 }];
    if let Some(deadline) = spec.under_escalation_deadline_step {
        parts.push(match p.routed_to_gold_at {
            Some(k) if k <= deadline => 1.0,
            _ => 0.0,
        });
    }
    parts.push(match p.routed_to_gold_at {
        Some(k)
            if k as u64 * spec.sla_step_cost as u64 <= spec.ticket.sla_minutes_remaining as u64 =>
        {
            1.0
        }
        _ => 0.0,
    });
    mean(&parts)
}
