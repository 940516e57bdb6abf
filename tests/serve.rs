//! `taskc serve` end to end from Rust: what the Python client test does not
//! reach: pings answered, idle sessions dropped, a message past the hard
//! limit closing only its own connection, and the server serving on; and the
//! hardening findings of issue 17, one regression test each (loopback only,
//! bounded in time and memory).

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

impl Server {
    fn addr(&self) -> String {
        self.url.trim_start_matches("ws://").to_owned()
    }

    /// The server's resident memory, in KiB (Linux).
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status");
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .expect("VmRSS")
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to exit; its status, or None after `within`.
    fn exit_within(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let until = std::time::Instant::now() + within;
        while std::time::Instant::now() < until {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

fn start(extra: &[&str]) -> Server {
    start_with(extra, Stdio::null())
}

/// [`start`], with the server's log going to `stderr`.
fn start_with(extra: &[&str], stderr: Stdio) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskc"))
        .args(["serve", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr)
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

/// The reset request the tests send.
const RESET: &str = r#"{"type":"reset","data":{"task_id":"billing_refund_easy"}}"#;

/// Resets the session's episode and reads the first observation.
async fn reset(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) {
    ws.send(Message::Text(RESET.into())).await.expect("send");
    match next(ws).await {
        Some(Message::Text(t)) => assert!(t.as_str().contains("observation"), "{t}"),
        other => panic!("expected an observation, got {other:?}"),
    }
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

/// Requests (unlike pings) keep a session alive: one every 0.4 s for three
/// idle timeouts, then silence, and the session is closed.
#[tokio::test]
async fn requests_keep_a_session_alive_past_the_idle_timeout() {
    let server = start(&["--idle-timeout", "1"]);
    let mut ws = connect(&server).await;
    let started = std::time::Instant::now();
    let mut last = started;
    while started.elapsed() < Duration::from_secs(3) {
        reset(&mut ws).await;
        last = std::time::Instant::now();
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    match next(&mut ws).await {
        Some(Message::Close(Some(frame))) => assert_eq!(frame.reason.as_str(), "idle timeout"),
        other => panic!("expected a close, got {other:?}"),
    }
    let after = last.elapsed();
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_secs(3),
        "closed {after:?} after the last request"
    );
}

/// `--verbose` logs every finished episode; by default it is not logged.
#[tokio::test]
async fn verbose_logs_finished_episodes() {
    for verbose in [false, true] {
        let extra: &[&str] = if verbose { &["--verbose"] } else { &[] };
        let mut server = start_with(extra, Stdio::piped());
        let mut ws = connect(&server).await;
        reset(&mut ws).await;
        let submit = r#"{"type":"step","data":{"action_type":"submit"}}"#;
        ws.send(Message::Text(submit.into())).await.expect("send");
        assert!(matches!(next(&mut ws).await, Some(Message::Text(_))));
        ws.close(None).await.expect("close");
        drop(ws);
        tokio::time::sleep(Duration::from_millis(300)).await;
        server.signal("TERM");
        assert!(server.exit_within(Duration::from_secs(10)).is_some());
        let mut log = String::new();
        std::io::Read::read_to_string(server.child.stderr.as_mut().expect("stderr"), &mut log)
            .expect("stderr");
        let finished = log.lines().find(|l| l.contains("episode finished"));
        assert!(log.contains("connection opened"), "{log}");
        if verbose {
            let line = finished.unwrap_or_else(|| panic!("{log}"));
            assert!(
                line.contains("task=billing_refund_easy") && line.contains("steps=1"),
                "{line}"
            );
        } else {
            assert_eq!(finished, None, "{log}");
        }
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
        other => panic!("expected a close frame with 1009, got {other:?}"),
    }
    // ...and the server serves on.
    let mut ws = connect(&server).await;
    ws.send(Message::Text(RESET.into())).await.expect("send");
    match next(&mut ws).await {
        Some(Message::Text(t)) => assert!(
            t.as_str().starts_with(r#"{"data":{"done":false"#)
                || t.as_str().contains(r#""type":"observation""#),
            "{t}"
        ),
        other => panic!("expected an observation, got {other:?}"),
    }
}

/// One HTTP/1.1 request on a fresh connection: (status, body).
async fn http(server: &Server, method: &str, path: &str, body: &str) -> (u16, String) {
    http_bytes(server, method, path, body.as_bytes()).await
}

/// [`http`] with any bytes for a body.
async fn http_bytes(server: &Server, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connects");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    stream.write_all(body).await.expect("writes");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("an answer in time")
        .expect("reads");
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Whether the server closes a connection (EOF) within `within`.
async fn closed_within(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let until = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(until, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn a_ping_flood_from_a_client_that_never_reads_is_bounded_and_dropped() {
    let server = start(&["--idle-timeout", "2"]);
    let mut ws = connect(&server).await;
    // Pings of 125 bytes the client never reads the pongs of: after the
    // first 100,000 (allocator warm-up), 300,000 more (38 MB of pongs) must
    // not grow the server by more than its bounded buffers and allocator
    // slack (unbounded, it grows by all of them).
    let payload = vec![b'p'; 125];
    let mut before = 0;
    for i in 0..400_000 {
        if i == 100_000 {
            before = server.rss_kib();
        }
        if ws
            .send(Message::Ping(payload.clone().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    let grown = server.rss_kib().saturating_sub(before);
    assert!(grown < 16 * 1024, "the server grew by {grown} KiB");
    // Pings do not keep the session alive: it is closed after the idle timeout.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, metadata) = http(&server, "GET", "/metadata", "").await;
    assert!(metadata.contains(r#""active_sessions":0"#), "{metadata}");
}

#[tokio::test]
async fn a_client_that_never_reads_loses_its_session_at_the_idle_timeout() {
    let server = start(&["--idle-timeout", "2"]);
    let mut ws = connect(&server).await;
    // Resets whose replies (a few KiB each) the client never reads, until
    // the buffers on the way are full and the server's sends wait.
    for _ in 0..4_000 {
        let sent = tokio::time::timeout(
            Duration::from_millis(200),
            ws.send(Message::Text(RESET.into())),
        )
        .await;
        if !matches!(sent, Ok(Ok(()))) {
            break;
        }
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (_, metadata) = http(&server, "GET", "/metadata", "").await;
    assert!(metadata.contains(r#""active_sessions":0"#), "{metadata}");
}

#[tokio::test]
async fn idle_and_slow_connections_are_closed_and_capped() {
    use tokio::io::AsyncWriteExt;
    let server = start(&["--header-timeout", "1", "--max-connections", "4"]);
    // A connection that never sends is closed after the header timeout.
    let mut idle = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connects");
    assert!(closed_within(&mut idle, Duration::from_secs(4)).await);
    // So is one that sends its headers a byte at a time.
    let mut slow = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connects");
    let mut closed = false;
    for b in b"GET /health HTTP/1.1\r\nhost: x\r\nx-slow: "
        .iter()
        .cycle()
        .take(40)
    {
        if slow.write_all(&[*b]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(closed || closed_within(&mut slow, Duration::from_secs(2)).await);
    // Past --max-connections, a new connection gets a 503 at once.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(
            tokio::net::TcpStream::connect(server.addr())
                .await
                .expect("connects"),
        );
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, body) = http(&server, "GET", "/health", "").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("CAPACITY_REACHED"), "{body}");
    // Once they close, the server answers again.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(http(&server, "GET", "/health", "").await.0, 200);
}

#[tokio::test]
async fn http_episodes_cannot_be_guessed_replaced_or_stepped_by_another_client() {
    let server = start(&[]);
    let reset = r#"{"task_id":"billing_refund_easy"}"#;
    let (status, a) = http(&server, "POST", "/reset", reset).await;
    assert_eq!(status, 200, "{a}");
    let (_, b) = http(&server, "POST", "/reset", reset).await;
    let id = |body: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        v["metadata"]["episode_id"]
            .as_str()
            .expect("an id")
            .to_owned()
    };
    let (a, b) = (id(&a), id(&b));
    // 128 random bits, in hex.
    assert_eq!(a.len(), 32);
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
    assert_ne!(a, b);
    // A reset naming a live episode does not replace it.
    let (status, body) = http(
        &server,
        "POST",
        "/reset",
        &format!(r#"{{"task_id":"billing_refund_easy","episode_id":"{a}"}}"#),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    // A step must name its episode.
    let (status, body) = http(
        &server,
        "POST",
        "/step",
        r#"{"action":{"action_type":"submit"}}"#,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = http(&server, "GET", "/state", "").await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = http(
        &server,
        "POST",
        "/step",
        &format!(r#"{{"episode_id":"{a}","action":{{"action_type":"submit"}}}}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn invalid_utf8_in_a_text_frame_is_closed_with_1007() {
    use tokio_tungstenite::tungstenite::protocol::frame::{coding::Data, coding::OpCode, Frame};
    let server = start(&[]);
    let mut ws = connect(&server).await;
    let frame = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    ws.send(Message::Frame(frame)).await.expect("send");
    match next(&mut ws).await {
        Some(Message::Close(Some(frame))) => assert_eq!(u16::from(frame.code), 1007),
        other => panic!("expected a close frame with 1007, got {other:?}"),
    }
}

#[tokio::test]
async fn a_huge_invalid_value_does_not_slow_other_clients_or_come_back_whole() {
    let server = start(&[]);
    let mut ws = connect(&server).await;
    reset(&mut ws).await;
    let queue = "q".repeat(900_000);
    let step =
        format!(r#"{{"type":"step","data":{{"action_type":"classify","queue":"{queue}"}}}}"#);
    ws.send(Message::Text(step.into())).await.expect("send");
    match next(&mut ws).await {
        Some(Message::Text(t)) => {
            assert!(
                t.as_str().contains("is not an allowed `queue` value"),
                "{}",
                &t[..200]
            );
            assert!(t.len() < 16 * 1024, "{} bytes", t.len());
        }
        other => panic!("expected an observation, got {other:?}"),
    }
}

#[tokio::test]
async fn sigterm_closes_every_session_with_1001_and_exits() {
    let mut server = start(&["--max-sessions", "32"]);
    let mut sessions = Vec::new();
    for _ in 0..32 {
        let mut ws = connect(&server).await;
        reset(&mut ws).await;
        sessions.push(ws);
    }
    // And an HTTP request half sent.
    let mut half = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connects");
    tokio::io::AsyncWriteExt::write_all(&mut half, b"POST /reset HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("writes");
    server.signal("TERM");
    for ws in &mut sessions {
        match next(ws).await {
            Some(Message::Close(Some(frame))) => assert_eq!(u16::from(frame.code), 1001),
            other => panic!("expected a close frame with 1001, got {other:?}"),
        }
    }
    let status = server
        .exit_within(Duration::from_secs(10))
        .expect("exits within the drain timeout");
    assert!(status.success(), "{status:?}");
}

#[test]
fn sigterm_right_after_the_readiness_line_exits_cleanly() {
    for _ in 0..5 {
        let mut server = start(&[]);
        server.signal("TERM");
        let status = server.exit_within(Duration::from_secs(10)).expect("exits");
        assert!(status.success(), "killed by the signal: {status:?}");
    }
}

#[tokio::test]
async fn mcp_answers_whatever_it_is_sent_with_json_rpc_and_never_a_5xx() {
    let server = start(&["--max-message-bytes", "4096"]);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"x":"{}"}}}}"#,
        "a".repeat(10_000)
    );
    let malformed: Vec<(&str, Vec<u8>)> = vec![
        ("an empty body", Vec::new()),
        ("invalid UTF-8", b"\xff\xfe{".to_vec()),
        ("an empty object", b"{}".to_vec()),
        ("null", b"null".to_vec()),
        ("nesting past the parser's limit", deep.into_bytes()),
        ("a body past --max-message-bytes", big.into_bytes()),
        ("an empty batch", b"[]".to_vec()),
        (
            "an id past 64 bits",
            br#"{"jsonrpc":"2.0","id":18446744073709551616,"method":"ping"}"#.to_vec(),
        ),
        (
            "an id of 10^30",
            br#"{"jsonrpc":"2.0","id":1000000000000000000000000000000,"method":"ping"}"#.to_vec(),
        ),
        (
            "a tool call with arguments of the wrong type",
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"next_node","arguments":{"walk":1,"candidates":2}}}"#.to_vec(),
        ),
        (
            "tools/call with arguments that are not an object",
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"check_node","arguments":[1]}}"#.to_vec(),
        ),
    ];
    for (what, body) in malformed {
        let (status, text) = http_bytes(&server, "POST", "/mcp", &body).await;
        assert_eq!(status, 200, "{what}: {text}");
        let answer: serde_json::Value = serde_json::from_str(&text).expect(what);
        assert_eq!(answer["jsonrpc"], "2.0", "{what}: {text}");
        assert!(answer["error"]["code"].is_i64(), "{what}: {text}");
    }
    // And it still serves.
    let (status, text) = http(
        &server,
        "POST",
        "/mcp",
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("normalize_walk"), "{text}");
}

#[tokio::test]
async fn mcp_batches_and_answers_are_bounded_over_http_and_websocket() {
    let server = start(&["--max-message-bytes", "4194304"]);
    let call = |id: usize, name: &str| {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{name}","arguments":{{}}}}}}"#
        )
    };
    // A batch past the limit is refused whole, with one small error.
    let long = format!("[{}]", vec![call(1, "tree_prompt"); 5_000].join(","));
    let (status, text) = http(&server, "POST", "/mcp", &long).await;
    assert_eq!(status, 200);
    assert!(text.len() < 1_000, "{} bytes", text.len());
    let answer: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(answer["error"]["code"], -32600, "{text}");
    // A batch within it whose answers would pass the answer budget: the
    // answer stays under it, the overflow answered by errors.
    let heavy: Vec<String> = (0..64).map(|i| call(i, "tree_prompt")).collect();
    let heavy = format!("[{}]", heavy.join(","));
    let (status, text) = http(&server, "POST", "/mcp", &heavy).await;
    assert_eq!(status, 200);
    assert!(text.len() <= 2 << 20, "{} bytes", text.len());
    let answers: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON");
    assert_eq!(answers.len(), 64);
    // The same over the WebSocket's `mcp` message: an answer, not a drop.
    let mut ws = connect(&server).await;
    ws.send(Message::text(format!(r#"{{"type":"mcp","data":{long}}}"#)))
        .await
        .expect("sends");
    match next(&mut ws).await {
        Some(Message::Text(text)) => {
            assert!(text.len() < 1_000, "{} bytes", text.len());
            assert!(text.contains("-32600"), "{text}");
        }
        other => panic!("expected an error frame, got {other:?}"),
    }
    // A session cannot be created by a notification: no slot is taken.
    for _ in 0..10 {
        let (status, _) = http(
            &server,
            "POST",
            "/mcp",
            r#"{"jsonrpc":"2.0","method":"openenv/session/create"}"#,
        )
        .await;
        assert_eq!(status, 202);
    }
    let (_, metadata) = http(&server, "GET", "/metadata", "").await;
    assert!(metadata.contains(r#""active_sessions":1"#), "{metadata}");
}

#[tokio::test]
async fn every_operation_in_the_openapi_document_is_served() {
    let server = start(&[]);
    let (status, text) = http(&server, "GET", "/openapi.json", "").await;
    assert_eq!(status, 200);
    let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = document["paths"].as_object().expect("paths");
    for required in [
        "/reset",
        "/step",
        "/state",
        "/mcp",
        "/health",
        "/schema",
        "/metadata",
    ] {
        assert!(paths.contains_key(required), "{required}");
    }
    for (path, item) in paths {
        for method in item.as_object().expect("path item").keys() {
            let (status, body) = http(&server, &method.to_uppercase(), path, "{}").await;
            assert!(
                status < 500
                    && !body.contains(r#""code":"NOT_FOUND""#)
                    && !body.contains(r#""code":"METHOD_NOT_ALLOWED""#),
                "{method} {path}: {status} {body}"
            );
        }
    }
    let (status, _) = http(&server, "GET", "/nowhere", "").await;
    assert_eq!(status, 404, "the fallback answers what the document lacks");
}

/// Contract v3, rule 10: in production mode no agent tool starts an episode
/// or reads a grade. The orchestrator names the task when it creates the
/// session and reads the grade when it closes it; `/metadata` names the
/// contract and the mode.
#[tokio::test]
async fn production_mode_keeps_the_grade_from_the_agent() {
    let server = start(&["--production"]);
    let rpc = |method: &str, params: serde_json::Value| {
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
            .to_string()
    };
    let call = |server, body: String| async move {
        let (status, text) = http(server, "POST", "/mcp", &body).await;
        assert_eq!(status, 200, "{text}");
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON-RPC")
    };
    let (_, meta) = http(&server, "GET", "/metadata", "").await;
    let meta: serde_json::Value = serde_json::from_str(&meta).expect("metadata");
    assert_eq!(meta["mode"], "production");
    assert_eq!(meta["contract"]["version"], 3);
    assert_eq!(meta["contract"]["grader"], "lexical");
    let created = call(
        &server,
        rpc(
            "openenv/session/create",
            serde_json::json!({"task_id": "billing_refund_easy"}),
        ),
    )
    .await;
    let session = created["result"]["session_id"]
        .as_str()
        .expect("a session")
        .to_owned();
    let listed = call(
        &server,
        rpc("tools/list", serde_json::json!({"session_id": session})),
    )
    .await;
    assert!(!listed.to_string().contains("start_task"), "{listed}");
    let start = call(
        &server,
        rpc(
            "tools/call",
            serde_json::json!({"session_id": session, "name": "start_task", "arguments": {"task_id": "billing_refund_easy"}}),
        ),
    )
    .await;
    assert!(
        start.get("error").is_some() || start["result"]["isError"] == true,
        "{start}"
    );
    let submitted = call(
        &server,
        rpc(
            "tools/call",
            serde_json::json!({"session_id": session, "name": "submit", "arguments": {}}),
        ),
    )
    .await;
    let text = submitted.to_string();
    assert!(text.contains("\\\"done\\\":true"), "{text}");
    assert!(
        !text.contains("score") && !text.contains("breakdown"),
        "{text}"
    );
    let closed = call(
        &server,
        rpc(
            "openenv/session/close",
            serde_json::json!({"session_id": session}),
        ),
    )
    .await;
    assert_eq!(closed["result"]["episode"]["score"], 0.0, "{closed}");
    assert_eq!(closed["result"]["episode"]["done"], true, "{closed}");
}
