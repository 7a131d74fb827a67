//! A person as one studio knows them: the id the studio's staff account,
//! roles, grants, tokens and history point at. Bound to a sign-in (`logins`)
//! once the person accepts the studio's invitation (decision 0020).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The address the studio invited (the login's, once bound).
    pub email: String,
    /// The sign-in this person uses; `None` until the invitation is accepted.
    pub login_id: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
