//! Sign-ins apart from staff accounts (decision 0020).
//!
//! `logins` holds what lets a person sign in: their email and password hash,
//! one per email on the instance. `users` becomes the person as one studio
//! knows them (the staff id a studio sees), bound to a login only once they
//! accept that studio's invitation. An invitation therefore never names,
//! and never gives the inviting studio any hold on, an existing sign-in.
//!
//! Existing rows: every user with a password gets a login with the same id,
//! so nothing that points at a user changes; users without a password (sent
//! an invitation they never accepted) get one when they accept.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("logins")
            .col(id())
            .col(string("email"))
            .col(text_null("password_hash"))
            .col(instant_null("password_changed_at"));
        row_meta(&mut t);
        m.create_table(t.take()).await?;
        m.create_index(
            index("ux_logins_email", "logins", &["email"])
                .unique()
                .take(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "INSERT INTO logins (id, email, password_hash, password_changed_at, version, created_at, updated_at) \
             SELECT id, email, password_hash, password_changed_at, 1, created_at, updated_at \
             FROM users WHERE password_hash IS NOT NULL",
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(uuid_null("login_id"))
                .take(),
        )
        .await?;
        db.execute_unprepared("UPDATE users SET login_id = id WHERE password_hash IS NOT NULL")
            .await?;
        m.drop_index(
            Index::drop()
                .name("ux_users_email")
                .table("users")
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_users_email", "users", &["email"]))
            .await?;
        m.create_index(index("ix_users_login", "users", &["login_id"]))
            .await?;
        // Both engines drop a plain column in place (SQLite since 3.35).
        db.execute_unprepared("ALTER TABLE users DROP COLUMN password_hash")
            .await?;
        db.execute_unprepared("ALTER TABLE users DROP COLUMN password_changed_at")
            .await?;

        m.alter_table(
            Table::alter()
                .table("one_time_tokens")
                .add_column(uuid_null("login_id"))
                .take(),
        )
        .await?;
        db.execute_unprepared(
            "UPDATE one_time_tokens SET login_id = user_id WHERE purpose = 'password_reset'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m0007 (logins) cannot be undone: restore the backup taken before the upgrade".into(),
        ))
    }
}
