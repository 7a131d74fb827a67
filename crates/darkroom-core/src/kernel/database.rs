//! The database as the binary opens it. The server reaches data only
//! through the core; this is the one door it uses to connect, migrate and
//! check the database.

pub use darkroom_db::{Db, Engine, PoolOptions, redact_url};

/// Connects (creating nothing but the SQLite file) and, with `migrate`,
/// applies pending migrations. A PostgreSQL database that does not exist is
/// named with what to do.
pub async fn open(url: &str, max_connections: u32, migrate: bool) -> anyhow::Result<Db> {
    let db = Db::connect(
        url,
        &PoolOptions {
            max_connections,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| explain(url, e))?;
    if migrate {
        db.migrate().await.map_err(|e| explain(url, e))?;
    }
    Ok(db)
}

/// A connection error as an operator can act on it.
fn explain(url: &str, e: darkroom_db::DbError) -> anyhow::Error {
    let text = e.to_string();
    if let Some(name) = missing_database(&text) {
        return anyhow::anyhow!(
            "the PostgreSQL database `{name}` does not exist on {}; create it first \
             (e.g. `createdb {name}`, or `CREATE DATABASE {name};` in psql), then start again",
            redact_url(url)
        );
    }
    anyhow::anyhow!("cannot use the database {}: {text}", redact_url(url))
}

/// The name in PostgreSQL's `database "x" does not exist`, if that is the error.
fn missing_database(text: &str) -> Option<&str> {
    let i = text.find("database \"")? + "database \"".len();
    let rest = &text[i..];
    let j = rest.find('"')?;
    rest[j..]
        .starts_with("\" does not exist")
        .then(|| &rest[..j])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_database_is_named() {
        assert_eq!(
            missing_database(
                r#"error returned from database: database "studio" does not exist at line 948"#
            ),
            Some("studio")
        );
        assert_eq!(missing_database("connection refused"), None);
    }
}
