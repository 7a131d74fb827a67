//! Scheduling: the studio's resources (gear, rooms), bookings that claim
//! people and resources and are never double-booked, session types with
//! their free start times, staff working hours and time off, and calendar
//! feeds.

pub mod availability;
pub mod booking;
pub mod change;
pub mod conflict;
pub mod feed;
pub mod holds;
pub mod new;
pub mod resource;
pub mod session_type;

use darkroom_domain::BranchId;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;

use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// A live branch of the principal's studio that they may `action` in: a
/// branch of another studio answers like one that does not exist.
pub(crate) async fn branch_for(
    core: &Core,
    p: &Principal,
    field: &str,
    id: BranchId,
    action: Permission,
) -> CoreResult<darkroom_db::entity::branch::Model> {
    let b = darkroom_db::repo::branch::find(core.db().conn(), p.studio, id, false)
        .await?
        .ok_or_else(|| CoreError::missing(field, "branch", id))?;
    core.authorize(p, action, Target::branch(id))?;
    Ok(b)
}
