//! A photo's place in its gallery: the photos before and after it, in the
//! gallery's order, for previous/next on the staff photo page.

use darkroom_db::repo::{self, photo::Place};
use darkroom_domain::permission::Permission;
use darkroom_domain::{GalleryId, PhotoId, TypedId};
use serde::Serialize;

use crate::kernel::error::CoreResult;
use crate::{Core, Principal};

/// Where a photo sits among its gallery's photos.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Neighbours {
    pub previous: Option<PhotoId>,
    pub next: Option<PhotoId>,
    /// 1-based place in the gallery, and how many photos it holds.
    pub position: usize,
    pub count: usize,
}

/// The photos before and after `id` in gallery `gallery`'s order (empty for
/// a photo not in that gallery).
pub async fn neighbours(
    core: &Core,
    p: &Principal,
    gallery: GalleryId,
    id: PhotoId,
) -> CoreResult<Neighbours> {
    let c = core.db().conn();
    let g = crate::photos::gallery::load(c, p, gallery, false).await?;
    core.authorize(
        p,
        Permission::GalleryView,
        crate::photos::gallery::target(&g),
    )?;
    let rows = repo::photo::list_in(
        c,
        p.studio,
        Place::Gallery(g.id),
        crate::photos::gallery::order_of(&g),
        0,
        100_000,
    )
    .await?;
    let Some(at) = rows.iter().position(|r| r.id == id.uuid()) else {
        return Ok(Neighbours::default());
    };
    Ok(Neighbours {
        previous: at.checked_sub(1).map(|i| PhotoId::from_uuid(rows[i].id)),
        next: rows.get(at + 1).map(|r| PhotoId::from_uuid(r.id)),
        position: at + 1,
        count: rows.len(),
    })
}
