//! Photos waiting in staging (a batch ingested without a gallery), and assigning them to a gallery.

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::{Offset, PhotoLimit};
use crate::{Core, Meta, Principal};
use darkroom_db::repo::{self, photo::Order, photo::Place};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BatchId, GalleryId, PhotoId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use super::*;

/// A batch in the staging area.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BatchView {
    pub id: Option<BatchId>,
    pub photos: i64,
    pub last_upload: Timestamp,
}

pub async fn staging(core: &Core, p: &Principal) -> CoreResult<Vec<BatchView>> {
    core.authorize(p, Permission::GalleryView, Target::STUDIO)?;
    let rows = repo::photo::staging_batches(core.db().conn(), p.studio).await?;
    Ok(rows
        .into_iter()
        .map(|(b, n, latest)| BatchView {
            id: b.map(BatchId::from_uuid),
            photos: n,
            last_upload: Timestamp::from_micros(latest),
        })
        .collect())
}

pub async fn list_batch(
    core: &Core,
    p: &Principal,
    batch: Option<BatchId>,
    offset: Offset,
    limit: PhotoLimit,
) -> CoreResult<PhotoPage> {
    core.authorize(p, Permission::GalleryView, Target::STUDIO)?;
    let place = match batch {
        Some(b) => Place::Batch(b.uuid()),
        None => Place::Staging,
    };
    page_of(core, p.studio, place, Order::Capture, offset, limit).await
}

/// Files staged photos into a gallery.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignPhotos {
    pub gallery_id: GalleryId,
    /// Staged photos to file into it (others are skipped).
    #[schema(min_items = 1, max_items = 5000)]
    pub photo_ids: Vec<PhotoId>,
}

pub async fn assign(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: AssignPhotos,
) -> CoreResult<u64> {
    if input.photo_ids.is_empty() || input.photo_ids.len() > 5000 {
        return Err(CoreError::invalid(
            "photo_ids",
            "choose between 1 and 5000 photos",
        ));
    }
    let tx = core.db().begin().await?;
    let g = crate::photos::gallery::load(&tx, p, input.gallery_id, false).await?;
    core.authorize(
        p,
        Permission::GalleryManage,
        crate::photos::gallery::target(&g),
    )?;
    let ids: Vec<uuid::Uuid> = input.photo_ids.iter().map(|i| i.uuid()).collect();
    let moved = repo::photo::assign_to_gallery(
        &tx,
        p.studio,
        &ids,
        GalleryId::from_uuid(g.id),
        core.now().as_micros(),
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(darkroom_domain::BranchId::from_uuid(g.branch_id)),
            who: Who::of(p),
            event_type: "photo.assigned",
            severity: Severity::Low,
            target_type: "gallery",
            target_id: input.gallery_id.to_string(),
            payload: serde_json::json!({ "photos": moved }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(moved)
}
