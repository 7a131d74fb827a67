//! A link that opens one gallery for a client: per person, or general behind an access code.

use darkroom_domain::link::DownloadLevel;
use darkroom_domain::names::LinkKind;
use darkroom_domain::names::LinkPurpose;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "share_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub gallery_id: Uuid,
    pub kind: LinkKind,
    /// `proofing` or `delivery`.
    pub purpose: LinkPurpose,
    #[sea_orm(column_type = "Text")]
    pub label: String,
    pub email: Option<String>,
    pub token_hash: String,
    pub code_hash: Option<String>,
    pub rights: String,
    pub download: DownloadLevel,
    pub download_limit: Option<i64>,
    pub downloads_used: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub submitted_at: Option<i64>,
    pub failed_codes: i64,
    pub last_activity_at: Option<i64>,
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
