//! A client's documents (seed 000's organisation documents): a file kept
//! in the media store (it came through the resumable upload path), or a
//! request for one still missing; an expiry day, the required and
//! client-visible flags, and the last reminder sent. Uploads of plain
//! files keep their SHA-256 and the media type read from their bytes.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("client_documents")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("client_id"))
            .col(string("kind"))
            .col(text("title"))
            .col(text_null("description"))
            .col(int_default("required", 0))
            .col(int_default("client_visible", 0))
            .col(string_null("expires_on"))
            .col(uuid_null("upload_id"))
            .col(text_null("file_name"))
            .col(string_null("content_type"))
            .col(int_null("size"))
            .col(string_null("sha256"))
            .col(text_null("file_key"))
            .col(uuid_null("uploaded_by"))
            .col(instant_null("uploaded_at"))
            .col(string_null("reminded_key"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_client_documents_client",
            "client_documents",
            &["studio_id", "client_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_client_documents_expiry",
            "client_documents",
            &["expires_on"],
        ))
        .await?;
        // An upload becomes one document's file, once.
        m.create_index(
            Index::create()
                .name("ux_client_documents_upload")
                .table("client_documents")
                .col("upload_id")
                .unique()
                .take(),
        )
        .await?;
        // One column per statement: SQLite adds them one at a time.
        for col in ["sha256", "content_type"] {
            m.alter_table(
                Table::alter()
                    .table("uploads")
                    .add_column(ColumnDef::new(col).string_len(255).null())
                    .take(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["sha256", "content_type"] {
            m.alter_table(Table::alter().table("uploads").drop_column(col).take())
                .await?;
        }
        m.drop_table(Table::drop().table("client_documents").take())
            .await?;
        Ok(())
    }
}
