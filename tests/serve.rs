//! `taskc serve` end to end from Rust: what the Python client test does not
//! reach: pings answered, idle sessions dropped, a message past the hard
//! limit closing only its own connection, and the server serving on.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskc"))
        .args(["serve", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    let url = line
        .trim()
        .trim_start_matches("listening on ")
        .replace("http://", "ws://");
    Server { child, url }
}

async fn connect(
    server: &Server,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    tokio_tungstenite::connect_async(format!("{}/ws", server.url))
        .await
        .expect("connects")
        .0
}

async fn next(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Option<Message> {
    tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("an answer in time")
        .and_then(Result::ok)
}

#[tokio::test]
async fn pings_are_answered_and_idle_sessions_dropped() {
    let server = start(&["--idle-timeout", "1"]);
    let mut ws = connect(&server).await;
    ws.send(Message::Ping(b"hi".to_vec().into()))
        .await
        .expect("ping");
    match next(&mut ws).await {
        Some(Message::Pong(p)) => assert_eq!(&p[..], b"hi"),
        other => panic!("expected a pong, got {other:?}"),
    }
    match next(&mut ws).await {
        Some(Message::Close(Some(frame))) => {
            assert_eq!(u16::from(frame.code), 1000);
            assert_eq!(frame.reason.as_str(), "idle timeout");
        }
        other => panic!("expected a close, got {other:?}"),
    }
}

#[tokio::test]
async fn a_message_past_the_hard_limit_closes_only_its_connection() {
    let server = start(&["--max-message-bytes", "1024"]);
    let mut ws = connect(&server).await;
    // Past the limit but readable: an error frame, and the session goes on.
    ws.send(Message::Text("x".repeat(2000).into()))
        .await
        .expect("send");
    match next(&mut ws).await {
        Some(Message::Text(t)) => assert!(t.as_str().contains("VALIDATION_ERROR"), "{t}"),
        other => panic!("expected an error frame, got {other:?}"),
    }
    // Past eight times the limit: the connection is closed (1009)...
    let _ = ws.send(Message::Text("x".repeat(20_000).into())).await;
    match next(&mut ws).await {
        Some(Message::Close(Some(frame))) => assert_eq!(u16::from(frame.code), 1009),
        None | Some(Message::Close(None)) => {}
        other => panic!("expected the connection to close, got {other:?}"),
    }
    // ...and the server serves on.
    let mut ws = connect(&server).await;
    ws.send(Message::Text(
        r#"{"type":"reset","data":{"task_id":"billing_refund_easy"}}"#.into(),
    ))
    .await
    .expect("send");
    match next(&mut ws).await {
        Some(Message::Text(t)) => assert!(
            t.as_str().starts_with(r#"{"data":{"done":false"#)
                || t.as_str().contains(r#""type":"observation""#),
            "{t}"
        ),
        other => panic!("expected an observation, got {other:?}"),
    }
}
