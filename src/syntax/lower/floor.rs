//! `floor` → [`Floor`].

use pest::iterators::Pair;

use super::{name, span, text, Cx};
use crate::syntax::ast::{Floor, FloorGroup, Marker};
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
        for part in inner {
            match part.as_rule() {
                Rule::string => title = Some(text(part, cx)),
                Rule::floor_group => groups.push(FloorGroup::from_pair(part, cx)),
                other => unreachable!("a floor holds a title and groups, not {other:?}"),
            }
        }
        Floor {
            name,
            title,
            span: whole,
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
        let phrases = inner.map(|p| Marker::from_pair(p, cx)).collect();
        FloorGroup {
            reason,
            description,
            phrases,
        }
    }
}
