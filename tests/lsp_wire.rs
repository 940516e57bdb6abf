//! `taskc lsp` on the wire, fed raw bytes (the pytest-lsp suite in
//! `tests/clients/test_lsp.py` drives it as an editor would): malformed
//! messages get the protocol's errors and the server keeps serving; a huge
//! declared length is never allocated; `shutdown` and `exit` follow the
//! protocol's exit codes.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// `initialize` (with the workspace `root`, if any) and `initialized`.
fn initialize_at(root: Option<&std::path::Path>) -> Vec<u8> {
    let uri = root.map(|r| format!("file://{}", r.display()));
    let mut out = framed(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": null, "rootUri": uri, "capabilities": {}}})
        .to_string(),
    );
    out.extend(framed(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    out
}

fn initialize() -> Vec<u8> {
    initialize_at(None)
}

/// A fresh scratch workspace holding a copy of the shipped tasks in
/// `tasks/`; returns the workspace and its `tasks` folder.
fn shipped_copy(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&root);
    let tasks = root.join("tasks");
    std::fs::create_dir_all(&tasks).expect("scratch folder");
    for entry in std::fs::read_dir("tasks").expect("the shipped tasks") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, tasks.join(path.file_name().expect("name"))).expect("copy");
    }
    (root, tasks)
}

/// Runs `taskc lsp` in an empty folder on `input`, then the end of input;
/// returns its exit code and the messages it wrote.
fn serve(input: &[u8]) -> (i32, Vec<Value>) {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lsp-wire");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskc"))
        .arg("lsp")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("taskc lsp starts");
    // Written from another thread: the server's answers must be read
    // while a long input is still being sent.
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_end(&mut out)
        .expect("reads");
    writer.join().expect("the writer thread");
    let code = child.wait().expect("exits").code().unwrap_or(-1);
    (code, messages(&out))
}

fn messages(mut out: &[u8]) -> Vec<Value> {
    let mut found = Vec::new();
    while let Some(at) = out.windows(4).position(|w| w == b"\r\n\r\n") {
        let header = String::from_utf8_lossy(&out[..at]).to_string();
        let length: usize = header
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("a Content-Length");
        let body = &out[at + 4..at + 4 + length];
        found.push(serde_json::from_slice(body).expect("JSON"));
        out = &out[at + 4 + length..];
    }
    found
}

fn answer(messages: &[Value], id: Value) -> &Value {
    messages
        .iter()
        .find(|m| m["id"] == id && (m.get("result").is_some() || m.get("error").is_some()))
        .unwrap_or_else(|| panic!("no answer to {id}: {messages:?}"))
}

#[test]
fn malformed_messages_are_answered_and_the_server_keeps_serving() {
    let mut input = initialize();
    for bad in [
        "{not json",
        r#"{"jsonrpc":"2.0","id":5,"method":"x","params":"\ud800"}"#,
        "[1, 2]",
        "[]",
    ] {
        input.extend(framed(bad));
    }
    input.extend(b"Content-Length: 3\r\n\r\n\xff\xfe{");
    input.extend(framed(r#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#));
    input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    let (code, messages) = serve(&input);
    let errors: Vec<i64> = messages
        .iter()
        .filter(|m| m["id"].is_null())
        .filter_map(|m| m["error"]["code"].as_i64())
        .collect();
    assert_eq!(
        errors,
        [-32700, -32700, -32600, -32600, -32700],
        "{messages:?}"
    );
    assert!(answer(&messages, json!(9))["result"].is_null());
    assert_eq!(code, 0, "exit after shutdown is 0");
}

#[test]
fn exit_without_shutdown_is_1_and_a_request_after_shutdown_is_refused() {
    let mut input = initialize();
    input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    assert_eq!(serve(&input).0, 1);

    let mut input = initialize();
    input.extend(framed(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
    input.extend(framed(
        r#"{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///x.task"},"position":{"line":0,"character":0}}}"#,
    ));
    input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    let (code, messages) = serve(&input);
    assert_eq!(answer(&messages, json!(3))["error"]["code"], -32600);
    assert_eq!(code, 0);
}

#[test]
fn a_huge_declared_length_without_a_body_ends_cleanly() {
    let mut input = initialize();
    input.extend(b"Content-Length: 1000000000000\r\n\r\n{}");
    // The declared terabyte never comes: the input ends, the server exits
    // (1: no shutdown), having answered that the message was skipped.
    let (code, messages) = serve(&input);
    assert_eq!(code, 1);
    assert!(
        messages.iter().any(|m| m["error"]["message"]
            .as_str()
            .is_some_and(|s| s.contains("skipped"))),
        "{messages:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_symlink_loop_named_like_a_task_is_skipped_not_fatal() {
    let (root, tasks) = shipped_copy("lsp-fifo");
    let fifo = tasks.join("fifo.task");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::os::unix::fs::symlink("loop.task", tasks.join("loop.task")).expect("symlink");
    let mut input = initialize_at(Some(&root));
    input.extend(framed(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
    input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    let (code, messages) = serve(&input);
    assert_eq!(code, 0);
    let published: Vec<&Value> = messages
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(!published.is_empty(), "{messages:?}");
    for m in published {
        let diagnostics = m["params"]["diagnostics"].as_array().expect("a list");
        assert!(
            diagnostics.iter().all(|d| d["severity"] != 1),
            "an error on the shipped tasks: {m}"
        );
    }
}

#[test]
fn changes_sent_back_to_back_are_analyzed_together() {
    let (root, tasks) = shipped_copy("lsp-burst");
    let file = tasks.join("billing_refund_easy.task");
    let text = std::fs::read_to_string(&file).expect("read");
    let uri = format!("file://{}", file.display());
    let mut input = initialize_at(Some(&root));
    input.extend(framed(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
            {"uri": uri, "languageId": "task", "version": 1, "text": text}}})
        .to_string(),
    ));
    const CHANGES: usize = 2_000;
    for version in 2..2 + CHANGES {
        input.extend(framed(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": format!("{text}\nstray{version}\n")}]}})
            .to_string(),
        ));
    }
    input.extend(framed(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
    input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    let (code, messages) = serve(&input);
    assert_eq!(code, 0);
    let published = messages
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .count();
    // Each change holds another error, so each analysis publishes: one
    // analysis per batch of queued changes, not one per change.
    assert!(
        published < CHANGES / 4,
        "{published} analyses for {CHANGES} changes"
    );
}
