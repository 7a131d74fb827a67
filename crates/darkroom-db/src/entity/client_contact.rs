//! A person to reach at a client (an organisation's billing contact, a
//! wedding planner).

use darkroom_domain::crm::ContactRole;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub client_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: ContactRole,
    /// One contact of a client is its primary one.
    pub is_primary: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
