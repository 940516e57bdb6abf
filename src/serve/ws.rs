//! The OpenEnv WebSocket protocol at `/ws`: one environment per connection;
//! one JSON text frame per request and exactly one reply, in order; error
//! frames with the protocol's codes, after which the connection stays
//! usable; a `CAPACITY_REACHED` frame and a close when the server is full.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use serde_json::{json, Value};

use super::{observation_data, Shared};
use crate::runtime::env::Episode;

/// A message past the configured limit is answered with an error frame; one
/// past this many times the limit cannot be read at all and closes the
/// connection (1009).
const HARD_LIMIT_FACTOR: usize = 8;

pub async fn upgrade(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    let hard = shared
        .config
        .max_message_bytes
        .saturating_mul(HARD_LIMIT_FACTOR);
    ws.max_message_size(hard)
        .max_frame_size(hard)
        .on_upgrade(move |socket| session(socket, shared, peer))
}

fn error(code: &str, message: impl Into<String>) -> Value {
    json!({"type": "error", "data": {"message": message.into(), "code": code}})
}

async fn send(socket: &mut WebSocket, value: &Value) -> bool {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .is_ok()
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.to_owned().into(),
        })))
        .await;
}

async fn session(mut socket: WebSocket, shared: Arc<Shared>, peer: SocketAddr) {
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
            send(&mut socket, &frame).await;
            close(&mut socket, 1000, "capacity reached").await;
            return;
        }
    };
    tracing::info!(%peer, active = shared.active_sessions(), "connection opened");
    let mut episode: Option<Episode> = None;
    let mut shutdown = shared.shutdown.clone();
    let idle = shared.config.idle_timeout;
    let reason = loop {
        let received = tokio::select! {
            r = tokio::time::timeout(idle, socket.recv()) => r,
            _ = shutdown.changed() => {
                close(&mut socket, 1001, "server shutting down").await;
                break "server shutdown";
            }
        };
        let message = match received {
            Err(_) => {
                close(&mut socket, 1000, "idle timeout").await;
                break "idle timeout";
            }
            Ok(None) => break "disconnected",
            Ok(Some(Err(e))) => {
                tracing::info!(%peer, error = %e, "connection error");
                break "connection error";
            }
            Ok(Some(Ok(message))) => message,
        };
        let text = match message {
            Message::Text(t) => t.to_string(),
            Message::Binary(b) => match String::from_utf8(b.to_vec()) {
                Ok(t) => t,
                Err(_) => {
                    if !send(
                        &mut socket,
                        &error("INVALID_JSON", "the message is not UTF-8 text"),
                    )
                    .await
                    {
                        break "send failed";
                    }
                    continue;
                }
            },
            // Pings are answered by the WebSocket layer itself.
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => break "closed by client",
        };
        let limit = shared.config.max_message_bytes;
        if text.len() > limit {
            let frame = error(
                "VALIDATION_ERROR",
                format!("the message has {} bytes; the limit is {limit}", text.len()),
            );
            if !send(&mut socket, &frame).await {
                break "send failed";
            }
            continue;
        }
        match handle(&shared, &mut episode, &text) {
            Some(reply) => {
                if !send(&mut socket, &reply).await {
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

/// One request → its reply (`None` for `close`).
fn handle(shared: &Shared, episode: &mut Option<Episode>, text: &str) -> Option<Value> {
    let message: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Some(error("INVALID_JSON", format!("Invalid JSON: {e}"))),
    };
    let kind = message.get("type").and_then(Value::as_str).unwrap_or("");
    let empty = json!({});
    let data = message.get("data").unwrap_or(&empty);
    Some(match kind {
        "reset" => {
            if !data.is_object() {
                return Some(validation(
                    "`data` of a reset is an object of keyword arguments",
                    "data",
                ));
            }
            match shared.reset(data) {
                Ok((new, result)) => {
                    let reply =
                        json!({"type": "observation", "data": observation_data(&result, &new)});
                    *episode = Some(new);
                    reply
                }
                Err((message, field)) => validation(&message, field),
            }
        }
        "step" => {
            let Some(current) = episode.as_mut() else {
                return Some(error("EXECUTION_ERROR", "no episode: send a reset first"));
            };
            if !data.is_object() {
                return Some(validation(
                    "`data` of a step is the action, a JSON object",
                    "data",
                ));
            }
            match current.step(data) {
                Ok(result) => {
                    if result.done {
                        let state = current.state();
                        tracing::info!(
                            task = %state.task_id,
                            episode = %state.episode_id,
                            steps = state.step_count,
                            score = state.score,
                            "episode finished"
                        );
                    }
                    json!({"type": "observation", "data": observation_data(&result, current)})
                }
                Err(e) => error("EXECUTION_ERROR", e.to_string()),
            }
        }
        "state" => match episode {
            Some(e) => json!({"type": "state", "data": super::state_data(e)}),
            None => json!({"type": "state", "data": {"episode_id": null, "step_count": 0}}),
        },
        "close" => return None,
        other => error("UNKNOWN_TYPE", format!("Unknown message type: {other}")),
    })
}

fn validation(message: &str, field: &str) -> Value {
    let mut frame = error("VALIDATION_ERROR", message);
    frame["data"]["errors"] =
        json!([{"loc": ["data", field], "msg": message, "type": "value_error"}]);
    frame
}
