//! The HTTP endpoints: health, metadata, schemas, tasks, HTTP episodes
//! (reset/step/state, identified by `episode_id`), and the tree validator.
//! Every error is a JSON body with a 4xx status, never a 5xx.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{observation_data, Shared};
use crate::runtime::env;
use crate::runtime::tree::{self, Validator};

/// A JSON error with a 4xx status.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"message": self.message, "code": self.code}});
        (self.status, Json(body)).into_response()
    }
}

fn fail(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        code,
        message: message.into(),
    }
}

/// The JSON of a request body, or the 4xx to answer instead.
fn body(bytes: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let bytes = bytes.map_err(|e| {
        let status = e.status();
        let status = if status.is_client_error() {
            status
        } else {
            StatusCode::BAD_REQUEST
        };
        fail(status, "INVALID_BODY", e.body_text())
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        fail(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            format!("Invalid JSON: {e}"),
        )
    })
}

pub async fn health() -> Json<Value> {
    Json(json!({"status": "healthy"}))
}

pub async fn metadata(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({
        "name": "taskc-supportdesk",
        "description": "SupportDesk triage tasks compiled from .task files, and the L1 tree validator",
        "version": env!("CARGO_PKG_VERSION"),
        "tasks": s.runtimes.keys().collect::<Vec<_>>(),
        "trees": s.validators.keys().collect::<Vec<_>>(),
        "max_sessions": s.config.max_sessions,
        "active_sessions": s.active_sessions(),
        "idle_timeout_secs": s.config.idle_timeout.as_secs(),
        "max_message_bytes": s.config.max_message_bytes,
    }))
}

pub async fn schema() -> Json<Value> {
    Json(json!({
        "action": schemars::schema_for!(env::Action),
        "observation": schemars::schema_for!(env::Observation),
        "state": schemars::schema_for!(env::State),
    }))
}

pub async fn tasks(State(s): State<Arc<Shared>>) -> Json<Value> {
    let list: Vec<Value> = s
        .runtimes
        .values()
        .map(|rt| json!({"task_id": rt.spec.task_id, "title": rt.spec.title, "difficulty": rt.spec.difficulty}))
        .collect();
    Json(Value::Array(list))
}

/// `POST /reset {"task_id", "seed"?, "episode_id"?}`: starts an HTTP
/// episode; its `episode_id` (given, or generated) is in `metadata`.
pub async fn reset(State(s): State<Arc<Shared>>, bytes: Result<Bytes, BytesRejection>) -> Response {
    let data = match body(bytes) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    if !data.is_object() {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "the body is a JSON object: {\"task_id\": ...}",
        )
        .into_response();
    }
    let mut data = data;
    let mut http = s.http.lock().unwrap_or_else(|e| e.into_inner());
    if data.get("episode_id").is_none_or(Value::is_null) {
        http.counter += 1;
        data["episode_id"] = json!(format!("http-{}", http.counter));
    }
    let id = data["episode_id"].as_str().unwrap_or_default().to_owned();
    let replacing = http.episodes.contains_key(&id);
    if !replacing {
        // An HTTP episode holds a session slot until it is reaped.
        match s.acquire() {
            Ok(slot) => std::mem::forget(slot),
            Err(active) => {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({"error": {
                        "message": "the server is at its session limit",
                        "code": "CAPACITY_REACHED",
                        "active_sessions": active,
                        "max_sessions": s.config.max_sessions,
                    }})),
                )
                    .into_response()
            }
        }
    }
    match s.reset(&data) {
        Ok((episode, result)) => {
            let reply = observation_data(&result, &episode);
            http.episodes.insert(id.clone(), (episode, Instant::now()));
            http.latest = Some(id);
            Json(reply).into_response()
        }
        Err((message, _)) => {
            if !replacing {
                s.active.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            }
            fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR",
                message,
            )
            .into_response()
        }
    }
}

/// `POST /step {"action": {...}, "episode_id"?}`: without `episode_id`, the
/// most recently reset HTTP episode.
pub async fn step(State(s): State<Arc<Shared>>, bytes: Result<Bytes, BytesRejection>) -> Response {
    let data = match body(bytes) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let Some(action) = data.get("action").filter(|a| a.is_object()) else {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "the body is {\"action\": {...}, \"episode_id\"?: \"...\"}",
        )
        .into_response();
    };
    let mut http = s.http.lock().unwrap_or_else(|e| e.into_inner());
    let id = match data.get("episode_id").and_then(Value::as_str) {
        Some(id) => id.to_owned(),
        None => match &http.latest {
            Some(id) => id.clone(),
            None => {
                return fail(
                    StatusCode::CONFLICT,
                    "EXECUTION_ERROR",
                    "no HTTP episode: POST /reset first",
                )
                .into_response()
            }
        },
    };
    let Some((episode, used)) = http.episodes.get_mut(&id) else {
        return fail(
            StatusCode::NOT_FOUND,
            "SESSION_ERROR",
            format!("no HTTP episode `{id}` (it may have been dropped when idle)"),
        )
        .into_response();
    };
    *used = Instant::now();
    match episode.step(action) {
        Ok(result) => Json(observation_data(&result, episode)).into_response(),
        Err(e) => fail(StatusCode::CONFLICT, "EXECUTION_ERROR", e.to_string()).into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct EpisodeQuery {
    episode_id: Option<String>,
}

/// `GET /state?episode_id=...`.
pub async fn state(
    State(s): State<Arc<Shared>>,
    query: Result<Query<EpisodeQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(q) => q.0,
        Err(e) => {
            return fail(StatusCode::BAD_REQUEST, "INVALID_QUERY", e.body_text()).into_response()
        }
    };
    let http = s.http.lock().unwrap_or_else(|e| e.into_inner());
    let id = query.episode_id.or_else(|| http.latest.clone());
    match id.and_then(|id| http.episodes.get(&id)) {
        Some((episode, _)) => Json(super::state_data(episode)).into_response(),
        None => fail(
            StatusCode::NOT_FOUND,
            "SESSION_ERROR",
            "no such HTTP episode: POST /reset first",
        )
        .into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct TreeQuery {
    tree: Option<String>,
}

fn validator<'a>(
    s: &'a Shared,
    query: &Result<Query<TreeQuery>, QueryRejection>,
) -> Result<&'a Validator, ApiError> {
    let query = match query {
        Ok(q) => q,
        Err(e) => {
            return Err(fail(
                StatusCode::BAD_REQUEST,
                "INVALID_QUERY",
                e.body_text(),
            ))
        }
    };
    let names: Vec<&str> = s.validators.keys().map(String::as_str).collect();
    let name = match (query.0.tree.as_deref(), names.as_slice()) {
        (Some(n), _) => n,
        (None, [only]) => only,
        (None, _) => {
            return Err(fail(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                format!("choose a tree policy with ?tree=NAME: {}", names.join(", ")),
            ))
        }
    };
    s.validators.get(name).ok_or_else(|| {
        fail(
            StatusCode::NOT_FOUND,
            "VALIDATION_ERROR",
            format!(
                "unknown tree policy `{name}`; declared: {}",
                names.join(", ")
            ),
        )
    })
}

/// The tree policy a request names and its JSON body; a bad query is
/// reported before a bad body.
fn validator_and_body<'a>(
    s: &'a Shared,
    query: &Result<Query<TreeQuery>, QueryRejection>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<(&'a Validator, Value), ApiError> {
    Ok((validator(s, query)?, body(bytes)?))
}

pub async fn tree_check_node(
    State(s): State<Arc<Shared>>,
    query: Result<Query<TreeQuery>, QueryRejection>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let (v, node) = match validator_and_body(&s, &query, bytes) {
        Ok(found) => found,
        Err(r) => return r.into_response(),
    };
    Json(serde_json::to_value(v.check_node(&node)).unwrap_or_default()).into_response()
}

pub async fn tree_next(
    State(s): State<Arc<Shared>>,
    query: Result<Query<TreeQuery>, QueryRejection>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let (v, input) = match validator_and_body(&s, &query, bytes) {
        Ok(found) => found,
        Err(r) => return r.into_response(),
    };
    let (Some(walk), Some(candidates)) = (
        input.get("walk").and_then(Value::as_array),
        input.get("candidates").and_then(Value::as_array),
    ) else {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "the body is {\"walk\": [...], \"candidates\": [...]}",
        )
        .into_response();
    };
    Json(serde_json::to_value(v.next(walk, candidates)).unwrap_or_default()).into_response()
}

pub async fn tree_normalize(bytes: Result<Bytes, BytesRejection>) -> Response {
    let input = match body(bytes) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let walk = input.get("walk").cloned().unwrap_or(input);
    match tree::normalize(&walk) {
        Ok(tree) => Json(tree).into_response(),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": e}))).into_response(),
    }
}

pub async fn tree_check(
    State(s): State<Arc<Shared>>,
    query: Result<Query<TreeQuery>, QueryRejection>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let (v, input) = match validator_and_body(&s, &query, bytes) {
        Ok(found) => found,
        Err(r) => return r.into_response(),
    };
    Json(serde_json::to_value(tree::check_tree(v, &input)).unwrap_or_default()).into_response()
}

pub async fn not_found() -> Response {
    fail(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "no such endpoint; see GET /metadata",
    )
    .into_response()
}

pub async fn method_not_allowed() -> Response {
    fail(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this endpoint does not take that method",
    )
    .into_response()
}
