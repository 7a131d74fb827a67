//! An email in the outbox.

use darkroom_domain::names::EmailStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emails")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Option<Uuid>,
    pub kind: String,
    pub to_address: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    pub status: EmailStatus,
    pub attempts: i64,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub message_id: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub sent_at: Option<i64>,
    /// An iCalendar file sent with the email (`invite.ics`).
    #[sea_orm(column_type = "Text", nullable)]
    pub calendar: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
