//! `taskc lint`: the compiler's diagnostics plus the lint rules, in the
//! format CI wants, with levels from taskc.toml and `--deny`.

use std::path::PathBuf;

use super::args::{LintArgs, LintFormat};
use super::{load, plural, report, write_stdout, Outcome};
use taskc::diagnostic::{self, Severity};
use taskc::lint::{self, Config, Level};
use taskc::source::{FileId, SourceFile};

pub fn run(args: &LintArgs) -> Outcome {
    // The configuration: --config, else the nearest taskc.toml.
    let config_path = match &args.config {
        Some(path) => Some(path.clone()),
        None => std::env::current_dir().ok().and_then(|d| Config::find(&d)),
    };
    let (mut config, config_file, mut config_diagnostics) = match &config_path {
        None => (Config::default(), None, Vec::new()),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => {
                // The real file id is known once the tasks are read.
                let (config, diags) = Config::parse(path, FileId(usize::MAX), &text);
                (
                    config,
                    Some(SourceFile::new(path.display().to_string(), text)),
                    diags,
                )
            }
            Err(e) => return Outcome::Failed(format!("cannot read `{}`: {e}", path.display())),
        },
    };

    let mut deny_warnings = false;
    for what in &args.deny {
        if what == "warnings" {
            deny_warnings = true;
        } else if let Some(rule) = lint::registry::find(what) {
            config.set(rule, Level::Deny);
        } else {
            return Outcome::Failed(format!(
                "`--deny {what}`: expected `warnings` or a rule code or name (`taskc rules` lists them)"
            ));
        }
    }

    let paths: Vec<PathBuf> = if !args.paths.is_empty() {
        args.paths.clone()
    } else if !config.paths.is_empty() {
        config.paths.clone()
    } else {
        vec![PathBuf::from("tasks")]
    };
    let (mut sources, compilation) = match load(&paths) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let task_files = sources.files.len();
    let mut diagnostics = compilation.diagnostics.clone();
    diagnostics.extend(lint::lint(&sources, &compilation, &config));
    if let Some(file) = config_file {
        let id = FileId(sources.files.len());
        sources.files.push(file);
        for d in &mut config_diagnostics {
            d.file = id;
        }
        diagnostics.extend(config_diagnostics);
    }
    diagnostic::sort(&mut diagnostics);

    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let written = match args.format {
        LintFormat::Human => {
            let shown = taskc::compile::Compilation {
                diagnostics: diagnostics.clone(),
                ..compilation
            };
            report(&sources, &shown);
            write_stdout(&format!(
                "{}: {} in {}, {}, {}",
                if errors > 0 || (deny_warnings && warnings > 0) {
                    "failed"
                } else {
                    "ok"
                },
                plural(shown.task_count, "task", "tasks"),
                plural(task_files, "file", "files"),
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings"),
            ))
        }
        LintFormat::Json => {
            let value = taskc::report::json(&sources, &diagnostics);
            write_stdout(&serde_json::to_string_pretty(&value).unwrap_or_default())
        }
        LintFormat::Github => {
            write_stdout(taskc::report::github(&sources, &diagnostics).trim_end())
        }
        LintFormat::Sarif => {
            let value = taskc::report::sarif(&sources, &diagnostics);
            write_stdout(&serde_json::to_string_pretty(&value).unwrap_or_default())
        }
    };
    match written {
        Outcome::Clean if errors > 0 || (deny_warnings && warnings > 0) => Outcome::Problems,
        other => other,
    }
}
