//! Every clap type of the command line, in one place.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Compile, check and run `.task` files: SupportDesk RL tasks, their marker
/// rules, and the hard floors of L1 troubleshooting trees.
#[derive(Debug, Parser)]
#[command(name = "taskc", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile and validate tasks, print every problem, then a one-line summary.
    Check(CheckArgs),
    /// Compile tasks into their spec (JSON or TOML).
    Compile(CompileArgs),
    /// Print the JSON Schema of the compiled form.
    Schema,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (walked for `*.task`).
    #[arg(default_value = "tasks")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// Files or directories (walked for `*.task`).
    #[arg(default_value = "tasks")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write the spec to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// A serialization of the compiled spec.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Json,
    Toml,
}
