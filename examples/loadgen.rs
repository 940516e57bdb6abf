//! Load test of an OpenEnv server over its WebSocket: N concurrent sessions
//! (by default 1, 16, 64 and 256) each play the gold episodes of the shipped
//! tasks for a fixed time; the table gives steps per second, p50 and p99
//! step latency (send to reply), errors, and — for a server it started —
//! the server's resident memory after each level and its peak.
//!
//! ```text
//! cargo build --release && cargo run --release --example loadgen -- \
//!     [--url ws://HOST:PORT/ws] [--sessions 1,16,64,256] [--seconds 5]
//! ```
//!
//! Without `--url` it starts `target/release/taskc serve` on a free loopback
//! port and stops it at the end; with `--url` it starts nothing and measures
//! the server there (any server that speaks OpenEnv's WebSocket protocol and
//! serves the shipped task ids, such as scripts/python_openenv_server.py;
//! scripts/compare-serve.sh runs both side by side).
//!
//! It is built not to be the bottleneck: the requests are serialized once,
//! the client runs on one thread (leaving the other core to the server) and
//! a reply is told apart by its `"type"`, looked for at the frame's ends
//! (both servers put it there), never by parsing the observation. Every
//! loop is bounded in time.

mod common;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use common::{gold_episodes, memory_kib, percentile, start_server, stop_server};

struct Outcome {
    latencies_us: Vec<u32>,
    errors: usize,
}

/// What a reply frame is, from its `"type"`.
#[derive(Debug, PartialEq)]
enum Reply {
    Observation,
    Error,
    Other,
}

/// The frame's `"type"`, looked for in its first and last 48 bytes (a
/// server writes it first, or last when its keys are sorted), then in the
/// whole frame.
fn reply_kind(frame: &str) -> Reply {
    let bytes = frame.as_bytes();
    let ends = [
        &bytes[..bytes.len().min(48)],
        &bytes[bytes.len().saturating_sub(48)..],
        bytes,
    ];
    for part in ends {
        for (needle, kind) in [
            (&b"\"type\":\"observation\""[..], Reply::Observation),
            (b"\"type\": \"observation\"", Reply::Observation),
            (b"\"type\":\"error\"", Reply::Error),
            (b"\"type\": \"error\"", Reply::Error),
        ] {
            if memchr::memmem::find(part, needle).is_some() {
                return kind;
            }
        }
    }
    Reply::Other
}

async fn session(
    url: Arc<String>,
    episodes: Arc<Vec<Vec<Utf8Bytes>>>,
    offset: usize,
    until: Instant,
) -> Outcome {
    let mut out = Outcome {
        latencies_us: Vec::new(),
        errors: 0,
    };
    // Small reads: the WebSocket layer zeroes the read buffer before each.
    let config = WebSocketConfig::default().read_buffer_size(16 << 10);
    let connected =
        tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true).await;
    let Ok((mut ws, _)) = connected else {
        out.errors += 1;
        return out;
    };
    let mut round = offset;
    'episodes: while Instant::now() < until {
        let requests = &episodes[round % episodes.len()];
        round += 1;
        for request in requests {
            let sent = Instant::now();
            if ws.send(Message::Text(request.clone())).await.is_err() {
                out.errors += 1;
                break 'episodes;
            }
            match ws.next().await {
                Some(Ok(Message::Text(reply))) => {
                    out.latencies_us
                        .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    if reply_kind(reply.as_str()) != Reply::Observation {
                        out.errors += 1;
                    }
                }
                _ => {
                    out.errors += 1;
                    break 'episodes;
                }
            }
        }
    }
    let _ = ws
        .send(Message::Text(json!({"type": "close"}).to_string().into()))
        .await;
    out
}

struct Options {
    url: Option<String>,
    sessions: Vec<usize>,
    seconds: u64,
    threads: usize,
}

/// A whole number above 0, the value of `flag`.
fn positive(flag: &str, value: &str) -> Result<usize, String> {
    value.parse().ok().filter(|&n| n > 0).ok_or(format!(
        "{flag} takes a whole number above 0, not `{value}`"
    ))
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        url: None,
        sessions: vec![1, 16, 64, 256],
        seconds: 5,
        threads: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => {
                let url = value()?;
                if !url.starts_with("ws://") {
                    return Err(format!("--url takes ws://HOST:PORT/ws, not `{url}`"));
                }
                options.url = Some(url);
            }
            "--sessions" => {
                let list = value()?;
                options.sessions = list
                    .split(',')
                    .map(|n| n.trim().parse::<usize>().ok().filter(|&n| n > 0))
                    .collect::<Option<_>>()
                    .ok_or(format!(
                        "--sessions takes whole numbers separated by commas, not `{list}`"
                    ))?;
            }
            "--seconds" => options.seconds = positive(&flag, &value()?)? as u64,
            "--threads" => options.threads = positive(&flag, &value()?)?,
            other => {
                return Err(format!(
                    "unknown option `{other}` (--url, --sessions, --seconds, --threads)"
                ))
            }
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = if options.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.threads)
            .enable_all()
            .build()
    }
    .expect("a runtime");
    runtime.block_on(run(options))
}

async fn run(options: Options) -> ExitCode {
    let max = options.sessions.iter().max().copied().unwrap_or(1);
    let (server, url) = match &options.url {
        Some(url) => (None, url.clone()),
        None => {
            let (server, addr) = start_server(&["--max-sessions", &(max + 44).to_string()]);
            (Some(server), format!("ws://{addr}/ws"))
        }
    };
    let pid = server.as_ref().map(|s| s.id());
    let rss = |field| pid.map_or("-".to_owned(), |p| memory_kib(p, field).to_string());
    // Every request of every gold episode, serialized once.
    let episodes: Vec<Vec<Utf8Bytes>> = gold_episodes()
        .into_iter()
        .map(|(task_id, actions)| {
            std::iter::once(json!({"type": "reset", "data": {"task_id": task_id}}))
                .chain(
                    actions
                        .into_iter()
                        .map(|a| json!({"type": "step", "data": a})),
                )
                .map(|request| Utf8Bytes::from(request.to_string()))
                .collect()
        })
        .collect();
    let episodes = Arc::new(episodes);
    let url = Arc::new(url);
    println!(
        "{url}: {} s per level; server resident memory at start {} KiB",
        options.seconds,
        rss("VmRSS:")
    );
    println!("| sessions | steps/s | p50 ms | p99 ms | errors | server RSS after (KiB) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let mut failed = false;
    for &n in &options.sessions {
        let until = Instant::now() + Duration::from_secs(options.seconds);
        let started = Instant::now();
        let handles: Vec<_> = (0..n)
            .map(|i| tokio::spawn(session(url.clone(), episodes.clone(), i, until)))
            .collect();
        let mut latencies = Vec::new();
        let mut errors = 0;
        for h in handles {
            match h.await {
                Ok(o) => {
                    latencies.extend(o.latencies_us);
                    errors += o.errors;
                }
                Err(_) => errors += 1,
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort_unstable();
        failed |= errors > 0 || latencies.is_empty();
        println!(
            "| {n} | {:.0} | {:.3} | {:.3} | {errors} | {} |",
            latencies.len() as f64 / elapsed,
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            rss("VmRSS:"),
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    if let Some(server) = server {
        println!("server peak resident memory (VmHWM): {} KiB", rss("VmHWM:"));
        stop_server(server);
    }
    if failed {
        eprintln!("error: some steps failed (see the errors column)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_told_apart_by_their_type() {
        let big = "x".repeat(4000);
        for (frame, kind) in [
            (
                format!(r#"{{"type":"observation","data":{{"x":"{big}"}}}}"#),
                Reply::Observation,
            ),
            (
                format!(r#"{{"data":{{"x":"{big}"}},"type":"observation"}}"#),
                Reply::Observation,
            ),
            (
                format!(r#"{{"type": "error", "data": {{"message": "{big}"}}}}"#),
                Reply::Error,
            ),
            (r#"{"type":"state","data":{}}"#.to_owned(), Reply::Other),
        ] {
            assert_eq!(reply_kind(&frame), kind, "{}", &frame[..60]);
        }
    }
}
