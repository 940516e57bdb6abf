//! The project's own adversarial corpus (`tests/data/adversarial/`,
//! contract v3): exploit episodes must score at most the gaming threshold
//! (0.6), competent episodes in other words at least 0.9. Each episode is
//! played through the runtime; the test prints `N/M hold` per family and
//! in all, and fails naming every episode outside its bound with the gates
//! that fired.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use taskc::runtime::env::{gold, TaskRuntime};

const EXPLOIT_MAX: f64 = 0.6;
const COMPETENT_MIN: f64 = 0.9;

fn runtimes() -> BTreeMap<String, Arc<TaskRuntime>> {
    TaskRuntime::all(&common::shipped_document())
}

#[test]
fn every_adversarial_episode_stays_within_its_bound() {
    let rts = runtimes();
    let text = std::fs::read_to_string("tests/data/adversarial/corpus.json").expect("corpus");
    let corpus: Value = serde_json::from_str(&text).expect("corpus is JSON");
    let episodes = corpus["episodes"].as_array().expect("episodes");
    let mut families: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let (mut exploits, mut competent) = ((0, 0), (0, 0));
    for e in episodes {
        let id = e["id"].as_str().expect("id");
        let task = e["task"].as_str().expect("task");
        let rt = rts
            .get(task)
            .unwrap_or_else(|| panic!("{id}: unknown task {task}"));
        let actions = e["actions"].as_array().expect("actions");
        let (info, rewards) = gold::outcome(rt.clone(), actions);
        assert!(
            (rewards - info.score).abs() < 1e-9,
            "{id}: rewards sum to the score"
        );
        let is_exploit = e["expect"] == "exploit";
        let holds = if is_exploit {
            info.score <= EXPLOIT_MAX + 1e-9
        } else {
            info.score >= COMPETENT_MIN - 1e-9
        };
        let family = families
            .entry(e["family"].as_str().unwrap_or("?").to_owned())
            .or_default();
        family.1 += 1;
        let tally = if is_exploit {
            &mut exploits
        } else {
            &mut competent
        };
        tally.1 += 1;
        if holds {
            family.0 += 1;
            tally.0 += 1;
        } else {
            let gates: Vec<String> = info
                .gates
                .iter()
                .map(|g| format!("{}({})", g.name, g.because.as_deref().unwrap_or("")))
                .collect();
            failures.push(format!(
                "{id} [{}] scores {:.3}; gates {}; voided {:?}",
                e["expect"].as_str().unwrap_or("?"),
                info.score,
                gates.join(", "),
                info.voided.iter().map(|v| &v.reason).collect::<Vec<_>>()
            ));
        }
    }
    for (family, (held, of)) in &families {
        println!("{family:<32} {held}/{of} hold");
    }
    println!(
        "exploits ≤ {EXPLOIT_MAX}: {}/{} hold",
        exploits.0, exploits.1
    );
    println!(
        "competent ≥ {COMPETENT_MIN}: {}/{} hold",
        competent.0, competent.1
    );
    assert!(
        exploits.1 >= 100 && competent.1 >= 40,
        "the corpus keeps its size"
    );
    assert!(
        failures.is_empty(),
        "{} episodes out of bounds:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Contract v3, rule 8: a task's grade depends on that task alone. Every
/// corpus episode, the gold episode and every stock exploit of each shipped
/// task score the same, with the same gates, when a task holding every
/// other task's markers is added to the project, and when a task is
/// removed from it.
#[test]
fn a_tasks_grade_does_not_depend_on_the_other_tasks() {
    use taskc::runtime::env::exploits;
    let base = common::shipped_document();
    let mut added = base.clone();
    let mut extra = base.tasks["billing_refund_easy"].clone();
    extra.task_id = "zz_every_marker".into();
    extra.required_reply_markers = base
        .tasks
        .values()
        .flat_map(|t| t.required_reply_markers.iter().cloned())
        .collect();
    added.tasks.insert(extra.task_id.clone(), extra);
    let mut removed = base.clone();
    removed.tasks.remove("api_incident_hard");
    let text = std::fs::read_to_string("tests/data/adversarial/corpus.json").expect("corpus");
    let corpus: Value = serde_json::from_str(&text).expect("corpus is JSON");
    let before = TaskRuntime::all(&base);
    let mut compared = 0;
    for other in [TaskRuntime::all(&added), TaskRuntime::all(&removed)] {
        for (id, rt) in &other {
            let Some(original) = before.get(id) else {
                continue;
            };
            let mut episodes: Vec<Vec<Value>> = vec![gold::actions(rt)];
            episodes.extend(exploits::exploits(rt, None).into_iter().map(|e| e.actions));
            episodes.extend(
                corpus["episodes"]
                    .as_array()
                    .expect("episodes")
                    .iter()
                    .filter(|e| e["task"] == id.as_str())
                    .map(|e| e["actions"].as_array().expect("actions").clone()),
            );
            for actions in episodes {
                let (a, _) = gold::outcome(original.clone(), &actions);
                let (b, _) = gold::outcome(rt.clone(), &actions);
                assert_eq!(a, b, "{id}: {actions:?}");
                compared += 1;
            }
        }
    }
    assert!(compared > 400, "compared {compared} episodes");
}
