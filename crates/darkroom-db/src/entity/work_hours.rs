//! One stretch of a staff member's weekly hours at a branch, in the
//! branch's wall-clock time (ISO weekday 1..7, minutes after midnight).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub user_id: Uuid,
    pub branch_id: Uuid,
    pub weekday: i64,
    pub from_minute: i64,
    pub to_minute: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
