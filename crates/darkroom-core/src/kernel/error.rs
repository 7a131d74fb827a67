//! The outcomes a use case can end in, each with a stable machine code. The
//! server maps them to HTTP statuses in one place.

use std::time::Duration;

use darkroom_db::DbError;
use darkroom_domain::validate::FieldErrors;

/// Every way a use case can fail.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing does not exist, or belongs to another studio (indistinguishable).
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{message}")]
    Forbidden { message: String },
    #[error("{message}")]
    Unauthenticated { message: String },
    #[error("the input is not valid: {0}")]
    Validation(FieldErrors),
    /// A field's value is already used (a name, a prefix): it conflicts with
    /// what is stored, so 409, with the field named.
    #[error("{field}: {message}")]
    Taken { field: String, message: String },
    /// A field names something that does not exist here (or is another
    /// studio's): answered like a missing path id, with the field named.
    #[error("{field}: {message}")]
    MissingRef { field: String, message: String },
    /// A state conflict: stale version, reused id, duplicate, forbidden transition.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        current: Option<serde_json::Value>,
    },
    /// The thing existed but is over for good (an expired or cancelled
    /// upload): 410, so a client starts again instead of retrying.
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    #[error("too many attempts; try again in {} seconds", retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// Too big for a limit (file size, storage quota).
    #[error("{message}")]
    TooLarge { code: &'static str, message: String },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    /// The stable code clients can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NotFound { .. } => "not_found",
            CoreError::Forbidden { .. } => "forbidden",
            CoreError::Unauthenticated { .. } => "unauthenticated",
            CoreError::Validation(_) => "validation_failed",
            CoreError::MissingRef { .. } => "not_found",
            CoreError::Taken { .. } => "taken",
            CoreError::Conflict { code, .. } => code,
            CoreError::Gone { code, .. } => code,
            CoreError::RateLimited { .. } => "rate_limited",
            CoreError::TooLarge { code, .. } => code,
            CoreError::Unavailable(_) => "unavailable",
            CoreError::Internal(_) => "internal",
        }
    }

    pub fn not_found(what: &'static str) -> Self {
        CoreError::NotFound { what }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        CoreError::Forbidden {
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        CoreError::Conflict {
            code,
            message: message.into(),
            current: None,
        }
    }

    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        CoreError::Gone {
            code,
            message: message.into(),
        }
    }

    /// A stale write: carries the current state so the client can merge.
    pub fn stale(current: impl serde::Serialize) -> Self {
        CoreError::Conflict {
            code: "version_conflict",
            message: "someone else changed this since you loaded it; \
                      review the current state and send your change again with its version"
                .into(),
            current: serde_json::to_value(current).ok(),
        }
    }

    /// `field`'s value is already in use.
    pub fn taken(field: &str, message: impl Into<String>) -> Self {
        CoreError::Taken {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// `field` refers to a `what` that does not exist here.
    pub fn missing(field: &str, what: &str, id: impl std::fmt::Display) -> Self {
        CoreError::MissingRef {
            field: field.to_string(),
            message: format!("there is no {what} `{id}` here; check the id"),
        }
    }

    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, "invalid", message);
        CoreError::Validation(e)
    }

    /// The same error with its fields named inside `parent` (`lines[2]`
    /// makes `quantity` into `lines[2].quantity`).
    #[must_use]
    pub fn nested(self, parent: &str) -> Self {
        let under = |f: &str| format!("{parent}.{f}");
        match self {
            CoreError::Validation(mut e) => {
                for x in &mut e.0 {
                    x.field = under(&x.field);
                }
                CoreError::Validation(e)
            }
            CoreError::MissingRef { field, message } => CoreError::MissingRef {
                field: under(&field),
                message,
            },
            CoreError::Taken { field, message } => CoreError::Taken {
                field: under(&field),
                message,
            },
            other => other,
        }
    }
}

impl From<DbError> for CoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Busy | DbError::Deadlock => {
                CoreError::Unavailable("the database is busy; try again in a moment".into())
            }
            other => CoreError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<FieldErrors> for CoreError {
    fn from(e: FieldErrors) -> Self {
        CoreError::Validation(e)
    }
}
