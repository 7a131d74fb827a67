//! Arranging a gallery: sets (sections such as "Ceremony" and "Portraits"),
//! which set each photo is in, and the studio's own photo order.
//!
//! The order a gallery shows is its `sort_order`: capture time, file name, or
//! manual. Saving a manual order (dragging photos into place) switches the
//! gallery to manual. The cover photo is a field of the gallery itself.

use darkroom_domain::StudioId;
use darkroom_domain::names::SortOrder;
use std::collections::HashSet;

use darkroom_db::entity::{gallery, gallery_set};
use darkroom_db::repo::{self, photo::Place};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::field::{Line, Ranged};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{GalleryId, GallerySetId, PhotoId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::Offset;
use crate::kernel::write;
use crate::photos::interface::{GalleryView, load, target};
use crate::{Core, Meta, Principal};

/// Most sets in one gallery, and most photos per arranging call.
pub const MAX_SETS: usize = 100;
pub const MAX_PHOTOS_PER_CALL: usize = 20_000;

/// A set of a gallery.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SetView {
    pub id: GallerySetId,
    pub gallery_id: GalleryId,
    pub name: String,
    /// Sets are shown by this number, lowest first.
    pub position: i64,
    pub photo_count: u64,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

async fn set_view(c: &impl ConnectionTrait, m: gallery_set::Model) -> CoreResult<SetView> {
    let n = repo::photo::count_in(
        c,
        StudioId::from_uuid(m.studio_id),
        Place::Set {
            gallery: m.gallery_id,
            set: m.id,
        },
    )
    .await?;
    Ok(SetView {
        id: GallerySetId::from_uuid(m.id),
        gallery_id: GalleryId::from_uuid(m.gallery_id),
        name: m.name,
        position: m.position,
        photo_count: n,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    })
}

/// A new set.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSet {
    pub id: Option<GallerySetId>,
    pub name: Line<120>,
}

/// Changes to a set.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPatch {
    pub version: i64,
    pub name: Option<Line<120>>,
    pub position: Option<Ranged<0, 1_000_000>>,
}

/// Photos to put in a set (or, with no `set_id`, in none).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacePhotos {
    /// Photos of the gallery (a photo listed again is ignored).
    #[schema(min_items = 1, max_items = 20000)]
    pub photo_ids: Vec<PhotoId>,
    pub set_id: Option<GallerySetId>,
}

/// A manual order. Without `from`: these photos first, in this order, and
/// the rest after them in the order they had. With `from`: these photos are
/// exactly the ones at positions `from`, `from + 1`, ... of the gallery's
/// current order (one page of it, dragged into a new order) and take those
/// places in the order given; every other photo keeps its place.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoOrder {
    /// The gallery's version (a stale one gets 409 with the gallery as it is).
    pub version: i64,
    /// Photos of the gallery (a photo listed again is ignored).
    #[schema(min_items = 1, max_items = 20000)]
    pub photo_ids: Vec<PhotoId>,
    /// The position (from 0) of the first listed photo, when the list is a
    /// slice of the order (a page). If the photos there are no longer the
    /// ones listed, the answer is 409: the gallery changed meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Offset>,
}

/// The gallery's new order: `listed` first and the rest after (no `from`),
/// or `listed` in place of the same photos at `from`. `None` when the photos
/// at `from` are not the ones listed.
fn new_order(
    before: &[uuid::Uuid],
    listed: Vec<uuid::Uuid>,
    from: Option<usize>,
) -> Option<Vec<uuid::Uuid>> {
    match from {
        None => {
            let first: HashSet<uuid::Uuid> = listed.iter().copied().collect();
            let mut order = listed;
            order.extend(before.iter().filter(|id| !first.contains(id)));
            Some(order)
        }
        Some(from) => {
            let end = from.checked_add(listed.len())?;
            let there: HashSet<&uuid::Uuid> = before.get(from..end)?.iter().collect();
            if there != listed.iter().collect() {
                return None;
            }
            let mut order = before.to_vec();
            order.splice(from..end, listed);
            Some(order)
        }
    }
}

async fn managed(
    c: &impl ConnectionTrait,
    core: &Core,
    p: &Principal,
    id: GalleryId,
) -> CoreResult<gallery::Model> {
    let g = load(c, p, id, false).await?;
    core.authorize(p, Permission::GalleryManage, target(&g))?;
    Ok(g)
}

/// A set of the principal's studio, with its live gallery (404 otherwise).
async fn load_set(
    c: &impl ConnectionTrait,
    p: &Principal,
    id: GallerySetId,
) -> CoreResult<(gallery_set::Model, gallery::Model)> {
    let s = repo::gallery::find_set(c, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("set"))?;
    let g = repo::gallery::find(c, p.studio, GalleryId::from_uuid(s.gallery_id), false)
        .await?
        .ok_or(CoreError::not_found("set"))?;
    Ok((s, g))
}

/// A gallery's sets, in order.
pub async fn list_sets(core: &Core, p: &Principal, id: GalleryId) -> CoreResult<Vec<SetView>> {
    let c = core.db().conn();
    let g = load(c, p, id, false).await?;
    core.authorize(p, Permission::GalleryView, target(&g))?;
    let mut out = Vec::new();
    for s in repo::gallery::sets_of(c, p.studio, GalleryId::from_uuid(g.id)).await? {
        out.push(set_view(c, s).await?);
    }
    Ok(out)
}

/// Adds a set at the end. Returns whether it was created (false: a replay).
pub async fn create_set(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    gallery_id: GalleryId,
    input: NewSet,
) -> CoreResult<(SetView, bool)> {
    let tx = core.db().begin().await?;
    let g = managed(&tx, core, p, gallery_id).await?;
    let mut errs = FieldErrors::new();
    let name = errs.check("name", input.name.check("the set name"));
    errs.into_result()?;
    let name = name.unwrap_or_default();
    let id = input.id.unwrap_or_default();
    let now = core.now().as_micros();
    if input.id.is_some()
        && created::claim(&tx, p.studio, "set", id, &created::digest(&input), now).await?
            == Claim::Replay
    {
        let (s, _) = load_set(&tx, p, id).await?;
        return Ok((set_view(&tx, s).await?, false));
    }
    let existing = repo::gallery::sets_of(&tx, p.studio, GalleryId::from_uuid(g.id)).await?;
    if existing.len() >= MAX_SETS {
        return Err(CoreError::conflict(
            "too_many_sets",
            format!("a gallery has at most {MAX_SETS} sets; merge some first"),
        ));
    }
    if existing.iter().any(|s| s.name.eq_ignore_ascii_case(&name)) {
        return Err(CoreError::taken(
            "name",
            format!("this gallery already has a set named `{name}`; pick another name"),
        ));
    }
    let position = existing.iter().map(|s| s.position).max().unwrap_or(0) + 1;
    let m = write::insert::<gallery_set::Entity>(
        core,
        &tx,
        p.studio,
        &id,
        gallery_set::ActiveModel {
            id: Set(id.uuid()),
            gallery_id: Set(g.id),
            name: Set(name.clone()),
            position: Set(position),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "gallery",
            "gallery.set_created",
            gallery_id.to_string(),
            serde_json::json!({ "set": id.to_string(), "name": name }),
        ),
    )
    .await?;
    let v = set_view(&tx, m).await?;
    crate::commit(tx).await?;
    Ok((v, true))
}

/// Renames or moves a set.
pub async fn update_set(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: GallerySetId,
    patch: SetPatch,
) -> CoreResult<SetView> {
    let tx = core.db().begin().await?;
    let (s, g) = load_set(&tx, p, id).await?;
    core.authorize(p, Permission::GalleryManage, target(&g))?;
    let mut errs = FieldErrors::new();
    let mut am = gallery_set::ActiveModel::default();
    if let Some(n) = &patch.name
        && let Some(n) = errs.check("name", n.check("the set name"))
    {
        let others = repo::gallery::sets_of(&tx, p.studio, GalleryId::from_uuid(g.id)).await?;
        if others
            .iter()
            .any(|o| o.id != s.id && o.name.eq_ignore_ascii_case(&n))
        {
            return Err(CoreError::taken(
                "name",
                format!("this gallery already has a set named `{n}`; pick another name"),
            ));
        }
        am.name = Set(n);
    }
    if let Some(pos) = patch.position
        && let Some(pos) = errs.check("position", pos.check())
    {
        am.position = Set(pos);
    }
    errs.into_result()?;
    if s.version != patch.version {
        return Err(CoreError::stale(set_view(&tx, s).await?));
    }
    if write::try_update::<gallery_set::Entity>(core, &tx, p.studio, s.id, patch.version, am)
        .await?
        .is_err()
    {
        let (fresh, _) = load_set(&tx, p, id).await?;
        return Err(CoreError::stale(set_view(&tx, fresh).await?));
    }
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "gallery",
            "gallery.set_updated",
            GalleryId::from_uuid(g.id).to_string(),
            serde_json::json!({ "set": id.to_string(), "name": patch.name, "position": patch.position }),
        ),
    )
    .await?;
    let (fresh, _) = load_set(&tx, p, id).await?;
    let v = set_view(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(v)
}

/// Deletes a set; its photos stay in the gallery, in no set.
pub async fn delete_set(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: GallerySetId,
) -> CoreResult<()> {
    let tx = core.db().begin().await?;
    let (s, g) = load_set(&tx, p, id).await?;
    core.authorize(p, Permission::GalleryManage, target(&g))?;
    repo::gallery::delete_set(&tx, p.studio, &s).await?;
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "gallery",
            "gallery.set_deleted",
            GalleryId::from_uuid(g.id).to_string(),
            serde_json::json!({ "set": id.to_string(), "name": s.name }),
        ),
    )
    .await?;
    crate::commit(tx).await
}

/// Checks that every id is a distinct live photo of the gallery.
async fn check_photos(
    c: &impl ConnectionTrait,
    p: &Principal,
    g: &gallery::Model,
    ids: &[PhotoId],
) -> CoreResult<Vec<uuid::Uuid>> {
    let mut errs = FieldErrors::new();
    if ids.is_empty() {
        errs.add("photo_ids", "required", "list at least one photo");
    }
    if ids.len() > MAX_PHOTOS_PER_CALL {
        errs.add(
            "photo_ids",
            "too_many",
            format!("at most {MAX_PHOTOS_PER_CALL} photos per call"),
        );
    }
    errs.into_result()?;
    let live: HashSet<uuid::Uuid> =
        repo::photo::ids_in_gallery(c, p.studio, GalleryId::from_uuid(g.id))
            .await?
            .into_iter()
            .collect();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        if !live.contains(&id.uuid()) {
            return Err(CoreError::missing(
                &format!("photo_ids[{i}]"),
                "photo of this gallery",
                id,
            ));
        }
        // A photo listed again keeps its first place.
        if seen.insert(id.uuid()) {
            out.push(id.uuid());
        }
    }
    Ok(out)
}

#[cfg(test)]
#[test]
fn the_documented_maximum_is_the_enforced_one() {
    let doc =
        serde_json::to_value(<PlacePhotos as utoipa::PartialSchema>::schema()).unwrap_or_default();
    assert_eq!(
        doc["properties"]["photo_ids"]["maxItems"],
        MAX_PHOTOS_PER_CALL
    );
}

/// Puts photos in a set (or in none). Returns how many were placed.
pub async fn place_photos(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    gallery_id: GalleryId,
    input: PlacePhotos,
) -> CoreResult<u64> {
    let tx = core.db().begin().await?;
    let g = managed(&tx, core, p, gallery_id).await?;
    if let Some(sid) = input.set_id {
        let s = repo::gallery::find_set(&tx, p.studio, sid).await?;
        if s.is_none_or(|s| s.gallery_id != g.id) {
            return Err(CoreError::missing("set_id", "set of this gallery", sid));
        }
    }
    let ids = check_photos(&tx, p, &g, &input.photo_ids).await?;
    let n = repo::photo::set_photos_set(
        &tx,
        p.studio,
        GalleryId::from_uuid(g.id),
        &ids,
        input.set_id.map(|s| s.uuid()),
        core.now().as_micros(),
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "gallery",
            "gallery.photos_placed",
            gallery_id.to_string(),
            serde_json::json!({ "set": input.set_id.map(|s| s.to_string()), "photos": ids.len() }),
        ),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(n)
}

/// Saves a manual order and switches the gallery to it.
pub async fn reorder(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    gallery_id: GalleryId,
    input: PhotoOrder,
) -> CoreResult<GalleryView> {
    let tx = core.db().begin().await?;
    let g = managed(&tx, core, p, gallery_id).await?;
    let first = check_photos(&tx, p, &g, &input.photo_ids).await?;
    if g.version != input.version {
        return Err(CoreError::stale(
            crate::photos::interface::view(&tx, g).await?,
        ));
    }
    let before = repo::photo::list_in(
        &tx,
        p.studio,
        Place::Gallery(g.id),
        crate::photos::interface::order_of(&g),
        0,
        u64::MAX >> 1,
    )
    .await?;
    let ids: Vec<uuid::Uuid> = before.iter().map(|ph| ph.id).collect();
    let from = input
        .from
        .map(|f| usize::try_from(f.get()).unwrap_or(usize::MAX));
    let Some(order) = new_order(&ids, first, from) else {
        return Err(CoreError::conflict(
            "stale",
            "the gallery's photos at that place changed while you arranged them; reload and drag again",
        ));
    };
    for (i, id) in order.iter().enumerate() {
        let pos = (i as i64 + 1) * 1024;
        if before.iter().any(|ph| ph.id == *id && ph.position != pos) {
            repo::photo::set_position(
                &tx,
                p.studio,
                GalleryId::from_uuid(g.id),
                PhotoId::from_uuid(*id),
                pos,
            )
            .await?;
        }
    }
    let am = gallery::ActiveModel {
        sort_order: Set(SortOrder::Manual),
        ..Default::default()
    };
    if write::try_update::<gallery::Entity>(core, &tx, p.studio, g.id, g.version, am)
        .await?
        .is_err()
    {
        let fresh = load(&tx, p, gallery_id, true).await?;
        return Err(CoreError::stale(
            crate::photos::interface::view(&tx, fresh).await?,
        ));
    }
    audit::record(
        core,
        &tx,
        meta,
        crate::photos::interface::event_in(
            p,
            &g,
            "gallery",
            "gallery.reordered",
            gallery_id.to_string(),
            serde_json::json!({ "moved": input.photo_ids.len() }),
        ),
    )
    .await?;
    let fresh = load(&tx, p, gallery_id, true).await?;
    let v = crate::photos::interface::view(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(v)
}
