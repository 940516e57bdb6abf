//! How long an editor waits for diagnostics after a one-character edit, in
//! a workspace of N tasks: starts `taskc lsp` on a generated project (the
//! shipped domain and floors, N tasks like the shipped ones), opens one
//! task, then types: each edit toggles one character of a text and the
//! time until that file's `publishDiagnostics` arrives is recorded (the
//! whole path: JSON-RPC over pipes, analysis, conversion). Prints p50, p95
//! and p99, and the time of a full analysis for comparison.
//!
//! ```text
//! cargo build --release --examples
//! target/release/examples/lsp_latency --tasks 1000 --edits 200 --gap-ms 50
//! ```

#[path = "../benches/support/corpus.rs"]
mod corpus;

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{json, Value};

struct Args {
    tasks: usize,
    edits: usize,
    gap: Duration,
    taskc: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        tasks: 1000,
        edits: 200,
        gap: Duration::from_millis(50),
        taskc: PathBuf::from("target/release/taskc"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--tasks" => out.tasks = number()?,
            "--edits" => out.edits = number()?,
            "--gap-ms" => out.gap = Duration::from_millis(number()? as u64),
            "--taskc" => out.taskc = PathBuf::from(&value),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(out)
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\nusage: lsp_latency [--tasks N] [--edits N] [--gap-ms MS] [--taskc PATH]");
            return ExitCode::from(2);
        }
    };
    let root = std::env::temp_dir().join(format!("taskc-lsp-latency-{}", std::process::id()));
    let tasks = root.join("tasks");
    let _ = std::fs::remove_dir_all(&root);
    let templates =
        corpus::Templates::load(Path::new("tasks")).expect("run from the repository root");
    std::fs::create_dir_all(&tasks).expect("a temporary folder");
    let mut names = Vec::new();
    for (name, text) in templates.corpus(args.tasks) {
        std::fs::write(tasks.join(&name), text).expect("written");
        names.push(name);
    }
    let edited = names
        .iter()
        .find(|n| {
            let t = std::fs::read_to_string(tasks.join(n)).unwrap_or_default();
            t.starts_with("task ") && t.contains("title")
        })
        .expect("a task file")
        .clone();
    let path = tasks.join(&edited);
    let text = std::fs::read_to_string(&path).expect("readable");

    let taskc = std::fs::canonicalize(&args.taskc).unwrap_or_else(|_| args.taskc.clone());
    let mut child = Command::new(taskc)
        .arg("lsp")
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("taskc lsp starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let send = |stdin: &mut std::process::ChildStdin, m: Message| {
        m.write(stdin).expect("written");
        stdin.flush().expect("flushed");
    };
    // Waits for the diagnostics of `uri` at `version`; reads past
    // everything else (other files', and a full analysis's).
    let wait = |stdout: &mut BufReader<std::process::ChildStdout>, want: &str, version: usize| loop {
        match Message::read(stdout).expect("a message") {
            Some(Message::Notification(n))
                if n.method == "textDocument/publishDiagnostics"
                    && n.params["uri"] == want
                    && n.params["version"] == version =>
            {
                return n.params;
            }
            Some(other) => {
                if std::env::var_os("LSP_LATENCY_DEBUG").is_some() {
                    eprintln!(
                        "{}",
                        format!("{other:?}").chars().take(160).collect::<String>()
                    );
                }
            }
            None => panic!("the server stopped"),
        }
    };
    let started = Instant::now();
    send(
        &mut stdin,
        Message::Request(Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({"capabilities": {}, "rootUri": uri(&root)}),
        )),
    );
    loop {
        if let Some(Message::Response(_)) = Message::read(&mut stdout).expect("a message") {
            break;
        }
    }
    send(
        &mut stdin,
        Message::Notification(Notification::new("initialized".into(), json!({}))),
    );
    let file = uri(&path);
    send(
        &mut stdin,
        Message::Notification(Notification::new(
            "textDocument/didOpen".into(),
            json!({"textDocument": {"uri": file, "languageId": "task", "version": 1, "text": text}}),
        )),
    );
    wait(&mut stdout, &file, 1);
    let full = started.elapsed();

    // Type into the title: one character added, then taken away.
    let at = text.find("title").expect("a title")
        + text[text.find("title").unwrap_or(0)..]
            .find('"')
            .unwrap_or(0)
        + 1;
    let mut latencies = Vec::with_capacity(args.edits);
    for k in 0..args.edits {
        let mut edited_text = text.clone();
        if k % 2 == 0 {
            edited_text.insert(at, 'x');
        }
        let sent = Instant::now();
        send(
            &mut stdin,
            Message::Notification(Notification::new(
                "textDocument/didChange".into(),
                json!({"textDocument": {"uri": file, "version": k + 2},
                       "contentChanges": [{"text": edited_text}]}),
            )),
        );
        let _: Value = wait(&mut stdout, &file, k + 2);
        latencies.push(sent.elapsed());
        std::thread::sleep(args.gap);
    }
    // Shut down, reading what the server still sends (it waits for a
    // reader: a client that stops reading would block it).
    send(
        &mut stdin,
        Message::Request(Request::new(
            RequestId::from(2),
            "shutdown".into(),
            json!(null),
        )),
    );
    loop {
        match Message::read(&mut stdout) {
            Ok(Some(Message::Response(r))) if r.id == RequestId::from(2) => break,
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    send(
        &mut stdin,
        Message::Notification(Notification::new("exit".into(), json!(null))),
    );
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&root);

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{} tasks, {} edits {} ms apart: diagnostics after an edit p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms (start and first full analysis: {:.0} ms)",
        args.tasks,
        args.edits,
        args.gap.as_millis(),
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(*latencies.last().expect("edits")),
        ms(full),
    );
    ExitCode::SUCCESS
}
