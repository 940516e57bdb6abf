//! `taskc lint`: the compiler's diagnostics plus the lint rules, in the
//! format CI wants, with levels from taskc.toml and `--deny`.

use std::path::PathBuf;

use super::args::{LintArgs, LintFormat};
use super::{load, plural, report, write_stdout, Outcome};
use taskc::compile::Compilation;
use taskc::diagnostic::{self, Diagnostic};
use taskc::lint::{self, Config, Level};
use taskc::source::{FileId, SourceFile};

pub fn run(args: &LintArgs) -> Outcome {
    let settings = match Settings::read(args) {
        Ok(settings) => settings,
        Err(outcome) => return outcome,
    };
    let (mut sources, compilation) = match load(&settings.paths) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let task_files = sources.files.len();
    let mut diagnostics = compilation.diagnostics.clone();
    diagnostics.extend(lint::lint(&sources, &compilation, &settings.config));
    if let Some(file) = settings.config_file {
        // The configuration's own problems point into it.
        let id = FileId(sources.files.len());
        sources.files.push(file);
        diagnostics.extend(settings.config_diagnostics.into_iter().map(|mut d| {
            d.file = id;
            d
        }));
    }
    diagnostic::sort(&mut diagnostics);

    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let failed = errors > 0 || (settings.deny_warnings && warnings > 0);
    let written = match args.format {
        LintFormat::Human => {
            let shown = Compilation {
                diagnostics,
                ..compilation
            };
            report(&sources, &shown);
            write_stdout(&format!(
                "{}: {} in {}, {}, {}",
                if failed { "failed" } else { "ok" },
                plural(shown.task_count, "task", "tasks"),
                plural(task_files, "file", "files"),
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings"),
            ))
        }
        LintFormat::Json => pretty(&taskc::report::json(&sources, &diagnostics)),
        LintFormat::Github => {
            write_stdout(taskc::report::github(&sources, &diagnostics).trim_end())
        }
        LintFormat::Sarif => pretty(&taskc::report::sarif(&sources, &diagnostics)),
    };
    match written {
        Outcome::Clean if failed => Outcome::Problems,
        other => other,
    }
}

fn pretty(value: &serde_json::Value) -> Outcome {
    write_stdout(&serde_json::to_string_pretty(value).unwrap_or_default())
}

/// What a lint run is configured with: `taskc.toml` (from `--config`, else
/// the nearest one) and the command line on top.
struct Settings {
    config: Config,
    /// The configuration file, shown when it has problems.
    config_file: Option<SourceFile>,
    config_diagnostics: Vec<Diagnostic>,
    deny_warnings: bool,
    /// What to lint: the arguments, else `paths` in taskc.toml, else `tasks`.
    paths: Vec<PathBuf>,
}

impl Settings {
    fn read(args: &LintArgs) -> Result<Self, Outcome> {
        let config_path = match &args.config {
            Some(path) => Some(path.clone()),
            None => std::env::current_dir().ok().and_then(|d| Config::find(&d)),
        };
        let (mut config, config_file, config_diagnostics) = match &config_path {
            None => (Config::default(), None, Vec::new()),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Outcome::Failed(format!("cannot read `{}`: {e}", path.display()))
                })?;
                // The real file id is known once the tasks are read.
                let (config, diags) = Config::parse(path, FileId(usize::MAX), &text);
                let file = SourceFile::new(path.display().to_string(), text);
                (config, Some(file), diags)
            }
        };
        let mut deny_warnings = false;
        for what in &args.deny {
            if what == "warnings" {
                deny_warnings = true;
            } else if let Some(rule) = lint::registry::find(what) {
                config.set(rule, Level::Deny);
            } else {
                return Err(Outcome::Failed(format!(
                    "`--deny {what}`: expected `warnings` or a rule code or name (`taskc rules` lists them)"
                )));
            }
        }
        let paths = if !args.paths.is_empty() {
            args.paths.clone()
        } else if !config.paths.is_empty() {
            config.paths.clone()
        } else {
            vec![PathBuf::from("tasks")]
        };
        Ok(Self {
            config,
            config_file,
            config_diagnostics,
            deny_warnings,
            paths,
        })
    }
}
