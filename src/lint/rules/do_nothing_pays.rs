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
    /// ## What it does
    /// Runs each task's do-nothing episode (`submit` alone) through the
    /// environment and reports a task where it scores above 0.3.
    ///
    /// ## Why is this bad
    /// A task that pays for doing nothing trains the wrong thing: an agent
    /// learns that submitting at once is a safe bet. Components that are met
    /// by an empty workspace (no required fields and nothing requested, a
    /// reply block with no required group, no over-escalation) add up.
    ///
    /// ## Example
    /// ```task
    /// task lazy_pays {
    ///   ...
    ///   reply { forbid "chargeback" }     # no required group: full credit for no reply
    ///   note  { }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```task
    /// task lazy_pays {
    ///   ...
    ///   reply { require "refund" | "reimburse"  forbid "chargeback" }
    ///   note  { require "duplicate charge" }
    /// }
    /// ```
    pub const RULE = {
        code: "L006",
        name: "do-nothing-pays",
        summary: "the do-nothing episode (submit alone) scores above 0.3",
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
