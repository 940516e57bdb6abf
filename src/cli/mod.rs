//! The command line: parse arguments, run one command, map the outcome to an
//! exit code, the same rule for every command: 0 clean; 1 problems found
//! (the tasks do not compile, a lint denied, a node rejected, ...); 2 a
//! usage or I/O error (including malformed JSON input).

pub mod args;
mod check;
mod compile;
mod explain;
mod fmt;
mod input;
mod lint;
mod play;
mod probe;
mod run;
mod serve;
mod summary;
mod tree;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use args::{Cli, Command};
use taskc::compile::Keep;
use taskc::{source, Compilation, Sources};

/// What a command ended with.
pub enum Outcome {
    Clean,
    Problems,
    Failed(String),
}

impl Outcome {
    fn code(&self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Problems => ExitCode::from(1),
            Outcome::Failed(_) => ExitCode::from(2),
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Rules(args) => explain::rules(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Lsp => match taskc::lsp::run() {
            Ok(true) => Outcome::Clean,
            // `exit` without `shutdown`: 1, as the protocol says.
            Ok(false) => Outcome::Problems,
            Err(message) => Outcome::Failed(message),
        },
        Command::Run(args) => run::run(&args),
        Command::Play(args) => play::run(&args),
        Command::Probe(args) => probe::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Tree(command) => tree::run(&command),
        Command::Schema(args) => print_json(&schema(args.kind)),
    };
    if let Outcome::Failed(message) = &outcome {
        eprintln!("error: {message}");
    }
    outcome.code()
}

fn schema(kind: args::SchemaKind) -> schemars::Schema {
    use args::SchemaKind;
    use taskc::runtime::env;
    match kind {
        SchemaKind::Spec => taskc::spec::schema(),
        SchemaKind::Action => schemars::schema_for!(env::Action),
        SchemaKind::Observation => schemars::schema_for!(env::Observation),
        SchemaKind::State => schemars::schema_for!(env::State),
        SchemaKind::Step => schemars::schema_for!(env::StepResult),
    }
}

/// Compiles the tasks in `dir` and returns the runtime of `task_id`.
pub(crate) fn load_task(
    dir: &std::path::Path,
    task_id: &str,
) -> Result<std::sync::Arc<taskc::runtime::env::TaskRuntime>, Outcome> {
    let document = load_document(&[dir.to_path_buf()])?;
    use taskc::runtime::env::TaskRuntime;
    let Some(domain) = &document.domain else {
        return Err(Outcome::Failed(format!(
            "unknown task `{}`: no task is declared in `{}` (it has no `task` blocks and no `domain`)",
            taskc::runtime::excerpt(task_id),
            dir.display()
        )));
    };
    // Only the task asked for is compiled for running (graded on its own).
    let shared = taskc::runtime::env::DomainRuntime::new(domain);
    match TaskRuntime::of(&document, task_id, &shared) {
        Some(rt) => Ok(std::sync::Arc::new(rt)),
        None => {
            let known: Vec<&str> = document.tasks.keys().map(String::as_str).collect();
            let hint = taskc::suggest::did_you_mean(task_id, known.iter().copied())
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            Err(Outcome::Failed(format!(
                "unknown task `{}`{hint}; the known tasks are: {}",
                taskc::runtime::excerpt(task_id),
                known.join(", ")
            )))
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> Outcome {
    match serde_json::to_string_pretty(value) {
        Ok(text) => write_stdout(&text),
        Err(e) => Outcome::Failed(format!("cannot serialize: {e}")),
    }
}

fn write_stdout(text: &str) -> Outcome {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Ok(()) => Outcome::Clean,
        Err(e) => write_failed(e),
    }
}

/// Writes text to standard output as it is (no line break added).
fn write_raw(text: &str) -> Outcome {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Outcome::Clean,
        Err(e) => write_failed(e),
    }
}

/// A failed write to standard output: a reader that went away (`| head`)
/// is not an error; anything else is.
pub(crate) fn write_failed(e: std::io::Error) -> Outcome {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Outcome::Clean
    } else {
        Outcome::Failed(format!("cannot write to standard output: {e}"))
    }
}

/// Reads and compiles the `.task` files under `paths`.
pub(crate) fn load(paths: &[PathBuf]) -> Result<(Sources, Compilation), Outcome> {
    load_keeping(paths, Keep::Everything)
}

/// [`load`], keeping only what the command needs (`check` needs no spec).
pub(crate) fn load_keeping(
    paths: &[PathBuf],
    keep: Keep,
) -> Result<(Sources, Compilation), Outcome> {
    load_with(paths, |sources, read| {
        taskc::compile::compile_keeping(sources, read, keep)
    })
}

/// Reads the `.task` files under `paths` and compiles them with `compile`.
fn load_with(
    paths: &[PathBuf],
    compile: impl FnOnce(&Sources, Vec<taskc::Diagnostic>) -> Compilation,
) -> Result<(Sources, Compilation), Outcome> {
    let files = source::collect_paths(paths).map_err(|e| Outcome::Failed(e.to_string()))?;
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Outcome::Failed(format!(
            "no `.task` files found in {}",
            shown.join(", ")
        )));
    }
    let (sources, read_diagnostics) =
        source::read_files(&files).map_err(|e| Outcome::Failed(e.to_string()))?;
    let compilation = compile(&sources, read_diagnostics);
    Ok((sources, compilation))
}

/// Compiles the tasks under `paths` for a command that needs the spec
/// (`compile`, `run`, `play`, `serve`, `tree`). Every diagnostic is printed;
/// when the tasks do not compile, the command ends with exit 1 after one line
/// saying so.
pub(crate) fn load_document(paths: &[PathBuf]) -> Result<taskc::spec::Document, Outcome> {
    document_of(load(paths)?, paths)
}

/// [`load_document`] without playing the stock exploits, for `taskc probe`
/// (which shows them to the author of a task that fails them).
pub(crate) fn load_document_without_exploits(
    paths: &[PathBuf],
) -> Result<taskc::spec::Document, Outcome> {
    let loaded = load_with(paths, taskc::compile::compile_without_exploits)?;
    document_of(loaded, paths)
}

fn document_of(
    (sources, mut compilation): (Sources, Compilation),
    paths: &[PathBuf],
) -> Result<taskc::spec::Document, Outcome> {
    report(&sources, &compilation);
    match compilation.document.take() {
        Some(document) => Ok(document),
        None => {
            let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            eprintln!(
                "error: the tasks in {} do not compile: {}",
                shown.join(", "),
                plural(compilation.error_count(), "error", "errors")
            );
            Err(Outcome::Problems)
        }
    }
}

/// Prints every diagnostic to standard error.
pub(crate) fn report(sources: &Sources, compilation: &Compilation) {
    let mut err = std::io::stderr().lock();
    for diagnostic in &compilation.diagnostics {
        let _ = write!(err, "{}", taskc::report::human(sources, diagnostic));
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
