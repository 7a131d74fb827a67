//! A package a branch sells (seed 001).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "packages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// The price before tax, in minor units of `currency`.
    pub price_minor: i64,
    pub currency: String,
    /// Tax in basis points (1800 = 18%).
    pub tax_rate_bp: i64,
    pub duration_minutes: Option<i64>,
    pub quantity: Option<i64>,
    /// Photos the client chooses (the gallery's selection limit).
    pub photos_included: Option<i64>,
    /// The price of each photo chosen beyond `photos_included`.
    pub extra_photo_price_minor: Option<i64>,
    /// One per line.
    #[sea_orm(column_type = "Text")]
    pub inclusions: String,
    #[sea_orm(column_type = "Text")]
    pub exclusions: String,
    /// Resources a booking of it holds, `|`-separated ids.
    #[sea_orm(column_type = "Text")]
    pub resource_ids: String,
    /// People a booking of it holds, `|`-separated ids.
    #[sea_orm(column_type = "Text")]
    pub staff_ids: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
