//! Scheduling: the studio's resources (gear, rooms), bookings that claim
//! people and resources and are never double-booked, session types with
//! their free start times, staff working hours and time off, and calendar
//! feeds.

pub mod availability;
pub mod booking;
pub mod busy_import;
pub mod change;
pub mod conflict;
pub mod emails;
pub mod feed;
pub mod group;
pub mod holds;
pub mod interface;
pub mod new;
pub mod notify;
pub mod package;
pub mod public;
pub mod remind;
pub mod resource;
pub mod session_type;

use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, TypedId};

use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// What the bookings context runs on its own: the session reminders.
pub(crate) fn register(r: &mut crate::kernel::registry::Registry) {
    r.chore("session reminders", remind::remind_chore);
    r.chore(
        "busy times from staff calendars",
        busy_import::refresh_chore,
    );
}

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

/// A branch one can book in, with its zone.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BranchChoice {
    pub id: BranchId,
    pub name: String,
    pub time_zone: String,
}

/// The live branches `p` may see bookings in, by name.
pub async fn branches(core: &Core, p: &Principal) -> CoreResult<Vec<BranchChoice>> {
    let allowed = core.branch_filter(p, Permission::BookingView);
    let rows = darkroom_db::repo::branch::live(core.db().conn(), p.studio).await?;
    Ok(rows
        .into_iter()
        .map(|b| BranchChoice {
            id: BranchId::from_uuid(b.id),
            name: b.name,
            time_zone: b.time_zone,
        })
        .filter(|b| allowed.allows(b.id))
        .collect())
}
