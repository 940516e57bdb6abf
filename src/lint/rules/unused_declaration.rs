//! L004: a marker set, floor or domain value (declared by the domain or an
//! extension) declared but never used.

use crate::diagnostic::Diagnostic;
use crate::lint::registry::rule;
use crate::lint::LintContext;
use crate::source::FileId;
use crate::syntax::ast::{DomainValue, Field, Item, Vocabulary};
use crate::validate::{FLOOR, MARKER_SET};

rule! {
    pub const RULE = {
        code: "L004",
        name: "unused-declaration",
        level: Warn,
        check: check,
    };
}

/// Reads what validation recorded as used ([`crate::diagnostic::Uses`]) and
/// reports each declaration of the reported kinds that is not in it.
fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let used = |kind: &'static str, name: &str| cx.uses.contains(&(kind, name.to_owned()));
    for (file, ast) in cx.asts {
        for item in &ast.items {
            match item {
                Item::MarkerSet(set) if !used(MARKER_SET, &set.name.node) => {
                    out.push(
                        cx.warning(
                            &RULE,
                            *file,
                            set.name.span,
                            format!("marker set `{}` is never used", set.name.node),
                        )
                        .with_label("no task names this set")
                        .with_help(format!(
                            "use it in a task (`require {}`), or delete it",
                            set.name.node
                        )),
                    );
                }
                Item::Floor(floor) if !used(FLOOR, &floor.name.node) => {
                    out.push(
                        cx.warning(
                            &RULE,
                            *file,
                            floor.name.span,
                            format!("floor `{}` is never used", floor.name.node),
                        )
                        .with_label("no tree names this floor, so it guards nothing")
                        .with_help(format!(
                            "add it to a tree's `floors` (`floors ..., {}`), or delete it",
                            floor.name.node
                        )),
                    );
                }
                Item::Domain(domain) => unused_values(cx, *file, &domain.fields, out),
                Item::Extension(extension) => unused_values(cx, *file, &extension.fields, out),
                _ => {}
            }
        }
    }
}

/// The values of a domain or extension that are never used.
fn unused_values(
    cx: &LintContext<'_>,
    file: FileId,
    fields: &[Field<DomainValue>],
    out: &mut Vec<Diagnostic>,
) {
    let used = |kind: &'static str, name: &str| cx.uses.contains(&(kind, name.to_owned()));
    for field in fields {
        let DomainValue::List(vocabulary, names) = &field.value else {
            continue;
        };
        // The agent's choices (queues, priorities, ...) are
        // never unused: see the rule's page.
        if !matches!(
            vocabulary,
            Vocabulary::Tiers | Vocabulary::Fields | Vocabulary::RiskFlags
        ) {
            continue;
        }
        let kind = vocabulary.singular();
        for name in names.iter().filter(|n| !used(kind, &n.node)) {
            out.push(
                cx.warning(
                    &RULE,
                    file,
                    name.span,
                    format!("{} `{}` is never used", vocabulary.singular(), name.node),
                )
                .with_label("no task mentions it")
                .with_help(format!(
                    "use it in a task, or remove it from `{}`",
                    vocabulary.keyword()
                )),
            );
        }
    }
}
