//! Inside a gallery: sets (sections) and each photo's set. Share links get a
//! purpose (proofing or delivery). The editing queue: tasks made from a
//! submitted selection or an edit request, with the photos each covers.
//! Physical deliverables (USB, album, prints) and their shipping.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("gallery_sets")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("gallery_id"))
            .col(text("name"))
            .col(int("position"));
        row_meta(&mut t);
        t.foreign_key(&mut fk("gallery_sets", "gallery_id", "galleries"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_gallery_sets_gallery",
            "gallery_sets",
            &["studio_id", "gallery_id", "position"],
        ))
        .await?;
        m.alter_table(
            Table::alter()
                .table("photos")
                .add_column(uuid_null("set_id"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("share_links")
                .add_column(
                    ColumnDef::new("purpose")
                        .string_len(16)
                        .not_null()
                        .default("proofing")
                        .take(),
                )
                .take(),
        )
        .await?;

        let mut t = Table::create();
        t.table("editing_tasks")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("gallery_id"))
            .col(string("source"))
            .col(uuid_null("link_id"))
            .col(uuid_null("note_id"))
            .col(text("title"))
            .col(text_null("notes"))
            .col(uuid_null("assignee_id"))
            .col(string("priority"))
            .col(instant_null("due_at"))
            .col(string("status"))
            .col(int_default("revision_count", 0))
            .col(instant_null("started_at"))
            .col(instant_null("review_at"))
            .col(instant_null("completed_at"))
            .col(uuid_null("created_by"));
        row_meta(&mut t);
        t.foreign_key(&mut fk("editing_tasks", "gallery_id", "galleries"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_editing_tasks_studio_status",
            "editing_tasks",
            &["studio_id", "status", "due_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_editing_tasks_gallery",
            "editing_tasks",
            &["studio_id", "gallery_id"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("editing_task_photos")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("task_id"))
            .col(uuid("photo_id"))
            .col(int("base_version"))
            .col(int_null("edited_version"))
            .foreign_key(&mut fk("editing_task_photos", "task_id", "editing_tasks"))
            .foreign_key(&mut fk("editing_task_photos", "photo_id", "photos"));
        m.create_table(t.take()).await?;
        m.create_index(
            index(
                "ux_editing_task_photos",
                "editing_task_photos",
                &["task_id", "photo_id"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index(
            "ix_editing_task_photos_photo",
            "editing_task_photos",
            &["studio_id", "photo_id"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("deliverables")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("gallery_id"))
            .col(string("kind"))
            .col(text("description"))
            .col(int_default("quantity", 1))
            .col(string("status"))
            .col(text_null("recipient"))
            .col(text_null("address"))
            .col(string_null("carrier"))
            .col(string_null("tracking_number"))
            .col(instant_null("shipped_at"))
            .col(instant_null("delivered_at"))
            .col(instant_null("notified_at"))
            .col(uuid_null("created_by"));
        row_meta(&mut t);
        t.foreign_key(&mut fk("deliverables", "gallery_id", "galleries"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_deliverables_gallery",
            "deliverables",
            &["studio_id", "gallery_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "deliverables",
            "editing_task_photos",
            "editing_tasks",
            "gallery_sets",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("share_links")
                .drop_column("purpose")
                .take(),
        )
        .await?;
        m.alter_table(Table::alter().table("photos").drop_column("set_id").take())
            .await
    }
}
