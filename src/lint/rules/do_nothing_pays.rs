//! L006: a task whose do-nothing episode scores above 0.3.

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::lint::registry::rule;
use crate::lint::LintContext;
use crate::runtime::env::{gold, TaskRuntime};
use crate::syntax::ast::Item;

/// Above this, doing nothing is paid enough to be learned.
const LIMIT: f64 = 0.3;

rule! {
    pub const RULE = {
        code: "L006",
        name: "do-nothing-pays",
        level: Warn,
        check: check,
    };
}

fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(document) = cx.document else { return };
    let runtimes = TaskRuntime::all(document);
    for (file, ast) in cx.asts {
        for item in &ast.items {
            let Item::Task(task) = item else { continue };
            let Some(rt) = runtimes.get(&task.id.node) else {
                continue;
            };
            let results = gold::run(Arc::clone(rt), &gold::do_nothing());
            let Some(last) = results.last() else { continue };
            if last.info.score <= LIMIT {
                continue;
            }
            let paying: Vec<String> = last
                .info
                .breakdown
                .components()
                .iter()
                .filter(|(_, v)| *v > 0.0)
                .map(|(name, v)| format!("{name} {v:.2}"))
                .collect();
            out.push(
                cx.warning(
                    &RULE,
                    *file,
                    task.id.span,
                    format!(
                        "doing nothing scores {:.3} on task `{}` (above {LIMIT})",
                        last.info.score, task.id.node
                    ),
                )
                .with_label(format!("`submit` alone earns: {}", paying.join(", ")))
                .with_help(
                    "give the reply and note required groups, or require fields, so that an \
                 empty workspace earns little",
                ),
            );
        }
    }
}
