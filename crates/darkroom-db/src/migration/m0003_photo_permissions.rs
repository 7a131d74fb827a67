//! Gives the built-in roles of existing studios the photo permissions their
//! defaults now include (additive: permissions a studio removed are not touched
//! beyond these new ones).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const NEW: &[(&str, &[&str])] = &[
    (
        "manager",
        &[
            "gallery.view",
            "gallery.manage",
            "photo.upload",
            "photo.delete",
        ],
    ),
    (
        "photographer",
        &["gallery.view", "gallery.manage", "photo.upload"],
    ),
    ("editor", &["gallery.view", "photo.upload"]),
    ("assistant", &["gallery.view", "photo.upload"]),
    ("accountant", &["gallery.view"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, builtin_key, permissions FROM roles WHERE builtin_key IS NOT NULL",
            ))
            .await?;
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let key: String = row.try_get("", "builtin_key")?;
            let perms: String = row.try_get("", "permissions")?;
            let Some((_, add)) = NEW.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            let mut list: Vec<String> = serde_json::from_str(&perms).unwrap_or_default();
            for p in *add {
                if !list.iter().any(|x| x == p) {
                    list.push((*p).to_string());
                }
            }
            let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
            let stmt = Query::update()
                .table("roles")
                .value("permissions", json)
                .and_where(Expr::col("id").eq(id))
                .take();
            m.exec_stmt(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
