//! `taskc probe` on the shipped tasks: at least ten exploit kinds each, all
//! at or under the gaming threshold, each replaying through `taskc run` to
//! exactly its score; the human table is snapshotted. A gameable task
//! fails `check` with E1002 naming the exploit (tests/fixtures).

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

const TASKS: [&str; 4] = [
    "account_takeover_medium",
    "api_incident_hard",
    "billing_refund_easy",
    "regulated_export_exception_hard",
];

fn taskc(args: &[&str], input: &[u8]) -> std::process::Output {
    common::taskc_with_input(env!("CARGO_BIN_EXE_taskc"), args, input)
}

#[test]
fn every_shipped_task_resists_every_exploit_and_each_replays() {
    for task in TASKS {
        let out = taskc(&["probe", task, "--format", "json"], b"");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        let kinds: Vec<&str> = lines.iter().filter_map(|l| l["kind"].as_str()).collect();
        let distinct: BTreeSet<&str> = kinds.iter().copied().collect();
        assert!(distinct.len() >= 10, "{task}: only {kinds:?}");
        // In the documented order, each once.
        let order: Vec<&str> = taskc::runtime::env::exploits::Kind::ALL
            .iter()
            .map(|k| k.name())
            .filter(|k| distinct.contains(k))
            .collect();
        assert_eq!(kinds, order, "{task}");
        for line in &lines {
            for key in ["task", "kind", "score", "breakdown", "gates", "actions"] {
                assert!(line.get(key).is_some(), "{task}: no `{key}` in {line}");
            }
            let score = line["score"].as_f64().expect("a score");
            if line["benign"] == true {
                assert!(score >= 1.0 - 1e-9, "{task}/{}: {score}", line["kind"]);
            } else {
                assert!(score <= 0.6 + 1e-9, "{task}/{}: {score}", line["kind"]);
            }
            // Replayed through `taskc run`, the actions give the same score.
            let actions: String = line["actions"]
                .as_array()
                .expect("actions")
                .iter()
                .map(|a| format!("{a}\n"))
                .collect();
            let run = taskc(&["run", task], actions.as_bytes());
            let last: Value = String::from_utf8_lossy(&run.stdout)
                .lines()
                .last()
                .map(|l| serde_json::from_str(l).expect("json"))
                .expect("a step");
            let replayed = last["info"]["score"].as_f64().expect("score");
            assert!(
                (replayed - score).abs() < 1e-9,
                "{task}/{}: probe {score}, replayed {replayed}",
                line["kind"]
            );
        }
    }
}

#[test]
fn probe_table_of_the_shipped_tasks() {
    let out = taskc(&["probe"], b"");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    common::with_snapshots(|| insta::assert_snapshot!("probe_shipped", text));
}

#[test]
fn probe_of_an_unknown_task_is_a_usage_error() {
    let out = taskc(&["probe", "billing_refund_esy"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `billing_refund_easy`"));
}

/// The README shows `taskc probe billing_refund_easy` as it prints.
#[test]
fn the_readme_shows_the_probe_as_it_is() {
    let out = taskc(&["probe", "billing_refund_easy"], b"");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let readme = std::fs::read_to_string("README.md").expect("README");
    let start = readme
        .find("$ taskc probe billing_refund_easy\n")
        .expect("the README shows a probe")
        + "$ taskc probe billing_refund_easy\n".len();
    let end = start + readme[start..].find("```").expect("the block ends");
    assert_eq!(readme[start..end].trim_end(), printed.trim_end());
}
