//! `floor` → [`Floor`].

use pest::iterators::Pair;

use super::{name, span, text, Cx};
use crate::syntax::ast::{Act, Floor, FloorGroup, Marker};
use crate::syntax::Rule;

impl Floor {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::floor);
        let whole = span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // the keyword
        let name = name(inner.next().expect("a floor has a name"));
        let mut title = None;
        let mut groups = Vec::new();
        let mut verbs = Vec::new();
        for part in inner {
            match part.as_rule() {
                Rule::string => title = Some(text(part, cx)),
                Rule::floor_group => groups.push(FloorGroup::from_pair(part, cx)),
                Rule::verbs => {
                    let mut r = part.into_inner();
                    r.next(); // the keyword
                    let class = super::name(r.next().expect("a verb class has a name"));
                    let forms = r
                        .next()
                        .expect("a verb class has verbs")
                        .into_inner()
                        .map(|t| text(t, cx))
                        .collect();
                    verbs.push((class, forms));
                }
                other => unreachable!("a floor holds a title, verbs and groups, not {other:?}"),
            }
        }
        Floor {
            name,
            title,
            span: whole,
            verbs,
            groups,
        }
    }
}

impl FloorGroup {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::floor_group);
        let mut inner = pair.into_inner();
        let reason = name(inner.next().expect("a floor group has a reason"));
        let mut inner = inner.peekable();
        let description = inner
            .next_if(|p| p.as_rule() == Rule::string)
            .map(|p| text(p, cx));
        let mut phrases = Vec::new();
        let mut acts = Vec::new();
        for item in inner {
            match item.as_rule() {
                Rule::floor_act => {
                    let act = item.into_inner().nth(1).expect("an act after `act`");
                    acts.push(Act::from_pair(act, cx));
                }
                _ => phrases.push(Marker::from_pair(item, cx)),
            }
        }
        FloorGroup {
            reason,
            description,
            phrases,
            acts,
        }
    }
}
