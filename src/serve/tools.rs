//! The environment as MCP tools, for agents that act through tool calls:
//! one tool per action type (input schemas derived from the [`Action`]
//! schema, with the domain's values as enums), and the tree validator's
//! `check_node`, `next_node` and `normalize_walk`, so an AI tree builder can
//! check its own nodes. An action tool runs its action as a step, graded
//! exactly as the plain action; the tree tools touch no episode.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::api::{self, NextRequest};
use super::Shared;
use crate::runtime::env::{Action, Episode, StepResult, ACTION_TYPES};
use crate::runtime::excerpt;
use crate::runtime::tree::{self, Validator};
use crate::spec::DomainSpec;

/// A tool as `tools/list` and `list_tools` show it.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub description: String,
    pub input_schema: Value,
}

/// The tool that starts an episode in an HTTP MCP session, which has no
/// reset message (a WebSocket session resets with the protocol's `reset`,
/// so it does not list it: a mid-episode restart is not an agent's move).
pub const START_TASK: &str = "start_task";

/// What an action tool tells the model it does.
fn action_description(action_type: &str) -> &'static str {
    match action_type {
        "classify" => "Route the ticket: set its queue, priority and/or issue type (at least one). Choose from the allowed values; the observation lists them too.",
        "request_info" => "Ask the customer for missing information: the fields to request, and optionally the message they read. Request only what the ticket lacks; the customer answers once.",
        "reply" => "Send the customer a reply (customer-facing, graded: address their issue and the objective in plain words; promise nothing the policy forbids).",
        "add_note" => "Add an internal note for the next agent (not seen by the customer): what you found and what you did.",
        "set_status" => "Set the case status and, optionally, the resolution code.",
        "submit" => "End the episode. The final score comes with this step's observation.",
        _ => "",
    }
}

/// The domain vocabulary a field takes its values from.
fn vocabulary<'a>(domain: &'a DomainSpec, field: &str) -> Option<&'a [String]> {
    Some(match field {
        "queue" => &domain.queues,
        "priority" => &domain.priorities,
        "issue_type" => &domain.issue_types,
        "status" => &domain.statuses,
        "resolution_code" => &domain.resolution_codes,
        "fields" => &domain.fields,
        _ => return None,
    })
}

/// The input schema of each action type: its variant of the [`Action`]
/// schema without `action_type` (the tool's name is the type), optional
/// fields as plain optional properties, and the domain's values as enums.
fn action_schemas(domain: Option<&DomainSpec>) -> Vec<(&'static str, Value)> {
    let schema = schemars::schema_for!(Action).to_value();
    let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
    ACTION_TYPES
        .iter()
        .map(|&name| {
            let mut variant = variants
                .iter()
                .find(|v| v["properties"]["action_type"]["const"] == name)
                .cloned()
                .unwrap_or_else(|| json!({"type": "object"}));
            if let Some(o) = variant.as_object_mut() {
                o.remove("description");
            }
            if let Some(properties) = variant["properties"].as_object_mut() {
                properties.remove("action_type");
                for (field, property) in properties.iter_mut() {
                    // ["string", "null"] → "string": leave it out instead.
                    if property["type"].is_array() {
                        property["type"] = json!("string");
                    }
                    let Some(values) = domain.and_then(|d| vocabulary(d, field)) else {
                        continue;
                    };
                    let target = if property["type"] == "array" {
                        &mut property["items"]
                    } else {
                        property
                    };
                    target["enum"] = json!(values);
                }
            }
            if let Some(required) = variant["required"].as_array_mut() {
                required.retain(|r| r != "action_type");
            }
            (name, variant)
        })
        .collect()
}

/// Every tool of a server, in a fixed order: the actions in the contract's
/// order, then the tree tools, then (HTTP MCP sessions only) `start_task`.
/// Built once per server.
pub fn tools(shared: &Shared, with_start: bool) -> &[Tool] {
    let all = shared.tools.get_or_init(|| build(shared));
    &all[..all.len() - usize::from(!with_start)]
}

/// [`tools`], `start_task` last.
fn build(shared: &Shared) -> Vec<Tool> {
    let mut list: Vec<Tool> = action_schemas(shared.domain.as_deref())
        .into_iter()
        .map(|(name, input_schema)| Tool {
            name,
            description: action_description(name).to_owned(),
            input_schema,
        })
        .collect();
    let trees: Vec<&str> = shared.validators.keys().map(String::as_str).collect();
    let tree = json!({
        "type": "string",
        "enum": trees,
        "description": "The tree policy; optional when the server has one.",
    });
    list.push(Tool {
        name: "check_node",
        description: "Check one decision-tree node before using it: a node type the tree policy allows, a non-empty text, and no hard-floor phrase (registry edits, deleting data, credentials, elevated scripts, ...). Answers whether it is accepted and every violation.".into(),
        input_schema: json!({
            "type": "object",
            "properties": {
                "node": {"type": ["object", "string"], "description": "The node {\"node_type\", \"text\", ...} (TREE.md), or the model's raw output as a string."},
                "tree": tree,
            },
            "required": ["node"],
            "additionalProperties": false,
        }),
    });
    list.push(Tool {
        name: "next_node",
        description: "Choose the next node of a walk among candidate nodes (one per generation attempt): the first acceptable one, or an escalation when none is or the depth cap is reached. Answers the node, where it came from, and why each earlier candidate was rejected.".into(),
        input_schema: json!({
            "type": "object",
            "properties": {
                "walk": {"type": "array", "items": {"type": "object"}, "description": "The walk so far."},
                "candidates": {"type": "array", "items": {"type": ["object", "string"]}, "description": "Candidate nodes in attempt order: node objects, or the model's raw output as strings (fences and prose are tolerated)."},
                "tree": tree,
            },
            "required": ["walk", "candidates"],
            "additionalProperties": false,
        }),
    });
    list.push(Tool {
        name: "normalize_walk",
        description: "Turn a finished walk (the steps taken, with the answers) into a tree {id, nodes}, with stubs for the branches not explored.".into(),
        input_schema: json!({
            "type": "object",
            "properties": {
                "walk": {"type": "array", "items": {"type": "object"}, "description": "The walk's steps, in order."},
            },
            "required": ["walk"],
            "additionalProperties": false,
        }),
    });
    list.push(Tool {
        name: "tree_prompt",
        description: "The system prompt for generating decision-tree nodes under a tree policy: the allowed scope, every hard-floor rule the validator enforces, the escalation rule, and the JSON of each node type.".into(),
        input_schema: json!({
            "type": "object",
            "properties": {"tree": tree},
            "additionalProperties": false,
        }),
    });
    list.push(Tool {
        name: "tree_context",
        description: "The user message for generating the next node of a walk: the problem, its category, and the steps so far with their answers (hidden meta steps dropped).".into(),
        input_schema: json!({
            "type": "object",
            "properties": {
                "problem": {"type": "string"},
                "category": {"type": "string"},
                "walk": {"type": "array", "items": {"type": "object"}, "description": "The walk so far."},
            },
            "required": ["problem", "category"],
            "additionalProperties": false,
        }),
    });
    let tasks: Vec<&str> = shared.runtimes.keys().map(String::as_str).collect();
    list.push(Tool {
        name: START_TASK,
        description: "Start (or restart) an episode of a task in this session; the action tools act on it. Answers the first observation.".into(),
        input_schema: json!({
            "type": "object",
            "properties": {
                "task_id": {"type": "string", "enum": tasks},
                "seed": {"type": "integer", "minimum": 0},
                "episode_id": {"type": "string"},
            },
            "required": ["task_id"],
            "additionalProperties": false,
        }),
    });
    list
}

/// Why a tool call did not run (nothing changed): MCP's transport and
/// framework errors, as openenv-core names them.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolError {
    /// `tool_not_found`, `invalid_args` or `execution_error`.
    pub error_type: &'static str,
    pub message: String,
}

impl ToolError {
    fn new(error_type: &'static str, message: impl Into<String>) -> ToolError {
        ToolError {
            error_type,
            message: message.into(),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"error_type": self.error_type, "message": self.message})
    }
}

/// A tool that ran.
pub struct Called {
    /// The MCP `CallToolResult`: `content` (the answer as JSON text),
    /// `structuredContent` and `data` (the answer), `isError`.
    pub result: Value,
    /// The step, for an action tool (and `start_task`).
    pub step: Option<(f64, bool)>,
}

/// An MCP tool result around `data`.
pub(super) fn result(data: Value, is_error: bool) -> Value {
    json!({
        "content": [{"type": "text", "text": data.to_string()}],
        "structuredContent": data,
        "data": data,
        "isError": is_error,
    })
}

/// The action a tool call stands for: the arguments with the tool's name as
/// `action_type` (which the arguments may repeat, but not contradict).
fn action(name: &str, arguments: &Map<String, Value>) -> Result<Value, ToolError> {
    let mut action = arguments.clone();
    match action.get("action_type") {
        None => {}
        Some(Value::String(t)) if t == name => {}
        Some(other) => {
            return Err(ToolError::new(
                "invalid_args",
                format!(
                    "the tool `{name}` is the action type; leave `action_type` out (it was {})",
                    excerpt(&other.to_string())
                ),
            ))
        }
    }
    action.insert("action_type".into(), json!(name));
    Ok(Value::Object(action))
}

/// A step's answer as a tool result: the reply the plain action gets, an
/// error result when the action was invalid (the step is taken all the
/// same, as a plain invalid action's is).
fn stepped(shared: &Shared, step: StepResult, episode: &Episode) -> Called {
    let (reward, done, valid) = (step.reward, step.done, step.info.valid);
    let mut reply = super::observation_data(step, episode);
    if shared.config.production {
        // In production mode the grade goes to the orchestrator only
        // (`openenv/session/close`), never to the agent.
        reply["reward"] = json!(0.0);
        if reply["observation"].is_object() {
            reply["observation"]["reward"] = json!(0.0);
        }
        let strip = |meta: &mut Value| {
            if let Some(meta) = meta.as_object_mut() {
                for key in ["score", "breakdown", "gates", "voided"] {
                    meta.remove(key);
                }
            }
        };
        strip(&mut reply["metadata"]);
        strip(&mut reply["observation"]["metadata"]);
    }
    Called {
        result: result(reply, !valid),
        step: Some((reward, done)),
    }
}

/// The tree policy a tool call names, or the only one.
fn validator<'a>(
    shared: &'a Shared,
    arguments: &Map<String, Value>,
) -> Result<&'a Validator, ToolError> {
    let names = || {
        shared
            .validators
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match arguments.get("tree") {
        None | Some(Value::Null) => {
            if shared.validators.len() == 1 {
                Ok(shared.validators.values().next().expect("one validator"))
            } else if shared.validators.is_empty() {
                Err(ToolError::new(
                    "execution_error",
                    "the server has no tree policy",
                ))
            } else {
                Err(ToolError::new(
                    "invalid_args",
                    format!("choose a tree policy with `tree`: {}", names()),
                ))
            }
        }
        Some(Value::String(name)) => shared.validators.get(name).ok_or_else(|| {
            ToolError::new(
                "invalid_args",
                format!(
                    "unknown tree policy `{}`; declared: {}",
                    excerpt(name),
                    names()
                ),
            )
        }),
        Some(_) => Err(ToolError::new("invalid_args", "`tree` is a string")),
    }
}

/// Only the named arguments, each present where required.
fn only(
    arguments: &Map<String, Value>,
    allowed: &[&str],
    required: &[&str],
) -> Result<(), ToolError> {
    if let Some(extra) = arguments.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ToolError::new(
            "invalid_args",
            format!(
                "unknown argument `{}`; the tool takes {}",
                excerpt(extra),
                allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if let Some(missing) = required.iter().find(|r| !arguments.contains_key(**r)) {
        return Err(ToolError::new(
            "invalid_args",
            format!("the tool needs `{missing}`"),
        ));
    }
    Ok(())
}

/// Runs a tool. `episode` is the session's; `with_start` says whether
/// `start_task` is a tool here.
pub fn call(
    shared: &Shared,
    episode: &mut Option<Episode>,
    name: &str,
    arguments: &Value,
    with_start: bool,
) -> Result<Called, ToolError> {
    let empty = Map::new();
    let arguments = match arguments {
        Value::Object(o) => o,
        Value::Null => &empty,
        other => {
            return Err(ToolError::new(
                "invalid_args",
                format!(
                    "the arguments are a JSON object, not {}",
                    crate::runtime::json_kind(other)
                ),
            ))
        }
    };
    if ACTION_TYPES.contains(&name) {
        let action = action(name, arguments)?;
        let Some(current) = episode.as_mut() else {
            let how = if with_start {
                "call `start_task` first"
            } else {
                "send a reset first"
            };
            return Err(ToolError::new(
                "execution_error",
                format!("no episode: {how}"),
            ));
        };
        return match current.step(&action) {
            Ok(step) => Ok(stepped(shared, step, current)),
            Err(e) => Err(ToolError::new("execution_error", e.to_string())),
        };
    }
    match name {
        "check_node" => {
            only(arguments, &["node", "tree"], &["node"])?;
            let v = validator(shared, arguments)?;
            let report = v.check_node(&arguments["node"]);
            Ok(Called {
                result: result(serde_json::to_value(report).unwrap_or_default(), false),
                step: None,
            })
        }
        "next_node" => {
            only(
                arguments,
                &["walk", "candidates", "tree"],
                &["walk", "candidates"],
            )?;
            let v = validator(shared, arguments)?;
            let request: NextRequest = serde_json::from_value(json!({
                "walk": arguments["walk"],
                "candidates": arguments["candidates"],
            }))
            .map_err(|_| ToolError::new("invalid_args", "`walk` and `candidates` are lists"))?;
            let next = v.next(&request.walk, &request.candidates);
            Ok(Called {
                result: result(serde_json::to_value(next).unwrap_or_default(), false),
                step: None,
            })
        }
        "normalize_walk" => {
            only(arguments, &["walk"], &["walk"])?;
            Ok(Called {
                result: match tree::normalize(&arguments["walk"]) {
                    Ok(tree) => result(tree, false),
                    Err(e) => result(json!({"error": e}), true),
                },
                step: None,
            })
        }
        "tree_prompt" => {
            only(arguments, &["tree"], &[])?;
            let v = validator(shared, arguments)?;
            Ok(Called {
                result: result(json!({"tree": v.name, "prompt": v.prompt()}), false),
                step: None,
            })
        }
        "tree_context" => {
            only(
                arguments,
                &["problem", "category", "walk"],
                &["problem", "category"],
            )?;
            let request: api::ContextRequest =
                serde_json::from_value(Value::Object(arguments.clone())).map_err(|_| {
                    ToolError::new(
                        "invalid_args",
                        "`problem` and `category` are strings, `walk` a list",
                    )
                })?;
            let context = tree::context(&request.problem, &request.category, &request.walk)
                .map_err(|message| ToolError::new("invalid_args", message))?;
            Ok(Called {
                result: result(json!({ "context": context }), false),
                step: None,
            })
        }
        START_TASK if with_start => {
            only(arguments, &["task_id", "seed", "episode_id"], &["task_id"])?;
            let (new, step) = shared
                .reset(&Value::Object(arguments.clone()))
                .map_err(|(message, _)| ToolError::new("invalid_args", message))?;
            let called = stepped(shared, step, &new);
            *episode = Some(new);
            Ok(called)
        }
        _ => {
            let known: Vec<&str> = tools(shared, with_start).iter().map(|t| t.name).collect();
            let hint = crate::suggest::did_you_mean(name, known.iter().copied())
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            Err(ToolError::new(
                "tool_not_found",
                format!(
                    "no tool `{}`{hint}; the tools are: {}",
                    excerpt(name),
                    known.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::env::gold;
    use crate::serve::api::StepReply;

    #[test]
    fn action_tools_take_the_action_fields_with_the_domain_values() {
        let shared = crate::serve::shipped();
        let domain = shared.domain.clone().expect("a domain");
        let list = tools(&shared, false);
        let classify = &list[0].input_schema;
        assert_eq!(list[0].name, "classify");
        assert_eq!(
            classify["properties"]["queue"]["enum"],
            json!(domain.queues)
        );
        assert_eq!(classify["properties"]["queue"]["type"], "string");
        assert!(classify["properties"].get("action_type").is_none());
        let request = &list[1].input_schema;
        assert_eq!(
            request["properties"]["fields"]["items"]["enum"],
            json!(domain.fields)
        );
        assert_eq!(request["required"], json!(["fields"]));
        let names: Vec<&str> = list.iter().map(|t| t.name).collect();
        assert_eq!(&names[..6], &ACTION_TYPES[..]);
        assert!(!names.contains(&START_TASK));
        assert!(tools(&shared, true).iter().any(|t| t.name == START_TASK));
    }

    /// The tools and the plain actions give the same episode, byte for byte.
    #[test]
    fn an_action_tool_is_graded_exactly_as_the_plain_action() {
        let shared = crate::serve::shipped();
        for (task_id, rt) in &shared.runtimes {
            let mut actions = gold::actions(rt);
            // A mistake and an invalid action too.
            actions.insert(
                1,
                json!({"action_type": "classify", "queue": "general_support"}),
            );
            actions.insert(2, json!({"action_type": "reply", "message": 3}));
            let reset = json!({ "task_id": task_id });
            let (mut plain, _) = shared.reset(&reset).expect("resets");
            let mut through_tools = Some(shared.reset(&reset).expect("resets").0);
            for action in &actions {
                let name = action["action_type"].as_str().expect("a type");
                let Ok(expected) = plain.step(action) else {
                    // The mistakes used up the steps: the tool is refused too.
                    let e = call(&shared, &mut through_tools, name, action, false).err();
                    assert_eq!(e.map(|e| e.error_type), Some("execution_error"));
                    break;
                };
                let expected =
                    serde_json::to_value(StepReply::new(expected, &plain)).expect("serializes");
                let called =
                    call(&shared, &mut through_tools, name, action, false).expect("the tool runs");
                assert_eq!(called.result["data"], expected, "{task_id} {action}");
                assert_eq!(
                    called.result["isError"],
                    json!(!expected["metadata"]["valid"].as_bool().expect("valid")),
                );
            }
        }
    }

    #[test]
    fn a_call_that_cannot_run_takes_no_step() {
        let shared = crate::serve::shipped();
        let mut episode = None;
        let e = call(&shared, &mut episode, "submit", &json!({}), false).err();
        assert_eq!(e.map(|e| e.error_type), Some("execution_error"));
        let reset = json!({"task_id": "billing_refund_easy"});
        episode = Some(shared.reset(&reset).expect("resets").0);
        for (name, arguments, kind) in [
            ("sumbit", json!({}), "tool_not_found"),
            ("submit", json!([1]), "invalid_args"),
            ("submit", json!({"action_type": "reply"}), "invalid_args"),
            ("next_node", json!({"walk": []}), "invalid_args"),
            (
                "normalize_walk",
                json!({"walk": [], "extra": 1}),
                "invalid_args",
            ),
            (
                START_TASK,
                json!({"task_id": "billing_refund_easy"}),
                "tool_not_found",
            ),
        ] {
            let e = call(&shared, &mut episode, name, &arguments, false).err();
            assert_eq!(e.map(|e| e.error_type), Some(kind), "{name} {arguments}");
        }
        assert_eq!(episode.expect("an episode").state().step_count, 0);
    }
}
