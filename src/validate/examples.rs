//! An `examples` block → the examples the verify stage plays: texts that
//! must (or must not) meet every group of their section, and episodes
//! (JSON actions) with the score range they must land in. Here only their
//! form is checked: episode actions are JSON, the range is in [0, 1] and
//! not upside down.

use serde_json::Value;

use super::fields::decimal;
use crate::diagnostic::{Code, Cx};
use crate::source::Span;
use crate::syntax::ast::Example;

/// One example, checked, with its span for the verify stage's diagnostics.
#[derive(Clone, Debug)]
pub(crate) enum CheckedExample {
    Text {
        reply: bool,
        pass: bool,
        text: String,
        span: Span,
    },
    Episode {
        name: String,
        low: f64,
        high: f64,
        actions: Vec<Value>,
        span: Span,
    },
}

pub(crate) fn check(cx: &mut Cx, examples: &[Example]) -> Vec<CheckedExample> {
    let mut out = Vec::new();
    for example in examples {
        match example {
            Example::Text {
                reply,
                pass,
                text,
                span,
            } => out.push(CheckedExample::Text {
                reply: *reply,
                pass: *pass,
                text: text.node.clone(),
                span: *span,
            }),
            Example::Episode {
                name,
                low,
                high,
                actions,
                span,
            } => {
                let lo = decimal(cx, low, "an example's lowest score", 0.0, 1.0);
                let hi = decimal(cx, high, "an example's highest score", 0.0, 1.0);
                let parsed = parse_actions(cx, &actions.node, actions.span);
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    if lo > hi {
                        cx.push(
                            cx.error(
                                Code::OutOfRange,
                                low.span.cover(high.span),
                                format!("the score range {lo} to {hi} is upside down"),
                            )
                            .with_label("the lowest score comes first")
                            .with_help(format!("write `score {hi} to {lo}`")),
                        );
                    } else if let Some(actions) = parsed {
                        out.push(CheckedExample::Episode {
                            name: name.node.clone(),
                            low: lo,
                            high: hi,
                            actions,
                            span: *span,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The JSON actions of an episode: values one after the other (on their
/// own lines, or folded onto one).
fn parse_actions(cx: &mut Cx, text: &str, at: Span) -> Option<Vec<Value>> {
    let mut actions = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        match value {
            Ok(v) => actions.push(v),
            Err(e) => {
                cx.push(
                    cx.error(
                        Code::ExampleMisbehaves,
                        at,
                        format!("the episode's actions are not JSON: {e}"),
                    )
                    .with_label("expected JSON actions, one after the other")
                    .with_help(
                        "write one JSON action per line, as `taskc run` reads them, e.g. \
                         {\"action_type\": \"submit\"}",
                    ),
                );
                return None;
            }
        }
    }
    if actions.is_empty() {
        cx.push(
            cx.error(Code::ExampleMisbehaves, at, "the episode has no action")
                .with_label("no JSON action here")
                .with_help("write the actions of the episode, one JSON action per line"),
        );
        return None;
    }
    Some(actions)
}
