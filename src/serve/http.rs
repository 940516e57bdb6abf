//! The HTTP endpoints: health, metadata, schemas, tasks, HTTP episodes
//! (reset/step/state, identified by `episode_id`), and the tree validator.
//! Every error is a JSON body; whatever a client sends gets a 4xx, never a
//! 5xx (a 503 says only that the server itself cannot serve: no connection
//! slot, no randomness).

use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{api, offload, tools, HttpEpisode, Shared};
use crate::runtime::excerpt;
use crate::runtime::tree::{self, Validator};

/// A JSON error with a 4xx status.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = api::ErrorBody {
            error: api::ErrorDetail {
                message: self.message,
                code: self.code.to_owned(),
            },
        };
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

pub async fn health() -> Json<api::Health> {
    Json(api::Health { status: "healthy" })
}

pub async fn metadata(State(s): State<Arc<Shared>>) -> Json<api::Metadata> {
    Json(api::Metadata {
        name: "taskc-supportdesk",
        description:
            "SupportDesk triage tasks compiled from .task files, and the L1 tree validator",
        version: env!("CARGO_PKG_VERSION"),
        tasks: s.runtimes.keys().cloned().collect(),
        trees: s.validators.keys().cloned().collect(),
        tools: tools::tools(&s, false)
            .iter()
            .map(|t| t.name.to_owned())
            .collect(),
        contract: crate::spec::Contract::default(),
        mode: if s.config.production {
            "production"
        } else {
            "simulation"
        },
        max_sessions: s.config.max_sessions,
        active_sessions: s.active_sessions(),
        idle_timeout_secs: s.config.idle_timeout.as_secs(),
        max_message_bytes: s.config.max_message_bytes,
    })
}

pub async fn schema() -> Json<api::Schemas> {
    Json(api::Schemas::new())
}

/// `GET /openapi.json`.
pub async fn openapi() -> Json<&'static Value> {
    Json(api::openapi())
}

pub async fn tasks(State(s): State<Arc<Shared>>) -> Json<Vec<api::TaskSummary>> {
    Json(
        s.runtimes
            .values()
            .map(|rt| api::TaskSummary {
                task_id: rt.spec.task_id.clone(),
                title: rt.spec.title.clone(),
                difficulty: rt.spec.difficulty,
            })
            .collect(),
    )
}

/// `POST /reset {"task_id", "seed"?, "episode_id"?}`: starts an HTTP
/// episode; its `episode_id` (given, or 128 random bits) is in `metadata`.
/// The id is the episode's key: a reset naming a live episode is refused,
/// so no client can replace another's.
pub async fn reset(State(s): State<Arc<Shared>>, bytes: Result<Bytes, BytesRejection>) -> Response {
    let size = bytes.as_ref().map_or(0, Bytes::len);
    offload(size, move || reset_now(&s, bytes)).await
}

fn reset_now(s: &Arc<Shared>, bytes: Result<Bytes, BytesRejection>) -> Response {
    let mut data = match body(bytes) {
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
    if data.get("episode_id").is_none_or(Value::is_null) {
        let Some(id) = super::random_episode_id() else {
            return fail(
                StatusCode::SERVICE_UNAVAILABLE,
                "EXECUTION_ERROR",
                "the system has no randomness for an episode id; name one with `episode_id`",
            )
            .into_response();
        };
        data["episode_id"] = json!(id);
    }
    let (episode, result) = match s.reset(&data) {
        Ok(started) => started,
        Err((message, _)) => {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR",
                message,
            )
            .into_response()
        }
    };
    let id = data["episode_id"].as_str().unwrap_or_default().to_owned();
    let mut http = s.http_episodes();
    if http.contains_key(&id) {
        return fail(
            StatusCode::CONFLICT,
            "SESSION_ERROR",
            format!(
                "an HTTP episode `{}` is already running; leave `episode_id` out to get a new one",
                excerpt(&id)
            ),
        )
        .into_response();
    }
    // An HTTP episode holds a session slot until it is reaped.
    let slot = match s.acquire() {
        Ok(slot) => slot,
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
    };
    let reply = s.step_reply(result, &episode, false);
    http.insert(
        id,
        Arc::new(Mutex::new(HttpEpisode {
            episode,
            used: Instant::now(),
            _slot: slot,
        })),
    );
    json_text(reply)
}

/// A JSON body already written (what `Json` of the same value sends).
fn json_text(text: String) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}

/// The HTTP episode a request names with `episode_id`.
fn named_episode(s: &Shared, id: Option<&str>) -> Result<Arc<Mutex<HttpEpisode>>, ApiError> {
    let Some(id) = id else {
        return Err(fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "name the episode: `episode_id` is the `metadata.episode_id` your POST /reset returned",
        ));
    };
    s.http_episodes().get(id).cloned().ok_or_else(|| {
        fail(
            StatusCode::NOT_FOUND,
            "SESSION_ERROR",
            format!(
                "no HTTP episode `{}` (it may have been dropped when idle)",
                excerpt(id)
            ),
        )
    })
}

/// `POST /step {"action": {...}, "episode_id"}`.
pub async fn step(State(s): State<Arc<Shared>>, bytes: Result<Bytes, BytesRejection>) -> Response {
    let size = bytes.as_ref().map_or(0, Bytes::len);
    offload(size, move || step_now(&s, bytes)).await
}

fn step_now(s: &Shared, bytes: Result<Bytes, BytesRejection>) -> Response {
    let data = match body(bytes) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let Some(action) = data.get("action").filter(|a| a.is_object()) else {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "the body is {\"action\": {...}, \"episode_id\": \"...\"}",
        )
        .into_response();
    };
    let entry = match named_episode(s, data.get("episode_id").and_then(Value::as_str)) {
        Ok(entry) => entry,
        Err(e) => return e.into_response(),
    };
    let mut entry = entry.lock().unwrap_or_else(|e| e.into_inner());
    entry.used = Instant::now();
    match entry.episode.step(action) {
        Ok(result) => json_text(s.step_reply(result, &entry.episode, false)),
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
    match named_episode(&s, query.episode_id.as_deref()) {
        Ok(entry) => {
            let entry = entry.lock().unwrap_or_else(|e| e.into_inner());
            Json(super::state_data(&entry.episode)).into_response()
        }
        Err(e) => e.into_response(),
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

/// Runs a tree endpoint's work (off the async workers for a big body).
async fn tree_endpoint(
    s: Arc<Shared>,
    query: Result<Query<TreeQuery>, QueryRejection>,
    bytes: Result<Bytes, BytesRejection>,
    work: impl FnOnce(&Validator, Value) -> Response + Send + 'static,
) -> Response {
    let size = bytes.as_ref().map_or(0, Bytes::len);
    offload(size, move || match validator_and_body(&s, &query, bytes) {
        Ok((v, input)) => work(v, input),
        Err(r) => r.into_response(),
    })
    .await
}

pub async fn tree_check_node(
    State(s): State<Arc<Shared>>,
    query: Result<Query<TreeQuery>, QueryRejection>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    tree_endpoint(s, query, bytes, |v, node| {
        Json(serde_json::to_value(v.check_node(&node)).unwrap_or_default()).into_response()
    })
    .await
}

pub async fn tree_next(
    State(s): State<Arc<Shared>>,
    query: Result<Query<TreeQuery>, QueryRejection>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    tree_endpoint(s, query, bytes, |v, input| {
        let Ok(api::NextRequest { walk, candidates }) = serde_json::from_value(input) else {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR",
                "the body is {\"walk\": [...], \"candidates\": [...]}",
            )
            .into_response();
        };
        Json(serde_json::to_value(v.next(&walk, &candidates)).unwrap_or_default()).into_response()
    })
    .await
}

/// `POST /tree/prompt?tree=NAME`.
pub async fn tree_prompt(
    State(s): State<Arc<Shared>>,
    query: Result<Query<TreeQuery>, QueryRejection>,
) -> Response {
    match validator(&s, &query) {
        Ok(v) => Json(api::PromptReply {
            tree: v.name.clone(),
            prompt: v.prompt(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /tree/context {"problem", "category", "walk"}`.
pub async fn tree_context(bytes: Result<Bytes, BytesRejection>) -> Response {
    let size = bytes.as_ref().map_or(0, Bytes::len);
    offload(size, move || {
        let input = match body(bytes) {
            Ok(v) => v,
            Err(r) => return r.into_response(),
        };
        let Ok(api::ContextRequest {
            problem,
            category,
            walk,
        }) = serde_json::from_value(input)
        else {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR",
                "the body is {\"problem\": \"...\", \"category\": \"...\", \"walk\": [...]}",
            )
            .into_response();
        };
        match tree::context(&problem, &category, &walk) {
            Ok(context) => Json(api::ContextReply { context }).into_response(),
            Err(message) => fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR",
                message,
            )
            .into_response(),
        }
    })
    .await
}

pub async fn tree_normalize(bytes: Result<Bytes, BytesRejection>) -> Response {
    let size = bytes.as_ref().map_or(0, Bytes::len);
    offload(size, move || {
        let input = match body(bytes) {
            Ok(v) => v,
            Err(r) => return r.into_response(),
        };
        let walk = input.get("walk").cloned().unwrap_or(input);
        match tree::normalize(&walk) {
            Ok(tree) => Json(tree).into_response(),
            Err(error) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(api::WalkRefused { error }),
            )
                .into_response(),
        }
    })
    .await
}

pub async fn tree_check(
    State(s): State<Arc<Shared>>,
    query: Result<Query<TreeQuery>, QueryRejection>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    tree_endpoint(s, query, bytes, |v, input| {
        Json(serde_json::to_value(tree::check_tree(v, &input)).unwrap_or_default()).into_response()
    })
    .await
}

/// The answer to a request not finished within `--request-timeout`.
pub fn request_timed_out(limit: Duration) -> Response {
    fail(
        StatusCode::REQUEST_TIMEOUT,
        "REQUEST_TIMEOUT",
        format!(
            "the request was not received and answered within {} s",
            limit.as_secs()
        ),
    )
    .into_response()
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
