//! HTTP errors: every failure becomes an RFC 9457 problem document (JSON API)
//! or an error page, through one `match` from the core's outcomes to a status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use darkroom_core::CoreError;
use darkroom_domain::validate::FieldError;
use serde::Serialize;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short, human summary of the type.
    pub title: String,
    pub status: u16,
    /// What happened here and how to fix it.
    pub detail: String,
    /// A stable machine code to branch on (`not_found`, `version_conflict`, ...).
    pub code: String,
    /// Problems with individual fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
    /// For version conflicts: the current state of the resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://darkroom.dev/problems/{}", code.replace('_', "-")),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_string(),
            errors: Vec::new(),
            current: None,
            retry_after: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The one mapping from core outcomes to HTTP.
pub fn problem_of(e: &CoreError) -> Problem {
    use StatusCode as S;
    match e {
        CoreError::NotFound { what } => Problem::new(
            S::NOT_FOUND,
            "not_found",
            format!("{what} not found: check the id, or it may have been deleted"),
        ),
        CoreError::Taken { field, message } => {
            let mut p = Problem::new(S::CONFLICT, "taken", format!("{field}: {message}"));
            p.errors = vec![FieldError {
                field: field.clone(),
                code: "taken",
                message: message.clone(),
            }];
            p
        }
        CoreError::MissingRef { field, message } => {
            let mut p = Problem::new(S::NOT_FOUND, "not_found", format!("{field}: {message}"));
            p.errors = vec![FieldError {
                field: field.clone(),
                code: "not_found",
                message: message.clone(),
            }];
            p
        }
        CoreError::Forbidden { message } => {
            Problem::new(S::FORBIDDEN, "forbidden", message.clone())
        }
        CoreError::Unauthenticated { message } => {
            Problem::new(S::UNAUTHORIZED, "unauthenticated", message.clone())
        }
        CoreError::Validation(errs) => {
            let mut p = Problem::new(
                S::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("some fields are not valid: {errs}"),
            );
            p.errors = errs.0.clone();
            p
        }
        CoreError::Conflict {
            code,
            message,
            current,
        } => {
            let mut p = Problem::new(S::CONFLICT, code, message.clone());
            p.current = current.clone();
            p
        }
        CoreError::Gone { code, message } => Problem::new(S::GONE, code, message.clone()),
        // The disk (not the request) is what is too small: 507.
        CoreError::TooLarge {
            code: "storage_full",
            message,
        } => Problem::new(S::INSUFFICIENT_STORAGE, "storage_full", message.clone()),
        CoreError::TooLarge { code, message } => {
            Problem::new(S::PAYLOAD_TOO_LARGE, code, message.clone())
        }
        CoreError::RateLimited { retry_after } => {
            let mut p = Problem::new(S::TOO_MANY_REQUESTS, "rate_limited", e.to_string());
            p.retry_after = Some(retry_after.as_secs().max(1));
            p
        }
        CoreError::Unavailable(m) => {
            let mut p = Problem::new(S::SERVICE_UNAVAILABLE, "unavailable", m.clone());
            p.retry_after = Some(2);
            p
        }
        CoreError::Internal(err) => {
            tracing::error!(error = ?err, "internal error");
            Problem::new(
                S::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on our side; it has been logged. Try again, and tell the operator if it persists",
            )
        }
    }
}

/// An error from a JSON API handler.
#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl ApiError {
    pub fn of(p: Problem) -> Self {
        ApiError(Box::new(p))
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        ApiError::of(problem_of(&e))
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::of(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem_response(*self.0)
    }
}

pub fn problem_response(p: Problem) -> Response {
    let status = p.status();
    let retry = p.retry_after;
    let body = serde_json::to_vec(&p).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Some(s) = retry
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

pub type ApiResult<T> = Result<T, ApiError>;
