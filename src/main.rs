//! The `taskc` binary: a thin layer over the library (see `cli`).

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    cli::run(cli::args::Cli::parse())
}
