//! Fresh databases for tests, on the engine the run is for.
//!
//! `DARKROOM_TEST_DATABASE_URL` picks the engine: unset (or `sqlite`) gives a
//! SQLite file in a temporary directory; a `postgres://` URL to a server gives
//! a new database `t_<uuid>` per test, dropped when the test ends.

use std::sync::Arc;

use uuid::Uuid;

use crate::{Db, Engine, PoolOptions};

/// One test's database. Dropping it deletes the database.
pub struct TestDb {
    pub url: String,
    pub engine: Engine,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] Arc<tempfile::TempDir>),
    Postgres { admin_url: String, name: String },
}

/// The engine this test run targets.
pub fn engine_under_test() -> Engine {
    match std::env::var("DARKROOM_TEST_DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => Engine::Postgres,
        _ => Engine::Sqlite,
    }
}

impl TestDb {
    /// Creates an empty database (no migrations applied).
    pub async fn create() -> Self {
        match std::env::var("DARKROOM_TEST_DATABASE_URL") {
            Ok(admin) if admin.starts_with("postgres") => {
                let name = format!("t_{}", Uuid::now_v7().simple());
                let db = Db::connect(
                    &admin,
                    &PoolOptions {
                        max_connections: 1,
                        ..Default::default()
                    },
                )
                .await
                .unwrap_or_else(|e| panic!("cannot reach the PostgreSQL test server: {e}"));
                use sea_orm::ConnectionTrait;
                db.conn()
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
                let _ = db.close().await;
                let url = replace_db_name(&admin, &name);
                TestDb {
                    url,
                    engine: Engine::Postgres,
                    cleanup: Cleanup::Postgres {
                        admin_url: admin,
                        name,
                    },
                }
            }
            _ => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("darkroom.db").display()
                );
                TestDb {
                    url,
                    engine: Engine::Sqlite,
                    cleanup: Cleanup::Sqlite(Arc::new(dir)),
                }
            }
        }
    }

    /// Connects and applies the migrations.
    pub async fn migrated(&self) -> Db {
        let db = Db::connect(&self.url, &PoolOptions::default())
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        db.migrate()
            .await
            .unwrap_or_else(|e| panic!("migrate: {e}"));
        db
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        Err(_) => format!("{url}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let admin_url = admin_url.clone();
            let name = name.clone();
            // Drop runs outside any runtime guarantee: use a private one on its own thread.
            let handle = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(db) = Db::connect(
                        &admin_url,
                        &PoolOptions {
                            max_connections: 1,
                            ..Default::default()
                        },
                    )
                    .await
                    {
                        use sea_orm::ConnectionTrait;
                        let _ = db
                            .conn()
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        let _ = db.close().await;
                    }
                });
            });
            let _ = handle.join();
        }
    }
}
