//! L005: a hard-floor phrase shadowed by a shorter phrase of the same floor.

use crate::diagnostic::Diagnostic;
use crate::lint::registry::rule;
use crate::lint::{covers, marker_alt, Alt, LintContext};
use crate::spec::MatchMode;

rule! {
    pub const RULE = {
        code: "L005",
        name: "shadowed-floor-phrase",
        level: Warn,
        check: check,
    };
}

fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (file, floor) in cx.floors() {
        let phrases: Vec<(&str, Alt)> = floor
            .groups
            .iter()
            .flat_map(|g| {
                g.phrases.iter().map(|p| {
                    (
                        g.reason.node.as_str(),
                        marker_alt(p, MatchMode::FLOOR_DEFAULT, None),
                    )
                })
            })
            .collect();
        for (i, (_, narrow)) in phrases.iter().enumerate() {
            let by = phrases.iter().enumerate().find(|(j, (_, broad))| {
                *j != i && broad.normalized() != narrow.normalized() && covers(broad, narrow)
            });
            if let Some((_, (reason, broad))) = by {
                out.push(
                    cx.warning(
                        &RULE,
                        file,
                        narrow.span,
                        format!(
                            "\"{}\" is shadowed by \"{}\" (reason `{reason}`) in floor `{}`",
                            narrow.text, broad.text, floor.name.node
                        ),
                    )
                    .with_label("never the phrase that rejects a step")
                    .with_help(format!(
                        "remove \"{}\": every step containing it already contains \"{}\"",
                        narrow.text, broad.text
                    ))
                    .with_related(file, broad.span, "the shorter phrase"),
                );
            }
        }
    }
}
