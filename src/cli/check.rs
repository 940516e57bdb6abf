//! `taskc check`: compile and validate, print diagnostics, then one summary line.

use super::args::CheckArgs;
use taskc::compile::Keep;

use super::{load_keeping, plural, report, write_stdout, Outcome};

pub fn run(args: &CheckArgs) -> Outcome {
    let (sources, compilation) = match load_keeping(&args.paths, Keep::Diagnostics) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    report(&sources, &compilation);
    let files = plural(sources.files.len(), "file", "files");
    let tasks = plural(compilation.task_count, "task", "tasks");
    let errors = compilation.error_count();
    let warnings = compilation.warning_count();
    let summary = if errors == 0 && warnings == 0 {
        format!("ok: {tasks} in {files}, no problems")
    } else {
        format!(
            "{}: {tasks} in {files}, {}, {}",
            if errors > 0 { "failed" } else { "ok" },
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings"),
        )
    };
    // Freeing every AST and spec node one by one costs more than the OS
    // reclaiming the process; the CLI is about to exit (rustc does the same).
    std::mem::forget((sources, compilation));
    match write_stdout(&summary) {
        Outcome::Clean if errors > 0 => Outcome::Problems,
        other => other,
    }
}
