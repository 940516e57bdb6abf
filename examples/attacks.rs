//! One well-behaved client's step latency while one client attacks
//! `taskc serve` (the hardening findings of issues 17 and 31: MCP batches
//! over HTTP and the WebSocket among them): for each attack, a
//! good client plays gold episodes over a WebSocket for a few seconds while
//! the attacker runs, and the table gives the good client's p50 and p99
//! step latency (the target: p99 under 10 ms) and the server's memory.
//!
//! ```text
//! cargo build --release && cargo run --release --example attacks -- [--seconds 3]
//! ```
//! It starts `target/release/taskc serve` on a free loopback port itself and
//! stops it at the end. Traffic goes to 127.0.0.1 only; every loop is bounded
//! in time.

mod common;

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use common::{gold_episodes, memory_kib, percentile, start_server, stop_server};

/// The good client: gold episodes until `until`; latencies in µs.
async fn good_client(
    addr: String,
    episodes: Vec<(String, Vec<Value>)>,
    until: Instant,
) -> Vec<u32> {
    let mut latencies = Vec::new();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .expect("the good client connects");
    let mut round = 0;
    while Instant::now() < until {
        let (task_id, actions) = &episodes[round % episodes.len()];
        round += 1;
        let mut requests = vec![json!({"type": "reset", "data": {"task_id": task_id}})];
        requests.extend(actions.iter().map(|a| json!({"type": "step", "data": a})));
        for request in requests {
            let sent = Instant::now();
            ws.send(Message::Text(request.to_string().into()))
                .await
                .expect("the good client sends");
            match ws.next().await {
                Some(Ok(Message::Text(_))) => {
                    latencies.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32)
                }
                other => panic!("the good client lost its session: {other:?}"),
            }
        }
    }
    latencies
}

/// Sends one HTTP request and reads the answer (or gives up after 5 s).
async fn http(addr: &str, path: &str, body: &[u8]) {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return;
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut sink)).await;
}

async fn attack(kind: &str, addr: String, until: Instant) {
    let ws_url = format!("ws://{addr}/ws");
    match kind {
        "huge node checks (1 MiB of `sudo `)" => {
            let body =
                json!({"node_type": "instruction", "text": "sudo ".repeat(200_000)}).to_string();
            while Instant::now() < until {
                http(&addr, "/tree/check-node", body.as_bytes()).await;
            }
        }
        "huge walks (1 MiB of `{}`)" => {
            let body = format!("[{}{{}}]", "{},".repeat(340_000));
            while Instant::now() < until {
                http(&addr, "/tree/normalize", body.as_bytes()).await;
            }
        }
        "ping flood, never reading" => {
            let (mut ws, _) = tokio_tungstenite::connect_async(ws_url)
                .await
                .expect("connects");
            let payload = vec![b'p'; 125];
            while Instant::now() < until {
                if ws
                    .send(Message::Ping(payload.clone().into()))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        }
        "200 idle sockets and slowloris" => {
            let mut held = Vec::new();
            for _ in 0..200 {
                if let Ok(s) = TcpStream::connect(&addr).await {
                    held.push(s);
                }
            }
            while Instant::now() < until {
                for s in &mut held {
                    let _ = s.write_all(b"G").await;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        "1 MiB unknown queue values" => {
            let (mut ws, _) = tokio_tungstenite::connect_async(ws_url)
                .await
                .expect("connects");
            let reset = json!({"type": "reset", "data": {"task_id": "billing_refund_easy"}});
            let step = json!({"type": "step", "data": {"action_type": "classify", "queue": "q".repeat(1_000_000)}}).to_string();
            while Instant::now() < until {
                let _ = ws.send(Message::Text(reset.to_string().into())).await;
                let _ = ws.next().await;
                for _ in 0..5 {
                    let _ = ws.send(Message::Text(step.clone().into())).await;
                    let _ = ws.next().await;
                }
            }
        }
        "resets, never reading the replies" => {
            let (mut ws, _) = tokio_tungstenite::connect_async(ws_url)
                .await
                .expect("connects");
            let reset =
                json!({"type": "reset", "data": {"task_id": "billing_refund_easy"}}).to_string();
            while Instant::now() < until {
                let sent = tokio::time::timeout(
                    Duration::from_millis(100),
                    ws.send(Message::Text(reset.clone().into())),
                )
                .await;
                if !matches!(sent, Ok(Ok(()))) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        "1 MiB replies over HTTP episodes" => {
            let reply =
                json!({"action": {"action_type": "reply", "message": "x".repeat(1_000_000)}});
            while Instant::now() < until {
                http(
                    &addr,
                    "/reset",
                    br#"{"task_id":"billing_refund_easy","episode_id":"attacker"}"#,
                )
                .await;
                let mut step = reply.clone();
                step["episode_id"] = json!("attacker");
                http(&addr, "/step", step.to_string().as_bytes()).await;
            }
        }
        "frames over 8x the limit, reconnecting" => {
            let frame = "x".repeat(9 << 20);
            while Instant::now() < until {
                if let Ok((mut ws, _)) = tokio_tungstenite::connect_async(&ws_url).await {
                    let _ = ws.send(Message::Text(frame.clone().into())).await;
                    let _ = tokio::time::timeout(Duration::from_secs(1), ws.next()).await;
                }
            }
        }
        "1 MiB MCP batches of tools/list over HTTP" => {
            let body = mcp_batch(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#, 1 << 20);
            while Instant::now() < until {
                http(&addr, "/mcp", body.as_bytes()).await;
            }
        }
        "64-call MCP batches of tree_prompt over HTTP" => {
            let call = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"tree_prompt","arguments":{}}}"#;
            let body = format!("[{}]", vec![call; 64].join(","));
            while Instant::now() < until {
                http(&addr, "/mcp", body.as_bytes()).await;
            }
        }
        "1 MiB MCP batches over the WebSocket" => {
            let batch = mcp_batch(
                r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"check_node","arguments":{"node":{"node_type":"question","text":"Is it on?"}}}}"#,
                (1 << 20) - 64,
            );
            let frame = format!(r#"{{"type":"mcp","data":{batch}}}"#);
            while Instant::now() < until {
                let Ok((mut ws, _)) = tokio_tungstenite::connect_async(&ws_url).await else {
                    continue;
                };
                while Instant::now() < until {
                    if ws.send(Message::Text(frame.clone().into())).await.is_err() {
                        break;
                    }
                    match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
                        Ok(Some(Ok(Message::Text(_)))) => {}
                        _ => break,
                    }
                }
            }
        }
        _ => tokio::time::sleep_until(until.into()).await,
    }
}

/// A JSON-RPC batch of copies of one request, as long as fits in `bytes`.
fn mcp_batch(request: &str, bytes: usize) -> String {
    let copies = (bytes - 2) / (request.len() + 1);
    format!("[{}]", vec![request; copies.max(1)].join(","))
}

const ATTACKS: [&str; 12] = [
    "none",
    "huge node checks (1 MiB of `sudo `)",
    "huge walks (1 MiB of `{}`)",
    "ping flood, never reading",
    "200 idle sockets and slowloris",
    "1 MiB unknown queue values",
    "resets, never reading the replies",
    "1 MiB replies over HTTP episodes",
    "frames over 8x the limit, reconnecting",
    "1 MiB MCP batches of tools/list over HTTP",
    "64-call MCP batches of tree_prompt over HTTP",
    "1 MiB MCP batches over the WebSocket",
];

#[tokio::main]
async fn main() {
    let mut seconds = 3u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--seconds" {
            seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(seconds);
        }
    }
    let (server, addr) = start_server(&["--idle-timeout", "2"]);
    let pid = server.id();
    let episodes = gold_episodes();
    println!("server pid {pid} at {addr}; {seconds} s per attack; --idle-timeout 2");
    println!("| attack | good steps | p50 ms | p99 ms | under 10 ms | server RSS after (KiB) |");
    println!("|---|---:|---:|---:|---|---:|");
    let mut all_under = true;
    for kind in ATTACKS {
        let until = Instant::now() + Duration::from_secs(seconds);
        let attacker = tokio::spawn(attack(kind, addr.clone(), until));
        // Let the attack start before measuring.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut latencies = good_client(addr.clone(), episodes.clone(), until).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), attacker).await;
        latencies.sort_unstable();
        let p99 = percentile(&latencies, 0.99);
        all_under &= p99 < 10.0;
        println!(
            "| {kind} | {} | {:.3} | {p99:.3} | {} | {} |",
            latencies.len(),
            percentile(&latencies, 0.50),
            if p99 < 10.0 { "yes" } else { "NO" },
            memory_kib(pid, "VmRSS:"),
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "server peak resident memory (VmHWM): {} KiB",
        memory_kib(pid, "VmHWM:")
    );
    stop_server(server);
    if !all_under {
        std::process::exit(1);
    }
}
