//! `task` and its blocks (ticket, kb, expect, follow-up, reply, note) → [`Task`].

use pest::iterators::{Pair, Pairs};

use super::{field, name, names, number, span, text, Cx};
use crate::syntax::ast::{
    Example, ExpectValue, Field, FollowUp, FollowUpValue, Kb, MarkerRule, Task, TaskValue,
    TicketValue,
};
use crate::syntax::Rule;

impl Task {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::task);
        let whole = span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // the keyword
        let id = name(inner.next().expect("a task has an id"));
        let fields = inner.map(|f| task_field(f, cx)).collect();
        Task {
            id,
            span: whole,
            fields,
        }
    }
}

fn next<'i>(rest: &mut Pairs<'i, Rule>) -> Pair<'i, Rule> {
    rest.next().expect("the grammar guarantees this part")
}

fn task_field(pair: Pair<'_, Rule>, cx: &mut Cx) -> Field<TaskValue> {
    match pair.as_rule() {
        Rule::title => field(pair, "title", |mut r| {
            TaskValue::Title(text(next(&mut r), cx))
        }),
        Rule::difficulty => field(pair, "difficulty", |mut r| {
            TaskValue::Difficulty(name(next(&mut r)))
        }),
        Rule::objective => field(pair, "objective", |mut r| {
            TaskValue::Objective(text(next(&mut r), cx))
        }),
        Rule::max_steps => field(pair, "max_steps", |mut r| {
            TaskValue::MaxSteps(number(next(&mut r)))
        }),
        Rule::sla_step_cost => field(pair, "sla_step_cost", |mut r| {
            TaskValue::SlaStepCost(number(next(&mut r)))
        }),
        Rule::ticket => field(pair, "ticket", |r| {
            TaskValue::Ticket(r.map(|f| ticket_field(f, cx)).collect())
        }),
        Rule::kb => field(pair, "kb", |r| TaskValue::Kb(Kb::from_pairs(r, cx))),
        Rule::expect => field(pair, "expect", |r| {
            TaskValue::Expect(r.map(|f| expect_field(f, cx)).collect())
        }),
        Rule::request => field(pair, "request", |mut r| {
            TaskValue::Request(names(next(&mut r)))
        }),
        Rule::follow_up => field(pair, "follow_up", |r| {
            TaskValue::FollowUp(FollowUp::from_pairs(r, cx))
        }),
        Rule::reply => field(pair, "reply", |r| {
            TaskValue::Reply(r.map(|m| MarkerRule::from_pair(m, cx)).collect())
        }),
        Rule::note => field(pair, "note", |r| {
            TaskValue::Note(r.map(|m| MarkerRule::from_pair(m, cx)).collect())
        }),
        Rule::risk => field(pair, "risk", |mut r| TaskValue::Risk(names(next(&mut r)))),
        Rule::over_escalation => field(pair, "over_escalation", |mut r| {
            TaskValue::OverEscalation(names(next(&mut r)))
        }),
        Rule::under_escalation_deadline => field(pair, "under_escalation_deadline", |mut r| {
            TaskValue::UnderEscalationDeadline(number(next(&mut r)))
        }),
        Rule::examples => field(pair, "examples", |rest| {
            TaskValue::Examples(rest.map(|e| example(e, cx)).collect())
        }),
        Rule::task_grading => field(pair, "grading", |rest| {
            TaskValue::Grading(super::grading::fields(rest, cx))
        }),
        other => unreachable!("a task holds task fields, not {other:?}"),
    }
}

fn example(pair: Pair<'_, Rule>, cx: &mut Cx) -> Example {
    let whole = span(&pair);
    let rule = pair.as_rule();
    let mut parts = pair.into_inner();
    match rule {
        Rule::text_example => {
            let reply = next(&mut parts).as_rule() == Rule::k_reply;
            let pass = next(&mut parts).as_rule() == Rule::k_pass;
            Example::Text {
                reply,
                pass,
                text: text(next(&mut parts), cx),
                span: whole,
            }
        }
        Rule::episode_example => {
            parts.next(); // `episode`
            let name = text(next(&mut parts), cx);
            parts.next(); // `score`
            let low = number(next(&mut parts));
            parts.next(); // `to`
            let high = number(next(&mut parts));
            Example::Episode {
                name,
                low,
                high,
                actions: text(next(&mut parts), cx),
                span: whole,
            }
        }
        other => unreachable!("an example is a text or an episode, not {other:?}"),
    }
}

fn ticket_field(pair: Pair<'_, Rule>, cx: &mut Cx) -> Field<TicketValue> {
    let rule = pair.as_rule();
    let (keyword, make): (&'static str, fn(crate::syntax::ast::Text) -> TicketValue) = match rule {
        Rule::customer => ("customer", TicketValue::Customer),
        Rule::tier => ("tier", TicketValue::Tier),
        Rule::company => ("company", TicketValue::Company),
        Rule::subject => ("subject", TicketValue::Subject),
        Rule::body => ("body", TicketValue::Body),
        Rule::region => ("region", TicketValue::Region),
        Rule::impact => ("impact", TicketValue::Impact),
        Rule::concern => ("concern", TicketValue::Concern),
        Rule::attachment => ("attachment", TicketValue::Attachment),
        Rule::affected_users => {
            return field(pair, "affected_users", |mut r| {
                TicketValue::AffectedUsers(number(next(&mut r)))
            })
        }
        Rule::sla_minutes => {
            return field(pair, "sla_minutes", |mut r| {
                TicketValue::SlaMinutes(number(next(&mut r)))
            })
        }
        other => unreachable!("a ticket holds ticket fields, not {other:?}"),
    };
    field(pair, keyword, |mut r| make(text(next(&mut r), cx)))
}

fn expect_field(pair: Pair<'_, Rule>, cx: &mut Cx) -> Field<ExpectValue> {
    match pair.as_rule() {
        Rule::expect_reply => {
            return field(pair, "reply", |mut r| {
                ExpectValue::Reply(text(next(&mut r), cx))
            })
        }
        Rule::expect_note => {
            return field(pair, "note", |mut r| {
                ExpectValue::Note(text(next(&mut r), cx))
            })
        }
        _ => {}
    }
    let (keyword, make): (&'static str, fn(crate::syntax::ast::Name) -> ExpectValue) =
        match pair.as_rule() {
            Rule::expect_queue => ("queue", ExpectValue::Queue),
            Rule::expect_priority => ("priority", ExpectValue::Priority),
            Rule::expect_issue_type => ("issue_type", ExpectValue::IssueType),
            Rule::expect_status => ("status", ExpectValue::Status),
            Rule::expect_resolution => ("resolution", ExpectValue::Resolution),
            other => unreachable!("`expect` holds gold values, not {other:?}"),
        };
    field(pair, keyword, |mut r| make(name(next(&mut r))))
}

impl Kb {
    /// The parts of a `kb` field after its keyword: id, title, content.
    fn from_pairs(mut rest: Pairs<'_, Rule>, cx: &mut Cx) -> Self {
        Kb {
            id: text(next(&mut rest), cx),
            title: text(next(&mut rest), cx),
            content: text(next(&mut rest), cx),
        }
    }
}

impl FollowUp {
    /// The parts of a `follow_up` field after its keyword: outcome, then fields.
    fn from_pairs(mut rest: Pairs<'_, Rule>, cx: &mut Cx) -> Self {
        let outcome = name(next(&mut rest));
        let fields = rest
            .map(|f| match f.as_rule() {
                Rule::follow_up_message => field(f, "message", |mut r| {
                    FollowUpValue::Message(text(next(&mut r), cx))
                }),
                Rule::provides => field(f, "provides", |mut r| {
                    FollowUpValue::Provides(names(next(&mut r)))
                }),
                Rule::sends => field(f, "sends", |mut r| {
                    FollowUpValue::Sends(names(next(&mut r)))
                }),
                other => unreachable!("a follow-up holds message, provides, sends, not {other:?}"),
            })
            .collect();
        FollowUp { outcome, fields }
    }
}
