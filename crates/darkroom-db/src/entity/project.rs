//! A client's job: a wedding, a headshot day, an event (seed 003).

use darkroom_domain::project::{ProjectKind, ProjectStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub client_id: Uuid,
    /// The lead it came from, if it was converted from one.
    pub lead_id: Option<Uuid>,
    /// Numbered per branch: `P-BLR-0007` (`P-0007` without a branch).
    pub number: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub kind: ProjectKind,
    pub status: ProjectStatus,
    /// The day of the job (the first, for a job of several days), `YYYY-MM-DD`.
    pub starts_on: Option<String>,
    /// The last day, for a job of several days.
    pub ends_on: Option<String>,
    /// When it starts on its first day, `HH:MM` in `time_zone`.
    pub start_time: Option<String>,
    /// The IANA zone of the place (the branch's, unless said otherwise).
    pub time_zone: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub venue: Option<String>,
    /// The client's special requests (makeup, must-have shots, family list).
    #[sea_orm(column_type = "Text", nullable)]
    pub requests: Option<String>,
    pub archived_at: Option<i64>,
    /// The package sold for it.
    pub package_id: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
