//! The shared context every use case runs with.

use std::sync::Arc;
use std::time::Duration;

use std::collections::HashMap;
use std::path::PathBuf;

use darkroom_db::{Db, repo};
use darkroom_domain::Timestamp;
use darkroom_domain::time::Clock;
use darkroom_media::SharedStore;
use tokio::sync::Notify;

use crate::kernel::secret::Keys;

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

/// Where the online payment provider is (each studio brings its own keys).
#[derive(Clone, Debug)]
pub struct PaymentSettings {
    /// Stripe's API, without a trailing slash.
    pub stripe_api_base: String,
    /// Stripe.js, for the client's pay page.
    pub stripe_js_url: String,
    /// Oldest a signed notice from Stripe may be.
    pub webhook_tolerance: Duration,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        Self {
            stripe_api_base: "https://api.stripe.com".into(),
            stripe_js_url: "https://js.stripe.com/v3/".into(),
            webhook_tolerance: Duration::from_secs(300),
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
    /// Whether reading addresses staff give (calendar imports) may reach
    /// loopback and private networks.
    pub fetch_private_addresses: bool,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(2),
            concurrency: 4,
            max_attempts: 8,
            fetch_private_addresses: false,
        }
    }
}

/// Photo ingest settings.
#[derive(Clone, Debug)]
pub struct MediaSettings {
    /// Where partial uploads are kept (on the node that receives them).
    pub uploads_dir: PathBuf,
    /// An unfinished upload is discarded this long after its last byte.
    pub upload_ttl: Duration,
    /// The largest single file accepted.
    pub max_upload_bytes: u64,
    /// Storage quota of a studio that has none of its own (`None`: unlimited).
    pub default_quota_bytes: Option<u64>,
    /// Images rendered at once (CPU-bound work); defaults to the number of cores.
    pub render_threads: usize,
    /// Largest image accepted, in pixels (checked before decoding).
    pub max_pixels: u64,
    /// How old a file no row points at must be before `media check --repair`
    /// deletes it (younger ones may belong to an ingest still writing its row).
    pub orphan_grace: Duration,
}

impl MediaSettings {
    pub fn in_dir(uploads_dir: PathBuf) -> Self {
        Self {
            uploads_dir,
            upload_ttl: Duration::from_secs(24 * 3600),
            max_upload_bytes: 4 * 1024 * 1024 * 1024,
            default_quota_bytes: None,
            render_threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            max_pixels: 250_000_000,
            orphan_grace: Duration::from_secs(15 * 60),
        }
    }
}

/// The configured media stores by name, and the one new studios use.
#[derive(Clone, Debug)]
pub struct MediaStores {
    pub default: String,
    pub stores: HashMap<String, SharedStore>,
}

impl MediaStores {
    /// One store, named `default`.
    pub fn single(store: SharedStore) -> Self {
        Self {
            default: "default".into(),
            stores: HashMap::from([("default".to_string(), store)]),
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
    pub media: MediaSettings,
    pub payments: PaymentSettings,
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
            media: MediaSettings::in_dir(std::env::temp_dir().join("darkroom-uploads")),
            payments: PaymentSettings::default(),
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
    stores: MediaStores,
    cpu: super::cpu::CpuPool,
    watermarks:
        std::sync::Mutex<HashMap<(uuid::Uuid, i64), Arc<darkroom_imaging::watermark::Watermark>>>,
    registry: crate::kernel::registry::Registry,
    extensions: std::sync::RwLock<HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>,
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
        stores: MediaStores,
    ) -> anyhow::Result<Self> {
        if !stores.stores.contains_key(&stores.default) {
            anyhow::bail!(
                "the default media store `{}` is not configured",
                stores.default
            );
        }
        std::fs::create_dir_all(&settings.media.uploads_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the uploads folder {}: {e}",
                settings.media.uploads_dir.display()
            )
        })?;
        let encoded = match secret_key {
            Some(k) => k.to_string(),
            None => {
                let now = clock.now().as_micros();
                repo::instance::get_or_insert(db.conn(), SECRET_KEY, &Keys::generate_encoded(), now)
                    .await?
            }
        };
        let keys = Keys::from_encoded(&encoded).map_err(|e| anyhow::anyhow!("secret key: {e}"))?;
        let cpu = super::cpu::CpuPool::new(settings.media.render_threads)?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                clock,
                settings,
                keys,
                wake: Notify::new(),
                stores,
                cpu,
                watermarks: Default::default(),
                registry: crate::registry(),
                extensions: Default::default(),
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

    /// What the contexts registered (jobs, event subscribers, chores).
    pub(crate) fn registry(&self) -> &crate::kernel::registry::Registry {
        &self.inner.registry
    }

    /// A context's own state kept with the core (made on first use): what
    /// lives as long as the process and belongs to one context, such as the
    /// client hot path's caches.
    pub fn extension<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let key = std::any::TypeId::of::<T>();
        if let Ok(map) = self.inner.extensions.read()
            && let Some(v) = map.get(&key)
            && let Ok(t) = v.clone().downcast::<T>()
        {
            return t;
        }
        let mut map = match self.inner.extensions.write() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let v = map
            .entry(key)
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        v.downcast::<T>().unwrap_or_else(|_| Arc::new(T::default()))
    }

    /// Tells in-process workers that a job was enqueued (after commit).
    pub fn wake_workers(&self) {
        self.inner.wake.notify_waiters();
        self.inner.wake.notify_one();
    }

    pub(crate) fn wake(&self) -> &Notify {
        &self.inner.wake
    }

    /// The media stores by name.
    pub fn stores(&self) -> &MediaStores {
        &self.inner.stores
    }

    /// The store holding a studio's files.
    pub fn store_named(&self, name: Option<&str>) -> anyhow::Result<SharedStore> {
        let name = name.unwrap_or(&self.inner.stores.default);
        self.inner
            .stores
            .stores
            .get(name)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("media store `{name}` is not configured on this node"))
    }

    /// The store of a studio.
    pub async fn store_of(
        &self,
        studio: darkroom_domain::StudioId,
    ) -> crate::CoreResult<SharedStore> {
        let m = repo::studio::find(self.db().conn(), studio)
            .await?
            .ok_or(crate::CoreError::not_found("studio"))?;
        Ok(self.store_named(m.media_store.as_deref())?)
    }

    /// Runs CPU-bound work off the async executor, on one of the
    /// `render_threads` render threads.
    pub async fn cpu<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> crate::CoreResult<T> {
        self.inner.cpu.run(f).await
    }

    pub(crate) fn watermark_cache(
        &self,
    ) -> &std::sync::Mutex<HashMap<(uuid::Uuid, i64), Arc<darkroom_imaging::watermark::Watermark>>>
    {
        &self.inner.watermarks
    }
}
