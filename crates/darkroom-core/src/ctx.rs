//! The shared context every use case runs with.

use std::sync::Arc;
use std::time::Duration;

use darkroom_db::{Db, repo};
use darkroom_domain::Timestamp;
use darkroom_domain::time::Clock;
use tokio::sync::Notify;

use crate::secret::Keys;

/// How to reach an SMTP server.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("from_address", &self.from_address)
            .finish()
    }
}

/// Transport security for SMTP.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection (a local relay or test sink only).
    None,
    /// Upgrade with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl SmtpSecurity {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Self::None),
            "starttls" => Ok(Self::Starttls),
            "tls" => Ok(Self::Tls),
            _ => Err(format!(
                "`{s}` is not an SMTP security mode; use `starttls`, `tls` or `none`"
            )),
        }
    }
}

/// Job queue tuning.
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// How long a claimed job is held before another worker may take it.
    pub lease: Duration,
    /// How often an idle worker looks for due jobs (it is also woken on enqueue).
    pub poll: Duration,
    /// Jobs run at once per worker process.
    pub concurrency: usize,
    /// Attempts before a job is kept as failed.
    pub max_attempts: i64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(2),
            concurrency: 4,
            max_attempts: 8,
        }
    }
}

/// Rules and limits the use cases apply.
#[derive(Clone, Debug)]
pub struct CoreSettings {
    /// Where people reach this instance; used in links sent by email.
    pub public_url: url::Url,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub invite_ttl: Duration,
    pub reset_ttl: Duration,
    pub setup_ttl: Duration,
    pub token_max_ttl: Duration,
    /// Failed sign-ins per account within the window before 429.
    pub signin_max_failures: i64,
    /// Failed sign-ins per IP within the window before 429.
    pub signin_ip_max_failures: i64,
    pub signin_window: Duration,
    /// The instance's SMTP server, used unless a studio sets its own.
    pub smtp: Option<SmtpSettings>,
    pub jobs: JobSettings,
}

impl CoreSettings {
    pub fn with_public_url(public_url: url::Url) -> Self {
        Self {
            public_url,
            session_idle: Duration::from_secs(12 * 3600),
            session_absolute: Duration::from_secs(14 * 24 * 3600),
            invite_ttl: Duration::from_secs(7 * 24 * 3600),
            reset_ttl: Duration::from_secs(3600),
            setup_ttl: Duration::from_secs(24 * 3600),
            token_max_ttl: Duration::from_secs(366 * 24 * 3600),
            signin_max_failures: 5,
            signin_ip_max_failures: 50,
            signin_window: Duration::from_secs(15 * 60),
            smtp: None,
            jobs: JobSettings::default(),
        }
    }

    /// An absolute link to a path on this instance.
    pub fn link(&self, path_and_query: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }
}

/// Facts about the request a use case runs for (for the audit log).
#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub ip: String,
    pub user_agent: Option<String>,
}

impl Meta {
    /// For work started from the command line or a job.
    pub fn system() -> Self {
        Self {
            ip: "local".into(),
            user_agent: None,
        }
    }
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    settings: CoreSettings,
    keys: Keys,
    wake: Notify,
}

/// The context: database, clock, settings, keys. Cheap to clone.
#[derive(Clone)]
pub struct Core {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("engine", &self.inner.db.engine())
            .finish()
    }
}

const SECRET_KEY: &str = "secret_key";

impl Core {
    /// Builds the context. The instance key comes from `secret_key` when
    /// given, else from the database (created on first start, shared by every
    /// node that uses the same database).
    pub async fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        settings: CoreSettings,
        secret_key: Option<&str>,
    ) -> anyhow::Result<Self> {
        let encoded = match secret_key {
            Some(k) => k.to_string(),
            None => {
                let now = clock.now().as_micros();
                repo::instance::get_or_insert(db.conn(), SECRET_KEY, &Keys::generate_encoded(), now)
                    .await?
            }
        };
        let keys = Keys::from_encoded(&encoded).map_err(|e| anyhow::anyhow!("secret key: {e}"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                clock,
                settings,
                keys,
                wake: Notify::new(),
            }),
        })
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    pub fn settings(&self) -> &CoreSettings {
        &self.inner.settings
    }

    pub fn keys(&self) -> &Keys {
        &self.inner.keys
    }

    /// Tells in-process workers that a job was enqueued (after commit).
    pub fn wake_workers(&self) {
        self.inner.wake.notify_waiters();
        self.inner.wake.notify_one();
    }

    pub(crate) fn wake(&self) -> &Notify {
        &self.inner.wake
    }
}
