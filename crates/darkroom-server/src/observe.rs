//! Logs, metrics and health.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::config::LogConfig;
use crate::state::AppState;

/// Installs the tracing subscriber (text or JSON) once per process.
pub fn init_logging(cfg: &LogConfig) {
    use tracing_subscriber::EnvFilter;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .unwrap_or_else(|| cfg.level.clone());
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour only on a terminal: a log written to a file or a pipe keeps no
    // escape codes.
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = if cfg.format == "json" {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}

/// The process-wide Prometheus recorder (metrics are global by nature).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let b = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .ok()?;
            b.install_recorder().ok()
        })
        .clone()
}

/// The method and route template of a request, for [`record`]: taken
/// before the request moves on.
pub struct Seen {
    start: Instant,
    method: &'static str,
    route: Option<MatchedPath>,
}

/// Notes when a request came and what it asked for.
pub fn seen(req: &Request) -> Seen {
    // Only the standard methods are labels: anything else is one label, so
    // made-up methods cannot grow the metrics without bound.
    let method = match req.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    };
    Seen {
        start: Instant::now(),
        method,
        route: req.extensions().get::<MatchedPath>().cloned(),
    }
}

/// A route's counters and timer, by method and status.
type Handles = Vec<(&'static str, u16, metrics::Counter, metrics::Histogram)>;

thread_local! {
    /// The handles already registered, per thread: the hot path finds its
    /// counter without building label strings or locking the registry.
    static HANDLES: std::cell::RefCell<std::collections::HashMap<String, Handles>> =
        Default::default();
}

/// Counts and times a request by route template and status.
pub fn record(seen: Seen, status: StatusCode) {
    let route = seen.route.as_ref().map_or("unmatched", |m| m.as_str());
    let status = status.as_u16();
    let elapsed = seen.start.elapsed().as_secs_f64();
    HANDLES.with_borrow_mut(|all| {
        if !all.contains_key(route) {
            all.insert(route.to_string(), Vec::new());
        }
        let Some(handles) = all.get_mut(route) else {
            return;
        };
        if let Some((_, _, c, h)) = handles
            .iter()
            .find(|(m, s, _, _)| *m == seen.method && *s == status)
        {
            c.increment(1);
            h.record(elapsed);
            return;
        }
        let c = metrics::counter!("darkroom_http_requests_total", "method" => seen.method, "route" => route.to_string(), "status" => status.to_string());
        let h = metrics::histogram!("darkroom_http_request_seconds", "method" => seen.method, "route" => route.to_string());
        c.increment(1);
        h.record(elapsed);
        handles.push((seen.method, status, c, h));
    });
}

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers and its schema is current.
pub async fn readyz(State(s): State<AppState>) -> Response {
    match (
        s.core.db().ping().await,
        s.core.db().pending_migrations().await,
    ) {
        (Ok(()), Ok(p)) if p.is_empty() => (StatusCode::OK, "ready").into_response(),
        (Ok(()), Ok(p)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "migrations pending: {}; run `darkroom migrate`",
                p.join(", ")
            ),
        )
            .into_response(),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Prometheus metrics, optionally behind a bearer token.
pub async fn metrics(State(s): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(t) = &s.config.metrics.token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let ok = sent.is_some_and(|x| {
            use sha2::Digest;
            sha2::Sha256::digest(x.as_bytes()) == sha2::Sha256::digest(t.0.as_bytes())
        });
        if !ok {
            return (
                StatusCode::UNAUTHORIZED,
                "send the metrics token as a bearer token",
            )
                .into_response();
        }
    }
    match &s.metrics {
        Some(h) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            h.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are not available in this process",
        )
            .into_response(),
    }
}
