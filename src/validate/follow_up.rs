//! The follow-up against the requested fields: `none` has no message or
//! fields; `partial` provides a proper non-empty subset of the requested
//! fields; `complete` provides all of them; `incorrect` sends fields outside
//! them; any other outcome than `none` needs requested fields.

use super::fields::{once, report_missing};
use super::{names, Scope};
use crate::diagnostic::{Code, Cx};
use crate::source::Span;
use crate::spec::FollowUpOutcome;
use crate::syntax::ast::{FollowUp, FollowUpValue, Name, Text, Vocabulary};

pub(crate) struct Checked {
    pub outcome: FollowUpOutcome,
    pub message: String,
    pub provided: Vec<String>,
    pub wrong: Vec<String>,
}

const OUTCOMES: [&str; 4] = ["none", "partial", "complete", "incorrect"];

pub(crate) fn check(
    cx: &mut Cx,
    scope: &Scope,
    follow_up: Option<(Span, &FollowUp)>,
    requested: Option<&[Name]>,
) -> Option<Checked> {
    let Some((keyword, follow_up)) = follow_up else {
        return Some(Checked {
            outcome: FollowUpOutcome::None,
            message: String::new(),
            provided: Vec::new(),
            wrong: Vec::new(),
        });
    };
    let requested = requested.unwrap_or(&[]);
    let outcome_name = &follow_up.outcome;
    if !names::check_fixed(cx, "follow-up outcome", &OUTCOMES, outcome_name) {
        return None;
    }
    let outcome = match outcome_name.node.as_str() {
        "none" => FollowUpOutcome::None,
        "partial" => FollowUpOutcome::Partial,
        "complete" => FollowUpOutcome::Complete,
        _ => FollowUpOutcome::Incorrect,
    };

    let mut message: Option<(Span, &Text)> = None;
    let mut provides: Option<(Span, &Vec<Name>)> = None;
    let mut sends: Option<(Span, &Vec<Name>)> = None;
    for field in &follow_up.fields {
        let kw = &field.keyword;
        match &field.value {
            FollowUpValue::Message(v) => once(cx, &mut message, kw, v),
            FollowUpValue::Provides(v) => once(cx, &mut provides, kw, v),
            FollowUpValue::Sends(v) => once(cx, &mut sends, kw, v),
        }
    }
    let provided = provides.map(|(_, l)| names::check_list(cx, scope, Vocabulary::Fields, l));
    let wrong = sends.map(|(_, l)| names::check_list(cx, scope, Vocabulary::Fields, l));
    let is_requested = |n: &Name| requested.iter().any(|r| r.node == n.node);

    if outcome == FollowUpOutcome::None {
        for (present, what) in [
            (message.map(|m| m.0), "a message"),
            (provides.map(|p| p.0), "provided fields"),
            (sends.map(|s| s.0), "sent fields"),
        ] {
            if let Some(span) = present {
                cx.push(
                    cx.error(
                        Code::FollowUp,
                        span,
                        format!(
                            "a `none` follow-up has no {}: the customer never answers",
                            what.trim_start_matches("a ")
                        ),
                    )
                    .with_label("not allowed with `none`")
                    .with_help(
                        "remove it, or choose the outcome `partial`, `complete` or `incorrect`",
                    ),
                );
            }
        }
        return Some(Checked {
            outcome,
            message: String::new(),
            provided: Vec::new(),
            wrong: Vec::new(),
        });
    }

    let mut ok = true;
    if requested.is_empty() {
        cx.push(
            cx.error(
                Code::FollowUp,
                outcome_name.span,
                format!(
                    "a `{}` follow-up answers a request, but the task requests no fields",
                    outcome_name.node
                ),
            )
            .with_label("nothing was requested")
            .with_help("add `request FIELD, ...` to the task, or remove the follow-up"),
        );
        ok = false;
    }
    if message.is_none() {
        report_missing(
            cx,
            keyword,
            &format!("the `{}` follow-up", outcome_name.node),
            &["message"],
            "add `message \"...\"` with the customer's answer",
        );
        ok = false;
    }
    if outcome != FollowUpOutcome::Incorrect {
        if let Some((span, _)) = sends {
            cx.push(
                cx.error(
                    Code::FollowUp,
                    span,
                    format!(
                        "only an `incorrect` follow-up sends other fields, not a `{}` one",
                        outcome_name.node
                    ),
                )
                .with_label("not allowed here")
                .with_help("use `provides` for requested fields the customer gives"),
            );
            ok = false;
        }
    }

    let provided_out: Vec<String>;
    let mut wrong_out = Vec::new();
    match outcome {
        FollowUpOutcome::Partial => {
            let Some((span, list)) = provides else {
                report_missing(
                    cx,
                    keyword,
                    "the `partial` follow-up",
                    &["provides"],
                    "add `provides FIELD, ...`: the requested fields the customer gives",
                );
                return None;
            };
            ok &= not_requested(cx, list, &is_requested, "provide");
            let distinct = provided.clone().unwrap_or_default();
            if !requested.is_empty()
                && distinct.len() >= requested.len()
                && list.iter().all(is_requested)
            {
                cx.push(cx.error(
                    Code::FollowUp,
                    span,
                    "a `partial` follow-up provides only some of the requested fields, but this one provides all",
                )
                .with_label("every requested field")
                .with_help("use `follow_up complete`, or leave out the fields the customer does not give"));
                ok = false;
            }
            provided_out = distinct;
        }
        FollowUpOutcome::Complete => match provides {
            None => provided_out = requested.iter().map(|n| n.node.clone()).collect(),
            Some((span, list)) => {
                ok &= not_requested(cx, list, &is_requested, "provide");
                let absent: Vec<String> = requested
                    .iter()
                    .filter(|r| !list.iter().any(|p| p.node == r.node))
                    .map(|r| format!("`{}`", r.node))
                    .collect();
                if !absent.is_empty() {
                    cx.push(
                        cx.error(
                            Code::FollowUp,
                            span,
                            format!(
                                "a `complete` follow-up provides every requested field; missing {}",
                                absent.join(", ")
                            ),
                        )
                        .with_label("not every requested field")
                        .with_help("add the missing fields, or use `follow_up partial`"),
                    );
                    ok = false;
                }
                provided_out = provided.clone().unwrap_or_default();
            }
        },
        _ => {
            // Incorrect: the customer sends other fields instead.
            if let Some((span, _)) = provides {
                cx.push(
                    cx.error(
                        Code::FollowUp,
                        span,
                        "an `incorrect` follow-up provides none of the requested fields",
                    )
                    .with_label("not allowed with `incorrect`")
                    .with_help("list what the customer sends instead with `sends FIELD, ...`"),
                );
                ok = false;
            }
            match sends {
                None => {
                    report_missing(
                        cx,
                        keyword,
                        "the `incorrect` follow-up",
                        &["sends"],
                        "add `sends FIELD, ...`: the fields the customer sends instead",
                    );
                    ok = false;
                }
                Some((_, list)) => {
                    for name in list.iter().filter(|n| is_requested(n)) {
                        cx.push(
                            cx.error(
                                Code::FollowUp,
                                name.span,
                                format!(
                                    "`{}` was requested, so sending it is not incorrect",
                                    name.node
                                ),
                            )
                            .with_label("a requested field")
                            .with_help(
                                "an `incorrect` follow-up sends fields outside the requested ones",
                            ),
                        );
                        ok = false;
                    }
                    wrong_out = wrong.clone().unwrap_or_default();
                }
            }
            provided_out = Vec::new();
        }
    }
    ok.then(|| Checked {
        outcome,
        message: message.map(|(_, m)| m.node.clone()).unwrap_or_default(),
        provided: provided_out,
        wrong: wrong_out,
    })
}

/// Reports provided fields that were never requested; true when there are none.
fn not_requested(
    cx: &mut Cx,
    list: &[Name],
    is_requested: &dyn Fn(&Name) -> bool,
    verb: &str,
) -> bool {
    let mut ok = true;
    for name in list.iter().filter(|n| !is_requested(n)) {
        cx.push(
            cx.error(
                Code::FollowUp,
                name.span,
                format!(
                    "the follow-up cannot {verb} `{}`: it was not requested",
                    name.node
                ),
            )
            .with_label("not a requested field")
            .with_help("add it to `request`, or list it with `sends` in an `incorrect` follow-up"),
        );
        ok = false;
    }
    ok
}
