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
    /// Everything `check` reports plus the lint rules, for people and for CI.
    Lint(LintArgs),
    /// List every diagnostic code with its level and one-line summary.
    Rules(RulesArgs),
    /// Explain a diagnostic code or lint rule.
    Explain(ExplainArgs),
    /// Rewrite .task files in the canonical layout (comments and meaning kept).
    Fmt(FmtArgs),
    /// The language server (LSP over standard input and output), for editors.
    Lsp,
    /// Run one episode: JSON actions in (one per line), one JSON object per step out.
    Run(RunArgs),
    /// Play a task interactively (or through a pipe), with a short action syntax.
    Play(PlayArgs),
    /// Play the stock exploit policies on tasks: each one's score, gates and actions.
    Probe(ProbeArgs),
    /// Serve the environment to OpenEnv clients (WebSocket /ws) and over HTTP,
    /// with the tree validator.
    Serve(ServeArgs),
    /// The L1 decision-tree validator: check nodes, choose the next node,
    /// normalize walks, check trees (JSON in and out).
    #[command(subcommand)]
    Tree(TreeCommand),
    /// Print a JSON Schema: the compiled form (default), or the runtime's types.
    Schema(SchemaArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The task to run.
    pub task_id: String,
    /// Where the .task files are.
    #[arg(long, default_value = "tasks")]
    pub tasks: PathBuf,
    /// A file of JSON actions, one per line; `-` (the default) is standard input.
    #[arg(long, default_value = "-")]
    pub actions: String,
    /// Print for people instead of JSON: one line per step (scores to 4
    /// decimals, invalid actions called out), then the final score, the
    /// breakdown, and the marker groups still unmet.
    #[arg(long)]
    pub summary: bool,
}

#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// The task to probe (default: every task).
    pub task_id: Option<String>,
    /// Where the .task files are.
    #[arg(long, default_value = "tasks")]
    pub tasks: PathBuf,
    /// `human`: a table per task; `json`: one JSON object per exploit and
    /// task, whose `actions` replayed through `taskc run` give its score.
    #[arg(long, value_enum, default_value_t = ProbeFormat::Human)]
    pub format: ProbeFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProbeFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct PlayArgs {
    /// The task to play.
    pub task_id: String,
    /// Where the .task files are.
    #[arg(long, default_value = "tasks")]
    pub tasks: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum, default_value_t = SchemaKind::Spec)]
    pub kind: SchemaKind,
}

/// A JSON Schema `taskc schema` can print.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SchemaKind {
    /// The compiled document (`taskc compile`).
    Spec,
    /// An environment action.
    Action,
    /// An environment observation.
    Observation,
    /// An episode's state.
    State,
    /// The result of reset and step.
    Step,
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files or directories (default: `paths` in taskc.toml, else `tasks`).
    /// Files inside the project are linted with the rest of the project
    /// loaded beside them (so L004 knows what other files use); only they
    /// are reported on.
    pub paths: Vec<PathBuf>,
    /// How to print the diagnostics.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Fail on these too: `warnings` (every warning), or a rule code or name.
    #[arg(long, value_name = "WHAT")]
    pub deny: Vec<String>,
    /// Use this configuration file instead of the nearest taskc.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// An output format of `taskc lint`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LintFormat {
    /// Rendered like rustc, with the source and a summary line.
    Human,
    /// A JSON array of diagnostics.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// `text`: one line per code; `markdown`: the table the docs show.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A code (`E0101`, `L001`) or rule name (`redundant-alternative`).
    pub code: String,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (walked for `*.task`).
    #[arg(default_value = "tasks")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Files or directories (walked for `*.task`); `-` formats standard
    /// input to standard output.
    #[arg(default_value = "tasks")]
    pub paths: Vec<PathBuf>,
    /// Write nothing; exit 1 and name the files that would change.
    #[arg(long)]
    pub check: bool,
    /// Write nothing; print a unified diff of what would change (exit 1 if
    /// anything would).
    #[arg(long)]
    pub diff: bool,
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

#[derive(Debug, Subcommand)]
pub enum TreeCommand {
    /// Check a node (or JSON Lines of nodes; or the model's raw output, a
    /// JSON string or plain text): exit 0 accepted, 1 rejected.
    CheckNode(TreeArgs),
    /// Choose the next node from `{"walk": [...], "candidates": [...]}`; a
    /// candidate may be the model's raw output as a string.
    Next(TreeArgs),
    /// Turn a walk (a list of steps) into a tree; exit 1 on a walk it refuses.
    Normalize(TreeArgs),
    /// Check a whole tree: exit 0 valid, 1 invalid.
    Check(TreeArgs),
    /// Print the system prompt the policy tells the model: its role and
    /// scope, every floor group the validator enforces, the escalation rule
    /// and the JSON of each node type.
    Prompt(TreePromptArgs),
    /// Print the model's user message for `{"problem", "category", "walk"}`
    /// (hidden `meta` steps dropped, steps numbered with their answers).
    Context(TreeArgs),
}

#[derive(Debug, clap::Args)]
pub struct TreePromptArgs {
    /// The tree policy to use when several are declared.
    #[arg(long, value_name = "NAME")]
    pub tree: Option<String>,
    /// Where the .task files are.
    #[arg(long, default_value = "tasks")]
    pub tasks: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct TreeArgs {
    /// A JSON file, or `-` (the default) for standard input.
    #[arg(default_value = "-")]
    pub input: String,
    /// The tree policy to use when several are declared.
    #[arg(long, value_name = "NAME")]
    pub tree: Option<String>,
    /// Where the .task files are.
    #[arg(long, default_value = "tasks")]
    pub tasks: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where the .task files are (compiled at start-up).
    #[arg(long, default_value = "tasks")]
    pub tasks: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// The port (0 picks a free one; the address is printed on stdout).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Concurrent sessions (WebSocket connections, HTTP episodes and MCP sessions).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_sessions: u32,
    /// Drop a session after this many seconds without a message.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout: u64,
    /// The largest request body or WebSocket message, in bytes.
    #[arg(long, default_value_t = 1 << 20, value_parser = clap::value_parser!(u64).range(1024..=(64 << 20)))]
    pub max_message_bytes: u64,
    /// Open TCP connections beside the WebSocket sessions; past it a new
    /// connection is answered 503.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    /// Seconds a connection has to send a request's headers (and an idle
    /// keep-alive connection stays open).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub header_timeout: u64,
    /// Seconds an HTTP request, body included, has to be answered.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub request_timeout: u64,
    /// Seconds open connections get to finish on SIGINT or SIGTERM.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=600))]
    pub drain_timeout: u64,
    /// Production mode (contract v3, rule 10): no agent tool starts or
    /// restarts an episode (HTTP MCP sessions have no `start_task`; the
    /// orchestrator names the task in `openenv/session/create`), and no
    /// tool result carries the grade, which the orchestrator reads from
    /// `openenv/session/close`.
    #[arg(long)]
    pub production: bool,
    /// Threads that serve connections [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,
    /// Also log every finished episode (task, steps, score) and why each
    /// connection ended; by default only connections opened, closed and
    /// refused are logged.
    #[arg(long, short)]
    pub verbose: bool,
}
