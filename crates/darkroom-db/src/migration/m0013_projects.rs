//! Projects: a client's job (seed 003) with its number per branch, kind,
//! status, dates, venue, staff, milestones, and the galleries and sessions
//! that belong to it; and the counters that number things per branch.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per numbering scope ("project:<branch>"); taking a
        // number is one UPDATE ... RETURNING, so two nodes never share one.
        m.create_table(
            Table::create()
                .table("counters")
                .col(uuid("studio_id"))
                .col(string("scope"))
                .col(int("last_value"))
                .primary_key(Index::create().col("studio_id").col("scope"))
                .take(),
        )
        .await?;

        let mut t = Table::create();
        t.table("projects")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid_null("branch_id"))
            .col(uuid("client_id"))
            .col(uuid_null("lead_id"))
            .col(string("number"))
            .col(text("name"))
            .col(string("kind"))
            .col(string("status"))
            .col(string_null("starts_on"))
            .col(string_null("ends_on"))
            .col(string_null("start_time"))
            .col(string("time_zone"))
            .col(text_null("venue"))
            .col(text_null("requests"))
            .col(instant_null("archived_at"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"));
        m.create_table(t.take()).await?;
        m.create_index(
            Index::create()
                .name("ux_projects_number")
                .table("projects")
                .col("studio_id")
                .col("number")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_projects_client",
            "projects",
            &["studio_id", "client_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_projects_starts",
            "projects",
            &["studio_id", "starts_on"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("project_people")
                .col(uuid("studio_id"))
                .col(uuid("project_id"))
                .col(uuid("user_id"))
                .col(string("role"))
                .col(instant("created_at"))
                .primary_key(Index::create().col("project_id").col("user_id").col("role"))
                .foreign_key(&mut fk("project_people", "project_id", "projects"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_project_people_user",
            "project_people",
            &["studio_id", "user_id"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("project_milestones")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("project_id"))
            .col(text("name"))
            .col(string_null("target_on"))
            .col(string_null("done_on"))
            .col(int("position"));
        row_meta(&mut t);
        t.foreign_key(&mut fk("project_milestones", "project_id", "projects"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_project_milestones_project",
            "project_milestones",
            &["studio_id", "project_id"],
        ))
        .await?;

        // A gallery or a session belongs to at most one project.
        m.create_table(
            Table::create()
                .table("project_links")
                .col(uuid("target_id"))
                .col(uuid("studio_id"))
                .col(uuid("project_id"))
                .col(string("kind"))
                .col(instant("created_at"))
                .primary_key(Index::create().col("target_id"))
                .foreign_key(&mut fk("project_links", "project_id", "projects"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_project_links_project",
            "project_links",
            &["studio_id", "project_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "project_links",
            "project_milestones",
            "project_people",
            "projects",
            "counters",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
