//! L002: alternatives that are the same marker once normalized.

use crate::diagnostic::Diagnostic;
use crate::lint::registry::rule;
use crate::lint::{marker_alt, Alt, LintContext};
use crate::source::FileId;
use crate::spec::MatchMode;
use crate::syntax::ast::Item;

rule! {
    pub const RULE = {
        code: "L002",
        name: "equal-after-normalization",
        level: Warn,
        check: check,
    };
}

fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for task in &cx.tasks {
        for group in task.reply.iter().chain(&task.note) {
            check_list(cx, group.file, &group.alts, out);
        }
        check_list(cx, task.forbidden_file, &task.forbidden, out);
    }
    for group in cx.sets.values() {
        check_list(cx, group.file, &group.alts, out);
    }
    for (file, ast) in cx.asts {
        for item in &ast.items {
            if let Item::Floor(floor) = item {
                let phrases: Vec<Alt> = floor
                    .groups
                    .iter()
                    .flat_map(|g| {
                        g.phrases
                            .iter()
                            .map(|p| marker_alt(p, MatchMode::FLOOR_DEFAULT, None))
                    })
                    .collect();
                check_list(cx, *file, &phrases, out);
            }
        }
    }
}

fn check_list(cx: &LintContext<'_>, file: FileId, alts: &[Alt], out: &mut Vec<Diagnostic>) {
    for (i, later) in alts.iter().enumerate() {
        let normalized = later.normalized();
        let first = alts[..i]
            .iter()
            .find(|a| a.text != later.text && a.normalized() == normalized);
        if let Some(first) = first {
            let mut d = cx
                .warning(
                    &RULE,
                    file,
                    later.span,
                    format!(
                        "\"{}\" and \"{}\" are the same marker after normalization",
                        first.text, later.text
                    ),
                )
                .with_label("same as an earlier alternative")
                .with_help(
                    "keep one: matching already ignores case, quote and dash styles, invisible \
                 characters and runs of whitespace",
                );
            if first.span != later.span {
                d = d.with_related(file, first.span, "the earlier one");
            }
            out.push(d);
        }
    }
}
