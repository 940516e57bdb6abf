//! `taskc rules` and `taskc explain CODE`.

use super::args::ExplainArgs;
use super::{write_stdout, Outcome};
use taskc::lint::registry::{self, doc_text, RULES};
use taskc::Code;

/// One line per code, code first: compiler codes, then lint rules.
pub fn rules() -> Outcome {
    let mut lines: Vec<String> = Code::ALL
        .iter()
        .map(|c| format!("{}  error    {}", c.as_str(), c.summary()))
        .collect();
    lines.extend(
        RULES
            .iter()
            .map(|r| format!("{}  {:<7}  {} ({})", r.code, level(r), r.summary, r.name)),
    );
    write_stdout(&lines.join("\n"))
}

fn level(rule: &registry::RuleInfo) -> &'static str {
    match rule.default_level {
        registry::Level::Allow => "allow",
        registry::Level::Warn => "warning",
        registry::Level::Deny => "error",
    }
}

pub fn explain(args: &ExplainArgs) -> Outcome {
    let key = args.code.trim();
    if let Some(rule) = registry::find(key) {
        return write_stdout(&format!(
            "{} ({}): {}\n\n{}",
            rule.code,
            rule.name,
            rule.summary,
            doc_text(rule.doc)
        ));
    }
    if let Some(code) = Code::ALL
        .iter()
        .find(|c| c.as_str().eq_ignore_ascii_case(key))
    {
        return write_stdout(&format!(
            "{}: {}\n\n{}",
            code.as_str(),
            code.summary(),
            code.explanation().trim()
        ));
    }
    let known = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .chain(RULES.iter().flat_map(|r| [r.code, r.name]));
    let hint = taskc::suggest::did_you_mean(key, known)
        .map(|h| format!("; {h}"))
        .unwrap_or_default();
    Outcome::Failed(format!(
        "unknown code `{key}`{hint} (`taskc rules` lists every code)"
    ))
}
