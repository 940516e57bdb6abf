//! A task → [`TaskSpec`]: its fields once each, the required ones present,
//! names declared, numbers in range, and the checks across fields (id and
//! file name, gold queue and over-escalation, deadline and max steps).

use super::fields::{integer, once, report_missing};
use super::{examples, follow_up, grading, markers, names, Scope, ValidTask};
use crate::diagnostic::{Code, Cx};
use crate::source::{SourceFile, Span};
use crate::spec::{Difficulty, KnowledgeSnippet, TaskMatching, TaskSpec, TicketSpec};
use crate::syntax::ast::{
    Example, ExpectValue, Field, GradingValue, Kb, MarkerRule, Name, Number, Task, TaskValue, Text,
    TicketValue, Vocabulary,
};

/// Largest count the language accepts for steps, minutes and costs.
const MAX_COUNT: i64 = 1_000_000;

type Slot<'a, T> = Option<(Span, &'a T)>;

#[derive(Default)]
struct Slots<'a> {
    title: Slot<'a, Text>,
    difficulty: Slot<'a, Name>,
    objective: Slot<'a, Text>,
    max_steps: Slot<'a, Number>,
    sla_step_cost: Slot<'a, Number>,
    ticket: Slot<'a, Vec<Field<TicketValue>>>,
    expect: Slot<'a, Vec<Field<ExpectValue>>>,
    request: Slot<'a, Vec<Name>>,
    follow_up: Slot<'a, crate::syntax::ast::FollowUp>,
    reply: Slot<'a, Vec<MarkerRule>>,
    note: Slot<'a, Vec<MarkerRule>>,
    risk: Slot<'a, Vec<Name>>,
    over_escalation: Slot<'a, Vec<Name>>,
    deadline: Slot<'a, Number>,
    grading: Slot<'a, Vec<Field<GradingValue>>>,
    examples: Slot<'a, Vec<Example>>,
}

/// Checks one task. Returns its spec when the task itself has no error.
pub(crate) fn check(
    cx: &mut Cx,
    scope: &Scope,
    file: &SourceFile,
    task: &Task,
) -> Option<ValidTask> {
    let errors_before = cx.diagnostics.len();
    let id = &task.id;
    check_file_name(cx, file, id);

    let (s, kbs) = slots(cx, task);
    report_missing_fields(cx, id, &s);

    let difficulty = s.difficulty.and_then(|(_, name)| {
        names::check_fixed(cx, "difficulty", &["easy", "medium", "hard"], name).then_some(
            match name.node.as_str() {
                "easy" => Difficulty::Easy,
                "medium" => Difficulty::Medium,
                _ => Difficulty::Hard,
            },
        )
    });
    let n = numbers(cx, &s);

    let ticket = s
        .ticket
        .and_then(|(kw, fields)| ticket(cx, scope, kw, fields));
    let knowledge_base = knowledge_base(cx, &kbs);
    let gold = s
        .expect
        .and_then(|(kw, fields)| expect(cx, scope, kw, fields));

    let requested = s
        .request
        .map(|(_, list)| names::check_list(cx, scope, Vocabulary::Fields, list))
        .unwrap_or_default();
    let follow = follow_up::check(cx, scope, s.follow_up, s.request.map(|(_, l)| l.as_slice()));
    let risk_flags = s
        .risk
        .map(|(_, list)| names::check_list(cx, scope, Vocabulary::RiskFlags, list))
        .unwrap_or_default();
    let over_escalation = s
        .over_escalation
        .map(|(_, list)| {
            over_escalation(cx, scope, list, gold.as_ref().map(|g| g.queue.1.as_str()))
        })
        .unwrap_or_default();

    let mut matching = TaskMatching::default();
    let reply = s
        .reply
        .map(|(_, rules)| markers::check_reply(cx, scope, rules, &mut matching));
    let note = s
        .note
        .map(|(_, rules)| markers::check_note(cx, scope, rules, &mut matching));

    let statuses = scope
        .vocabulary(Vocabulary::Statuses)
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let default_grading = crate::spec::Grading::default();
    let domain_grading = scope
        .domain
        .as_ref()
        .map_or(&default_grading, |d| &d.grading);
    let mut task_grading = s
        .grading
        .map(|(_, fields)| grading::task(cx, fields, domain_grading, &statuses))
        .unwrap_or_default();

    let examples = s
        .examples
        .map(|(_, list)| examples::check(cx, list))
        .unwrap_or_default();

    if cx.diagnostics[errors_before..].iter().any(|d| d.is_error()) {
        return None;
    }
    let gold = gold?;
    task_grading.gold_reply = gold.reply.clone();
    task_grading.gold_note = gold.note.clone();
    let (required_reply_markers, forbidden_reply_markers) = reply?;
    let follow = follow?;
    Some(ValidTask {
        spec: TaskSpec {
            task_id: id.node.clone(),
            difficulty: difficulty?,
            title: s.title?.1.node.clone(),
            objective: s.objective?.1.node.clone(),
            ticket: ticket?,
            knowledge_base,
            gold_queue: gold.queue.1,
            gold_priority: gold.priority,
            gold_issue_type: gold.issue_type,
            gold_status: gold.status,
            gold_resolution_code: gold.resolution,
            required_requested_fields: requested,
            required_reply_markers,
            required_note_markers: note?,
            forbidden_reply_markers,
            risk_flags,
            follow_up_outcome: follow.outcome,
            follow_up_message: follow.message,
            follow_up_provided_fields: follow.provided,
            follow_up_wrong_fields: follow.wrong,
            sla_step_cost: u32::try_from(n.sla_step_cost?).ok()?,
            over_escalation_queues: over_escalation,
            under_escalation_deadline_step: n.deadline?.and_then(|d| u32::try_from(d).ok()),
            max_steps: u32::try_from(n.max_steps?).ok()?,
        },
        matching,
        grading: task_grading,
        examples,
    })
}

/// A task lives in the file named after it.
fn check_file_name(cx: &mut Cx, file: &SourceFile, id: &Name) {
    if file.stem() != id.node {
        cx.push(
            cx.error(
                Code::TaskIdFileName,
                id.span,
                format!(
                    "task `{}` is declared in `{}`; its file must be named `{}.task`",
                    id.node, file.name, id.node
                ),
            )
            .with_label("task id differs from the file name")
            .with_help(format!(
                "rename the file to `{}.task`, or the task to `{}`",
                id.node,
                file.stem()
            )),
        );
    }
}

/// The task's fields, each in its slot (a field given twice is reported),
/// and its knowledge-base articles in order.
fn slots<'a>(cx: &mut Cx, task: &'a Task) -> (Slots<'a>, Vec<&'a Kb>) {
    let mut s = Slots::default();
    let mut kbs = Vec::new();
    for field in &task.fields {
        let kw = &field.keyword;
        match &field.value {
            TaskValue::Title(v) => once(cx, &mut s.title, kw, v),
            TaskValue::Difficulty(v) => once(cx, &mut s.difficulty, kw, v),
            TaskValue::Objective(v) => once(cx, &mut s.objective, kw, v),
            TaskValue::MaxSteps(v) => once(cx, &mut s.max_steps, kw, v),
            TaskValue::SlaStepCost(v) => once(cx, &mut s.sla_step_cost, kw, v),
            TaskValue::Ticket(v) => once(cx, &mut s.ticket, kw, v),
            TaskValue::Kb(kb) => kbs.push(kb),
            TaskValue::Expect(v) => once(cx, &mut s.expect, kw, v),
            TaskValue::Request(v) => once(cx, &mut s.request, kw, v),
            TaskValue::FollowUp(v) => once(cx, &mut s.follow_up, kw, v),
            TaskValue::Reply(v) => once(cx, &mut s.reply, kw, v),
            TaskValue::Note(v) => once(cx, &mut s.note, kw, v),
            TaskValue::Risk(v) => once(cx, &mut s.risk, kw, v),
            TaskValue::OverEscalation(v) => once(cx, &mut s.over_escalation, kw, v),
            TaskValue::UnderEscalationDeadline(v) => once(cx, &mut s.deadline, kw, v),
            TaskValue::Grading(v) => once(cx, &mut s.grading, kw, v),
            TaskValue::Examples(v) => once(cx, &mut s.examples, kw, v),
        }
    }
    (s, kbs)
}

/// One diagnostic naming every required field the task lacks.
fn report_missing_fields(cx: &mut Cx, id: &Name, s: &Slots<'_>) {
    let missing: Vec<&str> = [
        (s.title.is_some(), "title"),
        (s.difficulty.is_some(), "difficulty"),
        (s.objective.is_some(), "objective"),
        (s.ticket.is_some(), "ticket"),
        (s.expect.is_some(), "expect"),
        (s.reply.is_some(), "reply"),
        (s.note.is_some(), "note"),
    ]
    .into_iter()
    .filter(|(present, _)| !present)
    .map(|(_, name)| name)
    .collect();
    report_missing(
        cx,
        id.span,
        &format!("task `{}`", id.node),
        &missing,
        "see docs/LANGUAGE.md for a complete task to copy",
    );
}

/// A task's numbers with their defaults; `None` where one is out of range.
struct Numbers {
    max_steps: Option<i64>,
    sla_step_cost: Option<i64>,
    /// `Some(None)`: no deadline.
    deadline: Option<Option<i64>>,
}

fn numbers(cx: &mut Cx, s: &Slots<'_>) -> Numbers {
    let max_steps = match s.max_steps {
        Some((_, n)) => integer(cx, n, "`max_steps`", 1, MAX_COUNT),
        None => Some(TaskSpec::DEFAULT_MAX_STEPS.into()),
    };
    let sla_step_cost = match s.sla_step_cost {
        Some((_, n)) => integer(cx, n, "`sla_step_cost`", 0, MAX_COUNT),
        None => Some(TaskSpec::DEFAULT_SLA_STEP_COST.into()),
    };
    let deadline = match s.deadline {
        Some((_, n)) => {
            let upper = max_steps.unwrap_or(MAX_COUNT);
            integer(cx, n, "`under_escalation_deadline`", 1, upper).map(Some)
        }
        None => Some(None),
    };
    Numbers {
        max_steps,
        sla_step_cost,
        deadline,
    }
}

/// The over-escalation queues; the gold queue must not be one of them.
fn over_escalation(
    cx: &mut Cx,
    scope: &Scope,
    list: &[Name],
    gold_queue: Option<&str>,
) -> Vec<String> {
    let out = names::check_list(cx, scope, Vocabulary::Queues, list);
    if let Some(bad) = gold_queue.and_then(|gold| list.iter().find(|q| q.node == gold)) {
        cx.push(
            cx.error(
                Code::GoldOverEscalation,
                bad.span,
                format!(
                    "the gold queue `{}` is listed as an over-escalation queue",
                    bad.node
                ),
            )
            .with_label("this is the gold queue")
            .with_help(
                "routing to the gold queue is the right move; remove it from `over_escalation`",
            ),
        );
    }
    out
}

fn ticket(
    cx: &mut Cx,
    scope: &Scope,
    keyword: Span,
    fields: &[Field<TicketValue>],
) -> Option<TicketSpec> {
    let mut customer = None;
    let mut tier = None;
    let mut company = None;
    let mut subject = None;
    let mut body = None;
    let mut region = None;
    let mut affected = None;
    let mut sla = None;
    let mut impact = None;
    let mut concerns = Vec::new();
    let mut attachments = Vec::new();
    for field in fields {
        let kw = &field.keyword;
        match &field.value {
            TicketValue::Customer(v) => once(cx, &mut customer, kw, v),
            TicketValue::Tier(v) => once(cx, &mut tier, kw, v),
            TicketValue::Company(v) => once(cx, &mut company, kw, v),
            TicketValue::Subject(v) => once(cx, &mut subject, kw, v),
            TicketValue::Body(v) => once(cx, &mut body, kw, v),
            TicketValue::Region(v) => once(cx, &mut region, kw, v),
            TicketValue::AffectedUsers(v) => once(cx, &mut affected, kw, v),
            TicketValue::SlaMinutes(v) => once(cx, &mut sla, kw, v),
            TicketValue::Impact(v) => once(cx, &mut impact, kw, v),
            TicketValue::Concern(v) => concerns.push(v.node.clone()),
            TicketValue::Attachment(v) => attachments.push(v.node.clone()),
        }
    }
    let mut missing = Vec::new();
    for (present, name) in [
        (customer.is_some(), "customer"),
        (tier.is_some(), "tier"),
        (company.is_some(), "company"),
        (subject.is_some(), "subject"),
        (body.is_some(), "body"),
        (region.is_some(), "region"),
        (affected.is_some(), "affected_users"),
        (sla.is_some(), "sla_minutes"),
        (impact.is_some(), "impact"),
    ] {
        if !present {
            missing.push(name);
        }
    }
    report_missing(
        cx,
        keyword,
        "the ticket",
        &missing,
        "a ticket has customer, tier, company, subject, body, region, affected_users, \
         sla_minutes and impact (concern and attachment lines are optional)",
    );
    if let Some((_, t)) = tier {
        let as_name = Name::new(t.node.clone(), t.span);
        names::check(cx, scope, Vocabulary::Tiers, &as_name);
    }
    let affected = affected.and_then(|(_, n)| integer(cx, n, "`affected_users`", 0, 1_000_000_000));
    let sla = sla.and_then(|(_, n)| integer(cx, n, "`sla_minutes`", 0, MAX_COUNT));
    let text = |slot: Option<(Span, &Text)>| slot.map(|(_, t)| t.node.clone());
    Some(TicketSpec {
        customer_name: text(customer)?,
        customer_tier: text(tier)?,
        company: text(company)?,
        subject: text(subject)?,
        body: text(body)?,
        region: text(region)?,
        affected_users: u64::try_from(affected?).ok()?,
        sla_minutes_remaining: u32::try_from(sla?).ok()?,
        business_impact: text(impact)?,
        secondary_concerns: concerns,
        attachments,
    })
}

fn knowledge_base(cx: &mut Cx, kbs: &[&crate::syntax::ast::Kb]) -> Vec<KnowledgeSnippet> {
    let mut out = Vec::with_capacity(kbs.len());
    for (i, kb) in kbs.iter().enumerate() {
        if let Some(first) = kbs[..i].iter().find(|k| k.id.node == kb.id.node) {
            let (file, first_span) = (cx.file, first.id.span);
            cx.push(
                cx.error(
                    Code::DuplicateKb,
                    kb.id.span,
                    format!("knowledge-base article `{}` is given twice", kb.id.node),
                )
                .with_label("same id again")
                .with_related(file, first_span, "first given here")
                .with_help("give each article its own id"),
            );
            continue;
        }
        out.push(KnowledgeSnippet {
            article_id: kb.id.node.clone(),
            title: kb.title.node.clone(),
            content: kb.content.node.clone(),
        });
    }
    out
}

pub(crate) struct Gold {
    /// The gold queue, with its span for cross-checks.
    pub queue: (Span, String),
    pub priority: String,
    pub issue_type: String,
    pub status: String,
    pub resolution: String,
    /// The texts a competent agent sends and writes, where the task gives them.
    pub reply: Option<String>,
    pub note: Option<String>,
}

fn expect(
    cx: &mut Cx,
    scope: &Scope,
    keyword: Span,
    fields: &[Field<ExpectValue>],
) -> Option<Gold> {
    let mut queue = None;
    let mut priority = None;
    let mut issue_type = None;
    let mut status = None;
    let mut resolution = None;
    let mut reply = None;
    let mut note = None;
    for field in fields {
        let kw = &field.keyword;
        match &field.value {
            ExpectValue::Queue(v) => once(cx, &mut queue, kw, v),
            ExpectValue::Priority(v) => once(cx, &mut priority, kw, v),
            ExpectValue::IssueType(v) => once(cx, &mut issue_type, kw, v),
            ExpectValue::Status(v) => once(cx, &mut status, kw, v),
            ExpectValue::Resolution(v) => once(cx, &mut resolution, kw, v),
            ExpectValue::Reply(v) => once(cx, &mut reply, kw, v),
            ExpectValue::Note(v) => once(cx, &mut note, kw, v),
        }
    }
    let mut missing = Vec::new();
    for (present, name) in [
        (queue.is_some(), "queue"),
        (priority.is_some(), "priority"),
        (issue_type.is_some(), "issue_type"),
        (status.is_some(), "status"),
        (resolution.is_some(), "resolution"),
    ] {
        if !present {
            missing.push(name);
        }
    }
    report_missing(
        cx,
        keyword,
        "`expect`",
        &missing,
        "`expect` gives the gold queue, priority, issue_type, status and resolution",
    );
    let mut checked = |slot: Option<(Span, &Name)>, vocabulary| {
        slot.and_then(|(_, name)| {
            names::check(cx, scope, vocabulary, name).then(|| (name.span, name.node.clone()))
        })
    };
    let queue = checked(queue, Vocabulary::Queues);
    let priority = checked(priority, Vocabulary::Priorities);
    let issue_type = checked(issue_type, Vocabulary::IssueTypes);
    let status = checked(status, Vocabulary::Statuses);
    let resolution = checked(resolution, Vocabulary::ResolutionCodes);
    Some(Gold {
        queue: queue?,
        priority: priority?.1,
        issue_type: issue_type?.1,
        status: status?.1,
        resolution: resolution?.1,
        reply: reply.map(|(_, t): (Span, &Text)| t.node.clone()),
        note: note.map(|(_, t): (Span, &Text)| t.node.clone()),
    })
}
