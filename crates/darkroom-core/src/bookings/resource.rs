//! Resources: the cameras, lenses, lights, rooms and spaces of a branch,
//! booked like people (seed 001's assets).

use darkroom_db::entity::resource;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::booking::{ResourceKind, ResourceStatus};
use darkroom_domain::field::{Line, Ranged, ResourceKindName, ResourceStatusName, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ResourceId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A resource as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ResourceView {
    pub id: ResourceId,
    pub branch_id: BranchId,
    pub kind: ResourceKind,
    pub name: String,
    pub serial_number: Option<String>,
    /// Identical units (three flashes): each is booked on its own.
    pub quantity: i64,
    /// `available`, `maintenance` or `lost`; whether it is booked at a time
    /// is what its bookings say.
    pub status: ResourceStatus,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub(crate) fn view(m: resource::Model) -> ResourceView {
    ResourceView {
        id: ResourceId::from_uuid(m.id),
        branch_id: BranchId::from_uuid(m.branch_id),
        kind: m.kind,
        name: m.name,
        serial_number: m.serial_number,
        quantity: m.quantity,
        status: m.status,
        notes: m.notes,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
        deleted_at: m.deleted_at.map(Timestamp::from_micros),
    }
}

/// A new resource.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResource {
    pub id: Option<ResourceId>,
    pub branch_id: BranchId,
    pub kind: ResourceKindName,
    pub name: Line<200>,
    pub serial_number: Option<Text<100>>,
    /// 1 (default) to 1000.
    pub quantity: Option<Ranged<1, 1000>>,
    /// `available` (default), `maintenance` or `lost`.
    pub status: Option<ResourceStatusName>,
    pub notes: Option<Text<5000>>,
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewResource,
) -> CoreResult<ResourceView> {
    let branch = super::branch_for(
        core,
        p,
        "branch_id",
        input.branch_id,
        Permission::BookingManage,
    )
    .await?;
    let mut errs = FieldErrors::new();
    let kind = errs.check("kind", input.kind.check());
    let name = errs.check("name", input.name.check("the name"));
    let serial = input
        .serial_number
        .as_ref()
        .and_then(|s| errs.check("serial_number", s.check("the serial number")))
        .flatten();
    let quantity = input
        .quantity
        .map(|q| errs.check("quantity", q.check()))
        .unwrap_or(Some(1));
    let status = match &input.status {
        Some(s) => errs.check("status", s.check()),
        None => Some(ResourceStatus::Available),
    };
    let notes = input
        .notes
        .as_ref()
        .and_then(|n| errs.check("notes", n.check("the notes")))
        .flatten();
    errs.into_result()?;
    let id = input.id.unwrap_or_default();
    let tx = core.db().begin().await?;
    let m = write::insert::<resource::Entity>(
        core,
        &tx,
        p.studio,
        &id,
        resource::ActiveModel {
            id: Set(id.uuid()),
            branch_id: Set(branch.id),
            kind: Set(kind.unwrap_or(ResourceKind::Other)),
            name: Set(name.unwrap_or_default()),
            serial_number: Set(serial),
            quantity: Set(quantity.unwrap_or(1)),
            status: Set(status.unwrap_or(ResourceStatus::Available)),
            notes: Set(notes),
            ..Default::default()
        },
    )
    .await?;
    record(
        core,
        &tx,
        meta,
        p,
        &m,
        "resource.created",
        serde_json::json!({ "name": m.name }),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(view(m))
}

/// The resources of the branches `p` may see bookings in.
pub async fn list(
    core: &Core,
    p: &Principal,
    branch: Option<BranchId>,
    deleted: bool,
) -> CoreResult<Vec<ResourceView>> {
    let allowed = core.branch_filter(p, Permission::BookingView);
    let branches: Option<Vec<BranchId>> = match (branch, &allowed) {
        (Some(b), f) if f.allows(b) => Some(vec![b]),
        (Some(_), _) => Some(Vec::new()),
        (None, darkroom_domain::authz::BranchFilter::All) => None,
        (None, darkroom_domain::authz::BranchFilter::Only(l)) => Some(l.clone()),
    };
    Ok(
        repo::schedule::resources(core.db().conn(), p.studio, branches.as_deref(), deleted)
            .await?
            .into_iter()
            .map(view)
            .collect(),
    )
}

pub async fn get(core: &Core, p: &Principal, id: ResourceId) -> CoreResult<ResourceView> {
    let m = repo::schedule::find_resource(core.db().conn(), p.studio, id, true)
        .await?
        .ok_or(CoreError::not_found("resource"))?;
    core.authorize(
        p,
        Permission::BookingView,
        Target::branch(BranchId::from_uuid(m.branch_id)),
    )
    .map_err(|_| CoreError::not_found("resource"))?;
    Ok(view(m))
}

/// Changes to a resource: only the fields sent change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcePatch {
    /// The version you read: a stale one gets 409 with the current resource.
    pub version: i64,
    pub kind: Option<ResourceKindName>,
    pub name: Option<Line<200>>,
    /// `""` clears it.
    pub serial_number: Option<Text<100>>,
    pub quantity: Option<Ranged<1, 1000>>,
    pub status: Option<ResourceStatusName>,
    pub notes: Option<Text<5000>>,
    /// `true` deletes it (its bookings keep it), `false` restores it.
    pub deleted: Option<bool>,
}

pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ResourceId,
    patch: ResourcePatch,
) -> CoreResult<ResourceView> {
    let tx = core.db().begin().await?;
    let current = repo::schedule::find_resource(&tx, p.studio, id, true)
        .await?
        .ok_or(CoreError::not_found("resource"))?;
    let branch = BranchId::from_uuid(current.branch_id);
    if !core.can(p, Permission::BookingView, Target::branch(branch)) {
        return Err(CoreError::not_found("resource"));
    }
    core.authorize(p, Permission::BookingManage, Target::branch(branch))?;
    let mut errs = FieldErrors::new();
    let mut am = resource::ActiveModel::default();
    if let Some(k) = &patch.kind
        && let Some(k) = errs.check("kind", k.check())
    {
        am.kind = Set(k);
    }
    if let Some(n) = &patch.name
        && let Some(n) = errs.check("name", n.check("the name"))
    {
        am.name = Set(n);
    }
    if let Some(s) = &patch.serial_number
        && let Some(s) = errs.check("serial_number", s.check("the serial number"))
    {
        am.serial_number = Set(s);
    }
    if let Some(q) = patch.quantity
        && let Some(q) = errs.check("quantity", q.check())
    {
        am.quantity = Set(q);
    }
    if let Some(s) = &patch.status
        && let Some(s) = errs.check("status", s.check())
    {
        am.status = Set(s);
    }
    if let Some(n) = &patch.notes
        && let Some(n) = errs.check("notes", n.check("the notes"))
    {
        am.notes = Set(n);
    }
    if let Some(d) = patch.deleted {
        am.deleted_at = Set(d.then(|| core.now().as_micros()));
    }
    errs.into_result()?;
    if current.version != patch.version {
        return Err(CoreError::stale(view(current)));
    }
    write::update::<resource::Entity, _>(core, &tx, p.studio, id.uuid(), patch.version, am, view)
        .await?;
    let fresh = repo::schedule::find_resource(&tx, p.studio, id, true)
        .await?
        .ok_or(CoreError::not_found("resource"))?;
    record(
        core,
        &tx,
        meta,
        p,
        &fresh,
        "resource.updated",
        serde_json::json!({ "name": fresh.name }),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}

async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    m: &resource::Model,
    event_type: &'static str,
    payload: serde_json::Value,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(m.branch_id)),
            who: Who::of(p),
            event_type,
            severity: Severity::Low,
            target_type: "resource",
            target_id: ResourceId::from_uuid(m.id).to_string(),
            payload,
        },
    )
    .await
}
