//! Photos: galleries, photos with their versions, resumable uploads, and a
//! per-studio storage quota.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("studios")
                .add_column(ColumnDef::new("storage_quota_bytes").big_integer().null())
                .take(),
        )
        .await?;
        // Which configured media store holds the studio's files (NULL: the default one).
        m.alter_table(
            Table::alter()
                .table("studios")
                .add_column(ColumnDef::new("media_store").string_len(64).null())
                .take(),
        )
        .await?;

        let mut t = Table::create();
        t.table("galleries")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("branch_id"))
            .col(text("name"))
            .col(string("status"))
            .col(string("sort_order"))
            .col(uuid_null("cover_photo_id"))
            .col(uuid_null("created_by"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"))
            .foreign_key(&mut fk("galleries", "studio_id", "studios"))
            .foreign_key(&mut fk("galleries", "branch_id", "branches"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_galleries_studio",
            "galleries",
            &["studio_id", "id"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("photos")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid_null("gallery_id"))
            .col(uuid_null("batch_id"))
            .col(text("original_name"))
            .col(string("status"))
            .col(int("current_version"))
            .col(instant_null("capture_at"))
            .col(string_null("capture_local"))
            .col(string_null("capture_offset"))
            .col(text("meta"))
            .col(int("width"))
            .col(int("height"))
            .col(int("position"))
            .col(uuid_null("uploaded_by"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"))
            .foreign_key(&mut fk("photos", "studio_id", "studios"))
            .foreign_key(&mut fk("photos", "gallery_id", "galleries"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_photos_gallery",
            "photos",
            &["studio_id", "gallery_id", "capture_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_photos_batch",
            "photos",
            &["studio_id", "batch_id"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("photo_versions")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("photo_id"))
            .col(int("number"))
            .col(string("role"))
            .col(string("content_hash"))
            .col(int("size_bytes"))
            .col(string("format"))
            .col(string("original_key"))
            .col(string_null("thumb_key"))
            .col(string_null("preview_key"))
            .col(string_null("proof_key"))
            .col(int("derivative_bytes"))
            .col(int("thumb_width"))
            .col(int("thumb_height"))
            .col(int("preview_width"))
            .col(int("preview_height"))
            .col(string("render_status"))
            .col(text_null("render_error"))
            .col(int("watermark_rev"))
            .col(uuid_null("created_by"))
            .col(instant("created_at"))
            .col(instant_null("purged_at"))
            .foreign_key(&mut fk("photo_versions", "photo_id", "photos"));
        m.create_table(t.take()).await?;
        m.create_index(
            index(
                "ux_photo_versions_number",
                "photo_versions",
                &["photo_id", "number"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index(
            "ix_photo_versions_hash",
            "photo_versions",
            &["studio_id", "content_hash"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("uploads")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("user_id"))
            .col(int("length"))
            .col(int("received"))
            .col(text("metadata"))
            .col(string("status"))
            .col(instant("expires_at"))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .col(uuid_null("photo_id"))
            .col(text_null("error"))
            .foreign_key(&mut fk("uploads", "studio_id", "studios"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_uploads_studio",
            "uploads",
            &["studio_id", "status"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["uploads", "photo_versions", "photos", "galleries"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("studios")
                .drop_column("media_store")
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("studios")
                .drop_column("storage_quota_bytes")
                .take(),
        )
        .await
    }
}
