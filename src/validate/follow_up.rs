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
        return Some(Checked::none());
    };
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
    let parts = Parts {
        keyword,
        outcome: outcome_name,
        requested: requested.unwrap_or(&[]),
        message,
        provided: provides.map(|(_, l)| names::check_list(cx, scope, Vocabulary::Fields, l)),
        wrong: sends.map(|(_, l)| names::check_list(cx, scope, Vocabulary::Fields, l)),
        provides,
        sends,
    };
    if outcome == FollowUpOutcome::None {
        check_none(cx, &parts);
        return Some(Checked::none());
    }
    let common_ok = check_answer(cx, &parts, outcome);
    let (ok, provided, wrong) = match outcome {
        FollowUpOutcome::Partial => check_partial(cx, &parts)?,
        FollowUpOutcome::Complete => check_complete(cx, &parts),
        _ => check_incorrect(cx, &parts),
    };
    (common_ok && ok).then(|| Checked {
        outcome,
        message: message.map(|(_, m)| m.node.clone()).unwrap_or_default(),
        provided,
        wrong,
    })
}

impl Checked {
    /// No follow-up: the customer never answers.
    fn none() -> Self {
        Checked {
            outcome: FollowUpOutcome::None,
            message: String::new(),
            provided: Vec::new(),
            wrong: Vec::new(),
        }
    }
}

/// A follow-up block's fields as written, with the fields they name
/// checked against the domain.
struct Parts<'a> {
    keyword: Span,
    outcome: &'a Name,
    requested: &'a [Name],
    message: Option<(Span, &'a Text)>,
    provides: Option<(Span, &'a Vec<Name>)>,
    sends: Option<(Span, &'a Vec<Name>)>,
    /// The provided and sent fields, when every name is declared.
    provided: Option<Vec<String>>,
    wrong: Option<Vec<String>>,
}

impl Parts<'_> {
    fn is_requested(&self, n: &Name) -> bool {
        self.requested.iter().any(|r| r.node == n.node)
    }
}

/// What one outcome's check found: whether it holds, the provided fields
/// and the fields sent instead.
type Outcome = (bool, Vec<String>, Vec<String>);

/// `none`: no message and no fields.
fn check_none(cx: &mut Cx, parts: &Parts<'_>) {
    for (present, what) in [
        (parts.message.map(|m| m.0), "message"),
        (parts.provides.map(|p| p.0), "provided fields"),
        (parts.sends.map(|s| s.0), "sent fields"),
    ] {
        if let Some(span) = present {
            cx.push(
                cx.error(
                    Code::FollowUp,
                    span,
                    format!("a `none` follow-up has no {what}: the customer never answers"),
                )
                .with_label("not allowed with `none`")
                .with_help("remove it, or choose the outcome `partial`, `complete` or `incorrect`"),
            );
        }
    }
}

/// What every answer needs: a request to answer and a message; only an
/// `incorrect` one sends other fields.
fn check_answer(cx: &mut Cx, parts: &Parts<'_>, outcome: FollowUpOutcome) -> bool {
    let name = &parts.outcome;
    let mut ok = true;
    if parts.requested.is_empty() {
        cx.push(
            cx.error(
                Code::FollowUp,
                name.span,
                format!(
                    "a `{}` follow-up answers a request, but the task requests no fields",
                    name.node
                ),
            )
            .with_label("nothing was requested")
            .with_help("add `request FIELD, ...` to the task, or remove the follow-up"),
        );
        ok = false;
    }
    if parts.message.is_none() {
        report_missing(
            cx,
            parts.keyword,
            &format!("the `{}` follow-up", name.node),
            &["message"],
            "add `message \"...\"` with the customer's answer",
        );
        ok = false;
    }
    if let (Some((span, _)), false) = (parts.sends, outcome == FollowUpOutcome::Incorrect) {
        cx.push(
            cx.error(
                Code::FollowUp,
                span,
                format!(
                    "only an `incorrect` follow-up sends other fields, not a `{}` one",
                    name.node
                ),
            )
            .with_label("not allowed here")
            .with_help("use `provides` for requested fields the customer gives"),
        );
        ok = false;
    }
    ok
}

/// `partial`: provides a proper, non-empty subset of the requested fields.
/// `None` when `provides` is missing (nothing more can be said).
fn check_partial(cx: &mut Cx, parts: &Parts<'_>) -> Option<Outcome> {
    let Some((span, list)) = parts.provides else {
        report_missing(
            cx,
            parts.keyword,
            "the `partial` follow-up",
            &["provides"],
            "add `provides FIELD, ...`: the requested fields the customer gives",
        );
        return None;
    };
    let mut ok = not_requested(cx, list, &|n| parts.is_requested(n), "provide");
    let distinct = parts.provided.clone().unwrap_or_default();
    if !parts.requested.is_empty()
        && distinct.len() >= parts.requested.len()
        && list.iter().all(|n| parts.is_requested(n))
    {
        cx.push(
            cx.error(
                Code::FollowUp,
                span,
                "a `partial` follow-up provides only some of the requested fields, but this one provides all",
            )
            .with_label("every requested field")
            .with_help(
                "use `follow_up complete`, or leave out the fields the customer does not give",
            ),
        );
        ok = false;
    }
    Some((ok, distinct, Vec::new()))
}

/// `complete`: provides every requested field (all of them when `provides`
/// is left out).
fn check_complete(cx: &mut Cx, parts: &Parts<'_>) -> Outcome {
    let Some((span, list)) = parts.provides else {
        let all = parts.requested.iter().map(|n| n.node.clone()).collect();
        return (true, all, Vec::new());
    };
    let mut ok = not_requested(cx, list, &|n| parts.is_requested(n), "provide");
    let absent: Vec<String> = parts
        .requested
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
    (ok, parts.provided.clone().unwrap_or_default(), Vec::new())
}

/// `incorrect`: the customer sends fields outside the requested ones, and
/// provides none of them.
fn check_incorrect(cx: &mut Cx, parts: &Parts<'_>) -> Outcome {
    let mut ok = true;
    if let Some((span, _)) = parts.provides {
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
    let Some((_, list)) = parts.sends else {
        report_missing(
            cx,
            parts.keyword,
            "the `incorrect` follow-up",
            &["sends"],
            "add `sends FIELD, ...`: the fields the customer sends instead",
        );
        return (false, Vec::new(), Vec::new());
    };
    for name in list.iter().filter(|n| parts.is_requested(n)) {
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
            .with_help("an `incorrect` follow-up sends fields outside the requested ones"),
        );
        ok = false;
    }
    (ok, Vec::new(), parts.wrong.clone().unwrap_or_default())
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
