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

/// The ordinary walks (their expected outputs beside them aside).
fn ordinary_walks() -> Vec<PathBuf> {
    fixtures("tests/fixtures/tree/walks/ordinary", ".json")
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".expected.json"))
        .collect()
}

#[test]
fn ordinary_walks_normalize_exactly_as_the_seed() {
    let walks = ordinary_walks();
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
    for mut node in lines("tests/fixtures/tree/evasion.jsonl") {
        // The fixture's label is not part of the node (every string a node
        // carries is checked).
        let evasion = node
            .as_object_mut()
            .and_then(|o| o.remove("evasion"))
            .unwrap_or_default();
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
        reports.push(json!({"evasion": evasion, "report": report}));
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

/// `tree context` writes exactly what the seed's `_build_context` writes
/// (expected files produced by running it: tests/fixtures/tree/seed_context.py).
#[test]
fn context_equals_the_seeds_on_ordinary_walks() {
    let walks = ordinary_walks();
    assert!(walks.len() >= 10);
    for walk in walks {
        let expected =
            std::fs::read_to_string(walk.with_extension("context.txt")).expect("expected");
        let input = json!({
            "problem": "Outlook keeps asking for my password after the update",
            "category": "email",
            "walk": read_json(&walk),
        });
        let out = taskc(&["tree", "context"], input.to_string().as_bytes());
        assert_eq!(out.status.code(), Some(0), "{}", walk.display());
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim_end_matches('\n'),
            expected,
            "{}",
            walk.display()
        );
    }
    let bad = taskc(&["tree", "context"], br#"{"problem": "p", "walk": []}"#);
    assert_eq!(bad.status.code(), Some(2));
    let bad = taskc(
        &["tree", "context"],
        br#"{"problem": "p", "category": "c", "walk": [1]}"#,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("step 0"));
}

/// The prompt names every floor group the validator enforces, in its
/// description's words, and shows every node type the policy allows.
#[test]
fn the_prompt_names_every_floor_group_the_validator_enforces() {
    let document = common::shipped_document();
    let out = taskc(&["tree", "prompt"], b"");
    assert_eq!(out.status.code(), Some(0));
    let prompt = String::from_utf8_lossy(&out.stdout).into_owned();
    let policy = &document.trees["l1"];
    for floor in &policy.floors {
        for group in &document.floors[floor].groups {
            let words = group.description.as_deref().expect("described");
            assert!(
                prompt.contains(words),
                "{} missing from:\n{prompt}",
                group.reason
            );
        }
    }
    for node_type in &policy.node_types {
        assert!(
            prompt.contains(&format!(r#"{{"node_type":"{node_type}""#)),
            "{node_type}"
        );
    }
    // The seed's prompt in substance: its rules, its closing line.
    for seed in [
        "SINGLE next node",
        "Only safe, reversible, observe-or-restart-class steps",
        "DO NOT GUESS",
        r#""reason_category":"exhausted_safe_steps""#,
        "No prose, no markdown fences.",
    ] {
        assert!(prompt.contains(seed), "{seed}");
    }
    common::with_snapshots(|| insta::assert_snapshot!("prompt__l1", prompt));
    let v = validator();
    assert_eq!(v.prompt(), prompt);
}

/// Candidates as raw model text: fences and prose are tolerated, output
/// with no node is a rejected attempt with the reason.
#[test]
fn raw_model_output_is_parsed_and_unparsable_output_is_a_rejected_attempt() {
    let v = validator();
    let next = v.next(
        &[],
        &[
            json!("I cannot answer that."),
            json!("Sure! Here is the node:\n```json\n{\"node_type\": \"question\", \"text\": \"Is the light green?\"}\n```"),
        ],
    );
    assert_eq!(next.source, "candidate");
    assert_eq!(next.attempt, Some(2));
    assert_eq!(
        next.node,
        json!({"node_type": "question", "text": "Is the light green?"})
    );
    let failed = v.next(
        &[],
        &[
            json!("{\"node_type\": \"instruction\", \"text\": \"Open regedit\"} as asked"),
            json!("{\"node_type\": \"question\", \"text\": "),
        ],
    );
    assert_eq!(failed.source, "generation_failed");
    common::with_snapshots(|| {
        insta::assert_json_snapshot!("raw_candidates", json!({"chosen": next, "failed": failed}))
    });
    // Through the CLI: never an exit 2.
    let out = taskc(
        &["tree", "next"],
        br#"{"walk": [], "candidates": ["no JSON here", "```\n{\"node_type\":\"resolved\",\"text\":\"Fixed.\"}\n```"]}"#,
    );
    assert_eq!(out.status.code(), Some(0));
    let chosen: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(chosen["node"]["node_type"], "resolved");
    assert_eq!(chosen["rejected"][0]["violations"][0]["kind"], "unparsable");
    let fenced = taskc(
        &["tree", "check-node"],
        b"```json\n{\"node_type\": \"instruction\", \"text\": \"Run sudo reboot\"}\n```\n",
    );
    assert_eq!(fenced.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&fenced.stdout).expect("JSON");
    assert_eq!(report["violations"][0]["kind"], "hard_floor", "{report}");
}

/// `check-node` as a co-process: once JSON Lines are under way, each node
/// written to its input gets its report before the next is written (lines
/// are checked in batches, but a batch never waits for input that has not
/// arrived).
#[test]
fn check_node_answers_each_line_of_a_pipe_before_the_next_arrives() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskc"))
        .args(["tree", "check-node", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("taskc runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    // A report that never comes fails the test instead of hanging it.
    let (done, watchdog) = std::sync::mpsc::channel::<()>();
    let pid = child.id().to_string();
    std::thread::spawn(move || {
        if watchdog
            .recv_timeout(std::time::Duration::from_secs(30))
            .is_err()
        {
            let _ = Command::new("kill").arg(&pid).status();
        }
    });
    // Two lines tell JSON Lines from one node.
    writeln!(
        stdin,
        r#"{{"node_type":"question","text":"Is the light green?"}}"#
    )
    .expect("write");
    writeln!(
        stdin,
        r#"{{"node_type":"instruction","text":"Open regedit."}}"#
    )
    .expect("write");
    stdin.flush().expect("flush");
    let mut reports = Vec::new();
    for expected_line in 1..=5 {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a report");
        let report: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(report["line"], expected_line, "{line}");
        reports.push(report);
        if (2..5).contains(&expected_line) {
            // Only now the next node: a report that waited for it would hang here.
            writeln!(
                stdin,
                r#"{{"node_type":"instruction","text":"Restart it."}}"#
            )
            .expect("write");
            stdin.flush().expect("flush");
        }
    }
    drop(stdin);
    assert_eq!(child.wait().expect("exits").code(), Some(1));
    let _ = done.send(());
    assert_eq!(reports[0]["accepted"], true);
    assert_eq!(reports[1]["accepted"], false);
    assert!(reports[2..].iter().all(|r| r["accepted"] == true));
}

/// Thousands of lines (checked in parallel batches) get the reports, in
/// order, that checking each on its own gives.
#[test]
fn check_node_batches_report_what_each_line_alone_reports() {
    let benign = std::fs::read_to_string("tests/fixtures/tree/benign.jsonl").expect("benign");
    let evasion = std::fs::read_to_string("tests/fixtures/tree/evasion.jsonl").expect("evasion");
    let lines: Vec<&str> = benign.lines().chain(evasion.lines()).collect();
    let mut input = String::new();
    for i in 0..10_000 {
        input.push_str(lines[(i * 7) % lines.len()]);
        input.push('\n');
        if i % 1000 == 999 {
            input.push_str("not json but raw output\n\n");
        }
    }
    let out = taskc(&["tree", "check-node", "-"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let v = validator();
    let reports: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let nonblank: Vec<(usize, &str)> = input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    assert_eq!(reports.len(), nonblank.len());
    for (report, (index, line)) in reports.iter().zip(nonblank) {
        let node = serde_json::from_str(line).unwrap_or_else(|_| Value::String(line.into()));
        let alone = v.check_node(&node);
        assert_eq!(report["line"], index + 1);
        assert_eq!(report["accepted"], alone.accepted, "{line}");
        assert_eq!(report["violations"], json!(alone.violations), "{line}");
    }
}
