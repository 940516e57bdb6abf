//! L003: required reply alternatives that contain a forbidden marker.

use crate::diagnostic::Diagnostic;
use crate::lint::registry::rule;
use crate::lint::LintContext;
use crate::matching;

rule! {
    pub const RULE = {
        code: "L003",
        name: "alternative-contains-forbidden",
        level: Warn,
        check: check,
    };
}

fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for task in &cx.tasks {
        if task.forbidden.is_empty() {
            continue;
        }
        for group in &task.reply {
            let blocked: Vec<(&str, &str)> = group
                .alts
                .iter()
                .filter_map(|alt| {
                    task.forbidden
                        .iter()
                        .find(|f| matching::occurs_in(&f.text, f.mode, &alt.text))
                        .map(|f| (alt.text.as_str(), f.text.as_str()))
                })
                .collect();
            if blocked.is_empty() || blocked.len() == group.alts.len() {
                continue;
            }
            let named: Vec<String> = blocked
                .iter()
                .map(|(alt, f)| format!("\"{alt}\" (contains \"{f}\")"))
                .collect();
            out.push(
                cx.warning(
                    &RULE,
                    group.file,
                    group.span,
                    format!(
                        "{} of this required group {} a forbidden marker",
                        named.join(", "),
                        if blocked.len() == 1 {
                            "contains"
                        } else {
                            "contain"
                        }
                    ),
                )
                .with_label("using these alternatives zeroes the reply component")
                .with_help("remove those alternatives, or stop forbidding the marker"),
            );
        }
    }
}
