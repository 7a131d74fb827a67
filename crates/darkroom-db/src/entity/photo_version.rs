//! One stored file of a photo and its derivatives.

use darkroom_domain::names::{ImageFormat, RenderStatus, VersionRole};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photo_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub photo_id: Uuid,
    pub number: i64,
    pub role: VersionRole,
    pub content_hash: String,
    pub size_bytes: i64,
    /// CRC-32 of the original (for ZIP headers); none on rows from before it was recorded.
    pub crc32: Option<i64>,
    pub format: ImageFormat,
    pub original_key: String,
    pub thumb_key: Option<String>,
    pub preview_key: Option<String>,
    pub proof_key: Option<String>,
    /// ~800 px, clean; none on versions not rendered since it was added.
    pub medium_key: Option<String>,
    /// ~800 px from the watermarked proof; none without a watermark.
    pub medium_proof_key: Option<String>,
    pub derivative_bytes: i64,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub preview_width: i64,
    pub preview_height: i64,
    pub medium_width: i64,
    pub medium_height: i64,
    pub render_status: RenderStatus,
    #[sea_orm(column_type = "Text")]
    pub render_error: Option<String>,
    pub watermark_rev: i64,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub purged_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored keys of the rendered pictures (not the original).
    pub fn rendition_keys(&self) -> impl Iterator<Item = &String> {
        [
            &self.thumb_key,
            &self.medium_key,
            &self.preview_key,
            &self.proof_key,
            &self.medium_proof_key,
        ]
        .into_iter()
        .flatten()
    }
}
