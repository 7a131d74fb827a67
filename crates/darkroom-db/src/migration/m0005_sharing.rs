//! Client sharing: a minimal client record, galleries' client, expiry and
//! proofing terms, share links (per person or general with an access code),
//! the browser sessions a link opens, the client's marks on photos
//! (favourite, rating, marketing consent), comments and edit requests, and
//! the activity log of each gallery.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("clients")
            .col(id())
            .col(uuid("studio_id"))
            .col(string("kind"))
            .col(text("name"))
            .col(string_null("email"))
            .col(string_null("phone"))
            .col(text_null("notes"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"))
            .foreign_key(&mut fk("clients", "studio_id", "studios"));
        m.create_table(t.take()).await?;
        m.create_index(index("ix_clients_studio", "clients", &["studio_id", "id"]))
            .await?;

        for col in [
            uuid_null("client_id"),
            instant_null("expires_at"),
            instant_null("expiry_reminded_at"),
            int_null("selection_limit"),
            instant_null("selection_deadline"),
            int_default("allow_extras", 1),
            int_null("download_limit"),
            int_default("downloads_used", 0),
        ] {
            m.alter_table(Table::alter().table("galleries").add_column(col).take())
                .await?;
        }

        let mut t = Table::create();
        t.table("share_links")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("gallery_id"))
            .col(string("kind"))
            .col(text("label"))
            .col(string_null("email"))
            .col(string("token_hash"))
            .col(string_null("code_hash"))
            .col(string("rights"))
            .col(string("download"))
            .col(int_null("download_limit"))
            .col(int_default("downloads_used", 0))
            .col(instant_null("expires_at"))
            .col(instant_null("revoked_at"))
            .col(instant_null("submitted_at"))
            .col(int_default("failed_codes", 0))
            .col(instant_null("last_activity_at"))
            .col(uuid_null("created_by"));
        row_meta(&mut t);
        t.foreign_key(&mut fk("share_links", "studio_id", "studios"))
            .foreign_key(&mut fk("share_links", "gallery_id", "galleries"));
        m.create_table(t.take()).await?;
        m.create_index(
            index("ux_share_links_token", "share_links", &["token_hash"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_share_links_gallery",
            "share_links",
            &["studio_id", "gallery_id"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("link_sessions")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("link_id"))
            .col(string("token_hash"))
            .col(instant("created_at"))
            .col(instant("expires_at"))
            .foreign_key(&mut fk("link_sessions", "link_id", "share_links"));
        m.create_table(t.take()).await?;
        m.create_index(
            index("ux_link_sessions_token", "link_sessions", &["token_hash"])
                .unique()
                .take(),
        )
        .await?;

        let mut t = Table::create();
        t.table("proof_marks")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("gallery_id"))
            .col(uuid("link_id"))
            .col(uuid("photo_id"))
            .col(int_default("favourite", 0))
            .col(int_default("rating", 0))
            .col(int_default("marketing", 0))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .foreign_key(&mut fk("proof_marks", "link_id", "share_links"))
            .foreign_key(&mut fk("proof_marks", "photo_id", "photos"));
        m.create_table(t.take()).await?;
        m.create_index(
            index(
                "ux_proof_marks_link_photo",
                "proof_marks",
                &["link_id", "photo_id"],
            )
            .unique()
            .take(),
        )
        .await?;

        let mut t = Table::create();
        t.table("photo_notes")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("gallery_id"))
            .col(uuid("photo_id"))
            .col(uuid_null("link_id"))
            .col(uuid_null("user_id"))
            .col(string("kind"))
            .col(text("body"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("photo_notes", "photo_id", "photos"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_photo_notes_gallery",
            "photo_notes",
            &["studio_id", "gallery_id", "created_at"],
        ))
        .await?;

        let mut t = Table::create();
        t.table("gallery_events")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("gallery_id"))
            .col(uuid_null("link_id"))
            .col(uuid_null("photo_id"))
            .col(string("kind"))
            .col(text_null("detail"))
            .col(instant("at"))
            .foreign_key(&mut fk("gallery_events", "gallery_id", "galleries"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_gallery_events_gallery",
            "gallery_events",
            &["studio_id", "gallery_id", "at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "gallery_events",
            "photo_notes",
            "proof_marks",
            "link_sessions",
            "share_links",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        for col in [
            "downloads_used",
            "download_limit",
            "allow_extras",
            "selection_deadline",
            "selection_limit",
            "expiry_reminded_at",
            "expires_at",
            "client_id",
        ] {
            m.alter_table(Table::alter().table("galleries").drop_column(col).take())
                .await?;
        }
        m.drop_table(Table::drop().table("clients").take()).await
    }
}
