//! Tree policies: numbers in range, floors declared, node types usable.

use std::collections::{BTreeMap, BTreeSet};

use super::fields::{integer, once};
use crate::diagnostic::Code;
use crate::diagnostic::Cx;
use crate::source::Span;
use crate::spec::{PromptSpec, TreePolicy};
use crate::syntax::ast::{Name, Number, Text, Tree, TreeValue};

/// The kind of a floor in [`crate::diagnostic::Uses`].
pub const FLOOR: &str = "floor";

pub(crate) fn check(cx: &mut Cx, tree: &Tree, floors: &BTreeSet<String>) -> Option<TreePolicy> {
    let before = cx.diagnostics.len();
    let mut max_depth: Option<(Span, &Number)> = None;
    let mut attempts: Option<(Span, &Number)> = None;
    let mut floor_names: Option<(Span, &Vec<Name>)> = None;
    let mut node_types: Option<(Span, &Vec<Name>)> = None;
    let mut depth_text: Option<(Span, &Text)> = None;
    let mut failure_text: Option<(Span, &Text)> = None;
    let mut role: Option<(Span, &Text)> = None;
    let mut scope: Option<(Span, &Text)> = None;
    let mut escalation: Option<(Span, &Text)> = None;
    let mut shapes: Vec<(&Name, &Text)> = Vec::new();
    for field in &tree.fields {
        let kw = &field.keyword;
        match &field.value {
            TreeValue::MaxDepth(v) => once(cx, &mut max_depth, kw, v),
            TreeValue::Attempts(v) => once(cx, &mut attempts, kw, v),
            TreeValue::Floors(v) => once(cx, &mut floor_names, kw, v),
            TreeValue::NodeTypes(v) => once(cx, &mut node_types, kw, v),
            TreeValue::DepthCapText(v) => once(cx, &mut depth_text, kw, v),
            TreeValue::FailureText(v) => once(cx, &mut failure_text, kw, v),
            TreeValue::Role(v) => once(cx, &mut role, kw, v),
            TreeValue::Scope(v) => once(cx, &mut scope, kw, v),
            TreeValue::Escalation(v) => once(cx, &mut escalation, kw, v),
            TreeValue::Shape(node_type, json) => shapes.push((node_type, json)),
        }
    }
    let max_depth = max_depth.map_or(Some(TreePolicy::DEFAULT_MAX_DEPTH.into()), |(_, n)| {
        integer(cx, n, "`max_depth`", 1, 10_000)
    });
    let attempts = attempts.map_or(Some(TreePolicy::DEFAULT_ATTEMPTS.into()), |(_, n)| {
        integer(cx, n, "`attempts`", 1, 100)
    });

    let mut floor_list = Vec::new();
    match floor_names {
        None => {
            super::fields::report_missing(
                cx,
                tree.name.span,
                &format!("tree `{}`", tree.name.node),
                &["floors"],
                "name the floors every node is checked against, e.g. `floors l1_scope`",
            );
        }
        Some((_, list)) => {
            for name in list {
                if floors.contains(&name.node) {
                    cx.uses(FLOOR, &name.node);
                    if !floor_list.contains(&name.node) {
                        floor_list.push(name.node.clone());
                    }
                } else {
                    let help =
                        crate::suggest::did_you_mean(&name.node, floors.iter().map(String::as_str))
                            .unwrap_or_else(|| {
                                "declare it with `floor NAME { reason: \"phrase\" }`".to_owned()
                            });
                    cx.push(
                        cx.error(
                            Code::UnknownFloor,
                            name.span,
                            format!("unknown floor `{}`", name.node),
                        )
                        .with_label("no `floor` declaration has this name")
                        .with_help(help),
                    );
                }
            }
        }
    }

    let node_types: Vec<String> = match node_types {
        None => TreePolicy::DEFAULT_NODE_TYPES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        Some((span, list)) => {
            let mut out: Vec<String> = Vec::new();
            for name in list {
                if out.contains(&name.node) {
                    cx.push(
                        cx.error(
                            Code::DuplicateAlternative,
                            name.span,
                            format!("node type `{}` is listed twice", name.node),
                        )
                        .with_label("listed again here")
                        .with_help("remove one of them"),
                    );
                } else {
                    out.push(name.node.clone());
                }
            }
            if !out.iter().any(|t| t == "escalate") {
                cx.push(cx.error(
                    Code::MissingField,
                    span,
                    "`node_types` must include `escalate`: the depth cap and the retry fallback produce escalations",
                )
                .with_label("no `escalate` here")
                .with_help("add `escalate` to the list"));
            }
            out
        }
    };
    let shapes = check_shapes(cx, &shapes, &node_types);
    if cx.diagnostics[before..].iter().any(|d| d.is_error()) {
        return None;
    }
    let words = |t: Option<(Span, &Text)>| t.map(|(_, t)| t.node.clone());
    Some(TreePolicy {
        max_depth: u32::try_from(max_depth?).ok()?,
        attempts: u32::try_from(attempts?).ok()?,
        floors: floor_list,
        node_types,
        depth_cap_text: depth_text
            .map_or(TreePolicy::DEFAULT_DEPTH_CAP_TEXT.to_owned(), |(_, t)| {
                t.node.clone()
            }),
        failure_text: failure_text.map_or(TreePolicy::DEFAULT_FAILURE_TEXT.to_owned(), |(_, t)| {
            t.node.clone()
        }),
        prompt: PromptSpec {
            role: words(role),
            scope: words(scope),
            escalation: words(escalation),
            shapes,
        },
    })
}

/// Each `shape` once, for a node type of the policy, and the JSON of a node
/// of that type with a text: what the model is shown must be what the
/// validator accepts.
fn check_shapes(
    cx: &mut Cx,
    shapes: &[(&Name, &Text)],
    node_types: &[String],
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut first: BTreeMap<&str, Span> = BTreeMap::new();
    for (node_type, json) in shapes {
        if let Some(span) = first.get(node_type.node.as_str()) {
            cx.push(
                cx.error(
                    Code::DuplicateField,
                    node_type.span,
                    format!("the shape of `{}` is given twice", node_type.node),
                )
                .with_label("given again here")
                .with_related(cx.file, *span, "first given here")
                .with_help("keep one `shape` per node type"),
            );
            continue;
        }
        first.insert(&node_type.node, node_type.span);
        if !node_types.contains(&node_type.node) {
            let help = crate::suggest::did_you_mean(
                &node_type.node,
                node_types.iter().map(String::as_str),
            )
            .unwrap_or_else(|| format!("the node types are: {}", node_types.join(", ")));
            cx.push(
                cx.error(
                    Code::UnknownName,
                    node_type.span,
                    format!("`{}` is not a node type of this policy", node_type.node),
                )
                .with_label("not in `node_types`")
                .with_help(help),
            );
            continue;
        }
        let problem = match serde_json::from_str::<serde_json::Value>(&json.node) {
            Err(e) => Some(format!("it is not JSON ({e})")),
            Ok(value) => match value.as_object() {
                None => Some("it is not a JSON object".to_owned()),
                Some(o) if o.get("node_type").and_then(|t| t.as_str()) != Some(&node_type.node) => {
                    Some(format!("its `node_type` is not \"{}\"", node_type.node))
                }
                Some(o) if !o.get("text").is_some_and(|t| t.is_string()) => {
                    Some("it has no `text` string".to_owned())
                }
                Some(_) => {
                    out.insert(node_type.node.clone(), value.to_string());
                    None
                }
            },
        };
        if let Some(problem) = problem {
            cx.push(
                cx.error(
                    Code::InvalidNodeShape,
                    json.span,
                    format!(
                        "this shape is not a node of type `{}`: {problem}",
                        node_type.node
                    ),
                )
                .with_label("the JSON the model is shown")
                .with_help(format!(
                    "write the node as the model must return it, e.g. {}",
                    TreePolicy::default_shape(&node_type.node)
                )),
            );
        }
    }
    out
}
