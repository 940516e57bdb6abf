//! L004: a marker set, floor or domain value declared but never used.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::lint::registry::rule;
use crate::lint::LintContext;
use crate::syntax::ast::{
    Alternative, DomainValue, FollowUpValue, Item, MarkerRule, TaskValue, TicketValue, TreeValue,
    Vocabulary,
};

rule! {
    pub const RULE = {
        code: "L004",
        name: "unused-declaration",
        level: Warn,
        check: check,
    };
}

#[derive(Default)]
struct Uses {
    sets: BTreeSet<String>,
    floors: BTreeSet<String>,
    tiers: BTreeSet<String>,
    fields: BTreeSet<String>,
    risk_flags: BTreeSet<String>,
}

fn collect(cx: &LintContext<'_>) -> Uses {
    let mut uses = Uses::default();
    for (_, ast) in cx.asts {
        for item in &ast.items {
            match item {
                Item::Tree(tree) => {
                    for field in &tree.fields {
                        if let TreeValue::Floors(names) = &field.value {
                            uses.floors.extend(names.iter().map(|n| n.node.clone()));
                        }
                    }
                }
                Item::Task(task) => {
                    for field in &task.fields {
                        match &field.value {
                            TaskValue::Reply(rules) | TaskValue::Note(rules) => {
                                for rule in rules {
                                    let (MarkerRule::Require(list) | MarkerRule::Forbid(list)) =
                                        rule;
                                    for alt in &list.node {
                                        if let Alternative::Set(name) = alt {
                                            uses.sets.insert(name.node.clone());
                                        }
                                    }
                                }
                            }
                            TaskValue::Ticket(fields) => {
                                for f in fields {
                                    if let TicketValue::Tier(t) = &f.value {
                                        uses.tiers.insert(t.node.clone());
                                    }
                                }
                            }
                            TaskValue::Request(names) => {
                                uses.fields.extend(names.iter().map(|n| n.node.clone()))
                            }
                            TaskValue::FollowUp(follow_up) => {
                                for f in &follow_up.fields {
                                    if let FollowUpValue::Provides(names)
                                    | FollowUpValue::Sends(names) = &f.value
                                    {
                                        uses.fields.extend(names.iter().map(|n| n.node.clone()));
                                    }
                                }
                            }
                            TaskValue::Risk(names) => {
                                uses.risk_flags.extend(names.iter().map(|n| n.node.clone()))
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    uses
}

fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let uses = collect(cx);
    for (file, ast) in cx.asts {
        for item in &ast.items {
            match item {
                Item::MarkerSet(set) if !uses.sets.contains(&set.name.node) => {
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
                Item::Floor(floor) if !uses.floors.contains(&floor.name.node) => {
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
                Item::Domain(domain) => {
                    for field in &domain.fields {
                        let DomainValue::List(vocabulary, names) = &field.value else {
                            continue;
                        };
                        let used = match vocabulary {
                            Vocabulary::Tiers => &uses.tiers,
                            Vocabulary::Fields => &uses.fields,
                            Vocabulary::RiskFlags => &uses.risk_flags,
                            _ => continue,
                        };
                        for name in names.iter().filter(|n| !used.contains(&n.node)) {
                            out.push(
                                cx.warning(
                                    &RULE,
                                    *file,
                                    name.span,
                                    format!(
                                        "{} `{}` is never used",
                                        vocabulary.singular(),
                                        name.node
                                    ),
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
                _ => {}
            }
        }
    }
}
