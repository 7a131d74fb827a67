//! The platform core: tenancy, people, access control, sign-in, audit, jobs
//! and the email outbox.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Tenancy -------------------------------------------------------------
        let mut t = Table::create();
        t.table("studios")
            .col(id())
            .col(text("name"))
            .col(string("currency"))
            .col(string("time_zone"))
            .col(string("locale"))
            .col(string("plan_tier"))
            .col(text("settings"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"));
        m.create_table(t.take()).await?;

        let mut t = Table::create();
        t.table("branches")
            .col(id())
            .col(uuid("studio_id"))
            .col(text("name"))
            .col(text("address"))
            .col(string_null("tax_id_kind"))
            .col(string_null("tax_id"))
            .col(string("invoice_prefix"))
            .col(string("time_zone"))
            .col(string("currency"))
            .col(string_null("phone"))
            .col(string_null("email"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"))
            .foreign_key(&mut fk("branches", "studio_id", "studios"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_branches_studio",
            "branches",
            &["studio_id", "id"],
        ))
        .await?;

        // People ---------------------------------------------------------------
        let mut t = Table::create();
        t.table("users")
            .col(id())
            .col(string("email"))
            .col(text_null("password_hash"))
            .col(instant_null("password_changed_at"));
        row_meta(&mut t);
        m.create_table(t.take()).await?;
        m.create_index(index("ux_users_email", "users", &["email"]).unique().take())
            .await?;

        let mut t = Table::create();
        t.table("memberships")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("user_id"))
            .col(string("kind"))
            .col(text("name"))
            .col(string_null("phone"))
            .col(string("time_zone"))
            .col(string("status"))
            .col(uuid_null("invited_by"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"))
            .foreign_key(&mut fk("memberships", "studio_id", "studios"))
            .foreign_key(&mut fk("memberships", "user_id", "users"));
        m.create_table(t.take()).await?;
        m.create_index(
            index(
                "ux_memberships_studio_user",
                "memberships",
                &["studio_id", "user_id"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index("ix_memberships_user", "memberships", &["user_id"]))
            .await?;

        // Access control ------------------------------------------------------
        let mut t = Table::create();
        t.table("roles")
            .col(id())
            .col(uuid("studio_id"))
            .col(string_null("builtin_key"))
            .col(text("name"))
            .col(text("description"))
            .col(text("permissions"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"))
            .foreign_key(&mut fk("roles", "studio_id", "studios"));
        m.create_table(t.take()).await?;
        m.create_index(index("ix_roles_studio", "roles", &["studio_id"]))
            .await?;

        let mut t = Table::create();
        t.table("role_assignments")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("user_id"))
            .col(uuid("role_id"))
            .col(uuid_null("branch_id"))
            .col(uuid_null("created_by"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("role_assignments", "studio_id", "studios"))
            .foreign_key(&mut fk("role_assignments", "role_id", "roles"))
            .foreign_key(&mut fk("role_assignments", "branch_id", "branches"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_role_assignments_user",
            "role_assignments",
            &["studio_id", "user_id"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("permission_grants")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("user_id"))
            .col(string("permission"))
            .col(string("resource_type"))
            .col(uuid("resource_id"))
            .col(instant_null("expires_at"))
            .col(uuid_null("created_by"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("permission_grants", "studio_id", "studios"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_permission_grants_user",
            "permission_grants",
            &["studio_id", "user_id"],
        ))
        .await?;

        // Sign-in ---------------------------------------------------------------
        let mut t = Table::create();
        t.table("auth_sessions")
            .col(id())
            .col(string("token_hash"))
            .col(uuid("user_id"))
            .col(uuid("studio_id"))
            .col(instant("created_at"))
            .col(instant("last_seen_at"))
            .col(instant("expires_at"))
            .col(string_null("ip"))
            .col(text_null("user_agent"))
            .foreign_key(&mut fk("auth_sessions", "user_id", "users"));
        m.create_table(t.take()).await?;
        m.create_index(
            index("ux_auth_sessions_token", "auth_sessions", &["token_hash"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_auth_sessions_user",
            "auth_sessions",
            &["user_id"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("api_tokens")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("user_id"))
            .col(text("name"))
            .col(string("token_hash"))
            .col(text("scopes"))
            .col(instant("expires_at"))
            .col(instant_null("last_used_at"))
            .col(instant("created_at"))
            .col(instant_null("revoked_at"))
            .foreign_key(&mut fk("api_tokens", "studio_id", "studios"))
            .foreign_key(&mut fk("api_tokens", "user_id", "users"));
        m.create_table(t.take()).await?;
        m.create_index(
            index("ux_api_tokens_token", "api_tokens", &["token_hash"])
                .unique()
                .take(),
        )
        .await?;

        let mut t = Table::create();
        t.table("one_time_tokens")
            .col(id())
            .col(string("purpose"))
            .col(string("token_hash"))
            .col(uuid_null("studio_id"))
            .col(uuid_null("user_id"))
            .col(uuid_null("created_by"))
            .col(instant("created_at"))
            .col(instant("expires_at"))
            .col(instant_null("used_at"))
            .col(instant_null("revoked_at"));
        m.create_table(t.take()).await?;
        m.create_index(
            index(
                "ux_one_time_tokens_token",
                "one_time_tokens",
                &["token_hash"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index(
            "ix_one_time_tokens_user",
            "one_time_tokens",
            &["user_id", "purpose"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("auth_throttle")
            .col(
                ColumnDef::new("key")
                    .string_len(255)
                    .not_null()
                    .primary_key(),
            )
            .col(instant("window_start"))
            .col(int("failures"));
        m.create_table(t.take()).await?;

        // Audit ---------------------------------------------------------------------
        let mut t = Table::create();
        t.table("audit_log")
            .col(id())
            .col(string("chain"))
            .col(int("seq"))
            .col(uuid_null("studio_id"))
            .col(uuid_null("branch_id"))
            .col(uuid_null("actor_user_id"))
            .col(text("actor_label"))
            .col(string("event_type"))
            .col(string("severity"))
            .col(string("target_type"))
            .col(string("target_id"))
            .col(string("ip"))
            .col(text("payload"))
            .col(instant("created_at"))
            .col(string("prev_hash"))
            .col(string("hash"));
        m.create_table(t.take()).await?;
        m.create_index(
            index("ux_audit_log_chain_seq", "audit_log", &["chain", "seq"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_audit_log_studio_time",
            "audit_log",
            &["studio_id", "created_at"],
        ))
        .await?;

        // Jobs and the email outbox -------------------------------------------------
        let mut t = Table::create();
        t.table("jobs")
            .col(id())
            .col(uuid_null("studio_id"))
            .col(string("kind"))
            .col(text("payload"))
            .col(string("status"))
            .col(int("attempts"))
            .col(int("max_attempts"))
            .col(instant("run_at"))
            .col(string_null("locked_by"))
            .col(instant_null("locked_until"))
            .col(text_null("last_error"))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .col(instant_null("finished_at"));
        m.create_table(t.take()).await?;
        m.create_index(index("ix_jobs_claim", "jobs", &["status", "run_at"]))
            .await?;
        m.create_index(index("ix_jobs_studio", "jobs", &["studio_id", "status"]))
            .await?;

        let mut t = Table::create();
        t.table("emails")
            .col(id())
            .col(uuid_null("studio_id"))
            .col(string("kind"))
            .col(string("to_address"))
            .col(text("subject"))
            .col(text("body_text"))
            .col(text("body_html"))
            .col(string("status"))
            .col(int("attempts"))
            .col(text_null("last_error"))
            .col(string("message_id"))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .col(instant_null("sent_at"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_emails_studio",
            "emails",
            &["studio_id", "status"],
        ))
        .await?;

        // Client-supplied ids: what body created each, so a replay is idempotent.
        let mut t = Table::create();
        t.table("created_ids")
            .col(id())
            .col(uuid("studio_id"))
            .col(string("kind"))
            .col(string("digest"))
            .col(instant("created_at"));
        m.create_table(t.take()).await?;

        // Instance-wide state (the key used to sign tokens, schema facts).
        let mut t = Table::create();
        t.table("instance_settings")
            .col(
                ColumnDef::new("key")
                    .string_len(255)
                    .not_null()
                    .primary_key(),
            )
            .col(text("value"))
            .col(instant("updated_at"));
        m.create_table(t.take()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "instance_settings",
            "created_ids",
            "emails",
            "jobs",
            "audit_log",
            "auth_throttle",
            "one_time_tokens",
            "api_tokens",
            "auth_sessions",
            "permission_grants",
            "role_assignments",
            "roles",
            "memberships",
            "users",
            "branches",
            "studios",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
