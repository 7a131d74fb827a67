//! Who and what a booking will hold, checked: active staff of the studio,
//! bookable resources of the booking's branch, each once; and how far
//! before and after the session each is held.

use darkroom_db::repo;
use darkroom_domain::booking::{HolderKind, ResourceKind, ResourceStatus, minutes};
use darkroom_domain::field::Line;
use darkroom_domain::people::StaffStatus;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ResourceId, TypedId, UserId};
use serde::{Deserialize, Serialize};

use super::conflict::Hold;
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// The most people, and the most resources, one booking holds.
pub const MAX_HOLDS: usize = 20;

/// A person a booking holds.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffPick {
    pub user_id: UserId,
    /// What they do there: `photographer` (default), `assistant`, ...
    pub role: Option<Line<40>>,
}

/// What a booking's padding is, in minutes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Padding {
    /// Travel each way.
    pub travel: i64,
    pub before: i64,
    pub after: i64,
}

/// The holds of a booking: people and gear with travel and buffers, rooms
/// and spaces (which do not travel) with buffers only. Problems with a
/// person or resource go into `errs`, naming the list entry.
pub async fn plan(
    core: &Core,
    p: &Principal,
    branch: BranchId,
    staff: &[StaffPick],
    resources: &[ResourceId],
    pad: Padding,
    errs: &mut FieldErrors,
) -> CoreResult<Vec<Hold>> {
    if staff.len() > MAX_HOLDS {
        errs.add(
            "staff",
            "invalid",
            format!("a booking holds at most {MAX_HOLDS} people"),
        );
    }
    if resources.len() > MAX_HOLDS {
        errs.add(
            "resource_ids",
            "invalid",
            format!("a booking holds at most {MAX_HOLDS} resources"),
        );
    }
    let mut holds = staff_holds(core, p, staff, pad, errs).await?;
    holds.extend(resource_holds(core, p, branch, resources, pad, errs).await?);
    Ok(holds)
}

async fn staff_holds(
    core: &Core,
    p: &Principal,
    staff: &[StaffPick],
    pad: Padding,
    errs: &mut FieldErrors,
) -> CoreResult<Vec<Hold>> {
    let mut holds: Vec<Hold> = Vec::new();
    for (i, s) in staff.iter().enumerate().take(MAX_HOLDS) {
        let field = format!("staff[{i}].user_id");
        let m = repo::person::find_membership(core.db().conn(), p.studio, s.user_id, false)
            .await?
            .ok_or_else(|| CoreError::missing(&field, "staff member", s.user_id))?;
        if m.status != StaffStatus::Active {
            let msg = format!(
                "{} is not active here; reactivate them or pick someone else",
                m.name
            );
            errs.add(&field, "invalid", msg);
        }
        let role = match &s.role {
            Some(r) => errs
                .check(&format!("staff[{i}].role"), r.check("the role"))
                .unwrap_or_default(),
            None => "photographer".to_string(),
        };
        if holds.iter().any(|h| h.id == s.user_id.uuid()) {
            errs.add(&field, "duplicate", "this person is listed twice");
            continue;
        }
        holds.push(Hold {
            kind: HolderKind::Staff,
            id: s.user_id.uuid(),
            role,
            units: 1,
            before: minutes(pad.travel + pad.before),
            after: minutes(pad.travel + pad.after),
        });
    }
    Ok(holds)
}

async fn resource_holds(
    core: &Core,
    p: &Principal,
    branch: BranchId,
    resources: &[ResourceId],
    pad: Padding,
    errs: &mut FieldErrors,
) -> CoreResult<Vec<Hold>> {
    let mut holds: Vec<Hold> = Vec::new();
    for (i, id) in resources.iter().enumerate().take(MAX_HOLDS) {
        let field = format!("resource_ids[{i}]");
        let r = repo::schedule::find_resource(core.db().conn(), p.studio, *id, false)
            .await?
            .ok_or_else(|| CoreError::missing(&field, "resource", id))?;
        if r.branch_id != branch.uuid() {
            let msg = format!(
                "{} belongs to another branch; book a resource of this booking's branch",
                r.name
            );
            errs.add(&field, "invalid", msg);
        }
        if r.status != ResourceStatus::Available {
            let msg = format!(
                "{} is marked `{}` and cannot be booked",
                r.name,
                r.status.name()
            );
            errs.add(&field, "invalid", msg);
        }
        if holds.iter().any(|h| h.id == r.id) {
            errs.add(&field, "duplicate", "this resource is listed twice");
            continue;
        }
        let travels = !matches!(r.kind, ResourceKind::Room | ResourceKind::Space);
        let travel = if travels { pad.travel } else { 0 };
        holds.push(Hold {
            kind: HolderKind::Resource,
            id: r.id,
            role: r.kind.name().to_string(),
            units: r.quantity.max(1),
            before: minutes(travel + pad.before),
            after: minutes(travel + pad.after),
        });
    }
    Ok(holds)
}
