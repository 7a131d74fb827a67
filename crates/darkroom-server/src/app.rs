//! Assembles the HTTP application: API, pages, assets, health and metrics,
//! wrapped in the middleware every request goes through.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use darkroom_core::Core;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::error::{Problem, problem_response};
use crate::state::{AppState, Limiters, Shared};
use crate::web::templates::Templates;
use crate::{api, observe, security, web};

const CSS: &str = include_str!("assets/app.css");
const JS: &str = include_str!("assets/app.js");
const UPLOAD_JS: &str = include_str!("assets/upload.js");
const ARRANGE_JS: &str = include_str!("assets/arrange.js");
const CLIENT_JS: &str = include_str!("assets/client.js");
const PAY_JS: &str = include_str!("assets/pay.js");
const SIGN_JS: &str = include_str!("assets/sign.js");
const CLIENT_CSS: &str = include_str!("assets/client.css");

/// The client cover's display face (Cormorant Garamond, SIL OFL 1.1, see
/// assets/fonts/OFL.txt): served from here, so a gallery makes no
/// third-party request.
const FONT_LATIN: &[u8] = include_bytes!("assets/fonts/cormorant-garamond-500-latin.woff2");
const FONT_LATIN_EXT: &[u8] = include_bytes!("assets/fonts/cormorant-garamond-500-latin-ext.woff2");

/// A font: its name carries its version, so it is cached for a year.
fn font(body: &'static [u8]) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("font/woff2"));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}

fn asset(body: &'static str, ctype: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// No route here: a problem for the API, the client pages' "not found" for
/// a client's address (`/c/`, `/g/`), and a styled page for everything else.
async fn not_found(State(s): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") {
        return problem_response(Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is no API endpoint at this path; see /api/docs for the endpoints",
        ));
    }
    let (template, ctx) = if path.starts_with("/c/") || path.starts_with("/g/") {
        (
            "client_message.html",
            minijinja::context! {
                title => "Page not found",
                heading => "We could not find this page",
                body => "Open your gallery from the link the studio sent you; if it no longer works, ask the studio for a new one.",
            },
        )
    } else {
        (
            "message.html",
            minijinja::context! {
                title => "Page not found",
                heading => "There is no page here",
                body => "The address may be mistyped, or the page was moved. Start again from your dashboard.",
                home => "/dashboard",
            },
        )
    };
    let mut res = crate::web::render::render_public(&s, template, ctx);
    *res.status_mut() = StatusCode::NOT_FOUND;
    res
}

async fn method_not_allowed(req: Request) -> Response {
    problem_response(Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} is not allowed on this path; see /api/docs for the methods each endpoint takes",
            req.method()
        ),
    ))
}

/// Paths whose bodies stream for as long as the network needs: uploads
/// (bounded by their own idle timeout), photo bytes and gallery ZIPs.
fn streams(path: &str) -> bool {
    path.starts_with("/api/v1/uploads")
        || path.starts_with("/media/")
        || (path.starts_with("/galleries/") && path.ends_with("/download"))
}

/// What every request passes through on its way in and out, in one layer
/// (each layer costs every request a clone of the service and a move of its
/// future): it is counted and timed, admitted or refused by the rate limits
/// ([`security::admit`]), stopped if it runs past the configured limit
/// (unless its body streams), and its response gets the security headers.
async fn edge(State(state): State<AppState>, req: Request, next: middleware::Next) -> Response {
    let seen = observe::seen(&req);
    let path = req.uri().path().to_owned();
    let limit = Duration::from_secs(state.config.http.request_timeout_secs);
    let inner = async {
        match security::admit(&state, req).await {
            Ok(req) => next.run(req).await,
            Err(refused) => refused,
        }
    };
    let mut res = if streams(&path) {
        inner.await
    } else {
        match tokio::time::timeout(limit, inner).await {
            Ok(r) => r,
            Err(_) => problem_response(Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!(
                    "the request took longer than {} s and was stopped; try again",
                    limit.as_secs()
                ),
            )),
        }
    };
    security::set_headers(&state, &path, &mut res);
    observe::record(seen, res.status());
    res
}

/// Builds the state every handler shares.
pub fn state(core: Core, config: Arc<Config>) -> anyhow::Result<AppState> {
    Ok(AppState::new(Shared {
        limits: Arc::new(Limiters::new(config.http.anonymous_per_minute)),
        templates: Arc::new(Templates::new().map_err(|e| anyhow::anyhow!("templates: {e}"))?),
        metrics: observe::metrics_handle(),
        core,
        config,
    }))
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api_routes, openapi) = api::routes(api::contract::Limits {
        max_upload_bytes: state.core.settings().media.max_upload_bytes,
    });
    let spec = api::docs::Spec(Arc::new(openapi));
    Router::new()
        .merge(api_routes)
        .merge(api::docs::routes(spec))
        .merge(web::routes())
        .route("/healthz", get(observe::healthz))
        .route("/readyz", get(observe::readyz))
        .route("/metrics", get(observe::metrics))
        .route(
            "/assets/app.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset(JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/client.js",
            get(|| async { asset(CLIENT_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/client.css",
            get(|| async { asset(CLIENT_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/upload.js",
            get(|| async { asset(UPLOAD_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/pay.js",
            get(|| async { asset(PAY_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/sign.js",
            get(|| async { asset(SIGN_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/arrange.js",
            get(|| async { asset(ARRANGE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/fonts/cormorant-garamond-500-latin-v5.woff2",
            get(|| async { font(FONT_LATIN) }),
        )
        .route(
            "/assets/fonts/cormorant-garamond-500-latin-ext-v5.woff2",
            get(|| async { font(FONT_LATIN_EXT) }),
        )
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.http.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), edge))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http())
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CompressionLayer::new()),
        )
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` is cancelled; in-flight
/// requests then have `grace` to finish (a slow upload is cut off after it
/// and resumes later from what was stored).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
    grace: Duration,
) -> std::io::Result<()> {
    let signal = shutdown.clone();
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { signal.cancelled().await })
    .into_future();
    tokio::pin!(server);
    tokio::select! {
        r = &mut server => return r,
        _ = shutdown.cancelled() => {}
    }
    match tokio::time::timeout(grace, server).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "requests still running after the shutdown grace; stopping anyway"
            );
            Ok(())
        }
    }
}

/// Cancels `token` on Ctrl-C or SIGTERM.
pub fn cancel_on_signal(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
        tracing::info!("shutting down: finishing requests and jobs in hand");
        token.cancel();
    });
}
