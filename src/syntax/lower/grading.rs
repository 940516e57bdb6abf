//! `grading { ... }` (in a domain or a task) and its gates → [`GradingValue`].

use pest::iterators::{Pair, Pairs};

use super::{field, name, number, span, text, Cx};
use crate::syntax::ast::{Act, Field, Forbidden, Gate, GateRule, GateWhen, GradingValue, Text};
use crate::syntax::Rule;

/// The fields of a `domain_grading` or `task_grading` block.
pub(crate) fn fields(rest: Pairs<'_, Rule>, cx: &mut Cx) -> Vec<Field<GradingValue>> {
    rest.map(|f| grading_field(f, cx)).collect()
}

fn next<'i>(rest: &mut Pairs<'i, Rule>) -> Pair<'i, Rule> {
    rest.next().expect("the grammar guarantees this part")
}

fn texts(pair: Pair<'_, Rule>, cx: &mut Cx) -> Vec<Text> {
    debug_assert_eq!(pair.as_rule(), Rule::text_list);
    pair.into_inner().map(|t| text(t, cx)).collect()
}

pub(crate) fn grading_field(pair: Pair<'_, Rule>, cx: &mut Cx) -> Field<GradingValue> {
    match pair.as_rule() {
        Rule::reward => field(pair, "reward", |mut r| {
            GradingValue::Reward(name(next(&mut r)))
        }),
        Rule::gaming_threshold => field(pair, "gaming_threshold", |mut r| {
            GradingValue::GamingThreshold(number(next(&mut r)))
        }),
        Rule::negation_window => field(pair, "negation_window", |mut r| {
            GradingValue::NegationWindow(number(next(&mut r)))
        }),
        Rule::negation_triggers => field(pair, "negation_triggers", |mut r| {
            GradingValue::NegationTriggers(texts(next(&mut r), cx))
        }),
        Rule::negation_post => field(pair, "negation_post", |mut r| {
            GradingValue::NegationPost(texts(next(&mut r), cx))
        }),
        Rule::negation_pseudo => field(pair, "negation_pseudo", |mut r| {
            GradingValue::NegationPseudo(texts(next(&mut r), cx))
        }),
        Rule::negation_stops => field(pair, "negation_stops", |mut r| {
            GradingValue::NegationStops(texts(next(&mut r), cx))
        }),
        Rule::negation_verbs => field(pair, "negation_verbs", |mut r| {
            GradingValue::NegationVerbs(texts(next(&mut r), cx))
        }),
        Rule::negation_conditionals => field(pair, "negation_conditionals", |mut r| {
            GradingValue::NegationConditionals(texts(next(&mut r), cx))
        }),
        Rule::verbs => field(pair, "verbs", |mut r| {
            let class = name(next(&mut r));
            GradingValue::Verbs(class, texts(next(&mut r), cx))
        }),
        Rule::languages => field(pair, "languages", |mut r| {
            GradingValue::Languages(texts(next(&mut r), cx))
        }),
        Rule::text_budget => field(pair, "text_budget", |mut r| {
            GradingValue::TextBudget(number(next(&mut r)))
        }),
        Rule::marker_density => field(pair, "marker_density", |mut r| {
            GradingValue::MarkerDensity(number(next(&mut r)))
        }),
        Rule::note_marker_density => field(pair, "note_marker_density", |mut r| {
            GradingValue::NoteMarkerDensity(number(next(&mut r)))
        }),
        Rule::off_topic => field(pair, "off_topic", |mut r| {
            GradingValue::OffTopic(number(next(&mut r)))
        }),
        Rule::gate => field(pair, "gate", |r| {
            GradingValue::Gate(Gate::from_pairs(r, cx))
        }),
        other => unreachable!("a grading block holds grading fields, not {other:?}"),
    }
}

impl Gate {
    /// The parts of a `gate` after its keyword: the name, then `off` or
    /// `cap X when CONDITION`.
    fn from_pairs(mut rest: Pairs<'_, Rule>, cx: &mut Cx) -> Self {
        let name = name(next(&mut rest));
        let rule = next(&mut rest);
        let rule = match rule.as_rule() {
            Rule::gate_off => GateRule::Off(span(&rule)),
            Rule::gate_rule => {
                let mut parts = rule.into_inner();
                parts.next(); // `cap`
                let cap = number(next(&mut parts));
                parts.next(); // `when`
                let condition = next(&mut parts);
                let when = match condition.as_rule() {
                    Rule::ident => GateWhen::Named(super::name(condition)),
                    Rule::status_condition => {
                        let mut words = condition.into_inner();
                        words.next(); // `status`
                        GateWhen::Status(super::name(next(&mut words)))
                    }
                    Rule::says_condition => {
                        let mut words = condition.into_inner();
                        words.next(); // `says`
                        GateWhen::Says(Forbidden::list(next(&mut words), cx).node)
                    }
                    Rule::does_condition => {
                        let mut words = condition.into_inner();
                        words.next(); // `does`
                        GateWhen::Does(Act::from_pair(next(&mut words), cx))
                    }
                    other => unreachable!("a gate condition, not {other:?}"),
                };
                GateRule::Cap { cap, when }
            }
            other => unreachable!("a gate is `off` or `cap ... when ...`, not {other:?}"),
        };
        Gate { name, rule }
    }
}
