//! A client's document: a file on record (insurance certificate, W-9,
//! contract, terms, branding), or a request for one still missing.

use darkroom_domain::document::DocumentKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub client_id: Uuid,
    pub kind: DocumentKind,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// The client must keep one on file (1) or not (0).
    pub required: i64,
    /// Shown on the client's portal (1) or staff only (0).
    pub client_visible: i64,
    /// The last day it is valid, `YYYY-MM-DD`.
    pub expires_on: Option<String>,
    /// The upload its file came through (each upload serves once).
    pub upload_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    /// Where the bytes are in the studio's media store.
    #[sea_orm(column_type = "Text", nullable)]
    pub file_key: Option<String>,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: Option<i64>,
    /// The last expiry reminder sent: `{expires_on}/{days}`.
    pub reminded_key: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
