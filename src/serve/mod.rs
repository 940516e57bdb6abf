//! `taskc serve`: the SupportDesk environment for OpenEnv clients over a
//! WebSocket (`/ws`, one environment per connection, OPENENV.md) and HTTP,
//! as MCP tools (`list_tools`/`call_tool` on `/ws`, JSON-RPC on `/mcp`),
//! and the tree validator over HTTP and as tools. `api` is the endpoint
//! table the router and `/openapi.json` are built from. Sessions live in
//! memory; the server scales out behind a load balancer with sticky
//! connections.

mod api;
mod frame;
mod http;
mod mcp;
mod tools;
mod ws;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use serde_json::Value;
use tokio::sync::watch;

use crate::runtime::env::{Episode, StepResult, TaskRuntime};
use crate::runtime::tree::Validator;
use crate::spec::{Document, DomainSpec};

/// How the server runs (the defaults are `taskc serve`'s flags'). The
/// README's "Limits" section documents each.
#[derive(Clone, Debug)]
pub struct Config {
    /// Concurrent sessions (WebSocket connections, HTTP episodes and MCP
    /// sessions).
    pub max_sessions: usize,
    /// A session with no message for this long is dropped; a send that
    /// cannot complete in this long (a client that does not read) too.
    pub idle_timeout: Duration,
    /// The largest request body or WebSocket message handled (bytes).
    pub max_message_bytes: usize,
    /// Open TCP connections (HTTP and upgrading), beside the WebSocket
    /// sessions; past it a new connection is answered 503 and closed.
    pub max_connections: usize,
    /// A connection must send a request's headers within this long (also
    /// how long an idle keep-alive connection stays open).
    pub header_timeout: Duration,
    /// An HTTP request, body included, must be answered within this long.
    pub request_timeout: Duration,
    /// On SIGINT or SIGTERM, how long open connections and sessions get to
    /// finish before the process exits.
    pub drain_timeout: Duration,
    /// Production mode: no agent tool starts an episode or reads a grade
    /// (contract v3, rule 10).
    pub production: bool,
}

/// What every handler shares.
pub struct Shared {
    pub config: Config,
    pub runtimes: BTreeMap<String, Arc<TaskRuntime>>,
    pub validators: BTreeMap<String, Validator>,
    /// Each task's unchanging observation parts, rendered once.
    frames: BTreeMap<String, frame::TaskFrame>,
    /// The domain the tasks use (the action tools' enums).
    pub domain: Option<Arc<DomainSpec>>,
    /// The MCP tools, built on first use.
    tools: std::sync::OnceLock<Vec<tools::Tool>>,
    active: AtomicUsize,
    /// HTTP episodes by id; the map's lock is held only to find or insert
    /// one, never while an episode steps.
    http: Mutex<HashMap<String, Arc<Mutex<HttpEpisode>>>>,
    /// MCP sessions over HTTP (`openenv/session/create`), by id; locked
    /// the same way.
    mcp: Mutex<HashMap<String, Arc<Mutex<mcp::McpSession>>>>,
    /// Connections and sessions still running, for the drain at shutdown.
    tracker: Arc<Tracker>,
    shutdown: watch::Receiver<bool>,
}

/// An episode driven over plain HTTP, holding its session slot.
struct HttpEpisode {
    episode: Episode,
    used: Instant,
    _slot: SessionSlot,
}

impl Shared {
    pub fn new(
        document: &Document,
        config: Config,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<Shared> {
        let runtimes = TaskRuntime::all(document);
        Arc::new(Shared {
            config,
            frames: frame::TaskFrame::all(&runtimes),
            runtimes,
            validators: Validator::all(document),
            domain: document.domain.clone().map(Arc::new),
            tools: std::sync::OnceLock::new(),
            active: AtomicUsize::new(0),
            http: Mutex::new(HashMap::new()),
            mcp: Mutex::new(HashMap::new()),
            tracker: Arc::new(Tracker::default()),
            shutdown,
        })
    }

    /// `/reset` and `/step`'s body ([`observation_data`] written straight
    /// to text), or with `frame` the WebSocket frame `{"type":
    /// "observation", "data": ...}`.
    pub(crate) fn step_reply(&self, result: StepResult, episode: &Episode, frame: bool) -> String {
        let rt = episode.task();
        match self.frames.get(&rt.spec.task_id) {
            Some(task) => frame::step_reply(task, result, episode, frame),
            // Every served task has its frame; an episode of another is
            // still answered.
            None => frame::step_reply(&frame::TaskFrame::new(rt), result, episode, frame),
        }
    }

    /// Takes a session slot, or says how many are in use.
    fn acquire(self: &Arc<Self>) -> Result<SessionSlot, usize> {
        let max = self.config.max_sessions;
        let mut current = self.active.load(Ordering::Relaxed);
        loop {
            if current >= max {
                return Err(current);
            }
            match self.active.compare_exchange(
                current,
                current + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(SessionSlot(self.clone())),
                Err(now) => current = now,
            }
        }
    }

    pub fn active_sessions(&self) -> usize {
        self.active.load(Ordering::Relaxed)
    }

    fn http_episodes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Mutex<HttpEpisode>>>> {
        self.http.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn mcp_sessions(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Mutex<mcp::McpSession>>>> {
        self.mcp.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts an episode from reset kwargs: `task_id` (required), `seed`,
    /// `episode_id`. Errors are (message, field) for a validation error.
    fn reset(&self, data: &Value) -> Result<(Episode, StepResult), (String, &'static str)> {
        let known = || self.runtimes.keys().cloned().collect::<Vec<_>>().join(", ");
        let Some(task_id) = data.get("task_id").and_then(Value::as_str) else {
            return Err((
                format!("reset needs a `task_id`; the tasks are: {}", known()),
                "task_id",
            ));
        };
        let Some(rt) = self.runtimes.get(task_id) else {
            let hint =
                crate::suggest::did_you_mean(task_id, self.runtimes.keys().map(String::as_str))
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
            return Err((
                format!(
                    "unknown task `{}`{hint}; the tasks are: {}",
                    crate::runtime::excerpt(task_id),
                    known()
                ),
                "task_id",
            ));
        };
        let seed = match data.get("seed") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or(("`seed` must be a non-negative integer".to_owned(), "seed"))?,
            ),
        };
        let episode_id = match data.get("episode_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.len() <= MAX_EPISODE_ID_BYTES => Some(s.clone()),
            Some(Value::String(_)) => {
                return Err((
                    format!("`episode_id` may have at most {MAX_EPISODE_ID_BYTES} bytes"),
                    "episode_id",
                ))
            }
            Some(_) => return Err(("`episode_id` must be a string".to_owned(), "episode_id")),
        };
        Ok(Episode::reset(rt.clone(), episode_id, seed))
    }

    /// Drops HTTP episodes and MCP sessions idle for longer than the
    /// timeout (their slots go with them).
    fn reap_http(&self) {
        let timeout = self.config.idle_timeout;
        // One busy stepping is in use: it stays.
        let episodes = reap(&mut self.http_episodes(), |e| e.used.elapsed() < timeout);
        let sessions = reap(&mut self.mcp_sessions(), |s| s.used.elapsed() < timeout);
        if episodes + sessions > 0 {
            tracing::info!(
                episodes,
                sessions,
                "dropped idle HTTP episodes and MCP sessions"
            );
        }
    }
}

/// Drops the entries not in use that `keep` refuses; says how many.
fn reap<T>(map: &mut HashMap<String, Arc<Mutex<T>>>, keep: impl Fn(&T) -> bool) -> usize {
    let before = map.len();
    map.retain(|_, e| e.try_lock().map_or(true, |e| keep(&e)));
    before - map.len()
}

/// The longest `episode_id` a client may choose.
pub const MAX_EPISODE_ID_BYTES: usize = 256;

/// A new HTTP episode id: 128 random bits from the operating system, so no
/// client can guess another's; `None` if the system has no randomness.
fn random_episode_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A session slot, released when dropped.
struct SessionSlot(Arc<Shared>);

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Counts the connections and sessions still running.
#[derive(Default)]
struct Tracker {
    running: AtomicUsize,
}

/// One running connection or session, counted until dropped.
struct Tracked(Arc<Tracker>);

impl Tracker {
    fn enter(self: &Arc<Self>) -> Tracked {
        self.running.fetch_add(1, Ordering::AcqRel);
        Tracked(self.clone())
    }

    /// Waits until nothing runs, or the deadline; says whether all finished.
    async fn drained(&self, deadline: Duration) -> bool {
        let until = Instant::now() + deadline;
        while self.running.load(Ordering::Acquire) > 0 {
            if Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Requests whose body is at least this big are handled on the blocking
/// pool, so a huge text never stalls the async workers other clients use.
const OFFLOAD_BYTES: usize = 32 * 1024;

/// Runs `work` here if the request is small, else on the blocking pool.
async fn offload<T: Send + 'static>(size: usize, work: impl FnOnce() -> T + Send + 'static) -> T {
    if size < OFFLOAD_BYTES {
        return work();
    }
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// The observation frame's `data`: the client reads `observation`, `reward`
/// and `done`; `metadata` (top level and inside the observation, as the 0.10
/// client reads it) carries the task, episode and step, and — with the last
/// step only — the score, its breakdown and the gates that capped it. An
/// agent sees no grade before the end (contract v2, rule 9): with it, a
/// policy could try values until a component turns 1.
pub fn observation_data(result: StepResult, episode: &Episode) -> Value {
    serde_json::to_value(api::StepReply::new(result, episode)).unwrap_or(Value::Null)
}

/// An episode's state as served: before the end, without the grade (score,
/// breakdown, gates, voided texts), for the same reason as
/// [`observation_data`].
pub fn state_data(episode: &Episode) -> Value {
    let state = episode.state();
    let done = state.done;
    let mut value = serde_json::to_value(state).unwrap_or(Value::Null);
    if let (Value::Object(o), false) = (&mut value, done) {
        for key in ["score", "breakdown", "gates", "voided"] {
            o.remove(key);
        }
    }
    value
}

/// The application: every endpoint of [`api::endpoints`].
pub fn router(shared: Arc<Shared>) -> Router {
    let request_timeout = shared.config.request_timeout;
    api::endpoints()
        .into_iter()
        .fold(Router::new(), |router, e| router.route(e.path, e.route))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| async move {
                match tokio::time::timeout(request_timeout, next.run(request)).await {
                    Ok(response) => response,
                    Err(_) => http::request_timed_out(request_timeout),
                }
            },
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            shared.config.max_message_bytes,
        ))
        .with_state(shared)
}

/// Serves until SIGINT or SIGTERM, then drains: no new connections,
/// WebSocket sessions closed with 1001, HTTP connections finished, all
/// within the drain timeout. `on_bound` receives the bound address (useful
/// with port 0); the signal handlers are in place before it is called.
pub async fn run(
    document: &Document,
    config: Config,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let signal = shutdown_signal()?;
    let (stop, stopped) = watch::channel(false);
    let shared = Shared::new(document, config.clone(), stopped.clone());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    warn_about_file_limit(&config);
    on_bound(listener.local_addr()?);
    let reaper = shared.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            reaper.reap_http();
        }
    });
    let app = router(shared.clone());
    let connections = Arc::new(tokio::sync::Semaphore::new(config.max_connections));
    let refusing = Arc::new(tokio::sync::Semaphore::new(MAX_REFUSING));
    tokio::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: wait a little and go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            refuse(stream, config.max_connections, &refusing);
            continue;
        };
        let tracked = shared.tracker.enter();
        let app = app.clone();
        let stopped = stopped.clone();
        let header_timeout = config.header_timeout;
        tokio::spawn(async move {
            serve_connection(stream, peer, app, header_timeout, stopped).await;
            drop((permit, tracked));
        });
    }
    tracing::info!("shutting down");
    drop(listener);
    let _ = stop.send(true);
    if !shared.tracker.drained(config.drain_timeout).await {
        tracing::warn!(
            still_open = shared.tracker.running.load(Ordering::Acquire),
            "drain timeout: closing what is still open"
        );
    }
    Ok(())
}

/// One HTTP/1.1 connection, upgrades included, until it ends or the server
/// stops (then it finishes its request in flight and closes).
async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    header_timeout: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let _ = stream.set_nodelay(true);
    let service =
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            tower_service::Service::call(&mut app.clone(), request)
        });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let connection = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(connection);
    let stop = async move {
        let _ = stopped.wait_for(|stop| *stop).await.map(|_| ());
    };
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        }
        () = stop => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// Answers a connection past `--max-connections` with a 503 and closes it.
/// The answer goes out at once; the request is read (up to a second) before
/// the close, so the client sees the 503 rather than a reset. At most
/// [`MAX_REFUSING`] such answers are in flight; past that, the connection is
/// just closed.
fn refuse(stream: tokio::net::TcpStream, max: usize, refusing: &Arc<tokio::sync::Semaphore>) {
    tracing::info!(max, "connection refused: connection limit reached");
    let Ok(permit) = refusing.clone().try_acquire_owned() else {
        return;
    };
    let body = format!(
        "{{\"error\":{{\"message\":\"the server is at its connection limit ({max}); try again later\",\"code\":\"CAPACITY_REACHED\"}}}}"
    );
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nretry-after: 1\r\n\r\n{body}",
        body.len()
    );
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = stream;
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            stream.write_all(response.as_bytes()).await?;
            stream.shutdown().await?;
            let mut sink = [0u8; 4096];
            while stream.read(&mut sink).await? > 0 {}
            std::io::Result::Ok(())
        })
        .await;
        drop(permit);
    });
}

/// Connections answered 503 at the same time, at most.
const MAX_REFUSING: usize = 64;

/// Warns when the process may open fewer files than the server can hold
/// connections and sessions (Linux: the soft limit in /proc/self/limits).
fn warn_about_file_limit(config: &Config) {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else {
        return;
    };
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse::<usize>().ok());
    let needed =
        config.max_connections + config.max_sessions + MAX_REFUSING + FILE_DESCRIPTOR_MARGIN;
    if let Some(soft) = soft.filter(|soft| *soft < needed) {
        tracing::warn!(
            limit = soft,
            needed,
            "the open-file limit is below what --max-connections and --max-sessions may need; raise it (ulimit -n) or lower those"
        );
    }
}

/// File descriptors the server needs beside its connections (the
/// listener, standard streams, the runtime's own).
pub const FILE_DESCRIPTOR_MARGIN: usize = 32;

/// Resolves on SIGINT or SIGTERM; the handlers are installed when this is
/// called, not when the future is first polled.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// A server's shared state for the shipped tasks (for unit tests).
#[cfg(test)]
pub(crate) fn shipped() -> Arc<Shared> {
    let paths = crate::source::collect_paths(&[std::path::PathBuf::from("tasks")]).expect("tasks/");
    let (sources, read) = crate::source::read_files(&paths).expect("readable");
    let document = crate::compile::compile_with(&sources, read)
        .document
        .expect("compiles");
    let config = Config {
        max_sessions: 4,
        idle_timeout: Duration::from_secs(60),
        max_message_bytes: 1 << 20,
        max_connections: 4,
        header_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(10),
        drain_timeout: Duration::from_secs(1),
        production: false,
    };
    Shared::new(&document, config, watch::channel(false).1)
}
