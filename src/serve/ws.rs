//! The OpenEnv WebSocket protocol at `/ws`: one environment per connection;
//! one JSON text frame per request and exactly one reply, in order; error
//! frames with the protocol's codes, after which the connection stays
//! usable; a `CAPACITY_REACHED` frame and a close when the server is full.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use serde_json::{json, Value};

use super::{mcp, offload, tools, Shared};
use crate::runtime::env::Episode;

/// A message past the configured limit is answered with an error frame; one
/// past this many times the limit cannot be read at all and closes the
/// connection (1009).
const HARD_LIMIT_FACTOR: usize = 8;

/// What the server buffers for a client that does not read (pongs, and
/// its replies): past it, the connection's sends wait, and time out.
const MAX_WRITE_BUFFER_BYTES: usize = 2 << 20;

/// How much each read from the socket asks for. The WebSocket layer zeroes
/// this much before every read (its default, 128 KiB, was 8% of a served
/// step); requests are a few hundred bytes, and a bigger message is read
/// in several reads.
const READ_BUFFER_BYTES: usize = 8 << 10;

pub async fn upgrade(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    let hard = shared
        .config
        .max_message_bytes
        .saturating_mul(HARD_LIMIT_FACTOR);
    // Counted from the upgrade on, so a drain waits for the session.
    let tracked = shared.tracker.enter();
    ws.max_message_size(hard)
        .max_frame_size(hard)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            session(socket, shared, peer).await;
            drop(tracked);
        })
}

fn error(code: &str, message: impl Into<String>) -> Value {
    json!({"type": "error", "data": {"message": message.into(), "code": code}})
}

/// How long a send may wait on a client that does not read.
fn send_timeout(shared: &Shared) -> Duration {
    shared.config.idle_timeout.min(MAX_SEND_WAIT)
}

/// The longest a send waits, whatever the idle timeout.
const MAX_SEND_WAIT: Duration = Duration::from_secs(10);

async fn send(socket: &mut WebSocket, value: &Value, within: Duration) -> bool {
    send_text(socket, value.to_string(), within).await
}

async fn send_text(socket: &mut WebSocket, text: String, within: Duration) -> bool {
    let frame = Message::Text(text.into());
    matches!(
        tokio::time::timeout(within, socket.send(frame)).await,
        Ok(Ok(()))
    )
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = Message::Close(Some(CloseFrame {
        code,
        reason: reason.to_owned().into(),
    }));
    let _ = tokio::time::timeout(CLOSE_WAIT, socket.send(frame)).await;
}

/// How long a close frame may take to go out.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// The close code and reason for an error reading a message (RFC 6455:
/// 1009 too big, 1007 not UTF-8, 1002 a protocol error), if one is owed.
fn close_for(error: axum::Error) -> Option<(u16, &'static str)> {
    let error = error.into_inner().downcast::<tungstenite::Error>().ok()?;
    match *error {
        tungstenite::Error::Capacity(_) => Some((1009, "message too big")),
        tungstenite::Error::Utf8(_) => Some((1007, "text frame is not UTF-8")),
        tungstenite::Error::Protocol(_) => Some((1002, "protocol error")),
        _ => None,
    }
}

async fn session(mut socket: WebSocket, shared: Arc<Shared>, peer: SocketAddr) {
    let sending = send_timeout(&shared);
    let _slot = match shared.acquire() {
        Ok(slot) => slot,
        Err(active) => {
            tracing::info!(%peer, active, "connection refused: capacity reached");
            let mut frame = error(
                "CAPACITY_REACHED",
                format!(
                    "the server is at its session limit ({} of {}); try again later",
                    active, shared.config.max_sessions
                ),
            );
            frame["data"]["active_sessions"] = json!(active);
            frame["data"]["max_sessions"] = json!(shared.config.max_sessions);
            send(&mut socket, &frame, sending).await;
            close(&mut socket, 1000, "capacity reached").await;
            return;
        }
    };
    tracing::info!(%peer, active = shared.active_sessions(), "connection opened");
    let mut current = Session::default();
    let mut shutdown = shared.shutdown.clone();
    let idle = shared.config.idle_timeout;
    // Only requests keep a session alive: pings alone do not. One timer per
    // connection, armed for the idle timeout after the last request: when
    // it fires early (requests came since), it is armed again for the new
    // deadline. (A timer per received message cost ~2% of a step.)
    let mut last_request = tokio::time::Instant::now();
    let idle_timer = tokio::time::sleep_until(last_request + idle);
    tokio::pin!(idle_timer);
    let reason = loop {
        if *shutdown.borrow_and_update() {
            close(&mut socket, 1001, "server shutting down").await;
            break "server shutdown";
        }
        let received = tokio::select! {
            r = socket.recv() => Ok(r),
            () = &mut idle_timer => Err(()),
            _ = shutdown.changed() => continue,
        };
        let message = match received {
            Err(()) => {
                let due = last_request + idle;
                if tokio::time::Instant::now() < due {
                    idle_timer.as_mut().reset(due);
                    continue;
                }
                close(&mut socket, 1000, "idle timeout").await;
                break "idle timeout";
            }
            Ok(None) => break "disconnected",
            Ok(Some(Err(e))) => {
                tracing::info!(%peer, error = %e, "connection error");
                if let Some((code, reason)) = close_for(e) {
                    close(&mut socket, code, reason).await;
                }
                break "connection error";
            }
            Ok(Some(Ok(message))) => message,
        };
        let text = match message {
            Message::Text(t) => t.to_string(),
            Message::Binary(b) => match String::from_utf8(b.to_vec()) {
                Ok(t) => t,
                Err(_) => {
                    last_request = tokio::time::Instant::now();
                    let frame = error("INVALID_JSON", "the message is not UTF-8 text");
                    if !send(&mut socket, &frame, sending).await {
                        break "send failed";
                    }
                    continue;
                }
            },
            // Pings are answered by the WebSocket layer itself.
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => break "closed by client",
        };
        last_request = tokio::time::Instant::now();
        let limit = shared.config.max_message_bytes;
        if text.len() > limit {
            let frame = error(
                "VALIDATION_ERROR",
                format!("the message has {} bytes; the limit is {limit}", text.len()),
            );
            if !send(&mut socket, &frame, sending).await {
                break "send failed";
            }
            continue;
        }
        let worker = shared.clone();
        let (reply, kept) = offload(text.len(), move || {
            let mut current = current;
            let reply = handle(&worker, &mut current, &text);
            (reply, current)
        })
        .await;
        current = kept;
        match reply {
            Some(reply) => {
                if !send_text(&mut socket, reply, sending).await {
                    break "send failed";
                }
            }
            None => {
                close(&mut socket, 1000, "closed").await;
                break "closed by client";
            }
        }
    };
    tracing::info!(%peer, reason, "connection closed");
}

/// What a connection holds: its episode, and its id once an `mcp` message
/// asked for it (`openenv/session/create`).
#[derive(Default)]
struct Session {
    episode: Option<Episode>,
    id: Option<String>,
}

/// One request → its reply frame (`None` for `close`).
fn handle(shared: &Arc<Shared>, session: &mut Session, text: &str) -> Option<String> {
    match answer(shared, session, text)? {
        Answer::Value(value) => Some(value.to_string()),
        Answer::Text(text) => Some(text),
    }
}

/// A reply frame: a JSON value, or (observations) text already written.
enum Answer {
    Value(Value),
    Text(String),
}

impl From<Value> for Answer {
    fn from(value: Value) -> Self {
        Answer::Value(value)
    }
}

fn answer(shared: &Arc<Shared>, session: &mut Session, text: &str) -> Option<Answer> {
    let message: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Some(error("INVALID_JSON", format!("Invalid JSON: {e}")).into()),
    };
    let kind = message.get("type").and_then(Value::as_str).unwrap_or("");
    let empty = json!({});
    let data = message.get("data").unwrap_or(&empty);
    let episode = &mut session.episode;
    Some(match kind {
        "reset" => {
            if !data.is_object() {
                return Some(
                    validation(
                        "`data` of a reset is an object of keyword arguments",
                        "data",
                    )
                    .into(),
                );
            }
            match shared.reset(data) {
                Ok((new, result)) => {
                    let reply = shared.step_reply(result, &new, true);
                    *episode = Some(new);
                    Answer::Text(reply)
                }
                Err((message, field)) => validation(&message, field).into(),
            }
        }
        "step" => {
            if !data.is_object() {
                return Some(
                    validation("`data` of a step is the action, a JSON object", "data").into(),
                );
            }
            match data.get("type").and_then(Value::as_str) {
                Some("list_tools") => return Some(list_tools(shared, episode).into()),
                Some("call_tool") => return Some(call_tool(shared, episode, data).into()),
                _ => {}
            }
            let Some(current) = episode.as_mut() else {
                return Some(error("EXECUTION_ERROR", "no episode: send a reset first").into());
            };
            match current.step(data) {
                Ok(result) => {
                    if result.done {
                        log_finished(current);
                    }
                    Answer::Text(shared.step_reply(result, current, true))
                }
                Err(e) => error("EXECUTION_ERROR", e.to_string()).into(),
            }
        }
        "state" => match episode {
            Some(e) => json!({"type": "state", "data": super::state_data(e)}).into(),
            None => json!({"type": "state", "data": {"episode_id": null, "step_count": 0}}).into(),
        },
        "mcp" => {
            let Some(request) = message.get("data") else {
                return Some(
                    validation("`data` of an mcp message is a JSON-RPC request", "data").into(),
                );
            };
            let Some(session_id) = session.id.clone().or_else(super::random_episode_id) else {
                return Some(
                    error(
                        "EXECUTION_ERROR",
                        "the system has no randomness for a session id",
                    )
                    .into(),
                );
            };
            session.id = Some(session_id.clone());
            let mut origin = mcp::Origin::WebSocket {
                session_id: &session_id,
                episode: &mut session.episode,
            };
            // A notification is answered too: one reply per message.
            let response = mcp::answer(shared, request, &mut origin)
                .unwrap_or_else(|| json!({"jsonrpc": "2.0", "id": null, "result": {}}));
            json!({"type": "mcp", "data": response}).into()
        }
        "close" => return None,
        other => error("UNKNOWN_TYPE", format!("Unknown message type: {other}")).into(),
    })
}

/// At debug level: a training run ends thousands of episodes a second, and
/// a line each would flood the log (and cost a write per few steps).
fn log_finished(episode: &Episode) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let state = episode.state();
    tracing::debug!(
        task = %state.task_id,
        episode = %state.episode_id,
        steps = state.step_count,
        score = state.score,
        "episode finished"
    );
}

/// An observation frame that is not an environment step (the tools): no
/// reward, and `done` as the episode stands.
fn tool_frame(observation: Value, reward: f64, done: bool) -> Value {
    json!({"type": "observation", "data": {
        "observation": observation,
        "reward": reward,
        "done": done,
        "metadata": {},
    }})
}

fn episode_done(episode: &Option<Episode>) -> bool {
    episode.as_ref().is_some_and(|e| e.state().done)
}

/// `step` with `{"type": "list_tools"}`: the tools, as openenv-core's
/// `ListToolsObservation` (no step is taken; no reset is needed).
fn list_tools(shared: &Shared, episode: &Option<Episode>) -> Value {
    let tools: Vec<Value> = tools::tools(shared, false)
        .iter()
        .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.input_schema}))
        .collect();
    tool_frame(
        json!({"tools": tools, "metadata": {}}),
        0.0,
        episode_done(episode),
    )
}

/// `step` with `{"type": "call_tool", "tool_name", "arguments"}`: as
/// openenv-core's `CallToolObservation`. An action tool is a step, with
/// the plain action's reward, done and metadata.
fn call_tool(shared: &Shared, episode: &mut Option<Episode>, data: &Value) -> Value {
    let Some(name) = data.get("tool_name").and_then(Value::as_str) else {
        return validation("`call_tool` needs a `tool_name` (a string)", "tool_name");
    };
    let arguments = data.get("arguments").unwrap_or(&Value::Null);
    match tools::call(shared, episode, name, arguments, false) {
        Ok(called) => {
            let metadata = called.result["data"]["metadata"].clone();
            let (reward, done) = called.step.unwrap_or((0.0, episode_done(episode)));
            if called.step.is_some_and(|(_, done)| done) {
                if let Some(e) = episode.as_ref() {
                    log_finished(e);
                }
            }
            let metadata = if metadata.is_object() {
                metadata
            } else {
                json!({})
            };
            let mut frame = tool_frame(
                json!({"tool_name": name, "result": called.result, "error": null, "metadata": metadata}),
                reward,
                done,
            );
            frame["data"]["metadata"] = metadata;
            frame
        }
        Err(e) => tool_frame(
            json!({"tool_name": name, "result": null, "error": e.to_json(), "metadata": {}}),
            0.0,
            episode_done(episode),
        ),
    }
}

fn validation(message: &str, field: &str) -> Value {
    let mut frame = error("VALIDATION_ERROR", message);
    frame["data"]["errors"] =
        json!([{"loc": ["data", field], "msg": message, "type": "value_error"}]);
    frame
}
