//! The binary end to end: exit codes, the summary line, output files.

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
