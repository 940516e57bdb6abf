//! What the load examples share: the shipped gold episodes, a release
//! `taskc serve` on a free loopback port, its memory, and percentiles.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// Every shipped task's id and gold actions.
pub fn gold_episodes() -> Vec<(String, Vec<Value>)> {
    let paths = taskc::source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    let (sources, read) = taskc::source::read_files(&paths).expect("readable");
    let document = taskc::compile::compile_with(&sources, read)
        .document
        .expect("compiles");
    taskc::runtime::env::TaskRuntime::all(&document)
        .into_iter()
        .map(|(id, rt)| (id, taskc::runtime::env::gold::actions(&rt)))
        .collect()
}

/// A field of /proc/PID/status (`VmRSS:`, `VmHWM:`), in KiB.
pub fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The `p` percentile of sorted latencies in µs, in ms.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// `target/release/taskc serve --port 0` with `extra` flags; the process
/// and the `host:port` it listens on.
pub fn start_server(extra: &[&str]) -> (Child, String) {
    let mut server = Command::new("target/release/taskc")
        .args(["serve", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("target/release/taskc (run `cargo build --release` first)");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server's address line");
    let addr = line
        .trim()
        .trim_start_matches("listening on http://")
        .to_owned();
    (server, addr)
}

/// Stops the server (SIGTERM, as a deployment would) and waits for it.
pub fn stop_server(mut server: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
}
