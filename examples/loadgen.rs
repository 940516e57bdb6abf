//! Load test of `taskc serve`: N concurrent WebSocket sessions (1, 16, 64,
//! 256) each play gold episodes of the shipped tasks for a fixed time; the
//! table gives steps per second, p50 and p99 step latency (send to reply),
//! errors, and the server's resident memory (after each level, and its peak).
//!
//! ```text
//! cargo build --release && cargo run --release --example loadgen -- [--seconds 5]
//! ```
//! It starts `target/release/taskc serve` on a free loopback port itself and
//! stops it at the end. Traffic goes to 127.0.0.1 only; every loop is bounded
//! in time.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use common::{gold_episodes, memory_kib, percentile, start_server, stop_server};

struct Outcome {
    latencies_us: Vec<u32>,
    errors: usize,
}

async fn session(
    url: String,
    episodes: Arc<Vec<(String, Vec<Value>)>>,
    offset: usize,
    until: Instant,
) -> Outcome {
    let mut out = Outcome {
        latencies_us: Vec::new(),
        errors: 0,
    };
    let Ok((mut ws, _)) = tokio_tungstenite::connect_async(format!("{url}/ws")).await else {
        out.errors += 1;
        return out;
    };
    let mut round = offset;
    'episodes: while Instant::now() < until {
        let (task_id, actions) = &episodes[round % episodes.len()];
        round += 1;
        let reset = json!({"type": "reset", "data": {"task_id": task_id}});
        let mut requests = vec![reset];
        requests.extend(actions.iter().map(|a| json!({"type": "step", "data": a})));
        for request in requests {
            let sent = Instant::now();
            if ws
                .send(Message::Text(request.to_string().into()))
                .await
                .is_err()
            {
                out.errors += 1;
                break 'episodes;
            }
            match ws.next().await {
                Some(Ok(Message::Text(reply))) => {
                    out.latencies_us
                        .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    if reply.as_str().contains("\"type\":\"error\"") {
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

#[tokio::main]
async fn main() {
    let mut seconds = 5u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--seconds" {
            seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(seconds);
        }
    }
    let (server, addr) = start_server(&["--max-sessions", "300"]);
    let pid = server.id();
    let url = format!("ws://{addr}");
    let episodes = Arc::new(gold_episodes());
    println!(
        "server pid {pid} at {url}; {seconds} s per level; resident memory at start {} KiB",
        memory_kib(pid, "VmRSS:")
    );
    println!("| sessions | steps/s | p50 ms | p99 ms | errors | server RSS after (KiB) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for n in [1usize, 16, 64, 256] {
        let until = Instant::now() + Duration::from_secs(seconds);
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
        println!(
            "| {n} | {:.0} | {:.3} | {:.3} | {errors} | {} |",
            latencies.len() as f64 / elapsed,
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            memory_kib(pid, "VmRSS:"),
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    println!(
        "server peak resident memory (VmHWM): {} KiB",
        memory_kib(pid, "VmHWM:")
    );
    stop_server(server);
}
