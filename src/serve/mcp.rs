//! MCP over JSON-RPC 2.0, as openenv-core's clients speak it: `POST /mcp`
//! (sessions made with `openenv/session/create` and named by
//! `params.session_id`) and the WebSocket `mcp` message (the connection's
//! own session). Every answer is a JSON-RPC response with HTTP 200, errors
//! included; a notification over HTTP gets 202 and no body.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::api::{JsonRpcError, JsonRpcResponse};
use super::tools::{self, ToolError};
use super::{offload, SessionSlot, Shared};
use crate::runtime::env::Episode;
use crate::runtime::excerpt;

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const SERVER_ERROR: i64 = -32000;

/// The MCP protocol version answered when a client names none.
const PROTOCOL_VERSION: &str = "2025-06-18";

/// An HTTP MCP session: an episode (once `start_task` ran) and its slot.
pub struct McpSession {
    pub episode: Option<Episode>,
    pub used: Instant,
    pub _slot: SessionSlot,
}

/// Where a request came from.
pub enum Origin<'a> {
    /// `POST /mcp`.
    Http,
    /// A WebSocket `mcp` message: the connection's session.
    WebSocket {
        session_id: &'a str,
        episode: &'a mut Option<Episode>,
    },
}

fn success(id: Value, result: Value) -> JsonRpcResponse {
    JsonRpcResponse {
        jsonrpc: "2.0",
        id,
        result: Some(result),
        error: None,
    }
}

fn failure(
    id: Value,
    code: i64,
    message: impl Into<String>,
    data: Option<Value>,
) -> JsonRpcResponse {
    JsonRpcResponse {
        jsonrpc: "2.0",
        id,
        result: None,
        error: Some(JsonRpcError {
            code,
            message: message.into(),
            data,
        }),
    }
}

/// A parse error's response.
pub fn parse_error(error: &serde_json::Error) -> JsonRpcResponse {
    failure(
        Value::Null,
        PARSE_ERROR,
        format!("Parse error: {error}"),
        None,
    )
}

/// The most requests one JSON-RPC batch may hold; a longer batch is
/// refused whole (-32600) before any of it runs.
pub const MAX_BATCH: usize = 64;

/// The most bytes the answer to one message (a request or a whole batch)
/// may take. A response that would go past it is replaced by a -32000
/// error naming the limit, so an answer is never unbounded, whatever the
/// batch asks for.
pub const MAX_ANSWER_BYTES: usize = 2 << 20;

/// Answers one request or a batch. `None` when nothing is owed: a
/// notification, or a batch of them.
pub fn answer(shared: &Arc<Shared>, request: &Value, origin: &mut Origin) -> Option<Value> {
    let mut budget = MAX_ANSWER_BYTES;
    match request {
        Value::Array(batch) if batch.is_empty() => Some(to_json(failure(
            Value::Null,
            INVALID_REQUEST,
            "Invalid Request: an empty batch",
            None,
        ))),
        Value::Array(batch) if batch.len() > MAX_BATCH => Some(to_json(failure(
            Value::Null,
            INVALID_REQUEST,
            format!(
                "Invalid Request: a batch holds at most {MAX_BATCH} requests, this one {}",
                batch.len()
            ),
            Some(json!({"max_batch": MAX_BATCH})),
        ))),
        Value::Array(batch) => {
            let answers: Vec<Value> = batch
                .iter()
                .filter_map(|r| one(shared, r, origin))
                .map(|response| bounded(response, &mut budget))
                .collect();
            (!answers.is_empty()).then_some(Value::Array(answers))
        }
        single => one(shared, single, origin).map(|response| bounded(response, &mut budget)),
    }
}

/// A response as JSON, or, when it would not fit in what is left of the
/// message's answer budget, an error in its place.
fn bounded(response: JsonRpcResponse, budget: &mut usize) -> Value {
    let size = json_len(&response);
    if size <= *budget {
        *budget -= size;
        return to_json(response);
    }
    let error = failure(
        response.id,
        SERVER_ERROR,
        format!(
            "the answer would pass the {MAX_ANSWER_BYTES} bytes one message may get: send this request alone or in a smaller batch"
        ),
        Some(json!({"max_answer_bytes": MAX_ANSWER_BYTES})),
    );
    *budget = budget.saturating_sub(json_len(&error));
    to_json(error)
}

/// How many bytes a value takes as JSON, counted without writing it.
fn json_len(value: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

fn to_json(response: JsonRpcResponse) -> Value {
    serde_json::to_value(response).unwrap_or(Value::Null)
}

/// One request; `None` for a notification (no `id`).
fn one(shared: &Arc<Shared>, request: &Value, origin: &mut Origin) -> Option<JsonRpcResponse> {
    let Some(object) = request.as_object() else {
        return Some(failure(
            Value::Null,
            INVALID_REQUEST,
            "Invalid Request: a JSON-RPC request is an object {\"jsonrpc\": \"2.0\", \"method\", \"params\", \"id\"}",
            None,
        ));
    };
    let id = match object.get("id") {
        None => None,
        // A number past 64 bits (or with a fraction) is read as a float and
        // could not be echoed as sent (`10^30` came back as `1e+30`).
        Some(Value::Number(n)) if !(n.is_i64() || n.is_u64()) => {
            return Some(failure(
                Value::Null,
                INVALID_REQUEST,
                "Invalid Request: a numeric `id` is a whole number of at most 64 bits (send a larger one as a string)",
                None,
            ))
        }
        Some(id @ (Value::String(_) | Value::Number(_) | Value::Null)) => Some(id.clone()),
        Some(_) => {
            return Some(failure(
                Value::Null,
                INVALID_REQUEST,
                "Invalid Request: `id` is a string or a number",
                None,
            ))
        }
    };
    let reply_id = id.clone().unwrap_or(Value::Null);
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(failure(
            reply_id,
            INVALID_REQUEST,
            "Invalid Request: `jsonrpc` must be \"2.0\"",
            None,
        ));
    }
    let Some(method) = object.get("method").and_then(Value::as_str) else {
        return Some(failure(
            reply_id,
            INVALID_REQUEST,
            "Invalid Request: `method` is a string",
            None,
        ));
    };
    let empty = Map::new();
    let params = match object.get("params") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(_) => {
            return Some(failure(
                reply_id,
                INVALID_PARAMS,
                "Invalid params: `params` is an object",
                None,
            ))
        }
    };
    // A session created by a notification could never be used or closed
    // (no answer carries its id): it would hold a slot until the idle
    // timeout. Such a notification does nothing.
    if id.is_none() && method == "openenv/session/create" {
        return None;
    }
    let response = match dispatch(shared, method, params, origin) {
        Ok(result) => success(reply_id, result),
        Err((code, message, data)) => failure(reply_id, code, message, data),
    };
    // A notification is answered with nothing, whatever happened.
    id.map(|_| response)
}

type Failure = (i64, String, Option<Value>);

fn invalid_params(message: impl Into<String>) -> Failure {
    (INVALID_PARAMS, message.into(), None)
}

fn dispatch(
    shared: &Arc<Shared>,
    method: &str,
    params: &Map<String, Value>,
    origin: &mut Origin,
) -> Result<Value, Failure> {
    // In production mode no agent tool starts or restarts an episode.
    let with_start = matches!(origin, Origin::Http) && !shared.config.production;
    match method {
        "initialize" => Ok(json!({
            "protocolVersion": params
                .get("protocolVersion")
                .and_then(Value::as_str)
                .unwrap_or(PROTOCOL_VERSION),
            "capabilities": {"tools": {"listChanged": false}},
            "serverInfo": {"name": "taskc", "version": env!("CARGO_PKG_VERSION")},
            "instructions": "SupportDesk triage tasks as tools. Over HTTP, create a session (openenv/session/create), call start_task, then act with the action tools until submit; the tree tools need no session.",
        })),
        "ping" => Ok(json!({})),
        "tools/list" => {
            if let Origin::Http = origin {
                session(shared, params)?;
            }
            let tools: Vec<Value> = tools::tools(shared, with_start)
                .iter()
                .map(|t| json!({"name": t.name, "description": t.description, "inputSchema": t.input_schema}))
                .collect();
            Ok(json!({ "tools": tools }))
        }
        "tools/call" => {
            let name = match params.get("name") {
                Some(Value::String(name)) => name.as_str(),
                _ => return Err(invalid_params("Invalid params: `name` (the tool) is a string")),
            };
            let arguments = params.get("arguments").unwrap_or(&Value::Null);
            let outcome = match origin {
                Origin::WebSocket { episode, .. } => {
                    tools::call(shared, episode, name, arguments, with_start)
                }
                Origin::Http => match session(shared, params)? {
                    Some(entry) => {
                        let mut entry = entry.lock().unwrap_or_else(|e| e.into_inner());
                        entry.used = Instant::now();
                        tools::call(shared, &mut entry.episode, name, arguments, with_start)
                    }
                    // No session: the tree tools still work.
                    None => tools::call(shared, &mut None, name, arguments, with_start),
                },
            };
            match outcome {
                Ok(called) => Ok(called.result),
                Err(e) => tool_failure(e),
            }
        }
        "openenv/session/create" => match origin {
            Origin::WebSocket { session_id, .. } => Ok(json!({ "session_id": session_id })),
            Origin::Http => create(shared, params),
        },
        "openenv/session/close" => {
            let Some(target) = params.get("session_id").and_then(Value::as_str) else {
                return Err(invalid_params("Invalid params: `session_id` is required"));
            };
            if let Origin::WebSocket { session_id, .. } = origin {
                if *session_id == target {
                    return Err((
                        INVALID_REQUEST,
                        "this is the WebSocket's own session: close the connection to end it".into(),
                        None,
                    ));
                }
            }
            match shared.mcp_sessions().remove(target) {
                // The grade of the session's episode, for the orchestrator
                // (in production mode no tool result carries it).
                Some(entry) => {
                    let grade = entry.lock().ok().and_then(|s| {
                        s.episode.as_ref().map(|e| {
                            let info = e.info();
                            json!({
                                "task_id": e.task().spec.task_id,
                                "done": e.is_done(),
                                "score": info.score,
                                "breakdown": info.breakdown,
                                "gates": info.gates,
                            })
                        })
                    });
                    let mut answer = json!({"session_id": target, "closed": true});
                    if let Some(grade) = grade {
                        answer["episode"] = grade;
                    }
                    Ok(answer)
                }
                None => Err(invalid_params(format!(
                    "Unknown session_id: {}",
                    excerpt(target)
                ))),
            }
        }
        other => Err((
            METHOD_NOT_FOUND,
            format!(
                "Method not found: {}; the methods are initialize, ping, tools/list, tools/call, openenv/session/create, openenv/session/close",
                excerpt(other)
            ),
            None,
        )),
    }
}

/// A tool that did not run: a wrong name or wrong arguments is the
/// caller's error (-32602); an action that cannot run now (no episode, the
/// episode has ended) is a tool result with `isError`, as MCP has it.
fn tool_failure(e: ToolError) -> Result<Value, Failure> {
    if e.error_type == "execution_error" {
        return Ok(tools::result(json!({"error": e.to_json()}), true));
    }
    Err((INVALID_PARAMS, e.message.clone(), Some(e.to_json())))
}

/// The HTTP session `params.session_id` names, if any.
fn session(
    shared: &Shared,
    params: &Map<String, Value>,
) -> Result<Option<Arc<Mutex<McpSession>>>, Failure> {
    match params.get("session_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) => match shared.mcp_sessions().get(id) {
            Some(entry) => Ok(Some(entry.clone())),
            None => Err(invalid_params(format!(
                "Unknown session_id: {} (it may have been dropped when idle)",
                excerpt(id)
            ))),
        },
        Some(_) => Err(invalid_params("Invalid params: `session_id` is a string")),
    }
}

/// `openenv/session/create` over HTTP: a session slot, held until the
/// session is closed or idle past the timeout. With `task_id` (and
/// optionally `seed`, `episode_id`) in the params, the session starts an
/// episode of that task: how an orchestrator starts one in production mode.
fn create(shared: &Arc<Shared>, params: &Map<String, Value>) -> Result<Value, Failure> {
    let episode = match params.get("task_id") {
        None | Some(Value::Null) => None,
        Some(_) => {
            let mut reset = Map::new();
            for key in ["task_id", "seed", "episode_id"] {
                if let Some(v) = params.get(key) {
                    reset.insert(key.to_owned(), v.clone());
                }
            }
            let (episode, _) = shared
                .reset(&Value::Object(reset))
                .map_err(|(message, _)| invalid_params(message))?;
            Some(episode)
        }
    };
    let slot = shared.acquire().map_err(|active| {
        (
            SERVER_ERROR,
            format!(
                "the server is at its session limit ({active} of {})",
                shared.config.max_sessions
            ),
            Some(json!({"active_sessions": active, "max_sessions": shared.config.max_sessions})),
        )
    })?;
    let Some(id) = super::random_episode_id() else {
        return Err((
            SERVER_ERROR,
            "the system has no randomness for a session id".into(),
            None,
        ));
    };
    shared.mcp_sessions().insert(
        id.clone(),
        Arc::new(Mutex::new(McpSession {
            episode,
            used: Instant::now(),
            _slot: slot,
        })),
    );
    Ok(json!({ "session_id": id }))
}

/// `POST /mcp`.
pub async fn http(State(s): State<Arc<Shared>>, bytes: Result<Bytes, BytesRejection>) -> Response {
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => {
            let response = failure(
                Value::Null,
                INVALID_REQUEST,
                format!("Invalid Request: {}", e.body_text()),
                None,
            );
            return Json(response).into_response();
        }
    };
    offload(bytes.len(), move || {
        let request: Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => return Json(parse_error(&e)).into_response(),
        };
        match answer(&s, &request, &mut Origin::Http) {
            Some(response) => Json(response).into_response(),
            None => StatusCode::ACCEPTED.into_response(),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_past_the_budget_is_replaced_by_an_error() {
        let mut budget = MAX_ANSWER_BYTES;
        let small = success(json!(1), json!({"ok": true}));
        assert_eq!(bounded(small, &mut budget)["result"]["ok"], true);
        let huge = success(json!(2), json!("a".repeat(MAX_ANSWER_BYTES)));
        let answer = bounded(huge, &mut budget);
        assert_eq!(answer["id"], 2);
        assert_eq!(answer["error"]["code"], SERVER_ERROR);
        // Many answers that fit one by one fill the budget, then give way.
        let mut budget = MAX_ANSWER_BYTES;
        let mut total = 0;
        for i in 0..64 {
            let part = success(json!(i), json!("b".repeat(64 << 10)));
            total += serde_json::to_string(&bounded(part, &mut budget))
                .expect("JSON")
                .len();
        }
        assert!(total <= MAX_ANSWER_BYTES, "{total}");
    }
}
