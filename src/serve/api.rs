//! The served API as types. Every HTTP endpoint is one [`Endpoint`] — its
//! route, and its request and response types — and both the router and
//! `GET /openapi.json` are built from that one table, so the document can
//! neither miss an endpoint nor drift from a body.

use std::sync::{Arc, OnceLock};

use axum::routing::{get, post, MethodRouter};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{http, mcp, ws, Shared};
use crate::runtime::env::{self, Action, Breakdown, Episode, FiredGate, Observation, StepResult};
use crate::runtime::tree::{Next, NodeReport, TreeReport, WalkError};

/// `GET /health`.
#[derive(Serialize, JsonSchema)]
pub struct Health {
    /// Always `healthy` while the server answers.
    pub status: &'static str,
}

/// `GET /metadata`: what the server serves and its limits.
#[derive(Serialize, JsonSchema)]
pub struct Metadata {
    pub name: &'static str,
    pub description: &'static str,
    /// The taskc version.
    pub version: &'static str,
    /// The task ids a reset may name.
    pub tasks: Vec<String>,
    /// The tree policies the tree endpoints and tools may name.
    pub trees: Vec<String>,
    /// The tools a WebSocket session lists, by name (an HTTP MCP session
    /// adds `start_task`).
    pub tools: Vec<String>,
    /// The grading contract and its grader (contract v3, rule 11).
    pub contract: crate::spec::Contract,
    /// `simulation` (reset, step and `start_task` open to clients) or
    /// `production` (`taskc serve --production`).
    pub mode: &'static str,
    pub max_sessions: usize,
    pub active_sessions: usize,
    pub idle_timeout_secs: u64,
    pub max_message_bytes: usize,
}

/// `GET /schema`: JSON Schemas of the action, the observation and the state.
#[derive(Serialize, JsonSchema)]
pub struct Schemas {
    pub action: Value,
    pub observation: Value,
    pub state: Value,
}

impl Schemas {
    pub fn new() -> Schemas {
        Schemas {
            action: schemars::schema_for!(env::Action).to_value(),
            observation: schemars::schema_for!(env::Observation).to_value(),
            state: schemars::schema_for!(env::State).to_value(),
        }
    }
}

/// One task of `GET /tasks`.
#[derive(Serialize, JsonSchema)]
pub struct TaskSummary {
    pub task_id: String,
    pub title: String,
    pub difficulty: crate::spec::Difficulty,
}

/// A reset's keyword arguments (`POST /reset`, and `data` of a WebSocket
/// reset). Other keys are ignored, as OpenEnv clients may send their own.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)] // read field by field, for the errors (Shared::reset)
pub struct ResetRequest {
    /// The task to play (`GET /tasks`).
    pub task_id: String,
    /// Recorded in the state; the environment itself is deterministic.
    #[serde(default)]
    pub seed: Option<u64>,
    /// The episode's id: over HTTP, the key later requests name it by
    /// (left out, 128 random bits are chosen).
    #[serde(default)]
    pub episode_id: Option<String>,
}

/// `POST /step`.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)] // the action is checked by the environment itself
pub struct StepRequest {
    /// The action (an invalid one is a step too, with the reason in the
    /// observation's `last_action_error`).
    pub action: Action,
    /// The `metadata.episode_id` the reset returned.
    pub episode_id: String,
}

/// What comes with every observation. The grade (`score`, `breakdown`,
/// `gates`, `voided`) comes only with the last step: an agent that saw it
/// earlier could try values until a component turns 1 (contract v2).
#[derive(Clone, Serialize, JsonSchema)]
pub struct StepMetadata {
    pub task_id: String,
    pub episode_id: String,
    /// Steps taken so far.
    pub step: u32,
    /// Whether the last action was valid.
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gates: Option<Vec<FiredGate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voided: Option<Vec<env::Voided>>,
}

/// The observation as served: the environment's, with the step's metadata
/// and reward inside it too (where the openenv 0.10 client reads them).
#[derive(Serialize, JsonSchema)]
pub struct ServedObservation {
    #[serde(flatten)]
    pub observation: Observation,
    pub metadata: StepMetadata,
    pub reward: f64,
}

/// The answer to a reset or a step (HTTP, and `data` of a WebSocket
/// `observation` frame).
#[derive(Serialize, JsonSchema)]
pub struct StepReply {
    pub observation: ServedObservation,
    pub reward: f64,
    pub done: bool,
    pub metadata: StepMetadata,
}

impl StepMetadata {
    /// A step's metadata: the grade only with the last step.
    pub fn new(result: &StepResult, episode: &Episode) -> StepMetadata {
        let (done, info) = (result.done, &result.info);
        StepMetadata {
            task_id: episode.task().spec.task_id.clone(),
            episode_id: episode.episode_id().to_owned(),
            step: episode.step_count(),
            valid: info.valid,
            score: done.then_some(info.score),
            breakdown: done.then_some(info.breakdown),
            gates: done.then(|| info.gates.clone()),
            voided: done.then(|| info.voided.clone()),
        }
    }
}

impl StepReply {
    pub fn new(result: StepResult, episode: &Episode) -> StepReply {
        let done = result.done;
        let metadata = StepMetadata::new(&result, episode);
        StepReply {
            observation: ServedObservation {
                observation: result.observation,
                metadata: metadata.clone(),
                reward: result.reward,
            },
            reward: result.reward,
            done,
            metadata,
        }
    }
}

/// An error answer: `{"error": {"message", "code"}}`.
#[derive(Serialize, JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, JsonSchema)]
pub struct ErrorDetail {
    pub message: String,
    /// `INVALID_JSON`, `INVALID_BODY`, `INVALID_QUERY`, `VALIDATION_ERROR`,
    /// `EXECUTION_ERROR`, `SESSION_ERROR`, `CAPACITY_REACHED`, `NOT_FOUND`,
    /// `METHOD_NOT_ALLOWED` or `REQUEST_TIMEOUT`.
    pub code: String,
}

/// `POST /tree/check-node`: the node itself, `{"node_type", "text", ...}`
/// (TREE.md). Anything else is answered with the violations it has.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)] // documents the body; the handler reports what is wrong with any JSON
#[serde(transparent)]
pub struct NodeRequest(pub Value);

/// `POST /tree/next`.
#[derive(Deserialize, JsonSchema)]
pub struct NextRequest {
    /// The walk so far (hidden `meta` entries are skipped for the depth).
    pub walk: Vec<Value>,
    /// The model's candidate nodes, one per attempt, in order: node
    /// objects, or the model's raw output as strings.
    pub candidates: Vec<Value>,
}

/// `POST /tree/normalize`: `{"walk": [...]}`, or the walk itself.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)] // documents the body; the handler reports what is wrong with any JSON
pub struct NormalizeRequest {
    pub walk: Vec<Value>,
}

/// `POST /tree/check`: a tree, `{"id", "nodes": {id: node}}`.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)] // documents the body; the handler reports what is wrong with any JSON
#[serde(transparent)]
pub struct TreeRequest(pub Value);

/// `POST /tree/prompt`'s answer.
#[derive(Serialize, JsonSchema)]
pub struct PromptReply {
    /// The tree policy.
    pub tree: String,
    /// The system prompt (`taskc tree prompt`).
    pub prompt: String,
}

/// `POST /tree/context`.
#[derive(Deserialize, JsonSchema)]
pub struct ContextRequest {
    pub problem: String,
    pub category: String,
    /// The walk so far (hidden `meta` steps are dropped).
    #[serde(default)]
    pub walk: Vec<Value>,
}

/// `POST /tree/context`'s answer.
#[derive(Serialize, JsonSchema)]
pub struct ContextReply {
    /// The model's user message (`taskc tree context`).
    pub context: String,
}

/// `POST /tree/normalize`'s answer: the tree, `{"id", "nodes"}`.
#[derive(Serialize, JsonSchema)]
#[serde(transparent)]
pub struct NormalizedTree(pub Value);

/// `POST /tree/normalize`'s refusal (422).
#[derive(Serialize, JsonSchema)]
pub struct WalkRefused {
    pub error: WalkError,
}

/// A JSON-RPC 2.0 request (`POST /mcp`, and `data` of a WebSocket `mcp`
/// message). A request without `id` is a notification.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)] // read field by field, for the JSON-RPC error codes
pub struct JsonRpcRequest {
    /// Always `2.0`.
    pub jsonrpc: String,
    /// `initialize`, `ping`, `tools/list`, `tools/call`,
    /// `openenv/session/create` or `openenv/session/close`.
    pub method: String,
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
    #[serde(default)]
    pub id: Option<Value>,
}

/// A JSON-RPC 2.0 response: `result` or `error`, never both.
#[derive(Serialize, JsonSchema)]
pub struct JsonRpcResponse {
    pub jsonrpc: &'static str,
    pub id: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<JsonRpcError>,
}

/// A JSON-RPC 2.0 error object.
#[derive(Serialize, JsonSchema)]
pub struct JsonRpcError {
    /// -32700 parse error, -32600 invalid request, -32601 unknown method,
    /// -32602 invalid params, -32000 server error (a session limit).
    pub code: i64,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// How a schema is made for the document.
type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// A schema as OpenAPI 3.0 takes it (no boolean schemas: `true` is `{}`).
fn openapi_schema(schema: Schema) -> Value {
    match schema.to_value() {
        Value::Bool(true) => json!({}),
        value => value,
    }
}

/// One HTTP endpoint: its route and what the document says of it.
pub struct Endpoint {
    pub path: &'static str,
    pub method: &'static str,
    pub summary: &'static str,
    /// Query parameters: (name, description); all optional.
    pub query: &'static [(&'static str, &'static str)],
    pub request: Option<SchemaFn>,
    /// The success status and its body (`None`: no body).
    pub ok: (u16, &'static str, Option<SchemaFn>),
    /// The error statuses it may answer (each with an [`ErrorBody`]).
    pub errors: &'static [u16],
    /// The body of a 422, where it is not an [`ErrorBody`].
    pub unprocessable: Option<SchemaFn>,
    pub route: MethodRouter<Arc<Shared>>,
}

const TREE_QUERY: &[(&str, &str)] = &[(
    "tree",
    "The tree policy (`GET /metadata` lists them); optional when there is one.",
)];

/// Every HTTP endpoint `taskc serve` has.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            path: "/ws",
            method: "get",
            summary: "The OpenEnv WebSocket session: reset, step (actions, list_tools, call_tool), state, mcp, close",
            query: &[],
            request: None,
            ok: (101, "Switching Protocols: one environment per connection", None),
            errors: &[400],
            unprocessable: None,
            route: get(ws::upgrade),
        },
        Endpoint {
            path: "/health",
            method: "get",
            summary: "Whether the server answers",
            query: &[],
            request: None,
            ok: (200, "Healthy", Some(schema::<Health>)),
            errors: &[],
            unprocessable: None,
            route: get(http::health),
        },
        Endpoint {
            path: "/metadata",
            method: "get",
            summary: "The tasks, tree policies and tools served, and the server's limits",
            query: &[],
            request: None,
            ok: (200, "The metadata", Some(schema::<Metadata>)),
            errors: &[],
            unprocessable: None,
            route: get(http::metadata),
        },
        Endpoint {
            path: "/schema",
            method: "get",
            summary: "JSON Schemas of the action, the observation and the state",
            query: &[],
            request: None,
            ok: (200, "The schemas", Some(schema::<Schemas>)),
            errors: &[],
            unprocessable: None,
            route: get(http::schema),
        },
        Endpoint {
            path: "/openapi.json",
            method: "get",
            summary: "This document",
            query: &[],
            request: None,
            ok: (200, "An OpenAPI 3.0 document", Some(schema::<Value>)),
            errors: &[],
            unprocessable: None,
            route: get(http::openapi),
        },
        Endpoint {
            path: "/tasks",
            method: "get",
            summary: "The tasks a reset may name",
            query: &[],
            request: None,
            ok: (200, "The tasks, by id", Some(schema::<Vec<TaskSummary>>)),
            errors: &[],
            unprocessable: None,
            route: get(http::tasks),
        },
        Endpoint {
            path: "/reset",
            method: "post",
            summary: "Start an HTTP episode; its id is in `metadata.episode_id`",
            query: &[],
            request: Some(schema::<ResetRequest>),
            ok: (200, "The first observation", Some(schema::<StepReply>)),
            errors: &[400, 409, 413, 422, 429],
            unprocessable: None,
            route: post(http::reset),
        },
        Endpoint {
            path: "/step",
            method: "post",
            summary: "One action in an HTTP episode",
            query: &[],
            request: Some(schema::<StepRequest>),
            ok: (200, "The next observation", Some(schema::<StepReply>)),
            errors: &[400, 404, 409, 413, 422],
            unprocessable: None,
            route: post(http::step),
        },
        Endpoint {
            path: "/state",
            method: "get",
            summary: "An HTTP episode's state (the grade only once it has ended)",
            query: &[(
                "episode_id",
                "The `metadata.episode_id` the reset returned.",
            )],
            request: None,
            ok: (200, "The state", Some(schema::<env::State>)),
            errors: &[400, 404, 422],
            unprocessable: None,
            route: get(http::state),
        },
        Endpoint {
            path: "/mcp",
            method: "post",
            summary: "MCP over JSON-RPC 2.0: initialize, ping, tools/list, tools/call, openenv/session/create, openenv/session/close",
            query: &[],
            request: Some(schema::<JsonRpcRequest>),
            ok: (
                200,
                "The JSON-RPC response (errors included); a notification is answered 202 with no body",
                Some(schema::<JsonRpcResponse>),
            ),
            errors: &[],
            unprocessable: None,
            route: post(mcp::http),
        },
        Endpoint {
            path: "/tree/check-node",
            method: "post",
            summary: "Check one node against the tree policy's node types and hard floors",
            query: TREE_QUERY,
            request: Some(schema::<NodeRequest>),
            ok: (200, "Whether the node is accepted, and why not", Some(schema::<NodeReport>)),
            errors: &[400, 404, 413],
            unprocessable: None,
            route: post(http::tree_check_node),
        },
        Endpoint {
            path: "/tree/next",
            method: "post",
            summary: "Choose the next node among the model's candidates (or escalate)",
            query: TREE_QUERY,
            request: Some(schema::<NextRequest>),
            ok: (200, "The chosen node and the rejected attempts", Some(schema::<Next>)),
            errors: &[400, 404, 413, 422],
            unprocessable: None,
            route: post(http::tree_next),
        },
        Endpoint {
            path: "/tree/prompt",
            method: "post",
            summary: "The system prompt the tree policy tells the model (the body is ignored)",
            query: TREE_QUERY,
            request: None,
            ok: (200, "The prompt", Some(schema::<PromptReply>)),
            errors: &[400, 404],
            unprocessable: None,
            route: post(http::tree_prompt),
        },
        Endpoint {
            path: "/tree/context",
            method: "post",
            summary: "The model's user message for a walk (the seed's format)",
            query: &[],
            request: Some(schema::<ContextRequest>),
            ok: (200, "The message", Some(schema::<ContextReply>)),
            errors: &[400, 413, 422],
            unprocessable: None,
            route: post(http::tree_context),
        },
        Endpoint {
            path: "/tree/normalize",
            method: "post",
            summary: "Normalize a walk into a tree",
            query: &[],
            request: Some(schema::<NormalizeRequest>),
            ok: (200, "The tree", Some(schema::<NormalizedTree>)),
            errors: &[400, 413, 422],
            unprocessable: Some(schema::<WalkRefused>),
            route: post(http::tree_normalize),
        },
        Endpoint {
            path: "/tree/check",
            method: "post",
            summary: "Check a whole tree",
            query: TREE_QUERY,
            request: Some(schema::<TreeRequest>),
            ok: (200, "Whether the tree is valid, and every problem", Some(schema::<TreeReport>)),
            errors: &[400, 404, 413],
            unprocessable: None,
            route: post(http::tree_check),
        },
    ]
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "The body is not JSON, or the query is malformed",
        404 => "No such episode or tree policy",
        409 => "The episode id is taken, or the episode has ended",
        413 => "The body is past --max-message-bytes",
        422 => "The body is JSON but not what the endpoint takes",
        429 => "The server is at its session limit",
        _ => "An error",
    }
}

/// The OpenAPI 3.0 document of every endpoint, built once.
pub fn openapi() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| build_openapi(&endpoints()))
}

fn build_openapi(endpoints: &[Endpoint]) -> Value {
    let mut g = SchemaSettings::openapi3().into_generator();
    let error = openapi_schema(g.subschema_for::<ErrorBody>());
    let mut paths = Map::new();
    for e in endpoints {
        let mut responses = Map::new();
        let (status, description, body) = e.ok;
        let mut ok = json!({ "description": description });
        if let Some(body) = body {
            ok["content"] = json!({"application/json": {"schema": openapi_schema(body(&mut g))}});
        }
        responses.insert(status.to_string(), ok);
        for &status in e.errors {
            let body = match (status, e.unprocessable) {
                (422, Some(body)) => openapi_schema(body(&mut g)),
                _ => error.clone(),
            };
            responses.insert(
                status.to_string(),
                json!({
                    "description": reason(status),
                    "content": {"application/json": {"schema": body}},
                }),
            );
        }
        let mut operation = json!({
            "summary": e.summary,
            "operationId": operation_id(e.method, e.path),
            "responses": responses,
        });
        if !e.query.is_empty() {
            operation["parameters"] = e
                .query
                .iter()
                .map(|(name, description)| {
                    json!({
                        "name": name,
                        "in": "query",
                        "required": false,
                        "description": description,
                        "schema": {"type": "string"},
                    })
                })
                .collect();
        }
        if let Some(request) = e.request {
            operation["requestBody"] = json!({
                "required": true,
                "content": {"application/json": {"schema": openapi_schema(request(&mut g))}},
            });
        }
        let item = paths.entry(e.path).or_insert_with(|| json!({}));
        item[e.method] = operation;
    }
    let mut schemas = g.take_definitions(true);
    // Before the end, the served state leaves the grade out.
    if let Some(Value::Array(required)) =
        schemas.get_mut("State").and_then(|s| s.get_mut("required"))
    {
        required
            .retain(|r| !matches!(r.as_str(), Some("score" | "breakdown" | "gates" | "voided")));
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "taskc serve",
            "description": "SupportDesk triage tasks compiled from .task files, served to OpenEnv clients (WebSocket /ws, HTTP, MCP), and the L1 tree validator.",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

/// `post /tree/check-node` → `post_tree_check_node`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for part in path.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !part.is_empty() {
            id.push('_');
            id.push_str(part);
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_in_the_document_once_with_its_bodies() {
        let endpoints = endpoints();
        let doc = build_openapi(&endpoints);
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), endpoints.len());
        for e in &endpoints {
            let op = &paths[e.path][e.method];
            assert!(op.is_object(), "{} {}", e.method, e.path);
            assert_eq!(
                op["requestBody"].is_object(),
                e.request.is_some(),
                "{}",
                e.path
            );
        }
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        // OpenAPI 3.0 has no boolean schemas.
        let text = doc.to_string();
        assert!(!text.contains("\"schema\":true"), "{text}");
        // Every reference resolves.
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for (i, _) in text.match_indices("#/components/schemas/") {
            let name: String = text[i + 21..].chars().take_while(|c| *c != '"').collect();
            assert!(schemas.contains_key(&name), "dangling reference {name}");
        }
    }

    #[test]
    fn the_served_state_may_leave_the_grade_out() {
        let doc = openapi();
        let required = doc["components"]["schemas"]["State"]["required"]
            .as_array()
            .unwrap();
        assert!(required.iter().any(|r| r == "episode_id"));
        assert!(!required.iter().any(|r| r == "score"));
    }
}
