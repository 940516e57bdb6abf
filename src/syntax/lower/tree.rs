//! `tree` → [`Tree`].

use pest::iterators::Pair;

use super::{field, name, names, number, span, text, Cx};
use crate::syntax::ast::{Tree, TreeValue};
use crate::syntax::Rule;

impl Tree {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::tree);
        let whole = span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // the keyword
        let name = name(inner.next().expect("a tree has a name"));
        let fields = inner
            .map(|f| match f.as_rule() {
                Rule::max_depth => field(f, "max_depth", |mut r| {
                    TreeValue::MaxDepth(number(r.next().expect("a number")))
                }),
                Rule::attempts => field(f, "attempts", |mut r| {
                    TreeValue::Attempts(number(r.next().expect("a number")))
                }),
                Rule::tree_floors => field(f, "floors", |mut r| {
                    TreeValue::Floors(names(r.next().expect("a list")))
                }),
                Rule::node_types => field(f, "node_types", |mut r| {
                    TreeValue::NodeTypes(names(r.next().expect("a list")))
                }),
                Rule::depth_cap_text => field(f, "depth_cap_text", |mut r| {
                    TreeValue::DepthCapText(text(r.next().expect("a text"), cx))
                }),
                Rule::failure_text => field(f, "failure_text", |mut r| {
                    TreeValue::FailureText(text(r.next().expect("a text"), cx))
                }),
                Rule::role => field(f, "role", |mut r| {
                    TreeValue::Role(text(r.next().expect("a text"), cx))
                }),
                Rule::scope => field(f, "scope", |mut r| {
                    TreeValue::Scope(text(r.next().expect("a text"), cx))
                }),
                Rule::escalation => field(f, "escalation", |mut r| {
                    TreeValue::Escalation(text(r.next().expect("a text"), cx))
                }),
                Rule::shape => field(f, "shape", |mut r| {
                    let node_type = super::name(r.next().expect("a node type"));
                    TreeValue::Shape(node_type, text(r.next().expect("a text"), cx))
                }),
                other => unreachable!("a tree holds policy fields, not {other:?}"),
            })
            .collect();
        Tree {
            name,
            span: whole,
            fields,
        }
    }
}
