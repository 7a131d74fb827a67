//! Leads: inquiries in a pipeline of stages the studio names and orders
//! (seed 003's inquiry → consultation → proposal → contracted → completed,
//! or cancelled), each with follow-up tasks, a source, a lost reason, and
//! the client it became.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("pipeline_stages")
            .col(id())
            .col(uuid("studio_id"))
            .col(text("name"))
            .col(int("position"))
            .col(string("kind"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_pipeline_stages_studio",
            "pipeline_stages",
            &["studio_id", "position"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("leads")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid_null("branch_id"))
            .col(uuid("stage_id"))
            .col(text("name"))
            .col(string_null("email"))
            .col(string_null("phone"))
            .col(string_null("event_type"))
            .col(string_null("event_date"))
            .col(text_null("venue"))
            .col(text_null("message"))
            .col(string_null("source"))
            .col(uuid_null("client_id"))
            .col(text_null("lost_reason"))
            .col(instant_null("closed_at"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"));
        t.foreign_key(&mut fk("leads", "stage_id", "pipeline_stages"));
        m.create_table(t.take()).await?;
        m.create_index(index("ix_leads_stage", "leads", &["studio_id", "stage_id"]))
            .await?;
        m.create_index(index(
            "ix_leads_created",
            "leads",
            &["studio_id", "created_at"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("lead_tasks")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("lead_id"))
            .col(text("title"))
            .col(instant_null("due_at"))
            .col(instant_null("done_at"));
        row_meta(&mut t);
        t.foreign_key(&mut fk("lead_tasks", "lead_id", "leads"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_lead_tasks_lead",
            "lead_tasks",
            &["studio_id", "lead_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["lead_tasks", "leads", "pipeline_stages"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
