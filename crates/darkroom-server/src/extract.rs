//! Extractors that turn requests into the core's inputs, with our error shape
//! for every rejection (never the framework's plain-text one).

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{
    ConnectInfo, FromRequest, FromRequestParts, OptionalFromRequestParts, Request,
};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use darkroom_core::{Meta, Principal, Via};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Problem};
use crate::security::{self, Caller};
use crate::state::AppState;

/// The client's IP: the socket peer, or `X-Forwarded-For` when configured.
pub fn client_ip(parts: &Parts, state: &AppState) -> IpAddr {
    if state.config.http.trust_forwarded_for
        && let Some(ip) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// Request facts for the audit log.
pub struct ClientMeta(pub Meta);

impl FromRequestParts<AppState> for ClientMeta {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientMeta(meta_of(parts, state)))
    }
}

pub fn meta_of(parts: &Parts, state: &AppState) -> Meta {
    Meta {
        ip: client_ip(parts, state).to_string(),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(300).collect()),
    }
}

/// An authenticated API caller: a bearer token, or a browser session (then
/// unsafe methods must carry `X-CSRF-Token`).
pub struct ApiAuth(pub Principal);

fn unauthenticated() -> ApiError {
    ApiError::of(Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "sign in, or send a personal API token as `Authorization: Bearer drk_...` (create one under Account → API tokens)",
    ))
}

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let p = match caller(parts) {
            Some(Caller::Staff(p)) => p,
            _ => return Err(unauthenticated()),
        };
        if matches!(p.via, Via::Session(_))
            && !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS)
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !security::session_csrf_ok(state, &p, sent) || !security::same_origin(parts, state) {
                return Err(ApiError::of(Problem::new(
                    StatusCode::FORBIDDEN,
                    "csrf_failed",
                    "a request made with a browser session must send the page's X-CSRF-Token header from the same site",
                )));
            }
        }
        Ok(ApiAuth(*p))
    }
}

/// The staff member behind the request's browser session, if any.
pub fn session_of(parts: &Parts) -> Option<Principal> {
    match caller(parts) {
        Some(Caller::Staff(p)) if matches!(p.via, Via::Session(_)) => Some(*p),
        _ => None,
    }
}

/// Who sent the request, as the rate limiter resolved it (every request
/// passes through it first).
fn caller(parts: &Parts) -> Option<Caller> {
    parts.extensions.get::<Caller>().cloned()
}

/// The signed-in person, if any (for pages that work both ways).
pub struct MaybeSession(pub Option<Principal>);

impl OptionalFromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <ApiAuth as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(a) => Ok(Some(a)),
            Err(_) => Ok(None),
        }
    }
}

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeSession(session_of(parts)))
    }
}

/// The session id behind a principal (for CSRF tokens).
pub fn session_key(p: &Principal) -> String {
    match p.via {
        Via::Session(s) => s.to_string(),
        Via::Token(t) => t.to_string(),
        Via::System => "system".into(),
    }
}

/// A JSON body: `application/json`, within the size limit, with every field
/// known and of the right type. Errors say where and what.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = ct.split(';').next().unwrap_or("").trim();
        if mime != "application/json" && !mime.ends_with("+json") {
            return Err(ApiError::of(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "send the body as JSON with `Content-Type: application/json` (got `{}`)",
                    if ct.is_empty() { "nothing" } else { ct }
                ),
            )));
        }
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Reads a body within the configured limit.
pub async fn read_body(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    let limit = state.config.http.max_body_bytes;
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::of(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the request body is larger than the {limit} bytes accepted"),
            ))
        } else {
            ApiError::of(Problem::new(
                StatusCode::BAD_REQUEST,
                "bad_body",
                format!("could not read the request body: {e}"),
            ))
        }
    })
}

/// Parses JSON, telling syntax errors (400) from shape errors (422).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::of(Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "the request body is empty; send a JSON object",
        )));
    }
    // Syntax first, over the whole body: one JSON value and nothing after
    // it but whitespace is a 400 whatever the value holds; then its shape.
    let mut value = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => v,
        Err(e) => return Err(malformed(&e)),
    };
    whole_numbers(&mut value);
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        field_problem(field, clean_serde_message(&err.into_inner().to_string()))
    })
}

/// JSON Schema counts `3.0` as an integer: so do we.
fn whole_numbers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *n = serde_json::Number::from(f as i64);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(whole_numbers),
        serde_json::Value::Object(o) => o.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

fn malformed(e: &serde_json::Error) -> ApiError {
    {
        let detail = if e.is_syntax() && e.to_string().starts_with("trailing") {
            format!("the body goes on after its JSON value ({e}); send exactly one JSON value")
        } else {
            format!("the body is not valid JSON: {e}; check quotes, commas and brackets")
        };
        ApiError::of(Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            detail,
        ))
    }
}

/// A 422 about one field (of a body or a query string).
fn field_problem(field: String, msg: String) -> ApiError {
    let mut p = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        format!("{field}: {msg}"),
    );
    p.errors = vec![darkroom_domain::validate::FieldError {
        field,
        code: "invalid",
        message: msg,
    }];
    ApiError::of(p)
}

fn clean_serde_message(m: &str) -> String {
    // serde adds " at line 1 column 12" which means little to people.
    match m.find(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

/// A query string with our error shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

/// Parses a query string, naming the parameter that is wrong.
pub fn parse_query<T: DeserializeOwned>(q: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(q.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "query".to_string()
        } else {
            path
        };
        field_problem(field, clean_serde_message(&e.into_inner().to_string()))
    })
}

/// Parses a path segment as a typed id. A malformed id answers 404 like any
/// id that does not exist, so probing with garbage learns nothing.
pub fn path_id<T: darkroom_domain::TypedId>(raw: &str) -> Result<T, ApiError> {
    T::parse(raw).map_err(|_| {
        ApiError::of(Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "{} not found: check the id, or it may have been deleted",
                T::NAME
            ),
        ))
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;
    use darkroom_core::kernel::listing::{ListLimit, Offset};

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Paging {
        offset: Option<Offset>,
        limit: Option<ListLimit>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: Option<i64>,
    }

    proptest! {
        /// Any text as a number: in range and accepted, or a 422 naming the
        /// parameter and its range. Never a panic, never another answer.
        #[test]
        fn numeric_query_parameters_accept_their_range_and_name_the_rest(raw in prop_oneof![
            any::<i128>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            (-5i64..300).prop_map(|n| n.to_string()),
            "[0-9a-z.+ -]{0,30}",
        ]) {
            let q = format!("limit={}", url::form_urlencoded::byte_serialize(raw.as_bytes()).collect::<String>());
            match parse_query::<Paging>(&q) {
                Ok(p) => {
                    let n: i64 = raw.parse().unwrap_or(-1);
                    prop_assert!((1..=200).contains(&n), "{raw} accepted");
                    prop_assert_eq!(p.limit.map(|l| l.get()), Some(n));
                }
                Err(e) => {
                    prop_assert_eq!(e.0.status, 422);
                    prop_assert_eq!(&e.0.errors[0].field, "limit");
                    prop_assert!(e.0.detail.contains("from 1 to 200"), "{}", e.0.detail);
                }
            }
        }

        /// Any bytes as a JSON body: a value of the right shape, or a 400
        /// (not JSON, or anything after the value) or 422 (wrong shape).
        #[test]
        fn any_body_is_parsed_or_refused_with_a_problem(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            match parse_json::<Body>(&bytes) {
                Ok(_) => prop_assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok()),
                Err(e) => prop_assert!(e.0.status == 400 || e.0.status == 422, "{}", e.0.status),
            }
        }

        /// A valid body followed by anything but white space is a 400.
        #[test]
        fn anything_after_the_value_is_malformed(
            name in "[a-z]{1,8}",
            tail in "[^ \\t\\r\\n]{1,8}",
        ) {
            let body = format!("{{\"name\": \"{name}\"}}{tail}");
            let e = parse_json::<Body>(body.as_bytes()).err();
            prop_assert_eq!(e.map(|e| e.0.status), Some(400));
        }

        /// Whole numbers written with a fraction of zero are integers.
        #[test]
        fn integers_may_be_written_as_whole_floats(n in -1_000_000i64..1_000_000) {
            let body = format!("{{\"name\": \"x\", \"count\": {n}.0}}");
            let b = parse_json::<Body>(body.as_bytes());
            prop_assert_eq!(b.ok().and_then(|b| b.count), Some(n));
        }
    }
}

/// Optional version check for deletes and restores.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionParam {
    /// If given, the change only happens at this version (else 409).
    pub version: Option<darkroom_core::kernel::listing::RowVersion>,
}

impl VersionParam {
    pub fn get(&self) -> Option<i64> {
        self.version
            .map(darkroom_core::kernel::listing::RowVersion::get)
    }
}
