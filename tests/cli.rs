//! The binary end to end: exit codes, the summary line, output files.

mod common;

use std::process::{Command, Output};

fn taskc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taskc"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_on_shipped_tasks_is_clean() {
    let out = taskc(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "ok: 4 tasks in 6 files, no problems\n");
}

#[test]
fn check_with_errors_exits_1_and_names_file_line_col() {
    let out = taskc(&[
        "check",
        "tasks",
        "tests/fixtures/invalid/semantic/unknown_queue.task",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("tests/fixtures/invalid/semantic/unknown_queue.task:20:16"),
        "{err}"
    );
    assert!(err.contains("did you mean `billing_ops`?"), "{err}");
    assert!(stdout(&out).starts_with("failed: 5 tasks in 7 files, 1 error"));
}

#[test]
fn missing_path_is_an_io_error_exit_2() {
    let out = taskc(&["check", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read `no/such/dir`"));
}

#[test]
fn directory_without_task_files_is_exit_2() {
    let out = taskc(&["check", "src/cli"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no `.task` files found"));
}

#[test]
fn usage_error_is_exit_2() {
    let out = taskc(&["compile", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn compile_json_has_tasks_keyed_by_id() {
    let out = taskc(&["compile", "tasks", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let tasks = value["tasks"].as_object().expect("tasks");
    assert_eq!(tasks.len(), 4);
    assert_eq!(tasks["billing_refund_easy"]["gold_queue"], "billing_ops");
    assert_eq!(
        value["floors"]["l1_scope"]["groups"][0]["reason"],
        "registry"
    );
}

#[test]
fn compile_toml_to_a_file() {
    let dir = std::env::temp_dir().join(format!("taskc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("spec.toml");
    let out = taskc(&[
        "compile",
        "tasks",
        "--format",
        "toml",
        "-o",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).expect("written");
    let value: toml::Value = toml::from_str(&text).expect("valid toml");
    assert_eq!(
        value["tasks"]["api_incident_hard"]["max_steps"].as_integer(),
        Some(8)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn compile_refuses_to_emit_on_errors() {
    let out = taskc(&[
        "compile",
        "tasks",
        "tests/fixtures/invalid/semantic/max_steps_zero.task",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn schema_is_json() {
    let out = taskc(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(value["properties"]["tasks"].is_object());
}

fn taskc_with_input(args: &[&str], input: &[u8]) -> Output {
    common::taskc_with_input(env!("CARGO_BIN_EXE_taskc"), args, input)
}

const GOLD_BILLING: &str = r#"{"action_type":"classify","queue":"billing_ops","priority":"high","issue_type":"duplicate_charge"}
{"action_type":"reply","message":"Your refund for the duplicate charge will arrive within 5-7 business days."}
{"action_type":"add_note","text":"Duplicate charge; refund approved."}
{"action_type":"set_status","status":"resolved","resolution_code":"refund_approved"}
{"action_type":"submit"}
"#;

#[test]
fn run_prints_one_object_per_step_and_the_final_breakdown() {
    let out = taskc_with_input(&["run", "billing_refund_easy"], GOLD_BILLING.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 6, "reset plus five steps");
    let last = lines.last().expect("last");
    assert_eq!(last["step"], 5);
    assert_eq!(last["done"], true);
    assert!((last["info"]["score"].as_f64().expect("score") - 1.0).abs() < 1e-9);
    for component in [
        "queue",
        "priority",
        "issue_type",
        "status",
        "resolution_code",
        "info_requests",
        "reply",
        "note",
        "process",
    ] {
        assert_eq!(last["info"]["breakdown"][component], 1.0, "{component}");
    }
    let again = taskc_with_input(&["run", "billing_refund_easy"], GOLD_BILLING.as_bytes());
    assert_eq!(out.stdout, again.stdout, "byte-identical");
}

#[test]
fn run_rejects_actions_after_the_end_and_unknown_tasks() {
    let input = format!("{GOLD_BILLING}{{\"action_type\":\"submit\"}}\n");
    let out = taskc_with_input(&["run", "billing_refund_easy"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("line 6: an action after the episode ended"),
        "{}",
        stderr(&out)
    );
    let out = taskc_with_input(&["run", "no_such_task"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the known tasks are: account_takeover_medium"));
}

#[test]
fn run_turns_garbage_into_invalid_steps() {
    let out = taskc_with_input(
        &["run", "api_incident_hard"],
        b"\xff\xfe not json\n{\"action_type\":\"fly\"}\n[]\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let errors: Vec<String> = stdout(&out)
        .lines()
        .skip(1)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["observation"]["last_action_error"]["message"]
                .as_str()
                .expect("error")
                .to_owned()
        })
        .collect();
    assert_eq!(errors.len(), 3);
    assert!(errors[0].contains("not JSON"));
    assert!(errors[1].contains("unknown action_type `fly`"));
    assert!(errors[2].contains("JSON object"));
}

#[test]
fn play_works_through_a_pipe() {
    let script = "classify billing high\nclassify billing_ops priority=hgh duplicate_charge\nclassify billing_ops high duplicate_charge\nreqest x\nreply Your refund for the duplicate charge arrives within 5-7 business days.\nnote Duplicate charge, refund approved.\nstatus resolved refund_approved\nsubmit\n";
    let out = taskc_with_input(&["play", "billing_refund_easy"], script.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Charged twice after I canceled"),
        "shows the ticket"
    );
    assert!(text.contains("[KB-101]"), "shows the knowledge base");
    assert!(text.contains("did you mean `request`?"));
    // Mistakes in values are caught at the prompt and cost no step.
    assert!(
        text.contains(
            "`billing` is not a queue, priority or issue type; did you mean `billing_ops`?"
        ),
        "{text}"
    );
    assert!(text.contains("did you mean `high`? (not sent"), "{text}");
    // After the reply, the note groups are still unmet; scores to 4 places.
    assert!(
        text.contains(
            "still unmet:\n  note  needs one of \"duplicate charge\" | \"double charge\""
        ),
        "{text}"
    );
    assert!(text.contains("score 0.7500"), "{text}");
    assert!(
        text.contains("final score 1.0000 (ended at step 5 of 6)"),
        "{text}"
    );
    assert!(text.contains("every marker group is met"), "{text}");
}

/// A customer's follow-up is printed once, when it arrives; `send` sends
/// an invalid action on purpose, and the summary calls it out.
#[test]
fn play_prints_a_customer_message_once_and_sends_on_request() {
    let script = "classify trust_and_safety urgent account_compromise\nrequest workspace_id last_successful_login billing_email\nsend {\"action_type\":\"add_note\",\"message\":\"x\"}\nstatus escalated\nquit\n";
    let out = taskc_with_input(&["play", "account_takeover_medium"], script.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("  customer: ").count(), 1, "{text}");
    assert!(
        text.contains("invalid action: `add_note` does not take `message`; it takes `text`"),
        "{text}"
    );
    assert!(
        text.contains("stopped before the end:\nfinal score"),
        "{text}"
    );
    assert!(
        text.contains("1 invalid action (each cost a step and did nothing):\n  step 3:"),
        "{text}"
    );
}

/// `run --summary` is for people: a line per step, invalid actions called
/// out, the final score to 4 places, the breakdown and the unmet groups.
#[test]
fn run_summary_reads_without_a_script() {
    let actions = GOLD_BILLING.replace(r#""text":"Duplicate"#, r#""message":"Duplicate"#);
    let out = taskc_with_input(
        &["run", "billing_refund_easy", "--summary"],
        actions.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "task billing_refund_easy (at most 6 steps)\nstep  1  reward +0.5500  score 0.5500"
        ),
        "{text}"
    );
    assert!(
        text.contains("INVALID ACTION: `add_note` does not take `message`; it takes `text`"),
        "{text}"
    );
    assert!(
        text.contains("\nfinal score 0.9000 (ended at step 5 of 6)\n  queue 1.0000"),
        "{text}"
    );
    assert!(
        text.contains("  info_requests 1.0000  reply 1.0000  note 0.0000  process 1.0000"),
        "{text}"
    );
    assert!(text.contains("marker groups still unmet:\n  note  needs one of \"duplicate charge\" | \"double charge\""), "{text}");
    // Without --summary the JSON stays exact, and a warning says where to look.
    let json = taskc_with_input(&["run", "billing_refund_easy"], actions.as_bytes());
    assert!(
        stderr(&json).contains("warning: 1 invalid action (first at step 3"),
        "{}",
        stderr(&json)
    );
    assert!(stdout(&json).lines().all(|l| l.starts_with('{')));
}

#[test]
fn schema_prints_runtime_types() {
    for kind in ["spec", "action", "observation", "state", "step"] {
        let out = taskc(&["schema", kind]);
        assert_eq!(out.status.code(), Some(0), "{kind}");
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert!(value.is_object(), "{kind}");
    }
    let action: serde_json::Value =
        serde_json::from_slice(&taskc(&["schema", "action"]).stdout).expect("json");
    assert!(action.to_string().contains("request_info"));
}

/// One exit-code rule for every command: when the tasks do not compile,
/// each command that compiles them exits 1 (2 stays for usage and I/O
/// errors), prints the diagnostics, and says the tasks do not compile.
#[test]
fn every_command_exits_1_when_the_tasks_do_not_compile() {
    let dir = std::env::temp_dir().join(format!("taskc-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for entry in std::fs::read_dir("tasks").expect("tasks/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let text = text.replace("queue      billing_ops", "queue      biling_ops");
        std::fs::write(dir.join(path.file_name().expect("a file")), text).expect("written");
    }
    let tasks = dir.to_str().expect("UTF-8 temp path");
    let node = dir.join("node.json");
    std::fs::write(
        &node,
        r#"{"type": "instruction", "text": "Restart the app."}"#,
    )
    .expect("written");
    let node = node.to_str().expect("UTF-8 temp path");
    let commands: [&[&str]; 10] = [
        &["check", tasks],
        &["compile", tasks],
        &["lint", tasks],
        &[
            "run",
            "billing_refund_easy",
            "--tasks",
            tasks,
            "--actions",
            node,
        ],
        &["tree", "check-node", "--tasks", tasks, node],
        &["tree", "next", "--tasks", tasks, node],
        &["tree", "normalize", "--tasks", tasks, node],
        &["tree", "check", "--tasks", tasks, node],
        &["serve", "--tasks", tasks, "--port", "0"],
        &["play", "billing_refund_easy", "--tasks", tasks],
    ];
    for args in commands {
        let out = common::taskc_with_input(env!("CARGO_BIN_EXE_taskc"), args, b"");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "taskc {args:?}: {err}");
        assert!(err.contains("error[E0101]"), "taskc {args:?}: {err}");
        if args[0] != "check" && args[0] != "lint" {
            assert!(
                err.contains("do not compile: 1 error"),
                "taskc {args:?}: {err}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).expect("removed");
}

/// Linting part of the project loads the rest beside it: the marker sets
/// the domain file declares are used by the tasks, so none is "never used"
/// (L004), and only the file asked for is reported on.
#[test]
fn lint_on_part_of_the_project_knows_what_the_rest_uses() {
    let whole = taskc(&["lint", "--format", "json"]);
    let part = taskc(&["lint", "tasks/supportdesk.task", "--format", "json"]);
    let findings = |out: &std::process::Output| -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v.as_array().expect("a list").clone()
    };
    let whole = findings(&whole);
    let part = findings(&part);
    assert!(part.iter().all(|d| d["code"] != "L004"), "{part:?}");
    let in_domain: Vec<&serde_json::Value> = whole
        .iter()
        .filter(|d| d["file"] == "tasks/supportdesk.task")
        .collect();
    assert_eq!(part.iter().collect::<Vec<_>>(), in_domain);
}

#[test]
fn a_huge_argument_is_quoted_cut_not_whole() {
    let huge = "x".repeat(100_000);
    for args in [
        vec!["probe", huge.as_str()],
        vec!["explain", huge.as_str()],
        vec!["run", huge.as_str()],
    ] {
        let out = taskc_with_input(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{}", args[0]);
        let err = stderr(&out);
        assert!(err.len() < 2_000, "{}: {} bytes", args[0], err.len());
        assert!(err.contains("(100000 bytes)"), "{}: {err}", args[0]);
    }
}
