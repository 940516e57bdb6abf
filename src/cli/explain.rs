//! `taskc rules` and `taskc explain CODE`, both read from the code catalog.

use super::args::{RulesArgs, RulesFormat};
use super::{write_stdout, Outcome};
use taskc::catalog;

/// One line per code, code first: compiler codes, then lint rules; or the
/// Markdown table the docs show.
pub fn rules(args: &RulesArgs) -> Outcome {
    if args.format == RulesFormat::Markdown {
        return write_stdout(catalog::markdown_table().trim_end());
    }
    let lines: Vec<String> = catalog::entries()
        .iter()
        .map(|e| {
            let name = e.name.map(|n| format!(" ({n})")).unwrap_or_default();
            format!("{}  {:<7}  {}{name}", e.code, e.level, e.summary())
        })
        .collect();
    write_stdout(&lines.join("\n"))
}

pub fn explain(args: &super::args::ExplainArgs) -> Outcome {
    let key = args.code.trim();
    if let Some(entry) = catalog::find(key) {
        return write_stdout(&catalog::explain(&entry));
    }
    let entries = catalog::entries();
    let known = entries
        .iter()
        .flat_map(|e| std::iter::once(e.code).chain(e.name));
    let hint = taskc::suggest::did_you_mean(key, known)
        .map(|h| format!("; {h}"))
        .unwrap_or_default();
    Outcome::Failed(format!(
        "unknown code `{}`{hint} (`taskc rules` lists every code)",
        taskc::runtime::excerpt(key)
    ))
}
