//! Marker rules, groups and named marker sets → [`MarkerRule`], [`Alternative`], [`MarkerSet`].

use pest::iterators::Pair;

use super::{name, span, text, Cx};
use crate::syntax::ast::{
    Act, Alternative, Forbidden, Marker, MarkerRule, MarkerSet, MatchMode, Spanned,
};
use crate::syntax::Rule;

impl MarkerSet {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::marker_set);
        let whole = span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // the keyword
        let name = name(inner.next().expect("a marker set has a name"));
        let group = alternatives(inner.next().expect("a marker set has a group"), cx);
        MarkerSet {
            name,
            span: whole,
            group,
        }
    }
}

impl MarkerRule {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        let rule = pair.as_rule();
        debug_assert!(matches!(
            rule,
            Rule::require | Rule::forbid | Rule::forbid_act
        ));
        let mut inner = pair.into_inner();
        inner.next(); // the keyword
        if rule == Rule::forbid_act {
            inner.next(); // `act`
            return MarkerRule::ForbidAct(Act::from_pair(inner.next().expect("an act"), cx));
        }
        let list = inner.next().expect("a rule has markers");
        match rule {
            Rule::require => MarkerRule::Require(alternatives(list, cx)),
            _ => MarkerRule::Forbid(Forbidden::list(list, cx)),
        }
    }
}

impl Forbidden {
    /// A `forbid_list`, as its entries.
    pub(crate) fn list(pair: Pair<'_, Rule>, cx: &mut Cx) -> Spanned<Vec<Forbidden>> {
        debug_assert_eq!(pair.as_rule(), Rule::forbid_list);
        let whole = span(&pair);
        let list = pair
            .into_inner()
            .map(|item| Forbidden::from_pair(item, cx))
            .collect();
        Spanned::new(list, whole)
    }

    fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::forbid_item);
        let whole = span(&pair);
        let mut inner = pair.into_inner();
        let alternative = Alternative::from_pair(inner.next().expect("a marker"), cx);
        let mut variants = Vec::new();
        let mut unless_negated = None;
        let mut even_negated = None;
        for part in inner {
            match part.as_rule() {
                Rule::forbid_variant => {
                    let mut words = part.into_inner();
                    words.next(); // `or`
                    variants.push(text(words.next().expect("a variant"), cx));
                }
                Rule::unless_negated => unless_negated = Some(span(&part)),
                Rule::even_negated => even_negated = Some(span(&part)),
                other => unreachable!(
                    "a forbidden entry holds variants and `unless negated`, not {other:?}"
                ),
            }
        }
        Forbidden {
            alternative,
            variants,
            unless_negated,
            even_negated,
            span: whole,
        }
    }
}

impl Act {
    /// An `act`: a verb class, its objects, and `even negated`.
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::act);
        let whole = span(&pair);
        let mut inner = pair.into_inner();
        let verbs = name(inner.next().expect("an act names its verbs"));
        let objects = alternatives(inner.next().expect("an act has objects"), cx);
        let even_negated = inner.next().map(|p| span(&p));
        Act {
            verbs,
            objects,
            even_negated,
            span: whole,
        }
    }
}

/// A `marker_group` (any-of), as its alternatives.
fn alternatives(pair: Pair<'_, Rule>, cx: &mut Cx) -> Spanned<Vec<Alternative>> {
    debug_assert_eq!(pair.as_rule(), Rule::marker_group);
    let whole = span(&pair);
    let list = pair
        .into_inner()
        .map(|alt| Alternative::from_pair(alt, cx))
        .collect();
    Spanned::new(list, whole)
}

impl Alternative {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        match pair.as_rule() {
            Rule::marker => Alternative::Marker(Marker::from_pair(pair, cx)),
            Rule::ident => Alternative::Set(name(pair)),
            other => unreachable!("an alternative is a marker or a set name, not {other:?}"),
        }
    }
}

impl Marker {
    /// Lowers a `marker` or a floor `phrase`: both are `match_mode? ~ string`.
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert!(matches!(pair.as_rule(), Rule::marker | Rule::phrase));
        let whole = span(&pair);
        let mut mode = None;
        let mut value = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::match_mode => {
                    let m = if part.as_str() == "word" {
                        MatchMode::Word
                    } else {
                        MatchMode::Substring
                    };
                    mode = Some(Spanned::new(m, span(&part)));
                }
                _ => value = Some(text(part, cx)),
            }
        }
        Marker {
            mode,
            text: value.expect("a marker has a text"),
            span: whole,
        }
    }
}
