//! Request hardening: security headers on every response, CSRF checks, and
//! per-IP rate limits for requests without credentials.

use std::net::IpAddr;

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use darkroom_core::Principal;

use crate::error::{ApiError, Problem, problem_response};
use crate::extract::{client_ip, session_key};
use crate::state::AppState;

const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
                   connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'self'";

/// The same policy for the public inquiry form, which studios show inside
/// a frame on their own sites.
const CSP_EMBEDDABLE: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
                   connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors *; form-action 'self'";

/// Adds the security headers to every response.
pub fn set_headers(state: &AppState, path: &str, res: &mut Response) {
    let is_asset = path.starts_with("/assets/");
    let embeddable = path.starts_with("/inquire/");
    let h = res.headers_mut();
    // A page that must run a payment provider's script sets its own,
    // narrower-than-open policy (the portal's pay page); all others get ours.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(if embeddable { CSP_EMBEDDABLE } else { CSP }),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !embeddable {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    // `same-origin`: link tokens in URLs never reach another site, and our own
    // form posts keep a real `Origin` header (`no-referrer` would make it "null").
    // A page that carries a link token in its URL sets `no-referrer` itself.
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state.config.secure_cookies() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !is_asset && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

fn too_many() -> Response {
    let mut p = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "too many requests from your address; wait a minute and try again",
    );
    p.retry_after = Some(60);
    problem_response(p)
}

/// Who sent a request, decided once by [`rate_limit`] and kept in the
/// request's extensions for the extractors.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No staff credentials.
    Anonymous,
    /// A session cookie or API token that resolved to a staff member.
    Staff(Box<Principal>),
    /// Staff credentials that do not authenticate (a forged or expired
    /// cookie, an unknown token, a scheme other than Bearer).
    Failed,
}

/// A client's link cookie or signed media URL: checked by the client
/// handler, which counts a bad one against the token-guessing limit.
fn has_link_credentials(req: &Request, state: &AppState) -> bool {
    req.uri().path().starts_with("/c/")
        && (req.uri().query().is_some_and(|q| q.contains("sig="))
            || req
                .headers()
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|c| c.contains(state.link_cookie())))
}

/// Resolves the staff credentials a request carries, if any.
async fn caller_of(headers: &HeaderMap, state: &AppState) -> Result<Caller, ApiError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let Some(t) = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
        else {
            return Ok(Caller::Failed);
        };
        return Ok(
            match darkroom_core::studio::token::resolve(&state.core, t).await? {
                Some(p) => Caller::Staff(Box::new(p)),
                None => Caller::Failed,
            },
        );
    }
    let jar = axum_extra::extract::CookieJar::from_headers(headers);
    let Some(cookie) = jar.get(state.session_cookie()) else {
        return Ok(Caller::Anonymous);
    };
    Ok(
        match darkroom_core::studio::auth::resolve_session(&state.core, cookie.value()).await? {
            Some(p) => Caller::Staff(Box::new(p)),
            None => Caller::Failed,
        },
    )
}

/// Limits requests that do not authenticate, per client IP. Staff
/// credentials are resolved here once (the extractors reuse the result), so
/// a made-up cookie or token counts as anonymous, and against the tighter
/// failed-authentication limit too. Endpoints that never need sign-in
/// (sign-in itself, set-up, password reset, invitations) are limited
/// whatever is sent; paths that take a one-time link token get the tighter
/// limit, so tokens cannot be guessed. Client gallery requests carrying a
/// link cookie or signed URL are checked (and counted) by their handler.
pub async fn admit(state: &AppState, mut req: Request) -> Result<Request, Response> {
    let path = req.uri().path();
    let public = [
        "/sign-in",
        "/setup",
        "/password-reset",
        "/invitations/",
        "/g/",
    ]
    .iter()
    .any(|p| path.starts_with(p));
    let takes_token = ["/setup/", "/invitations/", "/password-reset/", "/g/"]
        .iter()
        .any(|p| path.starts_with(p));
    let staff_paths = !["/c/", "/g/", "/assets/"]
        .iter()
        .any(|p| path.starts_with(p));
    let links = has_link_credentials(&req, state);
    let caller = if staff_paths {
        caller_of(req.headers(), state)
            .await
            .map_err(IntoResponse::into_response)?
    } else {
        Caller::Anonymous
    };
    let authenticated = matches!(caller, Caller::Staff(_)) || links;
    let failed = matches!(caller, Caller::Failed);
    req.extensions_mut().insert(caller);
    if public || !authenticated {
        let (parts, body) = req.into_parts();
        let ip = client_ip(&parts, state);
        if state.limits.anonymous.check_key(&ip).is_err() {
            metrics::counter!("darkroom_rate_limited_total", "limit" => "anonymous").increment(1);
            return Err(too_many());
        }
        if (takes_token || failed) && state.limits.token_guess.check_key(&ip).is_err() {
            metrics::counter!("darkroom_rate_limited_total", "limit" => "token").increment(1);
            return Err(too_many());
        }
        return Ok(Request::from_parts(parts, body));
    }
    Ok(req)
}

/// Counts a failed authentication against the IP's tight limit.
pub fn count_failed_auth(state: &AppState, ip: IpAddr) -> Result<(), ApiError> {
    if state.limits.token_guess.check_key(&ip).is_err() {
        let mut p = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed sign-in attempts from your address; wait a minute",
        );
        p.retry_after = Some(60);
        return Err(ApiError::of(p));
    }
    Ok(())
}

/// The CSRF token of a signed-in session.
pub fn session_csrf(state: &AppState, p: &Principal) -> String {
    state.core.keys().mac("csrf", session_key(p).as_bytes())
}

pub fn session_csrf_ok(state: &AppState, p: &Principal, sent: &str) -> bool {
    !sent.is_empty()
        && state
            .core
            .keys()
            .verify_mac("csrf", session_key(p).as_bytes(), sent)
}

/// The CSRF token for forms shown before sign-in, bound to a random cookie.
pub fn anon_csrf(state: &AppState, cookie: &str) -> String {
    state.core.keys().mac("csrf-anon", cookie.as_bytes())
}

pub fn anon_csrf_ok(state: &AppState, cookie: &str, sent: &str) -> bool {
    !cookie.is_empty()
        && !sent.is_empty()
        && state
            .core
            .keys()
            .verify_mac("csrf-anon", cookie.as_bytes(), sent)
}

/// A state-changing request must come from our own pages: when the browser
/// says where it came from (`Sec-Fetch-Site`, `Origin`), it must be here.
pub fn same_origin(parts: &Parts, state: &AppState) -> bool {
    if let Some(site) = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        && (site == "cross-site" || site == "same-site")
    {
        return false;
    }
    let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    if origin == "null" {
        return false;
    }
    let public = state.config.public_url();
    let public_origin = public.origin().ascii_serialization();
    if origin == public_origin {
        return true;
    }
    // Also accept the Host the request was sent to (a LAN address, a port change).
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        == Some(host)
}

/// The page shown when a form fails its CSRF check.
pub fn csrf_rejected() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><title>Form expired</title><h1>This form expired or came from another site</h1>\
         <p>Nothing was changed. Go back, reload the page and try again.</p>",
    )
        .into_response()
}
