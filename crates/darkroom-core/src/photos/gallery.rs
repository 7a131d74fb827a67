//! Galleries: the photos of one shoot, in one branch, for one client (the
//! client record comes with the CRM). Photos uploaded without a gallery wait
//! in the studio's staging area until filed into one.

use darkroom_db::entity::gallery;
use darkroom_db::repo::{self, gallery::GalleryQuery};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::StudioId;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::{BranchFilter, ResourceKind, Target};
use darkroom_domain::field::{GalleryStatusName, Line, Ranged, SortOrderName};
use darkroom_domain::names::GalleryStatus;
use darkroom_domain::names::SortOrder;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ClientId, GalleryId, PhotoId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::{self, Listing};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

pub const STATUSES: &[&str] = &["active", "completed", "archived"];

#[cfg(test)]
#[test]
fn statuses_are_the_domains() {
    use darkroom_domain::names::GalleryStatus;
    assert_eq!(
        STATUSES,
        GalleryStatus::ALL
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
    );
}

/// A gallery as listed and shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct GalleryView {
    pub id: GalleryId,
    pub name: String,
    pub branch_id: BranchId,
    pub branch_name: Option<String>,
    /// `active`, `completed` or `archived`.
    pub status: GalleryStatus,
    /// How photos are ordered: `capture` (time taken), `name` or `manual`.
    pub sort_order: SortOrder,
    /// The photo shown first and on the client's cover (else the first photo).
    pub cover_photo_id: Option<PhotoId>,
    pub photo_count: u64,
    pub client_id: Option<ClientId>,
    pub client_name: Option<String>,
    /// After this the gallery's links stop working (and reminders go out before).
    pub expires_at: Option<Timestamp>,
    /// Photos the package includes (the proofing maximum).
    pub selection_limit: Option<i64>,
    pub selection_deadline: Option<Timestamp>,
    /// Whether clients may choose beyond the package (billed as extras).
    pub allow_extras: bool,
    /// Downloads allowed across all the gallery's links.
    pub download_limit: Option<i64>,
    pub downloads_used: i64,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub(crate) async fn view(c: &impl ConnectionTrait, m: gallery::Model) -> CoreResult<GalleryView> {
    let n = repo::photo::count_in(
        c,
        StudioId::from_uuid(m.studio_id),
        repo::photo::Place::Gallery(m.id),
    )
    .await?;
    let branch_name = repo::branch::find(
        c,
        StudioId::from_uuid(m.studio_id),
        BranchId::from_uuid(m.branch_id),
        true,
    )
    .await?
    .map(|b| b.name);
    let client_name = match m.client_id {
        Some(id) => {
            repo::client::find(c, StudioId::from_uuid(m.studio_id), ClientId::from_uuid(id))
                .await?
                .map(|c| c.name)
        }
        None => None,
    };
    Ok(GalleryView {
        id: GalleryId::from_uuid(m.id),
        name: m.name,
        branch_id: BranchId::from_uuid(m.branch_id),
        branch_name,
        status: m.status,
        sort_order: m.sort_order,
        cover_photo_id: m.cover_photo_id.map(PhotoId::from_uuid),
        photo_count: n,
        client_id: m.client_id.map(ClientId::from_uuid),
        client_name,
        expires_at: m.expires_at.map(Timestamp::from_micros),
        selection_limit: m.selection_limit,
        selection_deadline: m.selection_deadline.map(Timestamp::from_micros),
        allow_extras: m.allow_extras != 0,
        download_limit: m.download_limit,
        downloads_used: m.downloads_used,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
        deleted_at: m.deleted_at.map(Timestamp::from_micros),
    })
}

/// How this gallery's photos are ordered.
pub(crate) fn order_of(m: &gallery::Model) -> repo::photo::Order {
    m.sort_order
}

/// A low-severity audit event by `p` about something in gallery `g` (the
/// gallery, one of its sets, tasks or deliverables), filed under its branch.
pub(crate) fn event_in(
    p: &Principal,
    g: &gallery::Model,
    target_type: &'static str,
    event_type: &'static str,
    target_id: impl ToString,
    payload: serde_json::Value,
) -> Event {
    Event {
        studio: Some(p.studio),
        branch: Some(BranchId::from_uuid(g.branch_id)),
        who: Who::of(p),
        event_type,
        severity: Severity::Low,
        target_type,
        target_id: target_id.to_string(),
        payload,
    }
}

pub(crate) fn target(m: &gallery::Model) -> Target {
    Target::gallery(GalleryId::from_uuid(m.id), BranchId::from_uuid(m.branch_id))
}

/// A gallery of the principal's studio (404 otherwise), live unless `deleted`.
pub(crate) async fn load(
    c: &impl ConnectionTrait,
    p: &Principal,
    id: GalleryId,
    deleted: bool,
) -> CoreResult<gallery::Model> {
    repo::gallery::find(c, p.studio, id, deleted)
        .await?
        .ok_or(CoreError::not_found("gallery"))
}

/// A new gallery.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGallery {
    pub id: Option<GalleryId>,
    pub name: Line<200>,
    pub branch_id: BranchId,
}

/// Changes to a gallery.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GalleryPatch {
    pub version: i64,
    pub name: Option<Line<200>>,
    pub status: Option<GalleryStatusName>,
    /// `manual` is the order set with the photo order call.
    pub sort_order: Option<SortOrderName>,
    /// A photo of this gallery to show as its cover.
    pub cover_photo_id: Option<PhotoId>,
}

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GalleryFilter {
    pub q: Option<String>,
    pub status: Option<GalleryStatusName>,
    pub deleted: Option<bool>,
    pub cursor: Option<crate::kernel::listing::IdCursor>,
    pub limit: Option<crate::kernel::listing::ListLimit>,
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewGallery,
) -> CoreResult<(GalleryView, bool)> {
    let tx = core.db().begin().await?;
    let branch = repo::branch::find(&tx, p.studio, input.branch_id, false)
        .await?
        .ok_or_else(|| CoreError::missing("branch_id", "branch", input.branch_id))?;
    core.authorize(
        p,
        Permission::GalleryManage,
        Target::branch(BranchId::from_uuid(branch.id)),
    )?;
    let mut errs = FieldErrors::new();
    let name = errs.check("name", input.name.check("the gallery name"));
    errs.into_result()?;
    let Some(name) = name else {
        return Err(CoreError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let now = core.now().as_micros();
    let id = input.id.unwrap_or_default();
    if input.id.is_some()
        && created::claim(&tx, p.studio, "gallery", id, &created::digest(&input), now).await?
            == Claim::Replay
    {
        let g = load(&tx, p, id, true).await?;
        return Ok((view(&tx, g).await?, false));
    }
    let g = write::insert::<gallery::Entity>(
        core,
        &tx,
        p.studio,
        &id,
        gallery::ActiveModel {
            id: Set(id.uuid()),
            branch_id: Set(branch.id),
            name: Set(name),
            status: Set(GalleryStatus::Active),
            sort_order: Set(SortOrder::Capture),
            cover_photo_id: Set(None),
            created_by: Set(Some(p.user.uuid())),
            client_id: Set(None),
            expires_at: Set(None),
            expiry_reminded_at: Set(None),
            selection_limit: Set(None),
            selection_deadline: Set(None),
            allow_extras: Set(1),
            download_limit: Set(None),
            downloads_used: Set(0),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(branch.id)),
            who: Who::of(p),
            event_type: "gallery.created",
            severity: Severity::Low,
            target_type: "gallery",
            target_id: id.to_string(),
            payload: serde_json::json!({ "name": g.name }),
        },
    )
    .await?;
    let v = view(&tx, g).await?;
    crate::commit(tx).await?;
    Ok((v, true))
}

pub async fn get(core: &Core, p: &Principal, id: GalleryId) -> CoreResult<GalleryView> {
    let g = load(core.db().conn(), p, id, true).await?;
    core.authorize(p, Permission::GalleryView, target(&g))?;
    if g.deleted_at.is_some() {
        core.authorize(p, Permission::GalleryManage, target(&g))?;
    }
    view(core.db().conn(), g).await
}

/// Galleries the principal may see (by branch role, or by a grant on the gallery).
pub async fn list(
    core: &Core,
    p: &Principal,
    f: &GalleryFilter,
) -> CoreResult<Listing<GalleryView>> {
    let (branches, also) = match core.branch_filter(p, Permission::GalleryView) {
        BranchFilter::All => (None, Vec::new()),
        BranchFilter::Only(list) => {
            let now = core.now();
            let granted = p
                .actor
                .grants
                .iter()
                .filter(|g| {
                    g.permission == Permission::GalleryView
                        && g.kind == ResourceKind::Gallery
                        && g.expires_at.is_none_or(|e| e > now)
                })
                .map(|g| g.resource_id)
                .collect();
            (Some(list.into_iter().map(|b| b.uuid()).collect()), granted)
        }
    };
    let status = match &f.status {
        Some(s) => Some(s.check().map_err(|m| CoreError::invalid("status", m))?),
        None => None,
    };
    let q = GalleryQuery {
        branches,
        also,
        status: status.map(|s| s.name().to_string()),
        deleted: f.deleted.unwrap_or(false),
        search: f
            .q
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    };
    let page = listing::by_id(f.cursor.as_deref(), f.limit)?;
    let rows = repo::gallery::list(core.db().conn(), p.studio, &q, &page).await?;
    let mut items = Vec::new();
    for g in rows.items {
        items.push(view(core.db().conn(), g).await?);
    }
    Ok(Listing {
        next_cursor: rows.next.map(listing::encode_id),
        items,
    })
}

/// Galleries the principal may upload into, as (id, name), for pickers.
pub async fn uploadable(core: &Core, p: &Principal) -> CoreResult<Vec<(GalleryId, String)>> {
    let all = list(
        core,
        p,
        &GalleryFilter {
            status: Some("active".into()),
            limit: Some(crate::kernel::listing::ListLimit::clamped(200)),
            ..Default::default()
        },
    )
    .await?;
    Ok(all
        .items
        .into_iter()
        .filter(|g| {
            core.can(
                p,
                Permission::PhotoUpload,
                Target::gallery(g.id, g.branch_id),
            )
        })
        .map(|g| (g.id, g.name))
        .collect())
}

pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: GalleryId,
    patch: GalleryPatch,
) -> CoreResult<GalleryView> {
    let tx = core.db().begin().await?;
    let current = load(&tx, p, id, false).await?;
    core.authorize(p, Permission::GalleryManage, target(&current))?;
    let mut errs = FieldErrors::new();
    let mut am = gallery::ActiveModel::default();
    if let Some(n) = &patch.name
        && let Some(n) = errs.check("name", n.check("the gallery name"))
    {
        am.name = Set(n);
    }
    if let Some(s) = &patch.status
        && let Some(s) = errs.check("status", s.check())
    {
        am.status = Set(s);
    }
    if let Some(o) = &patch.sort_order
        && let Some(o) = errs.check("sort_order", o.check())
    {
        am.sort_order = Set(o);
    }
    errs.into_result()?;
    if let Some(c) = patch.cover_photo_id {
        match repo::photo::find_photo(&tx, p.studio, c).await? {
            Some(ph) if ph.gallery_id == Some(current.id) => {
                am.cover_photo_id = Set(Some(ph.id));
            }
            _ => {
                return Err(CoreError::missing(
                    "cover_photo_id",
                    "photo of this gallery",
                    c,
                ));
            }
        }
    }
    if current.version != patch.version {
        return Err(CoreError::stale(view(&tx, current).await?));
    }
    if write::try_update::<gallery::Entity>(core, &tx, p.studio, id.uuid(), patch.version, am)
        .await?
        .is_err()
    {
        let fresh = load(&tx, p, id, true).await?;
        return Err(CoreError::stale(view(&tx, fresh).await?));
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(current.branch_id)),
            who: Who::of(p),
            event_type: "gallery.updated",
            severity: Severity::Low,
            target_type: "gallery",
            target_id: id.to_string(),
            payload: serde_json::json!({
                "name": patch.name, "status": patch.status, "sort_order": patch.sort_order,
                "cover_photo_id": patch.cover_photo_id.map(|c| c.to_string()),
            }),
        },
    )
    .await?;
    let fresh = load(&tx, p, id, true).await?;
    let v = view(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(v)
}

/// Soft-deletes or restores a gallery (its photos stay with it).
pub async fn set_deleted(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: GalleryId,
    restore: bool,
) -> CoreResult<GalleryView> {
    let tx = core.db().begin().await?;
    let current = load(&tx, p, id, true).await?;
    core.authorize(p, Permission::GalleryManage, target(&current))?;
    if restore != current.deleted_at.is_some() {
        return Err(CoreError::conflict(
            "invalid_state",
            if restore {
                "this gallery is not deleted"
            } else {
                "this gallery is already deleted"
            },
        ));
    }
    let now = core.now().as_micros();
    let am = gallery::ActiveModel {
        deleted_at: Set(if restore { None } else { Some(now) }),
        updated_at: Set(now),
        ..Default::default()
    };
    if write::try_update::<gallery::Entity>(core, &tx, p.studio, id.uuid(), current.version, am)
        .await?
        .is_err()
    {
        let fresh = load(&tx, p, id, true).await?;
        return Err(CoreError::stale(view(&tx, fresh).await?));
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(current.branch_id)),
            who: Who::of(p),
            event_type: if restore {
                "gallery.restored"
            } else {
                "gallery.deleted"
            },
            severity: Severity::High,
            target_type: "gallery",
            target_id: id.to_string(),
            payload: serde_json::json!({ "name": current.name }),
        },
    )
    .await?;
    let fresh = load(&tx, p, id, true).await?;
    let v = view(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(v)
}

/// A gallery's terms with its client, replaced as a whole (absent = none).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GalleryTerms {
    pub version: i64,
    pub client_id: Option<ClientId>,
    pub expires_at: Option<Timestamp>,
    /// Photos the package includes.
    pub selection_limit: Option<Ranged<1, 100_000>>,
    pub selection_deadline: Option<Timestamp>,
    /// Default true.
    pub allow_extras: Option<bool>,
    /// Downloads of the whole gallery, across its links.
    pub download_limit: Option<Ranged<1, 1_000_000>>,
}

/// Sets a gallery's client, expiry, proofing terms and download cap.
pub async fn set_terms(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: GalleryId,
    t: GalleryTerms,
) -> CoreResult<GalleryView> {
    let tx = core.db().begin().await?;
    let current = load(&tx, p, id, false).await?;
    core.authorize(p, Permission::GalleryManage, target(&current))?;
    let mut errs = FieldErrors::new();
    let selection_limit = t
        .selection_limit
        .and_then(|n| errs.check("selection_limit", n.check()));
    let download_limit = t
        .download_limit
        .and_then(|n| errs.check("download_limit", n.check()));
    errs.into_result()?;
    if let Some(c) = t.client_id
        && repo::client::find(&tx, p.studio, c).await?.is_none()
    {
        return Err(CoreError::missing("client_id", "client", c));
    }
    if current.version != t.version {
        return Err(CoreError::stale(view(&tx, current).await?));
    }
    let am = gallery::ActiveModel {
        client_id: Set(t.client_id.map(|c| c.uuid())),
        expires_at: Set(t.expires_at.map(|e| e.as_micros())),
        expiry_reminded_at: Set(
            if t.expires_at.map(|e| e.as_micros()) == current.expires_at {
                current.expiry_reminded_at
            } else {
                None
            },
        ),
        selection_limit: Set(selection_limit),
        selection_deadline: Set(t.selection_deadline.map(|e| e.as_micros())),
        allow_extras: Set(i64::from(t.allow_extras.unwrap_or(true))),
        download_limit: Set(download_limit),
        ..Default::default()
    };
    if write::try_update::<gallery::Entity>(core, &tx, p.studio, id.uuid(), t.version, am)
        .await?
        .is_err()
    {
        let fresh = load(&tx, p, id, true).await?;
        return Err(CoreError::stale(view(&tx, fresh).await?));
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(current.branch_id)),
            who: Who::of(p),
            event_type: "gallery.terms_set",
            severity: Severity::Low,
            target_type: "gallery",
            target_id: id.to_string(),
            payload: serde_json::to_value(&t).unwrap_or_default(),
        },
    )
    .await?;
    let fresh = load(&tx, p, id, true).await?;
    let v = view(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(v)
}
