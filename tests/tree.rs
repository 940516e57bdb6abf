//! The tree validator: normalization equals the seed's on ordinary walks
//! (expected outputs produced by running the seed's own function) and names
//! the step on the walks it mishandles; the evasion corpus is rejected and
//! the benign corpus accepted; retry and depth policy; tree checks; the CLI.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};
use taskc::runtime::tree::{self, Validator};

fn validator() -> Validator {
    Validator::new(&common::shipped_document(), "l1").expect("the l1 policy")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn fixtures(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

#[test]
fn ordinary_walks_normalize_exactly_as_the_seed() {
    let walks: Vec<PathBuf> = fixtures("tests/fixtures/tree/walks/ordinary", ".json")
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    assert!(walks.len() >= 10);
    for walk in walks {
        let expected = read_json(&walk.with_extension("expected.json"));
        let ours = tree::normalize(&read_json(&walk))
            .unwrap_or_else(|e| panic!("{}: {e:?}", walk.display()));
        assert_eq!(ours, expected, "{}", walk.display());
    }
}

#[test]
fn mishandled_walks_are_refused_naming_the_step() {
    let cases = fixtures("tests/fixtures/tree/walks/refused", ".json");
    assert!(cases.len() >= 7);
    let mut reports = Vec::new();
    for case in cases {
        let input = read_json(&case);
        let error = tree::normalize(&input["walk"]).expect_err(&case.display().to_string());
        assert_eq!(
            json!(error.step),
            input["expected_step"],
            "{}",
            case.display()
        );
        assert!(
            error.message.contains(&format!("step {}", error.step)),
            "{}",
            error.message
        );
        reports.push(
            json!({"fixture": case.file_name().expect("name").to_string_lossy(), "error": error}),
        );
    }
    common::with_snapshots(|| insta::assert_json_snapshot!("refused_walks", reports));
}

fn lines(path: &str) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("corpus")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
fn evasions_are_rejected_and_benign_steps_accepted() {
    let v = validator();
    let mut reports = Vec::new();
    for node in lines("tests/fixtures/tree/evasion.jsonl") {
        let report = v.check_node(&node);
        assert!(!report.accepted, "not rejected: {node}");
        // The span points at the disguised phrase in the original text.
        let text: Vec<char> = node["text"].as_str().expect("text").chars().collect();
        for violation in &report.violations {
            let value = serde_json::to_value(violation).expect("json");
            let (start, end) = (
                value["start"].as_u64().expect("start") as usize,
                value["end"].as_u64().expect("end") as usize,
            );
            let matched: String = text[start..end].iter().collect();
            assert_eq!(json!(matched), value["matched"]);
        }
        reports.push(json!({"evasion": node["evasion"], "report": report}));
    }
    for node in lines("tests/fixtures/tree/benign.jsonl") {
        let report = v.check_node(&node);
        assert!(report.accepted, "rejected: {node}: {report:?}");
    }
    common::with_snapshots(|| insta::assert_json_snapshot!("evasion_reports", reports));
}

#[test]
fn unknown_types_and_missing_text_are_reported_with_the_floor_hits() {
    let report =
        validator().check_node(&json!({"node_type": "wizard", "text": "Use sudo and regedit"}));
    let kinds: Vec<String> = report
        .violations
        .iter()
        .map(|v| {
            serde_json::to_value(v).expect("json")["kind"]
                .as_str()
                .expect("kind")
                .to_owned()
        })
        .collect();
    assert_eq!(kinds, ["unknown_node_type", "hard_floor", "hard_floor"]);
    let report = validator().check_node(&json!({"node_type": "question"}));
    assert_eq!(
        serde_json::to_value(&report.violations).expect("json")[0]["kind"],
        "missing_text"
    );
}

#[test]
fn retry_then_escalate_and_the_depth_cap() {
    let v = validator();
    let bad = json!({"node_type": "instruction", "text": "Open regedit."});
    let good = json!({"node_type": "question", "text": "Is the screen on?"});
    let next = v.next(&[], &[bad.clone(), good.clone()]);
    assert_eq!(
        (next.source, next.attempt, next.rejected.len()),
        ("candidate", Some(2), 1)
    );
    assert_eq!(next.node, good);
    // Only the declared number of attempts (2) is tried.
    let next = v.next(&[], &[bad.clone(), bad.clone(), good]);
    assert_eq!(next.source, "generation_failed");
    assert_eq!(next.node["reason_category"], "generation_failed");
    assert_eq!(
        next.node["text"],
        "Could not generate a safe next step — escalating to engineering."
    );
    // Depth: hidden meta entries do not count (the seed counts them).
    let step = json!({"node_type": "instruction", "text": "Restart."});
    let mut walk: Vec<Value> = vec![json!({"node_type": "meta", "category": "x"})];
    walk.extend(std::iter::repeat_n(step, 11));
    let next = v.next(&walk, &[json!({"node_type": "resolved", "text": "Fixed."})]);
    assert_eq!((next.source, next.depth), ("candidate", 11));
    walk.push(json!({"node_type": "instruction", "text": "Restart again."}));
    let next = v.next(&walk, &[json!({"node_type": "resolved", "text": "Fixed."})]);
    assert_eq!(next.source, "depth_cap");
    assert_eq!(next.node["reason_category"], "depth_cap");
}

#[test]
fn tree_checks_report_every_problem() {
    let v = validator();
    common::with_snapshots(|| {
        for path in fixtures("tests/fixtures/tree/trees", ".json") {
            let report = tree::check_tree(&v, &read_json(&path));
            let name = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            assert_eq!(report.valid, name == "valid", "{name}: {report:?}");
            insta::assert_json_snapshot!(format!("check__{name}"), report);
        }
    });
    let every = tree::check_tree(
        &v,
        &read_json(Path::new("tests/fixtures/tree/trees/every_problem.json")),
    );
    let kinds: std::collections::BTreeSet<&str> = every.problems.iter().map(|p| p.kind).collect();
    for kind in [
        "cycle",
        "dangling_edge",
        "id_mismatch",
        "missing_branch",
        "node",
        "non_terminal_leaf",
        "unreachable",
    ] {
        assert!(kinds.contains(kind), "{kind} not reported: {kinds:?}");
    }
}

#[test]
fn normalized_ordinary_walks_that_end_in_a_terminal_pass_the_tree_check() {
    let v = validator();
    for name in [
        "resolved_after_two_questions",
        "escalated_with_reason",
        "generated_ids",
        "meta_in_the_middle",
    ] {
        let walk = read_json(Path::new(&format!(
            "tests/fixtures/tree/walks/ordinary/{name}.json"
        )));
        let report = tree::check_tree(&v, &tree::normalize(&walk).expect("normalizes"));
        assert!(report.valid, "{name}: {report:?}");
    }
}

fn taskc(args: &[&str], input: &[u8]) -> Output {
    common::taskc_with_input(env!("CARGO_BIN_EXE_taskc"), args, input)
}

#[test]
fn cli_exit_codes_and_json() {
    let ok = taskc(
        &["tree", "check-node"],
        br#"{"node_type":"question","text":"Is the light green?"}"#,
    );
    assert_eq!(ok.status.code(), Some(0));
    let bad = taskc(
        &["tree", "check-node", "tests/fixtures/tree/evasion.jsonl"],
        b"",
    );
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&bad.stdout).lines().count(),
        25,
        "one report per line"
    );
    // Not JSON: the model's raw output, rejected as unparsable (not exit 2).
    let raw = taskc(&["tree", "check-node"], b"{\"node_type\": \n oops");
    assert_eq!(raw.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&raw.stdout).expect("a report");
    assert_eq!(report["violations"][0]["kind"], "unparsable", "{report}");

    let next = taskc(
        &["tree", "next"],
        br#"{"walk": [], "candidates": [{"node_type":"instruction","text":"sudo reboot"}]}"#,
    );
    assert_eq!(next.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&next.stdout).expect("json");
    assert_eq!(v["node"]["reason_category"], "generation_failed");

    let walk =
        std::fs::read("tests/fixtures/tree/walks/ordinary/resolved_after_two_questions.json")
            .expect("walk");
    let out = taskc(&["tree", "normalize"], &walk);
    assert_eq!(out.status.code(), Some(0));
    let expected = read_json(Path::new(
        "tests/fixtures/tree/walks/ordinary/resolved_after_two_questions.expected.json",
    ));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).expect("json"),
        expected
    );
    let refused = taskc(
        &["tree", "normalize"],
        br#"[{"id":"a","text":"A?","answer":"yes"},{"id":"a","node_type":"resolved","text":"B"}]"#,
    );
    assert_eq!(refused.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&refused.stdout).expect("json");
    assert_eq!(v["error"]["step"], 1);

    let check = taskc(
        &[
            "tree",
            "check",
            "tests/fixtures/tree/trees/every_problem.json",
        ],
        b"",
    );
    assert_eq!(check.status.code(), Some(1));
    let check = taskc(
        &[
            "tree",
            "check",
            "tests/fixtures/tree/trees/valid.json",
            "--tree",
            "l1",
        ],
        b"",
    );
    assert_eq!(check.status.code(), Some(0));
    let unknown = taskc(
        &[
            "tree",
            "check",
            "tests/fixtures/tree/trees/valid.json",
            "--tree",
            "l2",
        ],
        b"",
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `l1`?"));
}
