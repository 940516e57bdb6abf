//! Tree policies: numbers in range, floors declared, node types usable.

use std::collections::BTreeSet;

use super::fields::{integer, once};
use crate::diagnostic::Code;
use crate::diagnostic::Cx;
use crate::source::Span;
use crate::spec::TreePolicy;
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
    for field in &tree.fields {
        let kw = &field.keyword;
        match &field.value {
            TreeValue::MaxDepth(v) => once(cx, &mut max_depth, kw, v),
            TreeValue::Attempts(v) => once(cx, &mut attempts, kw, v),
            TreeValue::Floors(v) => once(cx, &mut floor_names, kw, v),
            TreeValue::NodeTypes(v) => once(cx, &mut node_types, kw, v),
            TreeValue::DepthCapText(v) => once(cx, &mut depth_text, kw, v),
            TreeValue::FailureText(v) => once(cx, &mut failure_text, kw, v),
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
    if cx.diagnostics[before..].iter().any(|d| d.is_error()) {
        return None;
    }
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
    })
}
