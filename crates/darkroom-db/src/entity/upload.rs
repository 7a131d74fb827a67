//! A resumable (tus) upload in progress or finished.

use darkroom_domain::names::UploadStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub user_id: Uuid,
    pub length: i64,
    pub received: i64,
    #[sea_orm(column_type = "Text")]
    pub metadata: String,
    pub status: UploadStatus,
    pub expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub photo_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub error: Option<String>,
    /// A plain file's SHA-256 (hex), once stored.
    pub sha256: Option<String>,
    /// A plain file's media type, read from its bytes.
    pub content_type: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
