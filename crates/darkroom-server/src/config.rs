//! Configuration: one typed [`Config`], layered as defaults, then an
//! optional TOML file, then `DARKROOM_*` environment variables, then
//! command-line flags (last wins). Everything is validated at start-up and a
//! bad value stops the program with a message naming the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use darkroom_core::{CoreSettings, JobSettings, SmtpSecurity, SmtpSettings};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A secret string that never shows in `Debug` output or logs.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "\"****\""
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port to listen on.
    pub bind: SocketAddr,
    /// Folder for the SQLite database, media and backups.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; default: SQLite in `data_dir`.
    pub database_url: Option<Secret>,
    /// The address people use to reach Darkroom (used in emailed links).
    pub public_url: Option<String>,
    /// Base64 key (32+ bytes) for signing and encrypting; default: generated and kept in the database.
    pub secret_key: Option<Secret>,
    pub log: LogConfig,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub session: SessionConfig,
    pub signin: SigninConfig,
    pub jobs: JobsConfig,
    pub metrics: MetricsConfig,
    pub smtp: Option<SmtpConfig>,
    pub media: MediaConfig,
    pub payments: PaymentsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("darkroom-data"),
            database_url: None,
            public_url: None,
            secret_key: None,
            log: LogConfig::default(),
            database: DatabaseConfig::default(),
            http: HttpConfig::default(),
            session: SessionConfig::default(),
            signin: SigninConfig::default(),
            jobs: JobsConfig::default(),
            metrics: MetricsConfig::default(),
            smtp: None,
            media: MediaConfig::default(),
            payments: PaymentsConfig::default(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `darkroom=debug,tower_http=info`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: "text".into(),
            level: "info".into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            max_connections: 10,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Longest time a request may take, in seconds.
    pub request_timeout_secs: u64,
    /// Largest JSON or form body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Requests per minute per IP to endpoints that need no sign-in.
    pub anonymous_per_minute: u32,
    /// Take the client IP from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_forwarded_for: bool,
    /// On SIGTERM, how long requests and jobs in hand may take to finish
    /// before the server stops anyway (an upload cut off resumes later).
    pub shutdown_grace_secs: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            request_timeout_secs: 30,
            max_body_bytes: 1024 * 1024,
            anonymous_per_minute: 300,
            trust_forwarded_for: false,
            shutdown_grace_secs: 20,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Sign out after this many minutes without activity.
    pub idle_minutes: u64,
    /// Sign out after this many days whatever the activity.
    pub absolute_days: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_minutes: 12 * 60,
            absolute_days: 14,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SigninConfig {
    /// Failed sign-ins per account in the window before answering 429.
    pub max_failures: i64,
    /// Failed sign-ins per IP in the window before answering 429.
    pub ip_max_failures: i64,
    pub window_minutes: u64,
}

impl Default for SigninConfig {
    fn default() -> Self {
        Self {
            max_failures: 5,
            ip_max_failures: 50,
            window_minutes: 15,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Run background workers inside `darkroom serve`.
    pub run_in_serve: bool,
    pub concurrency: usize,
    pub lease_seconds: u64,
    pub poll_millis: u64,
    pub max_attempts: i64,
    /// Let jobs that read addresses staff give (calendar imports) reach
    /// loopback and private networks. Off: those addresses are refused, so
    /// nobody can make the server read the machine's own network.
    pub fetch_private_addresses: bool,
}

impl Default for JobsConfig {
    fn default() -> Self {
        let d = JobSettings::default();
        Self {
            run_in_serve: true,
            concurrency: d.concurrency,
            lease_seconds: d.lease.as_secs(),
            poll_millis: u64::try_from(d.poll.as_millis()).unwrap_or(2000),
            max_attempts: d.max_attempts,
            fetch_private_addresses: false,
        }
    }
}

/// Where photos are kept and how they are processed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct MediaConfig {
    /// The store new studios use: `local` or `s3`.
    pub store: String,
    /// Folder of the `local` store (default: `<data_dir>/media`).
    pub local_path: Option<PathBuf>,
    /// Folder for uploads in progress (default: `<data_dir>/uploads`).
    pub uploads_path: Option<PathBuf>,
    /// The largest file accepted, in megabytes.
    pub max_upload_mb: u64,
    /// Size of each request the browser uploader sends, in kilobytes.
    pub upload_chunk_kb: u64,
    /// Storage quota of studios without their own, in gigabytes (0: unlimited).
    pub default_quota_gb: u64,
    /// Images rendered at once (0: one per CPU core).
    pub render_threads: usize,
    /// The largest image accepted, in megapixels (checked before decoding).
    pub max_megapixels: u64,
    /// `media check --repair` deletes files no photo points at once they are
    /// this many minutes old (younger ones may be an ingest in progress).
    pub orphan_grace_minutes: u64,
    /// An S3-compatible service, used as the store named `s3`.
    pub s3: Option<S3Config>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            store: "local".into(),
            local_path: None,
            uploads_path: None,
            max_upload_mb: 1024,
            upload_chunk_kb: 8192,
            default_quota_gb: 0,
            render_threads: 0,
            max_megapixels: 250,
            orphan_grace_minutes: 15,
            s3: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// e.g. `https://s3.eu-central-1.amazonaws.com` or `http://127.0.0.1:9000`; absent for AWS.
    pub endpoint: Option<String>,
    #[serde(default = "default_region")]
    pub region: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
    /// Allow `http://` endpoints (a service on the same machine).
    #[serde(default)]
    pub allow_http: bool,
}

fn default_region() -> String {
    "us-east-1".into()
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// If set, `/metrics` requires `Authorization: Bearer <token>`.
    pub token: Option<Secret>,
}

/// Where online payments go. Each studio sets its own Stripe keys
/// (Settings → Online payments); these only say where Stripe is.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentsConfig {
    /// Stripe's API (another address only for a test server such as localstripe).
    pub stripe_api_base: String,
    /// Stripe.js, loaded by the client's pay page.
    pub stripe_js_url: String,
    /// Oldest a signed Stripe notice may be, in seconds (Stripe's libraries use 300).
    pub webhook_tolerance_secs: u64,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        Self {
            stripe_api_base: "https://api.stripe.com".into(),
            stripe_js_url: "https://js.stripe.com/v3/".into(),
            webhook_tolerance_secs: 300,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    #[serde(default = "default_smtp_security")]
    pub security: String,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from_address: String,
    #[serde(default = "default_from_name")]
    pub from_name: String,
}

fn default_smtp_port() -> u16 {
    587
}
fn default_smtp_security() -> String {
    "starttls".into()
}
fn default_from_name() -> String {
    "Darkroom".into()
}

/// Values from command-line flags, applied last.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

impl Config {
    /// Loads and validates the configuration.
    pub fn load(file: Option<&Path>, flags: &FlagOverrides) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    anyhow::bail!(
                        "the config file {} does not exist; create one with `darkroom config example > {}`",
                        path.display(),
                        path.display()
                    );
                }
                fig = fig.merge(Toml::file(path));
            }
            None => {
                if Path::new("darkroom.toml").exists() {
                    fig = fig.merge(Toml::file("darkroom.toml"));
                }
            }
        }
        fig = fig
            .merge(
                Env::prefixed("DARKROOM_")
                    .filter(|k| {
                        let k = k.as_str().to_ascii_lowercase();
                        !k.starts_with("test_") && !["config", "log"].contains(&k.as_str())
                    })
                    .split("__"),
            )
            .merge(
                Env::raw()
                    .only(&["darkroom_log"])
                    .map(|_| "log.level".into()),
            )
            .merge(Serialized::defaults(flags));
        let cfg: Config = fig
            .extract()
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !["text", "json"].contains(&self.log.format.as_str()) {
            anyhow::bail!(
                "config key `log.format`: `{}` is not a log format; use `text` or `json`",
                self.log.format
            );
        }
        if let Some(u) = &self.public_url {
            let parsed = url::Url::parse(u).map_err(|e| anyhow::anyhow!("config key `public_url`: `{u}` is not a URL ({e}); use e.g. https://studio.example.com"))?;
            if !["http", "https"].contains(&parsed.scheme()) {
                anyhow::bail!("config key `public_url`: use an http:// or https:// address");
            }
        }
        if let Some(db) = &self.database_url {
            darkroom_core::kernel::database::Engine::from_url(&db.0)
                .map_err(|e| anyhow::anyhow!("config key `database_url`: {e}"))?;
        }
        if let Some(k) = &self.secret_key {
            darkroom_core::kernel::secret::Keys::from_encoded(&k.0)
                .map_err(|e| anyhow::anyhow!("config key `secret_key`: {e}"))?;
        }
        if self.database.max_connections == 0 {
            anyhow::bail!("config key `database.max_connections`: must be at least 1");
        }
        if self.http.max_body_bytes < 1024 {
            anyhow::bail!("config key `http.max_body_bytes`: must be at least 1024");
        }
        if self.http.request_timeout_secs == 0 {
            anyhow::bail!("config key `http.request_timeout_secs`: must be at least 1");
        }
        if self.session.idle_minutes == 0 || self.session.absolute_days == 0 {
            anyhow::bail!(
                "config keys `session.idle_minutes` and `session.absolute_days` must be at least 1"
            );
        }
        if self.signin.max_failures < 1
            || self.signin.ip_max_failures < 1
            || self.signin.window_minutes == 0
        {
            anyhow::bail!("config section `signin`: limits and the window must be at least 1");
        }
        if self.jobs.concurrency == 0 || self.jobs.lease_seconds < 2 || self.jobs.max_attempts < 1 {
            anyhow::bail!(
                "config section `jobs`: concurrency and max_attempts must be at least 1, lease_seconds at least 2"
            );
        }
        self.validate_media()?;
        if let Some(s) = &self.smtp {
            SmtpSecurity::parse(&s.security)
                .map_err(|e| anyhow::anyhow!("config key `smtp.security`: {e}"))?;
            darkroom_domain::validate::email(&s.from_address)
                .map_err(|e| anyhow::anyhow!("config key `smtp.from_address`: {e}"))?;
            if s.host.trim().is_empty() {
                anyhow::bail!("config key `smtp.host`: required when [smtp] is present");
            }
        }
        Ok(())
    }

    /// The `[media]` section: the store, its limits, and S3's settings.
    fn validate_media(&self) -> anyhow::Result<()> {
        if !["local", "s3"].contains(&self.media.store.as_str()) {
            anyhow::bail!(
                "config key `media.store`: `{}` is not a store; use `local` or `s3`",
                self.media.store
            );
        }
        if self.media.store == "s3" && self.media.s3.is_none() {
            anyhow::bail!("config key `media.store` is `s3` but there is no [media.s3] section");
        }
        if self.media.max_upload_mb == 0 || self.media.max_megapixels == 0 {
            anyhow::bail!(
                "config section `media`: max_upload_mb and max_megapixels must be at least 1"
            );
        }
        if !(16..=102_400).contains(&self.media.upload_chunk_kb) {
            anyhow::bail!("config key `media.upload_chunk_kb`: use 16 to 102400 (100 MB)");
        }
        if let Some(s3) = &self.media.s3 {
            if s3.bucket.trim().is_empty() {
                anyhow::bail!("config key `media.s3.bucket`: required");
            }
            if let Some(e) = &s3.endpoint {
                let u = url::Url::parse(e)
                    .map_err(|err| anyhow::anyhow!("config key `media.s3.endpoint`: {err}"))?;
                if u.scheme() == "http" && !s3.allow_http {
                    anyhow::bail!(
                        "config key `media.s3.endpoint` is http://; set media.s3.allow_http = true if that is intended"
                    );
                }
            }
        }
        Ok(())
    }

    /// The configured media stores by name, and the default one.
    pub fn media_stores(&self) -> anyhow::Result<darkroom_core::MediaStores> {
        let mut stores = std::collections::HashMap::new();
        let local = self
            .media
            .local_path
            .clone()
            .unwrap_or_else(|| self.data_dir.join("media"));
        stores.insert(
            "local".to_string(),
            darkroom_media::open(&darkroom_media::StoreConfig::Local {
                root: local.clone(),
            })
            .map_err(|e| anyhow::anyhow!("media store `local` at {}: {e}", local.display()))?,
        );
        if let Some(s3) = &self.media.s3 {
            let cfg = darkroom_media::StoreConfig::S3 {
                endpoint: s3.endpoint.clone(),
                region: s3.region.clone(),
                bucket: s3.bucket.clone(),
                access_key_id: s3.access_key_id.clone(),
                secret_access_key: s3.secret_access_key.0.clone(),
                allow_http: s3.allow_http,
            };
            stores.insert(
                "s3".to_string(),
                darkroom_media::open(&cfg).map_err(|e| anyhow::anyhow!("media store `s3`: {e}"))?,
            );
        }
        Ok(darkroom_core::MediaStores {
            default: self.media.store.clone(),
            stores,
        })
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.0.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("darkroom.db").display()
            ),
        }
    }

    pub fn public_url(&self) -> url::Url {
        let fallback = format!("http://{}", self.bind);
        let s = self.public_url.clone().unwrap_or(fallback);
        url::Url::parse(&s).unwrap_or_else(|_| {
            url::Url::from_directory_path("/").unwrap_or_else(|_| unreachable_url())
        })
    }

    /// Whether cookies must be `Secure` (the public address is https).
    /// Asked several times by every request, so read from the string
    /// (validated as a URL at load) rather than parsed.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| {
            u.trim_start_matches(|c: char| c <= ' ')
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case("https:"))
        })
    }

    pub fn core_settings(&self) -> CoreSettings {
        let mut s = CoreSettings::with_public_url(self.public_url());
        s.session_idle = Duration::from_secs(self.session.idle_minutes * 60);
        s.session_absolute = Duration::from_secs(self.session.absolute_days * 86_400);
        s.signin_max_failures = self.signin.max_failures;
        s.signin_ip_max_failures = self.signin.ip_max_failures;
        s.signin_window = Duration::from_secs(self.signin.window_minutes * 60);
        s.jobs = JobSettings {
            lease: Duration::from_secs(self.jobs.lease_seconds),
            poll: Duration::from_millis(self.jobs.poll_millis.max(50)),
            concurrency: self.jobs.concurrency,
            max_attempts: self.jobs.max_attempts,
            fetch_private_addresses: self.jobs.fetch_private_addresses,
        };
        let mut media = darkroom_core::MediaSettings::in_dir(
            self.media
                .uploads_path
                .clone()
                .unwrap_or_else(|| self.data_dir.join("uploads")),
        );
        media.max_upload_bytes = self.media.max_upload_mb * 1024 * 1024;
        media.default_quota_bytes = (self.media.default_quota_gb > 0)
            .then_some(self.media.default_quota_gb * 1_000_000_000);
        if self.media.render_threads > 0 {
            media.render_threads = self.media.render_threads;
        }
        media.max_pixels = self.media.max_megapixels * 1_000_000;
        media.orphan_grace = Duration::from_secs(self.media.orphan_grace_minutes * 60);
        s.media = media;
        s.payments = darkroom_core::PaymentSettings {
            stripe_api_base: self
                .payments
                .stripe_api_base
                .trim_end_matches('/')
                .to_string(),
            stripe_js_url: self.payments.stripe_js_url.clone(),
            webhook_tolerance: Duration::from_secs(self.payments.webhook_tolerance_secs),
        };
        s.smtp = self.smtp.as_ref().map(|m| SmtpSettings {
            host: m.host.clone(),
            port: m.port,
            security: SmtpSecurity::parse(&m.security).unwrap_or(SmtpSecurity::Starttls),
            username: m.username.clone(),
            password: m.password.as_ref().map(|p| p.0.clone()),
            from_address: m.from_address.clone(),
            from_name: m.from_name.clone(),
            timeout: Duration::from_secs(30),
        });
        s
    }
}

fn unreachable_url() -> url::Url {
    #[allow(clippy::expect_used)]
    url::Url::parse("http://127.0.0.1:8080/").expect("a constant URL parses")
}

/// The fully commented example printed by `darkroom config example`.
pub const EXAMPLE: &str = include_str!("../darkroom.example.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_and_matches_defaults_where_uncommented() {
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(EXAMPLE))
            .extract()
            .unwrap();
        cfg.validate().unwrap();
        // Every key in the example (commented or not) is a real key.
        let uncommented: String = EXAMPLE
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| !r.starts_with(' ') && (r.contains(" = ") || r.starts_with('[')))
                    .unwrap_or(l)
            })
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let all: Result<Config, _> = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(&uncommented))
            .extract();
        assert!(all.is_ok(), "{all:?}\n{uncommented}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let mut c = Config::default();
        c.log.format = "xml".into();
        assert!(c.validate().unwrap_err().to_string().contains("log.format"));
        let c = Config {
            database_url: Some(Secret("mysql://x".into())),
            ..Default::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("database_url")
        );
        let c = Config {
            public_url: Some("not a url".into()),
            ..Default::default()
        };
        assert!(c.validate().unwrap_err().to_string().contains("public_url"));
    }

    #[test]
    fn cookies_are_secure_exactly_when_the_public_address_is_https() {
        for (url, secure) in [
            (None, false),
            (Some("http://studio.example.com"), false),
            (Some("https://studio.example.com"), true),
            (Some("HTTPS://Studio.example.com/"), true),
            (Some(" https://studio.example.com"), true),
            (Some("http://https.example.com"), false),
        ] {
            let c = Config {
                public_url: url.map(Into::into),
                ..Default::default()
            };
            assert_eq!(c.secure_cookies(), secure, "{url:?}");
            assert_eq!(
                c.public_url().scheme() == "https",
                secure,
                "as the parsed URL says: {url:?}"
            );
        }
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let c = Config {
            database_url: Some(Secret("postgres://u:hunter2@h/db".into())),
            ..Default::default()
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn default_database_is_sqlite_in_the_data_dir() {
        let c = Config::default();
        assert!(
            c.database_url()
                .starts_with("sqlite://darkroom-data/darkroom.db")
        );
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's own error type
    fn environment_layers_over_the_file_and_flags_over_both() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "darkroom.toml",
                "bind = \"127.0.0.1:9000\"\n[jobs]\nconcurrency = 2\n",
            )?;
            jail.set_env("DARKROOM_JOBS__CONCURRENCY", "7");
            jail.set_env("DARKROOM_TEST_DATABASE_URL", "postgres://ignored");
            jail.set_env("DARKROOM_LOG", "debug");
            let c = Config::load(None, &FlagOverrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.bind.port(), 9000);
            assert_eq!(c.jobs.concurrency, 7);
            assert_eq!(c.log.level, "debug");
            let flags = FlagOverrides {
                bind: Some("127.0.0.1:9100".parse().unwrap()),
                ..Default::default()
            };
            jail.set_env("DARKROOM_BIND", "127.0.0.1:9050");
            let c = Config::load(None, &flags).map_err(|e| e.to_string())?;
            assert_eq!(c.bind.port(), 9100);
            jail.set_env("DARKROOM_JOBS__CONCURRENCY", "lots");
            let err = Config::load(None, &FlagOverrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.to_lowercase().contains("concurrency"), "{err}");
            Ok(())
        });
    }
}
