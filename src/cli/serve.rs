//! `taskc serve`: compile the tasks (a task that does not compile stops the
//! server with its diagnostics), then serve until SIGINT or SIGTERM.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::time::Duration;

use super::args::ServeArgs;
use super::{load_document, Outcome};
use taskc::serve::{self, Config};

pub fn run(args: &ServeArgs) -> Outcome {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_max_level(if args.verbose {
            tracing::Level::DEBUG
        } else {
            tracing::Level::INFO
        })
        .init();
    let document = match load_document(std::slice::from_ref(&args.tasks)) {
        Ok(document) => document,
        Err(outcome) => return outcome,
    };
    let config = Config {
        max_sessions: args.max_sessions as usize,
        idle_timeout: Duration::from_secs(args.idle_timeout),
        max_message_bytes: args.max_message_bytes as usize,
        max_connections: args.max_connections as usize,
        header_timeout: Duration::from_secs(args.header_timeout),
        request_timeout: Duration::from_secs(args.request_timeout),
        drain_timeout: Duration::from_secs(args.drain_timeout),
        production: args.production,
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = args.workers {
        runtime.worker_threads(usize::from(workers));
    }
    let runtime = match runtime.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return Outcome::Failed(format!("cannot start the async runtime: {e}")),
    };
    let addr = SocketAddr::new(args.host, args.port);
    let tasks = document.tasks.len();
    let result = runtime.block_on(serve::run(&document, config, addr, |bound| {
        // The one line scripts wait for (with --port 0 it names the port).
        println!("listening on http://{bound}");
        let _ = std::io::stdout().flush();
        tracing::info!(%bound, tasks, "serving");
    }));
    // Whatever still runs after the drain (a blocking step) is abandoned.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => Outcome::Clean,
        Err(e) => Outcome::Failed(format!("cannot serve on {addr}: {e}")),
    }
}
