//! The `taskc` binary: a thin layer over the library (see `cli`).

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    cli::run(cli::args::Cli::parse())
}

// glibc's per-thread arenas grow in small mprotect steps under the parallel
// parse (44k syscalls on 10,000 tasks); mimalloc halves `check`'s wall time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
