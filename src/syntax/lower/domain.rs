//! `domain` → [`Domain`], `extension` → [`Extension`].

use pest::iterators::Pair;

use super::{field, name, names, number, span, Cx};
use crate::syntax::ast::{Domain, DomainValue, Extension, Field, Vocabulary};
use crate::syntax::Rule;

impl Domain {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::domain);
        let whole = span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // the keyword
        let name = name(inner.next().expect("a domain has a name"));
        let fields = inner.map(|f| domain_field(f, cx)).collect();
        Domain {
            name,
            span: whole,
            fields,
        }
    }
}

impl Extension {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::extension);
        let whole = span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // `extend`
        inner.next(); // `domain`
        let name = name(inner.next().expect("an extension names its domain"));
        let fields = inner.map(|f| domain_field(f, cx)).collect();
        Extension {
            name,
            span: whole,
            fields,
        }
    }
}

fn domain_field(pair: Pair<'_, Rule>, cx: &mut Cx) -> Field<DomainValue> {
    let list = |vocabulary: Vocabulary| {
        move |mut rest: pest::iterators::Pairs<'_, Rule>| {
            DomainValue::List(vocabulary, names(rest.next().expect("a list")))
        }
    };
    match pair.as_rule() {
        Rule::queues => field(pair, "queues", list(Vocabulary::Queues)),
        Rule::priorities => field(pair, "priorities", list(Vocabulary::Priorities)),
        Rule::statuses => field(pair, "statuses", list(Vocabulary::Statuses)),
        Rule::issue_types => field(pair, "issue_types", list(Vocabulary::IssueTypes)),
        Rule::resolution_codes => {
            field(pair, "resolution_codes", list(Vocabulary::ResolutionCodes))
        }
        Rule::tiers => field(pair, "tiers", list(Vocabulary::Tiers)),
        Rule::fields => field(pair, "fields", list(Vocabulary::Fields)),
        Rule::risk_flags => field(pair, "risk_flags", list(Vocabulary::RiskFlags)),
        Rule::scoring => field(pair, "scoring", |rest| {
            DomainValue::Scoring(
                rest.map(|weight| {
                    debug_assert_eq!(weight.as_rule(), Rule::weight);
                    let mut parts = weight.into_inner();
                    let component = name(parts.next().expect("a component"));
                    let value = number(parts.next().expect("a weight"));
                    (component, value)
                })
                .collect(),
            )
        }),
        // In an extension: grading lists it adds to.
        Rule::verbs | Rule::negation_triggers | Rule::negation_pseudo | Rule::negation_verbs => {
            let grading = super::grading::grading_field(pair, cx);
            Field {
                keyword: grading.keyword.clone(),
                value: DomainValue::Grading(vec![grading]),
            }
        }
        Rule::domain_grading => field(pair, "grading", |rest| {
            DomainValue::Grading(super::grading::fields(rest, cx))
        }),
        other => unreachable!("a domain holds vocabularies, scoring and grading, not {other:?}"),
    }
}
