//! `file` → [`File`].

use pest::iterators::Pair;

use super::Cx;
use crate::syntax::ast::{Domain, Extension, File, Floor, Item, MarkerSet, Task, Tree};
use crate::syntax::Rule;

impl File {
    pub(crate) fn from_pair(pair: Pair<'_, Rule>, cx: &mut Cx) -> Self {
        debug_assert_eq!(pair.as_rule(), Rule::file);
        let mut items = Vec::new();
        for item in pair.into_inner() {
            items.push(match item.as_rule() {
                Rule::domain => Item::Domain(Domain::from_pair(item, cx)),
                Rule::extension => Item::Extension(Extension::from_pair(item, cx)),
                Rule::task => Item::Task(Task::from_pair(item, cx)),
                Rule::marker_set => Item::MarkerSet(MarkerSet::from_pair(item, cx)),
                Rule::floor => Item::Floor(Floor::from_pair(item, cx)),
                Rule::tree => Item::Tree(Tree::from_pair(item, cx)),
                Rule::EOI => break,
                other => unreachable!("a file holds declarations, not {other:?}"),
            });
        }
        File { items }
    }
}
