//! `taskc lint`: the compiler's diagnostics plus the lint rules, in the
//! format CI wants, with levels from taskc.toml and `--deny`.

use std::path::PathBuf;

use super::args::{LintArgs, LintFormat};
use super::{load, plural, report, write_stdout, Outcome};
use taskc::compile::Compilation;
use taskc::diagnostic::{self, Diagnostic};
use taskc::lint::{self, Config, Level};
use taskc::source::{self, FileId, SourceFile};

pub fn run(args: &LintArgs) -> Outcome {
    let settings = match Settings::read(args) {
        Ok(settings) => settings,
        Err(outcome) => return outcome,
    };
    let scope = match Scope::of(&settings) {
        Ok(scope) => scope,
        Err(outcome) => return outcome,
    };
    let (mut sources, compilation) = match load(&scope.files) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let mut diagnostics = compilation.diagnostics.clone();
    diagnostics.extend(lint::lint(&sources, &compilation, &settings.config));
    // Only the files asked for are reported on; the rest of the project was
    // loaded so that what they use is known.
    let shown: Vec<bool> = sources
        .ids()
        .map(|id| scope.is_shown(&sources.get(id).name))
        .collect();
    let (task_files, task_count) = if scope.shown.is_none() {
        (sources.files.len(), compilation.task_count)
    } else {
        diagnostics.retain(|d| shown[d.file.0]);
        let tasks = compilation
            .asts
            .iter()
            .filter(|(id, _)| shown[id.0])
            .flat_map(|(_, ast)| &ast.items)
            .filter(|item| matches!(item, taskc::syntax::ast::Item::Task(_)))
            .count();
        (shown.iter().filter(|s| **s).count(), tasks)
    };
    if let Some(note) = &scope.note {
        eprintln!("note: {note}");
    }
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
                plural(task_count, "task", "tasks"),
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

/// The files a lint run loads and those it reports on. Linting some files
/// of a project (files under its `paths` in taskc.toml, else under `tasks`)
/// loads the whole project beside them, so that a declaration used only by
/// a file outside the subset is not reported unused (L004), and reports on
/// the files asked for only. Files outside the project are linted alone.
struct Scope {
    files: Vec<PathBuf>,
    /// The files reported on, by the name they are loaded under.
    shown: Option<std::collections::BTreeSet<String>>,
    /// Said on standard error when the project could not be loaded beside.
    note: Option<String>,
}

impl Scope {
    fn of(settings: &Settings) -> Result<Self, Outcome> {
        let asked =
            source::collect_paths(&settings.paths).map_err(|e| Outcome::Failed(e.to_string()))?;
        let project = if settings.subset {
            settings
                .project
                .iter()
                .filter(|p| p.exists())
                .cloned()
                .collect::<Vec<_>>()
        } else {
            Vec::new()
        };
        if !settings.subset || project.is_empty() {
            let note = settings.subset.then(|| {
                "no project to load beside these files (no `paths` in taskc.toml and no `tasks` \
                 folder here): a declaration used only by other files is reported as unused (L004)"
                    .to_owned()
            });
            return Ok(Scope {
                files: asked,
                shown: None,
                note,
            });
        }
        let canonical = |p: &PathBuf| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        let asked_canonical: std::collections::BTreeSet<PathBuf> =
            asked.iter().map(canonical).collect();
        // Only a part of the project is completed by it: files elsewhere
        // (another project, a copy) are linted as they are.
        let roots: Vec<PathBuf> = project.iter().map(canonical).collect();
        if !asked_canonical
            .iter()
            .all(|f| roots.iter().any(|r| f.starts_with(r)))
        {
            return Ok(Scope {
                files: asked,
                shown: None,
                note: None,
            });
        }
        let mut files = asked.clone();
        for file in source::collect_paths(&project).map_err(|e| Outcome::Failed(e.to_string()))? {
            if !asked_canonical.contains(&canonical(&file)) {
                files.push(file);
            }
        }
        files.sort();
        Ok(Scope {
            shown: Some(asked.iter().map(|p| p.display().to_string()).collect()),
            files,
            note: None,
        })
    }

    fn is_shown(&self, name: &str) -> bool {
        self.shown.as_ref().is_none_or(|shown| shown.contains(name))
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
    /// The project: `paths` in taskc.toml, else `tasks`.
    project: Vec<PathBuf>,
    /// The arguments named files or folders (maybe part of the project).
    subset: bool,
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
        let project = if !config.paths.is_empty() {
            config.paths.clone()
        } else {
            vec![PathBuf::from("tasks")]
        };
        let subset = !args.paths.is_empty() && args.paths != project;
        let paths = if args.paths.is_empty() {
            project.clone()
        } else {
            args.paths.clone()
        };
        Ok(Self {
            config,
            config_file,
            config_diagnostics,
            deny_warnings,
            paths,
            project,
            subset,
        })
    }
}
