//! `taskc serve`: the SupportDesk environment for OpenEnv clients over a
//! WebSocket (`/ws`, one environment per connection, OPENENV.md) and HTTP,
//! and the tree validator over HTTP. Sessions live in memory; the server
//! scales out behind a load balancer with sticky connections.

mod http;
mod ws;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::runtime::env::{Episode, StepResult, TaskRuntime};
use crate::runtime::tree::Validator;
use crate::spec::Document;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Concurrent sessions (WebSocket connections plus HTTP episodes).
    pub max_sessions: usize,
    /// A session with no message for this long is dropped.
    pub idle_timeout: Duration,
    /// The largest request body or WebSocket message handled (bytes).
    pub max_message_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_sessions: 64,
            idle_timeout: Duration::from_secs(300),
            max_message_bytes: 1 << 20,
        }
    }
}

/// What every handler shares.
pub struct Shared {
    pub config: Config,
    pub runtimes: BTreeMap<String, Arc<TaskRuntime>>,
    pub validators: BTreeMap<String, Validator>,
    active: AtomicUsize,
    http: Mutex<HttpEpisodes>,
    shutdown: watch::Receiver<bool>,
}

/// Episodes driven over plain HTTP, by `episode_id`.
#[derive(Default)]
struct HttpEpisodes {
    episodes: HashMap<String, (Episode, Instant)>,
    latest: Option<String>,
    counter: u64,
}

impl Shared {
    pub fn new(
        document: &Document,
        config: Config,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            config,
            runtimes: TaskRuntime::all(document),
            validators: Validator::all(document),
            active: AtomicUsize::new(0),
            http: Mutex::new(HttpEpisodes::default()),
            shutdown,
        })
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
                format!("unknown task `{task_id}`{hint}; the tasks are: {}", known()),
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
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(("`episode_id` must be a string".to_owned(), "episode_id")),
        };
        Ok(Episode::reset(rt.clone(), episode_id, seed))
    }

    /// Drops HTTP episodes idle for longer than the timeout.
    fn reap_http(&self) {
        let timeout = self.config.idle_timeout;
        let mut http = self.http.lock().unwrap_or_else(|e| e.into_inner());
        let before = http.episodes.len();
        http.episodes
            .retain(|_, (_, used)| used.elapsed() < timeout);
        let dropped = before - http.episodes.len();
        if dropped > 0 {
            self.active.fetch_sub(dropped, Ordering::AcqRel);
            tracing::info!(dropped, "dropped idle HTTP episodes");
        }
        if let Some(latest) = &http.latest {
            if !http.episodes.contains_key(latest) {
                http.latest = None;
            }
        }
    }
}

/// A session slot, released when dropped.
struct SessionSlot(Arc<Shared>);

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The observation frame's `data`: the client reads `observation`, `reward`
/// and `done`; `metadata` (top level and inside the observation, as the 0.10
/// client reads it) carries the task, episode and step, and — with the last
/// step only — the score, its breakdown and the gates that capped it. An
/// agent sees no grade before the end (contract v2, rule 9): with it, a
/// policy could try values until a component turns 1.
pub fn observation_data(result: &StepResult, episode: &Episode) -> Value {
    let state = episode.state();
    let mut metadata = json!({
        "task_id": state.task_id,
        "episode_id": state.episode_id,
        "step": state.step_count,
        "valid": result.info.valid,
    });
    if result.done {
        metadata["score"] = json!(result.info.score);
        metadata["breakdown"] = json!(result.info.breakdown);
        metadata["gates"] = json!(result.info.gates);
        metadata["voided"] = json!(result.info.voided);
    }
    let mut observation = serde_json::to_value(&result.observation).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut observation {
        o.insert("metadata".into(), metadata.clone());
        o.insert("reward".into(), json!(result.reward));
    }
    json!({
        "observation": observation,
        "reward": result.reward,
        "done": result.done,
        "metadata": metadata,
    })
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

/// The application.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ws", get(ws::upgrade))
        .route("/health", get(http::health))
        .route("/metadata", get(http::metadata))
        .route("/schema", get(http::schema))
        .route("/tasks", get(http::tasks))
        .route("/reset", post(http::reset))
        .route("/step", post(http::step))
        .route("/state", get(http::state))
        .route("/tree/check-node", post(http::tree_check_node))
        .route("/tree/next", post(http::tree_next))
        .route("/tree/normalize", post(http::tree_normalize))
        .route("/tree/check", post(http::tree_check))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(
            shared.config.max_message_bytes,
        ))
        .with_state(shared)
}

/// Serves until SIGINT or SIGTERM. `on_bound` receives the bound address
/// (useful with port 0).
pub async fn run(
    document: &Document,
    config: Config,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let shared = Shared::new(document, config, stopped);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_bound(listener.local_addr()?);
    let reaper = shared.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            reaper.reap_http();
        }
    });
    let app = router(shared);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    })
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
