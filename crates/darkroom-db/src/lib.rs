//! Darkroom's persistence layer.
//!
//! One codebase serves SQLite (the embedded default) and PostgreSQL through
//! SeaORM: the engine is picked once from the URL scheme in [`Db::connect`],
//! the schema comes from one migration set, and the few statements that must
//! differ per engine (taking the write lock, claiming a job, serialising an
//! audit chain) live next to each other in this crate. See README.md for the
//! portable types.

pub mod audit;
pub mod email;
pub mod entity;
pub mod job;
pub mod migration;
pub mod page;
pub mod repo;
#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqlErr, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

pub use sea_orm;

/// A write transaction. Repositories take `&impl ConnectionTrait`, so they run
/// inside one of these or directly on the pool for reads.
pub type Tx = DatabaseTransaction;

/// Which database engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(DbError::Config(format!(
                "database URL `{}` has an unsupported scheme; use `sqlite://path/to/darkroom.db` \
                 or `postgres://user@host:5432/database`",
                redact_url(url)
            )))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// Database errors the layers above act on; anything else is `Other`.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unique constraint violated: {0}")]
    Unique(String),
    /// Two live claims on one person or resource would overlap (the
    /// database's own refusal: see migration m0010).
    #[error("the time overlaps another booking of the same person or resource")]
    Overlap,
    #[error("foreign key constraint violated: {0}")]
    ForeignKey(String),
    #[error("the database is busy; try again")]
    Busy,
    /// PostgreSQL broke a lock cycle by failing this statement (SQLSTATE
    /// 40P01). Two transactions inserting conflicting claims at the same
    /// instant can each wait for the other inside the exclusion constraint's
    /// check; rolling back to a savepoint and trying again settles it.
    #[error("the database stopped a deadlock; try again")]
    Deadlock,
    #[error("database configuration: {0}")]
    Config(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Other(DbErr),
}

impl From<DbErr> for DbError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(c)) => return DbError::Unique(c),
            Some(SqlErr::ForeignKeyConstraintViolation(c)) => return DbError::ForeignKey(c),
            _ => {}
        }
        let text = e.to_string();
        if text.contains(migration::m0010_bookings::NO_OVERLAP) {
            return DbError::Overlap;
        }
        if text.contains("deadlock detected") || text.contains("40P01") {
            return DbError::Deadlock;
        }
        if text.contains("database is locked")
            || text.contains("(code: 5)")
            || text.contains("SQLITE_BUSY")
        {
            return DbError::Busy;
        }
        DbError::Other(e)
    }
}

impl From<serde_json::Error> for DbError {
    fn from(e: serde_json::Error) -> Self {
        DbError::Corrupt(e.to_string())
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Pool settings.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// A connection pool to the one database Darkroom uses.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    engine: Engine,
}

impl Db {
    /// Connects, choosing the engine from the URL scheme. SQLite runs in WAL
    /// mode with foreign keys on, `synchronous=FULL` and a busy timeout.
    pub async fn connect(url: &str, pool: &PoolOptions) -> DbResult<Self> {
        let engine = Engine::from_url(url)?;
        let mut opts = ConnectOptions::new(url.to_string());
        opts.max_connections(pool.max_connections)
            .min_connections(0)
            .acquire_timeout(pool.acquire_timeout)
            .sqlx_logging(false);
        if engine == Engine::Sqlite {
            opts.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(15))
            });
        } else {
            // Notices ("relation ... already exists, skipping" on every
            // start's migration check) are not for the operator's log.
            opts.map_sqlx_postgres_opts(|o| o.options([("client_min_messages", "warning")]));
        }
        let conn = sea_orm::Database::connect(opts)
            .await
            .map_err(|e| DbError::Config(format!("cannot connect to {}: {e}", redact_url(url))))?;
        Ok(Self { conn, engine })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> DbResult<()> {
        migration::Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// Names of migrations not yet applied.
    pub async fn pending_migrations(&self) -> DbResult<Vec<String>> {
        let pending = migration::Migrator::get_pending_migrations(&self.conn).await?;
        Ok(pending.iter().map(|m| m.name().to_string()).collect())
    }

    /// The name of the newest applied migration.
    pub async fn schema_version(&self) -> DbResult<Option<String>> {
        let applied = migration::Migrator::get_applied_migrations(&self.conn).await?;
        Ok(applied.last().map(|m| m.name().to_string()))
    }

    /// Starts a write transaction. On SQLite this is `BEGIN IMMEDIATE`, so the
    /// write lock is taken up front and a read-then-write never fails to upgrade.
    pub async fn begin(&self) -> DbResult<Tx> {
        let opts = TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.conn.begin_with_options(opts).await?)
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> DbResult<()> {
        self.conn.ping().await?;
        Ok(())
    }

    pub async fn close(self) -> DbResult<()> {
        self.conn.close().await?;
        Ok(())
    }

    /// Writes a consistent snapshot of a live SQLite database to `dest` with
    /// `VACUUM INTO` (never a file copy, which could catch a half-written page).
    pub async fn sqlite_snapshot(&self, dest: &std::path::Path) -> DbResult<()> {
        if self.engine != Engine::Sqlite {
            return Err(DbError::Config(
                "snapshots are for SQLite; back up PostgreSQL with pg_dump (see docs/runbooks/backup.md)".into(),
            ));
        }
        let path = dest
            .to_str()
            .ok_or_else(|| DbError::Config("backup path is not UTF-8".into()))?;
        let quoted = path.replace('\'', "''");
        self.conn
            .execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
            .await?;
        Ok(())
    }
}

/// The backend behind any connection or transaction.
pub fn backend(c: &impl ConnectionTrait) -> DbBackend {
    c.get_database_backend()
}

/// Hides the password in a database URL for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_refusals_are_named_for_the_layers_above() {
        let of = |text: &str| DbError::from(DbErr::Custom(text.into()));
        assert!(matches!(
            of("error returned from database: deadlock detected"),
            DbError::Deadlock
        ));
        assert!(matches!(of("code: 40P01"), DbError::Deadlock));
        assert!(matches!(of("database is locked"), DbError::Busy));
        assert!(matches!(
            of(&format!(
                "conflicting key value violates exclusion constraint \"{}\"",
                migration::m0010_bookings::NO_OVERLAP
            )),
            DbError::Overlap
        ));
        assert!(matches!(of("syntax error at or near"), DbError::Other(_)));
    }
}
