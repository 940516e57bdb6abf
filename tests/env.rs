//! The environment: gold episodes score 1.0, typical mistakes score less in
//! the component the contract names, bad actions are data, rewards sum to
//! the score, and episodes are deterministic.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use taskc::runtime::env::{gold, EnvError, Episode, StepResult, TaskRuntime};

fn runtimes() -> BTreeMap<String, Arc<TaskRuntime>> {
    TaskRuntime::all(&common::shipped_document())
}

fn final_of(results: &[StepResult]) -> &StepResult {
    results.last().expect("at least the reset")
}

fn reward_sum(results: &[StepResult]) -> f64 {
    results.iter().map(|r| r.reward).sum()
}

#[test]
fn gold_episodes_score_one() {
    for (id, rt) in runtimes() {
        let results = gold::run(rt.clone(), &gold::actions(&rt));
        let last = final_of(&results);
        assert!(last.done, "{id}: gold episode did not end");
        assert!(
            (last.info.score - 1.0).abs() < 1e-9,
            "{id}: {:?}",
            last.info.breakdown
        );
        assert!(
            (reward_sum(&results) - last.info.score).abs() < 1e-9,
            "{id}"
        );
    }
}

#[test]
fn doing_nothing_scores_exactly_zero() {
    for (id, rt) in runtimes() {
        let results = gold::run(rt, &gold::do_nothing());
        assert_eq!(final_of(&results).info.score, 0.0, "{id}");
        assert_eq!(final_of(&results).reward, 0.0, "{id}");
    }
}

#[test]
fn lowering_max_steps_below_the_gold_episode_fails_check_at_that_task() {
    let dir = std::env::temp_dir().join(format!("taskc-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for entry in std::fs::read_dir("tasks").expect("tasks/") {
        let path = entry.expect("entry").path();
        let mut text = std::fs::read_to_string(&path).expect("read");
        if path
            .file_name()
            .is_some_and(|n| n == "account_takeover_medium.task")
        {
            text = text.replace("max_steps     7", "max_steps     5");
        }
        std::fs::write(dir.join(path.file_name().expect("name")), text).expect("write");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_taskc"))
        .args(["check", dir.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[E1001]: task `account_takeover_medium` cannot reach a score of 1.0"),
        "{err}"
    );
    assert!(err.contains("needs 6 steps but `max_steps` is 5"), "{err}");
    assert!(err.contains("account_takeover_medium.task:1:6"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A readable transcript: each step's action, reward, score and error, then
/// the final breakdown.
fn transcript(actions: &[Value], results: &[StepResult]) -> Value {
    let steps: Vec<Value> = results
        .iter()
        .skip(1)
        .zip(actions)
        .map(|(r, a)| {
            json!({
                "action": a,
                "reward": round(r.reward),
                "score": round(r.info.score),
                "done": r.done,
                "error": r.observation.last_action_error.as_ref().map(|e| e.message.clone()),
                "customer_messages": r.observation.customer_messages.len(),
            })
        })
        .collect();
    let last = final_of(results);
    json!({
        "steps": steps,
        "final_score": round(last.info.score),
        "breakdown": last.info.breakdown,
        "gates": last.info.gates,
        "voided": last.info.voided,
    })
}

fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A typical mistake: the gold episode changed one way.
struct Mistake {
    name: &'static str,
    /// The component the contract says must fall short.
    component: &'static str,
    actions: Vec<Value>,
}

/// Drops the final `submit` when the actions exceed `max_steps` (the
/// episode ends at the cap anyway).
fn fit(actions: &mut Vec<Value>, max_steps: u32) {
    if actions.len() > max_steps as usize
        && actions.last().is_some_and(|a| a["action_type"] == "submit")
    {
        actions.pop();
    }
}

fn mistakes(rt: &TaskRuntime) -> Vec<Mistake> {
    let t = &rt.spec;
    let gold_actions = gold::actions(rt);
    let mut out = Vec::new();
    let wrong_queue = if t.gold_queue == "general_support" {
        "billing_ops"
    } else {
        "general_support"
    };
    let mut a = gold_actions.clone();
    a[0]["queue"] = json!(wrong_queue);
    out.push(Mistake {
        name: "wrong_queue",
        component: "queue",
        actions: a,
    });

    if let Some(over) = t.over_escalation_queues.first() {
        let mut a = gold_actions.clone();
        a.insert(0, json!({"action_type": "classify", "queue": over}));
        fit(&mut a, t.max_steps);
        out.push(Mistake {
            name: "over_escalation",
            component: "process",
            actions: a,
        });
    }
    if let Some(forbidden) = t.forbidden_reply_markers.first() {
        let mut a = gold_actions.clone();
        let i = a
            .iter()
            .position(|x| x["action_type"] == "reply")
            .expect("a reply");
        let message = format!(
            "{} Also: {forbidden}.",
            a[i]["message"].as_str().expect("text")
        );
        a[i]["message"] = json!(message);
        out.push(Mistake {
            name: "forbidden_phrase",
            component: "reply",
            actions: a,
        });
    }
    let unneeded = rt
        .domain
        .fields
        .iter()
        .find(|f| !t.required_requested_fields.contains(f))
        .expect("a field");
    let mut a = gold_actions.clone();
    match a.iter().position(|x| x["action_type"] == "request_info") {
        Some(i) => a[i]["fields"]
            .as_array_mut()
            .expect("list")
            .push(json!(unneeded)),
        None => {
            a.insert(
                1,
                json!({"action_type": "request_info", "fields": [unneeded]}),
            );
            fit(&mut a, t.max_steps);
        }
    }
    out.push(Mistake {
        name: "unneeded_request",
        component: "info_requests",
        actions: a,
    });

    if matches!(
        t.follow_up_outcome,
        taskc::spec::FollowUpOutcome::Partial | taskc::spec::FollowUpOutcome::Incorrect
    ) {
        let mut a = gold_actions.clone();
        let second = a
            .iter()
            .enumerate()
            .filter(|(_, x)| x["action_type"] == "request_info")
            .nth(1)
            .map(|(i, _)| i);
        a.remove(second.expect("a second request"));
        out.push(Mistake {
            name: "no_re_ask_after_follow_up",
            component: "info_requests",
            actions: a,
        });
    }
    if let Some(deadline) = t.under_escalation_deadline_step {
        // Route only after the deadline: requests and the reply first.
        let mut a = gold_actions.clone();
        let classify = a.remove(0);
        let at = (deadline as usize).min(a.len());
        a.insert(at, classify);
        out.push(Mistake {
            name: "routing_after_deadline",
            component: "process",
            actions: a,
        });
    }
    out
}

#[test]
fn gold_episodes_and_typical_mistakes() {
    let runtimes = runtimes();
    common::with_snapshots(|| {
        for (id, rt) in &runtimes {
            let actions = gold::actions(rt);
            let results = gold::run(rt.clone(), &actions);
            insta::assert_json_snapshot!(format!("{id}__gold"), transcript(&actions, &results));

            let found = mistakes(rt);
            assert!(
                found.len() >= 3,
                "{id}: only {} mistakes apply",
                found.len()
            );
            for m in found {
                let results = gold::run(rt.clone(), &m.actions);
                let last = final_of(&results);
                let component = last
                    .info
                    .breakdown
                    .components()
                    .into_iter()
                    .find(|(name, _)| *name == m.component)
                    .expect("a component")
                    .1;
                assert!(
                    last.info.score < 1.0 - 1e-9,
                    "{id}/{}: scored {}",
                    m.name,
                    last.info.score
                );
                assert!(
                    component < 1.0,
                    "{id}/{}: {} is {component}",
                    m.name,
                    m.component
                );
                assert!((reward_sum(&results) - last.info.score).abs() < 1e-9);
                insta::assert_json_snapshot!(
                    format!("{id}__{}", m.name),
                    transcript(&m.actions, &results)
                );
            }
        }
    });
}

#[test]
fn bad_actions_are_data() {
    let rt = runtimes()["billing_refund_easy"].clone();
    let (mut episode, _) = Episode::reset(rt, None, None);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"action_type": "clasify", "queue": "billing_ops"}),
            "did you mean `classify`?",
        ),
        (
            json!({"action_type": "classify", "queue": "biling_ops"}),
            "did you mean `billing_ops`?",
        ),
        (json!({"action_type": "classify"}), "needs at least one of"),
        (json!({"action_type": "reply"}), "`reply` needs `message`"),
        (
            json!({"action_type": "submit", "now": true}),
            "does not take `now`",
        ),
        (
            json!({"action_type": "request_info", "fields": "workspace_id"}),
            "must be a list",
        ),
        (json!([1, 2]), "JSON object"),
        (json!({"queue": "billing_ops"}), "no `action_type`"),
    ];
    for (step, (action, expected)) in cases.iter().enumerate() {
        if step >= 5 {
            // max_steps is 6: start over before the episode ends.
            (episode, _) = Episode::reset(episode.task().clone(), None, None);
        }
        let r = episode.step(action).expect("consumed");
        let error = r.observation.last_action_error.expect("an error");
        assert!(
            error.message.contains(expected),
            "{}: {}",
            action,
            error.message
        );
        assert!(!r.info.valid);
        assert_eq!(
            r.observation.workspace,
            Default::default(),
            "nothing changed"
        );
    }
    let r = episode.step_text("this is not json").expect("consumed");
    assert!(r
        .observation
        .last_action_error
        .expect("error")
        .message
        .contains("not JSON"));
    let allowed = episode
        .step(&json!({"action_type": "set_status", "status": "closed"}))
        .expect("consumed")
        .observation
        .last_action_error
        .expect("error");
    assert_eq!(allowed.allowed.expect("allowed").len(), 4);
}

#[test]
fn steps_cost_sla_minutes_and_a_step_after_the_end_is_an_error() {
    let rt = runtimes()["api_incident_hard"].clone();
    let (mut episode, first) = Episode::reset(rt, None, None);
    assert_eq!(first.observation.sla_minutes_left, 25);
    let r = episode.step_text("{}").expect("consumed");
    assert_eq!(r.observation.sla_minutes_left, 0);
    let r = episode
        .step(&json!({"action_type": "reply", "message": "We are on it."}))
        .expect("ok");
    assert!(r.observation.sla_breached);
    let r = episode.step(&json!({"action_type": "submit"})).expect("ok");
    assert!(r.done);
    assert_eq!(
        episode.step(&json!({"action_type": "submit"})),
        Err(EnvError::EpisodeEnded { steps: 3 })
    );
}

#[test]
fn follow_up_arrives_once_after_the_first_request() {
    let rt = runtimes()["account_takeover_medium"].clone();
    let (mut episode, _) = Episode::reset(rt, None, None);
    let ask = json!({"action_type": "request_info", "fields": ["workspace_id"]});
    let r = episode.step(&ask).expect("ok");
    assert_eq!(r.observation.customer_messages.len(), 1);
    assert!(
        r.observation.customer_messages[0].starts_with("Customer follow-up: workspace_id=ws_9021")
    );
    let r = episode.step(&ask).expect("ok");
    assert_eq!(r.observation.customer_messages.len(), 1);
}

#[test]
fn curly_and_straight_apostrophes_meet() {
    let rt = runtimes()["regulated_export_exception_hard"].clone();
    let (mut episode, _) = Episode::reset(rt, None, None);
    let r = episode
        .step(&json!({"action_type": "reply", "message": "Sorry, we can't provide a bypass."}))
        .expect("ok");
    assert!(r.info.breakdown.reply > 0.0, "{:?}", r.info.breakdown);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn action(rt: &TaskRuntime) -> impl Strategy<Value = Value> {
        let d = rt.domain.clone();
        let queues = d.queues.clone();
        let priorities = d.priorities.clone();
        let statuses = d.statuses.clone();
        let fields = d.fields.clone();
        let phrases: Vec<String> = rt
            .spec
            .required_reply_markers
            .iter()
            .chain(&rt.spec.required_note_markers)
            .flatten()
            .chain(&rt.spec.forbidden_reply_markers)
            .cloned()
            .chain(["hello".to_owned()])
            .collect();
        prop_oneof![
            (
                prop::sample::select(queues),
                prop::sample::select(priorities)
            )
                .prop_map(|(q, p)| json!({"action_type": "classify", "queue": q, "priority": p})),
            prop::collection::vec(prop::sample::select(fields), 1..4)
                .prop_map(|f| json!({"action_type": "request_info", "fields": f})),
            prop::collection::vec(prop::sample::select(phrases.clone()), 0..4)
                .prop_map(|p| json!({"action_type": "reply", "message": p.join(" ")})),
            prop::collection::vec(prop::sample::select(phrases), 0..4)
                .prop_map(|p| json!({"action_type": "add_note", "text": p.join(" ")})),
            prop::sample::select(statuses)
                .prop_map(|s| json!({"action_type": "set_status", "status": s})),
            Just(json!({"action_type": "submit"})),
            arbitrary_json(),
        ]
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "action_type".to_owned(),
                        "queue".into(),
                        "fields".into(),
                        "message".into(),
                        "x".into()
                    ]),
                    inner,
                    0..4
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn episode(task: usize, actions: &[Value]) -> Vec<StepResult> {
        let rts: Vec<Arc<TaskRuntime>> = runtimes().into_values().collect();
        gold::run(rts[task % rts.len()].clone(), actions)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn rewards_sum_to_the_score_which_stays_in_range(
            task in 0usize..4,
            actions in prop::collection::vec(action(&runtimes()["regulated_export_exception_hard"]), 0..12),
        ) {
            let results = episode(task, &actions);
            let last = final_of(&results);
            prop_assert!((0.0..=1.0).contains(&last.info.score));
            prop_assert!((reward_sum(&results) - last.info.score).abs() < 1e-9);
            for r in &results {
                for (_, v) in r.info.breakdown.components() {
                    prop_assert!((0.0..=1.0).contains(&v));
                }
            }
            // Deterministic: the same actions give the same bytes.
            let again = episode(task, &actions);
            prop_assert_eq!(
                serde_json::to_string(&results).expect("json"),
                serde_json::to_string(&again).expect("json")
            );
        }

        #[test]
        fn arbitrary_json_and_text_never_panic(values in prop::collection::vec(arbitrary_json(), 1..10), text in "\\PC{0,64}") {
            let rt = runtimes()["account_takeover_medium"].clone();
            let (mut ep, _) = Episode::reset(rt, None, None);
            for v in &values {
                if ep.is_done() {
                    prop_assert!(ep.step(v).is_err());
                    break;
                }
                let r = ep.step(v).expect("consumed");
                prop_assert!((0.0..=1.0).contains(&r.info.score));
            }
            if !ep.is_done() {
                ep.step_text(&text).expect("consumed");
            }
        }
    }
}
