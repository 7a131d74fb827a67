//! The command line: `darkroom serve`, `worker`, `migrate`, `demo`, `config
//! example`, `audit verify`, `backup`, `restore`, `studio new-link|quota`,
//! `ingest` and `media check|migrate`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use darkroom_core::Core;
use darkroom_core::kernel::database::{self, Db};
use darkroom_domain::time::SystemClock;
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use crate::config::{self, Config, FlagOverrides};
use crate::{app, backup, media_cmd, observe};

mod commands;

#[derive(Parser, Debug)]
#[command(
    name = "darkroom",
    version,
    about = "Darkroom: run a photography studio end to end"
)]
pub struct Cli {
    /// A TOML config file (default: ./darkroom.toml if present). See `darkroom config example`.
    #[arg(long, global = true, env = "DARKROOM_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the SQLite database, media and backups.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// `sqlite://...` or `postgres://...` (default: SQLite in the data folder).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server (and, by default, the background workers).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 (also DARKROOM_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// The address people use to reach this server (for emailed links).
        #[arg(long)]
        public_url: Option<String>,
        /// Fill an empty instance with demo data first.
        #[arg(long)]
        demo: bool,
    },
    /// Run background workers only (for separate worker machines).
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Fill an empty instance with a realistic demo studio.
    Demo,
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Write a consistent snapshot of a running SQLite instance, with a checksum manifest.
    Backup {
        /// Where to write it (default: <data dir>/backups/<time>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Bring back a backup written by `darkroom backup` (stop the server first).
    Restore {
        /// The backup folder (with manifest.json).
        from: PathBuf,
    },
    /// Studios on this instance.
    Studio {
        #[command(subcommand)]
        action: StudioAction,
    },
    /// Personal API tokens, for scripts.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// People's sign-ins on this instance.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Import a folder of photos (e.g. a memory card) into a gallery, or into
    /// a new staging batch without --gallery. Files already there (same
    /// content) are skipped; failures are listed at the end (exit code 2).
    Ingest {
        /// The folder to import; sub-folders are included, hidden files are not.
        folder: PathBuf,
        /// The gallery: its id (`gal_...`) or exact name.
        #[arg(long)]
        gallery: Option<String>,
        /// Make the --gallery first if there is none by that name.
        #[arg(long, requires = "gallery")]
        create: bool,
        /// The branch a gallery made with --create belongs to (id or exact
        /// name); needed when the studio has several.
        #[arg(long, requires = "create")]
        branch: Option<String>,
        /// The studio (id or exact name); needed when the instance has several.
        #[arg(long)]
        studio: Option<String>,
        /// Record the import as this staff member (default: the studio owner).
        #[arg(long = "as", value_name = "EMAIL")]
        as_email: Option<String>,
        /// Files read at once.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Return once stored, leaving thumbnails and proofs to a running server.
        #[arg(long)]
        no_wait: bool,
    },
    /// The media store.
    Media {
        #[command(subcommand)]
        action: MediaAction,
    },
}

#[derive(Subcommand, Debug)]
enum MediaAction {
    /// Compare the media store with the database: rows without bytes, bytes without rows.
    Check {
        /// Fix what can be fixed: re-render missing derivatives, mark lost originals, delete orphans.
        #[arg(long)]
        repair: bool,
    },
    /// Move a studio's photos to another store (`local` or `s3`), verifying every hash.
    Migrate {
        /// The store to move to.
        #[arg(long)]
        to: String,
        /// The studio (id or exact name); needed when the instance has several.
        #[arg(long)]
        studio: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ConfigAction {
    /// Print a fully commented example config file.
    Example,
    /// Print the configuration in effect (secrets hidden) after all layers.
    Show,
}

#[derive(Subcommand, Debug)]
enum AuditAction {
    /// Re-compute every hash of every studio's chain; fails if anything was edited or deleted.
    Verify,
}

#[derive(Subcommand, Debug)]
enum TokenAction {
    /// Create an API token holding every permission of a staff member (the
    /// studio owner by default) and print it once on standard output.
    Create {
        /// The studio (id or exact name); needed when the instance has several.
        #[arg(long)]
        studio: Option<String>,
        /// The staff member the token acts as, by email (default: the owner).
        #[arg(long = "as")]
        as_email: Option<String>,
        /// What the token is for (shown under Account → API tokens).
        #[arg(long, default_value = "command line")]
        name: String,
        /// Days until it stops working (1 to 366).
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
}

#[derive(Subcommand, Debug)]
enum AccountAction {
    /// Print a one-time password-reset link for a sign-in (for someone who
    /// cannot receive the reset email, e.g. without an instance SMTP server).
    ResetLink {
        /// The email the person signs in with.
        email: String,
    },
}

#[derive(Subcommand, Debug)]
enum StudioAction {
    /// Print a one-time link to create another studio on this instance.
    NewLink,
    /// Show storage used and quotas; with --set, change a studio's quota.
    Quota {
        /// The studio (id or exact name).
        #[arg(long)]
        studio: Option<String>,
        /// The new quota: e.g. 500GB, 1.5TB, or `none` for the instance default.
        #[arg(long)]
        set: Option<String>,
    },
}

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    crate::install_crypto_provider();
    let cli = Cli::parse();
    if let Command::Config {
        action: ConfigAction::Example,
    } = cli.command
    {
        print!("{}", config::EXAMPLE);
        return ExitCode::SUCCESS;
    }
    let mut flags = FlagOverrides {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        ..Default::default()
    };
    if let Command::Serve {
        bind, public_url, ..
    } = &cli.command
    {
        flags.bind = *bind;
        flags.public_url = public_url.clone();
    }
    let cfg = match Config::load(cli.config.as_deref(), &flags) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    // Commands that draw progress bars log only warnings unless asked for more.
    let mut log = cfg.log.clone();
    if matches!(cli.command, Command::Ingest { .. } | Command::Media { .. })
        && std::env::var_os("DARKROOM_LOG").is_none()
        && std::env::var_os("RUST_LOG").is_none()
        && log.level == "info"
    {
        log.level = "warn".into();
    }
    observe::init_logging(&log);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if needs_instance(&cli.command)
        && let Err(e) = require_instance(&cfg)
    {
        eprintln!("error: {e:#}");
        return ExitCode::from(2);
    }
    match rt.block_on(dispatch(cli.command, cfg)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Commands that work on an instance that exists (not `serve`, which makes
/// one, nor backup and restore, which check their own folders).
fn needs_instance(c: &Command) -> bool {
    matches!(
        c,
        Command::Ingest { .. }
            | Command::Media { .. }
            | Command::Token { .. }
            | Command::Account { .. }
            | Command::Studio { .. }
    )
}

/// On the embedded database, the data folder must hold one: a command run
/// from another folder names the folder it looked in instead of quietly
/// making an empty instance there.
fn require_instance(cfg: &Config) -> anyhow::Result<()> {
    if cfg.database_url.is_some() {
        return Ok(());
    }
    let db = cfg.data_dir.join("darkroom.db");
    if !db.is_file() {
        let shown = std::path::absolute(&cfg.data_dir).unwrap_or_else(|_| cfg.data_dir.clone());
        anyhow::bail!(
            "there is no Darkroom instance in {} (no darkroom.db there); run this from the folder \
             you run `darkroom serve` in, or name the data folder with --data-dir DIR \
             (or DARKROOM_DATA_DIR)",
            shown.display()
        );
    }
    Ok(())
}

/// Connects to the configured database (creating the SQLite folder) and migrates.
pub async fn open_db(cfg: &Config, migrate: bool) -> anyhow::Result<Db> {
    let url = cfg.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the data folder {}: {e}",
                cfg.data_dir.display()
            )
        })?;
    }
    database::open(&url, cfg.database.max_connections, migrate).await
}

pub async fn open_core(cfg: &Config, db: Db) -> anyhow::Result<Core> {
    Core::new(
        db,
        Arc::new(SystemClock),
        cfg.core_settings(),
        cfg.secret_key.as_ref().map(|k| k.0.as_str()),
        cfg.media_stores()?,
    )
    .await
}

/// Holds the data folder's lock: shared while serving, exclusive to restore.
fn lock_data_dir(cfg: &Config, exclusive: bool) -> anyhow::Result<Option<std::fs::File>> {
    if !cfg.database_url().starts_with("sqlite:") {
        return Ok(None);
    }
    std::fs::create_dir_all(&cfg.data_dir)?;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(cfg.data_dir.join(".darkroom.lock"))?;
    let got = if exclusive {
        f.try_lock()
    } else {
        f.try_lock_shared()
    };
    match got {
        Ok(()) => Ok(Some(f)),
        Err(_) if exclusive => anyhow::bail!(
            "a Darkroom server or worker is using {}; stop it first",
            cfg.data_dir.display()
        ),
        Err(_) => anyhow::bail!(
            "{} is being restored; wait for the restore to finish",
            cfg.data_dir.display()
        ),
    }
}

fn print_demo(r: &darkroom_core::demo::DemoReport) {
    println!(
        "Demo studio \"{}\" is ready. Sign in with any of these accounts, password: {}",
        r.studio_name, r.password
    );
    for (role, email) in &r.accounts {
        println!("  {role:<13} {email}");
    }
    for (who, url) in &r.shared {
        println!("A gallery is shared with {who}; open it as the client would: {url}");
    }
}

async fn dispatch(cmd: Command, cfg: Config) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Config {
            action: ConfigAction::Example,
        } => unreachable_example(),
        Command::Config {
            action: ConfigAction::Show,
        } => {
            println!("{cfg:#?}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = open_db(&cfg, false).await?;
            let pending = db.pending_migrations().await?;
            db.migrate().await?;
            println!(
                "{} migration(s) applied; schema is at {}",
                pending.len(),
                db.schema_version().await?.unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            print_demo(&darkroom_core::demo::fill(&core).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { demo, .. } => serve(cfg, demo).await,
        Command::Worker => {
            let _lock = lock_data_dir(&cfg, false)?;
            let core = open_core(&cfg, open_db(&cfg, true).await?).await?;
            let shutdown = CancellationToken::new();
            app::cancel_on_signal(shutdown.clone());
            darkroom_core::kernel::jobs::run_worker(
                core,
                darkroom_core::kernel::jobs::worker_name(),
                shutdown,
            )
            .await;
            Ok(ExitCode::SUCCESS)
        }
        cmd @ (Command::Audit { .. } | Command::Backup { .. } | Command::Restore { .. }) => {
            commands::data_command(cmd, cfg).await
        }
        cmd @ (Command::Ingest { .. } | Command::Media { .. }) => {
            commands::media_command(cmd, cfg).await
        }
        cmd @ (Command::Studio { .. } | Command::Token { .. } | Command::Account { .. }) => {
            commands::people_command(cmd, cfg).await
        }
    }
}

fn unreachable_example() -> anyhow::Result<ExitCode> {
    print!("{}", config::EXAMPLE);
    Ok(ExitCode::SUCCESS)
}

async fn serve(cfg: Config, demo: bool) -> anyhow::Result<ExitCode> {
    let _lock = lock_data_dir(&cfg, false)?;
    let db = open_db(&cfg, true).await?;
    tracing::info!(engine = db.engine().name(), database = %database::redact_url(&cfg.database_url()), "database ready");
    let core = open_core(&cfg, db).await?;
    if demo {
        match darkroom_core::demo::fill(&core).await {
            Ok(r) => print_demo(&r),
            Err(darkroom_core::CoreError::Conflict { message, .. }) => {
                println!("demo data not added: {message}")
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Uploads interrupted by a crash: cut back to what was acknowledged, and
    // finish those whose last byte had arrived.
    let (finished, expired) = darkroom_core::photos::upload::recover(&core).await?;
    if finished + expired > 0 {
        tracing::info!(finished, expired, "interrupted uploads recovered");
    }
    let listener = tokio::net::TcpListener::bind(cfg.bind).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on {}: {e}; pick another with --bind or DARKROOM_BIND",
            cfg.bind
        )
    })?;
    let cfg = Arc::new(cfg);
    let state = app::state(core.clone(), cfg.clone())?;
    let shutdown = CancellationToken::new();
    app::cancel_on_signal(shutdown.clone());
    let worker = cfg.jobs.run_in_serve.then(|| {
        let core = core.clone();
        let token = shutdown.clone();
        tokio::spawn(darkroom_core::kernel::jobs::run_worker(
            core,
            darkroom_core::kernel::jobs::worker_name(),
            token,
        ))
    });
    spawn_background(&core, &state, &shutdown);
    let addr = listener.local_addr()?;
    println!("Darkroom is listening on http://{addr}");
    if let Some(link) = darkroom_core::studio::setup::first_run_link(&core).await? {
        println!(
            "\nNo studio yet. Open this one-time link to create yours (valid 24 hours):\n  {link}\n"
        );
    }
    let grace = std::time::Duration::from_secs(cfg.http.shutdown_grace_secs);
    let stopping = {
        let t = shutdown.clone();
        tokio::spawn(async move {
            t.cancelled().await;
            std::time::Instant::now()
        })
    };
    app::serve(listener, app::router(state), shutdown.clone(), grace).await?;
    shutdown.cancel();
    let stopping = stopping.await.unwrap_or_else(|_| std::time::Instant::now());
    if let Some(w) = worker {
        // Jobs in hand share what is left of the grace; one cut off runs
        // again when its lease runs out (or at once on this machine's next start).
        let left = grace.saturating_sub(stopping.elapsed());
        if tokio::time::timeout(left, w).await.is_err() {
            tracing::warn!("jobs still running after the shutdown grace; stopping anyway");
        }
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// What runs beside the server: pruning the rate limiters every minute, and
/// one media check at start (rows without bytes, bytes without rows).
fn spawn_background(core: &Core, state: &crate::state::AppState, shutdown: &CancellationToken) {
    {
        let limits = state.limits.clone();
        let token = shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => limits.prune(),
                    _ = token.cancelled() => break,
                }
            }
        });
    }
    {
        // The reconciler: rows without bytes and bytes without rows.
        let core = core.clone();
        tokio::spawn(async move {
            match darkroom_core::photos::media::check(&core, true, |_| {}).await {
                Ok(r) => tracing::info!(
                    versions = r.versions_checked,
                    missing_originals = r.missing_originals.len(),
                    missing_derivatives = r.missing_derivatives,
                    orphans_deleted = r.orphans_deleted,
                    "media check done"
                ),
                Err(e) => tracing::warn!(error = %e, "media check failed"),
            }
        });
    }
}
