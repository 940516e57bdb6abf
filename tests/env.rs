//! The environment: gold episodes score 1.0, typical mistakes score less in
//! the component the contract names, bad actions are data, rewards sum to
//! the score, and episodes are deterministic.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};
use taskc::runtime::env::{gold, EnvError, Episode, StepResult, TaskRuntime};

fn runtimes() -> BTreeMap<String, Arc<TaskRuntime>> {
    let paths = taskc::source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    let (sources, read) = taskc::source::read_files(&paths).expect("readable");
    let document = taskc::validate::compile_with(&sources, read)
        .document
        .expect("compiles");
    TaskRuntime::all(&document)
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
fn doing_nothing_pays_little() {
    for (id, rt) in runtimes() {
        let results = gold::run(rt, &gold::do_nothing());
        assert!(
            final_of(&results).info.score <= 0.3,
            "{id}: {}",
            final_of(&results).info.score
        );
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
