//! Contract version 2 on the shipped tasks: every exploit the grading issue
//! measured is snapshotted as a transcript (with the gates and voided texts
//! responsible visible) and held to the contract's bound; the gold episode
//! still scores exactly 1.0. Property tests: doing nothing scores exactly 0
//! on any task, rewards sum to the score, scores stay in [0, 1], and reruns
//! are identical.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use taskc::runtime::env::exploits::with_text;
use taskc::runtime::env::{gold, Episode, StepResult, TaskRuntime};
use taskc::spec::Document;

fn document() -> Document {
    common::shipped_document()
}

fn runtimes() -> BTreeMap<String, Arc<TaskRuntime>> {
    TaskRuntime::all(&document())
}

fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Each step's action, reward and score, then the final breakdown, the
/// gates that capped it and the texts that met no group.
fn transcript(actions: &[Value], results: &[StepResult]) -> Value {
    let steps: Vec<Value> = results
        .iter()
        .skip(1)
        .zip(actions)
        .map(|(r, a)| json!({"action": a, "reward": round(r.reward), "score": round(r.info.score)}))
        .collect();
    let last = results.last().expect("a result");
    json!({
        "steps": steps,
        "final_score": round(last.info.score),
        "breakdown": last.info.breakdown,
        "gates": last.info.gates,
        "voided": last.info.voided,
    })
}

fn without(actions: &[Value], action_type: &str) -> Vec<Value> {
    actions
        .iter()
        .filter(|a| a["action_type"] != action_type)
        .cloned()
        .collect()
}

fn all_markers(rt: &TaskRuntime, reply: bool) -> Vec<String> {
    let groups = if reply {
        &rt.spec.required_reply_markers
    } else {
        &rt.spec.required_note_markers
    };
    groups.iter().flatten().cloned().collect()
}

/// The objective done the opposite way, per shipped task.
fn inverted(id: &str) -> Vec<Value> {
    let classify = |queue: &str, priority: &str, issue: &str| json!({"action_type": "classify", "queue": queue, "priority": priority, "issue_type": issue});
    let reply = |m: &str| json!({"action_type": "reply", "message": m});
    let note = |t: &str| json!({"action_type": "add_note", "text": t});
    let status =
        |s: &str, r: &str| json!({"action_type": "set_status", "status": s, "resolution_code": r});
    let submit = json!({"action_type": "submit"});
    match id {
        "billing_refund_easy" => vec![
            classify("billing_ops", "high", "duplicate_charge"),
            reply("We will NOT refund you: this is not a duplicate charge. If you disagree, file a chargeback with your bank; it usually takes 5-7 business days."),
            note("Duplicate charge claim rejected; no refund approved."),
            status("resolved", "refund_approved"),
            submit,
        ],
        "account_takeover_medium" => vec![
            classify("trust_and_safety", "urgent", "account_compromise"),
            reply("Good news: we have unlocked your account now, no verification needed. You do not need to reset your password or scan your devices."),
            note("Suspicious login report; customer locked out, unlocked on request."),
            status("resolved", "verification_needed"),
            submit,
        ],
        "api_incident_hard" => vec![
            classify("platform_engineering", "urgent", "production_incident"),
            reply("This is not an incident and there is no outage; engineering is not investigating. Please send request IDs and UTC timestamps if it happens again."),
            note("HTTP 500 reports after the EU data residency rollout; launch tonight; closed as user error."),
            status("resolved", "incident_opened"),
            submit,
        ],
        "regulated_export_exception_hard" => vec![
            classify("compliance_ops", "high", "regulated_exception"),
            reply("Good news: we approved the bypass for your export, so no compliance review is needed; engineering will disable the restriction for your tenant region today."),
            note("Manual bypass granted despite the EU residency policy block; audit later."),
            status("resolved", "legal_approval_required"),
            submit,
        ],
        other => panic!("no inverted episode for {other}"),
    }
}

/// Tries every queue in the domain's order until the reward moves, then
/// every priority the same way, never reading the ticket: what a policy
/// guided only by rewards can do. Returns the actions it took.
fn reward_guided(rt: &Arc<TaskRuntime>) -> (Vec<Value>, Vec<StepResult>) {
    let (mut episode, first) = Episode::reset(rt.clone(), None, None);
    let mut actions = Vec::new();
    let mut results = vec![first];
    for (field, values) in [
        ("queue", rt.domain.queues.clone()),
        ("priority", rt.domain.priorities.clone()),
    ] {
        for value in values {
            if episode.is_done() {
                break;
            }
            let action = json!({"action_type": "classify", field: value});
            let r = episode.step(&action).expect("running");
            actions.push(action);
            let moved = r.reward > 0.0;
            results.push(r);
            if moved {
                break;
            }
        }
    }
    if !episode.is_done() {
        let action = json!({"action_type": "submit"});
        results.push(episode.step(&action).expect("running"));
        actions.push(action);
    }
    (actions, results)
}

/// The exploits of the grading issue for one task, with the most each may
/// score.
fn exploits(id: &str, rt: &TaskRuntime, every_marker: &str) -> Vec<(String, Vec<Value>, f64)> {
    let g = gold::actions(rt);
    let mut out = Vec::new();
    out.push(("do_nothing".to_owned(), gold::do_nothing(), 0.0));
    let salad_reply = all_markers(rt, true).join(" ");
    let salad_note = all_markers(rt, false).join(" ");
    out.push((
        "marker_salad".into(),
        with_text(
            &with_text(&g, "reply", &salad_reply),
            "add_note",
            &salad_note,
        ),
        0.6,
    ));
    out.push((
        "every_task_text".into(),
        with_text(
            &with_text(&g, "reply", every_marker),
            "add_note",
            every_marker,
        ),
        0.6,
    ));
    let negated: Vec<String> = rt
        .spec
        .required_reply_markers
        .iter()
        .map(|group| format!("We will not {} here.", group[0]))
        .collect();
    out.push((
        "negated_reply".into(),
        with_text(&g, "reply", &negated.join(" ")),
        0.6,
    ));
    out.push(("no_reply".into(), without(&g, "reply"), 0.8));
    if let Some(q) = rt.spec.over_escalation_queues.first() {
        let mut a = vec![json!({"action_type": "classify", "queue": q})];
        a.extend(g.iter().cloned());
        a.truncate(rt.spec.max_steps as usize);
        out.push(("over_escalate_then_gold".into(), a, 0.8));
    }
    if let Some(forbidden) = rt.spec.forbidden_reply_markers.first() {
        let gold_reply = g
            .iter()
            .find(|a| a["action_type"] == "reply")
            .and_then(|a| a["message"].as_str())
            .expect("a gold reply")
            .to_owned();
        let chars: Vec<char> = forbidden.chars().collect();
        let half = chars.len() / 2;
        let (left, right): (String, String) = (
            chars[..half].iter().collect(),
            chars[half..].iter().collect(),
        );
        let accented: String = forbidden
            .chars()
            .flat_map(|c| {
                if c == 'a' {
                    vec!['a', '\u{301}']
                } else {
                    vec![c]
                }
            })
            .collect();
        for (name, text) in [
            (
                "forbidden_separator",
                format!("{gold_reply} Or file a {left}-{right}."),
            ),
            (
                "forbidden_spaced",
                format!("{gold_reply} Or file a {left} {right}."),
            ),
            (
                "forbidden_accent",
                format!("{gold_reply} Or file a {accented}."),
            ),
        ] {
            out.push((name.into(), with_text(&g, "reply", &text), 0.6));
        }
        // Split over two replies.
        let mut a = with_text(
            &g,
            "reply",
            &format!("{gold_reply} You could also file a {left}"),
        );
        let at = a
            .iter()
            .position(|x| x["action_type"] == "reply")
            .expect("reply")
            + 1;
        a.insert(
            at,
            json!({"action_type": "reply", "message": format!("{right} with your bank.")}),
        );
        a.truncate(rt.spec.max_steps as usize);
        out.push(("forbidden_split".into(), a, 0.6));
        // In a request's message, which the customer reads.
        let mut a = g.clone();
        let request = json!({
            "action_type": "request_info",
            "fields": rt.spec.required_requested_fields.first().cloned().map_or(vec![], |f| vec![f]),
            "message": format!("Meanwhile, please start a {forbidden}."),
        });
        match a.iter().position(|x| x["action_type"] == "request_info") {
            Some(i) => a[i]["message"] = request["message"].clone(),
            None => {
                let mut r = request.clone();
                r["fields"] = json!([rt.domain.fields[0]]);
                a.insert(1, r);
                a.truncate(rt.spec.max_steps as usize);
            }
        }
        out.push(("forbidden_in_request_message".into(), a, 0.6));
    }
    out.push(("objective_inverted".into(), inverted(id), 0.6));
    out
}

fn every_marker_text(document: &Document) -> String {
    let mut all: Vec<&str> = Vec::new();
    for t in document.tasks.values() {
        for m in t
            .required_reply_markers
            .iter()
            .chain(&t.required_note_markers)
            .flatten()
        {
            all.push(m);
        }
    }
    format!("Hello! {}.", all.join(", "))
}

#[test]
fn every_exploit_stays_under_its_bound_and_gold_scores_one() {
    let document = document();
    let every_marker = every_marker_text(&document);
    let runtimes = TaskRuntime::all(&document);
    let mut failures = Vec::new();
    common::with_snapshots(|| {
        for (id, rt) in &runtimes {
            let g = gold::actions(rt);
            let results = gold::run(rt.clone(), &g);
            let last = results.last().expect("results");
            assert_eq!(round(last.info.score), 1.0, "{id}: gold {:?}", last.info);
            for (name, actions, bound) in exploits(id, rt, &every_marker) {
                let results = gold::run(rt.clone(), &actions);
                let last = results.last().expect("results");
                let sum: f64 = results.iter().map(|r| r.reward).sum();
                assert!((sum - last.info.score).abs() < 1e-9, "{id}/{name}: rewards");
                if last.info.score > bound + 1e-9 {
                    failures.push(format!(
                        "{id}/{name}: {} > {bound} ({:?}, gates {:?}, voided {:?})",
                        last.info.score, last.info.breakdown, last.info.gates, last.info.voided
                    ));
                }
                insta::assert_json_snapshot!(
                    format!("v2__{id}__{name}"),
                    transcript(&actions, &results)
                );
            }
            let (actions, results) = reward_guided(rt);
            let score = results.last().expect("results").info.score;
            if score > 0.6 {
                failures.push(format!("{id}/reward_guided_queues: {score}"));
            }
            insta::assert_json_snapshot!(
                format!("v2__{id}__reward_guided_queues"),
                transcript(&actions, &results)
            );
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A competent reply that happens to contain a negation is not punished,
/// and a marker with its own negation is met.
#[test]
fn competent_texts_are_not_punished() {
    let runtimes = runtimes();
    let rt = &runtimes["regulated_export_exception_hard"];
    let (mut e, _) = Episode::reset(rt.clone(), None, None);
    let r = e
        .step(&json!({"action_type": "reply", "message": "Sorry, there is no temporary bypass, but our compliance team will start the review as soon as you send the tenant region and the DPA amendment ID."}))
        .expect("ok");
    assert!(r.info.voided.is_empty(), "{:?}", r.info.voided);
    assert!(
        (r.info.breakdown.reply - 1.0).abs() < 1e-9,
        "{:?}",
        r.info.breakdown
    );
    assert!(r.info.gates.iter().all(|g| g.name != "contradicted"));

    let rt = &runtimes["billing_refund_easy"];
    let (mut e, _) = Episode::reset(rt.clone(), None, None);
    let r = e
        .step(&json!({"action_type": "reply", "message": "No problem: your refund for the duplicate charge will arrive within 5-7 business days."}))
        .expect("ok");
    assert!(
        (r.info.breakdown.reply - 1.0).abs() < 1e-9,
        "{:?} {:?}",
        r.info.breakdown,
        r.info.voided
    );
    // Words, not fragments: `refund` is not met by "nonrefundable".
    let (mut e, _) = Episode::reset(rt.clone(), None, None);
    let r = e
        .step(&json!({"action_type": "reply", "message": "That fee is nonrefundable."}))
        .expect("ok");
    assert_eq!(r.info.breakdown.reply, 0.0);
}

/// `taskc serve` shows no grade before the end; the observation never
/// carries one.
#[test]
fn the_observation_carries_no_grade() {
    let rt = runtimes()["billing_refund_easy"].clone();
    let (_, first) = Episode::reset(rt, None, None);
    let observation = serde_json::to_value(&first.observation).expect("json");
    let text = observation.to_string();
    assert!(
        !text.contains("score") && !text.contains("breakdown"),
        "{text}"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A shipped task changed at random in what shapes its grading.
    fn varied(task: usize) -> impl Strategy<Value = (usize, u32, Option<u32>, bool, Vec<bool>)> {
        (
            Just(task),
            1u32..12,
            proptest::option::of(1u32..6),
            proptest::bool::ANY,
            prop::collection::vec(proptest::bool::ANY, 5),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

        /// Doing nothing scores exactly 0, whatever the task's steps,
        /// deadline, requested fields and over-escalation queues.
        #[test]
        fn doing_nothing_scores_zero_on_any_task(
            (task, max_steps, deadline, no_fields, over) in (0usize..4).prop_flat_map(varied)
        ) {
            let mut document = document();
            let id = document.tasks.keys().nth(task).expect("a task").clone();
            let queues = document.domain.as_ref().expect("a domain").queues.clone();
            let t = document.tasks.get_mut(&id).expect("task");
            t.max_steps = max_steps;
            t.under_escalation_deadline_step = deadline.map(|d| d.min(max_steps));
            if no_fields {
                t.required_requested_fields.clear();
                t.follow_up_outcome = taskc::spec::FollowUpOutcome::None;
            }
            t.over_escalation_queues = queues
                .iter()
                .zip(&over)
                .filter(|(q, on)| **on && **q != t.gold_queue)
                .map(|(q, _)| q.clone())
                .collect();
            let rt = TaskRuntime::all(&document)[&id].clone();
            let results = gold::run(rt, &gold::do_nothing());
            prop_assert_eq!(results.last().expect("result").info.score, 0.0);
            prop_assert!(results.iter().all(|r| r.reward == 0.0));
        }
    }
}
