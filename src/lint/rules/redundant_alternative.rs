//! L001: an alternative made redundant by another in the same group.

use crate::diagnostic::Diagnostic;
use crate::lint::registry::rule;
use crate::lint::{covers, Group, LintContext};

rule! {
    pub const RULE = {
        code: "L001",
        name: "redundant-alternative",
        level: Warn,
        check: check,
    };
}

fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for task in &cx.tasks {
        for group in task.reply.iter().chain(&task.note) {
            check_group(cx, group, true, out);
        }
    }
    for group in cx.sets.values() {
        check_group(cx, group, false, out);
    }
}

fn check_group(
    cx: &LintContext<'_>,
    group: &Group,
    skip_within_sets: bool,
    out: &mut Vec<Diagnostic>,
) {
    for (i, narrow) in group.alts.iter().enumerate() {
        let by = group.alts.iter().enumerate().find(|(j, broad)| {
            *j != i
                && broad.normalized() != narrow.normalized()
                // Within one set, the set's own declaration is where it is reported.
                && !(skip_within_sets && broad.via.is_some() && broad.via == narrow.via)
                && covers(broad, narrow)
        });
        if let Some((_, broad)) = by {
            let mut d = cx
                .warning(
                    &RULE,
                    group.file,
                    narrow.span,
                    format!(
                        "\"{}\" is redundant: every text it matches also contains \"{}\"",
                        narrow.text, broad.text
                    ),
                )
                .with_label(format!("already covered by \"{}\"", broad.text))
                .with_help(format!(
                    "remove \"{}\", or write `word \"{}\"` if only the whole word should count",
                    narrow.text, broad.text
                ));
            if broad.span != narrow.span {
                d = d.with_related(group.file, broad.span, "the broader alternative");
            }
            out.push(d);
        }
    }
}
