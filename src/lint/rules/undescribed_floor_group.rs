//! L006: a floor group a tree enforces, with no description for the model.

use crate::diagnostic::Diagnostic;
use crate::lint::registry::rule;
use crate::lint::LintContext;
use crate::validate::FLOOR;

rule! {
    pub const RULE = {
        code: "L006",
        name: "undescribed-floor-group",
        level: Warn,
        check: check,
    };
}

/// Floors no tree names are L004's; here, the groups of the others.
fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (file, floor) in cx.floors() {
        if !cx.uses.contains(&(FLOOR, floor.name.node.clone())) {
            continue;
        }
        for group in floor.groups.iter().filter(|g| g.description.is_none()) {
            let reason = &group.reason.node;
            out.push(
                cx.warning(
                    &RULE,
                    file,
                    group.reason.span,
                    format!("floor group `{reason}` has no description"),
                )
                .with_label("the model's prompt cannot say what this group forbids")
                .with_help(format!(
                    "say what the model must never do, before the colon: `{reason} \"...\": ...` (`taskc tree prompt` shows the prompt)"
                )),
            );
        }
    }
}
